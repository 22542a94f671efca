#include "engine/contract.h"

#include <stdio.h>
#include <string.h>
#include <libavutil/mem.h>
#include <libavutil/opt.h>

const char *rd_contract_kind_name(RdFcKind k)
{
    static const char *const names[] = { "local", "window", "timeline", "framenum",
                                         "recursive", "whole" };
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

/* Why one filter instance forces one chunk (into why), or NULL. */
static const char *forces(const AVFilterContext *f, const RdFilterContract *fc, int exact_only,
                          char *why, int len)
{
    const RdFilterInfo *row = rd_filtertab_find(f->filter->name);
    char opt[64];

    if (fc->kind == RD_FC_WHOLE) {
        if (row)
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
    if (fc->flags & RD_FCF_SOURCE) {
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
    if (fc->kind == RD_FC_RECURSIVE && exact_only) {
        snprintf(why, len, "is exact only on the whole stream (%s; --exact)", fc->why);
        return why;
    }
    return NULL;
}

typedef struct Node {
    const AVFilterContext *f;
    int back, ahead;      ///< this instance's own
    int cb, ca;           ///< the longest path's sums up to and including it
} Node;

static int index_of(const Node *n, int count, const AVFilterContext *f)
{
    for (int i = 0; i < count; i++)
        if (n[i].f == f)
            return i;
    return -1;
}

/* Longest-path sums of back and ahead over the graph (a DAG): relaxed once
 * per filter, which is at least its depth. */
static void path_sums(Node *n, int count, int *back, int *ahead)
{
    *back = *ahead = 0;
    for (int i = 0; i < count; i++)
        n[i].cb = n[i].back, n[i].ca = n[i].ahead;
    for (int pass = 0; pass < count; pass++)
        for (int i = 0; i < count; i++)
            for (unsigned k = 0; k < n[i].f->nb_inputs; k++) {
                const AVFilterLink *l = n[i].f->inputs[k];
                int j = l ? index_of(n, count, l->src) : -1;
                if (j < 0)
                    continue;
                n[i].cb = FFMAX(n[i].cb, n[j].cb + n[i].back);
                n[i].ca = FFMAX(n[i].ca, n[j].ca + n[i].ahead);
            }
    for (int i = 0; i < count; i++) {
        *back = FFMAX(*back, n[i].cb);
        *ahead = FFMAX(*ahead, n[i].ca);
    }
}

static void decide(RdContract *c, const AVFilterContext *f, const RdFilterContract *fc,
                   int exact_only)
{
    char why[sizeof(c->why)];
    if (fc->kind > c->kind)
        c->kind = fc->kind;
    if (!c->one_chunk && forces(f, fc, exact_only, why, sizeof(why))) {
        c->one_chunk = 1;
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
    int count = 0, ret = 0;
    Node *n;

    memset(c, 0, sizeof(*c));
    c->exact = 1;
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
        if (fc.kind == RD_FC_RECURSIVE)
            fc.back = FFMAX(fc.back, recursive_preroll >= 0 ? recursive_preroll : RD_RECURSIVE_PREROLL);
        n[count].f = f;
        n[count].back = FFMAX(fc.back, 0);
        n[count].ahead = FFMAX(fc.ahead, 0);
        count++;
        decide(c, f, &fc, exact_only);
    }
    path_sums(n, count, &c->preroll, &c->postroll);
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

void rd_contract_warning(const RdContract *c, char *buf, int len)
{
    if (!c->one_chunk) {
        if (len > 0)
            *buf = 0;
        return;
    }
    snprintf(buf, len, "warning: filter '%s' %s: rendered as one chunk", c->filter, c->why);
}
