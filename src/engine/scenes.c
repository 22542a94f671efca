#include "engine/scenes.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libavutil/common.h>
#include <libavutil/error.h>

#include "io/errline.h"

/* Thumbnails the pixel measure compares: small enough that scaling is a
 * fraction of decoding, large enough that a cut between two dark scenes
 * still moves the mean. */
#define THUMB_W 64
#define THUMB_H 36
/* A slice of frames one worker scores at a time (bounds its packets). */
#define SLICE_MAX 300

/* The keyframe interval most keyframes keep; 0 when none keeps one (the
 * encoder chose every keyframe: scene detection). */
static int64_t regular_interval(const uint8_t *key, int64_t n)
{
    int64_t prev = 0, nd = 0, best = 0, best_n = 0;
    int64_t *d = malloc(n * sizeof(*d));
    if (!d)
        return 0;
    for (int64_t i = 1; i < n; i++)
        if (key[i]) {
            d[nd++] = i - prev;
            prev = i;
        }
    for (int64_t i = 0; i < nd; i++) { /* few keyframes: quadratic is fine up to thousands */
        int64_t c = 0;
        if (nd > 4096 && i > 4096)
            break;
        for (int64_t j = 0; j < nd; j++)
            c += d[j] == d[i];
        if (c > best_n || (c == best_n && d[i] > best)) {
            best_n = c;
            best = d[i];
        }
    }
    free(d);
    return 2 * best_n > nd ? best : 0;
}

int64_t rd_scenes_from_index(const uint8_t *key, const int32_t *size, int64_t n, uint8_t *cut)
{
    int64_t found = 0, gop = regular_interval(key, n), prev = 0, nkey = 0;
    int32_t last[8] = { 0 };
    int nl = 0;

    for (int64_t i = 1; i < n; i++)
        nkey += !!key[i];
    for (int64_t i = 1; i < n; i++) {
        if (key[i]) {
            /* All-intra input: keyframes say nothing. A regular interval:
             * the keyframes off it (off its grid from frame 0, and not
             * one interval after the last keyframe) were the encoder's
             * choice. */
            if (nkey < n - 1 && gop != 1 && (!gop || (i % gop && i - prev != gop)) && !cut[i])
                cut[i] = 1, found++;
            prev = i;
            continue;
        }
        if (size && nl == 8) {
            int32_t mx = 0;
            for (int j = 0; j < 8; j++)
                mx = FFMAX(mx, last[j]);
            if (size[i] > 2.5 * mx && !cut[i])
                cut[i] = 1, found++;
        }
        if (size)
            last[nl < 8 ? nl++ : (int)(i % 8)] = size[i];
    }
    return found;
}

int64_t rd_scenes_from_scores(const double *score, int64_t n, double min_score, uint8_t *cut)
{
    int64_t found = 0;
    for (int64_t i = 1; i < n; i++) {
        double s = score[i], a = score[i - 1], b = i + 1 < n ? score[i + 1] : 0;
        if (s < min_score || s <= 3 * FFMAX(a, 0) || s <= 3 * FFMAX(b, 0))
            continue;
        if (!cut[i])
            found++;
        cut[i] = 1;
    }
    return found;
}

/* Frames [a, b) scored, decoding from a - 1 (the first one's reference). */
static int score_slice(const RdChunkShared *sh, const int64_t *pts, int64_t n, int64_t t_after,
                       int64_t a, int64_t b, double *score, char *err, int errlen)
{
    int64_t s = a > 0 ? a - 1 : 0;
    RdChunkJob job = { .index = 0, .t_seek = pts[s], .t_preroll = pts[s], .t_start = pts[s],
                       .expect_frames = b - s, .from_start = s == 0 };
    RdChunkResult res;
    int ret;

    job.t_end = job.t_postroll = b < n ? pts[b] : t_after;
    ret = rd_chunk_run(sh, &job, &res, NULL, NULL, err, errlen);
    /* A slice that lost frames (damage) scores nothing rather than the wrong frames. */
    if (ret >= 0 && res.n == b - s)
        for (int64_t k = 1; k < res.n; k++) {
            const AVPacket *p = res.pkts[k - 1], *q = res.pkts[k];
            int64_t sum = 0;
            if (p->size != THUMB_W * THUMB_H || q->size != THUMB_W * THUMB_H)
                break;
            for (int j = 0; j < THUMB_W * THUMB_H; j++)
                sum += abs(p->data[j] - q->data[j]);
            score[s + k] = (double)sum / (THUMB_W * THUMB_H);
        }
    rd_chunk_result_free(&res);
    return ret < 0 ? ret : 0;
}

int rd_scenes_measure(const RdChunkShared *sh, const int64_t *pts, int64_t n, int64_t t_after,
                      int threads, double *score, char *err, int errlen)
{
    RdEncodeConfig enc = *sh->enc;
    RdChunkShared th = *sh;
    int64_t len = n / (threads > 0 ? threads * 4 : 4) + 1, nslices;
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
    th.vf = "scale=64:36:flags=area,format=gray";
    th.enc = &enc;
    th.out_w = th.out_h = 0;
    len = FFMAX(FFMIN(len, SLICE_MAX), 32);
    nslices = (n + len - 1) / len;
    for (int64_t i = 0; i < n; i++)
        score[i] = -1;
    #pragma omp parallel for num_threads(threads > 0 ? threads : 1) schedule(dynamic, 1)
    for (int64_t k = 0; k < nslices; k++) {
        char e[RD_ERRLEN] = "";
        int r;
        if (ret < 0)
            continue;
        r = score_slice(&th, pts, n, t_after, k * len, FFMIN(n, (k + 1) * len), score, e, sizeof(e));
        if (r < 0) {
            int ok = 0;
            if (atomic_compare_exchange_strong(&ret, &ok, r))
                snprintf(err, errlen, "scene detection: %s", *e ? e : av_err2str(r));
        }
    }
    return ret;
}
