/*
 * team.c - one rank's chunk threads and the MPI thread that feeds them.
 *
 * MPI_THREAD_FUNNELED lets only the main thread call MPI, and a thread that
 * runs a chunk is deaf for seconds, so the main thread (OpenMP thread 0)
 * only talks, and threads 1..T run chunks. Each chunk thread has a slot:
 * it says WANT, main answers RUN (a chunk) or QUIT, the thread answers DONE.
 * Both sides poll with a short nap; a chunk takes far longer than a nap.
 */
#include <omp.h>
#include <stdio.h>
#include <time.h>
#include <libavutil/mem.h>

#include "mpi/rdmpi.h"

#define NAP_NS 500000  /* 0.5 ms: hand-over latency, negligible against a chunk */

void rd_nap(void)
{
    struct timespec ts = { 0, NAP_NS };
    nanosleep(&ts, NULL);
}

int rd_team_init(RdTeam *t, int n, const RdChunkShared *sh, const RdChunkJob *jobs)
{
    t->slot = av_calloc(n, sizeof(*t->slot));
    t->nslots = t->slot ? n : 0;
    t->sh = sh;
    t->jobs = jobs;
    atomic_init(&t->shutdown, 0);
    if (!t->slot)
        return AVERROR(ENOMEM);
    for (int i = 0; i < n; i++)
        atomic_init(&t->slot[i].state, RD_SLOT_WANT);
    return 0;
}

void rd_team_free(RdTeam *t)
{
    for (int i = 0; i < t->nslots; i++)
        if (t->slot[i].res) {
            rd_chunk_result_free(t->slot[i].res);
            av_freep(&t->slot[i].res);
        }
    av_freep(&t->slot);
    t->nslots = 0;
}

static void run_slot(RdTeam *t, RdSlot *s)
{
    RdChunkResult *res = av_mallocz(sizeof(*res));

    s->err[0] = 0;
    s->t_start = omp_get_wtime();
    /* The counters are the slot's own; watch.c copies them to rank 0's view. */
    s->ret = res ? rd_chunk_run(t->sh, &t->jobs[s->chunk], res, &s->cp, &s->wp, s->err,
                                sizeof(s->err))
                 : AVERROR(ENOMEM);
    s->t_end = omp_get_wtime();
    if (s->ret >= 0 && s->err[0] && !t->quiet)
        fprintf(stderr, RD_MPI_PROG ": %s: warning: %s\n", t->input ? t->input : "", s->err);
    if (s->ret < 0 && res) {
        rd_chunk_result_free(res);
        av_freep(&res);
    }
    s->res = res;
    atomic_store(&s->state, RD_SLOT_DONE);
}

static void chunk_thread(RdTeam *t, RdSlot *s)
{
    for (;;) {
        int st = atomic_load(&s->state);
        if (st == RD_SLOT_RUN)
            run_slot(t, s);
        else if (st == RD_SLOT_QUIT || atomic_load(&t->shutdown))
            return;
        else
            rd_nap();
    }
}

int rd_team_run(RdTeam *t, int (*talk)(void *arg), void *arg)
{
    int ret = 0;

    /* Thread 0 of a parallel region is the thread that opened it: the one
     * MPI was initialised on, as FUNNELED requires. */
    #pragma omp parallel num_threads(t->nslots + 1)
    {
        int id = omp_get_thread_num();
        if (id == 0) {
            for (int i = omp_get_num_threads() - 1; i < t->nslots; i++)
                atomic_store(&t->slot[i].state, RD_SLOT_QUIT);
            ret = talk(arg);
            atomic_store(&t->shutdown, 1);
        } else {
            chunk_thread(t, &t->slot[id - 1]);
        }
    }
    return ret;
}
