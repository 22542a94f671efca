/* check_pichdr.c - picture and GOP headers renumbered as one encoder
 * writes them (engine/pichdr.h): MPEG-1/2 on a packet laid out as
 * mpeg12enc.c lays out a keyframe (sequence header, GOP header, picture),
 * H.263 and FLV on their picture headers. */
#include <check.h>
#include <string.h>
#include <libavcodec/avcodec.h>
#include <libavutil/intreadwrite.h>

#include "suites.h"
#include "engine/pichdr.h"

/* A keyframe of 320x240 at frame_rate_code `rate` whose GOP header says
 * 00:00:00:00, closed (a fresh encoder's first). */
static AVPacket *keyframe(int rate)
{
    static const uint8_t head[] = { 0, 0, 1, 0xb3, 0x14, 0x00, 0xf0, 0x10, 0xff, 0xff, 0xe0, 0x18,
                                    0, 0, 1, 0xb8, 0x00, 0x08, 0x00, 0x40,
                                    0, 0, 1, 0x00, 0x00, 0x0f, 0xff, 0xf8 };
    AVPacket *p = av_packet_alloc();
    ck_assert_ptr_nonnull(p);
    ck_assert_int_eq(av_new_packet(p, sizeof(head)), 0);
    memcpy(p->data, head, sizeof(head));
    p->data[7] = (uint8_t)(0x10 | rate);
    p->flags = AV_PKT_FLAG_KEY;
    return p;
}

static uint32_t gop_of(const AVPacket *p)
{
    return AV_RB32(p->data + 16);
}

static uint32_t tc(int drop, int h, int m, int s, int f, int closed)
{
    return (uint32_t)drop << 31 | (uint32_t)h << 26 | (uint32_t)m << 20 | 1u << 19 |
           (uint32_t)s << 13 | (uint32_t)f << 7 | (uint32_t)closed << 6;
}

START_TEST(test_counts_on)
{
    RdPicHdr g = { .kind = RD_PICHDR_MPEG12 };
    AVPacket *p = keyframe(3); /* 25 fps */
    ck_assert_int_eq(rd_pichdr_packet(&g, p, 0), 0);
    ck_assert_uint_eq(gop_of(p), tc(0, 0, 0, 0, 0, 1));
    ck_assert_int_eq(rd_pichdr_packet(&g, p, 96), 0);
    ck_assert_uint_eq(gop_of(p), tc(0, 0, 0, 3, 21, 0));
    ck_assert_int_eq(rd_pichdr_packet(&g, p, 25 * 3661), 0);
    ck_assert_uint_eq(gop_of(p), tc(0, 1, 1, 1, 0, 0));
    g.always_closed = 1;
    ck_assert_int_eq(rd_pichdr_packet(&g, p, 12), 0);
    ck_assert_uint_eq(gop_of(p), tc(0, 0, 0, 0, 12, 1));
    av_packet_free(&p);
}
END_TEST

/* -gop_timecode 01:00:00;00 at 30000/1001: drop-frame numbering from
 * there; frame 1800 on is minute 1, frames 0 and 1 of it dropped. */
START_TEST(test_drop_frame)
{
    RdPicHdr g = { .kind = RD_PICHDR_MPEG12 };
    AVPacket *p = keyframe(4);
    g.tc_str = av_strdup("01:00:00;00");
    ck_assert_int_eq(rd_pichdr_packet(&g, p, 1800), 0);
    ck_assert_uint_eq(gop_of(p), tc(1, 1, 1, 0, 2, 0));
    ck_assert_ptr_null(g.tc_str);
    rd_pichdr_free(&g);
    av_packet_free(&p);
}
END_TEST

/* Off, a P frame, or a packet without a GOP header: untouched. */
START_TEST(test_untouched)
{
    RdPicHdr off = { 0 }, on = { .kind = RD_PICHDR_MPEG12 };
    AVPacket *p = keyframe(3);
    ck_assert_int_eq(rd_pichdr_packet(&off, p, 50), 0);
    ck_assert_uint_eq(gop_of(p), tc(0, 0, 0, 0, 0, 1));
    p->flags = 0;
    ck_assert_int_eq(rd_pichdr_packet(&on, p, 50), 0);
    ck_assert_uint_eq(gop_of(p), tc(0, 0, 0, 0, 0, 1));
    p->flags = AV_PKT_FLAG_KEY;
    p->size = 14; /* cut inside the sequence header's end: no GOP header found */
    ck_assert_int_eq(rd_pichdr_packet(&on, p, 50), 0);
    ck_assert_uint_eq(gop_of(p), tc(0, 0, 0, 0, 0, 1));
    av_packet_free(&p);
}
END_TEST

/* An H.263-family picture header, `bits` of it set from fields. */
static void put(uint8_t *d, int *pos, int n, uint32_t v)
{
    for (int i = 0; i < n; i++, (*pos)++)
        if ((v >> (n - 1 - i)) & 1)
            d[*pos >> 3] |= (uint8_t)(0x80 >> (*pos & 7));
}

static uint32_t bits_at(const uint8_t *d, int pos, int n)
{
    uint32_t v = 0;
    for (int i = 0; i < n; i++)
        v = v << 1 | ((d[(pos + i) >> 3] >> (7 - ((pos + i) & 7))) & 1);
    return v;
}

/* H.263 at 25 fps: TR = n * 1.8 MHz / (1001 * 60 * 25) (ituh263enc.c);
 * FLV: n * 30 / 25. Each written over what a fresh encoder wrote (0). */
START_TEST(test_h263_flv)
{
    RdPicHdr h263 = { .kind = RD_PICHDR_H263, .tb = { 1, 25 } };
    RdPicHdr flv = { .kind = RD_PICHDR_FLV, .tb = { 1, 25 } };
    AVPacket *p = av_packet_alloc();
    int pos = 0;
    ck_assert_int_eq(av_new_packet(p, 8), 0);
    memset(p->data, 0, 8);
    put(p->data, &pos, 22, 0x20);
    put(p->data, &pos, 8, 0);
    put(p->data, &pos, 5, 0x10);
    ck_assert_int_eq(rd_pichdr_packet(&h263, p, 37), 0);
    ck_assert_uint_eq(bits_at(p->data, 22, 8), 44);
    ck_assert_uint_eq(bits_at(p->data, 30, 5), 0x10); /* the rest untouched */
    ck_assert_int_eq(rd_pichdr_packet(&h263, p, 1000), 0);
    ck_assert_uint_eq(bits_at(p->data, 22, 8), (1000 * 1800000LL / (60060 * 25)) & 0xff);
    memset(p->data, 0, 8);
    pos = 0;
    put(p->data, &pos, 17, 1);
    put(p->data, &pos, 5, 1);
    ck_assert_int_eq(rd_pichdr_packet(&flv, p, 37), 0);
    ck_assert_uint_eq(bits_at(p->data, 22, 8), 44);
    ck_assert_uint_eq(bits_at(p->data, 17, 5), 1);
    ck_assert_int_eq(rd_pichdr_packet(&h263, p, 37), 0); /* no H.263 start code: untouched */
    ck_assert_uint_eq(bits_at(p->data, 22, 8), 44);
    av_packet_free(&p);
}
END_TEST

/* H.263+ at 25 fps takes a custom clock (1.8 MHz / (1000 * 72)): TR = n,
 * its bits above 8 in ETR after PLUSPTYPE and the clock code. */
START_TEST(test_h263p_etr)
{
    RdPicHdr g = { .kind = RD_PICHDR_H263, .h263_plus = 1, .tb = { 1, 25 } };
    AVPacket *p = av_packet_alloc();
    int pos = 0;
    ck_assert_int_eq(av_new_packet(p, 16), 0);
    memset(p->data, 0, 16);
    put(p->data, &pos, 22, 0x20);
    put(p->data, &pos, 8, 0);
    put(p->data, &pos, 5, 0x10);
    put(p->data, &pos, 3, 7);       /* PLUSPTYPE */
    put(p->data, &pos, 3, 1);       /* UFEP */
    put(p->data, &pos, 3, 2);       /* QCIF */
    put(p->data, &pos, 1, 1);       /* custom picture clock */
    put(p->data, &pos, 14, 0x8);    /* the other OPPTYPE bits: ten flags, a 1, reserved */
    put(p->data, &pos, 9, 1);       /* MPPTYPE */
    put(p->data, &pos, 1, 0);       /* CPM */
    ck_assert_int_eq(pos, 69);
    put(p->data, &pos, 1, 0);       /* clock code */
    put(p->data, &pos, 7, 72);      /* divisor */
    ck_assert_int_eq(rd_pichdr_packet(&g, p, 300), 0);
    ck_assert_uint_eq(bits_at(p->data, 22, 8), 300 & 0xff);
    ck_assert_uint_eq(bits_at(p->data, 77, 2), 300 >> 8);
    ck_assert_uint_eq(bits_at(p->data, 70, 7), 72);
    av_packet_free(&p);
}
END_TEST

/* Only FFmpeg's own MPEG-1/2 encoders are renumbered. */
START_TEST(test_init)
{
    RdPicHdr g;
    const AVCodec *c = avcodec_find_encoder_by_name("mpeg2video");
    AVCodecContext *enc = avcodec_alloc_context3(c);
    ck_assert_ptr_nonnull(enc);
    enc->gop_size = 12;
    ck_assert_int_eq(rd_pichdr_init(&g, enc), 0);
    ck_assert_int_eq(g.kind, RD_PICHDR_MPEG12);
    ck_assert_int_eq(g.always_closed, 0);
    rd_pichdr_free(&g);
    enc->gop_size = 0;
    ck_assert_int_eq(rd_pichdr_init(&g, enc), 0);
    ck_assert_int_eq(g.always_closed, 1);
    rd_pichdr_free(&g);
    avcodec_free_context(&enc);
    c = avcodec_find_encoder_by_name("h263p");
    enc = avcodec_alloc_context3(c);
    enc->time_base = (AVRational){ 1, 25 };
    ck_assert_int_eq(rd_pichdr_init(&g, enc), 0);
    ck_assert_int_eq(g.kind, RD_PICHDR_H263);
    ck_assert_int_eq(g.h263_plus, 1);
    avcodec_free_context(&enc);
    c = avcodec_find_encoder_by_name("mpeg4");
    enc = avcodec_alloc_context3(c);
    ck_assert_int_eq(rd_pichdr_init(&g, enc), 0);
    ck_assert_int_eq(g.kind, RD_PICHDR_NONE);
    avcodec_free_context(&enc);
}
END_TEST

Suite *make_pichdr_suite(void)
{
    Suite *s = suite_create("pichdr");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_counts_on);
    tcase_add_test(tc, test_drop_frame);
    tcase_add_test(tc, test_untouched);
    tcase_add_test(tc, test_init);
    tcase_add_test(tc, test_h263_flv);
    tcase_add_test(tc, test_h263p_etr);
    suite_add_tcase(s, tc);
    return s;
}
