/*
 * dashboard.h - live view of a run on stderr, and the --progress stream.
 *
 * One pthread wakes every interval_s, copies the RdProgress counters with
 * atomic loads (the engine never waits for it), and
 *   - on a colour terminal redraws the dashboard in place (header, per-core
 *     CPU heatmap, chunk grid, one line per worker, progress bar);
 *   - on a terminal without colour (NO_COLOR set, TERM=dumb) prints one
 *     plain progress line about every second, no escape sequences;
 *   - elsewhere prints nothing until the final one-line summary;
 *   - with quiet, prints nothing at all on stderr;
 *   - with progress_path, writes key=value blocks about twice a second
 *     (ffmpeg's -progress convention), in every mode above.
 *
 * Usage: start before rd_engine_run(), stop after it returns (also on
 * failure and interruption); free the RdProgress arrays only after stop.
 * Only one dashboard may run at a time.
 */
#ifndef RD_DASHBOARD_H
#define RD_DASHBOARD_H

#include "engine/progress.h"
#include "engine/report.h"

typedef struct RdDashboard RdDashboard;

typedef struct RdDashboardSettings {
    int quiet;                  ///< 1 = nothing on stderr, not even the summary (-q); default 0
    const char *progress_path;  ///< --progress target: a file (truncated), "-" = stdout, NULL = none (default)
    int fd;                     ///< where the dashboard and summary go; default 2 (stderr)
    int tty;                    ///< -1 = ask isatty(fd) (default), 0 = not a terminal, 1 = a terminal (tests)
    int color;                  ///< -1 = auto (default): off when NO_COLOR is non-empty or TERM is unset or "dumb"; 0 off; 1 on
    double interval_s;          ///< redraw period, seconds, 0.1..0.5; default 0.2
    const char *proc_stat;      ///< CPU counters file; default "/proc/stat"; NULL = no heatmap
    const char *prog;           ///< program name in the summary and plain lines; NULL (default) = "render"
    int size_fd;                ///< > 0: read the terminal size from this fd, every frame (render-mpi:
                                ///< mpirun's terminal, whose SIGWINCH never reaches a rank); 0 (default) = fd
} RdDashboardSettings;

/** Fill `s` with the defaults documented above. */
void rd_dashboard_defaults(RdDashboardSettings *s);

/**
 * Open the progress file (if any) and start the dashboard thread, which
 * reads `p` until rd_dashboard_stop(). `p` must outlive the dashboard; its
 * phase should be RD_PHASE_INIT or later and the engine fills the rest.
 * Returns 0 and sets *pd, or a negative AVERROR (e.g. the progress file
 * cannot be created: AVERROR(errno)); then *pd is NULL and nothing runs.
 */
int rd_dashboard_start(RdDashboard **pd, RdProgress *p, const RdDashboardSettings *s);

/**
 * Stop and join the thread, draw the final state, then print the summary
 * built from `rep` (pass NULL when the run failed or was interrupted: no
 * summary, the caller prints the error), write the last progress block
 * ("progress=end"), restore the terminal (attributes reset, cursor shown)
 * and free everything. *pd becomes NULL; a NULL *pd is a no-op.
 */
void rd_dashboard_stop(RdDashboard **pd, const RdReport *rep);

/**
 * Async-signal-safe: if a dashboard hid the cursor, write "\033[0m\033[?25h"
 * to its terminal. For a signal handler that is about to _exit().
 */
void rd_dashboard_emergency_restore(void);

#endif
