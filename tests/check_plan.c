#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include "plan.h"

/* A clip of n frames with a keyframe every gop frames (gop 0: only frame 0). */
static uint8_t *keys(int64_t n, int gop)
{
    uint8_t *k = calloc(n, 1);
    for (int64_t i = 0; i < n; i++)
        k[i] = gop > 0 ? i % gop == 0 : i == 0;
    return k;
}

/* Every plan must cover [0, n) exactly, in order, with sane seek points. */
static void assert_partition(const RdPlan *p, const RdPlanInput *in)
{
    ck_assert_int_ge(p->n, 1);
    ck_assert_int_eq(p->c[0].first, 0);
    ck_assert_int_eq(p->c[p->n - 1].last, in->n);
    for (int i = 0; i < p->n; i++) {
        ck_assert_int_lt(p->c[i].first, p->c[i].last);
        ck_assert_int_le(p->c[i].seek_from, p->c[i].preroll_from);
        ck_assert_int_le(p->c[i].preroll_from, p->c[i].first);
        ck_assert(in->key[p->c[i].seek_from]);
        if (i)
            ck_assert_int_eq(p->c[i].first, p->c[i - 1].last);
    }
}

typedef struct Case {
    int64_t n;
    int gop, workers, chunks, preroll;
    int64_t min_frames;
    int want_min, want_max;   /* expected chunk count range */
    int on_keys;              /* 1: every chunk's pre-roll must start on a keyframe */
    int64_t max_frames;       /* 0: no upper bound */
} Case;

static const Case cases[] = {
    /* 60 s at 30 fps, 1 s GOP, 2 workers: 8 chunks, all on keyframes */
    { 1800, 30, 2, 0, 0, 30, 8, 8, 1, 0 },
    /* with pre-roll the boundaries stay on keyframes too */
    { 1800, 30, 2, 0, 8, 30, 8, 8, 1, 0 },
    /* 16 workers on 20 s: at least 1 s per chunk caps it at 20 */
    { 600, 30, 16, 0, 0, 30, 20, 20, 1, 0 },
    /* three frames, 8 workers: never more chunks than the minimum allows */
    { 3, 0, 8, 0, 0, 30, 1, 1, 0, 0 },
    /* explicit --chunks is obeyed, capped by the frame count */
    { 100, 10, 2, 7, 0, 30, 7, 7, 0, 0 },
    { 5, 1, 2, 50, 0, 1, 5, 5, 1, 0 },
    /* long GOP (one keyframe per 250): the seek tax limits over-decomposition */
    { 300, 250, 2, 0, 0, 30, 2, 3, 0, 0 },
    /* one worker with sparse keyframes: one chunk, nothing wasted */
    { 300, 250, 1, 0, 0, 30, 1, 1, 0, 0 },
    /* 10 min at 30 fps, 1 worker: at most 30 s (900 frames) per chunk */
    { 18000, 30, 1, 0, 8, 30, 20, 20, 1, 900 },
    /* intra-only: every frame a keyframe */
    { 250, 1, 4, 0, 3, 5, 16, 16, 1, 0 },
};

START_TEST(test_plan_table)
{
    const Case *c = &cases[_i];
    RdPlanInput in;
    RdPlan p;
    uint8_t *k = keys(c->n, c->gop);

    rd_plan_input_defaults(&in);
    in.key = k;
    in.n = c->n;
    in.workers = c->workers;
    in.chunks = c->chunks;
    in.preroll = c->preroll;
    in.min_frames = c->min_frames;
    in.max_frames = c->max_frames;
    ck_assert_int_eq(rd_plan_chunks(&in, &p), 0);
    assert_partition(&p, &in);
    ck_assert_int_ge(p.n, c->want_min);
    ck_assert_int_le(p.n, c->want_max);
    /* On keyframes: the pre-roll of each chunk starts on one, so only the
     * pre-roll itself is thrown away. */
    for (int i = 0; c->on_keys && i < p.n; i++)
        ck_assert(k[p.c[i].preroll_from]);
    if (c->on_keys)
        ck_assert_int_eq(p.wasted, (int64_t)c->preroll * (p.n - 1));
    rd_plan_free(&p);
    free(k);
}
END_TEST

/* Frame sizes stand in for cost: a clip whose second half is 3x heavier
 * gets more, shorter chunks in its second half. */
START_TEST(test_cost_balance)
{
    int64_t n = 1200;
    uint8_t *k = keys(n, 10);
    int32_t *size = malloc(n * sizeof(*size));
    RdPlanInput in;
    RdPlan p;
    int late = 0;

    for (int64_t i = 0; i < n; i++)
        size[i] = i < n / 2 ? 1000 : 5000;
    rd_plan_input_defaults(&in);
    in.key = k;
    in.size = size;
    in.n = n;
    in.workers = 2;
    ck_assert_int_eq(rd_plan_chunks(&in, &p), 0);
    assert_partition(&p, &in);
    ck_assert_int_eq(p.n, 8);
    for (int i = 0; i < p.n; i++)
        late += p.c[i].first >= n / 2;
    ck_assert_int_ge(late, 5);
    for (int i = 1; i < p.n; i++) /* costs within 20% of each other */
        ck_assert_double_eq_tol(p.c[i].cost, p.c[0].cost, p.c[0].cost * 0.2);
    rd_plan_free(&p);
    free(size);
    free(k);
}
END_TEST

/* Pre-roll and boundaries between keyframes are counted as waste. */
START_TEST(test_waste_counted)
{
    int64_t n = 100;
    uint8_t *k = keys(n, 50);
    RdPlanInput in;
    RdPlan p;

    rd_plan_input_defaults(&in);
    in.key = k;
    in.n = n;
    in.chunks = 4;
    ck_assert_int_eq(rd_plan_chunks(&in, &p), 0);
    int64_t w = 0;
    for (int i = 0; i < p.n; i++)
        w += p.c[i].first - p.c[i].seek_from;
    ck_assert_int_eq(w, p.wasted);
    ck_assert_int_gt(p.wasted, 0);
    rd_plan_free(&p);
    free(k);
}
END_TEST

START_TEST(test_invalid)
{
    RdPlanInput in;
    RdPlan p;
    uint8_t k = 1;
    rd_plan_input_defaults(&in);
    ck_assert_int_lt(rd_plan_chunks(&in, &p), 0); /* no frames */
    in.key = &k;
    in.n = 1;
    in.workers = 0;
    ck_assert_int_lt(rd_plan_chunks(&in, &p), 0);
    in.workers = 1;
    ck_assert_int_eq(rd_plan_chunks(&in, &p), 0);
    ck_assert_int_eq(p.n, 1);
    rd_plan_free(&p);
}
END_TEST

Suite *make_plan_suite(void)
{
    Suite *s = suite_create("plan");
    TCase *tc = tcase_create("core");
    tcase_add_loop_test(tc, test_plan_table, 0, sizeof(cases) / sizeof(cases[0]));
    tcase_add_test(tc, test_cost_balance);
    tcase_add_test(tc, test_waste_counted);
    tcase_add_test(tc, test_invalid);
    suite_add_tcase(s, tc);
    return s;
}
