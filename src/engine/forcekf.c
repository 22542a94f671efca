#include "engine/forcekf.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libavutil/avutil.h>
#include <libavutil/error.h>
#include <libavutil/mathematics.h>
#include <libavutil/mem.h>
#include <libavutil/parseutils.h>

enum { N, N_FORCED, PREV_FORCED_N, PREV_FORCED_T, T };
static const char *const NAMES[] = { "n", "n_forced", "prev_forced_n", "prev_forced_t", "t", NULL };

static int cmp64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* One word of the list: a time as ffmpeg's parse_time (a duration:
 * seconds or [-][HH:]MM:SS[.m...]). */
static int read_time(const char *p, size_t len, int64_t *us, char *err, int errlen)
{
    char word[64];
    snprintf(word, sizeof(word), "%.*s", (int)FFMIN(len, sizeof(word) - 1), p);
    if (len >= sizeof(word) || av_parse_time(us, word, 1) < 0) {
        snprintf(err, errlen, "-force_key_frames: '%s' is not a time (or chapters, expr:..., source)", word);
        return AVERROR(EINVAL);
    }
    return 0;
}

/* "T1,T2,...", in the encoder's time base, sorted. An entry
 * "chapters[+-DELTA]" stands for every chapter start of `chap` (the
 * output's), each moved by DELTA, rescaled as ffmpeg 5.1 does
 * (parse_forced_key_frames: the start and the delta each on their own). */
static int read_list(RdForceKf *k, const char *spec, AVRational tb, const AVFormatContext *chap,
                     char *err, int errlen)
{
    const char *p = spec;
    int words = 1, n = 0, nchap = chap ? (int)chap->nb_chapters : 0;
    int ret;
    for (const char *c = spec; *c; c++)
        words += *c == ',';
    if (!(k->list = av_malloc_array(words * (int64_t)FFMAX(nchap, 1), sizeof(*k->list))))
        return AVERROR(ENOMEM);
    for (int i = 0; i < words; i++) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        int64_t us = 0;
        if (!strncmp(p, "chapters", 8)) {
            if (len > 8 && (ret = read_time(p + 8, len - 8, &us, err, errlen)) < 0)
                return ret;
            for (int c = 0; c < nchap; c++)
                k->list[n++] = av_rescale_q(chap->chapters[c]->start, chap->chapters[c]->time_base, tb) +
                               av_rescale_q(us, AV_TIME_BASE_Q, tb);
        } else {
            if ((ret = read_time(p, len, &us, err, errlen)) < 0)
                return ret;
            k->list[n++] = av_rescale_q(us, AV_TIME_BASE_Q, tb);
        }
        p = end ? end + 1 : p + len;
    }
    qsort(k->list, n, sizeof(*k->list), cmp64);
    k->nlist = n;
    return 0;
}

int rd_forcekf_open(RdForceKf *k, const char *spec, AVRational tb, const AVFormatContext *chap,
                    char *err, int errlen)
{
    int ret;
    memset(k, 0, sizeof(*k));
    k->ref = AV_NOPTS_VALUE;
    k->tb = tb;
    if (!strncmp(spec, "expr:", 5)) {
        if ((ret = av_expr_parse(&k->expr, spec + 5, NAMES, NULL, NULL, NULL, NULL, 0, NULL)) < 0) {
            snprintf(err, errlen, "-force_key_frames: invalid expression '%s'", spec + 5);
            return AVERROR(EINVAL);
        }
        k->v[PREV_FORCED_N] = k->v[PREV_FORCED_T] = NAN;
        return 0;
    }
    /* ffmpeg 5.1 reads "source_no_drop" too; its dropped-keyframe carry is not done here. */
    if (!strncmp(spec, "source", 6)) {
        if (strcmp(spec, "source")) {
            snprintf(err, errlen, "-force_key_frames %s: only 'source' of the source modes is supported", spec);
            return AVERROR(EINVAL);
        }
        k->source = 1;
        return 0;
    }
    return read_list(k, spec, tb, chap, err, errlen);
}

int rd_forcekf_next(RdForceKf *k, int64_t pts, int key)
{
    if (k->ref == AV_NOPTS_VALUE)
        k->ref = pts;
    /* The order of do_video_out: the list, else the expression, else source. */
    if (k->next < k->nlist && pts >= k->list[k->next]) {
        k->next++;
        return 1;
    }
    if (k->expr) {
        int forced;
        k->v[T] = (pts - k->ref) * av_q2d(k->tb);
        forced = av_expr_eval(k->expr, k->v, NULL) != 0;
        if (forced) {
            k->v[PREV_FORCED_N] = k->v[N];
            k->v[PREV_FORCED_T] = k->v[T];
            k->v[N_FORCED] += 1;
        }
        k->v[N] += 1;
        return forced;
    }
    return k->source && key;
}

void rd_forcekf_free(RdForceKf *k)
{
    av_freep(&k->list);
    av_expr_free(k->expr);
    k->expr = NULL;
}

int rd_forcekf_plan(RdForceKfPlan *fp, const char *spec, AVRational tb, const AVFormatContext *chap,
                    const RdSyncFrame *table, const uint8_t *key, int64_t n, char *err, int errlen)
{
    RdForceKf k;
    int64_t total = 0, m = 0, first = 0;
    int seen = 0;
    int ret;

    memset(fp, 0, sizeof(*fp));
    if ((ret = rd_forcekf_open(&k, spec, tb, chap, err, errlen)) < 0)
        goto end;
    for (int64_t i = 0; i < n; i++)
        total += table[i].copies;
    fp->ticks = av_malloc_array(total ? total : 1, sizeof(*fp->ticks));
    fp->anchor = av_mallocz(n ? n : 1);
    if (!fp->ticks || !fp->anchor) {
        ret = AVERROR(ENOMEM);
        goto end;
    }
    for (int64_t i = 0; i < n; i++)
        for (int64_t c = 0; c < table[i].copies; c++)
            if (rd_forcekf_next(&k, table[i].pts + c, !c && key && key[i]))
                fp->ticks[m++] = table[i].pts + c;
    fp->nticks = m;
    /* A chunk from frame i starts with the first copy of the first frame
     * at or after i that has one. */
    for (int64_t i = n - 1; i >= 0; i--) {
        if (table[i].copies > 0)
            first = table[i].pts, seen = 1;
        fp->anchor[i] = seen && rd_forcekf_is_forced(fp->ticks, m, first);
    }
end:
    rd_forcekf_free(&k);
    return ret;
}

int rd_forcekf_is_forced(const int64_t *ticks, int64_t nticks, int64_t pts)
{
    int64_t lo = 0, hi = nticks;
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (ticks[mid] < pts)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < nticks && ticks[lo] == pts;
}

void rd_forcekf_plan_free(RdForceKfPlan *fp)
{
    av_freep(&fp->ticks);
    av_freep(&fp->anchor);
    fp->nticks = 0;
}
