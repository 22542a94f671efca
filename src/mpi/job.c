/*
 * job.c - one render across the job: rank 0 opens it with the engine's
 * step API and shares it; the other ranks join each render rank 0 shares
 * until it says there are no more.
 */
#include <string.h>

#include "io/input.h"
#include "mpi/rdmpi.h"

int rd_job_render(const RdMpi *m, const RdSettings *s, int ranks, int threads,
                  RdReport *rep, int *shared, char *err, int errlen)
{
    RdSettings run = *s;
    RdEngine *e = NULL;
    int local = threads > 0 ? threads : m->threads;
    int ret, closed;

    *shared = 0;
    /* The planner sizes chunks for every thread of the job, not one rank's. */
    run.workers = threads > 0 ? ranks * threads : m->total;
    /* x264's stats of the chunks stay on rank 0 (engine/ratectl.h): said
     * before -pass 1 writes its log, not by the first chunk sent away. */
    if (s->pass && ranks > 1) {
        memset(rep, 0, sizeof(*rep));
        snprintf(err, errlen, "%s: -pass runs in one process: run render, or render-mpi on one rank",
                 s->input);
        return AVERROR(EINVAL);
    }
    ret = rd_engine_open(&e, &run, rep, err, errlen);
    /* Every rank hears of every render (ranks >= `ranks` sit it out), so
     * the ones left waiting in the broadcast stay in step. */
    if (ret >= 0 && m->size > 1) {
        if ((ret = rd_share_send(e, RD_SHARE_RUN, ranks, threads)) < 0)
            rd_engine_fail(e, ret, "cannot broadcast the plan");
        *shared = ranks > 1;
        /* The chunks' frame sync table lives in rank 0's memory only. */
        if (ret >= 0 && ranks > 1 && rd_engine_shared(e)->sync)
            rd_engine_fail(e, AVERROR_PATCHWELCOME, "ffmpeg's frame sync for this output is not "
                           "shared across MPI ranks yet: run render, or render-mpi on one rank");
    }
    if (ret >= 0)
        ret = rd_master_run(m, e, ranks, local);
    closed = rd_engine_close(&e, err, errlen);
    if (ret >= 0 && closed >= 0) {
        rep->threads = run.workers;
        snprintf(rep->schedule, sizeof(rep->schedule), "dynamic,1"); /* one chunk per request */
    }
    return ret < 0 && closed >= 0 ? ret : closed;
}

int rd_job_end(int status)
{
    return rd_share_send(NULL, status, 0, 0);
}

int rd_job_serve(const RdMpi *m, const RdSettings *s)
{
    for (;;) {
        RdShare sh;
        int ret = rd_share_recv(&sh, s), status = sh.status;
        if (ret < 0) {
            /* Rank 0 waits for this rank's requests: tell it why none come. */
            RdMpiError er;
            rd_msg_describe(m, &er, -1, ret, "cannot set up the render");
            MPI_Send(&er, sizeof(er), MPI_BYTE, 0, RD_TAG_ERROR, MPI_COMM_WORLD);
        } else if (status == RD_SHARE_RUN && m->rank < sh.ranks) {
            int threads = sh.threads > 0 ? sh.threads : m->threads;
            int first = sh.threads > 0 ? m->rank * sh.threads : m->first;
            /* Every chunk of this rank reads one file (io/input.h); one
             * that cannot be opened fails in its chunks, which say so. */
            int pinned = rd_input_pin(s->input) >= 0;
            ret = rd_worker_run(m, &sh, threads, first, s);
            if (pinned)
                rd_input_unpin(s->input);
        }
        rd_share_free(&sh);
        if (ret < 0)
            return ret;
        if (status != RD_SHARE_RUN)
            return status == RD_SHARE_END ? 0 : 1;
    }
}
