/*
 * tests/sinkutil.h: starts tests/tools/http_sink.py (a scripted, recording HTTP server on
 * loopback) from a unit test, and reads back the requests it received.
 *
 *   struct tu_sink s;
 *   if (tu_sink_start(&s, "{\"default\": {\"status\": 200, \"body\": \"ok\"}}") != 0) ...
 *   ... send to http://127.0.0.1:<s.port>/...
 *   char *log = tu_sink_log(&s);   // one JSON line per request (see http_sink.py)
 *   tu_sink_stop(&s);
 *
 * The server script is found through VGL_SOURCE_DIR (set by ctest) and run by
 * /usr/bin/python3 (Debian's, whatever PATH says).
 */
#ifndef VGL_TESTS_SINKUTIL_H
#define VGL_TESTS_SINKUTIL_H

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

struct tu_sink {
    pid_t pid;
    int port;
    char dir[256];
    char log[300];
    char url[64];     /* "http://127.0.0.1:<port>" */
};

/* Starts the sink with a script (JSON text, NULL for "200 ok" to everything).  Returns 0,
 * or -1 when it did not come up within 10 s. */
static inline int tu_sink_start(struct tu_sink *s, const char *script)
{
    memset(s, 0, sizeof *s);
    const char *src = getenv("VGL_SOURCE_DIR");
    if (!src)
        src = ".";
    snprintf(s->dir, sizeof s->dir, "%s", tu_tmpdir());
    snprintf(s->log, sizeof s->log, "%s/requests.jsonl", s->dir);
    char tool[512], scriptpath[300], portfile[300];
    snprintf(tool, sizeof tool, "%s/tests/tools/http_sink.py", src);
    snprintf(scriptpath, sizeof scriptpath, "%s/script.json", s->dir);
    snprintf(portfile, sizeof portfile, "%s/port", s->dir);
    tu_write(s->dir, "script.json", script ? script : "{}");
    const char *py = access("/usr/bin/python3", X_OK) == 0 ? "/usr/bin/python3" : "python3";
    s->pid = fork();
    if (s->pid == 0) {
        if (!freopen("/dev/null", "w", stdout))
            _exit(127);
        execlp(py, py, tool, "--log", s->log, "--script", scriptpath, "--port-file", portfile,
               (char *)NULL);
        _exit(127);
    }
    for (int i = 0; i < 1000; i++) {
        FILE *f = fopen(portfile, "r");
        if (f) {
            int ok = fscanf(f, "%d", &s->port) == 1;
            fclose(f);
            if (ok) {
                snprintf(s->url, sizeof s->url, "http://127.0.0.1:%d", s->port);
                return 0;
            }
        }
        struct timespec ts = {0, 10 * 1000000L};
        nanosleep(&ts, NULL);
    }
    return -1;
}

/* The request log so far (malloc'd, NUL-terminated; "" when empty). */
static inline char *tu_sink_log(const struct tu_sink *s)
{
    FILE *f = fopen(s->log, "rb");
    if (!f)
        return strdup("");
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *text = malloc((size_t)n + 1);
    size_t got = fread(text, 1, (size_t)n, f);
    text[got] = 0;
    fclose(f);
    return text;
}

/* Forgets the requests logged so far. */
static inline void tu_sink_clear(const struct tu_sink *s)
{
    FILE *f = fopen(s->log, "w");
    if (f)
        fclose(f);
}

static inline void tu_sink_stop(struct tu_sink *s)
{
    if (s->pid > 0) {
        kill(s->pid, SIGTERM);
        waitpid(s->pid, NULL, 0);
        s->pid = 0;
    }
    if (s->dir[0])
        tu_rmrf(s->dir);
}

#endif
