/*
 * bench/http_sink_fast.c: a minimal HTTP/1.1 server on loopback for delivery benchmarks.
 * It answers every request "200 ok" with keep-alive and counts requests, so the sink is
 * never what a benchmark measures (tests/tools/http_sink.py records requests but handles a
 * few thousand per second at most).
 *
 * usage: http_sink_fast PORT_FILE     prints its port to PORT_FILE; SIGTERM prints the count
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAXC 1024
#define BUFSZ (256 * 1024)

struct conn {
    int fd;
    char *buf;
    size_t len;
};

static volatile sig_atomic_t stop;
static void on_term(int s) { (void)s; stop = 1; }

/* Handles every complete request in c->buf; returns requests answered, -1 on error. */
static long serve(struct conn *c)
{
    static const char reply[] = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok";
    long n = 0;
    for (;;) {
        char *end = memmem(c->buf, c->len, "\r\n\r\n", 4);
        if (!end)
            return n;
        size_t head = (size_t)(end - c->buf) + 4, body = 0;
        for (char *p = c->buf; p < end; p++) {
            if ((p == c->buf || p[-1] == '\n') && strncasecmp(p, "content-length:", 15) == 0)
                body = strtoul(p + 15, NULL, 10);
        }
        if (c->len < head + body)
            return n;
        memmove(c->buf, c->buf + head + body, c->len - head - body);
        c->len -= head + body;
        if (write(c->fd, reply, sizeof reply - 1) != (ssize_t)(sizeof reply - 1))
            return -1;
        n++;
    }
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: http_sink_fast PORT_FILE\n");
        return 2;
    }
    signal(SIGTERM, on_term);
    signal(SIGINT, on_term);
    signal(SIGPIPE, SIG_IGN);
    int ls = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof a;
    if (bind(ls, (struct sockaddr *)&a, sizeof a) != 0 || listen(ls, 512) != 0 ||
        getsockname(ls, (struct sockaddr *)&a, &alen) != 0) {
        perror("http_sink_fast");
        return 1;
    }
    FILE *pf = fopen(argv[1], "w");
    if (!pf) {
        perror(argv[1]);
        return 1;
    }
    fprintf(pf, "%d\n", ntohs(a.sin_port));
    fclose(pf);
    static struct pollfd pfd[MAXC + 1];
    static struct conn conns[MAXC];
    size_t nc = 0;
    long total = 0;
    while (!stop) {
        pfd[0] = (struct pollfd){.fd = ls, .events = POLLIN};
        for (size_t i = 0; i < nc; i++)
            pfd[i + 1] = (struct pollfd){.fd = conns[i].fd, .events = POLLIN};
        if (poll(pfd, nc + 1, 200) < 0 && errno != EINTR)
            break;
        for (size_t i = nc; i-- > 0;) {
            if (!(pfd[i + 1].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            struct conn *c = &conns[i];
            ssize_t r = c->len < BUFSZ ? read(c->fd, c->buf + c->len, BUFSZ - c->len) : -1;
            long n = r > 0 ? (c->len += (size_t)r, serve(c)) : -1;
            if (n < 0) {
                close(c->fd);
                free(c->buf);
                conns[i] = conns[--nc];
            } else {
                total += n;
            }
        }
        /* after the connections: pfd[] describes only those polled */
        if ((pfd[0].revents & POLLIN) && nc < MAXC) {
            int fd = accept(ls, NULL, NULL);
            if (fd >= 0) {
                setsockopt(fd, IPPROTO_TCP, 1 /* TCP_NODELAY */, &one, sizeof one);
                conns[nc++] = (struct conn){fd, malloc(BUFSZ), 0};
            }
        }
    }
    printf("%ld requests\n", total);
    return 0;
}
