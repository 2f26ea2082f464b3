/*
 * tests/fuzz/fuzz_syslog.c: libFuzzer target for parse/syslogmatch.c.
 *
 * The whole input is the text.  On a match, checks that the four groups are slices of
 * the text in order (timestamp at offset 0) and that the message holds no "\n".
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "parse/syslogmatch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    struct vgl_syslog_fields f;
    struct vgl_error err;
    int rc = vgl_syslog_match(text, size, &f, &err);
    if (rc == VGL_ENOMATCH)
        return 0;
    if (rc != 0)
        abort();
    if (f.timestamp.s != text || f.timestamp.len < 9)
        abort();
    if (f.host.s <= f.timestamp.s + f.timestamp.len || f.host.len == 0)
        abort();
    if (f.application.s <= f.host.s + f.host.len || f.application.len == 0)
        abort();
    if (f.message.s <= f.application.s + f.application.len ||
        f.message.s + f.message.len > text + size)
        abort();
    if (memchr(f.message.s, '\n', f.message.len))
        abort();
    return 0;
}
