/* Image sequence names (io/fileseq.h): the pattern read as
 * av_get_frame_filename reads it, and the names it gives matched back. */
#include "suites.h"

#include <stdio.h>
#include <string.h>
#include <libavformat/avformat.h>

#include "io/fileseq.h"

/* A pattern, a number, and what both av_get_frame_filename2 and the
 * parsed pattern must say of the name it gives. */
static const struct { const char *pattern; int num; } NAMES[] = {
    { "f_%03d.png", 7 }, { "f_%03d.png", 12345 }, { "%d.bmp", 0 }, { "a%%_%02d.jpg", 3 },
    { "dir/x%5d", 42 }, { "/abs/p-%d-q.tif", 9 }, { "pct%%/f%02d.png", 1 },
};

START_TEST(test_pattern_roundtrip)
{
    char name[256];
    const char *base;
    RdPattern p;
    int64_t num = -1;
    ck_assert_int_eq(rd_pattern_parse(&p, NAMES[_i].pattern), 0);
    ck_assert_int_ge(av_get_frame_filename2(name, sizeof(name), NAMES[_i].pattern, NAMES[_i].num, 0), 0);
    base = strrchr(name, '/') ? strrchr(name, '/') + 1 : name;
    ck_assert_int_eq(rd_pattern_match(&p, base, &num), 1);
    ck_assert_int_eq(num, NAMES[_i].num);
}
END_TEST

START_TEST(test_pattern_parts)
{
    RdPattern p;
    ck_assert_int_eq(rd_pattern_parse(&p, "pct%%/f%02d.png"), 0);
    ck_assert_str_eq(p.dir, "pct%");
    ck_assert_str_eq(p.prefix, "f");
    ck_assert_str_eq(p.suffix, ".png");
    ck_assert_int_eq(p.width, 2);
    ck_assert_int_eq(rd_pattern_parse(&p, "/f%d"), 0);
    ck_assert_str_eq(p.dir, "/");
    ck_assert_int_eq(rd_pattern_parse(&p, "f%d"), 0);
    ck_assert_str_eq(p.dir, ".");
}
END_TEST

START_TEST(test_pattern_refused)
{
    static const char *const bad[] = { "out.png", "a%%b.png", "%d_%d.png", "d%d/f%d.png", "f%s.png", "f%3x.png" };
    RdPattern p;
    for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
        ck_assert_msg(rd_pattern_parse(&p, bad[i]) < 0, "%s read as a sequence", bad[i]);
}
END_TEST

START_TEST(test_pattern_other_names)
{
    RdPattern p;
    int64_t num;
    ck_assert_int_eq(rd_pattern_parse(&p, "f_%03d.png"), 0);
    ck_assert_int_eq(rd_pattern_match(&p, "f_07.png", &num), 0);     /* not a spelling %03d gives */
    ck_assert_int_eq(rd_pattern_match(&p, "f_0007.png", &num), 0);
    ck_assert_int_eq(rd_pattern_match(&p, "f_.png", &num), 0);
    ck_assert_int_eq(rd_pattern_match(&p, "f_0a1.png", &num), 0);
    ck_assert_int_eq(rd_pattern_match(&p, "f_001.png.part-12", &num), 0);
    ck_assert_int_eq(rd_pattern_match(&p, "g_001.png", &num), 0);
    ck_assert_int_eq(rd_pattern_match(&p, "f_1000.png", &num), 1);
    ck_assert_int_eq(num, 1000);
}
END_TEST

START_TEST(test_fileseq_wanted)
{
    ck_assert_int_eq(rd_fileseq_wanted("image2", "f_%03d.png"), 1);
    ck_assert_int_eq(rd_fileseq_wanted("image2", "thumb.png"), 0);
    ck_assert_int_eq(rd_fileseq_wanted("mp4", "f_%03d.mp4"), 0);
    ck_assert_int_eq(rd_fileseq_wanted(NULL, "f_%03d.png"), 0);
}
END_TEST

Suite *make_fileseq_suite(void)
{
    Suite *s = suite_create("fileseq");
    TCase *tc = tcase_create("core");
    tcase_add_loop_test(tc, test_pattern_roundtrip, 0, sizeof(NAMES) / sizeof(*NAMES));
    tcase_add_test(tc, test_pattern_parts);
    tcase_add_test(tc, test_pattern_refused);
    tcase_add_test(tc, test_pattern_other_names);
    tcase_add_test(tc, test_fileseq_wanted);
    suite_add_tcase(s, tc);
    return s;
}
