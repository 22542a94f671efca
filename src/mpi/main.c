/*
 * main.c - render-mpi: the render CLI as MPI ranks x OpenMP threads.
 * Every rank parses the same argv; rank 0 speaks for the job (messages,
 * summary, report, exit status), the others serve it.
 */
#include <inttypes.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libavcodec/avcodec.h>
#include <libavfilter/avfilter.h>
#include <libavformat/avformat.h>
#include <libavutil/cpu.h>

#include "cli.h"
#include "io/avlog.h"
#include "io/errline.h"
#include "ui/dashboard.h"
#include "version.h"
#include "mpi/rdmpi.h"

/* A worker rank that reported a failure waits this long for rank 0 to
 * abort the job before it aborts the job itself. */
#define ABORT_GRACE_S 60

/* render's help, under this program's name, and what MPI adds. */
static void usage(FILE *f)
{
    rd_cli_usage(f, "Usage: mpirun [MPI OPTIONS] " RD_MPI_PROG " [OPTIONS] [INPUT]");
    fputs(
"\n"
"Under MPI: rank 0 probes, plans, hands out chunks one at a time and writes\n"
"OUTPUT; every rank, rank 0 included, runs chunks on -w N threads (default\n"
"$OMP_NUM_THREADS, else the cores the rank may use) and sends the encoded\n"
"packets to rank 0 over MPI. INPUT must be at a path that every rank can\n"
"read (a shared file system, as on a cluster); only rank 0 writes OUTPUT.\n"
"mpirun binds each rank to one core by default, which leaves OpenMP one\n"
"thread: give it --bind-to none (or a --map-by with several cores per rank).\n"
"\n"
"  mpirun -np 4 --bind-to none -x OMP_NUM_THREADS=8 \\\n"
"      " RD_MPI_PROG " /shared/in.mp4 -o /shared/out.mp4\n"
"  srun --cpu-bind=none " RD_MPI_PROG " /shared/in.mp4 -o /shared/out.mp4\n"
"\n"
"OMP_SCHEDULE does not apply (chunks go to whichever thread asks first).\n"
"--sweep [LIST]: LIST is threads per rank (default 1, 2, 4 ... -w); each is\n"
"run at 1, 2, 4 ... up to all ranks (ranks left out wait), after a baseline\n"
"of one rank, one thread, one chunk; --export adds ranks and\n"
"threads_per_rank to every run, --dat-dir also writes NAME_hybrid.dat.\n"
"Rank 0 shows the run as render does: the summary line, --progress FILE|-,\n"
"and the live dashboard (one row per rank in place of the cores) when its\n"
"stderr, or mpirun's on the same node, is a terminal. --assemble-sweep is\n"
"not supported under MPI (use render), nor --progress with --sweep.\n"
"If a rank fails, the job is aborted and mpirun exits non-zero; a killed\n"
"rank makes mpirun stop the job (exit 137 for SIGKILL). Ctrl-C (SIGINT,\n"
"SIGTERM, SIGHUP, SIGQUIT, SIGPIPE): rank 0 prints one line and exits\n"
"128 + the signal (srun passes that on; mpirun itself exits 1). No OUTPUT\n"
"and no temporary file are left.\n", f);
}

static void print_version(void)
{
    char lib[MPI_MAX_LIBRARY_VERSION_STRING] = "";
    int len = 0;
    MPI_Get_library_version(lib, &len);
    printf(RD_MPI_PROG " %s\n", RD_VERSION);
    printf("built with %s, OpenMP %d, MPI %d.%d\n", "gcc " __VERSION__, _OPENMP,
           MPI_VERSION, MPI_SUBVERSION);
    printf("%.*s\n", (int)strcspn(lib, "\n"), lib);
    printf("libavformat %s, libavcodec %s, libavfilter %s\n",
           AV_STRINGIFY(LIBAVFORMAT_VERSION), AV_STRINGIFY(LIBAVCODEC_VERSION),
           AV_STRINGIFY(LIBAVFILTER_VERSION));
}

/* -1 to go on, else the exit status. Only rank 0 prints. */
static int parse(const RdMpi *m, RdCli *c, int argc, char **argv)
{
    char err[RD_ERRLEN] = "";

    if (rd_cli_parse(c, argc, argv, err, sizeof(err)) < 0) {
        if (m->rank == 0)
            rd_errline_print(stderr, RD_MPI_PROG, err);
        return 2;
    }
    if (c->help || c->version) {
        if (m->rank == 0 && c->help)
            usage(stdout);
        else if (m->rank == 0)
            print_version();
        return 0;
    }
    if (c->assemble_out) {
        if (m->rank == 0)
            fprintf(stderr, RD_MPI_PROG ": --assemble-sweep is not supported under MPI; "
                    "use render --assemble-sweep\n");
        return 2;
    }
    if (c->progress_path && c->sweep) {
        if (m->rank == 0)
            fprintf(stderr, RD_MPI_PROG ": --progress does not apply to --sweep\n");
        return 2;
    }
    if (c->verbose)
        av_log_set_level(AV_LOG_INFO);
    else /* SVT-AV1's own log: errors only (a user's SVT_LOG wins) */
        setenv("SVT_LOG", "1", 0);
    return -1;
}

/* Threads per rank, and global worker ids that do not collide. */
static void setup_threads(RdMpi *m, const RdCli *c)
{
    int one_core, bound = 0, cpus;

    omp_set_dynamic(0);
    m->threads = c->s.workers > 0 ? c->s.workers : omp_get_max_threads();
    MPI_Allreduce(&m->threads, &m->total, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    MPI_Exscan(&m->threads, &m->first, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    if (m->rank == 0)
        m->first = 0; /* MPI_Exscan leaves rank 0's undefined */
    /* A known trap: mpirun's default binding starves OpenMP, silently. */
    one_core = c->s.workers == 0 && !getenv("OMP_NUM_THREADS") && omp_get_num_procs() == 1 &&
               sysconf(_SC_NPROCESSORS_ONLN) > 1;
    MPI_Reduce(&one_core, &bound, 1, MPI_INT, MPI_SUM, 0, MPI_COMM_WORLD);
    /* An encoder on automatic threads (mpeg2video and the others whose
     * slices follow their threads) cuts as many slices as libavcodec finds
     * CPUs: a rank that mpirun bound to one core would cut other slices
     * than ffmpeg run on the machine, and ranks bound otherwise other
     * slices than each other. Every rank counts rank 0's machine. */
    cpus = m->rank == 0 ? (int)sysconf(_SC_NPROCESSORS_ONLN) : 0;
    MPI_Bcast(&cpus, 1, MPI_INT, 0, MPI_COMM_WORLD);
    if (cpus > 0)
        av_cpu_force_count(cpus);
    if (m->rank == 0 && bound && !c->s.quiet)
        fprintf(stderr, RD_MPI_PROG ": warning: %d of %d ranks may use only one core, so they run "
                "one chunk thread; start mpirun with --bind-to none\n", bound, m->size);
}

/* render's report, plus where its threads ran. */
static int write_report(const RdMpi *m, const RdCli *c, const RdReport *rep)
{
    cJSON *j = rd_report_to_json(rep);
    int ret = AVERROR(ENOMEM);
    if (j && cJSON_AddNumberToObject(j, "ranks", m->size) &&
        cJSON_AddNumberToObject(j, "threads_per_rank", m->threads))
        ret = rd_json_write_file(j, c->report_path);
    cJSON_Delete(j);
    if (ret < 0)
        fprintf(stderr, RD_MPI_PROG ": %s: %s\n", c->report_path, av_err2str(ret));
    return ret;
}

/* The dashboard (and --progress) on rank 0, as render starts its own. */
static int start_watch(const RdCli *c, RdDashboard **dash, RdProgress *prog, int *size_fd)
{
    RdDashboardSettings ds;
    int ret;

    rd_dashboard_defaults(&ds);
    ds.quiet = c->s.quiet;
    ds.progress_path = c->progress_path;
    ds.prog = RD_MPI_PROG;
    ds.proc_stat = NULL;            /* rank 0's cores are not the job's: per-rank rows instead */
    ds.tty = rd_watch_tty(size_fd);
    ds.size_fd = *size_fd > 0 ? *size_fd : 0;
    if ((ret = rd_dashboard_start(dash, prog, &ds)) < 0)
        fprintf(stderr, RD_MPI_PROG ": %s: %s\n", c->progress_path ? c->progress_path : "dashboard",
                av_err2str(ret));
    return ret;
}

static int lead(const RdMpi *m, RdCli *c, int cpus, RdRankProgress *ranks)
{
    RdReport rep;
    RdProgress prog;
    RdDashboard *dash = NULL;
    char err[RD_ERRLEN] = "";
    int shared = 0, status = 0, size_fd = -1, ret;

    memset(&rep, 0, sizeof(rep));
    memset(&prog, 0, sizeof(prog));
    c->s.cancel = rd_signal_install(c->sweep ? "sweep results" : c->s.output);
    if (c->sweep) {
        ret = rd_sweep_mpi(m, c, cpus, &shared, err, sizeof(err));
        if (ret >= 0)
            rd_signal_done();
    } else {
        prog.nranks = ranks ? m->size : 0;
        prog.ranks = ranks;
        rd_signal_guard(c->s.output, NULL);
        if ((ret = start_watch(c, &dash, &prog, &size_fd)) < 0) {
            status = 1; /* said already */
        } else {
            c->s.progress = &prog;
            ret = rd_job_render(m, &c->s, m->size, 0, &rep, &shared, err, sizeof(err));
            c->s.progress = NULL;
            if (ret >= 0)
                rd_signal_done();
            /* Before any abort below: the terminal is restored, the last
             * progress block says end. */
            rd_dashboard_stop(&dash, ret < 0 ? NULL : &rep);
            rd_progress_free(&prog);
            if (size_fd >= 0)
                close(size_fd);
        }
    }
    if (status) {
        /* the dashboard could not start; nothing was shared */
    } else if (ret == AVERROR_EXIT && atomic_load(c->s.cancel)) {
        fprintf(stderr, RD_MPI_PROG ": interrupted; %s not written\n",
                c->sweep ? "sweep results" : c->s.output);
        status = 130;
    } else if (ret < 0) {
        rd_errline_print(stderr, RD_MPI_PROG, *err ? err : av_err2str(ret));
        status = 1;
    }
    if (status && shared) {
        /* The others are mid-render; the temporary output is gone already. */
        fflush(stderr);
        MPI_Abort(MPI_COMM_WORLD, status);
    }
    if (m->size > 1)
        rd_job_end(status ? RD_SHARE_FAIL : RD_SHARE_END);
    if (!status && !c->sweep && c->report_path && write_report(m, c, &rep) < 0)
        status = 1;
    rd_report_free(&rep);
    return status;
}

static int follow(const RdMpi *m, RdCli *c)
{
    int ret = rd_job_serve(m, &c->s);
    if (ret < 0) {
        /* Rank 0 was told, and cleans up before it aborts the job. */
        double t = MPI_Wtime();
        while (MPI_Wtime() - t < ABORT_GRACE_S)
            rd_nap();
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    return ret;
}

int main(int argc, char **argv)
{
    RdMpi m;
    RdCli cli;
    int provided = MPI_THREAD_SINGLE, len = 0, status;

    if (MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
        fprintf(stderr, RD_MPI_PROG ": cannot initialise MPI\n");
        return 1;
    }
    memset(&m, 0, sizeof(m));
    MPI_Comm_rank(MPI_COMM_WORLD, &m.rank);
    MPI_Comm_size(MPI_COMM_WORLD, &m.size);
    MPI_Get_processor_name(m.host, &len);
    av_log_set_level(AV_LOG_QUIET);
    rd_avlog_install();
    status = parse(&m, &cli, argc, argv);
    if (status < 0 && provided < MPI_THREAD_FUNNELED) {
        /* Threads would call nothing in MPI, but the library said no. */
        if (m.rank == 0)
            fprintf(stderr, RD_MPI_PROG ": the MPI library does not support threads "
                    "(MPI_THREAD_FUNNELED)\n");
        status = 1;
    }
    if (status < 0) {
        RdRankProgress *ranks = NULL;
        int cpus;
        setup_threads(&m, &cli);
        cpus = cli.sweep ? rd_sweep_job_cpus(&m) : 0;
        /* Without the table (no memory) rank 0 shows no rank rows, nothing worse. */
        rd_watch_ranks(&m, &ranks);
        status = m.rank == 0 ? lead(&m, &cli, cpus, ranks) : follow(&m, &cli);
        av_free(ranks);
    }
    rd_cli_free(&cli);
    MPI_Finalize();
    return status;
}
