/*
 * pass.h - a quick parallel look at the input before the plan: slices of
 * frames decoded as chunks decode them, through a graph of the caller's,
 * each output frame handed back as its raw bytes (a rawvideo encoder), for
 * the plan's measures (scene cuts: scenes.h; the encoder's start
 * decisions: screen.h).
 */
#ifndef RD_PASS_H
#define RD_PASS_H

#include <stdint.h>

#include "engine/chunk.h"

/**
 * One slice's frames: res->pkts[k] is the raw picture of the k-th frame
 * the graph gave for input frames from `first` on, `expect` of them (a
 * slice that lost frames to damage gives fewer: which ones is not known). Runs in a worker thread: it may write
 * only what belongs to frames [first, first + res->n). Returns 0 or a
 * negative AVERROR.
 */
typedef int (*RdPassSlice)(void *opaque, int64_t first, int64_t expect, const RdChunkResult *res);

/**
 * Decode frames [0, n) of the input (`pts` their times, `t_after` the time
 * after the last) in slices of `slice` frames (the last one shorter), each
 * slice's decode starting
 * `back` frames early (a reference the measure needs), by `threads`
 * threads, through graph `vf` (it must end in the raw format the callback
 * reads), calling `cb` once per slice. `sh` gives the input; its graph and
 * encoder are not used. Returns 0 or a negative AVERROR with "WHAT: why"
 * in err.
 */
int rd_pass_run(const RdChunkShared *sh, const int64_t *pts, int64_t n, int64_t t_after, int threads,
                const char *vf, int64_t slice, int64_t back, RdPassSlice cb, void *opaque,
                const char *what, char *err, int errlen);

#endif
