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

/* x264 and x265 refuse a size the chroma subsampling does not divide, and
 * libx264 leaks its parameters when it does (found by fuzzing): say so
 * before opening. */
static int check_size(const AVCodecContext *enc, const AVCodec *codec, char *err, int errlen)
{
    const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(enc->pix_fmt);
    if (!d || strncmp(codec->name, "libx26", 6))
        return 0;
    if ((enc->width & ((1 << d->log2_chroma_w) - 1)) || (enc->height & ((1 << d->log2_chroma_h) - 1))) {
        snprintf(err, errlen, "cannot open encoder %s for %dx%d %s: its chroma subsampling needs "
                 "a width divisible by %d and a height by %d", codec->name, enc->width,
                 enc->height, d->name, 1 << d->log2_chroma_w, 1 << d->log2_chroma_h);
        return AVERROR(EINVAL);
    }
    return 0;
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
    (*penc)->thread_count = 1;
    if (cfg->global_header)
        (*penc)->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    if ((ret = build_opts(&opts, cfg)) < 0)
        goto end;
    if ((ret = check_size(*penc, cfg->codec, err, errlen)) < 0)
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
