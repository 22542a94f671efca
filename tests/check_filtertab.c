/*
 * check_filtertab.c - the filter table against the libavfilter it runs on:
 * every video filter has a row (a new libavfilter cannot slip one in),
 * every row names a real filter and real options, every option that looks
 * like a file name is accounted for, and the contract of configured
 * instances follows their options and expressions.
 */
#include "suites.h"
#include "engine/contract.h"
#include "engine/filter.h"
#include "engine/filtertab.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <libavfilter/avfilter.h>
#include <libavutil/log.h>
#include <libavutil/opt.h>

/* ---- the table against av_filter_iterate -------------------------- */

static int has_video_pad(const AVFilterPad *pads, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        if (avfilter_pad_get_type(pads, (int)i) == AVMEDIA_TYPE_VIDEO)
            return 1;
    return 0;
}

/*
 * Static video pads, or dynamic pads that are video with the default
 * options or that cannot be built without options (movie): the filters
 * a --vf graph can hold with video in or out.
 */
/* Audio-only filters with dynamic pads that cannot be built without options. */
static const char *const audio_only[] = { "asegment", "astreamselect", "headphone", NULL };

static int may_be_video(const AVFilter *f)
{
    int video = has_video_pad(f->inputs, avfilter_filter_pad_count(f, 0)) ||
                has_video_pad(f->outputs, avfilter_filter_pad_count(f, 1));
    if (video || !(f->flags & (AVFILTER_FLAG_DYNAMIC_INPUTS | AVFILTER_FLAG_DYNAMIC_OUTPUTS)))
        return video;
    for (const char *const *a = audio_only; *a; a++)
        if (!strcmp(*a, f->name))
            return 0;
    AVFilterGraph *g = avfilter_graph_alloc();
    AVFilterContext *ctx = g ? avfilter_graph_alloc_filter(g, f, "probe") : NULL;
    av_log_set_level(AV_LOG_QUIET);
    if (!ctx || avfilter_init_str(ctx, NULL) < 0)
        video = 1;
    else
        for (unsigned i = 0; i < ctx->nb_inputs + ctx->nb_outputs; i++) {
            const AVFilterPad *p = i < ctx->nb_inputs ? ctx->input_pads : ctx->output_pads;
            unsigned j = i < ctx->nb_inputs ? i : i - ctx->nb_inputs;
            video |= avfilter_pad_get_type(p, (int)j) == AVMEDIA_TYPE_VIDEO;
        }
    avfilter_graph_free(&g);
    av_log_set_level(AV_LOG_INFO);
    return video;
}

START_TEST(test_every_video_filter_has_a_row)
{
    const AVFilter *f;
    void *it = NULL;
    int video = 0, missing = 0;
    while ((f = av_filter_iterate(&it))) {
        /* a row needs no probe (probing lv2 or ebur128 prints to stderr) */
        if (rd_filtertab_find(f->name)) {
            video++;
            continue;
        }
        if (may_be_video(f)) {
            video++;
            fprintf(stderr, "filtertab: video filter '%s' has no row\n", f->name);
            missing++;
        }
    }
    ck_assert_msg(missing == 0, "%d video filters are missing from the table", missing);
    ck_assert_int_gt(video, 300);  /* 5.1 has about 380: the walk itself works */
}
END_TEST

START_TEST(test_rows_sorted_real_and_sane)
{
    int n = rd_filtertab_count();
    ck_assert_int_gt(n, 0);
    ck_assert_ptr_null(rd_filtertab_at(n));
    ck_assert_ptr_null(rd_filtertab_at(-1));
    ck_assert_ptr_null(rd_filtertab_find("no_such_filter"));
    for (int i = 0; i < n; i++) {
        const RdFilterInfo *r = rd_filtertab_at(i);
        ck_assert_msg(avfilter_get_by_name(r->name), "row '%s': no such filter", r->name);
        ck_assert_msg(i == 0 || strcmp(rd_filtertab_at(i - 1)->name, r->name) < 0,
                      "row '%s' out of order or duplicated", r->name);
        ck_assert_ptr_eq(rd_filtertab_find(r->name), r);
        ck_assert_msg(r->kind >= RD_FC_LOCAL && r->kind <= RD_FC_WHOLE, "row '%s': kind", r->name);
        ck_assert_msg(r->back >= 0 && r->ahead >= 0, "row '%s': window", r->name);
        ck_assert_msg(r->kind != RD_FC_LOCAL || (!r->back && !r->ahead), "row '%s': local with a window", r->name);
        ck_assert_msg(r->why && *r->why, "row '%s': no why", r->name);
        ck_assert_msg(!(r->effects & ~(RD_FX_NET | RD_FX_PLUGIN)), "row '%s': effects", r->name);
    }
}
END_TEST

/* Each name of a comma list is an option of filter f. */
static void expect_options(const AVFilter *f, const char *list)
{
    char name[64];
    for (const char *p = list; p && *p;) {
        size_t len = strcspn(p, ",");
        ck_assert_msg(len > 0 && len < sizeof(name), "%s: bad option list '%s'", f->name, list);
        memcpy(name, p, len);
        name[len] = 0;
        ck_assert_msg(f->priv_class &&
                      av_opt_find((void *)&f->priv_class, name, NULL, 0, AV_OPT_SEARCH_FAKE_OBJ),
                      "%s: no option '%s'", f->name, name);
        p += len + (p[len] == ',');
    }
}

START_TEST(test_reads_writes_are_options)
{
    for (int i = 0; i < rd_filtertab_count(); i++) {
        const RdFilterInfo *r = rd_filtertab_at(i);
        const AVFilter *f = avfilter_get_by_name(r->name);
        expect_options(f, r->reads);
        expect_options(f, r->writes);
    }
}
END_TEST

static int in_list(const char *list, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = list; p && *p;) {
        size_t len = strcspn(p, ",");
        if (len == n && !strncmp(p, name, n))
            return 1;
        p += len + (p[len] == ',');
    }
    return 0;
}

static int mentions(const char *s, const char *const *words)
{
    char low[512];
    size_t i;
    for (i = 0; s && s[i] && i < sizeof(low) - 1; i++)
        low[i] = (char)tolower((unsigned char)s[i]);
    low[i] = 0;
    for (; *words; words++)
        if (strstr(low, *words))
            return 1;
    return 0;
}

/*
 * String options that look like files but name none: a font family for
 * fontconfig, colours and sizes, a format, a model's tensor names.
 */
static const char *const not_files[] = {
    "drawtext.font", "drawtext.fontcolor", "drawtext.fontcolor_expr", "drawtext.fontsize",
    "showcqt.font", "showcqt.fontcolor", "movie.format_name", "amovie.format_name",
    "asr.lmname", "ladspa.plugin", "lv2.plugin", "xfade_opencl.kernel", NULL,
};

/* The option is an alias of one in the list (same field, e.g. f/filename). */
static int alias_listed(const AVFilter *f, const AVOption *o, const char *list)
{
    const AVOption *p = NULL;
    while ((p = av_opt_next(&f->priv_class, p)))
        if (p->offset == o->offset && p->type == o->type && in_list(list, p->name))
            return 1;
    return 0;
}

START_TEST(test_file_options_accounted)
{
    static const char *const name_words[] = { "file", "path", "url", "dir", "font", NULL };
    static const char *const help_words[] = { "file", "path", "url", "directory", NULL };
    const AVFilter *f;
    void *it = NULL;
    int bad = 0;
    while ((f = av_filter_iterate(&it))) {
        const AVOption *o = NULL;
        const RdFilterInfo *r = rd_filtertab_find(f->name);
        if (!f->priv_class)
            continue;
        while ((o = av_opt_next(&f->priv_class, o))) {
            char full[128];
            int listed = 0;
            if (o->type != AV_OPT_TYPE_STRING ||
                !(mentions(o->name, name_words) || mentions(o->help, help_words)))
                continue;
            snprintf(full, sizeof(full), "%s.%s", f->name, o->name);
            for (const char *const *x = not_files; *x; x++)
                listed |= !strcmp(*x, full);
            if (r)
                listed |= alias_listed(f, o, r->reads) || alias_listed(f, o, r->writes);
            if (!listed) {
                fprintf(stderr, "filtertab: %s looks like a file but is in no reads/writes\n", full);
                bad++;
            }
        }
    }
    ck_assert_msg(bad == 0, "%d file-like options unaccounted for", bad);
}
END_TEST

/* ---- contracts of configured instances ---------------------------- */

typedef struct Case {
    const char *chain;   ///< filters between a 64x48 25 fps source and a sink
    const char *filter;  ///< the instance to read
    RdFcKind kind;
    int back, ahead;
    unsigned flags;      ///< bits that must be set
} Case;

static const Case cases[] = {
    { "scale=32:24",                      "scale",    RD_FC_LOCAL,     0, 0, 0 },
    { "yadif",                            "yadif",    RD_FC_WINDOW,    1, 1, 0 },
    { "yadif=1",                          "yadif",    RD_FC_TIMELINE,  1, 1, 0 },
    { "yadif=mode=send_field_nospatial",  "yadif",    RD_FC_TIMELINE,  1, 1, 0 },
    { "bwdif",                            "bwdif",    RD_FC_TIMELINE,  1, 1, 0 },
    { "bwdif=mode=send_frame",            "bwdif",    RD_FC_WINDOW,    1, 1, 0 },
    { "w3fdif=mode=frame",                "w3fdif",   RD_FC_WINDOW,    1, 1, 0 },
    { "tmix=frames=5",                    "tmix",     RD_FC_WINDOW,    4, 0, 0 },
    { "tmix=frames=1",                    "tmix",     RD_FC_LOCAL,     0, 0, 0 },
    { "atadenoise=s=7",                   "atadenoise", RD_FC_WINDOW,  3, 3, 0 },
    { "deflicker=size=9",                 "deflicker", RD_FC_WINDOW,   0, 8, 0 },
    { "tmedian=radius=3",                 "tmedian",  RD_FC_WINDOW,    0, 6, 0 },
    { "amplify=radius=3",                 "amplify",  RD_FC_WINDOW,    1, 6, 0 },
    { "tmidequalizer=radius=2",           "tmidequalizer", RD_FC_WINDOW, 2, 2, 0 },
    { "kerndeint",                        "kerndeint", RD_FC_WINDOW,   1, 0, 0 },
    { "vignette",                         "vignette", RD_FC_WHOLE,     0, 0, 0 },
    { "vignette=dither=0",                "vignette", RD_FC_LOCAL,     0, 0, 0 },
    { "fftdnoiz=prev=1:next=1",           "fftdnoiz", RD_FC_WINDOW,    1, 1, 0 },
    { "select='not(mod(n,3))'",           "select",   RD_FC_FRAMENUM,  0, 0, RD_FCF_LINK_COUNT },
    { "select='gt(scene,0.4)'",           "select",   RD_FC_TIMELINE,   2, 0, 0 },
    { "select='gte(t,2)'",                "select",   RD_FC_TIMELINE,    0, 0, 0 },
    { "select='gte(t-prev_selected_t,1)'", "select",  RD_FC_WHOLE,     0, 0, 0 },
    { "setpts=PTS-STARTPTS",              "setpts",   RD_FC_FRAMENUM,  0, 0, RD_FCF_FIRST_PTS },
    { "setpts=0.5*PTS",                   "setpts",   RD_FC_TIMELINE,  0, 0, 0 },
    { "setpts=PTS",                       "setpts",   RD_FC_LOCAL,     0, 0, 0 },
    { "setpts=N/(25*TB)",                 "setpts",   RD_FC_WHOLE,     0, 0, 0 },
    { "setpts='(PTS+PREV_INPTS)/2'",      "setpts",   RD_FC_TIMELINE,  1, 0, 0 },
    { "fade=in:0:30",                     "fade",     RD_FC_FRAMENUM,  0, 0, RD_FCF_LINK_COUNT },
    { "fade=t=in:st=1:d=2",               "fade",     RD_FC_LOCAL,     0, 0, 0 },
    { "fade=t=out:st=1",                  "fade",     RD_FC_WHOLE,     0, 0, 0 },
    { "reverse",                          "reverse",  RD_FC_WHOLE,     0, 0, 0 },
    { "hqdn3d",                           "hqdn3d",   RD_FC_RECURSIVE, 8, 0, 0 },
    { "hqdn3d=4:3:0:0",                   "hqdn3d",   RD_FC_RECURSIVE, 8, 0, 0 },  /* 0: derived */
    { "hqdn3d=0:0:0:0",                   "hqdn3d",   RD_FC_RECURSIVE, 8, 0, 0 },  /* 0 means default */
    { "lagfun=decay=0.5",                 "lagfun",   RD_FC_RECURSIVE, 9, 0, 0 },
    { "lagfun=decay=1",                   "lagfun",   RD_FC_WHOLE,     0, 0, 0 },
    { "drawbox=enable='between(n,10,20)'", "drawbox", RD_FC_FRAMENUM,  0, 0, RD_FCF_LINK_COUNT },
    { "drawbox=enable='between(t,1,2)'",  "drawbox",  RD_FC_LOCAL,     0, 0, 0 },
    { "hue=h='sin(t)*90'",                "hue",      RD_FC_LOCAL,     0, 0, 0 },
    { "hue=H='2*PI*n/25'",                "hue",      RD_FC_FRAMENUM,  0, 0, RD_FCF_LINK_COUNT },
    { "crop=w=32:x='n*2'",                "crop",     RD_FC_FRAMENUM,  0, 0, RD_FCF_LINK_COUNT },
    { "crop=w=32:x='in_w/4'",             "crop",     RD_FC_LOCAL,     0, 0, 0 },
    { "geq=lum='st(0\\,ld(0)+1)':cb=128", "geq",      RD_FC_WHOLE,     0, 0, 0 },
    { "geq=lum='N*2':cb=128",             "geq",      RD_FC_FRAMENUM,  0, 0, RD_FCF_LINK_COUNT },
    { "trim=start_frame=10",              "trim",     RD_FC_WHOLE,     0, 0, 0 },
    { "trim=start=1",                     "trim",     RD_FC_LOCAL,     0, 0, 0 },
    { "trim=duration=2",                  "trim",     RD_FC_FRAMENUM,  0, 0, RD_FCF_FIRST_PTS },
    { "fps=10",                           "fps",      RD_FC_TIMELINE,  1, 1, 0 },
    { "framerate=fps=50",                 "framerate", RD_FC_TIMELINE, 1, 1, RD_FCF_FIRST_PTS },
    { "framestep=2",                      "framestep", RD_FC_FRAMENUM, 0, 0, RD_FCF_LINK_COUNT },
    { "noise=alls=20",                    "noise",    RD_FC_LOCAL,     0, 0, 0 },
    { "noise=alls=20:allf=t",             "noise",    RD_FC_WHOLE,     0, 0, 0 },
    { "minterpolate=fps=50",              "minterpolate", RD_FC_REPLAY, 4, 2, RD_FCF_RETIMES },
    { "minterpolate=fps=50:me=umh",       "minterpolate", RD_FC_TIMELINE, 4, 2, 0 },
    { "minterpolate=fps=50:mc_mode=aobmc", "minterpolate", RD_FC_WHOLE, 0, 0, 0 },
    { "mestimate=method=epzs",            "mestimate", RD_FC_WHOLE,    0, 0, 0 },
    { "tinterlace=mode=pad",              "tinterlace", RD_FC_LOCAL,   0, 0, 0 },
    { "tinterlace",                       "tinterlace", RD_FC_WHOLE,   0, 0, 0 },
    { "stereo3d=in=al:out=sbsl",          "stereo3d", RD_FC_WHOLE,     0, 0, 0 },
    { "stereo3d",                         "stereo3d", RD_FC_LOCAL,     0, 0, 0 },
    { "shufflepixels=seed=7",             "shufflepixels", RD_FC_WHOLE, 0, 0, 0 },
    { "pp=de/al",                         "pp",       RD_FC_WHOLE,     0, 0, 0 },
    { "pp",                               "pp",       RD_FC_WHOLE,     0, 0, 0 },
    { "metadata=mode=print:file=/dev/null", "metadata", RD_FC_WHOLE,   0, 0, 0 },
    { "metadata=mode=print",              "metadata", RD_FC_LOCAL,     0, 0, 0 },
    { "eq=brightness='0.1*sin(t)':eval=frame", "eq",  RD_FC_LOCAL,     0, 0, 0 },
    { "overlay=x='mod(n,10)'",            "overlay",  RD_FC_FRAMENUM,  0, 0, RD_FCF_LINK_COUNT },
    { "nullsrc=s=64x48[a];[a]nullsink",   "nullsrc",  RD_FC_LOCAL,     0, 0, RD_FCF_SOURCE },
};

/* `chain` fed by a buffer source, built and configured as the engine does. */
static AVFilterGraph *build(const char *chain)
{
    char desc[512];
    AVFilterGraph *g = avfilter_graph_alloc();
    AVFilterInOut *in = NULL, *out = NULL;
    const char *two = strstr(chain, "overlay") ? "[v];[v]split[m][o];[m][o]" : ",";
    ck_assert_ptr_nonnull(g);
    snprintf(desc, sizeof(desc),
             "buffer=video_size=64x48:pix_fmt=yuv420p:time_base=1/25:pixel_aspect=1/1:frame_rate=25"
             "%s%s,buffersink", two, chain);
    if (strstr(chain, "nullsink"))  /* a source on its own beside the chain */
        snprintf(desc, sizeof(desc),
                 "buffer=video_size=64x48:pix_fmt=yuv420p:time_base=1/25:pixel_aspect=1/1,buffersink;%s",
                 chain);
    ck_assert_msg(avfilter_graph_parse_ptr(g, desc, &in, &out, NULL) >= 0, "parse %s", desc);
    ck_assert_msg(avfilter_graph_config(g, NULL) >= 0, "config %s", desc);
    avfilter_inout_free(&in);
    avfilter_inout_free(&out);
    return g;
}

START_TEST(test_instance_contracts)
{
    const Case *k = &cases[_i];
    AVFilterGraph *g = build(k->chain);
    const AVFilterContext *f = NULL;
    RdFilterContract c;
    for (unsigned i = 0; i < g->nb_filters && !f; i++)
        if (!strcmp(g->filters[i]->filter->name, k->filter))
            f = g->filters[i];
    ck_assert_msg(f, "%s: no %s instance", k->chain, k->filter);
    ck_assert_int_eq(rd_filtertab_contract(f, &c), 0);
    ck_assert_msg(c.kind == k->kind && c.back == k->back && c.ahead == k->ahead &&
                  (c.flags & k->flags) == k->flags,
                  "%s: kind %d back %d ahead %d flags %x (%s), want %d %d %d %x",
                  k->chain, c.kind, c.back, c.ahead, c.flags, c.why,
                  k->kind, k->back, k->ahead, k->flags);
    ck_assert_ptr_nonnull(c.why);
    avfilter_graph_free(&g);
}
END_TEST

/* A filter the table does not know (an audio one here) runs as one chunk. */
START_TEST(test_unknown_is_whole)
{
    AVFilterGraph *g = avfilter_graph_alloc();
    AVFilterInOut *in = NULL, *out = NULL;
    RdFilterContract c;
    ck_assert_int_ge(avfilter_graph_parse_ptr(g, "anullsrc,anull,anullsink", &in, &out, NULL), 0);
    ck_assert_int_ge(avfilter_graph_config(g, NULL), 0);
    for (unsigned i = 0; i < g->nb_filters; i++)
        if (!strcmp(g->filters[i]->filter->name, "anull")) {
            ck_assert_int_eq(rd_filtertab_contract(g->filters[i], &c), 0);
            ck_assert_int_eq(c.kind, RD_FC_WHOLE);
            ck_assert_str_eq(c.why, "not in render's filter table");
        }
    ck_assert_int_lt(rd_filtertab_contract(NULL, &c), 0);
    avfilter_inout_free(&in);
    avfilter_inout_free(&out);
    avfilter_graph_free(&g);
}
END_TEST

typedef struct ExprCase {
    const char *expr;
    int own_count;
    RdFcKind kind;
    int back;
} ExprCase;

static const ExprCase exprs[] = {
    { "sin(t)*n0",            0, RD_FC_LOCAL,    0 },  /* n0 is not n */
    { "sin(t)",               0, RD_FC_LOCAL,    0 },
    { "in_w/2+on_top",        0, RD_FC_LOCAL,    0 },
    { "1e3*t+0x1F+2k",        0, RD_FC_LOCAL,    0 },  /* suffixes are no variables */
    { "n",                    0, RD_FC_FRAMENUM, 0 },
    { "mod( n ,3)",           0, RD_FC_FRAMENUM, 0 },
    { "N",                    1, RD_FC_WHOLE,    0 },
    { "T*N",                  0, RD_FC_FRAMENUM, 0 },
    { "st (0, 1)",            0, RD_FC_WHOLE,    0 },
    { "st",                   0, RD_FC_LOCAL,    0 },  /* a variable named st, not the function */
    { "random(0)",            0, RD_FC_WHOLE,    0 },
    { "prev_t+scene",         0, RD_FC_WINDOW,   2 },
    { "RTCTIME",              0, RD_FC_WHOLE,    0 },
    { "",                     0, RD_FC_LOCAL,    0 },
};

START_TEST(test_expressions)
{
    const ExprCase *k = &exprs[_i];
    RdFilterContract c = { RD_FC_LOCAL, 0, 0, "frame-local", 0 };
    rd_filtertab_expr(k->expr, k->own_count, &c);
    ck_assert_msg(c.kind == k->kind && c.back == k->back, "'%s': kind %d back %d, want %d %d",
                  k->expr, c.kind, c.back, k->kind, k->back);
}
END_TEST

/* framerate fed the source's frames starts a grid (contract.h): 25 fps in
 * 1/12800 to 60 fps meets the input's frames every 5 frames. */
START_TEST(test_framerate_grid)
{
    RdVideoFormat in = { 64, 48, AV_PIX_FMT_YUV420P, { 1, 1 }, { 1, 12800 }, { 25, 1 }, NULL };
    RdContract c;
    int on = 0;
    av_log_set_level(AV_LOG_ERROR); /* framerate says its time bases at info */
    ck_assert_int_eq(rd_contract_derive("framerate=fps=60", &in, 0, -1, &c), 0);
    ck_assert(c.grid && !c.one_chunk && c.exact);
    for (int i = 0; i < 20; i++)
        on += rd_contract_on_grid(&c, 1000 + 512 * i, 1000);
    ck_assert_int_eq(on, 4);
    ck_assert(rd_contract_on_grid(&c, 1000 + 512 * 5, 1000) && !rd_contract_on_grid(&c, 1000 + 512 * 3, 1000));
    /* after a filter that retimes, the grid is not the source's: one chunk */
    ck_assert_int_eq(rd_contract_derive("setpts=2*PTS,framerate=fps=60", &in, 0, -1, &c), 0);
    ck_assert(!c.grid && c.one_chunk);
    /* two grid filters: the second still needs the stream's first frame */
    ck_assert_int_eq(rd_contract_derive("framerate=fps=50,framerate=fps=60", &in, 0, -1, &c), 0);
    ck_assert(c.one_chunk);
}
END_TEST

/* Frame numbers (contract.h numbered): fade by frames fed the source is
 * chunked, its links set to the first frame's number; behind select,
 * which drops frames, it is not. */
START_TEST(test_numbered_links)
{
    RdVideoFormat in = { 64, 48, AV_PIX_FMT_YUV420P, { 1, 1 }, { 1, 25 }, { 25, 1 }, NULL };
    RdContract c;
    RdFilter g;
    int set = 0;
    ck_assert_int_eq(rd_contract_derive("scale=32:24,fade=in:0:30", &in, 0, -1, &c), 0);
    ck_assert(c.numbered && !c.one_chunk && c.exact && c.keeps_times);
    ck_assert_int_eq(rd_contract_derive("select='not(mod(n,2))',fade=in:0:30", &in, 0, -1, &c), 0);
    ck_assert(c.one_chunk);
    ck_assert_int_eq(rd_contract_derive("select='not(mod(n,2))'", &in, 0, -1, &c), 0);
    ck_assert(c.numbered && !c.one_chunk && !c.keeps_times);
    ck_assert_int_eq(rd_filter_open(&g, "scale=32:24,fade=in:0:30", &in, NULL, NULL), 0);
    rd_contract_number_links(&g, 100);
    for (unsigned i = 0; i < g.graph->nb_filters; i++) {
        const AVFilterContext *f = g.graph->filters[i];
        if (!strcmp(f->filter->name, "fade")) {
            ck_assert_int_eq(f->inputs[0]->frame_count_out, 100);
            ck_assert_int_eq(f->inputs[0]->src->inputs[0]->frame_count_in, 100);
            set = 1;
        }
    }
    ck_assert(set);
    rd_filter_free(&g);
}
END_TEST

/* setpts with STARTPTS in a chain of frame-local filters is primed
 * (contract.h prime); beside a window, or twice, it is one chunk. */
START_TEST(test_setpts_prime)
{
    RdVideoFormat in = { 64, 48, AV_PIX_FMT_YUV420P, { 1, 1 }, { 1, 25 }, { 25, 1 }, NULL };
    RdContract c;
    ck_assert_int_eq(rd_contract_derive("scale=32:24,setpts=PTS-STARTPTS", &in, 0, -1, &c), 0);
    ck_assert(c.prime && !c.one_chunk && c.exact && !c.keeps_times);
    ck_assert_int_eq(rd_contract_derive("tmix,setpts=PTS-STARTPTS", &in, 0, -1, &c), 0);
    ck_assert(c.one_chunk);
    ck_assert_int_eq(rd_contract_derive("setpts=PTS-STARTPTS,setpts=PTS-STARTPTS", &in, 0, -1, &c), 0);
    ck_assert(c.one_chunk);
    ck_assert_int_eq(rd_contract_derive("setpts=PTS-STARTPTS+N", &in, 0, -1, &c), 0);
    ck_assert(c.one_chunk && !c.prime);
}
END_TEST

/* minterpolate's EPZS search is replayed (contract.h replay) where the
 * filters before it read only pixels and those after are frame-local, in
 * a time base fine enough; otherwise one chunk, naming it. */
START_TEST(test_minterpolate_replay)
{
    RdVideoFormat in = { 64, 48, AV_PIX_FMT_YUV420P, { 1, 1 }, { 1, 12800 }, { 25, 1 }, NULL };
    RdContract c;
    static const char *const replayed[] = { "minterpolate=fps=50", "scale=80:48,minterpolate=fps=50",
                                            "minterpolate=fps=60,eq=brightness=0.1,hflip",
                                            "format=yuv420p,minterpolate=fps=50:scd=none" };
    static const char *const whole[] = { "eq=brightness=0.1,minterpolate=fps=50",
                                         "minterpolate=fps=50,tmix", "minterpolate=fps=50,minterpolate=fps=100",
                                         "hqdn3d,minterpolate=fps=50", "minterpolate=fps=50,atadenoise",
                                         "scale=80:48:eval=frame,minterpolate=fps=50" };
    for (size_t i = 0; i < sizeof(replayed) / sizeof(*replayed); i++) {
        ck_assert_msg(rd_contract_derive(replayed[i], &in, 1, -1, &c) == 0, "'%s' opens", replayed[i]);
        ck_assert_msg(c.replay && !c.one_chunk && c.exact && c.kind == RD_FC_REPLAY && !c.keeps_times &&
                      c.preroll >= 4 && c.postroll >= 2, "'%s' replayed", replayed[i]);
    }
    for (size_t i = 0; i < sizeof(whole) / sizeof(*whole); i++) {
        ck_assert_int_eq(rd_contract_derive(whole[i], &in, 0, -1, &c), 0);
        ck_assert_msg(c.one_chunk && !c.replay && !strcmp(c.filter, "minterpolate"), "'%s' one chunk, "
                      "named: '%s' %s", whole[i], c.filter, c.why);
    }
    /* 1/25 s ticks are two 50 fps frames: a replay would make frames */
    in.tb = (AVRational){ 1, 25 };
    ck_assert_int_eq(rd_contract_derive("minterpolate=fps=50", &in, 0, -1, &c), 0);
    ck_assert(c.one_chunk && !c.replay && strstr(c.why, "time base"));
    /* --exact: hqdn3d's state is made from pixels too: replayed, and it
     * keeps every frame at its time (the frame sync is planned) */
    ck_assert_int_eq(rd_contract_derive("hqdn3d,hflip", &in, 1, -1, &c), 0);
    ck_assert(c.replay && !c.one_chunk && c.exact && c.keeps_times && c.preroll == 0);
    ck_assert_int_eq(rd_contract_derive("hqdn3d", &in, 0, -1, &c), 0);
    ck_assert(!c.replay && !c.exact && c.preroll == RD_RECURSIVE_PREROLL);
    ck_assert_int_eq(rd_contract_derive("hqdn3d=enable='gte(t,1)'", &in, 1, -1, &c), 0);
    ck_assert(c.one_chunk && !c.replay);
    /* without EPZS it is a window of its own: no replay */
    in.tb = (AVRational){ 1, 12800 };
    ck_assert_int_eq(rd_contract_derive("minterpolate=fps=50:me=umh", &in, 0, -1, &c), 0);
    ck_assert(!c.replay && !c.one_chunk && c.kind == RD_FC_TIMELINE);
}
END_TEST

Suite *make_filtertab_suite(void)
{
    Suite *s = suite_create("filtertab");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, RD_VIDEO_TIMEOUT);
    tcase_add_test(tc, test_every_video_filter_has_a_row);
    tcase_add_test(tc, test_rows_sorted_real_and_sane);
    tcase_add_test(tc, test_reads_writes_are_options);
    tcase_add_test(tc, test_file_options_accounted);
    tcase_add_loop_test(tc, test_instance_contracts, 0, (int)(sizeof(cases) / sizeof(cases[0])));
    tcase_add_test(tc, test_unknown_is_whole);
    tcase_add_test(tc, test_framerate_grid);
    tcase_add_test(tc, test_numbered_links);
    tcase_add_test(tc, test_setpts_prime);
    tcase_add_test(tc, test_minterpolate_replay);
    tcase_add_loop_test(tc, test_expressions, 0, (int)(sizeof(exprs) / sizeof(exprs[0])));
    suite_add_tcase(s, tc);
    return s;
}
