/*
 * merge.h - the output file: chunks' packets in order, the other tracks
 * (tracks.h) interleaved,
 * written to a temporary name and renamed when complete.
 *
 * Each chunk's encoder starts its own decode timeline; joined as they are,
 * decode timestamps would step backwards at every join when the encoder
 * reorders frames (B-frames). The merge gives the whole stream one timeline
 * (timeline.h), from the packets the encoders produced, in the output
 * stream's time base: presentation times kept, dts <= pts and dts strictly
 * increasing across joins.
 */
#ifndef RD_MERGE_H
#define RD_MERGE_H

#include <stdint.h>
#include <libavcodec/avcodec.h>

#include "engine/chunk.h"
#include "streams/bsf.h"
#include "streams/codectag.h"
#include "streams/tracks.h"

typedef struct RdMerge RdMerge;

typedef struct RdMergeConfig {
    const char *output;            ///< final path; the muxer is chosen from its name
    const AVCodecContext *venc;    ///< an encoder opened like the chunks': stream parameters, time base, declared reorder depth
    AVRational fps;                ///< average frame rate to declare
    int64_t ts_offset;             ///< added to all timestamps, AV_TIME_BASE units
    const int32_t *matrix;         ///< display matrix to carry over, or NULL
    const RdTracksConfig *tracks;  ///< the other streams, tags and chapters to carry, or NULL for none
    int overwrite;                 ///< 1 = the final rename may replace an existing OUTPUT (-y); 0 = it fails instead
    const char *format;            ///< muxer name (-f), NULL = from the output's name
    const AVDictionary *mux_opts;  ///< muxer options (-movflags ...), NULL = none; one it does not know is an error
    int64_t max_vframes;           ///< -frames:v: when the video reaches this many frames the other tracks end where ffmpeg's reading stood when it closed the file (RdChunkResult.src_at_last, else the video's end); 0 = none
    AVRational src_tb;             ///< the input video stream's time base (src_at_last)
    int64_t src_at_last;           ///< -frames:v: the last input frame ffmpeg reads when known before the run (src_tb), AV_NOPTS_VALUE = none; the chunks' RdChunkResult.src_at_last may move it later
    int video_synced;              ///< 1: the video packets' times are already the output's (the frame sync's ticks count from the input's start): ts_offset is added to the other tracks only
    const RdBsfSpec *bsf;          ///< -bsf: bitstream filters per stream type, NULL = none
    const RdCodecTags *tags;       ///< -tag: codec tags to set before the header, NULL = none
    double cli_seek_s;             ///< -frames:v: the input -ss the CLI's decoder starts after, seconds; 0 = none
    int dec_threads;               ///< -frames:v: the CLI's video decoder threads (-threads before -i), 0 = auto
} RdMergeConfig;

/** The temporary name OUTPUT is written under until it is complete (OUTPUT.part-PID). */
void rd_merge_temp_name(char *buf, int len, const char *output);

/** Ask the output format (muxer `format`, NULL = from OUTPUT's name) whether it needs global headers; 0/1, or a negative AVERROR when it is unknown. */
int rd_merge_probe_format(const char *format, const char *output);

/** 1 when the output format (as above) counts time in frames (AVI: one packet a frame, no pts), else 0. */
int rd_merge_frame_ts(const char *format, const char *output);

/** 1 when the output format (as above) is the null muxer, which reads no packet's data, else 0. */
int rd_merge_null_out(const char *format, const char *output);

/**
 * Create the temporary file, the streams and the header. Returns 0 or a
 * negative AVERROR (detail in err); rd_merge_free() either way.
 */
int rd_merge_open(RdMerge **pm, const RdMergeConfig *cfg, char *err, int errlen);

/**
 * Write `oc`'s header with the user's muxer options: one the muxer did not
 * take is an error, never ignored; a codec the container cannot hold is
 * named. Returns 0 or a negative AVERROR with one line in err.
 */
int rd_merge_header(AVFormatContext *oc, const AVDictionary *mux_opts, char *err, int errlen);

/** Write the next chunk (in order). Packets are consumed. */
int rd_merge_write(RdMerge *m, RdChunkResult *r, char *err, int errlen);

/**
 * Remaining audio, trailer, close, rename to OUTPUT (never over a file that
 * appeared meanwhile, unless overwrite). *bytes gets the file size. Returns
 * 0 or a negative AVERROR with the cause in err.
 */
int rd_merge_finish(RdMerge *m, int64_t *bytes, char *err, int errlen);

/** Free; when not finished, the temporary file is removed. */
void rd_merge_free(RdMerge **pm);

#endif
