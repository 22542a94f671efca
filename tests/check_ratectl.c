/* Rate control across chunks and the fixed-GOP grid: the pure parts. */
#include <stdlib.h>
#include <string.h>
#include <libavcodec/avcodec.h>
#include <libavcodec/packet.h>
#include <libavutil/mem.h>

#include "suites.h"
#include "engine/encode.h"
#include "engine/engine.h"
#include "engine/gop.h"
#include "engine/plan.h"
#include "engine/ratectl.h"

START_TEST(test_vbv_model)
{
    RdVbv v;
    /* 1 Mb/s into a 1 Mb buffer from 90%: 0.9 Mb, a 0.5 Mb frame, 0.04 s of refill. */
    rd_vbv_init(&v, 1e6, 1e6, 0.9);
    ck_assert_double_eq_tol(v.fill, 9e5, 1e-6);
    rd_vbv_frame(&v, 62500, 0.04);
    ck_assert_double_eq_tol(v.min_fill, 4e5, 1e-6);
    ck_assert_double_eq_tol(v.fill, 4.4e5, 1e-6);
    ck_assert_int_eq(v.underflows, 0);
    /* Refill is capped at the buffer's size. */
    rd_vbv_frame(&v, 0, 10);
    ck_assert_double_eq_tol(v.fill, 1e6, 1e-6);
    /* A frame larger than the fill underflows and is counted. */
    rd_vbv_frame(&v, 200000, 0.04);
    ck_assert_int_eq(v.underflows, 1);
    ck_assert(v.min_fill < 0);
}
END_TEST

START_TEST(test_share)
{
    RdRateCtl rc = { 0 };
    RdRcChunk c[3] = { { .pass1_bytes = 100, .duration_s = 1 }, { .pass1_bytes = 300, .duration_s = 1 },
                       { .pass1_bytes = 100, .duration_s = 2 } };
    double bits = 0;
    rc.n = 3;
    rc.c = c;
    ck_assert_int_eq(rd_ratectl_share(&rc, 1e6), 0);
    /* Shares in proportion to the pass-1 bytes; bits = rate x duration add up. */
    ck_assert_int_eq(c[0].bitrate, 200000);
    ck_assert_int_eq(c[1].bitrate, 600000);
    ck_assert_int_eq(c[2].bitrate, 100000);
    for (int i = 0; i < 3; i++)
        bits += c[i].bitrate * c[i].duration_s;
    ck_assert_double_eq_tol(bits, 1e6, 1);
    /* Nothing measured: by duration. */
    c[1].pass1_bytes = 0;
    ck_assert_int_eq(rd_ratectl_share(&rc, 4e6), 0);
    ck_assert_int_eq(c[0].bitrate, 1000000);
    ck_assert_int_eq(c[2].bitrate, 1000000);
    ck_assert_int_lt(rd_ratectl_share(&rc, 0), 0);
}
END_TEST

START_TEST(test_parse_number)
{
    int64_t v = 0;
    ck_assert_int_eq(rd_ratectl_parse_number("400k", &v), 0);
    ck_assert_int_eq(v, 400000);
    ck_assert_int_eq(rd_ratectl_parse_number("1.5M", &v), 0);
    ck_assert_int_eq(v, 1500000);
    ck_assert_int_eq(rd_ratectl_parse_number("2Ki", &v), 0);
    ck_assert_int_eq(v, 2048);
    ck_assert_int_lt(rd_ratectl_parse_number("12q", &v), 0);
    ck_assert_int_lt(rd_ratectl_parse_number("-1M", &v), 0);
    ck_assert_int_lt(rd_ratectl_parse_number("", &v), 0);
}
END_TEST

START_TEST(test_mode_and_check)
{
    RdSettings s;
    char err[200];
    ck_assert_int_eq(rd_ratectl_mode("libx264", -1, 0, 0, 0), RD_RC_NONE);
    ck_assert_int_eq(rd_ratectl_mode("libx264", -1, 400000, 0, 0), RD_RC_TWOPASS);
    ck_assert_int_eq(rd_ratectl_mode("libx264", 20, 400000, 0, 0), RD_RC_ABR);
    ck_assert_int_eq(rd_ratectl_mode("libvpx-vp9", -1, 400000, 0, 0), RD_RC_ABR);
    ck_assert_int_eq(rd_ratectl_mode("libx264", -1, 0, 0, 1000000), RD_RC_TWOPASS);
    rd_settings_defaults(&s);
    ck_assert_int_eq(rd_ratectl_check(&s, err, sizeof(err)), 0);
    s.two_pass = 1;
    ck_assert_int_lt(rd_ratectl_check(&s, err, sizeof(err)), 0);
    s.vbitrate = 1000000;
    ck_assert_int_eq(rd_ratectl_check(&s, err, sizeof(err)), 0);
    s.vcodec = "libx265";
    ck_assert_int_lt(rd_ratectl_check(&s, err, sizeof(err)), 0);
    rd_settings_defaults(&s);
    s.maxrate = 1000000;
    ck_assert_int_lt(rd_ratectl_check(&s, err, sizeof(err)), 0);
}
END_TEST

/* libavcodec's own encoders: found by their rc_eq option, two passes at
 * -b:v and at their default, one pass at a constant quantiser. */
START_TEST(test_lavc_mode)
{
    RdSettings s;
    AVDictionary *q = NULL;
    ck_assert_int_eq(rd_ratectl_lavc_bitrate("mpeg4", NULL, 0), 200000);
    ck_assert_int_eq(rd_ratectl_lavc_bitrate("mpeg2video", NULL, 1500000), 1500000);
    ck_assert_int_eq(rd_ratectl_lavc_bitrate("libx264", NULL, 400000), 0);
    ck_assert_int_eq(rd_ratectl_lavc_bitrate("ffv1", NULL, 400000), 0);
    ck_assert_int_eq(rd_ratectl_lavc_bitrate("nosuchencoder", NULL, 400000), 0);
    av_dict_set(&q, "flags", "+qscale", 0);
    av_dict_set(&q, "global_quality", "590", 0);
    ck_assert_int_eq(rd_ratectl_lavc_bitrate("mpeg4", q, 400000), 0);
    av_dict_free(&q);
    av_dict_set(&q, "b", "300k", 0); /* --venc-opt b= wins over -b:v, as in the encoder */
    ck_assert_int_eq(rd_ratectl_lavc_bitrate("msmpeg4v2", q, 400000), 300000);
    av_dict_free(&q);
    av_dict_set(&q, "global_quality", "590", 0); /* without +qscale: nothing (as ffmpeg) */
    ck_assert_int_eq(rd_ratectl_lavc_bitrate("mpeg4", q, 0), 200000);
    av_dict_free(&q);
    rd_settings_defaults(&s);
    s.vcodec = "mpeg4";
    ck_assert_int_eq(rd_ratectl_mode_of(&s), RD_RC_TWOPASS);
    s.vcodec = "libvpx-vp9";
    s.vbitrate = 400000;
    ck_assert_int_eq(rd_ratectl_mode_of(&s), RD_RC_ABR);
    s.vcodec = "libx264";
    s.vbitrate = 0;
    ck_assert_int_eq(rd_ratectl_mode_of(&s), RD_RC_NONE);
}
END_TEST

/* The share follows the stats: a busier chunk gets more, the bits add up
 * to the target, and a share under the floor is not planned. */
START_TEST(test_lavc_share)
{
    static const char busy[] = "in:0 out:0 type:1 q:236 itex:90000 ptex:0 mv:0 misc:1000 fcode:1 bcode:1 "
                               "mc-var:0 var:1 icount:300 skipcount:0 hbits:100;\n"
                               "in:1 out:1 type:2 q:236 itex:0 ptex:60000 mv:900 misc:1000 fcode:1 bcode:1 "
                               "mc-var:1 var:1 icount:0 skipcount:0 hbits:100;\n";
    static const char calm[] = "in:0 out:0 type:1 q:236 itex:30000 ptex:0 mv:0 misc:1000 fcode:1 bcode:1 "
                               "mc-var:0 var:1 icount:300 skipcount:0 hbits:100;\n"
                               "in:1 out:1 type:2 q:236 itex:0 ptex:10000 mv:300 misc:1000 fcode:1 bcode:1 "
                               "mc-var:1 var:1 icount:0 skipcount:0 hbits:100;\n";
    RdRateCtl rc;
    memset(&rc, 0, sizeof(rc));
    rc.lavc = 1;
    rc.n = 2;
    rc.c = av_calloc(2, sizeof(*rc.c));
    rc.model = (RdRcModel){ 25, 0, 0.5, 2, 31, -0.8, 0 };
    rc.c[0].lavc_stats = av_strdup(busy);
    rc.c[1].lavc_stats = av_strdup(calm);
    rc.c[0].lavc_len = strlen(busy);
    rc.c[1].lavc_len = strlen(calm);
    rc.c[0].duration_s = rc.c[1].duration_s = 0.08;
    ck_assert_int_eq(rd_ratectl_share(&rc, 80000), 0);
    ck_assert_double_eq_tol(rc.c[0].lavc_bits + rc.c[1].lavc_bits, 80000, 80);
    ck_assert(rc.c[0].lavc_bits > rc.c[1].lavc_bits);
    /* pass 2 counts bitrate x pictures / fps */
    ck_assert_double_eq_tol(rc.c[0].bitrate * 2 / 25.0, rc.c[0].lavc_bits, 20);
    ck_assert_int_eq(rd_ratectl_lavc_can_plan(&rc, 0), 1);
    ck_assert_ptr_nonnull(rd_ratectl_stats_in(&rc, 0, 2));
    ck_assert_ptr_null(rd_ratectl_stats_in(&rc, 0, 1));
    /* 2 kbit for 4 pictures: under what they cost at qmax */
    ck_assert_int_eq(rd_ratectl_share(&rc, 2000), 0);
    ck_assert_int_eq(rd_ratectl_lavc_can_plan(&rc, 0), 0);
    ck_assert_ptr_null(rd_ratectl_stats_in(&rc, 0, 2));
    ck_assert_int_lt(rd_ratectl_share(&rc, 0), 0);
    rd_ratectl_free(&rc);
}
END_TEST

START_TEST(test_gop_fixed)
{
    AVDictionary *d = NULL;
    ck_assert_int_eq(rd_gop_fixed("libx264", -1, -1, -1, NULL), 0);
    ck_assert_int_eq(rd_gop_fixed("libx264", 48, -1, -1, NULL), 0);   /* scene cuts still on */
    ck_assert_int_eq(rd_gop_fixed("libx264", 48, -1, 0, NULL), 48);
    ck_assert_int_eq(rd_gop_fixed("libvpx", 48, -1, 0, NULL), 0);     /* it keys where it likes */
    /* FFmpeg's MPEG family and ffv1: an I frame every -g (12) frames */
    ck_assert_int_eq(rd_gop_fixed("mpeg4", 48, -1, 0, NULL), 48);
    ck_assert_int_eq(rd_gop_fixed("mpeg2video", -1, -1, -1, NULL), 12);
    ck_assert_int_eq(rd_gop_fixed("ffv1", -1, -1, -1, NULL), 0);       /* same frames wherever it keys */
    ck_assert_int_eq(rd_gop_scene_keys("mpeg2video", -1, NULL), 1);
    ck_assert_int_eq(rd_gop_scene_keys("mpeg2video", 1000000000, NULL), 0);
    ck_assert_int_eq(rd_gop_scene_keys("ffv1", -1, NULL), 0);
    ck_assert_int_eq(rd_gop_scene_keys("libx264", -1, NULL), 0);
    av_dict_set(&d, "bf", "2", 0);                                     /* B-frames lean across */
    ck_assert_int_eq(rd_gop_fixed("mpeg2video", -1, -1, -1, d), 0);
    av_dict_set(&d, "bf", "0", 0);
    ck_assert_int_eq(rd_gop_fixed("mpeg2video", 7, -1, -1, d), 7);
    av_dict_free(&d);
    ck_assert_int_eq(rd_encode_slices_follow_threads(avcodec_find_encoder_by_name("mpeg2video")), 1);
    ck_assert_int_eq(rd_encode_slices_follow_threads(avcodec_find_encoder_by_name("mpeg4")), 1);
    ck_assert_int_eq(rd_encode_slices_follow_threads(avcodec_find_encoder_by_name("ffv1")), 0);
    ck_assert_int_eq(rd_encode_slices_follow_threads(avcodec_find_encoder_by_name("libx264")), 0);
    ck_assert_int_eq(rd_encode_slices_follow_threads(NULL), 0);
    av_dict_set(&d, "x264-params", "bframes=3:keyint=30:min-keyint=30:scenecut=0", 0);
    ck_assert_int_eq(rd_gop_fixed("libx264", -1, -1, -1, d), 30);
    av_dict_set(&d, "x264-params", "keyint=30:no-scenecut", 0);
    ck_assert_int_eq(rd_gop_fixed("libx264", -1, -1, -1, d), 30);
    av_dict_set(&d, "x264-params", "keyint=infinite:scenecut=0", 0);
    ck_assert_int_eq(rd_gop_fixed("libx264", -1, -1, -1, d), 0);
    av_dict_free(&d);
    av_dict_set(&d, "g", "12", 0);
    av_dict_set(&d, "sc_threshold", "0", 0);
    ck_assert_int_eq(rd_gop_fixed("libx264", -1, -1, -1, d), 12);
    av_dict_free(&d);
    /* x264 clips its threshold to 0..100: a negative one is off. */
    av_dict_set(&d, "x264opts", "keyint=30:min-keyint=30:scenecut=-1", 0);
    ck_assert_int_eq(rd_gop_fixed("libx264", -1, -1, -1, d), 30);
    av_dict_free(&d);
    /* SVT-AV1 cuts no scenes unless asked. */
    ck_assert_int_eq(rd_gop_fixed("libsvtav1", -1, -1, -1, NULL), 0);
    ck_assert_int_eq(rd_gop_fixed("libsvtav1", 24, -1, -1, NULL), 24);
    av_dict_set(&d, "svtav1-params", "tune=0:keyint=48", 0);
    ck_assert_int_eq(rd_gop_fixed("libsvtav1", 24, -1, -1, d), 48);
    av_dict_set(&d, "svtav1-params", "keyint=5s", 0);
    ck_assert_int_eq(rd_gop_fixed("libsvtav1", -1, -1, -1, d), 0);
    av_dict_set(&d, "svtav1-params", "keyint=48:scd=1", 0);
    ck_assert_int_eq(rd_gop_fixed("libsvtav1", -1, -1, -1, d), 0);
    av_dict_set(&d, "svtav1-params", "keyint=48:irefresh-type=1", 0);
    ck_assert_int_eq(rd_gop_fixed("libsvtav1", -1, -1, -1, d), 0);
    av_dict_free(&d);
    av_dict_set(&d, "sc_detection", "1", 0);
    ck_assert_int_eq(rd_gop_fixed("libsvtav1", 24, -1, -1, d), 0);
    av_dict_free(&d);
    /* libvpx, libaom: a fixed interval only when the least is the most. */
    ck_assert_int_eq(rd_gop_fixed("libvpx-vp9", 24, -1, -1, NULL), 0);
    ck_assert_int_eq(rd_gop_fixed("libvpx-vp9", 24, 24, -1, NULL), 24);
    ck_assert_int_eq(rd_gop_fixed("libvpx", 24, 12, -1, NULL), 0);
    ck_assert_int_eq(rd_gop_fixed("libaom-av1", 24, 24, -1, NULL), 24);
    /* Forced frames that are not keyframes (libx265 without forced-idr, libsvtav1). */
    ck_assert_ptr_null(rd_gop_forced_unkeyed("libx264", NULL));
    ck_assert_ptr_nonnull(rd_gop_forced_unkeyed("libsvtav1", NULL));
    ck_assert_ptr_nonnull(rd_gop_forced_unkeyed("libx265", NULL));
    av_dict_set(&d, "forced-idr", "1", 0);
    ck_assert_ptr_null(rd_gop_forced_unkeyed("libx265", d));
    av_dict_free(&d);
}
END_TEST

START_TEST(test_gop_off_grid)
{
    /* Decode order I P B B with presentation 0 3 1 2, then a keyframe shown 4th. */
    int64_t pts[5] = { 0, 3, 1, 2, 4 };
    int key[5] = { 1, 0, 0, 0, 1 };
    AVPacket *p[5];
    for (int i = 0; i < 5; i++) {
        p[i] = av_packet_alloc();
        p[i]->pts = pts[i];
        p[i]->flags = key[i] ? AV_PKT_FLAG_KEY : 0;
    }
    ck_assert_int_eq(rd_gop_off_grid(p, 5, 0, 4), 0);
    ck_assert_int_eq(rd_gop_off_grid(p, 5, 8, 4), 0);
    ck_assert_int_eq(rd_gop_off_grid(p, 5, 2, 4), 2);
    for (int i = 0; i < 5; i++)
        av_packet_free(&p[i]);
}
END_TEST

/* -r 10 from 25 fps drops frames, -r 50 repeats them: chunks may start
 * only where the first output frame from there is on the grid. */
START_TEST(test_gop_anchor)
{
    RdSyncFrame t[8] = { { 0, 1 }, { 1, 0 }, { 1, 1 }, { 2, 0 }, { 2, 2 }, { 4, 1 }, { 5, 0 }, { 5, 0 } };
    uint8_t a[8];
    /* output frames of each input frame's first copy: 0 . 1 . 2 4 . . */
    rd_gop_anchor(t, 8, 2, a);
    ck_assert_int_eq(a[0], 1);
    ck_assert_int_eq(a[1], 0); /* no copy: starts with frame 2's, output frame 1 */
    ck_assert_int_eq(a[2], 0);
    ck_assert_int_eq(a[3], 1); /* frame 4's first copy is output frame 2 */
    ck_assert_int_eq(a[4], 1);
    ck_assert_int_eq(a[5], 1); /* output frame 4 */
    ck_assert_int_eq(a[6], 0); /* nothing after: no chunk starts there */
    ck_assert_int_eq(a[7], 0);
    rd_gop_anchor(t, 8, 4, a);
    ck_assert_int_eq(a[0] + a[1] + a[2] + a[3] + a[4], 1);
    ck_assert_int_eq(a[5], 1);
}
END_TEST

START_TEST(test_plan_grid)
{
    int64_t n = 1000;
    uint8_t *k = calloc(n, 1);
    RdPlanInput in;
    RdPlan p;
    for (int64_t i = 0; i < n; i++)
        k[i] = i % 50 == 0;
    rd_plan_input_defaults(&in);
    in.key = k;
    in.n = n;
    in.workers = 3;
    in.chunks = 7;
    in.grid = 48;
    ck_assert_int_eq(rd_plan_chunks(&in, &p), 0);
    ck_assert_int_ge(p.n, 2);
    for (int i = 0; i < p.n; i++) {
        ck_assert_int_eq(p.c[i].first % 48, 0);
        ck_assert_int_lt(p.c[i].first, p.c[i].last);
    }
    ck_assert_int_eq(p.c[p.n - 1].last, n);
    rd_plan_free(&p);
    free(k);
}
END_TEST

Suite *make_ratectl_suite(void)
{
    Suite *s = suite_create("ratectl");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_vbv_model);
    tcase_add_test(tc, test_share);
    tcase_add_test(tc, test_parse_number);
    tcase_add_test(tc, test_mode_and_check);
    tcase_add_test(tc, test_lavc_mode);
    tcase_add_test(tc, test_lavc_share);
    tcase_add_test(tc, test_gop_fixed);
    tcase_add_test(tc, test_gop_off_grid);
    tcase_add_test(tc, test_gop_anchor);
    tcase_add_test(tc, test_plan_grid);
    suite_add_tcase(s, tc);
    return s;
}
