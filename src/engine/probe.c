#include "engine/probe.h"

#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <libavformat/avformat.h>
#include <libavutil/display.h>

#include "engine/cliseek.h"
#include "engine/rap.h"
#include "engine/sampletab.h"
#include "engine/sizes.h"
#include "streams/tsfix.h"
#include "io/avlog.h"
#include "io/input.h"
#include "io/signals.h"

typedef struct Scan {
    int64_t *pts;
    uint8_t *key;
    int32_t *size;
    int64_t *dur;
    int64_t n, cap;
} Scan;

static int scan_push(Scan *s, int64_t pts, int key, int size, int64_t dur)
{
    if (s->n == s->cap) {
        int64_t cap = s->cap ? s->cap * 2 : 1024;
        void *a = realloc(s->pts, cap * sizeof(*s->pts));
        if (a) s->pts = a;
        void *b = realloc(s->key, cap * sizeof(*s->key));
        if (b) s->key = b;
        void *c = realloc(s->size, cap * sizeof(*s->size));
        if (c) s->size = c;
        void *d = realloc(s->dur, cap * sizeof(*s->dur));
        if (d) s->dur = d;
        if (!a || !b || !c || !d)
            return AVERROR(ENOMEM);
        s->cap = cap;
    }
    s->pts[s->n] = pts;
    s->key[s->n] = !!key;
    s->size[s->n] = size;
    s->dur[s->n] = dur;
    s->n++;
    return 0;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Sort frames by presentation time, carrying key flag and size along. */
typedef struct Frame { int64_t pts, dur; int32_t size; uint8_t key; } Frame;

static int cmp_frame(const void *a, const void *b)
{
    int64_t x = ((const Frame *)a)->pts, y = ((const Frame *)b)->pts;
    return (x > y) - (x < y);
}

static int sort_scan(Scan *s)
{
    Frame *f = malloc((s->n ? s->n : 1) * sizeof(*f));
    if (!f)
        return AVERROR(ENOMEM);
    for (int64_t i = 0; i < s->n; i++)
        f[i] = (Frame){ s->pts[i], s->dur[i], s->size[i], s->key[i] };
    qsort(f, s->n, sizeof(*f), cmp_frame);
    for (int64_t i = 0; i < s->n; i++) {
        s->pts[i] = f[i].pts;
        s->size[i] = f[i].size;
        s->dur[i] = f[i].dur;
        s->key[i] = f[i].key;
    }
    free(f);
    return 0;
}

/* Recovery points (x264 intra refresh) still recovering: the reference
 * pictures each has left to go. Where one reaches 0, a decode that starts
 * at the recovery point agrees with a sequential one from that frame on
 * (rap.h): a chunk may start there. */
typedef struct Recovery {
    int64_t *left;
    int64_t n, cap;
} Recovery;

static int recovering(const Recovery *r)
{
    for (int64_t i = 0; i < r->n; i++)
        if (r->left[i] > 0)
            return 1;
    return 0;
}

static int recovery_push(Recovery *r, int64_t left)
{
    int64_t k = 0;
    while (k < r->n && r->left[k] > 0)  /* reuse a finished slot */
        k++;
    if (k == r->n && r->n == r->cap) {
        int64_t cap = r->cap ? r->cap * 2 : 8;
        void *a = realloc(r->left, cap * sizeof(*r->left));
        if (!a)
            return AVERROR(ENOMEM);
        r->left = a;
        r->cap = cap;
    }
    r->left[k] = left;
    r->n += k == r->n;
    return 0;
}

/* Decode until the first frame comes out: its size and format are what
 * every chunk's output keeps (later changes are scaled into it). */
static int first_frame(RdProbe *p, AVCodecContext *dec, AVFrame *f, const AVPacket *pkt)
{
    int ret;
    if (!dec || p->first_seen)
        return 0;
    if ((ret = avcodec_send_packet(dec, pkt)) < 0 && ret != AVERROR_INVALIDDATA && ret != AVERROR_EOF)
        return ret;
    if (avcodec_receive_frame(dec, f) >= 0) {
        p->first_seen = 1;
        p->width = f->width;
        p->height = f->height;
        p->pix_fmt = f->format;
        av_frame_unref(f);
    }
    return 0;
}

int rd_probe_open_decoder(AVCodecContext **dec, const AVStream *st)
{
    const AVCodec *codec = avcodec_find_decoder(st->codecpar->codec_id);
    int ret;
    if (!codec)
        return AVERROR_DECODER_NOT_FOUND;
    if (!(*dec = avcodec_alloc_context3(codec)))
        return AVERROR(ENOMEM);
    if ((ret = avcodec_parameters_to_context(*dec, st->codecpar)) < 0)
        return ret;
    (*dec)->pkt_timebase = st->time_base;
    (*dec)->thread_count = 1;
    (*dec)->framerate = st->avg_frame_rate; /* as the CLI: a decoder that knows better overwrites it */
    return avcodec_open2(*dec, codec, NULL);
}

/* Every chunk opens this decoder: if it refuses the stream, say why in
 * the decoder's words ("Corrupt extradata": damaged Ogg or Matroska
 * headers), not with its bare return code (theora's -1 reads as
 * "Operation not permitted"). */
static int check_decoder(const AVStream *st, char *err, int errlen)
{
    AVCodecContext *dec = NULL;
    const char *why;
    int ret;
    rd_avlog_clear();
    if ((ret = rd_probe_open_decoder(&dec, st)) < 0) {
        why = rd_avlog_last();
        snprintf(err, errlen, "the %s decoder cannot start on this stream: %s%s",
                 avcodec_get_name(st->codecpar->codec_id),
                 *why ? why : ret == AVERROR(EPERM) ? "it refused the stream's headers" : av_err2str(ret),
                 *why || ret == AVERROR(EPERM) ? " (damaged stream headers?)" : "");
        ret = ret == AVERROR(EPERM) ? AVERROR_INVALIDDATA : ret;
    }
    avcodec_free_context(&dec);
    return ret;
}

/* Where the ffmpeg CLI 5.1 ends the graph's input (send_filter_eof): the
 * last frame shown plus its packet's duration, or, without one, a frame at
 * the decoder's rate (the stream's average rate until the bitstream gives
 * one), or nothing at all. The fps filter fills time up to that point. */
static int64_t eof_duration(AVRational dec_rate, int64_t shown_dur, AVRational tb)
{
    if (shown_dur > 0)
        return shown_dur;
    if (dec_rate.num <= 0 || dec_rate.den <= 0)
        return 0;
    return av_rescale_q(1, av_inv_q(dec_rate), tb);
}

/* How far the scan must read: a limit (-t, -to) ends the frames kept, and
 * a margin past it covers reordered pictures and a look-ahead's frames
 * after the limit (probe.h ntrail). Without it an endless input (an image
 * looped with -loop 1, a stream) would be read without end. Stream tb;
 * INT64_MAX: to the end. */
#define SCAN_MARGIN_S 10.0
static int64_t scan_horizon(const RdProbe *p, const RdProbeCut *cut)
{
    double end = INFINITY;
    AVRational rate;
    if (!cut)
        return INT64_MAX;
    if (cut->limit_s > 0)
        end = cut->seek_s - cut->seek_out_s + cut->limit_s;
    if (cut->out_limit_s > 0)
        end = FFMIN(end, cut->seek_s + cut->out_limit_s);
    if (cut->scan_s > 0)
        end = FFMIN(end, cut->seek_s + cut->scan_s);
    /* -frames:v N: N ticks of the output's rate (a frame sync that repeats
     * frames reads that much time), and never fewer than N frames (scan_packets). */
    rate = cut->rate.num > 0 && cut->rate.den > 0 ? cut->rate : p->guess_fps.num > 0 ? p->guess_fps : p->fps;
    if (cut->vframes > 0 && rate.num > 0 && rate.den > 0)
        end = FFMIN(end, cut->seek_s + cut->vframes / av_q2d(rate));
    if (!isfinite(end))
        return INT64_MAX;
    end += p->start_time / (double)AV_TIME_BASE + SCAN_MARGIN_S;
    return end / av_q2d(p->tb) < (double)INT64_MAX / 2 ? (int64_t)(end / av_q2d(p->tb)) : INT64_MAX;
}

static int scan_packets(RdProbe *p, AVFormatContext *ic, const RdTsJumps *jumps, int64_t horizon,
                        int64_t cut_vframes, Scan *s, int *ts_ok, int64_t *packets)
{
    AVStream *st = ic->streams[p->vindex];
    AVPacket *pkt = av_packet_alloc();
    AVFrame *frame = av_frame_alloc();
    AVCodecContext *dec = NULL;
    int64_t max_pts = INT64_MIN, shown_pts = INT64_MIN, shown_dur = 0;
    /* -frames:v N through a sync that passes frames one for one (VFR):
     * N frames past the seek point, whatever time they span (the frames
     * before the seek point counted too: a bound, not an exact count). */
    int64_t min_frames = cut_vframes > 0 ? cut_vframes + (int64_t)(SCAN_MARGIN_S * 60) : 0;
    RdTsFix fix;
    RdRap rap;
    RdSizes sizes = {0};
    Recovery rec = {0};
    int ret;

    if (!pkt || !frame || rd_sizes_init(&sizes, st->codecpar) < 0) {
        ret = AVERROR(ENOMEM);
        goto end;
    }
    if ((ret = rd_probe_open_decoder(&dec, st)) < 0)
        avcodec_free_context(&dec);  /* the stream parameters stand in */
    rd_tsfix_init(&fix, ic, st, 1);
    rd_tsfix_use(&fix, jumps);
    rd_rap_init(&rap, st->codecpar);
    *ts_ok = 1;
    while ((ret = av_read_frame(ic, pkt)) >= 0) {
        /* A signal: the run ends (engine.h); a long scan must not hold it up. */
        if (rd_signals_caught()) {
            av_packet_unref(pkt);
            ret = AVERROR_EXIT;
            break;
        }
        *packets += pkt->stream_index == p->vindex;
        if (pkt->stream_index == p->vindex) {
            rd_tsfix_packet(&fix, pkt);
            if (horizon != INT64_MAX && pkt->dts != AV_NOPTS_VALUE && pkt->dts > horizon &&
                (!min_frames || s->n > min_frames)) {
                p->scan_stop = pkt->pts != AV_NOPTS_VALUE ? FFMAX(pkt->pts, pkt->dts) : pkt->dts;
                av_packet_unref(pkt);
                break;
            }
            rd_sizes_packet(&sizes, pkt);
            ret = first_frame(p, dec, frame, pkt);
        }
        if (ret >= 0 && pkt->stream_index == p->vindex && !(pkt->flags & AV_PKT_FLAG_DISCARD)) {
            int64_t ts = pkt->pts != AV_NOPTS_VALUE ? pkt->pts : pkt->dts;
            if (pkt->pts == AV_NOPTS_VALUE)
                *ts_ok = 0;
            if (ts == AV_NOPTS_VALUE)
                ts = s->n ? s->pts[s->n - 1] + fix.frame_dur : 0;
            int64_t recovery = rd_rap_recovery(&rap, pkt);
            int ref = recovery < 0 && recovering(&rec) && rd_rap_is_ref(&rap, pkt);
            ret = scan_push(s, ts, rd_rap_check(&rap, pkt), pkt->size, pkt->duration);
            /* The N-th reference picture after a recovery point is recovered. */
            for (int64_t i = 0; ret >= 0 && ref && i < rec.n; i++)
                if (rec.left[i] > 0 && --rec.left[i] == 0)
                    s->key[s->n - 1] = 1;
            if (ret >= 0 && recovery > 0)
                ret = recovery_push(&rec, recovery);
            /* The last frame shown, not the last packet read, ends the video. */
            if (pkt->duration > 0 && ts >= max_pts) {
                max_pts = ts;
                p->last_duration = pkt->duration;
            }
            if (ts >= shown_pts) {
                shown_pts = ts;
                shown_dur = pkt->duration;
            }
        }
        av_packet_unref(pkt);
        if (ret < 0)
            break;
    }
    /* A jump in the timeline: only a decode from the start knows the
     * offset in force at a given packet, so one chunk. */
    if (fix.jumps)
        *ts_ok = 0;
    p->jumps = fix.jumps;
    if (dec && !p->first_seen && first_frame(p, dec, frame, NULL) < 0)
        ret = AVERROR(ENOMEM);
    p->eof_duration = eof_duration(dec ? dec->framerate : st->avg_frame_rate, shown_dur, st->time_base);
    /* A read error after some packets is how a damaged tail ends: what was
     * read is what a decoder would see; the frame count check judges it. */
    ret = ret == AVERROR(ENOMEM) || ret == AVERROR_EXIT ? ret : 0;
    rd_sizes_seen(&sizes, p->width, p->height);
    p->max_width = sizes.max_w;
    p->max_height = sizes.max_h;
end:
    rd_sizes_free(&sizes);
    free(rec.left);
    avcodec_free_context(&dec);
    av_frame_free(&frame);
    av_packet_free(&pkt);
    return ret;
}

static void fill_stream_info(RdProbe *p, AVFormatContext *ic, AVStream *st)
{
    const AVCodecDescriptor *d = avcodec_descriptor_get(st->codecpar->codec_id);
    size_t sz = 0;
    const uint8_t *m = av_stream_get_side_data(st, AV_PKT_DATA_DISPLAYMATRIX, &sz);

    p->tb = st->time_base;
    p->start_time = ic->start_time != AV_NOPTS_VALUE ? ic->start_time : 0;
    p->width = st->codecpar->width;
    p->height = st->codecpar->height;
    p->pix_fmt = st->codecpar->format;
    p->fps = st->avg_frame_rate.num > 0 && st->avg_frame_rate.den > 0 ? st->avg_frame_rate
                                                                       : st->r_frame_rate;
    p->guess_fps = av_guess_frame_rate(ic, st, NULL);
    p->nb_streams = ic->nb_streams;
    if (p->fps.num <= 0 || p->fps.den <= 0)
        p->fps = (AVRational){ 25, 1 }; /* only sizes the last frame and the plan's minimum */
    snprintf(p->codec, sizeof(p->codec), "%s", d ? d->name : "unknown");
    if (m && sz >= sizeof(p->matrix)) {
        memcpy(p->matrix, m, sizeof(p->matrix));
        p->has_matrix = 1;
    }
}

/* Frames missing between the ones present, when the stream is regular
 * enough to tell: at least 90% of the steps between presentation times are
 * one and the same frame duration, and a step of several durations then
 * stands for frames that the damage took away. VFR streams say nothing. */
static int64_t gaps_missing(const int64_t *pts, int64_t n)
{
    int64_t *d, best = 0, bestn = 0, missing = 0;
    if (n < 10 || !(d = malloc((n - 1) * sizeof(*d))))
        return 0;
    for (int64_t i = 0; i + 1 < n; i++)
        d[i] = pts[i + 1] - pts[i];
    qsort(d, n - 1, sizeof(*d), cmp_i64);
    for (int64_t i = 0, j; i < n - 1; i = j) {
        for (j = i; j < n - 1 && d[j] == d[i]; j++)
            ;
        if (j - i > bestn) {
            bestn = j - i;
            best = d[i];
        }
    }
    free(d);
    if (best <= 0 || bestn * 10 < (n - 1) * 9)
        return 0;
    for (int64_t i = 0; i + 1 < n; i++) {
        int64_t step = pts[i + 1] - pts[i];
        if (step * 2 > best * 3)
            missing += (step + best / 2) / best - 1;
    }
    return missing;
}

/* Frames the file promises: what the index holds (less the packets an
 * edit list hides), what the scan saw, and what the gaps of a regular
 * stream imply, whichever is most. The index, not nb_frames: AVI's counts
 * time-base units, not frames. */
static int64_t promised_frames(AVStream *st, int64_t packets, const Scan *s, int ts_ok)
{
    int64_t hidden = packets - s->n;
    int64_t n = FFMAX(s->n, avformat_index_get_entries_count(st) - hidden);
    /* Times made up for packets without one say nothing about gaps. */
    return ts_ok ? FFMAX(n, s->n + gaps_missing(s->pts, s->n)) : n;
}

/* The first frame time kept after an input -ss `in_s` and an output -ss
 * `out_s`: ffmpeg shifts the packets by -(start_time + in_s), rounded to
 * the stream's time base, and its output trim drops the frames before
 * out_s, rounded to that time base apart (on a 1/25 stream, -ss 0.3 and
 * -ss 0.7 keep 1.04 on, not 1.0). */
static int64_t cut_pts(const RdProbe *p, double in_s, double out_s)
{
    return av_rescale_q(p->start_time + (int64_t)llrint(in_s * AV_TIME_BASE), AV_TIME_BASE_Q, p->tb) +
           av_rescale_q(llrint(out_s * AV_TIME_BASE), AV_TIME_BASE_Q, p->tb);
}

/* Input -ss: ffmpeg shifts every packet by -(start_time + seek) and its
 * trim drops the frames that are then before 0. The frames before stay
 * out of the arrays; the chunks never see them (the first one seeks by
 * time to the keyframe before the point and decodes from there). */
static int apply_seek(RdProbe *p, const RdProbeCut *cut, int64_t floor_n, char *err, int errlen)
{
    double seek_s = cut->seek_s;
    int64_t origin, from, n = 0;
    if (seek_s <= 0)
        return 0;
    origin = p->start_time + (int64_t)llrint(seek_s * AV_TIME_BASE);
    from = cut_pts(p, seek_s - cut->seek_out_s, cut->seek_out_s);
    if (!p->timestamps_ok) {
        snprintf(err, errlen, "-ss: the video's frame times are missing or repeat, so the seek "
                 "point cannot be found");
        return AVERROR(EINVAL);
    }
    while (n < p->nframes && p->pts[n] < from)
        n++;
    n = FFMAX(n, floor_n);
    if (n == p->nframes) {
        snprintf(err, errlen, "-ss %g: no video frame at or after it (the video ends at %.3f s)",
                 seek_s, (p->pts[p->nframes - 1] + p->last_duration) * av_q2d(p->tb) -
                 p->start_time / (double)AV_TIME_BASE);
        return AVERROR(EINVAL);
    }
    p->nframes -= n;
    memmove(p->pts, p->pts + n, p->nframes * sizeof(*p->pts));
    memmove(p->key, p->key + n, p->nframes * sizeof(*p->key));
    memmove(p->size, p->size + n, p->nframes * sizeof(*p->size));
    memmove(p->dur, p->dur + n, p->nframes * sizeof(*p->dur));
    p->promised = FFMAX(p->nframes, p->promised - n);
    p->head = n;
    p->start_time = origin;
    return 0;
}

/* The first frame kept after an input -ss `in_s` and an output -ss `out_s` (cut_pts). */
static int64_t frame_at(const RdProbe *p, double in_s, double out_s)
{
    int64_t from = cut_pts(p, in_s, out_s);
    int64_t n = 0;
    while (in_s + out_s > 0 && n < p->nframes && p->pts[n] < from)
        n++;
    return n;
}

/* An input -ss: the index of the first frame the ffmpeg CLI's decoder
 * gives after its seek (cliseek.h), 0 when that changes nothing. */
static int cli_floor(RdProbe *p, const char *path, double seek_s, const RdTsJumps *jumps, int64_t *floor_n,
                     char *err, int errlen)
{
    int64_t first, from;
    int ret;
    *floor_n = 0;
    if (seek_s <= 0 || !p->timestamps_ok)
        return 0;  /* apply_seek refuses a seek without frame times */
    from = av_rescale_q(p->start_time + (int64_t)llrint(seek_s * AV_TIME_BASE), AV_TIME_BASE_Q, p->tb);
    if ((ret = rd_cliseek_first(path, p->vindex, seek_s, jumps, from, p->pts, p->key, p->nframes,
                                &first, err, errlen)) < 0 || first == INT64_MIN)
        return ret;
    while (*floor_n < p->nframes && p->pts[*floor_n] < first)
        (*floor_n)++;
    return 0;
}

/* An output -ss: the frames from the input's own seek point to the
 * output's, which ffmpeg's graph sees before its trim (the pre-roll of a
 * graph that looks back). */
static int keep_lead(RdProbe *p, const RdProbeCut *cut, int64_t first)
{
    int64_t end = frame_at(p, cut->seek_s - cut->seek_out_s, cut->seek_out_s);
    if (cut->seek_out_s <= 0 || end <= first)
        return 0;
    if (!(p->lead = malloc((end - first) * sizeof(*p->lead))))
        return AVERROR(ENOMEM);
    memcpy(p->lead, p->pts + first, (end - first) * sizeof(*p->lead));
    p->nlead = end - first;
    return 0;
}

/* An output -t: the ffmpeg CLI closes the stream at the first frame whose
 * encoder tick (its time from the output's start on the 1/rate grid,
 * rounded to the nearest tick as its frame sync does) reaches the limit
 * (check_recording_time): a frame 0.525 ticks late at the limit is out. */
static int past_out_limit(const RdProbe *p, int64_t pts, int64_t zero, double out_limit_s, AVRational rate)
{
    /* The encoder's ticks: an output -r's where given (-ss 0.5 -t 2 -r 50:
     * the frame at 2.48 s is tick 99, not 25 fps's 49.5, rounded to 50). */
    AVRational tick = av_inv_q(rate.num > 0 && rate.den > 0 ? rate : p->guess_fps);
    if (tick.num <= 0 || tick.den <= 0)
        return pts - zero >= (int64_t)(out_limit_s / av_q2d(p->tb) + 0.5);
    return av_compare_ts(llrint((pts - zero) * av_q2d(p->tb) / av_q2d(tick)), tick,
                         llrint(out_limit_s * AV_TIME_BASE), AV_TIME_BASE_Q) >= 0;
}

static void apply_limit(RdProbe *p, double limit_s, int64_t first, double out_limit_s, AVRational rate)
{
    int64_t end = INT64_MAX, n = 0, t, zero = av_rescale_q(p->start_time, AV_TIME_BASE_Q, p->tb);
    p->t_after = p->t_trail_end = p->t_limit = INT64_MAX;
    p->ntrail = 0;
    if ((limit_s <= 0 && out_limit_s <= 0) || !p->nframes)
        return;
    if (limit_s > 0)
        p->t_limit = end = first + (int64_t)(limit_s / av_q2d(p->tb) + 0.5);
    while (n < p->nframes && p->pts[n] < end && !(out_limit_s > 0 && past_out_limit(p, p->pts[n], zero, out_limit_s, rate)))
        n++;
    if (!n)
        n = 1;
    /* The output's limit ends the encoder's input, not the graph's: a
     * graph that looks ahead saw the frames after it (up to the input's
     * own limit). */
    for (t = n; t < p->nframes && p->pts[t] < end; t++)
        ;
    p->ntrail = t - n;
    if (t < p->nframes)
        p->t_trail_end = p->pts[t];
    if (n < p->nframes) {
        p->t_after = p->pts[n];
        p->promised = n; /* gaps past the limit are not this run's */
    } else if (p->scan_stop != INT64_MAX) {
        /* Every frame scanned is inside the limit, but the scan stopped
         * at a packet far past it (a hole in the timeline after -t, a
         * damaged time): the last chunk ends there, not at the file's
         * end, or it would write the frames after the hole. */
        p->t_after = p->scan_stop;
    }
    p->nframes = n;
}

int rd_probe_open(RdProbe *p, const char *path, const RdProbeCut *cut, char *err, int errlen)
{
    AVFormatContext *ic = NULL;
    Scan s = {0};
    RdProbeCut none = { 0 };
    int64_t packets = 0, first_i, first = 0, floor_n = 0;
    int ret, ts_ok = 1;

    memset(p, 0, sizeof(*p));
    p->vindex = p->aindex = -1;
    p->scan_stop = p->t_limit = INT64_MAX;
    if ((ret = rd_input_open(&ic, path, -1)) < 0 || (ret = rd_sampletab_check(ic, err, errlen)) < 0)
        goto end;
    ret = av_find_best_stream(ic, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    if (ret < 0 || (ic->streams[ret]->disposition & AV_DISPOSITION_ATTACHED_PIC)) {
        snprintf(err, errlen, "no video stream");
        ret = AVERROR_STREAM_NOT_FOUND;
        goto end;
    }
    p->vindex = ret;
    p->aindex = av_find_best_stream(ic, AVMEDIA_TYPE_AUDIO, -1, p->vindex, NULL, 0);
    if (p->aindex < 0)
        p->aindex = -1;
    if (!avcodec_find_decoder(ic->streams[p->vindex]->codecpar->codec_id)) {
        snprintf(err, errlen, "no decoder for video codec %s",
                 avcodec_get_name(ic->streams[p->vindex]->codecpar->codec_id));
        ret = AVERROR_DECODER_NOT_FOUND;
        goto end;
    }
    if ((ret = check_decoder(ic->streams[p->vindex], err, errlen)) < 0)
        goto end;
    fill_stream_info(p, ic, ic->streams[p->vindex]);
    if (cut && cut->has_start)
        p->start_time = cut->start;
    if (!(p->par = avcodec_parameters_alloc()) ||
        (ret = avcodec_parameters_copy(p->par, ic->streams[p->vindex]->codecpar)) < 0) {
        ret = p->par ? ret : AVERROR(ENOMEM);
        goto end;
    }
    for (unsigned i = 0; i < ic->nb_streams; i++)
        if ((int)i != p->vindex)
            ic->streams[i]->discard = AVDISCARD_ALL;
    if ((ret = scan_packets(p, ic, cut ? cut->jumps : NULL, scan_horizon(p, cut),
                            cut ? cut->vframes : 0, &s, &ts_ok, &packets)) < 0)
        goto end;
    if (!s.n) {
        snprintf(err, errlen, "no video frames");
        ret = AVERROR_INVALIDDATA;
        goto end;
    }
    if ((ret = sort_scan(&s)) < 0)
        goto end;
    /* Two frames at one time: a chunk boundary could not tell them apart. */
    for (int64_t i = 0; i + 1 < s.n; i++)
        if (s.pts[i] == s.pts[i + 1])
            ts_ok = 0;
    /* AVI times count chunks, and a gap in them is empty chunks, the
     * format's drop frames: no frame lost there (damage still shows as
     * fewer frames decoded than indexed). */
    p->promised = promised_frames(ic->streams[p->vindex], packets, &s,
                                  ts_ok && !p->jumps && strcmp(ic->iformat->name, "avi"));
    p->pts = s.pts; p->key = s.key; p->size = s.size; p->dur = s.dur; p->nframes = s.n;
    s = (Scan){0};
    p->timestamps_ok = ts_ok;
    if (p->last_duration <= 0)
        p->last_duration = p->nframes > 1 ? p->pts[p->nframes - 1] - p->pts[p->nframes - 2]
                                          : av_rescale_q(1, av_inv_q(p->fps), p->tb);
    if (!cut)
        cut = &none;
    /* The input's -t counts from its first frame at or after its own
     * seek point, before an output -ss moves the start further. */
    if ((ret = cli_floor(p, path, cut->seek_s - cut->seek_out_s, cut->jumps, &floor_n, err, errlen)) < 0)
        goto end;
    first_i = FFMAX(frame_at(p, cut->seek_s - cut->seek_out_s, 0), floor_n);
    if (first_i < p->nframes)
        first = p->pts[first_i];
    if ((ret = keep_lead(p, cut, first_i)) < 0 ||
        (ret = apply_seek(p, cut, floor_n, err, errlen)) < 0)
        goto end;
    apply_limit(p, cut->limit_s, first, cut->out_limit_s, cut->rate);
    p->duration_s = (p->pts[p->nframes - 1] - p->pts[0] + p->last_duration) * av_q2d(p->tb);
    ret = 0;
end:
    free(s.pts); free(s.key); free(s.size); free(s.dur);
    avformat_close_input(&ic);
    return ret;
}

void rd_probe_free(RdProbe *p)
{
    avcodec_parameters_free(&p->par);
    free(p->pts);
    free(p->key);
    free(p->size);
    free(p->dur);
    free(p->lead);
    p->pts = NULL; p->key = NULL; p->size = NULL; p->dur = NULL; p->lead = NULL;
    p->nlead = 0;
    p->nframes = 0;
}
