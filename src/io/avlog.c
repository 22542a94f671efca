#include "io/avlog.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <libavutil/log.h>

#define LINE 512

static _Thread_local char last[LINE];
static _Thread_local int open_line; ///< the last call did not end its line: the next continues it

static void callback(void *avcl, int level, const char *fmt, va_list vl)
{
    if (level <= AV_LOG_ERROR) {
        va_list copy;
        size_t n = open_line ? strlen(last) : 0;
        va_copy(copy, vl);
        vsnprintf(last + n, sizeof(last) - n, fmt, copy);
        va_end(copy);
        n = strlen(last);
        open_line = n == 0 || last[n - 1] != '\n';
    }
    av_log_default_callback(avcl, level, fmt, vl);
}

void rd_avlog_install(void)
{
    av_log_set_callback(callback);
}

void rd_avlog_clear(void)
{
    last[0] = 0;
    open_line = 0;
}

const char *rd_avlog_last(void)
{
    size_t n = strlen(last);
    while (n && (last[n - 1] == '\n' || last[n - 1] == ' ' || last[n - 1] == '.'))
        last[--n] = 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)last[i] < 0x20)
            last[i] = ' ';
    return last;
}
