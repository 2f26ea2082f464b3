/*
 * core/log.c: stderr logging with a global level.
 */
#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static enum vgl_log_level cur_level = VGL_LOG_WARN;
static const char *const names[] = {"error", "warn", "info", "debug", "trace"};

void vgl_log_set_level(enum vgl_log_level level)
{
    cur_level = level;
}

enum vgl_log_level vgl_log_get_level(void)
{
    return cur_level;
}

bool vgl_log_enabled(enum vgl_log_level level)
{
    return level <= cur_level;
}

int vgl_log_level_parse(const char *s)
{
    for (int i = 0; i < 5; i++)
        if (strcmp(s, names[i]) == 0)
            return i;
    if (strcmp(s, "warning") == 0)
        return VGL_LOG_WARN;
    return -1;
}

void vgl_log(enum vgl_log_level level, const char *component, const char *fmt, ...)
{
    if (level > cur_level)
        return;
    char line[2048];
    int n = snprintf(line, sizeof line, "vigil: %s: %s: ", names[level], component);
    va_list ap;
    va_start(ap, fmt);
    if (n > 0 && (size_t)n < sizeof line)
        vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
    va_end(ap);
    fprintf(stderr, "%s\n", line);
}
