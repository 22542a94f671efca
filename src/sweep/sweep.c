/*
 * sweep.c - collect a sweep: run the engine at each worker count in this
 * process, or read the reports separate processes wrote; then hand the
 * result to sweep_out.c.
 */
#include "sweep/sweep.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <omp.h>
#include <libavutil/avstring.h>
#include <libavutil/error.h>
#include <libavutil/mem.h>

#include "io/errline.h"
#include "io/outfile.h"
#include "sweep/scratch.h"

#define MAX_REPEAT 100

void rd_sweep_defaults(RdSweepSettings *sw)
{
    memset(sw, 0, sizeof(*sw));
    sw->repeat = 3;
    sw->weak_unit_s = 5.0;
    sw->ceiling_s = 2.0;
}

int rd_sweep_default_points(int ncpus, int *out, int max)
{
    int n = 0, p;
    if (ncpus < 1)
        ncpus = 1;
    for (p = 1; p <= ncpus && n < max; p *= 2)
        out[n++] = p;
    if (n < max && out[n - 1] != ncpus)
        out[n++] = ncpus;
    return n;
}

static void set_err(char *errbuf, int errlen, const char *fmt, ...)
{
    va_list ap;
    if (!errbuf || errlen <= 0)
        return;
    va_start(ap, fmt);
    vsnprintf(errbuf, errlen, fmt, ap);
    va_end(ap);
}

static void stamp_date(RdSweepData *d)
{
    time_t now = time(NULL);
    struct tm tm;
    if (gmtime_r(&now, &tm))
        strftime(d->date, sizeof(d->date), "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void rd_sweep_host_info(RdSweepData *d)
{
    char line[512];
    FILE *f;

    d->cpus = omp_get_num_procs();
    av_strlcpy(d->cpu_model, "unknown", sizeof(d->cpu_model));
    if ((f = fopen("/proc/cpuinfo", "r"))) {
        while (fgets(line, sizeof(line), f)) {
            char *colon = strchr(line, ':');
            if (strncmp(line, "model name", 10) || !colon)
                continue;
            colon += strspn(colon + 1, " \t") + 1;
            colon[strcspn(colon, "\n")] = 0;
            av_strlcpy(d->cpu_model, colon, sizeof(d->cpu_model));
            break;
        }
        fclose(f);
    }
}

void rd_sweep_keep_median(RdSweepPoint *pt, const double *t, RdReport *reps, int n)
{
    int order[MAX_REPEAT];
    for (int i = 0; i < n; i++)
        order[i] = i;
    for (int i = 1; i < n; i++)  /* insertion sort: n is small */
        for (int j = i; j > 0 && t[order[j]] < t[order[j - 1]]; j--) {
            int tmp = order[j];
            order[j] = order[j - 1];
            order[j - 1] = tmp;
        }
    int m = order[(n - 1) / 2];
    pt->repeats = n;
    pt->time_s = t[m];
    pt->min_s = t[order[0]];
    pt->max_s = t[order[n - 1]];
    pt->report = reps[m];
    memset(&reps[m], 0, sizeof(reps[m]));
    for (int i = 0; i < n; i++)
        rd_report_free(&reps[i]);
}

static void warn_noise(const RdSweepPoint *pt, const char *label)
{
    double spread = pt->time_s > 0 ? (pt->max_s - pt->min_s) / pt->time_s : 0;
    if (spread > RD_SWEEP_NOISY)
        fprintf(stderr, "render: sweep: %s: runs differ by %.1f%% (%.3f to %.3f s); "
                "close other programs or raise --repeat\n",
                label, 100 * spread, pt->min_s, pt->max_s);
}

/* ---- in process ---------------------------------------------------------- */

/* Run one configuration `sw->repeat` times and keep the median. */
static int measure(const RdSettings *base, const RdSweepSettings *sw, const char *tmp,
                   int workers, int chunks, double limit_s, const char *label,
                   RdSweepPoint *pt, char *errbuf, int errlen)
{
    RdSettings s = *base;
    RdReport *reps = av_calloc(sw->repeat, sizeof(*reps));
    double t[MAX_REPEAT];
    int ret = 0, n = 0;

    if (!reps)
        return AVERROR(ENOMEM);
    s.workers = workers;
    s.chunks = chunks;
    s.limit_s = limit_s;
    s.output = tmp;
    s.overwrite = 1;
    s.quiet = 1;
    s.progress = NULL;
    pt->workers = workers;
    pt->limit_s = limit_s;

    for (n = 0; n < sw->repeat; n++) {
        struct stat st;
        if (base->cancel && atomic_load(base->cancel)) {
            ret = AVERROR_EXIT;
            break;
        }
        if (errbuf && errlen > 0)
            errbuf[0] = 0;
        double t0 = omp_get_wtime();
        ret = rd_engine_run(&s, &reps[n], errbuf, errlen);
        t[n] = omp_get_wtime() - t0;
        if (ret >= 0 && reps[n].output_bytes <= 0 && stat(tmp, &st) == 0)
            reps[n].output_bytes = st.st_size;
        unlink(tmp);
        if (ret < 0) {
            char why[RD_ERRLEN];
            av_strlcpy(why, errbuf && errlen > 0 && errbuf[0] ? errbuf : av_err2str(ret),
                       sizeof(why));
            set_err(errbuf, errlen, "sweep, %s: %s", label, why);
            rd_report_free(&reps[n]);
            break;
        }
        if (!base->quiet)
            fprintf(stderr, "sweep: %s, run %d/%d: %.3f s\n", label, n + 1, sw->repeat, t[n]);
        if (!base->quiet && n == 0 && limit_s > 0 && reps[n].duration_s > 0 &&
            reps[n].duration_s < limit_s - 0.001)
            fprintf(stderr, "render: sweep: %s: input has only %.2f s of the %.2f s "
                    "asked for; weak scaling needs a longer input\n",
                    label, reps[n].duration_s, limit_s);
    }
    if (ret >= 0) {
        rd_sweep_keep_median(pt, t, reps, n);
        if (!base->quiet)
            warn_noise(pt, label);
    } else {
        for (int i = 0; i < n; i++)
            rd_report_free(&reps[i]);
    }
    av_free(reps);
    return ret;
}

static int check_settings(const RdSweepSettings *sw, const int *pts, int np,
                          char *errbuf, int errlen)
{
    if (np < 1 || np > RD_SWEEP_MAX_POINTS) {
        set_err(errbuf, errlen, "sweep: between 1 and %d worker counts, not %d",
                RD_SWEEP_MAX_POINTS, np);
        return AVERROR(EINVAL);
    }
    for (int i = 0; i < np; i++)
        if (pts[i] < 1) {
            set_err(errbuf, errlen, "sweep: worker count %d is not >= 1", pts[i]);
            return AVERROR(EINVAL);
        }
    if (sw->repeat < 1 || sw->repeat > MAX_REPEAT) {
        set_err(errbuf, errlen, "sweep: --repeat must be 1..%d", MAX_REPEAT);
        return AVERROR(EINVAL);
    }
    if (sw->weak && !(sw->weak_unit_s > 0)) {
        set_err(errbuf, errlen, "sweep: --weak needs seconds per worker > 0");
        return AVERROR(EINVAL);
    }
    return 0;
}

/* The .dat files' base name: --dat-name, else the export file's without its extension. */
static void dat_base(const RdSweepSettings *sw, char *name, int len)
{
    if (sw->dat_name) {
        av_strlcpy(name, sw->dat_name, len);
    } else if (sw->export_path && strcmp(sw->export_path, "-")) {
        const char *base = strrchr(sw->export_path, '/');
        av_strlcpy(name, base ? base + 1 : sw->export_path, len);
        char *dot = strrchr(name, '.');
        if (dot && dot != name)
            *dot = 0;
    } else {
        av_strlcpy(name, "sweep", len);
    }
}

/* Before the sweep, not after it: --dat-dir is a directory and its .dat
 * files are replaced only with -y, like every file render writes. */
static int check_dat(const RdSweepSettings *sw, char *errbuf, int errlen)
{
    static const char *const kinds[] = { "scaling", "phases", "gantt" };
    char name[256], path[4400];
    struct stat st;

    if (!sw->dat_dir)
        return 0;
    if (stat(sw->dat_dir, &st) < 0) {
        int e = errno;
        set_err(errbuf, errlen, "%s: --dat-dir: %s", sw->dat_dir, strerror(e));
        return AVERROR(e);
    }
    if (!S_ISDIR(st.st_mode)) {
        set_err(errbuf, errlen, "%s: --dat-dir: not a directory", sw->dat_dir);
        return AVERROR(ENOTDIR);
    }
    dat_base(sw, name, sizeof(name));
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof(path), "%s/%s_%s.dat", sw->dat_dir, name, kinds[i]);
        if (!sw->overwrite && lstat(path, &st) == 0) {
            set_err(errbuf, errlen, "%s: already exists (use -y to overwrite)", path);
            return AVERROR(EEXIST);
        }
    }
    return 0;
}

static int finish(RdSweepData *d, const RdSweepSettings *sw, int quiet,
                  char *errbuf, int errlen)
{
    char name[256];
    int ret = 0;

    if (!quiet) {
        rd_sweep_print_table(d, stdout);
        fflush(stdout);
    }
    if (sw->export_path) {
        cJSON *json = rd_sweep_build_json(d);
        ret = json ? rd_json_save(json, sw->export_path, sw->overwrite) : AVERROR(ENOMEM);
        cJSON_Delete(json);
        if (ret < 0) {
            set_err(errbuf, errlen, "%s: %s", sw->export_path, ret == AVERROR(EEXIST)
                    ? "already exists (use -y to overwrite)" : av_err2str(ret));
            return ret;
        }
    }
    if (sw->dat_dir) {
        dat_base(sw, name, sizeof(name));
        if ((ret = rd_sweep_write_dat(d, sw->dat_dir, name)) < 0)
            set_err(errbuf, errlen, "%s/%s_*.dat: %s", sw->dat_dir, name, av_err2str(ret));
    }
    return ret;
}

int rd_sweep_run(const RdSettings *base, const RdSweepSettings *sw,
                 char *errbuf, int errlen)
{
    int defaults[RD_SWEEP_MAX_POINTS];
    const int *pts = sw->points;
    int np = sw->npoints, ret;
    char tmp[4096] = "", label[64];
    int have_tmp = 0;
    RdSweepData d = { .method = "in-process" };

    rd_sweep_host_info(&d);
    if (np <= 0 || !pts) {
        np = rd_sweep_default_points(d.cpus, defaults, RD_SWEEP_MAX_POINTS);
        pts = defaults;
    }
    if ((ret = check_settings(sw, pts, np, errbuf, errlen)) < 0 ||
        (ret = check_dat(sw, errbuf, errlen)) < 0)
        return ret;
    d.weak = sw->weak;
    d.weak_unit_s = sw->weak_unit_s;
    d.chunk_factor = base->chunks > 0 ? 0 : base->chunk_factor;
    if (!(d.points = av_calloc(np, sizeof(*d.points))))
        return AVERROR(ENOMEM);
    if ((ret = rd_scratch_output(base->output, sw->export_path, tmp, sizeof(tmp))) < 0) {
        set_err(errbuf, errlen, "sweep: temporary output %s: %s", tmp, av_err2str(ret));
        goto end;
    }
    have_tmp = 1;

    ret = measure(base, sw, tmp, 1, 1, sw->weak ? sw->weak_unit_s : base->limit_s,
                  "baseline (1 worker, 1 chunk)", &d.baseline, errbuf, errlen);
    if (ret < 0)
        goto end;
    for (int i = 0; i < np; i++) {
        snprintf(label, sizeof(label), "%d worker%s", pts[i], pts[i] > 1 ? "s" : "");
        ret = measure(base, sw, tmp, pts[i], base->chunks,
                      sw->weak ? pts[i] * sw->weak_unit_s : base->limit_s,
                      label, &d.points[i], errbuf, errlen);
        if (ret < 0)
            goto end;
        d.npoints = i + 1;
    }
    /* The same slice for every p, so the ceiling is the machine's alone. */
    if (sw->ceiling_s > 0) {
        double slice = sw->ceiling_s;
        if (d.baseline.report.duration_s > 0 && slice > d.baseline.report.duration_s)
            slice = d.baseline.report.duration_s;
        if ((ret = rd_ceiling_measure(base, pts, np, slice, sw->repeat, sw->export_path,
                                      d.ceiling, errbuf, errlen)) < 0)
            goto end;
        d.nceiling = np;
        d.ceiling_s = slice;
    }
    stamp_date(&d);
    ret = finish(&d, sw, base->quiet, errbuf, errlen);
end:
    if (have_tmp)
        rd_outfile_discard(tmp);
    rd_sweep_data_free(&d);
    return ret;
}

/* ---- from report files --------------------------------------------------- */

static double num(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

static void str(char *dst, size_t size, const cJSON *o, const char *name)
{
    const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, name));
    av_strlcpy(dst, s ? s : "", size);
}

static int64_t count(const cJSON *o, const char *name)
{
    double v = num(o, name);
    return isfinite(v) ? (int64_t)v : 0;
}

/* render-report/1 (report.c) back into an RdReport. */
static int report_from_json(const cJSON *j, RdReport *r)
{
    const cJSON *in = cJSON_GetObjectItemCaseSensitive(j, "input");
    const cJSON *wl = cJSON_GetObjectItemCaseSensitive(j, "workload");
    const cJSON *ph = cJSON_GetObjectItemCaseSensitive(j, "phases");
    const cJSON *cd = cJSON_GetObjectItemCaseSensitive(j, "chunks_detail");
    const char *schema = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "schema"));

    if (!schema || strcmp(schema, "render-report/1") ||
        !(num(j, "workers_requested") >= 1) || !isfinite(num(ph, "total_s")))
        return AVERROR_INVALIDDATA;
    str(r->input, sizeof(r->input), in, "path");
    r->duration_s = num(in, "duration_s");
    r->width = (int)count(in, "width");
    r->height = (int)count(in, "height");
    r->fps = num(in, "fps");
    r->frames = count(in, "frames");
    str(r->codec, sizeof(r->codec), in, "codec");
    str(r->vf, sizeof(r->vf), wl, "vf");
    str(r->vcodec, sizeof(r->vcodec), wl, "vcodec");
    str(r->options, sizeof(r->options), wl, "options");
    r->workers_requested = (int)count(j, "workers_requested");
    r->threads = (int)count(j, "threads");
    str(r->schedule, sizeof(r->schedule), j, "schedule");
    r->probe_s = num(ph, "probe_s");
    r->plan_s = num(ph, "plan_s");
    r->parallel_s = num(ph, "parallel_s");
    r->merge_tail_s = num(ph, "merge_tail_s");
    r->total_s = num(ph, "total_s");
    r->frames_out = count(j, "frames_out");
    r->wasted_frames = count(j, "wasted_decode_frames");
    r->output_bytes = count(j, "output_bytes");

    int n = cJSON_GetArraySize(cd);
    r->nchunks = (int)count(j, "chunks");
    if (n > 0 && !(r->chunks = av_calloc(n, sizeof(*r->chunks))))
        return AVERROR(ENOMEM);
    for (int i = 0; i < n; i++) {
        const cJSON *c = cJSON_GetArrayItem(cd, i);
        RdChunkReport *k = &r->chunks[i];
        k->index = (int)count(c, "index");
        k->worker = (int)count(c, "worker");
        k->start_s = num(c, "start_s");
        k->end_s = num(c, "end_s");
        k->media_start_s = num(c, "media_start_s");
        k->media_end_s = num(c, "media_end_s");
        k->frames = count(c, "frames");
        k->wasted_frames = count(c, "wasted_frames");
        k->bytes = count(c, "bytes");
        k->cpu_s = num(c, "cpu_s");
    }
    if (n > 0)
        r->nchunks = n;
    return 0;
}

static int read_text(const char *path, char **text)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t len = 0, cap = 0;
    int ret = 0;

    if (!f)
        return AVERROR(errno);
    for (;;) {
        if (cap - len < 4096) {
            char *nb = av_realloc(buf, cap = cap * 2 + 8192);
            if (!nb) {
                ret = AVERROR(ENOMEM);
                goto end;
            }
            buf = nb;
        }
        size_t got = fread(buf + len, 1, cap - len - 1, f);
        len += got;
        if (got == 0)
            break;
    }
    if (ferror(f))
        ret = AVERROR(EIO);
    buf[len] = 0;
end:
    fclose(f);
    if (ret < 0)
        av_freep(&buf);
    *text = buf;
    return ret;
}

/* One report and its time: the process's wall time from PATH.wall if the
 * driver wrote one, else the engine's own total. */
static int load_run(const char *path, RdReport *r, double *t, char *errbuf, int errlen)
{
    char *text = NULL, wall[4200];
    cJSON *j = NULL;
    FILE *f;
    int ret;

    if ((ret = read_text(path, &text)) < 0) {
        set_err(errbuf, errlen, "%s: %s", path, av_err2str(ret));
        return ret;
    }
    if (!(j = cJSON_Parse(text)) || (ret = report_from_json(j, r)) == AVERROR_INVALIDDATA) {
        set_err(errbuf, errlen, "%s: not a render-report/1 file", path);
        ret = AVERROR_INVALIDDATA;
        goto end;
    }
    if (ret < 0)
        goto end;
    *t = r->total_s;
    snprintf(wall, sizeof(wall), "%s.wall", path);
    if ((f = fopen(wall, "r"))) {
        double w;
        if (fscanf(f, "%lf", &w) == 1 && isfinite(w) && w > 0)
            *t = w;
        fclose(f);
    }
end:
    cJSON_Delete(j);
    av_free(text);
    return ret;
}

/* Load n reports; all or nothing. */
static int load_all(const char *const *paths, int n, RdReport **reps, double **t,
                    char *errbuf, int errlen)
{
    int ret = 0, i;
    *reps = av_calloc(n, sizeof(**reps));
    *t = av_calloc(n, sizeof(**t));
    if (!*reps || !*t)
        ret = AVERROR(ENOMEM);
    for (i = 0; ret >= 0 && i < n; i++)
        ret = load_run(paths[i], &(*reps)[i], &(*t)[i], errbuf, errlen);
    if (ret < 0) {
        for (int k = 0; *reps && k < n; k++)
            rd_report_free(&(*reps)[k]);
        av_freep(reps);
        av_freep(t);
    }
    return ret;
}

/* Reduce the runs with workers_requested == w (marked used) to one point. */
static void group(RdSweepPoint *pt, int w, RdReport *reps, const double *t, int n,
                  char *used)
{
    RdReport g[MAX_REPEAT];
    double gt[MAX_REPEAT];
    int m = 0;
    for (int i = 0; i < n; i++) {
        if (used[i] || reps[i].workers_requested != w)
            continue;
        used[i] = 1;
        if (m == MAX_REPEAT) {  /* more repeats than anyone needs: drop extras */
            rd_report_free(&reps[i]);
            continue;
        }
        g[m] = reps[i];
        gt[m++] = t[i];
        memset(&reps[i], 0, sizeof(reps[i]));
    }
    pt->workers = w;
    rd_sweep_keep_median(pt, gt, g, m);
}

/* The ceiling another sweep of the same bench run measured (bench/run.sh
 * passes the in-process sweep's file): the machine is the same. */
static int load_ceiling(const char *path, RdSweepData *d, char *errbuf, int errlen)
{
    char *text = NULL;
    cJSON *j = NULL, *arr;
    int ret;

    if ((ret = read_text(path, &text)) < 0) {
        set_err(errbuf, errlen, "%s: %s", path, av_err2str(ret));
        return ret;
    }
    j = cJSON_Parse(text);
    arr = cJSON_GetObjectItemCaseSensitive(j, "ceiling");
    if (!j || !cJSON_IsArray(arr)) {
        set_err(errbuf, errlen, "%s: not a render-bench/1 file with a ceiling", path);
        ret = AVERROR_INVALIDDATA;
        goto end;
    }
    d->nceiling = 0;
    for (int i = 0; i < cJSON_GetArraySize(arr) && d->nceiling < RD_SWEEP_MAX_POINTS; i++) {
        const cJSON *c = cJSON_GetArrayItem(arr, i);
        RdCeilingPoint *pt = &d->ceiling[d->nceiling];
        pt->workers = (int)count(c, "workers");
        pt->speedup = num(c, "speedup");
        pt->time_s = num(c, "time_s");
        if (pt->workers >= 1 && isfinite(pt->speedup))
            d->nceiling++;
    }
    d->ceiling_s = num(j, "ceiling_s");
end:
    cJSON_Delete(j);
    av_free(text);
    return ret;
}

/* The planner makes workers * K chunks unless it had to lower the count. */
static int infer_chunk_factor(const RdSweepData *d)
{
    int k = 0;
    for (int i = 0; i < d->npoints; i++) {
        const RdSweepPoint *pt = &d->points[i];
        if (pt->report.nchunks % pt->workers)
            return 0;
        if (k && pt->report.nchunks / pt->workers != k)
            return 0;
        k = pt->report.nchunks / pt->workers;
    }
    return k;
}

int rd_sweep_assemble(const char *const *baseline_paths, int nbaseline,
                      const char *const *run_paths, int nruns,
                      const RdSweepSettings *sw, char *errbuf, int errlen)
{
    RdSweepData d = { .method = "processes" };
    RdReport *breps = NULL, *reps = NULL;
    double *bt = NULL, *t = NULL;
    char *used = NULL;
    int ret;

    if (nbaseline < 1 || nbaseline > MAX_REPEAT || nruns < 0) {
        set_err(errbuf, errlen, "assemble: need 1..%d baseline reports (-w 1 --chunks 1)",
                MAX_REPEAT);
        return AVERROR(EINVAL);
    }
    rd_sweep_host_info(&d);
    stamp_date(&d);
    d.weak = sw->weak;
    d.weak_unit_s = sw->weak_unit_s;
    if ((ret = load_all(baseline_paths, nbaseline, &breps, &bt, errbuf, errlen)) < 0 ||
        (nruns && (ret = load_all(run_paths, nruns, &reps, &t, errbuf, errlen)) < 0))
        goto end;
    d.baseline.workers = 1;
    rd_sweep_keep_median(&d.baseline, bt, breps, nbaseline);
    d.baseline.limit_s = d.weak ? d.weak_unit_s : 0;

    if (nruns && (!(used = av_mallocz(nruns)) ||
                  !(d.points = av_calloc(nruns, sizeof(*d.points))))) {
        ret = AVERROR(ENOMEM);
        goto end;
    }
    /* Points in increasing worker count, whatever order the files came in. */
    for (;;) {
        int w = 0;
        for (int i = 0; i < nruns; i++)
            if (!used[i] && (!w || reps[i].workers_requested < w))
                w = reps[i].workers_requested;
        if (!w)
            break;
        if (d.npoints == RD_SWEEP_MAX_POINTS) {
            set_err(errbuf, errlen, "assemble: more than %d worker counts", RD_SWEEP_MAX_POINTS);
            ret = AVERROR(EINVAL);
            goto end;
        }
        RdSweepPoint *pt = &d.points[d.npoints++];
        group(pt, w, reps, t, nruns, used);
        pt->limit_s = d.weak ? w * d.weak_unit_s : 0;
    }
    d.chunk_factor = infer_chunk_factor(&d);
    if (sw->ceiling_from && (ret = load_ceiling(sw->ceiling_from, &d, errbuf, errlen)) < 0)
        goto end;
    ret = finish(&d, sw, 0, errbuf, errlen);
end:
    for (int i = 0; reps && i < nruns; i++)
        rd_report_free(&reps[i]);
    for (int i = 0; breps && i < nbaseline; i++)
        rd_report_free(&breps[i]);  /* no-op once keep_median took them */
    av_free(reps);
    av_free(breps);
    av_free(bt);
    av_free(t);
    av_free(used);
    rd_sweep_data_free(&d);
    return ret;
}
