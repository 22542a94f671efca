#include "sweep/ceiling.h"

#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <libavutil/error.h>
#include <libavutil/mem.h>

#include "engine/report.h"
#include "io/errline.h"
#include "sweep/scratch.h"

#define MAX_REPEAT 100

/* p jobs at once, one OpenMP thread each; each job's own parallel loop is
 * nested and asks for one thread, so it gets one. Returns the wall time of
 * the whole group, or a negative AVERROR. */
static int run_group(const RdSettings *base, int p, double slice_s, char (*tmp)[4096],
                     double *wall, char *errbuf, int errlen)
{
    int ret = 0;
    double t0 = omp_get_wtime();

    #pragma omp parallel num_threads(p) reduction(min:ret)
    {
        RdSettings s = *base;
        RdReport rep;
        char err[RD_ERRLEN] = "";
        int i = omp_get_thread_num(), r;
        /* fewer threads than asked (OMP_THREAD_LIMIT, OMP_DYNAMIC) would
         * time fewer jobs than the ceiling says */
        if (omp_get_num_threads() != p) {
            #pragma omp critical(rd_ceiling_err)
            if (errbuf && errlen > 0 && !errbuf[0])
                snprintf(errbuf, errlen, "ceiling: %d threads for %d jobs", omp_get_num_threads(), p);
            ret = AVERROR(EAGAIN);
        }
        s.workers = 1;
        s.chunks = 1;
        s.limit_s = slice_s;
        s.output = tmp[i];
        s.overwrite = 1;
        s.quiet = 1;
        s.progress = NULL;
        r = rd_engine_run(&s, &rep, err, sizeof(err));
        rd_report_free(&rep);
        unlink(tmp[i]);
        if (r < 0) {
            #pragma omp critical(rd_ceiling_err)
            if (errbuf && errlen > 0 && !errbuf[0])
                snprintf(errbuf, errlen, "ceiling, %d jobs: %s", p, *err ? err : av_err2str(r));
            ret = r;
        }
    }
    *wall = omp_get_wtime() - t0;
    return ret;
}

static double median(double *t, int n)
{
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && t[j] < t[j - 1]; j--) {
            double x = t[j];
            t[j] = t[j - 1];
            t[j - 1] = x;
        }
    return t[(n - 1) / 2];
}

static int measure_point(const RdSettings *base, int p, double slice_s, int repeat,
                         const char *export_path, double *time_s, char *errbuf, int errlen)
{
    char (*tmp)[4096] = av_calloc(p, sizeof(*tmp));
    double t[MAX_REPEAT];
    int made = 0, ret = 0, n;

    if (!tmp)
        return AVERROR(ENOMEM);
    for (; made < p; made++)
        if ((ret = rd_scratch_output(base->output, export_path, tmp[made], sizeof(tmp[0]))) < 0) {
            snprintf(errbuf, errlen, "ceiling: temporary output: %s", av_err2str(ret));
            goto end;
        }
    for (n = 0; n < repeat; n++) {
        if (base->cancel && atomic_load(base->cancel)) {
            ret = AVERROR_EXIT;
            goto end;
        }
        if ((ret = run_group(base, p, slice_s, tmp, &t[n], errbuf, errlen)) < 0)
            goto end;
        if (!base->quiet)
            fprintf(stderr, "ceiling: %d independent job%s, run %d/%d: %.3f s\n",
                    p, p > 1 ? "s" : "", n + 1, repeat, t[n]);
    }
    *time_s = median(t, repeat);
end:
    for (int i = 0; i < made; i++)
        unlink(tmp[i]);
    av_free(tmp);
    return ret;
}

int rd_ceiling_measure(const RdSettings *base, const int *points, int np, double slice_s,
                       int repeat, const char *export_path, RdCeilingPoint *out,
                       char *errbuf, int errlen)
{
    double one = 0;
    int ret;

    if (np < 1 || repeat < 1 || repeat > MAX_REPEAT || !(slice_s > 0))
        return AVERROR(EINVAL);
    if (errbuf && errlen > 0)
        errbuf[0] = 0;
    if ((ret = measure_point(base, 1, slice_s, repeat, export_path, &one, errbuf, errlen)) < 0)
        return ret;
    for (int i = 0; i < np; i++) {
        double t = one;
        if (points[i] < 1)
            return AVERROR(EINVAL);
        if (points[i] > 1 &&
            (ret = measure_point(base, points[i], slice_s, repeat, export_path, &t, errbuf, errlen)) < 0)
            return ret;
        out[i].workers = points[i];
        out[i].time_s = t;
        out[i].speedup = t > 0 ? points[i] * one / t : NAN;
    }
    return 0;
}
