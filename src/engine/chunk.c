#include "engine/chunk.h"

#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <libavfilter/buffersink.h>
#include <libavfilter/buffersrc.h>
#include <libavformat/avformat.h>

#include "engine/chunksync.h"
#include "engine/contract.h"
#include "engine/forcekf.h"
#include "engine/filter.h"
#include "engine/probe.h"
#include "engine/rotate.h"
#include "engine/ratectl.h"
#include "io/errline.h"
#include "io/input.h"
#include "io/signals.h"
#include "engine/rap.h"
#include "engine/rawpic.h"
#include "streams/tsfix.h"
#include "engine/timeline.h"

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
    int64_t t_replay_f;           ///< under a replay: frames the graph gives before this time (output time base) were made from the replay, INT64_MIN = none
    AVRational otb;               ///< filter output time base (the encoder's may differ)
    int got_first, done, reseeks;
    int closing;                  ///< the graph's source is being closed: its end of stream is ours
    int graph_ended;              ///< the graph ended before its input did (a trim's end): nothing more to read
    int template_only;            ///< stop once the encoder is open
    int tmpl_fed;                 ///< frames the template fed its graph
    int tmpl_after;               ///< frames it fed after the graph gave its first, for the replay's measure
    int64_t tmpl_last;            ///< the time of the last frame it fed at its own time (graph input time base), AV_NOPTS_VALUE = none
    double tmpl_filter_s;         ///< and the time the graph took for them
    RdChunkCost *cost;            ///< the template's timings, or NULL
    double t0;                    ///< when the template began (omp_get_wtime)
    int64_t decoded;              ///< decoded frames inside [t_start, t_end)
    int64_t frame_dur;            ///< one frame at the encoder's frame rate, filter output time base (>= 1)
    int64_t last_pts;             ///< pts of the last frame given to the encoder (filter output time base); INT64_MIN before
    RdTsFix fix;                  ///< timestamps as the ffmpeg CLI makes them
    RdRap rap;                    ///< tells real random-access points
    int synced;                   ///< decoding has started at one (or at the start of the file)
    int64_t taken;                ///< frames fed to the filter graph
    int64_t *fed;                 ///< fed[k]: pts of the k-th frame fed (its tag is k + 1), for the keep rule
    int nfed, fed_cap;
    int cur_w, cur_h, cur_fmt;    ///< what the current graph was built for
    int prime;                    ///< 1: the graph is to be fed the priming frame first (prime_graph)
    int64_t replayed;             ///< frames fed as the replay (sh->replay), before the pre-roll
    int64_t cur_src;              ///< the input frame the last output frame was made from (its tag), AV_NOPTS_VALUE = unknown
    RdChunkSync sync;             ///< ffmpeg's frame sync, when the output has one
    int64_t gshift;               ///< the CLI's input shift (graph_shift), input time base
    int64_t gshift_o;             ///< the same in the filter output time base
    int warming;                  ///< the frame being sent is the encoder's warm-up (job->warm): not the chunk's
    int64_t nwarm;                ///< warm-up frames sent
    int64_t keep_pts;             ///< after a warm-up: the first own frame's time, encoder time base; packets before it are the warm-up's (AV_NOPTS_VALUE before it is sent)
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

/* The encoder, with what rate control across chunks asks of this one. */
static int open_encoder(Ctx *c)
{
    const RdChunkJob *j = c->job;
    AVDictionary *extra = NULL;
    int ret = 0;
    if ((!c->template_only || j->rc_pass == 3) && (j->rc_pass || j->rc_vbv_init > 0))
        ret = rd_ratectl_chunk_opts(c->sh->rc, j->index, j->rc_pass, j->rc_bitrate, j->rc_vbv_init,
                                    &extra, c->err, c->errlen);
    if (ret >= 0)
        ret = rd_encode_open_stats(&c->enc, c->sh->enc, extra,
                                   c->template_only ? NULL : rd_ratectl_stats_in(c->sh->rc, j->index, j->rc_pass),
                                   c->flt.sink, c->err, c->errlen);
    av_dict_free(&extra);
    return ret;
}

/* The ffmpeg CLI's graph sees the input's times shifted by its ts_offset
 * (the input's start, plus its -ss, less -itsoffset), rounded once to the
 * stream's time base: a graph that reads the time (fps's grid, select's
 * t, setpts's T) must see those times, not the file's (a TS starting at
 * 1.44 s through fps=24: other frames repeated). The frames go in so
 * shifted and come out moved back by the same shift in the output's time
 * base, the one the frame sync takes off (chunksync.c), so that nothing
 * after the graph sees a change. */
static int64_t graph_shift(const RdChunkShared *sh)
{
    return av_rescale_q(sh->start_time - sh->cut_us, AV_TIME_BASE_Q, sh->tb);
}

/* Graph and encoder are built on the first frame, from that frame's own
 * size and format, as the ffmpeg CLI does. A frame of another size or
 * format than the file's first gets a graph that scales it into the
 * output of the first (the CLI rebuilds its graph so on every change). */
static int open_graph(Ctx *c, const AVFrame *f)
{
    const RdChunkShared *sh = c->sh;
    AVStream *st = c->ic->streams[sh->vindex];
    RdVideoFormat in = { f->width, f->height, f->format, f->sample_aspect_ratio,
                         sh->tb, sh->enc->fps, NULL };
    RdVideoFormat to = { sh->out_w, sh->out_h, sh->out_fmt, { 0, 1 }, sh->tb, sh->enc->fps, NULL };
    int first = !sh->out_w || !sh->in_w ||
                (f->width == sh->in_w && f->height == sh->in_h && f->format == sh->in_fmt);
    AVRational otb, fr;
    char rot[96];
    int ret;

    if (!in.sar.num)
        in.sar = st->codecpar->sample_aspect_ratio;
    c->gshift = graph_shift(sh);
    if (sh->autorotate) {
        /* The first frame's matrix, else the stream's, as the CLI reads it. */
        const AVFrameSideData *sd = av_frame_get_side_data(f, AV_FRAME_DATA_DISPLAYMATRIX);
        const int32_t *m = sd && sd->size >= 9 * sizeof(int32_t) ? (const int32_t *)sd->data
                         : (const int32_t *)av_stream_get_side_data(st, AV_PKT_DATA_DISPLAYMATRIX, NULL);
        if ((ret = rd_rotate_filters(m, rot, sizeof(rot))) < 0)
            return ret;
        in.pre = rot;
    }
    /* The whole stream's one graph draws rand() from where the CLI's does
     * (filter.h); a rebuilt graph goes on from there, as the CLI's. */
    if (!c->enc && c->job->from_start && c->job->t_end == INT64_MAX)
        rd_filter_rand_restart();
    if ((ret = rd_filter_open(&c->flt, sh->vf, &in, rd_encode_pix_fmts(sh->enc),
                              first ? NULL : &to)) < 0) {
        char q[RD_ERR_QUOTE + 1];
        snprintf(c->err, c->errlen, "filter graph '%s': %s",
                 rd_errline_quote(sh->vf, RD_ERR_QUOTE, q, sizeof(q)), av_err2str(ret));
        return ret;
    }
    /* Frame numbers as the whole run has them (contract.h numbered). The
     * CLI starts them again when it rebuilds its graph for a new frame
     * size, which a later chunk cannot count: refused, not guessed. */
    if (!c->enc && (sh->numbered || sh->prime) && c->job->first_index > 0) {
        if (!first) {
            snprintf(c->err, c->errlen, "the frame size or format changes before %.3f s, where the ffmpeg "
                     "CLI starts its filter graph again (frame numbers from 0, the first time there), which a "
                     "chunk starting after it cannot know",
                     c->job->t_preroll * av_q2d(sh->tb));
            return RD_ERR_RENUMBER;
        }
        if (sh->numbered)
            rd_contract_number_links(&c->flt, c->job->first_index);
        c->prime = sh->prime;
    }
    c->cur_w = f->width;
    c->cur_h = f->height;
    c->cur_fmt = f->format;
    if (c->enc)
        return 0;
    if ((ret = open_encoder(c)) < 0)
        return ret;
    otb = c->otb = av_buffersink_get_time_base(c->flt.sink);
    c->gshift_o = av_rescale_q(c->gshift, sh->tb, otb);
    fr = c->enc->framerate.num > 0 ? c->enc->framerate : sh->enc->fps;
    c->frame_dur = fr.num > 0 && fr.den > 0 ? FFMAX(1, av_rescale_q(1, av_inv_q(fr), otb)) : 1;
    c->t_start_f = av_rescale_q(c->job->t_start, sh->tb, otb);
    /* What the graph makes of a replay's frames lies before the pre-roll
     * (the replay's times are, and nothing is made after its input):
     * rounded up, so that no such frame is taken for the pre-roll's. */
    c->t_replay_f = sh->replay && c->job->first_index > 0
                    ? av_rescale_q_rnd(c->job->t_preroll, sh->tb, otb, AV_ROUND_UP | AV_ROUND_PASS_MINMAX)
                    : INT64_MIN;
    c->t_end_f = c->job->t_end == INT64_MAX ? INT64_MAX
                                            : av_rescale_q(c->job->t_end, sh->tb, otb);
    if (c->cost)
        c->cost->sink_fps = av_buffersink_get_frame_rate(c->flt.sink);
    rd_chunksync_init(&c->sync, sh->sync, c->job, sh->tb, otb, c->enc->time_base,
                      av_buffersink_get_frame_rate(c->flt.sink), sh->start_time, sh->cut_us);
    return 0;
}

/* Another chunk failed, or the user interrupted. Looked at for every
 * packet read and every frame a graph gives: a graph that never ends
 * (tpad=stop=-1, loop=-1) spins in the filter drain, never reading again. */
static int stopped(const Ctx *c)
{
    return atomic_load_explicit(c->sh->stop, memory_order_relaxed) ||
           (c->sh->cancel && atomic_load_explicit(c->sh->cancel, memory_order_relaxed));
}

static int drain_encoder(Ctx *c)
{
    int ret;
    while ((ret = avcodec_receive_packet(c->enc, c->pkt)) >= 0) {
        /* At the chunk's end each packet is another frame encoded (x264's
         * lookahead holds dozens at a slow preset: seconds): a stop is
         * looked at between them. */
        if (stopped(c)) {
            av_packet_unref(c->pkt);
            return AVERROR_EXIT;
        }
        if (c->nwarm && (c->keep_pts == AV_NOPTS_VALUE || c->pkt->pts < c->keep_pts)) {
            av_packet_unref(c->pkt); /* the warm-up's: the previous chunk has it */
            continue;
        }
        c->res->bytes += c->pkt->size;
        /* wrapped_avframe holds the whole picture by reference. For -f
         * null it goes at once (kept until the merge, every chunk's pictures
         * would be in memory, and the null muxer never looks at them); for
         * .y4m it becomes the picture's bytes, which can travel (rawpic.h). */
        if (c->enc->codec_id == AV_CODEC_ID_WRAPPED_AVFRAME) {
            if (c->sh->enc->null_out) {
                av_buffer_unref(&c->pkt->buf);
                c->pkt->data = NULL;
                c->pkt->size = 0;
            } else if ((ret = rd_rawpic_flatten(c->pkt)) < 0) {
                av_packet_unref(c->pkt);
                return ret;
            }
        }
        /* Counted here, not when sent: the encoder's lookahead holds frames. */
        if (c->cp)
            atomic_fetch_add_explicit(&c->cp->frames_done, 1, memory_order_relaxed);
        if (c->wp)
            atomic_fetch_add_explicit(&c->wp->frames_done, 1, memory_order_relaxed);
        if ((ret = push_packet(c->res, c->pkt)) < 0)
            return ret;
        /* libavcodec's first pass: the picture's stats line, as ffmpeg's
         * CLI writes it to its log after each packet. */
        if (c->job->rc_pass == 1 && c->enc->stats_out &&
            (ret = rd_ratectl_lavc_append(&c->res->rc_stats, &c->res->rc_stats_len, c->enc->stats_out)) < 0)
            return ret;
    }
    return ret == AVERROR(EAGAIN) || ret == AVERROR_EOF ? 0 : ret;
}

double rd_chunk_thread_cpu_s(void)
{
    struct timespec ts;
    return clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) == 0 ? ts.tv_sec + ts.tv_nsec * 1e-9 : NAN;
}

/* The thread's CPU clock where the job asks for its calls to be timed
 * (the start-up measure), else 0: a worker's chunks pay nothing per frame. */
static double tick(const Ctx *c)
{
    return c->job->timed ? rd_chunk_thread_cpu_s() : 0;
}

/* A frame (or the end, f = NULL) to the encoder and its packets out,
 * timed for the start-up measure: the plan weighs a pre-roll frame, which is not encoded, by the
 * share of the work that is not the encoder's (startup.h). */
static int encode_send(Ctx *c, AVFrame *f, AVRational tb)
{
    double t = tick(c);
    int first_own = f && c->nwarm && !c->warming && c->keep_pts == AV_NOPTS_VALUE;
    int ret;
    if (f && c->warming)
        c->nwarm++;
    /* After a warm-up the chunk's first frame is coded as the I frame the
     * whole stream's encoder has there (on the grid, gop.h). */
    if (first_own)
        f->pict_type = AV_PICTURE_TYPE_I;
    ret = rd_encode_frame(c->enc, f, tb);
    if (first_own)
        c->keep_pts = f->pts; /* now in the encoder's time base */
    if (ret >= 0)
        ret = drain_encoder(c);
    c->res->encode_cpu_s += tick(c) - t;
    return ret;
}

/* Where the reading stood when a frame went to the encoder (chunk.h). */
static void note_src(Ctx *c)
{
    if (c->nfed)
        c->res->src_at_last = c->fed[c->nfed - 1];
}

static int encode(Ctx *c, AVFrame *f)
{
    /* Every frame needs a time on the joined timeline (found by fuzzing: a
     * timestamp lost to damage overflowed the merge's arithmetic). */
    if (f && f->pts == AV_NOPTS_VALUE) {
        snprintf(c->err, c->errlen, "chunk %d: a decoded frame has no timestamp; not supported", c->job->index);
        return AVERROR_INVALIDDATA;
    }
    if (f) {
        /* A frame that does not come after the previous one (a damaged file
         * repeats a time) is handled as the ffmpeg CLI's frame sync does:
         * more than 0.6 frame back it is dropped, else it is shown one frame
         * after the previous one. */
        int64_t d = c->frame_dur;
        if (c->last_pts != INT64_MIN && f->pts <= c->last_pts) {
            /* (and dropped when that would reach the next chunk's frames) */
            if (10 * (c->last_pts - f->pts) >= 6 * d ||
                (c->t_end_f != INT64_MAX && c->last_pts + d >= c->t_end_f)) {
                c->res->wasted++;
                return 0;
            }
            f->pts = c->last_pts + d;
        }
        c->last_pts = f->pts;
        f->pict_type = AV_PICTURE_TYPE_NONE;
    }
    if (f && !c->warming) {
        c->res->frames++;
        note_src(c);
    }
    return encode_send(c, f, c->otb);
}

/* One copy the frame sync asks for, its time already in the encoder's. */
static int send_synced(void *opaque, AVFrame *f)
{
    Ctx *c = opaque;
    f->pict_type = c->sh->forced && rd_forcekf_is_forced(c->sh->forced, c->sh->nforced, f->pts) ?
                   AV_PICTURE_TYPE_I : AV_PICTURE_TYPE_NONE;
    if (!c->warming) {
        c->res->frames++;
        note_src(c);
    }
    return encode_send(c, f, c->enc->time_base);
}

/* The keep rule (chunk.h): by the input frame the tag names, else by the
 * frame's own time. */
static int owned(Ctx *c, AVFrame *f)
{
    intptr_t tag = (intptr_t)f->opaque;
    int own, after;
    f->opaque = NULL;
    c->cur_src = AV_NOPTS_VALUE;
    if (tag >= 1 && tag <= c->nfed) {
        int64_t src = c->cur_src = c->fed[tag - 1];
        own = src >= c->job->t_start && src < c->job->t_end;
        after = src >= c->job->t_end;
        if (c->job->own_frames > 0) {
            own = own && tag <= c->job->own_frames;
            after = after || tag > c->job->own_frames;
        }
    } else {
        own = f->pts == AV_NOPTS_VALUE || (f->pts >= c->t_start_f && f->pts < c->t_end_f);
        after = !own && f->pts >= c->t_end_f;
        /* Such filters keep their input's times: the frame at this time
         * is its source (the frame sync's table is looked up by it). */
        if (f->pts != AV_NOPTS_VALUE)
            c->cur_src = av_rescale_q(f->pts, c->otb, c->sh->tb);
    }
    /* What the join check (engine) compares with the next chunk. */
    if (own && c->res->join_first == AV_NOPTS_VALUE)
        c->res->join_first = f->pts;
    if (after && c->res->join_next == AV_NOPTS_VALUE)
        c->res->join_next = f->pts;
    return own;
}

/* Tag a frame about to be fed with its place among the fed frames. */
static int tag_frame(Ctx *c, AVFrame *f, int64_t ts)
{
    if (c->nfed == c->fed_cap) {
        int cap = c->fed_cap ? 2 * c->fed_cap : 256;
        int64_t *p = av_realloc_array(c->fed, cap, sizeof(*p));
        if (!p)
            return AVERROR(ENOMEM);
        c->fed = p;
        c->fed_cap = cap;
    }
    c->fed[c->nfed++] = ts;
    f->opaque = (void *)(intptr_t)c->nfed;
    return 0;
}

/* A frame of the warm-up (job->warm): made from an input frame in
 * [t_warm, t_start), before any frame of the chunk's own. */
static int warm_frame(const Ctx *c, int own)
{
    const RdChunkJob *j = c->job;
    return j->warm && !own && c->keep_pts == AV_NOPTS_VALUE && c->cur_src != AV_NOPTS_VALUE &&
           c->cur_src >= j->t_warm && c->cur_src < j->t_start;
}

/* Output frames of the chunk's own input frames are encoded; the rest came
 * from pre-roll or post-roll and are the neighbours'. */
static int drain_filter(Ctx *c)
{
    int ret;
    while ((ret = av_buffersink_get_frame(c->flt.sink, c->filt)) >= 0) {
        if (c->filt->pts != AV_NOPTS_VALUE)
            c->filt->pts += c->gshift_o;
        if (stopped(c)) {
            av_frame_unref(c->filt);
            return AVERROR_EXIT;
        }
        /* An encoder fed another size than it was opened for corrupts memory. */
        if (c->filt->width != c->enc->width || c->filt->height != c->enc->height ||
            c->filt->format != c->enc->pix_fmt) {
            char q[RD_ERR_QUOTE + 1];
            snprintf(c->err, c->errlen, "filter graph '%s' changed the frame size or format "
                     "(%dx%d to %dx%d)", rd_errline_quote(c->sh->vf, RD_ERR_QUOTE, q, sizeof(q)), c->enc->width, c->enc->height,
                     c->filt->width, c->filt->height);
            av_frame_unref(c->filt);
            return AVERROR(EINVAL);
        }
        /* The replay's frames, junk at times of its own (one frame time
         * can come twice where the graph was built anew for a new size):
         * not even the frame sync sees them. */
        if (c->filt->pts != AV_NOPTS_VALUE && c->filt->pts < c->t_replay_f) {
            c->res->wasted++;
            av_frame_unref(c->filt);
            continue;
        }
        int own = owned(c, c->filt);
        c->warming = warm_frame(c, own);
        if (c->warming)
            c->res->wasted++;
        if (c->sync.cfg)
            ret = rd_chunksync_frame(&c->sync, c->filt, own || c->warming, c->cur_src, c->res, send_synced, c,
                                     c->err, c->errlen);
        else if (own || c->warming)
            ret = encode(c, c->filt);
        else
            c->res->wasted++;
        c->warming = 0;
        av_frame_unref(c->filt);
        if (ret < 0)
            return ret;
    }
    /* The graph ended on its own (trim, an output -t's trim): no later
     * frame can give output, so the chunk reads no further, as the CLI
     * stops reading once its output is closed. */
    if (ret == AVERROR_EOF && !c->closing) {
        c->graph_ended = 1;
        c->done = 1;
    }
    return ret == AVERROR(EAGAIN) || ret == AVERROR_EOF ? 0 : ret;
}

static int seek_back(Ctx *c, int64_t target);

/* What the template's graph gives (a few: loop=-1:size=1 gives without
 * end); the first frame's colours and fields are noted. */
static int tmpl_take(Ctx *c)
{
    int ret;
    for (int n = 0; n < 64 && (ret = av_buffersink_get_frame(c->flt.sink, c->filt)) >= 0; n++) {
        if (!c->cost->color_seen) {
            c->cost->color_seen = 1;
            c->cost->color_range = c->filt->color_range;
            c->cost->color_primaries = c->filt->color_primaries;
            c->cost->color_trc = c->filt->color_trc;
            c->cost->colorspace = c->filt->colorspace;
            c->cost->chroma_location = c->filt->chroma_location;
            c->cost->interlaced = c->filt->interlaced_frame;
            c->cost->tff = c->filt->top_field_first;
        }
        av_frame_unref(c->filt);
        if (stopped(c))
            return AVERROR_EXIT;
    }
    return ret == AVERROR(EAGAIN) || ret == AVERROR_EOF ? 0 : ret;
}

/* The template's look at the workload: how long opening took, and how
 * long the graph takes for a frame (what it gives back is thrown away).
 * A graph that holds its first frames back (minterpolate, tmix; 6 for
 * fieldmatch,decimate) is fed up to TEMPLATE_FEED frames, until it gives
 * one: its cost is in those, and the first filtered frame's colours and
 * fields are what the CLI tags the output with. A graph that sets the
 * fields (yadif, setfield) after one that gives nothing for a while
 * (select=gte(t\,1)) is fed until it gives a frame: only that frame says
 * the field order (tmpl_enough). */
#define TEMPLATE_FEED 16

/* contract.h replay by a filter that retimes (sh->replay_measure): once
 * the graph gave its first frame, the template feeds 1 + REPLAY_MEASURE
 * more at frozen times, one tick apart after the last: the first still
 * makes the frames due up to the last one fed (a processed frame's work
 * for the graph), the others only the state (a replayed frame's): their
 * ratio weighs the replay in the plan. */
#define REPLAY_MEASURE 2
#define REPLAY_FRAMES (1 + REPLAY_MEASURE)

static int tmpl_enough(const Ctx *c)
{
    if (!c->cost || (c->cost->color_seen && (!c->sh->replay_measure || c->tmpl_after >= REPLAY_FRAMES)))
        return 1;
    return c->tmpl_fed >= TEMPLATE_FEED && !c->cost->sets_fields;
}

/* Frame k after the graph's first output, under replay: the measure's
 * frozen time. Returns where its time goes: 1 the processed frame's,
 * 2 the replayed frame's; -1: no frame of the measure. */
static int replay_measure_time(Ctx *c, AVFrame *f)
{
    int k;
    if (!c->sh->replay_measure || !c->cost->color_seen || f->pts == AV_NOPTS_VALUE || c->tmpl_last == AV_NOPTS_VALUE)
        return -1;
    k = c->tmpl_after++;
    f->pts = c->tmpl_last + k + 1;
    return k ? 2 : 1;
}

static int time_filter(Ctx *c, AVFrame *f)
{
    double t = omp_get_wtime();
    int ret, phase;
    if (!c->cost)
        return 0;
    if (!c->tmpl_fed) {
        c->cost->open_s = t - c->t0;
        c->cost->in_interlaced = f->interlaced_frame;
        c->cost->in_tff = f->top_field_first;
        c->cost->sets_fields = rd_encode_graph_sets_fields(c->flt.graph);
    }
    if ((phase = replay_measure_time(c, f)) < 0) {
        c->tmpl_fed++;
        c->tmpl_last = f->pts;
    }
    if ((ret = av_buffersrc_add_frame_flags(c->flt.src, f, AV_BUFFERSRC_FLAG_KEEP_REF)) < 0)
        return ret;
    ret = tmpl_take(c);
    t = omp_get_wtime() - t;
    if (phase == 1)
        c->cost->graph_s = t;
    else if (phase == 2)
        c->cost->replay_s += t / REPLAY_MEASURE;
    else {
        c->tmpl_filter_s += t;
        c->cost->filter_s = c->tmpl_filter_s / c->tmpl_fed;
    }
    return ret;
}

/* A graph that gave nothing for the frames fed (reverse: all at its end)
 * is closed there: the first frame out of it then still tells the colours
 * and fields (reverse,yadif: progressive) the CLI tags the output with. */
static int tmpl_close(Ctx *c)
{
    int ret;
    if (!c->cost || c->cost->color_seen || !c->flt.graph)
        return 0;
    if ((ret = av_buffersrc_close(c->flt.src, AV_NOPTS_VALUE, 0)) < 0)
        return ret;
    return tmpl_take(c);
}

/* contract.h prime: one frame at the whole run's first time goes first,
 * so that setpts takes the whole run's start; the chain is frame-local,
 * so what it gives comes out at once, and is thrown away. */
static int prime_graph(Ctx *c, const AVFrame *f)
{
    AVFrame *p = av_frame_clone(f);
    int ret;
    c->prime = 0;
    if (!p)
        return AVERROR(ENOMEM);
    p->pts = c->sh->prime_pts - c->gshift;
    p->opaque = NULL;
    ret = av_buffersrc_add_frame(c->flt.src, p);
    av_frame_free(&p);
    while (ret >= 0 && (ret = av_buffersink_get_frame(c->flt.sink, c->filt)) >= 0)
        av_frame_unref(c->filt);
    return ret == AVERROR(EAGAIN) ? 0 : ret;
}

/* contract.h replay: a frame of the whole run before this chunk's pre-roll
 * (the first frame of the whole run is prime_pts). */
static int replays(const Ctx *c, int64_t ts)
{
    return c->sh->replay && ts != AV_NOPTS_VALUE && ts >= c->sh->prime_pts && ts < c->job->t_preroll &&
           c->job->first_index > 0;
}

/* The replay's frames go one tick apart, the last one tick before the
 * pre-roll's first frame: in the replayed filter's output grid they span
 * less than a frame, so it makes (almost) none of its frames, and the
 * frames after them keep their own times. The probe counted them
 * (first_index); a decode that gives more is no longer the whole run's. */
static int replay_time(Ctx *c, int64_t *ts)
{
    int64_t left = c->job->first_index - c->replayed;
    if (left < 1) {
        snprintf(c->err, c->errlen, "the replay before %.3f s met more frames than the input's index "
                 "listed", c->job->t_preroll * av_q2d(c->sh->tb));
        return RD_ERR_RENUMBER;
    }
    c->replayed++;
    c->res->wasted++;
    *ts = c->job->t_preroll - left;
    return 0;
}

/* One decoded frame: drop it, stop at it, or filter it. */
static int take_frame(Ctx *c, AVFrame *f)
{
    int64_t ts = rd_tsfix_frame(&c->fix, f->best_effort_timestamp);
    int ret;

    if (!c->got_first) {
        c->got_first = 1;
        if (!c->job->from_start && ts != AV_NOPTS_VALUE && ts > c->job->t_preroll)
            return seek_back(c, c->job->t_seek);
    }
    if (ts >= c->job->t_postroll || (c->job->max_frames > 0 && (c->decoded >= c->job->max_frames ||
                                                                 (ts != AV_NOPTS_VALUE && ts >= c->job->t_limit)))) {
        c->done = 1;
        return 0;
    }
    if (replays(c, ts)) {
        if ((ret = replay_time(c, &ts)) < 0)
            return ret;
        f->opaque = NULL; /* untagged, at a time before the pre-roll's: not the chunk's */
        f->pts = ts;
    } else if (ts < c->job->t_preroll || (!c->job->from_start && (f->flags & AV_FRAME_FLAG_CORRUPT))) {
        /* A frame the decoder itself calls corrupt (not recovered yet after a
         * recovery point) is not what a sequential decode shows: dropped, so
         * that the chunk comes out short and is decoded again from the start.
         * The demuxer landed on a later recovery point: start further back. */
        if (ts >= c->job->t_preroll && !c->taken && c->reseeks < MAX_RESEEK)
            return seek_back(c, c->job->t_seek);
        c->res->wasted++;
        return 0;
    } else {
        c->taken++;
        if (ts >= c->job->t_start && ts < c->job->t_end)
            c->decoded++;
        f->pts = ts;
        if ((ret = tag_frame(c, f, ts)) < 0)
            return ret;
    }
    /* The CLI stamps the stream's aspect ratio (Matroska display size,
     * AVI vprp, MP4 pasp) over the decoder's on every frame. */
    if (c->ic->streams[c->sh->vindex]->sample_aspect_ratio.num)
        f->sample_aspect_ratio = c->ic->streams[c->sh->vindex]->sample_aspect_ratio;
    /* A new size or format: what the old graph has given is encoded, the
     * rest of its state goes, as in the CLI. */
    if (c->flt.graph && (f->width != c->cur_w || f->height != c->cur_h || f->format != c->cur_fmt))
        rd_filter_free(&c->flt);
    if (!c->flt.graph && (ret = open_graph(c, f)) < 0)
        return ret;
    if (ts != AV_NOPTS_VALUE)
        f->pts = ts - c->gshift;
    if (c->template_only) {
        ret = time_filter(c, f);
        c->done = ret < 0 || tmpl_enough(c);
        return ret;
    }
    if (c->prime && (ret = prime_graph(c, f)) < 0)
        return ret;
    if ((ret = av_buffersrc_add_frame(c->flt.src, f)) < 0)
        return ret;
    return drain_filter(c);
}

/* The decoder's calls, timed for the start-up measure (the plan weighs a frame decoded only to be
 * thrown away by the decoder's share of the work: startup.h). */
static int receive_timed(Ctx *c)
{
    double t = tick(c);
    int ret = avcodec_receive_frame(c->dec, c->frame);
    c->res->decode_cpu_s += tick(c) - t;
    return ret;
}

static int decode(Ctx *c, const AVPacket *pkt)
{
    double t = tick(c);
    int ret = avcodec_send_packet(c->dec, pkt);
    c->res->decode_cpu_s += tick(c) - t;
    /* Like the ffmpeg CLI: a damaged packet costs its frame, not the run. */
    if (ret < 0 && ret != AVERROR_INVALIDDATA && ret != AVERROR_EOF)
        return ret;
    c->res->damaged += ret == AVERROR_INVALIDDATA || (pkt && (pkt->flags & AV_PKT_FLAG_CORRUPT));
    while (!c->done && (ret = receive_timed(c)) >= 0) {
        int reseeks = c->reseeks;
        c->res->damaged += !!c->frame->decode_error_flags;
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
    avcodec_flush_buffers(c->dec);
    if (c->reseeks <= MAX_RESEEK)
        ret = av_seek_frame(c->ic, c->sh->vindex, target - back, AVSEEK_FLAG_BACKWARD);
    if (ret < 0) {
        avformat_close_input(&c->ic);
        if ((ret = rd_input_open(&c->ic, c->sh->path, c->sh->vindex)) < 0)
            return ret;
        c->got_first = 1; /* from the start there is nothing earlier to find */
    }
    rd_tsfix_init(&c->fix, c->ic, c->ic->streams[c->sh->vindex], c->got_first);
    rd_tsfix_use(&c->fix, c->sh->jumps);
    c->synced = c->got_first;
    return 0;
}

static int first_seek(Ctx *c)
{
    int ret;
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
        if (stopped(c))
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
        /* A demuxer may land on any packet (MPEG-TS seeks by time, not by
         * keyframe): what comes before a real random-access point would
         * decode to garbage. */
        if (c->pkt->stream_index == c->sh->vindex && !c->synced)
            c->synced = rd_rap_check(&c->rap, c->pkt) || rd_rap_recovery(&c->rap, c->pkt) > 0;
        if (c->pkt->stream_index == c->sh->vindex && c->synced) {
            rd_tsfix_packet(&c->fix, c->pkt);
            ret = decode(c, c->pkt);
        } else
            ret = 0;
        av_packet_unref(c->pkt);
        if (ret < 0)
            return ret;
    }
    if (!c->done && (ret = decode(c, NULL)) < 0)
        return ret;
    return 0;
}

/* On the graph's timeline (graph_shift). */
static int64_t end_pts(const Ctx *c)
{
    int64_t last = c->nfed ? c->fed[c->nfed - 1] : AV_NOPTS_VALUE;
    if (c->done && c->job->t_postroll != INT64_MAX)
        return c->job->t_postroll - c->gshift;
    return last == AV_NOPTS_VALUE ? AV_NOPTS_VALUE : last + c->job->eof_duration - c->gshift;
}

static int flush(Ctx *c)
{
    int ret;
    if (!c->flt.graph)
        return 0;
    /* The graph's end of stream is where the next frame would begin (the
     * end of the last frame at the end of the input), as the ffmpeg CLI
     * closes its buffer source: filters that fill time up to it (fps)
     * depend on it. */
    c->closing = 1;
    if ((ret = av_buffersrc_close(c->flt.src, end_pts(c), AV_BUFFERSRC_FLAG_PUSH)) < 0)
        return ret;
    if ((ret = drain_filter(c)) < 0)
        return ret;
    if (c->sync.cfg && (ret = rd_chunksync_end(&c->sync, c->res, send_synced, c)) < 0)
        return ret;
    return encode(c, NULL);
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Each packet lasts until the next frame in presentation order; the last
 * until the next chunk's start (or the input's last frame duration). A
 * packet without a presentation time lasts one frame at the frame rate.
 * The ffmpeg CLI's packets last one frame at the output rate (its muxer
 * fills them in): where a packet's end is not known that is render's too,
 * and never an end past the next chunk's start, which Matroska would take
 * for the stream's duration. */
static int set_durations(Ctx *c)
{
    RdChunkResult *r = c->res;
    AVRational etb = c->enc ? c->enc->time_base : c->sh->tb;
    AVRational fr = c->enc && c->enc->framerate.num > 0 ? c->enc->framerate : c->sh->enc->fps;
    int64_t frame = fr.num > 0 && fr.den > 0 ? FFMAX(1, av_rescale_q(1, av_inv_q(fr), etb)) : 1;
    int64_t *s = av_malloc_array(r->n ? r->n : 1, sizeof(*s));
    int64_t end = c->job->t_end == INT64_MAX ? INT64_MAX : av_rescale_q(c->job->t_end, c->sh->tb, etb);
    if (c->job->sync) /* the frame sync's ticks */
        end = c->job->sync_end;
    else if (c->job->retimed && end != INT64_MAX) /* never past the next chunk's first frame */
        end = c->res->join_next != AV_NOPTS_VALUE && !c->sync.cfg ? av_rescale_q(c->res->join_next, c->otb, etb)
                                                                   : INT64_MIN; /* (a sync's ticks are not the graph's) */
    int m = 0, depth;

    if (!s)
        return AVERROR(ENOMEM);
    for (int i = 0; i < r->n; i++)
        if (r->pkts[i]->pts != AV_NOPTS_VALUE)
            s[m++] = r->pkts[i]->pts;
    qsort(s, m, sizeof(*s), cmp_i64);
    for (int i = 0; i < r->n; i++) {
        int64_t *p, k;
        if (r->pkts[i]->pts == AV_NOPTS_VALUE) {
            r->pkts[i]->duration = frame;
            continue;
        }
        p = bsearch(&r->pkts[i]->pts, s, m, sizeof(*s), cmp_i64);
        k = p - s;
        if (k + 1 < m)
            r->pkts[i]->duration = s[k + 1] - s[k];
        else if (end != INT64_MAX && end > s[k])
            r->pkts[i]->duration = end - s[k];
        else if (c->sync.cfg || end == INT64_MIN)
            r->pkts[i]->duration = frame;
        else
            r->pkts[i]->duration = FFMAX(1, av_rescale_q(c->job->last_duration, c->sh->tb, etb));
    }
    av_free(s);
    if ((depth = rd_timeline_depth(r->pkts, r->n)) < 0)
        return depth;
    r->reorder_depth = depth;
    return 0;
}

static int run(Ctx *c)
{
    int ret;
    if ((ret = rd_input_open(&c->ic, c->sh->path, c->sh->vindex)) < 0)
        return ret;
    if ((ret = open_decoder(c)) < 0)
        return ret;
    rd_tsfix_init(&c->fix, c->ic, c->ic->streams[c->sh->vindex], c->job->from_start);
    rd_tsfix_use(&c->fix, c->sh->jumps);
    rd_rap_init(&c->rap, c->ic->streams[c->sh->vindex]->codecpar);
    c->synced = c->job->from_start;
    if ((ret = first_seek(c)) < 0)
        return ret;
    if ((ret = read_loop(c)) < 0)
        return ret;
    if (c->template_only)
        return !c->enc ? AVERROR_INVALIDDATA : tmpl_close(c);
    if ((ret = flush(c)) < 0)
        return ret;
    /* Frames left unread after the graph's end are not missing: counted
     * as accounted for, so that neither the retry from the start
     * (engine.c run_job) nor the damage count takes them for a shortfall. */
    c->res->decoded = c->graph_ended ? FFMAX(c->decoded, c->job->expect_frames) : c->decoded;
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
    av_freep(&c->fed);
    rd_chunksync_free(&c->sync);
    av_frame_free(&c->filt);
    av_frame_free(&c->frame);
    av_packet_free(&c->pkt);
    rd_filter_free(&c->flt);
    rd_encode_close(&c->enc);
    avcodec_free_context(&c->dec);
    avformat_close_input(&c->ic);
    return ret;
}

int rd_chunk_template(const RdChunkShared *sh, AVCodecContext **enc, RdChunkCost *cost,
                      char *err, int errlen)
{
    RdChunkJob job = { .t_end = INT64_MAX, .t_postroll = INT64_MAX, .from_start = 1, .t_seek = INT64_MIN,
                       .t_preroll = INT64_MIN, .t_start = INT64_MIN, .rc_pass = sh->tmpl_pass1 ? 3 : 0 };
    RdChunkResult res = {0};
    Ctx c = { .sh = sh, .job = &job, .res = &res, .err = err, .errlen = errlen, .template_only = 1,
              .last_pts = INT64_MIN, .keep_pts = AV_NOPTS_VALUE, .cost = cost, .t0 = omp_get_wtime(),
              .tmpl_last = AV_NOPTS_VALUE };
    int ret;
    if (cost)
        memset(cost, 0, sizeof(*cost));
    ret = run_ctx(&c, enc);
    rd_chunk_result_free(&res);
    return ret;
}

int rd_chunk_run(const RdChunkShared *sh, const RdChunkJob *job, RdChunkResult *res,
                 RdChunkProgress *cp, RdWorkerProgress *wp, char *err, int errlen)
{
    Ctx c = { .sh = sh, .job = job, .res = res, .cp = cp, .wp = wp, .err = err, .errlen = errlen,
              .last_pts = INT64_MIN, .keep_pts = AV_NOPTS_VALUE };

    memset(res, 0, sizeof(*res));
    /* Whatever thread runs a chunk (the loop, a first pass, the start-up
     * or scene measure, an MPI rank's team), a stack overflow in it still
     * removes the temporary files (io/signals.h). */
    rd_signals_thread_stack();
    res->index = job->index;
    res->join_first = res->join_next = res->src_at_last = AV_NOPTS_VALUE;
    return run_ctx(&c, NULL);
}

void rd_chunk_result_free(RdChunkResult *res)
{
    for (int i = 0; i < res->n; i++)
        av_packet_free(&res->pkts[i]);
    av_freep(&res->pkts);
    res->n = res->cap = 0;
    av_freep(&res->rc_stats);
    res->rc_stats_len = 0;
}
