/*
 * dashboard_draw.h - the dashboard's text, built from a snapshot.
 *
 * Pure functions: they read an RdDashView (numbers the dashboard thread has
 * already copied out of RdProgress) and write text into a caller's buffer.
 * No terminal, no clock, no allocation, so tests can check the layout at any
 * width, core count and chunk count. Output never exceeds the buffer (it is
 * clipped) and is always NUL-terminated. With color == 0 it holds no ESC byte.
 */
#ifndef RD_DASHBOARD_DRAW_H
#define RD_DASHBOARD_DRAW_H

#include <stddef.h>
#include <stdint.h>

/** Bytes enough for any frame rd_dash_draw() can produce (rows and cols are clamped). */
#define RD_DASH_FRAME_MAX (256 * 1024)

typedef struct RdDashView {
    /* geometry */
    int cols, rows;            ///< terminal size; clamped to 20..240 columns, 1..100 rows
    int color;                 ///< 1 = ANSI colours (and erase-to-end-of-line) in the frame
    /* state */
    int phase;                 ///< RdPhase
    double elapsed_s;          ///< since the dashboard started, seconds
    int have_info;             ///< 1 once the fields below the header mark are valid
    /* header (valid when have_info) */
    const char *input;         ///< input path (its base name is shown)
    int width, height;         ///< input frame size, pixels
    double in_fps;             ///< input frame rate
    double duration_s;         ///< input duration, seconds
    const char *vf, *vcodec, *schedule;
    int nworkers, nchunks;
    /* counters */
    int64_t total_frames;      ///< 0 = unknown
    int64_t frames_done;
    double fps;                ///< current rate over the last few seconds, frames/s
    double eta_s;              ///< seconds left; < 0 = unknown
    int64_t output_bytes, wasted_frames;
    const uint8_t *chunk_state;///< nchunks RdChunkState values
    const uint8_t *chunk_pct;  ///< nchunks, 0..100: share of the chunk's frames encoded
    const int *worker_chunk;   ///< nworkers, chunk being processed or -1
    const double *worker_fps;  ///< nworkers, frames/s over the last few seconds
    /* CPU heatmap; ncpus == 0 hides it */
    int ncpus;
    const float *cpu_busy;     ///< ncpus, 0..1
    double cpu_mean;           ///< 0..1, all cores
    int cpu_is_run_mean;       ///< 1 = the values are means over the whole run (final frame)
    /* render-mpi: one row per rank in place of the CPU heatmap; nranks == 0 hides it */
    int nranks;
    const struct RdDashRank *rank; ///< nranks rows
    const char *prog;          ///< program name in plain lines; NULL = "render"
} RdDashView;

/** One MPI rank as the dashboard shows it. */
typedef struct RdDashRank {
    const char *host;
    int threads, busy;         ///< chunk threads, and how many run a chunk now
    double fps;                ///< frames/s of its threads over the last few seconds
    double cpu;                ///< CPU time / (wall time x threads), 0..1; < 0 = unknown
} RdDashRank;

/** What the final summary says; from the engine's report plus the CPU samples. */
typedef struct RdDashSummary {
    int64_t frames;            ///< frames encoded
    double wall_s;             ///< total run time, seconds
    int workers, chunks;
    double cpu_mean;           ///< mean load per core over the run, 0..1; < 0 = unknown
    int ncpus;                 ///< cores that mean is over
    int64_t output_bytes;
    int64_t wasted_frames;     ///< frames decoded and thrown away
    const char *prog;          ///< program name; NULL = "render"
    int ranks;                 ///< > 0: MPI ranks, said after the chunks
    int64_t resumed_frames;    ///< of `frames`, those taken from the --resume journal (not in the fps)
    int no_video;              ///< 1: no video was written (-vn ...): the other streams in one pass
} RdDashSummary;

/**
 * The whole dashboard: header, CPU heatmap, chunk grid with legend, one line
 * per worker (packed or summarised when there are many), progress bar. Every
 * line is shorter than v->cols and ends with '\n'; sections shrink so that
 * the frame has at most v->rows - 1 lines. Returns the bytes written; the
 * line count goes to *nlines.
 */
int rd_dash_draw(char *buf, size_t size, const RdDashView *v, int *nlines);

/**
 * One plain progress line for a terminal without colour or cursor movement:
 * "render: 42/100 frames (42.0%), 61.0 fps, chunks 3/8, 0:04, ETA 0:01, render\n".
 * No ESC byte. Returns the bytes written.
 */
int rd_dash_plain_line(char *buf, size_t size, const RdDashView *v);

/**
 * The input/workload line printed once before the plain progress lines. Returns the bytes written.
 */
int rd_dash_plain_header(char *buf, size_t size, const RdDashView *v);

/**
 * The final summary, starting "render: done: 100 frames in 1.23 s (81.3 fps)".
 * cols == 0: one line (for logs); else wrapped to lines shorter than cols.
 * Returns the bytes written.
 */
int rd_dash_summary(char *buf, size_t size, const RdDashSummary *s, int cols, int color);

/**
 * One key=value block in ffmpeg's -progress style, ending
 * "progress=continue\n" or, with end != 0, "progress=end\n". Keys: frame,
 * total_frames, fps, chunks_done, chunks_total, workers, out_size,
 * wasted_frames, elapsed_s, eta_s, phase, progress. Returns the bytes written.
 */
int rd_dash_progress_block(char *buf, size_t size, const RdDashView *v, int end);

/** Lower-case name of an RdPhase ("probe", "render", ...). */
const char *rd_dash_phase_name(int phase);

/** "m:ss" or "h:mm:ss" into out; "--:--" when s < 0 or not finite. */
void rd_dash_fmt_time(char *out, size_t size, double s);

/** "512 B", "1.2 KiB", "3.4 MiB", "1.0 GiB" into out. */
void rd_dash_fmt_bytes(char *out, size_t size, int64_t bytes);

#endif
