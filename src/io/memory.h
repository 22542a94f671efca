/*
 * memory.h - how much memory one worker needs, estimated before the run,
 * and how many workers the machine's free memory allows.
 *
 * A worker holds its own demuxer, decoder, filter graph and encoder. Their
 * memory is dominated by frames: the decoder's reference frames, the
 * filter graph's buffers, and what the encoder keeps (libx264 holds its
 * lookahead, B-frames and references, each with half-pel planes: measured
 * here at about 106 output-frame sizes at the medium preset, 320x240 to
 * 2000x2000). The estimate is a model, not a measurement; it is meant to
 * stop a run that cannot fit (a 16000x16000 scale) before it starts.
 */
#ifndef RD_MEMORY_H
#define RD_MEMORY_H

#include <stdint.h>
#include <libavutil/dict.h>
#include <libavutil/pixfmt.h>

typedef struct RdMemoryInput {
    int in_w, in_h;                 ///< decoded frame size, pixels
    enum AVPixelFormat in_fmt;      ///< decoder output format
    int out_w, out_h;               ///< filtered (encoded) frame size, pixels
    enum AVPixelFormat out_fmt;     ///< encoder input format
    const char *vcodec;             ///< encoder name
    const char *preset;             ///< encoder preset, NULL = its default
    const AVDictionary *opts;       ///< encoder options (rc-lookahead, bframes, ref ...), may be NULL
    int max_w, max_h;               ///< largest decoded frame size the input can have (0 = in_w/in_h), pixels
} RdMemoryInput;

/** Bytes of one frame of w x h in fmt (at least w*h). */
int64_t rd_memory_frame_bytes(int w, int h, enum AVPixelFormat fmt);

/** Frames (output-frame sizes) the encoder keeps, by name, preset and options. */
double rd_memory_encoder_frames(const char *vcodec, const char *preset, const AVDictionary *opts);

/**
 * Estimated bytes one worker needs (frames plus a fixed cost per worker).
 * The decoder and the graph's input are counted at the largest input
 * frame (max_w x max_h); when that is larger than the first, the graph's
 * output for it too, before the scale that brings it back to the first
 * frame's output size (the -autoscale default): a graph that keeps the
 * size gives frames of out_w*max_w/in_w x out_h*max_h/in_h there.
 */
int64_t rd_memory_worker_bytes(const RdMemoryInput *in);

/**
 * Memory this process may still use, bytes: MemAvailable from
 * /proc/meminfo, or less where a control group's limit (cgroup v2
 * memory.max less memory.current, v1 memory.limit_in_bytes less
 * memory.usage_in_bytes, the least over the group and its parents) leaves
 * less; -1 when neither is known.
 */
int64_t rd_memory_available(void);

/**
 * Room the control groups leave (see rd_memory_available), bytes; -1 when
 * there is no limit. The environment variable RENDER_TEST_CGROUP_ROOT, a
 * test hook only, replaces /sys/fs/cgroup.
 */
int64_t rd_memory_cgroup_room(void);

/**
 * Workers that fit: floor(avail * 0.8 / per_worker) clamped to [0, want].
 * avail < 0 (unknown) allows `want`. Pure.
 */
int rd_memory_fit_workers(int64_t avail, int64_t per_worker, int want);

/**
 * The worker count to run with. `busy` workers (those that get a chunk)
 * must fit in MemAvailable; when they do not, an `automatic` count is
 * lowered (one line on stderr unless `quiet`), while a count the user gave,
 * or one worker that cannot fit, is refused: AVERROR(ENOMEM) with the
 * estimate in err ("OUTPUT: ..."). Returns the count or the error.
 */
int rd_memory_check(const RdMemoryInput *in, int workers, int busy, int automatic, int quiet,
                    const char *output, char *err, int errlen);

/** "1.5 GiB"-style text of `bytes` into buf. */
void rd_memory_human(int64_t bytes, char *buf, int len);

#endif
