#include "encode.h"

#include <stdio.h>
#include <string.h>
#include <libavfilter/buffersink.h>
#include <libavutil/pixdesc.h>

int rd_encode_find(const AVCodec **codec, const char *name)
{
    *codec = avcodec_find_encoder_by_name(name);
    if (!*codec || (*codec)->type != AVMEDIA_TYPE_VIDEO)
        return AVERROR_ENCODER_NOT_FOUND;
    return 0;
}

static int build_opts(AVDictionary **d, const RdEncodeConfig *cfg)
{
    int ret = 0;
    if (cfg->crf >= 0)
        ret = av_dict_set_int(d, "crf", cfg->crf, 0);
    if (ret >= 0 && cfg->preset)
        ret = av_dict_set(d, "preset", cfg->preset, 0);
    if (ret >= 0 && cfg->opts)
        ret = av_dict_copy(d, cfg->opts, 0);
    /* x265 runs its own thread pool unless told not to. */
    if (ret >= 0 && !strcmp(cfg->codec->name, "libx265") && !av_dict_get(*d, "x265-params", NULL, 0))
        ret = av_dict_set(d, "x265-params", "pools=none:frame-threads=1", 0);
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
static int graph_sets_fields(const AVFilterContext *sink)
{
    /* Exact names; the deinterlacers also by prefix (yadif_cuda, bwdif_vulkan). */
    static const char *const names[] = { "yadif", "bwdif", "w3fdif", "kerndeint", "nnedi", "estdif",
                                         "fieldmatch", "separatefields", "weave", "doubleweave",
                                         "tinterlace", "interlace", "telecine", "setfield",
                                         "fieldorder", "field", "il", "dejudder", "pullup", NULL };
    const AVFilterGraph *g = sink ? sink->graph : NULL;
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
 * of the ffmpeg CLI), unless the graph changes the fields (--vf yadif). */
static void set_fields(AVCodecContext *enc, const RdEncodeConfig *cfg, const AVFilterContext *sink)
{
    enum AVFieldOrder fo = cfg->in ? cfg->in->field_order : AV_FIELD_UNKNOWN;
    if (fo == AV_FIELD_UNKNOWN || graph_sets_fields(sink))
        return;
    enc->field_order = fo;
    if (fo != AV_FIELD_PROGRESSIVE && codes_fields(cfg->codec))
        enc->flags |= AV_CODEC_FLAG_INTERLACED_DCT | AV_CODEC_FLAG_INTERLACED_ME;
}

static void set_format(AVCodecContext *enc, const RdEncodeConfig *cfg, const AVFilterContext *sink)
{
    AVRational fr = av_buffersink_get_frame_rate(sink);
    enc->width = av_buffersink_get_w(sink);
    enc->height = av_buffersink_get_h(sink);
    enc->pix_fmt = av_buffersink_get_format(sink);
    enc->sample_aspect_ratio = av_buffersink_get_sample_aspect_ratio(sink);
    enc->time_base = av_buffersink_get_time_base(sink);
    enc->framerate = fr.num > 0 && fr.den > 0 ? fr : cfg->fps;
    if (cfg->in) {
        enc->color_range = cfg->in->color_range;
        enc->color_primaries = cfg->in->color_primaries;
        enc->color_trc = cfg->in->color_trc;
        enc->colorspace = cfg->in->color_space;
        enc->chroma_sample_location = cfg->in->chroma_location;
    }
}

int rd_encode_open(AVCodecContext **penc, const RdEncodeConfig *cfg,
                   const AVFilterContext *sink, char *err, int errlen)
{
    AVDictionary *opts = NULL;
    const AVDictionaryEntry *e;
    int ret;

    if (!(*penc = avcodec_alloc_context3(cfg->codec)))
        return AVERROR(ENOMEM);
    set_format(*penc, cfg, sink);
    set_fields(*penc, cfg, sink);
    (*penc)->thread_count = 1;
    if (cfg->global_header)
        (*penc)->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    if ((ret = build_opts(&opts, cfg)) < 0 || (ret = add_hdr10(&opts, cfg)) < 0)
        goto end;
    if ((ret = avcodec_open2(*penc, cfg->codec, &opts)) < 0) {
        snprintf(err, errlen, "cannot open encoder %s for %dx%d %s", cfg->codec->name,
                 (*penc)->width, (*penc)->height,
                 av_get_pix_fmt_name((*penc)->pix_fmt) ? av_get_pix_fmt_name((*penc)->pix_fmt) : "?");
        goto end;
    }
    if ((e = av_dict_get(opts, "", NULL, AV_DICT_IGNORE_SUFFIX))) {
        snprintf(err, errlen, "encoder %s has no option '%s'", cfg->codec->name, e->key);
        ret = AVERROR_OPTION_NOT_FOUND;
    }
end:
    av_dict_free(&opts);
    if (ret < 0)
        avcodec_free_context(penc);
    return ret;
}
