/*
 * ceiling.h - what the machine itself allows: for each worker count p, p
 * independent single-thread renders of the same slice of the input at
 * once (-w 1 --chunks 1 each, its own scratch output), timed against one
 * alone. Nothing is shared between the jobs and nothing is serial, so
 * whatever keeps p of them from going p times as fast is the machine:
 * shared caches, memory bandwidth, SMT siblings, turbo that drops as more
 * cores wake, other programs. A sweep's speedup divided by this ceiling is
 * what the renderer itself loses.
 */
#ifndef RD_CEILING_H
#define RD_CEILING_H

#include "engine/engine.h"

typedef struct RdCeilingPoint {
    int workers;       ///< independent jobs run at once, >= 1
    double time_s;     ///< wall time until the last of them finished (median of the repeats), seconds
    double speedup;    ///< workers x time of one alone / time_s; 1 at one worker
} RdCeilingPoint;

/**
 * Measure the ceiling at points[0..np) (each >= 1; 1 is measured first
 * whether listed or not, as the reference) with `repeat` runs each, the
 * median kept. Each job renders the first slice_s seconds of base->input
 * with base's workload to a scratch file made by rd_scratch_output()
 * next to `export_path` (deleted at once). out[] receives np entries in
 * the order of points. Stops with AVERROR_EXIT when *base->cancel is set.
 * Returns 0 or a negative AVERROR with a reason in errbuf.
 */
int rd_ceiling_measure(const RdSettings *base, const int *points, int np, double slice_s,
                       int repeat, const char *export_path, RdCeilingPoint *out,
                       char *errbuf, int errlen);

#endif
