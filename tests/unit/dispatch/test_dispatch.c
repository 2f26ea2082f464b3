/*
 * Unit tests for dispatch/dispatch.c: a real SQLite alert store, the real output services
 * (webhook, file) and a real HTTP server on loopback (tests/tools/http_sink.py):
 * each success recorded at once and never sent again; a failing output retried after a
 * backoff with jitter, then delivered exactly once; giving up after delivery_max_attempts;
 * a slow output not holding up the others; invalid, unconfigured and unknown outputs and
 * missing credentials failing only their own delivery, with a clear error; deliveries of
 * one alert to several local outputs (parsed once per turn) each getting their own alert,
 * and an unreadable stored alert failing only its own deliveries.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config/config.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/error.h"
#include "dispatch/dispatch.h"
#include "json/json.h"
#include "output/credentials.h"
#include "sinkutil.h"
#include "store/store.h"
#include "test.h"

#include <sqlite3.h>

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

#define KEY_HEX "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"

struct fixture {
    struct tu_sink sink;
    char root[300], data[400];
    struct vgl_config *cfg;
    struct vgl_store *store;
    struct vgl_dispatcher *d;
};

static int setup(struct fixture *f, const char *script, const char *vigil_json)
{
    memset(f, 0, sizeof *f);
    if (tu_sink_start(&f->sink, script) != 0)
        return -1;
    const char *conf = tu_conf("{\"t:e\":{\"parser\":\"json\",\"schema\":{\"k\":\"string\"}}}", "[\"t\"]");
    snprintf(f->root, sizeof f->root, "%.*s", (int)(strlen(conf) - 5), conf);
    snprintf(f->data, sizeof f->data, "%s/data", f->root);
    tu_write(conf, "outputs.json",
             "{\"webhook\": [\"ok\", \"flaky\", \"slow\", \"nocreds\", \"down\"],"
             " \"file\": {\"audit\": \"audit.jsonl\", \"audit2\": \"audit2.jsonl\"},"
             " \"slack\": [\"x\"], \"nosuch\": [\"x\"]}");
    tu_write(conf, "vigil.json", vigil_json);
    struct vgl_diag diag;
    vgl_diag_init(&diag);
    f->cfg = vgl_config_load(conf, &diag);
    vgl_diag_release(&diag);
    if (!f->cfg)
        return -1;
    setenv("VIGIL_CREDENTIALS_KEY", KEY_HEX, 1);
    struct vgl_error err = {0};
    struct vgl_credentials *c = vgl_credentials_open(f->data, false, &err);
    if (!c)
        return -1;
    const char *names[] = {"ok", "flaky", "slow", "down"};
    for (size_t i = 0; i < 4; i++) {
        char json[300];
        snprintf(json, sizeof json, "{\"url\": \"%s/%s\"}", f->sink.url, names[i]);
        if (strcmp(names[i], "down") == 0)
            snprintf(json, sizeof json, "{\"url\": \"http://127.0.0.1:1/down\"}");
        vgl_credentials_put(c, "webhook", names[i], json, strlen(json), &err);
    }
    vgl_credentials_free(c);
    char path[500];
    snprintf(path, sizeof path, "%s/alerts.sqlite3", f->data);
    f->store = vgl_store_open(path, NULL, &err);
    if (!f->store)
        return -1;
    f->d = vgl_dispatcher_new(f->cfg, f->store, NULL, f->data, NULL, &err);
    return f->d ? 0 : -1;
}

static void teardown(struct fixture *f)
{
    vgl_dispatcher_free(f->d);
    vgl_store_close(f->store);
    vgl_config_free(f->cfg);
    tu_sink_stop(&f->sink);
    if (f->root[0])
        tu_rmrf(f->root);
}

/* Stores an alert of rule with the given outputs (a JSON array text). */
static void add_alert(struct fixture *f, const char *pos, const char *rule, const char *outputs)
{
    char text[1024];
    snprintf(text, sizeof text,
             "{\"cluster\":\"c\",\"context\":{},\"created\":\"2026-12-06T00:00:00.000000Z\","
             "\"id\":\"x\",\"log_source\":\"t:e\",\"log_type\":\"json\",\"outputs\":%s,"
             "\"publishers\":{},\"record\":{\"k\":\"v\"},\"rule_description\":\"d\","
             "\"rule_name\":\"%s\",\"source_entity\":\"src\",\"source_service\":\"kinesis\","
             "\"staged\":false,\"merge_by_keys\":[],\"merge_window_mins\":0}",
             outputs, rule);
    struct vgl_arena a;
    vgl_arena_init(&a, 0);
    struct vgl_json v;
    CHECK_INT_EQ(vgl_json_parse(text, strlen(text), &a, NULL, &v, NULL), 0);
    char id[37];
    vgl_alert_id(pos, rule, id);
    bool inserted;
    CHECK_INT_EQ(vgl_store_add_alert(f->store, id, &v, vgl_dispatch_now_us(), &inserted, NULL), 0);
    vgl_arena_release(&a);
}

struct found {
    const char *output;
    struct vgl_store_delivery_row row;
    char error[512];
};

static int on_alert(const struct vgl_store_alert_row *row, void *ud)
{
    (void)row;
    (void)ud;
    return 0;
}

static int on_delivery(const struct vgl_store_delivery_row *row, void *ud)
{
    struct found *fd = ud;
    if (strcmp(row->output, fd->output) == 0) {
        fd->row = *row;
        snprintf(fd->error, sizeof fd->error, "%s", row->last_error ? row->last_error : "");
        fd->row.output = NULL;
        fd->row.last_error = NULL;
    }
    return 0;
}

static struct found delivery(struct fixture *f, const char *pos, const char *rule, const char *output)
{
    struct found fd = {.output = output, .row.state = -1};
    char id[37];
    vgl_alert_id(pos, rule, id);
    vgl_store_show(f->store, id, on_alert, on_delivery, &fd, NULL);
    return fd;
}

static size_t count_requests(const struct tu_sink *s, const char *path)
{
    char *log = tu_sink_log(s), needle[128];
    snprintf(needle, sizeof needle, "\"path\": \"%s\"", path);
    size_t n = 0;
    for (char *p = log; (p = strstr(p, needle)); p++)
        n++;
    free(log);
    return n;
}

static void drain(struct fixture *f)
{
    CHECK_INT_EQ(vgl_dispatch_drain(f->d, vgl_dispatch_now_us() + 10 * 1000000, NULL), 0);
}

TEST(success_recorded_once_never_resent)
{
    struct fixture f;
    if (setup(&f, NULL, "{\"data_dir\": \"data\"}") != 0) {
        teardown(&f);
        TEST_SKIP("the loopback sink did not start");
    }
    add_alert(&f, "in:1", "r1", "[\"webhook:ok\", \"file:audit\", \"aws-firehose:alerts\"]");
    drain(&f);
    CHECK_INT_EQ(delivery(&f, "in:1", "r1", "webhook:ok").row.state, VGL_DELIVERY_SENT);
    CHECK_INT_EQ(delivery(&f, "in:1", "r1", "file:audit").row.state, VGL_DELIVERY_SENT);
    CHECK_INT_EQ(delivery(&f, "in:1", "r1", "aws-firehose:alerts").row.state, VGL_DELIVERY_SENT);
    CHECK_INT_EQ(count_requests(&f.sink, "/ok"), 1);
    CHECK_INT_EQ(vgl_dispatch_stats(f.d)->sent, 3);
    /* again: nothing due, nothing sent */
    drain(&f);
    CHECK_INT_EQ(count_requests(&f.sink, "/ok"), 1);
    /* an operator retry never touches a sent delivery */
    char id[37];
    vgl_alert_id("in:1", "r1", id);
    size_t changed = 9;
    CHECK_INT_EQ(vgl_store_retry(f.store, id, NULL, &changed, NULL), 0);
    CHECK_INT_EQ(changed, 0);
    char path[600];
    snprintf(path, sizeof path, "%s/audit.jsonl", f.data);
    FILE *fp = fopen(path, "r");
    CHECK(fp != NULL);
    if (fp) {
        char line[2048] = "";
        CHECK(fgets(line, sizeof line, fp) != NULL);
        CHECK_STR_CONTAINS(line, "\"rule_name\":\"r1\"");
        fclose(fp);
    }
    teardown(&f);
}

TEST(failure_backs_off_then_delivers_exactly_once)
{
    struct fixture f;
    if (setup(&f,
              "{\"routes\": [{\"path\": \"/flaky\", \"responses\": [{\"status\": 500, \"body\": \"busy\"},"
              " {\"status\": 503}, {\"status\": 200}]}]}",
              "{\"data_dir\": \"data\", \"delivery_retry_base_ms\": 400, \"delivery_retry_max_ms\": 600}") !=
        0) {
        teardown(&f);
        TEST_SKIP("the loopback sink did not start");
    }
    add_alert(&f, "in:2", "r2", "[\"webhook:flaky\"]");
    int64_t t0 = vgl_dispatch_now_us();
    drain(&f);
    struct found d1 = delivery(&f, "in:2", "r2", "webhook:flaky");
    CHECK_INT_EQ(d1.row.state, VGL_DELIVERY_FAILED);
    CHECK_INT_EQ(d1.row.attempts, 1);
    CHECK_STR_CONTAINS(d1.error, "output 'webhook:flaky': HTTP 500");
    CHECK_STR_CONTAINS(d1.error, "busy");
    /* first retry: half to all of 400 ms later */
    int64_t wait1 = d1.row.next_attempt_us - t0;
    CHECK(wait1 >= 200000 && wait1 <= 400000 + (vgl_dispatch_now_us() - t0));
    /* nothing is due yet: a drain now sends nothing */
    drain(&f);
    CHECK_INT_EQ(count_requests(&f.sink, "/flaky"), 1);
    sleep_ms(450);
    drain(&f);
    struct found d2 = delivery(&f, "in:2", "r2", "webhook:flaky");
    CHECK_INT_EQ(d2.row.state, VGL_DELIVERY_FAILED);
    CHECK_INT_EQ(d2.row.attempts, 2);
    CHECK_STR_CONTAINS(d2.error, "HTTP 503");
    sleep_ms(650);   /* second retry: half to all of min(800, 600) ms */
    drain(&f);
    struct found d3 = delivery(&f, "in:2", "r2", "webhook:flaky");
    CHECK_INT_EQ(d3.row.state, VGL_DELIVERY_SENT);
    CHECK_INT_EQ(d3.row.attempts, 3);
    CHECK_INT_EQ(count_requests(&f.sink, "/flaky"), 3);
    sleep_ms(100);
    drain(&f);
    CHECK_INT_EQ(count_requests(&f.sink, "/flaky"), 3);
    teardown(&f);
}

TEST(gives_up_after_max_attempts)
{
    struct fixture f;
    if (setup(&f, NULL,
              "{\"data_dir\": \"data\", \"delivery_retry_base_ms\": 1, \"delivery_retry_max_ms\": 2,"
              " \"delivery_max_attempts\": 3}") != 0) {
        teardown(&f);
        TEST_SKIP("the loopback sink did not start");
    }
    add_alert(&f, "in:3", "r3", "[\"webhook:down\"]");
    for (int i = 0; i < 3; i++) {
        sleep_ms(5);
        drain(&f);
    }
    struct found d = delivery(&f, "in:3", "r3", "webhook:down");
    CHECK_INT_EQ(d.row.state, VGL_DELIVERY_ABANDONED);
    CHECK_INT_EQ(d.row.attempts, 3);
    CHECK_STR_CONTAINS(d.error, "output 'webhook:down': ");
    CHECK_INT_EQ(vgl_dispatch_stats(f.d)->abandoned, 1);
    teardown(&f);
}

TEST(slow_output_does_not_hold_up_others)
{
    struct fixture f;
    if (setup(&f, "{\"routes\": [{\"path\": \"/slow\", \"responses\": [{\"status\": 200, \"delay\": 1.5}]}]}",
              "{\"data_dir\": \"data\"}") != 0) {
        teardown(&f);
        TEST_SKIP("the loopback sink did not start");
    }
    add_alert(&f, "in:4", "r4", "[\"webhook:slow\", \"webhook:ok\"]");
    int64_t t0 = vgl_dispatch_now_us();
    while (vgl_dispatch_now_us() - t0 < 1000000 &&
           delivery(&f, "in:4", "r4", "webhook:ok").row.state != VGL_DELIVERY_SENT)
        CHECK_INT_EQ(vgl_dispatch_poll(f.d, 50, NULL), 0);
    CHECK_INT_EQ(delivery(&f, "in:4", "r4", "webhook:ok").row.state, VGL_DELIVERY_SENT);
    CHECK(vgl_dispatch_now_us() - t0 < 1000000);
    CHECK_INT_EQ(delivery(&f, "in:4", "r4", "webhook:slow").row.state, VGL_DELIVERY_PENDING);
    CHECK_INT_EQ(vgl_dispatch_inflight(f.d), 1);
    drain(&f);
    CHECK_INT_EQ(delivery(&f, "in:4", "r4", "webhook:slow").row.state, VGL_DELIVERY_SENT);
    teardown(&f);
}

TEST(bad_outputs_fail_alone_with_clear_errors)
{
    struct fixture f;
    if (setup(&f, NULL, "{\"data_dir\": \"data\"}") != 0) {
        teardown(&f);
        TEST_SKIP("the loopback sink did not start");
    }
    add_alert(&f, "in:5", "r5",
              "[\"webhook:ok\", \"webhook:nocreds\", \"webhook:missing\", \"nosuch:x\", \"nosuch:y\", \"bad\","
              " \"a:b:c\", \"slack:x\"]");
    drain(&f);
    CHECK_INT_EQ(delivery(&f, "in:5", "r5", "webhook:ok").row.state, VGL_DELIVERY_SENT);
    struct found d = delivery(&f, "in:5", "r5", "webhook:nocreds");
    CHECK_INT_EQ(d.row.state, VGL_DELIVERY_FAILED);
    CHECK_STR_CONTAINS(d.error, "output 'webhook:nocreds': no credentials stored (run: vigil output "
                                "set-credentials webhook:nocreds)");
    d = delivery(&f, "in:5", "r5", "webhook:missing");
    CHECK_STR_CONTAINS(d.error, "output 'webhook:missing' is not configured in conf/outputs.json");
    d = delivery(&f, "in:5", "r5", "nosuch:x");
    CHECK_STR_CONTAINS(d.error, "output 'nosuch:x': unknown output service 'nosuch'");
    d = delivery(&f, "in:5", "r5", "nosuch:y");
    CHECK_STR_CONTAINS(d.error, "output 'nosuch:y' is not configured in conf/outputs.json");
    d = delivery(&f, "in:5", "r5", "bad");
    CHECK_STR_CONTAINS(d.error, "invalid output 'bad': expected SERVICE:DESCRIPTOR");
    d = delivery(&f, "in:5", "r5", "a:b:c");
    CHECK_STR_CONTAINS(d.error, "invalid output 'a:b:c'");
    d = delivery(&f, "in:5", "r5", "slack:x");
    CHECK_STR_CONTAINS(d.error, "output 'slack:x': no credentials stored");
    CHECK_INT_EQ(count_requests(&f.sink, "/ok"), 1);
    teardown(&f);
}

TEST(undecryptable_credentials_fail_that_output_only)
{
    struct fixture f;
    if (setup(&f, NULL, "{\"data_dir\": \"data\"}") != 0) {
        teardown(&f);
        TEST_SKIP("the loopback sink did not start");
    }
    /* damage one output's credential file: flip a byte in its ciphertext */
    char path[600];
    snprintf(path, sizeof path, "%s/credentials/webhook/flaky.cred", f.data);
    FILE *fp = fopen(path, "r+b");
    CHECK(fp != NULL);
    if (fp) {
        fseek(fp, -3, SEEK_END);
        int c = fgetc(fp);
        fseek(fp, -3, SEEK_END);
        fputc(c ^ 0x5a, fp);
        fclose(fp);
    }
    add_alert(&f, "in:6", "r6", "[\"webhook:ok\", \"webhook:flaky\"]");
    drain(&f);
    CHECK_INT_EQ(delivery(&f, "in:6", "r6", "webhook:ok").row.state, VGL_DELIVERY_SENT);
    struct found d = delivery(&f, "in:6", "r6", "webhook:flaky");
    CHECK_INT_EQ(d.row.state, VGL_DELIVERY_FAILED);
    CHECK_STR_CONTAINS(d.error, "'webhook:flaky'");
    CHECK_STR_CONTAINS(d.error, "cannot be decrypted");
    CHECK_INT_EQ(count_requests(&f.sink, "/flaky"), 0);
    teardown(&f);
}

/* Reads a file's lines into a buffer; returns the line count. */
static size_t read_lines(const char *path, struct vgl_buf *out)
{
    vgl_buf_init(out, 0);
    FILE *fp = fopen(path, "r");
    if (!fp)
        return 0;
    char line[4096];
    size_t n = 0;
    while (fgets(line, sizeof line, fp)) {
        vgl_buf_puts(out, line);
        n++;
    }
    fclose(fp);
    return n;
}

TEST(local_outputs_share_one_parse_per_alert_each_gets_its_own)
{
    struct fixture f;
    if (setup(&f, NULL, "{\"data_dir\": \"data\"}") != 0) {
        teardown(&f);
        TEST_SKIP("the loopback sink did not start");
    }
    /* more alerts than one turn takes, so shared parses cross turn boundaries; every 100th
     * also goes to a network output (parsed on its own) */
    enum { N = 700 };
    for (int i = 0; i < N; i++) {
        char text[1024], pos[32], id[37];
        snprintf(pos, sizeof pos, "in:%d", i);
        snprintf(text, sizeof text,
                 "{\"cluster\":\"c\",\"context\":{},\"created\":\"2026-12-06T00:00:00.000000Z\","
                 "\"id\":\"x\",\"log_source\":\"t:e\",\"log_type\":\"json\",\"outputs\":%s,"
                 "\"publishers\":{},\"record\":{\"k\":\"v%d\",\"streamalert_normalization\":{\"n\":[%d]}},"
                 "\"rule_description\":\"d\",\"rule_name\":\"r\",\"source_entity\":\"src\","
                 "\"source_service\":\"kinesis\",\"staged\":false,\"merge_by_keys\":[],"
                 "\"merge_window_mins\":0}",
                 i % 100 == 0 ? "[\"file:audit\",\"webhook:ok\",\"file:audit2\"]"
                              : "[\"file:audit\",\"file:audit2\"]",
                 i, i);
        struct vgl_arena a;
        vgl_arena_init(&a, 0);
        struct vgl_json v;
        CHECK_INT_EQ(vgl_json_parse(text, strlen(text), &a, NULL, &v, NULL), 0);
        vgl_alert_id(pos, "r", id);
        bool inserted;
        CHECK_INT_EQ(vgl_store_add_alert(f.store, id, &v, vgl_dispatch_now_us(), &inserted, NULL), 0);
        vgl_arena_release(&a);
    }
    /* one stored alert damaged behind the store's back */
    char path[600], id7[37];
    vgl_alert_id("in:7", "r", id7);
    snprintf(path, sizeof path, "%s/alerts.sqlite3", f.data);
    sqlite3 *db = NULL;
    CHECK_INT_EQ(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    char sql[200];
    snprintf(sql, sizeof sql, "UPDATE alerts SET fields = '{\"record\": [' WHERE id = '%s'", id7);
    CHECK_INT_EQ(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    CHECK_INT_EQ(sqlite3_changes(db), 1);
    sqlite3_close(db);

    drain(&f);
    const char *files[] = {"audit.jsonl", "audit2.jsonl"};
    for (size_t k = 0; k < 2; k++) {
        snprintf(path, sizeof path, "%s/%s", f.data, files[k]);
        struct vgl_buf lines;
        CHECK_INT_EQ(read_lines(path, &lines), N - 1);
        vgl_buf_putc(&lines, '\0');
        /* each alert once, with its own record, and the normalization stripped */
        for (int i = 0; i < N; i++) {
            char needle[64];
            snprintf(needle, sizeof needle, "\"record\":{\"k\":\"v%d\"}", i);
            const char *hit = strstr(lines.data, needle);
            if (i == 7) {
                CHECK(hit == NULL);
                continue;
            }
            CHECK(hit != NULL);
            if (hit)
                CHECK(strstr(hit + 1, needle) == NULL);
        }
        CHECK(strstr(lines.data, "streamalert_normalization") == NULL);
        vgl_buf_release(&lines);
    }
    CHECK_INT_EQ(count_requests(&f.sink, "/ok"), N / 100);
    CHECK_INT_EQ(delivery(&f, "in:100", "r", "webhook:ok").row.state, VGL_DELIVERY_SENT);
    CHECK_INT_EQ(delivery(&f, "in:699", "r", "file:audit2").row.state, VGL_DELIVERY_SENT);
    for (size_t k = 0; k < 2; k++) {
        struct found d = delivery(&f, "in:7", "r", k ? "file:audit2" : "file:audit");
        CHECK_INT_EQ(d.row.state, VGL_DELIVERY_FAILED);
        CHECK_STR_CONTAINS(d.error, "stored alert is unreadable");
    }
    CHECK_INT_EQ(vgl_dispatch_stats(f.d)->sent, 2 * (N - 1) + N / 100);
    teardown(&f);
}

TEST_MAIN(T(success_recorded_once_never_resent), T(failure_backs_off_then_delivers_exactly_once),
          T(gives_up_after_max_attempts), T(slow_output_does_not_hold_up_others),
          T(bad_outputs_fail_alone_with_clear_errors), T(undecryptable_credentials_fail_that_output_only),
          T(local_outputs_share_one_parse_per_alert_each_gets_its_own))
