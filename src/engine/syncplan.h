/*
 * syncplan.h - which frame sync the output gets, as the ffmpeg CLI 5.1
 * resolves -fps_mode auto (vfr for AVI and containers with variable frame
 * rates, cfr for the others, vscfr for a cfr output of a one-stream
 * input), and, when the graph keeps every frame at its time, the sync run
 * once over the probed frame times: the table of each frame's copies that
 * the chunks follow (chunksync.h).
 */
#ifndef RD_SYNCPLAN_H
#define RD_SYNCPLAN_H

#include "engine/framesync.h"
#include "engine/probe.h"

typedef struct RdSyncPlanInput {
    const char *oformat;    ///< output muxer name, or NULL: from `output`
    const char *output;
    int keeps_frames;       ///< 1: the graph gives one frame per input frame, at its time
    int own_duration;       ///< 1: no filter was given: a frame lasts its packet's duration (ffmpeg)
    AVRational enc_fps;     ///< the encoder's frame rate (ticks of 1/enc_fps)
    AVRational sink_fps;    ///< the graph's output frame rate, 0/1 unknown
    int64_t max_frames;     ///< -frames:v, 0 = none
    int64_t limit_us;       ///< an output -t, AV_TIME_BASE units from the output's start; 0 = none
    const RdProbe *probe;
    int64_t offset;         ///< -itsoffset, AV_TIME_BASE units: the output's zero lies that much before the input's start
    int64_t cut_us;         ///< the output's -ss, AV_TIME_BASE units (in the probe's start too): ffmpeg takes it off at the encoder's precision
    int mode;               ///< -fps_mode given: RD_SYNC_NONE (passthrough), RD_SYNC_CFR or RD_SYNC_VFR as is; -1 = auto (rd_syncplan_mode)
} RdSyncPlanInput;

typedef struct RdSyncPlan {
    RdSyncConfig cfg;       ///< cfg.mode RD_SYNC_NONE: no sync
    RdSyncFrame *table;     ///< probe->nframes entries, or NULL: the chunks run the sync on their graph's output
    int64_t out_frames;     ///< frames the output gets (with a table)
} RdSyncPlan;

/** ffmpeg's -fps_mode auto for this output and an input of `streams` streams. */
int rd_syncplan_mode(const char *oformat, const char *output, int streams);

/** Fill `sp`. Returns 0 or AVERROR(ENOMEM). Free with rd_syncplan_free. */
int rd_syncplan_make(RdSyncPlan *sp, const RdSyncPlanInput *in);

void rd_syncplan_free(RdSyncPlan *sp);

#endif
