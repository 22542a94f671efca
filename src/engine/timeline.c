#include "engine/timeline.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <libavutil/avutil.h>
#include <libavutil/mem.h>

void rd_timeline_init(RdTimeline *t, int declared)
{
    t->declared = FFMAX(declared, 0);
    t->depth = -1;
    t->tail = NULL;
    t->last_dts = INT64_MIN;
    t->next_pts = INT64_MIN;
    t->started = 0;
    t->etb = t->mtb = (AVRational){ 0, 1 };
}

void rd_timeline_grid(RdTimeline *t, AVRational etb, AVRational mtb)
{
    t->etb = etb;
    t->mtb = mtb;
}

/* The time `back` frames of `dur` before s0, on the encoder's grid where
 * the muxer's is finer or as fine (exact there), else in the muxer's. */
static int64_t before(const RdTimeline *t, int64_t s0, int64_t dur, int back)
{
    if (t->etb.num > 0 && t->mtb.num > 0 && av_cmp_q(t->etb, t->mtb) > 0) {
        int64_t e0 = av_rescale_q(s0, t->mtb, t->etb), de = av_rescale_q(dur, t->mtb, t->etb);
        if (de > 0 && av_rescale_q(e0, t->etb, t->mtb) == s0 &&
            av_rescale_q(de, t->etb, t->mtb) == dur)
            return av_rescale_q(e0 - back * de, t->etb, t->mtb);
    }
    return s0 - back * dur;
}

void rd_timeline_free(RdTimeline *t)
{
    av_freep(&t->tail);
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Index of the first element >= v in the ascending s[0..n). */
static int lower_bound(const int64_t *s, int n, int64_t v)
{
    int lo = 0, hi = n;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (s[mid] < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int rd_timeline_depth(AVPacket *const *pkts, int n)
{
    int64_t *s = av_malloc_array(n ? n : 1, sizeof(*s));
    int m = 0, d = 0, k = 0;

    if (!s)
        return AVERROR(ENOMEM);
    for (int i = 0; i < n; i++)
        if (pkts[i]->pts != AV_NOPTS_VALUE)
            s[m++] = pkts[i]->pts;
    qsort(s, m, sizeof(*s), cmp_i64);
    for (int i = 0; i < n; i++)
        if (pkts[i]->pts != AV_NOPTS_VALUE) {
            d = FFMAX(d, k - lower_bound(s, m, pkts[i]->pts));
            k++;
        }
    av_free(s);
    return d;
}

/* Frames lacking a presentation time follow the frame before them: no
 * arithmetic on AV_NOPTS_VALUE. */
static void fill_pts(RdTimeline *t, AVPacket **pkts, int n)
{
    for (int i = 0; i < n; i++) {
        AVPacket *p = pkts[i];
        if (p->pts == AV_NOPTS_VALUE)
            p->pts = t->next_pts == INT64_MIN ? 0 : t->next_pts;
        if (p->pts < INT64_MAX - FFMAX(p->duration, 1))
            t->next_pts = FFMAX(t->next_pts, p->pts + FFMAX(p->duration, 1));
    }
}

/* The encoder's own lag, in frames: how many packets it emits before the
 * presentation time its decode timestamps have reached. */
static int encoder_lag(AVPacket **pkts, int n, const int64_t *s)
{
    int lag = 0;
    for (int k = 0; k < n; k++)
        if (pkts[k]->dts != AV_NOPTS_VALUE) {
            int upto = lower_bound(s, n, pkts[k]->dts);
            if (upto < n && s[upto] == pkts[k]->dts)
                upto++;
            lag = FFMAX(lag, k + 1 - upto);
        }
    return lag;
}

static int has_dts(AVPacket **pkts, int n)
{
    for (int k = 0; k < n; k++)
        if (pkts[k]->dts != AV_NOPTS_VALUE)
            return 1;
    return 0;
}

/* The first chunk fixes D and the D times before the stream's first frame:
 * the CLI writes the encoder's own decode times, so D is their lag where
 * the encoder gives them and the chunk is long enough to show it (libx264
 * declares 2 before x264 finds that lossless coding has no B-frames, and
 * then lags 0); without them, or in a chunk too short to show the lag,
 * what the encoder declares. Never less than the packets' own depth. */
static int start(RdTimeline *t, AVPacket **pkts, int n, const int64_t *s, int depth)
{
    int lag = encoder_lag(pkts, n, s);
    int d = FFMAX(depth, has_dts(pkts, n) && n > t->declared ? lag : FFMAX(t->declared, lag));
    int64_t dur = 1;

    for (int i = 0; i < n; i++)
        if (pkts[i]->pts == s[0])
            dur = FFMAX(pkts[i]->duration, 1);
    if (!(t->tail = av_calloc(d + 1, sizeof(*t->tail))))
        return AVERROR(ENOMEM);
    if (s[0] < INT64_MIN / 2 || dur > INT64_MAX / 2 / (d + 1))
        return AVERROR(ERANGE);
    for (int j = 0; j < d; j++)
        t->tail[j] = before(t, s[0], dur, d - j);
    t->depth = d;
    return 0;
}

/* dts[k] = all[k] where all = the D times before this chunk, then its own;
 * each at most its packet's pts and below the next one's bound. */
static int place(RdTimeline *t, AVPacket **pkts, int n, int64_t *all, int chunk,
                 char *err, int errlen)
{
    int d = t->depth;
    int64_t up = INT64_MAX;

    for (int k = n - 1; k >= 0; k--) {
        up = FFMIN(pkts[k]->pts, up);
        pkts[k]->dts = FFMIN(all[k], up);
        up = pkts[k]->dts - 1;
    }
    if (pkts[0]->dts <= t->last_dts) {
        int deep = rd_timeline_depth(pkts, n);
        if (deep > d)
            snprintf(err, errlen, "chunk %d: its encoder reorders %d frames deep, more than the "
                     "first chunk's %d, and the time base leaves no room between frames",
                     chunk, deep, d);
        else
            snprintf(err, errlen, "chunk %d: its frames start before the previous chunk's end", chunk);
        return AVERROR(EINVAL);
    }
    for (int j = 0; j < d; j++)
        t->tail[j] = all[n + j];
    t->last_dts = pkts[n - 1]->dts;
    return 0;
}

int rd_timeline_assign(RdTimeline *t, AVPacket **pkts, int n, int chunk, char *err, int errlen)
{
    int64_t *s = NULL, *all = NULL;
    int ret, depth;

    if (n <= 0)
        return 0;
    fill_pts(t, pkts, n);
    if (!(s = av_malloc_array(n, sizeof(*s)))) {
        ret = AVERROR(ENOMEM);
        goto end;
    }
    for (int i = 0; i < n; i++)
        s[i] = pkts[i]->pts;
    qsort(s, n, sizeof(*s), cmp_i64);
    for (int i = 1; i < n; i++)
        if (s[i] == s[i - 1]) {
            snprintf(err, errlen, "chunk %d: two frames at the same time (%" PRId64 "): ffmpeg "
                     "writes both with times its muxer shifts (as -fps_mode passthrough does), render "
                     "refuses; -fps_mode cfr or vfr drops one", chunk, s[i]);
            ret = AVERROR(EINVAL);
            goto end;
        }
    if ((depth = ret = rd_timeline_depth(pkts, n)) < 0)
        goto end;
    if (!t->started && (ret = start(t, pkts, n, s, depth)) < 0)
        goto end;
    if (!(all = av_malloc_array(n + t->depth + 1, sizeof(*all)))) {
        ret = AVERROR(ENOMEM);
        goto end;
    }
    for (int j = 0; j < t->depth; j++)
        all[j] = t->tail[j];
    for (int i = 0; i < n; i++)
        all[t->depth + i] = s[i];
    if ((ret = place(t, pkts, n, all, chunk, err, errlen)) < 0)
        goto end;
    t->started = 1;
end:
    av_free(all);
    av_free(s);
    return ret;
}
