/*
 * tsjump.h - one timestamp shift for the whole input, as the ffmpeg CLI
 * (5.1) makes it after an MPEG-TS reset or join.
 *
 * The CLI keeps ONE offset per input file (ts_offset). Whichever stream it
 * uses shows a jump first, in read order, moves that offset, and every later
 * packet of every stream gets it: the audio after a join follows the video's
 * correction, not its own (which differs by the audio's share of a frame).
 * A jump shows as (a) a stream's first packet more than 10 s away from the
 * last decode time of the file, or (b) a packet more than 10 s away from its
 * own stream's prediction, or more than 0.1 s behind its last decode time
 * or, for the video it decodes, behind its last picture's time, which is 0
 * until the first picture (video and audio only; every stream used moves
 * the file's last time).
 * Streams the output does not use are not read by the CLI and take no part.
 *
 * The table is built by one read of the file in read order and gives, per
 * stream, the offset in force at each packet, keyed by its place in the
 * file (RdTsPlace): a reader that sees only some streams applies the offset
 * the whole read gives (tsfix.h's rd_tsfix_use).
 */
#ifndef RD_TSJUMP_H
#define RD_TSJUMP_H

#include <stdint.h>
#include <libavformat/avformat.h>

typedef struct RdTsJumps RdTsJumps;

/* A packet's place in its stream: the file position of the last packet
 * that had one (a parser splits one MPEG-TS PES of AAC into packets of
 * which only the first has a position) and how many came after it. */
typedef struct RdTsPlace {
    int64_t pos;    ///< -1 = none seen yet
    int64_t sub;
} RdTsPlace;

/** Move `at` (one per stream, start { -1, 0 }) on to packet `pkt`. */
void rd_tsjump_place(RdTsPlace *at, const AVPacket *pkt);

/**
 * Read `path` as the CLI reads it with the streams used[i] != 0 on
 * (nb entries) and build the table. *pj is NULL when the format has no
 * discontinuities (AVFMT_TS_DISCONT). seek_s (seconds after the input's
 * start; 0 = none): the read starts where the CLI's input -ss seeks.
 * vdec: the video stream the CLI decodes (-1: none, a copy), whose first
 * packets are checked against the CLI's zero until its decoder, opened
 * with `threads` (0 = auto, as the CLI's), gives a picture.
 * Fails with AVERROR(ENOSYS) when a jump is found but the packets have no
 * file position to find it by.
 */
int rd_tsjump_scan(RdTsJumps **pj, const char *path, const uint8_t *used, int nb, double seek_s,
                   int vdec, int threads);

/** Offset in force at place `at` of stream `stream` (its time base); 0 for a NULL table. */
int64_t rd_tsjump_offset(const RdTsJumps *j, int stream, const RdTsPlace *at);

/** Jumps the CLI corrects in the file (0 for a NULL table). */
int rd_tsjump_count(const RdTsJumps *j);

void rd_tsjump_free(RdTsJumps **pj);

#endif
