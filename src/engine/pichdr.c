#include "engine/pichdr.h"

#include <stdlib.h>
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

/* FFmpeg's own encoder `name` (a wrapper of another library numbers its
 * pictures otherwise). */
static int own_encoder(const AVCodecContext *enc, const char *name)
{
    return enc->codec && !strcmp(enc->codec->name, name);
}

static void init_mpeg12(RdPicHdr *g, const AVCodecContext *enc)
{
    uint8_t *tc = NULL;
    int64_t drop = 0;
    g->kind = RD_PICHDR_MPEG12;
    /* mpegvideo_enc.c: a GOP of one or none is intra-only, every GOP closed. */
    g->always_closed = !!(enc->flags & AV_CODEC_FLAG_CLOSED_GOP) || enc->gop_size <= 1;
    if (enc->priv_data && av_opt_get_int(enc->priv_data, "drop_frame_timecode", 0, &drop) >= 0)
        g->drop = !!drop;
    if (enc->priv_data && av_opt_get(enc->priv_data, "gop_timecode", 0, &tc) >= 0 && tc && *tc)
        g->tc_str = (char *)tc;
    else
        av_free(tc);
}

int rd_pichdr_init(RdPicHdr *g, const AVCodecContext *enc)
{
    memset(g, 0, sizeof(*g));
    if (!enc)
        return 0;
    g->tb = enc->time_base;
    if (own_encoder(enc, "mpeg1video") || own_encoder(enc, "mpeg2video"))
        init_mpeg12(g, enc);
    else if (own_encoder(enc, "h263") || own_encoder(enc, "h263p")) {
        g->kind = RD_PICHDR_H263;
        g->h263_plus = own_encoder(enc, "h263p");
    } else if (own_encoder(enc, "flv"))
        g->kind = RD_PICHDR_FLV;
    else if (own_encoder(enc, "h261"))
        g->kind = RD_PICHDR_H261;
    else if (own_encoder(enc, "rv20"))
        g->kind = RD_PICHDR_RV20;
    if (g->kind != RD_PICHDR_MPEG12 && (g->tb.num <= 0 || g->tb.den <= 0))
        g->kind = RD_PICHDR_NONE;
    return 0;
}

/* The time code's start from -gop_timecode, at the stream's rate (from its
 * sequence header), as the encoder reads it; once. */
static int parse_start(RdPicHdr *g, int rate_code)
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
static uint32_t gop_bits(const RdPicHdr *g, int64_t coded, int rate_code, uint32_t old)
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

static int packet_mpeg12(RdPicHdr *g, AVPacket *p, int64_t coded)
{
    int seq, gop, rate_code, ret;
    uint32_t old, v;

    if (!(p->flags & AV_PKT_FLAG_KEY) || (seq = find_code(p->data, p->size, 0xb3)) < 0 ||
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

/* Bits [pos, pos + n) of d (n <= 25), most significant first. */
static uint32_t get_bits_at(const uint8_t *d, int pos, int n)
{
    uint32_t v = 0;
    for (int i = 0; i < n; i++)
        v = v << 1 | ((d[(pos + i) >> 3] >> (7 - ((pos + i) & 7))) & 1);
    return v;
}

static void set_bits_at(uint8_t *d, int pos, int n, uint32_t v)
{
    for (int i = 0; i < n; i++) {
        int b = pos + i, bit = (v >> (n - 1 - i)) & 1;
        d[b >> 3] = (uint8_t)((d[b >> 3] & ~(0x80 >> (b & 7))) | (bit << (7 - (b & 7))));
    }
}

/* H.263+'s picture clock as ituh263enc.c picks it for the time base:
 * 1.8 MHz over (1000 + clock code) * divisor, the closest to one tick. */
static int64_t h263_clock_base(AVRational tb, int plus, int *custom)
{
    int64_t best_error = INT64_MAX;
    int clock = 1, divisor = 60;
    for (int i = 0; plus && i < 2; i++) {
        int64_t d = (tb.num * 1800000LL + 500LL * tb.den) / ((1000LL + i) * tb.den);
        int64_t e;
        d = d < 1 ? 1 : d > 127 ? 127 : d;
        e = llabs(tb.num * 1800000LL - (1000LL + i) * tb.den * d);
        if (e < best_error) {
            best_error = e;
            divisor = (int)d;
            clock = i;
        }
    }
    *custom = clock != 1 || divisor != 60;
    return (1000LL + clock) * divisor;
}

/* Where H.263+'s extended temporal reference (ETR) sits: after PLUSPTYPE,
 * the custom picture format and the custom clock, as they are written;
 * -1 when the header has none or is cut short. */
static int h263p_etr_pos(const uint8_t *d, int bits)
{
    int pos = 69, ufep, format, aspect;
    if (bits < pos || get_bits_at(d, 35, 3) != 7) /* no PLUSPTYPE */
        return -1;
    ufep = get_bits_at(d, 38, 3);
    format = get_bits_at(d, 41, 3);
    if (!get_bits_at(d, 44, 1)) /* no custom picture clock */
        return -1;
    if (format == 6) { /* custom picture format: PAR, width, 1, height (and an extended PAR) */
        aspect = get_bits_at(d, pos, 4);
        pos += 23 + (aspect == 15 ? 16 : 0);
    }
    pos += ufep == 1 ? 8 : 0; /* clock conversion code and divisor */
    return pos + 2 <= bits ? pos : -1;
}

static int put_field(AVPacket *p, int pos, int n, uint32_t v)
{
    int ret;
    if (get_bits_at(p->data, pos, n) == v)
        return 0;
    if ((ret = av_packet_make_writable(p)) < 0)
        return ret;
    set_bits_at(p->data, pos, n, v);
    return 0;
}

/* The temporal references as the encoders compute them from the picture's
 * number (ituh263enc.c, flvenc.c, h261enc.c, rv20enc.c). */
static int packet_tr(RdPicHdr *g, AVPacket *p, int64_t n)
{
    const AVRational tb = g->tb;
    int bits = p->size * 8, custom, etr, ret;
    int64_t tr;

    switch (g->kind) {
    case RD_PICHDR_H263:
        if (bits < 35 || get_bits_at(p->data, 0, 22) != 0x20)
            return 0;
        tr = n * 1800000LL * tb.num / (h263_clock_base(tb, g->h263_plus, &custom) * tb.den);
        if ((ret = put_field(p, 22, 8, (uint32_t)tr & 0xff)) < 0)
            return ret;
        if (g->h263_plus && custom && (etr = h263p_etr_pos(p->data, bits)) >= 0)
            return put_field(p, etr, 2, (uint32_t)(tr >> 8) & 3);
        return 0;
    case RD_PICHDR_FLV:
        if (bits < 30 || get_bits_at(p->data, 0, 17) != 1)
            return 0;
        return put_field(p, 22, 8, (uint32_t)(n * 30 * tb.num / tb.den) & 0xff);
    case RD_PICHDR_H261:
        if (bits < 25 || get_bits_at(p->data, 0, 20) != 0x10)
            return 0;
        return put_field(p, 20, 5, (uint32_t)(n * 30000LL * tb.num / (1001LL * tb.den)) & 0x1f);
    case RD_PICHDR_RV20: /* type (2), a 0, quantiser (5), number (8): rv20enc.c */
        if (bits < 16)
            return 0;
        return put_field(p, 8, 8, (uint32_t)n & 0xff);
    default:
        return 0;
    }
}

int rd_pichdr_packet(RdPicHdr *g, AVPacket *p, int64_t coded)
{
    if (g->kind == RD_PICHDR_MPEG12)
        return packet_mpeg12(g, p, coded);
    return g->kind == RD_PICHDR_NONE ? 0 : packet_tr(g, p, coded);
}

void rd_pichdr_free(RdPicHdr *g)
{
    av_freep(&g->tc_str);
}
