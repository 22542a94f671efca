/*
 * writer.c - encode and mux to a temporary file, rename at the end (see writer.h).
 */
#include "gen/writer.h"
#include "gen/tone.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/channel_layout.h>
#include <libavutil/avstring.h>
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>

#define AUDIO_RATE        48000
#define AUDIO_BITRATE     128000
#define AUDIO_ANY_FRAME   1024      /* frame size for encoders that take any */
#define FAST_PRESET       "veryfast"
#define NOT_A_SCENECUT    1000000000

typedef struct GenStream {
    AVCodecContext *enc;
    AVStream *st;
    AVFrame *frame;
} GenStream;

struct GenWriter {
    AVFormatContext *oc;
    AVPacket *pkt;
    GenStream video, audio;
    const char *output;         ///< final name (the caller's string)
    char *tmp;                  ///< temporary name next to it
    int tmp_created;
    int finished;               ///< renamed into place
    AVRational fps;
    int64_t audio_next;         ///< next audio sample to encode
    int64_t audio_total;        ///< audio samples matching the video's duration
    int audio_frame_size;       ///< samples per audio frame sent to the encoder
    int audio_short_last;       ///< the encoder accepts a short last frame
};

/* Write "what: reason" to err and return ret. */
static int fail(char *err, int err_size, int ret, const char *fmt, ...)
{
    char what[256], reason[AV_ERROR_MAX_STRING_SIZE];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    av_strerror(ret, reason, sizeof(reason));
    if (err && err_size > 0)
        snprintf(err, err_size, "%s: %s", what, reason);
    return ret;
}

static int has_option(AVCodecContext *c, const char *name)
{
    return c->priv_data && av_opt_find(c->priv_data, name, NULL, 0, 0) != NULL;
}

/* Send `frame` (NULL: flush) to the encoder and mux what comes out. */
static int encode(GenWriter *w, GenStream *gs, AVFrame *frame, char *err, int err_size)
{
    int ret = avcodec_send_frame(gs->enc, frame);
    if (ret < 0)
        return fail(err, err_size, ret, "%s: encoding failed", gs->enc->codec->name);
    for (;;) {
        ret = avcodec_receive_packet(gs->enc, w->pkt);
        if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF)
            return 0;
        if (ret < 0)
            return fail(err, err_size, ret, "%s: encoding failed", gs->enc->codec->name);
        av_packet_rescale_ts(w->pkt, gs->enc->time_base, gs->st->time_base);
        w->pkt->stream_index = gs->st->index;
        ret = av_interleaved_write_frame(w->oc, w->pkt);
        if (ret < 0)
            return fail(err, err_size, ret, "%s: cannot write", w->output);
    }
}

/*
 * Encoder options that make keyframes fall exactly every gop frames (no
 * scene-cut keyframes, closed GOPs) and set quality and speed.
 */
static int video_options(AVCodecContext *c, const GenSettings *s, int gop, AVDictionary **opts)
{
    const char *name = c->codec->name;
    const AVCodecDescriptor *desc = avcodec_descriptor_get(c->codec_id);
    int x264 = !strncmp(name, "libx264", 7), x265 = !strcmp(name, "libx265");
    int vpx  = !strncmp(name, "libvpx", 6);
    const char *preset = s->preset;
    int crf = s->crf;
    int ret = 0;

    if (!preset && (x264 || x265))
        preset = FAST_PRESET;
    if (preset && has_option(c, "preset"))
        ret = av_dict_set(opts, "preset", preset, 0);
    if (ret >= 0 && x264)
        ret = av_dict_set(opts, "x264-params", "scenecut=0:open-gop=0", 0);
    if (ret >= 0 && x265) {
        char params[256];
        /* pools=none, frame-threads=1: one thread, so one bitstream. */
        snprintf(params, sizeof(params),
                 "keyint=%d:min-keyint=%d:scenecut=0:open-gop=0:"
                 "pools=none:frame-threads=1:log-level=error", gop, gop);
        ret = av_dict_set(opts, "x265-params", params, 0);
    }
    if (ret >= 0 && vpx) {
        ret = av_dict_set(opts, "deadline", "good", 0);
        if (ret >= 0)
            ret = av_dict_set(opts, "cpu-used", "4", 0);
    }
    /* MPEG-1/2/4 and friends: no extra I-frames on scene changes. */
    if (ret >= 0 && !x264 && has_option(c, "sc_threshold"))
        ret = av_dict_set_int(opts, "sc_threshold", NOT_A_SCENECUT, 0);
    if (ret < 0)
        return ret;

    if (crf < 0)
        crf = x264 || x265 ? 23 : vpx ? 32 : -1;
    if (crf >= 0 && has_option(c, "crf")) {
        c->bit_rate = 0;    /* constant quality, no bitrate target */
        return av_dict_set_int(opts, "crf", crf, 0);
    }
    if (desc && (desc->props & AV_CODEC_PROP_LOSSY) && !has_option(c, "crf")) {
        /* No CRF (mpeg4, mpeg2video...): a fixed, good quantiser rather
         * than the 200 kb/s default. */
        c->flags |= AV_CODEC_FLAG_QSCALE;
        c->global_quality = FF_QP2LAMBDA * 3;
    }
    return 0;
}

/* The yuvj* formats are full range by definition. */
static int is_full_range(enum AVPixelFormat fmt)
{
    return fmt == AV_PIX_FMT_YUVJ420P || fmt == AV_PIX_FMT_YUVJ422P ||
           fmt == AV_PIX_FMT_YUVJ444P || fmt == AV_PIX_FMT_YUVJ440P ||
           fmt == AV_PIX_FMT_YUVJ411P;
}

static int open_video(GenWriter *w, const GenSettings *s, char *err, int err_size)
{
    const AVCodec *codec = avcodec_find_encoder_by_name(s->vcodec);
    const AVPixFmtDescriptor *pd = av_pix_fmt_desc_get(s->pix_fmt);
    AVDictionary *opts = NULL;
    AVCodecContext *c;
    int gop = gen_settings_gop(s);
    int ret;

    if (!codec || codec->type != AVMEDIA_TYPE_VIDEO)
        return fail(err, err_size, AVERROR_ENCODER_NOT_FOUND, "%s", s->vcodec);
    if (!(c = w->video.enc = avcodec_alloc_context3(codec)))
        return fail(err, err_size, AVERROR(ENOMEM), "%s", s->vcodec);

    c->width               = s->width;
    c->height              = s->height;
    c->pix_fmt             = s->pix_fmt;
    c->sample_aspect_ratio = (AVRational){ 1, 1 };
    c->framerate           = s->fps;
    c->time_base           = av_inv_q(s->fps);
    c->gop_size            = gop;
    c->keyint_min          = gop;
    c->thread_count        = 1;     /* one thread: deterministic bitstream */
    c->flags              |= AV_CODEC_FLAG_CLOSED_GOP;
    if (w->oc->oformat->flags & AVFMT_GLOBALHEADER)
        c->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    if (pd && !(pd->flags & AV_PIX_FMT_FLAG_RGB)) {
        /* run.c converts with these coefficients: tag what we write. */
        c->colorspace      = AVCOL_SPC_BT709;
        c->color_primaries = AVCOL_PRI_BT709;
        c->color_trc       = AVCOL_TRC_BT709;
        c->color_range     = is_full_range(s->pix_fmt) ? AVCOL_RANGE_JPEG : AVCOL_RANGE_MPEG;
    }

    if ((ret = video_options(c, s, gop, &opts)) < 0)
        goto end;
    if ((ret = avcodec_open2(c, codec, &opts)) < 0) {
        fail(err, err_size, ret, "%s: cannot open encoder (%dx%d %s)", codec->name,
             s->width, s->height, av_get_pix_fmt_name(s->pix_fmt));
        goto end;
    }

    if (!(w->video.st = avformat_new_stream(w->oc, NULL))) {
        ret = fail(err, err_size, AVERROR(ENOMEM), "%s", w->output);
        goto end;
    }
    w->video.st->time_base      = c->time_base;
    w->video.st->avg_frame_rate = s->fps;
    if ((ret = avcodec_parameters_from_context(w->video.st->codecpar, c)) < 0) {
        fail(err, err_size, ret, "%s", codec->name);
        goto end;
    }

    AVFrame *f = w->video.frame = av_frame_alloc();
    if (!f) {
        ret = fail(err, err_size, AVERROR(ENOMEM), "%s", codec->name);
        goto end;
    }
    f->format      = c->pix_fmt;
    f->width       = c->width;
    f->height      = c->height;
    f->colorspace  = c->colorspace;
    f->color_range = c->color_range;
    if ((ret = av_frame_get_buffer(f, 0)) < 0)
        fail(err, err_size, ret, "%s", codec->name);
end:
    av_dict_free(&opts);
    return ret;
}

/* The container's audio codec: AAC where it fits, else its default. */
static enum AVCodecID audio_codec_id(const AVOutputFormat *of)
{
    /* < 0 means "cannot tell" (mpegts, for one), and AAC works there. */
    if (avformat_query_codec(of, AV_CODEC_ID_AAC, FF_COMPLIANCE_NORMAL) != 0)
        return AV_CODEC_ID_AAC;
    return of->audio_codec;
}

static int pick_rate(const AVCodec *codec)
{
    const int *r = codec->supported_samplerates;
    if (!r)
        return AUDIO_RATE;
    for (int i = 0; r[i]; i++)
        if (r[i] == AUDIO_RATE)
            return AUDIO_RATE;
    return r[0];
}

static enum AVSampleFormat pick_sample_fmt(const AVCodec *codec)
{
    const enum AVSampleFormat *f = codec->sample_fmts;
    if (!f)
        return AV_SAMPLE_FMT_S16;
    for (int i = 0; f[i] != AV_SAMPLE_FMT_NONE; i++)
        if (gen_tone_supports(f[i]))
            return f[i];
    return AV_SAMPLE_FMT_NONE;
}

static int pick_layout(const AVCodec *codec, AVChannelLayout *layout)
{
    const AVChannelLayout stereo = AV_CHANNEL_LAYOUT_STEREO;
    const AVChannelLayout *l = codec->ch_layouts;
    if (l && l[0].nb_channels) {
        for (int i = 0; l[i].nb_channels; i++)
            if (!av_channel_layout_compare(&l[i], &stereo))
                return av_channel_layout_copy(layout, &stereo);
        return av_channel_layout_copy(layout, &l[0]);
    }
    return av_channel_layout_copy(layout, &stereo);
}

static int open_audio(GenWriter *w, const GenSettings *s, char *err, int err_size)
{
    enum AVCodecID id = audio_codec_id(w->oc->oformat);
    const AVCodec *codec;
    AVCodecContext *c;
    int ret;

    if (id == AV_CODEC_ID_NONE)
        return 0;   /* a container without audio: video only */
    if (!(codec = avcodec_find_encoder(id)))
        return fail(err, err_size, AVERROR_ENCODER_NOT_FOUND, "%s audio (%s)",
                    w->oc->oformat->name, avcodec_get_name(id));
    if (!(c = w->audio.enc = avcodec_alloc_context3(codec)))
        return fail(err, err_size, AVERROR(ENOMEM), "%s", codec->name);

    c->sample_fmt   = pick_sample_fmt(codec);
    c->sample_rate  = pick_rate(codec);
    c->bit_rate     = AUDIO_BITRATE;
    c->time_base    = (AVRational){ 1, c->sample_rate };
    c->thread_count = 1;
    if (w->oc->oformat->flags & AVFMT_GLOBALHEADER)
        c->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    if (c->sample_fmt == AV_SAMPLE_FMT_NONE)
        return fail(err, err_size, AVERROR(ENOSYS), "%s: no usable sample format", codec->name);
    if ((ret = pick_layout(codec, &c->ch_layout)) < 0)
        return fail(err, err_size, ret, "%s", codec->name);
    if ((ret = avcodec_open2(c, codec, NULL)) < 0)
        return fail(err, err_size, ret, "%s: cannot open encoder", codec->name);

    if (!(w->audio.st = avformat_new_stream(w->oc, NULL)))
        return fail(err, err_size, AVERROR(ENOMEM), "%s", w->output);
    w->audio.st->time_base = c->time_base;
    if ((ret = avcodec_parameters_from_context(w->audio.st->codecpar, c)) < 0)
        return fail(err, err_size, ret, "%s", codec->name);

    int any_size = (codec->capabilities & AV_CODEC_CAP_VARIABLE_FRAME_SIZE) || c->frame_size <= 0;
    w->audio_frame_size = any_size ? AUDIO_ANY_FRAME : c->frame_size;
    w->audio_short_last = any_size || (codec->capabilities & AV_CODEC_CAP_SMALL_LAST_FRAME);
    /* Exactly the video's duration: frames / fps seconds. */
    w->audio_total = av_rescale(gen_settings_frames(s), (int64_t)c->sample_rate * s->fps.den, s->fps.num);

    AVFrame *f = w->audio.frame = av_frame_alloc();
    if (!f)
        return fail(err, err_size, AVERROR(ENOMEM), "%s", codec->name);
    f->format      = c->sample_fmt;
    f->sample_rate = c->sample_rate;
    f->nb_samples  = w->audio_frame_size;
    if ((ret = av_channel_layout_copy(&f->ch_layout, &c->ch_layout)) < 0 ||
        (ret = av_frame_get_buffer(f, 0)) < 0)
        return fail(err, err_size, ret, "%s", codec->name);
    return 0;
}

/* Encode audio frames up to sample `until`; at the end of the clip, the
 * rest, as a short frame or padded with silence per the encoder's needs. */
static int audio_until(GenWriter *w, int64_t until, char *err, int err_size)
{
    AVFrame *f = w->audio.frame;
    int size = w->audio_frame_size;
    int ret;

    if (!w->audio.enc)
        return 0;
    if (until > w->audio_total)
        until = w->audio_total;
    while (w->audio_next < w->audio_total) {
        int64_t left = w->audio_total - w->audio_next;
        int nb = size;
        if (w->audio_next + size > until) {
            if (until < w->audio_total)
                break;  /* not a whole frame yet: wait for more video */
            if (w->audio_short_last && left < size)
                nb = (int)left;
        }
        f->nb_samples = size;
        if ((ret = av_frame_make_writable(f)) < 0)
            return fail(err, err_size, ret, "audio frame");
        f->nb_samples = nb;
        if ((ret = gen_tone_fill(f, w->audio_next, w->audio_total, f->sample_rate)) < 0)
            return fail(err, err_size, ret, "tone");
        f->pts = w->audio_next;
        if ((ret = encode(w, &w->audio, f, err, err_size)) < 0)
            return ret;
        w->audio_next += nb;
    }
    return 0;
}

int gen_writer_open(GenWriter **pw, const GenSettings *s, char *err, int err_size)
{
    GenWriter *w;
    struct stat sb;
    int ret;

    *pw = NULL;
    if (!(w = av_mallocz(sizeof(*w))))
        return fail(err, err_size, AVERROR(ENOMEM), "%s", s->output);
    w->output = s->output;
    w->fps    = s->fps;

    if (stat(s->output, &sb) == 0) {
        if (S_ISDIR(sb.st_mode)) {
            ret = fail(err, err_size, AVERROR(EISDIR), "%s", s->output);
            goto end;
        }
        if (!s->overwrite) {
            ret = fail(err, err_size, AVERROR(EEXIST), "%s: not overwritten (use -y)", s->output);
            goto end;
        }
    }
    /* The container comes from the real name; bytes go to the temporary one. */
    if ((ret = avformat_alloc_output_context2(&w->oc, NULL, NULL, s->output)) < 0) {
        fail(err, err_size, ret, "%s: cannot choose a container from the name", s->output);
        goto end;
    }
    if (w->oc->oformat->flags & AVFMT_NOFILE) {
        ret = fail(err, err_size, AVERROR(EINVAL), "%s: %s is not a single-file container",
                   s->output, w->oc->oformat->name);
        goto end;
    }
    if (!(w->pkt = av_packet_alloc()) ||
        !(w->tmp = av_asprintf("%s.tmp-%ld", s->output, (long)getpid()))) {
        ret = fail(err, err_size, AVERROR(ENOMEM), "%s", s->output);
        goto end;
    }

    if ((ret = open_video(w, s, err, err_size)) < 0)
        goto end;
    if (s->audio && (ret = open_audio(w, s, err, err_size)) < 0)
        goto end;

    if ((ret = avio_open(&w->oc->pb, w->tmp, AVIO_FLAG_WRITE)) < 0) {
        fail(err, err_size, ret, "%s: cannot create", s->output);
        goto end;
    }
    w->tmp_created = 1;
    if ((ret = avformat_write_header(w->oc, NULL)) < 0) {
        fail(err, err_size, ret, "%s: cannot write the %s header", s->output, w->oc->oformat->name);
        goto end;
    }
    *pw = w;
    return 0;
end:
    gen_writer_free(&w);
    return ret;
}

AVFrame *gen_writer_frame(GenWriter *w)
{
    return av_frame_make_writable(w->video.frame) < 0 ? NULL : w->video.frame;
}

int gen_writer_video(GenWriter *w, int64_t index, char *err, int err_size)
{
    int ret;

    w->video.frame->pts = index;
    if ((ret = encode(w, &w->video, w->video.frame, err, err_size)) < 0)
        return ret;
    if (!w->audio.enc)
        return 0;
    int64_t until = av_rescale(index + 1, (int64_t)w->audio.enc->sample_rate * w->fps.den, w->fps.num);
    return audio_until(w, until, err, err_size);
}

int gen_writer_finish(GenWriter *w, int64_t *audio_samples, char *err, int err_size)
{
    int ret;

    if ((ret = encode(w, &w->video, NULL, err, err_size)) < 0)
        return ret;
    if (w->audio.enc) {
        if ((ret = audio_until(w, w->audio_total, err, err_size)) < 0 ||
            (ret = encode(w, &w->audio, NULL, err, err_size)) < 0)
            return ret;
    }
    if ((ret = av_write_trailer(w->oc)) < 0)
        return fail(err, err_size, ret, "%s: cannot write the trailer", w->output);
    if ((ret = avio_closep(&w->oc->pb)) < 0)
        return fail(err, err_size, ret, "%s: cannot write", w->output);
    if (rename(w->tmp, w->output) < 0)
        return fail(err, err_size, AVERROR(errno), "%s: cannot rename %s to it", w->output, w->tmp);
    w->finished = 1;
    if (audio_samples)
        *audio_samples = w->audio_next;
    return 0;
}

static void stream_free(GenStream *gs)
{
    avcodec_free_context(&gs->enc);
    av_frame_free(&gs->frame);
}

void gen_writer_free(GenWriter **pw)
{
    GenWriter *w = *pw;

    if (!w)
        return;
    if (w->oc)
        avio_closep(&w->oc->pb);
    if (w->tmp_created && !w->finished)
        unlink(w->tmp);
    stream_free(&w->video);
    stream_free(&w->audio);
    av_packet_free(&w->pkt);
    avformat_free_context(w->oc);
    av_freep(&w->tmp);
    av_freep(pw);
}
