/*
 * core/utf8.h: strict UTF-8 decoding of one character, shared by every module that walks
 * text by characters (the JSON writer's checks, the CSV and syslog matchers, Python's
 * str() and repr() emulation, message quoting).
 *
 * Strict means what Python's decoder accepts: no overlong forms, no surrogates, nothing
 * above U+10FFFF, no truncated sequences.
 */
#ifndef VGL_CORE_UTF8_H
#define VGL_CORE_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Decodes the sequence at s (n >= 1 bytes available): returns its length (1-4) and sets
 * *cp, or returns 0 for an invalid or truncated sequence and leaves *cp unchanged. */
static inline size_t vgl_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
    unsigned b = s[0];
    if (b < 0x80) {
        *cp = b;
        return 1;
    }
    size_t len;
    uint32_t c, min;
    if (b >= 0xc2 && b <= 0xdf) {
        len = 2, c = b & 0x1f, min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
        len = 3, c = b & 0x0f, min = 0x800;
    } else if (b >= 0xf0 && b <= 0xf4) {
        len = 4, c = b & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3fu);
    }
    if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
        return 0;
    *cp = c;
    return len;
}

#endif
