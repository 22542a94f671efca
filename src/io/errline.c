#include "io/errline.h"

#include <string.h>

size_t rd_errline_escape(char *buf, size_t len, const char *msg)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)(msg ? msg : ""); *p; p++) {
        char tmp[5];
        size_t k;
        if (*p == '\n')
            k = (size_t)snprintf(tmp, sizeof(tmp), "\\n");
        else if (*p == '\r')
            k = (size_t)snprintf(tmp, sizeof(tmp), "\\r");
        else if (*p == '\t')
            k = (size_t)snprintf(tmp, sizeof(tmp), "\\t");
        else if (*p == '\\')
            k = (size_t)snprintf(tmp, sizeof(tmp), "\\\\");
        else if (*p < 0x20 || *p == 0x7f)
            k = (size_t)snprintf(tmp, sizeof(tmp), "\\x%02x", *p);
        else
            tmp[0] = (char)*p, tmp[1] = 0, k = 1;
        if (len && n + k < len)
            memcpy(buf + n, tmp, k);
        else if (len && n < len)
            len = n + 1; /* stop writing: never half an escape */
        n += k;
    }
    if (len)
        buf[n < len ? n : len - 1] = 0;
    return n;
}

int rd_errline_print(FILE *f, const char *prog, const char *msg)
{
    char small[1024];
    size_t n = rd_errline_escape(small, sizeof(small), msg);
    int ret;
    if (n < sizeof(small))
        return fprintf(f, "%s: %s\n", prog, small);
    /* A long line: escape it piece by piece, never cut. */
    if ((ret = fprintf(f, "%s: ", prog)) < 0)
        return ret;
    for (const char *p = msg; *p; p++) {
        char one[2] = { *p, 0 }, esc[8];
        rd_errline_escape(esc, sizeof(esc), one);
        if ((ret = fputs(esc, f)) < 0)
            return ret;
    }
    return fputc('\n', f) == EOF ? -1 : 0;
}

const char *rd_errline_quote(const char *s, size_t max, char *buf, size_t len)
{
    size_t n = s ? strlen(s) : 0, head, tail;
    if (!s || n <= max || max < 8 || len < max + 1)
        return s ? s : "";
    head = (max - 3) / 2;
    tail = max - 3 - head;
    snprintf(buf, len, "%.*s...%s", (int)head, s, s + n - tail);
    return buf;
}
