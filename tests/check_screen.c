#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include "engine/screen.h"

#define W 320
#define H 160   /* 20 x 10 blocks of 16x16 */

/* A plane whose first `few` blocks (row by row) hold two values and whose
 * others hold a smooth ramp (many values) or one flat value. */
static uint8_t *plane(int few, int flat)
{
    uint8_t *y = malloc(W * H);
    for (int r = 0; r < H; r++)
        for (int c = 0; c < W; c++) {
            int blk = (r / 16) * (W / 16) + c / 16;
            y[r * W + c] = blk < few ? (uint8_t)(((r + c) & 1) ? 200 : 40)
                           : flat ? 128 : (uint8_t)((r * 3 + c * 5) & 0xff);
        }
    return y;
}

START_TEST(test_screen_reading)
{
    /* 200 blocks: the line is 20 blocks (a tenth); 30% either side is
     * too close to call. */
    static const struct { int few, flat, want; } t[] = {
        { 0, 0, 0 }, { 0, 1, 0 }, { 13, 0, 0 }, { 15, 1, -1 }, { 20, 0, -1 },
        { 25, 0, -1 }, { 27, 0, 1 }, { 200, 0, 1 },
    };
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        uint8_t *y = plane(t[i].few, t[i].flat);
        ck_assert_msg(rd_screen_like(y, W, W, H) == t[i].want, "few %d flat %d: %d, want %d", t[i].few,
                      t[i].flat, rd_screen_like(y, W, W, H), t[i].want);
        free(y);
    }
}
END_TEST

/* Partial blocks at the edges are not read, as in libaom. */
START_TEST(test_screen_edges)
{
    uint8_t *y = plane(200, 0);
    ck_assert_int_eq(rd_screen_like(y, W, 15, 15), 0);
    ck_assert_int_eq(rd_screen_like(y, W, 16, 16), 1);
    free(y);
}
END_TEST

START_TEST(test_screen_applies)
{
    AVDictionary *d = NULL;
    ck_assert(rd_screen_applies("libaom-av1", NULL));
    ck_assert(rd_screen_applies("libsvtav1", NULL)); /* its automatic screen-content mode */
    ck_assert(!rd_screen_applies("libx264", NULL));
    ck_assert(!rd_screen_applies(NULL, NULL));
    av_dict_set(&d, "cpu-used", "8", 0);
    ck_assert(rd_screen_applies("libaom-av1", d));
    av_dict_set(&d, "aom-params", "tune-content=screen", 0);
    ck_assert(!rd_screen_applies("libaom-av1", d));
    av_dict_free(&d);
    av_dict_set(&d, "svtav1-params", "tune=0:scm=0", 0);
    ck_assert(!rd_screen_applies("libsvtav1", d));
    av_dict_set(&d, "svtav1-params", "tune=0", 0);
    ck_assert(rd_screen_applies("libsvtav1", d));
    av_dict_free(&d);
    av_dict_set(&d, "tune-content", "screen", 0);
    ck_assert(!rd_screen_applies("libaom-av1", d));
    av_dict_free(&d);
    av_dict_set(&d, "svtav1-params", "tune=0:scm=0", 0);
    ck_assert(!rd_screen_applies("libsvtav1", d));
    av_dict_set(&d, "svtav1-params", "tune=0", 0);
    ck_assert(rd_screen_applies("libsvtav1", d));
    av_dict_free(&d);
}
END_TEST

/* Anchors follow the decision of the last keyframe the CLI's encoder
 * makes: frame 0, then the first frame read after a cut. */
START_TEST(test_screen_agree)
{
    /*                      0   1   2   3   4   5   6   7   8   9 */
    const int8_t flag[] = { 0, -2,  1, -2,  0, -1,  1, -2,  1,  0 };
    uint8_t cut[10] = { 0 }, a[10] = { 0 };
    char got[16] = "";
    ck_assert_int_eq(rd_screen_agree(flag, NULL, 10, a), 3);
    for (int i = 0; i < 10; i++)
        got[i] = a[i] ? 'A' : '.';
    ck_assert_str_eq(got, "A...A....A");
    /* a cut at 5: an anchor; the reading there is too close to call, so
     * nothing after it agrees until the next cut */
    memset(a, 0, sizeof(a));
    cut[5] = 1;
    ck_assert_int_eq(rd_screen_agree(flag, cut, 10, a), 3);
    /* a cut at 5 not read: the frame read after it (6, screen) is the new reference */
    {
        const int8_t f2[] = { 0, -2, 1, -2, 0, -2, 1, -2, 1, 0 };
        memset(a, 0, sizeof(a));
        ck_assert_int_eq(rd_screen_agree(f2, cut, 10, a), 5);
        for (int i = 0; i < 10; i++)
            got[i] = a[i] ? 'A' : '.';
        ck_assert_str_eq(got, "A...AAA.A.");
    }
}
END_TEST

Suite *make_screen_suite(void)
{
    Suite *s = suite_create("screen");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_screen_reading);
    tcase_add_test(tc, test_screen_edges);
    tcase_add_test(tc, test_screen_applies);
    tcase_add_test(tc, test_screen_agree);
    suite_add_tcase(s, tc);
    return s;
}
