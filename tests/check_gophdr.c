/* check_gophdr.c - MPEG-1/2 GOP headers renumbered as one encoder writes
 * them (engine/gophdr.h), on a packet laid out as mpeg12enc.c lays out a
 * keyframe: sequence header, GOP header, picture. */
#include <check.h>
#include <string.h>
#include <libavcodec/avcodec.h>
#include <libavutil/intreadwrite.h>

#include "suites.h"
#include "engine/gophdr.h"

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
    RdGopHdr g = { .on = 1 };
    AVPacket *p = keyframe(3); /* 25 fps */
    ck_assert_int_eq(rd_gophdr_packet(&g, p, 0), 0);
    ck_assert_uint_eq(gop_of(p), tc(0, 0, 0, 0, 0, 1));
    ck_assert_int_eq(rd_gophdr_packet(&g, p, 96), 0);
    ck_assert_uint_eq(gop_of(p), tc(0, 0, 0, 3, 21, 0));
    ck_assert_int_eq(rd_gophdr_packet(&g, p, 25 * 3661), 0);
    ck_assert_uint_eq(gop_of(p), tc(0, 1, 1, 1, 0, 0));
    g.always_closed = 1;
    ck_assert_int_eq(rd_gophdr_packet(&g, p, 12), 0);
    ck_assert_uint_eq(gop_of(p), tc(0, 0, 0, 0, 12, 1));
    av_packet_free(&p);
}
END_TEST

/* -gop_timecode 01:00:00;00 at 30000/1001: drop-frame numbering from
 * there; frame 1800 on is minute 1, frames 0 and 1 of it dropped. */
START_TEST(test_drop_frame)
{
    RdGopHdr g = { .on = 1 };
    AVPacket *p = keyframe(4);
    g.tc_str = av_strdup("01:00:00;00");
    ck_assert_int_eq(rd_gophdr_packet(&g, p, 1800), 0);
    ck_assert_uint_eq(gop_of(p), tc(1, 1, 1, 0, 2, 0));
    ck_assert_ptr_null(g.tc_str);
    rd_gophdr_free(&g);
    av_packet_free(&p);
}
END_TEST

/* Off, a P frame, or a packet without a GOP header: untouched. */
START_TEST(test_untouched)
{
    RdGopHdr off = { 0 }, on = { .on = 1 };
    AVPacket *p = keyframe(3);
    ck_assert_int_eq(rd_gophdr_packet(&off, p, 50), 0);
    ck_assert_uint_eq(gop_of(p), tc(0, 0, 0, 0, 0, 1));
    p->flags = 0;
    ck_assert_int_eq(rd_gophdr_packet(&on, p, 50), 0);
    ck_assert_uint_eq(gop_of(p), tc(0, 0, 0, 0, 0, 1));
    p->flags = AV_PKT_FLAG_KEY;
    p->size = 14; /* cut inside the sequence header's end: no GOP header found */
    ck_assert_int_eq(rd_gophdr_packet(&on, p, 50), 0);
    ck_assert_uint_eq(gop_of(p), tc(0, 0, 0, 0, 0, 1));
    av_packet_free(&p);
}
END_TEST

/* Only FFmpeg's own MPEG-1/2 encoders are renumbered. */
START_TEST(test_init)
{
    RdGopHdr g;
    const AVCodec *c = avcodec_find_encoder_by_name("mpeg2video");
    AVCodecContext *enc = avcodec_alloc_context3(c);
    ck_assert_ptr_nonnull(enc);
    enc->gop_size = 12;
    ck_assert_int_eq(rd_gophdr_init(&g, enc), 0);
    ck_assert_int_eq(g.on, 1);
    ck_assert_int_eq(g.always_closed, 0);
    rd_gophdr_free(&g);
    enc->gop_size = 0;
    ck_assert_int_eq(rd_gophdr_init(&g, enc), 0);
    ck_assert_int_eq(g.always_closed, 1);
    rd_gophdr_free(&g);
    avcodec_free_context(&enc);
    c = avcodec_find_encoder_by_name("mpeg4");
    enc = avcodec_alloc_context3(c);
    ck_assert_int_eq(rd_gophdr_init(&g, enc), 0);
    ck_assert_int_eq(g.on, 0);
    avcodec_free_context(&enc);
}
END_TEST

Suite *make_gophdr_suite(void)
{
    Suite *s = suite_create("gophdr");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_counts_on);
    tcase_add_test(tc, test_drop_frame);
    tcase_add_test(tc, test_untouched);
    tcase_add_test(tc, test_init);
    suite_add_tcase(s, tc);
    return s;
}
