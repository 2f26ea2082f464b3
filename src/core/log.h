/*
 * core/log.h: one-line log events to stderr.
 *
 * Every line is "vigil: <level>: <component>: <message>".  The per-record path logs at
 * debug or below.  vgl_log_ratelimited() folds repeats of the same key: it says how many
 * were suppressed when the window passes.  Not thread-safe (one process, one thread).
 */
#ifndef VGL_CORE_LOG_H
#define VGL_CORE_LOG_H

#include <stdbool.h>

enum vgl_log_level {
    VGL_LOG_ERROR,
    VGL_LOG_WARN,
    VGL_LOG_INFO,
    VGL_LOG_DEBUG,
    VGL_LOG_TRACE,
};

void vgl_log_set_level(enum vgl_log_level level);
enum vgl_log_level vgl_log_get_level(void);
bool vgl_log_enabled(enum vgl_log_level level);
/* Parses "error", "warn", "info", "debug", "trace"; returns -1 for anything else. */
int vgl_log_level_parse(const char *s);

void vgl_log(enum vgl_log_level level, const char *component, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define vgl_error(comp, ...)                                    \
    do {                                                        \
        vgl_log(VGL_LOG_ERROR, comp, __VA_ARGS__);              \
    } while (0)
#define vgl_warn(comp, ...)                                     \
    do {                                                        \
        vgl_log(VGL_LOG_WARN, comp, __VA_ARGS__);               \
    } while (0)
#define vgl_info(comp, ...)                                     \
    do {                                                        \
        if (vgl_log_enabled(VGL_LOG_INFO))                      \
            vgl_log(VGL_LOG_INFO, comp, __VA_ARGS__);           \
    } while (0)
#define vgl_debug(comp, ...)                                    \
    do {                                                        \
        if (vgl_log_enabled(VGL_LOG_DEBUG))                     \
            vgl_log(VGL_LOG_DEBUG, comp, __VA_ARGS__);          \
    } while (0)

#endif
