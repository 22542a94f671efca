#include "engine/contract.h"
#include "engine/outseek.h"

#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <libavutil/mem.h>
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>

const char *rd_contract_kind_name(RdFcKind k)
{
    static const char *const names[] = { "local", "window", "timeline", "framenum",
                                         "recursive", "replay", "whole" };
    return (unsigned)k < sizeof(names) / sizeof(names[0]) ? names[k] : "unknown";
}

/* The first option of the comma-separated `opts` that is set on `f` to a
 * non-empty value, into name (len bytes); 0 when none is. */
static int option_set(const AVFilterContext *f, const char *opts, char *name, int len)
{
    const char *p = opts;
    while (p && *p) {
        const char *e = strchr(p, ',');
        int n = e ? (int)(e - p) : (int)strlen(p);
        uint8_t *v = NULL;
        snprintf(name, len, "%.*s", n, p);
        /* The filter's own AVClass (priv) holds its options. */
        if (av_opt_get((void *)f, name, AV_OPT_SEARCH_CHILDREN, &v) >= 0 && v && *v) {
            av_free(v);
            return 1;
        }
        av_free(v);
        p = e ? e + 1 : NULL;
    }
    return 0;
}

static int64_t opt_int(const AVFilterContext *f, const char *name, int64_t dflt)
{
    int64_t v;
    return av_opt_get_int((void *)f, name, AV_OPT_SEARCH_CHILDREN, &v) < 0 ? dflt : v;
}

/* A still image (one frame at 0, a movie source render named after
 * checking the file) that reaches overlay's second input through
 * frame-local filters only, where overlay repeats the last frame to the
 * end (eof_action repeat, not shortest): each chunk's graph opens it
 * afresh and overlay lays the same frame on every main frame, as in the
 * whole run. A video's frames would reach overlay otherwise at the joins;
 * and overlay's enable= reads the time of the frame it took last, the
 * image's at a chunk's first frame. */
static int is_still(const AVFilterContext *f)
{
    return !strcmp(f->filter->name, "movie") && f->name && !strcmp(f->name, "movie@" RD_CONTRACT_STILL);
}

static int overlaid_on_time(const AVFilterContext *f)
{
    const AVFilterContext *c = f;
    if (!is_still(f) || opt_int(f, "loop", 1) != 1)
        return 0;
    while (c->nb_outputs == 1 && c->outputs[0]) {
        const AVFilterLink *l = c->outputs[0];
        const AVFilterContext *d = l->dst;
        RdFilterContract fc;
        if (!strcmp(d->filter->name, "overlay"))
            return d->nb_inputs == 2 && d->inputs[1] == l && !d->enable_str && opt_int(d, "eof_action", 0) == 0 &&
                   opt_int(d, "shortest", 0) == 0 && opt_int(d, "repeatlast", 1) == 1;
        if (d->nb_inputs != 1 || d->nb_outputs != 1 || rd_filtertab_contract(d, &fc) < 0 ||
            fc.kind != RD_FC_LOCAL || fc.flags)
            return 0;
        c = d;
    }
    return 0;
}

/* Why one filter instance forces one chunk (into why), or NULL. */
static const char *forces(const AVFilterContext *f, const RdFilterContract *fc, char *why, int len)
{
    const RdFilterInfo *row = rd_filtertab_find(f->filter->name);
    char opt[64];

    /* A row that is whole by nature says no more; one its options made
     * whole (an expression, a mode) says which. */
    if (fc->kind == RD_FC_WHOLE) {
        if (row && row->kind == RD_FC_WHOLE)
            snprintf(why, len, "needs the whole stream");
        else
            snprintf(why, len, "needs the whole stream (%s)", fc->why);
        return why;
    }
    if (row && row->writes && option_set(f, row->writes, opt, sizeof(opt))) {
        snprintf(why, len, "writes a file (option %s), one writer at a time", opt);
        return why;
    }
    if (row && (row->effects & RD_FX_NET)) {
        snprintf(why, len, "opens a network socket, one at a time");
        return why;
    }
    if ((fc->flags & RD_FCF_SOURCE) && !overlaid_on_time(f)) {
        if (is_still(f))
            snprintf(why, len, "reads the second input (an image), which reaches the output other than as "
                     "overlay's second input with its defaults (no enable=, shortest or eof_action)");
        else
            snprintf(why, len, "makes frames of its own, counted from the stream's start (%s)", fc->why);
        return why;
    }
    if (fc->flags & RD_FCF_FIRST_PTS) {
        snprintf(why, len, "needs the time of the stream's first frame (%s)", fc->why);
        return why;
    }
    if (fc->kind == RD_FC_FRAMENUM || (fc->flags & RD_FCF_LINK_COUNT)) {
        snprintf(why, len, "needs the whole-stream frame numbers (%s)", fc->why);
        return why;
    }
    return NULL;
}

typedef struct Node {
    const AVFilterContext *f;
    int back, ahead;      ///< this instance's own, in frames of its input
    int timeline;         ///< it adds, drops or retimes frames
    int cb, ca;           ///< the longest path's sums up to and including it, source frames
    int faithful;         ///< frames on its output are source frames at a known rate (every retiming filter before it, itself included, declares its new rate)
} Node;

static int index_of(const Node *n, int count, const AVFilterContext *f)
{
    for (int i = 0; i < count; i++)
        if (n[i].f == f)
            return i;
    return -1;
}

static int rate_ok(AVRational r)
{
    return r.num > 0 && r.den > 0;
}

/* `frames` of link l in source frames (rate r0), rounded up, plus one for
 * the phase where the rates differ. */
static int in_source_frames(int frames, const AVFilterLink *l, AVRational r0)
{
    double s;
    if (!frames || !l || !rate_ok(l->frame_rate) || !rate_ok(r0) || !av_cmp_q(l->frame_rate, r0))
        return frames;
    s = av_q2d(r0) / av_q2d(l->frame_rate);
    return (int)ceil(frames * s) + 1;
}

/* A retiming filter that declares its output rate (fps, yadif=1,
 * framerate) keeps frame counts convertible; one that does not (select,
 * setpts, trim) leaves no bound on how far back a window after it reaches. */
static int declares_rate(const AVFilterContext *f)
{
    return f->nb_inputs == 1 && f->nb_outputs == 1 && f->inputs[0] && f->outputs[0] &&
           rate_ok(f->inputs[0]->frame_rate) && rate_ok(f->outputs[0]->frame_rate) &&
           av_cmp_q(f->inputs[0]->frame_rate, f->outputs[0]->frame_rate);
}

/* Longest-path sums of back and ahead over the graph (a DAG), in source
 * frames: relaxed once per filter, which is at least its depth. Returns
 * the index of a filter that looks back or ahead behind a retiming filter
 * that does not declare its rate, or -1. */
static int path_sums(Node *n, int count, AVRational r0, int *back, int *ahead)
{
    int bad = -1;
    *back = *ahead = 0;
    for (int i = 0; i < count; i++)
        n[i].faithful = 1;
    for (int pass = 0; pass <= count; pass++)
        for (int i = 0; i < count; i++) {
            int up = 1, cb = 0, ca = 0;
            const AVFilterLink *in = n[i].f->nb_inputs ? n[i].f->inputs[0] : NULL;
            for (unsigned k = 0; k < n[i].f->nb_inputs; k++) {
                const AVFilterLink *l = n[i].f->inputs[k];
                int j = l ? index_of(n, count, l->src) : -1;
                if (j < 0)
                    continue;
                up &= n[j].faithful;
                cb = FFMAX(cb, n[j].cb);
                ca = FFMAX(ca, n[j].ca);
            }
            n[i].cb = cb + in_source_frames(n[i].back, in, r0);
            n[i].ca = ca + in_source_frames(n[i].ahead, in, r0);
            n[i].faithful = up && (!n[i].timeline || declares_rate(n[i].f));
            if (!up && (n[i].back || n[i].ahead) && bad < 0 && pass == count)
                bad = i;
        }
    for (int i = 0; i < count; i++) {
        *back = FFMAX(*back, n[i].cb);
        *ahead = FFMAX(*ahead, n[i].ca);
    }
    return bad;
}

/* The link into `f` when f has one input and every filter between it and
 * the graph's input, on one path, passes `keeps`; else NULL. */
static const AVFilterLink *source_path(const RdFilter *g, const AVFilterContext *f,
                                       int (*keeps)(const AVFilterContext *u, const RdFilterContract *uc))
{
    const AVFilterLink *in = f->nb_inputs == 1 ? f->inputs[0] : NULL;
    for (const AVFilterLink *l = in; l && l->src != g->src; l = l->src->inputs[0]) {
        RdFilterContract uc;
        if (l->src->nb_inputs != 1 || rd_filtertab_contract(l->src, &uc) < 0 || !keeps(l->src, &uc))
            return NULL;
    }
    return in;
}

/* Keeps every frame at its own time and reads nothing of the whole run. */
static int keeps_own_time(const AVFilterContext *u, const RdFilterContract *uc)
{
    (void)u;
    return !uc->flags && (uc->kind == RD_FC_LOCAL || uc->kind == RD_FC_WINDOW || uc->kind == RD_FC_RECURSIVE);
}

/* Filters before `f` (back to the graph's input) keep every frame at its
 * own time, one path: f's input frames are the source's. */
static int fed_source(const RdFilter *g, const AVFilterContext *f)
{
    return source_path(g, f, keeps_own_time) &&
           !av_cmp_q(f->inputs[0]->time_base, g->src->outputs[0]->time_base);
}

/* framerate's output frame n is at the first frame's time + n frames of
 * its rate, counted in its output time base, where both the input's ticks
 * and its frames are whole numbers (config_output makes them so): a chunk
 * whose first frame is a whole number of output frames after the stream's
 * gives the whole run's times. Sets c's grid and returns 1 when `f` is
 * such a filter fed the source's frames (one per graph). */
static int take_grid(RdContract *c, const RdFilter *g, const AVFilterContext *f)
{
    const AVFilterLink *in = f->nb_inputs == 1 ? f->inputs[0] : NULL;
    const AVFilterLink *out = f->nb_outputs == 1 ? f->outputs[0] : NULL;
    int64_t t, step;

    if (c->grid || strcmp(f->filter->name, "framerate") || !in || !out || !fed_source(g, f) ||
        !rate_ok(out->frame_rate) || out->time_base.num <= 0 || in->time_base.num <= 0)
        return 0;
    t = av_rescale_q(1, in->time_base, out->time_base);
    step = av_rescale_q(1, av_inv_q(out->frame_rate), out->time_base);
    if (t < 1 || step < 1 || av_cmp_q(av_make_q((int)FFMIN(t, INT_MAX), 1), av_div_q(in->time_base, out->time_base)) ||
        av_cmp_q(av_make_q((int)FFMIN(step, INT_MAX), 1), av_div_q(av_inv_q(out->frame_rate), out->time_base)))
        return 0;
    c->grid = 1;
    c->grid_in = t;
    c->grid_step = step;
    return 1;
}

int rd_contract_on_grid(const RdContract *c, int64_t pts, int64_t pts0)
{
    int64_t d, s;
    if (!c->grid || c->grid_step < 1)
        return 1;
    s = c->grid_step;
    d = (pts - pts0) % s;
    if (d < 0)
        d += s;
    /* both factors are below step <= INT_MAX (take_grid): no overflow */
    return (uint64_t)d * (uint64_t)(c->grid_in % s) % (uint64_t)s == 0;
}

/* Frame-number filters that pass every frame, one for one, at its time
 * (fade by frames; a frame-local filter whose expression reads n). */
static int one_for_one(const AVFilterContext *f, const RdFilterContract *fc)
{
    const RdFilterInfo *row = rd_filtertab_find(f->filter->name);
    if (!row || (fc->flags & ~RD_FCF_LINK_COUNT) || fc->kind == RD_FC_TIMELINE || fc->kind == RD_FC_WHOLE)
        return 0;
    if (row->kind == RD_FC_FRAMENUM)
        return !strcmp(row->name, "fade") || !strcmp(row->name, "oscilloscope");
    return row->kind == RD_FC_LOCAL || row->kind == RD_FC_WINDOW || row->kind == RD_FC_RECURSIVE;
}

/* f reads its input link's frame count and nothing else of the whole run,
 * and every filter between it and the graph's input passes each frame one
 * for one on one path: the count on f's input is the source frame's
 * number from the first frame fed. framestep and select may drop frames
 * themselves (their output is then counted otherwise). */
static int counts_source(const RdFilter *g, const AVFilterContext *f, const RdFilterContract *fc)
{
    const RdFilterInfo *row = rd_filtertab_find(f->filter->name);
    if (!row || !(fc->flags & RD_FCF_LINK_COUNT) || (fc->flags & ~RD_FCF_LINK_COUNT) ||
        fc->kind > RD_FC_FRAMENUM)
        return 0;
    if (row->kind == RD_FC_FRAMENUM && !one_for_one(f, fc) && strcmp(row->name, "framestep"))
        return 0;
    return source_path(g, f, one_for_one) != NULL;
}

/* The kind a frame-number filter has once its links count as the whole
 * run's: what it does to frames. */
static RdFcKind numbered_kind(const AVFilterContext *f)
{
    const RdFilterInfo *row = rd_filtertab_find(f->filter->name);
    if (row->kind == RD_FC_TIMELINE || !strcmp(row->name, "framestep"))
        return RD_FC_TIMELINE;
    return row->kind == RD_FC_FRAMENUM ? RD_FC_LOCAL : row->kind;
}

static void set_counts(AVFilterLink *l, int64_t n)
{
    l->frame_count_in = l->frame_count_out = n;
}

void rd_contract_number_links(const RdFilter *g, int64_t first)
{
    for (unsigned i = 0; g->graph && i < g->graph->nb_filters; i++) {
        AVFilterContext *f = g->graph->filters[i];
        AVFilterLink *l;
        RdFilterContract fc;
        if (f == g->src || f == g->sink || rd_filtertab_contract(f, &fc) < 0 || !counts_source(g, f, &fc))
            continue;
        if (one_for_one(f, &fc))
            for (unsigned k = 0; k < f->nb_outputs; k++)
                if (f->outputs[k])
                    set_counts(f->outputs[k], first);
        for (l = f->inputs[0]; l; l = l->src == g->src ? NULL : l->src->inputs[0])
            set_counts(l, first);
    }
}

/* setpts reading the stream's start takes it from the first frame it is
 * fed. In a chain of frame-local filters (nothing holds a frame back),
 * one frame fed first at the whole run's first time gives setpts that
 * start, and its output comes out at once, to be thrown away. */
static int primes(const RdFilter *g, const AVFilterContext *f, const RdFilterContract *fc)
{
    if (strcmp(f->filter->name, "setpts") || fc->flags != RD_FCF_FIRST_PTS || fc->kind != RD_FC_FRAMENUM)
        return 0;
    for (unsigned i = 0; i < g->graph->nb_filters; i++) {
        const AVFilterContext *u = g->graph->filters[i];
        RdFilterContract uc;
        if (u == g->src || u == g->sink)
            continue;
        if (u->nb_inputs != 1 || u->nb_outputs != 1)
            return 0;
        if (u != f && (rd_filtertab_contract(u, &uc) < 0 || uc.kind != RD_FC_LOCAL || uc.flags))
            return 0;
    }
    return 1;
}

/* Filters that read nothing of a frame but its pixels and size (never
 * its time or number): before a replayed filter they see the replay's
 * frozen times and still give the whole run's pixels. Libavfilter's own
 * conversions (auto_scale_N) are scale. */
static int reads_no_time(const AVFilterContext *u)
{
    static const char *const names[] = { "scale", "format", "setsar", "setdar", "hflip", "vflip",
                                         "transpose", "null", "copy" };
    if (u->enable_str || u->nb_inputs != 1 || u->nb_outputs != 1)
        return 0;
    /* scale's eval=frame reads t and n in its expressions at every frame */
    if (!strcmp(u->filter->name, "scale") && opt_int(u, "eval", 0) != 0)
        return 0;
    for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++)
        if (!strcmp(u->filter->name, names[i]))
            return 1;
    return 0;
}

/* Whether replayed filter `f` can be replayed in graph g: its frames come
 * from the source through filters that read no time (they see the frozen
 * times), every other filter is frame-local and reads nothing of the
 * whole run (it sees the frames the replay makes, thrown away), and one
 * tick of its input is a small part of one of its output frames (the
 * replay's frames lie one tick apart: a coarse time base would make it
 * make frames after all). Returns NULL or why not. */
static const char *replay_ok(const RdFilter *g, const AVFilterContext *f, int retimes)
{
    const AVFilterLink *in = f->nb_inputs == 1 ? f->inputs[0] : NULL;
    const AVFilterLink *out = f->nb_outputs == 1 ? f->outputs[0] : NULL;
    const AVFilterLink *l;

    if (!in || !out || !rate_ok(out->frame_rate) || in->time_base.num <= 0)
        return "is replayed only with one input and one output at a known frame rate";
    /* enable= reads the time, and a disabled filter keeps no state */
    if (f->enable_str)
        return "is replayed only without enable=";
    for (l = in; l->src != g->src; l = l->src->inputs[0])
        if (!reads_no_time(l->src))
            return "is replayed only when the filters before it read nothing but pixels";
    for (unsigned i = 0; i < g->graph->nb_filters; i++) {
        const AVFilterContext *u = g->graph->filters[i];
        RdFilterContract uc;
        int before = 0;
        if (u == g->src || u == g->sink || u == f)
            continue;
        for (l = in; l->src != g->src && !before; l = l->src->inputs[0])
            before = l->src == u;
        if (!before && (u->nb_inputs != 1 || u->nb_outputs != 1 || rd_filtertab_contract(u, &uc) < 0 ||
                        uc.kind != RD_FC_LOCAL || uc.flags))
            return "is replayed only when the filters after it are frame-local";
    }
    /* ticks of the input in one output frame: in.den * rate.den / (in.num * rate.num);
     * a filter that keeps every frame at its time makes one frame of each
     * replayed one whatever the ticks (thrown away) */
    if (retimes && (double)in->time_base.den * out->frame_rate.den <
        RD_REPLAY_TICKS * (double)in->time_base.num * out->frame_rate.num)
        return "is replayed only where the input's time base has many ticks per output frame";
    return NULL;
}

static void decide(RdContract *c, const AVFilterContext *f, const RdFilterContract *fc)
{
    char why[sizeof(c->why)];
    if (fc->kind > c->kind)
        c->kind = fc->kind;
    if (!c->one_chunk && forces(f, fc, why, sizeof(why))) {
        c->one_chunk = 1;
        /* The output's -ss/-t (outseek.h) is no filter the user wrote. */
        if (f->name && strstr(f->name, "@" RD_OUTSEEK_TRIM)) {
            snprintf(c->why, sizeof(c->why), "the output's -t counts from the first frame the graph "
                     "gives (ffmpeg applies it after the graph)");
            return;
        }
        snprintf(c->filter, sizeof(c->filter), "%s", f->filter->name);
        snprintf(c->why, sizeof(c->why), "%s", why);
    } else if (!c->one_chunk && fc->kind == RD_FC_RECURSIVE && c->exact) {
        c->exact = 0;
        snprintf(c->filter, sizeof(c->filter), "%s", f->filter->name);
        snprintf(c->why, sizeof(c->why), "is approximated after a pre-roll (%s)", fc->why);
    }
}

int rd_contract_of_graph(const RdFilter *g, int exact_only, int recursive_preroll, RdContract *c)
{
    int count = 0, ret = 0, bad;
    const AVFilterContext *replayed = NULL;
    int replay_retimes = 0;
    Node *n;

    memset(c, 0, sizeof(*c));
    c->exact = 1;
    c->keeps_times = 1;
    if (!g->graph)
        return AVERROR(EINVAL);
    if (!(n = av_calloc(g->graph->nb_filters + 1, sizeof(*n))))
        return AVERROR(ENOMEM);
    for (unsigned i = 0; i < g->graph->nb_filters; i++) {
        const AVFilterContext *f = g->graph->filters[i];
        RdFilterContract fc;
        if (f == g->src || f == g->sink)
            continue;
        if ((ret = rd_filtertab_contract(f, &fc)) < 0)
            goto end;
        /* --exact: a recursive filter's state is made from the pixels of
         * the frames before (hqdn3d, lagfun), so a replay makes it exact;
         * without --exact the pre-roll's approximation costs less. */
        if (fc.kind == RD_FC_RECURSIVE && exact_only) {
            fc.kind = RD_FC_REPLAY;
            fc.back = 0;
        }
        if (fc.kind == RD_FC_RECURSIVE)
            fc.back = FFMAX(fc.back, recursive_preroll >= 0 ? recursive_preroll : RD_RECURSIVE_PREROLL);
        n[count].f = f;
        n[count].back = FFMAX(fc.back, 0);
        n[count].ahead = FFMAX(fc.ahead, 0);
        n[count].timeline = fc.kind == RD_FC_TIMELINE || (fc.kind == RD_FC_REPLAY && (fc.flags & RD_FCF_RETIMES));
        count++;
        if (fc.kind == RD_FC_REPLAY && !c->one_chunk) {
            if (replayed) /* one replay gives one filter its state, not two chained */
                rd_contract_force_one(c, f->filter->name, "is replayed only as the graph's one such filter");
            replayed = f;
            replay_retimes = !!(fc.flags & RD_FCF_RETIMES);
        }
        if ((fc.flags & RD_FCF_FIRST_PTS) && !c->one_chunk && take_grid(c, g, f))
            fc.flags &= ~RD_FCF_FIRST_PTS;
        if ((fc.flags & RD_FCF_FIRST_PTS) && !c->one_chunk && !c->prime && primes(g, f, &fc)) {
            c->prime = 1;
            fc.flags = 0;
            fc.kind = RD_FC_TIMELINE;
            n[count - 1].timeline = 1;
        }
        if (counts_source(g, f, &fc)) {
            c->numbered = 1;
            fc.flags &= ~RD_FCF_LINK_COUNT;
            if (fc.kind == RD_FC_FRAMENUM)
                fc.kind = numbered_kind(f);
            n[count - 1].timeline = fc.kind == RD_FC_TIMELINE;
        }
        decide(c, f, &fc);
        if ((fc.kind != RD_FC_LOCAL && fc.kind != RD_FC_WINDOW && fc.kind != RD_FC_RECURSIVE &&
             fc.kind != RD_FC_REPLAY) || (fc.flags & RD_FCF_RETIMES))
            c->keeps_times = 0;
    }
    bad = path_sums(n, count, g->src->outputs[0]->frame_rate, &c->preroll, &c->postroll);
    if (bad >= 0 && !c->one_chunk) {
        c->one_chunk = 1;
        snprintf(c->filter, sizeof(c->filter), "%s", n[bad].f->filter->name);
        snprintf(c->why, sizeof(c->why), "looks back or ahead over frames that a filter before it "
                 "drops or retimes without a frame rate");
    }
    if (replayed && !c->one_chunk) {
        const char *why = replay_ok(g, replayed, replay_retimes);
        if (why) {
            rd_contract_force_one(c, replayed->filter->name, why);
        } else {
            c->replay = 1;
            snprintf(c->filter, sizeof(c->filter), "%s", replayed->filter->name);
            snprintf(c->why, sizeof(c->why), "is replayed from the stream's first frame before each chunk "
                     "(its state alone, at frozen times)");
        }
    }
    if (c->one_chunk)
        c->exact = 1; /* one chunk is the whole-stream run */
end:
    av_free(n);
    return ret;
}

int rd_contract_derive(const char *desc, const RdVideoFormat *in, int exact_only,
                       int recursive_preroll, RdContract *c)
{
    RdFilter f;
    int ret = rd_filter_open(&f, desc, in, NULL, NULL);
    if (ret >= 0)
        ret = rd_contract_of_graph(&f, exact_only, recursive_preroll, c);
    rd_filter_free(&f);
    return ret;
}

void rd_contract_force_one(RdContract *c, const char *filter, const char *why)
{
    c->one_chunk = 1;
    c->exact = 1;
    snprintf(c->filter, sizeof(c->filter), "%s", filter ? filter : "");
    snprintf(c->why, sizeof(c->why), "%s", why);
}

void rd_contract_out_format(RdContract *c, enum AVPixelFormat out)
{
    static const enum AVPixelFormat dithered[] = {
        AV_PIX_FMT_RGB8, AV_PIX_FMT_BGR8, AV_PIX_FMT_RGB4, AV_PIX_FMT_BGR4,
        AV_PIX_FMT_RGB4_BYTE, AV_PIX_FMT_BGR4_BYTE,
    };
    if (c->one_chunk)
        return;
    for (size_t i = 0; i < sizeof(dithered) / sizeof(*dithered); i++)
        if (out == dithered[i]) {
            char why[sizeof(c->why)];
            snprintf(why, sizeof(why), "converts to %s with an error diffusion that runs from "
                     "frame to frame", av_get_pix_fmt_name(out));
            rd_contract_force_one(c, "scale", why);
            return;
        }
}

void rd_contract_encoder(RdContract *c, const char *vcodec)
{
    static const struct { const char *name, *why; } whole[] = {
        { "libwebp_anim", "gives the whole animation as one packet at its end" },
        { "apng", "codes only the animation's first frame as the default image and numbers every "
                  "frame's chunks in one sequence" },
    };
    for (size_t i = 0; !c->one_chunk && vcodec && i < sizeof(whole) / sizeof(*whole); i++)
        if (!strcmp(vcodec, whole[i].name)) {
            char why[sizeof(c->why)];
            snprintf(why, sizeof(why), "the encoder %s %s, which chunks cannot join", vcodec, whole[i].why);
            rd_contract_force_one(c, NULL, why);
        }
}

void rd_contract_warning(const RdContract *c, char *buf, int len)
{
    if (len > 0)
        *buf = 0;
    if (c->one_chunk && !*c->filter)
        snprintf(buf, len, "warning: %s: rendered as one chunk", c->why);
    else if (c->one_chunk)
        snprintf(buf, len, "warning: filter '%s' %s: rendered as one chunk", c->filter, c->why);
}
