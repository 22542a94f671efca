#include "engine/filter.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libavfilter/buffersink.h>
#include <libavfilter/buffersrc.h>
#include <libavutil/bprint.h>
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>

/* The chunk's source, as the CLI's configure_input_video_filter makes it. */
static int open_source(RdFilter *f, const RdVideoFormat *in)
{
    char args[256];
    AVRational sar = in->sar.num > 0 ? in->sar : (AVRational){ 0, 1 };

    snprintf(args, sizeof(args),
             "video_size=%dx%d:pix_fmt=%d:time_base=%d/%d:pixel_aspect=%d/%d",
             in->width, in->height, in->pix_fmt, in->tb.num, in->tb.den, sar.num, sar.den);
    if (in->fps.num > 0 && in->fps.den > 0)
        snprintf(args + strlen(args), sizeof(args) - strlen(args), ":frame_rate=%d/%d",
                 in->fps.num, in->fps.den);
    return avfilter_graph_create_filter(&f->src, avfilter_get_by_name("buffer"), "in",
                                        args, NULL, f->graph);
}

/* in->pre, a chain of name=args after the source, as the ffmpeg CLI
 * inserts its autorotation filters. *last: the chain's end. */
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

/* A filter of the output chain after *last; *last becomes it. */
static int chain(RdFilter *f, const char *filter, const char *name, const char *args,
                 AVFilterContext **last, int *pad)
{
    AVFilterContext *ctx;
    int ret = avfilter_graph_create_filter(&ctx, avfilter_get_by_name(filter), name, args, NULL, f->graph);
    if (ret < 0 || (ret = avfilter_link(*last, *pad, ctx, 0)) < 0)
        return ret;
    *last = ctx;
    *pad = 0;
    return 0;
}

/* The output side, as the CLI's configure_output_video_filter makes it:
 * the sink, then (a rebuilt graph) a scale to the first frames' size, then
 * a format filter with what the encoder takes. */
static int open_output(RdFilter *f, AVFilterContext *last, int pad, const enum AVPixelFormat *pix_fmts,
                       const RdVideoFormat *scale_to)
{
    AVBPrint fmts;
    char args[64];
    int ret;

    if ((ret = avfilter_graph_create_filter(&f->sink, avfilter_get_by_name("buffersink"), "out",
                                            NULL, NULL, f->graph)) < 0)
        return ret;
    if (scale_to) {
        snprintf(args, sizeof(args), "%d:%d:flags=bicubic", scale_to->width, scale_to->height);
        if ((ret = chain(f, "scale", "autoscale", args, &last, &pad)) < 0)
            return ret;
    }
    av_bprint_init(&fmts, 0, AV_BPRINT_SIZE_UNLIMITED);
    for (int i = 0; pix_fmts && pix_fmts[i] != AV_PIX_FMT_NONE; i++)
        av_bprintf(&fmts, "%s%s", i ? "|" : "", av_get_pix_fmt_name(pix_fmts[i]));
    ret = av_bprint_is_complete(&fmts) ? 0 : AVERROR(ENOMEM);
    if (ret >= 0 && fmts.len)
        ret = chain(f, "format", "format", fmts.str, &last, &pad);
    av_bprint_finalize(&fmts, NULL);
    return ret < 0 ? ret : avfilter_link(last, pad, f->sink, 0);
}

/* The graph's one open input or output, whatever its label: the CLI
 * links a simple graph's ends so (-vf "[a]scale=80:60[b]" runs). */
static const AVFilterInOut *open_end(const AVFilterInOut *io)
{
    return io && !io->next ? io : NULL;
}

int rd_filter_open(RdFilter *f, const char *desc, const RdVideoFormat *in,
                   const enum AVPixelFormat *pix_fmts, const RdVideoFormat *scale_to)
{
    AVFilterInOut *ins = NULL, *outs = NULL;
    const AVFilterInOut *gin, *gout;
    enum AVPixelFormat one[2] = { scale_to ? scale_to->pix_fmt : AV_PIX_FMT_NONE, AV_PIX_FMT_NONE };
    AVFilterContext *first;
    int ret;

    memset(f, 0, sizeof(*f));
    if (!(f->graph = avfilter_graph_alloc())) {
        ret = AVERROR(ENOMEM);
        goto end;
    }
    /* The pool of OpenMP workers owns concurrency: no slice threads here. */
    f->graph->nb_threads = 1;
    /* The CLI's order: the graph's own filters first, then its source and
     * its output chain. Format negotiation visits the filters in the order
     * they were made, which decides where a conversion goes (before or
     * after a filter that takes both formats: thumbnail picks other frames
     * from RGB than from YUV). */
    if ((ret = avfilter_graph_parse2(f->graph, desc && *desc ? desc : "null", &ins, &outs)) < 0)
        goto end;
    if (!(gin = open_end(ins)) || !(gout = open_end(outs))) {
        ret = AVERROR(EINVAL); /* not one video input and one video output */
        goto end;
    }
    if ((ret = open_source(f, in)) < 0 || (ret = add_pre(f, in->pre, &first)) < 0 ||
        (ret = avfilter_link(first, 0, gin->filter_ctx, gin->pad_idx)) < 0 ||
        (ret = open_output(f, gout->filter_ctx, gout->pad_idx, scale_to ? one : pix_fmts, scale_to)) < 0)
        goto end;
    ret = avfilter_graph_config(f->graph, NULL);
end:
    avfilter_inout_free(&ins);
    avfilter_inout_free(&outs);
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
