#include "sweep/amdahl.h"

#include <math.h>

static int usable(int p, double s)
{
    return p >= 1 && isfinite(s) && s > 0;
}

double rd_amdahl_speedup(double t_serial_s, double t_parallel_s)
{
    if (!isfinite(t_serial_s) || !isfinite(t_parallel_s) ||
        t_serial_s <= 0 || t_parallel_s <= 0)
        return NAN;
    return t_serial_s / t_parallel_s;
}

double rd_amdahl_efficiency(double speedup, int p)
{
    if (p < 1 || !isfinite(speedup))
        return NAN;
    return speedup / p;
}

double rd_amdahl_karp_flatt(double speedup, int p)
{
    if (p <= 1 || !usable(p, speedup))
        return NAN;
    double ip = 1.0 / p;
    return (1.0 / speedup - ip) / (1.0 - ip);
}

double rd_amdahl_predict(double f, int p)
{
    if (isnan(f) || p < 1)
        return NAN;
    double d = f + (1.0 - f) / p;
    return d > 0 ? 1.0 / d : NAN;
}

double rd_amdahl_max_speedup(double f)
{
    if (isnan(f))
        return NAN;
    return f > 0 ? 1.0 / f : INFINITY;
}

/* Both fits are y = k x through the origin; they differ only in x, y and the
 * model used for the residuals, so one routine serves both. */
typedef struct Law {
    double (*x)(int p);
    double (*y)(int p, double s);
    double (*predict)(double k, int p);
} Law;

static double amdahl_x(int p)           { return 1.0 - 1.0 / p; }
static double amdahl_y(int p, double s) { return 1.0 / s - 1.0 / p; }
static double gus_x(int p)              { return p - 1.0; }
static double gus_y(int p, double s)    { return p - s; }

static double fit_origin(const Law *law, const int *p, const double *s, int n,
                         double *rmse)
{
    double sxy = 0, sxx = 0;
    for (int i = 0; i < n; i++) {
        if (!usable(p[i], s[i]))
            continue;
        double x = law->x(p[i]);
        sxy += x * law->y(p[i], s[i]);
        sxx += x * x;
    }
    double k = sxx > 0 ? sxy / sxx : NAN;
    if (rmse) {
        double se = 0;
        int m = 0;
        for (int i = 0; i < n && !isnan(k); i++) {
            if (!usable(p[i], s[i]))
                continue;
            double d = law->predict(k, p[i]) - s[i];
            se += d * d;
            m++;
        }
        *rmse = m > 0 ? sqrt(se / m) : NAN;
    }
    return k;
}

double rd_amdahl_fit(const int *p, const double *speedup, int n, double *rmse)
{
    static const Law law = { amdahl_x, amdahl_y, rd_amdahl_predict };
    return fit_origin(&law, p, speedup, n, rmse);
}

double rd_amdahl_gustafson(double f_s, int p)
{
    if (isnan(f_s) || p < 1)
        return NAN;
    return p - f_s * (p - 1);
}

double rd_amdahl_gustafson_fit(const int *p, const double *scaled_speedup, int n,
                               double *rmse)
{
    static const Law law = { gus_x, gus_y, rd_amdahl_gustafson };
    return fit_origin(&law, p, scaled_speedup, n, rmse);
}

double rd_amdahl_serial_measured(double probe_s, double plan_s,
                                 double merge_tail_s, double total_s)
{
    double serial = probe_s + plan_s + merge_tail_s;
    if (!isfinite(serial) || !isfinite(total_s) || total_s <= 0)
        return NAN;
    return serial / total_s;
}

double rd_amdahl_fit_ceiling(const double *c, const double *speedup, int n, double *rmse)
{
    double sxy = 0, sxx = 0, f, se = 0;
    int m = 0;
    for (int i = 0; i < n; i++) {
        if (!(c[i] >= 1) || !isfinite(c[i]) || !isfinite(speedup[i]) || !(speedup[i] > 0))
            continue;
        double x = 1.0 - 1.0 / c[i];
        sxy += x * (1.0 / speedup[i] - 1.0 / c[i]);
        sxx += x * x;
    }
    f = sxx > 0 ? sxy / sxx : NAN;
    for (int i = 0; rmse && i < n && !isnan(f); i++) {
        if (!(c[i] >= 1) || !isfinite(c[i]) || !isfinite(speedup[i]) || !(speedup[i] > 0))
            continue;
        double d = f + (1.0 - f) / c[i];
        d = (d > 0 ? 1.0 / d : NAN) - speedup[i];
        se += d * d;
        m++;
    }
    if (rmse)
        *rmse = m > 0 ? sqrt(se / m) : NAN;
    return f;
}
