#include "engine/plan.h"

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
    in->preroll_weight = 0.6;
    in->size_weight = 0.4;
    in->max_waste = 0.10;
    in->open_cost = 2.0;
    in->tail_weight = 0.25;
    in->max_start = 0.10;
    in->max_key_bytes = 0.05;
}

/* Per-frame cost: a fixed part plus a part that grows with the compressed
 * size, since detailed frames cost more to filter and encode. A keyframe
 * is compared with the other keyframes only: it is large because it is
 * coded alone, not because it costs more to filter and encode once
 * decoded (on a 1 s clip its size alone made the first chunk twice as
 * long as the second). The weights, 0.6 fixed and 0.4 by size, make the
 * second half of the 20 s mandelbrot zoom (whose P-frames are 3.6 times
 * larger) 1.59 times the first, as measured (~60% more to encode); the
 * engine scales the size part by the encoder's measured share (a graph's
 * work, minterpolate's, does not follow the compressed size). */
static double *frame_costs(const RdPlanInput *in)
{
    double *c = malloc(in->n * sizeof(*c)), sum[2] = { 0, 0 };
    int64_t cnt[2] = { 0, 0 };
    if (!c)
        return NULL;
    for (int64_t i = 0; in->size && i < in->n; i++) {
        sum[!!in->key[i]] += in->size[i];
        cnt[!!in->key[i]]++;
    }
    for (int64_t i = 0; i < in->n; i++) {
        int k = !!in->key[i];
        double mean = cnt[k] ? sum[k] / cnt[k] : 0;
        c[i] = in->size && mean > 0 ? 1 - in->size_weight + in->size_weight * in->size[i] / mean : 1.0;
    }
    return c;
}

static int64_t key_before(const RdPlanInput *in, int64_t i)
{
    while (i > 0 && !in->key[i])
        i--;
    return i;
}

/* The first frame a chunk starting at `first` feeds its graph: `preroll`
 * frames before, and further back to a frame the graph may start on. */
static int64_t preroll_start(const RdPlanInput *in, int64_t first)
{
    int64_t pre = first - in->preroll > 0 ? first - in->preroll : 0;
    while (pre > 0 && in->feed_ok && !in->feed_ok[pre])
        pre--;
    return pre;
}

static int64_t waste_of(const RdPlanInput *in, int64_t first)
{
    return first - key_before(in, preroll_start(in, first));
}

/* The seek tax of a boundary at `first`, processed-frame units: frames
 * only decoded, pre-roll frames decoded and filtered, and the previous
 * chunk's post-roll frames decoded and filtered. */
static int64_t post_of(const RdPlanInput *in, int64_t first)
{
    int64_t left = in->n - first;
    return first <= 0 ? 0 : in->postroll < left ? in->postroll : left;
}

static double tax_of(const RdPlanInput *in, int64_t first)
{
    int64_t pre = preroll_start(in, first);
    return in->decode_weight * (pre - key_before(in, pre)) +
           in->preroll_weight * (first - pre + post_of(in, first));
}

/* A free place to start a chunk: its pre-roll begins on a keyframe, so
 * nothing is decoded only to be thrown away. */
static int free_start(const RdPlanInput *in, int64_t b)
{
    return b >= in->preroll && in->key[preroll_start(in, b)];
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

/* Nearest scene cut to b within `win` frames, strictly inside (lo, hi); -1 if none. */
static int64_t near_cut(const RdPlanInput *in, int64_t b, int64_t win, int64_t lo, int64_t hi)
{
    for (int64_t d = 0; in->cut && d <= win; d++) {
        if (b - d > lo && b - d < hi && in->cut[b - d])
            return b - d;
        if (b + d > lo && b + d < hi && in->cut[b + d])
            return b + d;
    }
    return -1;
}

/* Where a boundary aimed at b goes: a scene cut within half a chunk
 * (`cwin`: the encoder starts a scene there anyway, so the join costs no
 * keyframe), else a free start within `win`, else b itself. */
static int64_t snap_to(const RdPlanInput *in, int64_t b, int64_t win, int64_t cwin, int64_t lo, int64_t hi)
{
    int64_t s = near_cut(in, b, cwin, lo, hi);
    if (s < 0)
        s = near_key(in, b, win, lo, hi);
    return s > 0 ? s : b;
}

/* Greedy cut into k pieces, a piece's cost counting the frames it must
 * decode and throw away. Each piece aims at its share of what is left (its
 * own seek tax, and `tax` (cost units) spread over the whole plan), so a
 * piece that snapped to a keyframe and grew makes the next ones smaller
 * and the last piece is not a remainder. Returns pieces made (k when the
 * frames allow). */
/* Relative size of piece j of k: 1 + taper at the first, 1 - taper at the
 * last, linear between (taper 0: all equal). */
static double shape(int j, int k, double taper)
{
    return k > 1 ? 1 + taper * (1 - 2.0 * j / (k - 1)) : 1;
}

static int cut(const RdPlanInput *in, const double *cost, double total, int k, double tax,
               int64_t win, double taper, int64_t *starts)
{
    int m = 1, fresh = 1;
    double acc = 0, rest = total, target = 0;

    starts[0] = 0;
    for (int64_t i = 0; i < in->n && m < k; i++) {
        if (fresh) {
            double own = tax_of(in, i);
            double w = 0;
            for (int j = m - 1; j < k; j++)
                w += shape(j, k, taper);
            target = (rest + own + tax * (k - m) / k) * shape(m - 1, k, taper) / w;
            acc = own;
            fresh = 0;
        }
        acc += cost[i];
        if (acc >= target && i + 1 < in->n) {
            starts[m] = snap_to(in, i + 1, win, in->n / k / 2, starts[m - 1], in->n);
            for (int64_t j = starts[m - 1]; j < starts[m]; j++)
                rest -= cost[j];
            i = starts[m++] - 1;
            fresh = 1;
        }
    }
    return m;
}

static double plan_tax(const RdPlanInput *in, const int64_t *starts, int m)
{
    double w = 0;
    for (int j = 0; j < m; j++)
        w += tax_of(in, starts[j]);
    return w;
}

static double plan_waste(const RdPlanInput *in, const int64_t *starts, int m)
{
    double w = 0;
    for (int j = 0; j < m; j++)
        w += waste_of(in, starts[j]);
    return w;
}

/* Joins (starts after the first) on a scene cut. */
static int cut_joins(const RdPlanInput *in, const int64_t *starts, int m)
{
    int c = 0;
    for (int j = 1; in->cut && j < m; j++)
        c += !!in->cut[starts[j]];
    return c;
}

/* The stated shares: start-ups over the work, and the bytes the joins off
 * a cut add (each a keyframe the whole-stream encode would not write) over
 * the output's. */
static double start_share(const RdPlanInput *in, int m, double total)
{
    return total > 0 ? m * in->open_cost / total : 0;
}

static double key_share(const RdPlanInput *in, const int64_t *starts, int m)
{
    double priced = 0;
    for (int j = 1; in->cut && in->cut_key && j < m; j++)
        if (in->cut[starts[j]] && in->cut_key[starts[j]] > 0)
            priced += in->cut_key[starts[j]];
    return (in->key_bytes * (m - 1 - cut_joins(in, starts, m)) + priced) / (in->n + in->key_bytes);
}

/* 1 when m chunks at `starts` cost more in start-ups or keyframes than
 * the limits allow. */
static int over_limits(const RdPlanInput *in, const int64_t *starts, int m, double total)
{
    return (in->max_start > 0 && start_share(in, m, total) > in->max_start) ||
           ((in->key_bytes > 0 || in->cut_key) && key_share(in, starts, m) > in->max_key_bytes);
}

/* Exactly k chunks, as --chunks asks: cost quantiles, on a keyframe when
 * one is near, each chunk at least one frame. */
static int place_exact(const RdPlanInput *in, const double *cost, double total, int k, int64_t *starts)
{
    int64_t win = in->n / k / 4, i = 0;
    double acc = 0;
    starts[0] = 0;
    for (int j = 1; j < k; j++) {
        int64_t lo = starts[j - 1] + 1, hi = in->n - (k - j), b;
        while (i < in->n && acc + cost[i] <= total * j / k)
            acc += cost[i++];
        b = i < lo ? lo : i > hi ? hi : i;
        starts[j] = snap_to(in, b, win, in->n / k / 2, starts[j - 1], hi + 1);
    }
    return k;
}

/* Boundaries for k chunks, each moved to a free start within n / k / snap
 * frames if there is one (snap 0: never moved); returns how many were made
 * (<= k). */
static int place_snap(const RdPlanInput *in, const double *cost, double total, int k, int snap,
                      double taper, int64_t *starts)
{
    int64_t win = snap ? in->n / k / snap : 0;
    double tax = 0;
    int m = 1;
    /* The seek tax depends on where the cuts land, and the cuts on the
     * tax: a few rounds settle it. */
    for (int round = 0; round < 4; round++) {
        m = cut(in, cost, total, k, tax, win, taper, starts);
        tax = plan_tax(in, starts, m);
    }
    return m;
}

static int place(const RdPlanInput *in, const double *cost, double total, int k, int64_t *starts)
{
    return place_snap(in, cost, total, k, 4, 0, starts);
}

/* A replay's chunk from `first` up to frame `last`: its replay, pre-roll,
 * opening and own frames (prefix sums C). */
static double replay_cost(const RdPlanInput *in, const double *C, int64_t first, int64_t last)
{
    int64_t pre = preroll_start(in, first);
    return in->replay_weight * pre + in->preroll_weight * (first - pre) + in->open_cost + C[last] - C[first];
}

/* Chunks from 0, each as long as `span` allows; how many it takes to
 * reach the end (up to k + 1), starts in `starts` (k entries). */
static int replay_fit(const RdPlanInput *in, const double *C, double span, int k, int64_t *starts)
{
    int64_t first = 0;
    int m = 0;
    while (first < in->n && m <= k) {
        int64_t last = first + in->min_frames;
        if (m < k)
            starts[m] = first;
        m++;
        if (last > in->n)
            last = in->n;
        while (last < in->n && replay_cost(in, C, first, last + 1) <= span)
            last++;
        first = last;
    }
    return m;
}

/* k chunks under a replay, k a multiple of the workers: the shortest
 * span with which k chunks of at most that cost reach the end, found by
 * bisection. Chunk j's replay of the frames before it makes it shorter
 * than chunk j - 1; all cost the span, so each round of workers ends
 * together. */
static int place_replay(const RdPlanInput *in, const double *cost, int k, int64_t *starts)
{
    double *C = malloc((in->n + 1) * sizeof(*C)), lo = 0, hi;
    int m;
    if (!C)
        return AVERROR(ENOMEM);
    C[0] = 0;
    for (int64_t i = 0; i < in->n; i++)
        C[i + 1] = C[i] + cost[i];
    hi = replay_cost(in, C, 0, in->n);
    for (int it = 0; it < 60 && hi - lo > 1e-6 * hi; it++) {
        double mid = (lo + hi) / 2;
        if (replay_fit(in, C, mid, k, starts) <= k)
            hi = mid;
        else
            lo = mid;
    }
    m = replay_fit(in, C, hi, k, starts);
    free(C);
    return m < k ? m : k;
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
        c->preroll_from = preroll_start(in, c->first);
        c->seek_from = key_before(in, c->preroll_from);
        c->postroll_to = c->last + post_of(in, c->last);
        for (int64_t i = c->first; i < c->last; i++)
            c->cost += cost[i];
        out->work += c->cost;
        /* its own post-roll, not the one before it */
        c->cost += tax_of(in, c->first) + in->preroll_weight *
                   (c->postroll_to - c->last - post_of(in, c->first));
        if (in->replay_weight > 0 && c->preroll_from > 0) { /* decoded from frame 0 */
            c->seek_from = 0;
            c->cost += in->replay_weight * c->preroll_from;
        }
        out->wasted += c->first - c->seek_from + c->postroll_to - c->last;
    }
    out->cut_joins = cut_joins(in, starts, m);
    out->start_share = start_share(in, m, out->work);
    out->key_share = key_share(in, starts, m);
    return 0;
}

/* Finish time of the last of `m` jobs handed in order to the first free of
 * `w` workers. `fin` (w entries) is scratch: a binary min-heap of finish times. */
static double list_schedule(const double *job, int m, int w, double *fin)
{
    double end = 0;
    if (w > m)
        w = m;
    for (int i = 0; i < w; i++)
        fin[i] = 0;
    for (int j = 0; j < m; j++) {
        double t = fin[0] + job[j];
        int i = 0;
        end = t > end ? t : end;
        for (;;) { /* the root got later: sift it down */
            int c = 2 * i + 1;
            if (c >= w)
                break;
            if (c + 1 < w && fin[c + 1] < fin[c])
                c++;
            if (fin[c] >= t)
                break;
            fin[i] = fin[c];
            i = c;
        }
        fin[i] = t;
    }
    return end;
}

double rd_plan_makespan(const RdPlan *p, int workers, double waste_weight, double open_cost)
{
    double *job, *fin, end;
    if (!p || p->n < 1 || workers < 1)
        return 0;
    job = malloc(p->n * sizeof(*job));
    fin = malloc((workers < p->n ? workers : p->n) * sizeof(*fin));
    if (!job || !fin) {
        free(job);
        free(fin);
        return 0;
    }
    for (int j = 0; j < p->n; j++)
        job[j] = (waste_weight < 0 ? p->c[j].cost : (p->c[j].last - p->c[j].first) +
                  waste_weight * (p->c[j].first - p->c[j].seek_from)) + open_cost;
    end = list_schedule(job, p->n, workers, fin);
    free(job);
    free(fin);
    return end;
}

/* What the planner minimises for m chunks starting at `starts`: when
 * dynamic,1 would finish them, plus the risk that the last round's chunks
 * were estimated wrong (only chunks that end the run can make it late;
 * earlier errors are absorbed by whoever is free next). */
static double predicted_end(const RdPlanInput *in, const double *cost, const int64_t *starts,
                            int m, double *job, double *fin)
{
    double tail = 0;
    for (int j = 0; j < m; j++) {
        int64_t last = j + 1 < m ? starts[j + 1] : in->n;
        job[j] = in->open_cost + tax_of(in, starts[j]);
        for (int64_t i = starts[j]; i < last; i++)
            job[j] += cost[i];
        if (j >= m - in->workers && job[j] > tail)
            tail = job[j];
    }
    return list_schedule(job, m, in->workers, fin) + in->tail_weight * tail;
}

/* One worker: load balance is moot, so only free splits beyond what memory
 * needs (kmin) are kept, a chunk at a time. */
static int plan_one_worker(const RdPlanInput *in, const double *cost, double total,
                           int64_t k, int64_t kmin, int64_t *starts)
{
    int m = place(in, cost, total, (int)k, starts);
    while (m > 1 && m > kmin && (plan_waste(in, starts, m) > 0 || over_limits(in, starts, m, total)))
        m = place(in, cost, total, m - 1, starts);
    return m;
}

/* Several workers: candidate counts, each list-scheduled; the first to
 * finish wins (ties: fewer chunks). Multiples of the workers, so that a
 * uniform clip's last round keeps every worker busy; where the clip has
 * fewer minimum-length chunks than workers, counts below that. */
static int plan_workers(const RdPlanInput *in, const double *cost, double total,
                        int64_t kmax, int64_t kmin, int64_t *starts, int64_t *best)
{
    int64_t P = in->workers, cand[128];
    double *job = malloc(in->n * sizeof(*job));
    double *fin = malloc(P * sizeof(*fin));
    double best_end = 0;
    int nc = 0, mbest = 0;

    if (!job || !fin) {
        free(job);
        free(fin);
        return AVERROR(ENOMEM);
    }
    if (kmax >= P) {
        int64_t m0 = (kmin + P - 1) / P, m1 = in->factor > m0 ? in->factor : m0;
        if (m0 < 1)
            m0 = 1;
        for (int64_t m = m0; m <= m1 && nc < 128 && (m * P <= kmax || m == m0); m++)
            cand[nc++] = m * P;
    } else { /* fewer chunks than workers: try the counts that are possible */
        int64_t lo = kmin > 1 ? kmin : 1, step = (kmax - lo) / 32 + 1;
        for (int64_t k = kmax; k >= lo && nc < 128; k -= step)
            cand[nc++] = k;
    }
    /* Snapping a boundary to a keyframe saves its seek tax but makes the
     * chunks unequal: each count is tried snapped within a quarter or a
     * sixteenth of a chunk, and not snapped. */
    /* And each either of equal cost or shrinking towards the end, as
     * guided scheduling does: the last round's chunks are what a wrong
     * estimate leaves the other workers waiting for. */
    for (int c = 0; c < nc * 6; c++) {
        static const int snaps[3] = { 4, 16, 0 };
        static const double tapers[2] = { 0, 0.5 };
        int64_t k = cand[c / 6] < in->n ? cand[c / 6] : in->n;
        int m = place_snap(in, cost, total, (int)k, snaps[c % 3], tapers[c / 3 % 2], starts);
        double end;
        /* The bounds: beyond one chunk per worker, never a plan that
         * throws away much of its decoding, nor one whose start-ups or
         * extra keyframes pass their stated shares. */
        if (mbest && m > P && (plan_tax(in, starts, m) > in->max_waste * total ||
                               over_limits(in, starts, m, total)))
            continue;
        end = predicted_end(in, cost, starts, m, job, fin);
        if (!mbest || end < best_end) {
            best_end = end;
            mbest = m;
            memcpy(best, starts, m * sizeof(*starts));
        }
    }
    free(job);
    free(fin);
    return mbest;
}

/* A fixed GOP: each start moved to the nearest multiple of the grid, so
 * the chunks' own first keyframes fall where one encoder puts them;
 * starts that meet are merged. Returns the chunks left. */
static int on_grid(const RdPlanInput *in, int64_t *starts, int m)
{
    int k = 1;
    for (int j = 1; j < m; j++) {
        int64_t s = (starts[j] + in->grid / 2) / in->grid * in->grid;
        if (s > starts[k - 1] && s < in->n)
            starts[k++] = s;
    }
    return k;
}

/* Forced keyframes: as on_grid, to the nearest frame a chunk may start at. */
static int on_anchors(const RdPlanInput *in, int64_t *starts, int m)
{
    int k = 1;
    for (int j = 1; j < m; j++) {
        int64_t s = -1;
        for (int64_t d = 0; s < 0 && (starts[j] - d > 0 || starts[j] + d < in->n); d++) {
            if (starts[j] - d > 0 && in->anchor[starts[j] - d])
                s = starts[j] - d;
            else if (starts[j] + d < in->n && in->anchor[starts[j] + d])
                s = starts[j] + d;
        }
        if (s > starts[k - 1] && s < in->n)
            starts[k++] = s;
    }
    return k;
}

int rd_plan_chunks(const RdPlanInput *in, RdPlan *out)
{
    double *cost = NULL, total = 0;
    int64_t *starts = NULL, *best = NULL;
    int64_t k, kmax, kmin = 1, cap;
    int m, ret;

    memset(out, 0, sizeof(*out));
    if (!in || in->n < 1 || !in->key || in->workers < 1 || in->factor < 1 ||
        in->chunks < 0 || in->preroll < 0 || in->postroll < 0 || in->min_frames < 1 ||
        !(in->open_cost >= 0) || !(in->tail_weight >= 0) || !(in->max_start >= 0) ||
        !(in->key_bytes >= 0) || !(in->max_key_bytes >= 0))
        return AVERROR(EINVAL);
    kmax = in->n / in->min_frames > 1 ? in->n / in->min_frames : 1;
    if (!in->chunks && in->max_frames > 0)
        kmin = (in->n + in->max_frames - 1) / in->max_frames;
    k = in->chunks ? in->chunks : (int64_t)in->workers * in->factor;
    if (!in->chunks)
        k = k < kmax ? k : kmax;
    k = k > kmin ? k : kmin;
    k = k < in->n ? k : in->n;
    /* room for every candidate count */
    cap = (int64_t)in->workers * (in->factor > 1 ? in->factor : 1);
    cap = cap > k ? cap : k;
    cap = cap > kmin + in->workers ? cap : kmin + in->workers;
    cap = cap < in->n ? cap : in->n;
    cost = frame_costs(in);
    starts = malloc(cap * sizeof(*starts));
    best = malloc(cap * sizeof(*best));
    if (!cost || !starts || !best) {
        ret = AVERROR(ENOMEM);
        goto end;
    }
    for (int64_t i = 0; i < in->n; i++)
        total += cost[i];
    if (in->chunks)
        m = place_exact(in, cost, total, (int)k, starts);
    else if (in->replay_weight > 0) {
        /* one round, or as many as the chunks' length bound asks for */
        int64_t kr = (kmin + in->workers - 1) / in->workers * in->workers;
        kr = kr < cap ? kr : cap;
        if ((m = place_replay(in, cost, (int)kr, starts)) < 0) {
            ret = m;
            goto end;
        }
    } else if (in->workers == 1)
        m = plan_one_worker(in, cost, total, k, kmin, starts);
    else if ((m = plan_workers(in, cost, total, kmax < cap ? kmax : cap, kmin, starts, best)) < 0) {
        ret = m;
        goto end;
    } else
        memcpy(starts, best, m * sizeof(*starts));
    if (in->grid > 1)
        m = on_grid(in, starts, m);
    if (in->anchor)
        m = on_anchors(in, starts, m);
    ret = fill(in, cost, starts, m, out);
end:
    free(cost);
    free(starts);
    free(best);
    return ret;
}

/* A chunk's cost as predicted_end counts it, prefix sums C of the frames' costs. */
static double job_cost(const RdPlanInput *in, const double *C, int64_t first, int64_t last)
{
    return in->open_cost + tax_of(in, first) + C[last] - C[first];
}

/* Seconds a cost unit took in chunk c, or -1 where it says nothing yet: a
 * chunk that has encoded under a fifth of its frames is still in its
 * start-up and its encoder's lookahead. */
static double pace_of(const RdPlanInput *in, const double *C, const RdChunkPlan *c,
                      const RdChunkPace *pc, double now)
{
    int64_t d = pc->done < c->last - c->first ? pc->done : c->last - c->first;
    double dt, units;
    if (pc->began < 0)
        return -1;
    if (pc->ended >= 0) {
        dt = pc->ended - pc->began;
        units = job_cost(in, C, c->first, c->last);
    } else {
        if (d < 8 || d * 5 < c->last - c->first)
            return -1;
        dt = now - pc->began;
        units = job_cost(in, C, c->first, c->first + d);
    }
    return dt > 0 && units > 0 ? dt / units : -1;
}

static int by_time(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* When the workers are free for the last round's chunks: free[0] is now
 * (the worker taking chunk `from`), then the busy workers' predicted ends
 * and the idle ones (now), ascending. `sec` is the recent pace. */
static void free_times(const RdPlanInput *in, const double *C, const RdPlan *p, int from,
                       const RdChunkPace *pace, double now, double sec, double *free)
{
    int nf = 1;
    free[0] = now;
    for (int j = 0; j < from && nf < in->workers; j++) {
        double k, end;
        if (pace[j].began < 0 || pace[j].ended >= 0)
            continue;
        k = pace_of(in, C, &p->c[j], &pace[j], now);
        end = pace[j].began + (k > 0 ? k : sec) * job_cost(in, C, p->c[j].first, p->c[j].last);
        free[nf++] = end > now ? end : now;
    }
    while (nf < in->workers)
        free[nf++] = now;
    qsort(free + 1, nf - 1, sizeof(*free), by_time);
}

/* When the last of the chunks at b[0..m-1] (b[m] = n) ends, chunk k
 * starting at free[k]. */
static double round_end(const RdPlanInput *in, const double *C, const int64_t *b, int m,
                        const double *free, double sec)
{
    double end = 0;
    for (int k = 0; k < m; k++) {
        double e = free[k] + sec * job_cost(in, C, b[k], b[k + 1]);
        end = e > end ? e : end;
    }
    return end;
}

/* A join may sit at frame i: not on a cut whose keyframe was priced. */
static int may_join(const RdPlanInput *in, int64_t i)
{
    return !(in->cut && in->cut[i] && in->cut_key && in->cut_key[i] > 0);
}

/* Boundary k of b[0..m] moved to where the later of its two chunks ends
 * earliest (ties: the smaller seek tax). Returns 1 if it moved. */
static int best_join(const RdPlanInput *in, const double *C, int64_t *b, int k, int64_t maxlen,
                     const double *free, double sec)
{
    int64_t lo = b[k - 1] + in->min_frames, hi = b[k + 1] - in->min_frames, at = b[k];
    double best = -1, best_tax = 0;
    double fixed = free[k - 1] + sec * (in->open_cost + tax_of(in, b[k - 1]) - C[b[k - 1]]);
    if (maxlen > 0) {
        lo = lo > b[k + 1] - maxlen ? lo : b[k + 1] - maxlen;
        hi = hi < b[k - 1] + maxlen ? hi : b[k - 1] + maxlen;
    }
    for (int64_t i = lo; i <= hi; i++) {
        double tax, e1, e2, e;
        if (!may_join(in, i))
            continue;
        tax = tax_of(in, i);
        e1 = fixed + sec * C[i];
        e2 = free[k] + sec * (in->open_cost + tax + C[b[k + 1]] - C[i]);
        e = e1 > e2 ? e1 : e2;
        if (best < 0 || e < best - 1e-9 || (e < best + 1e-9 && tax < best_tax)) {
            best = e;
            best_tax = tax;
            at = i;
        }
    }
    if (at == b[k])
        return 0;
    b[k] = at;
    return 1;
}

/* The chunks from `from` on rewritten in place (other workers read the
 * entries before it meanwhile). */
static int rewrite(const RdPlanInput *in, const double *cost, RdPlan *p, int from,
                   const int64_t *b, int m)
{
    int64_t *starts = malloc(p->n * sizeof(*starts));
    RdPlan q = { 0 };
    int ret = AVERROR(ENOMEM);
    if (starts) {
        for (int j = 0; j < p->n; j++)
            starts[j] = j < from ? p->c[j].first : b[j - from];
        if ((ret = fill(in, cost, starts, p->n, &q)) >= 0) {
            memcpy(p->c + from, q.c + from, m * sizeof(*p->c));
            p->wasted = q.wasted;
            p->cut_joins = q.cut_joins;
            p->key_share = q.key_share;
        }
    }
    rd_plan_free(&q);
    free(starts);
    return ret;
}

int rd_plan_recut(const RdPlanInput *in, RdPlan *p, int from, const RdChunkPace *pace, double now)
{
    int m = p->n - from, moved = 0, ret = 0;
    int64_t *b = NULL, maxlen = 0;
    double *C = NULL, *cost = NULL, *free_at = NULL, sec = -1, before, after;

    if (m < 2 || m > in->workers || from < 1 || in->grid > 1 || in->anchor || in->n != p->c[p->n - 1].last)
        return 0;
    for (int j = from; j < p->n; j++)
        if (pace[j].began >= 0)
            return 0;
    if (!(C = malloc((in->n + 1) * sizeof(*C))) || !(cost = frame_costs(in)) ||
        !(b = malloc((m + 1) * sizeof(*b))) || !(free_at = malloc(in->workers * sizeof(*free_at)))) {
        ret = AVERROR(ENOMEM);
        goto end;
    }
    C[0] = 0;
    for (int64_t i = 0; i < in->n; i++)
        C[i + 1] = C[i] + cost[i];
    /* The nearest content measured: the latest chunk that shows a pace. */
    for (int j = from - 1; j >= 0 && sec < 0; j--)
        sec = pace_of(in, C, &p->c[j], &pace[j], now);
    if (sec < 0)
        goto end;
    free_times(in, C, p, from, pace, now, sec, free_at);
    for (int k = 0; k < m; k++) {
        b[k] = p->c[from + k].first;
        if (in->max_frames > 0 && p->c[from + k].last - b[k] > maxlen)
            maxlen = p->c[from + k].last - b[k];
    }
    b[m] = in->n;
    if (in->max_frames > 0 && maxlen < in->max_frames)
        maxlen = in->max_frames;
    before = round_end(in, C, b, m, free_at, sec);
    for (int sweep = 0, changed = 1; changed && sweep < 8; sweep++) {
        changed = 0;
        for (int k = 1; k < m; k++)
            if (!(in->cut && in->cut[b[k]])) /* a join on a cut costs no keyframe: it stays */
                changed |= best_join(in, C, b, k, maxlen, free_at, sec);
    }
    after = round_end(in, C, b, m, free_at, sec);
    if (!(after < before - 0.01 * (before - now)))
        goto end;
    for (int k = 1; k < m; k++)
        moved += b[k] != p->c[from + k].first;
    if ((ret = rewrite(in, cost, p, from, b, m)) < 0)
        moved = 0;
end:
    free(C);
    free(cost);
    free(b);
    free(free_at);
    return ret < 0 ? ret : moved;
}

void rd_plan_free(RdPlan *p)
{
    free(p->c);
    p->c = NULL;
    p->n = 0;
}
