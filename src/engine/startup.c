#include "engine/startup.h"

#include <omp.h>
#include <stdio.h>
#include <string.h>
#include <libavutil/error.h>

static double share(double part, double whole)
{
    double x = whole > 0 ? part / whole : 0;
    return x > 0 ? (x < 1 ? x : 1) : 0;
}

void rd_startup_fit(RdStartup *s)
{
    double dn = (double)(s->frames[1] - s->frames[0]);

    s->measured = 1;
    s->frame_s = dn > 0 ? (s->cpu_s[1] - s->cpu_s[0]) / dn : 0;
    if (!(s->frame_s > 0)) /* the short chunk took longer: noise, no slope to trust */
        s->frame_s = s->frames[1] > 0 ? s->cpu_s[1] / s->frames[1] : 0;
    s->start_s = s->cpu_s[0] - s->frames[0] * s->frame_s;
    if (!(s->start_s > 0))
        s->start_s = 0;
    s->frame_bytes = dn > 0 ? (s->bytes[1] - s->bytes[0]) / dn : 0;
    if (!(s->frame_bytes > 0))
        s->frame_bytes = s->frames[1] > 0 ? (double)s->bytes[1] / s->frames[1] : 0;
    s->start_bytes = s->bytes[0] - s->frames[0] * s->frame_bytes;
    if (!(s->start_bytes > 0))
        s->start_bytes = 0;
    /* The longer chunk's share: its keyframe and warm-up weigh little there. */
    s->enc_share = share(s->enc_cpu_s[1], s->cpu_s[1]);
    s->dec_share = share(s->dec_cpu_s[1], s->cpu_s[1]);
}

double rd_startup_decode_weight(const RdStartup *s)
{
    if (!s->measured || !(s->cpu_s[1] > 0))
        return -1;
    return s->dec_share < 0.01 ? 0.01 : s->dec_share;
}

double rd_startup_preroll_weight(const RdStartup *s)
{
    double w;
    if (!s->measured || !(s->cpu_s[1] > 0))
        return -1;
    w = 1 - s->enc_share;
    return w < 0.05 ? 0.05 : w;
}

double rd_startup_frames(const RdStartup *s)
{
    return s->measured && s->frame_s > 0 ? s->start_s / s->frame_s : 0;
}

double rd_startup_key_frames(const RdStartup *s)
{
    return s->measured && s->frame_bytes > 0 ? s->start_bytes / s->frame_bytes : 0;
}


/* One measuring chunk, frames [0, m): its thread's CPU time and bytes. */
static int run_one(RdStartup *s, int i, const RdChunkShared *sh, const int64_t *pts,
                   char *err, int errlen)
{
    int64_t m = s->frames[i];
    RdChunkJob job = { .index = i, .t_seek = pts[0], .t_preroll = pts[0], .t_start = pts[0],
                       .t_end = pts[m], .t_postroll = pts[m], .expect_frames = m, .from_start = 1,
                       .timed = 1 };
    RdChunkResult res;
    double cpu = rd_chunk_thread_cpu_s();
    int ret = rd_chunk_run(sh, &job, &res, NULL, NULL, err, errlen);

    s->cpu_s[i] = rd_chunk_thread_cpu_s() - cpu;
    s->enc_cpu_s[i] = res.encode_cpu_s;
    s->dec_cpu_s[i] = res.decode_cpu_s;
    s->bytes[i] = res.bytes;
    rd_chunk_result_free(&res);
    return ret < 0 ? ret : 0;
}

int rd_startup_measure(RdStartup *s, const RdChunkShared *sh, const int64_t *pts, int64_t n,
                       int threads, char *err, int errlen)
{
    char e2[256] = "";
    int ret[2] = { 0, 0 };

    memset(s, 0, sizeof(*s));
    if (n < 2 * RD_STARTUP_LONG || threads < 1)
        return 0;
    s->frames[0] = RD_STARTUP_SHORT;
    s->frames[1] = RD_STARTUP_LONG;
    /* Both at once where two threads are there: the planning pause is the
     * longer chunk's, and each is timed on its own thread's clock. */
    #pragma omp parallel for num_threads(threads >= 2 ? 2 : 1) schedule(static, 1)
    for (int i = 0; i < 2; i++)
        ret[i] = run_one(s, i, sh, pts, i ? e2 : err, i ? (int)sizeof(e2) : errlen);
    if (ret[0] < 0 || ret[1] < 0) {
        if (ret[0] >= 0)
            snprintf(err, errlen, "%s", e2);
        memset(s, 0, sizeof(*s));
        return ret[0] < 0 ? ret[0] : ret[1];
    }
    rd_startup_fit(s);
    return 0;
}
