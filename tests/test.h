/*
 * tests/test.h: the tiny in-house unit-test harness.
 *
 * A test file defines its cases with TEST(name) { ... } and lists them in
 * TEST_MAIN(T(name1), T(name2), ...).  CHECK_* macros print both sides on failure and let the
 * case continue; the run ends with "N passed, N failed" and exit status 0 only when
 * nothing failed.  A case that calls TEST_SKIP("why") counts as skipped.
 */
#ifndef VGL_TESTS_TEST_H
#define VGL_TESTS_TEST_H

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int vgl_test_failed_checks;
static int vgl_test_skipped;

#define TEST(name) static void name(void)

#define CHECK(cond)                                                                          \
    do {                                                                                     \
        if (!(cond)) {                                                                       \
            fprintf(stderr, "  %s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);      \
            vgl_test_failed_checks++;                                                        \
        }                                                                                    \
    } while (0)

#define CHECK_INT_EQ(a, b)                                                                   \
    do {                                                                                     \
        long long va_ = (long long)(a), vb_ = (long long)(b);                                \
        if (va_ != vb_) {                                                                    \
            fprintf(stderr, "  %s:%d: %s == %s: %lld != %lld\n", __FILE__, __LINE__, #a, #b, \
                    va_, vb_);                                                               \
            vgl_test_failed_checks++;                                                        \
        }                                                                                    \
    } while (0)

#define CHECK_STR_EQ(a, b)                                                                   \
    do {                                                                                     \
        const char *sa_ = (a), *sb_ = (b);                                                   \
        if (!sa_ || !sb_ || strcmp(sa_, sb_) != 0) {                                         \
            fprintf(stderr, "  %s:%d: %s == %s:\n    got      \"%s\"\n    expected \"%s\"\n", \
                    __FILE__, __LINE__, #a, #b, sa_ ? sa_ : "(null)", sb_ ? sb_ : "(null)"); \
            vgl_test_failed_checks++;                                                        \
        }                                                                                    \
    } while (0)

/* Checks that haystack contains needle. */
#define CHECK_STR_CONTAINS(hay, needle)                                                      \
    do {                                                                                     \
        const char *ha_ = (hay), *ne_ = (needle);                                            \
        if (!ha_ || !strstr(ha_, ne_)) {                                                     \
            fprintf(stderr, "  %s:%d: \"%s\" does not contain \"%s\"\n", __FILE__, __LINE__, \
                    ha_ ? ha_ : "(null)", ne_);                                              \
            vgl_test_failed_checks++;                                                        \
        }                                                                                    \
    } while (0)

#define TEST_SKIP(why)                                                                       \
    do {                                                                                     \
        fprintf(stderr, "  skipped: %s\n", why);                                             \
        vgl_test_skipped = 1;                                                                \
        return;                                                                              \
    } while (0)

typedef void (*vgl_test_fn)(void);
struct vgl_test_case {
    const char *name;
    vgl_test_fn fn;
};

static inline int vgl_test_run(const struct vgl_test_case *cases, size_t n)
{
    int passed = 0, failed = 0, skipped = 0;
    const char *only = getenv("VGL_TEST_ONLY");
    for (size_t i = 0; i < n; i++) {
        if (only && strcmp(only, cases[i].name) != 0)
            continue;
        int before = vgl_test_failed_checks;
        vgl_test_skipped = 0;
        cases[i].fn();
        if (vgl_test_failed_checks != before) {
            failed++;
            fprintf(stderr, "FAIL %s\n", cases[i].name);
        } else if (vgl_test_skipped) {
            skipped++;
            fprintf(stderr, "skip %s\n", cases[i].name);
        } else {
            passed++;
        }
    }
    printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
    return failed ? 1 : 0;
}

/* TEST_MAIN(T(case_a), T(case_b), ...) */
#define T(fn) {#fn, fn}
#define TEST_MAIN(...)                                                                       \
    int main(void)                                                                           \
    {                                                                                        \
        static const struct vgl_test_case cases_[] = {__VA_ARGS__};                          \
        return vgl_test_run(cases_, sizeof cases_ / sizeof cases_[0]);                       \
    }

#endif
