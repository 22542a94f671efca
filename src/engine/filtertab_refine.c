/*
 * filtertab_refine.c - the contract of one configured filter instance: its
 * row's defaults, refined by the instance's option values (window lengths,
 * modes, seeds) and by the expressions it evaluates, read with av_opt_get
 * on the instance, never from the graph's text.
 */
#include "engine/filtertab.h"

#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <string.h>
#include <libavutil/common.h>
#include <libavutil/mem.h>
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>

/* Raise c to at least this kind (never lower it), widening the window. */
static void fold(RdFilterContract *c, RdFcKind kind, int back, int ahead,
                 unsigned flags, const char *why)
{
    if (kind > c->kind) {
        c->kind = kind;
        c->why = why;
    }
    c->back = FFMAX(c->back, back);
    c->ahead = FFMAX(c->ahead, ahead);
    c->flags |= flags;
}

/* Set the instance's base contract (a refiner may lower the row's). */
static void set(RdFilterContract *c, RdFcKind kind, int back, int ahead, const char *why)
{
    c->kind = kind;
    c->back = back;
    c->ahead = ahead;
    c->why = why;
}

static void *priv(const AVFilterContext *f)
{
    return f->priv;
}

static int64_t opt_int(const AVFilterContext *f, const char *name, int64_t dflt)
{
    int64_t v;
    return av_opt_get_int(priv(f), name, 0, &v) < 0 ? dflt : v;
}

static double opt_dbl(const AVFilterContext *f, const char *name, double dflt)
{
    double v;
    return av_opt_get_double(priv(f), name, 0, &v) < 0 ? dflt : v;
}

/* The value of constant `name` of the option unit `unit`, or INT64_MIN. */
static int64_t opt_const(const AVFilterContext *f, const char *unit, const char *name)
{
    const AVOption *o = av_opt_find(priv(f), name, unit, 0, 0);
    return o && o->type == AV_OPT_TYPE_CONST ? o->default_val.i64 : INT64_MIN;
}

/* Is string option `name` set to a non-empty value? */
static int opt_set(const AVFilterContext *f, const char *name)
{
    uint8_t *s = NULL;
    int set = av_opt_get(priv(f), name, 0, &s) >= 0 && s && *s;
    av_free(s);
    return set;
}

/* ---- expressions -------------------------------------------------- */

typedef struct Use {
    const char *name;
    RdFcKind kind;
    int back;
    unsigned flags;
    const char *why;
} Use;

/* Variables and functions whose value is not the frame's own. */
static const Use uses[] = {
    { "n",  RD_FC_FRAMENUM, 0, RD_FCF_LINK_COUNT, "expression uses the frame number" },
    { "N",  RD_FC_FRAMENUM, 0, RD_FCF_LINK_COUNT, "expression uses the frame number" },
    { "in", RD_FC_FRAMENUM, 0, RD_FCF_LINK_COUNT, "expression uses the frame number" },
    { "on", RD_FC_FRAMENUM, 0, RD_FCF_LINK_COUNT, "expression uses the frame number" },
    { "frame_num", RD_FC_FRAMENUM, 0, RD_FCF_LINK_COUNT, "expression uses the frame number" },
    { "STARTPTS", RD_FC_FRAMENUM, 0, RD_FCF_FIRST_PTS, "expression uses the stream's start" },
    { "STARTT",   RD_FC_FRAMENUM, 0, RD_FCF_FIRST_PTS, "expression uses the stream's start" },
    { "start_pts", RD_FC_FRAMENUM, 0, RD_FCF_FIRST_PTS, "expression uses the stream's start" },
    { "start_t",  RD_FC_FRAMENUM, 0, RD_FCF_FIRST_PTS, "expression uses the stream's start" },
    { "prev_pts", RD_FC_WINDOW, 1, 0, "expression uses the previous frame" },
    { "prev_t",   RD_FC_WINDOW, 1, 0, "expression uses the previous frame" },
    { "PREV_INPTS", RD_FC_WINDOW, 1, 0, "expression uses the previous frame" },
    { "PREV_INT", RD_FC_WINDOW, 1, 0, "expression uses the previous frame" },
    { "scene",    RD_FC_WINDOW, 2, 0, "scene score uses the two frames before" },
    { "selected_n", RD_FC_WHOLE, 0, 0, "expression uses what was selected before" },
    { "prev_selected_n", RD_FC_WHOLE, 0, 0, "expression uses what was selected before" },
    { "prev_selected_pts", RD_FC_WHOLE, 0, 0, "expression uses what was selected before" },
    { "prev_selected_t", RD_FC_WHOLE, 0, 0, "expression uses what was selected before" },
    { "PREV_OUTPTS", RD_FC_WHOLE, 0, 0, "expression uses the previous output time" },
    { "PREV_OUTT", RD_FC_WHOLE, 0, 0, "expression uses the previous output time" },
    { "RTCTIME",  RD_FC_WHOLE, 0, 0, "expression uses the wall clock" },
    { "RTCSTART", RD_FC_WHOLE, 0, 0, "expression uses the wall clock" },
    { "NB_CONSUMED_SAMPLES", RD_FC_WHOLE, 0, 0, "expression counts samples from the start" },
    { "consumed_samples_n", RD_FC_WHOLE, 0, 0, "expression counts samples from the start" },
    { "st(",      RD_FC_WHOLE, 0, 0, "expression keeps state between frames (st)" },
    { "random(",  RD_FC_WHOLE, 0, 0, "expression keeps state between frames (random)" },
    { "rand(",    RD_FC_WHOLE, 0, 0, "expression draws random numbers" },
    { "localtime(", RD_FC_WHOLE, 0, 0, "text uses the wall clock" },
    { "gmtime(",  RD_FC_WHOLE, 0, 0, "text uses the wall clock" },
};

/* Fold one identifier (a function's name carries a trailing '('). */
static void use(const char *id, size_t len, int fn, int own_count, RdFilterContract *c)
{
    for (size_t i = 0; i < sizeof(uses) / sizeof(uses[0]); i++) {
        const Use *u = &uses[i];
        size_t ul = strlen(u->name);
        int ufn = u->name[ul - 1] == '(';
        if (ufn != fn || ul - ufn != len || strncmp(u->name, id, len))
            continue;
        if (own_count && (u->flags & RD_FCF_LINK_COUNT))
            fold(c, RD_FC_WHOLE, 0, 0, 0, "counts frames itself (N)");
        else
            fold(c, u->kind, u->back, 0, u->flags, u->why);
    }
}

void rd_filtertab_expr(const char *e, int own_count, RdFilterContract *c)
{
    for (const char *p = e; p && *p;) {
        if (isdigit((unsigned char)*p) || (*p == '.' && isdigit((unsigned char)p[1]))) {
            /* a number with its exponent or SI suffix (1e3, 0x1F, 2k) */
            while (isalnum((unsigned char)*p) || *p == '.' || *p == '_')
                p++;
        } else if (isalpha((unsigned char)*p) || *p == '_') {
            const char *id = p;
            while (isalnum((unsigned char)*p) || *p == '_')
                p++;
            const char *q = p;
            while (*q == ' ' || *q == '\t')
                q++;
            use(id, (size_t)(p - id), *q == '(', own_count, c);
        } else {
            p++;
        }
    }
}

/* drawtext's text: %{name:args} expansions; only those can vary. */
static void text_expansions(const char *s, RdFilterContract *c)
{
    for (const char *p = s ? strstr(s, "%{") : NULL; p; p = strstr(p, "%{")) {
        const char *b = p += 2, *end = strchr(b, '}');
        size_t len = strcspn(b, ":}");
        if (!end)
            break;
        if ((len == 1 && *b == 'n') || (len == 9 && !strncmp(b, "frame_num", 9)))
            fold(c, RD_FC_FRAMENUM, 0, 0, RD_FCF_LINK_COUNT, "text shows the frame number");
        else if ((len == 9 && !strncmp(b, "localtime", 9)) || (len == 6 && !strncmp(b, "gmtime", 6)))
            fold(c, RD_FC_WHOLE, 0, 0, 0, "text shows the wall clock");
        else if (b[len] == ':') {
            /* expr/e/eif/pts/metadata args: scan them as an expression */
            char *args = av_strndup(b + len + 1, (size_t)(end - b - len - 1));
            rd_filtertab_expr(args, 0, c);
            av_free(args);
        }
        p = end + 1;
    }
}

static void scan_opts(const AVFilterContext *f, const char *names, int own_count,
                      RdFilterContract *c)
{
    char name[32];
    for (const char *p = names; p && *p;) {
        size_t len = strcspn(p, ",");
        uint8_t *v = NULL;
        if (len < sizeof(name)) {
            memcpy(name, p, len);
            name[len] = 0;
            if (av_opt_get(priv(f), name, 0, &v) >= 0)
                rd_filtertab_expr((const char *)v, own_count, c);
            av_free(v);
        }
        p += len + (p[len] == ',');
    }
}

/* ---- per-filter refinements --------------------------------------- */

static void deint(const AVFilterContext *f, RdFilterContract *c)
{
    /* yadif: send_field(_nospatial) are odd; bwdif/w3fdif/estdif: field = 1 */
    int field = (int)(opt_int(f, "mode", 0) & 1);
    set(c, field ? RD_FC_TIMELINE : RD_FC_WINDOW, 1, 1,
        field ? "deinterlacer, one frame per field: previous and next frame"
              : "deinterlacer: previous and next frame");
}

static void nnedi(const AVFilterContext *f, RdFilterContract *c)
{
    int64_t m = opt_int(f, "field", -1);
    if (m == -2 || m == 2 || m == 3)  /* af, tf, bf: both fields */
        set(c, RD_FC_TIMELINE, 0, 1, "one frame per field: the second's time needs the next frame");
}

static void centred(const AVFilterContext *f, const char *opt, RdFilterContract *c)
{
    int r = (int)opt_int(f, opt, c->back);
    set(c, r > 0 ? RD_FC_WINDOW : RD_FC_LOCAL, r, r, "centred window of frames");
}

static void tmidequalizer(const AVFilterContext *f, RdFilterContract *c) { centred(f, "radius", c); }

/* tmedian (and amplify) queue 2*radius+1 frames and give each output the
 * time of the oldest: frame k is made from k .. k+2*radius, and the last
 * 2*radius frames of a stream give nothing. */
static void tmedian(const AVFilterContext *f, RdFilterContract *c)
{
    int r = (int)opt_int(f, "radius", 1);
    set(c, RD_FC_WINDOW, 0, 2 * r, "each output is made from its frame and the 2*radius after it");
}

/* amplify also drops the first frame it is fed (its queue fills before
 * it outputs, then it drops the oldest first): one frame of pre-roll. */
static void amplify(const AVFilterContext *f, RdFilterContract *c)
{
    int r = (int)opt_int(f, "radius", 2);
    set(c, RD_FC_WINDOW, 1, 2 * r, "each output is made from its frame and the 2*radius after it; "
        "the first frame fed is never output");
}

static void vignette(const AVFilterContext *f, RdFilterContract *c)
{
    if (opt_int(f, "dither", 1))
        set(c, RD_FC_WHOLE, 0, 0, "dither pattern moves on from frame to frame, counted from its start");
}

static void atadenoise(const AVFilterContext *f, RdFilterContract *c)
{
    int r = (int)(opt_int(f, "s", 9) | 1) / 2;
    set(c, RD_FC_WINDOW, r, r, "centred window of s frames");
}

static void tmix(const AVFilterContext *f, RdFilterContract *c)
{
    int b = (int)opt_int(f, "frames", 3) - 1;
    set(c, b > 0 ? RD_FC_WINDOW : RD_FC_LOCAL, b, 0, "mixes each frame with the frames-1 before it");
}

static void deflicker(const AVFilterContext *f, RdFilterContract *c)
{
    int a = (int)opt_int(f, "size", 5) - 1;
    set(c, RD_FC_WINDOW, 0, a, "each frame is scaled by the mean of it and the size-1 frames after it");
}

static void fftdnoiz(const AVFilterContext *f, RdFilterContract *c)
{
    int b = (int)opt_int(f, "prev", 0), a = (int)opt_int(f, "next", 0);
    if (b || a)
        set(c, RD_FC_WINDOW, b, a, "denoises with prev frames before and next after");
}

static void normalize(const AVFilterContext *f, RdFilterContract *c)
{
    int b = (int)opt_int(f, "smoothing", 0);
    if (b > 0)
        set(c, RD_FC_WINDOW, b, 0, "range smoothed over the smoothing frames before");
}

static void lagfun(const AVFilterContext *f, RdFilterContract *c)
{
    double d = opt_dbl(f, "decay", 0.95);
    const AVPixFmtDescriptor *pd = f->nb_inputs && f->inputs[0]
                                 ? av_pix_fmt_desc_get(f->inputs[0]->format) : NULL;
    int depth = pd ? pd->comp[0].depth : 16;
    if (d <= 0) {
        set(c, RD_FC_LOCAL, 0, 0, "decay 0: frame-local");
    } else if (d >= 1) {
        set(c, RD_FC_WHOLE, 0, 0, "decay 1 keeps the maximum since the start");
    } else {
        /* frames until a full-scale value decays below half a step */
        double k = ceil(log(0.5 / ((1 << depth) - 1)) / log(d));
        set(c, RD_FC_RECURSIVE, k > 100000 ? 100000 : (int)k, 0,
            "keeps the decayed previous output: settles after the decay's frames");
    }
}

static void hqdn3d(const AVFilterContext *f, RdFilterContract *c)
{
    if (opt_dbl(f, "luma_tmp", 1) == 0 && opt_dbl(f, "chroma_tmp", 1) == 0)
        set(c, RD_FC_LOCAL, 0, 0, "spatial only (temporal strengths 0)");
}

/* minterpolate's recursion is EPZS's: its motion search starts from the
 * vectors found for the frames before, and where the picture is flat many
 * vectors match equally, so a chunk's search could settle on others for
 * as long as the flat area lasts; no pre-roll bounds that. The vectors
 * (and the scene score) are made from the pixels alone, never the times,
 * and its frames are made on its output's time grid: each chunk replays
 * the stream's frames before it at frozen times, one tick apart, so that
 * the search runs and no frame is made (the table's kind, contract.h).
 * Without EPZS (mi_mode dup or blend, or another search) an output frame
 * comes from the four frames it holds and the scene score of the pair
 * before theirs: a window, exact. */
static void minterpolate(const AVFilterContext *f, RdFilterContract *c)
{
    /* Valgrind: adaptive OBMC reads its neighbour blocks' scores past the
     * block table's edges (11776 invalid reads on 9 frames of 160x90):
     * the CLI's own frames change from run to run. Nothing to be exact
     * to; one chunk, and the line says why. */
    if (opt_int(f, "mi_mode", 2) == opt_const(f, "mi_mode", "mci") &&
        opt_int(f, "mc_mode", 0) == opt_const(f, "mc_mode", "aobmc")) {
        set(c, RD_FC_WHOLE, 0, 0, "mc_mode=aobmc reads past its block table in FFmpeg 5.1: its frames "
            "change from one run to the next, the CLI's too");
        return;
    }
    if (opt_int(f, "mi_mode", 2) != opt_const(f, "mi_mode", "mci") ||
        opt_int(f, "me", 8) != opt_const(f, "me", "epzs"))
        set(c, RD_FC_TIMELINE, 4, 2, "interpolates from the four frames it holds and the scene score of "
            "the pair before (no EPZS search)");
}

/* mestimate's vectors (side data a later filter may draw: codecview) come
 * from the same searches: EPZS starts from the frame before's. */
static void mestimate(const AVFilterContext *f, RdFilterContract *c)
{
    if (opt_int(f, "method", 1) == opt_const(f, "method", "epzs"))
        set(c, RD_FC_WHOLE, 0, 0, "its motion search (EPZS) starts from the vectors found for the frame "
            "before: no pre-roll bounds how a chunk's vectors differ");
}

static void fade(const AVFilterContext *f, RdFilterContract *c)
{
    if (opt_int(f, "duration", 0) > 0)
        set(c, RD_FC_LOCAL, 0, 0, "fades by the frame's own time");
    else if (opt_int(f, "start_time", 0) > 0)
        set(c, RD_FC_WHOLE, 0, 0, "counts frames from the first frame at its start time");
}

static void trim(const AVFilterContext *f, RdFilterContract *c)
{
    set(c, RD_FC_LOCAL, 0, 0, "drops frames by their own times");
    if (opt_int(f, "start_frame", -1) >= 0 || opt_int(f, "end_frame", INT64_MAX) != INT64_MAX)
        set(c, RD_FC_WHOLE, 0, 0, "counts frames itself (start_frame, end_frame)");
    else if (opt_int(f, "duration", 0) > 0) {
        set(c, RD_FC_FRAMENUM, 0, 0, "duration counts from the first frame it sees");
        c->flags |= RD_FCF_FIRST_PTS;
    }
}

static void setpts(const AVFilterContext *f, RdFilterContract *c)
{
    uint8_t *e = NULL;
    if (av_opt_get(priv(f), "expr", 0, &e) >= 0 && e && !strcmp((char *)e, "PTS"))
        set(c, RD_FC_LOCAL, 0, 0, "PTS: unchanged");
    av_free(e);
}

static void framepack(const AVFilterContext *f, RdFilterContract *c)
{
    if (opt_int(f, "format", 0) == opt_const(f, "format", "frameseq"))
        set(c, RD_FC_WHOLE, 0, 0, "frame sequence: timestamps counted from its start");
}

static void histeq(const AVFilterContext *f, RdFilterContract *c)
{
    if (opt_int(f, "antibanding", 0))
        set(c, RD_FC_WHOLE, 0, 0, "antibanding's random generator runs on");
}

static void noise(const AVFilterContext *f, RdFilterContract *c)
{
    static const char *const fl[] = { "all_flags", "c0_flags", "c1_flags", "c2_flags", "c3_flags" };
    for (int i = 0; i < 5; i++)
        if (opt_int(f, fl[i], 0) & (2 | 8))  /* temporal, averaged */
            set(c, RD_FC_WHOLE, 0, 0, "temporal noise: its random generator runs on");
}

static void paletteuse(const AVFilterContext *f, RdFilterContract *c)
{
    if (opt_int(f, "diff_mode", 0))
        set(c, RD_FC_WHOLE, 0, 0, "diff_mode reuses the previous output");
}

static void pp(const AVFilterContext *f, RdFilterContract *c)
{
    uint8_t *s = NULL;
    if (av_opt_get(priv(f), "subfilters", 0, &s) >= 0 && s) {
        /* autolevels keeps a histogram of every frame, tmpnoise blurs over time */
        for (char *t = (char *)s; *t;) {
            size_t len = strcspn(t, "/,:|");
            if ((len == 2 && (!strncmp(t, "al", 2) || !strncmp(t, "tn", 2))) ||
                (len == 10 && !strncmp(t, "autolevels", 10)) ||
                (len == 8 && !strncmp(t, "tmpnoise", 8)))
                set(c, RD_FC_WHOLE, 0, 0, "autolevels/tmpnoise carry state from the start");
            t += len + !!t[len];
        }
    }
    av_free(s);
}

/* A random start: init replaces seed -1 by a drawn one, so after init no
 * option tells whether the user fixed it; every chunk could draw its own. */
static void life(const AVFilterContext *f, RdFilterContract *c)
{
    if (!opt_set(f, "filename") && !opt_set(f, "pattern"))
        set(c, RD_FC_WHOLE, 0, 0, "random start: every chunk could draw its own");
}

static void stereo3d(const AVFilterContext *f, RdFilterContract *c)
{
    int64_t in = opt_int(f, "in", 0), out = opt_int(f, "out", 0);
    int64_t al = opt_const(f, "in", "al"), ar = opt_const(f, "in", "ar");
    int64_t oal = opt_const(f, "out", "al"), oar = opt_const(f, "out", "ar");
    if (in == al || in == ar || out == oal || out == oar)
        set(c, RD_FC_WHOLE, 0, 0, "alternating frames: pairs counted from its start");
}

static void tinterlace(const AVFilterContext *f, RdFilterContract *c)
{
    if (opt_int(f, "mode", 0) == opt_const(f, "mode", "pad"))
        set(c, RD_FC_LOCAL, 0, 0, "pad mode: frame-local");
    else
        set(c, RD_FC_WHOLE, 0, 0, "pairs frames counted from its first frame");
}

static void drawtext(const AVFilterContext *f, RdFilterContract *c)
{
    uint8_t *s = NULL;
    if (opt_int(f, "expansion", 1) && av_opt_get(priv(f), "text", 0, &s) >= 0)
        text_expansions((const char *)s, c);
    av_free(s);
    s = NULL;
    if (av_opt_get(priv(f), "fontcolor_expr", 0, &s) >= 0)
        text_expansions((const char *)s, c);
    av_free(s);
    if (opt_set(f, "timecode"))
        fold(c, RD_FC_FRAMENUM, 0, 0, RD_FCF_LINK_COUNT, "timecode counts frames on its link");
}

typedef struct Refiner {
    const char *name;
    const char *exprs;      ///< comma-separated options holding expressions
    int own_count;          ///< its n/N is a counter of its own, not the link's
    void (*fn)(const AVFilterContext *f, RdFilterContract *c);
} Refiner;

/* In name order. */
static const Refiner refiners[] = {
    { "amplify",      NULL, 0, amplify },
    { "atadenoise",   NULL, 0, atadenoise },
    { "blend",        "all_expr,c0_expr,c1_expr,c2_expr,c3_expr", 0, NULL },
    { "bwdif",        NULL, 0, deint },
    { "cellauto",     NULL, 0, life },
    { "crop",         "out_w,out_h,x,y", 0, NULL },
    { "deflicker",    NULL, 0, deflicker },
    { "delogo",       "x,y,w,h", 0, NULL },
    { "drawbox",      "x,y,w,h,t", 0, NULL },
    { "drawgrid",     "x,y,w,h,t", 0, NULL },
    { "drawtext",     "x,y,alpha,fontsize", 0, drawtext },
    { "eq",           "contrast,brightness,saturation,gamma,gamma_r,gamma_g,gamma_b,gamma_weight", 0, NULL },
    { "estdif",       NULL, 0, deint },
    { "fade",         NULL, 0, fade },
    { "fftdnoiz",     NULL, 0, fftdnoiz },
    { "fftfilt",      "weight_Y,weight_U,weight_V", 0, NULL },
    { "framepack",    NULL, 0, framepack },
    { "geq",          "lum_expr,cb_expr,cr_expr,alpha_expr,red_expr,green_expr,blue_expr", 0, NULL },
    { "histeq",       NULL, 0, histeq },
    { "hqdn3d",       NULL, 0, hqdn3d },
    { "hue",          "h,s,H,b", 0, NULL },
    { "lagfun",       NULL, 0, lagfun },
    { "life",         NULL, 0, life },
    { "mestimate",    NULL, 0, mestimate },
    { "minterpolate", NULL, 0, minterpolate },
    { "nnedi",        NULL, 0, nnedi },
    { "noise",        NULL, 0, noise },
    { "normalize",    NULL, 0, normalize },
    { "overlay",      "x,y", 0, NULL },
    { "overlay_cuda", "x,y", 0, NULL },
    { "overlay_qsv",  "x,y", 0, NULL },
    { "paletteuse",   NULL, 0, paletteuse },
    { "perspective",  "x0,y0,x1,y1,x2,y2,x3,y3", 0, NULL },
    { "pp",           NULL, 0, pp },
    { "rotate",       "angle,out_w,out_h", 0, NULL },
    { "scale",        "w,h", 0, NULL },
    { "scale2ref",    "w,h", 0, NULL },
    { "select",       "expr", 0, NULL },
    { "setpts",       "expr", 1, setpts },
    { "stereo3d",     NULL, 0, stereo3d },
    { "swaprect",     "w,h,x1,y1,x2,y2", 0, NULL },
    { "tblend",       "all_expr,c0_expr,c1_expr,c2_expr,c3_expr", 0, NULL },
    { "tinterlace",   NULL, 0, tinterlace },
    { "tmedian",      NULL, 0, tmedian },
    { "tmidequalizer", NULL, 0, tmidequalizer },
    { "tmix",         NULL, 0, tmix },
    { "trim",         NULL, 0, trim },
    { "vignette",     "angle,x0,y0", 0, vignette },
    { "w3fdif",       NULL, 0, deint },
    { "yadif",        NULL, 0, deint },
    { "yadif_cuda",   NULL, 0, deint },
    { "zscale",       "w,h", 0, NULL },
};

static const Refiner *find_refiner(const char *name)
{
    for (size_t i = 0; i < sizeof(refiners) / sizeof(refiners[0]); i++)
        if (!strcmp(refiners[i].name, name))
            return &refiners[i];
    return NULL;
}

/* A filter that writes a file must never run in several chunks at once. */
static void writes(const AVFilterContext *f, const RdFilterInfo *row, RdFilterContract *c)
{
    char name[32];
    for (const char *p = row->writes; p && *p;) {
        size_t len = strcspn(p, ",");
        if (len < sizeof(name)) {
            memcpy(name, p, len);
            name[len] = 0;
            if (opt_set(f, name))
                fold(c, RD_FC_WHOLE, 0, 0, 0, "writes a file: one chunk");
        }
        p += len + (p[len] == ',');
    }
}

int rd_filtertab_contract(const AVFilterContext *f, RdFilterContract *c)
{
    const RdFilterInfo *row;
    const Refiner *r;

    if (!f || !f->filter || !c)
        return AVERROR(EINVAL);
    row = rd_filtertab_find(f->filter->name);
    if (!row) {
        *c = (RdFilterContract){ RD_FC_WHOLE, 0, 0, "not in render's filter table", 0 };
        return 0;
    }
    *c = (RdFilterContract){ row->kind, row->back, row->ahead, row->why, row->flags };
    if ((r = find_refiner(row->name))) {
        if (r->fn)
            r->fn(f, c);
        scan_opts(f, r->exprs, r->own_count, c);
    }
    /* timeline `enable`: n is the link's frame count, t the frame's time */
    rd_filtertab_expr(f->enable_str, 0, c);
    writes(f, row, c);
    return 0;
}
