#include "engine/scenes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libavutil/common.h>
#include <libavutil/error.h>

#include "engine/pass.h"

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

typedef struct Scores {
    double *score;
} Scores;

/* RdPassSlice: each frame's score against the one before it; a slice
 * that lost frames (damage) scores nothing rather than the wrong frames. */
static int score_slice(void *opaque, int64_t first, int64_t expect, const RdChunkResult *res)
{
    const Scores *sc = opaque;
    for (int64_t k = 1; res->n == expect && k < res->n; k++) {
        const AVPacket *p = res->pkts[k - 1], *q = res->pkts[k];
        int64_t sum = 0;
        if (p->size != THUMB_W * THUMB_H || q->size != THUMB_W * THUMB_H)
            break;
        for (int j = 0; j < THUMB_W * THUMB_H; j++)
            sum += abs(p->data[j] - q->data[j]);
        sc->score[first + k] = (double)sum / (THUMB_W * THUMB_H);
    }
    return 0;
}

int rd_scenes_measure(const RdChunkShared *sh, const int64_t *pts, int64_t n, int64_t t_after,
                      int threads, double *score, char *err, int errlen)
{
    Scores sc = { score };
    int64_t len = FFMAX(FFMIN(n / (threads > 0 ? threads * 4 : 4) + 1, SLICE_MAX), 32);
    for (int64_t i = 0; i < n; i++)
        score[i] = -1;
    return rd_pass_run(sh, pts, n, t_after, threads, "scale=64:36:flags=area,format=gray", len, 1,
                       score_slice, &sc, "scene detection", err, errlen);
}
