/*
 * check_sweep.c - the sweep's outputs from made-up reports: no video, no
 * engine and no OpenMP region (Check forks each test; libgomp's pool would
 * not survive it).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <libavutil/mem.h>

#include "suites.h"
#include "sweep/amdahl.h"
#include "sweep/sweep.h"

#define NCASES(a) ((int)(sizeof(a) / sizeof((a)[0])))
/* The JSON keeps 7 significant digits. */
#define JTOL 1e-6

/* --- default worker counts ------------------------------------------------ */

typedef struct PointsCase { int cpus, max, n, want[8]; } PointsCase;

static const PointsCase points_cases[] = {
    { 1,  8, 1, { 1 } },
    { 2,  8, 2, { 1, 2 } },
    { 6,  8, 4, { 1, 2, 4, 6 } },
    { 16, 8, 5, { 1, 2, 4, 8, 16 } },
    { 3,  8, 3, { 1, 2, 3 } },
    { 0,  8, 1, { 1 } },
    { 16, 3, 3, { 1, 2, 4 } },  /* never past `max` */
};

START_TEST(test_default_points)
{
    const PointsCase *c = &points_cases[_i];
    int out[8] = { 0 };
    ck_assert_int_eq(rd_sweep_default_points(c->cpus, out, c->max), c->n);
    for (int i = 0; i < c->n; i++)
        ck_assert_int_eq(out[i], c->want[i]);
}
END_TEST

/* --- made-up sweeps ------------------------------------------------------- */

static void fake_report(RdReport *r, int workers, int threads, int nchunks, double total)
{
    memset(r, 0, sizeof(*r));
    strcpy(r->input, "assets/bench_480p.mp4");
    r->duration_s = 60;
    r->width = 854;
    r->height = 480;
    r->fps = 30;
    r->frames = 1800;
    strcpy(r->codec, "h264");
    strcpy(r->vf, "hqdn3d");
    strcpy(r->vcodec, "libx264");
    strcpy(r->options, "crf=23");
    r->workers_requested = workers;
    r->threads = threads;
    strcpy(r->schedule, "dynamic,1");
    r->probe_s = 0.02;
    r->plan_s = 0.001;
    r->merge_tail_s = 0.05;
    r->parallel_s = total - r->probe_s - r->plan_s - r->merge_tail_s;
    r->total_s = total;
    r->frames_out = 1800;
    r->wasted_frames = 3 * nchunks;
    r->output_bytes = 1000000;
    r->nchunks = nchunks;
    r->chunks = av_calloc(nchunks, sizeof(*r->chunks));
    for (int i = 0; i < nchunks; i++) {
        RdChunkReport *c = &r->chunks[i];
        c->index = i;
        c->worker = i % threads;
        c->start_s = 0.03 + (i / threads) * r->parallel_s / ((nchunks + threads - 1) / threads);
        c->end_s = c->start_s + 0.5;
        c->media_start_s = 60.0 * i / nchunks;
        c->media_end_s = 60.0 * (i + 1) / nchunks;
        c->frames = 1800 / nchunks;
        c->bytes = 1000000 / nchunks;
    }
}

static void fake_point(RdSweepPoint *pt, int workers, int threads, int nchunks,
                       double t, double spread)
{
    pt->workers = workers;
    pt->repeats = 3;
    pt->time_s = t;
    pt->min_s = t * (1 - spread / 2);
    pt->max_s = t * (1 + spread / 2);
    fake_report(&pt->report, workers, threads, nchunks, t - 0.01);
}

/* Baseline 10 s; 1, 2 and 4 workers on a 2-cpu host (4 oversubscribed). */
static const struct { int p, threads; double t, spread; } fake_runs[] = {
    { 1, 1, 10.4, 0.01 }, { 2, 2, 5.6, 0.08 }, { 4, 4, 5.9, 0.02 },
};

static void fake_sweep(RdSweepData *d, int weak)
{
    memset(d, 0, sizeof(*d));
    d->cpus = 2;
    strcpy(d->cpu_model, "Test CPU");
    d->method = "in-process";
    d->weak = weak;
    d->weak_unit_s = 2;
    d->chunk_factor = 4;
    fake_point(&d->baseline, 1, 1, 1, 10.0, 0.0);
    d->npoints = NCASES(fake_runs);
    d->points = av_calloc(d->npoints, sizeof(*d->points));
    for (int i = 0; i < d->npoints; i++)
        fake_point(&d->points[i], fake_runs[i].p, fake_runs[i].threads,
                   4 * fake_runs[i].p, fake_runs[i].t, fake_runs[i].spread);
}

static const cJSON *get(const cJSON *o, const char *path)
{
    char buf[256], *save = NULL;
    strcpy(buf, path);
    for (char *k = strtok_r(buf, ".", &save); k && o; k = strtok_r(NULL, ".", &save))
        o = cJSON_GetObjectItemCaseSensitive(o, k);
    ck_assert_msg(o != NULL, "missing %s", path);
    return o;
}

static double getnum(const cJSON *o, const char *path)
{
    const cJSON *v = get(o, path);
    ck_assert_msg(cJSON_IsNumber(v), "%s is not a number", path);
    return v->valuedouble;
}

/* JSON has no NaN: every number in the tree must be finite. */
static void assert_finite(const cJSON *o, const char *where)
{
    if (cJSON_IsNumber(o))
        ck_assert_msg(isfinite(o->valuedouble), "%s.%s is not finite", where,
                      o->string ? o->string : "[]");
    for (const cJSON *c = o->child; c; c = c->next)
        assert_finite(c, o->string ? o->string : where);
}

static const char *const required_numbers[] = {
    "host.cpus", "input.duration_s", "input.width", "input.height", "input.fps",
    "input.frames", "baseline.time_s", "amdahl.serial_fraction", "amdahl.max_speedup",
    "amdahl.fit_rmse", "serial_fraction_measured",
};
static const char *const required_strings[] = {
    "schema", "host.cpu_model", "input.path", "input.codec", "workload.vf",
    "workload.vcodec", "workload.options", "build.compiler", "build.libavcodec",
    "build.libavformat",
};
static const char *const run_numbers[] = {
    "workers", "chunks", "time_s", "speedup", "efficiency", "phases.probe_s",
    "phases.plan_s", "phases.parallel_s", "phases.merge_tail_s",
    "wasted_decode_frames", "output_bytes", "threads", "spread",
};

START_TEST(test_json_fields)
{
    RdSweepData d;
    fake_sweep(&d, 0);
    cJSON *j = rd_sweep_build_json(&d);
    ck_assert_ptr_nonnull(j);
    ck_assert_str_eq(cJSON_GetStringValue(get(j, "schema")), "render-bench/1");
    for (int i = 0; i < NCASES(required_numbers); i++)
        getnum(j, required_numbers[i]);
    for (int i = 0; i < NCASES(required_strings); i++)
        ck_assert_msg(cJSON_IsString(get(j, required_strings[i])), "%s", required_strings[i]);
    const cJSON *runs = get(j, "runs");
    ck_assert_int_eq(cJSON_GetArraySize(runs), 3);
    for (int k = 0; k < 3; k++) {
        const cJSON *r = cJSON_GetArrayItem(runs, k);
        for (int i = 0; i < NCASES(run_numbers); i++)
            getnum(r, run_numbers[i]);
        get(r, "karp_flatt");  /* present; null at p = 1 */
        ck_assert_int_eq(cJSON_GetArraySize(get(r, "chunks_detail")), 4 * fake_runs[k].p);
        getnum(cJSON_GetArrayItem(get(r, "chunks_detail"), 0), "start_s");
    }
    assert_finite(j, "");
    cJSON_Delete(j);
    rd_sweep_data_free(&d);
    rd_sweep_data_free(&d);  /* twice is harmless */
}
END_TEST

START_TEST(test_json_speedup)
{
    RdSweepData d;
    fake_sweep(&d, 0);
    cJSON *j = rd_sweep_build_json(&d);
    const cJSON *runs = get(j, "runs");
    ck_assert_double_eq_tol(getnum(j, "baseline.time_s"), 10.0, 1e-12);
    for (int k = 0; k < 3; k++) {
        const cJSON *r = cJSON_GetArrayItem(runs, k);
        double s = 10.0 / fake_runs[k].t;
        ck_assert_double_eq_tol(getnum(r, "speedup"), s, JTOL);
        ck_assert_double_eq_tol(getnum(r, "efficiency"), s / fake_runs[k].p, JTOL);
        ck_assert(cJSON_IsBool(get(r, "oversubscribed")));
        ck_assert_int_eq(cJSON_IsTrue(get(r, "oversubscribed")), fake_runs[k].p > 2);
        ck_assert_int_eq(cJSON_IsTrue(get(r, "noisy")), fake_runs[k].spread > 0.05);
        ck_assert_double_eq_tol(getnum(r, "spread"), fake_runs[k].spread, 1e-9);
    }
    /* Karp–Flatt at 2 workers: (5.6/10 - 1/2) / (1/2) = 0.12 */
    ck_assert_double_eq_tol(getnum(cJSON_GetArrayItem(runs, 1), "karp_flatt"), 0.12, JTOL);
    /* measured serial fraction from the 1-worker run: 0.071 / 10.39 */
    ck_assert_double_eq_tol(getnum(j, "serial_fraction_measured"), 0.071 / 10.39, JTOL);
    ck_assert_str_eq(get(j, "mode")->valuestring, "strong");
    cJSON_Delete(j);
    rd_sweep_data_free(&d);
}
END_TEST

/* The machine's ceiling: listed, set against each run, and Amdahl fitted
 * to what remains (speedup / ceiling). */
START_TEST(test_json_ceiling)
{
    static const double ceil_s[] = { 1.0, 1.8, 1.8 };
    RdSweepData d;
    double c[3], sc[3], s[3];
    cJSON *j;

    fake_sweep(&d, 0);
    j = rd_sweep_build_json(&d);
    ck_assert(cJSON_IsArray(get(j, "ceiling")));
    ck_assert_int_eq(cJSON_GetArraySize(get(j, "ceiling")), 0);
    ck_assert(cJSON_IsNull(get(j, "amdahl_vs_ceiling.serial_fraction")));
    ck_assert(cJSON_IsNull(get(cJSON_GetArrayItem(get(j, "runs"), 1), "efficiency_vs_ceiling")));
    cJSON_Delete(j);

    d.nceiling = 3;
    d.ceiling_s = 2;
    for (int i = 0; i < 3; i++) {
        d.ceiling[i] = (RdCeilingPoint){ fake_runs[i].p, 2.0 * fake_runs[i].p / ceil_s[i], ceil_s[i] };
        c[i] = ceil_s[i];
        s[i] = 10.0 / fake_runs[i].t;
        sc[i] = s[i] / ceil_s[i];
    }
    j = rd_sweep_build_json(&d);
    ck_assert_int_eq(cJSON_GetArraySize(get(j, "ceiling")), 3);
    ck_assert_double_eq_tol(getnum(cJSON_GetArrayItem(get(j, "ceiling"), 1), "speedup"), 1.8, JTOL);
    ck_assert_int_eq((int)getnum(cJSON_GetArrayItem(get(j, "ceiling"), 2), "workers"), 4);
    ck_assert_double_eq_tol(getnum(j, "ceiling_s"), 2.0, JTOL);
    for (int k = 0; k < 3; k++) {
        const cJSON *r = cJSON_GetArrayItem(get(j, "runs"), k);
        ck_assert_double_eq_tol(getnum(r, "ceiling_speedup"), ceil_s[k], JTOL);
        ck_assert_double_eq_tol(getnum(r, "efficiency_vs_ceiling"), sc[k], JTOL);
    }
    /* with the machine's 1.8 processors' worth in place of p, what remains
     * at 2 workers (1.786 of 1.8) is nearly perfect: a far smaller f than
     * the raw fit's */
    ck_assert_double_eq_tol(getnum(j, "amdahl_vs_ceiling.serial_fraction"),
                            rd_amdahl_fit_ceiling(c, s, 3, NULL), JTOL);
    ck_assert_double_lt(getnum(j, "amdahl_vs_ceiling.serial_fraction"),
                        getnum(j, "amdahl.serial_fraction"));
    ck_assert_double_eq_tol(rd_sweep_ceiling_at(&d, 2), 1.8, 1e-12);
    ck_assert(isnan(rd_sweep_ceiling_at(&d, 3)));
    assert_finite(j, "");
    cJSON_Delete(j);
    rd_sweep_data_free(&d);
}
END_TEST

START_TEST(test_json_nan_is_null)
{
    RdSweepData d;
    fake_sweep(&d, 0);
    d.baseline.report.fps = NAN;        /* unknown frame rate */
    d.points[2].report.plan_s = NAN;    /* a phase the engine did not time */
    /* perfect scaling: f = 0, 1/f unbounded */
    d.points[0].time_s = 10.0;
    d.points[1].time_s = 5.0;
    d.points[2].time_s = 2.5;
    cJSON *j = rd_sweep_build_json(&d);
    const cJSON *runs = get(j, "runs");
    ck_assert(cJSON_IsNull(get(cJSON_GetArrayItem(runs, 0), "karp_flatt")));
    ck_assert(cJSON_IsNull(get(j, "input.fps")));
    ck_assert(cJSON_IsNull(get(cJSON_GetArrayItem(runs, 2), "phases.plan_s")));
    ck_assert_double_eq_tol(getnum(j, "amdahl.serial_fraction"), 0.0, 1e-12);
    ck_assert(cJSON_IsNull(get(j, "amdahl.max_speedup")));
    assert_finite(j, "");
    char *text = cJSON_PrintUnformatted(j);
    ck_assert_ptr_null(strstr(text, "nan"));
    ck_assert_ptr_null(strstr(text, "inf"));
    cJSON_free(text);
    cJSON_Delete(j);
    rd_sweep_data_free(&d);
}
END_TEST

START_TEST(test_json_weak)
{
    RdSweepData d;
    fake_sweep(&d, 1);
    /* Gustafson with f_s = 0.1: scaled speedup p - 0.1 (p - 1), times
     * T(p) = p * 10 / S(p) */
    static const int p[] = { 1, 2, 4 };
    for (int i = 0; i < 3; i++) {
        double s = p[i] - 0.1 * (p[i] - 1);
        d.points[i].time_s = p[i] * 10.0 / s;
        d.points[i].limit_s = 2.0 * p[i];
    }
    cJSON *j = rd_sweep_build_json(&d);
    ck_assert_str_eq(get(j, "mode")->valuestring, "weak");
    ck_assert_double_eq_tol(getnum(j, "gustafson.serial_fraction"), 0.1, JTOL);
    ck_assert_double_eq_tol(getnum(j, "gustafson.fit_rmse"), 0.0, JTOL);
    ck_assert(cJSON_IsNull(get(j, "amdahl.serial_fraction")));
    const cJSON *r = cJSON_GetArrayItem(get(j, "runs"), 2);
    ck_assert_double_eq_tol(getnum(r, "speedup"), 3.7, JTOL);
    ck_assert_double_eq_tol(getnum(r, "limit_s"), 8.0, 1e-12);
    assert_finite(j, "");
    cJSON_Delete(j);
    rd_sweep_data_free(&d);
}
END_TEST

/* --- files ---------------------------------------------------------------- */

static int count_data_lines(const char *path, char *first, size_t size)
{
    FILE *f = fopen(path, "r");
    char line[1024];
    int n = 0;
    ck_assert_msg(f != NULL, "cannot open %s", path);
    while (fgets(line, sizeof(line), f))
        if (line[0] != '#' && line[0] != '\n' && n++ == 0 && first)
            snprintf(first, size, "%s", line);
    fclose(f);
    return n;
}

START_TEST(test_dat_files)
{
    char dir[] = "/tmp/check_sweep_XXXXXX", path[256], first[1024];
    RdSweepData d;
    ck_assert_ptr_nonnull(mkdtemp(dir));
    fake_sweep(&d, 0);
    ck_assert_int_eq(rd_sweep_write_dat(&d, dir, "t"), 0);

    snprintf(path, sizeof(path), "%s/t_scaling.dat", dir);
    ck_assert_int_eq(count_data_lines(path, first, sizeof(first)), 3);
    int p;
    double t, s, e;
    char kf[32];
    ck_assert_int_eq(sscanf(first, "%d %lf %lf %lf %31s", &p, &t, &s, &e, kf), 5);
    ck_assert_int_eq(p, 1);
    ck_assert_double_eq_tol(s, 10.0 / 10.4, 1e-5);
    ck_assert_str_eq(kf, "NaN");  /* gnuplot's missing value, not C's "nan" */
    unlink(path);

    snprintf(path, sizeof(path), "%s/t_phases.dat", dir);
    ck_assert_int_eq(count_data_lines(path, NULL, 0), 3);
    unlink(path);
    snprintf(path, sizeof(path), "%s/t_gantt.dat", dir);
    ck_assert_int_eq(count_data_lines(path, NULL, 0), 16);  /* 4 workers x 4 */
    unlink(path);
    ck_assert_int_eq(rmdir(dir), 0);  /* no temporary left behind */
    rd_sweep_data_free(&d);
}
END_TEST

static void write_report(const char *path, int workers, int nchunks, double total,
                         double wall)
{
    RdReport r;
    fake_report(&r, workers, workers, nchunks, total);
    cJSON *j = rd_report_to_json(&r);
    ck_assert_int_eq(rd_json_write_file(j, path), 0);
    cJSON_Delete(j);
    rd_report_free(&r);
    if (wall > 0) {
        char w[300];
        snprintf(w, sizeof(w), "%s.wall", path);
        FILE *f = fopen(w, "w");
        fprintf(f, "%.3f\n", wall);
        fclose(f);
    }
}

/* Separate-process reports: grouped by worker count, median kept, the
 * process wall time (PATH.wall) preferred to the engine's total. */
START_TEST(test_assemble)
{
    char dir[] = "/tmp/check_sweep_XXXXXX", out[256], b[3][256], r[5][256];
    static const struct { int w; double total, wall; } runs[] = {
        { 2, 5.0, 5.2 }, { 1, 10.0, 10.3 }, { 2, 5.4, 5.6 }, { 2, 4.9, 5.1 }, { 1, 9.9, 0 },
    };
    const char *bp[3], *rp[5];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    for (int i = 0; i < 3; i++) {
        snprintf(b[i], sizeof(b[i]), "%s/base%d.json", dir, i);
        write_report(b[i], 1, 1, 10.0 + i, 10.5 + i);
        bp[i] = b[i];
    }
    for (int i = 0; i < 5; i++) {
        snprintf(r[i], sizeof(r[i]), "%s/run%d.json", dir, i);
        write_report(r[i], runs[i].w, 4 * runs[i].w, runs[i].total, runs[i].wall);
        rp[i] = r[i];
    }
    snprintf(out, sizeof(out), "%s/bench.json", dir);
    RdSweepSettings sw;
    rd_sweep_defaults(&sw);
    sw.export_path = out;
    sw.dat_dir = dir;

    /* The table goes to stdout: keep it out of the test log. */
    fflush(stdout);
    int saved = dup(1), null = open("/dev/null", O_WRONLY);
    dup2(null, 1);
    char err[256] = "";
    int ret = rd_sweep_assemble(bp, 3, rp, 5, &sw, err, sizeof(err));
    fflush(stdout);
    dup2(saved, 1);
    close(null);
    close(saved);
    ck_assert_msg(ret == 0, "assemble: %s", err);

    FILE *f = fopen(out, "r");
    char text[1 << 16];
    size_t n = fread(text, 1, sizeof(text) - 1, f);
    fclose(f);
    text[n] = 0;
    cJSON *j = cJSON_Parse(text);
    ck_assert_ptr_nonnull(j);
    ck_assert_str_eq(get(j, "method")->valuestring, "processes");
    ck_assert_double_eq_tol(getnum(j, "baseline.time_s"), 11.5, 1e-9);  /* median wall */
    const cJSON *rs = get(j, "runs");
    ck_assert_int_eq(cJSON_GetArraySize(rs), 2);
    const cJSON *r1 = cJSON_GetArrayItem(rs, 0), *r2 = cJSON_GetArrayItem(rs, 1);
    ck_assert_int_eq((int)getnum(r1, "workers"), 1);
    ck_assert_int_eq((int)getnum(r1, "repeats"), 2);
    /* 1 worker: 10.3 (wall) and 9.9 (no .wall: engine total) -> lower middle 9.9 */
    ck_assert_double_eq_tol(getnum(r1, "time_s"), 9.9, 1e-9);
    ck_assert_int_eq((int)getnum(r2, "workers"), 2);
    ck_assert_double_eq_tol(getnum(r2, "time_s"), 5.2, 1e-9);
    ck_assert_double_eq_tol(getnum(r2, "time_min_s"), 5.1, 1e-9);
    ck_assert_double_eq_tol(getnum(r2, "time_max_s"), 5.6, 1e-9);
    ck_assert_double_eq_tol(getnum(r2, "speedup"), 11.5 / 5.2, JTOL);
    ck_assert_double_eq_tol(getnum(r2, "phases.total_s"), 5.0, 1e-9);  /* the median run's */
    ck_assert_int_eq((int)getnum(j, "workload.chunk_factor"), 4);
    ck_assert_int_eq(cJSON_GetArraySize(get(r2, "chunks_detail")), 8);
    assert_finite(j, "");
    cJSON_Delete(j);

    /* A file that is not a report is refused with its name. */
    write_report(r[0], 2, 8, 5.0, 0);
    f = fopen(r[1], "w");
    fputs("{\"schema\": \"something-else\"}", f);
    fclose(f);
    ret = rd_sweep_assemble(bp, 3, rp, 2, &sw, err, sizeof(err));
    ck_assert_int_lt(ret, 0);
    ck_assert_ptr_nonnull(strstr(err, r[1]));

    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

Suite *make_sweep_suite(void)
{
    Suite *s = suite_create("sweep");
    TCase *tc = tcase_create("outputs");
    tcase_add_loop_test(tc, test_default_points, 0, NCASES(points_cases));
    tcase_add_test(tc, test_json_fields);
    tcase_add_test(tc, test_json_speedup);
    tcase_add_test(tc, test_json_nan_is_null);
    tcase_add_test(tc, test_json_ceiling);
    tcase_add_test(tc, test_json_weak);
    tcase_add_test(tc, test_dat_files);
    tcase_add_test(tc, test_assemble);
    suite_add_tcase(s, tc);
    return s;
}
