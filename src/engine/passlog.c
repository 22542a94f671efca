#include "engine/passlog.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <libavutil/bprint.h>
#include <libavutil/error.h>
#include <libavutil/mem.h>
#include <libavutil/sha.h>

#include "engine/resume.h"
#include "io/outfile.h"

#define MBTREE ".mbtree"
#define MAX_LOG (INT64_C(1) << 34)   /* 16 GiB: more is no log render wrote */

/* Lines that only the container changes: not the second pass's business. */
static int container_line(const char *l)
{
    return !strncmp(l, "global_header=", 14) || !strncmp(l, "stream.extradata=", 17);
}

int rd_passlog_key(char **key, const char *resume_key)
{
    AVBPrint bp;
    av_bprint_init(&bp, 0, AV_BPRINT_SIZE_UNLIMITED);
    for (const char *l = resume_key; l && *l; ) {
        const char *nl = strchr(l, '\n');
        size_t len = nl ? (size_t)(nl - l + 1) : strlen(l);
        if (!container_line(l))
            av_bprintf(&bp, "%.*s", (int)len, l);
        l += len;
    }
    if (!av_bprint_is_complete(&bp)) {
        av_bprint_finalize(&bp, NULL);
        return AVERROR(ENOMEM);
    }
    return av_bprint_finalize(&bp, key);
}

static void digest(const uint8_t *d, size_t n, char hex[65])
{
    struct AVSHA *ctx = av_sha_alloc();
    uint8_t h[32] = { 0 };
    if (ctx) {
        av_sha_init(ctx, 256);
        av_sha_update(ctx, d, n);
        av_sha_final(ctx, h);
        av_free(ctx);
    }
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", h[i]);
}

/* A whole file into memory (NULL, 0 when it does not exist: a chunk
 * x264 wrote no macroblock-tree stats for). */
static int slurp(const char *path, uint8_t **buf, size_t *len, int must)
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), ret = 0;
    size_t got = 0;
    *buf = NULL;
    *len = 0;
    if (fd < 0)
        return errno == ENOENT && !must ? 0 : AVERROR(errno);
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > MAX_LOG) {
        ret = AVERROR(EINVAL);
        goto end;
    }
    if (!(*buf = av_malloc(st.st_size + 1))) {
        ret = AVERROR(ENOMEM);
        goto end;
    }
    while (got < (size_t)st.st_size) {
        ssize_t k = read(fd, *buf + got, st.st_size - got);
        if (k <= 0) {
            ret = k < 0 ? AVERROR(errno) : AVERROR(EIO);
            goto end;
        }
        got += k;
    }
    (*buf)[got] = 0;
    *len = got;
end:
    if (ret < 0)
        av_freep(buf);
    close(fd);
    return ret;
}

static int write_all(int fd, const void *d, size_t n)
{
    const uint8_t *p = d;
    while (n) {
        ssize_t k = write(fd, p, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return k < 0 ? AVERROR(errno) : AVERROR(EIO);
        p += k;
        n -= k;
    }
    return 0;
}

/* The log's bytes, all in memory (stats are small next to the video). */
static int compose(AVBPrint *bp, const char *key, const RdPlan *plan, const RdRateCtl *rc,
                   char *err, int errlen)
{
    av_bprintf(bp, RD_PASSLOG_MAGIC "key %zu\n%s\n", strlen(key), key);
    av_bprintf(bp, "plan %d %" PRId64 " %.17g %d %.17g %.17g\n", plan->n, plan->wasted, plan->work,
               plan->cut_joins, plan->start_share, plan->key_share);
    for (int i = 0; i < plan->n; i++) {
        const RdChunkPlan *c = &plan->c[i];
        char name[RD_RC_NAME + 16];
        uint8_t *st = NULL, *mb = NULL;
        size_t sl = 0, ml = 0;
        int ret;
        if (i >= rc->n || !rc->c[i].stats[0] ||
            (ret = slurp(rc->c[i].stats, &st, &sl, 1)) < 0) {
            snprintf(err, errlen, "chunk %d's first-pass stats are missing", i);
            return AVERROR(EINVAL);
        }
        snprintf(name, sizeof(name), "%s" MBTREE, rc->c[i].stats);
        if ((ret = slurp(name, &mb, &ml, 0)) < 0) {
            av_free(st);
            snprintf(err, errlen, "%s: %s", name, av_err2str(ret));
            return ret;
        }
        av_bprintf(bp, "chunk %" PRId64 " %" PRId64 " %" PRId64 " %" PRId64 " %" PRId64 " %.17g %" PRId64
                   " %zu %zu\n", c->first, c->last, c->preroll_from, c->seek_from, c->postroll_to,
                   c->cost, rc->c[i].pass1_bytes, sl, ml);
        av_bprint_append_data(bp, (const char *)st, sl);
        av_bprint_append_data(bp, (const char *)mb, ml);
        av_bprintf(bp, "\n");
        av_free(st);
        av_free(mb);
    }
    return av_bprint_is_complete(bp) ? 0 : AVERROR(ENOMEM);
}

int rd_passlog_write(const char *path, const char *key, const RdPlan *plan, const RdRateCtl *rc,
                     char *err, int errlen)
{
    AVBPrint bp;
    char tmp[4200] = "", hex[65];
    int fd = -1, ret;

    av_bprint_init(&bp, 0, AV_BPRINT_SIZE_UNLIMITED);
    if ((ret = compose(&bp, key, plan, rc, err, errlen)) < 0)
        goto end;
    digest((const uint8_t *)bp.str, bp.len, hex);
    av_bprintf(&bp, "sha256 %s\n", hex);
    if (!av_bprint_is_complete(&bp)) {
        ret = AVERROR(ENOMEM);
        goto end;
    }
    if ((fd = rd_outfile_create(path, RD_OUTFILE_TMP, tmp, sizeof(tmp))) < 0) {
        ret = fd;
        snprintf(err, errlen, "cannot create: %s", av_err2str(ret));
        goto end;
    }
    ret = write_all(fd, bp.str, bp.len);
    if (ret >= 0 && fsync(fd) < 0)
        ret = AVERROR(errno);
    if (close(fd) < 0 && ret >= 0)
        ret = AVERROR(errno);
    fd = -1;
    if (ret < 0) {
        snprintf(err, errlen, "cannot write: %s", av_err2str(ret));
        goto end;
    }
    /* As ffmpeg does with its log: the last -pass 1 replaces it. */
    if ((ret = rd_outfile_commit(tmp, path, 1)) < 0)
        snprintf(err, errlen, "cannot rename the log into place: %s", av_err2str(ret));
    *tmp = 0;
end:
    if (*tmp)
        rd_outfile_discard(tmp);
    av_bprint_finalize(&bp, NULL);
    return ret;
}

void rd_passlog_free(RdPassLog *log)
{
    for (int i = 0; log->c && i < log->plan.n; i++) {
        av_freep(&log->c[i].stats);
        av_freep(&log->c[i].mbtree);
    }
    av_freep(&log->c);
    rd_plan_free(&log->plan);
}

/* A cursor over the log's bytes. */
typedef struct Cur {
    const uint8_t *p, *end;
} Cur;

/* The next line (without its '\n') into buf; -1 when there is none. */
static int next_line(Cur *c, char *buf, size_t len)
{
    const uint8_t *nl = memchr(c->p, '\n', c->end - c->p);
    size_t n;
    if (!nl || (n = nl - c->p) >= len)
        return -1;
    memcpy(buf, c->p, n);
    buf[n] = 0;
    c->p = nl + 1;
    return 0;
}

static int take(Cur *c, size_t n, uint8_t **out)
{
    if ((size_t)(c->end - c->p) < n)
        return -1;
    if (out) {
        if (!(*out = av_malloc(n + 1)))
            return -1;
        memcpy(*out, c->p, n);
    }
    c->p += n;
    return 0;
}

/* The chunks cover [0, nframes) in order, each as the planner makes them. */
static int plan_fits(const RdPlan *p, int64_t nframes)
{
    int64_t at = 0;
    for (int i = 0; i < p->n; i++) {
        const RdChunkPlan *c = &p->c[i];
        if (c->first != at || c->last <= c->first || c->preroll_from > c->first ||
            c->seek_from > c->preroll_from || c->seek_from < 0 || c->postroll_to < c->last ||
            c->postroll_to > nframes)
            return 0;
        at = c->last;
    }
    return p->n > 0 && at == nframes;
}

static int parse(RdPassLog *log, Cur *c, const char *key, int64_t nframes, char *err, int errlen)
{
    char line[512], diff[400];
    size_t klen;
    uint8_t *then = NULL;
    int n, d;

    if (next_line(c, line, sizeof(line)) < 0 || sscanf(line, "key %zu", &klen) != 1 ||
        take(c, klen, &then) < 0 || take(c, 1, NULL) < 0)
        return -1;
    then[klen] = 0;
    if ((d = rd_resume_key_diff((const char *)then, key, diff, sizeof(diff)))) {
        snprintf(err, errlen, "written by -pass 1 for %s (%s); run -pass 1 again",
                 d == 1 ? "another input" : "other settings", diff);
        av_free(then);
        return AVERROR(EINVAL);
    }
    av_free(then);
    if (next_line(c, line, sizeof(line)) < 0 ||
        sscanf(line, "plan %d %" SCNd64 " %lg %d %lg %lg", &n, &log->plan.wasted, &log->plan.work,
               &log->plan.cut_joins, &log->plan.start_share, &log->plan.key_share) != 6 ||
        n < 1 || n > nframes)
        return -1;
    if (!(log->plan.c = calloc(n, sizeof(*log->plan.c))) || !(log->c = av_calloc(n, sizeof(*log->c))))
        return AVERROR(ENOMEM);
    log->plan.n = n;
    for (int i = 0; i < n; i++) {
        RdChunkPlan *p = &log->plan.c[i];
        RdPassLogChunk *k = &log->c[i];
        if (next_line(c, line, sizeof(line)) < 0 ||
            sscanf(line, "chunk %" SCNd64 " %" SCNd64 " %" SCNd64 " %" SCNd64 " %" SCNd64 " %lg %" SCNd64
                   " %zu %zu", &p->first, &p->last, &p->preroll_from, &p->seek_from, &p->postroll_to,
                   &p->cost, &k->pass1_bytes, &k->stats_len, &k->mbtree_len) != 9 ||
            k->pass1_bytes < 0 || take(c, k->stats_len, &k->stats) < 0 ||
            take(c, k->mbtree_len, &k->mbtree) < 0 || take(c, 1, NULL) < 0 || c->p[-1] != '\n')
            return -1;
    }
    return plan_fits(&log->plan, nframes) ? 0 : -1;
}

int rd_passlog_read(RdPassLog *log, const char *path, const char *key, int64_t nframes,
                    char *err, int errlen)
{
    uint8_t *buf = NULL;
    size_t len = 0, ml = strlen(RD_PASSLOG_MAGIC), body;
    char hex[65], want[80];
    Cur c;
    int ret;

    memset(log, 0, sizeof(*log));
    if ((ret = slurp(path, &buf, &len, 1)) < 0) {
        snprintf(err, errlen, ret == AVERROR(ENOENT) ? "no such log: run the same line with -pass 1 first"
                 : "cannot read the log: %s", av_err2str(ret));
        return ret;
    }
    if (len < ml || memcmp(buf, RD_PASSLOG_MAGIC, ml)) {
        snprintf(err, errlen, "not a log render's -pass 1 wrote (ffmpeg's own logs are not read)");
        ret = AVERROR_INVALIDDATA;
        goto end;
    }
    /* The checksum line closes the file: "sha256 " 64 hex digits "\n". */
    body = len >= 72 ? len - 72 : 0;
    digest(buf, body, hex);
    snprintf(want, sizeof(want), "sha256 %s\n", hex);
    if (body < ml || memcmp(buf + body, want, 72)) {
        snprintf(err, errlen, "damaged (its checksum does not match); run -pass 1 again");
        ret = AVERROR_INVALIDDATA;
        goto end;
    }
    c.p = buf + ml;
    c.end = buf + body;
    if ((ret = parse(log, &c, key, nframes, err, errlen)) == -1 || (ret >= 0 && c.p != c.end)) {
        snprintf(err, errlen, "damaged (its contents do not read as a log); run -pass 1 again");
        ret = AVERROR_INVALIDDATA;
    }
end:
    av_free(buf);
    if (ret < 0)
        rd_passlog_free(log);
    return ret;
}
