/*
 * report.h - what one run measured, and its JSON form (`--report FILE`).
 *
 * Filled by the engine; the sweep and the charts are built from it. Times
 * are wall-clock seconds from omp_get_wtime(); chunk start/end are relative
 * to the start of the run.
 */
#ifndef RD_REPORT_H
#define RD_REPORT_H

#include <stdint.h>
#include <stdio.h>
#include <cjson/cJSON.h>

typedef struct RdChunkReport {
    int index;              ///< chunk number, 0-based, in time order
    int worker;             ///< OpenMP thread number that ran it
    double start_s, end_s;  ///< wall time the worker spent on it, from run start
    double media_start_s;   ///< chunk start in the input, seconds from its start
    double media_end_s;     ///< chunk end (exclusive), seconds
    int64_t frames;         ///< frames encoded
    int64_t wasted_frames;  ///< frames decoded or pre-rolled, then thrown away
    int64_t bytes;          ///< encoded bytes
    double cost_share;      ///< --dry-run: the chunk's share of the planned cost (frames by compressed size, seek tax), 0..1; NaN in a run
    double cpu_s;           ///< CPU time of the worker's thread on it, seconds (wall end_s - start_s above it: waiting for a core or for memory); NaN = not measured
    int resumed;            ///< 1: taken from the --resume journal, not encoded in this run (worker -1, no times)
} RdChunkReport;

typedef struct RdReport {
    /* input */
    char input[1024];       ///< input path as given
    double duration_s;      ///< input video duration, seconds
    int width, height;      ///< coded frame size, pixels
    double fps;             ///< average frame rate
    int64_t frames;         ///< video frames in the input (after --duration-limit)
    char codec[32];         ///< input video codec name
    /* workload */
    char vf[512];           ///< filter graph
    char vcodec[64];        ///< video encoder
    char options[512];      ///< encoder options as "k=v:k=v"
    /* chunk contract of the graph (contract.h) */
    char contract[16];      ///< its kind: "local", "window", "timeline", "framenum", "recursive", "whole"
    int preroll;            ///< frames fed before each chunk and dropped (look-back, recursion)
    int postroll;           ///< frames fed after each chunk and dropped (look-ahead)
    int one_chunk;          ///< 1: the graph runs as one chunk
    int exact;              ///< 1: the chunks give the whole-stream frames exactly; 0: an approximation
    char contract_filter[64]; ///< the filter that forced one chunk or made the output approximate; "" = none
    char contract_why[192]; ///< why, e.g. "needs the whole stream"; "" = none
    /* execution */
    int workers_requested;  ///< threads asked for
    int threads;            ///< threads obtained (omp_get_num_threads() in the loop)
    char schedule[32];      ///< OpenMP schedule used, e.g. "dynamic,1"
    int nchunks;            ///< chunks run
    RdChunkReport *chunks;  ///< nchunks entries, owned (av_free)
    /* phases, seconds */
    double probe_s, plan_s, parallel_s, merge_tail_s, total_s;
    /* totals */
    int64_t frames_out;     ///< frames encoded in all
    int64_t wasted_frames;  ///< sum over chunks
    int64_t output_bytes;   ///< size of OUTPUT when done
    int resumed_chunks;     ///< chunks taken from the --resume journal (frames_out - resumed_frames were encoded in this run)
    int64_t resumed_frames; ///< their frames
    /* the plan's figures (startup.h, scenes.h): also in a run's report */
    char split[8];          ///< how chunks were cut: "cost", "time" or "scenes"
    int startup_measured;   ///< 1: the start-up figures below were measured (0: too few frames, or the plan was fixed)
    double startup_s;       ///< CPU one more chunk adds (opening, keyframe, encoder warm-up), seconds
    double startup_frame_s; ///< CPU of a steady-state frame, seconds
    double startup_bytes;   ///< bytes one more chunk adds (its keyframe over a steady frame)
    double startup_frame_bytes; ///< bytes of a steady-state frame
    double startup_enc_share; ///< the encoder's share of a steady frame's CPU, 0..1
    double start_share;     ///< the plan's start-ups over its work, 0..1
    double key_share;       ///< bytes the joins off a scene cut add, over the output's (estimate), 0..1
    double max_start, max_key_bytes; ///< the limits the planner kept those under (beyond one chunk per worker)
    int scene_cuts;         ///< scene cuts found in the input; -1 = not looked for
    int scene_cuts_index;   ///< of them, found from the input's keyframes and frame sizes alone
    int cut_joins;          ///< joins (chunk starts after the first) on a scene cut
    double replay_weight;   ///< a replayed frame against a processed one, as the plan weighed it (contract.h replay); 0 = no replay
    double replay_frame_s, replay_graph_s; ///< what the template measured of them: the graph's time for a replayed and a processed frame, seconds; 0 = not measured
    int recut_joins;        ///< joins moved at run time as the last round was taken (plan.h rd_plan_recut); 0 in a dry run
    int cuts_priced;        ///< scene cuts whose keyframe was priced for the plan (cutprice.h); -1 = not priced (the encoder keys cuts itself, or no cut)
    int cuts_dear;          ///< of them, cuts whose keyframe alone passes max_key_bytes: no chunk starts there
    int64_t start_reads;    ///< libaom: frames read for where a chunk may start (screen.h); -1 = not read
    int64_t start_anchors;  ///< of them, frames that read as the first one (chunks start only there)
    /* --dry-run */
    int dry_run;            ///< 1: probed and planned only; chunks are the plan (no worker, times, bytes)
    double predicted_speedup_est; ///< the same with the plan's own cost estimates (compressed sizes, seek tax)
    double chunk_open_s;      ///< measured: opening a chunk up to its first decoded frame and open graph/encoder, seconds
    double filter_frame_s;    ///< measured: the filter graph on the first frame, seconds
    /* rate control and keyframes (ratectl.h, gop.h) */
    const char *rc_mode;      ///< "none", "abr" (each chunk the bitrate), "two-pass" (analysis, then shares); NULL = none
    int64_t rc_bitrate;       ///< video bits/s aimed at (two passes with --target-size: derived); 0 = none
    double rc_pass1_s;        ///< wall time of the analysis pass, seconds; 0 = none
    int vbv_joins_redone;     ///< chunks encoded again from the VBV fill the previous chunk left
    int vbv_joins_short;      ///< chunks where the simulated VBV still ran dry (said on stderr)
    int gop_grid;             ///< frames of the fixed GOP the chunk starts sit on; 0 = no fixed GOP
    int encoder_warmup;       ///< input frames at most each chunk encodes before its own and drops, the encoder's warm-up (gop.h rd_gop_warmup); 0 = none
    int join_keyframes;       ///< keyframes the joins add beyond where one encoder puts them: at most chunks - 1 without a fixed GOP, 0 on its grid
    int remux;                ///< 1: -c:v copy: packets copied in one pass (remux.h), no chunks; frames_out counts the video packets
    int no_video;             ///< 1: no video (-vn, or an output ffmpeg writes the audio alone into): the other streams in that one pass, frames_out 0
    double predicted_speedup; ///< n / makespan of list-scheduling the plan on workers_requested workers (dynamic,1, uniform content, a wasted frame 0.3 of a processed one)
} RdReport;

/** Free what the report owns (the chunk array); the struct itself is the caller's. */
void rd_report_free(RdReport *r);

/** The "input" object (path, duration_s, width, height, fps, frames, codec); NULL on allocation failure. */
cJSON *rd_report_input_json(const RdReport *r);

/** One chunk's entry of "chunks_detail"; NULL on allocation failure. */
cJSON *rd_report_chunk_json(const RdChunkReport *c);

/** The plan of a --dry-run report as a table for people (stdout). */
void rd_report_print_plan(const RdReport *r, FILE *out);

/** Build the JSON tree (`render-report/1`; with dry_run, the plan: see docs/FORMATS.md); NULL on allocation failure. Caller frees with cJSON_Delete. */
cJSON *rd_report_to_json(const RdReport *r);

/**
 * Write JSON to PATH through a temporary file and rename, so a reader never
 * sees half a file. Returns 0 or a negative AVERROR.
 */
int rd_json_write_file(const cJSON *json, const char *path);

/**
 * rd_json_write_file(), and without `overwrite` a file that appeared at
 * PATH meanwhile is not replaced: AVERROR(EEXIST), nothing written.
 */
int rd_json_save(const cJSON *json, const char *path, int overwrite);

/**
 * Finish a file written to `tmp`: close it, then rename it to `path`. `ret`
 * is the writer's status so far; on any failure `tmp` is removed. Returns 0
 * or a negative AVERROR.
 */
int rd_file_commit(FILE *f, int ret, const char *tmp, const char *path);

/**
 * Create PATH's temporary file (PATH.tmp-PID, exclusively, registered for
 * signals; stale ones of dead processes removed) for rd_file_commit().
 * Returns the stream, or NULL with a negative AVERROR in *ret.
 */
FILE *rd_file_create(const char *path, char *tmp, int tmplen, int *ret);

/** Add a number, or null when it is not finite (JSON has no NaN). */
cJSON *rd_json_add_number(cJSON *obj, const char *name, double v);

#endif
