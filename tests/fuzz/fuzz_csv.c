/*
 * tests/fuzz/fuzz_csv.c: libFuzzer target for parse/csvread.c.
 *
 * Input: byte 0 picks the delimiter, byte 1 the quotechar, byte 2 the escapechar (from
 * small tables that include multi-byte, NUL, CR/LF and "none"); the rest is the text.
 * Each field of the first row is then re-read with the same dialect, as StreamAlert does
 * for nested CSV columns.  Checks the result's invariants besides memory safety.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/error.h"
#include "parse/csvread.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint32_t delims[] = {',', ';', '\t', ' ', '|', 0xa6, '"', '\\', '\n', '\r', 0, 'a'};
static const uint32_t quotes[] = {'"', '\'', VGL_CSV_NONE, 0xa6, ',', '\\', '\n', 0x1f600};
static const uint32_t escapes[] = {VGL_CSV_NONE, '\\', '"', ',', '\r', 0x20ac, '\''};

#define PICK(t, b) ((t)[(b) % (sizeof(t) / sizeof((t)[0]))])

static void check(const struct vgl_csv_rows *rows, size_t len)
{
    size_t bytes = 0;
    for (size_t i = 0; i < rows->nrows; i++) {
        const struct vgl_csv_row *r = &rows->rows[i];
        if (r->nfields > VGL_CSV_MAX_FIELDS)
            abort();
        for (size_t j = 0; j < r->nfields; j++) {
            if (r->fields[j].s[r->fields[j].len] != '\0')
                abort();
            bytes += r->fields[j].len;
        }
    }
    if (bytes > len + 1)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3)
        return 0;
    struct vgl_csv_dialect d = {PICK(delims, data[0]), PICK(quotes, data[1]),
                                PICK(escapes, data[2])};
    const char *text = (const char *)data + 3;
    size_t len = size - 3;

    struct vgl_arena a;
    vgl_arena_init(&a, 0);
    struct vgl_csv_rows rows;
    struct vgl_error err;
    int rc = vgl_csv_read(text, len, &d, &a, &rows, &err);
    if (rc != 0 && rc != VGL_EPARSE && rc != VGL_ELIMIT)
        abort();
    check(&rows, len);
    if (rows.nrows > 0) {
        for (size_t j = 0; j < rows.rows[0].nfields; j++) {
            struct vgl_csv_rows nested;
            const struct vgl_csv_field *f = &rows.rows[0].fields[j];
            vgl_csv_read(f->s, f->len, &d, &a, &nested, NULL);
            check(&nested, f->len);
        }
    }
    vgl_arena_release(&a);
    return 0;
}
