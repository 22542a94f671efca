#include "engine/encode.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libavfilter/buffersink.h>
#include <libavutil/avstring.h>
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>

#include "io/avlog.h"

int rd_encode_find(const AVCodec **codec, const char *name)
{
    *codec = avcodec_find_encoder_by_name(name);
    if (!*codec || (*codec)->type != AVMEDIA_TYPE_VIDEO)
        return AVERROR_ENCODER_NOT_FOUND;
    return 0;
}

const char *rd_encoder_name(const char *name, enum AVMediaType type)
{
    const AVCodecDescriptor *desc;
    const AVCodec *codec;

    if (!name || !strcmp(name, "copy") || !strcmp(name, "none") || avcodec_find_encoder_by_name(name))
        return name;
    desc = avcodec_descriptor_get_by_name(name);
    codec = desc && desc->type == type ? avcodec_find_encoder(desc->id) : NULL;
    return codec ? codec->name : name;
}

/* Our settings go first in a ':'-separated parameter list, so that what the
 * user gave for the same key comes later and wins. */
static int prepend_params(AVDictionary **d, const char *key, const char *ours)
{
    const AVDictionaryEntry *e = av_dict_get(*d, key, NULL, 0);
    char *v;
    int ret;

    if (!e || !*e->value)
        return av_dict_set(d, key, ours, 0);
    if (!(v = av_asprintf("%s:%s", ours, e->value)))
        return AVERROR(ENOMEM);
    ret = av_dict_set(d, key, v, AV_DICT_DONT_STRDUP_VAL);
    return ret;
}

/* Rate and keyframe settings as the AVOptions ffmpeg's -b:v, -maxrate,
 * -bufsize, -g, -keyint_min and -sc_threshold set. */
static int rate_opts(AVDictionary **d, const RdEncodeConfig *cfg)
{
    int ret = 0;
    if (cfg->bitrate > 0)
        ret = av_dict_set_int(d, "b", cfg->bitrate, 0);
    if (ret >= 0 && cfg->maxrate > 0)
        ret = av_dict_set_int(d, "maxrate", cfg->maxrate, 0);
    if (ret >= 0 && cfg->bufsize > 0)
        ret = av_dict_set_int(d, "bufsize", cfg->bufsize, 0);
    if (ret >= 0 && cfg->gop > 0)
        ret = av_dict_set_int(d, "g", cfg->gop, 0);
    if (ret >= 0 && cfg->keyint_min > 0)
        ret = av_dict_set_int(d, "keyint_min", cfg->keyint_min, 0);
    if (ret >= 0 && cfg->sc_threshold >= 0)
        ret = av_dict_set_int(d, "sc_threshold", cfg->sc_threshold, 0);
    return ret;
}

/* A chunk's own options last; its "flags" added to the user's, its
 * x264-params after the user's (so they win). */
static int extra_opts(AVDictionary **d, const AVDictionary *extra)
{
    const AVDictionaryEntry *e = NULL, *f;
    int ret = 0;
    while (ret >= 0 && (e = av_dict_get(extra, "", e, AV_DICT_IGNORE_SUFFIX))) {
        if (!strcmp(e->key, "flags") && (f = av_dict_get(*d, "flags", NULL, 0)))
            ret = av_dict_set(d, "flags", e->value, AV_DICT_APPEND);
        else if (strstr(e->key, "-params") && (f = av_dict_get(*d, e->key, NULL, 0)) && *f->value) {
            char *v = av_asprintf("%s:%s", f->value, e->value);
            ret = v ? av_dict_set(d, e->key, v, AV_DICT_DONT_STRDUP_VAL) : AVERROR(ENOMEM);
        } else
            ret = av_dict_set(d, e->key, e->value, 0);
    }
    return ret;
}

static int build_opts(AVDictionary **d, const RdEncodeConfig *cfg, const AVDictionary *extra)
{
    const char *name = cfg->codec->name;
    int quiet = av_log_get_level() < AV_LOG_INFO;
    int ret = 0;

    if (cfg->crf >= 0)
        ret = av_dict_set_int(d, "crf", cfg->crf, 0);
    if (ret >= 0 && cfg->preset)
        ret = av_dict_set(d, "preset", cfg->preset, 0);
    if (ret >= 0)
        ret = rate_opts(d, cfg);
    if (ret >= 0 && cfg->opts)
        ret = av_dict_copy(d, cfg->opts, 0);
    if (ret >= 0 && extra)
        ret = extra_opts(d, extra);
    /* Encoders with their own thread pools ignore thread_count: the OpenMP
     * pool owns concurrency, one thread per encoder. */
    if (ret >= 0 && !strcmp(name, "libx265"))
        ret = prepend_params(d, "x265-params", quiet ? "pools=none:frame-threads=1:log-level=none"
                                                     : "pools=none:frame-threads=1");
    /* x264's second pass sets the picture's initial QP from its stats:
     * chunk by chunk another PPS, under the one the file declares. */
    if (ret >= 0 && cfg->stitchable && !strncmp(name, "libx264", 7))
        ret = prepend_params(d, "x264-params", "stitchable=1");
    if (ret >= 0 && !strcmp(name, "libsvtav1"))
        ret = prepend_params(d, "svtav1-params", "lp=1");
    return ret;
}

/* HDR10 in the bitstream too (SEI), where the container's copy may be
 * lost: libx265 takes it as x265-params; the user's own values win. */
static int add_hdr10(AVDictionary **d, const RdEncodeConfig *cfg)
{
    const AVMasteringDisplayMetadata *m = cfg->mastering;
    const AVDictionaryEntry *e = av_dict_get(*d, "x265-params", NULL, 0);
    char buf[512];
    int o = 0;

    if (strcmp(cfg->codec->name, "libx265") || (!m && !cfg->light) ||
        (e && (strstr(e->value, "master-display") || strstr(e->value, "max-cll"))))
        return 0;
    o = snprintf(buf, sizeof(buf), "%s%s", e ? e->value : "", e && *e->value ? ":" : "");
    /* x265's units: chromaticity in 1/50000, luminance in 1/10000 cd/m2. */
    if (m && m->has_primaries && m->has_luminance)
        o += snprintf(buf + o, sizeof(buf) - o, "master-display=G(%d,%d)B(%d,%d)R(%d,%d)WP(%d,%d)L(%d,%d):",
                      (int)av_rescale(m->display_primaries[1][0].num, 50000, m->display_primaries[1][0].den),
                      (int)av_rescale(m->display_primaries[1][1].num, 50000, m->display_primaries[1][1].den),
                      (int)av_rescale(m->display_primaries[2][0].num, 50000, m->display_primaries[2][0].den),
                      (int)av_rescale(m->display_primaries[2][1].num, 50000, m->display_primaries[2][1].den),
                      (int)av_rescale(m->display_primaries[0][0].num, 50000, m->display_primaries[0][0].den),
                      (int)av_rescale(m->display_primaries[0][1].num, 50000, m->display_primaries[0][1].den),
                      (int)av_rescale(m->white_point[0].num, 50000, m->white_point[0].den),
                      (int)av_rescale(m->white_point[1].num, 50000, m->white_point[1].den),
                      (int)av_rescale(m->max_luminance.num, 10000, m->max_luminance.den),
                      (int)av_rescale(m->min_luminance.num, 10000, m->min_luminance.den));
    if (cfg->light && o < (int)sizeof(buf))
        o += snprintf(buf + o, sizeof(buf) - o, "max-cll=%u,%u:", cfg->light->MaxCLL, cfg->light->MaxFALL);
    if (o <= 0 || o >= (int)sizeof(buf))
        return 0;
    buf[o - 1] = 0;
    return av_dict_set(d, "x265-params", buf, 0);
}

/* Encoders that code fields (interlaced DCT and motion estimation). */
static int codes_fields(const AVCodec *c)
{
    static const char *const names[] = { "libx264", "libx264rgb", "mpeg2video", "mpeg4", "prores_ks", NULL };
    for (int i = 0; names[i]; i++)
        if (!strcmp(c->name, names[i]))
            return 1;
    return 0;
}

/* Filters that decide the field structure themselves: deinterlacers make
 * frames progressive, (t)interlace and telecine make fields, setfield
 * says what they are. The input's field order does not hold after them. */
int rd_encode_graph_sets_fields(const AVFilterGraph *g)
{
    /* Exact names; the deinterlacers also by prefix (yadif_cuda, bwdif_vulkan). */
    static const char *const names[] = { "yadif", "bwdif", "w3fdif", "kerndeint", "nnedi", "estdif",
                                         "fieldmatch", "separatefields", "weave", "doubleweave",
                                         "tinterlace", "interlace", "telecine", "setfield",
                                         "fieldorder", "field", "il", "dejudder", "pullup", NULL };
    for (unsigned i = 0; g && i < g->nb_filters; i++) {
        const char *f = g->filters[i]->filter->name;
        if (!strncmp(f, "yadif", 5) || !strncmp(f, "bwdif", 5))
            return 1;
        for (int k = 0; names[k]; k++)
            if (!strcmp(f, names[k]))
                return 1;
    }
    return 0;
}

/* An interlaced source stays interlaced: tagged with its field order, and
 * coded as fields where the encoder can (what `-flags +ildct+ilme` asks
 * of the ffmpeg CLI), unless the graph changes the fields (--vf yadif).
 * The ffmpeg form tags what the first filtered frame says, and codes
 * fields only where the user's -flags ask. */
static void set_fields(AVCodecContext *enc, const RdEncodeConfig *cfg, const AVFilterContext *sink)
{
    enum AVFieldOrder fo = cfg->in ? cfg->in->field_order : AV_FIELD_UNKNOWN;
    /* The CLI tags its output from the first frame it encodes, whatever
     * the container said, and codes fields only when -flags asks. */
    if (cfg->fields_as_ffmpeg || rd_encode_graph_sets_fields(sink ? sink->graph : NULL)) {
        enc->field_order = cfg->graph_fields;
        return;
    }
    if (fo == AV_FIELD_UNKNOWN) {
        /* The container says nothing (FLV, AVI, NUT, DV): the CLI tags the
         * output from the first frame it encodes, as it does after yadif. */
        enc->field_order = cfg->graph_fields;
        return;
    }
    enc->field_order = fo;
    if (fo != AV_FIELD_PROGRESSIVE && codes_fields(cfg->codec))
        enc->flags |= AV_CODEC_FLAG_INTERLACED_DCT | AV_CODEC_FLAG_INTERLACED_ME;
}

/* Encoders that take only the frame rates of their standard, or whose
 * bitstream cannot hold a fine time base, get 1/frame rate at once (not
 * after a refused open: that would print an error under -v). */
static int wants_cfr(const AVCodec *codec, AVRational tb)
{
    switch (codec->id) {
    case AV_CODEC_ID_MPEG4: case AV_CODEC_ID_H263: case AV_CODEC_ID_H263P:
    case AV_CODEC_ID_FLV1: case AV_CODEC_ID_MSMPEG4V2: case AV_CODEC_ID_MSMPEG4V3:
    case AV_CODEC_ID_WMV1: case AV_CODEC_ID_WMV2:
        return tb.den > 65535;
    default:
        return codec->supported_framerates != NULL;
    }
}

/* The frame rate as the ffmpeg CLI 5.1 picks it. */
static AVRational frame_rate(const RdEncodeConfig *cfg, const AVFilterContext *sink)
{
    AVRational fr = cfg->rate.num > 0 && cfg->rate.den > 0 ? cfg->rate : av_buffersink_get_frame_rate(sink);
    if (fr.num <= 0 || fr.den <= 0)
        fr = cfg->fps;
    if (fr.num <= 0 || fr.den <= 0)
        fr = (AVRational){ 25, 1 };
    if (cfg->codec->supported_framerates)
        fr = cfg->codec->supported_framerates[av_find_nearest_q_idx(fr, cfg->codec->supported_framerates)];
    if (cfg->codec->id == AV_CODEC_ID_MPEG4)
        av_reduce(&fr.num, &fr.den, fr.num, fr.den, 65535);
    return fr;
}

static void set_format(AVCodecContext *enc, const RdEncodeConfig *cfg, const AVFilterContext *sink,
                       int cfr)
{
    const AVPixFmtDescriptor *d;
    enc->width = av_buffersink_get_w(sink);
    enc->height = av_buffersink_get_h(sink);
    enc->pix_fmt = av_buffersink_get_format(sink);
    enc->sample_aspect_ratio = av_buffersink_get_sample_aspect_ratio(sink);
    enc->framerate = frame_rate(cfg, sink);
    enc->time_base = cfr ? av_inv_q(enc->framerate) : av_buffersink_get_time_base(sink);
    if (cfg->in) {
        enc->color_range = cfg->in->color_range;
        enc->color_primaries = cfg->in->color_primaries;
        enc->color_trc = cfg->in->color_trc;
        enc->colorspace = cfg->in->color_space;
        enc->chroma_sample_location = cfg->in->chroma_location;
    }
    /* The yuvj formats are full range by definition. */
    if ((d = av_pix_fmt_desc_get(enc->pix_fmt)) && !strncmp(d->name, "yuvj", 4))
        enc->color_range = AVCOL_RANGE_JPEG;
}

/* SVT-AV1 (1.4) sets up process-wide state in its init and deinit without
 * a lock: two chunks opening at once crash in svt_av1_enc_init_handle. Its
 * opens and closes take turns; its encoding runs in parallel. */
static int serialised(const AVCodec *codec)
{
    return !strcmp(codec->name, "libsvtav1");
}

int rd_encode_slices_follow_threads(const AVCodec *codec)
{
    static const enum AVCodecID ids[] = { AV_CODEC_ID_MPEG1VIDEO, AV_CODEC_ID_MPEG2VIDEO, AV_CODEC_ID_MPEG4,
                                          AV_CODEC_ID_H263P };
    if (!codec || !(codec->capabilities & AV_CODEC_CAP_SLICE_THREADS) ||
        (codec->capabilities & AV_CODEC_CAP_FRAME_THREADS) || codec->wrapper_name)
        return 0;
    for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
        if (codec->id == ids[i])
            return 1;
    return 0;
}

static int try_open(AVCodecContext **penc, const RdEncodeConfig *cfg, const AVDictionary *extra,
                    const char *stats_in, const AVFilterContext *sink, int cfr, AVDictionary **opts)
{
    int ret;
    if (!(*penc = avcodec_alloc_context3(cfg->codec)))
        return AVERROR(ENOMEM);
    /* A copy of its own: libavcodec's pass 2 cuts it up as it reads it. */
    if (stats_in && !((*penc)->stats_in = av_strdup(stats_in)))
        return AVERROR(ENOMEM);
    set_format(*penc, cfg, sink, cfr);
    set_fields(*penc, cfg, sink);
    (*penc)->thread_count = 1;
    /* Their slices are their threads: the CLI's count gives the CLI's
     * packets (a few short-lived threads more per chunk). */
    if (rd_encode_slices_follow_threads(cfg->codec)) {
        (*penc)->thread_count = cfg->threads;
        (*penc)->thread_type = FF_THREAD_SLICE;
    }
    if (cfg->global_header)
        (*penc)->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    if ((ret = build_opts(opts, cfg, extra)) < 0 || (ret = add_hdr10(opts, cfg)) < 0)
        return ret;
    if (!serialised(cfg->codec))
        return avcodec_open2(*penc, cfg->codec, opts);
    #pragma omp critical(rd_encode_init)
    ret = avcodec_open2(*penc, cfg->codec, opts);
    return ret;
}

/* x264 and x265 refuse a size the chroma subsampling does not divide, and
 * libx264 leaks its parameters when it does (found by fuzzing): say so
 * before opening. */
static int check_size(const AVFilterContext *sink, const AVCodec *codec, char *err, int errlen)
{
    const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(av_buffersink_get_format(sink));
    int w = av_buffersink_get_w(sink), h = av_buffersink_get_h(sink);
    if (!d || strncmp(codec->name, "libx26", 6))
        return 0;
    if ((w & ((1 << d->log2_chroma_w) - 1)) || (h & ((1 << d->log2_chroma_h) - 1))) {
        snprintf(err, errlen, "cannot open encoder %s for %dx%d %s: its chroma subsampling needs "
                 "a width divisible by %d and a height by %d", codec->name, w,
                 h, d->name, 1 << d->log2_chroma_w, 1 << d->log2_chroma_h);
        return AVERROR(EINVAL);
    }
    return 0;
}

int rd_encode_open(AVCodecContext **penc, const RdEncodeConfig *cfg,
                   const AVFilterContext *sink, char *err, int errlen)
{
    return rd_encode_open_with(penc, cfg, NULL, sink, err, errlen);
}

int rd_encode_open_with(AVCodecContext **penc, const RdEncodeConfig *cfg, const AVDictionary *extra,
                        const AVFilterContext *sink, char *err, int errlen)
{
    return rd_encode_open_stats(penc, cfg, extra, NULL, sink, err, errlen);
}

int rd_encode_open_stats(AVCodecContext **penc, const RdEncodeConfig *cfg, const AVDictionary *extra,
                         const char *stats_in, const AVFilterContext *sink, char *err, int errlen)
{
    AVDictionary *opts = NULL;
    const AVDictionaryEntry *e;
    AVRational tb = av_buffersink_get_time_base(sink);
    int cfr = cfg->frame_ts || wants_cfr(cfg->codec, tb);
    int ret;

    *penc = NULL;
    if ((ret = check_size(sink, cfg->codec, err, errlen)) < 0)
        return ret;
    rd_avlog_clear();
    ret = try_open(penc, cfg, extra, stats_in, sink, cfr, &opts);

    /* An encoder that refuses the exact time base may take the frame rate's. */
    if (ret < 0 && ret != AVERROR(ENOMEM) && !cfr && av_cmp_q(tb, av_inv_q(frame_rate(cfg, sink)))) {
        rd_encode_close(penc);
        av_dict_free(&opts);
        ret = try_open(penc, cfg, extra, stats_in, sink, 1, &opts);
    }
    if (ret < 0) {
        /* The encoder's own words say which setting it refused. */
        const char *why = rd_avlog_last();
        if (*penc)
            snprintf(err, errlen, "cannot open encoder %s for %dx%d %s: %s", cfg->codec->name,
                     (*penc)->width, (*penc)->height,
                     av_get_pix_fmt_name((*penc)->pix_fmt) ? av_get_pix_fmt_name((*penc)->pix_fmt) : "?",
                     *why ? why : av_err2str(ret));
        goto end;
    }
    if ((e = av_dict_get(opts, "", NULL, AV_DICT_IGNORE_SUFFIX))) {
        snprintf(err, errlen, "encoder %s has no option '%s'", cfg->codec->name, e->key);
        ret = AVERROR_OPTION_NOT_FOUND;
    }
end:
    av_dict_free(&opts);
    if (ret < 0)
        rd_encode_close(penc);
    return ret;
}

/* A user who lowers the compliance gets the encoder's whole list, as with
 * the CLI's -strict. */
static int compliance_lowered(const AVDictionary *opts)
{
    const AVDictionaryEntry *e = av_dict_get(opts, "strict", NULL, 0);
    if (!e)
        return 0;
    return !strcmp(e->value, "unofficial") || !strcmp(e->value, "experimental") || atoi(e->value) < 0;
}

const enum AVPixelFormat *rd_encode_pix_fmts(const RdEncodeConfig *cfg)
{
    static const enum AVPixelFormat mjpeg[] = {
        AV_PIX_FMT_YUVJ420P, AV_PIX_FMT_YUVJ422P, AV_PIX_FMT_YUVJ444P, AV_PIX_FMT_NONE
    };
    if (!strcmp(cfg->codec->name, "mjpeg") && !compliance_lowered(cfg->opts))
        return mjpeg;
    return cfg->codec->pix_fmts;
}

int rd_encode_frame(AVCodecContext *enc, AVFrame *f, AVRational tb)
{
    if (f && f->pts != AV_NOPTS_VALUE)
        f->pts = av_rescale_q(f->pts, tb, enc->time_base);
    /* As the CLI does for every picture: a constant quantiser (flags
     * +qscale, -q:v) is read from the frame by libavcodec's own encoders,
     * not from global_quality (without this, -q:v 8 came out at q 2). */
    if (f)
        f->quality = enc->global_quality;
    return avcodec_send_frame(enc, f);
}

/* SVT-AV1 (1.4) hangs in its close without an end of stream, and hangs on
 * an end of stream that follows no frame at all: a template encoder, or a
 * chunk that got no frame, is given one black frame first. Once the encoder
 * has had its end of stream this is refused (AVERROR_EOF), harmlessly. */
static void feed_blank(AVCodecContext *enc)
{
    AVFrame *f = av_frame_alloc();
    if (!f)
        return;
    f->width = enc->width;
    f->height = enc->height;
    f->format = enc->pix_fmt;
    f->pts = 0;
    if (av_frame_get_buffer(f, 0) >= 0) {
        for (int i = 0; i < AV_NUM_DATA_POINTERS && f->buf[i]; i++)
            memset(f->buf[i]->data, 0, f->buf[i]->size);
        avcodec_send_frame(enc, f);
    }
    av_frame_free(&f);
}

void rd_encode_close(AVCodecContext **penc)
{
    AVPacket *pkt;
    if (!*penc)
        return;
    /* A failed avcodec_open2 leaves codec NULL (and nothing of the library
     * to close): only an open encoder is flushed or taken turns with. */
    /* stats_in is the caller's to free (libavcodec never frees it): ours. */
    av_freep(&(*penc)->stats_in);
    if (!avcodec_is_open(*penc) || !(*penc)->codec) {
        avcodec_free_context(penc);
        return;
    }
    /* Only SVT-AV1 must see its end of stream before it closes; any other
     * encoder closes with frames still in its lookahead, at once (a chunk
     * stopped by Ctrl-C or another chunk's error: draining x264's
     * lookahead at a slow preset took seconds). */
    if (!strcmp((*penc)->codec->name, "libsvtav1") && (pkt = av_packet_alloc())) {
        feed_blank(*penc);
        if (avcodec_send_frame(*penc, NULL) >= 0)
            while (avcodec_receive_packet(*penc, pkt) >= 0)
                av_packet_unref(pkt);
        av_packet_free(&pkt);
    }
    if (!serialised((*penc)->codec)) {
        avcodec_free_context(penc);
        return;
    }
    #pragma omp critical(rd_encode_init)
    avcodec_free_context(penc);
}
