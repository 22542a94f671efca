/*
 * run.c - one clip: settings, then per frame view -> fractal -> colour
 * conversion -> encode, then the rename (see gen.h).
 */
#include "gen/gen.h"
#include "gen/mandel.h"
#include "gen/writer.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <omp.h>
#include <libavutil/error.h>
#include <libavutil/mem.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>

void gen_settings_defaults(GenSettings *s)
{
    memset(s, 0, sizeof(*s));
    s->width    = 1280;
    s->height   = 720;
    s->fps      = (AVRational){ 30, 1 };
    s->duration = 20.0;
    s->gop      = 0;
    s->vcodec   = "libx264";
    s->pix_fmt  = AV_PIX_FMT_YUV420P;
    s->preset   = NULL;
    s->crf      = -1;
    s->audio    = 1;
    s->threads  = 0;
    s->output   = GEN_DEFAULT_OUTPUT;
}

int64_t gen_settings_frames(const GenSettings *s)
{
    return llrint(av_q2d(s->fps) * s->duration);
}

int gen_settings_gop(const GenSettings *s)
{
    if (s->gop > 0)
        return s->gop;
    long g = lrint(av_q2d(s->fps));
    return g < 1 ? 1 : (int)g;
}

/* RGB in, the frame's format out, with the matrix and range its stream is tagged with. */
static int make_scaler(struct SwsContext **sws, const AVFrame *f, enum AVPixelFormat src)
{
    *sws = sws_getContext(f->width, f->height, src, f->width, f->height, f->format,
                          SWS_BICUBIC | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INP,
                          NULL, NULL, NULL);
    if (!*sws)
        return AVERROR(EINVAL);
    if (f->colorspace == AVCOL_SPC_BT709) {
        const int *in = sws_getCoefficients(SWS_CS_DEFAULT);
        const int *out = sws_getCoefficients(SWS_CS_ITU709);
        int limited = f->color_range != AVCOL_RANGE_JPEG;
        if (sws_setColorspaceDetails(*sws, in, 1, out, !limited, 0, 1 << 16, 1 << 16) < 0)
            return AVERROR(EINVAL);
    }
    return 0;
}

static void show_progress(int64_t done, int64_t total, double elapsed)
{
    fprintf(stderr, "\r" GEN_NAME ": frame %lld/%lld (%.1f fps)   ",
            (long long)done, (long long)total, elapsed > 0 ? done / elapsed : 0.0);
}

/* Convert picture `index` from RGB and hand it to the encoder. */
static int encode_frame(GenWriter *w, struct SwsContext *sws, const uint8_t *rgb,
                        int linesize, int height, int64_t index, char *err, int err_size)
{
    AVFrame *f = gen_writer_frame(w);
    const uint8_t *src[4] = { rgb };
    const int src_stride[4] = { linesize };

    if (!f) {
        snprintf(err, err_size, "video frame: %s", av_err2str(AVERROR(ENOMEM)));
        return AVERROR(ENOMEM);
    }
    sws_scale(sws, src, src_stride, 0, height, f->data, f->linesize);
    return gen_writer_video(w, index, err, err_size);
}

int gen_run(const GenSettings *s, GenStats *stats, char *err, int err_size)
{
    double t0 = omp_get_wtime(), last_shown = 0.0;
    int64_t frames = gen_settings_frames(s), audio_samples = 0;
    const AVPixFmtDescriptor *pd = av_pix_fmt_desc_get(s->pix_fmt);
    int rgb48 = pd && pd->comp[0].depth > 8;
    enum AVPixelFormat src_fmt = rgb48 ? AV_PIX_FMT_RGB48 : AV_PIX_FMT_RGB24;
    int linesize = FFALIGN(s->width * 3 * (rgb48 ? 2 : 1), 64);
    int team = s->threads > 0 ? s->threads : omp_get_max_threads();
    GenWriter *w = NULL;
    GenMandel *m = NULL;
    GenMandelView view;
    struct SwsContext *sws = NULL;
    const AVFrame *f;
    uint8_t *rgb[2] = { NULL, NULL };
    int threads = 1, shown = 0, ret;

    if ((ret = gen_writer_open(&w, s, err, err_size)) < 0)
        goto end;
    if (!(m = av_malloc(sizeof(*m))) ||
        !(rgb[0] = av_malloc((size_t)linesize * s->height)) ||
        !(rgb[1] = av_malloc((size_t)linesize * s->height))) {
        ret = AVERROR(ENOMEM);
        snprintf(err, err_size, "frame buffers: %s", av_err2str(ret));
        goto end;
    }
    gen_mandel_init(m, s->width, s->height, rgb48, team);
    if (!(f = gen_writer_frame(w))) {
        ret = AVERROR(ENOMEM);
        snprintf(err, err_size, "video frame: %s", av_err2str(ret));
        goto end;
    }
    if ((ret = make_scaler(&sws, f, src_fmt)) < 0) {
        snprintf(err, err_size, "cannot convert %s to %s", av_get_pix_fmt_name(src_fmt),
                 av_get_pix_fmt_name(s->pix_fmt));
        goto end;
    }

    /*
     * A two-stage pipeline: while one thread converts and encodes picture
     * i (the encoder is single-threaded), the whole team computes picture
     * i + 1 into the other buffer, and the encoding thread joins the row
     * loop when it is done. Dynamic scheduling balances the two. Pictures
     * are still encoded strictly in order, each one complete.
     */
    gen_mandel_view(m, 0, frames, &view);
    threads = gen_mandel_render(m, &view, rgb[0], linesize);
    for (int64_t i = 0; i < frames; i++) {
        int have_next = i + 1 < frames, enc_ret = 0;

        if (s->cancel && *s->cancel) {
            ret = AVERROR_EXIT;
            snprintf(err, err_size, "interrupted");
            goto end;
        }
        if (have_next)
            gen_mandel_view(m, i + 1, frames, &view);
#pragma omp parallel num_threads(team)
        {
#pragma omp single nowait
            enc_ret = encode_frame(w, sws, rgb[i & 1], linesize, s->height, i, err, err_size);
            if (have_next)
                gen_mandel_rows(m, &view, rgb[(i + 1) & 1], linesize);
        }
        if ((ret = enc_ret) < 0)
            goto end;

        double now = omp_get_wtime() - t0;
        if (s->progress && (now - last_shown >= 0.25 || i + 1 == frames)) {
            show_progress(i + 1, frames, now);
            last_shown = now;
            shown = 1;
        }
    }
    if (shown) {
        fputc('\n', stderr);
        shown = 0;
    }
    if ((ret = gen_writer_finish(w, &audio_samples, err, err_size)) < 0)
        goto end;

    if (stats) {
        stats->frames        = frames;
        stats->audio_samples = audio_samples;
        stats->seconds       = omp_get_wtime() - t0;
        stats->threads       = threads;
    }
end:
    if (shown)
        fputc('\n', stderr);
    gen_writer_free(&w);
    sws_freeContext(sws);
    av_free(rgb[0]);
    av_free(rgb[1]);
    av_free(m);
    return ret;
}
