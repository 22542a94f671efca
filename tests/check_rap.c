#include <string.h>

#include "suites.h"
#include "engine/rap.h"
#include "streams/tsfix.h"

/* Hand-made H.264 and HEVC access units (Annex B unless said). */
static const uint8_t idr[]       = { 0, 0, 0, 1, 0x67, 0x42, 0, 0, 0, 1, 0x65, 0x88, 0x84 };
/* SEI recovery point, recovery_frame_cnt 0, then an I slice (type 7). */
static const uint8_t open_i[]    = { 0, 0, 0, 1, 0x06, 0x06, 0x01, 0xc4, 0x80,
                                     0, 0, 1, 0x21, 0x88, 0x80 };
/* recovery_frame_cnt 24 (intra refresh), then a P slice (type 5). */
static const uint8_t refresh[]   = { 0, 0, 0, 1, 0x06, 0x06, 0x02, 0x0c, 0xc4, 0x80,
                                     0, 0, 1, 0x21, 0x9a, 0x80 };
/* recovery_frame_cnt 0 on a P slice is no start either. */
static const uint8_t rec0_p[]    = { 0, 0, 0, 1, 0x06, 0x06, 0x01, 0xc4, 0x80,
                                     0, 0, 1, 0x21, 0x9a, 0x80 };
/* An I slice without a recovery point. */
static const uint8_t plain_i[]   = { 0, 0, 0, 1, 0x21, 0x88, 0x80 };
/* The IDR again, 4-byte length prefixes (MP4, Matroska). */
static const uint8_t idr_avcc[]  = { 0, 0, 0, 3, 0x65, 0x88, 0x84 };
static const uint8_t avcc[]      = { 1, 0x42, 0, 0x1e, 0xff, 0xe0, 0 };
static const uint8_t hevc_cra[]  = { 0, 0, 0, 1, 0x40, 0x01, 0x0c, 0, 0, 1, 0x2a, 0x01, 0xaf };
static const uint8_t hevc_idr[]  = { 0, 0, 1, 0x26, 0x01, 0xaf };
static const uint8_t hevc_trail[] = { 0, 0, 1, 0x02, 0x01, 0xd0 };

static int check(enum AVCodecID id, const uint8_t *extra, int nextra, const uint8_t *d, int n, int key)
{
    AVCodecParameters par = { .codec_id = id, .extradata = (uint8_t *)extra, .extradata_size = nextra };
    AVPacket pkt = { .data = (uint8_t *)d, .size = n, .flags = key ? AV_PKT_FLAG_KEY : 0 };
    RdRap r;
    rd_rap_init(&r, &par);
    return rd_rap_check(&r, &pkt);
}
#define H264(a) check(AV_CODEC_ID_H264, NULL, 0, a, sizeof(a), 1)
#define HEVC(a) check(AV_CODEC_ID_HEVC, NULL, 0, a, sizeof(a), 1)

START_TEST(test_h264)
{
    ck_assert_int_eq(H264(idr), 1);
    ck_assert_int_eq(H264(open_i), 1);
    ck_assert_int_eq(H264(refresh), 0);
    ck_assert_int_eq(H264(rec0_p), 0);
    ck_assert_int_eq(H264(plain_i), 0);
    ck_assert_int_eq(check(AV_CODEC_ID_H264, NULL, 0, idr, sizeof(idr), 0), 0); /* not flagged */
    ck_assert_int_eq(check(AV_CODEC_ID_H264, avcc, sizeof(avcc), idr_avcc, sizeof(idr_avcc), 1), 1);
    /* A length prefix running past the packet is not read. */
    ck_assert_int_eq(check(AV_CODEC_ID_H264, avcc, sizeof(avcc), idr_avcc, 5, 1), 0);
    ck_assert_int_eq(check(AV_CODEC_ID_H264, NULL, 0, idr, 3, 1), 0);
}
END_TEST

START_TEST(test_recovery)
{
    AVCodecParameters par = { .codec_id = AV_CODEC_ID_H264 };
    AVPacket pkt = { .data = (uint8_t *)refresh, .size = sizeof(refresh), .flags = AV_PKT_FLAG_KEY };
    RdRap r;
    rd_rap_init(&r, &par);
    ck_assert_int_eq(rd_rap_recovery(&r, &pkt), 24);
    ck_assert_int_eq(rd_rap_is_ref(&r, &pkt), 1);  /* nal_ref_idc 1 */
    pkt.flags = 0;
    ck_assert_int_eq(rd_rap_recovery(&r, &pkt), -1);
    pkt = (AVPacket){ .data = (uint8_t *)idr, .size = sizeof(idr), .flags = AV_PKT_FLAG_KEY };
    ck_assert_int_eq(rd_rap_recovery(&r, &pkt), -1); /* a random-access point already */
    pkt = (AVPacket){ .data = (uint8_t *)open_i, .size = sizeof(open_i), .flags = AV_PKT_FLAG_KEY };
    ck_assert_int_eq(rd_rap_recovery(&r, &pkt), -1);
    static const uint8_t nonref[] = { 0, 0, 1, 0x01, 0x9a, 0x80 };
    pkt = (AVPacket){ .data = (uint8_t *)nonref, .size = sizeof(nonref) };
    ck_assert_int_eq(rd_rap_is_ref(&r, &pkt), 0);
}
END_TEST

START_TEST(test_hevc_and_others)
{
    ck_assert_int_eq(HEVC(hevc_cra), 1);
    ck_assert_int_eq(HEVC(hevc_idr), 1);
    ck_assert_int_eq(HEVC(hevc_trail), 0);
    ck_assert_int_eq(check(AV_CODEC_ID_VP9, NULL, 0, hevc_trail, sizeof(hevc_trail), 1), 1);
    ck_assert_int_eq(check(AV_CODEC_ID_VP9, NULL, 0, hevc_trail, sizeof(hevc_trail), 0), 0);
}
END_TEST

/* tsfix: a stream at 25 fps in 1/90000 (MPEG-TS), 3600 ticks a frame. */
static void ts_setup(RdTsFix *t, int discont, int delay, int from_start)
{
    static AVInputFormat fmt;
    static AVFormatContext ic;
    static AVCodecParameters par;
    static AVStream st;
    fmt.flags = discont ? AVFMT_TS_DISCONT : 0;
    ic.iformat = &fmt;
    par.video_delay = delay;
    st.codecpar = &par;
    st.time_base = (AVRational){ 1, 90000 };
    st.avg_frame_rate = (AVRational){ 25, 1 };
    rd_tsfix_init(t, &ic, &st, from_start);
}

static int64_t feed(RdTsFix *t, int64_t pts, int64_t dts)
{
    AVPacket p = { .pts = pts, .dts = dts, .duration = 3600 };
    rd_tsfix_packet(t, &p);
    return p.pts;
}

START_TEST(test_tsfix_reset)
{
    RdTsFix t;
    ts_setup(&t, 1, 0, 1);
    /* A file that starts late is not a jump. */
    ck_assert_int_eq(feed(&t, 900000, 900000), 900000);
    ck_assert_int_eq(feed(&t, 903600, 903600), 903600);
    /* 2 s back (cat a.ts a.ts): the timeline continues. */
    ck_assert_int_eq(feed(&t, 720000, 720000), 907200);
    ck_assert_int_eq(feed(&t, 723600, 723600), 910800);
    ck_assert_int_eq(t.jumps, 1);
    /* A step back of under 0.1 s is left alone (the decoder sorts it out). */
    ck_assert_int_eq(feed(&t, 723600 - 3600, 723600 - 3600), 907200);
    ck_assert_int_eq(t.jumps, 1);
    /* 20 s ahead is a jump too. */
    ck_assert_int_eq(feed(&t, 2520000, 2520000), 910800);
    ck_assert_int_eq(t.jumps, 2);
}
END_TEST

START_TEST(test_tsfix_no_discont_format)
{
    RdTsFix t;
    ts_setup(&t, 0, 0, 1);
    ck_assert_int_eq(feed(&t, 900000, 900000), 900000);
    ck_assert_int_eq(feed(&t, 0, 0), 0);
    ck_assert_int_eq(t.jumps, 0);
}
END_TEST

START_TEST(test_tsfix_predict)
{
    RdTsFix t;
    AVPacket p = { .pts = AV_NOPTS_VALUE, .dts = AV_NOPTS_VALUE, .duration = 0 };
    ts_setup(&t, 0, 2, 1);
    /* The CLI starts two frames (the decoder delay) before zero. */
    rd_tsfix_packet(&t, &p);
    ck_assert_int_eq(p.dts, -7200);
    p.dts = AV_NOPTS_VALUE;
    rd_tsfix_packet(&t, &p);
    ck_assert_int_eq(p.dts, -3600);
    /* Frames with a time keep it; drained frames get the next ones. */
    ck_assert_int_eq(rd_tsfix_frame(&t, 0), 0);
    ck_assert_int_eq(rd_tsfix_frame(&t, AV_NOPTS_VALUE), 0);
    ck_assert_int_eq(rd_tsfix_frame(&t, AV_NOPTS_VALUE), 3600);
    /* After a seek nothing is known until a time comes. */
    ts_setup(&t, 0, 2, 0);
    p.dts = AV_NOPTS_VALUE;
    rd_tsfix_packet(&t, &p);
    ck_assert_int_eq(p.dts, AV_NOPTS_VALUE);
    ck_assert_int_eq(rd_tsfix_frame(&t, 7200), 7200);
    ck_assert_int_eq(rd_tsfix_frame(&t, AV_NOPTS_VALUE), 10800);
}
END_TEST

Suite *make_rap_suite(void)
{
    Suite *s = suite_create("rap");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_h264);
    tcase_add_test(tc, test_recovery);
    tcase_add_test(tc, test_hevc_and_others);
    tcase_add_test(tc, test_tsfix_reset);
    tcase_add_test(tc, test_tsfix_no_discont_format);
    tcase_add_test(tc, test_tsfix_predict);
    suite_add_tcase(s, tc);
    return s;
}
