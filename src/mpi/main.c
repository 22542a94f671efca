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

#include "cli.h"
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
"--progress and --assemble-sweep are not supported under MPI (use render).\n"
"If a rank fails, the job is aborted and mpirun exits non-zero; a killed\n"
"rank makes mpirun stop the job (exit 137 for SIGKILL). No OUTPUT and no\n"
"temporary file are left.\n", f);
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
    char err[512] = "";

    if (rd_cli_parse(c, argc, argv, err, sizeof(err)) < 0) {
        if (m->rank == 0)
            fprintf(stderr, RD_MPI_PROG ": %s\n", err);
        return 2;
    }
    if (c->help || c->version) {
        if (m->rank == 0 && c->help)
            usage(stdout);
        else if (m->rank == 0)
            print_version();
        return 0;
    }
    if (c->progress_path || c->assemble_out) {
        const char *o = c->progress_path ? "--progress" : "--assemble-sweep";
        if (m->rank == 0)
            fprintf(stderr, RD_MPI_PROG ": %s is not supported under MPI; use render %s\n", o, o);
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
    int one_core, bound = 0;

    omp_set_dynamic(0);
    m->threads = c->s.workers > 0 ? c->s.workers : omp_get_max_threads();
    MPI_Allreduce(&m->threads, &m->total, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    MPI_Exscan(&m->threads, &m->first, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    if (m->rank == 0)
        m->first = 0; /* MPI_Exscan leaves rank 0's undefined */
    /* DESIGN.md's trap: mpirun's default binding starves OpenMP, silently. */
    one_core = c->s.workers == 0 && !getenv("OMP_NUM_THREADS") && omp_get_num_procs() == 1 &&
               sysconf(_SC_NPROCESSORS_ONLN) > 1;
    MPI_Reduce(&one_core, &bound, 1, MPI_INT, MPI_SUM, 0, MPI_COMM_WORLD);
    if (m->rank == 0 && bound && !c->s.quiet)
        fprintf(stderr, RD_MPI_PROG ": warning: %d of %d ranks may use only one core, so they run "
                "one chunk thread; start mpirun with --bind-to none\n", bound, m->size);
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

static void print_summary(const RdMpi *m, const RdCli *c, const RdReport *rep)
{
    char size[32];
    human_size((double)rep->output_bytes, size, sizeof(size));
    fprintf(stderr, RD_MPI_PROG ": %s: %" PRId64 " frames in %.2f s (%.1f fps), %d chunks on "
            "%d ranks, %d threads in all; %" PRId64 " frames decoded and dropped; %s\n",
            c->s.output, rep->frames_out, rep->total_s,
            rep->total_s > 0 ? rep->frames_out / rep->total_s : 0.0,
            rep->nchunks, m->size, rep->threads, rep->wasted_frames, size);
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

static int lead(const RdMpi *m, RdCli *c, int cpus)
{
    RdReport rep;
    char err[1024] = "";
    int shared = 0, status = 0, ret;

    memset(&rep, 0, sizeof(rep));
    c->s.cancel = rd_signal_install();
    if (c->sweep) {
        ret = rd_sweep_mpi(m, c, cpus, &shared, err, sizeof(err));
    } else {
        rd_signal_guard(c->s.output, NULL);
        ret = rd_job_render(m, &c->s, m->size, 0, &rep, &shared, err, sizeof(err));
    }
    if (ret == AVERROR_EXIT && atomic_load(c->s.cancel)) {
        fprintf(stderr, RD_MPI_PROG ": interrupted; %s not written\n",
                c->sweep ? "sweep results" : c->s.output);
        status = 130;
    } else if (ret < 0) {
        fprintf(stderr, RD_MPI_PROG ": %s\n", *err ? err : av_err2str(ret));
        status = 1;
    }
    if (status && shared) {
        /* The others are mid-render; the temporary output is gone already. */
        fflush(stderr);
        MPI_Abort(MPI_COMM_WORLD, status);
    }
    if (m->size > 1)
        rd_job_end(status ? RD_SHARE_FAIL : RD_SHARE_END);
    if (!status && !c->sweep && !c->s.quiet)
        print_summary(m, c, &rep);
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
    status = parse(&m, &cli, argc, argv);
    if (status < 0 && provided < MPI_THREAD_FUNNELED) {
        /* Threads would call nothing in MPI, but the library said no. */
        if (m.rank == 0)
            fprintf(stderr, RD_MPI_PROG ": the MPI library does not support threads "
                    "(MPI_THREAD_FUNNELED)\n");
        status = 1;
    }
    if (status < 0) {
        int cpus;
        setup_threads(&m, &cli);
        cpus = cli.sweep ? rd_sweep_job_cpus(&m) : 0;
        status = m.rank == 0 ? lead(&m, &cli, cpus) : follow(&m, &cli);
    }
    rd_cli_free(&cli);
    MPI_Finalize();
    return status;
}
