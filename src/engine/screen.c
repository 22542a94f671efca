#include "engine/screen.h"

#include <stdio.h>
#include <string.h>
#include <libavutil/common.h>
#include <libavutil/mem.h>

#include "engine/pass.h"

#define BLK 16
#define FEW_COLOURS 4
#define SLICE_READS 16

int rd_screen_like(const uint8_t *y, int stride, int w, int h)
{
    int64_t few = 0;
    for (int r = 0; r + BLK <= h; r += BLK)
        for (int c = 0; c + BLK <= w; c += BLK) {
            uint8_t seen[256] = { 0 };
            int colours = 0;
            for (int i = 0; i < BLK && colours <= FEW_COLOURS; i++)
                for (int j = 0; j < BLK; j++) {
                    uint8_t v = y[(int64_t)(r + i) * stride + c + j];
                    colours += !seen[v];
                    seen[v] = 1;
                }
            few += colours > 1 && colours <= FEW_COLOURS;
        }
    /* few * BLK * BLK * 10 against w * h is libaom's line; a reading
     * near it is not trusted (libaom was seen to read 8% as screen
     * content on a zoom), so a margin of 30% either side. */
    if (few * BLK * BLK * 10 * 10 < (int64_t)w * h * 7)
        return 0;
    if (few * BLK * BLK * 10 * 10 > (int64_t)w * h * 13)
        return 1;
    return -1;
}

int rd_screen_applies(const char *vcodec, const AVDictionary *opts)
{
    const AVDictionaryEntry *e = av_dict_get(opts, "aom-params", NULL, 0);
    const AVDictionaryEntry *v = av_dict_get(opts, "svtav1-params", NULL, 0);
    if (vcodec && !strcmp(vcodec, "libsvtav1"))
        return !(v && strstr(v->value, "scm"));
    return vcodec && !strcmp(vcodec, "libaom-av1") && !av_dict_get(opts, "tune-content", NULL, 0) &&
           !(e && strstr(e->value, "tune-content"));
}

typedef struct Reading {
    int w, h, step;
    int8_t *flag;           ///< per frame: 0 natural, 1 screen, -1 too close to call, -2 not read
} Reading;

/* RdPassSlice: the read frames of a slice that came out whole. */
static int read_slice(void *opaque, int64_t first, int64_t expect, const RdChunkResult *res)
{
    const Reading *rd = opaque;
    if (res->n != (expect + rd->step - 1) / rd->step)
        return 0;
    for (int64_t k = 0; k < res->n; k++)
        if (res->pkts[k]->size == rd->w * rd->h)
            rd->flag[first + k * rd->step] = (int8_t)rd_screen_like(res->pkts[k]->data, rd->w, rd->w, rd->h);
    return 0;
}

int64_t rd_screen_agree(const int8_t *flag, const uint8_t *cut, int64_t n, uint8_t *anchor)
{
    int64_t set = 0;
    int ref = flag[0], pending = 0;
    for (int64_t i = 0; i < n; i++) {
        int ok = 0;
        if (i > 0 && cut && cut[i]) {
            ok = 1;
            pending = 1;
        }
        if (flag[i] >= -1 && pending) {
            ref = flag[i];
            pending = 0;
        }
        if (flag[i] >= 0 && flag[i] == ref)
            ok = 1;
        if (ok && !anchor[i]) {
            anchor[i] = 1;
            set++;
        }
    }
    return set;
}

int64_t rd_screen_anchors(const RdChunkShared *sh, const char *vf, const int64_t *pts, int64_t n,
                          int64_t t_after, int threads, int step, const uint8_t *cut, uint8_t *anchor,
                          int64_t *nread, char *err, int errlen)
{
    Reading rd = { sh->out_w, sh->out_h, step > 0 ? step : 1, NULL };
    char graph[4096];
    int64_t set = 0, slice;
    int ret;

    *nread = 0;
    if (rd.w <= 0 || rd.h <= 0 || n < 1)
        return 0;
    /* select's n counts from each slice's first frame: slices start on
     * multiples of the step, so the frames read are every step-th; a
     * slice keeps at most SLICE_READS pictures. */
    slice = FFMIN(n / (threads > 0 ? threads * 4 : 4) / rd.step + 1, SLICE_READS) * rd.step;
    if (snprintf(graph, sizeof(graph), "%s,select='not(mod(n\\,%d))',format=gray",
                 vf && *vf ? vf : "null", rd.step) >= (int)sizeof(graph))
        return 0;
    if (!(rd.flag = av_malloc(n)))
        return AVERROR(ENOMEM);
    memset(rd.flag, -2, n);
    ret = rd_pass_run(sh, pts, n, t_after, threads, graph, slice, 0, read_slice, &rd,
                      "reading the encoder's start frames", err, errlen);
    *nread = 0;
    for (int64_t i = 0; ret >= 0 && i < n; i++)
        *nread += rd.flag[i] >= -1;
    if (ret >= 0 && rd.flag[0] >= 0)
        set = rd_screen_agree(rd.flag, cut, n, anchor);
    av_free(rd.flag);
    return ret < 0 ? ret : set;
}
