/* x264's note once per file (engine/seidup.h): learnt from the first
 * packet, cut from later ones, every other byte kept. */
#include "suites.h"

#include <string.h>
#include <libavcodec/avcodec.h>

#include "engine/seidup.h"

static const uint8_t X264_UUID[16] = { 0xdc, 0x45, 0xe9, 0xbd, 0xe6, 0xd9, 0x48, 0xb7,
                                       0x96, 0x2c, 0xd8, 0x20, 0xd9, 0x23, 0xee, 0xef };

/* Append a user-data SEI NAL (4-byte start code) with UUID and text. */
static int put_sei(uint8_t *b, const uint8_t *uuid, const char *text)
{
    int n = 0, len = 16 + (int)strlen(text) + 1;
    memcpy(b + n, "\0\0\0\1\6\5", 6);
    n += 6;
    b[n++] = (uint8_t)len;
    memcpy(b + n, uuid, 16);
    n += 16;
    memcpy(b + n, text, strlen(text) + 1);
    n += (int)strlen(text) + 1;
    b[n++] = 0x80;
    return n;
}

static int put(uint8_t *b, const char *bytes, int len)
{
    memcpy(b, bytes, len);
    return len;
}

static AVPacket *packet(const uint8_t *b, int n)
{
    AVPacket *p = av_packet_alloc();
    ck_assert_ptr_nonnull(p);
    ck_assert_int_eq(av_new_packet(p, n), 0);
    memcpy(p->data, b, n);
    return p;
}

#define IDR "\0\0\0\1\x65\x88\x84\0\0\3\1\x21"
#define SLICE "\0\0\1\x41\x9a\x22\x11"

START_TEST(test_seidup_cut)
{
    uint8_t a[256], b[256], want[256];
    uint8_t other[16] = { 1, 2, 3 };
    int na = 0, nb = 0, nw = 0;
    RdSeiDup s;
    AVPacket *p;

    rd_seidup_init(&s, AV_CODEC_ID_H264);
    na += put_sei(a + na, X264_UUID, "x264 - core 164 threads=1");
    na += put(a + na, IDR, sizeof(IDR) - 1);
    p = packet(a, na);
    ck_assert_int_eq(rd_seidup_packet(&s, p), 0);
    ck_assert_int_eq(p->size, na); /* the first keeps its note */
    ck_assert_int_eq(memcmp(p->data, a, na), 0);
    av_packet_free(&p);

    /* a later chunk's first packet: its note (other options, same UUID) goes;
     * another UUID's note, the slices and their start codes stay */
    nb += put_sei(b + nb, X264_UUID, "x264 - core 164 threads=1 bitrate=300");
    nb += put(b + nb, IDR, sizeof(IDR) - 1);
    nb += put_sei(b + nb, other, "mine");
    nb += put(b + nb, SLICE, sizeof(SLICE) - 1);
    nw += put(want + nw, IDR, sizeof(IDR) - 1);
    nw += put_sei(want + nw, other, "mine");
    nw += put(want + nw, SLICE, sizeof(SLICE) - 1);
    p = packet(b, nb);
    ck_assert_int_eq(rd_seidup_packet(&s, p), 0);
    ck_assert_int_eq(p->size, nw);
    ck_assert_int_eq(memcmp(p->data, want, nw), 0);
    ck_assert_int_eq(s.cut, 1);
    av_packet_free(&p);

    /* a packet without it passes as it is */
    p = packet(want, nw);
    ck_assert_int_eq(rd_seidup_packet(&s, p), 0);
    ck_assert_int_eq(p->size, nw);
    av_packet_free(&p);
}
END_TEST

START_TEST(test_seidup_other_codecs)
{
    uint8_t a[128];
    int n = put_sei(a, X264_UUID, "x");
    RdSeiDup s;
    AVPacket *p = packet(a, n);
    rd_seidup_init(&s, AV_CODEC_ID_MPEG4);
    ck_assert_int_eq(rd_seidup_packet(&s, p), 0);
    ck_assert_int_eq(rd_seidup_packet(&s, p), 0);
    ck_assert_int_eq(p->size, n);
    av_packet_free(&p);
}
END_TEST

START_TEST(test_seidup_no_note)
{
    /* a first packet without a note: nothing is ever cut */
    uint8_t a[128];
    int n = put(a, IDR, sizeof(IDR) - 1), m;
    RdSeiDup s;
    AVPacket *p = packet(a, n);
    rd_seidup_init(&s, AV_CODEC_ID_H264);
    ck_assert_int_eq(rd_seidup_packet(&s, p), 0);
    av_packet_free(&p);
    m = put_sei(a, X264_UUID, "x");
    p = packet(a, m);
    ck_assert_int_eq(rd_seidup_packet(&s, p), 0);
    ck_assert_int_eq(p->size, m);
    av_packet_free(&p);
}
END_TEST

Suite *make_seidup_suite(void)
{
    Suite *s = suite_create("seidup");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_seidup_cut);
    tcase_add_test(tc, test_seidup_other_codecs);
    tcase_add_test(tc, test_seidup_no_note);
    suite_add_tcase(s, tc);
    return s;
}
