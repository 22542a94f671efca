#include "engine/ratectl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <inttypes.h>
#include <stdlib.h>
#include <libavformat/avformat.h>
#include <libavutil/eval.h>
#include <libavutil/mem.h>

#include "engine/chunk.h"
#include "engine/engine.h"
#include "io/input.h"
#include "io/outfile.h"

/* x264's default starting fill (vbv-init 0.9): the first chunk's, as the
 * CLI's whole encode starts. */
#define X264_VBV_INIT 0.9
/* Files x264 makes of its stats name: the stats, the macroblock-tree
 * stats, and each written first under .temp then renamed. */
static const char *const stats_suffix[] = { "", ".temp", ".mbtree", ".mbtree.temp" };
#define NSUFFIX 4
#define PASS2_RATETOL "0.05"
/* libavcodec's pass 2 in a chunk: its bitrate tolerance, in frames of
 * its bits (the least libavcodec itself takes). */
#define LAVC_BT_FRAMES 5

void rd_vbv_init(RdVbv *v, double maxrate, double bufsize, double init)
{
    memset(v, 0, sizeof(*v));
    v->maxrate = maxrate;
    v->bufsize = bufsize;
    v->fill = bufsize * (init < 0 ? 0 : init > 1 ? 1 : init);
    v->min_fill = v->fill;
}

void rd_vbv_frame(RdVbv *v, int64_t bytes, double dur_s)
{
    v->fill -= 8.0 * bytes;
    if (v->fill < v->min_fill)
        v->min_fill = v->fill;
    if (v->fill < 0) {
        v->underflows++;
        v->fill = 0; /* the decoder waits: the model goes on from empty */
    }
    v->fill += v->maxrate * (dur_s > 0 ? dur_s : 0);
    if (v->fill > v->bufsize)
        v->fill = v->bufsize;
}

int rd_ratectl_parse_number(const char *s, int64_t *out)
{
    char *end;
    double x;
    if (!s || !*s)
        return AVERROR(EINVAL);
    x = av_strtod(s, &end);
    if (end == s || *end || !(x >= 1) || x > 9e18)
        return AVERROR(EINVAL);
    *out = (int64_t)(x + 0.5);
    return 0;
}

static int is_x264(const char *codec)
{
    return codec && (!strcmp(codec, "libx264") || !strcmp(codec, "libx264rgb"));
}

RdRcMode rd_ratectl_mode(const char *codec, int crf, int64_t vbitrate, int two_pass, int64_t target_size)
{
    if (target_size > 0 || (two_pass && vbitrate > 0))
        return RD_RC_TWOPASS;
    if (vbitrate <= 0)
        return RD_RC_NONE;
    /* With -crf the CLI's x264 ignores -b:v (CRF wins): so do we. */
    if (crf >= 0)
        return RD_RC_ABR;
    return is_x264(codec) ? RD_RC_TWOPASS : RD_RC_ABR;
}

RdRcMode rd_ratectl_mode_of(const RdSettings *s)
{
    RdRcMode m = rd_ratectl_mode(s->vcodec, s->crf, s->vbitrate, s->two_pass, s->target_size);
    if (m != RD_RC_TWOPASS && s->crf < 0 && s->maxrate <= 0 && s->bufsize <= 0 &&
        rd_ratectl_lavc_bitrate(s->vcodec, s->venc_opts, s->vbitrate) > 0)
        return RD_RC_TWOPASS;
    return m;
}

int rd_ratectl_check(const RdSettings *s, char *err, int errlen)
{
    const char *why = NULL;
    if (s->two_pass && s->vbitrate <= 0 && s->target_size <= 0)
        why = "--two-pass needs a bitrate (-b:v) or --target-size";
    else if (s->target_size > 0 && s->vbitrate > 0)
        why = "--target-size and -b:v both set the bitrate: give one";
    else if ((s->two_pass || s->target_size > 0) && s->crf >= 0)
        why = "two passes aim at a size, -crf at a quality: give one";
    else if (s->target_size > 0 && !is_x264(s->vcodec))
        why = "--target-size is done with libx264 only (its stats per chunk)";
    else if (s->two_pass && !is_x264(s->vcodec) && !rd_ratectl_lavc_bitrate(s->vcodec, s->venc_opts, s->vbitrate))
        why = "two passes across chunks are done with libx264, and with libavcodec's own encoders (mpeg4, "
              "mpeg2video ...) without B-frames or -maxrate, only";
    else if ((s->maxrate > 0) != (s->bufsize > 0))
        why = "-maxrate needs -bufsize (and -bufsize -maxrate): the buffer the joins are checked against";
    if (!why)
        return 0;
    snprintf(err, errlen, "%s", why);
    return AVERROR(EINVAL);
}

void rd_ratectl_encode_config(RdEncodeConfig *enc, const RdSettings *s)
{
    enc->bitrate = s->vbitrate;
    enc->maxrate = s->maxrate;
    enc->bufsize = s->bufsize;
    enc->gop = s->gop;
    enc->keyint_min = s->keyint_min;
    enc->sc_threshold = s->sc_threshold;
    enc->stitchable = rd_ratectl_mode_of(s) == RD_RC_TWOPASS;
    enc->threads = s->enc_threads;
}

int rd_ratectl_init(RdRateCtl *rc, const RdSettings *s, int n)
{
    const AVDictionaryEntry *e = av_dict_get(s->venc_opts, "rc_init_occupancy", NULL, 0);
    memset(rc, 0, sizeof(*rc));
    rc->mode = rd_ratectl_mode_of(s);
    rc->bitrate = s->vbitrate;
    /* One chunk: one encoder, whose own rate control is the CLI's (an
     * image's JPEG, a whole-stream graph into mpeg2video): the passes are
     * for joins, unless asked for (--two-pass, --target-size, -pass). */
    if (n == 1 && rc->mode == RD_RC_TWOPASS && !s->two_pass && s->target_size <= 0 && !s->pass)
        rc->mode = s->vbitrate > 0 ? RD_RC_ABR : RD_RC_NONE;
    /* libavcodec's own encoders: their two passes at the rate they aim at (their default too). */
    if (rc->mode == RD_RC_TWOPASS && !is_x264(s->vcodec) && s->target_size <= 0) {
        int64_t b = rd_ratectl_lavc_bitrate(s->vcodec, s->venc_opts, s->vbitrate);
        rc->lavc = b > 0;
        rc->user_bt = av_dict_get(s->venc_opts, "bt", NULL, 0) != NULL;
        if (b > 0)
            rc->bitrate = b;
    }
    rc->target_size = s->target_size;
    rc->vbv = s->maxrate > 0 && s->bufsize > 0;
    rc->vbv_chain = rc->vbv && is_x264(s->vcodec);
    rc->vbv_init = X264_VBV_INIT;
    if (e && s->bufsize > 0 && atof(e->value) > 0)
        rc->vbv_init = atof(e->value) / s->bufsize;
    rd_vbv_init(&rc->state, (double)s->maxrate, (double)s->bufsize, rc->vbv_init);
    snprintf(rc->base, sizeof(rc->base), "%s", s->output);
    rc->n = n;
    if (!(rc->c = av_calloc(n > 0 ? n : 1, sizeof(*rc->c))))
        return AVERROR(ENOMEM);
    return 0;
}

int rd_ratectl_init_template(RdRateCtl *rc, const RdSettings *s)
{
    int ret = rd_ratectl_init(rc, s, 1);
    /* Its stats files are named apart from chunk 0's, which may exist at the same time. */
    if (ret >= 0 && snprintf(rc->base, sizeof(rc->base), "%s.template", s->output) >= (int)sizeof(rc->base))
        ret = AVERROR(ENAMETOOLONG);
    if (ret >= 0) /* the whole rate: x264 picks the level in the headers from it */
        rc->c[0].bitrate = rc->bitrate;
    return ret;
}

int rd_ratectl_share(RdRateCtl *rc, double video_bits)
{
    double weight = 0, dur = 0;
    int measured = 1;
    if (rc->lavc)
        return rd_ratectl_lavc_share(rc, video_bits);
    for (int i = 0; i < rc->n; i++) {
        measured &= rc->c[i].pass1_bytes > 0;
        dur += rc->c[i].duration_s;
    }
    for (int i = 0; i < rc->n; i++)
        weight += measured ? (double)rc->c[i].pass1_bytes : rc->c[i].duration_s;
    if (!(video_bits > 0) || !(weight > 0) || !(dur > 0))
        return AVERROR(EINVAL);
    for (int i = 0; i < rc->n; i++) {
        RdRcChunk *c = &rc->c[i];
        double w = measured ? (double)c->pass1_bytes : c->duration_s;
        double d = c->duration_s > 0 ? c->duration_s : dur / rc->n;
        c->bitrate = (int64_t)(video_bits * w / weight / d + 0.5);
        if (c->bitrate < 1000)
            c->bitrate = 1000;
    }
    return 0;
}

static void stats_name(char *buf, int len, const char *stats, int k)
{
    snprintf(buf, len, "%s%s", stats, stats_suffix[k]);
}

/* Every name x264 will write, ours first: created exclusively (never a
 * file or link someone planted), registered for signals. */
static int stats_create(RdRateCtl *rc, int i, char *err, int errlen)
{
    RdRcChunk *c = &rc->c[i];
    char path[RD_RC_NAME], name[RD_RC_NAME + 16];
    int fd;

    if (snprintf(path, sizeof(path), "%.4000s.x264-%d", rc->base, i) >= (int)sizeof(path))
        return AVERROR(ENAMETOOLONG);
    if ((fd = rd_outfile_create(path, RD_OUTFILE_TMP, c->stats, sizeof(c->stats))) < 0) {
        snprintf(err, errlen, "%s: cannot create the chunk's rate-control stats: %s", path, av_err2str(fd));
        return fd;
    }
    close(fd);
    for (int k = 1; k < NSUFFIX; k++) {
        stats_name(name, sizeof(name), c->stats, k);
        if ((fd = rd_outfile_create_exact(name)) < 0) {
            snprintf(err, errlen, "%s: cannot create: %s", name, av_err2str(fd));
            return fd;
        }
    }
    return 0;
}

static int put(const char *name, const uint8_t *d, size_t n)
{
    int fd = open(name, O_WRONLY | O_TRUNC | O_NOFOLLOW | O_CLOEXEC), ret = 0;
    if (fd < 0)
        return AVERROR(errno);
    while (n && ret >= 0) {
        ssize_t k = write(fd, d, n);
        if (k <= 0)
            ret = k < 0 ? AVERROR(errno) : AVERROR(EIO);
        else
            d += k, n -= k;
    }
    if (close(fd) < 0 && ret >= 0)
        ret = AVERROR(errno);
    return ret;
}

int rd_ratectl_stats_load(RdRateCtl *rc, int i, const uint8_t *stats, size_t stats_len,
                          const uint8_t *mbtree, size_t mbtree_len, char *err, int errlen)
{
    char name[RD_RC_NAME + 16];
    int ret;
    if (i < 0 || i >= rc->n)
        return AVERROR(EINVAL);
    if (!rc->c[i].stats[0] && (ret = stats_create(rc, i, err, errlen)) < 0)
        return ret;
    if ((ret = put(rc->c[i].stats, stats, stats_len)) < 0) {
        snprintf(err, errlen, "%s: cannot write: %s", rc->c[i].stats, av_err2str(ret));
        return ret;
    }
    stats_name(name, sizeof(name), rc->c[i].stats, 2); /* .mbtree */
    if (mbtree_len && (ret = put(name, mbtree, mbtree_len)) < 0)
        snprintf(err, errlen, "%s: cannot write: %s", name, av_err2str(ret));
    return ret;
}

static int set_int(AVDictionary **d, const char *k, int64_t v)
{
    return av_dict_set_int(d, k, v, 0);
}

/* libavcodec's passes: pass 1 at the whole rate (-b:v as the CLI's
 * -pass 1 has it), its stats left in stats_out; pass 2 at the chunk's
 * share on its own stats (rd_ratectl_stats_in), or one pass at the share
 * where it has none. The user's VBV stays as it is. */
static int lavc_opts(RdRateCtl *rc, int i, int pass, int64_t bitrate, double vbv_init, AVDictionary **d)
{
    int64_t b = pass == 1 ? rc->bitrate : bitrate > 0 ? bitrate : rc->c[i].bitrate;
    int ret = 0;
    if (pass == 1)
        ret = av_dict_set(d, "flags", "+pass1", 0);
    else if (rd_ratectl_stats_in(rc, i, pass))
        ret = av_dict_set(d, "flags", "+pass2", 0);
    else if (pass == 2 && rc->c[i].lavc_len) {
        /* A share at the chunk's floor: every picture at the largest
         * quantiser, the least the encoder makes of it. */
        ret = av_dict_set(d, "flags", "+qscale", 0);
        if (ret >= 0)
            ret = set_int(d, "global_quality", (int64_t)rc->model.qmax * FF_QP2LAMBDA);
    }
    if (ret >= 0)
        ret = set_int(d, "b", b);
    /* A chunk is short: its second pass must land on its share. The
     * tolerance (bt, 4 Mbit by default: seconds of video) is how far it
     * may run off its plan before the quantiser leans against it; at the
     * default 1.24 s chunks at 1M ended 9% over, at 5 frames' bits 2%. */
    if (ret >= 0 && pass == 2 && !rc->user_bt && rc->model.fps > 0)
        ret = set_int(d, "bt", FFMAX(1, (int64_t)(LAVC_BT_FRAMES * b / rc->model.fps)));
    if (ret >= 0 && pass != 1 && vbv_init > 0 && rc->vbv)
        ret = set_int(d, "rc_init_occupancy", FFMAX(1, (int64_t)(vbv_init * rc->state.bufsize)));
    return ret;
}

void rd_ratectl_stats_take(RdRateCtl *rc, int i, char **stats, size_t *len)
{
    if (i < 0 || i >= rc->n)
        return;
    av_freep(&rc->c[i].lavc_stats);
    rc->c[i].lavc_stats = *stats;
    rc->c[i].lavc_len = *len;
    *stats = NULL;
    *len = 0;
}

const char *rd_ratectl_stats_in(const RdRateCtl *rc, int i, int pass)
{
    if (!rc || !rc->lavc || pass != 2 || i < 0 || i >= rc->n)
        return NULL;
    /* libavcodec counts the pictures from the first character on: never an empty log. */
    return rd_ratectl_lavc_can_plan(rc, i) ? rc->c[i].lavc_stats : NULL;
}

int rd_ratectl_chunk_opts(RdRateCtl *rc, int i, int pass, int64_t bitrate, double vbv_init,
                          AVDictionary **d, char *err, int errlen)
{
    int ret = 0;
    if (pass && (!rc || i < 0 || i >= rc->n)) {
        snprintf(err, errlen, "two passes across chunks run in one process (render), not across ranks");
        return AVERROR(EINVAL);
    }
    if (pass && rc->lavc)
        return lavc_opts(rc, i, pass, bitrate, vbv_init, d);
    /* x264 writes a first pass's stats: files of render's own, removed at the end. */
    if ((pass == 1 || pass == 3) && !rc->c[i].stats[0] && (ret = stats_create(rc, i, err, errlen)) < 0)
        return ret;
    if (pass == 1) {
        /* Constant quality (x264's default CRF, the user's x264 options):
         * the chunk's bytes then measure what it needs. No VBV here. */
        ret = av_dict_set(d, "flags", "+pass1", 0);
        if (ret >= 0) ret = set_int(d, "b", 0);
        if (ret >= 0) ret = set_int(d, "maxrate", 0);
        if (ret >= 0) ret = set_int(d, "bufsize", 0);
    } else if (pass == 2) {
        ret = av_dict_set(d, "flags", "+pass2", 0);
        if (ret >= 0) ret = set_int(d, "b", bitrate > 0 ? bitrate : rc->c[i].bitrate);
        /* A chunk is short: its second pass must land on its share, not
         * average out over a film (x264's default tolerance 1.0 left 12
         * one-second chunks 9% under their shares, 0.05 within 1.5%). */
        if (ret >= 0) ret = av_dict_set(d, "x264-params", "ratetol=" PASS2_RATETOL, 0);
    } else if (pass == 3) {
        /* -pass 1's OUTPUT: x264's first pass (its fast settings and
         * headers, as ffmpeg's pass-1 file) at the chunk's share. The stats
         * it writes over the analysis's are not read again (the log has them). */
        ret = av_dict_set(d, "flags", "+pass1", 0);
        if (ret >= 0) ret = set_int(d, "b", bitrate > 0 ? bitrate : rc->c[i].bitrate);
    }
    if (ret >= 0 && pass)
        ret = av_dict_set(d, "stats", rc->c[i].stats, 0);
    /* 0 bits would mean "x264's default": at least one. */
    if (ret >= 0 && pass != 1 && vbv_init > 0 && rc && rc->vbv)
        ret = set_int(d, "rc_init_occupancy", FFMAX(1, (int64_t)(vbv_init * rc->state.bufsize)));
    return ret;
}

static void simulate(RdVbv *v, const RdChunkResult *res, AVRational tb)
{
    for (int k = 0; k < res->n; k++)
        rd_vbv_frame(v, res->pkts[k]->size, res->pkts[k]->duration * av_q2d(tb));
}

int rd_ratectl_vbv_fits(const RdRateCtl *rc, const RdChunkResult *res, AVRational tb,
                        int redone, double *init)
{
    RdVbv v = rc->state;
    if (!rc->vbv)
        return 1;
    v.underflows = 0;
    simulate(&v, res, tb);
    *init = rc->state.fill / rc->state.bufsize;
    return !v.underflows || redone || !rc->vbv_chain || res->index == 0;
}

void rd_ratectl_vbv_advance(RdRateCtl *rc, const RdChunkResult *res, AVRational tb)
{
    int64_t before = rc->state.underflows;
    if (!rc->vbv)
        return;
    simulate(&rc->state, res, tb);
    rc->joins_short += rc->state.underflows > before;
}

void rd_ratectl_free(RdRateCtl *rc)
{
    char name[RD_RC_NAME + 16];
    if (!rc || !rc->c)
        return;
    for (int i = 0; i < rc->n; i++) {
        av_freep(&rc->c[i].lavc_stats);
        if (!rc->c[i].stats[0])
            continue;
        for (int k = NSUFFIX - 1; k >= 0; k--) {
            stats_name(name, sizeof(name), rc->c[i].stats, k);
            rd_outfile_discard(name);
        }
    }
    av_freep(&rc->c);
    rc->n = 0;
}

/* What a muxer adds per packet (MP4: sample size, time, offset tables;
 * Matroska: block headers), bytes, and once (headers, index). */
#define MUX_PER_PACKET 12
#define MUX_FIXED 4096

static int keeps(const RdSettings *s, enum AVMediaType t)
{
    switch (t) {
    case AVMEDIA_TYPE_AUDIO:    return !s->no_audio;
    case AVMEDIA_TYPE_SUBTITLE: return !s->no_subs;
    case AVMEDIA_TYPE_DATA:     return !s->no_data;
    default:                    return 1;
    }
}

int rd_ratectl_target_bits(const RdSettings *s, int vindex, int64_t frames, int64_t limit_us,
                           double *bits, char *err, int errlen)
{
    AVFormatContext *ic = NULL;
    AVPacket *pkt = av_packet_alloc();
    int64_t other = 0, npkt = frames;
    double video;
    int ret;

    if (!pkt)
        return AVERROR(ENOMEM);
    if (strcmp(s->acodec, "copy") && !s->no_audio) {
        snprintf(err, errlen, "--target-size: the audio's size is known only when it is copied "
                 "(-c:a copy or -an); with encoded audio use -b:v with --two-pass");
        ret = AVERROR(EINVAL);
        goto end;
    }
    if ((ret = rd_input_open(&ic, s->input, -1)) < 0)
        goto end;
    while ((ret = av_read_frame(ic, pkt)) >= 0) {
        AVStream *st = ic->streams[pkt->stream_index];
        int64_t t = pkt->pts != AV_NOPTS_VALUE ? pkt->pts : pkt->dts;
        if (pkt->stream_index != vindex && keeps(s, st->codecpar->codec_type) &&
            (limit_us == INT64_MAX || t == AV_NOPTS_VALUE ||
             av_rescale_q(t, st->time_base, AV_TIME_BASE_Q) < limit_us)) {
            other += pkt->size;
            npkt++;
        }
        av_packet_unref(pkt);
    }
    ret = 0;
    video = (double)s->target_size - other - (double)MUX_PER_PACKET * npkt - MUX_FIXED;
    if (video <= 0) {
        snprintf(err, errlen, "--target-size %" PRId64 ": the other streams and the container "
                 "alone take %" PRId64 " bytes", s->target_size,
                 other + MUX_PER_PACKET * npkt + MUX_FIXED);
        ret = AVERROR(EINVAL);
        goto end;
    }
    *bits = 8 * video;
end:
    avformat_close_input(&ic);
    av_packet_free(&pkt);
    return ret;
}
