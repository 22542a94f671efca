/*
 * sweep.h - the scaling benchmark: the same render at several worker
 * counts, the serial baseline, and the laws fitted to them.
 *
 * Two ways to collect the runs, one result (`render-bench/1` JSON, .dat
 * files for gnuplot, a plain table on stdout):
 *   rd_sweep_run()      every point in this process, through rd_engine_run();
 *   rd_sweep_assemble() from `render --report` files that separate
 *                       processes wrote (bench/run.sh loops OMP_NUM_THREADS).
 * The JSON builder, the .dat writer and the table printer (sweep_out.c)
 * work on RdSweepData alone, so they are unit-tested without a video.
 */
#ifndef RD_SWEEP_H
#define RD_SWEEP_H

#include <stdio.h>
#include <cjson/cJSON.h>

#include "sweep/ceiling.h"
#include "engine/engine.h"
#include "engine/report.h"

#define RD_SWEEP_MAX_POINTS 64
#define RD_SWEEP_NOISY 0.05   ///< (max - min) / median above this is flagged "noisy"

typedef struct RdSweepSettings {
    const int *points;        ///< worker counts, each >= 1, in the order to run; not owned
    int npoints;              ///< entries in points, 0..RD_SWEEP_MAX_POINTS; 0 = rd_sweep_default_points()
    int repeat;               ///< runs per point and for the baseline, median kept; 1..100, default 3
    int weak;                 ///< 1 = weak scaling: p workers get the first p * weak_unit_s seconds; default 0
    double weak_unit_s;       ///< input seconds per worker in weak mode, > 0; default 5
    const char *export_path;  ///< render-bench/1 JSON to write; NULL = none; "-" = stdout
    const char *dat_dir;      ///< directory for the gnuplot .dat files; NULL = none
    const char *dat_name;     ///< base name of the .dat files; NULL = export file name without
                              ///< its extension, else "sweep"
    int overwrite;            ///< 1 = existing .dat files may be replaced (-y); 0 = the sweep is refused before it starts
    double ceiling_s;         ///< input seconds each job of the machine's ceiling renders; 0 = no ceiling; default 2
    const char *ceiling_from; ///< rd_sweep_assemble(): take the ceiling from this render-bench/1 file; NULL = none
} RdSweepSettings;

/** One measured configuration: `repeats` runs, the median one kept. */
typedef struct RdSweepPoint {
    int workers;              ///< threads requested
    int repeats;              ///< runs measured, >= 1
    double time_s;            ///< median wall time, seconds (lower middle of an even count,
                              ///< so time and report come from the same run)
    double min_s, max_s;      ///< fastest and slowest run, seconds
    double limit_s;           ///< input seconds asked for (weak mode); 0 = whole input
    RdReport report;          ///< the median run's report; owned (rd_sweep_data_free)
} RdSweepPoint;

/** Everything a render-bench/1 file says. */
typedef struct RdSweepData {
    int cpus;                 ///< processors this process may use (omp_get_num_procs())
    char cpu_model[128];      ///< /proc/cpuinfo "model name", or "unknown"
    char date[32];            ///< when the sweep ended, ISO 8601 UTC; may be empty
    const char *method;       ///< "in-process" or "processes" (static string)
    int weak;                 ///< 1 = weak scaling: speedup is the scaled p * T1 / Tp
    double weak_unit_s;       ///< input seconds per worker in weak mode
    int chunk_factor;         ///< chunks per worker asked for; 0 = unknown
    RdSweepPoint baseline;    ///< one worker, one chunk: the honest serial time
    RdSweepPoint *points;     ///< npoints entries in the order run; owned (av_free)
    int npoints;
    RdCeilingPoint ceiling[RD_SWEEP_MAX_POINTS]; ///< the machine's own ceiling (ceiling.h), any order
    int nceiling;             ///< entries in ceiling; 0 = not measured
    double ceiling_s;         ///< input seconds each ceiling job rendered
} RdSweepData;

/** Fill `sw` with the defaults documented above. */
void rd_sweep_defaults(RdSweepSettings *sw);

/**
 * Write the default worker counts for `ncpus` processors to out[0..max):
 * 1, 2, 4, ... up to ncpus, then ncpus itself if it is not a power of two
 * (6 -> 1 2 4 6). ncpus < 1 counts as 1. Returns how many were written.
 */
int rd_sweep_default_points(int ncpus, int *out, int max);

/**
 * Run the sweep in this process: the baseline (workers 1, chunks 1), then
 * each point with workers = p and base->chunks (0: the planner's
 * p * chunk_factor), `repeat` times each. Every run writes to a temporary
 * file (next to the export file, else in $TMPDIR or /tmp) that is deleted
 * once measured; base->output is not touched. Unless base->quiet (-q),
 * progress lines and warnings go to stderr and the table to stdout; then
 * the JSON and .dat files are written. Stops early with AVERROR_EXIT when
 * *base->cancel becomes non-zero. Returns 0 or a negative AVERROR, with a
 * reason in errbuf (may be NULL).
 */
int rd_sweep_run(const RdSettings *base, const RdSweepSettings *sw,
                 char *errbuf, int errlen);

/**
 * Build a sweep from `render --report` files (render-report/1) written by
 * separate processes. Reports are grouped by workers_requested, each group
 * reduced to its median run as in rd_sweep_run(); the baseline reports
 * (one worker, one chunk) come separately. A run's time is the process's
 * wall time when a file PATH.wall next to the report holds it in seconds
 * (bench/run.sh writes one, so process start-up is counted, as a user at a
 * shell would see it); otherwise the report's phases.total_s. Uses
 * sw->export_path, dat_dir, dat_name, weak and weak_unit_s; ignores points
 * and repeat. Prints the table on stdout. Returns 0 or a negative AVERROR
 * with a reason in errbuf.
 */
int rd_sweep_assemble(const char *const *baseline_paths, int nbaseline,
                      const char *const *run_paths, int nruns,
                      const RdSweepSettings *sw, char *errbuf, int errlen);

/**
 * The render-bench/1 tree for `d` (see docs/FORMATS.md): pure, no I/O. Every
 * number is finite; undefined ones (Karp–Flatt at p = 1, 1/f for f <= 0,
 * Amdahl fields in weak mode) are null. NULL on allocation failure; the
 * caller frees with cJSON_Delete.
 */
cJSON *rd_sweep_build_json(const RdSweepData *d);

/**
 * Write DIR/NAME_scaling.dat, NAME_phases.dat and NAME_gantt.dat (chunks of
 * the largest worker count) for the scripts in plots/; each through a
 * temporary name and a rename. Undefined values are written as NaN, which
 * the scripts treat as missing. Returns 0 or a negative AVERROR.
 */
int rd_sweep_write_dat(const RdSweepData *d, const char *dir, const char *name);

/** Print the results table (workers, chunks, time, speedup, efficiency, Karp–Flatt, fit). */
void rd_sweep_print_table(const RdSweepData *d, FILE *out);

/** The ceiling's speedup at `workers` jobs, NaN when not measured there. */
double rd_sweep_ceiling_at(const RdSweepData *d, int workers);

/** Free the reports and the point array; safe on a zeroed or freed struct. */
void rd_sweep_data_free(RdSweepData *d);

/** Fill d->cpus (omp_get_num_procs) and d->cpu_model (/proc/cpuinfo, or "unknown"). */
void rd_sweep_host_info(RdSweepData *d);

/**
 * Keep the median of n timed runs (1 <= n <= 100): the lower middle one, so
 * that the time and the report kept (phases, chunks) describe the same run.
 * Moves that report into pt and frees the others.
 */
void rd_sweep_keep_median(RdSweepPoint *pt, const double *t, RdReport *reps, int n);

#endif
