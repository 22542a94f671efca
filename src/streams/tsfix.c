#include "streams/tsfix.h"

#include <string.h>
#include <libavutil/mathematics.h>

/* The ffmpeg CLI's -dts_delta_threshold default, seconds. */
#define DTS_DELTA_THRESHOLD 10

void rd_tsfix_init(RdTsFix *t, const AVFormatContext *ic, const AVStream *st, int from_start)
{
    AVRational fr = st->avg_frame_rate.num > 0 && st->avg_frame_rate.den > 0 ? st->avg_frame_rate
                                                                              : st->r_frame_rate;
    memset(t, 0, sizeof(*t));
    t->tb = st->time_base;
    t->discont = !!(ic->iformat->flags & AVFMT_TS_DISCONT);
    if (fr.num <= 0 || fr.den <= 0)
        fr = (AVRational){ 25, 1 };
    t->frame_dur = FFMAX(1, av_rescale_q(1, av_inv_q(fr), t->tb));
    t->last_ts = AV_NOPTS_VALUE;
    t->last_dts = AV_NOPTS_VALUE;
    /* The CLI starts its prediction one decoder delay before zero. */
    t->next_dts = from_start ? -(int64_t)st->codecpar->video_delay * t->frame_dur : AV_NOPTS_VALUE;
}

static int64_t shift(int64_t ts, int64_t by)
{
    return ts == AV_NOPTS_VALUE ? ts : ts + by;
}

void rd_tsfix_use(RdTsFix *t, const RdTsJumps *table)
{
    t->table = table;
    t->at = (RdTsPlace){ -1, 0 };
    t->jumps = rd_tsjump_count(table);
}

void rd_tsfix_packet(RdTsFix *t, AVPacket *pkt)
{
    int64_t dur = pkt->duration > 0 ? pkt->duration : t->frame_dur;

    if (t->table) {
        int64_t off;
        rd_tsjump_place(&t->at, pkt);
        off = rd_tsjump_offset(t->table, pkt->stream_index, &t->at);
        pkt->pts = shift(pkt->pts, off);
        pkt->dts = shift(pkt->dts, off);
    }
    pkt->pts = shift(pkt->pts, t->offset);
    pkt->dts = shift(pkt->dts, t->offset);
    /* As in the CLI, the first packet only starts the prediction. */
    if (t->discont && !t->table && pkt->dts != AV_NOPTS_VALUE && t->last_dts != AV_NOPTS_VALUE) {
        int64_t delta = pkt->dts - t->next_dts;
        int64_t big = av_rescale_q(DTS_DELTA_THRESHOLD, (AVRational){ 1, 1 }, t->tb);
        int64_t tenth = av_rescale_q(1, (AVRational){ 1, 10 }, t->tb);
        if (delta < -big || delta > big ||
            pkt->dts + tenth < t->last_dts) {
            t->offset -= delta;
            pkt->pts = shift(pkt->pts, -delta);
            pkt->dts -= delta;
            t->jumps++;
        }
    }
    if (pkt->dts == AV_NOPTS_VALUE)
        pkt->dts = t->next_dts;
    if (pkt->dts != AV_NOPTS_VALUE) {
        t->last_dts = pkt->dts;
        t->next_dts = pkt->dts + dur;
    }
}

int64_t rd_tsfix_frame(RdTsFix *t, int64_t ts)
{
    if (ts == AV_NOPTS_VALUE) {
        if (t->next_dts != AV_NOPTS_VALUE) {
            ts = t->next_dts;
            t->next_dts += t->frame_dur;
        } else if (t->last_ts != AV_NOPTS_VALUE) {
            ts = t->last_ts + t->frame_dur;
        } else {
            ts = 0;
        }
    }
    t->last_ts = ts;
    return ts;
}
