#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include <libavcodec/avcodec.h>
#include <libavutil/dict.h>

#include "engine/cutprice.h"
#include "engine/scenes.h"
#include "engine/startup.h"

/* Index cuts: keyframes off the regular interval, and frames much larger
 * than the ones before them. */
START_TEST(test_index_keyframes)
{
    int64_t n = 300;
    uint8_t *key = calloc(n, 1), *cut = calloc(n, 1);
    for (int64_t i = 0; i < n; i += 30)
        key[i] = 1;
    key[100] = 1;                 /* an encoder's scenecut keyframe */
    ck_assert_int_eq(rd_scenes_from_index(key, NULL, n, cut), 1);
    ck_assert(cut[100]);
    ck_assert(!cut[30] && !cut[0]);
    /* every frame a keyframe: nothing to learn */
    memset(key, 1, n);
    memset(cut, 0, n);
    ck_assert_int_eq(rd_scenes_from_index(key, NULL, n, cut), 0);
    /* keyframes at irregular places only: each is the encoder's choice */
    memset(key, 0, n);
    key[0] = key[47] = key[130] = key[211] = 1;
    ck_assert_int_eq(rd_scenes_from_index(key, NULL, n, cut), 3);
    free(key);
    free(cut);
}
END_TEST

START_TEST(test_index_sizes)
{
    int64_t n = 200;
    uint8_t *key = calloc(n, 1), *cut = calloc(n, 1);
    int32_t *size = malloc(n * sizeof(*size));
    key[0] = 1;
    for (int64_t i = 0; i < n; i++)
        size[i] = i % 3 ? 1000 : 3000;  /* P/B pattern: P frames 3x larger, no cut */
    size[0] = 50000;
    size[120] = 40000;                  /* a cut coded without a keyframe */
    ck_assert_int_eq(rd_scenes_from_index(key, size, n, cut), 1);
    ck_assert(cut[120]);
    free(size);
    free(key);
    free(cut);
}
END_TEST

START_TEST(test_scores)
{
    double s[10] = { -1, 2, 3, 2, 60, 3, 2, 2, 9, 2 };
    uint8_t cut[10] = { 0 };
    ck_assert_int_eq(rd_scenes_from_scores(s, 10, RD_SCENES_MIN_SCORE, cut), 1);
    ck_assert(cut[4]);
    ck_assert(!cut[8]);                 /* a spike under the floor */
    /* steady motion (all scores high): no cut */
    for (int i = 1; i < 10; i++)
        s[i] = 40;
    memset(cut, 0, sizeof(cut));
    ck_assert_int_eq(rd_scenes_from_scores(s, 10, RD_SCENES_MIN_SCORE, cut), 0);
}
END_TEST

/* The start-up fit: a line through two chunk lengths. */
START_TEST(test_startup_fit)
{
    RdStartup s = { .frames = { 4, 16 }, .cpu_s = { 0.5, 1.1 }, .bytes = { 30000, 54000 } };
    rd_startup_fit(&s);
    ck_assert(s.measured);
    ck_assert_double_eq_tol(s.frame_s, 0.05, 1e-9);
    ck_assert_double_eq_tol(s.start_s, 0.3, 1e-9);
    ck_assert_double_eq_tol(s.frame_bytes, 2000, 1e-9);
    ck_assert_double_eq_tol(s.start_bytes, 22000, 1e-9);
    ck_assert_double_eq_tol(rd_startup_frames(&s), 6, 1e-9);
    ck_assert_double_eq_tol(rd_startup_key_frames(&s), 11, 1e-9);
    /* noise: the short chunk slower than the long one; never negative */
    s = (RdStartup){ .frames = { 4, 16 }, .cpu_s = { 0.9, 0.8 }, .bytes = { 100, 1600 } };
    rd_startup_fit(&s);
    ck_assert_double_eq_tol(s.frame_s, 0.05, 1e-9);
    ck_assert_double_ge(s.start_s, 0);
    ck_assert_double_eq(s.start_bytes, 0);
    /* not measured: no figures */
    s = (RdStartup){ 0 };
    ck_assert_double_eq(rd_startup_frames(&s), 0);
    ck_assert_double_eq(rd_startup_key_frames(&s), 0);
    ck_assert_double_lt(rd_startup_preroll_weight(&s), 0);
    ck_assert_double_lt(rd_startup_decode_weight(&s), 0);
    /* the weights: a pre-roll frame is all but the encoder, a thrown-away
     * decode the decoder's share; bounded below, shares clamped to 1 */
    s = (RdStartup){ .frames = { 4, 16 }, .cpu_s = { 0.5, 1.0 }, .enc_cpu_s = { 0.3, 0.8 },
                     .dec_cpu_s = { 0.01, 0.05 }, .bytes = { 100, 400 } };
    rd_startup_fit(&s);
    ck_assert_double_eq_tol(s.enc_share, 0.8, 1e-9);
    ck_assert_double_eq_tol(rd_startup_preroll_weight(&s), 0.2, 1e-9);
    ck_assert_double_eq_tol(rd_startup_decode_weight(&s), 0.05, 1e-9);
    s = (RdStartup){ .frames = { 4, 16 }, .cpu_s = { 0.5, 1.0 }, .enc_cpu_s = { 0.6, 1.5 },
                     .dec_cpu_s = { 0, 0 }, .bytes = { 100, 400 } };
    rd_startup_fit(&s);
    ck_assert_double_eq(s.enc_share, 1);
    ck_assert_double_eq_tol(rd_startup_preroll_weight(&s), 0.05, 1e-9);
    ck_assert_double_eq_tol(rd_startup_decode_weight(&s), 0.01, 1e-9);
}
END_TEST

/* Which encoders get their cuts priced: not x264/x265 while they key
 * scene cuts themselves, not an intra-only encoder (ffv1 is not one: its
 * keyframes reset the range coder's states). */
START_TEST(test_cutprice_applies)
{
    AVDictionary *o = NULL;
    ck_assert(!rd_cutprice_applies("libx264", -1, NULL));
    ck_assert(!rd_cutprice_applies("libx265", 40, NULL));
    ck_assert(rd_cutprice_applies("libx264", 0, NULL));
    av_dict_set(&o, "x264-params", "keyint=300:scenecut=0", 0);
    ck_assert(rd_cutprice_applies("libx264", -1, o));
    av_dict_free(&o);
    ck_assert(!rd_cutprice_applies("mjpeg", -1, NULL));
    ck_assert(!rd_cutprice_applies(NULL, -1, NULL));
    ck_assert(!rd_cutprice_applies("no-such-encoder", -1, NULL));
    ck_assert(rd_cutprice_applies("mpeg4", -1, NULL));
    if (avcodec_find_encoder_by_name("libaom-av1"))
        ck_assert(rd_cutprice_applies("libaom-av1", -1, NULL));
}
END_TEST

/* A keyframe's price: its bytes over the mean of the chunk's other packets. */
START_TEST(test_cutprice_of)
{
    static const int sizes[4] = { 9000, 1000, 3, 2000 };
    AVPacket *pk[4];
    RdChunkResult res = { .pkts = pk, .n = 4 };
    for (int i = 0; i < 4; i++) {
        pk[i] = av_packet_alloc();
        ck_assert_int_eq(av_new_packet(pk[i], sizes[i]), 0);
    }
    ck_assert_double_eq_tol(rd_cutprice_of(&res), -1, 1e-12); /* no keyframe */
    pk[0]->flags |= AV_PKT_FLAG_KEY;
    ck_assert_double_eq_tol(rd_cutprice_of(&res), 9000 - 3003 / 3.0, 1e-9);
    pk[1]->size = 30000; /* a keyframe cheaper than the frames after it adds nothing */
    ck_assert_double_eq_tol(rd_cutprice_of(&res), 0, 1e-12);
    res.n = 1;
    ck_assert_double_eq_tol(rd_cutprice_of(&res), 9000, 1e-12);
    pk[1]->size = 1000;
    for (int i = 0; i < 4; i++)
        av_packet_free(&pk[i]);
}
END_TEST

Suite *make_scenes_suite(void)
{
    Suite *s = suite_create("scenes");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_index_keyframes);
    tcase_add_test(tc, test_index_sizes);
    tcase_add_test(tc, test_scores);
    tcase_add_test(tc, test_startup_fit);
    tcase_add_test(tc, test_cutprice_applies);
    tcase_add_test(tc, test_cutprice_of);
    suite_add_tcase(s, tc);
    return s;
}
