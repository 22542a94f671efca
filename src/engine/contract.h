/*
 * contract.h - the chunk contract of a whole filter graph: what every chunk
 * must decode, feed and keep so that the chunked run gives the frames and
 * frame times the whole-stream run gives (or why it cannot).
 *
 * Composed from the contract of every filter instance of the configured
 * graph (filtertab.h reads each instance's options), never from the
 * graph's text:
 * - look-back and look-ahead add up along a chain; where paths split and
 *   join (split, overlay) the longest path counts;
 * - a filter whose state is made from the pixels of every frame before
 *   (replay) is exact when each chunk first replays them, where the graph
 *   allows it (replay_ok in contract.c), else one chunk;
 * - the dearest kind decides: one filter that needs the whole stream, the
 *   whole-stream frame numbers or the stream's start, or writes a file or
 *   opens a socket, makes the graph one chunk; a recursive filter makes
 *   the chunked output an approximation after its pre-roll (with
 *   `exact_only` it is replayed: its state too is made from pixels);
 * - the filter that decided is named, for the one warning line, --dry-run
 *   and --report.
 */
#ifndef RD_CONTRACT_H
#define RD_CONTRACT_H

#include "engine/filter.h"
#include "engine/filtertab.h"

/* Pre-roll of a recursive filter (hqdn3d's temporal part), frames, unless
 * --preroll says otherwise. Measured: on the default workload (hqdn3d on
 * the 720p mandelbrot zoom) the lowest PSNR of any frame of a chunked run
 * against the whole-stream run is 81.7 dB with 15 frames (67.1 dB with 8),
 * above the stated 60 dB bound; see docs/ENGINE.md, "Filter graphs and
 * chunks". */
#define RD_RECURSIVE_PREROLL 15

/* A replay (RdContract.replay) feeds the frames before a chunk one input
 * tick apart: where one output frame of the replayed filter spans fewer
 * ticks than this, the replay would make frames (and cost) after all, and
 * the graph runs as one chunk. 1/25 s inputs (Y4M, some AVI) fall below,
 * MP4's 1/12800 and Matroska's 1/1000 above. */
#define RD_REPLAY_TICKS 16

/** The instance name of a movie source that reads a still image render
 *  has checked (the ffmpeg form's second input, ffcomplex.c):
 *  movie@RD_CONTRACT_STILL. Only such a source feeding overlay chunks. */
#define RD_CONTRACT_STILL "rd_still_image"

typedef struct RdContract {
    RdFcKind kind;        ///< the dearest kind among the graph's filters (RD_FC_LOCAL for a graph of frame-local filters)
    int preroll;          ///< frames fed to the graph before a chunk's own and dropped (longest path of look-backs), >= 0
    int postroll;         ///< frames fed after a chunk's own and dropped (longest path of look-aheads), >= 0
    int one_chunk;        ///< 1: the graph runs as one chunk (see `why`)
    int exact;            ///< 1: chunks give the whole-stream frames exactly; 0: an approximation (recursive filters)
    char filter[64];      ///< name of the filter that forced one chunk or made the output approximate; "" = none
    char why[192];        ///< why, one line without the filter's name ("needs the whole stream"); "" = none
    int grid;             ///< 1: a filter fed the source's frames starts its output grid at the first frame it sees (framerate): chunks are exact when each is first fed a frame on the whole run's grid (rd_contract_on_grid); the engine checks the input allows it (else one chunk, filter and why as set here)
    int64_t grid_in;      ///< with grid: one tick of the graph's input time base in the filter's output time base (an exact integer)
    int64_t grid_step;    ///< with grid: one output frame of the filter in the same units (an exact integer)
    int numbered;         ///< 1: filters read their input link's frame count (n in expressions, fade by frames, framestep) and are fed the source's frames one for one: chunks are exact when each graph's links start counting at the whole-run number of its first frame (rd_contract_number_links)
    int prime;            ///< 1: a setpts whose expression reads the stream's start (STARTPTS, STARTT), in a chain of frame-local filters: each chunk's graph is first fed one frame at the whole run's first time, its output thrown away, so that the start is the whole run's
    int replay;           ///< 1: a filter whose state is made from every earlier frame's pixels (RD_FC_REPLAY), fed the source's frames through filters that read no time, with nothing after it but frame-local filters: each chunk's graph is first fed every frame from the whole run's first up to its pre-roll, at frozen times one tick apart below the pre-roll's (its frames thrown away). The filter makes its frames on its output's grid, so it makes almost none of them: the replay costs its state's work (minterpolate: the motion search), not its frames'
    int keeps_times;      ///< 1: every frame comes out once, at its own time (frame-local, window and recursive filters that neither drop nor retime): ffmpeg's frame sync can be planned on the input's times
} RdContract;

/**
 * The contract of graph `f` (opened with rd_filter_open; its own buffer and
 * buffersink ends are not counted). `exact_only` (--exact): a recursive
 * filter is replayed (exact), or where it cannot be the graph runs as one
 * chunk; nothing is approximated. `recursive_preroll` >= 0 is the
 * pre-roll of recursive filters (--preroll), < 0 = RD_RECURSIVE_PREROLL.
 * Returns 0 or a negative AVERROR.
 */
int rd_contract_of_graph(const RdFilter *f, int exact_only, int recursive_preroll, RdContract *c);

/**
 * Open graph `desc` for frames `in` (as a chunk would) and derive its
 * contract. Returns 0 or a negative AVERROR (the graph does not open).
 */
int rd_contract_derive(const char *desc, const RdVideoFormat *in, int exact_only,
                       int recursive_preroll, RdContract *c);

/**
 * Frames converted to `out` on their way to the encoder: libswscale reaches
 * the 8-bit-and-less RGB formats (rgb8, bgr8, rgb4, bgr4, rgb4_byte,
 * bgr4_byte: the GIF encoder's) with error diffusion whose error it carries
 * from one frame to the next (measured: at odd widths every frame after a
 * join differs), so no chunk but the first starts as the whole-stream run
 * does: `c` is made one chunk, with the reason. Other formats leave it as
 * it is.
 */
void rd_contract_out_format(RdContract *c, enum AVPixelFormat out);

/**
 * The encoder `vcodec` may force one chunk too: libwebp_anim gives the
 * whole animation as one packet (one RIFF file) when it is flushed, so each
 * chunk's would be a file of its own, and a reader of the joined file sees
 * the first chunk's frames only; apng codes its first frame as the default
 * image (IDAT) and numbers the fcTL/fdAT chunks of every frame in one
 * sequence, so each chunk's would restart both (an invalid APNG). `c` is
 * then made one chunk, with the reason; other encoders leave it as it is.
 */
void rd_contract_encoder(RdContract *c, const char *vcodec);

/**
 * With c->grid: whether a chunk first fed the frame at `pts` (the graph's
 * input time base) starts the filter's output grid where the whole run's,
 * first fed the frame at `pts0`, has it: (pts - pts0) ticks are a whole
 * number of output frames.
 */
int rd_contract_on_grid(const RdContract *c, int64_t pts, int64_t pts0);

/**
 * With c->numbered: set the frame counters of graph g's links (every link
 * from the graph's input to a filter that reads its count, and the output
 * of such a filter that passes every frame) to `first`, the whole run's
 * number of the first frame the graph will be fed, as they stand in the
 * whole run when that frame arrives. Call before the first frame.
 */
void rd_contract_number_links(const RdFilter *g, int64_t first);

/** Make `c` one chunk (the whole-stream run, so exact), forced by filter
 *  `filter` ("" or NULL: none named) for reason `why`. */
void rd_contract_force_one(RdContract *c, const char *filter, const char *why);

/** "rendered as one chunk" line for the user, without the "render: " prefix; "" when not forced. */
void rd_contract_warning(const RdContract *c, char *buf, int len);

/** Kind's name for reports: "local", "window", "timeline", "framenum", "recursive", "whole". */
const char *rd_contract_kind_name(RdFcKind k);

#endif
