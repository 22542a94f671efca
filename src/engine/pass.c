#include "engine/pass.h"

#include <stdatomic.h>
#include <stdio.h>
#include <libavutil/common.h>
#include <libavutil/error.h>

#include "io/errline.h"

typedef struct Pass {
    const RdChunkShared *sh;
    const int64_t *pts;
    int64_t n, t_after, back;
    RdPassSlice cb;
    void *opaque;
} Pass;

/* Frames [a, b), decoding from `back` frames before a. */
static int run_slice(const Pass *p, int64_t a, int64_t b, char *err, int errlen)
{
    int64_t s = a > p->back ? a - p->back : 0;
    RdChunkJob job = { .index = 0, .t_seek = p->pts[s], .t_preroll = p->pts[s], .t_start = p->pts[s],
                       .expect_frames = b - s, .from_start = s == 0 };
    RdChunkResult res;
    int ret;

    job.t_end = job.t_postroll = b < p->n ? p->pts[b] : p->t_after;
    ret = rd_chunk_run(p->sh, &job, &res, NULL, NULL, err, errlen);
    if (ret >= 0)
        ret = p->cb(p->opaque, s, b - s, &res);
    rd_chunk_result_free(&res);
    return ret < 0 ? ret : 0;
}

int rd_pass_run(const RdChunkShared *sh, const int64_t *pts, int64_t n, int64_t t_after, int threads,
                const char *vf, int64_t slice, int64_t back, RdPassSlice cb, void *opaque,
                const char *what, char *err, int errlen)
{
    RdEncodeConfig enc = *sh->enc;
    RdChunkShared th = *sh;
    Pass p = { &th, pts, n, t_after, back, cb, opaque };
    int64_t len = slice > 0 ? slice : 1, nslices;
    _Atomic int ret = 0;

    enc.codec = avcodec_find_encoder(AV_CODEC_ID_RAWVIDEO);
    enc.crf = -1;
    enc.preset = NULL;
    enc.opts = NULL;
    enc.global_header = 0;
    enc.frame_ts = 0;
    enc.mastering = NULL;
    enc.light = NULL;
    if (!enc.codec)
        return AVERROR_ENCODER_NOT_FOUND;
    th.vf = vf;
    th.enc = &enc;
    th.out_w = th.out_h = 0;
    nslices = (n + len - 1) / len;
    #pragma omp parallel for num_threads(threads > 0 ? threads : 1) schedule(dynamic, 1)
    for (int64_t k = 0; k < nslices; k++) {
        char e[RD_ERRLEN] = "";
        int r;
        if (ret < 0)
            continue;
        r = run_slice(&p, k * len, FFMIN(n, (k + 1) * len), e, sizeof(e));
        if (r < 0) {
            int ok = 0;
            if (atomic_compare_exchange_strong(&ret, &ok, r))
                snprintf(err, errlen, "%s: %s", what, *e ? e : av_err2str(r));
        }
    }
    return ret;
}
