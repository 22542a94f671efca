#include "engine/ratectl_lavc.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
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
    if (!(ctx->flags & AV_CODEC_FLAG_QSCALE) && ctx->bit_rate > 0)
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

/* What one chunk's stats say, in the rate control's terms: its pictures,
 * the sum of c^qcomp over them (c: texture bits x pass-1 quantiser) and
 * the bits that do not follow the quantiser (motion vectors, headers). */
typedef struct Sums {
    int n;
    double cplx, other;
} Sums;

static Sums sums_of(const char *stats, double qcomp)
{
    Sums s = { 0, 0, 0 };
    for (const char *p = stats; p && *p; ) {
        const char *end = strchr(p, ';');
        int type, itex, ptex, mv, misc;
        float q;
        if (sscanf(p, " in:%*d out:%*d type:%d q:%f itex:%d ptex:%d mv:%d misc:%d",
                   &type, &q, &itex, &ptex, &mv, &misc) == 6) {
            double c = (double)(itex + ptex) * (q > 0 ? q : 1);
            s.n++;
            s.cplx += c > 0 ? pow(c, qcomp) : 0;
            s.other += (double)mv + misc;
        }
        p = end ? end + 1 : NULL;
    }
    return s;
}

int rd_ratectl_lavc_share(RdRateCtl *rc, double video_bits)
{
    double cplx = 0, other = 0, dur = 0, dur_free = 0, pool, k;
    if (!(video_bits > 0) || rc->n <= 0)
        return AVERROR(EINVAL);
    for (int i = 0; i < rc->n; i++) {
        Sums s = sums_of(rc->c[i].lavc_stats, rc->model.qcomp);
        dur += rc->c[i].duration_s;
        if (s.n) {
            cplx += s.cplx;
            other += s.other;
        } else
            dur_free += rc->c[i].duration_s;
    }
    if (!(dur > 0))
        return AVERROR(EINVAL);
    /* Chunks without stats (no picture coded) get the average rate. */
    pool = video_bits * (1 - dur_free / dur);
    /* Texture bits that meet the pool; with less than the motion and
     * header bits alone, every picture at its cheapest (shares as those). */
    k = pool > other && cplx > 0 ? cplx / (pool - other) : 0;
    for (int i = 0; i < rc->n; i++) {
        RdRcChunk *c = &rc->c[i];
        Sums s = sums_of(c->lavc_stats, rc->model.qcomp);
        double bits, d = c->duration_s > 0 ? c->duration_s : dur / rc->n;
        if (!s.n)
            bits = video_bits * d / dur;
        else if (k > 0)
            bits = s.cplx / k + s.other;
        else
            bits = other > 0 ? pool * s.other / other : pool / rc->n;
        /* Pass 2 aims at bitrate x (pictures + B-frames) / fps. */
        c->bitrate = s.n && rc->model.fps > 0 ? (int64_t)(bits * rc->model.fps / (s.n + rc->model.bframes) + 0.5)
                                              : (int64_t)(bits / d + 0.5);
        if (c->bitrate < 1000)
            c->bitrate = 1000;
    }
    return 0;
}
