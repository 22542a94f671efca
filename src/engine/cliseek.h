/*
 * cliseek.h - the first frame the ffmpeg CLI decodes after an input -ss.
 *
 * The CLI seeks its input with avformat_seek_file to the time asked and
 * decodes from the packet the demuxer lands on. A format with an index
 * lands on a keyframe; one that searches by time (MPEG-TS, MPEG-PS, raw
 * streams) lands on any packet, and the decoder then shows nothing until
 * it recovers (H.264 waits for its next keyframe). The CLI's output starts
 * at that picture, and its frame sync fills the hole before it by
 * repeating it. render's chunks decode from a keyframe and would show the
 * frames in the hole: a different file. So the probe asks here where the
 * CLI's pictures start, by doing what the CLI does: the same seek, the
 * same decoder, until the first random-access frame comes out.
 */
#ifndef RD_CLISEEK_H
#define RD_CLISEEK_H

#include <stdint.h>

#include "streams/tsjump.h"

/**
 * The CLI's input seek on PATH (video stream `vindex`, whose frames are
 * `pts` (presentation order, stream time base), `key` their random-access
 * flags, `n` of them) to the input's start plus `seek_s`, whose frames
 * start at `target` (stream time base). Sets *first to the time of the
 * first random-access frame the CLI's decoder gives (the CLI shows no frame
 * before it at or after `target`), or INT64_MIN when the CLI's frames at or
 * after `target` are those of a decode from a keyframe (the seek landed on
 * one, or failed and the CLI decodes from the start). Returns 0, or
 * AVERROR(ENOSYS) with the reason in `err` when the CLI would show pictures
 * its decoder made without their references (render cannot make the same
 * damaged pictures), or another negative AVERROR.
 */
int rd_cliseek_first(const char *path, int vindex, double seek_s, const RdTsJumps *jumps, int64_t target,
                     const int64_t *pts, const uint8_t *key, int64_t n,
                     int64_t *first, char *err, int errlen);

struct RdSettings;

/**
 * The input's start as the CLI reads it for the line `s` (video stream
 * `vindex`, -1: the CLI's): without an input -ss or -itsoffset, an MPEG-TS
 * or MPEG-PS starts where the streams the output uses start
 * (rd_tracks_cli_start). Sets *start (AV_TIME_BASE units) and returns 1
 * when that moves the file's start, else 0.
 */
int rd_cliseek_start(const struct RdSettings *s, int vindex, int64_t *start);

/**
 * The input's timestamp jumps as the CLI corrects them for the line `s`
 * (tsjump.h): one read of the streams it uses, in read order. decoded: 1
 * when the video is transcoded (the CLI decodes it), 0 for a copy. *pj is
 * NULL when the format has none. Fails as rd_tsjump_scan does.
 */
int rd_cliseek_jumps(const struct RdSettings *s, int vindex, int decoded, RdTsJumps **pj);

#endif
