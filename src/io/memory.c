#include "io/memory.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libavutil/error.h>
#include <libavutil/common.h>
#include <libavutil/imgutils.h>

/* What a worker costs besides frames: contexts, tables, libav's pools. */
#define WORKER_FIXED (24ll << 20)
/* The decoder: up to 16 H.264 references plus the frames in flight. */
#define DECODER_FRAMES 18
/* The filter graph: a frame in, a frame out and the pools between them. */
#define FILTER_IN_FRAMES 2
#define FILTER_OUT_FRAMES 4
/* Only this share of MemAvailable is planned for: the page cache, the
 * muxer and the reorder buffer's packets need the rest. */
#define USABLE 0.8

int64_t rd_memory_frame_bytes(int w, int h, enum AVPixelFormat fmt)
{
    int n = av_image_get_buffer_size(fmt, w, h, 1);
    int64_t min = (int64_t)w * h;
    return n > 0 && n > min ? n : min > 0 ? min * 3 : 0; /* unknown format or overflow: 3 bytes a pixel */
}

static int opt_int(const AVDictionary *opts, const char *key, int def)
{
    const AVDictionaryEntry *e = av_dict_get(opts, key, NULL, 0);
    return e ? atoi(e->value) : def;
}

double rd_memory_encoder_frames(const char *vcodec, const char *preset, const AVDictionary *opts)
{
    /* x264's presets: lookahead, B-frames, references (x264 --fullhelp). */
    static const struct { const char *name; int la, bf, ref; } x264[] = {
        { "ultrafast", 0, 0, 1 }, { "superfast", 0, 3, 1 }, { "veryfast", 10, 3, 1 },
        { "faster", 20, 3, 2 },   { "fast", 30, 3, 2 },      { "medium", 40, 3, 3 },
        { "slow", 50, 3, 5 },     { "slower", 60, 3, 8 },    { "veryslow", 60, 8, 16 },
        { "placebo", 60, 16, 16 },
    };
    int la = 40, bf = 3, ref = 3;

    if (!vcodec)
        return 8;
    if (!strcmp(vcodec, "libx264") || !strcmp(vcodec, "libx264rgb") || !strcmp(vcodec, "libx265")) {
        for (size_t i = 0; preset && i < sizeof(x264) / sizeof(x264[0]); i++)
            if (!strcmp(preset, x264[i].name)) {
                la = x264[i].la;
                bf = x264[i].bf;
                ref = x264[i].ref;
            }
        la = opt_int(opts, "rc-lookahead", opt_int(opts, "rc_lookahead", la));
        bf = opt_int(opts, "bf", opt_int(opts, "bframes", bf));
        ref = opt_int(opts, "refs", opt_int(opts, "ref", ref));
        /* Each held frame with its half-pel and low-resolution planes:
         * about 2.2 frame sizes (measured: 106 at medium, 48 frames held). */
        return 2.2 * (la + bf + ref + 2);
    }
    /* Other encoders: their references and a small queue. */
    return 8;
}

/* The graph's output for the largest input frame, before the autoscale:
 * the first frame's output size grown as the input grew (0 when the
 * input does not grow). */
static int64_t grown_out_bytes(const RdMemoryInput *in, int mw, int mh)
{
    double gw, gh;
    if ((mw <= in->in_w && mh <= in->in_h) || in->in_w <= 0 || in->in_h <= 0)
        return 0;
    gw = (double)in->out_w * FFMAX(mw, in->in_w) / in->in_w;
    gh = (double)in->out_h * FFMAX(mh, in->in_h) / in->in_h;
    return rd_memory_frame_bytes((int)FFMIN(gw, INT32_MAX / 4), (int)FFMIN(gh, INT32_MAX / 4),
                                 in->out_fmt);
}

int64_t rd_memory_worker_bytes(const RdMemoryInput *in)
{
    int mw = FFMAX(in->max_w, in->in_w), mh = FFMAX(in->max_h, in->in_h);
    int64_t fin = rd_memory_frame_bytes(mw, mh, in->in_fmt);
    int64_t fout = rd_memory_frame_bytes(in->out_w, in->out_h, in->out_fmt);
    double enc = rd_memory_encoder_frames(in->vcodec, in->preset, in->opts);
    return WORKER_FIXED + fin * (DECODER_FRAMES + FILTER_IN_FRAMES) +
           grown_out_bytes(in, mw, mh) * FILTER_OUT_FRAMES +
           (int64_t)(fout * (FILTER_OUT_FRAMES + enc));
}

int64_t rd_memory_available(void)
{
    FILE *f = fopen("/proc/meminfo", "r");
    char line[256];
    long long kb = -1;
    if (!f)
        return rd_memory_cgroup_room();
    while (fgets(line, sizeof(line), f))
        if (sscanf(line, "MemAvailable: %lld kB", &kb) == 1)
            break;
    fclose(f);
    int64_t avail = kb < 0 ? -1 : kb * 1024, room = rd_memory_cgroup_room();
    return room >= 0 && (avail < 0 || room < avail) ? room : avail;
}

int rd_memory_fit_workers(int64_t avail, int64_t per_worker, int want)
{
    double n;
    if (avail < 0 || per_worker <= 0)
        return want;
    n = avail * USABLE / per_worker;
    return n >= want ? want : (int)n;
}

void rd_memory_human(int64_t bytes, char *buf, int len)
{
    const char *u[] = { "B", "KiB", "MiB", "GiB", "TiB" };
    double b = (double)bytes;
    int i = 0;
    while (b >= 1024 && i < 4) {
        b /= 1024;
        i++;
    }
    snprintf(buf, len, i ? "%.1f %s" : "%.0f %s", b, u[i]);
}

int rd_memory_check(const RdMemoryInput *in, int workers, int busy, int automatic, int quiet,
                    const char *output, char *err, int errlen)
{
    int64_t per = rd_memory_worker_bytes(in), avail = rd_memory_available();
    int fit = rd_memory_fit_workers(avail, per, busy);
    char a[32], b[32], c[32];

    if (fit >= busy)
        return workers;
    rd_memory_human(per, a, sizeof(a));
    rd_memory_human(avail, b, sizeof(b));
    rd_memory_human(per * busy, c, sizeof(c));
    if (fit < 1) {
        char grow[64] = "";
        if (in->max_w > in->in_w || in->max_h > in->in_h)
            snprintf(grow, sizeof(grow), "; input frames up to %dx%d", FFMAX(in->max_w, in->in_w),
                     FFMAX(in->max_h, in->in_h));
        snprintf(err, errlen, "%s: one worker needs about %s (%dx%d frames, %.0f held by %s and "
                 "the filters%s), more than the %s of memory available", output, a, in->out_w,
                 in->out_h, rd_memory_encoder_frames(in->vcodec, in->preset, in->opts) + FILTER_OUT_FRAMES,
                 in->vcodec, grow, b);
        return AVERROR(ENOMEM);
    }
    if (!automatic) {
        snprintf(err, errlen, "%s: -w %d needs about %s (%s per worker, %dx%d frames), more than "
                 "the %s of memory available; at most -w %d fits", output, busy, c, a,
                 in->out_w, in->out_h, b, fit);
        return AVERROR(ENOMEM);
    }
    if (!quiet)
        fprintf(stderr, "render: %s: %d workers instead of %d: each needs about %s and %s of "
                "memory is available\n", output, fit, workers, a, b);
    return fit;
}
