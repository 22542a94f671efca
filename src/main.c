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
#include "engine.h"

#define RD_VERSION "0.1.0"

static _Atomic int cancel_flag;

static void on_signal(int sig)
{
    (void)sig;
    if (atomic_exchange(&cancel_flag, 1)) {
        static const char msg[] = "render: interrupted twice, quitting\n";
        ssize_t w = write(2, msg, sizeof(msg) - 1);
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

static void human_size(double b, char *buf, int len)
{
    const char *u[] = { "B", "KiB", "MiB", "GiB" };
    int i = 0;
    while (b >= 1024 && i < 3) {
        b /= 1024;
        i++;
    }
    snprintf(buf, len, "%.1f %s", b, u[i]);
}

static void print_summary(const RdCli *c, const RdReport *rep)
{
    char size[32];
    human_size((double)rep->output_bytes, size, sizeof(size));
    fprintf(stderr, "render: %s: %" PRId64 " frames in %.2f s (%.1f fps), %d chunks on %d threads (%s), "
            "%" PRId64 " frames decoded and dropped; %s\n",
            c->s.output, rep->frames_out, rep->total_s,
            rep->total_s > 0 ? rep->frames_out / rep->total_s : 0.0,
            rep->nchunks, rep->threads, rep->schedule, rep->wasted_frames, size);
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

static int run_render(RdCli *c)
{
    RdReport rep;
    char err[1024] = "";
    int ret;

    c->s.cancel = &cancel_flag;
    ret = rd_engine_run(&c->s, &rep, err, sizeof(err));
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
    if (!c->s.quiet)
        print_summary(c, &rep);
    if (c->report_path && write_report(c, &rep) < 0)
        ret = -1;
    rd_report_free(&rep);
    return ret < 0 ? 1 : 0;
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
            rd_cli_usage(stdout);
        else
            print_version();
        rd_cli_free(&cli);
        return 0;
    }
    if (cli.verbose)
        av_log_set_level(AV_LOG_INFO);
    apply_environment();
    install_signals();
    status = run_render(&cli);
    rd_cli_free(&cli);
    return status;
}
