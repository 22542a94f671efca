#include "engine/sizes.h"

#include <libavutil/intreadwrite.h>

/* Sizes past this are a damaged header, not a frame any decoder opens
 * (av_image_check_size's bound); they are not counted. */
#define MAX_SIDE 32768

void rd_sizes_seen(RdSizes *s, int w, int h)
{
    if (w <= 0 || h <= 0 || w > MAX_SIDE || h > MAX_SIDE)
        return;
    s->max_w = FFMAX(s->max_w, w);
    s->max_h = FFMAX(s->max_h, h);
}

int rd_sizes_init(RdSizes *s, const AVCodecParameters *par)
{
    const AVCodec *codec = avcodec_find_decoder(par->codec_id);
    *s = (RdSizes){ 0 };
    rd_sizes_seen(s, par->width, par->height);
    if (!codec || !(s->parser = av_parser_init(par->codec_id)))
        return 0;
    /* Packets are whole frames from the demuxer: no splitting needed. */
    s->parser->flags |= PARSER_FLAG_COMPLETE_FRAMES;
    if (!(s->ctx = avcodec_alloc_context3(codec)) || avcodec_parameters_to_context(s->ctx, par) < 0) {
        rd_sizes_free(s);
        return AVERROR(ENOMEM);
    }
    return 0;
}

/* AV_PKT_DATA_PARAM_CHANGE: le32 flags, then the fields the flags name. */
static void param_change(RdSizes *s, const AVPacket *pkt)
{
    size_t n = 0;
    const uint8_t *d = av_packet_get_side_data(pkt, AV_PKT_DATA_PARAM_CHANGE, &n);
    const uint8_t *end = d + n;
    uint32_t flags;
    if (!d || n < 4)
        return;
    flags = AV_RL32(d);
    d += 4;
    if (flags & 1) /* AV_SIDE_DATA_PARAM_CHANGE_CHANNEL_COUNT */
        d += 4;
    if (flags & 2) /* AV_SIDE_DATA_PARAM_CHANGE_CHANNEL_LAYOUT */
        d += 8;
    if (flags & 4) /* AV_SIDE_DATA_PARAM_CHANGE_SAMPLE_RATE */
        d += 4;
    if ((flags & 8) && end - d >= 8) /* AV_SIDE_DATA_PARAM_CHANGE_DIMENSIONS */
        rd_sizes_seen(s, AV_RL32(d), AV_RL32(d + 4));
}

void rd_sizes_packet(RdSizes *s, const AVPacket *pkt)
{
    uint8_t *out = NULL;
    int outlen = 0;
    param_change(s, pkt);
    if (!s->parser || pkt->size <= 0)
        return;
    av_parser_parse2(s->parser, s->ctx, &out, &outlen, pkt->data, pkt->size,
                     pkt->pts, pkt->dts, pkt->pos);
    /* Parsers set the size in the context (mpegvideo, mpeg4) or in
     * their own fields (h264, hevc, av1, vp9). */
    rd_sizes_seen(s, s->parser->width, s->parser->height);
    rd_sizes_seen(s, s->ctx->width, s->ctx->height);
}

void rd_sizes_free(RdSizes *s)
{
    av_parser_close(s->parser);
    avcodec_free_context(&s->ctx);
    s->parser = NULL;
}
