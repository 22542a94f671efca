/*
 * forcekf.h - -force_key_frames as the ffmpeg CLI 5.1 reads and applies it
 * (fftools/ffmpeg.c, do_video_out): a list of times and `chapters[+-D]`
 * (the output's chapter starts), `expr:EXPR` over n,
 * n_forced, prev_forced_n, prev_forced_t and t, or `source` (a frame that
 * was a keyframe in the input).
 *
 * The decision is made on the output frames in order, after the frame
 * sync, in the encoder's time base, so it depends on every frame before:
 * the engine runs it once over the frame sync's table (rd_forcekf_plan)
 * and hands the chunks the ticks to force and the plan the input frames a
 * chunk may start at (its first output frame forced: the chunk encoder's
 * own first keyframe is then one the CLI writes too).
 */
#ifndef RD_FORCEKF_H
#define RD_FORCEKF_H

#include <stdint.h>
#include <libavformat/avformat.h>
#include <libavutil/eval.h>
#include <libavutil/rational.h>

#include "engine/framesync.h"

/** The rule and its running state (one per stream, fed every output frame in order). */
typedef struct RdForceKf {
    int64_t *list;               ///< a list's times, encoder time base, ascending; owned
    int nlist, next;             ///< its size, and the first entry not yet used
    AVExpr *expr;                ///< expr:..., or NULL; owned
    double v[5];                 ///< n, n_forced, prev_forced_n, prev_forced_t, t
    int source;                  ///< 1: `source`
    int64_t ref;                 ///< the first frame's time (t counts from it); AV_NOPTS_VALUE before it
    AVRational tb;               ///< the encoder's time base
} RdForceKf;

/**
 * Read SPEC for encoder time base `tb`. "chapters[+-DELTA]" in a list
 * stands for the chapter starts of `chap`, the output's chapters as
 * ffmpeg sets them (rd_meta_chapters; NULL or none: no time). Returns 0
 * or AVERROR(EINVAL) with one line in err (errlen bytes);
 * rd_forcekf_free() either way.
 */
int rd_forcekf_open(RdForceKf *k, const char *spec, AVRational tb, const AVFormatContext *chap,
                    char *err, int errlen);

/**
 * The next output frame, at `pts` (encoder time base); `key` is 1 when it
 * is the first copy of an input frame the input had as a keyframe
 * (`source`). Returns 1 when it is to be a keyframe.
 */
int rd_forcekf_next(RdForceKf *k, int64_t pts, int key);

void rd_forcekf_free(RdForceKf *k);

/** What the engine hands on: the forced ticks and where chunks may start. */
typedef struct RdForceKfPlan {
    int64_t *ticks;              ///< forced output frames, encoder time base, ascending; owned
    int64_t nticks;
    uint8_t *anchor;             ///< per input frame of the table: 1 when a chunk starting there starts on a forced frame; owned
} RdForceKfPlan;

/**
 * Run SPEC over the frame sync's table (n input frames; `key` their
 * keyframe flags, may be NULL) in time base `tb`. Returns 0 or a negative
 * AVERROR (err as rd_forcekf_open); rd_forcekf_plan_free() either way.
 */
int rd_forcekf_plan(RdForceKfPlan *fp, const char *spec, AVRational tb, const AVFormatContext *chap,
                    const RdSyncFrame *table, const uint8_t *key, int64_t n, char *err, int errlen);

/** 1 when output frame `pts` is forced (a binary search of the ticks). */
int rd_forcekf_is_forced(const int64_t *ticks, int64_t nticks, int64_t pts);

void rd_forcekf_plan_free(RdForceKfPlan *fp);

#endif
