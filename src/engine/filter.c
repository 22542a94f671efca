#include "engine/filter.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libavfilter/buffersink.h>
#include <libavfilter/buffersrc.h>
#include <libavutil/opt.h>

static int count_fmts(const enum AVPixelFormat *f)
{
    int n = 0;
    while (f && f[n] != AV_PIX_FMT_NONE)
        n++;
    return n;
}

static int open_ends(RdFilter *f, const RdVideoFormat *in, const enum AVPixelFormat *pix_fmts)
{
    char args[256];
    AVRational sar = in->sar.num > 0 ? in->sar : (AVRational){ 0, 1 };
    int ret;

    snprintf(args, sizeof(args),
             "video_size=%dx%d:pix_fmt=%d:time_base=%d/%d:pixel_aspect=%d/%d",
             in->width, in->height, in->pix_fmt, in->tb.num, in->tb.den, sar.num, sar.den);
    if (in->fps.num > 0 && in->fps.den > 0)
        snprintf(args + strlen(args), sizeof(args) - strlen(args), ":frame_rate=%d/%d",
                 in->fps.num, in->fps.den);
    ret = avfilter_graph_create_filter(&f->src, avfilter_get_by_name("buffer"), "in",
                                       args, NULL, f->graph);
    if (ret < 0)
        return ret;
    f->sink = avfilter_graph_alloc_filter(f->graph, avfilter_get_by_name("buffersink"), "out");
    if (!f->sink)
        return AVERROR(ENOMEM);
    if (count_fmts(pix_fmts) &&
        (ret = av_opt_set_bin(f->sink, "pix_fmts", (const uint8_t *)pix_fmts,
                              count_fmts(pix_fmts) * sizeof(*pix_fmts),
                              AV_OPT_SEARCH_CHILDREN)) < 0)
        return ret;
    return avfilter_init_str(f->sink, NULL);
}

/* scale=W:H with the CLI's default flags, between the graph and the sink. */
static int add_scaler(RdFilter *f, const RdVideoFormat *to, AVFilterContext **last)
{
    char args[64];
    int ret;
    snprintf(args, sizeof(args), "%d:%d:flags=bicubic", to->width, to->height);
    if ((ret = avfilter_graph_create_filter(last, avfilter_get_by_name("scale"), "autoscale",
                                            args, NULL, f->graph)) < 0)
        return ret;
    return avfilter_link(*last, 0, f->sink, 0);
}

/* in->pre, a chain of name=args, between the source and the graph, as the
 * ffmpeg CLI inserts its autorotation filters. *last: the chain's end. */
static int add_pre(RdFilter *f, const char *pre, AVFilterContext **last)
{
    char buf[256], *save = NULL;
    int k = 0, ret = 0;
    *last = f->src;
    if (!pre || !*pre)
        return 0;
    if ((size_t)snprintf(buf, sizeof(buf), "%s", pre) >= sizeof(buf))
        return AVERROR(EINVAL);
    for (char *p = strtok_r(buf, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
        char name[32], *args = strchr(p, '=');
        AVFilterContext *ctx;
        if (args)
            *args++ = 0;
        snprintf(name, sizeof(name), "autorotate_%d", k++);
        if ((ret = avfilter_graph_create_filter(&ctx, avfilter_get_by_name(p), name, args,
                                                NULL, f->graph)) < 0 ||
            (ret = avfilter_link(*last, 0, ctx, 0)) < 0)
            return ret;
        *last = ctx;
    }
    return 0;
}

int rd_filter_open(RdFilter *f, const char *desc, const RdVideoFormat *in,
                   const enum AVPixelFormat *pix_fmts, const RdVideoFormat *scale_to)
{
    AVFilterInOut *outputs = avfilter_inout_alloc(), *inputs = avfilter_inout_alloc();
    enum AVPixelFormat one[2] = { scale_to ? scale_to->pix_fmt : AV_PIX_FMT_NONE, AV_PIX_FMT_NONE };
    AVFilterContext *last, *first;
    int ret;

    memset(f, 0, sizeof(*f));
    f->graph = avfilter_graph_alloc();
    if (!outputs || !inputs || !f->graph) {
        ret = AVERROR(ENOMEM);
        goto end;
    }
    /* The pool of OpenMP workers owns concurrency: no slice threads here. */
    f->graph->nb_threads = 1;
    if ((ret = open_ends(f, in, scale_to ? one : pix_fmts)) < 0)
        goto end;
    last = f->sink;
    if (scale_to && (ret = add_scaler(f, scale_to, &last)) < 0)
        goto end;
    if ((ret = add_pre(f, in->pre, &first)) < 0)
        goto end;
    outputs->name = av_strdup("in");
    outputs->filter_ctx = first;
    inputs->name = av_strdup("out");
    inputs->filter_ctx = last;
    if (!outputs->name || !inputs->name) {
        ret = AVERROR(ENOMEM);
        goto end;
    }
    if ((ret = avfilter_graph_parse_ptr(f->graph, desc && *desc ? desc : "null",
                                        &inputs, &outputs, NULL)) < 0)
        goto end;
    ret = avfilter_graph_config(f->graph, NULL);
end:
    avfilter_inout_free(&inputs);
    avfilter_inout_free(&outputs);
    return ret;
}

void rd_filter_free(RdFilter *f)
{
    avfilter_graph_free(&f->graph);
    f->src = f->sink = NULL;
}

void rd_filter_rand_restart(void)
{
    srand(1); /* C11 7.22.2.2: "as if srand(1)" before the first rand() */
}
