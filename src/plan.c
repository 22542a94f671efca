#include "plan.h"

#include <stdlib.h>
#include <string.h>
#include <libavutil/error.h>

void rd_plan_input_defaults(RdPlanInput *in)
{
    memset(in, 0, sizeof(*in));
    in->workers = 1;
    in->factor = 4;
    in->min_frames = 1;
    in->decode_weight = 0.15;
    in->max_waste = 0.10;
}

/* Per-frame cost: a fixed part plus a part that grows with the compressed
 * size, since detailed frames cost more to filter and encode. */
static double *frame_costs(const RdPlanInput *in)
{
    double *c = malloc(in->n * sizeof(*c)), mean = 0;
    if (!c)
        return NULL;
    for (int64_t i = 0; in->size && i < in->n; i++)
        mean += in->size[i];
    mean = in->n ? mean / in->n : 0;
    for (int64_t i = 0; i < in->n; i++)
        c[i] = in->size && mean > 0 ? 0.5 + 0.5 * in->size[i] / mean : 1.0;
    return c;
}

static int64_t key_before(const RdPlanInput *in, int64_t i)
{
    while (i > 0 && !in->key[i])
        i--;
    return i;
}

static int64_t waste_of(const RdPlanInput *in, int64_t first)
{
    int64_t pre = first - in->preroll > 0 ? first - in->preroll : 0;
    return first - key_before(in, pre);
}

/* A free place to start a chunk: its pre-roll begins on a keyframe, so
 * nothing is decoded only to be thrown away. */
static int free_start(const RdPlanInput *in, int64_t b)
{
    return b >= in->preroll && in->key[b - in->preroll];
}

/* Nearest free start to b within `win` frames, strictly inside (lo, hi); -1 if none. */
static int64_t near_key(const RdPlanInput *in, int64_t b, int64_t win, int64_t lo, int64_t hi)
{
    for (int64_t d = 0; d <= win; d++) {
        if (b - d > lo && b - d < hi && free_start(in, b - d))
            return b - d;
        if (b + d > lo && b + d < hi && free_start(in, b + d))
            return b + d;
    }
    return -1;
}

/* Greedy cut into k pieces of about `target` cost each, a piece's cost
 * counting the frames it must decode and throw away. Returns pieces made. */
static int cut(const RdPlanInput *in, const double *cost, int k, double target, int64_t *starts)
{
    int64_t win = in->n / k / 4;
    int m = 1;
    double acc;

    starts[0] = 0;
    acc = 0;
    for (int64_t i = 0; i < in->n && m < k; i++) {
        if (acc == 0)
            acc = in->decode_weight * waste_of(in, i);
        acc += cost[i];
        if (acc >= target && i + 1 < in->n) {
            int64_t b = i + 1, s = near_key(in, b, win, starts[m - 1], in->n);
            starts[m++] = s > 0 ? s : b;
            i = starts[m - 1] - 1;
            acc = 0;
        }
    }
    return m;
}

static double plan_waste(const RdPlanInput *in, const int64_t *starts, int m)
{
    double w = 0;
    for (int j = 0; j < m; j++)
        w += waste_of(in, starts[j]);
    return w;
}

/* Exactly k chunks, as --chunks asks: cost quantiles, on a keyframe when
 * one is near, each chunk at least one frame. */
static int place_exact(const RdPlanInput *in, const double *cost, double total, int k, int64_t *starts)
{
    int64_t win = in->n / k / 4, i = 0;
    double acc = 0;
    starts[0] = 0;
    for (int j = 1; j < k; j++) {
        int64_t lo = starts[j - 1] + 1, hi = in->n - (k - j), b, s;
        while (i < in->n && acc + cost[i] <= total * j / k)
            acc += cost[i++];
        b = i < lo ? lo : i > hi ? hi : i;
        s = near_key(in, b, win, starts[j - 1], hi + 1);
        starts[j] = s > 0 ? s : b;
    }
    return k;
}

/* Boundaries for k chunks; returns how many were made (<= k). */
static int place(const RdPlanInput *in, const double *cost, double total, int k, int64_t *starts)
{
    double waste = 0;
    int m = 1;
    /* The seek tax depends on where the cuts land, and the cuts on the
     * tax: a few rounds settle it. */
    for (int round = 0; round < 4; round++) {
        m = cut(in, cost, k, (total + in->decode_weight * waste) / k, starts);
        waste = plan_waste(in, starts, m);
    }
    return m;
}

static int fill(const RdPlanInput *in, const double *cost, const int64_t *starts, int m, RdPlan *out)
{
    out->c = calloc(m, sizeof(*out->c));
    if (!out->c)
        return AVERROR(ENOMEM);
    out->n = m;
    out->wasted = 0;
    for (int j = 0; j < m; j++) {
        RdChunkPlan *c = &out->c[j];
        c->first = starts[j];
        c->last = j + 1 < m ? starts[j + 1] : in->n;
        c->preroll_from = c->first - in->preroll > 0 ? c->first - in->preroll : 0;
        c->seek_from = key_before(in, c->preroll_from);
        for (int64_t i = c->first; i < c->last; i++)
            c->cost += cost[i];
        c->cost += in->decode_weight * (c->first - c->seek_from);
        out->wasted += c->first - c->seek_from;
    }
    return 0;
}

int rd_plan_chunks(const RdPlanInput *in, RdPlan *out)
{
    double *cost = NULL, total = 0, max_waste;
    int64_t *starts = NULL;
    int64_t k, kmin = 1;
    int m, ret;

    memset(out, 0, sizeof(*out));
    if (!in || in->n < 1 || !in->key || in->workers < 1 || in->factor < 1 ||
        in->chunks < 0 || in->preroll < 0 || in->min_frames < 1)
        return AVERROR(EINVAL);
    k = in->chunks ? in->chunks : (int64_t)in->workers * in->factor;
    if (!in->chunks && k > in->n / in->min_frames)
        k = in->n / in->min_frames;
    if (!in->chunks && in->max_frames > 0) {
        kmin = (in->n + in->max_frames - 1) / in->max_frames;
        k = k > kmin ? k : kmin;
    }
    if (k > in->n)
        k = in->n;
    if (k < 1)
        k = 1;
    cost = frame_costs(in);
    starts = malloc(k * sizeof(*starts));
    if (!cost || !starts) {
        ret = AVERROR(ENOMEM);
        goto end;
    }
    for (int64_t i = 0; i < in->n; i++)
        total += cost[i];
    m = in->chunks ? place_exact(in, cost, total, (int)k, starts)
                   : place(in, cost, total, (int)k, starts);
    /* One worker gains nothing from more chunks: only a free split is kept. */
    max_waste = in->workers > 1 ? in->max_waste : 0;
    /* Over-decomposition pays for load balance; past the worker count it
     * is not worth a large seek tax (sparse keyframes). */
    /* Fewer chunks a whole worker at a time: 3 chunks on 2 workers would
     * leave one worker idle for a third of the run. */
    while (!in->chunks && m > in->workers && m > kmin &&
           in->decode_weight * plan_waste(in, starts, m) > max_waste * total) {
        int64_t next = m - in->workers;
        next = next > kmin ? next : kmin;
        m = place(in, cost, total, (int)(next > in->workers ? next : in->workers), starts);
    }
    ret = fill(in, cost, starts, m, out);
end:
    free(cost);
    free(starts);
    return ret;
}

void rd_plan_free(RdPlan *p)
{
    free(p->c);
    p->c = NULL;
    p->n = 0;
}
