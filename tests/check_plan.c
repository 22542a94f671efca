#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include "engine/plan.h"

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
    /* 60 s at 30 fps, 1 s GOP, 2 workers: 8 equal chunks (off-key joins
     * cost less than the imbalance snapping would make) */
    { 1800, 30, 2, 0, 0, 30, 8, 8, 0, 0 },
    /* with pre-roll: an even count */
    { 1800, 30, 2, 0, 8, 30, 4, 8, 0, 0 },
    /* 16 workers on 20 s with 1 s minimum chunks: 20 of them, not 32 */
    { 600, 30, 16, 0, 0, 30, 16, 20, 0, 0 },
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
    { 250, 1, 4, 0, 3, 5, 4, 16, 1, 0 },
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
    /* automatic counts with enough frames are multiples of the workers */
    if (!c->chunks && c->n / c->min_frames >= c->workers)
        ck_assert_int_eq(p.n % c->workers, 0);
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
    /* by its own estimates the plan keeps both workers busy to the end */
    ck_assert_double_le(rd_plan_makespan(&p, 2, -1, 0), p.work / 2 * 1.05);
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

/* The speedup list scheduling predicts for a plan: chunks in order, each to
 * the first free of P workers (dynamic,1), a chunk costing its frames plus
 * 0.3 x the frames it decodes and throws away; uniform content. Written
 * here independently of rd_plan_makespan(), which it also checks. */
static double predicted_speedup(const RdPlan *p, int P, int64_t n)
{
    double *fin = calloc(P, sizeof(*fin)), end = 0;
    for (int j = 0; j < p->n; j++) {
        int w = 0;
        for (int i = 1; i < P; i++)
            if (fin[i] < fin[w])
                w = i;
        fin[w] += (p->c[j].last - p->c[j].first) + 0.3 * (p->c[j].first - p->c[j].seek_from);
        end = fin[w] > end ? fin[w] : end;
    }
    free(fin);
    ck_assert_double_eq_tol(rd_plan_makespan(p, P, 0.3, 0), end, 1e-9);
    return n / end;
}

typedef struct Scale {
    int seconds, fps, gop, workers, preroll;
    double want;       /* predicted speedup at least */
} Scale;

/* What the engine asks for (min 8 frames, max 10 s, a chunk's own cost 4
 * frames, pre-roll 8 for the default hqdn3d, 0 for stateless filters), on
 * 1 s-GOP clips. */
static const Scale scales[] = {
    { 20, 30, 30, 16, 0, 12.0 },
    { 20, 30, 30, 16, 8, 12.0 },
    { 60, 30, 30, 16, 0, 14.0 },
    { 60, 30, 30, 16, 8, 14.0 },
    { 60, 30, 30, 64, 0, 40.0 },
    { 60, 30, 30, 64, 8, 40.0 },
    /* two cores: the 1 s-minimum planner gave 1.63x to 1.88x here */
    { 20, 30, 30, 2, 0, 1.85 },
    { 20, 30, 30, 2, 8, 1.85 },
    { 60, 30, 30, 2, 0, 1.85 },
    { 60, 30, 30, 2, 8, 1.85 },
    { 2, 30, 30, 2, 8, 1.5 },
    /* a 1 s clip is still split in two for two workers (heavy filters) */
    { 1, 30, 30, 2, 0, 1.5 },
    { 20, 30, 30, 4, 8, 3.6 },
    { 600, 30, 30, 128, 8, 100.0 },
};

START_TEST(test_plan_scaling)
{
    const Scale *c = &scales[_i];
    int64_t n = (int64_t)c->seconds * c->fps;
    uint8_t *k = keys(n, c->gop);
    RdPlanInput in;
    RdPlan p;
    double s;

    rd_plan_input_defaults(&in);
    in.key = k;
    in.n = n;
    in.workers = c->workers;
    in.preroll = c->preroll;
    in.min_frames = 8;
    in.max_frames = 10 * c->fps;
    in.open_cost = 4;
    ck_assert_int_eq(rd_plan_chunks(&in, &p), 0);
    assert_partition(&p, &in);
    s = predicted_speedup(&p, c->workers, n);
    if (s < c->want)
        ck_abort_msg("%d s, P=%d, pre-roll %d: %d chunks predict %.2fx, want >= %.2fx",
                     c->seconds, c->workers, c->preroll, p.n, s, c->want);
    /* The seek tax stays bounded: no chunk decodes more than a GOP and its
     * pre-roll for nothing, and beyond one chunk per worker what is thrown
     * away costs at most a tenth of the work. */
    ck_assert_int_le(p.wasted, (int64_t)p.n * (c->gop - 1 + c->preroll));
    if (p.n > c->workers)
        ck_assert_double_le(in.decode_weight * p.wasted, in.max_waste * n + 1e-9 +
                            (in.preroll_weight - in.decode_weight) * c->preroll * p.n);
    if (n / 8 >= c->workers)
        ck_assert_int_eq(p.n % c->workers, 0);
    rd_plan_free(&p);
    free(k);
}
END_TEST

START_TEST(test_plan_makespan_empty)
{
    RdPlan p = { 0 };
    ck_assert_double_eq(rd_plan_makespan(&p, 4, 0.3, 0), 0);
    ck_assert_double_eq(rd_plan_makespan(NULL, 4, 0.3, 0), 0);
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

/* Plans with the encoder's start-up costs (startup.h): one more chunk
 * costs open_cost frames of time and key_bytes frames of bytes, and scene
 * cuts make joins free of the extra keyframe. */
typedef struct StartCase {
    int64_t n;
    int gop, workers;
    double open_cost, key_bytes;
    int cut_every;            /* a scene cut every this many frames, 0 = none */
    int want_min, want_max;   /* chunk count range */
    int want_cut_joins;       /* joins on a cut, at least */
} StartCase;

static const StartCase start_cases[] = {
    /* x264-like start (4 frames, a keyframe of 3 frames' bytes) on 20 s:
     * the plan the engine made before start-ups were measured (6 chunks) */
    { 600, 30, 2, 4, 3, 0, 6, 6, 0 },
    /* the bytes of a keyframe limit the joins: 5% of 600 frames is one
     * join of 30 frames' bytes, two of 15 */
    { 600, 30, 2, 4, 30, 0, 2, 2, 0 },
    { 600, 30, 2, 4, 15, 0, 2, 2, 0 },
    { 600, 30, 4, 4, 15, 0, 4, 4, 0 },
    /* a start-up of 20 frames: 10% of 600 frames is 3 chunks */
    { 600, 30, 2, 20, 0, 0, 2, 2, 0 },
    /* one worker: free splits only where they cost no keyframe bytes */
    { 600, 30, 1, 4, 40, 0, 1, 1, 0 },
    /* a cut every 75 frames: joins land on cuts and cost no keyframe,
     * so costly keyframes no longer hold the count down */
    { 600, 30, 2, 4, 30, 75, 4, 8, 3 },
    /* cuts every 150 frames, keyframes sparse: every join on a cut */
    { 600, 600, 2, 2, 0, 150, 2, 8, 1 },
};

START_TEST(test_plan_startup)
{
    const StartCase *c = &start_cases[_i];
    RdPlanInput in;
    RdPlan p;
    uint8_t *k = keys(c->n, c->gop), *cut = calloc(c->n, 1);
    int on_cut = 0;

    for (int64_t i = 1; c->cut_every && i < c->n; i++)
        cut[i] = i % c->cut_every == 0;
    rd_plan_input_defaults(&in);
    in.key = k;
    in.n = c->n;
    in.workers = c->workers;
    in.min_frames = 8;
    in.open_cost = c->open_cost;
    in.key_bytes = c->key_bytes;
    in.cut = c->cut_every ? cut : NULL;
    ck_assert_int_eq(rd_plan_chunks(&in, &p), 0);
    assert_partition(&p, &in);
    ck_assert_int_ge(p.n, c->want_min);
    ck_assert_int_le(p.n, c->want_max);
    for (int i = 1; i < p.n; i++)
        on_cut += c->cut_every && cut[p.c[i].first];
    ck_assert_int_eq(p.cut_joins, on_cut);
    ck_assert_int_ge(p.cut_joins, c->want_cut_joins);
    /* the stated shares, as the plan reports them, hold beyond one chunk a worker */
    ck_assert_double_eq_tol(p.start_share, p.n * c->open_cost / p.work, 1e-9);
    ck_assert_double_eq_tol(p.key_share, c->key_bytes * (p.n - 1 - on_cut) / (c->n + c->key_bytes), 1e-9);
    if (p.n > c->workers) {
        ck_assert_double_le(p.start_share, in.max_start);
        ck_assert_double_le(p.key_share, in.max_key_bytes);
    }
    rd_plan_free(&p);
    free(cut);
    free(k);
}
END_TEST

/* Priced cuts (cutprice.h): a join on a cut whose keyframe was priced
 * costs its price. Cuts every 100 frames of 600, the one at 300 dear
 * (60 frames of bytes, a tenth of the output): plans beyond one chunk a
 * worker keep clear of it and their joins' prices under the share; the
 * same cuts unpriced are all free, and a plan of six joins them all. */
START_TEST(test_plan_priced_cuts)
{
    int64_t n = 600;
    uint8_t *k = keys(n, 25), *cut = calloc(n, 1);
    double *price = calloc(n, sizeof(*price));
    RdPlanInput in;
    RdPlan p;
    double priced = 0;

    for (int64_t i = 100; i < n; i += 100) {
        cut[i] = 1;
        price[i] = 2;
    }
    price[300] = 60;
    rd_plan_input_defaults(&in);
    in.key = k;
    in.n = n;
    in.workers = 2;
    in.min_frames = 8;
    in.open_cost = 4;
    in.key_bytes = 3;
    in.cut = cut;
    in.anchor = cut; /* --split scenes with a cut for every worker: starts on cuts only */
    cut[0] = 1;
    ck_assert_int_eq(rd_plan_chunks(&in, &p), 0);
    assert_partition(&p, &in);
    ck_assert_int_eq(p.n, 6);
    ck_assert_double_eq_tol(p.key_share, 0, 1e-12);
    rd_plan_free(&p);

    in.cut_key = price;
    ck_assert_int_eq(rd_plan_chunks(&in, &p), 0);
    assert_partition(&p, &in);
    ck_assert_int_gt(p.n, in.workers);
    for (int i = 1; i < p.n; i++) {
        ck_assert(cut[p.c[i].first]);
        ck_assert_int_ne(p.c[i].first, 300);
        priced += price[p.c[i].first];
    }
    ck_assert_double_eq_tol(p.key_share, priced / (n + in.key_bytes), 1e-9);
    ck_assert_double_le(p.key_share, in.max_key_bytes);
    rd_plan_free(&p);
    free(price);
    free(cut);
    free(k);
}
END_TEST

/* With --chunks the count is the user's, but boundaries still go to a cut nearby. */
START_TEST(test_plan_exact_cuts)
{
    int64_t n = 300;
    uint8_t *k = keys(n, 300), *cut = calloc(n, 1);
    RdPlanInput in;
    RdPlan p;

    cut[70] = cut[160] = cut[230] = 1;
    rd_plan_input_defaults(&in);
    in.key = k;
    in.n = n;
    in.workers = 2;
    in.chunks = 4;
    in.cut = cut;
    ck_assert_int_eq(rd_plan_chunks(&in, &p), 0);
    assert_partition(&p, &in);
    ck_assert_int_eq(p.n, 4);
    ck_assert_int_eq(p.c[1].first, 70);
    ck_assert_int_eq(p.c[2].first, 160);
    ck_assert_int_eq(p.c[3].first, 230);
    ck_assert_int_eq(p.cut_joins, 3);
    rd_plan_free(&p);
    free(cut);
    free(k);
}
END_TEST

/* A replay before each chunk (replay_weight): one chunk per worker, or a
 * multiple where max_frames asks, every chunk costing the same (its
 * replay of the frames before it included), so later chunks are shorter;
 * they decode from frame 0. */
START_TEST(test_plan_replay)
{
    static const struct { int workers; int64_t max_frames; int chunks; } rc[] = {
        { 2, 0, 2 }, { 4, 0, 4 }, { 2, 200, 6 }, { 3, 0, 3 },
    };
    int64_t n = 1000;
    uint8_t *k = keys(n, 25);
    for (size_t t = 0; t < sizeof(rc) / sizeof(*rc); t++) {
        RdPlanInput in;
        RdPlan p;
        double lo = 1e18, hi = 0;
        rd_plan_input_defaults(&in);
        in.key = k;
        in.n = n;
        in.workers = rc[t].workers;
        in.max_frames = rc[t].max_frames;
        in.min_frames = 8;
        in.preroll = 4;
        in.postroll = 2;
        in.replay_weight = 0.3;
        ck_assert_int_eq(rd_plan_chunks(&in, &p), 0);
        assert_partition(&p, &in);
        ck_assert_int_eq(p.n, rc[t].chunks);
        for (int i = 0; i < p.n; i++) {
            lo = p.c[i].cost < lo ? p.c[i].cost : lo;
            hi = p.c[i].cost > hi ? p.c[i].cost : hi;
            if (i) {
                ck_assert_int_eq(p.c[i].seek_from, 0);
                ck_assert_int_lt(p.c[i].last - p.c[i].first, p.c[i - 1].last - p.c[i - 1].first);
            }
        }
        ck_assert_msg(hi <= lo * 1.02, "%d workers: chunk costs %.1f to %.1f", rc[t].workers, lo, hi);
        rd_plan_free(&p);
    }
    /* two workers: the first ends where both cost the same, n / (2 - w) */
    {
        RdPlanInput in;
        RdPlan p;
        rd_plan_input_defaults(&in);
        in.key = k;
        in.n = n;
        in.workers = 2;
        in.replay_weight = 0.3;
        ck_assert_int_eq(rd_plan_chunks(&in, &p), 0);
        ck_assert_int_ge(p.c[0].last, 580);
        ck_assert_int_le(p.c[0].last, 600);
        rd_plan_free(&p);
    }
    free(k);
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
    tcase_add_loop_test(tc, test_plan_scaling, 0, sizeof(scales) / sizeof(scales[0]));
    tcase_add_test(tc, test_plan_makespan_empty);
    tcase_add_loop_test(tc, test_plan_startup, 0, sizeof(start_cases) / sizeof(start_cases[0]));
    tcase_add_test(tc, test_plan_exact_cuts);
    tcase_add_test(tc, test_plan_priced_cuts);
    tcase_add_test(tc, test_plan_replay);
    suite_add_tcase(s, tc);
    return s;
}
