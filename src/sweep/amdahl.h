/*
 * amdahl.h - scaling laws and their fits: pure arithmetic, no I/O.
 *
 * Units: times in seconds (any unit works if all arguments share it);
 * p is a worker (thread) count, >= 1; speedups and fractions are plain
 * ratios. Where a quantity is undefined the functions return NaN, and
 * where it is unbounded +INFINITY; JSON writers turn both into null.
 *
 * Fits report what the data says: a serial fraction below 0 means the
 * measured speedup was superlinear (cache effects, or a slow baseline) and
 * is returned as is, not clamped, so the reader can see it.
 */
#ifndef RD_AMDAHL_H
#define RD_AMDAHL_H

/** Speedup t_serial_s / t_parallel_s; NaN unless both are finite and > 0. */
double rd_amdahl_speedup(double t_serial_s, double t_parallel_s);

/** Parallel efficiency speedup / p; NaN when p < 1 or speedup is not finite. */
double rd_amdahl_efficiency(double speedup, int p);

/**
 * Karp–Flatt experimentally determined serial fraction
 * e(p) = (1/S - 1/p) / (1 - 1/p). Undefined at p = 1 (returns NaN), and
 * NaN when speedup is not finite and > 0. For data that follow Amdahl's
 * law exactly e(p) equals f at every p; e rising with p means overhead
 * that grows with the worker count (start-up, seeks, merging, contention).
 */
double rd_amdahl_karp_flatt(double speedup, int p);

/**
 * Amdahl's predicted speedup S(p) = 1 / (f + (1 - f) / p) for serial
 * fraction f. NaN when f is NaN, p < 1, or the denominator is not > 0
 * (possible only for f < 0).
 */
double rd_amdahl_predict(double f, int p);

/** Amdahl's limit 1/f as p grows: +INFINITY when f <= 0, NaN when f is NaN. */
double rd_amdahl_max_speedup(double f);

/**
 * Least-squares Amdahl serial fraction from n measured (p[i], speedup[i])
 * pairs, in closed form on the linearised law
 *     y = 1/S - 1/p = f (1 - 1/p) = f x,   f = sum(x y) / sum(x^2).
 * Points with p = 1 have x = 0 and add nothing to f; points with p < 1 or a
 * speedup that is not finite and > 0 are skipped altogether. If `rmse` is
 * not NULL it receives the root mean square of rd_amdahl_predict(f, p) -
 * speedup over the points used (p = 1 included). Returns f, or NaN (and
 * rmse NaN) when no point has p > 1.
 */
double rd_amdahl_fit(const int *p, const double *speedup, int n, double *rmse);

/**
 * Gustafson's scaled speedup S(p) = p - f_s (p - 1) for weak scaling, where
 * the problem grows with p and f_s is the serial fraction of the parallel
 * run's time. NaN when f_s is NaN or p < 1.
 */
double rd_amdahl_gustafson(double f_s, int p);

/**
 * Least-squares Gustafson serial fraction from n (p[i], scaled_speedup[i])
 * pairs: y = p - S = f_s (p - 1) = f_s x, f_s = sum(x y) / sum(x^2).
 * Scaled speedup from weak-scaling times is p * T(1 worker, 1 unit) /
 * T(p workers, p units). Skips and rmse as for rd_amdahl_fit (rmse of the
 * predicted vs measured scaled speedup). NaN when no point has p > 1.
 */
double rd_amdahl_gustafson_fit(const int *p, const double *scaled_speedup, int n,
                               double *rmse);

/**
 * Amdahl's serial fraction on a machine that gives p workers only c[i]
 * processors' worth (the ceiling: p independent jobs at once run c times
 * as fast as one): S = 1 / (f + (1 - f) / c), fitted as rd_amdahl_fit()
 * with c in place of p (x = 1 - 1/c, y = 1/S - 1/c). With c = p it is
 * rd_amdahl_fit(). So f is what the renderer itself keeps serial, not what
 * the machine takes. Points with c < 1 or a speedup that is not finite and
 * > 0 are skipped; rmse (may be NULL) as for rd_amdahl_fit(). NaN when no
 * point has c > 1.
 */
double rd_amdahl_fit_ceiling(const double *c, const double *speedup, int n, double *rmse);

/**
 * Serial fraction measured from a run's phase times:
 * (probe_s + plan_s + merge_tail_s) / total_s, the share of the wall time
 * during which only one thread can work. NaN unless total_s > 0 and all
 * phases are finite.
 */
double rd_amdahl_serial_measured(double probe_s, double plan_s,
                                 double merge_tail_s, double total_s);

#endif
