#include "engine/cutprice.h"

#include <omp.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <libavcodec/avcodec.h>
#include <libavutil/common.h>
#include <libavutil/error.h>

#include "engine/gop.h"
#include "io/errline.h"

int rd_cutprice_applies(const char *vcodec, int sc_threshold, const AVDictionary *opts)
{
    const AVCodec *c = vcodec ? avcodec_find_encoder_by_name(vcodec) : NULL;
    const AVCodecDescriptor *d = c ? avcodec_descriptor_get(c->id) : NULL;

    if (rd_gop_x26x_cuts(vcodec, sc_threshold, opts)) /* they key cuts themselves */
        return 0;
    return c && c->type == AVMEDIA_TYPE_VIDEO && !(d && (d->props & AV_CODEC_PROP_INTRA_ONLY));
}

double rd_cutprice_of(const RdChunkResult *res)
{
    int64_t key = -1, rest = 0;
    int others = 0;
    for (int i = 0; i < res->n; i++) {
        if (key < 0 && (res->pkts[i]->flags & AV_PKT_FLAG_KEY))
            key = res->pkts[i]->size;
        else {
            rest += res->pkts[i]->size;
            others++;
        }
    }
    if (key < 0)
        return -1;
    /* libaom's 3-byte show-existing packets make the mean low: what is
     * priced is the keyframe against the frames coded around it. */
    return FFMAX(0.0, key - (others ? (double)rest / others : 0.0));
}

/* One cut: frames [a, a + RD_CUTPRICE_FRAMES) after `preroll` of look-back. */
static int price_one(const RdChunkShared *sh, const int64_t *pts, int64_t n, int64_t t_after,
                     int preroll, int64_t a, double *price, char *err, int errlen)
{
    int64_t s = FFMAX(0, a - preroll), b = FFMIN(n, a + RD_CUTPRICE_FRAMES);
    RdChunkJob job = { .index = 0, .t_seek = pts[s], .t_preroll = pts[s], .t_start = pts[a],
                       .expect_frames = b - a, .from_start = s == 0 };
    RdChunkResult res;
    int ret;

    job.t_end = job.t_postroll = b < n ? pts[b] : t_after;
    ret = rd_chunk_run(sh, &job, &res, NULL, NULL, err, errlen);
    if (ret >= 0) {
        double p = rd_cutprice_of(&res);
        price[a] = p > 0 ? p : 0;
    }
    rd_chunk_result_free(&res);
    return ret < 0 ? ret : 0;
}

int rd_cutprice_measure(const RdChunkShared *sh, const int64_t *pts, int64_t n, int64_t t_after,
                        int preroll, const int64_t *at, int m, int threads, double *price,
                        char *err, int errlen)
{
    _Atomic int ret = 0;

    #pragma omp parallel for num_threads(threads > 0 ? threads : 1) schedule(dynamic, 1)
    for (int j = 0; j < m; j++) {
        char e[RD_ERRLEN] = "";
        int r;
        if (ret < 0 || at[j] <= 0 || at[j] >= n)
            continue;
        r = price_one(sh, pts, n, t_after, preroll, at[j], price, e, sizeof(e));
        if (r < 0) {
            int ok = 0;
            if (atomic_compare_exchange_strong(&ret, &ok, r))
                snprintf(err, errlen, "pricing the keyframe at a scene cut: %s", *e ? e : av_err2str(r));
        }
    }
    return ret;
}
