#include "engine/cliseek.h"

#include <stdio.h>
#include <math.h>
#include <libavformat/avformat.h>
#include <libavcodec/avcodec.h>

#include "engine/engine.h"
#include "engine/probe.h"
#include "streams/tracks.h"
#include "streams/tsfix.h"
#include "io/input.h"

/* The index of the frame shown at `t`, or -1 when no frame has that time. */
static int64_t frame_index(const int64_t *pts, int64_t n, int64_t t)
{
    int64_t lo = 0, hi = n;
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (pts[mid] < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && pts[lo] == t ? lo : -1;
}

typedef struct Walk {
    const int64_t *pts;
    const uint8_t *key;
    int64_t n, target;
    int64_t damaged;   ///< the first output frame at or after target that is no random-access point, or INT64_MIN
    int64_t first;     ///< the first random-access frame out, or INT64_MIN
} Walk;

/* One frame out of the decoder: 1 when it is the first random-access one. */
static int take_frame(Walk *w, const AVFrame *f)
{
    int64_t t = f->best_effort_timestamp, i;
    if (t == AV_NOPTS_VALUE)
        t = f->pts;
    i = t == AV_NOPTS_VALUE ? -1 : frame_index(w->pts, w->n, t);
    if (i >= 0 && w->key[i]) {
        w->first = t;
        return 1;
    }
    if (w->damaged == INT64_MIN && (t == AV_NOPTS_VALUE || t >= w->target))
        w->damaged = t;
    return 0;
}

static int decode_until_key(Walk *w, AVFormatContext *ic, AVCodecContext *dec, int vindex,
                            const RdTsJumps *jumps)
{
    RdTsFix fix;
    AVPacket *pkt = av_packet_alloc();
    AVFrame *f = av_frame_alloc();
    int ret = 0, eof = 0, done = 0, sent = 0;
    if (!pkt || !f) {
        ret = AVERROR(ENOMEM);
        goto end;
    }
    /* The probe's times are the CLI's, corrected (tsjump.h). */
    rd_tsfix_init(&fix, ic, ic->streams[vindex], 0);
    rd_tsfix_use(&fix, jumps);
    while (!done && !eof) {
        if ((ret = av_read_frame(ic, pkt)) < 0) {
            eof = 1;
            ret = avcodec_send_packet(dec, NULL);
        } else if (pkt->stream_index != vindex) {
            av_packet_unref(pkt);
            continue;
        } else {
            /* An MP4 edit list's hidden start: the seek landed on the
             * keyframe its hidden packets begin with, and the pictures
             * shown after them are all whole (decoded from there). */
            if (!sent++ && (pkt->flags & AV_PKT_FLAG_KEY) && (pkt->flags & AV_PKT_FLAG_DISCARD) &&
                pkt->pts != AV_NOPTS_VALUE && pkt->pts < w->target) {
                w->first = pkt->pts;
                done = 1;
            }
            if (jumps)
                rd_tsfix_packet(&fix, pkt);
            ret = avcodec_send_packet(dec, pkt);
            av_packet_unref(pkt);
        }
        /* A damaged packet is what the CLI's decoder also skips. */
        if (ret < 0 && ret != AVERROR_INVALIDDATA && ret != AVERROR_EOF)
            goto end;
        while (!done && (ret = avcodec_receive_frame(dec, f)) >= 0) {
            done = take_frame(w, f);
            av_frame_unref(f);
        }
        ret = ret == AVERROR(EAGAIN) || ret == AVERROR_EOF || ret == AVERROR_INVALIDDATA ? 0 : ret;
        if (ret < 0)
            goto end;
    }
end:
    av_frame_free(&f);
    av_packet_free(&pkt);
    return ret;
}

int rd_cliseek_first(const char *path, int vindex, double seek_s, const RdTsJumps *jumps, int64_t target,
                     const int64_t *pts, const uint8_t *key, int64_t n,
                     int64_t *first, char *err, int errlen)
{
    AVFormatContext *ic = NULL;
    AVCodecContext *dec = NULL;
    Walk w = { pts, key, n, target, INT64_MIN, INT64_MIN };
    int64_t ts;
    int ret;

    *first = INT64_MIN;
    if ((ret = rd_input_open(&ic, path, -1)) < 0)
        goto end;
    /* As ffmpeg_opt.c seeks (all streams on: they choose the stream the seek goes by). */
    ts = (ic->start_time != AV_NOPTS_VALUE ? ic->start_time : 0) + llrint(seek_s * AV_TIME_BASE);
    ts = rd_tracks_seek_point(ic, ts);
    if (avformat_seek_file(ic, -1, INT64_MIN, ts, ts, 0) < 0)
        goto end;  /* the CLI warns and decodes from the start */
    for (unsigned i = 0; i < ic->nb_streams; i++)
        ic->streams[i]->discard = (int)i == vindex ? AVDISCARD_DEFAULT : AVDISCARD_ALL;
    if ((ret = rd_probe_open_decoder(&dec, ic->streams[vindex])) < 0 ||
        (ret = decode_until_key(&w, ic, dec, vindex, jumps)) < 0)
        goto end;
    if (w.damaged != INT64_MIN && (w.first == INT64_MIN || w.damaged < w.first)) {
        snprintf(err, errlen, "-ss %g: the ffmpeg CLI's seek in this file lands between keyframes, and "
                 "its decoder would show pictures made without their references; put -ss after -i "
                 "(a slower, exact seek) or seek to a keyframe", seek_s);
        ret = AVERROR(ENOSYS);
        goto end;
    }
    if (w.first == INT64_MIN) {
        snprintf(err, errlen, "-ss %g: the ffmpeg CLI's decoder gives no picture after its seek in "
                 "this file", seek_s);
        ret = AVERROR(EINVAL);
        goto end;
    }
    if (w.first > target)
        *first = w.first;
end:
    avcodec_free_context(&dec);
    avformat_close_input(&ic);
    return ret;
}

static void cli_tracks(const RdSettings *s, int vindex, RdTracksConfig *tc)
{
    *tc = (RdTracksConfig){ 0 };
    tc->path = s->input;
    tc->vindex = vindex;
    tc->venc = s->vcodec;
    tc->acodec = s->acodec;
    tc->scodec = s->scodec;
    tc->an = s->no_audio;
    tc->sn = s->no_subs;
    tc->dn = s->no_data;
    tc->vn = s->no_video;
    tc->maps = s->maps;
    tc->nmaps = s->nmaps;
    tc->ff_select = s->ff_select;
    tc->map_video = s->map_video;
}

/* 0 when the input's format is known (pinned) and its timestamps cannot
 * jump: neither the CLI's start correction nor its jump offsets apply, and
 * the input need not be opened again to find the streams it reads. */
static int may_jump(const RdSettings *s)
{
    const AVInputFormat *f = rd_input_format(s->input);
    return !f || (f->flags & AVFMT_TS_DISCONT);
}

int rd_cliseek_start(const RdSettings *s, int vindex, int64_t *start)
{
    RdTracksConfig tc;
    if (!may_jump(s) || s->seek_s > s->seek_out_s || s->itsoffset_s != 0)
        return 0;  /* the CLI's offset is then not minus the file's start */
    cli_tracks(s, vindex, &tc);
    return rd_tracks_cli_start(&tc, s->oformat, s->output, start);
}

int rd_cliseek_jumps(const RdSettings *s, int vindex, int decoded, RdTsJumps **pj)
{
    RdTracksConfig tc;
    uint8_t *used = NULL;
    int nb = 0, n = 0, vdec = -1, ret;
    *pj = NULL;
    if (!may_jump(s))
        return 0;
    cli_tracks(s, vindex, &tc);
    if ((ret = rd_tracks_used(&tc, s->oformat, s->output, &used, &nb)) < 0)
        return 0;  /* the selection's own error comes later, in its words */
    for (int i = 0; i < nb; i++) {
        n += !!used[i];
        if (used[i] == RD_TRACKS_USED_VIDEO && decoded)
            vdec = i;
    }
    /* One copied stream read: its own correction is the file's (tsfix.h),
     * without the extra read. A decoded video's depends on its decoder. */
    ret = n >= 2 || vdec >= 0 ? rd_tsjump_scan(pj, s->input, used, nb, s->seek_s - s->seek_out_s, vdec,
                                               s->dec_threads)
                              : 0;
    av_free(used);
    return ret;
}
