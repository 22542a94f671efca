/*
 * screen.h - where a libaom chunk may start cheaply. libaom (3.x, good
 * quality) decides on each keyframe, from that picture alone, whether the
 * stream is "screen content", and the frames up to the next keyframe keep
 * the decision: palette and intra block copy allowed, and speed features
 * that prune less. The CLI's one encode decides once, on the first frame.
 * A chunk is a new encode that decides on its own first frame: where that
 * frame reads otherwise than the first one, every frame of the chunk is
 * coded another way (on a zooming mandelbrot, 3.5 times the CPU for the
 * same seconds). So chunks start only on frames that read as the first
 * one does.
 *
 * The reading is libaom's published rule, measured on the luma the
 * encoder gets: a 16x16 block with 2 to 4 distinct values is "few
 * colours"; the picture is screen content when such blocks cover more than
 * a tenth of it. libaom 3.6 was seen to decide otherwise near that line
 * (8% read as screen content), so a reading within 30% of it is not
 * trusted either way, and no chunk starts there.
 */
#ifndef RD_SCREEN_H
#define RD_SCREEN_H

#include <stdint.h>

#include "engine/chunk.h"

/** How the 8-bit luma plane (w x h, `stride` bytes a row) reads by the
 *  rule above: 1 screen content, 0 not, -1 too close to the line to
 *  tell. Pure. */
int rd_screen_like(const uint8_t *y, int stride, int w, int h);

/**
 * Whether the plan should weigh the encoder's first-frame decision: the
 * encoder is libaom-av1 and no option of the user's fixes the content type
 * (tune-content, in -aom-params too). `opts` may be NULL.
 */
int rd_screen_applies(const char *vcodec, const AVDictionary *opts);

/**
 * Read every `step`-th frame of [0, n) (frame 0 always) through graph `vf`
 * (a chain of frame-local filters, or "null") in parallel, and set
 * anchor[i] = 1 for each read frame that reads as frame 0 does (frame 0
 * included); other entries are left as they are. `w` x `h` is the
 * encoder's size: a graph that gives another size reads nothing. Returns
 * the number of anchors set, or a negative AVERROR with a detail in err.
 */
int64_t rd_screen_anchors(const RdChunkShared *sh, const char *vf, const int64_t *pts, int64_t n,
                          int64_t t_after, int threads, int step, uint8_t *anchor, char *err, int errlen);

#endif
