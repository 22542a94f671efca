/*
 * main.c - parse, run, report. The only place that turns an error code into
 * a message and an exit status.
 */
#include <omp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libavcodec/avcodec.h>
#include <libavfilter/avfilter.h>
#include <libavformat/avformat.h>

#include "cli.h"
#include "version.h"
#include "dashboard.h"
#include "engine.h"
#include "sweep.h"


static _Atomic int cancel_flag;

static void on_signal(int sig)
{
    (void)sig;
    if (atomic_exchange(&cancel_flag, 1)) {
        static const char msg[] = "render: interrupted twice, quitting\n";
        ssize_t w;
        rd_dashboard_emergency_restore();
        w = write(2, msg, sizeof(msg) - 1);
        (void)w;
        _exit(130);
    }
}

static void install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
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

static int write_report(const RdCli *c, const RdReport *rep)
{
    cJSON *j = rd_report_to_json(rep);
    int ret = j ? rd_json_write_file(j, c->report_path) : AVERROR(ENOMEM);
    cJSON_Delete(j);
    if (ret < 0)
        fprintf(stderr, "render: %s: %s\n", c->report_path, av_err2str(ret));
    return ret;
}

static int start_dashboard(RdCli *c, RdDashboard **dash, RdProgress *prog)
{
    RdDashboardSettings ds;
    int ret;
    rd_dashboard_defaults(&ds);
    ds.quiet = c->s.quiet;
    ds.progress_path = c->progress_path;
    if ((ret = rd_dashboard_start(dash, prog, &ds)) < 0)
        fprintf(stderr, "render: %s: %s\n", c->progress_path ? c->progress_path : "dashboard",
                av_err2str(ret));
    return ret;
}

static int run_render(RdCli *c)
{
    RdProgress prog;
    RdDashboard *dash = NULL;
    RdReport rep;
    char err[1024] = "";
    int ret;

    memset(&prog, 0, sizeof(prog));
    if (start_dashboard(c, &dash, &prog) < 0)
        return 1;
    c->s.cancel = &cancel_flag;
    c->s.progress = &prog;
    ret = rd_engine_run(&c->s, &rep, err, sizeof(err));
    rd_dashboard_stop(&dash, ret < 0 ? NULL : &rep);
    rd_progress_free(&prog);
    if (ret == AVERROR_EXIT && atomic_load(&cancel_flag)) {
        fprintf(stderr, "render: interrupted; %s not written\n", c->s.output);
        rd_report_free(&rep);
        return 130;
    }
    if (ret < 0) {
        fprintf(stderr, "render: %s\n", *err ? err : av_err2str(ret));
        rd_report_free(&rep);
        return 1;
    }
    if (c->report_path && write_report(c, &rep) < 0)
        ret = -1;
    rd_report_free(&rep);
    return ret < 0 ? 1 : 0;
}

/* --dry-run: the plan on stdout (and as JSON with --report); no OUTPUT. */
static int run_dry(RdCli *c)
{
    RdReport rep;
    char err[1024] = "";
    int ret = rd_engine_plan(&c->s, &rep, err, sizeof(err));
    if (ret < 0) {
        fprintf(stderr, "render: %s\n", *err ? err : av_err2str(ret));
        rd_report_free(&rep);
        return 1;
    }
    if (!c->s.quiet)
        rd_report_print_plan(&rep, stdout);
    if (c->report_path && write_report(c, &rep) < 0)
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
    sw->ceiling_s = c->ceiling_s;
    sw->ceiling_from = c->ceiling_from;
}

static int run_sweep(RdCli *c)
{
    RdSweepSettings sw;
    char err[1024] = "";
    int ret;

    sweep_settings(c, &sw);
    c->s.cancel = &cancel_flag;
    ret = rd_sweep_run(&c->s, &sw, err, sizeof(err));
    if (ret < 0 && atomic_load(&cancel_flag)) {
        fprintf(stderr, "render: sweep interrupted\n");
        return 130;
    }
    if (ret < 0) {
        fprintf(stderr, "render: %s\n", *err ? err : av_err2str(ret));
        return 1;
    }
    return 0;
}

static int run_assemble(RdCli *c)
{
    RdSweepSettings sw;
    char err[1024] = "";
    int ret;

    sweep_settings(c, &sw);
    sw.export_path = c->assemble_out;
    ret = rd_sweep_assemble(c->baselines, c->nbaselines, c->reports, c->nreports, &sw,
                            err, sizeof(err));
    if (ret < 0) {
        fprintf(stderr, "render: %s\n", *err ? err : av_err2str(ret));
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    RdCli cli;
    char err[512] = "";
    int status;

    av_log_set_level(AV_LOG_QUIET);
    if (rd_cli_parse(&cli, argc, argv, err, sizeof(err)) < 0) {
        fprintf(stderr, "render: %s\n", err);
        rd_cli_free(&cli);
        return 2;
    }
    if (cli.help || cli.version) {
        if (cli.help)
            rd_cli_usage(stdout, NULL);
        else
            print_version();
        rd_cli_free(&cli);
        return 0;
    }
    if (cli.verbose)
        av_log_set_level(AV_LOG_INFO);
    apply_environment();
    install_signals();
    if (cli.assemble_out)
        status = run_assemble(&cli);
    else if (cli.sweep)
        status = run_sweep(&cli);
    else if (cli.dry_run)
        status = run_dry(&cli);
    else
        status = run_render(&cli);
    rd_cli_free(&cli);
    return status;
}
