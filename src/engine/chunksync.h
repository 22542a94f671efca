/*
 * chunksync.h - a chunk's side of ffmpeg's frame sync (framesync.h): each
 * of its own output frames is sent to the encoder as many times as the
 * sync says, at the output ticks it says.
 *
 * Two ways. With a table (the engine ran the sync over the probed frame
 * times: a graph that keeps every frame and its time), a frame's copies
 * are looked up by the input frame it was made from. Without one (the
 * graph adds, drops or retimes frames, so only its output has the times),
 * the chunk runs the sync itself over every frame its graph gives until
 * its own end, pre-roll output included, from a state guessed at the
 * first (the true one for the first chunk). What it assumed and ended
 * with goes to the result, where the engine checks, chunk after chunk,
 * that the guess was the whole-stream state (rd_chunksync_join).
 */
#ifndef RD_CHUNKSYNC_H
#define RD_CHUNKSYNC_H

#include <libavutil/frame.h>

#include "engine/chunk.h"
#include "engine/framesync.h"

typedef struct RdChunkSync {
    const RdSyncConfig *cfg;     ///< NULL: no sync
    const RdChunkJob *job;
    AVRational otb, etb;         ///< graph output and encoder time bases
    int64_t shift;               ///< subtracted from output times (the file's start), otb
    int64_t cut_us;              ///< the output's -ss, AV_TIME_BASE units: taken off at the encoder's precision (rd_sync_time)
    double duration;             ///< a frame's duration in ticks (local sync)
    int started, seen_own;
    int64_t table_next;          ///< with the table: the first tick not yet written
    RdSyncState st;
    AVFrame *last;               ///< the last frame the graph gave (local sync: the previous frame's copies)
} RdChunkSync;

/** Send one frame, pts in the encoder's time base; returns 0 or a negative AVERROR. */
typedef int (*RdSyncSend)(void *opaque, AVFrame *f);

/**
 * Set up for input stream `itb`, graph output `otb`, encoder `enc_tb`,
 * graph frame rate `sink_fps`, the output starting at input time
 * `start_time` (AV_TIME_BASE) of which `cut_us` is the output's -ss.
 * cfg NULL: no sync.
 */
void rd_chunksync_init(RdChunkSync *cs, const RdSyncConfig *cfg, const RdChunkJob *job,
                       AVRational itb, AVRational otb, AVRational enc_tb, AVRational sink_fps,
                       int64_t start_time, int64_t cut_us);

/**
 * A frame from the graph: `own` under the keep rule, made from input frame
 * `src` (input time base; AV_NOPTS_VALUE: not known). Sends its copies.
 * Returns 0 or a negative AVERROR (the table has no such frame:
 * AVERROR_BUG, with a detail in err).
 */
int rd_chunksync_frame(RdChunkSync *cs, AVFrame *f, int own, int64_t src, RdChunkResult *res,
                       RdSyncSend send, void *opaque, char *err, int errlen);

/** End of the chunk's frames: the last chunk repeats its last frame as ffmpeg does at the end. */
int rd_chunksync_end(RdChunkSync *cs, RdChunkResult *res, RdSyncSend send, void *opaque);

void rd_chunksync_free(RdChunkSync *cs);

/**
 * The engine's check, in chunk order: `prev` is the whole-stream state
 * after the chunks before `res` (updated to the state after it). Returns 1
 * when `res` started from the whole-stream state (its frames are the
 * whole-stream run's), 0 when not.
 */
int rd_chunksync_join(RdSyncState *prev, const RdSyncConfig *cfg, const RdChunkResult *res);

#endif
