/*
 * rules/engine.c: the embedded CPython and the per-record rule loop.
 *
 * Sits after classification: a classified record comes in, alerts come out.  Python-side
 * behaviour (rule registration, alert fields, publishers, lookup tables, threat intel)
 * lives in python/vigil_runtime.py and the streamalert package; this file owns the
 * interpreter, converts records to dicts and alerts back to JSON, and runs the hot loop:
 * select by log type, req_subkeys in C, one dict per record, each matcher at most once,
 * then the rule functions.
 *
 * GIL: vigil is single-threaded per process, so the main thread holds the GIL for the
 * process's lifetime.  References: every PyObject kept in struct vgl_rules is a strong
 * reference released in vgl_rules_free().
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "rules/rules.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config/config.h"
#include "config/schema.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/log.h"
#include "core/xmalloc.h"

PyObject *vgl_pyinit_vigil(void);   /* rules/s3.c: the _vigil built-in module */

#define MAX_MATCHERS_CACHED 32
#define KEY_CACHE_MAX 65536
#define KEY_PRED_BITS 12
#define CONVERT_MAX_DEPTH 512
#define ERRORS_LOGGED_PER_RULE 10
/* Rule time is measured on one record in TIME_SAMPLE and scaled: reading the clock around
 * every call cost more than a typical rule (7% of a 50-rule run on this VM; 1 record in 8
 * with two reads per rule still cost 1.7%). */
#define TIME_SAMPLE 16

struct subkeys {
    const char *key;
    size_t klen;
    const char **subs;
    size_t *sublens;
    size_t nsubs;
};

struct rule {
    char *name;
    PyObject *name_obj;
    PyObject *func;
    PyObject **matchers;
    size_t nmatchers;
    char **logs;          /* NULL: every log type */
    size_t nlogs;
    char *logs_substr;    /* a bare-string logs: substring containment (compat 4.1 QUIRK) */
    struct subkeys *req;
    size_t nreq;
    bool has_context;
    bool disabled;
    struct vgl_rule_stats stats;
};

struct type_rules {
    const char *log_type;   /* the config's schema name */
    size_t *idx;
    size_t n;
};

/* One cached key: the bytes inline when short (most record keys are), so a lookup
 * touches one cache line. */
#define KEY_INLINE 24
struct key_entry {
    uint64_t hash;
    uint32_t len;
    char inl[KEY_INLINE];
    char *heap;        /* owned copy when len > KEY_INLINE */
    PyObject *str;     /* interned */
};

struct vgl_rules {
    PyObject *rt;            /* the vigil_runtime module */
    uint64_t records;        /* records evaluated, for time sampling */
    PyObject *build_alert, *fresh_context, *annotate;
    bool threat_intel;
    struct rule *rules;
    size_t nrules;
    struct type_rules *types;
    size_t ntypes;
    struct vgl_rule_stats *stats_view;
    struct key_entry *keys;
    size_t nkeys, keycap;
    uint32_t *pred;          /* key predictions, see pred_slot */
    PyObject *prev;          /* the last record's dict, see record_object */
};

static bool py_started;

/* ---- interpreter ---------------------------------------------------------------------- */

static bool has_runtime(const char *dir)
{
    char path[4400];
    struct stat st;
    snprintf(path, sizeof path, "%s/vigil_runtime.py", dir);
    return stat(path, &st) == 0;
}

/* The Python package: $VIGIL_PYTHON_DIR, else <exe>/../share/vigil/python, else the
 * source tree this binary was built from. */
static int find_python_dir(char *out, size_t outsz, struct vgl_error *err)
{
    const char *env = getenv("VIGIL_PYTHON_DIR");
    if (env && *env) {
        if (!has_runtime(env))
            return vgl_error_set(err, VGL_ECONFIG, "VIGIL_PYTHON_DIR '%s' has no vigil_runtime.py", env);
        snprintf(out, outsz, "%s", env);
        return 0;
    }
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            snprintf(out, outsz, "%s/../share/vigil/python", exe);
            if (has_runtime(out))
                return 0;
        }
    }
    snprintf(out, outsz, "%s/python", VGL_SOURCE_DIR);
    if (has_runtime(out))
        return 0;
    return vgl_error_set(err, VGL_ECONFIG,
                         "vigil's Python package was not found (looked in share/vigil/python beside "
                         "the binary and in %s/python); set VIGIL_PYTHON_DIR",
                         VGL_SOURCE_DIR);
}

/* "ExcType: message (file:line)" for the pending exception, which is cleared. */
static void take_exception(char *out, size_t outsz)
{
    PyObject *type = NULL, *value = NULL, *tb = NULL;
    PyErr_Fetch(&type, &value, &tb);
    if (!type) {
        snprintf(out, outsz, "unknown error");
        return;
    }
    PyErr_NormalizeException(&type, &value, &tb);
    const char *tname = PyType_Check(type) ? ((PyTypeObject *)type)->tp_name : "Exception";
    PyObject *s = value ? PyObject_Str(value) : NULL;
    const char *msg = s ? PyUnicode_AsUTF8(s) : NULL;
    if (!msg)
        PyErr_Clear();
    char where[512] = "";
    if (tb && PyTraceBack_Check(tb)) {
        PyTracebackObject *t = (PyTracebackObject *)tb;
        while (t->tb_next)
            t = t->tb_next;
        PyCodeObject *code = PyFrame_GetCode(t->tb_frame);
        const char *file = code ? PyUnicode_AsUTF8(code->co_filename) : NULL;
        if (file)
            snprintf(where, sizeof where, " (%s:%d)", file, PyFrame_GetLineNumber(t->tb_frame));
        Py_XDECREF(code);
    }
    snprintf(out, outsz, "%s: %s%s", tname, msg ? msg : "?", where);
    Py_XDECREF(s);
    Py_XDECREF(type);
    Py_XDECREF(value);
    Py_XDECREF(tb);
    PyErr_Clear();
}

static int py_start(struct vgl_error *err)
{
    if (py_started)
        return 0;
    char dir[4200];
    int rc = find_python_dir(dir, sizeof dir, err);
    if (rc)
        return rc;
    if (PyImport_AppendInittab("_vigil", vgl_pyinit_vigil) != 0)
        return vgl_error_set(err, VGL_ECONFIG, "cannot register the _vigil module");
    PyConfig config;
    PyConfig_InitPythonConfig(&config);
    config.install_signal_handlers = 0;   /* vigil owns SIGINT/SIGTERM */
    config.parse_argv = 0;
    config.write_bytecode = 0;            /* never write __pycache__ into users' rule folders */
    PyStatus st = PyConfig_SetBytesString(&config, &config.program_name, "vigil");
    if (!PyStatus_Exception(st))
        st = Py_InitializeFromConfig(&config);
    PyConfig_Clear(&config);
    if (PyStatus_Exception(st))
        return vgl_error_set(err, VGL_ECONFIG, "cannot start the embedded python: %s",
                             st.err_msg ? st.err_msg : "unknown error");
    py_started = true;
    PyObject *sys_path = PySys_GetObject("path");   /* borrowed */
    PyObject *d = PyUnicode_FromString(dir);
    if (!sys_path || !d || PyList_Insert(sys_path, 0, d) != 0) {
        Py_XDECREF(d);
        char e[512];
        take_exception(e, sizeof e);
        return vgl_error_set(err, VGL_ECONFIG, "cannot set sys.path: %s", e);
    }
    Py_DECREF(d);
    /* Python's logging (vigil's package and users' rules) in vigil's line format, at
     * vigil's level, instead of the bare last-resort handler. */
    static const char *const levels[] = {"ERROR", "WARNING", "INFO", "DEBUG", "DEBUG"};
    char code[1024];
    snprintf(code, sizeof code,
             "import logging, sys\n"
             "class _VigilLogHandler(logging.Handler):\n"
             "    _names = {'WARNING': 'warn', 'CRITICAL': 'error'}\n"
             "    def emit(self, record):\n"
             "        try:\n"
             "            level = self._names.get(record.levelname, record.levelname.lower())\n"
             "            sys.stderr.write('vigil: %%s: %%s: %%s\\n' %% (level, record.name, self.format(record)))\n"
             "        except Exception:\n"
             "            self.handleError(record)\n"
             "_root = logging.getLogger()\n"
             "_root.addHandler(_VigilLogHandler())\n"
             "_root.setLevel(logging.%s)\n",
             levels[vgl_log_get_level() < 5 ? vgl_log_get_level() : 1]);
    if (PyRun_SimpleString(code) != 0)
        PyErr_Clear();
    return 0;
}

/* ---- JSON <-> Python ------------------------------------------------------------------ */

/* Unaligned loads of 8 and 4 bytes. */
static inline uint64_t load64(const char *p)
{
    uint64_t w;
    memcpy(&w, p, 8);
    return w;
}

static inline uint32_t load32(const char *p)
{
    uint32_t w;
    memcpy(&w, p, 4);
    return w;
}

/* The last 1-8 bytes of a key as one word, read inside [s, s + n) only: overlapping loads
 * when the key is long enough, so no byte-by-byte copy (a libc memcpy call cost more than
 * the rest of the hash). */
static inline uint64_t key_tail(const char *s, size_t n)
{
    if (n >= 8)
        return load64(s + n - 8);
    if (n >= 4)
        return load32(s) | (uint64_t)load32(s + n - 4) << 32;
    uint64_t t = 0;
    for (size_t i = 0; i < n; i++)
        t = t << 8 | (unsigned char)s[i];
    return t;
}

/* Eight bytes at a time, multiply-and-rotate mixing: keys are short, so per-byte hashes
 * cost more than the lookup itself. */
static uint64_t key_hash(const char *s, size_t n)
{
    uint64_t h = 0x9e3779b97f4a7c15ull ^ n;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        h = (h ^ load64(s + i)) * 0xff51afd7ed558ccdull;
        h = (h << 29) | (h >> 35);
    }
    if (i < n)
        h ^= key_tail(s, n);
    h *= 0xc4ceb9fe1a85ec53ull;
    return h ^ (h >> 31);
}

/* Byte equality of two n-byte keys, inline for the usual lengths. */
static inline bool key_eq(const char *a, const char *b, size_t n)
{
    if (n > 16)
        return memcmp(a, b, n) == 0;
    if (n >= 8)
        return ((load64(a) ^ load64(b)) | (load64(a + n - 8) ^ load64(b + n - 8))) == 0;
    if (n >= 4)
        return ((load32(a) ^ load32(b)) | (load32(a + n - 4) ^ load32(b + n - 4))) == 0;
    for (size_t i = 0; i < n; i++)
        if (a[i] != b[i])
            return false;
    return true;
}

static const char *entry_key(const struct key_entry *e)
{
    return e->len > KEY_INLINE ? e->heap : e->inl;
}

static void keys_grow(struct vgl_rules *r)
{
    size_t cap = r->keycap ? r->keycap * 2 : 1024;
    struct key_entry *k = vgl_xcalloc(cap, sizeof *k);
    for (size_t i = 0; i < r->keycap; i++) {
        if (!r->keys[i].str)
            continue;
        size_t j = r->keys[i].hash & (cap - 1);
        while (k[j].str)
            j = (j + 1) & (cap - 1);
        k[j] = r->keys[i];
    }
    free(r->keys);
    r->keys = k;
    r->keycap = cap;
    /* entries moved: every prediction is stale */
    if (!r->pred)
        r->pred = vgl_xcalloc((size_t)1 << KEY_PRED_BITS, sizeof *r->pred);
    else
        memset(r->pred, 0, ((size_t)1 << KEY_PRED_BITS) * sizeof *r->pred);
}

/* Where the cached entry of the key at member `i` of an object under parent key `ctx` (a
 * key-entry index + 1; 0 for the root) was last time.  Records of one log type repeat their
 * keys in the same places, so most lookups are one load and one compare instead of a hash.
 * A slot may hold anything (collisions, a stale index): a hit is always verified. */
static inline size_t pred_slot(uint32_t ctx, uint32_t i)
{
    return (size_t)(((uint64_t)ctx << 6 ^ i) * 0x9e3779b97f4a7c15ull >> (64 - KEY_PRED_BITS));
}

/* A new reference to the interned str for a key; cached so that the same record keys
 * never decode twice (ARCHITECTURE.md: tree -> dict with cached keys).  *idx gets the
 * entry's index + 1 (0 when the key was not cached), the `ctx` of the key's children. */
static PyObject *key_object(struct vgl_rules *r, const char *s, size_t n, uint32_t ctx,
                            uint32_t member, uint32_t *idx)
{
    size_t ps = pred_slot(ctx, member);
    uint32_t p = r->pred ? r->pred[ps] : 0;
    if (p && p <= r->keycap) {
        struct key_entry *e = &r->keys[p - 1];
        if (e->str && e->len == n && key_eq(entry_key(e), s, n)) {
            Py_INCREF(e->str);
            *idx = p;
            return e->str;
        }
    }
    *idx = 0;
    uint64_t h = key_hash(s, n);
    if (r->keycap) {
        size_t j = h & (r->keycap - 1);
        while (r->keys[j].str) {
            struct key_entry *e = &r->keys[j];
            if (e->hash == h && e->len == n && key_eq(entry_key(e), s, n)) {
                Py_INCREF(e->str);
                *idx = (uint32_t)j + 1;
                r->pred[ps] = *idx;
                return e->str;
            }
            j = (j + 1) & (r->keycap - 1);
        }
    }
    PyObject *str = PyUnicode_DecodeUTF8(s, (Py_ssize_t)n, "surrogateescape");
    if (!str)
        return NULL;
    if (r->nkeys >= KEY_CACHE_MAX)
        return str;   /* hostile input cannot grow the cache without bound */
    PyUnicode_InternInPlace(&str);
    if ((r->nkeys + 1) * 2 > r->keycap)
        keys_grow(r);
    size_t j = h & (r->keycap - 1);
    while (r->keys[j].str)
        j = (j + 1) & (r->keycap - 1);
    struct key_entry *e = &r->keys[j];
    e->hash = h;
    e->len = (uint32_t)n;
    if (n > KEY_INLINE)
        e->heap = vgl_xstrndup(s, n);
    else if (n)
        memcpy(e->inl, s, n);
    e->str = str;
    Py_INCREF(str);
    r->nkeys++;
    *idx = (uint32_t)j + 1;
    r->pred[ps] = *idx;
    return str;
}

static PyObject *to_py_at(struct vgl_rules *r, const struct vgl_json *v, int depth, uint32_t ctx)
{
    if (depth > CONVERT_MAX_DEPTH) {
        PyErr_SetString(PyExc_RecursionError, "record nested too deeply");
        return NULL;
    }
    switch (v->type) {
    case VGL_JSON_NULL:
        Py_RETURN_NONE;
    case VGL_JSON_BOOL:
        return PyBool_FromLong(v->u.b);
    case VGL_JSON_INT:
        return PyLong_FromLongLong(v->u.i);
    case VGL_JSON_BIGINT: {
        char *tmp = vgl_xstrndup(v->u.s, v->len);
        PyObject *o = PyLong_FromString(tmp, NULL, 10);
        free(tmp);
        return o;
    }
    case VGL_JSON_FLOAT:
        return PyFloat_FromDouble(v->u.d);
    case VGL_JSON_STRING:
        if (v->flags & VGL_JSON_F_ASCII) {
            /* known ASCII: no decoding, one copy into a compact str */
            PyObject *o = PyUnicode_New((Py_ssize_t)v->len, 127);
            if (o && v->len)
                memcpy(PyUnicode_DATA(o), v->u.s, v->len);
            return o;
        }
        return PyUnicode_DecodeUTF8(v->u.s, (Py_ssize_t)v->len, "surrogateescape");
    case VGL_JSON_ARRAY: {
        PyObject *l = PyList_New((Py_ssize_t)v->len);
        if (!l)
            return NULL;
        for (uint32_t i = 0; i < v->len; i++) {
            PyObject *it = to_py_at(r, &v->u.items[i], depth + 1, ctx);
            if (!it) {
                Py_DECREF(l);
                return NULL;
            }
            PyList_SET_ITEM(l, i, it);
        }
        return l;
    }
    case VGL_JSON_OBJECT: {
        /* Presized: no growth on the way.  (Measured against dicts grown by insertion,
         * which keep CPython's str-only key table, and against copies of per-shape
         * templates: both cost more instructions per record, rule lookups included.) */
        PyObject *d = _PyDict_NewPresized((Py_ssize_t)v->len);
        if (!d)
            return NULL;
        for (uint32_t i = 0; i < v->len; i++) {
            const struct vgl_json_member *m = &v->u.members[i];
            uint32_t kidx;
            PyObject *k = key_object(r, m->key, m->klen, ctx, i, &kidx);
            PyObject *val = k ? to_py_at(r, &m->val, depth + 1, kidx) : NULL;
            if (!val || PyDict_SetItem(d, k, val) != 0) {
                Py_XDECREF(k);
                Py_XDECREF(val);
                Py_DECREF(d);
                return NULL;
            }
            Py_DECREF(k);
            Py_DECREF(val);
        }
        return d;
    }
    }
    PyErr_SetString(PyExc_TypeError, "unknown json value");
    return NULL;
}

static PyObject *to_py(struct vgl_rules *r, const struct vgl_json *v, int depth)
{
    return to_py_at(r, v, depth, 0);
}

/* ---- the record's dict, updated in place ---------------------------------------------
 *
 * Records of one log type mostly have the same shape, and building then freeing ~100
 * objects per record was a third of a 50-rule run.  So the engine keeps the last record's
 * dict and, when nothing else holds it, makes it the next record by updating it in place:
 * a dict or list is reused when only its parent refers to it (refcount 1; a rule that kept
 * a reference to any part gets fresh objects there), it is still an exact dict/list, and
 * it has the same keys in the same order (the same length for a list); a str is kept when
 * its text is the same.  Everything else is built fresh.  The result is equal, types and
 * key order included, to a fresh build, whatever rules did to the previous record. */

static PyObject *to_py_update(struct vgl_rules *r, const struct vgl_json *v, PyObject *old,
                              int depth, uint32_t ctx);

/* A str nothing but its container refers to: refcount 1 (the container's reference), not
 * interned, no cached wchar_t copy. */
static bool str_unshared(PyObject *o)
{
    return Py_REFCNT(o) == 1 && !PyUnicode_CHECK_INTERNED(o) &&
           ((PyASCIIObject *)o)->wstr == NULL;
}

static PyObject *dict_update(struct vgl_rules *r, const struct vgl_json *v, PyObject *d,
                             int depth, uint32_t ctx)
{
    /* One pass: a value is updated as soon as its key is found in place.  Replacing the
     * value of an existing key is the one change CPython allows while iterating.  If a
     * later key differs, the dict is built fresh instead and this one, updated half way,
     * is dropped by the caller (only its parent held it). */
    Py_ssize_t pos = 0;
    for (uint32_t i = 0; i < v->len; i++) {
        PyObject *dk, *dv;
        if (!PyDict_Next(d, &pos, &dk, &dv))
            return to_py_at(r, v, depth, ctx);
        const struct vgl_json_member *m = &v->u.members[i];
        uint32_t idx = 0;   /* the same key: no cache lookup (children predict from the root) */
        if (!(PyUnicode_CheckExact(dk) && PyUnicode_IS_COMPACT_ASCII(dk) &&
              PyUnicode_GET_LENGTH(dk) == (Py_ssize_t)m->klen &&
              key_eq(PyUnicode_DATA(dk), m->key, m->klen))) {
            PyObject *k = key_object(r, m->key, m->klen, ctx, i, &idx);
            if (!k)
                return NULL;
            Py_DECREF(k);   /* the same object stays in the dict when it matches */
            if (k != dk)
                return to_py_at(r, v, depth, ctx);
        }
        PyObject *nv = to_py_update(r, &m->val, dv, depth + 1, idx);
        if (!nv)
            return NULL;
        int rc = nv == dv ? 0 : PyDict_SetItem(d, dk, nv);
        Py_DECREF(nv);
        if (rc != 0)
            return NULL;
    }
    Py_INCREF(d);
    return d;
}

static PyObject *to_py_update(struct vgl_rules *r, const struct vgl_json *v, PyObject *old,
                              int depth, uint32_t ctx)
{
    if (!old || depth > CONVERT_MAX_DEPTH)
        return to_py_at(r, v, depth, ctx);
    switch (v->type) {
    case VGL_JSON_STRING:
        if ((v->flags & VGL_JSON_F_ASCII) && PyUnicode_CheckExact(old) &&
            PyUnicode_IS_COMPACT_ASCII(old) && PyUnicode_GET_LENGTH(old) == (Py_ssize_t)v->len) {
            if (!key_eq(PyUnicode_DATA(old), v->u.s, v->len)) {
                if (!str_unshared(old))
                    break;
                /* Only the record's container holds this str: rewriting its bytes (and
                 * forgetting its hash) cannot be observed, and saves a new str, a dict
                 * store and freeing the old one.  CPython resizes strs in place under the
                 * same conditions (unicode_modifiable). */
                memcpy(PyUnicode_DATA(old), v->u.s, v->len);
                ((PyASCIIObject *)old)->hash = -1;
            }
            Py_INCREF(old);
            return old;
        }
        break;
    case VGL_JSON_OBJECT:
        if (v->len > 0 && PyDict_CheckExact(old) && Py_REFCNT(old) == 1 &&
            PyDict_GET_SIZE(old) == (Py_ssize_t)v->len)
            return dict_update(r, v, old, depth, ctx);
        break;
    case VGL_JSON_ARRAY:
        if (PyList_CheckExact(old) && Py_REFCNT(old) == 1 &&
            PyList_GET_SIZE(old) == (Py_ssize_t)v->len) {
            for (uint32_t i = 0; i < v->len; i++) {
                PyObject *cur = PyList_GET_ITEM(old, i);
                PyObject *nv = to_py_update(r, &v->u.items[i], cur, depth + 1, ctx);
                if (!nv)
                    return NULL;
                if (nv == cur) {
                    Py_DECREF(nv);
                } else {
                    PyList_SET_ITEM(old, i, nv);
                    Py_DECREF(cur);
                }
            }
            Py_INCREF(old);
            return old;
        }
        break;
    default:
        break;
    }
    return to_py_at(r, v, depth, ctx);
}

/* The dict of a record to evaluate (a new reference); r->prev keeps it for the next one. */
static PyObject *record_object(struct vgl_rules *r, const struct vgl_json *record)
{
    PyObject *rec = r->prev && Py_REFCNT(r->prev) == 1 ? to_py_update(r, record, r->prev, 0, 0)
                                                       : to_py(r, record, 0);
    if (!rec) {
        /* an update may have stopped half way: never reuse that tree */
        Py_CLEAR(r->prev);
        return NULL;
    }
    if (rec != r->prev) {
        Py_XDECREF(r->prev);
        Py_INCREF(rec);
        r->prev = rec;
    }
    return rec;
}

static int str_to_json(PyObject *o, struct vgl_arena *a, struct vgl_json *out)
{
    Py_ssize_t n;
    const char *s = PyUnicode_AsUTF8AndSize(o, &n);
    if (!s) {
        /* lone surrogates: encode with replacement */
        PyErr_Clear();
        PyObject *b = PyUnicode_AsEncodedString(o, "utf-8", "replace");
        if (!b)
            return -1;
        *out = vgl_json_str(vgl_arena_strndup(a, PyBytes_AS_STRING(b), (size_t)PyBytes_GET_SIZE(b)),
                            (size_t)PyBytes_GET_SIZE(b));
        Py_DECREF(b);
        return 0;
    }
    *out = vgl_json_str(vgl_arena_strndup(a, s, (size_t)n), (size_t)n);
    return 0;
}

/*
 * Python -> JSON as json.dumps with default=str would see it: dict keys become strings,
 * tuples/lists/sets/frozensets become arrays (sets sorted by their JSON text is not
 * needed: StreamAlert serialises them in iteration order), anything else becomes str(o).
 */
static int from_py(PyObject *o, struct vgl_arena *a, struct vgl_json *out, int depth)
{
    if (depth > CONVERT_MAX_DEPTH) {
        PyErr_SetString(PyExc_RecursionError, "value nested too deeply (a reference cycle?)");
        return -1;
    }
    if (o == Py_None) {
        *out = vgl_json_null();
        return 0;
    }
    if (PyBool_Check(o)) {
        *out = vgl_json_bool(o == Py_True);
        return 0;
    }
    if (PyLong_Check(o)) {
        int overflow = 0;
        long long v = PyLong_AsLongLongAndOverflow(o, &overflow);
        if (!overflow) {
            if (v == -1 && PyErr_Occurred())
                return -1;
            *out = vgl_json_int(v);
            return 0;
        }
        PyObject *s = PyObject_Str(o);
        if (!s || str_to_json(s, a, out) != 0) {
            Py_XDECREF(s);
            return -1;
        }
        Py_DECREF(s);
        out->type = VGL_JSON_BIGINT;
        return 0;
    }
    if (PyFloat_Check(o)) {
        *out = vgl_json_float(PyFloat_AS_DOUBLE(o));
        return 0;
    }
    if (PyUnicode_Check(o))
        return str_to_json(o, a, out);
    if (PyDict_Check(o)) {
        Py_ssize_t n = PyDict_Size(o), pos = 0, i = 0;
        struct vgl_json_member *m = vgl_arena_alloc(a, ((size_t)n + 1) * sizeof *m);
        PyObject *k, *val;
        while (PyDict_Next(o, &pos, &k, &val)) {
            struct vgl_json kj;
            PyObject *ks = PyUnicode_Check(k) ? (Py_INCREF(k), k) : PyObject_Str(k);
            if (!ks || str_to_json(ks, a, &kj) != 0) {
                Py_XDECREF(ks);
                return -1;
            }
            Py_DECREF(ks);
            m[i].key = kj.u.s;
            m[i].klen = kj.len;
            m[i].kflags = 0;
            if (from_py(val, a, &m[i].val, depth + 1) != 0)
                return -1;
            i++;
        }
        *out = (struct vgl_json){.type = VGL_JSON_OBJECT, .len = (uint32_t)i, .u.members = m};
        return 0;
    }
    if (PyList_Check(o) || PyTuple_Check(o) || PyAnySet_Check(o)) {
        PyObject *seq = PySequence_Fast(o, "not a sequence");
        if (!seq)
            return -1;
        Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
        struct vgl_json *items = vgl_arena_alloc(a, ((size_t)n + 1) * sizeof *items);
        for (Py_ssize_t i = 0; i < n; i++) {
            if (from_py(PySequence_Fast_GET_ITEM(seq, i), a, &items[i], depth + 1) != 0) {
                Py_DECREF(seq);
                return -1;
            }
        }
        Py_DECREF(seq);
        *out = (struct vgl_json){.type = VGL_JSON_ARRAY, .len = (uint32_t)n, .u.items = items};
        return 0;
    }
    PyObject *s = PyObject_Str(o);
    if (!s)
        return -1;
    int rc = str_to_json(s, a, out);
    Py_DECREF(s);
    /* decimal.Decimal (the dynamodb lookup driver returns numbers as Decimal, as boto3
     * does): its text is a JSON number unless it is NaN or infinite. */
    if (rc == 0 && strcmp(Py_TYPE(o)->tp_name, "decimal.Decimal") == 0) {
        struct vgl_json num;
        if (vgl_json_parse(out->u.s, out->len, a, NULL, &num, NULL) == 0 &&
            (num.type == VGL_JSON_INT || num.type == VGL_JSON_BIGINT ||
             (num.type == VGL_JSON_FLOAT && isfinite(num.u.d))))
            *out = num;
    }
    return rc;
}

/* ---- loading ------------------------------------------------------------------------ */

static PyObject *str_list(const char *const *items, size_t n)
{
    PyObject *l = PyList_New((Py_ssize_t)n);
    for (size_t i = 0; l && i < n; i++)
        PyList_SET_ITEM(l, (Py_ssize_t)i, PyUnicode_FromString(items[i]));
    return l;
}

/* A list of str from global.json's general.<key>, or empty. */
static PyObject *general_list(const struct vgl_config *cfg, const char *key)
{
    const struct vgl_json *g = vgl_config_file(cfg, "global");
    const struct vgl_json *gen = g ? vgl_json_getz(g, "general") : NULL;
    const struct vgl_json *l = gen ? vgl_json_getz(gen, key) : NULL;
    PyObject *out = PyList_New(0);
    for (uint32_t i = 0; out && l && l->type == VGL_JSON_ARRAY && i < l->len; i++) {
        const struct vgl_json *it = &l->u.items[i];
        if (it->type != VGL_JSON_STRING)
            continue;
        PyObject *s = PyUnicode_DecodeUTF8(it->u.s, (Py_ssize_t)it->len, NULL);
        if (s) {
            PyList_Append(out, s);
            Py_DECREF(s);
        }
    }
    return out;
}

/* Adds every string of a Python list of errors to diag; returns how many. */
static size_t report_errors(PyObject *errs, struct vgl_diag *diag)
{
    size_t n = 0;
    if (!errs || !PyList_Check(errs))
        return 0;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(errs); i++) {
        PyObject *s = PyObject_Str(PyList_GET_ITEM(errs, i));
        const char *t = s ? PyUnicode_AsUTF8(s) : NULL;
        vgl_diag_add(diag, true, "%s", t ? t : "(unprintable error)");
        Py_XDECREF(s);
        n++;
    }
    PyErr_Clear();
    return n;
}

static char *pystr_dup(PyObject *o)
{
    const char *s = o && PyUnicode_Check(o) ? PyUnicode_AsUTF8(o) : NULL;
    if (!s) {
        PyErr_Clear();
        return NULL;
    }
    return vgl_xstrdup(s);
}

static int load_rule(struct rule *ru, PyObject *t, struct vgl_diag *diag)
{
    /* (name, func, logs, req_subkeys, matchers, has_context, disabled, description) */
    if (!PyTuple_Check(t) || PyTuple_GET_SIZE(t) < 7) {
        vgl_diag_add(diag, true, "rules: vigil_runtime.rule_table() returned a malformed entry");
        return -1;
    }
    ru->name = pystr_dup(PyTuple_GET_ITEM(t, 0));
    if (!ru->name)
        ru->name = vgl_xstrdup("?");
    ru->name_obj = PyTuple_GET_ITEM(t, 0);
    Py_INCREF(ru->name_obj);
    ru->func = PyTuple_GET_ITEM(t, 1);
    Py_INCREF(ru->func);
    ru->stats.name = ru->name;
    PyObject *logs = PyTuple_GET_ITEM(t, 2);
    if (PyUnicode_Check(logs)) {
        ru->logs_substr = pystr_dup(logs);
    } else if (logs != Py_None) {
        PyObject *seq = PySequence_Fast(logs, "logs must be a list");
        if (!seq) {
            PyErr_Clear();
            vgl_diag_add(diag, true, "rule '%s': logs must be a list of log types", ru->name);
            return -1;
        }
        Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
        ru->logs = vgl_xcalloc((size_t)n + 1, sizeof *ru->logs);
        for (Py_ssize_t i = 0; i < n; i++) {
            char *s = pystr_dup(PySequence_Fast_GET_ITEM(seq, i));
            if (s)
                ru->logs[ru->nlogs++] = s;
        }
        Py_DECREF(seq);
    }
    PyObject *req = PyTuple_GET_ITEM(t, 3);
    if (req != Py_None && PyDict_Check(req)) {
        ru->req = vgl_xcalloc((size_t)PyDict_Size(req) + 1, sizeof *ru->req);
        PyObject *k, *v;
        Py_ssize_t pos = 0;
        while (PyDict_Next(req, &pos, &k, &v)) {
            struct subkeys *sk = &ru->req[ru->nreq];
            char *key = pystr_dup(k);
            PyObject *seq = key ? PySequence_Fast(v, "req_subkeys values must be lists") : NULL;
            if (!seq) {
                PyErr_Clear();
                free(key);
                vgl_diag_add(diag, true, "rule '%s': req_subkeys must map a key to a list of sub-keys",
                             ru->name);
                return -1;
            }
            sk->key = key;
            sk->klen = strlen(key);
            Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
            sk->subs = vgl_xcalloc((size_t)n + 1, sizeof *sk->subs);
            sk->sublens = vgl_xcalloc((size_t)n + 1, sizeof *sk->sublens);
            for (Py_ssize_t i = 0; i < n; i++) {
                char *s = pystr_dup(PySequence_Fast_GET_ITEM(seq, i));
                if (s) {
                    sk->subs[sk->nsubs] = s;
                    sk->sublens[sk->nsubs++] = strlen(s);
                }
            }
            Py_DECREF(seq);
            ru->nreq++;
        }
    }
    PyObject *matchers = PyTuple_GET_ITEM(t, 4);
    PyObject *mseq = PySequence_Fast(matchers, "matchers must be a sequence");
    if (!mseq) {
        PyErr_Clear();
        return -1;
    }
    Py_ssize_t nm = PySequence_Fast_GET_SIZE(mseq);
    ru->matchers = vgl_xcalloc((size_t)nm + 1, sizeof *ru->matchers);
    for (Py_ssize_t i = 0; i < nm; i++) {
        PyObject *m = PySequence_Fast_GET_ITEM(mseq, i);
        Py_INCREF(m);
        ru->matchers[ru->nmatchers++] = m;
    }
    Py_DECREF(mseq);
    ru->has_context = PyObject_IsTrue(PyTuple_GET_ITEM(t, 5)) == 1;
    ru->disabled = PyObject_IsTrue(PyTuple_GET_ITEM(t, 6)) == 1;
    return 0;
}

static bool rule_applies(const struct rule *ru, const char *log_type)
{
    if (ru->disabled)
        return false;
    if (ru->logs_substr)
        return strstr(ru->logs_substr, log_type) != NULL;   /* `x in "str"` */
    if (!ru->logs)
        return true;
    for (size_t i = 0; i < ru->nlogs; i++)
        if (strcmp(ru->logs[i], log_type) == 0)
            return true;
    return false;
}

static void build_type_table(struct vgl_rules *r, const struct vgl_config *cfg)
{
    r->types = vgl_xcalloc(cfg->nschemas + 1, sizeof *r->types);
    for (size_t s = 0; s < cfg->nschemas; s++) {
        struct type_rules *tr = &r->types[r->ntypes++];
        tr->log_type = cfg->schemas[s].name;
        tr->idx = vgl_xcalloc(r->nrules + 1, sizeof *tr->idx);
        for (size_t i = 0; i < r->nrules; i++)
            if (rule_applies(&r->rules[i], tr->log_type))
                tr->idx[tr->n++] = i;
    }
}

/* Calls vigil_runtime.<fn>(*args); steals the reference to args. */
static PyObject *call_rt(struct vgl_rules *r, const char *fn, PyObject *args)
{
    PyObject *f = PyObject_GetAttrString(r->rt, fn);
    PyObject *res = f && args ? PyObject_CallObject(f, args) : NULL;
    Py_XDECREF(f);
    Py_XDECREF(args);
    return res;
}

struct vgl_rules *vgl_rules_load(const struct vgl_config *cfg, const struct vgl_rules_opts *opts,
                                 struct vgl_diag *diag)
{
    struct vgl_error err = {0};
    if (py_start(&err) != 0) {
        vgl_diag_add(diag, true, "rules: %s", err.msg);
        return NULL;
    }
    struct vgl_rules *r = vgl_xcalloc(1, sizeof *r);
    size_t errors_before = diag->nerrors;
    char msg[1024];
    r->rt = PyImport_ImportModule("vigil_runtime");
    if (!r->rt) {
        take_exception(msg, sizeof msg);
        vgl_diag_add(diag, true, "rules: cannot import vigil's runtime: %s", msg);
        goto fail;
    }
    PyObject *res = call_rt(r, "install_shims", PyTuple_New(0));
    if (!res) {
        take_exception(msg, sizeof msg);
        vgl_diag_add(diag, true, "rules: install_shims: %s", msg);
        goto fail;
    }
    Py_DECREF(res);
    char data_dir[4200];
    const char *dd = cfg->settings.data_dir ? cfg->settings.data_dir : "data";
    if (dd[0] == '/')
        snprintf(data_dir, sizeof data_dir, "%s", dd);
    else
        snprintf(data_dir, sizeof data_dir, "%s/%s", cfg->root, dd);
    res = call_rt(r, "configure", Py_BuildValue("(sss)", cfg->dir, cfg->root, data_dir));
    if (!res) {
        take_exception(msg, sizeof msg);
        vgl_diag_add(diag, true, "rules: configure: %s", msg);
        goto fail;
    }
    report_errors(res, diag);
    Py_DECREF(res);

    PyObject *rule_dirs = opts && opts->rule_dirs ? str_list(opts->rule_dirs, opts->nrule_dirs)
                                                  : general_list(cfg, "rule_locations");
    PyObject *matcher_dirs = general_list(cfg, "matcher_locations");
    res = call_rt(r, "load_rules", Py_BuildValue("(NN)", rule_dirs, matcher_dirs));
    if (!res) {
        take_exception(msg, sizeof msg);
        vgl_diag_add(diag, true, "rules: load_rules: %s", msg);
        goto fail;
    }
    report_errors(res, diag);
    Py_DECREF(res);

    PyObject *table = call_rt(r, "rule_table", PyTuple_New(0));
    if (!table || !PyList_Check(table)) {
        take_exception(msg, sizeof msg);
        vgl_diag_add(diag, true, "rules: rule_table: %s", msg);
        Py_XDECREF(table);
        goto fail;
    }
    r->nrules = (size_t)PyList_GET_SIZE(table);
    r->rules = vgl_xcalloc(r->nrules + 1, sizeof *r->rules);
    for (size_t i = 0; i < r->nrules; i++)
        load_rule(&r->rules[i], PyList_GET_ITEM(table, (Py_ssize_t)i), diag);
    Py_DECREF(table);
    if (opts && opts->test_mode) {
        res = call_rt(r, "clear_test_fixtures", PyTuple_New(0));
        Py_XDECREF(res);
        PyErr_Clear();
    }
    r->build_alert = PyObject_GetAttrString(r->rt, "build_alert");
    r->fresh_context = PyObject_GetAttrString(r->rt, "fresh_context");
    r->annotate = PyObject_GetAttrString(r->rt, "threat_intel_annotate");
    res = call_rt(r, "threat_intel_active", PyTuple_New(0));
    r->threat_intel = res && PyObject_IsTrue(res) == 1;
    Py_XDECREF(res);
    if (!r->build_alert || !r->fresh_context || !r->annotate) {
        take_exception(msg, sizeof msg);
        vgl_diag_add(diag, true, "rules: vigil_runtime is incomplete: %s", msg);
        goto fail;
    }
    PyErr_Clear();
    if (diag->nerrors != errors_before)
        goto fail;
    build_type_table(r, cfg);
    /* Everything loaded so far lives as long as the process: keep it out of the cyclic
     * collector's generations (ARCHITECTURE.md). */
    PyObject *gc = PyImport_ImportModule("gc");
    if (gc) {
        PyObject *fr = PyObject_CallMethod(gc, "freeze", NULL);
        Py_XDECREF(fr);
        Py_DECREF(gc);
    }
    PyErr_Clear();
    return r;
fail:
    PyErr_Clear();
    vgl_rules_free(r);
    return NULL;
}

void vgl_rules_free(struct vgl_rules *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->nrules; i++) {
        struct rule *ru = &r->rules[i];
        free(ru->name);
        Py_XDECREF(ru->name_obj);
        Py_XDECREF(ru->func);
        for (size_t m = 0; m < ru->nmatchers; m++)
            Py_XDECREF(ru->matchers[m]);
        free(ru->matchers);
        for (size_t l = 0; l < ru->nlogs; l++)
            free(ru->logs[l]);
        free(ru->logs);
        free(ru->logs_substr);
        for (size_t k = 0; k < ru->nreq; k++) {
            free((char *)ru->req[k].key);
            for (size_t s = 0; s < ru->req[k].nsubs; s++)
                free((char *)ru->req[k].subs[s]);
            free(ru->req[k].subs);
            free(ru->req[k].sublens);
        }
        free(ru->req);
    }
    free(r->rules);
    for (size_t t = 0; t < r->ntypes; t++)
        free(r->types[t].idx);
    free(r->types);
    for (size_t k = 0; k < r->keycap; k++) {
        if (r->keys && r->keys[k].str) {
            Py_DECREF(r->keys[k].str);
            free(r->keys[k].heap);
        }
    }
    free(r->keys);
    free(r->pred);
    free(r->stats_view);
    Py_XDECREF(r->build_alert);
    Py_XDECREF(r->fresh_context);
    Py_XDECREF(r->annotate);
    Py_XDECREF(r->prev);
    Py_XDECREF(r->rt);
    free(r);
}

/* ---- evaluation ----------------------------------------------------------------------- */

static const struct type_rules *rules_for(const struct vgl_rules *r, const char *log_type)
{
    for (size_t i = 0; i < r->ntypes; i++)
        if (r->types[i].log_type == log_type)
            return &r->types[i];
    for (size_t i = 0; i < r->ntypes; i++)
        if (strcmp(r->types[i].log_type, log_type) == 0)
            return &r->types[i];
    return NULL;
}

bool vgl_rules_wants(const struct vgl_rules *r, const char *log_type)
{
    const struct type_rules *tr = r ? rules_for(r, log_type) : NULL;
    return tr && tr->n > 0;
}

/* compat 4.6a: the key exists, holds an object, and every sub-key is present. */
static bool req_subkeys_ok(const struct rule *ru, const struct vgl_json *rec)
{
    for (size_t k = 0; k < ru->nreq; k++) {
        const struct subkeys *sk = &ru->req[k];
        const struct vgl_json *v = vgl_json_get(rec, sk->key, sk->klen);
        if (!v || v->type != VGL_JSON_OBJECT)
            return false;
        for (size_t s = 0; s < sk->nsubs; s++)
            if (!vgl_json_get(v, sk->subs[s], sk->sublens[s]))
                return false;
    }
    return true;
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* PyObject_IsTrue, without the call for the usual results of a rule. */
static inline int truth(PyObject *res)
{
    if (res == Py_True)
        return 1;
    if (res == Py_False || res == Py_None)
        return 0;
    return PyObject_IsTrue(res);
}

/* Where rule errors of the record being evaluated go (set by vgl_rules_eval; one
 * interpreter per process, one evaluation at a time). */
static struct vgl_alerts *eval_out;
static struct vgl_arena *eval_arena;

static void rule_error(struct rule *ru, const char *what, const struct vgl_rule_input *in)
{
    char msg[1024];
    take_exception(msg, sizeof msg);
    ru->stats.errors++;
    if (eval_out && eval_arena) {
        struct vgl_alerts *o = eval_out;
        if (o->nerrors == o->errors_cap) {
            size_t cap = o->errors_cap ? o->errors_cap * 2 : 4;
            struct vgl_rule_error *e = vgl_arena_alloc(eval_arena, cap * sizeof *e);
            if (o->nerrors)
                memcpy(e, o->errors, o->nerrors * sizeof *e);
            o->errors = e;
            o->errors_cap = cap;
        }
        char full[1200];
        snprintf(full, sizeof full, "rule '%s': %s raised: %s", ru->name, what, msg);
        o->errors[o->nerrors].rule = ru->name;
        o->errors[o->nerrors].message = vgl_arena_strndup(eval_arena, full, strlen(full));
        o->nerrors++;
    }
    if (ru->stats.errors <= ERRORS_LOGGED_PER_RULE)
        vgl_warn("rules", "rule '%s': %s raised on record %s: %s%s", ru->name, what,
                 in->where ? in->where : "?", msg,
                 ru->stats.errors == ERRORS_LOGGED_PER_RULE
                     ? " (further errors of this rule are counted, not logged)"
                     : "");
}

struct matcher_cache {
    PyObject *m[MAX_MATCHERS_CACHED];
    int result[MAX_MATCHERS_CACHED];
    size_t n;
};

/* Runs a matcher at most once per record (compat 4.4; ARCHITECTURE.md step 4). */
static int run_matcher(struct matcher_cache *mc, PyObject *m, PyObject *rec, struct rule *ru,
                       const struct vgl_rule_input *in)
{
    for (size_t i = 0; i < mc->n; i++)
        if (mc->m[i] == m)
            return mc->result[i];
    PyObject *res = PyObject_CallOneArg(m, rec);
    int ok;
    if (!res) {
        rule_error(ru, "a matcher", in);
        ok = 0;
    } else {
        ok = PyObject_IsTrue(res) == 1;
        Py_DECREF(res);
        PyErr_Clear();
    }
    if (mc->n < MAX_MATCHERS_CACHED) {
        mc->m[mc->n] = m;
        mc->result[mc->n++] = ok;
    }
    return ok;
}

int vgl_rules_eval(struct vgl_rules *r, const struct vgl_rule_input *in, struct vgl_arena *arena,
                   struct vgl_alerts *out, struct vgl_error *err)
{
    const struct type_rules *tr = rules_for(r, in->log_type);
    if (!tr || tr->n == 0)
        return 0;
    /* req_subkeys in C, before any Python object exists. */
    size_t cand_small[64], *cand = tr->n <= 64 ? cand_small : vgl_xcalloc(tr->n, sizeof *cand);
    size_t ncand = 0;
    for (size_t i = 0; i < tr->n; i++)
        if (req_subkeys_ok(&r->rules[tr->idx[i]], in->record))
            cand[ncand++] = tr->idx[i];
    int rc = 0;
    eval_out = out;
    eval_arena = arena;
    PyObject *rec = NULL, *pending = NULL;
    if (ncand == 0)
        goto out;
    rec = record_object(r, in->record);
    if (!rec) {
        char msg[512];
        take_exception(msg, sizeof msg);
        rc = vgl_error_set(err, VGL_ETYPE, "record %s: cannot build the python dict: %s",
                           in->where ? in->where : "?", msg);
        goto out;
    }
    if (r->threat_intel) {
        PyObject *lst = PyList_New(1);
        Py_INCREF(rec);
        PyList_SET_ITEM(lst, 0, rec);
        PyObject *res = PyObject_CallOneArg(r->annotate, lst);
        if (!res) {
            char msg[512];
            take_exception(msg, sizeof msg);
            vgl_warn("rules", "threat intel lookup failed for record %s: %s",
                     in->where ? in->where : "?", msg);
        }
        Py_XDECREF(res);
        Py_DECREF(lst);
    }
    struct matcher_cache mc = {.n = 0};
    bool timed = r->records++ % TIME_SAMPLE == 0;
    /* one clock read between consecutive rules, not two around each */
    uint64_t t0 = timed ? now_ns() : 0;
    for (size_t c = 0; c < ncand; c++) {
        struct rule *ru = &r->rules[cand[c]];
        ru->stats.calls++;
        bool matched = true;
        for (size_t m = 0; m < ru->nmatchers && matched; m++)
            matched = run_matcher(&mc, ru->matchers[m], rec, ru, in);
        PyObject *ctx = NULL, *res = NULL;
        if (matched) {
            if (ru->has_context) {
                ctx = PyObject_CallOneArg(r->fresh_context, ru->name_obj);
                if (!ctx)
                    rule_error(ru, "its context copy", in);
                else
                    res = PyObject_CallFunctionObjArgs(ru->func, rec, ctx, NULL);
            } else {
                res = PyObject_CallOneArg(ru->func, rec);
            }
            if (!res && (ctx || !ru->has_context))
                rule_error(ru, "the rule", in);
        }
        int truthy = res ? truth(res) : 0;
        if (truthy < 0) {
            rule_error(ru, "truth test of the result", in);
            truthy = 0;
        }
        Py_XDECREF(res);
        if (timed) {
            uint64_t t1 = now_ns();
            ru->stats.ns += (t1 - t0) * TIME_SAMPLE;
            t0 = t1;
        }
        if (truthy == 1) {
            ru->stats.hits++;
            PyObject *alert = PyObject_CallFunction(r->build_alert, "OOOsssss", ru->name_obj, rec,
                                                    ctx ? ctx : Py_None, in->cluster ? in->cluster : "",
                                                    in->log_type, in->parser ? in->parser : "",
                                                    in->service ? in->service : "",
                                                    in->resource ? in->resource : "");
            if (!alert) {
                rule_error(ru, "building its alert", in);
            } else {
                /* Converted after all rules ran: later rules' mutations of the record are
                 * visible in earlier alerts, as in StreamAlert (compat 4.6 step 3). */
                if (!pending)
                    pending = PyList_New(0);
                PyObject *pair = Py_BuildValue("(iN)", (int)cand[c], alert);
                PyList_Append(pending, pair);
                Py_DECREF(pair);
            }
            if (timed)
                t0 = now_ns();   /* building the alert is not the next rule's time */
        }
        Py_XDECREF(ctx);
    }
    for (Py_ssize_t i = 0; pending && i < PyList_GET_SIZE(pending); i++) {
        PyObject *pair = PyList_GET_ITEM(pending, i);
        int idx = (int)PyLong_AsLong(PyTuple_GET_ITEM(pair, 0));
        struct vgl_alert al = {.rule_name = r->rules[idx].name};
        if (from_py(PyTuple_GET_ITEM(pair, 1), arena, &al.fields, 0) != 0) {
            rule_error(&r->rules[idx], "serialising its alert", in);
            continue;
        }
        if (out->n == out->cap) {
            size_t cap = out->cap ? out->cap * 2 : 8;
            struct vgl_alert *items = vgl_arena_alloc(arena, cap * sizeof *items);
            if (out->n)
                memcpy(items, out->items, out->n * sizeof *items);
            out->items = items;
            out->cap = cap;
        }
        out->items[out->n++] = al;
    }
out:
    eval_out = NULL;
    eval_arena = NULL;
    Py_XDECREF(pending);
    Py_XDECREF(rec);
    if (cand != cand_small)
        free(cand);
    PyErr_Clear();
    return rc;
}

void vgl_rules_after_fork(void)
{
    if (Py_IsInitialized())
        PyOS_AfterFork_Child();
}

/* ---- introspection and the test runner ---------------------------------------------- */

size_t vgl_rules_count(const struct vgl_rules *r)
{
    return r ? r->nrules : 0;
}

const char *vgl_rules_name(const struct vgl_rules *r, size_t i, bool *disabled)
{
    if (!r || i >= r->nrules)
        return NULL;
    if (disabled)
        *disabled = r->rules[i].disabled;
    return r->rules[i].name;
}

bool vgl_rules_exists(const struct vgl_rules *r, const char *name, bool *disabled)
{
    for (size_t i = 0; r && i < r->nrules; i++) {
        if (strcmp(r->rules[i].name, name) == 0) {
            if (disabled)
                *disabled = r->rules[i].disabled;
            return true;
        }
    }
    return false;
}

const struct vgl_rule_stats *vgl_rules_stats(const struct vgl_rules *r, size_t *n)
{
    free(r->stats_view);
    struct vgl_rules *rw = (struct vgl_rules *)r;
    rw->stats_view = vgl_xcalloc(r->nrules + 1, sizeof *rw->stats_view);
    for (size_t i = 0; i < r->nrules; i++)
        rw->stats_view[i] = r->rules[i].stats;
    *n = r->nrules;
    return rw->stats_view;
}

int vgl_rules_set_fixtures(struct vgl_rules *r, const struct vgl_json *fixtures,
                           struct vgl_error *err)
{
    struct vgl_rules tmp = {0};   /* key cache not needed for fixtures */
    const struct vgl_json *lt = fixtures ? vgl_json_getz(fixtures, "lookup_tables") : NULL;
    const struct vgl_json *ti = fixtures ? vgl_json_getz(fixtures, "threat_intel") : NULL;
    PyObject *plt = lt ? to_py(&tmp, lt, 0) : (Py_INCREF(Py_None), Py_None);
    PyObject *pti = ti ? to_py(&tmp, ti, 0) : (Py_INCREF(Py_None), Py_None);
    for (size_t k = 0; k < tmp.keycap; k++) {
        if (tmp.keys && tmp.keys[k].str) {
            Py_DECREF(tmp.keys[k].str);
            free(tmp.keys[k].heap);
        }
    }
    free(tmp.keys);
    free(tmp.pred);
    if (!plt || !pti) {
        Py_XDECREF(plt);
        Py_XDECREF(pti);
        char msg[512];
        take_exception(msg, sizeof msg);
        return vgl_error_set(err, VGL_ETYPE, "test_fixtures: %s", msg);
    }
    PyObject *res = call_rt(r, "set_test_fixtures", Py_BuildValue("(NN)", plt, pti));
    if (!res) {
        char msg[512];
        take_exception(msg, sizeof msg);
        return vgl_error_set(err, VGL_ETYPE, "test_fixtures: %s", msg);
    }
    Py_DECREF(res);
    return 0;
}

void vgl_rules_clear_fixtures(struct vgl_rules *r)
{
    PyObject *res = call_rt(r, "clear_test_fixtures", PyTuple_New(0));
    Py_XDECREF(res);
    PyErr_Clear();
}

int vgl_rules_publisher_tests(struct vgl_rules *r, const struct vgl_alerts *alerts,
                              const struct vgl_json *tests, struct vgl_arena *arena,
                              struct vgl_pub_result **results, size_t *n, struct vgl_error *err)
{
    *results = NULL;
    *n = 0;
    PyObject *lst = PyList_New(0);
    for (size_t i = 0; lst && i < alerts->n; i++) {
        PyObject *a = to_py(r, &alerts->items[i].fields, 0);
        if (!a)
            break;
        PyList_Append(lst, a);
        Py_DECREF(a);
    }
    PyObject *t = lst ? to_py(r, tests, 0) : NULL;
    PyObject *res = t ? call_rt(r, "publisher_tests", Py_BuildValue("(OO)", lst, t)) : NULL;
    Py_XDECREF(lst);
    Py_XDECREF(t);
    if (!res || !PyList_Check(res)) {
        Py_XDECREF(res);
        char msg[512];
        take_exception(msg, sizeof msg);
        return vgl_error_set(err, VGL_ETYPE, "publisher tests: %s", msg);
    }
    Py_ssize_t cnt = PyList_GET_SIZE(res);
    *results = vgl_arena_alloc(arena, ((size_t)cnt + 1) * sizeof **results);
    for (Py_ssize_t i = 0; i < cnt; i++) {
        PyObject *it = PyList_GET_ITEM(res, i);
        struct vgl_pub_result *pr = &(*results)[*n];
        const char *o = NULL, *m = NULL;
        if (PyTuple_Check(it) && PyTuple_GET_SIZE(it) >= 3) {
            o = PyUnicode_Check(PyTuple_GET_ITEM(it, 0)) ? PyUnicode_AsUTF8(PyTuple_GET_ITEM(it, 0)) : NULL;
            pr->passed = PyObject_IsTrue(PyTuple_GET_ITEM(it, 1)) == 1;
            m = PyUnicode_Check(PyTuple_GET_ITEM(it, 2)) ? PyUnicode_AsUTF8(PyTuple_GET_ITEM(it, 2)) : NULL;
        }
        pr->output = vgl_arena_strndup(arena, o ? o : "?", strlen(o ? o : "?"));
        pr->message = vgl_arena_strndup(arena, m ? m : "", strlen(m ? m : ""));
        (*n)++;
    }
    Py_DECREF(res);
    PyErr_Clear();
    return 0;
}

int vgl_rules_publication(struct vgl_rules *r, const struct vgl_alert *alert, const char *output,
                          struct vgl_arena *arena, struct vgl_json *out, struct vgl_error *err)
{
    PyObject *a = to_py(r, &alert->fields, 0);
    PyObject *res = a ? call_rt(r, "publication", Py_BuildValue("(Os)", a, output)) : NULL;
    Py_XDECREF(a);
    if (!res || from_py(res, arena, out, 0) != 0) {
        Py_XDECREF(res);
        char msg[512];
        take_exception(msg, sizeof msg);
        return vgl_error_set(err, VGL_EAGAIN, "publication for '%s': %s", output, msg);
    }
    Py_DECREF(res);
    return 0;
}
