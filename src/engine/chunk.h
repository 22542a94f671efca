/*
 * chunk.h - the parallel loop's body: one time range of the input, from its
 * own demuxer through seek, decode, filter and encode, into packets.
 *
 * Everything a chunk touches is either the read-only RdChunkShared or its
 * own: it opens the input again (the "virtual split": no split files).
 */
#ifndef RD_CHUNK_H
#define RD_CHUNK_H

#include <stdatomic.h>
#include <stdint.h>
#include <libavcodec/avcodec.h>

#include "engine/encode.h"
#include "engine/framesync.h"
#include "engine/progress.h"
#include "streams/tsjump.h"

/** A chunk of a graph that numbers frames (sh->numbered) starts after a
 *  new frame size, where the CLI's numbers restart: the engine renders
 *  the whole input again as one chunk. */
#define RD_ERR_RENUMBER FFERRTAG('R', 'N', 'U', 'M')

/** Read-only settings shared by all chunks of a run. */
typedef struct RdChunkShared {
    const char *path;           ///< input file
    int vindex;                 ///< video stream index
    AVRational tb;              ///< video stream time base
    const char *vf;             ///< filter graph
    int numbered;               ///< 1: the graph's links count frames from each job's first_index (contract.h numbered)
    int prime;                  ///< 1: a chunk not starting at the whole run's first frame feeds its graph one frame at prime_pts first, and throws its output away (contract.h prime)
    int64_t prime_pts;          ///< with prime or replay: the whole run's first frame time, stream tb
    int replay;                 ///< 1: a chunk feeds its graph every frame from prime_pts up to its pre-roll first, at frozen times, and throws their output away (contract.h replay); its job's first_index counts them
    int replay_measure;         ///< with replay: the template times a replayed frame against a processed one (a replayed filter that retimes makes almost no frame of a replay; one that keeps times makes each, at a processed frame's cost)
    int autorotate;             ///< 1: turn the pixels as the display matrix says before the graph (the ffmpeg CLI's autorotation); 0: leave them
    const RdEncodeConfig *enc;  ///< encoder configuration
    _Atomic int *stop;          ///< non-zero: give up soon (an error in another chunk)
    _Atomic int *cancel;        ///< non-zero: the user interrupted; may be NULL
    int in_w, in_h, in_fmt;     ///< size and format of the file's first decoded frame; in_w 0 = unknown
    int out_w, out_h, out_fmt;  ///< what the first frame's graph gives the encoder (the template's); out_w 0 = unknown.
                                ///< Frames of another size or format than the first are scaled into it, as the ffmpeg CLI does
    struct RdRateCtl *rc;       ///< rate control across chunks (ratectl.h): chunk i touches only entry i; NULL = none
    const RdSyncConfig *sync;   ///< ffmpeg's frame sync for the output (framesync.h), NULL = none: frames keep their times
    int64_t start_time;         ///< the input's start, AV_TIME_BASE units: the sync's output starts there
    int64_t cut_us;             ///< of which the output's -ss (rd_sync_time takes it at the encoder's precision)
    const int64_t *forced;      ///< -force_key_frames: the output frames (encoder time base, ascending) to encode as keyframes; with the sync's table only; NULL = none
    int64_t nforced;
    const RdTsJumps *jumps;     ///< the input's timestamp jumps as the CLI corrects them (tsjump.h); NULL = the video's own
    int tmpl_pass1;             ///< 1: the template's encoder runs x264's first pass at -b:v on rc's entry 0 (rc_pass 3), as the chunks of -pass 1's OUTPUT do (their headers differ from a plain encoder's)
} RdChunkShared;

/**
 * One chunk's range, input stream time base: what it decodes, feeds to its
 * graph and keeps (the chunk contract, contract.h).
 *
 *     t_seek <= t_preroll <= t_start < t_end <= t_postroll
 *     decode from the keyframe at or before t_seek; feed [t_preroll, t_postroll)
 *     to the graph, then flush it; keep the output frames made from [t_start, t_end)
 *
 * Keep rule: every frame fed to the graph carries a tag (AVFrame.opaque,
 * which av_frame_copy_props() and av_frame_clone() carry through filters)
 * naming the input frame it is; an output frame is kept when the input
 * frame its tag names is the chunk's own, t_start <= pts < t_end. A frame
 * a filter made without copying the tag (tmix, tmedian, lagfun ... build
 * new frames) is kept when its own time, in the graph's output time base,
 * is in [t_start, t_end): such filters keep their input's times, so that
 * is the frame's place on the whole-stream timeline. So each output frame
 * of a retiming filter (fps, setpts, yadif=1, framerate ...) comes from
 * exactly one chunk, with the time the whole-stream run gives it, as long
 * as pre-roll and post-roll cover the filters' look-back and look-ahead.
 */
typedef struct RdChunkJob {
    int index;                  ///< chunk number
    int64_t t_seek;             ///< decoding starts at the keyframe at or before this pts
    int64_t t_preroll;          ///< frames from here on are fed to the graph (<= t_start): look-back
    int64_t first_index;        ///< with sh->numbered, sh->prime or sh->replay: the whole run's number of the frame at t_preroll (the graph's links count from it; a replay feeds as many frames before it); 0 otherwise
    int64_t t_start, t_end;     ///< the chunk's own frames: t_start <= pts < t_end (t_end INT64_MAX for the last)
    int64_t t_postroll;         ///< frames in [t_end, t_postroll) are fed after the chunk's own, for look-ahead (= t_end: none; INT64_MAX: to the end of the input)
    int warm;                   ///< 1: the output of the frames in [t_warm, t_start) is encoded before the chunk's own, their packets dropped, and the first own frame coded as an I frame: the encoder's warm-up (gop.h rd_gop_warmup); 0 = none
    int64_t t_warm;             ///< with warm: where the warm-up starts (>= t_preroll)
    int64_t last_duration;      ///< duration of the last frame when t_end is INT64_MAX
    int64_t eof_duration;       ///< when t_end is INT64_MAX: the graph's input ends this long after the last frame (probe.h)
    int retimed;                ///< 1: the graph does not keep its input's times (contract.h keeps_times 0), so t_end is no output time: the last own packet lasts until the next output frame the post-roll showed (join_next), else one frame; 0: until t_end
    int64_t expect_frames;      ///< frames the probe found in [t_start, t_end)
    int from_start;             ///< 1: read from the beginning of the file, no seek
    int64_t max_frames;         ///< > 0: stop after this many frames in range (a time limit where times are made up); 0 = none
    int64_t t_limit;            ///< with max_frames: a frame at or past this time stops the chunk too (an input -t where the timeline jumps: ffmpeg's trim ends at the first frame past it, whatever follows); INT64_MAX: none
    int64_t own_frames;         ///< > 0: only the first so many frames fed are the chunk's (the rest, up to max_frames, are a look-ahead's post-roll past an output -t where times are made up); 0 = by time
    int timed;                  ///< 1: the decoder's and encoder's calls are timed into the result's decode_cpu_s and encode_cpu_s (the start-up measure); 0: not (they stay 0)
    int rc_pass;                ///< 0: one pass; 1: analysis (x264 pass 1, stats written); 2: x264 pass 2 on the chunk's stats; 3: x264 pass 1 at the chunk's share (-pass 1's OUTPUT, after the analysis)
    int64_t rc_bitrate;         ///< this chunk's bits/s (its share), 0 = the shared setting
    double rc_vbv_init;         ///< VBV fill the chunk starts from, fraction of bufsize; 0 = the encoder's default
    const RdSyncFrame *sync;    ///< with sh->sync: the copies of each own input frame (the engine's table), nsync entries; NULL = the chunk runs the sync itself (chunksync.h)
    const int64_t *sync_src;    ///< the input frame times the entries of `sync` belong to, ascending
    int64_t nsync;
    int64_t sync_end;           ///< with `sync`: the output tick the next chunk starts at, encoder time base; INT64_MAX for the last
} RdChunkJob;

/** Encoded packets of one chunk, in decode order, encoder time base. */
typedef struct RdChunkResult {
    int index;                  ///< chunk number
    AVPacket **pkts;            ///< n packets, owned
    int n, cap;
    int64_t decoded;            ///< frames decoded inside the chunk's range (expect_frames when all went well)
    int64_t frames;             ///< frames encoded
    int64_t wasted;             ///< frames decoded or filtered, then dropped
    int64_t bytes;              ///< sum of packet sizes
    int reorder_depth;          ///< how far decode order runs ahead of presentation order
    int64_t damaged;            ///< packets or frames the demuxer or decoder flagged as damaged
    double encode_cpu_s;        ///< with job->timed: of that, in the encoder (frames sent, packets received), seconds
    double decode_cpu_s;        ///< with job->timed: and in the decoder (packets sent, frames received), seconds
    double cpu_s;               ///< CPU time of the thread that ran it, seconds (the encoder runs one thread, so this is the chunk's CPU); 0 = not measured
    int64_t join_first;         ///< time of its first kept output frame, graph output time base; AV_NOPTS_VALUE = none
    int64_t join_next;          ///< time of the first output frame after its own (made from post-roll): the next chunk's join_first when the contract holds; AV_NOPTS_VALUE = none
    int sync_own;               ///< a chunk that ran the frame sync itself had own frames: the fields below are set (chunksync.h)
    double sync_x, sync_dur;    ///< its first own frame: time and duration in output ticks
    RdSyncStep sync_step;       ///< what its sync made of that frame
    RdSyncState sync_first;     ///< the state after that frame
    RdSyncState sync_last;      ///< the state after its last own frame
    char *rc_stats;             ///< rc_pass 1 with libavcodec's own encoders: their stats_out after each packet, encode order (ratectl_lavc.h); NULL = none; owned
    size_t rc_stats_len;        ///< its length, bytes
    int64_t src_at_last;        ///< the newest input frame fed to the graph when its last frame went to the encoder, input stream time base (where ffmpeg's reading stood: -frames:v ends the other tracks there); AV_NOPTS_VALUE = none
} RdChunkResult;

/**
 * Run one chunk. Progress pointers may be NULL. Returns 0 or a negative
 * AVERROR (AVERROR_EXIT when stopped); `err` may receive a detail. The
 * result is the caller's to free with rd_chunk_result_free() either way.
 */
int rd_chunk_run(const RdChunkShared *sh, const RdChunkJob *job, RdChunkResult *res,
                 RdChunkProgress *cp, RdWorkerProgress *wp, char *err, int errlen);

void rd_chunk_result_free(RdChunkResult *res);

/** CPU time of the calling thread, seconds; NAN when the clock cannot be read. */
double rd_chunk_thread_cpu_s(void);

/** What the template measured of one chunk's fixed and per-frame costs. */
typedef struct RdChunkCost {
    double open_s;    ///< opening input, decoder, graph and encoder, and decoding the first frame, seconds
    double filter_s;  ///< filtering the first frame, seconds (0 when the graph held it back)
    AVRational sink_fps; ///< the graph's output frame rate (0/1 unknown)
    int color_seen;      ///< 1: the graph gave a frame, and these are its colour properties (the ffmpeg CLI opens its encoder with the first filtered frame's)
    enum AVColorRange color_range;
    enum AVColorPrimaries color_primaries;
    enum AVColorTransferCharacteristic color_trc;
    enum AVColorSpace colorspace;
    enum AVChromaLocation chroma_location;
    int interlaced, tff;  ///< with color_seen: that frame's field structure (the CLI tags the output's field order from it)
    int in_interlaced, in_tff; ///< the first decoded frame's field structure: what a graph that keeps fields but held every fed frame back (select from 1 s, reverse) will give first
    int sets_fields;      ///< 1: the graph decides the fields itself (rd_encode_graph_sets_fields): the first decoded frame does not say what it gives
    double replay_s;      ///< with sh->replay: the graph's time for one frame of a replay (frozen times), seconds; 0 = not measured
    double graph_s;       ///< and for a processed frame (the first after the graph's first output, which still makes what is due), seconds
} RdChunkCost;

/**
 * Decode the first frame and open the filter graph and encoder exactly as a
 * chunk would, so the output stream can be declared before any chunk ends,
 * and time that (cost may be NULL). On success *enc is the caller's
 * (rd_encode_close). Returns 0 or a negative AVERROR with a detail in err.
 */
int rd_chunk_template(const RdChunkShared *sh, AVCodecContext **enc, RdChunkCost *cost,
                      char *err, int errlen);

#endif
