#include "streams/tracks_priv.h"

#include <libavcodec/avcodec.h>

#include "io/avlog.h"

/* Decode times strictly increasing (non-decreasing where the muxer allows
 * it) and never after pts: as the ffmpeg CLI repairs them, with a warning. */
static void fix_dts(RdTracks *t, Track *tr, AVPacket *p)
{
    char d[128];
    if (p->dts != AV_NOPTS_VALUE && p->pts != AV_NOPTS_VALUE && p->dts > p->pts) {
        int64_t a = p->pts, b = p->dts, c = tr->last_dts == AV_NOPTS_VALUE ? b : tr->last_dts + 1;
        /* the median of the three, the ffmpeg CLI's guess */
        p->pts = p->dts = a + b + c - FFMIN3(a, b, c) - FFMAX3(a, b, c);
    }
    if (p->dts != AV_NOPTS_VALUE && tr->last_dts != AV_NOPTS_VALUE &&
        tr->ist->codecpar->codec_type != AVMEDIA_TYPE_DATA) {
        int64_t max = tr->last_dts + t->strict;
        if (p->dts < max) {
            if (!tr->backsteps++)
                rd_tracks_notice(t, "warning", "%s: decode time steps back at %.3f s (previous %.3f s); "
                       "moved forward, as ffmpeg does", rd_tracks_describe(tr->ist, d, sizeof(d)),
                       p->dts * av_q2d(tr->ost->time_base), tr->last_dts * av_q2d(tr->ost->time_base));
            if (p->pts >= p->dts)
                p->pts = FFMAX(p->pts, max);
            p->dts = max;
        }
    }
    if (p->dts != AV_NOPTS_VALUE)
        tr->last_dts = p->dts;
}

/* Whether the CLI had written its header when this copied track's first
 * packet came: the header waits for the video encoder, which opens on the
 * first frame out of the graph, about when the decoder has had 1 + its
 * delay packets. Packets before it wait in a queue, and a stream that
 * queued one keeps the input's time base as its muxing time base
 * (ffmpeg_mux.c of_check_init: "only possible if nothing has been
 * written yet"). */
static int header_later(const RdTracks *t, Track *tr)
{
    if (tr->in_tb_mux < 0 && t->cfg.header_first)
        tr->in_tb_mux = 0;
    if (tr->in_tb_mux < 0) {
        int delay = t->cfg.vindex >= 0 && t->cfg.vindex < (int)t->ic->nb_streams ?
                    t->ic->streams[t->cfg.vindex]->codecpar->video_delay : 0;
        tr->in_tb_mux = t->vpkts < 1 + FFMAX(delay, 0);
    }
    return tr->in_tb_mux;
}

/* Into the output's time base. Copied audio's decode times are counted in
 * samples, as the ffmpeg CLI's copy does (av_rescale_delta), into its
 * muxing time base: the output's (a coarse input time base, Matroska's
 * milliseconds, then gives exact frame steps: 1024 at 44.1 kHz, not 1014
 * and 1015), or the input's where the track's first packet came before
 * the CLI wrote its header (header_later: plain 1014 and 1015), pts = dts. */
static void copied_audio_ts(const RdTracks *t, Track *tr, AVPacket *p)
{
    const AVCodecParameters *par = tr->ist->codecpar;
    int64_t dts = p->dts;
    int dur;
    av_packet_rescale_ts(p, tr->tb, tr->ost->time_base);
    if (tr->kind != K_COPY || par->codec_type != AVMEDIA_TYPE_AUDIO || par->sample_rate <= 0 ||
        dts == AV_NOPTS_VALUE || header_later(t, tr))
        return;
    if (!(dur = av_get_audio_frame_duration2((AVCodecParameters *)par, p->size)))
        dur = par->frame_size;
    p->pts = p->dts = av_rescale_delta(tr->tb, dts, (AVRational){ 1, par->sample_rate }, dur,
                                       &tr->delta_last, tr->ost->time_base);
}

/* One packet in tr->tb, input timeline, to the muxer. */
static int put(RdTracks *t, Track *tr, AVFormatContext *oc, AVPacket *p)
{
    int ret;
    if (tr->cover) {
        p->pts = p->dts = 0;
        p->duration = 0;
    } else {
        int64_t off = av_rescale_q(t->cfg.ts_offset, AV_TIME_BASE_Q, tr->tb);
        if (p->pts != AV_NOPTS_VALUE)
            p->pts += off;
        if (p->dts != AV_NOPTS_VALUE)
            p->dts += off;
        copied_audio_ts(t, tr, p);
        fix_dts(t, tr, p);
    }
    p->stream_index = tr->ost->index;
    p->pos = -1;
    /* The muxer's refusal (a queued packet without a time, written now) is
     * about OUTPUT, in the muxer's words; a full disk is said elsewhere. */
    ret = rd_bsf_write_said(t->bsf, oc, p, t->cfg.output ? t->cfg.output : t->cfg.path, t->why, sizeof(t->why));
    return ret;
}

static int drain_audio(RdTracks *t, Track *tr, AVFormatContext *oc)
{
    int ret;
    while ((ret = rd_audio_receive(tr->audio, t->out)) >= 0)
        if ((ret = put(t, tr, oc, t->out)) < 0)
            return ret;
    return ret == AVERROR(EAGAIN) || ret == AVERROR_EOF ? 0 : ret;
}

/* Encoded audio cut by its graph's output -t trim: an -af that retimes
 * (atempo, asetpts) needs input past the video's end, as ffmpeg reads it.
 * An end found while writing (-frames:v) holds for it too. */
static int trim_ends(const RdTracks *t, const Track *tr)
{
    return tr->out_trim && !t->end_lowered;
}

/* Some track still wants input past the -t clock. */
static int trim_open(const RdTracks *t)
{
    for (int i = 0; i < t->n; i++)
        if (trim_ends(t, &t->t[i]) && !rd_audio_ended(t->t[i].audio))
            return 1;
    return 0;
}

/* Where a track ends, input time: encoded subtitles at the output's
 * recording time only, as the CLI's do_subtitle_out checks no input -t/-to
 * (a copy stops there, as every other stream). */
static int64_t track_end(const RdTracks *t, const Track *tr)
{
    if (!tr->sub_enc || t->end_lowered)
        return t->cfg.end;
    return t->cfg.rec_time > 0 ? t->cfg.rec_time - t->cfg.ts_offset : INT64_MAX;
}

/* An encoded subtitle track still takes packets at `dts` (tb). */
static int subs_open(const RdTracks *t, int64_t dts, AVRational tb)
{
    for (int i = 0; i < t->n; i++) {
        int64_t end = track_end(t, &t->t[i]);
        if (t->t[i].sub_enc && (end == INT64_MAX || av_compare_ts(dts, tb, end, AV_TIME_BASE_Q) < 0))
            return 1;
    }
    return 0;
}

static int route(RdTracks *t, Track *tr, AVFormatContext *oc, AVPacket *p)
{
    int64_t end = track_end(t, tr), at = p->pts;
    int ret;
    /* The CLI ends a copy by its input stream's time; where it also
     * decodes that stream, the time has moved to the packet's end. */
    if (tr->decoded_too && at != AV_NOPTS_VALUE && p->duration > 0)
        at += p->duration;
    if (!tr->cover && !trim_ends(t, tr) && end != INT64_MAX && at != AV_NOPTS_VALUE &&
        av_compare_ts(at, tr->ist->time_base, end, AV_TIME_BASE_Q) >= 0)
        return 0;
    /* Input -ss: ffmpeg's copy (copy_prior_start's default) starts with
     * the packet its demuxer seek lands on, the one that holds the start:
     * the packets that end at or before it are left out. Encoded audio is
     * trimmed to the sample in its graph. After an output -ss the copy
     * starts with the first packet at or after the start. */
    if (t->cfg.has_start && !tr->started && !tr->cover && tr->kind != K_AUDIO && p->pts != AV_NOPTS_VALUE &&
        (t->cfg.start_exact || !t->cfg.cli_seek_s) &&
        (t->cfg.start_exact ? av_compare_ts(p->pts, tr->ist->time_base, t->cfg.start, AV_TIME_BASE_Q) < 0
                            : av_compare_ts(p->pts + FFMAX(p->duration, 0), tr->ist->time_base, t->cfg.start,
                                            AV_TIME_BASE_Q) <= (p->duration > 0 ? 0 : -1))) {
        if (tr->kind == K_SUB)
            rd_sub_skip(tr->sub, p);
        return 0;
    }
    tr->started = 1;
    switch (tr->kind) {
    case K_AUDIO:
        if ((ret = rd_audio_send(tr->audio, p)) < 0)
            return ret;
        return drain_audio(t, tr, oc);
    case K_SUB:
        ret = rd_sub_convert(tr->sub, p, t->out);
        if (ret == AVERROR(EAGAIN))
            return 0;
        return ret < 0 ? ret : put(t, tr, oc, t->out);
    default:
        return put(t, tr, oc, p);
    }
}

/* A stream mapped more than once: each of its tracks gets its own
 * reference to the packet (route changes the times it is given). */
static int route_all(RdTracks *t, Track *tr, AVFormatContext *oc, AVPacket *p)
{
    int ret = 0;
    while (tr->next >= 0 && ret >= 0) {
        if ((ret = av_packet_ref(t->dup, p)) >= 0)
            ret = route(t, tr, oc, t->dup);
        av_packet_unref(t->dup);
        tr = &t->t[tr->next];
    }
    return ret < 0 ? ret : route(t, tr, oc, p);
}

static int finish(RdTracks *t, AVFormatContext *oc)
{
    char d[128];
    int ret;
    t->eof = 1;
    for (int i = 0; i < t->n; i++) {
        Track *tr = &t->t[i];
        /* -frames:v closed the output before the input ended, or while
         * the video's decoder drained before this stream's turn: the
         * CLI's audio graph is not flushed then (rd_audio_stop). */
        if (tr->kind == K_AUDIO && (t->end_lowered || (t->drain_stop && tr->ist->index > t->cfg.vindex)))
            rd_audio_stop(tr->audio);
        if (tr->kind == K_AUDIO && ((ret = rd_audio_send(tr->audio, NULL)) < 0 ||
                                    (ret = drain_audio(t, tr, oc)) < 0))
            return ret;
        if (tr->backsteps > 1)
            rd_tracks_notice(t, "warning", "%s: %" PRId64 " packets in all had their decode time "
                             "moved forward",
                   rd_tracks_describe(tr->ist, d, sizeof(d)), tr->backsteps);
    }
    return 0;
}

/* Next packet to write, or 1 when there is none (end of input or -t). */
static int read_next(RdTracks *t)
{
    int ret;
    /* No stream to write: nothing to read (an endless input, an image
     * looped with -loop 1, would be read without end). */
    if (!t->n)
        return 1;
    for (;;) {
        if ((ret = av_read_frame(t->ic, t->pkt)) < 0) {
            /* A damaged tail ends the tracks, not the render. */
            if (ret == AVERROR_EOF || ret == AVERROR_INVALIDDATA || ret == AVERROR(EIO))
                return 1;
            /* Anything else is the file, not render (a sample table that
             * claims a huge packet): name it. The CLI would stop reading
             * the whole file here, video too, which chunks cannot do. */
            snprintf(t->why, sizeof(t->why), "%s: cannot read on from byte %" PRId64 ": %s (a "
                     "damaged packet size?); the ffmpeg CLI ends the file there", t->cfg.path,
                     t->ic->pb ? avio_tell(t->ic->pb) : (int64_t)-1, av_err2str(ret));
            return ret;
        }
        /* The video packets of the output's frames (after an -ss, from its start). */
        t->vpkts += t->pkt->stream_index == t->cfg.vindex &&
                    (!t->cfg.has_start || t->pkt->pts == AV_NOPTS_VALUE ||
                     av_compare_ts(t->pkt->pts, t->ic->streams[t->cfg.vindex]->time_base,
                                   t->cfg.start, AV_TIME_BASE_Q) >= 0);
        if (t->route[t->pkt->stream_index] >= 0) /* before the -t check: a jump is undone first */
            rd_tsfix_packet(&t->t[t->route[t->pkt->stream_index]].fix, t->pkt);
        /* The -t clock: the streams written and the video (another
         * stream on only for the seek's sake may run ahead). */
        if (t->cfg.end != INT64_MAX && t->pkt->dts != AV_NOPTS_VALUE &&
            (t->route[t->pkt->stream_index] >= 0 || t->pkt->stream_index == t->cfg.vindex) &&
            av_compare_ts(t->pkt->dts, t->ic->streams[t->pkt->stream_index]->time_base,
                          t->cfg.end + END_SLACK, AV_TIME_BASE_Q) >= 0 && !trim_open(t) &&
            !subs_open(t, t->pkt->dts - av_rescale_q(END_SLACK, AV_TIME_BASE_Q, t->ic->streams[t->pkt->stream_index]->time_base),
                       t->ic->streams[t->pkt->stream_index]->time_base)) {
            av_packet_unref(t->pkt);
            return 1;
        }
        if (t->route[t->pkt->stream_index] >= 0)
            return 0;
        av_packet_unref(t->pkt);
    }
}

int rd_tracks_write_until(RdTracks *t, AVFormatContext *oc, int64_t ts, AVRational tb)
{
    int ret;
    while (!t->eof) {
        Track *tr;
        int64_t when;
        if (!t->pending) {
            if ((ret = read_next(t)) < 0)
                return ret;
            if (ret > 0)
                return finish(t, oc);
            t->pending = 1;
        }
        tr = &t->t[t->route[t->pkt->stream_index]];
        when = t->pkt->dts != AV_NOPTS_VALUE ? t->pkt->dts : t->pkt->pts;
        if (ts != INT64_MAX && when != AV_NOPTS_VALUE && !tr->cover &&
            av_compare_ts(when + av_rescale_q(t->cfg.ts_offset, AV_TIME_BASE_Q, tr->ist->time_base),
                          tr->ist->time_base, ts, tb) >= 0)
            return 0;
        t->pending = 0;
        ret = route_all(t, tr, oc, t->pkt);
        av_packet_unref(t->pkt);
        if (ret < 0)
            return ret;
    }
    return 0;
}


const char *rd_tracks_error(const RdTracks *t)
{
    return t ? t->why : "";
}

void rd_tracks_end_at(RdTracks *t, int64_t end)
{
    t->cfg.end = FFMIN(t->cfg.end, end);
    t->end_lowered = 1;
}

void rd_tracks_stop_at_drain(RdTracks *t)
{
    t->drain_stop = 1;
}

void rd_tracks_set_bsf(RdTracks *t, RdBsf *b)
{
    t->bsf = b;
}
