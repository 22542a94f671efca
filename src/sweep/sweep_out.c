/*
 * sweep_out.c - what a sweep tells people and programs: the render-bench/1
 * JSON tree, the .dat files the gnuplot scripts read, the plain table.
 */
#include "sweep/sweep.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libavcodec/version.h>
#include <libavfilter/version.h>
#include <libavformat/version.h>
#include <libavutil/avutil.h>
#include <libavutil/error.h>
#include <libavutil/mem.h>

#include "sweep/amdahl.h"

/* What every output derives from the measured times, computed one way. */
typedef struct Fit {
    double f, rmse;        /* Amdahl (strong) or Gustafson (weak) serial fraction */
    double fc, rmse_c;     /* Amdahl fitted to speedup / ceiling: what the renderer loses */
    double measured;       /* serial phases / total at one worker */
    int measured_from_p1;  /* 1: from the workers = 1 point, 0: from the baseline */
} Fit;

static double speedup_of(const RdSweepData *d, const RdSweepPoint *pt, double t)
{
    double s = rd_amdahl_speedup(d->baseline.time_s, t);
    /* Weak scaling: p workers did p times the baseline's work. */
    return d->weak ? s * pt->workers : s;
}

double rd_sweep_ceiling_at(const RdSweepData *d, int workers)
{
    for (int i = 0; i < d->nceiling; i++)
        if (d->ceiling[i].workers == workers)
            return d->ceiling[i].speedup;
    return NAN;
}

/* Speedup against what the machine allows at the same worker count. */
static double vs_ceiling(const RdSweepData *d, const RdSweepPoint *pt)
{
    return speedup_of(d, pt, pt->time_s) / rd_sweep_ceiling_at(d, pt->workers);
}

static double predict(const RdSweepData *d, const Fit *fit, int p)
{
    return d->weak ? rd_amdahl_gustafson(fit->f, p) : rd_amdahl_predict(fit->f, p);
}

static double spread(const RdSweepPoint *pt)
{
    return pt->time_s > 0 ? (pt->max_s - pt->min_s) / pt->time_s : NAN;
}

static double serial_share(const RdReport *r)
{
    return rd_amdahl_serial_measured(r->probe_s, r->plan_s, r->merge_tail_s, r->total_s);
}

static void compute_fit(const RdSweepData *d, Fit *fit)
{
    int p[RD_SWEEP_MAX_POINTS];
    double s[RD_SWEEP_MAX_POINTS], c[RD_SWEEP_MAX_POINTS];
    int n = FFMIN(d->npoints, RD_SWEEP_MAX_POINTS);
    const RdReport *one = NULL;

    for (int i = 0; i < n; i++) {
        p[i] = d->points[i].workers;
        s[i] = speedup_of(d, &d->points[i], d->points[i].time_s);
        c[i] = rd_sweep_ceiling_at(d, p[i]); /* NaN points are skipped by the fit */
        if (p[i] == 1 && !one)
            one = &d->points[i].report;
    }
    fit->f = d->weak ? rd_amdahl_gustafson_fit(p, s, n, &fit->rmse)
                     : rd_amdahl_fit(p, s, n, &fit->rmse);
    /* If p independent jobs reach only C(p), the machine gives p workers
     * C(p) processors' worth before the renderer does anything; Amdahl's
     * f is fitted with C(p) in place of p: what the software itself keeps
     * serial. */
    fit->fc = NAN;
    fit->rmse_c = NAN;
    if (!d->weak && d->nceiling)
        fit->fc = rd_amdahl_fit_ceiling(c, s, n, &fit->rmse_c);
    /* The workers = 1 point is planned like the others (several chunks, so
     * merging overlaps the loop); the one-chunk baseline is the fallback. */
    fit->measured_from_p1 = one != NULL;
    fit->measured = serial_share(one ? one : &d->baseline.report);
}

/* ---- JSON ---------------------------------------------------------------- */

/* Seven significant digits: microseconds on a second-long run, far below
 * the noise, and a file a student can read ("0.2341064", not 17 digits). */
static cJSON *add_num(cJSON *o, const char *name, double v)
{
    char buf[32];
    if (isfinite(v)) {
        snprintf(buf, sizeof(buf), "%.7g", v);
        v = strtod(buf, NULL);
    }
    return rd_json_add_number(o, name, v);
}

static void add_phases(cJSON *o, const RdReport *r)
{
    cJSON *ph = cJSON_AddObjectToObject(o, "phases");
    add_num(ph, "probe_s", r->probe_s);
    add_num(ph, "plan_s", r->plan_s);
    add_num(ph, "parallel_s", r->parallel_s);
    add_num(ph, "merge_tail_s", r->merge_tail_s);
    add_num(ph, "total_s", r->total_s);
}

static void add_timing(cJSON *o, const RdSweepPoint *pt)
{
    double sp = spread(pt);
    add_num(o, "time_s", pt->time_s);
    add_num(o, "time_min_s", pt->min_s);
    add_num(o, "time_max_s", pt->max_s);
    cJSON_AddNumberToObject(o, "repeats", pt->repeats);
    add_num(o, "spread", sp);
    cJSON_AddBoolToObject(o, "noisy", sp > RD_SWEEP_NOISY);
}

static void add_chunks_detail(cJSON *o, const RdReport *r)
{
    cJSON *arr = cJSON_AddArrayToObject(o, "chunks_detail");
    for (int i = 0; arr && i < r->nchunks; i++) {
        cJSON *e = rd_report_chunk_json(&r->chunks[i]);
        if (!cJSON_AddItemToArray(arr, e)) {
            cJSON_Delete(e);
            return;
        }
    }
}

static cJSON *run_json(const RdSweepData *d, const Fit *fit, const RdSweepPoint *pt)
{
    const RdReport *r = &pt->report;
    cJSON *o = cJSON_CreateObject();
    double s = speedup_of(d, pt, pt->time_s);

    cJSON_AddNumberToObject(o, "workers", pt->workers);
    cJSON_AddNumberToObject(o, "threads", r->threads);
    cJSON_AddNumberToObject(o, "chunks", r->nchunks);
    cJSON_AddStringToObject(o, "schedule", r->schedule);
    if (d->weak)
        add_num(o, "limit_s", pt->limit_s);
    add_timing(o, pt);
    cJSON_AddBoolToObject(o, "oversubscribed", d->cpus > 0 && pt->workers > d->cpus);
    add_num(o, "speedup", s);
    add_num(o, "efficiency", rd_amdahl_efficiency(s, pt->workers));
    add_num(o, "ceiling_speedup", rd_sweep_ceiling_at(d, pt->workers));
    add_num(o, "efficiency_vs_ceiling", vs_ceiling(d, pt));
    add_num(o, "karp_flatt", rd_amdahl_karp_flatt(s, pt->workers));
    add_num(o, d->weak ? "gustafson_pred" : "amdahl_pred",
                       predict(d, fit, pt->workers));
    add_num(o, "serial_share", serial_share(r));
    add_phases(o, r);
    cJSON_AddNumberToObject(o, "frames_out", (double)r->frames_out);
    cJSON_AddNumberToObject(o, "wasted_decode_frames", (double)r->wasted_frames);
    cJSON_AddNumberToObject(o, "output_bytes", (double)r->output_bytes);
    add_chunks_detail(o, r);
    return o;
}

static void add_build(cJSON *root)
{
    cJSON *b = cJSON_AddObjectToObject(root, "build");
#if defined(__clang__)
    cJSON_AddStringToObject(b, "compiler", "clang " __clang_version__);
#elif defined(__GNUC__)
    cJSON_AddStringToObject(b, "compiler", "gcc " __VERSION__);
#else
    cJSON_AddStringToObject(b, "compiler", "unknown");
#endif
#ifdef RD_BUILD_FLAGS
    cJSON_AddStringToObject(b, "flags", RD_BUILD_FLAGS);
#else
    cJSON_AddNullToObject(b, "flags");
#endif
#ifdef _OPENMP
    cJSON_AddNumberToObject(b, "openmp", _OPENMP);
#endif
    cJSON_AddStringToObject(b, "ffmpeg", av_version_info());
    cJSON_AddStringToObject(b, "libavcodec", LIBAVCODEC_IDENT);
    cJSON_AddStringToObject(b, "libavformat", LIBAVFORMAT_IDENT);
    cJSON_AddStringToObject(b, "libavfilter", LIBAVFILTER_IDENT);
    cJSON_AddStringToObject(b, "libavutil", LIBAVUTIL_IDENT);
    cJSON_AddStringToObject(b, "cjson", cJSON_Version());
}

static void add_head(cJSON *root, const RdSweepData *d)
{
    const RdReport *b = &d->baseline.report;
    const RdReport *first = d->npoints ? &d->points[0].report : b;
    cJSON *o;

    cJSON_AddStringToObject(root, "schema", "render-bench/1");
    cJSON_AddStringToObject(root, "method", d->method ? d->method : "in-process");
    cJSON_AddStringToObject(root, "mode", d->weak ? "weak" : "strong");
    if (d->weak)
        add_num(root, "weak_unit_s", d->weak_unit_s);
    if (d->date[0])
        cJSON_AddStringToObject(root, "date", d->date);

    o = cJSON_AddObjectToObject(root, "host");
    cJSON_AddNumberToObject(o, "cpus", d->cpus);
    cJSON_AddStringToObject(o, "cpu_model", d->cpu_model[0] ? d->cpu_model : "unknown");

    cJSON_AddItemToObject(root, "input", rd_report_input_json(b));

    o = cJSON_AddObjectToObject(root, "workload");
    cJSON_AddStringToObject(o, "vf", b->vf);
    cJSON_AddStringToObject(o, "vcodec", b->vcodec);
    cJSON_AddStringToObject(o, "options", b->options);
    cJSON_AddStringToObject(o, "schedule", first->schedule);
    if (d->chunk_factor > 0)
        cJSON_AddNumberToObject(o, "chunk_factor", d->chunk_factor);
    else
        cJSON_AddNullToObject(o, "chunk_factor");
    add_build(root);
}

static void add_laws(cJSON *root, const RdSweepData *d, const Fit *fit)
{
    cJSON *o = cJSON_AddObjectToObject(root, "amdahl");
    /* Amdahl's law is about a fixed problem; on weak-scaling data its fit
     * would be meaningless, so the fields stay (schema) but are null. */
    double f = d->weak ? NAN : fit->f;
    add_num(o, "serial_fraction", f);
    add_num(o, "max_speedup", rd_amdahl_max_speedup(f));
    add_num(o, "fit_rmse", d->weak ? NAN : fit->rmse);
    if (d->weak) {
        o = cJSON_AddObjectToObject(root, "gustafson");
        add_num(o, "serial_fraction", fit->f);
        add_num(o, "fit_rmse", fit->rmse);
    }
    o = cJSON_AddObjectToObject(root, "amdahl_vs_ceiling");
    add_num(o, "serial_fraction", fit->fc);
    add_num(o, "max_speedup", rd_amdahl_max_speedup(fit->fc));
    add_num(o, "fit_rmse", fit->rmse_c);
    add_num(root, "serial_fraction_measured", fit->measured);
    cJSON_AddStringToObject(root, "serial_fraction_measured_from",
                            fit->measured_from_p1 ? "workers=1" : "baseline");
}

cJSON *rd_sweep_build_json(const RdSweepData *d)
{
    cJSON *root = cJSON_CreateObject(), *o, *runs;
    const RdReport *b = &d->baseline.report;
    Fit fit;

    if (!root)
        return NULL;
    compute_fit(d, &fit);
    add_head(root, d);

    o = cJSON_AddObjectToObject(root, "baseline");
    cJSON_AddNumberToObject(o, "workers", 1);
    cJSON_AddNumberToObject(o, "threads", b->threads);
    cJSON_AddNumberToObject(o, "chunks", b->nchunks);
    if (d->weak)
        add_num(o, "limit_s", d->baseline.limit_s);
    add_timing(o, &d->baseline);
    add_phases(o, b);
    cJSON_AddNumberToObject(o, "frames_out", (double)b->frames_out);
    cJSON_AddNumberToObject(o, "output_bytes", (double)b->output_bytes);

    runs = cJSON_AddArrayToObject(root, "runs");
    for (int i = 0; runs && i < d->npoints; i++) {
        cJSON *r = run_json(d, &fit, &d->points[i]);
        if (!cJSON_AddItemToArray(runs, r)) {
            cJSON_Delete(r);
            runs = NULL;
        }
    }
    add_laws(root, d, &fit);
    add_num(root, "ceiling_s", d->nceiling ? d->ceiling_s : NAN);
    o = cJSON_AddArrayToObject(root, "ceiling");
    for (int i = 0; o && i < d->nceiling; i++) {
        cJSON *c = cJSON_CreateObject();
        cJSON_AddNumberToObject(c, "workers", d->ceiling[i].workers);
        add_num(c, "speedup", d->ceiling[i].speedup);
        add_num(c, "time_s", d->ceiling[i].time_s);
        if (!cJSON_AddItemToArray(o, c)) {
            cJSON_Delete(c);
            o = NULL;
        }
    }
    if (!o)
        runs = NULL;

    /* cJSON_Add* return NULL on allocation failure; checking the last
     * additions of each part is enough to know the tree is whole. */
    if (!runs || !cJSON_GetObjectItem(root, "build") ||
        !cJSON_GetObjectItem(root, "serial_fraction_measured_from")) {
        cJSON_Delete(root);
        return NULL;
    }
    return root;
}

/* ---- .dat for gnuplot ---------------------------------------------------- */

/* gnuplot reads "NaN" as a missing point; C's "%g" would print "nan". */
static void put(FILE *f, double v)
{
    if (isfinite(v))
        fprintf(f, " %.6g", v);
    else
        fputs(" NaN", f);
}

static void dat_scaling(FILE *f, const RdSweepData *d, const Fit *fit)
{
    fprintf(f, "# render-bench/1 %s, %s scaling: %s, vf=%s, vcodec=%s\n",
            d->method ? d->method : "in-process", d->weak ? "weak" : "strong",
            d->baseline.report.input, d->baseline.report.vf, d->baseline.report.vcodec);
    fprintf(f, "# baseline_s %.6g\n", d->baseline.time_s);
    fprintf(f, "# %s_f %.6g rmse %.6g\n", d->weak ? "gustafson" : "amdahl", fit->f, fit->rmse);
    fprintf(f, "# amdahl_vs_ceiling_f %.6g rmse %.6g\n", fit->fc, fit->rmse_c);
    fprintf(f, "# p time_s speedup efficiency karp_flatt %s time_min_s time_max_s"
               " speedup_lo speedup_hi chunks ceiling vs_ceiling\n",
            d->weak ? "gustafson_pred" : "amdahl_pred");
    for (int i = 0; i < d->npoints; i++) {
        const RdSweepPoint *pt = &d->points[i];
        double s = speedup_of(d, pt, pt->time_s);
        fprintf(f, "%d", pt->workers);
        put(f, pt->time_s);
        put(f, s);
        put(f, rd_amdahl_efficiency(s, pt->workers));
        put(f, rd_amdahl_karp_flatt(s, pt->workers));
        put(f, predict(d, fit, pt->workers));
        put(f, pt->min_s);
        put(f, pt->max_s);
        put(f, speedup_of(d, pt, pt->max_s));
        put(f, speedup_of(d, pt, pt->min_s));
        fprintf(f, " %d", pt->report.nchunks);
        put(f, rd_sweep_ceiling_at(d, pt->workers));
        put(f, vs_ceiling(d, pt));
        fputc('\n', f);
    }
}

static void dat_phases(FILE *f, const RdSweepData *d, const Fit *fit)
{
    (void)fit;
    /* "other" is wall time outside the engine's phases: near zero in
     * process, process start-up and exit when each run is its own process. */
    fprintf(f, "# p probe_s plan_s parallel_s merge_tail_s other_s\n");
    for (int i = 0; i < d->npoints; i++) {
        const RdSweepPoint *pt = &d->points[i];
        const RdReport *r = &pt->report;
        double in = r->probe_s + r->plan_s + r->parallel_s + r->merge_tail_s;
        fprintf(f, "%d", pt->workers);
        put(f, r->probe_s);
        put(f, r->plan_s);
        put(f, r->parallel_s);
        put(f, r->merge_tail_s);
        put(f, FFMAX(0.0, pt->time_s - in));
        fputc('\n', f);
    }
}

static void dat_gantt(FILE *f, const RdSweepData *d, const Fit *fit)
{
    const RdSweepPoint *big = NULL;
    (void)fit;
    for (int i = 0; i < d->npoints; i++)
        if (!big || d->points[i].workers >= big->workers)
            big = &d->points[i];
    fprintf(f, "# workers %d\n", big ? big->workers : 0);
    fprintf(f, "# worker start_s end_s chunk frames media_start_s media_end_s\n");
    for (int i = 0; big && i < big->report.nchunks; i++) {
        const RdChunkReport *c = &big->report.chunks[i];
        fprintf(f, "%d", c->worker);
        put(f, c->start_s);
        put(f, c->end_s);
        fprintf(f, " %d %lld", c->index, (long long)c->frames);
        put(f, c->media_start_s);
        put(f, c->media_end_s);
        fputc('\n', f);
    }
}

static int write_one(const char *dir, const char *name, const char *kind,
                     void (*body)(FILE *, const RdSweepData *, const Fit *),
                     const RdSweepData *d, const Fit *fit)
{
    char path[4096], tmp[4200];
    FILE *f;
    int ret;

    snprintf(path, sizeof(path), "%s/%s_%s.dat", dir, name, kind);
    if (!(f = rd_file_create(path, tmp, sizeof(tmp), &ret)))
        return ret;
    body(f, d, fit);
    return rd_file_commit(f, 0, tmp, path);
}

int rd_sweep_write_dat(const RdSweepData *d, const char *dir, const char *name)
{
    Fit fit;
    int ret;

    compute_fit(d, &fit);
    if ((ret = write_one(dir, name, "scaling", dat_scaling, d, &fit)) < 0 ||
        (ret = write_one(dir, name, "phases", dat_phases, d, &fit)) < 0 ||
        (ret = write_one(dir, name, "gantt", dat_gantt, d, &fit)) < 0)
        return ret;
    return 0;
}

/* ---- the table ------------------------------------------------------------ */

static void cell(FILE *out, const char *fmt, double v, int width)
{
    if (isfinite(v))
        fprintf(out, fmt, width, v);
    else
        fprintf(out, "%*s", width, "-");
}

void rd_sweep_print_table(const RdSweepData *d, FILE *out)
{
    const RdReport *b = &d->baseline.report;
    Fit fit;

    compute_fit(d, &fit);
    fprintf(out, "\nrender sweep (%s, %s scaling): %s, vf=%s, %s; %d cpus (%s)\n",
            d->method ? d->method : "in-process", d->weak ? "weak" : "strong",
            b->input, b->vf, b->vcodec, d->cpus, d->cpu_model[0] ? d->cpu_model : "unknown");
    fprintf(out, "%8s %7s %6s %9s %8s %10s %10s %8s %10s\n", "workers", "threads",
            "chunks", "time_s", d->weak ? "scaled" : "speedup", "efficiency",
            "karp_flatt", "ceiling", "vs_ceiling");
    fprintf(out, "%8s %7d %6d", "baseline", b->threads, b->nchunks);
    cell(out, " %*.3f", d->baseline.time_s, 9);
    fprintf(out, " %8s %10s %10s %8s %10s%s\n", "1.00", "1.00", "-", "-", "-",
            spread(&d->baseline) > RD_SWEEP_NOISY ? "  noisy" : "");
    for (int i = 0; i < d->npoints; i++) {
        const RdSweepPoint *pt = &d->points[i];
        double s = speedup_of(d, pt, pt->time_s);
        int over = d->cpus > 0 && pt->workers > d->cpus;
        int noisy = spread(pt) > RD_SWEEP_NOISY;
        fprintf(out, "%8d %7d %6d", pt->workers, pt->report.threads, pt->report.nchunks);
        cell(out, " %*.3f", pt->time_s, 9);
        cell(out, " %*.2f", s, 8);
        cell(out, " %*.2f", rd_amdahl_efficiency(s, pt->workers), 10);
        cell(out, " %*.3f", rd_amdahl_karp_flatt(s, pt->workers), 10);
        cell(out, " %*.2f", rd_sweep_ceiling_at(d, pt->workers), 8);
        cell(out, " %*.2f", vs_ceiling(d, pt), 10);
        fprintf(out, "%s%s%s%s\n", over || noisy ? "  " : "",
                over ? "oversubscribed" : "", over && noisy ? ", " : "",
                noisy ? "noisy" : "");
    }
    if (isnan(fit.f)) {
        fprintf(out, "%s fit: needs a point with more than one worker\n",
                d->weak ? "Gustafson" : "Amdahl");
    } else if (d->weak) {
        fprintf(out, "Gustafson fit: serial fraction f_s = %.4f (rmse %.3f)\n",
                fit.f, fit.rmse);
    } else {
        double m = rd_amdahl_max_speedup(fit.f);
        fprintf(out, "Amdahl fit: serial fraction f = %.4f (rmse %.3f); max speedup 1/f = ",
                fit.f, fit.rmse);
        if (isfinite(m))
            fprintf(out, "%.1f\n", m);
        else
            fprintf(out, "unbounded\n");
    }
    if (d->nceiling)
        fprintf(out, "Ceiling: p independent one-thread renders of %.2f s at once reach the"
                " 'ceiling' speedup; vs_ceiling = speedup / ceiling\n", d->ceiling_s);
    if (isfinite(fit.fc))
        fprintf(out, "Amdahl fit to speedup / ceiling (what the renderer itself loses):"
                " f = %.4f (rmse %.3f)\n", fit.fc, fit.rmse_c);
    if (isfinite(fit.measured))
        fprintf(out, "Measured serial fraction (probe + plan + merge tail, %s): %.4f\n",
                fit.measured_from_p1 ? "1 worker" : "baseline", fit.measured);
}

void rd_sweep_data_free(RdSweepData *d)
{
    if (!d)
        return;
    rd_report_free(&d->baseline.report);
    for (int i = 0; d->points && i < d->npoints; i++)
        rd_report_free(&d->points[i].report);
    av_freep(&d->points);
    d->npoints = 0;
}
