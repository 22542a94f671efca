/*
 * check_amdahl.c - the scaling laws against tables worked out by hand.
 */
#include <math.h>

#include "suites.h"
#include "sweep/amdahl.h"

#define TOL 1e-9

/* --- speedup, efficiency, Karp–Flatt for single measurements ------------ */

typedef struct PointCase {
    double t1, tp;  /* serial and parallel time, s */
    int p;
    double s, e, kf; /* expected speedup, efficiency, Karp–Flatt (NaN: undefined) */
} PointCase;

static const PointCase point_cases[] = {
    /* perfect scaling: e = 0 */
    { 100, 50,     2, 2.0,                0.5 * 2.0,          0.0 },
    /* Amdahl with f = 0.1: T(p) = 100 (0.1 + 0.9/p), and e(p) = f exactly */
    { 100, 55,     2, 100.0 / 55,         100.0 / 55 / 2,     0.1 },
    { 100, 32.5,   4, 100.0 / 32.5,       100.0 / 32.5 / 4,   0.1 },
    { 100, 21.25,  8, 100.0 / 21.25,      100.0 / 21.25 / 8,  0.1 },
    /* p = 1: Karp–Flatt undefined */
    { 10,  12.5,   1, 0.8,                0.8,                NAN },
    /* slower than serial on 2 workers: e > 1 is possible and reported */
    { 3.23, 4.31,  2, 3.23 / 4.31,        3.23 / 4.31 / 2,    (4.31 / 3.23 - 0.5) / 0.5 },
    /* bad times: everything undefined */
    { 10,  0,      4, NAN,                NAN,                NAN },
    { -1,  2,      4, NAN,                NAN,                NAN },
};

static void assert_eq_or_nan(double got, double want)
{
    if (isnan(want))
        ck_assert_msg(isnan(got), "expected NaN, got %g", got);
    else
        ck_assert_double_eq_tol(got, want, TOL);
}

START_TEST(test_point)
{
    const PointCase *c = &point_cases[_i];
    double s = rd_amdahl_speedup(c->t1, c->tp);
    assert_eq_or_nan(s, c->s);
    assert_eq_or_nan(rd_amdahl_efficiency(s, c->p), c->e);
    assert_eq_or_nan(rd_amdahl_karp_flatt(s, c->p), c->kf);
}
END_TEST

/* --- Amdahl fit ----------------------------------------------------------- */

typedef struct FitCase {
    const char *name;
    int n;
    int p[6];
    double s[6];
    double f, rmse, max_speedup; /* expected; max_speedup INFINITY = unbounded */
} FitCase;

/* Exact Amdahl data: S(p) = 1 / (f + (1 - f)/p). For f = 0.1: S(2) = 1/0.55,
 * S(4) = 1/0.325, S(8) = 1/0.2125, S(16) = 1/0.15625. */
static const FitCase fit_cases[] = {
    { "exact f=0.1", 5, { 1, 2, 4, 8, 16 },
      { 1.0, 1 / 0.55, 1 / 0.325, 1 / 0.2125, 1 / 0.15625 },
      0.1, 0.0, 10.0 },
    { "exact f=0.25", 3, { 2, 4, 8 },
      { 1 / 0.625, 1 / 0.4375, 1 / 0.34375 },
      0.25, 0.0, 4.0 },
    { "perfect", 4, { 1, 2, 4, 8 }, { 1, 2, 4, 8 }, 0.0, 0.0, INFINITY },
    /* x = (0.5, 0.75), y = (1/1.6 - 1/2, 1/2.5 - 1/4) = (0.125, 0.15):
     * f = (0.0625 + 0.1125) / (0.25 + 0.5625) = 0.175 / 0.8125 = 14/65;
     * predicted S = (1.645570, 2.429907): rmse = 0.0591172 */
    { "two noisy points", 2, { 2, 4 }, { 1.6, 2.5 },
      14.0 / 65, 0.059117185, 65.0 / 14 },
    /* p = 1 adds nothing to f, but its residual (1 - 1) = 0 counts in rmse */
    { "with p=1", 3, { 1, 2, 4 }, { 1.0, 1.6, 2.5 },
      14.0 / 65, 0.048268979, 65.0 / 14 },
    /* x = (0, .5, .75, .875), y = (-, 1/18, 1/16, 3/40):
     * f = 0.140278 / 1.578125 = 0.0888889 */
    { "realistic", 4, { 1, 2, 4, 8 }, { 0.95, 1.8, 3.2, 5.0 },
      0.0888888889, 0.050777954, 11.25 },
    /* invalid points are skipped, not counted */
    { "skips bad", 4, { 2, 4, 0, 8 }, { 1 / 0.55, NAN, 3, -1 },
      0.1, 0.0, 10.0 },
    { "only p=1", 1, { 1 }, { 1.0 }, NAN, NAN, NAN },
};

START_TEST(test_fit)
{
    const FitCase *c = &fit_cases[_i];
    double rmse = -1;
    double f = rd_amdahl_fit(c->p, c->s, c->n, &rmse);
    assert_eq_or_nan(f, c->f);
    if (isnan(c->rmse))
        ck_assert(isnan(rmse));
    else
        ck_assert_double_eq_tol(rmse, c->rmse, 1e-8);
    double m = rd_amdahl_max_speedup(f);
    if (isinf(c->max_speedup))
        ck_assert_msg(isinf(m) && m > 0, "%s: max speedup %g", c->name, m);
    else
        assert_eq_or_nan(m, c->max_speedup);
    ck_assert(rd_amdahl_fit(c->p, c->s, c->n, NULL) == f || isnan(f));
}
END_TEST

/* With the machine's ceiling in place of p: c = p is the plain fit, and
 * speedups made from f = 0.05 on a machine giving 1.8 of 2 and 3.2 of 4
 * processors' worth give back f = 0.05 exactly. */
START_TEST(test_fit_ceiling)
{
    const FitCase *fc = &fit_cases[0];
    double c[16], s[3], cc[3] = { 1.0, 1.8, 3.2 }, rmse = -1;
    for (int i = 0; i < fc->n; i++)
        c[i] = fc->p[i];
    assert_eq_or_nan(rd_amdahl_fit_ceiling(c, fc->s, fc->n, NULL), rd_amdahl_fit(fc->p, fc->s, fc->n, NULL));
    for (int i = 0; i < 3; i++)
        s[i] = 1.0 / (0.05 + 0.95 / cc[i]);
    ck_assert_double_eq_tol(rd_amdahl_fit_ceiling(cc, s, 3, &rmse), 0.05, 1e-12);
    ck_assert_double_eq_tol(rmse, 0.0, 1e-12);
    ck_assert(isnan(rd_amdahl_fit_ceiling(cc, s, 1, NULL))); /* only c = 1 */
}
END_TEST

/* --- Amdahl prediction ---------------------------------------------------- */

typedef struct PredictCase { double f; int p; double s; } PredictCase;

static const PredictCase predict_cases[] = {
    { 0.1, 1, 1.0 }, { 0.1, 2, 1 / 0.55 }, { 0.1, 8, 1 / 0.2125 },
    { 0.0, 16, 16.0 }, { 1.0, 16, 1.0 }, { 0.5, 2, 4.0 / 3 },
    { NAN, 4, NAN }, { 0.1, 0, NAN },
    { -0.5, 8, NAN }, /* superlinear fit extrapolated too far: no finite value */
};

START_TEST(test_predict)
{
    const PredictCase *c = &predict_cases[_i];
    assert_eq_or_nan(rd_amdahl_predict(c->f, c->p), c->s);
}
END_TEST

/* --- Karp–Flatt rises when overhead grows with p ---------------------------
 * T(p) = 100 (0.05 + 0.95/p) + 1 s per worker of start-up:
 * T(2) = 54.5, T(4) = 32.75, T(8) = 24.875, and
 * e = (T/100 - 1/p) / (1 - 1/p) = 0.09, 0.103333, 0.141429. */
START_TEST(test_karp_flatt_rises)
{
    static const int p[] = { 2, 4, 8 };
    static const double t[] = { 54.5, 32.75, 24.875 };
    static const double want[] = { 0.09, 0.31 / 3, 0.12375 / 0.875 };
    double prev = -1;
    for (int i = 0; i < 3; i++) {
        double e = rd_amdahl_karp_flatt(rd_amdahl_speedup(100, t[i]), p[i]);
        ck_assert_double_eq_tol(e, want[i], TOL);
        ck_assert_msg(e > prev, "e(%d) = %g does not rise", p[i], e);
        prev = e;
    }
}
END_TEST

/* --- Gustafson ------------------------------------------------------------ */

typedef struct GusCase {
    int n; int p[5]; double s[5];
    double f, rmse;
} GusCase;

static const GusCase gus_cases[] = {
    /* S = p - 0.1 (p - 1) */
    { 4, { 1, 2, 4, 8 }, { 1.0, 1.9, 3.7, 7.3 }, 0.1, 0.0 },
    { 3, { 2, 4, 8 }, { 2, 4, 8 }, 0.0, 0.0 },
    /* x = (1, 3), y = (2 - 1.5, 4 - 3) = (0.5, 1): f = 3.5 / 10 = 0.35;
     * predicted (1.65, 2.95) vs (1.5, 3): rmse = sqrt((0.0225 + 0.0025)/2) */
    { 2, { 2, 4 }, { 1.5, 3.0 }, 0.35, 0.111803399 },
    { 1, { 1 }, { 1.0 }, NAN, NAN },
};

START_TEST(test_gustafson)
{
    const GusCase *c = &gus_cases[_i];
    double rmse;
    double f = rd_amdahl_gustafson_fit(c->p, c->s, c->n, &rmse);
    assert_eq_or_nan(f, c->f);
    assert_eq_or_nan(rmse, c->rmse);
    if (!isnan(f))
        for (int i = 0; i < c->n; i++)
            ck_assert_double_eq_tol(rd_amdahl_gustafson(f, c->p[i]),
                                    c->p[i] - f * (c->p[i] - 1), TOL);
    ck_assert(isnan(rd_amdahl_gustafson(NAN, 4)));
}
END_TEST

/* --- measured serial fraction -------------------------------------------- */

typedef struct SerialCase { double probe, plan, tail, total, f; } SerialCase;

static const SerialCase serial_cases[] = {
    { 0.1, 0.05, 0.35, 10.0, 0.05 },
    { 0, 0, 0, 4.0, 0.0 },
    { 0.1, 0.1, 0.1, 0.0, NAN },
    { NAN, 0.1, 0.1, 1.0, NAN },
};

START_TEST(test_serial_measured)
{
    const SerialCase *c = &serial_cases[_i];
    assert_eq_or_nan(rd_amdahl_serial_measured(c->probe, c->plan, c->tail, c->total), c->f);
}
END_TEST

#define NCASES(a) ((int)(sizeof(a) / sizeof((a)[0])))

Suite *make_amdahl_suite(void)
{
    Suite *s = suite_create("amdahl");
    TCase *tc = tcase_create("laws");
    tcase_add_loop_test(tc, test_point, 0, NCASES(point_cases));
    tcase_add_loop_test(tc, test_fit, 0, NCASES(fit_cases));
    tcase_add_test(tc, test_fit_ceiling);
    tcase_add_loop_test(tc, test_predict, 0, NCASES(predict_cases));
    tcase_add_test(tc, test_karp_flatt_rises);
    tcase_add_loop_test(tc, test_gustafson, 0, NCASES(gus_cases));
    tcase_add_loop_test(tc, test_serial_measured, 0, NCASES(serial_cases));
    suite_add_tcase(s, tc);
    return s;
}
