#include "engine/ratectl_lavc.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <libavutil/common.h>
#include <libavutil/mem.h>
#include <libavutil/opt.h>

#include "engine/ratectl.h"

int rd_ratectl_lavc_codec(const AVCodec *codec)
{
    return codec && codec->priv_class &&
           av_opt_find((void *)&codec->priv_class, "rc_eq", NULL, 0, AV_OPT_SEARCH_FAKE_OBJ) != NULL;
}

int64_t rd_ratectl_lavc_bitrate(const char *name, const AVDictionary *opts, int64_t vbitrate)
{
    const AVCodec *codec = name ? avcodec_find_encoder_by_name(name) : NULL;
    AVCodecContext *ctx;
    AVDictionary *d = NULL;
    int64_t b = 0;

    if (!rd_ratectl_lavc_codec(codec) || !(ctx = avcodec_alloc_context3(codec)))
        return 0;
    /* In the order the chunks' encoders get them (encode.c): -b:v, then
     * the options, which may set b or flags +qscale themselves. */
    if (vbitrate > 0)
        av_dict_set_int(&d, "b", vbitrate, 0);
    av_dict_copy(&d, opts, 0);
    av_opt_set_dict2(ctx, &d, AV_OPT_SEARCH_CHILDREN);
    /* Only what the share's model knows: libavcodec 5.1's second pass,
     * refused a rate ("bitrate too low"), frees its rc_eq twice and the
     * process dies. B-frames (their own quantiser factors), a VBV and an
     * equation of the user's are not modelled: those keep one pass. */
    if (!(ctx->flags & AV_CODEC_FLAG_QSCALE) && ctx->bit_rate > 0 && ctx->max_b_frames <= 0 &&
        ctx->rc_max_rate <= 0 && ctx->rc_buffer_size <= 0 && !av_dict_get(opts, "rc_eq", NULL, 0))
        b = ctx->bit_rate;
    av_dict_free(&d);
    avcodec_free_context(&ctx);
    return b;
}

void rd_ratectl_lavc_model(RdRcModel *m, const AVCodecContext *enc)
{
    AVRational fr = enc->framerate;
    m->fps = fr.num > 0 && fr.den > 0 ? av_q2d(fr) : 0;
    m->bframes = enc->max_b_frames > 0 ? enc->max_b_frames : 0;
    m->qcomp = enc->qcompress > 0 && enc->qcompress <= 1 ? enc->qcompress : 0.5;
    m->qmin = enc->qmin > 0 ? enc->qmin : 2;
    m->qmax = enc->qmax >= m->qmin ? enc->qmax : FFMAX(31, m->qmin);
    m->i_factor = enc->i_quant_factor != 0 ? enc->i_quant_factor : 1;
    m->i_offset = enc->i_quant_offset;
}

int rd_ratectl_lavc_append(char **buf, size_t *len, const char *line)
{
    size_t n = strlen(line);
    char *p;
    if (!n)
        return 0;
    if (!(p = av_realloc(*buf, *len + n + 1)))
        return AVERROR(ENOMEM);
    memcpy(p + *len, line, n + 1);
    *buf = p;
    *len += n;
    return 0;
}

/* One picture of the stats, in the rate control's terms. */
typedef struct Pic {
    double cplx;   ///< texture bits x pass-1 quantiser (lambda): bits at quantiser q are cplx / q
    double a;      ///< cplx^(1 - qcomp): rc_eq's tex^qComp makes the quantiser a / rate factor
    double other;  ///< motion vector and header bits: they do not follow the quantiser
    double qmin, qmax; ///< the quantiser's bounds for its type (lambda)
    int chunk;
} Pic;

typedef struct Pics {
    Pic *p;
    int n, cap;
} Pics;

static int add_chunk(Pics *ps, const char *stats, int chunk, const RdRcModel *m, int *count)
{
    const double l = FF_QP2LAMBDA;
    *count = 0;
    for (const char *p = stats; p && *p; ) {
        const char *end = strchr(p, ';');
        int type, itex, ptex, mv, misc;
        float q;
        if (sscanf(p, " in:%*d out:%*d type:%d q:%f itex:%d ptex:%d mv:%d misc:%d",
                   &type, &q, &itex, &ptex, &mv, &misc) == 6) {
            /* I pictures are held to i_quant_factor of the bounds (libavcodec's get_qminmax). */
            double f = type == AV_PICTURE_TYPE_I ? fabs(m->i_factor) : 1;
            double o = type == AV_PICTURE_TYPE_I ? m->i_offset : 0;
            Pic *x;
            if (ps->n == ps->cap) {
                int cap = ps->cap ? 2 * ps->cap : 1024;
                Pic *np = av_realloc_array(ps->p, cap, sizeof(*np));
                if (!np)
                    return AVERROR(ENOMEM);
                ps->p = np;
                ps->cap = cap;
            }
            x = &ps->p[ps->n++];
            x->cplx = FFMAX(0, (double)itex + ptex) * (q > 0 ? q : l);
            x->a = x->cplx > 0 ? pow(x->cplx, 1 - m->qcomp) : 0;
            x->other = (double)mv + misc;
            x->qmin = FFMAX(1, (m->qmin * f + o) * l);
            x->qmax = FFMAX(x->qmin, (m->qmax * f + o) * l);
            x->chunk = chunk;
            ++*count;
        }
        p = end ? end + 1 : NULL;
    }
    return 0;
}

/* A picture's bits at rate factor r (0: every picture at its largest
 * quantiser). */
static double pic_bits(const Pic *x, double r)
{
    double q = r > 0 ? x->a / r : x->qmax;
    if (x->cplx <= 0)
        return x->other;
    q = q < x->qmin ? x->qmin : q > x->qmax ? x->qmax : q;
    return x->cplx / q + x->other;
}

static double all_bits(const Pics *ps, double r)
{
    double b = 0;
    for (int k = 0; k < ps->n; k++)
        b += pic_bits(&ps->p[k], r);
    return b;
}

/* The rate factor whose bits meet `pool`: bisection in log scale (the
 * bits grow with it, between every picture at qmax and every one at qmin). */
static double rate_factor(const Pics *ps, double pool)
{
    double lo = 1e-12, hi = 1e12;
    if (all_bits(ps, lo) >= pool)
        return 0;
    if (all_bits(ps, hi) <= pool)
        return hi;
    for (int it = 0; it < 200 && hi / lo > 1 + 1e-9; it++) {
        double mid = sqrt(lo * hi);
        if (all_bits(ps, mid) > pool)
            hi = mid;
        else
            lo = mid;
    }
    return lo;
}

int rd_ratectl_lavc_share(RdRateCtl *rc, double video_bits)
{
    Pics ps = { 0 };
    double dur = 0, dur_free = 0, pool, r;
    int *count = NULL, ret = 0;

    if (!(video_bits > 0) || rc->n <= 0)
        return AVERROR(EINVAL);
    if (!(count = av_calloc(rc->n, sizeof(*count))))
        return AVERROR(ENOMEM);
    for (int i = 0; i < rc->n && ret >= 0; i++) {
        ret = add_chunk(&ps, rc->c[i].lavc_stats, i, &rc->model, &count[i]);
        dur += rc->c[i].duration_s;
        if (!count[i])
            dur_free += rc->c[i].duration_s;
    }
    if (ret >= 0 && !(dur > 0))
        ret = AVERROR(EINVAL);
    if (ret < 0)
        goto end;
    /* Chunks without stats (no picture coded) get the average rate. */
    pool = video_bits * (1 - dur_free / dur);
    r = rate_factor(&ps, pool);
    for (int i = 0; i < rc->n; i++) {
        rc->c[i].lavc_bits = 0;
        rc->c[i].lavc_floor = 0;
    }
    for (int k = 0; k < ps.n; k++) {
        rc->c[ps.p[k].chunk].lavc_bits += pic_bits(&ps.p[k], r);
        rc->c[ps.p[k].chunk].lavc_floor += pic_bits(&ps.p[k], 0);
    }
    for (int i = 0; i < rc->n; i++) {
        RdRcChunk *c = &rc->c[i];
        double d = c->duration_s > 0 ? c->duration_s : dur / rc->n;
        if (!count[i])
            c->lavc_bits = video_bits * d / dur;
        /* Pass 2 aims at bitrate x (pictures + B-frames) / fps. */
        c->bitrate = count[i] && rc->model.fps > 0
                   ? (int64_t)(c->lavc_bits * rc->model.fps / (count[i] + rc->model.bframes) + 0.5)
                   : (int64_t)(c->lavc_bits / d + 0.5);
        if (c->bitrate < 1000)
            c->bitrate = 1000;
    }
end:
    av_free(ps.p);
    av_free(count);
    return ret;
}

/* A chunk whose share is under this many times its bits at the largest
 * quantisers is coded at the largest quantiser (what its share comes to)
 * instead of by pass 2, which would refuse it. */
#define LAVC_FLOOR_MARGIN 1.02

int rd_ratectl_lavc_can_plan(const RdRateCtl *rc, int i)
{
    /* libavcodec's pass 2 refuses a share its pictures cannot fit in even
     * at the largest quantiser (and 5.1 then frees its rc_eq twice). */
    const RdRcChunk *c = &rc->c[i];
    return c->lavc_stats && c->lavc_len && c->lavc_bits > LAVC_FLOOR_MARGIN * c->lavc_floor;
}
