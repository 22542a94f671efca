#include "engine/gophdr.h"

#include <string.h>
#include <libavutil/intreadwrite.h>
#include <libavutil/mem.h>
#include <libavutil/opt.h>
#include <libavutil/timecode.h>

/* The MPEG-1/2 frame rates by frame_rate_code, FFmpeg's table (9..13 are
 * its unofficial low rates). */
static const AVRational RATES[16] = {
    { 0, 1 }, { 24000, 1001 }, { 24, 1 }, { 25, 1 }, { 30000, 1001 }, { 30, 1 }, { 50, 1 },
    { 60000, 1001 }, { 60, 1 }, { 15, 1 }, { 5, 1 }, { 10, 1 }, { 12, 1 }, { 15, 1 }, { 0, 1 }, { 0, 1 },
};

int rd_gophdr_init(RdGopHdr *g, const AVCodecContext *enc)
{
    uint8_t *tc = NULL;
    int64_t drop = 0;

    memset(g, 0, sizeof(*g));
    if (!enc || (enc->codec_id != AV_CODEC_ID_MPEG1VIDEO && enc->codec_id != AV_CODEC_ID_MPEG2VIDEO) ||
        !enc->codec || strcmp(enc->codec->name, enc->codec_id == AV_CODEC_ID_MPEG1VIDEO ? "mpeg1video" : "mpeg2video"))
        return 0;
    g->on = 1;
    /* mpegvideo_enc.c: a GOP of one or none is intra-only, every GOP closed. */
    g->always_closed = !!(enc->flags & AV_CODEC_FLAG_CLOSED_GOP) || enc->gop_size <= 1;
    if (enc->priv_data && av_opt_get_int(enc->priv_data, "drop_frame_timecode", 0, &drop) >= 0)
        g->drop = !!drop;
    if (enc->priv_data && av_opt_get(enc->priv_data, "gop_timecode", 0, &tc) >= 0 && tc && *tc)
        g->tc_str = (char *)tc;
    else
        av_free(tc);
    return 0;
}

/* The time code's start from -gop_timecode, at the stream's rate (from its
 * sequence header), as the encoder reads it; once. */
static int parse_start(RdGopHdr *g, int rate_code)
{
    AVTimecode tc;
    int ret;
    if (!g->tc_str)
        return 0;
    if (!RATES[rate_code].num)
        return AVERROR_INVALIDDATA;
    if ((ret = av_timecode_init_from_string(&tc, RATES[rate_code], g->tc_str, NULL)) < 0)
        return ret;
    g->tc_start = tc.start;
    g->drop = !!(tc.flags & AV_TIMECODE_FLAG_DROPFRAME);
    av_freep(&g->tc_str);
    return 0;
}

/* Offset of start code `code` in p before the first picture, or -1. */
static int find_code(const uint8_t *d, int n, uint8_t code)
{
    for (int i = 0; i + 3 < n; i++) {
        if (d[i] || d[i + 1] || d[i + 2] != 1)
            continue;
        if (d[i + 3] == code)
            return i;
        if (d[i + 3] == 0x00) /* a picture: no GOP header after it */
            return -1;
    }
    return -1;
}

/* The four bytes after the GOP start code, as mpeg12enc.c writes them. */
static uint32_t gop_bits(const RdGopHdr *g, int64_t coded, int rate_code, uint32_t old)
{
    AVRational r = RATES[rate_code];
    int fps = (r.num + r.den / 2) / r.den;
    int64_t t = coded + g->tc_start;
    uint32_t v;
    if (g->drop)
        t = av_timecode_adjust_ntsc_framenum2((int)t, fps);
    v = (uint32_t)!!g->drop << 31;
    v |= (uint32_t)((t / (fps * 3600)) % 24) << 26;
    v |= (uint32_t)((t / (fps * 60)) % 60) << 20;
    v |= 1u << 19;
    v |= (uint32_t)((t / fps) % 60) << 13;
    v |= (uint32_t)(t % fps) << 7;
    v |= (uint32_t)(g->always_closed || !coded) << 6;
    return v | (old & 0x3f); /* broken_link and the padding as written */
}

int rd_gophdr_packet(RdGopHdr *g, AVPacket *p, int64_t coded)
{
    int seq, gop, rate_code, ret;
    uint32_t old, v;

    if (!g->on || !(p->flags & AV_PKT_FLAG_KEY) || (seq = find_code(p->data, p->size, 0xb3)) < 0 ||
        seq + 8 > p->size || (gop = find_code(p->data, p->size, 0xb8)) < 0 || gop + 8 > p->size)
        return 0;
    rate_code = p->data[seq + 7] & 15;
    if ((ret = parse_start(g, rate_code)) < 0)
        return ret;
    if (!RATES[rate_code].num)
        return 0;
    old = AV_RB32(p->data + gop + 4);
    v = gop_bits(g, coded, rate_code, old);
    if (v == old)
        return 0;
    if ((ret = av_packet_make_writable(p)) < 0)
        return ret;
    AV_WB32(p->data + gop + 4, v);
    return 0;
}

void rd_gophdr_free(RdGopHdr *g)
{
    av_freep(&g->tc_str);
}
