/*
 * check_recut.c - the last round re-cut at run time (plan.h rd_plan_recut),
 * on a simulated run: the frames' true costs follow their sizes more than
 * the plan's estimate says, as the mandelbrot zoom's do under x264.
 */
#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include "engine/plan.h"

#define N 1800
#define GOP 30
#define OPEN_S 0.03

typedef struct Sim {
    uint8_t key[N];
    int32_t size[N];
    double t[N];             /* a frame's true seconds */
    RdPlanInput in;
} Sim;

/* The second half's frames are four times as large; a frame's true time
 * follows its size with weight 0.6, the plan's estimate with 0.3. */
static void sim_init(Sim *s, int workers)
{
    memset(s, 0, sizeof(*s));
    for (int i = 0; i < N; i++) {
        double r = i < N / 2 ? 0.4 : 1.6;
        s->key[i] = i % GOP == 0;
        s->size[i] = s->key[i] ? 20000 : (int32_t)(1000 * r);
        s->t[i] = 0.008 * (0.4 + 0.6 * r);
    }
    rd_plan_input_defaults(&s->in);
    s->in.key = s->key;
    s->in.size = s->size;
    s->in.n = N;
    s->in.workers = workers;
    s->in.preroll = 15;
    s->in.min_frames = 8;
    s->in.open_cost = 4;
    s->in.size_weight = 0.3;
}

/* A chunk's true seconds: its opening, pre-roll (decoded and filtered)
 * and frames. */
static double true_dur(const Sim *s, const RdChunkPlan *c)
{
    double d = OPEN_S;
    for (int64_t i = c->seek_from; i < c->last; i++)
        d += s->t[i] * (i < c->preroll_from ? 0.15 : i < c->first ? 0.6 : 1);
    return d;
}

/* dynamic,1 on the true times: chunk j taken at start[j], ended at end[j],
 * by worker who[j]. */
static double schedule(const Sim *s, const RdPlan *p, int w, double *start, double *end)
{
    double fin[16] = { 0 }, last = 0;
    for (int j = 0; j < p->n; j++) {
        int k = 0;
        for (int i = 1; i < w; i++)
            if (fin[i] < fin[k])
                k = i;
        start[j] = fin[k];
        end[j] = fin[k] = start[j] + true_dur(s, &p->c[j]);
        last = end[j] > last ? end[j] : last;
    }
    return last;
}

/* What the engine sees at `now`: chunks taken, finished, frames encoded. */
static void pace_at(const Sim *s, const RdPlan *p, const double *start, const double *end,
                    double now, RdChunkPace *pace)
{
    for (int j = 0; j < p->n; j++) {
        const RdChunkPlan *c = &p->c[j];
        double t = start[j] + OPEN_S;
        pace[j] = (RdChunkPace){ -1, -1, 0 };
        if (start[j] >= now)
            continue;
        pace[j].began = start[j];
        pace[j].ended = end[j] <= now ? end[j] : -1;
        for (int64_t i = c->seek_from; i < c->first; i++)
            t += s->t[i] * (i < c->preroll_from ? 0.15 : 0.6);
        for (int64_t i = c->first; i < c->last && (t += s->t[i]) <= now; i++)
            pace[j].done++;
    }
}

/* How far apart the last round's workers end. */
static double spread(const RdPlan *p, int w, const double *end)
{
    double lo = end[p->n - 1], hi = lo;
    for (int j = p->n - w; j < p->n; j++) {
        lo = end[j] < lo ? end[j] : lo;
        hi = end[j] > hi ? end[j] : hi;
    }
    return hi - lo;
}

static void assert_partition(const RdPlan *p)
{
    ck_assert_int_eq(p->c[0].first, 0);
    ck_assert_int_eq(p->c[p->n - 1].last, N);
    for (int i = 0; i < p->n; i++) {
        ck_assert_int_lt(p->c[i].first, p->c[i].last);
        ck_assert_int_le(p->c[i].seek_from, p->c[i].preroll_from);
        ck_assert_int_le(p->c[i].preroll_from, p->c[i].first);
        if (i)
            ck_assert_int_eq(p->c[i].first, p->c[i - 1].last);
    }
}

/* The last round taken by the first worker free, re-cut, and run: the
 * workers end closer together and the run ends earlier. */
START_TEST(test_recut_balances)
{
    static Sim s;
    RdPlan p;
    RdChunkPace pace[64];
    double start[64], end[64], before, after, gap_before, gap_after;
    int w = _i ? 3 : 2, from, moved;

    sim_init(&s, w);
    ck_assert_int_eq(rd_plan_chunks(&s.in, &p), 0);
    ck_assert_int_le(p.n, 64);
    ck_assert_int_gt(p.n, w);
    from = p.n - w;
    before = schedule(&s, &p, w, start, end);
    gap_before = spread(&p, w, end);
    pace_at(&s, &p, start, end, start[from], pace);
    moved = rd_plan_recut(&s.in, &p, from, pace, start[from]);
    ck_assert_int_ge(moved, 1);
    assert_partition(&p);
    after = schedule(&s, &p, w, start, end);
    gap_after = spread(&p, w, end);
    ck_assert_double_lt(after, before - gap_before / (2 * w));
    ck_assert_double_lt(gap_after, gap_before / 2);
    rd_plan_free(&p);
}
END_TEST

/* Where it may not or need not: the plan stays as it was. */
START_TEST(test_recut_keeps)
{
    static Sim s;
    RdPlan p, q;
    RdChunkPace pace[64];
    double start[64], end[64];
    int from;
    uint8_t *cut = calloc(N, 1);

    sim_init(&s, 2);
    ck_assert_int_eq(rd_plan_chunks(&s.in, &p), 0);
    from = p.n - 2;
    q = p;
    q.c = malloc(p.n * sizeof(*q.c));
    memcpy(q.c, p.c, p.n * sizeof(*q.c));
    schedule(&s, &p, 2, start, end);
    pace_at(&s, &p, start, end, start[from], pace);
    /* not the last round yet */
    ck_assert_int_eq(rd_plan_recut(&s.in, &p, from - 1, pace, start[from]), 0);
    /* a later chunk already taken (another worker went first) */
    pace[from + 1].began = start[from];
    ck_assert_int_eq(rd_plan_recut(&s.in, &p, from, pace, start[from]), 0);
    pace[from + 1].began = -1;
    /* nothing measured yet */
    for (int j = 0; j < from; j++)
        pace[j] = (RdChunkPace){ -1, -1, 0 };
    ck_assert_int_eq(rd_plan_recut(&s.in, &p, from, pace, start[from]), 0);
    /* the join sits on a scene cut: the encoder starts a scene there anyway */
    pace_at(&s, &p, start, end, start[from], pace);
    cut[p.c[from + 1].first] = 1;
    s.in.cut = cut;
    ck_assert_int_eq(rd_plan_recut(&s.in, &p, from, pace, start[from]), 0);
    ck_assert_mem_eq(p.c, q.c, p.n * sizeof(*p.c));
    /* the same without the cut moves it: the cases above were the reason */
    s.in.cut = NULL;
    ck_assert_int_eq(rd_plan_recut(&s.in, &p, from, pace, start[from]), 1);
    free(q.c);
    free(cut);
    rd_plan_free(&p);
}
END_TEST

/* No join moves onto a cut whose keyframe was priced. */
START_TEST(test_recut_priced_cut)
{
    static Sim s;
    RdPlan p;
    RdChunkPace pace[64];
    double start[64], end[64], *price = calloc(N, sizeof(double));
    uint8_t *cut = calloc(N, 1);
    int from;

    sim_init(&s, 2);
    ck_assert_int_eq(rd_plan_chunks(&s.in, &p), 0);
    from = p.n - 2;
    schedule(&s, &p, 2, start, end);
    pace_at(&s, &p, start, end, start[from], pace);
    for (int64_t i = p.c[from].first + 1; i < N; i++)
        if (i != p.c[from + 1].first) {
            cut[i] = 1;
            price[i] = 3;
        }
    s.in.cut = cut;
    s.in.cut_key = price;
    ck_assert_int_eq(rd_plan_recut(&s.in, &p, from, pace, start[from]), 0);
    free(cut);
    free(price);
    rd_plan_free(&p);
}
END_TEST

Suite *make_recut_suite(void)
{
    Suite *s = suite_create("recut");
    TCase *tc = tcase_create("core");
    tcase_add_loop_test(tc, test_recut_balances, 0, 2);
    tcase_add_test(tc, test_recut_keeps);
    tcase_add_test(tc, test_recut_priced_cut);
    suite_add_tcase(s, tc);
    return s;
}
