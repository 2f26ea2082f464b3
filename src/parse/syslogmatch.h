/*
 * parse/syslogmatch.h: StreamAlert's syslog regular expression, hand-compiled.
 *
 * vgl_syslog_match() gives the same result as Python 3.11's
 *     re.search(r'(?P<timestamp>^\w{3}\s\d{2}\s(\d{2}:?)+)\s(?P<host>(\w[-]*)+)\s'
 *               r'(?P<application>\w+)(\[\w+\])*:\s(?P<message>.*$)', text)
 * on a str (streamalert-compat.md 2.10): the match or its absence, and the four named
 * groups.  The pattern is anchored by its "^" and every quantifier in it can only end
 * where the greedy one ends (the next token never matches what the quantifier would give
 * back), so one left-to-right scan with no backtracking decides it.
 *
 * Python semantics reproduced, on Unicode code points decoded from UTF-8:
 *   - \w is Python's str \w (c.isalnum() or "_"), \d is c.isdecimal() and \s is
 *     c.isspace(), from tables generated with Python 3.11 (Unicode 14.0.0), exact for
 *     every code point;
 *   - "." matches any character but "\n" (so "\r" and NUL are in a message);
 *   - "$" matches at the end of the text or before a "\n" that ends it, so one trailing
 *     "\n" is left out of the message and any other "\n" after the ": " fails the match;
 *   - the "\s" after ":" may itself be a "\n".
 * Text should be valid UTF-8 (it may contain NUL); an invalid byte is read as one
 * character that is not \w, \d or \s (and that "." matches).
 *
 * Ownership: the groups are slices of text (not NUL-terminated), valid as long as text
 * is.  Nothing is allocated; no global state; thread-safe.
 */
#ifndef VGL_PARSE_SYSLOGMATCH_H
#define VGL_PARSE_SYSLOGMATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vgl_error;

struct vgl_syslog_str {
    const char *s;
    size_t len;
};

struct vgl_syslog_fields {
    struct vgl_syslog_str timestamp;   /* "Jan 10 19:35:33" */
    struct vgl_syslog_str host;        /* word characters and "-" */
    struct vgl_syslog_str application; /* word characters; a "[pid]" suffix is dropped */
    struct vgl_syslog_str message;     /* the rest, without one final "\n" */
};

/*
 * Matches text (len bytes).  Returns 0 and fills out, or VGL_ENOMATCH with err saying
 * which part failed, at which byte offset and what was found.  out is zeroed on
 * VGL_ENOMATCH.
 */
int vgl_syslog_match(const char *text, size_t len, struct vgl_syslog_fields *out,
                     struct vgl_error *err);

/* Python str-pattern character classes, exposed for tests and for other hand-compiled
 * patterns: \w, \d and \s of one code point. */
bool vgl_syslog_is_word(uint32_t c);
bool vgl_syslog_is_digit(uint32_t c);
bool vgl_syslog_is_space(uint32_t c);

#endif
