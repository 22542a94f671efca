#include "engine/framesync.h"

#include <math.h>
#include <string.h>
#include <libavutil/common.h>
#include <libavutil/mathematics.h>
#include <libavutil/mem.h>

/* ffmpeg's mid_pred (libavutil/mathops.h): the median of three. */
static int mid_pred(int a, int b, int c)
{
    if (a > b) {
        if (c > b)
            b = c > a ? a : c;
    } else if (b > c)
        b = c > a ? c : a;
    return b;
}

void rd_sync_start(RdSyncState *st)
{
    memset(st, 0, sizeof(*st));
}

void rd_sync_seed(RdSyncState *st, double x)
{
    memset(st, 0, sizeof(*st));
    st->sync = llrint(x);
    st->frames = 1; /* not the stream's first frame */
}

double rd_sync_time(int64_t pts, AVRational tb, int64_t cut_us, AVRational enc_tb)
{
    /* adjust_frame_pts_to_encoder_tb() */
    int extra = av_clip(29 - av_log2(enc_tb.den), 0, 16);
    AVRational fine = { enc_tb.num, enc_tb.den << extra };
    double x = (double)(av_rescale_q(pts, tb, fine) - av_rescale_q(cut_us, AV_TIME_BASE_Q, fine));
    x /= 1 << extra;
    return x + FFSIGN(x) * 1.0 / (1 << 17);
}

static void emit(RdSyncState *st, const RdSyncConfig *cfg, int nb, int nb0, RdSyncStep *out)
{
    if (cfg->max_frames > 0)
        nb = (int)FFMAX(0, FFMIN(nb, cfg->max_frames - st->frames));
    if (cfg->max_tick > 0)
        nb = (int)FFMAX(0, FFMIN(nb, cfg->max_tick - st->sync));
    nb0 = FFMIN(nb0, nb);
    st->last_nb0[2] = st->last_nb0[1];
    st->last_nb0[1] = st->last_nb0[0];
    st->last_nb0[0] = nb0;
    out->pts = st->sync;
    out->nb = nb;
    out->nb0 = nb0;
    st->sync += nb;
    st->frames += nb;
}

void rd_sync_step(RdSyncState *st, const RdSyncConfig *cfg, double x, double duration, RdSyncStep *out)
{
    double d0 = x - st->sync, d = d0 + duration;
    int nb = 1, nb0 = 0;

    /* clipped to the current tick (not in passthrough) */
    if (d0 < 0 && d > 0 && cfg->mode != RD_SYNC_PASS) {
        x = st->sync;
        duration += d0;
        d0 = 0;
    }
    switch (cfg->mode) {
    case RD_SYNC_VSCFR:
        if (st->frames == 0 && d0 >= 0.5) {
            d = duration;
            d0 = 0;
            st->sync = llrint(x);
        }
        /* fall through */
    case RD_SYNC_CFR:
        if (d < -1.1)
            nb = 0;
        else if (d > 1.1) {
            nb = (int)llrintf((float)d);
            if (d0 > 1.1)
                nb0 = (int)llrintf((float)(d0 - 0.6));
        }
        break;
    case RD_SYNC_VFR:
        if (d <= -0.6)
            nb = 0;
        else if (d > 0.6)
            st->sync = llrint(x);
        break;
    default:
        st->sync = llrint(x);
        break;
    }
    emit(st, cfg, nb, nb0, out);
}

void rd_sync_end(RdSyncState *st, const RdSyncConfig *cfg, RdSyncStep *out)
{
    int nb = mid_pred(st->last_nb0[0], st->last_nb0[1], st->last_nb0[2]);
    emit(st, cfg, nb, nb, out);
}

double rd_sync_duration(AVRational sink_fps, AVRational enc_fps)
{
    double d = 0, etb = av_q2d(av_inv_q(enc_fps));
    if (sink_fps.num > 0 && sink_fps.den > 0)
        d = 1 / (av_q2d(sink_fps) * etb);
    return FFMIN(d, 1 / (av_q2d(enc_fps) * etb));
}

int rd_sync_same(const RdSyncState *a, const RdSyncState *b)
{
    return a->sync == b->sync && !memcmp(a->last_nb0, b->last_nb0, sizeof(a->last_nb0));
}

int64_t rd_sync_table(const RdSyncInput *in, RdSyncFrame *out)
{
    RdSyncState st;
    RdSyncStep step;
    AVRational etb = av_inv_q(in->fps);
    int64_t total = 0;

    rd_sync_start(&st);
    for (int64_t i = 0; i < in->n; i++) {
        double x = rd_sync_time(in->pts[i] - in->start, in->tb, in->cut_us, etb), dur = in->cfg.duration;
        /* Without a filter ffmpeg takes the frame's own duration (its packet's). */
        if (in->dur) {
            long d = lrintf((float)(in->dur[i] * av_q2d(in->tb) / av_q2d(etb)));
            if (d > 0)
                dur = d;
        }
        rd_sync_step(&st, &in->cfg, x, dur, &step);
        /* The copies of the previous frame come first; the first frame
         * has none before it and is copied itself. */
        if (i > 0) {
            out[i - 1].copies += step.nb0;
            out[i].pts = step.pts + step.nb0;
            out[i].copies = step.nb - step.nb0;
        } else {
            out[i].pts = step.pts;
            out[i].copies = step.nb;
        }
        total += step.nb;
    }
    if (in->n > 0) {
        rd_sync_end(&st, &in->cfg, &step);
        out[in->n - 1].copies += step.nb;
        total += step.nb;
    }
    return total;
}

int64_t rd_framesync_cfr(const RdSyncInput *in, int64_t *dups, int64_t *drops)
{
    RdSyncFrame *t = av_malloc_array(in->n ? in->n : 1, sizeof(*t));
    RdSyncInput one = *in;
    int64_t total;
    *dups = *drops = 0;
    if (!t)
        return -1;
    total = rd_sync_table(&one, t);
    for (int64_t i = 0; i < in->n; i++)
        *drops += t[i].copies == 0;
    *dups = total - (in->n - *drops);
    av_free(t);
    return *dups + *drops;
}
