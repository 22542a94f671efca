/*
 * main.c - parse, run, report. The only place that turns an error code into
 * a message and an exit status.
 */
#include <omp.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libavcodec/avcodec.h>
#include <libavfilter/avfilter.h>
#include <libavformat/avformat.h>

#include "cli.h"
#include "io/avlog.h"
#include "io/errline.h"
#include "io/outfile.h"
#include "io/paths.h"
#include "io/signals.h"
#include "version.h"
#include "ui/dashboard.h"
#include "engine/engine.h"
#include "sweep/sweep.h"


static _Atomic int *cancel_flag;

/* 128 + the signal that stopped the run (130 for Ctrl-C), with one line. */
static int interrupted(const char *what)
{
    int sig = rd_signals_caught();
    char line[RD_ERRLEN];
    snprintf(line, sizeof(line), "interrupted (%s); %s not written", rd_signals_name(sig), what);
    rd_errline_print(stderr, "render", line);
    return 128 + (sig ? sig : SIGINT);
}

static void print_version(void)
{
    printf("render %s\n", RD_VERSION);
    printf("built with %s, OpenMP %d\n", "gcc " __VERSION__, _OPENMP);
    printf("libavformat %s, libavcodec %s, libavfilter %s\n",
           AV_STRINGIFY(LIBAVFORMAT_VERSION), AV_STRINGIFY(LIBAVCODEC_VERSION),
           AV_STRINGIFY(LIBAVFILTER_VERSION));
}

/* HPC users expect OMP_SCHEDULE to work; without it, dynamic,1. */
static void apply_environment(void)
{
    if (!getenv("OMP_SCHEDULE"))
        omp_set_schedule(omp_sched_dynamic, 1);
}

/* `wrote_output`: this run wrote OUTPUT (not a dry run's name only). */
static int write_report(const RdCli *c, const RdReport *rep, int wrote_output)
{
    cJSON *j = rd_report_to_json(rep);
    int ret = j ? rd_json_save(j, c->report_path, c->s.overwrite) : AVERROR(ENOMEM);
    cJSON_Delete(j);
    if (ret < 0) {
        /* Exit 1 leaves no OUTPUT: undo it (its name was checked free, or -y given). */
        int undone = wrote_output && !c->s.null_output && unlink(c->s.output) == 0; /* -f null: OUTPUT is only a name */
        char line[RD_ERRLEN];
        snprintf(line, sizeof(line), "%s: %s%s%s", c->report_path, ret == AVERROR(EEXIST)
                ? "appeared while rendering; not replaced (use -y to overwrite)" : av_err2str(ret),
                undone ? "; removed " : "", undone ? c->s.output : "");
        rd_errline_print(stderr, "render", line);
    }
    return ret;
}

static int start_dashboard(RdCli *c, RdDashboard **dash, RdProgress *prog)
{
    RdDashboardSettings ds;
    int ret;
    rd_dashboard_defaults(&ds);
    ds.quiet = c->s.quiet;
    ds.progress_path = c->progress_path;
    if ((ret = rd_dashboard_start(dash, prog, &ds)) < 0 && !atomic_load(cancel_flag)) {
        char line[RD_ERRLEN];
        snprintf(line, sizeof(line), "%s: %s", c->progress_path ? c->progress_path : "dashboard",
                 av_err2str(ret));
        rd_errline_print(stderr, "render", line);
    }
    return ret;
}

static int run_render(RdCli *c)
{
    RdProgress prog;
    RdDashboard *dash = NULL;
    RdReport rep;
    char err[RD_ERRLEN] = "";
    int ret;

    memset(&prog, 0, sizeof(prog));
    /* Before the dashboard opens --progress: nothing is written until every
     * name is known to be safe to write. */
    if (rd_paths_check(c->s.input, c->s.null_output ? NULL : c->s.output, c->s.sidecar, RD_SIDECARS,
                       c->s.overwrite, err, sizeof(err)) < 0) {
        rd_errline_print(stderr, "render", err);
        return 1;
    }
    if (start_dashboard(c, &dash, &prog) < 0) /* a signal while it waits for a FIFO's reader: 128+N */
        return atomic_load(cancel_flag) ? interrupted(c->s.output) : 1;
    c->s.cancel = cancel_flag;
    c->s.progress = &prog;
    ret = rd_engine_run(&c->s, &rep, err, sizeof(err));
    rd_dashboard_stop(&dash, ret < 0 ? NULL : &rep);
    rd_progress_free(&prog);
    if (ret < 0 && atomic_load(cancel_flag)) { /* whatever failed, it was the signal that began it */
        rd_report_free(&rep);
        return interrupted(c->s.output);
    }
    if (ret < 0) {
        rd_errline_print(stderr, "render", *err ? err : av_err2str(ret));
        rd_report_free(&rep);
        return 1;
    }
    if (c->report_path && write_report(c, &rep, 1) < 0)
        ret = -1;
    rd_report_free(&rep);
    return ret < 0 ? 1 : 0;
}

/* --dry-run: the plan on stdout (and as JSON with --report); no OUTPUT. */
static int run_dry(RdCli *c)
{
    RdReport rep;
    char err[RD_ERRLEN] = "";
    int ret;

    /* The report's name is checked before the plan's work, as a run does;
     * OUTPUT is only a name here. */
    if (rd_paths_check(c->s.input, NULL, c->s.sidecar, RD_SIDECARS, c->s.overwrite, err, sizeof(err)) < 0) {
        rd_errline_print(stderr, "render", err);
        return 1;
    }
    ret = rd_engine_plan(&c->s, &rep, err, sizeof(err));
    if (ret < 0) {
        rd_errline_print(stderr, "render", *err ? err : av_err2str(ret));
        rd_report_free(&rep);
        return 1;
    }
    if (!c->s.quiet)
        rd_report_print_plan(&rep, stdout);
    if (c->report_path && write_report(c, &rep, 0) < 0)
        ret = -1;
    rd_report_free(&rep);
    return ret < 0 ? 1 : 0;
}

static void sweep_settings(const RdCli *c, RdSweepSettings *sw)
{
    rd_sweep_defaults(sw);
    sw->points = c->points;
    sw->npoints = c->npoints;
    sw->repeat = c->repeat;
    sw->weak = c->weak;
    sw->weak_unit_s = c->weak_unit_s;
    sw->export_path = c->export_path;
    sw->dat_dir = c->dat_dir;
    sw->overwrite = c->s.overwrite;
    sw->ceiling_s = c->ceiling_s;
    sw->ceiling_from = c->ceiling_from;
}

static int run_sweep(RdCli *c)
{
    RdSweepSettings sw;
    char err[RD_ERRLEN] = "";
    int ret;

    sweep_settings(c, &sw);
    /* OUTPUT is not written by a sweep; its sidecars are. */
    if (rd_paths_check(c->s.input, NULL, c->s.sidecar, RD_SIDECARS, c->s.overwrite,
                       err, sizeof(err)) < 0) {
        rd_errline_print(stderr, "render", err);
        return 1;
    }
    c->s.cancel = cancel_flag;
    ret = rd_sweep_run(&c->s, &sw, err, sizeof(err));
    if (ret < 0 && atomic_load(cancel_flag))
        return interrupted("sweep results");
    if (ret < 0) {
        rd_errline_print(stderr, "render", *err ? err : av_err2str(ret));
        return 1;
    }
    return 0;
}

static int run_assemble(RdCli *c)
{
    RdSweepSettings sw;
    char err[RD_ERRLEN] = "";
    int ret;

    sweep_settings(c, &sw);
    sw.export_path = c->assemble_out;
    ret = rd_sweep_assemble(c->baselines, c->nbaselines, c->reports, c->nreports, &sw,
                            err, sizeof(err));
    if (ret < 0) {
        rd_errline_print(stderr, "render", *err ? err : av_err2str(ret));
        return 1;
    }
    return 0;
}

/* What went to standard output (the plan, --help, a report on "-") must
 * have arrived: a write error there (a full disk, /dev/full) fails the
 * run, as in coreutils' close_stdout. */
static int check_stdout(int status)
{
    if (fflush(stdout) == 0 && !ferror(stdout))
        return status;
    fprintf(stderr, "render: standard output: %s\n", strerror(errno ? errno : EIO));
    return status ? status : 1;
}

int main(int argc, char **argv)
{
    RdCli cli;
    char err[RD_ERRLEN] = "";
    int status;

    av_log_set_level(AV_LOG_QUIET);
    rd_avlog_install();
    if (rd_cli_parse(&cli, argc, argv, err, sizeof(err)) < 0) {
        rd_errline_print(stderr, "render", err);
        rd_cli_free(&cli);
        return 2;
    }
    if (cli.help || cli.version) {
        if (cli.help)
            rd_cli_usage(stdout, NULL);
        else
            print_version();
        rd_cli_free(&cli);
        return check_stdout(0);
    }
    if (cli.verbose)
        av_log_set_level(AV_LOG_INFO);
    /* SVT-AV1 logs on its own, at the level SVT_LOG gives: errors only
     * unless -v (a user's own SVT_LOG wins). */
    if (!cli.verbose)
        setenv("SVT_LOG", "1", 0);
    apply_environment();
    cancel_flag = rd_signals_install("render", rd_dashboard_emergency_restore);
    if (cli.assemble_out)
        status = run_assemble(&cli);
    else if (cli.sweep)
        status = run_sweep(&cli);
    else if (cli.dry_run)
        status = run_dry(&cli);
    else
        status = run_render(&cli);
    rd_cli_free(&cli);
    return check_stdout(status);
}
