/*
 * framesync.h - the ffmpeg CLI's (5.1) video frame sync (fftools/ffmpeg.c,
 * do_video_out): the encoder counts time in ticks of the output frame rate,
 * and each frame the graph gives is written 0, 1 or more times so that
 * the output has at most one frame per tick (-fps_mode vfr: what "auto"
 * means for Matroska, WebM, AVI) or exactly one (cfr: MP4, MOV and every
 * container without variable frame rates; vscfr when the input file has
 * one stream: the first frame's own tick starts the grid). Pure logic on
 * frame times, step by step as ffmpeg runs it, and over a whole stream.
 */
#ifndef RD_FRAMESYNC_H
#define RD_FRAMESYNC_H

#include <stdint.h>
#include <libavutil/rational.h>

/** ffmpeg's -fps_mode, as "auto" resolves it per container; RD_SYNC_PASS is
 *  passthrough (every frame once, at its own time rounded to the encoder's
 *  tick), RD_SYNC_NONE no sync at all. */
enum { RD_SYNC_NONE = 0, RD_SYNC_CFR, RD_SYNC_VSCFR, RD_SYNC_VFR, RD_SYNC_PASS };

/** What one run of the sync needs besides the frame times. */
typedef struct RdSyncConfig {
    int mode;             ///< RD_SYNC_*; RD_SYNC_NONE: frames are written as the graph gives them
    double duration;      ///< a frame's duration in output ticks when it has none of its own (ffmpeg: the graph's frame rate over the encoder's, at most 1; 0 when the graph's is unknown)
    int64_t max_frames;   ///< -frames:v: frames written at most; 0 = no limit
    int64_t max_tick;     ///< an output -t: no frame is written at this tick or after it (ffmpeg's check_recording_time: the encoder stops there, whatever the graph gave); 0 = no limit
} RdSyncConfig;

/** The sync's state between frames (ffmpeg's ost->sync_opts, frame_number, last_nb0_frames). */
typedef struct RdSyncState {
    int64_t sync;         ///< the next output tick
    int64_t frames;       ///< frames written so far (only the first frame's rule and max_frames read it)
    int last_nb0[3];      ///< copies of the previous frame made at the last three frames
} RdSyncState;

/** What one frame gives: nb frames at ticks pts, pts + 1 ...; the first nb0 are copies of the previous frame. */
typedef struct RdSyncStep {
    int64_t pts;
    int nb, nb0;
} RdSyncStep;

/** The state before the first frame of the stream. */
void rd_sync_start(RdSyncState *st);

/** A state guessed in mid-stream at a frame at tick x (its own tick starts the count). */
void rd_sync_seed(RdSyncState *st, double x);

/**
 * A frame time as ffmpeg's sync sees it: `pts` in `tb` (already shifted so
 * that the input starts at 0) less the output's -ss `cut_us` (AV_TIME_BASE
 * units), in ticks of `enc_tb`, with ffmpeg's extra precision and its
 * nudge off exact midpoints. The cut is taken at that precision, as
 * ffmpeg takes it, not rounded to `tb` first: on a 1/25 stream -ss 0.7
 * puts the frame at 0.72 half a tick in, so the sync moves it to tick 1.
 */
double rd_sync_time(int64_t pts, AVRational tb, int64_t cut_us, AVRational enc_tb);

/** One frame at tick x lasting `duration` ticks. */
void rd_sync_step(RdSyncState *st, const RdSyncConfig *cfg, double x, double duration, RdSyncStep *out);

/** End of stream: the last frame is repeated out->nb times (the median of the last three repeats). */
void rd_sync_end(RdSyncState *st, const RdSyncConfig *cfg, RdSyncStep *out);

/**
 * A frame's duration in output ticks when it has none of its own, as
 * ffmpeg takes it: one frame of the graph's rate `sink_fps` in ticks of
 * `enc_fps`, at most 1; 0 when the graph's rate is unknown.
 */
double rd_sync_duration(AVRational sink_fps, AVRational enc_fps);

/** 1 when two states are the same for every frame still to come. */
int rd_sync_same(const RdSyncState *a, const RdSyncState *b);

/** One input frame's share of the output: `copies` frames at ticks pts, pts + 1 ... */
typedef struct RdSyncFrame {
    int64_t pts;
    int64_t copies;
} RdSyncFrame;

typedef struct RdSyncInput {
    const int64_t *pts;   ///< n frame times, ascending presentation order, in tb
    const int64_t *dur;   ///< each frame's own duration in tb (ffmpeg uses it when no filter is given), or NULL: cfg.duration
    int64_t n;
    AVRational tb;        ///< time base of pts
    int64_t start;        ///< the file's start time, tb units: ffmpeg's output starts there
    AVRational fps;       ///< the encoder's frame rate (> 0): ticks are 1/fps
    RdSyncConfig cfg;
    int64_t cut_us;       ///< the output's -ss, AV_TIME_BASE units, not in `start` (rd_sync_time)
} RdSyncInput;

/**
 * Run the sync over a whole stream: out[i] (n entries) gets what input
 * frame i becomes, its repeats at the end and the copies a later frame
 * makes of it included, so that the frames' copies in order are the
 * output. Returns the output frame count.
 */
int64_t rd_sync_table(const RdSyncInput *in, RdSyncFrame *out);

/**
 * The CFR sync's verdict on a stream (in->cfg.mode CFR or VSCFR; other
 * fields of cfg as given): *dups frames added, *drops frames dropped.
 * Returns *dups + *drops.
 */
int64_t rd_framesync_cfr(const RdSyncInput *in, int64_t *dups, int64_t *drops);

#endif
