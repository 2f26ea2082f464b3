/*
 * Unit tests for rules/engine.c, the C-Python bridge, against the real embedded
 * interpreter: record-to-dict fidelity (compared with Python's own json.loads of the same
 * text, types included), rule and matcher exceptions, matchers run once per record,
 * req_subkeys checked in C, context copies, and no reference leaks over many records.
 */
#include "config/config.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/error.h"
#include "json/json.h"
#include "rules/rules.h"
#include "test.h"
#include "testutil.h"

static const char *RULES_PY =
    "import gc, json\n"
    "from streamalert.shared.rule import rule, disable\n"
    "\n"
    "def same(a, b):\n"
    "    if type(a) is not type(b):\n"
    "        return False\n"
    "    if isinstance(a, dict):\n"
    "        return (list(a) == list(b) and [type(k) for k in a] == [type(k) for k in b] and\n"
    "                all(same(a[k], b[k]) for k in a))\n"
    "    if isinstance(a, list):\n"
    "        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))\n"
    "    if isinstance(a, float) and a != a:\n"
    "        return b != b\n"
    "    return a == b\n"
    "\n"
    "@rule(logs=['t:fidelity'], outputs=['slack:x'])\n"
    "def fidelity(rec):\n"
    "    return same(rec['payload'], json.loads(rec['text']))\n"
    "\n"
    "@rule(logs=['t:err'])\n"
    "def raises(rec):\n"
    "    raise ValueError('boom ' + rec['x'])\n"
    "\n"
    "@rule(logs=['t:err'])\n"
    "def after_error(rec):\n"
    "    return True\n"
    "\n"
    "CALLS = {'m': 0}\n"
    "def counting_matcher(rec):\n"
    "    CALLS['m'] += 1\n"
    "    return True\n"
    "\n"
    "def bad_matcher(rec):\n"
    "    raise KeyError('nope')\n"
    "\n"
    "@rule(logs=['t:match'], matchers=[counting_matcher])\n"
    "def m1(rec):\n"
    "    return True\n"
    "\n"
    "@rule(logs=['t:match'], matchers=[counting_matcher], context={'calls': CALLS})\n"
    "def m2(rec, context):\n"
    "    context['seen'] = context['calls']['m']\n"
    "    context['calls']['m'] = 1000\n"
    "    return True\n"
    "\n"
    "@rule(logs=['t:match'], matchers=[bad_matcher])\n"
    "def m3(rec):\n"
    "    return True\n"
    "\n"
    "@rule(logs=['t:sub'], req_subkeys={'columns': ['a', 'b']})\n"
    "def needs_sub(rec):\n"
    "    return rec['columns']['a'] is None or True\n"
    "\n"
    "@disable\n"
    "@rule(logs=['t:sub'])\n"
    "def disabled_rule(rec):\n"
    "    return True\n"
    "\n"
    "@rule(logs=['t:decimal'], context={})\n"
    "def decimals(rec, context):\n"
    "    import decimal\n"
    "    context['d'] = [decimal.Decimal('1.50'), decimal.Decimal('7'), decimal.Decimal('NaN')]\n"
    "    context['s'] = {'only'}\n"
    "    return True\n"
    "\n"
    "STASH = []\n"
    "HASHED = {}\n"
    "\n"
    "def strs(o):\n"
    "    if isinstance(o, str):\n"
    "        yield o\n"
    "    elif isinstance(o, dict):\n"
    "        for k, v in o.items():\n"
    "            yield k\n"
    "            yield from strs(v)\n"
    "    elif isinstance(o, list):\n"
    "        for v in o:\n"
    "            yield from strs(v)\n"
    "\n"
    "@rule(logs=['t:mutate'], outputs=['slack:x'])\n"
    "def mutate(rec):\n"
    "    # the record must equal json.loads of its text whatever this rule did to the\n"
    "    # previous one (the engine updates the last record's dict in place)\n"
    "    import collections\n"
    "    ok = same(rec['payload'], json.loads(rec['text']))\n"
    "    ok = ok and all(json.dumps(o) == t for o, t in STASH)\n"
    "    # strs rewritten in place must hash as new ones (each call hashes 't' first)\n"
    "    ok = ok and all(hash(s) == hash(''.join(s)) for s in strs(rec))\n"
    "    HASHED[rec['payload']['t']] = 1\n"
    "    p, mode = rec['payload'], rec['mode']\n"
    "    if mode == 1:\n"
    "        p['o']['x'] = 'changed'\n"
    "    elif mode == 2:\n"
    "        p['l'].append(99)\n"
    "    elif mode == 3:\n"
    "        p['o'] = p.pop('o')\n"
    "    elif mode == 4:\n"
    "        STASH.append((p['o'], json.dumps(p['o'])))\n"
    "        STASH.append((p['l'], json.dumps(p['l'])))\n"
    "    elif mode == 5:\n"
    "        p['o'] = collections.OrderedDict(p['o'])\n"
    "    elif mode == 6:\n"
    "        p['l'][0] = {'new': 1}\n"
    "        p['o']['y'][1] = 7\n"
    "    elif mode == 7:\n"
    "        rec.clear()\n"
    "    elif mode == 8:\n"
    "        p['o']['x'], p['o']['y'] = p['o']['y'], p['o']['x']\n"
    "    elif mode == 10:\n"
    "        class S(str):\n"
    "            pass\n"
    "        p[S('t')] = p.pop('t')\n"
    "    elif mode == 9:\n"
    "        STASH.append((p['t'], json.dumps(p['t'])))\n"
    "        STASH.append((p['o']['x'], json.dumps(p['o']['x'])))\n"
    "    return ok\n"
    "\n"
    "@rule(logs=['t:keys'], context={})\n"
    "def keys_differential(rec, context):\n"
    "    # the C get_keys/get_first_key against the pure-Python versions: on the record and on\n"
    "    # random nested structures (seeded), with the normalization key and falsy children\n"
    "    import random, _vigil\n"
    "    from streamalert.shared import utils\n"
    "    rnd = random.Random(rec['seed'])\n"
    "    names = ['k', 'p', 'streamalert_normalization', 'x', 1]\n"
    "    def gen(d):\n"
    "        r = rnd.random()\n"
    "        if d > 4 or r < 0.3:\n"
    "            return rnd.choice([None, 0, 1, '', 's', [], {}])\n"
    "        if r < 0.6:\n"
    "            return [gen(d + 1) for _ in range(rnd.randrange(4))]\n"
    "        return {rnd.choice(names): gen(d + 1) for _ in range(rnd.randrange(5))}\n"
    "    bad = []\n"
    "    for i in range(300):\n"
    "        data = rec['payload'] if i == 0 else gen(0)\n"
    "        for key in ('k', 'p', 'streamalert_normalization', 1):\n"
    "            for mm in (-1, 0, 1, 2):\n"
    "                if _vigil.get_keys(data, key, max_matches=mm) != utils.py_get_keys(data, key, mm):\n"
    "                    bad.append((data, key, mm))\n"
    "            if _vigil.get_first_key(data, key, 'dflt') != utils.py_get_first_key(data, key, 'dflt'):\n"
    "                bad.append((data, key, 'first'))\n"
    "    if utils.get_keys is not _vigil.get_keys or utils.get_first_key is not _vigil.get_first_key:\n"
    "        bad.append('utils does not use the C versions')\n"
    "    try:\n"
    "        _vigil.get_keys({}, [])\n"
    "        bad.append('unhashable key did not raise')\n"
    "    except TypeError:\n"
    "        pass\n"
    "    context['bad'] = repr(bad[:3])\n"
    "    return not bad\n"
    "\n"
    "@rule(logs=['t:count'], context={})\n"
    "def count_objects(rec, context):\n"
    "    gc.collect()\n"
    "    context['objects'] = len(gc.get_objects())\n"
    "    return True\n";

static struct vgl_config *cfg;
static struct vgl_rules *rules;
static struct vgl_arena arena;
static char root[300];

static int setup(void)
{
    if (rules)
        return 0;
    snprintf(root, sizeof root, "%s", tu_tmpdir());
    char conf[400];
    snprintf(conf, sizeof conf, "%s/conf", root);
    tu_write(conf, "global.json",
             "{\"account\":{\"prefix\":\"t\"},\"general\":{\"rule_locations\":[\"rules\"],"
             "\"matcher_locations\":[]},\"infrastructure\":{\"rule_staging\":{}}}");
    tu_write(conf, "schemas/s.json",
             "{\"t:fidelity\":{\"parser\":\"json\",\"schema\":{}},\"t:err\":{\"parser\":\"json\",\"schema\":{}},"
             "\"t:match\":{\"parser\":\"json\",\"schema\":{}},\"t:sub\":{\"parser\":\"json\",\"schema\":{}},"
             "\"t:count\":{\"parser\":\"json\",\"schema\":{}},\"t:decimal\":{\"parser\":\"json\",\"schema\":{}},\"t:none\":{\"parser\":\"json\",\"schema\":{}},\"t:keys\":{\"parser\":\"json\",\"schema\":{}},\"t:mutate\":{\"parser\":\"json\",\"schema\":{}}}");
    tu_write(conf, "clusters/c.json", "{\"classifier_config\":{},\"data_sources\":{\"kinesis\":{\"s\":[\"t\"]}}}");
    tu_write(root, "rules/test_rules.py", RULES_PY);
    struct vgl_diag diag;
    vgl_diag_init(&diag);
    cfg = vgl_config_load(conf, &diag);
    if (cfg)
        rules = vgl_rules_load(cfg, NULL, &diag);
    for (size_t i = 0; i < diag.n; i++)
        fprintf(stderr, "  %s\n", diag.msgs[i]);
    vgl_diag_release(&diag);
    vgl_arena_init(&arena, 0);
    return rules ? 0 : -1;
}

/* Runs the rules of log_type on the record text; returns the number of alerts. */
static size_t eval(const char *log_type, const char *record, struct vgl_alerts *alerts)
{
    struct vgl_json rec;
    struct vgl_error err = {0};
    memset(alerts, 0, sizeof *alerts);
    if (vgl_json_parse(record, strlen(record), &arena, NULL, &rec, &err) != 0) {
        fprintf(stderr, "  bad test record: %s\n", err.msg);
        return (size_t)-1;
    }
    const struct vgl_schema *sc = vgl_config_schema(cfg, log_type);
    struct vgl_rule_input in = {.record = &rec, .log_type = sc ? sc->name : log_type, .parser = "json",
                                .cluster = "c", .service = "kinesis", .resource = "s", .where = "test:1"};
    if (vgl_rules_eval(rules, &in, &arena, alerts, &err) != 0) {
        fprintf(stderr, "  eval failed: %s\n", err.msg);
        return (size_t)-1;
    }
    return alerts->n;
}

/* eval() of {"payload": P, "text": "<P as a JSON string>"} (and "mode" when mode >= 0). */
static size_t eval_payload(const char *log_type, const char *payload, int mode,
                           struct vgl_alerts *alerts)
{
    struct vgl_buf b, text;
    vgl_buf_init(&b, 0);
    vgl_buf_init(&text, 0);
    vgl_json_write_str(&text, payload, strlen(payload));
    vgl_buf_printf(&b, "{\"payload\":%s,\"text\":%s", payload, text.data);
    if (mode >= 0)
        vgl_buf_printf(&b, ",\"mode\":%d", mode);
    vgl_buf_putc(&b, '}');
    size_t n = eval(log_type, b.data, alerts);
    vgl_buf_release(&b);
    vgl_buf_release(&text);
    return n;
}

TEST(record_to_dict_fidelity)
{
    if (setup() != 0) {
        CHECK(!"rules did not load");
        return;
    }
    static const char *const payloads[] = {
        "{\"s\":\"plain\",\"u\":\"caf\\u00e9 \\u20ac \\ud83d\\ude00\",\"raw\":\"\xe6\x97\xa5\xe6\x9c\xac\"}",
        "{\"esc\":\"a\\\"b\\\\c\\n\\t\\r\\b\\f\\/\",\"nul\":\"x\\u0000y\"}",
        "{\"i\":0,\"neg\":-1,\"max\":9223372036854775807,\"min\":-9223372036854775808}",
        "{\"big\":123456789012345678901234567890,\"nbig\":-99999999999999999999999}",
        "{\"f\":1.5,\"e\":1e300,\"tiny\":5e-324,\"z\":-0.0,\"one\":1.0}",
        "{\"a\":[1,[2,[3,[4,[]]]],{\"k\":[null,true,false]}],\"o\":{}}",
        "{\"n\":null,\"t\":true,\"f\":false,\"empty\":\"\",\"dup\":1,\"dup\":2}",
        "[1,2,3]",
        "\"just a string\"",
        /* keys of every length class of the key cache's compares and hash (0-3, 4-7, 8-16,
         * 17-24 inline, longer on the heap, non-ASCII), then the same places holding keys
         * that differ in their last byte only: the position predictions must miss */
        "{\"\":1,\"a\":2,\"abc\":3,\"abcd\":4,\"abcdefg\":5,\"abcdefgh\":6,\"abcdefghi\":7,"
        "\"abcdefghijklmnop\":8,\"abcdefghijklmnopq\":9,\"abcdefghijklmnopqrstuvwx\":10,"
        "\"abcdefghijklmnopqrstuvwxy\":11,\"k\\u00e9y\":12,\"o\":{\"x\":1,\"y\":2},\"p\":{\"y\":1,\"x\":2}}",
        "{\"\":1,\"b\":2,\"abd\":3,\"abce\":4,\"abcdefh\":5,\"abcdefgi\":6,\"abcdefghj\":7,"
        "\"abcdefghijklmnoq\":8,\"abcdefghijklmnopr\":9,\"abcdefghijklmnopqrstuvwy\":10,"
        "\"abcdefghijklmnopqrstuvwxz\":11,\"k\\u00e9z\":12,\"o\":{\"y\":1,\"x\":2},\"p\":{\"x\":1,\"y\":2}}",
        "{\"abc\":1,\"\":2,\"abcdefghijklmnopqrstuvwxy\":3,\"a\":4,\"p\":[{\"x\":1},{\"y\":2},{\"x\":3,\"y\":4}]}",
    };
    for (size_t i = 0; i < sizeof payloads / sizeof payloads[0]; i++) {
        struct vgl_alerts alerts;
        size_t n = eval_payload("t:fidelity", payloads[i], -1, &alerts);
        if (n != 1)
            fprintf(stderr, "  payload %zu not equal to json.loads: %s\n", i, payloads[i]);
        CHECK_INT_EQ(n, 1);
    }
}

TEST(exceptions_count_as_false_and_do_not_stop_others)
{
    if (setup() != 0)
        return;
    struct vgl_alerts alerts;
    CHECK_INT_EQ(eval("t:err", "{\"x\":\"one\"}", &alerts), 1);
    CHECK_STR_EQ(alerts.items[0].rule_name, "after_error");
    /* a TypeError inside the rule ('boom ' + 5) is caught too */
    CHECK_INT_EQ(eval("t:err", "{\"x\":5}", &alerts), 1);
    /* the record's rule errors come back with the alerts (vigil run dead-letters them) */
    CHECK_INT_EQ(alerts.nerrors, 1);
    if (alerts.nerrors) {
        CHECK_STR_EQ(alerts.errors[0].rule, "raises");
        CHECK_STR_CONTAINS(alerts.errors[0].message, "rule 'raises': the rule raised: TypeError");
    }
    size_t n;
    const struct vgl_rule_stats *st = vgl_rules_stats(rules, &n);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(st[i].name, "raises") == 0) {
            CHECK_INT_EQ(st[i].errors, 2);
            CHECK_INT_EQ(st[i].hits, 0);
            CHECK_INT_EQ(st[i].calls, 2);
        }
    }
}

TEST(matchers_run_once_and_context_is_a_fresh_copy)
{
    if (setup() != 0)
        return;
    struct vgl_alerts alerts;
    /* counting_matcher is shared by m1 and m2: called once, so m2 sees 1; m3's matcher
     * raises, which counts as false. */
    CHECK_INT_EQ(eval("t:match", "{}", &alerts), 2);
    const struct vgl_json *ctx = NULL;
    for (size_t i = 0; i < alerts.n; i++)
        if (strcmp(alerts.items[i].rule_name, "m2") == 0)
            ctx = vgl_json_getz(&alerts.items[i].fields, "context");
    CHECK(ctx != NULL);
    const struct vgl_json *seen = ctx ? vgl_json_getz(ctx, "seen") : NULL;
    CHECK(seen && seen->type == VGL_JSON_INT && seen->u.i == 1);
    /* the rule wrote 1000 into its copy; the next record's copy starts from the original */
    CHECK_INT_EQ(eval("t:match", "{}", &alerts), 2);
    for (size_t i = 0; i < alerts.n; i++)
        if (strcmp(alerts.items[i].rule_name, "m2") == 0)
            ctx = vgl_json_getz(&alerts.items[i].fields, "context");
    seen = ctx ? vgl_json_getz(ctx, "seen") : NULL;
    CHECK(seen && seen->type == VGL_JSON_INT && seen->u.i == 2);
}

TEST(req_subkeys_in_c_and_disabled_rules)
{
    if (setup() != 0)
        return;
    struct vgl_alerts alerts;
    CHECK_INT_EQ(eval("t:sub", "{\"columns\":{\"a\":null,\"b\":1}}", &alerts), 1);   /* null counts */
    CHECK_INT_EQ(eval("t:sub", "{\"columns\":{\"a\":1}}", &alerts), 0);
    CHECK_INT_EQ(eval("t:sub", "{\"columns\":\"a,b\"}", &alerts), 0);               /* not an object */
    CHECK_INT_EQ(eval("t:sub", "{}", &alerts), 0);
    bool disabled = false;
    CHECK(vgl_rules_exists(rules, "disabled_rule", &disabled) && disabled);
    CHECK(!vgl_rules_wants(rules, "t:none"));
    CHECK(vgl_rules_wants(rules, "t:sub"));
}

TEST(alert_values_serialise_like_json)
{
    if (setup() != 0)
        return;
    struct vgl_alerts alerts;
    CHECK_INT_EQ(eval("t:decimal", "{}", &alerts), 1);
    const struct vgl_json *ctx = alerts.n ? vgl_json_getz(&alerts.items[0].fields, "context") : NULL;
    struct vgl_buf b;
    vgl_buf_init(&b, 0);
    if (ctx)
        vgl_json_write(&b, ctx);
    /* Decimals become numbers (NaN stays text), sets become lists */
    CHECK_STR_EQ(b.data, "{\"d\":[1.5,7,\"NaN\"],\"s\":[\"only\"]}");
    vgl_buf_release(&b);
}

TEST(record_dict_reuse_survives_rule_mutations)
{
    if (setup() != 0)
        return;
    /* records of one shape with changing values, each after a rule changed, reordered,
     * kept or replaced parts of the previous record's dict */
    static const char *const payloads[] = {
        "{\"o\":{\"x\":\"a\",\"y\":[1,\"s\"]},\"l\":[1,2,{\"z\":\"q\"}],\"s\":\"v1\",\"n\":null,\"t\":\"t0\"}",
        "{\"o\":{\"x\":\"b\",\"y\":[2,\"s\"]},\"l\":[1,3,{\"z\":\"r\"}],\"s\":\"v1\",\"n\":1,\"t\":\"t1\"}",
        "{\"o\":{\"x\":\"b\",\"y\":[2,\"t\"]},\"l\":[\"1\",3,{\"z\":\"r\"}],\"s\":\"caf\\u00e9\",\"n\":1.5,\"t\":\"t2\"}",
        "{\"o\":{\"y\":[2,\"s\"],\"x\":\"c\"},\"l\":[1,3,{\"z\":\"s\"}],\"s\":\"v2\",\"n\":true,\"t\":\"t3\"}",
    };
    int fails = 0;
    for (int round = 0; round < 3; round++) {
        for (int mode = 0; mode <= 10; mode++) {
            const char *pl = payloads[(round * 11 + mode) % 4];
            struct vgl_alerts alerts;
            if (eval_payload("t:mutate", pl, mode, &alerts) != 1) {
                fprintf(stderr, "  round %d mode %d: record not equal to json.loads: %s\n", round,
                        mode, pl);
                fails++;
            }
        }
    }
    CHECK_INT_EQ(fails, 0);
}

TEST(get_keys_in_c_matches_python)
{
    if (setup() != 0)
        return;
    static const char *const recs[] = {
        "{\"seed\":1,\"payload\":{\"p\":\"A\",\"x\":[{\"p\":\"C\"},{\"y\":{\"p\":\"D\"}}],\"z\":{\"p\":\"B\"}}}",
        "{\"seed\":2,\"payload\":{\"streamalert_normalization\":{\"k\":1},\"x\":{\"k\":[{\"k\":2}]}}}",
        "{\"seed\":3,\"payload\":[[{\"k\":1}],{\"k\":2},[],{}]}",
    };
    for (size_t i = 0; i < sizeof recs / sizeof recs[0]; i++) {
        struct vgl_alerts alerts;
        size_t n = eval("t:keys", recs[i], &alerts);
        if (n != 1 && n != (size_t)-1)
            fprintf(stderr, "  seed %zu: C and Python disagree\n", i + 1);
        CHECK_INT_EQ(n, 1);
    }
}

TEST(no_reference_leaks)
{
    if (setup() != 0)
        return;
    /* A rule reports the number of gc-tracked objects; building and dropping 2000 dicts of
     * a nested record between two readings must not grow it. */
    const char *rec = "{\"a\":[1,2,{\"b\":[{\"c\":\"x\"}]}],\"d\":{\"e\":{\"f\":[null,1.5,\"s\"]}}}";
    struct vgl_alerts alerts;
    int64_t first = -1, last = -1;
    for (int i = 0; i < 2000; i++) {
        if (eval("t:count", rec, &alerts) != 1) {
            CHECK(!"count rule did not fire");
            return;
        }
        const struct vgl_json *ctx = vgl_json_getz(&alerts.items[0].fields, "context");
        const struct vgl_json *o = ctx ? vgl_json_getz(ctx, "objects") : NULL;
        if (!o || o->type != VGL_JSON_INT) {
            CHECK(!"no object count");
            return;
        }
        if (i == 100)
            first = o->u.i;
        last = o->u.i;
        if ((i & 127) == 0)
            vgl_arena_reset(&arena);
    }
    if (last - first > 50)
        fprintf(stderr, "  gc objects grew from %lld to %lld\n", (long long)first, (long long)last);
    CHECK(last - first <= 50);
}

static int64_t gc_objects(void)
{
    struct vgl_alerts alerts;
    if (eval("t:count", "{\"a\":[1]}", &alerts) != 1)
        return -1;
    const struct vgl_json *ctx = vgl_json_getz(&alerts.items[0].fields, "context");
    const struct vgl_json *o = ctx ? vgl_json_getz(ctx, "objects") : NULL;
    return o && o->type == VGL_JSON_INT ? o->u.i : -1;
}

TEST(publication_does_not_leak)
{
    if (!rules)
        return;
    /* the alert a rule built, composed 2000 times for an output: the gc object count (and
     * with it the alert dicts passed in) must not grow */
    const char *rec = "{\"a\":[1,2,{\"b\":[{\"c\":\"x\"}]}],\"d\":{\"e\":{\"f\":[null,1.5,\"s\"]}}}";
    struct vgl_alerts alerts;
    if (eval("t:count", rec, &alerts) != 1) {
        CHECK(!"count rule did not fire");
        return;
    }
    struct vgl_alert alert = alerts.items[0];
    struct vgl_arena pa;
    vgl_arena_init(&pa, 0);
    int64_t first = 0;
    for (int i = 0; i < 2000; i++) {
        struct vgl_json pub;
        CHECK_INT_EQ(vgl_rules_publication(rules, &alert, "aws-firehose:alerts", &pa, &pub, NULL), 0);
        if (i == 100)
            first = gc_objects();
        if ((i & 127) == 0)
            vgl_arena_reset(&pa);
    }
    int64_t last = gc_objects();
    vgl_arena_release(&pa);
    if (last - first > 50)
        fprintf(stderr, "  gc objects grew from %lld to %lld\n", (long long)first, (long long)last);
    CHECK(first > 0 && last - first <= 50);
}

TEST(cleanup)
{
    vgl_rules_free(rules);
    vgl_config_free(cfg);
    vgl_arena_release(&arena);
    if (root[0])
        tu_rmrf(root);
    rules = NULL;
    cfg = NULL;
}

TEST_MAIN(T(record_to_dict_fidelity), T(exceptions_count_as_false_and_do_not_stop_others),
          T(matchers_run_once_and_context_is_a_fresh_copy), T(req_subkeys_in_c_and_disabled_rules),
          T(alert_values_serialise_like_json), T(record_dict_reuse_survives_rule_mutations),
          T(get_keys_in_c_matches_python), T(no_reference_leaks),
          T(publication_does_not_leak), T(cleanup))
