#include "streams/subtitle.h"

#include <string.h>

/* Big enough for any text event; the ffmpeg CLI uses the same bound. */
#define SUB_BUF (1 << 20)
/* Converted packets come out in milliseconds, the unit of display times. */
static const AVRational SUB_TB = { 1, 1000 };

struct RdSub {
    AVCodecContext *dec, *enc;
    uint8_t *buf;
};

int rd_sub_is_text(enum AVCodecID id)
{
    const AVCodecDescriptor *d = avcodec_descriptor_get(id);
    return d && d->type == AVMEDIA_TYPE_SUBTITLE && (d->props & AV_CODEC_PROP_TEXT_SUB);
}

enum AVCodecID rd_sub_target(const AVOutputFormat *of)
{
    if (!strcmp(of->name, "webm"))
        return AV_CODEC_ID_WEBVTT;
    if (!strcmp(of->name, "matroska"))
        return AV_CODEC_ID_SUBRIP;
    if (strstr(of->name, "mp4") || strstr(of->name, "mov") || !strcmp(of->name, "ipod") ||
        strstr(of->name, "3gp") || !strcmp(of->name, "3g2"))
        return AV_CODEC_ID_MOV_TEXT;
    return of->subtitle_codec;
}

int rd_sub_open(RdSub **ps, const AVStream *ist, const AVCodec *codec, AVStream *ost)
{
    const AVCodec *dc = avcodec_find_decoder(ist->codecpar->codec_id);
    RdSub *s;
    int ret;

    if (!(s = *ps = av_mallocz(sizeof(*s))))
        return AVERROR(ENOMEM);
    if (!dc)
        return AVERROR_DECODER_NOT_FOUND;
    if (!(s->dec = avcodec_alloc_context3(dc)) || !(s->enc = avcodec_alloc_context3(codec)) ||
        !(s->buf = av_malloc(SUB_BUF)))
        return AVERROR(ENOMEM);
    if ((ret = avcodec_parameters_to_context(s->dec, ist->codecpar)) < 0)
        return ret;
    s->dec->pkt_timebase = ist->time_base;
    if ((ret = avcodec_open2(s->dec, dc, NULL)) < 0)
        return ret;
    /* The encoder starts from the decoder's ASS header (styles). */
    if (s->dec->subtitle_header) {
        if (!(s->enc->subtitle_header = av_mallocz(s->dec->subtitle_header_size + 1)))
            return AVERROR(ENOMEM);
        memcpy(s->enc->subtitle_header, s->dec->subtitle_header, s->dec->subtitle_header_size);
        s->enc->subtitle_header_size = s->dec->subtitle_header_size;
    }
    s->enc->time_base = AV_TIME_BASE_Q;
    s->enc->width = ist->codecpar->width;
    s->enc->height = ist->codecpar->height;
    if ((ret = avcodec_open2(s->enc, codec, NULL)) < 0)
        return ret;
    if ((ret = avcodec_parameters_from_context(ost->codecpar, s->enc)) < 0)
        return ret;
    ost->time_base = SUB_TB;
    return 0;
}

int rd_sub_convert(RdSub *s, const AVPacket *in, AVPacket *out)
{
    AVSubtitle sub;
    int got = 0, ret, size;

    ret = avcodec_decode_subtitle2(s->dec, &sub, &got, (AVPacket *)in);
    if (ret < 0 || !got)
        return AVERROR(EAGAIN);
    if (!sub.num_rects || sub.pts == AV_NOPTS_VALUE) {
        avsubtitle_free(&sub);
        return AVERROR(EAGAIN);
    }
    /* One event from its own start: shift the display window into pts. */
    sub.pts += av_rescale_q(sub.start_display_time, (AVRational){ 1, 1000 }, AV_TIME_BASE_Q);
    sub.end_display_time -= sub.start_display_time;
    sub.start_display_time = 0;
    size = avcodec_encode_subtitle(s->enc, s->buf, SUB_BUF, &sub);
    if (size <= 0) {
        avsubtitle_free(&sub);
        return size < 0 ? size : AVERROR(EAGAIN);
    }
    if ((ret = av_new_packet(out, size)) < 0) {
        avsubtitle_free(&sub);
        return ret;
    }
    memcpy(out->data, s->buf, size);
    out->pts = out->dts = av_rescale_q(sub.pts, AV_TIME_BASE_Q, SUB_TB);
    out->duration = sub.end_display_time == UINT32_MAX ? 0 :
                    sub.end_display_time;
    out->flags |= AV_PKT_FLAG_KEY;
    avsubtitle_free(&sub);
    return 0;
}

void rd_sub_skip(RdSub *s, const AVPacket *in)
{
    AVSubtitle sub;
    int got = 0;
    if (avcodec_decode_subtitle2(s->dec, &sub, &got, (AVPacket *)in) >= 0 && got)
        avsubtitle_free(&sub);
}

void rd_sub_free(RdSub **ps)
{
    RdSub *s = *ps;
    if (!s)
        return;
    avcodec_free_context(&s->dec);
    avcodec_free_context(&s->enc);
    av_free(s->buf);
    av_freep(ps);
}
