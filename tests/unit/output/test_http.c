/*
 * Unit tests for output/http.c against a real HTTP server on loopback (Python's
 * http.server, started by the test): method, headers and body arrive as sent; statuses
 * come back; a slow endpoint does not hold up the others; timeouts and refused connections
 * are clear errors; response bodies are capped.
 */
#include <signal.h>
#include <sys/wait.h>
#include <sys/types.h>
#include <unistd.h>

#include "core/error.h"
#include "output/http.h"
#include "test.h"
#include "testutil.h"

static const char *SERVER_PY =
    "import http.server, json, socketserver, sys, time\n"
    "class H(http.server.BaseHTTPRequestHandler):\n"
    "    def log_message(self, *a):\n"
    "        pass\n"
    "    def reply(self, code, body):\n"
    "        self.send_response(code)\n"
    "        self.send_header('Content-Length', str(len(body)))\n"
    "        self.end_headers()\n"
    "        self.wfile.write(body)\n"
    "    def do_POST(self):\n"
    "        n = int(self.headers.get('Content-Length', 0))\n"
    "        body = self.rfile.read(n)\n"
    "        if self.path == '/slow':\n"
    "            time.sleep(1.5)\n"
    "        if self.path == '/fail':\n"
    "            return self.reply(500, b'{\"error\": \"boom\"}')\n"
    "        if self.path == '/big':\n"
    "            return self.reply(200, b'x' * 200000)\n"
    "        echo = {'method': self.command, 'path': self.path, 'body': body.decode(),\n"
    "                'content_type': self.headers.get('Content-Type'), 'x': self.headers.get('X-Test')}\n"
    "        self.reply(200, json.dumps(echo, sort_keys=True).encode())\n"
    "    do_PUT = do_POST\n"
    "class S(socketserver.ThreadingMixIn, http.server.HTTPServer):\n"
    "    daemon_threads = True\n"
    "srv = S(('127.0.0.1', 0), H)\n"
    "print(srv.server_address[1], flush=True)\n"
    "srv.serve_forever()\n";

static pid_t server_pid;
static int port;
static int server_out = -1;   /* the server's stdout: kept open while it runs, so its
                                 writes never hit a closed pipe */
static char server_dir[300];

static int start_server(void)
{
    const char *dir = tu_tmpdir();
    snprintf(server_dir, sizeof server_dir, "%s", dir);
    tu_write(dir, "server.py", SERVER_PY);
    char script[400];
    snprintf(script, sizeof script, "%s/server.py", dir);
    int fds[2];
    if (pipe(fds) != 0)
        return -1;
    server_pid = fork();
    if (server_pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        execlp("python3", "python3", script, (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    server_out = fds[0];
    /* read up to the newline: the port may arrive in more than one write */
    char buf[32] = "";
    size_t got = 0;
    while (got < sizeof buf - 1 && !memchr(buf, '\n', got)) {
        ssize_t n = read(server_out, buf + got, sizeof buf - 1 - got);
        if (n <= 0)
            break;
        got += (size_t)n;
        buf[got] = '\0';
    }
    port = atoi(buf);
    return port > 0 ? 0 : -1;
}

static void url(char *out, size_t n, const char *path)
{
    snprintf(out, n, "http://127.0.0.1:%d%s", port, path);
}

TEST(requests_arrive_and_statuses_return)
{
    if (!port && start_server() != 0) {
        CHECK(!"the test server did not start");
        return;
    }
    char u1[128], u2[128], u3[128];
    url(u1, sizeof u1, "/echo");
    url(u2, sizeof u2, "/fail");
    url(u3, sizeof u3, "/big");
    const char *hdrs[] = {"Content-Type: application/json", "X-Test: 42"};
    struct vgl_http_request q[3] = {
        {.method = "POST", .url = u1, .headers = hdrs, .nheaders = 2, .body = "{\"a\":1}", .body_len = 7},
        {.method = "POST", .url = u2, .body = "{}", .body_len = 2},
        {.method = "PUT", .url = u3, .body = "", .body_len = 0},
    };
    struct vgl_http_response r[3];
    struct vgl_error err = {0};
    CHECK_INT_EQ(vgl_http_perform(q, r, 3, 0, &err), 0);
    CHECK_INT_EQ(r[0].status, 200);
    CHECK(vgl_http_ok(&r[0]));
    CHECK_STR_EQ(r[0].body, "{\"body\": \"{\\\"a\\\":1}\", \"content_type\": \"application/json\", "
                            "\"method\": \"POST\", \"path\": \"/echo\", \"x\": \"42\"}");
    CHECK_INT_EQ(r[1].status, 500);
    CHECK(!vgl_http_ok(&r[1]));
    CHECK_STR_EQ(r[1].body, "{\"error\": \"boom\"}");
    CHECK_INT_EQ(r[2].status, 200);
    CHECK_INT_EQ(r[2].body_len, VGL_HTTP_BODY_MAX);
    CHECK(r[2].truncated);
    for (int i = 0; i < 3; i++)
        vgl_http_response_release(&r[i]);
}

TEST(slow_endpoint_does_not_hold_up_the_others)
{
    if (!port && start_server() != 0)
        return;
    char slow[128], fast[128];
    url(slow, sizeof slow, "/slow");
    url(fast, sizeof fast, "/echo");
    struct vgl_http_request q[4] = {
        {.method = "POST", .url = slow, .body = "s", .body_len = 1, .timeout_ms = 5000},
        {.method = "POST", .url = fast, .body = "1", .body_len = 1},
        {.method = "POST", .url = fast, .body = "2", .body_len = 1},
        {.method = "POST", .url = slow, .body = "t", .body_len = 1, .timeout_ms = 300},
    };
    struct vgl_http_response r[4];
    struct vgl_error err = {0};
    CHECK_INT_EQ(vgl_http_perform(q, r, 4, 0, &err), 0);
    CHECK_INT_EQ(r[0].status, 200);
    CHECK(r[0].seconds >= 1.4);
    /* the fast ones finished long before the slow one */
    CHECK_INT_EQ(r[1].status, 200);
    CHECK_INT_EQ(r[2].status, 200);
    CHECK(r[1].seconds < 1.0 && r[2].seconds < 1.0);
    /* the one with a short timeout failed with a clear error */
    CHECK_INT_EQ(r[3].status, 0);
    CHECK_STR_CONTAINS(r[3].error, "timed out");
    for (int i = 0; i < 4; i++)
        vgl_http_response_release(&r[i]);
}

TEST(refused_connection_is_an_error_not_a_crash)
{
    /* a port nothing listens on: bind to 0 is impossible here, so use port 1 on loopback */
    struct vgl_http_request q = {.method = "POST", .url = "http://127.0.0.1:1/x", .body = "x", .body_len = 1};
    struct vgl_http_response r;
    struct vgl_error err = {0};
    CHECK_INT_EQ(vgl_http_perform(&q, &r, 1, 0, &err), 0);
    CHECK_INT_EQ(r.status, 0);
    CHECK(r.error[0] != '\0');
    vgl_http_response_release(&r);
    CHECK_INT_EQ(vgl_http_perform(NULL, NULL, 0, 0, &err), 0);
}

TEST(stop_server)
{
    if (server_pid > 0) {
        kill(server_pid, SIGTERM);
        waitpid(server_pid, NULL, 0);
        server_pid = 0;
    }
    if (server_out >= 0) {
        close(server_out);
        server_out = -1;
    }
    if (server_dir[0])
        tu_rmrf(server_dir);
}

TEST_MAIN(T(requests_arrive_and_statuses_return), T(slow_endpoint_does_not_hold_up_the_others),
          T(refused_connection_is_an_error_not_a_crash), T(stop_server))
