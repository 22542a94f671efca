/*
 * tsfix.h - input timestamps as the ffmpeg CLI (5.1) makes them.
 *
 * libavformat hands over what the file has: raw elementary streams have no
 * timestamps, AVI with B-frames has decode times only, MPEG-TS timestamps
 * jump back at a reset or a join. The ffmpeg CLI then (a) predicts each
 * packet's decode time from the previous one and its duration, and sets it
 * on every packet before decoding, so that the decoder's best-effort frame
 * time is that prediction where the file has none; (b) for formats with
 * discontinuities (AVFMT_TS_DISCONT) shifts all later timestamps when a
 * packet's decode time is more than 10 s away from the prediction, or goes
 * back by more than 0.1 s, so that the timeline continues; (c) gives the
 * frames that come out of the drained decoder the predictions that follow.
 * The probe's scan and a chunk that decodes from the start of the file run
 * the same code, so they agree on every frame time.
 */
#ifndef RD_TSFIX_H
#define RD_TSFIX_H

#include <stdint.h>
#include <libavformat/avformat.h>

#include "streams/tsjump.h"

typedef struct RdTsFix {
    AVRational tb;           ///< stream time base
    int discont;             ///< the format may have discontinuities
    int64_t offset;          ///< added to every timestamp, stream tb
    int64_t next_dts;        ///< predicted decode time of the next packet, AV_NOPTS_VALUE = unknown
    int64_t last_dts;        ///< decode time of the previous packet
    int64_t frame_dur;       ///< nominal frame duration, stream tb (>= 1)
    int64_t last_ts;         ///< time of the last frame given out
    int jumps;               ///< discontinuities corrected so far
    const RdTsJumps *table;  ///< the input's one offset (tsjump.h), NULL = this stream's own
    RdTsPlace at;            ///< the last packet's place, for the table
} RdTsFix;

/**
 * Set up for stream `st` of `ic`. from_start: decoding begins at the first
 * packet of the file (the prediction then starts where the CLI's does);
 * otherwise it begins with the first timestamp seen.
 */
void rd_tsfix_init(RdTsFix *t, const AVFormatContext *ic, const AVStream *st, int from_start);

/**
 * Take the input's offsets from `table` (tsjump.h; NULL: none, the stream
 * corrects its own jumps) instead of finding them: the CLI has one offset
 * for all the streams it reads. Call after each rd_tsfix_init.
 */
void rd_tsfix_use(RdTsFix *t, const RdTsJumps *table);

/** Correct one packet of the stream in place (before it is decoded). */
void rd_tsfix_packet(RdTsFix *t, AVPacket *pkt);

/**
 * The time of a decoded frame whose best-effort timestamp is `ts`
 * (AV_NOPTS_VALUE when the decoder has none, e.g. while draining).
 */
int64_t rd_tsfix_frame(RdTsFix *t, int64_t ts);

#endif
