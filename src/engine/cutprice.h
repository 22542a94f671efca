/*
 * cutprice.h - what a join on a scene cut adds to the output, for an
 * encoder that does not start every cut with a keyframe of its own.
 *
 * x264 and x265 key a scene cut themselves (scenecut), so a chunk that
 * starts on one costs them no extra keyframe. libaom keys only the cuts
 * its lookahead finds (two of five on a clip of six sources cut every
 * 3 s) and codes the others as inter frames at an inter frame's quality;
 * a chunk starting there writes a keyframe at a keyframe's quality, whose
 * price depends on the picture: 1.3 KB on colour bars, 84 KB on
 * cellauto's noise at 480x270 (the output's 13% on its own). No estimate
 * taken at the input's start foresees it, so the plan's joins on cuts are
 * priced by encoding a few frames from each with the run's encoder and
 * settings, in parallel, and a plan whose joins would add more than the
 * stated share of the output's bytes is not chosen.
 */
#ifndef RD_CUTPRICE_H
#define RD_CUTPRICE_H

#include <stdint.h>

#include <libavutil/dict.h>

#include "engine/chunk.h"

/** Frames encoded from a cut to price its keyframe (its size against a
 *  one-frame encode's: 1.4 to 2.4 times on the cut clip, and within 3%
 *  of a 16-frame encode's). */
#define RD_CUTPRICE_FRAMES 4

/**
 * Whether joins on cuts are priced for encoder `vcodec` (NULL: not): not
 * for libx264, libx264rgb and libx265 while their scene-cut detection is
 * on (gop.h rd_gop_x26x_cuts), nor for an encoder whose every frame is
 * a keyframe. Pure.
 */
int rd_cutprice_applies(const char *vcodec, int sc_threshold, const AVDictionary *opts);

/**
 * What a keyframe adds (pure): the first keyframe packet's bytes over the
 * mean of the chunk's other packets, >= 0; -1 when the packets hold no
 * keyframe.
 */
double rd_cutprice_of(const RdChunkResult *res);

/**
 * Price the joins at frames at[0..m) (> 0, < n): each runs as a chunk of
 * RD_CUTPRICE_FRAMES frames from its cut (after `preroll` frames of the
 * graph's look-back) with the run's decoder, graph and encoder, `threads`
 * at once, and price[at[j]] gets rd_cutprice_of() in bytes (0 when it
 * could not be told). `pts` are the n frames' times, `t_after` the time
 * after the last. Returns 0 or a negative AVERROR with a detail in err.
 */
int rd_cutprice_measure(const RdChunkShared *sh, const int64_t *pts, int64_t n, int64_t t_after,
                        int preroll, const int64_t *at, int m, int threads, double *price,
                        char *err, int errlen);

#endif
