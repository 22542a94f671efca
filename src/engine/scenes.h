/*
 * scenes.h - where the input's scenes change, so chunks can start there
 * (--split scenes): an encoder starts a new scene with a keyframe or
 * nearly one anyway, so a join on a cut costs no extra keyframe.
 *
 * Two sources. The index, for free: keyframes the input's encoder put off
 * its regular interval (x264's scenecut) and frames far larger than the
 * ones before them (a cut coded without a keyframe). And, for cuts the
 * index does not show (a fixed long GOP, scene detection off), a pixel
 * measure computed in parallel: each worker decodes a slice of the input
 * as chunks do, scaled to 64x36 grey, and scores each frame against the
 * one before it (mean absolute difference); a cut is a score far above
 * the scores around it.
 */
#ifndef RD_SCENES_H
#define RD_SCENES_H

#include <stdint.h>

#include "engine/chunk.h"

/**
 * Cuts the index shows (pure): cut[i] = 1 for frame i > 0 that is a
 * keyframe off the input's regular keyframe interval (off its grid from
 * frame 0 and not one interval after the keyframe before; every keyframe
 * when there is no regular interval; none when every frame is a
 * keyframe), or a non-keyframe larger than 2.5 times the largest of the 8
 * non-keyframes before it. `size` may be NULL. cut has n entries; entries
 * are only set, never cleared. Returns the cuts set.
 */
int64_t rd_scenes_from_index(const uint8_t *key, const int32_t *size, int64_t n, uint8_t *cut);

/**
 * Cuts from scores (pure): score[i] is frame i's difference from frame i-1
 * (mean absolute difference of 8-bit grey, 0..255; negative = unknown).
 * Frame i is a cut when its score is at least `min_score` and more than
 * 3 times both neighbours' scores. Sets cut[i]; returns the cuts set.
 */
int64_t rd_scenes_from_scores(const double *score, int64_t n, double min_score, uint8_t *cut);

/** The pixel measure's floor on a cut's score (grey levels). */
#define RD_SCENES_MIN_SCORE 12.0

/**
 * The pixel measure: frame i's score against frame i-1 for every frame,
 * decoded in slices by `threads` threads (each slice opens the input as a
 * chunk does, through the graph "scale=64:36,format=gray"), into score[n]
 * (score[0] = -1). `sh` gives the input (path, stream, time base, first
 * frame); its graph and encoder are not used. Returns 0 or a negative
 * AVERROR with a detail in err.
 */
int rd_scenes_measure(const RdChunkShared *sh, const int64_t *pts, int64_t n, int64_t t_after,
                      int threads, double *score, char *err, int errlen);

#endif
