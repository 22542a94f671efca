/*
 * sweep.c - --sweep under MPI: the same render at every point of a
 * ranks x threads-per-rank grid, timed on rank 0, written as render-bench/1
 * (sweep_out.c builds it) with each run's `ranks` and `threads_per_rank`
 * added, so hybrid speedup can be charted against pure threads and pure
 * ranks. Ranks outside a point's count sit it out, napping, not polling.
 */
#include <errno.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <libavutil/avstring.h>
#include <libavutil/mem.h>

#include "cli.h"
#include "sweep/sweep.h"
#include "sweep/scratch.h"
#include "mpi/rdmpi.h"

#define MAX_REPEAT 100

typedef struct Grid {
    int ranks[RD_SWEEP_MAX_POINTS];   ///< per run, in the order run
    int threads[RD_SWEEP_MAX_POINTS];
    int n;
} Grid;

/* Every rank count 1, 2, 4 ... size, each with every thread count. */
static int make_grid(const RdMpi *m, const RdCli *c, Grid *g, char *err, int errlen)
{
    int r[RD_SWEEP_MAX_POINTS], t[RD_SWEEP_MAX_POINTS];
    int nr = rd_sweep_default_points(m->size, r, RD_SWEEP_MAX_POINTS);
    int nt = c->npoints;

    if (nt > 0)
        memcpy(t, c->points, nt * sizeof(*t));
    else
        nt = rd_sweep_default_points(m->threads, t, RD_SWEEP_MAX_POINTS);
    if (nr * nt > RD_SWEEP_MAX_POINTS) {
        snprintf(err, errlen, "--sweep: %d ranks x %d thread counts is more than %d runs",
                 nr, nt, RD_SWEEP_MAX_POINTS);
        return AVERROR(EINVAL);
    }
    g->n = 0;
    for (int i = 0; i < nr; i++)
        for (int k = 0; k < nt; k++) {
            g->ranks[g->n] = r[i];
            g->threads[g->n++] = t[k];
        }
    return 0;
}

/* Cores of the job: each host once, however many ranks share it. */
int rd_sweep_job_cpus(const RdMpi *m)
{
    int procs = omp_get_num_procs(), *all = NULL, total = 0;
    char *hosts = NULL;

    if (m->rank == 0) {
        hosts = av_calloc(m->size, MPI_MAX_PROCESSOR_NAME);
        all = av_calloc(m->size, sizeof(*all));
    }
    MPI_Gather(m->host, MPI_MAX_PROCESSOR_NAME, MPI_CHAR, hosts, MPI_MAX_PROCESSOR_NAME,
               MPI_CHAR, 0, MPI_COMM_WORLD);
    MPI_Gather(&procs, 1, MPI_INT, all, 1, MPI_INT, 0, MPI_COMM_WORLD);
    for (int i = 0; hosts && all && i < m->size; i++) {
        int seen = 0;
        for (int k = 0; k < i && !seen; k++)
            seen = !strcmp(hosts + (size_t)i * MPI_MAX_PROCESSOR_NAME,
                           hosts + (size_t)k * MPI_MAX_PROCESSOR_NAME);
        total += seen ? 0 : all[i];
    }
    av_free(hosts);
    av_free(all);
    return total > 0 ? total : procs;
}

typedef struct Sweep {
    const RdMpi *m;
    const RdCli *c;
    const char *tmp;
    int *shared;
    char *err;
    int errlen;
} Sweep;

/* `repeat` renders at one point; the median is kept in pt. */
static int measure(Sweep *sw, int ranks, int threads, int chunks, double limit_s,
                   RdSweepPoint *pt)
{
    RdSettings s = sw->c->s;
    RdReport *reps = av_calloc(sw->c->repeat, sizeof(*reps));
    double t[MAX_REPEAT];
    int ret = 0, n;

    if (!reps)
        return AVERROR(ENOMEM);
    s.output = sw->tmp;
    s.overwrite = 1;
    s.quiet = 1;
    s.chunks = chunks;
    s.limit_s = limit_s;
    pt->workers = ranks * threads;
    pt->limit_s = limit_s;
    for (n = 0; n < sw->c->repeat; n++) {
        double t0 = omp_get_wtime();
        if (atomic_load(s.cancel)) {
            ret = AVERROR_EXIT;
            break;
        }
        sw->err[0] = 0;
        ret = rd_job_render(sw->m, &s, ranks, threads, &reps[n], sw->shared, sw->err, sw->errlen);
        t[n] = omp_get_wtime() - t0;
        unlink(sw->tmp);
        if (ret < 0) {
            rd_report_free(&reps[n]);
            break;
        }
        if (!sw->c->s.quiet)
            fprintf(stderr, "sweep: %d rank%s x %d thread%s%s, run %d/%d: %.3f s\n",
                    ranks, ranks > 1 ? "s" : "", threads, threads > 1 ? "s" : "",
                    chunks == 1 ? ", 1 chunk" : "", n + 1, sw->c->repeat, t[n]);
    }
    if (ret >= 0)
        rd_sweep_keep_median(pt, t, reps, n);
    for (int i = 0; i < n; i++)
        rd_report_free(&reps[i]);
    av_free(reps);
    return ret;
}

/* sweep_out.c's tree, plus where each run's threads were. */
static cJSON *to_json(const RdMpi *m, const RdSweepData *d, const Grid *g)
{
    cJSON *root = rd_sweep_build_json(d), *runs, *o;
    char lib[MPI_MAX_LIBRARY_VERSION_STRING] = "";
    int len = 0;

    if (!root)
        return NULL;
    runs = cJSON_GetObjectItemCaseSensitive(root, "runs");
    for (int i = 0; i < g->n; i++) {
        cJSON *r = cJSON_GetArrayItem(runs, i);
        if (!r || !cJSON_AddNumberToObject(r, "ranks", g->ranks[i]) ||
            !cJSON_AddNumberToObject(r, "threads_per_rank", g->threads[i]))
            goto fail;
    }
    o = cJSON_GetObjectItemCaseSensitive(root, "baseline");
    MPI_Get_library_version(lib, &len);
    lib[strcspn(lib, ",\n")] = 0;
    if (!o || !cJSON_AddNumberToObject(o, "ranks", 1) ||
        !cJSON_AddNumberToObject(o, "threads_per_rank", 1) ||
        !(o = cJSON_AddObjectToObject(root, "mpi")) ||
        !cJSON_AddNumberToObject(o, "ranks", m->size) ||
        !cJSON_AddStringToObject(o, "library", lib))
        goto fail;
    return root;
fail:
    cJSON_Delete(root);
    return NULL;
}

/* NAME_hybrid.dat: one line per run, for a chart of the grid. */
static int write_hybrid_dat(const RdSweepData *d, const Grid *g, const char *dir, const char *name)
{
    char path[4200], tmp[4300];
    FILE *f;
    int ret;

    snprintf(path, sizeof(path), "%s/%s_hybrid.dat", dir, name);
    if (!(f = rd_file_create(path, tmp, sizeof(tmp), &ret)))
        return ret;
    fprintf(f, "# render-bench/1 mpi, baseline_s %.6g\n# ranks threads_per_rank workers time_s speedup efficiency\n",
            d->baseline.time_s);
    for (int i = 0; i < g->n; i++) {
        double s = d->baseline.time_s / d->points[i].time_s;
        fprintf(f, "%d %d %d %.6g %.6g %.6g\n", g->ranks[i], g->threads[i], d->points[i].workers,
                d->points[i].time_s, s, s / d->points[i].workers);
    }
    /* Like render's own .dat files: exclusive temporary, removed on a signal. */
    return rd_file_commit(f, 0, tmp, path);
}

static void print_grid(const RdSweepData *d, const Grid *g)
{
    printf("%6s %12s %8s %9s %8s %10s\n", "ranks", "threads/rank", "workers", "time_s",
           "speedup", "efficiency");
    for (int i = 0; i < g->n; i++) {
        double s = d->baseline.time_s / d->points[i].time_s;
        printf("%6d %12d %8d %9.3f %8.2f %10.2f\n", g->ranks[i], g->threads[i],
               d->points[i].workers, d->points[i].time_s, s, s / d->points[i].workers);
    }
}

static int write_out(const RdMpi *m, const RdCli *c, const RdSweepData *d, const Grid *g,
                     char *err, int errlen)
{
    char name[256];
    int ret = 0;

    rd_sweep_print_table(d, stdout);
    print_grid(d, g);
    fflush(stdout);
    if (c->export_path) {
        cJSON *j = to_json(m, d, g);
        ret = j ? rd_json_save(j, c->export_path, c->s.overwrite) : AVERROR(ENOMEM);
        cJSON_Delete(j);
        if (ret < 0) {
            snprintf(err, errlen, "%s: %s", c->export_path, av_err2str(ret));
            return ret;
        }
    }
    if (!c->dat_dir)
        return 0;
    if (c->export_path && strcmp(c->export_path, "-")) {
        const char *base = strrchr(c->export_path, '/');
        char *dot;
        av_strlcpy(name, base ? base + 1 : c->export_path, sizeof(name));
        if ((dot = strrchr(name, '.')) && dot != name)
            *dot = 0;
    } else
        av_strlcpy(name, "sweep", sizeof(name));
    if ((ret = rd_sweep_write_dat(d, c->dat_dir, name)) < 0 ||
        (ret = write_hybrid_dat(d, g, c->dat_dir, name)) < 0)
        snprintf(err, errlen, "%s/%s_*.dat: %s", c->dat_dir, name, av_err2str(ret));
    return ret;
}

int rd_sweep_mpi(const RdMpi *m, const RdCli *c, int cpus, int *shared, char *err, int errlen)
{
    RdSweepData d = { .method = "mpi" };
    char tmp[4200];
    Sweep sw = { m, c, tmp, shared, err, errlen };
    Grid g;
    int ret;

    *shared = 0;
    if ((ret = make_grid(m, c, &g, err, errlen)) < 0)
        return ret;
    if ((ret = rd_scratch_output(c->s.output, c->export_path, tmp, sizeof(tmp))) < 0) {
        snprintf(err, errlen, "sweep: scratch output %s: %s", tmp, av_err2str(ret));
        return ret;
    }
    rd_signal_guard(tmp, tmp);
    rd_sweep_host_info(&d);
    d.cpus = cpus; /* all ranks' processors, not this process's */
    d.weak = c->weak;
    d.weak_unit_s = c->weak_unit_s;
    d.chunk_factor = c->s.chunks > 0 ? 0 : c->s.chunk_factor;
    if (!(d.points = av_calloc(g.n, sizeof(*d.points)))) {
        ret = AVERROR(ENOMEM);
        goto end;
    }
    /* The honest serial time: one rank, one thread, one chunk. */
    if ((ret = measure(&sw, 1, 1, 1, c->weak ? c->weak_unit_s : c->s.limit_s, &d.baseline)) < 0)
        goto end;
    for (int i = 0; i < g.n; i++) {
        int p = g.ranks[i] * g.threads[i];
        if ((ret = measure(&sw, g.ranks[i], g.threads[i], c->s.chunks,
                           c->weak ? p * c->weak_unit_s : c->s.limit_s, &d.points[i])) < 0)
            goto end;
        d.npoints = i + 1;
    }
    {
        time_t now = time(NULL);
        struct tm tm;
        if (gmtime_r(&now, &tm))
            strftime(d.date, sizeof(d.date), "%Y-%m-%dT%H:%M:%SZ", &tm);
    }
    ret = write_out(m, c, &d, &g, err, errlen);
end:
    unlink(tmp);
    rd_sweep_data_free(&d);
    return ret;
}
