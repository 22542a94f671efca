/*
 * framesync.h - the ffmpeg CLI's (5.1) video frame sync for a constant
 * frame rate output (fftools/ffmpeg.c, do_video_out with -vsync cfr: what
 * "auto" means for MP4, MOV and the other containers without variable
 * frame rates): each frame is duplicated or dropped so that the output has
 * one frame per tick of the frame rate. Pure logic on the frame times.
 *
 * render does not duplicate or drop yet; the engine uses this to refuse,
 * in the ffmpeg form, a job whose output would differ from the CLI's.
 */
#ifndef RD_FRAMESYNC_H
#define RD_FRAMESYNC_H

#include <stdint.h>
#include <libavutil/rational.h>

typedef struct RdSyncInput {
    const int64_t *pts;   ///< n frame times, ascending presentation order, in tb
    int64_t n;
    AVRational tb;        ///< time base of pts
    int64_t start;        ///< the file's start time, tb units: ffmpeg's output starts there
    AVRational fps;       ///< the output frame rate (> 0)
    int vscfr;            ///< 1: the input file has one stream (ffmpeg's "vscfr": the first frame's own tick starts the grid)
} RdSyncInput;

/**
 * Run ffmpeg's constant-rate sync over the frame times (each frame lasting
 * one tick, as after a filter graph). *dups gets the frames it would add,
 * *drops the frames it would drop. Returns *dups + *drops.
 */
int64_t rd_framesync_cfr(const RdSyncInput *in, int64_t *dups, int64_t *drops);

#endif
