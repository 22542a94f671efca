/* check_forcekf.c - -force_key_frames as the ffmpeg CLI 5.1 decides it,
 * and the plan's chunk starts on the forced frames. */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <libavutil/error.h>

#include "suites.h"
#include "engine/forcekf.h"
#include "engine/plan.h"

static const AVRational TB25 = { 1, 25 };

/* chapters-0.1 with chapters at 1 s and 2.5 s (1/1000): each start and the
 * delta rescaled on their own (25 - 3, 63 - 3), as ffmpeg 5.1 adds them. */
START_TEST(test_chapters)
{
    AVChapter c[2] = { { .start = 1000, .time_base = { 1, 1000 } }, { .start = 2500, .time_base = { 1, 1000 } } };
    AVChapter *list[2] = { &c[0], &c[1] };
    AVFormatContext chap = { .chapters = list, .nb_chapters = 2 };
    RdForceKf k;
    char err[256] = "";
    int forced[100] = { 0 };
    ck_assert_int_eq(rd_forcekf_open(&k, "chapters-0.1,0", TB25, &chap, err, sizeof(err)), 0);
    for (int i = 0; i < 100; i++)
        forced[i] = rd_forcekf_next(&k, i, 0);
    for (int i = 0; i < 100; i++)
        ck_assert_msg(forced[i] == (i == 0 || i == 22 || i == 60), "frame %d", i);
    rd_forcekf_free(&k);
    ck_assert_int_eq(rd_forcekf_open(&k, "chapters", TB25, NULL, err, sizeof(err)), 0);
    ck_assert_int_eq(rd_forcekf_next(&k, 0, 0), 0); /* no chapters: no time */
    rd_forcekf_free(&k);
}
END_TEST

/* A list: each time forces the first frame at or after it, one per frame
 * (two times before one frame force it once, the second the next frame). */
START_TEST(test_list)
{
    RdForceKf k;
    char err[256] = "";
    int forced[20] = { 0 };
    ck_assert_int_eq(rd_forcekf_open(&k, "0.5,0.1,0.12", TB25, NULL, err, sizeof(err)), 0);
    for (int i = 0; i < 20; i++)
        forced[i] = rd_forcekf_next(&k, i, 0);
    rd_forcekf_free(&k);
    /* 0.1 s and 0.12 s are ticks 2.5 -> 3 (rounded) and 3: frames 3 and 4; 0.5 s is tick 13 */
    for (int i = 0; i < 20; i++)
        ck_assert_int_eq(forced[i], i == 3 || i == 4 || i == 13);
}
END_TEST

/* expr:gte(t,n_forced*N): t counts from the first frame; n, n_forced and
 * prev_forced_t as ffmpeg keeps them. */
START_TEST(test_expr)
{
    RdForceKf k;
    char err[256] = "";
    int n = 0;
    ck_assert_int_eq(rd_forcekf_open(&k, "expr:gte(t,n_forced*2)", TB25, NULL, err, sizeof(err)), 0);
    for (int i = 0; i < 200; i++)
        if (rd_forcekf_next(&k, 7 + i, 0)) {
            ck_assert_int_eq(i % 50, 0);
            n++;
        }
    ck_assert_int_eq(n, 4);
    rd_forcekf_free(&k);
    ck_assert_int_eq(rd_forcekf_open(&k, "expr:isnan(prev_forced_t)+eq(n,3)", TB25, NULL, err, sizeof(err)), 0);
    ck_assert_int_eq(rd_forcekf_next(&k, 0, 0), 1); /* prev_forced_t is NaN before the first */
    ck_assert_int_eq(rd_forcekf_next(&k, 1, 0), 0);
    ck_assert_int_eq(rd_forcekf_next(&k, 2, 0), 0);
    ck_assert_int_eq(rd_forcekf_next(&k, 3, 0), 1);
    rd_forcekf_free(&k);
    ck_assert_int_eq(rd_forcekf_open(&k, "source", TB25, NULL, err, sizeof(err)), 0);
    ck_assert_int_eq(rd_forcekf_next(&k, 0, 1), 1);
    ck_assert_int_eq(rd_forcekf_next(&k, 1, 0), 0);
    rd_forcekf_free(&k);
}
END_TEST

static const struct { const char *spec, *word; } BAD[] = {
    { "expr:gte(t,", "expression" },
    { "1,x", "'x'" },
    { "chapters+x", "'+x'" },
    { "source_no_drop", "source" },
    { "1,,2", "''" },
};

START_TEST(test_bad)
{
    RdForceKf k;
    char err[256] = "";
    ck_assert_int_eq(rd_forcekf_open(&k, BAD[_i].spec, TB25, NULL, err, sizeof(err)), AVERROR(EINVAL));
    ck_assert_msg(strstr(err, BAD[_i].word) != NULL, "%s", err);
    rd_forcekf_free(&k);
}
END_TEST

/* Over a sync table: copies count as frames (a duplicate can be forced),
 * a dropped frame's chunk starts with the next frame's first copy. */
START_TEST(test_plan_table)
{
    RdSyncFrame t[6] = { { 0, 1 }, { 1, 2 }, { 3, 0 }, { 3, 1 }, { 4, 1 }, { 5, 1 } };
    RdForceKfPlan fp;
    char err[256] = "";
    ck_assert_int_eq(rd_forcekf_plan(&fp, "expr:eq(mod(n,2),0)", TB25, NULL, t, NULL, 6, err, sizeof(err)), 0);
    /* output frames 0..5 at ticks 0,1,2,3,4,5: n even forced */
    ck_assert_int_eq(fp.nticks, 3);
    ck_assert(rd_forcekf_is_forced(fp.ticks, fp.nticks, 2)); /* frame 1's second copy */
    ck_assert(!rd_forcekf_is_forced(fp.ticks, fp.nticks, 3));
    ck_assert_int_eq(fp.anchor[0], 1);
    ck_assert_int_eq(fp.anchor[1], 0);
    ck_assert_int_eq(fp.anchor[2], 0); /* dropped: starts at frame 3, tick 3 */
    ck_assert_int_eq(fp.anchor[3], 0);
    ck_assert_int_eq(fp.anchor[4], 1);
    rd_forcekf_plan_free(&fp);
}
END_TEST

/* The planner moves every start to the nearest anchor and merges starts
 * that meet; without anchors after the first frame, one chunk. */
START_TEST(test_plan_anchors)
{
    enum { N = 300 };
    uint8_t key[N], anchor[N];
    RdPlanInput in;
    RdPlan p;
    for (int i = 0; i < N; i++) {
        key[i] = i % 10 == 0;
        anchor[i] = i % 50 == 0;
    }
    rd_plan_input_defaults(&in);
    in.key = key;
    in.n = N;
    in.workers = 3;
    in.chunks = 9;
    in.anchor = anchor;
    ck_assert_int_eq(rd_plan_chunks(&in, &p), 0);
    ck_assert_int_ge(p.n, 2);
    ck_assert_int_le(p.n, 6);
    for (int i = 0; i < p.n; i++)
        ck_assert(anchor[p.c[i].first]);
    ck_assert_int_eq(p.c[p.n - 1].last, N);
    rd_plan_free(&p);
    memset(anchor, 0, sizeof(anchor));
    anchor[0] = 1;
    ck_assert_int_eq(rd_plan_chunks(&in, &p), 0);
    ck_assert_int_eq(p.n, 1);
    rd_plan_free(&p);
}
END_TEST

Suite *make_forcekf_suite(void)
{
    Suite *s = suite_create("forcekf");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_list);
    tcase_add_test(tc, test_expr);
    tcase_add_test(tc, test_chapters);
    tcase_add_loop_test(tc, test_bad, 0, sizeof(BAD) / sizeof(BAD[0]));
    tcase_add_test(tc, test_plan_table);
    tcase_add_test(tc, test_plan_anchors);
    suite_add_tcase(s, tc);
    return s;
}
