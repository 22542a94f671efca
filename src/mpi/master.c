/*
 * master.c - rank 0's MPI thread: hands out chunks, one at a time, to its
 * own threads and to whichever rank asks, and feeds finished chunks to the
 * engine, which muxes them in order while later ones are still running.
 *
 * Handing out one chunk per request is OpenMP's dynamic,1 across ranks: a
 * rank on a slow node or with a costly stretch of video simply asks less.
 */
#include <omp.h>
#include <stdio.h>
#include <libavutil/mem.h>

#include "mpi/rdmpi.h"

typedef struct Master {
    const RdMpi *m;
    RdEngine *e;
    RdTeam team;
    RdChunkJob *jobs;   ///< copy of the engine's, for the team
    int n;              ///< chunks
    int next;           ///< next chunk to hand out
    int ranks;          ///< ranks taking part, rank 0 included
    int byes;           ///< ranks that have finished
    RdProgress *prog;   ///< the engine's live counters, or NULL
    double watch_t;     ///< when rank 0's own slots were last copied to prog
} Master;

static int next_chunk(Master *ms)
{
    while (ms->next < ms->n && rd_engine_resumed(ms->e, ms->next)) /* in the --resume journal */
        ms->next++;
    return ms->next < ms->n && !rd_engine_stopped(ms->e) ? ms->next++ : -1;
}

static int fail(Master *ms, int chunk, int ret, const char *detail)
{
    RdMpiError er;
    rd_msg_describe(ms->m, &er, chunk, ret, detail);
    rd_engine_fail(ms->e, ret, er.text);
    return ret;
}

/* Take what rank 0's own threads finished and give them more. *active
 * counts the threads still working or waiting. */
static int serve_local(Master *ms, int *active)
{
    *active = 0;
    for (int i = 0; i < ms->team.nslots; i++) {
        RdSlot *s = &ms->team.slot[i];
        int st = atomic_load(&s->state), c;
        if (st == RD_SLOT_DONE) {
            if (s->ret < 0)
                return fail(ms, s->chunk, s->ret, s->err);
            rd_watch_done(ms->prog, s->chunk, s->res->frames, s->res->wasted);
            rd_engine_submit(ms->e, s->res, i, s->t_start, s->t_end);
            s->res = NULL;
            st = RD_SLOT_WANT;
        }
        if (st == RD_SLOT_WANT) {
            if ((c = next_chunk(ms)) >= 0) {
                s->chunk = c;
                atomic_store(&s->cp.frames_done, 0);
                st = RD_SLOT_RUN;
            } else
                st = RD_SLOT_QUIT;
            atomic_store(&s->state, st);
        }
        *active += st != RD_SLOT_QUIT;
    }
    return 0;
}

static int recv_result(Master *ms, int src)
{
    RdWireHead h;
    RdChunkResult *res = NULL;
    double now;
    int ret = rd_msg_recv_result(src, &h, &res);

    if (ret < 0) {
        RdMpiError er;
        snprintf(er.text, sizeof(er.text), "chunk %d from rank %d: %s", h.chunk, src, av_err2str(ret));
        rd_engine_fail(ms->e, ret, er.text);
        return ret;
    }
    if (res->index < 0 || res->index >= ms->n) {
        rd_chunk_result_free(res);
        av_free(res);
        rd_engine_fail(ms->e, AVERROR_BUG, "a rank sent a chunk that does not exist");
        return AVERROR_BUG;
    }
    now = omp_get_wtime();
    rd_watch_done(ms->prog, res->index, res->frames, res->wasted);
    rd_engine_submit(ms->e, res, h.worker, now - h.age_start, now - h.age_end);
    return 0;
}

/* One pending message, if any: 1 handled, 0 none, or a negative AVERROR. */
static int serve_remote(Master *ms)
{
    MPI_Status st;
    int flag = 0, src, v[2];
    RdMpiError er;

    MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st);
    if (!flag)
        return 0;
    src = st.MPI_SOURCE;
    switch (st.MPI_TAG) {
    case RD_TAG_REQ:
        MPI_Recv(&v[0], 1, MPI_INT, src, RD_TAG_REQ, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        v[1] = next_chunk(ms);
        MPI_Send(v, 2, MPI_INT, src, RD_TAG_ASSIGN, MPI_COMM_WORLD);
        return 1;
    case RD_TAG_RESULT:
        return recv_result(ms, src) < 0 ? AVERROR_EXTERNAL : 1;
    case RD_TAG_ERROR:
        MPI_Recv(&er, sizeof(er), MPI_BYTE, src, RD_TAG_ERROR, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        er.text[sizeof(er.text) - 1] = 0;
        rd_engine_fail(ms->e, er.ret < 0 ? er.ret : AVERROR_EXTERNAL, er.text);
        return er.ret < 0 ? er.ret : AVERROR_EXTERNAL;
    case RD_TAG_PROGRESS:
        if (rd_watch_recv(ms->prog, src) < 0)
            return fail(ms, -1, AVERROR_INVALIDDATA, "a rank sent a malformed progress message");
        return 1;
    case RD_TAG_BYE:
        MPI_Recv(&v[0], 1, MPI_INT, src, RD_TAG_BYE, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        ms->byes++;
        return 1;
    default:
        return fail(ms, -1, AVERROR_BUG, "unexpected MPI message");
    }
}

static int talk(void *arg)
{
    Master *ms = arg;
    _Atomic int *cancel = rd_engine_settings(ms->e)->cancel;

    for (;;) {
        int active, did = 0, ret;
        if (cancel && atomic_load(cancel)) {
            rd_engine_fail(ms->e, AVERROR_EXIT, "");
            return AVERROR_EXIT;
        }
        if ((ret = serve_local(ms, &active)) < 0)
            return ret;
        if (ms->prog && omp_get_wtime() - ms->watch_t >= RD_WATCH_PERIOD / 2) {
            rd_watch_local(ms->prog, &ms->team, 0);
            ms->watch_t = omp_get_wtime();
        }
        while ((ret = serve_remote(ms)) > 0)
            did = 1;
        if (ret < 0)
            return ret;
        if (rd_engine_stopped(ms->e)) /* the muxer failed */
            return AVERROR_EXTERNAL;
        if (!active && ms->byes == ms->ranks - 1)
            return 0;
        if (!did)
            rd_nap();
    }
}

int rd_master_run(const RdMpi *m, RdEngine *e, int ranks, int threads)
{
    const RdSettings *s = rd_engine_settings(e);
    Master ms = { m, e, { 0 }, NULL, rd_engine_nchunks(e), 0, ranks, 0, s->progress, 0 };
    int ret;

    if (!(ms.jobs = av_malloc_array(ms.n, sizeof(*ms.jobs))))
        return fail(&ms, -1, AVERROR(ENOMEM), NULL);
    for (int i = 0; i < ms.n; i++)
        ms.jobs[i] = *rd_engine_job(e, i);
    if ((ret = rd_team_init(&ms.team, threads, rd_engine_shared(e), ms.jobs)) < 0) {
        av_free(ms.jobs);
        return fail(&ms, -1, ret, NULL);
    }
    ms.team.quiet = s->quiet;
    ms.team.input = s->input;
    ret = rd_team_run(&ms.team, talk, &ms);
    rd_watch_local(ms.prog, &ms.team, 0); /* every thread idle now */
    rd_team_free(&ms.team);
    av_free(ms.jobs);
    return ret;
}
