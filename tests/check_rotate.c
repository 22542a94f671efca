/* The ffmpeg CLI's autorotation filters for a display matrix (engine/rotate.h). */
#include "suites.h"

#include <string.h>
#include <libavutil/display.h>

#include "engine/rotate.h"

/* The angles themselves are checked against the CLI end to end
 * (e2e_ffcli.sh, rotated inputs); here the flips and the edges. */
static const struct { double angle; int hflip, vflip; const char *want; } CASES[] = {
    { 0, 0, 0, "" },
    { 0, 0, 1, "vflip" },
    { 0, 1, 0, "hflip" },                 /* reads as 180 degrees, vertically flipped */
    { 180, 0, 0, "hflip,vflip" },
};

START_TEST(test_rotate_filters)
{
    int32_t m[9];
    char buf[96];
    av_display_rotation_set(m, CASES[_i].angle);
    av_display_matrix_flip(m, CASES[_i].hflip, CASES[_i].vflip);
    ck_assert_int_eq(rd_rotate_filters(m, buf, sizeof(buf)), 0);
    ck_assert_str_eq(buf, CASES[_i].want);
}
END_TEST

START_TEST(test_rotate_none)
{
    char buf[8] = "x";
    ck_assert_int_eq(rd_rotate_filters(NULL, buf, sizeof(buf)), 0);
    ck_assert_str_eq(buf, "");
    int32_t m[9];
    av_display_rotation_set(m, -90);
    ck_assert_int_lt(rd_rotate_filters(m, buf, 4), 0); /* too small: an error, never a cut filter */
}
END_TEST

Suite *make_rotate_suite(void)
{
    Suite *s = suite_create("rotate");
    TCase *tc = tcase_create("core");
    tcase_add_loop_test(tc, test_rotate_filters, 0, sizeof(CASES) / sizeof(CASES[0]));
    tcase_add_test(tc, test_rotate_none);
    suite_add_tcase(s, tc);
    return s;
}
