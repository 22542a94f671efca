#include "ui/procstat.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <libavutil/error.h>

/* Hand-rolled: strtoull honours the locale and would accept signs. */
static const char *parse_u64(const char *s, uint64_t *v)
{
    while (*s == ' ' || *s == '\t')
        s++;
    if (*s < '0' || *s > '9')
        return NULL;
    uint64_t x = 0;
    while (*s >= '0' && *s <= '9')
        x = x * 10 + (uint64_t)(*s++ - '0');
    *v = x;
    return s;
}

/* One "cpuN f1 f2 ..." line; returns 0 or -1 when it is not one. */
static int parse_line(const char *s, RdCpuTimes *t)
{
    uint64_t id, f[8] = {0};
    int n = 0;

    if (!(s = parse_u64(s + 3, &id)) || (*s != ' ' && *s != '\t'))
        return -1;
    /* Kernels before 2.6 have 4 fields; later ones up to 10 (guest, guest_nice
     * are already included in user and nice, so the first 8 make the total). */
    while (n < 8) {
        const char *e = parse_u64(s, &f[n]);
        if (!e)
            break;
        s = e;
        n++;
    }
    if (n < 4)
        return -1;
    t->id    = (int)id;
    t->idle  = f[3] + f[4];
    t->total = f[0] + f[1] + f[2] + f[3] + f[4] + f[5] + f[6] + f[7];
    return 0;
}

int rd_procstat_parse(const char *text, RdCpuTimes *out, int max)
{
    int found = 0;
    const char *s = text;

    while (*s) {
        const char *eol = strchr(s, '\n');
        if (!strncmp(s, "cpu", 3)) {
            RdCpuTimes t;
            if (s[3] >= '0' && s[3] <= '9' && !parse_line(s, &t)) {
                if (found < max)
                    out[found] = t;
                found++;
            }
        } else if (found) {
            break; /* past the cpu block */
        }
        if (!eol)
            break;
        s = eol + 1;
    }
    return found ? found : AVERROR_INVALIDDATA;
}

double rd_procstat_busy(const RdCpuTimes *prev, const RdCpuTimes *cur)
{
    uint64_t didle  = cur->idle  > prev->idle  ? cur->idle  - prev->idle  : 0;
    uint64_t dtotal = cur->total > prev->total ? cur->total - prev->total : 0;

    if (!dtotal || didle >= dtotal)
        return 0.0;
    return 1.0 - (double)didle / (double)dtotal;
}

void rd_procstat_sum(const RdCpuTimes *t, int n, RdCpuTimes *sum)
{
    sum->id = -1;
    sum->idle = sum->total = 0;
    for (int i = 0; i < n; i++) {
        sum->idle  += t[i].idle;
        sum->total += t[i].total;
    }
}

int rd_procstat_read(const char *path, char *buf, size_t size)
{
    size_t len = 0;
    int fd, ret = 0;

    if (size < 2)
        return AVERROR(EINVAL);
    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
        return AVERROR(errno);
    while (len < size - 1) {
        ssize_t n = read(fd, buf + len, size - 1 - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            ret = AVERROR(errno);
            break;
        }
        if (n == 0)
            break;
        len += (size_t)n;
    }
    close(fd);
    if (ret < 0)
        return ret;
    /* A full buffer may end mid-line, and a cut number would read as a
     * smaller one: keep whole lines only. */
    while (len > 0 && buf[len - 1] != '\n')
        len--;
    buf[len] = '\0';
    return (int)len;
}
