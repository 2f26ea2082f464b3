/*
 * tests/unit/parse/test_syslogmatch.c: parse/syslogmatch.c against Python's re.
 *
 * Expected groups come from running, under Python 3.11.7,
 *     re.search(r'(?P<timestamp>^\w{3}\s\d{2}\s(\d{2}:?)+)\s(?P<host>(\w[-]*)+)\s'
 *               r'(?P<application>\w+)(\[\w+\])*:\s(?P<message>.*$)', text)
 * (StreamAlert's SyslogParser._regex).  The failure reasons are ours (Python has none).
 */
#include "parse/syslogmatch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "test.h"

#define S(lit) lit, sizeof(lit) - 1

struct sys_case {
    const char *text;
    size_t len;
    int rc;
    const char *timestamp, *host, *application;
    const char *message; /* rc 0: the message group; else a substring of the error */
};

static int str_eq(struct vgl_syslog_str s, const char *want)
{
    return s.len == strlen(want) && memcmp(s.s, want, s.len) == 0;
}

static void run_cases(const struct sys_case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const struct sys_case *c = &cases[i];
        struct vgl_syslog_fields f;
        struct vgl_error err = {0};
        int rc = vgl_syslog_match(c->text, c->len, &f, &err);
        if (rc != c->rc)
            fprintf(stderr, "  case %zu: \"%s\": %s\n", i, c->text, err.msg);
        CHECK_INT_EQ(rc, c->rc);
        if (c->rc == 0 && rc == 0) {
            CHECK(str_eq(f.timestamp, c->timestamp));
            CHECK(str_eq(f.host, c->host));
            CHECK(str_eq(f.application, c->application));
            CHECK(str_eq(f.message, c->message));
            CHECK(f.timestamp.s == c->text);
            CHECK(f.message.s + f.message.len <= c->text + c->len);
        } else if (c->rc != 0) {
            CHECK_STR_CONTAINS(err.msg, c->message);
            CHECK(f.timestamp.s == NULL && f.message.len == 0);
        }
    }
}

static const struct sys_case good_cases[] = {
    {S("Jan 10 19:35:33 vagrant-ubuntu-trusty-64 sudo: session opened for root"), 0,
     "Jan 10 19:35:33", "vagrant-ubuntu-trusty-64", "sudo", "session opened for root"},
    {S("Jan 10 19:35:13 vagrant-ubuntu-precise-32 ssh[13941]: login for mike"), 0,
     "Jan 10 19:35:13", "vagrant-ubuntu-precise-32", "ssh", "login for mike"},
    {S("Jan 10 19:35 host app: m"), 0, "Jan 10 19:35", "host", "app", "m"},
    {S("Jan 10 193533 host app: m"), 0, "Jan 10 193533", "host", "app", "m"},
    {S("Jan 10 19:35: host app: m"), 0, "Jan 10 19:35:", "host", "app", "m"},
    {S("Jan 10 19 host app: m"), 0, "Jan 10 19", "host", "app", "m"},
    {S("Jan 10 19:35:33 host app: msg\n"), 0, "Jan 10 19:35:33", "host", "app", "msg"},
    {S("Jan 10 19:35:33 host app:\n"), 0, "Jan 10 19:35:33", "host", "app", ""},
    {S("Jan 10 19:35:33 host app: "), 0, "Jan 10 19:35:33", "host", "app", ""},
    {S("Jan 10 19:35:33 host app:\n\n"), 0, "Jan 10 19:35:33", "host", "app", ""},
    {S("Jan 10 19:35:33 host app[1][2]: m"), 0, "Jan 10 19:35:33", "host", "app", "m"},
    {S("Jan 10 19:35:33 host app: msg\r\n"), 0, "Jan 10 19:35:33", "host", "app", "msg\r"},
    {S("Jan 10 19:35:33 host-- app: m"), 0, "Jan 10 19:35:33", "host--", "app", "m"},
    {S("Янв 10 19:35:33 хост приложение: сообщение"), 0, "Янв 10 19:35:33", "хост", "приложение",
     "сообщение"},
    {S("Jan １０ １９:３５ host app: m"), 0, "Jan １０ １９:３５", "host", "app", "m"},
    {S("Jan\302\24010\343\200\20019:35\th\034app:\342\200\250m"), 0,
     "Jan\302\24010\343\200\20019:35", "h", "app", "m"},
    {S("Jan 10 19:35:33 host\napp: m"), 0, "Jan 10 19:35:33", "host", "app", "m"},
    {S("Jan 10 19:35:33 h a_b: m: n [x]"), 0, "Jan 10 19:35:33", "h", "a_b", "m: n [x]"},
    {S("123 45 67 h a: m"), 0, "123 45 67", "h", "a", "m"},
    {S("Jan 10 19:35:33 h a[b_1]: m"), 0, "Jan 10 19:35:33", "h", "a", "m"},
    {S("Jan 10 19:35:33 中-文 应用[进程]: 消息"), 0, "Jan 10 19:35:33", "中-文", "应用", "消息"},
    {S("Jan 10 19:35:33 h a: tab\there and a \\ backslash"), 0, "Jan 10 19:35:33", "h", "a",
     "tab\there and a \\ backslash"},
    {S("ⅫⅫⅫ 10 10 h²-- a: m"), 0, "ⅫⅫⅫ 10 10", "h²--", "a", "m"},
    {S("Jan 10 19:35:33 h a[1]: "), 0, "Jan 10 19:35:33", "h", "a", ""},
};

static const struct sys_case bad_cases[] = {
    {S("Jan  5 19:35:33 host app: m"), VGL_ENOMATCH, NULL, NULL, NULL, "expected 2 digits (day)"},
    {S("Jan 10 19:35:33 host.example.com app: m"), VGL_ENOMATCH, NULL, NULL, NULL,
     "expected whitespace after the host"},
    {S("Jan 10 19:35:33 host my-app: m"), VGL_ENOMATCH, NULL, NULL, NULL,
     "expected ':' after the application"},
    {S("Jan 10 19:35:33 host app:m"), VGL_ENOMATCH, NULL, NULL, NULL,
     "expected whitespace after ':'"},
    {S("Jan 10 19:35:33 host app m"), VGL_ENOMATCH, NULL, NULL, NULL,
     "expected ':' after the application"},
    {S("Jan 10 1:35:33 host app: m"), VGL_ENOMATCH, NULL, NULL, NULL, "expected 2 digits (time)"},
    {S("Jan 10 19:3 host app: m"), VGL_ENOMATCH, NULL, NULL, NULL,
     "expected whitespace after the time"},
    {S("January 10 19:35:33 host app: m"), VGL_ENOMATCH, NULL, NULL, NULL,
     "expected whitespace after the month"},
    {S(" Jan 10 19:35:33 host app: m"), VGL_ENOMATCH, NULL, NULL, NULL,
     "expected 3 word characters (month)"},
    {S("x Jan 10 19:35:33 host app: m"), VGL_ENOMATCH, NULL, NULL, NULL,
     "expected 3 word characters (month)"},
    {S("Jan 10 19:35:33  host app: m"), VGL_ENOMATCH, NULL, NULL, NULL,
     "expected a word character (host)"},
    {S("Jan 10 19:35:33 -host app: m"), VGL_ENOMATCH, NULL, NULL, NULL,
     "expected a word character (host)"},
    {S("Jan 10 19:35:33 host app[]: m"), VGL_ENOMATCH, NULL, NULL, NULL,
     "expected ':' after the application"},
    {S("Jan 10 19:35:33 host app[1: m"), VGL_ENOMATCH, NULL, NULL, NULL,
     "expected ':' after the application"},
    {S("Jan 10 19:35:33 host app[1]x: m"), VGL_ENOMATCH, NULL, NULL, NULL,
     "expected ':' after the application"},
    {S("Jan 10 19:35:33 host app: a\nb"), VGL_ENOMATCH, NULL, NULL, NULL,
     "expected end of text or a final newline"},
    {S("Jan 10 19:35:33 host app: a\n\n"), VGL_ENOMATCH, NULL, NULL, NULL,
     "expected end of text or a final newline"},
    {S(""), VGL_ENOMATCH, NULL, NULL, NULL, "expected 3 word characters (month)"},
    {S("Jan 10 19::35 host app: m"), VGL_ENOMATCH, NULL, NULL, NULL,
     "expected whitespace after the time"},
    {S("Jan 10 19:35 hos\314\201t app: m"), VGL_ENOMATCH, NULL, NULL, NULL,
     "expected whitespace after the host"},
    {S("Jan ²0 19:35 host app: m"), VGL_ENOMATCH, NULL, NULL, NULL, "expected 2 digits (day)"},
    {S("Jan 10 19:35\342\200\213host app: m"), VGL_ENOMATCH, NULL, NULL, NULL,
     "expected whitespace after the time"},
    {S("Jan 10 19:35:33 host app:"), VGL_ENOMATCH, NULL, NULL, NULL,
     "expected whitespace after ':'"},
    {S("Jan 10 19:35:33 host app"), VGL_ENOMATCH, NULL, NULL, NULL,
     "expected ':' after the application"},
    {S("Jan 10 19:35:33 host "), VGL_ENOMATCH, NULL, NULL, NULL,
     "expected a word character (application)"},
    {S("Jan 10 19:35:33 host"), VGL_ENOMATCH, NULL, NULL, NULL,
     "expected whitespace after the host"},
    {S("Jan 10 19:35:33"), VGL_ENOMATCH, NULL, NULL, NULL, "expected whitespace after the time"},
    {S("Jan 10 "), VGL_ENOMATCH, NULL, NULL, NULL, "expected 2 digits (time)"},
    {S("Jan 10 19:35:33 host app :m"), VGL_ENOMATCH, NULL, NULL, NULL,
     "expected ':' after the application"},
    {S("Jan 10 19:35:33 host [1]: m"), VGL_ENOMATCH, NULL, NULL, NULL,
     "expected a word character (application)"},
    {S("Jan 10 19:35:33 ho€st app: m"), VGL_ENOMATCH, NULL, NULL, NULL,
     "expected whitespace after the host"},
    {S("Jan 10 19:35:33 host app\314\201: m"), VGL_ENOMATCH, NULL, NULL, NULL,
     "expected ':' after the application"},
};

TEST(python_matches)
{
    run_cases(good_cases, sizeof good_cases / sizeof good_cases[0]);
}

/* "." matches NUL, so a NUL stays in the message. */
TEST(nul_in_message)
{
    struct vgl_syslog_fields f;
    CHECK_INT_EQ(vgl_syslog_match(S("Jan 10 19:35:33 h a: m\0n\n"), &f, NULL), 0);
    CHECK(f.message.len == 3 && memcmp(f.message.s, "m\0n", 3) == 0);
    CHECK_INT_EQ(vgl_syslog_match(S("Jan 10 19:35:33 h\0 a: m"), &f, NULL), VGL_ENOMATCH);
}

TEST(python_non_matches)
{
    run_cases(bad_cases, sizeof bad_cases / sizeof bad_cases[0]);
}

TEST(error_message)
{
    struct vgl_syslog_fields f;
    struct vgl_error err = {0};
    CHECK_INT_EQ(vgl_syslog_match(S("Jan  5 19:35:33 host app: m"), &f, &err), VGL_ENOMATCH);
    CHECK_STR_EQ(err.msg,
                 "syslog: expected 2 digits (day) at offset 4, found \" 5 19:35:33 host app: m\"");
    CHECK_INT_EQ(vgl_syslog_match(S("Jan 10 19:35:33"), &f, &err), VGL_ENOMATCH);
    CHECK_STR_EQ(err.msg,
                 "syslog: expected whitespace after the time at offset 15, found end of text");
    CHECK_INT_EQ(vgl_syslog_match(NULL, 0, &f, NULL), VGL_ENOMATCH);
}

/* Spot checks of the generated tables (all 0x110000 code points were compared with
 * Python's re while writing them). */
TEST(character_classes)
{
    static const struct {
        uint32_t c;
        bool word, digit, space;
    } cls[] = {
        {'a', 1, 0, 0},     {'_', 1, 0, 0},      {'7', 1, 1, 0},     {'-', 0, 0, 0},
        {' ', 0, 0, 1},     {'\t', 0, 0, 1},     {0x0b, 0, 0, 1},    {0x1c, 0, 0, 1},
        {0x1f, 0, 0, 1},    {0x7f, 0, 0, 0},     {0x85, 0, 0, 1},    {0xa0, 0, 0, 1},
        {0xaa, 1, 0, 0},    {0xb2, 1, 0, 0},     {0xb7, 0, 0, 0},    {0xe9, 1, 0, 0},
        {0x0301, 0, 0, 0},  {0x0663, 1, 1, 0},   {0x1680, 0, 0, 1},  {0x200b, 0, 0, 0},
        {0x2028, 0, 0, 1},  {0x2029, 0, 0, 1},   {0x202f, 0, 0, 1},  {0x205f, 0, 0, 1},
        {0x216b, 1, 0, 0},  {0x3000, 0, 0, 1},   {0x3007, 1, 0, 0},  {0x4e2d, 1, 0, 0},
        {0xfeff, 0, 0, 0},  {0xff10, 1, 1, 0},   {0x1d7d8, 1, 1, 0}, {0x1f600, 0, 0, 0},
        {0x20000, 1, 0, 0}, {0x10ffff, 0, 0, 0}, {0xd800, 0, 0, 0},
    };
    for (size_t i = 0; i < sizeof cls / sizeof cls[0]; i++) {
        if (vgl_syslog_is_word(cls[i].c) != cls[i].word ||
            vgl_syslog_is_digit(cls[i].c) != cls[i].digit ||
            vgl_syslog_is_space(cls[i].c) != cls[i].space)
            fprintf(stderr, "  code point 0x%lx\n", (unsigned long)cls[i].c);
        CHECK_INT_EQ(vgl_syslog_is_word(cls[i].c), cls[i].word);
        CHECK_INT_EQ(vgl_syslog_is_digit(cls[i].c), cls[i].digit);
        CHECK_INT_EQ(vgl_syslog_is_space(cls[i].c), cls[i].space);
    }
}

/* Invalid UTF-8 is outside the contract; each bad byte is a character that is not \w,
 * \d or \s, and "." matches it. */
TEST(invalid_utf8)
{
    struct vgl_syslog_fields f;
    CHECK_INT_EQ(vgl_syslog_match(S("Jan 10 19:35 h\xff app: m"), &f, NULL), VGL_ENOMATCH);
    CHECK_INT_EQ(vgl_syslog_match(S("Ja\xc3 10 19:35 h app: m"), &f, NULL), VGL_ENOMATCH);
    CHECK_INT_EQ(vgl_syslog_match(S("Jan 10 19:35 h app: \xff\xc3"), &f, NULL), 0);
    CHECK_INT_EQ(f.message.len, 2);
    CHECK_INT_EQ(vgl_syslog_match(S("Jan 10 19:35 h app\xe4\xb8"), &f, NULL), VGL_ENOMATCH);
    CHECK_INT_EQ(vgl_syslog_match(S("Jan 10 19:35 h \xed\xa0\x80: m"), &f, NULL), VGL_ENOMATCH);
}

TEST(long_input)
{
    size_t n = 1 << 20;
    char *t = malloc(n);
    memcpy(t, "Jan 10 19:35:33 h app: ", 23);
    memset(t + 23, 'x', n - 24);
    t[n - 1] = '\n';
    struct vgl_syslog_fields f;
    CHECK_INT_EQ(vgl_syslog_match(t, n, &f, NULL), 0);
    CHECK_INT_EQ(f.message.len, n - 24);
    /* a long host then a failure at its end */
    memset(t, 'h', n);
    memcpy(t, "Jan 10 19:35:33 ", 16);
    CHECK_INT_EQ(vgl_syslog_match(t, n, &f, NULL), VGL_ENOMATCH);
    free(t);
}

TEST_MAIN(T(python_matches), T(nul_in_message), T(python_non_matches), T(error_message),
          T(character_classes), T(invalid_utf8), T(long_input))
