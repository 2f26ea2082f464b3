/*
 * tests/unit/metrics/test_metrics.c: the shared metrics registry across forked processes,
 * the exposition text, and the /metrics HTTP endpoint.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/error.h"
#include "metrics/metrics.h"
#include "test.h"

static char *render(const struct vgl_metrics *m)
{
    struct vgl_buf b;
    vgl_buf_init(&b, 0);
    CHECK_INT_EQ(vgl_metrics_render(m, &b), 0);
    if (!b.data)
        vgl_buf_puts(&b, "");
    return vgl_buf_detach(&b, NULL);
}

static void sleep_us(long us)
{
    struct timespec ts = {.tv_sec = us / 1000000, .tv_nsec = us % 1000000 * 1000};
    nanosleep(&ts, NULL);
}

/* Waits for every child; returns how many exited with status 0. */
static int wait_children(const pid_t *pids, int n)
{
    int ok = 0;
    for (int i = 0; i < n; i++) {
        int st = 0;
        if (waitpid(pids[i], &st, 0) == pids[i] && WIFEXITED(st) && WEXITSTATUS(st) == 0)
            ok++;
    }
    return ok;
}

TEST(register_same_key_same_id)
{
    struct vgl_metrics *m = vgl_metrics_new(64, 2, NULL);
    CHECK(m != NULL);
    int a = vgl_metrics_register(m, "vigil_records_in_total", "Records read.", VGL_METRIC_COUNTER,
                                 NULL);
    int b = vgl_metrics_register(m, "vigil_records_in_total", "other help", VGL_METRIC_COUNTER, "");
    int c = vgl_metrics_register(m, "vigil_classified_total", "x", VGL_METRIC_COUNTER,
                                 "log_type=\"cloudtrail:events\"");
    int d = vgl_metrics_register(m, "vigil_classified_total", "x", VGL_METRIC_COUNTER,
                                 "log_type=\"osquery:differential\"");
    int e = vgl_metrics_register(m, "vigil_classified_total", NULL, VGL_METRIC_COUNTER,
                                 "log_type=\"cloudtrail:events\"");
    CHECK_INT_EQ(a, 0);
    CHECK_INT_EQ(b, 0);
    CHECK_INT_EQ(c, 1);
    CHECK_INT_EQ(d, 2);
    CHECK_INT_EQ(e, 1);
    CHECK_INT_EQ(vgl_metrics_nseries(m), 3);
    /* Another type for a known name, for either an existing or a new series. */
    CHECK_INT_EQ(vgl_metrics_register(m, "vigil_records_in_total", "", VGL_METRIC_GAUGE, NULL),
                 VGL_EINVAL);
    CHECK_INT_EQ(
        vgl_metrics_register(m, "vigil_classified_total", "", VGL_METRIC_GAUGE, "log_type=\"new\""),
        VGL_EINVAL);
    CHECK_INT_EQ(vgl_metrics_register(m, "x", "", (enum vgl_metric_type)7, NULL), VGL_EINVAL);
    CHECK_INT_EQ(vgl_metrics_nseries(m), 3);
    vgl_metrics_free(m);
    vgl_metrics_free(NULL);
}

TEST(invalid_names_and_labels)
{
    struct vgl_metrics *m = vgl_metrics_new(16, 1, NULL);
    static const char *const bad_names[] = {"", "1abc", "a-b", "a b", "é", "a.b", "a{"};
    for (size_t i = 0; i < sizeof bad_names / sizeof *bad_names; i++)
        CHECK_INT_EQ(vgl_metrics_register(m, bad_names[i], "", VGL_METRIC_COUNTER, NULL),
                     VGL_EINVAL);
    CHECK(vgl_metrics_register(m, "_a:b_c9", "", VGL_METRIC_COUNTER, NULL) >= 0);
    CHECK(vgl_metrics_register(m, ":x", "", VGL_METRIC_COUNTER, NULL) >= 0);
    static const char *const bad_labels[] = {
        "a=b",        "a=\"b",           "1a=\"b\"",       "a:b=\"c\"",  "a=\"b\",",
        "a=\"b\" ",   " a=\"b\"",        "a=\"b\"c=\"d\"", "a=\"b\\q\"", "a=\"b\nc\"",
        "a=\"\xff\"", "a=\"b\",a=\"c\"", "=\"b\"",         "a=\"b\\\"",
    };
    for (size_t i = 0; i < sizeof bad_labels / sizeof *bad_labels; i++) {
        int rc = vgl_metrics_register(m, "ok_total", "", VGL_METRIC_COUNTER, bad_labels[i]);
        if (rc != VGL_EINVAL)
            fprintf(stderr, "  labels case %zu accepted: %d\n", i, rc);
        CHECK_INT_EQ(rc, VGL_EINVAL);
    }
    CHECK(vgl_metrics_register(m, "ok_total", "", VGL_METRIC_COUNTER,
                               "a=\"\",b_2=\"x\\\\y\\\"z\\n\",_c=\"caf\xc3\xa9\"") >= 0);
    char longname[VGL_METRICS_NAME_MAX + 1];
    memset(longname, 'a', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    CHECK_INT_EQ(vgl_metrics_register(m, longname, "", VGL_METRIC_COUNTER, NULL), VGL_ELIMIT);
    CHECK_INT_EQ(vgl_metrics_register(NULL, "a", "", VGL_METRIC_COUNTER, NULL), VGL_EINVAL);
    CHECK_INT_EQ(vgl_metrics_register(m, NULL, "", VGL_METRIC_COUNTER, NULL), VGL_EINVAL);
    vgl_metrics_free(m);

    struct vgl_error err = {0};
    CHECK(vgl_metrics_new(0, 1, &err) == NULL);
    CHECK_INT_EQ(err.code, VGL_EINVAL);
    CHECK(vgl_metrics_new(1, 0, NULL) == NULL);
    CHECK(vgl_metrics_new(1, VGL_METRICS_SLOTS_MAX + 1, NULL) == NULL);
}

TEST(registry_full)
{
    struct vgl_metrics *m = vgl_metrics_new(3, 1, NULL);
    CHECK_INT_EQ(vgl_metrics_register(m, "a", "", VGL_METRIC_COUNTER, NULL), 0);
    CHECK_INT_EQ(vgl_metrics_register(m, "b", "", VGL_METRIC_COUNTER, NULL), 1);
    CHECK_INT_EQ(vgl_metrics_register(m, "c", "", VGL_METRIC_COUNTER, NULL), 2);
    CHECK_INT_EQ(vgl_metrics_register(m, "d", "", VGL_METRIC_COUNTER, NULL), VGL_ELIMIT);
    CHECK_INT_EQ(vgl_metrics_register(m, "b", "", VGL_METRIC_COUNTER, NULL), 1);
    /* A failed registration's id is ignored on the hot path. */
    vgl_metrics_add(m, 0, VGL_ELIMIT, 5);
    vgl_metrics_add(m, 0, 3, 5);
    CHECK_INT_EQ(vgl_metrics_value(m, 0) + vgl_metrics_value(m, 1) + vgl_metrics_value(m, 2), 0);
    vgl_metrics_free(m);
}

TEST(render_groups_by_name)
{
    struct vgl_metrics *m = vgl_metrics_new(32, 3, NULL);
    int rc1 = vgl_metrics_register_label(m, "vigil_rule_calls_total", "Rule calls.",
                                         VGL_METRIC_COUNTER, "rule", "r1");
    int sec1 = vgl_metrics_register_label(m, "vigil_rule_seconds_total", "Time spent in rules.",
                                          VGL_METRIC_SECONDS, "rule", "r1");
    int q =
        vgl_metrics_register(m, "vigil_queue_depth", "Deliveries waiting.", VGL_METRIC_GAUGE, NULL);
    int rc2 = vgl_metrics_register_label(m, "vigil_rule_calls_total", "ignored", VGL_METRIC_COUNTER,
                                         "rule", "r2");
    int sec2 = vgl_metrics_register_label(m, "vigil_rule_seconds_total", "", VGL_METRIC_SECONDS,
                                          "rule", "r2");
    int nohelp = vgl_metrics_register(m, "vigil_nohelp_total", NULL, VGL_METRIC_COUNTER, NULL);
    vgl_metrics_add(m, 0, rc1, 3);
    vgl_metrics_add(m, 1, rc1, 4);
    vgl_metrics_add(m, 2, rc2, 1);
    vgl_metrics_add(m, 0, sec1, 1500000000u);
    vgl_metrics_add(m, 1, sec1, 250000);
    vgl_metrics_add(m, 2, sec2, 2000000000u);
    vgl_metrics_set(m, 0, q, 5);
    vgl_metrics_set(m, 1, q, -2);
    vgl_metrics_add(m, 2, nohelp, 1);
    char *text = render(m);
    CHECK_STR_EQ(text, "# HELP vigil_rule_calls_total Rule calls.\n"
                       "# TYPE vigil_rule_calls_total counter\n"
                       "vigil_rule_calls_total{rule=\"r1\"} 7\n"
                       "vigil_rule_calls_total{rule=\"r2\"} 1\n"
                       "# HELP vigil_rule_seconds_total Time spent in rules.\n"
                       "# TYPE vigil_rule_seconds_total counter\n"
                       "vigil_rule_seconds_total{rule=\"r1\"} 1.50025\n"
                       "vigil_rule_seconds_total{rule=\"r2\"} 2\n"
                       "# HELP vigil_queue_depth Deliveries waiting.\n"
                       "# TYPE vigil_queue_depth gauge\n"
                       "vigil_queue_depth 3\n"
                       "# TYPE vigil_nohelp_total counter\n"
                       "vigil_nohelp_total 1\n");
    free(text);

    /* A capped buffer: VGL_ELIMIT and nothing appended. */
    struct vgl_buf b;
    vgl_buf_init(&b, 40);
    vgl_buf_puts(&b, "keep");
    CHECK_INT_EQ(vgl_metrics_render(m, &b), VGL_ELIMIT);
    CHECK_STR_EQ(b.data, "keep");
    vgl_buf_release(&b);
    vgl_metrics_free(m);
}

TEST(gauges)
{
    struct vgl_metrics *m = vgl_metrics_new(8, 3, NULL);
    int g = vgl_metrics_register(m, "depth", "", VGL_METRIC_GAUGE, NULL);
    int c = vgl_metrics_register(m, "total", "", VGL_METRIC_COUNTER, NULL);
    vgl_metrics_set(m, 0, g, 10);
    vgl_metrics_set(m, 1, g, 20);
    vgl_metrics_set(m, 1, g, 7); /* a set replaces the slot's value */
    vgl_metrics_add(m, 2, g, 4);
    vgl_metrics_add(m, 2, g, (uint64_t)-1);
    CHECK_INT_EQ((int64_t)vgl_metrics_value(m, g), 20);
    vgl_metrics_set_shared(m, g, 100);
    vgl_metrics_set_shared(m, g, 50);
    CHECK_INT_EQ((int64_t)vgl_metrics_value(m, g), 70);
    vgl_metrics_add(m, 1, c, 9);
    vgl_metrics_add_shared(m, c, 1);
    vgl_metrics_reset_gauges(m, 1); /* the worker in slot 1 died */
    CHECK_INT_EQ((int64_t)vgl_metrics_value(m, g), 63);
    CHECK_INT_EQ(vgl_metrics_value(m, c), 10);
    vgl_metrics_set(m, 0, g, -100);
    char *text = render(m);
    CHECK_STR_CONTAINS(text, "\ndepth -47\n");
    CHECK_STR_CONTAINS(text, "\ntotal 10\n");
    free(text);
    CHECK_INT_EQ(vgl_metrics_value(m, 99), 0);
    CHECK_INT_EQ(vgl_metrics_value(m, -1), 0);
    vgl_metrics_free(m);
}

TEST(escaping)
{
    char out[128];
    const char *pairs[] = {"path", "C:\\dir\\\"x\"\nnext", "rule", "plain"};
    int n = vgl_metrics_labels(out, sizeof out, 2, pairs);
    CHECK_STR_EQ(out, "path=\"C:\\\\dir\\\\\\\"x\\\"\\nnext\",rule=\"plain\"");
    CHECK_INT_EQ(n, (int)strlen(out));
    CHECK_INT_EQ(vgl_metrics_labels(out, 10, 2, pairs), VGL_ELIMIT);
    const char *badname[] = {"a-b", "x"};
    CHECK_INT_EQ(vgl_metrics_labels(out, sizeof out, 1, badname), VGL_EINVAL);
    const char *badutf[] = {"a", "\xc3"};
    CHECK_INT_EQ(vgl_metrics_labels(out, sizeof out, 1, badutf), VGL_EINVAL);
    CHECK_INT_EQ(vgl_metrics_labels(out, sizeof out, 0, NULL), 0);
    CHECK_STR_EQ(out, "");

    struct vgl_metrics *m = vgl_metrics_new(8, 1, NULL);
    int id = vgl_metrics_register_label(m, "vigil_dead_letters_total",
                                        "Records that failed a step.\nBy \\reason\\ \"quoted\".",
                                        VGL_METRIC_COUNTER, "reason", "no \"schema\"\\matched\n");
    CHECK(id >= 0);
    /* The same raw value maps to the same series. */
    CHECK_INT_EQ(vgl_metrics_register_label(m, "vigil_dead_letters_total", "", VGL_METRIC_COUNTER,
                                            "reason", "no \"schema\"\\matched\n"),
                 id);
    vgl_metrics_add(m, 0, id, 2);
    char *text = render(m);
    CHECK_STR_EQ(text,
                 "# HELP vigil_dead_letters_total Records that failed a step.\\nBy \\\\reason\\\\ "
                 "\"quoted\".\n"
                 "# TYPE vigil_dead_letters_total counter\n"
                 "vigil_dead_letters_total{reason=\"no \\\"schema\\\"\\\\matched\\n\"} 2\n");
    free(text);
    CHECK_INT_EQ(vgl_metrics_register(m, "h", "bad \xff utf-8", VGL_METRIC_COUNTER, NULL),
                 VGL_EINVAL);
    char longhelp[VGL_METRICS_HELP_MAX + 8];
    memset(longhelp, 'h', sizeof longhelp - 1);
    longhelp[sizeof longhelp - 1] = '\0';
    CHECK_INT_EQ(vgl_metrics_register(m, "h", longhelp, VGL_METRIC_COUNTER, NULL), VGL_ELIMIT);
    vgl_metrics_free(m);
}

#define NCHILD 4
#define NADDS  100000

TEST(forked_writers_sum_exactly)
{
    struct vgl_metrics *m = vgl_metrics_new(256, NCHILD + 1, NULL);
    int in =
        vgl_metrics_register(m, "vigil_records_in_total", "Records in.", VGL_METRIC_COUNTER, NULL);
    int bytes =
        vgl_metrics_register(m, "vigil_bytes_in_total", "Bytes in.", VGL_METRIC_COUNTER, NULL);
    int sec = vgl_metrics_register(m, "vigil_rule_seconds_total", "", VGL_METRIC_SECONDS, NULL);
    pid_t pids[NCHILD];
    for (int i = 0; i < NCHILD; i++) {
        pids[i] = fork();
        if (pids[i] == 0) {
            size_t slot = (size_t)i;
            /* Each child also registers the same per-log-type series lazily, racing. */
            int lt =
                vgl_metrics_register_label(m, "vigil_classified_total", "Classified.",
                                           VGL_METRIC_COUNTER, "log_type", "cloudtrail:events");
            int own = -1;
            for (int k = 0; k < NADDS; k++) {
                vgl_metrics_add(m, slot, in, 1);
                vgl_metrics_add(m, slot, bytes, (uint64_t)i + 1);
                vgl_metrics_add(m, slot, lt, 1);
                vgl_metrics_add(m, slot, sec, 10);
                if (k % 1000 == 0) {
                    char v[32];
                    snprintf(v, sizeof v, "r%d", k / 1000);
                    own = vgl_metrics_register_label(m, "vigil_rule_hits_total", "Hits.",
                                                     VGL_METRIC_COUNTER, "rule", v);
                    vgl_metrics_add(m, slot, own, 1);
                }
            }
            _exit(lt >= 0 && own >= 0 ? 0 : 1);
        }
    }
    CHECK_INT_EQ(wait_children(pids, NCHILD), NCHILD);
    CHECK_INT_EQ(vgl_metrics_value(m, in), NCHILD * NADDS);
    CHECK_INT_EQ(vgl_metrics_value(m, bytes), NADDS * (1 + 2 + 3 + 4));
    /* 3 up front + 1 log type + 100 rules, no duplicates despite the race. */
    CHECK_INT_EQ(vgl_metrics_nseries(m), 104);
    int lt = vgl_metrics_register_label(m, "vigil_classified_total", "", VGL_METRIC_COUNTER,
                                        "log_type", "cloudtrail:events");
    CHECK_INT_EQ(vgl_metrics_value(m, lt), NCHILD * NADDS);
    char *text = render(m);
    CHECK_STR_CONTAINS(text, "\nvigil_records_in_total 400000\n");
    CHECK_STR_CONTAINS(text, "\nvigil_bytes_in_total 1000000\n");
    CHECK_STR_CONTAINS(text, "\nvigil_rule_seconds_total 0.004\n");
    CHECK_STR_CONTAINS(text, "vigil_classified_total{log_type=\"cloudtrail:events\"} 400000\n");
    CHECK_STR_CONTAINS(text, "vigil_rule_hits_total{rule=\"r0\"} 4\n");
    CHECK_STR_CONTAINS(text, "vigil_rule_hits_total{rule=\"r99\"} 4\n");
    /* HELP/TYPE once per name. */
    const char *p = strstr(text, "# TYPE vigil_rule_hits_total");
    CHECK(p && !strstr(p + 1, "# TYPE vigil_rule_hits_total"));
    free(text);
    vgl_metrics_free(m);
}

TEST(child_registration_seen_by_parent)
{
    struct vgl_metrics *m = vgl_metrics_new(16, 2, NULL);
    CHECK_INT_EQ(vgl_metrics_register(m, "first", "", VGL_METRIC_COUNTER, NULL), 0);
    pid_t pid = fork();
    if (pid == 0) {
        int id = vgl_metrics_register(m, "vigil_late_total", "Registered in a child.",
                                      VGL_METRIC_COUNTER, "worker=\"1\"");
        vgl_metrics_add(m, 1, id, 7);
        vgl_metrics_free(m); /* the child's view only */
        _exit(id == 1 ? 0 : 1);
    }
    CHECK_INT_EQ(wait_children(&pid, 1), 1);
    CHECK_INT_EQ(vgl_metrics_nseries(m), 2);
    CHECK_INT_EQ(
        vgl_metrics_register(m, "vigil_late_total", "", VGL_METRIC_COUNTER, "worker=\"1\""), 1);
    CHECK_INT_EQ(vgl_metrics_value(m, 1), 7);
    char *text = render(m);
    CHECK_STR_CONTAINS(text, "# HELP vigil_late_total Registered in a child.\n"
                             "# TYPE vigil_late_total counter\n"
                             "vigil_late_total{worker=\"1\"} 7\n");
    free(text);
    vgl_metrics_free(m);
}

TEST(dead_lock_holder_does_not_wedge)
{
    /* A child killed while registering (most likely holding the robust mutex) must not
     * block the others, and what it committed stays findable. */
    struct vgl_metrics *m = vgl_metrics_new(20000, 2, NULL);
    for (int round = 0; round < 5; round++) {
        pid_t pid = fork();
        if (pid == 0) {
            for (int k = 0;; k++) {
                char v[32];
                snprintf(v, sizeof v, "r%d_%d", round, k);
                if (k < 3000) /* new series: each takes the lock */
                    vgl_metrics_register_label(m, "vigil_rule_calls_total", "", VGL_METRIC_COUNTER,
                                               "rule", v);
                else /* a type conflict on a new key: takes the lock, then fails */
                    vgl_metrics_register_label(m, "vigil_rule_calls_total", "", VGL_METRIC_GAUGE,
                                               "rule", v);
            }
        }
        /* Let it get going (slow under valgrind), then kill it somewhere mid-loop. */
        size_t before = vgl_metrics_nseries(m);
        for (int i = 0; i < 2000 && vgl_metrics_nseries(m) == before; i++)
            sleep_us(1000);
        sleep_us(500 + 300 * round);
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
    }
    size_t n = vgl_metrics_nseries(m);
    CHECK(n > 0);
    /* Every committed series renders once, is findable, and registering again adds
     * nothing. */
    CHECK_INT_EQ(
        vgl_metrics_register(m, "vigil_rule_calls_total", "", VGL_METRIC_COUNTER, "rule=\"r0_0\""),
        0);
    char *text = render(m);
    size_t lines = 0;
    for (const char *p = text; p && *p; p = strchr(p, '\n') + 1) {
        if (*p != '#')
            lines++;
        char labels[64];
        const char *open = strchr(p, '{'), *close = strchr(p, '}');
        if (*p != '#' && open && close && close - open < 60) {
            snprintf(labels, sizeof labels, "%.*s", (int)(close - open - 1), open + 1);
            CHECK(vgl_metrics_register(m, "vigil_rule_calls_total", "", VGL_METRIC_COUNTER,
                                       labels) == (int)lines - 1);
        }
    }
    free(text);
    CHECK_INT_EQ(lines, n);
    CHECK_INT_EQ(vgl_metrics_nseries(m), n);
    CHECK_INT_EQ(vgl_metrics_register(m, "after_total", "", VGL_METRIC_COUNTER, NULL), (int)n);
    CHECK_INT_EQ(vgl_metrics_nseries(m), n + 1);
    vgl_metrics_free(m);
}

/* ---- HTTP ---- */

static int connect_port(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        perror("connect");
        close(fd);
        return -1;
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    return fd;
}

/* Sends req on fd, then drives the server until the answer is complete (EOF); returns the
 * response (caller frees) or NULL after 3 s. */
static char *http(struct vgl_metrics_server *s, int fd, const char *req)
{
    if (req && send(fd, req, strlen(req), MSG_NOSIGNAL) != (ssize_t)strlen(req))
        return NULL;
    struct vgl_buf b;
    vgl_buf_init(&b, 0);
    vgl_buf_puts(&b, "");
    for (int i = 0; i < 300; i++) {
        vgl_metrics_server_poll(s, 10);
        char tmp[4096];
        for (;;) {
            ssize_t r = recv(fd, tmp, sizeof tmp, 0);
            if (r > 0) {
                vgl_buf_append(&b, tmp, (size_t)r);
                continue;
            }
            if (r == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
                return vgl_buf_detach(&b, NULL);
            break;
        }
    }
    vgl_buf_release(&b);
    return NULL;
}

TEST(http_serves_metrics)
{
    struct vgl_metrics *m = vgl_metrics_new(16, 1, NULL);
    int id = vgl_metrics_register_label(m, "vigil_alerts_total", "Alerts.", VGL_METRIC_COUNTER,
                                        "rule", "cloudtrail_root_account_usage");
    vgl_metrics_add(m, 0, id, 42);
    struct vgl_error err = {0};
    struct vgl_metrics_server *s = vgl_metrics_server_new(m, "127.0.0.1:0", &err);
    CHECK(s != NULL);
    if (!s) {
        fprintf(stderr, "  %s\n", err.msg);
        vgl_metrics_free(m);
        return;
    }
    CHECK(vgl_metrics_server_port(s) > 0);
    CHECK(vgl_metrics_server_is_loopback(s));
    CHECK(vgl_metrics_server_fd(s) >= 0);

    /* A silent client first: it must not stall the others. */
    int silent = connect_port(vgl_metrics_server_port(s));
    vgl_metrics_server_poll(s, 10);

    int fd = connect_port(vgl_metrics_server_port(s));
    char *resp = http(s, fd, "GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n");
    CHECK(resp != NULL);
    CHECK_STR_CONTAINS(resp, "HTTP/1.1 200 OK\r\n");
    CHECK_STR_CONTAINS(resp, "\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n");
    CHECK_STR_CONTAINS(resp, "\r\n\r\n# HELP vigil_alerts_total Alerts.\n"
                             "# TYPE vigil_alerts_total counter\n"
                             "vigil_alerts_total{rule=\"cloudtrail_root_account_usage\"} 42\n");
    char clen[64];
    const char *body = resp ? strstr(resp, "\r\n\r\n") : NULL;
    snprintf(clen, sizeof clen, "Content-Length: %zu\r\n", body ? strlen(body + 4) : 0);
    CHECK_STR_CONTAINS(resp, clen);
    free(resp);
    close(fd);

    fd = connect_port(vgl_metrics_server_port(s));
    resp = http(s, fd, "GET /metrics?x=1 HTTP/1.0\n\n");
    CHECK_STR_CONTAINS(resp, "HTTP/1.1 200 OK\r\n");
    free(resp);
    close(fd);

    fd = connect_port(vgl_metrics_server_port(s));
    resp = http(s, fd, "GET / HTTP/1.1\r\n\r\n");
    CHECK_STR_CONTAINS(resp, "HTTP/1.1 404 Not Found\r\n");
    free(resp);
    close(fd);

    fd = connect_port(vgl_metrics_server_port(s));
    resp = http(s, fd, "GET /metricsx HTTP/1.1\r\n\r\n");
    CHECK_STR_CONTAINS(resp, "HTTP/1.1 404 Not Found\r\n");
    free(resp);
    close(fd);

    fd = connect_port(vgl_metrics_server_port(s));
    resp = http(s, fd, "POST /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
    CHECK_STR_CONTAINS(resp, "HTTP/1.1 405 Method Not Allowed\r\n");
    free(resp);
    close(fd);

    fd = connect_port(vgl_metrics_server_port(s));
    resp = http(s, fd, "HEAD /metrics HTTP/1.1\r\n\r\n");
    CHECK_STR_CONTAINS(resp, "HTTP/1.1 200 OK\r\n");
    CHECK(resp && strstr(resp, "\r\n\r\n") && strstr(resp, "\r\n\r\n")[4] == '\0');
    free(resp);
    close(fd);

    fd = connect_port(vgl_metrics_server_port(s));
    resp = http(s, fd, "garbage\r\n\r\n");
    CHECK_STR_CONTAINS(resp, "HTTP/1.1 400 Bad Request\r\n");
    free(resp);
    close(fd);

    /* An endless head is cut off at 4 KiB. */
    fd = connect_port(vgl_metrics_server_port(s));
    char big[5000];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    memcpy(big, "GET /metrics HTTP/1.1\r\nX: ", 26);
    resp = http(s, fd, big);
    CHECK_STR_CONTAINS(resp, "HTTP/1.1 431 ");
    free(resp);
    close(fd);

    /* The silent client is still open, until its deadline passes. */
    CHECK_INT_EQ(vgl_metrics_server_clients(s), 1);
    vgl_metrics_server_set_timeout(s, 100);
    int fd2 = connect_port(vgl_metrics_server_port(s)); /* accepted with the 100 ms deadline */
    vgl_metrics_server_poll(s, 10);
    CHECK_INT_EQ(vgl_metrics_server_clients(s), 2);
    char *eof = http(s, fd2, NULL); /* sends nothing: answered by a close */
    CHECK(eof != NULL);
    CHECK_STR_EQ(eof, "");
    free(eof);
    close(fd2);
    close(silent);
    vgl_metrics_server_poll(s, 0);
    vgl_metrics_server_free(s);
    vgl_metrics_free(m);
}

TEST(http_many_idle_clients_evicted)
{
    struct vgl_metrics *m = vgl_metrics_new(4, 1, NULL);
    struct vgl_metrics_server *s = vgl_metrics_server_new(m, "127.0.0.1:0", NULL);
    CHECK(s != NULL);
    if (!s) {
        vgl_metrics_free(m);
        return;
    }
    int idle[20];
    for (int i = 0; i < 20; i++) {
        idle[i] = connect_port(vgl_metrics_server_port(s));
        vgl_metrics_server_poll(s, 5);
    }
    CHECK(vgl_metrics_server_clients(s) <= 16);
    int fd = connect_port(vgl_metrics_server_port(s));
    char *resp = http(s, fd, "GET /metrics HTTP/1.1\r\n\r\n");
    CHECK_STR_CONTAINS(resp, "HTTP/1.1 200 OK\r\n");
    free(resp);
    close(fd);
    for (int i = 0; i < 20; i++)
        close(idle[i]);
    vgl_metrics_server_free(s);
    vgl_metrics_free(m);
}

TEST(http_listen_addresses)
{
    struct vgl_metrics *m = vgl_metrics_new(4, 1, NULL);
    static const char *const bad[] = {
        "nohost", "127.0.0.1:", "127.0.0.1:99999",       "127.0.0.1:8x",
        "::1:80", "[::1]80",    "no.such.host.invalid:0"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        struct vgl_error err = {0};
        struct vgl_metrics_server *s = vgl_metrics_server_new(m, bad[i], &err);
        CHECK(s == NULL);
        CHECK(err.code < 0);
        CHECK_STR_CONTAINS(err.msg, "metrics listen '");
        vgl_metrics_server_free(s);
    }
    struct vgl_metrics_server *s = vgl_metrics_server_new(m, ":0", NULL);
    CHECK(s != NULL);
    CHECK(s && !vgl_metrics_server_is_loopback(s));
    vgl_metrics_server_free(s);
    s = vgl_metrics_server_new(m, "[::1]:0", NULL);
    if (s) /* no IPv6 in some containers */
        CHECK(vgl_metrics_server_is_loopback(s));
    vgl_metrics_server_free(s);
    /* A port in use. */
    s = vgl_metrics_server_new(m, "127.0.0.1:0", NULL);
    char addr[64];
    snprintf(addr, sizeof addr, "127.0.0.1:%d", s ? vgl_metrics_server_port(s) : 1);
    struct vgl_error err = {0};
    struct vgl_metrics_server *s2 = vgl_metrics_server_new(m, addr, &err);
    CHECK(s2 == NULL);
    CHECK_INT_EQ(err.code, VGL_EIO);
    vgl_metrics_server_free(s2);
    vgl_metrics_server_free(s);
    vgl_metrics_free(m);
}

TEST_MAIN(T(register_same_key_same_id), T(invalid_names_and_labels), T(registry_full),
          T(render_groups_by_name), T(gauges), T(escaping), T(forked_writers_sum_exactly),
          T(child_registration_seen_by_parent), T(dead_lock_holder_does_not_wedge),
          T(http_serves_metrics), T(http_many_idle_clients_evicted), T(http_listen_addresses))
