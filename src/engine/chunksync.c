#include "engine/chunksync.h"

#include <stdio.h>
#include <string.h>
#include <libavutil/avutil.h>
#include <libavutil/mathematics.h>

void rd_chunksync_init(RdChunkSync *cs, const RdSyncConfig *cfg, const RdChunkJob *job,
                       AVRational itb, AVRational otb, AVRational enc_tb, AVRational sink_fps,
                       int64_t start_time, int64_t cut_us)
{
    av_frame_free(&cs->last);
    memset(cs, 0, sizeof(*cs));
    cs->cfg = cfg && cfg->mode != RD_SYNC_NONE ? cfg : NULL;
    cs->job = job;
    cs->otb = otb;
    cs->etb = enc_tb;
    /* ffmpeg shifts the packets, in the stream's time base, before the
     * graph: on a 1/25 stream -ss 0.3 takes 8 ticks (0.32 s) off, also
     * from the 1/50 frames yadif=1 makes of them. */
    cs->shift = av_rescale_q(av_rescale_q(start_time - cut_us, AV_TIME_BASE_Q, itb), itb, otb);
    cs->cut_us = cut_us;
    cs->duration = rd_sync_duration(sink_fps, av_inv_q(enc_tb));
}

static int send_copies(AVFrame *f, int64_t pts, int64_t n, RdSyncSend send, void *opaque)
{
    int ret;
    for (int64_t i = 0; i < n; i++) {
        f->pts = pts + i;
        if ((ret = send(opaque, f)) < 0)
            return ret;
    }
    return 0;
}

/* With the engine's table: the copies of the input frame it was made from. */
static int from_table(RdChunkSync *cs, AVFrame *f, int64_t src, RdSyncSend send, void *opaque,
                      char *err, int errlen)
{
    const RdChunkJob *j = cs->job;
    int64_t lo = 0, hi = j->nsync;
    while (lo < hi) {
        int64_t mid = (lo + hi) / 2;
        if (j->sync_src[mid] < src)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (src == AV_NOPTS_VALUE || lo >= j->nsync || j->sync_src[lo] != src) {
        snprintf(err, errlen, "chunk %d: frame sync: a frame the plan does not know", j->index);
        return AVERROR_BUG;
    }
    /* A damaged stream can give two frames of one time: the table has one
     * place for them, so the second is dropped rather than written twice. */
    if (cs->started && j->sync[lo].pts < cs->table_next)
        return 0;
    cs->started = 1;
    cs->table_next = j->sync[lo].pts + j->sync[lo].copies;
    return send_copies(f, j->sync[lo].pts, j->sync[lo].copies, send, opaque);
}

/* Without: the sync run here, the state guessed at the first frame. */
static int local(RdChunkSync *cs, AVFrame *f, int own, RdChunkResult *res, RdSyncSend send,
                 void *opaque, char *err, int errlen)
{
    double x;
    RdSyncStep step;
    int ret = 0;

    if (f->pts == AV_NOPTS_VALUE || (cs->seen_own && !own))
        return 0; /* post-roll: the next chunk's */
    x = rd_sync_time(f->pts - cs->shift, cs->otb, cs->cut_us, cs->etb);
    if (!cs->started) {
        if (cs->job->index == 0)
            rd_sync_start(&cs->st);
        else
            rd_sync_seed(&cs->st, x);
        cs->started = 1;
    }
    rd_sync_step(&cs->st, cs->cfg, x, cs->duration, &step);
    if (own) {
        if (!cs->seen_own) {
            cs->seen_own = 1;
            res->sync_own = 1;
            res->sync_x = x;
            res->sync_dur = cs->duration;
            res->sync_step = step;
            res->sync_first = cs->st;
        }
        res->sync_last = cs->st;
        if (step.nb0 > 0 && cs->last)
            ret = send_copies(cs->last, step.pts, step.nb0, send, opaque);
        else if (step.nb0 > 0 && cs->job->index > 0) {
            snprintf(err, errlen, "chunk %d: frame sync: copies of a frame before the chunk", cs->job->index);
            return AVERROR_BUG;
        }
        if (ret >= 0)
            ret = send_copies(f, step.pts + (cs->last ? step.nb0 : 0),
                              step.nb - (cs->last ? step.nb0 : 0), send, opaque);
        if (ret < 0)
            return ret;
    }
    if (!cs->last && !(cs->last = av_frame_alloc()))
        return AVERROR(ENOMEM);
    av_frame_unref(cs->last);
    return av_frame_ref(cs->last, f);
}

int rd_chunksync_frame(RdChunkSync *cs, AVFrame *f, int own, int64_t src, RdChunkResult *res,
                       RdSyncSend send, void *opaque, char *err, int errlen)
{
    if (cs->job->sync)
        return own ? from_table(cs, f, src, send, opaque, err, errlen) : 0;
    return local(cs, f, own, res, send, opaque, err, errlen);
}

int rd_chunksync_end(RdChunkSync *cs, RdChunkResult *res, RdSyncSend send, void *opaque)
{
    RdSyncStep step;
    (void)res;
    /* The table has the repeats at the end in the last frame's copies. */
    if (cs->job->sync || cs->job->t_end != INT64_MAX || !cs->last || !cs->started)
        return 0;
    rd_sync_end(&cs->st, cs->cfg, &step);
    return send_copies(cs->last, step.pts, step.nb, send, opaque);
}

void rd_chunksync_free(RdChunkSync *cs)
{
    av_frame_free(&cs->last);
}

int rd_chunksync_join(RdSyncState *prev, const RdSyncConfig *cfg, const RdChunkResult *res)
{
    RdSyncState s = *prev;
    RdSyncStep step;
    if (!res->sync_own)
        return 1;
    rd_sync_step(&s, cfg, res->sync_x, res->sync_dur, &step);
    *prev = res->sync_last;
    return step.pts == res->sync_step.pts && step.nb == res->sync_step.nb &&
           step.nb0 == res->sync_step.nb0 && rd_sync_same(&s, &res->sync_first);
}
