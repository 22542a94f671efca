#include "chunk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libavfilter/buffersink.h>
#include <libavfilter/buffersrc.h>
#include <libavformat/avformat.h>

#include "filter.h"
#include "probe.h"

/* Seeks that land after the chunk start are retried this many times, each
 * further back, before decoding from the start of the file. */
#define MAX_RESEEK 5

typedef struct Ctx {
    const RdChunkShared *sh;
    const RdChunkJob *job;
    RdChunkResult *res;
    RdChunkProgress *cp;
    RdWorkerProgress *wp;
    char *err;
    int errlen;
    AVFormatContext *ic;
    AVCodecContext *dec, *enc;
    RdFilter flt;
    AVPacket *pkt;
    AVFrame *frame, *filt;
    int64_t t_start_f, t_end_f;   ///< chunk range in the filter output time base
    int got_first, done, reseeks;
    int keyed;                    ///< a keyframe packet was read since the last seek (or reading from the start)
    int template_only;            ///< stop once the encoder is open
    int64_t decoded;              ///< decoded frames inside [t_start, t_end)
} Ctx;

static int push_packet(RdChunkResult *res, AVPacket *pkt)
{
    if (res->n == res->cap) {
        int cap = res->cap ? res->cap * 2 : 64;
        AVPacket **p = av_realloc_array(res->pkts, cap, sizeof(*p));
        if (!p)
            return AVERROR(ENOMEM);
        res->pkts = p;
        res->cap = cap;
    }
    if (!(res->pkts[res->n] = av_packet_alloc()))
        return AVERROR(ENOMEM);
    av_packet_move_ref(res->pkts[res->n++], pkt);
    return 0;
}

static int open_decoder(Ctx *c)
{
    AVStream *st = c->ic->streams[c->sh->vindex];
    const AVCodec *codec = avcodec_find_decoder(st->codecpar->codec_id);
    int ret;

    if (!codec)
        return AVERROR_DECODER_NOT_FOUND;
    if (!(c->dec = avcodec_alloc_context3(codec)))
        return AVERROR(ENOMEM);
    if ((ret = avcodec_parameters_to_context(c->dec, st->codecpar)) < 0)
        return ret;
    c->dec->pkt_timebase = st->time_base;
    c->dec->thread_count = 1;
    /* After a seek to an open-GOP I-frame, H.264 holds back the frames that
     * follow it as "not recovered" (and loses them at the end of the file),
     * although they decode exactly. The leading frames that really are
     * broken come before the I-frame, so before the chunk, and are dropped. */
    if (!c->job->from_start)
        c->dec->flags2 |= AV_CODEC_FLAG2_SHOW_ALL;
    return avcodec_open2(c->dec, codec, NULL);
}

/* Graph and encoder are built on the first frame, from that frame's own
 * size and format, as the ffmpeg CLI does. */
static int open_filter_encoder(Ctx *c, const AVFrame *f)
{
    AVStream *st = c->ic->streams[c->sh->vindex];
    RdVideoFormat in = { f->width, f->height, f->format, f->sample_aspect_ratio,
                         c->sh->tb, c->sh->enc->fps };
    AVRational otb;
    int ret;

    if (!in.sar.num)
        in.sar = st->codecpar->sample_aspect_ratio;
    if ((ret = rd_filter_open(&c->flt, c->sh->vf, &in, c->sh->enc->codec->pix_fmts)) < 0) {
        snprintf(c->err, c->errlen, "filter graph '%s': %s", c->sh->vf, av_err2str(ret));
        return ret;
    }
    if ((ret = rd_encode_open(&c->enc, c->sh->enc, c->flt.sink, c->err, c->errlen)) < 0)
        return ret;
    otb = av_buffersink_get_time_base(c->flt.sink);
    c->t_start_f = av_rescale_q(c->job->t_start, c->sh->tb, otb);
    c->t_end_f = c->job->t_end == INT64_MAX ? INT64_MAX
                                            : av_rescale_q(c->job->t_end, c->sh->tb, otb);
    return 0;
}

static int drain_encoder(Ctx *c)
{
    int ret;
    while ((ret = avcodec_receive_packet(c->enc, c->pkt)) >= 0) {
        c->res->bytes += c->pkt->size;
        /* Counted here, not when sent: the encoder's lookahead holds frames. */
        if (c->cp)
            atomic_fetch_add_explicit(&c->cp->frames_done, 1, memory_order_relaxed);
        if (c->wp)
            atomic_fetch_add_explicit(&c->wp->frames_done, 1, memory_order_relaxed);
        if ((ret = push_packet(c->res, c->pkt)) < 0)
            return ret;
    }
    return ret == AVERROR(EAGAIN) || ret == AVERROR_EOF ? 0 : ret;
}

static int encode(Ctx *c, AVFrame *f)
{
    int ret;
    if (f)
        f->pict_type = AV_PICTURE_TYPE_NONE;
    if ((ret = avcodec_send_frame(c->enc, f)) < 0)
        return ret;
    if (f)
        c->res->frames++;
    return drain_encoder(c);
}

/* Filtered frames before the chunk start were pre-roll; after its end
 * (extra frames a flush may emit) belong to the next chunk. */
static int drain_filter(Ctx *c)
{
    int ret;
    while ((ret = av_buffersink_get_frame(c->flt.sink, c->filt)) >= 0) {
        if (c->filt->pts != AV_NOPTS_VALUE && c->filt->pts < c->t_start_f)
            c->res->wasted++;
        else if (c->filt->pts == AV_NOPTS_VALUE || c->filt->pts < c->t_end_f)
            ret = encode(c, c->filt);
        av_frame_unref(c->filt);
        if (ret < 0)
            return ret;
    }
    return ret == AVERROR(EAGAIN) || ret == AVERROR_EOF ? 0 : ret;
}

static int seek_back(Ctx *c, int64_t target);

/* One decoded frame: drop it, stop at it, or filter it. */
static int take_frame(Ctx *c, AVFrame *f)
{
    int64_t ts = f->best_effort_timestamp;
    int ret;

    if (!c->got_first) {
        c->got_first = 1;
        if (!c->job->from_start && ts != AV_NOPTS_VALUE && ts > c->job->t_preroll)
            return seek_back(c, c->job->t_seek);
    }
    if (ts != AV_NOPTS_VALUE && ts >= c->job->t_end) {
        c->done = 1;
        return 0;
    }
    if (ts != AV_NOPTS_VALUE && ts < c->job->t_preroll) {
        c->res->wasted++;
        return 0;
    }
    if (ts == AV_NOPTS_VALUE || ts >= c->job->t_start)
        c->decoded++;
    f->pts = ts;
    if (!c->flt.graph && (ret = open_filter_encoder(c, f)) < 0)
        return ret;
    if (c->template_only) {
        c->done = 1;
        return 0;
    }
    if ((ret = av_buffersrc_add_frame(c->flt.src, f)) < 0)
        return ret;
    return drain_filter(c);
}

static int decode(Ctx *c, const AVPacket *pkt)
{
    int ret = avcodec_send_packet(c->dec, pkt);
    /* Like the ffmpeg CLI: a damaged packet costs its frame, not the run. */
    if (ret < 0 && ret != AVERROR_INVALIDDATA && ret != AVERROR_EOF)
        return ret;
    while (!c->done && (ret = avcodec_receive_frame(c->dec, c->frame)) >= 0) {
        int reseeks = c->reseeks;
        ret = take_frame(c, c->frame);
        av_frame_unref(c->frame);
        if (ret < 0)
            return ret;
        if (c->reseeks != reseeks)
            return 0; /* decoder was flushed: drop the rest of this packet */
    }
    return ret == AVERROR(EAGAIN) || ret == AVERROR_EOF || ret == AVERROR_INVALIDDATA || ret >= 0 ? 0 : ret;
}

/* The first frame came out after the chunk's first frame: the demuxer landed
 * on a later keyframe than asked. Try again further back, then from the
 * start of the file. */
static int seek_back(Ctx *c, int64_t target)
{
    int64_t back = av_rescale_q(1LL << c->reseeks, (AVRational){ 1, 1 }, c->sh->tb);
    int ret = -1;

    c->reseeks++;
    c->got_first = 0;
    c->keyed = 0;
    avcodec_flush_buffers(c->dec);
    if (c->reseeks <= MAX_RESEEK)
        ret = av_seek_frame(c->ic, c->sh->vindex, target - back, AVSEEK_FLAG_BACKWARD);
    if (ret < 0) {
        avformat_close_input(&c->ic);
        if ((ret = rd_probe_open_input(&c->ic, c->sh->path, c->sh->vindex)) < 0)
            return ret;
        c->got_first = 1; /* from the start there is nothing earlier to find */
        c->keyed = 1;
    }
    return 0;
}

static int first_seek(Ctx *c)
{
    int ret;
    c->keyed = c->job->from_start;
    if (c->job->from_start)
        return 0;
    ret = av_seek_frame(c->ic, c->sh->vindex, c->job->t_seek, AVSEEK_FLAG_BACKWARD);
    if (ret < 0)
        ret = avformat_seek_file(c->ic, c->sh->vindex, INT64_MIN, c->job->t_seek, c->job->t_seek, 0);
    if (ret < 0)
        return seek_back(c, INT64_MIN / 2);
    return 0;
}

static int read_loop(Ctx *c)
{
    int ret;
    while (!c->done) {
        if (atomic_load_explicit(c->sh->stop, memory_order_relaxed) ||
            (c->sh->cancel && atomic_load_explicit(c->sh->cancel, memory_order_relaxed)))
            return AVERROR_EXIT;
        if ((ret = av_read_frame(c->ic, c->pkt)) < 0) {
            /* Nothing decoded yet: the seek overshot (MPEG-TS can land at
             * the end). Otherwise: end of file or a damaged tail. */
            if (!c->got_first && !c->job->from_start) {
                if ((ret = seek_back(c, c->job->t_seek)) < 0)
                    return ret;
                continue;
            }
            break;
        }
        /* MPEG-TS seeks by timestamp and can land between keyframes: with
         * SHOW_ALL the decoder would show the broken frames up to the next
         * one. Decoding starts at the first keyframe after a seek. */
        if (c->pkt->stream_index == c->sh->vindex && !c->keyed)
            c->keyed = !!(c->pkt->flags & AV_PKT_FLAG_KEY);
        if (c->pkt->stream_index == c->sh->vindex && c->keyed)
            ret = decode(c, c->pkt);
        else
            ret = 0;
        av_packet_unref(c->pkt);
        if (ret < 0)
            return ret;
    }
    if (!c->done && (ret = decode(c, NULL)) < 0)
        return ret;
    return 0;
}

static int flush(Ctx *c)
{
    int ret;
    if (!c->flt.graph)
        return 0;
    if ((ret = av_buffersrc_add_frame(c->flt.src, NULL)) < 0)
        return ret;
    if ((ret = drain_filter(c)) < 0)
        return ret;
    return encode(c, NULL);
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Each packet lasts until the next frame in presentation order; the last
 * until the next chunk's start (or the input's last frame duration). */
static int set_durations(Ctx *c)
{
    RdChunkResult *r = c->res;
    AVRational etb = c->enc ? c->enc->time_base : c->sh->tb;
    int64_t *s = av_malloc_array(r->n ? r->n : 1, sizeof(*s));
    int64_t end = c->job->t_end == INT64_MAX ? INT64_MAX : av_rescale_q(c->job->t_end, c->sh->tb, etb);

    if (!s)
        return AVERROR(ENOMEM);
    for (int i = 0; i < r->n; i++)
        s[i] = r->pkts[i]->pts;
    qsort(s, r->n, sizeof(*s), cmp_i64);
    for (int i = 0; i < r->n; i++) {
        int64_t *p = bsearch(&r->pkts[i]->pts, s, r->n, sizeof(*s), cmp_i64);
        int64_t k = p - s;
        if (k + 1 < r->n)
            r->pkts[i]->duration = s[k + 1] - s[k];
        else if (end != INT64_MAX)
            r->pkts[i]->duration = end - s[k];
        else
            r->pkts[i]->duration = FFMAX(1, av_rescale_q(c->job->last_duration, c->sh->tb, etb));
    }
    av_free(s);
    return 0;
}

static int run(Ctx *c)
{
    int ret;
    if ((ret = rd_probe_open_input(&c->ic, c->sh->path, c->sh->vindex)) < 0)
        return ret;
    if ((ret = open_decoder(c)) < 0)
        return ret;
    if ((ret = first_seek(c)) < 0)
        return ret;
    if ((ret = read_loop(c)) < 0)
        return ret;
    if (c->template_only)
        return c->enc ? 0 : AVERROR_INVALIDDATA;
    if ((ret = flush(c)) < 0)
        return ret;
    c->res->decoded = c->decoded;
    return set_durations(c);
}

static int run_ctx(Ctx *c, AVCodecContext **enc)
{
    int ret;
    c->pkt = av_packet_alloc();
    c->frame = av_frame_alloc();
    c->filt = av_frame_alloc();
    if (!c->pkt || !c->frame || !c->filt)
        ret = AVERROR(ENOMEM);
    else
        ret = run(c);
    if (enc && ret >= 0)
        FFSWAP(AVCodecContext *, *enc, c->enc);
    av_frame_free(&c->filt);
    av_frame_free(&c->frame);
    av_packet_free(&c->pkt);
    rd_filter_free(&c->flt);
    avcodec_free_context(&c->enc);
    avcodec_free_context(&c->dec);
    avformat_close_input(&c->ic);
    return ret;
}

int rd_chunk_template(const RdChunkShared *sh, AVCodecContext **enc, char *err, int errlen)
{
    RdChunkJob job = { .t_end = INT64_MAX, .from_start = 1, .t_seek = INT64_MIN,
                       .t_preroll = INT64_MIN, .t_start = INT64_MIN };
    RdChunkResult res = {0};
    Ctx c = { .sh = sh, .job = &job, .res = &res, .err = err, .errlen = errlen, .template_only = 1 };
    int ret = run_ctx(&c, enc);
    rd_chunk_result_free(&res);
    return ret;
}

int rd_chunk_run(const RdChunkShared *sh, const RdChunkJob *job, RdChunkResult *res,
                 RdChunkProgress *cp, RdWorkerProgress *wp, char *err, int errlen)
{
    Ctx c = { .sh = sh, .job = job, .res = res, .cp = cp, .wp = wp, .err = err, .errlen = errlen };

    memset(res, 0, sizeof(*res));
    res->index = job->index;
    return run_ctx(&c, NULL);
}

void rd_chunk_result_free(RdChunkResult *res)
{
    for (int i = 0; i < res->n; i++)
        av_packet_free(&res->pkts[i]);
    av_freep(&res->pkts);
    res->n = res->cap = 0;
}
