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
 * (tune-content, in -aom-params too), or libsvtav1 without `scm` in
 * svtav1-params (its automatic mode reads the same 16x16 rule: on the
 * 480x270 zoom a chunk from 16 s took 2.1 s for 60 frames, from 18 s 1.1 s).
 * `opts` may be NULL.
 */
int rd_screen_applies(const char *vcodec, const AVDictionary *opts);

/**
 * The anchors from readings (pure): flag[i] is frame i's reading (1, 0, -1
 * too close to call, < -1 not read). anchor[i] = 1 for cuts (cut may be
 * NULL) and for frames that read as the last frame the CLI's encoder
 * decided on: frame 0, or the first frame read at or after the last cut.
 * Entries already set stay; returns how many it set.
 */
int64_t rd_screen_agree(const int8_t *flag, const uint8_t *cut, int64_t n, uint8_t *anchor);

/**
 * Read every `step`-th frame of [0, n) (frame 0 always) through graph `vf`
 * (a chain of frame-local filters, or "null") in parallel, and set
 * anchor[i] = 1 for each read frame that reads as the CLI's encoder
 * decided for it: as frame 0 does, or after a scene cut (cut[i], may be
 * NULL: libaom puts a keyframe there and decides again) as the first frame
 * read after the cut; cut frames are anchors too. Other entries are left
 * as they are. The encoder's size is sh->out_w x out_h: a graph that gives
 * another size reads nothing. *nread gets the frames read. Returns the
 * number of anchors set (0 when frame 0 is too close to call or not
 * read), or a negative AVERROR with a detail in err.
 */
int64_t rd_screen_anchors(const RdChunkShared *sh, const char *vf, const int64_t *pts, int64_t n,
                          int64_t t_after, int threads, int step, const uint8_t *cut, uint8_t *anchor,
                          int64_t *nread, char *err, int errlen);

#endif
