/*
 * gop.h - keyframes where the user asked for them.
 *
 * With a fixed GOP (a keyframe every N frames and nowhere else: -g N with
 * scene cuts off, -sc_threshold 0, or x264-params keyint=N:scenecut=0)
 * one encoder puts keyframes on frames 0, N, 2N ... Every chunk starts
 * with a keyframe of its own, so chunks that start on that grid give the
 * same keyframes as one encoder. Without a fixed GOP the encoder decides
 * (scene cuts), and each join may add a keyframe: the report says how many.
 */
#ifndef RD_GOP_H
#define RD_GOP_H

#include <stdint.h>
#include <libavcodec/packet.h>
#include <libavutil/dict.h>

#include "engine/framesync.h"

/**
 * N when the settings fix the GOP (keyframe interval N, no scene-cut
 * keyframes) for `codec`, else 0. `gop`, `keyint_min`, `sc_threshold`:
 * the -g, -keyint_min and -sc_threshold settings (-1 = unset); `opts`:
 * encoder options (g, keyint_min, sc_threshold, x264-params/x264opts
 * keyint, scenecut, x265-params keyint/scenecut, svtav1-params
 * keyint/scd/irefresh-type), which win over them as they come later.
 * libx264/x265: keyint N with scene cuts off (x264 takes a negative
 * threshold as off); libsvtav1: -g N or keyint=N (it cuts no scenes unless
 * scd=1); libvpx, libvpx-vp9, libaom-av1: -g N -keyint_min N; FFmpeg's
 * MPEG-family encoders (mpeg1video, mpeg2video, mpeg4, h263 ...): -g N,
 * 12 by default, without B-frames (bf), scene changes aside
 * (rd_gop_scene_keys). Pure.
 */
int rd_gop_fixed(const char *codec, int gop, int keyint_min, int sc_threshold, const AVDictionary *opts);

/**
 * 1 when `codec` is libx264, libx264rgb or libx265 with its scene-cut
 * keyframes on: -sc_threshold and the scenecut of x264-params, x264opts or
 * x265-params (read as rd_gop_fixed reads them) do not turn them off. Pure.
 */
int rd_gop_x26x_cuts(const char *codec, int sc_threshold, const AVDictionary *opts);

/**
 * 1 when `codec` also codes an I frame where it finds a scene change and
 * counts its GOP afresh from there (FFmpeg's MPEG-family encoders unless
 * -sc_threshold is 1e9 or more): its grid (rd_gop_fixed) then holds only
 * up to the first such frame, and the chunks after it start where the
 * CLI's encoder has none. Pure.
 */
int rd_gop_scene_keys(const char *codec, int sc_threshold, const AVDictionary *opts);

/**
 * 1 when `codec` carries state over its I frames (FFmpeg's MPEG-family
 * encoders: the motion search of the first P frame after an I frame starts
 * from the vectors of the last P frame before it, so a fresh encoder on a
 * chunk's I frame searches otherwise from there on), and a warm-up can
 * stand in for it: frames before the chunk encoded and their packets
 * dropped. Not where frames may be skipped (skip_threshold, skip_factor):
 * the dropped packets are told by time, a skipped one has none. Pure.
 */
int rd_gop_warmup(const char *codec, const AVDictionary *opts);

/**
 * Keyframes of one chunk's packets (any order, with presentation times)
 * that are not on the grid: a keyframe's frame number is `first` (the
 * chunk's first frame in the joined stream) plus the packets shown before
 * it. Pure. Returns the count.
 */
int rd_gop_off_grid(AVPacket *const *pkts, int n, int64_t first, int grid);

/**
 * Where chunks may start on a fixed GOP of `grid` frames when the frame
 * sync does not keep input frames one for one (-r): anchor[i] (n entries)
 * is 1 when a chunk starting at input frame i starts with an output frame
 * on the grid (the first copy of the first frame at or after i that has
 * one is output frame 0, grid, 2*grid ...), as a single encoder counts
 * them. `table` is the sync's (framesync.h), n input frames. Pure.
 */
void rd_gop_anchor(const RdSyncFrame *table, int64_t n, int grid, uint8_t *anchor);

/**
 * Why `codec` with `opts` does not make a -force_key_frames frame a
 * keyframe, as the CLI runs it (chunks start on forced frames, so the
 * engine refuses the line), or NULL when it does. Pure; a static string.
 */
const char *rd_gop_forced_unkeyed(const char *codec, const AVDictionary *opts);

#endif
