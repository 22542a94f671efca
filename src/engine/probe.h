/*
 * probe.h - what the plan needs to know about the input, read once.
 *
 * Opens the input, picks the best video stream and the first audio stream,
 * and scans the video packets (demuxing only, no decoding) for the
 * presentation timestamp, keyframe flag and size of every frame that a
 * decoder will show. The scan is the one serial pass over the file: it gives
 * exact frame times even for VFR, B-frames, edit lists and MPEG-TS, where an
 * index would give decode times or nothing. Timestamps are corrected as
 * the ffmpeg CLI corrects them (tsfix.h), and a keyframe counts only when
 * it is a real random-access point (rap.h).
 */
#ifndef RD_PROBE_H
#define RD_PROBE_H

#include <stdint.h>
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/rational.h>

#include "streams/tsjump.h"

typedef struct RdProbe {
    int vindex;                 ///< video stream index in the input
    int nb_streams;             ///< streams in the input file
    int aindex;                 ///< first audio stream index, -1 when none
    AVRational tb;              ///< video stream time base
    int64_t start_time;         ///< input start time, AV_TIME_BASE units (0 if unknown); output timestamps are shifted by it, as ffmpeg does
    int width, height;          ///< size of the first decoded frame (the output keeps it), pixels
    enum AVPixelFormat pix_fmt; ///< format of the first decoded frame
    int max_width, max_height;  ///< largest frame width and height the stream can have (sizes.h), >= width/height, pixels
    int first_seen;             ///< 1 when width/height/pix_fmt come from a decoded frame, 0: from the stream parameters
    AVRational fps;             ///< average frame rate (or r_frame_rate when unknown)
    AVRational guess_fps;       ///< the frame rate the ffmpeg CLI gives its filter graph (av_guess_frame_rate); 0/1 = unknown
    double duration_s;          ///< video duration covered by the frames, seconds
    char codec[32];             ///< video codec name
    int64_t nframes;            ///< frames found (after the limit)
    int64_t *pts;               ///< nframes ascending presentation timestamps, stream tb
    uint8_t *key;               ///< key[i] != 0: decoding can start at frame i's packet (a real random-access point, rap.h)
    int32_t *size;              ///< packet size of frame i, bytes (a cost estimate)
    int64_t *dur;               ///< duration of frame i's packet, stream tb (0 = none; ffmpeg's frame sync reads it)
    int64_t last_duration;      ///< duration of the last frame, stream tb
    int64_t eof_duration;       ///< where the CLI ends the graph's input, after the last frame shown, stream tb (0: at that frame; its packet's duration, else a frame at the decoder's rate)
    int64_t head;               ///< frames before the seek point (-ss) left out of pts/key/size/dur; 0 = none
    int64_t *lead;              ///< an output -ss: the times of the frames left out between the input's own seek point and the output's (a look-back graph's pre-roll), nlead entries, ascending; NULL = none
    int64_t nlead;
    int64_t t_after;            ///< pts of the first frame cut off by the limit, INT64_MAX when none
    int64_t t_limit;            ///< an input's -t: its first frame's time plus the limit, stream tb (where times jump, the first frame at or past it ends the input, as ffmpeg's trim ends); INT64_MAX: none
    int64_t scan_stop;          ///< where a limit's scan horizon stopped the scan: the time of the first packet past it, stream tb; INT64_MAX: read to the end
    int64_t ntrail;             ///< an output -t: frames after it that ffmpeg's graph still sees (its trim runs after the graph: a look-ahead's post-roll), at pts[nframes ...]
    int64_t t_trail_end;        ///< pts of the first frame after those (the input's own limit), INT64_MAX when none
    int timestamps_ok;          ///< 0 when packets lack timestamps, share one, or the timeline jumps: only one chunk is possible
    int jumps;                  ///< timestamp discontinuities corrected as the ffmpeg CLI does (tsfix.h)
    int64_t promised;           ///< frames the file promises (index, scan, gaps of a regular stream), >= nframes before the limit
    AVCodecParameters *par;     ///< video stream parameters (owned)
    int has_matrix;             ///< 1 when the stream carries a display matrix
    int32_t matrix[9];          ///< display matrix (rotation), when has_matrix
} RdProbe;

/** Which frames of the input a run takes (-ss, -t, -to; seconds, 0 = none). */
typedef struct RdProbeCut {
    double seek_s;       ///< the frames at or after the input's start plus seek_s (input and output -ss together)
    double seek_out_s;   ///< the output's part of seek_s (<= seek_s)
    double limit_s;      ///< the frames in the first limit_s seconds from the first frame at or after the input's own seek (seek_s - seek_out_s)
    double out_limit_s;  ///< the frames before the input's start plus seek_s plus out_limit_s (an output -t counts from the output's start, not from its first frame)
    int has_start;       ///< 1: `start` is the input's start (rd_tracks_cli_start), not the file's
    int64_t start;       ///< AV_TIME_BASE units, when has_start
    AVRational rate;     ///< output -r: the encoder's ticks out_limit_s is checked on; 0/0 = the input's frame rate
    const RdTsJumps *jumps; ///< the input's timestamp jumps as the CLI corrects them (tsjump.h); NULL = the video's own
    int64_t vframes;     ///< -frames:v with no graph: the scan reads no further than those frames need (and a margin); 0 = no such bound
    double scan_s;       ///< > 0: the scan stops this far past the seek point (frames kept: all it read; a chunk from the start reads on past them); 0 = no such bound
} RdProbeCut;

/**
 * Probe PATH and keep the frames `cut` says (may be NULL: all), as ffmpeg
 * 5.1's accurate seek and its trims keep them; start_time moves to the
 * seek point (output times start at 0 there).
 * Returns 0 or a negative AVERROR; on failure `err` (errlen bytes) may hold
 * a specific reason ("no video stream", "file ends early: ..."). The caller
 * frees with rd_probe_free() in both cases.
 */
int rd_probe_open(RdProbe *p, const char *path, const RdProbeCut *cut, char *err, int errlen);

void rd_probe_free(RdProbe *p);

/** The video decoder as the ffmpeg CLI opens it (the stream's parameters,
 *  no options), one thread: the probe's and cliseek's. *dec may be set on
 *  failure (avcodec_free_context it). */
int rd_probe_open_decoder(AVCodecContext **dec, const AVStream *st);

#endif
