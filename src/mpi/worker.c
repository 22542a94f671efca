/*
 * worker.c - the MPI thread of ranks 1..N-1: asks rank 0 for a chunk
 * whenever one of its threads is free, and sends each finished chunk's
 * packets back. A failed chunk is reported to rank 0 instead, which
 * removes its temporary output and aborts the job.
 */
#include <stdio.h>
#include <libavutil/mem.h>

#include "mpi/rdmpi.h"

typedef struct Worker {
    const RdMpi *m;
    RdShare *sh;
    RdTeam team;
    int first;          ///< global worker id of slot 0
    double watch_t;     ///< when the last PROGRESS message went
} Worker;

static int report(Worker *w, int chunk, int ret, const char *detail)
{
    RdMpiError er;
    rd_msg_describe(w->m, &er, chunk, ret, detail);
    atomic_store(&w->sh->stop, 1); /* this rank's other chunks are wasted now */
    MPI_Send(&er, sizeof(er), MPI_BYTE, 0, RD_TAG_ERROR, MPI_COMM_WORLD);
    return ret;
}

/* Ship finished chunks and ask for work; *active counts threads not QUIT. */
static int serve_slots(Worker *w, int *active, int *did)
{
    *active = 0;
    for (int i = 0; i < w->team.nslots; i++) {
        RdSlot *s = &w->team.slot[i];
        int st = atomic_load(&s->state), ret;
        if (st == RD_SLOT_DONE) {
            if (s->ret < 0)
                return report(w, s->chunk, s->ret, s->err);
            ret = rd_msg_send_result(s->res, w->first + i, s->t_start, s->t_end);
            rd_chunk_result_free(s->res);
            av_freep(&s->res);
            if (ret < 0)
                return report(w, s->chunk, ret, "cannot send the chunk to rank 0");
            atomic_store(&s->state, st = RD_SLOT_WANT);
            *did = 1;
        }
        if (st == RD_SLOT_WANT && !s->asked) {
            MPI_Send(&i, 1, MPI_INT, 0, RD_TAG_REQ, MPI_COMM_WORLD);
            s->asked = 1;
            *did = 1;
        }
        *active += st != RD_SLOT_QUIT;
    }
    return 0;
}

/* Rank 0's answers: a chunk to run, or no more work. */
static int take_assignments(Worker *w, int *did)
{
    MPI_Status st;
    int flag, v[2];

    for (;;) {
        MPI_Iprobe(0, RD_TAG_ASSIGN, MPI_COMM_WORLD, &flag, &st);
        if (!flag)
            return 0;
        MPI_Recv(v, 2, MPI_INT, 0, RD_TAG_ASSIGN, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        if (v[0] < 0 || v[0] >= w->team.nslots || v[1] >= w->sh->nchunks)
            return report(w, -1, AVERROR_BUG, "rank 0 sent a chunk that does not exist");
        RdSlot *s = &w->team.slot[v[0]];
        s->asked = 0;
        if (v[1] >= 0) {
            s->chunk = v[1];
            atomic_store(&s->cp.frames_done, 0);
        }
        atomic_store(&s->state, v[1] >= 0 ? RD_SLOT_RUN : RD_SLOT_QUIT);
        *did = 1;
    }
}

static int talk(void *arg)
{
    Worker *w = arg;
    for (;;) {
        int active, did = 0, ret, bye = 0;
        if ((ret = serve_slots(w, &active, &did)) < 0 ||
            (ret = take_assignments(w, &did)) < 0)
            return ret;
        if (!active) {
            MPI_Send(&bye, 1, MPI_INT, 0, RD_TAG_BYE, MPI_COMM_WORLD);
            return 0;
        }
        /* After BYE nothing more goes out, so rank 0 has read every
         * PROGRESS message by the time it has every BYE. */
        if (w->sh->progress && MPI_Wtime() - w->watch_t >= RD_WATCH_PERIOD) {
            if ((ret = rd_watch_send(&w->team, w->first)) < 0)
                return report(w, -1, ret, "cannot send progress to rank 0");
            w->watch_t = MPI_Wtime();
        }
        if (!did)
            rd_nap();
    }
}

int rd_worker_run(const RdMpi *m, RdShare *sh, int threads, int first, const RdSettings *s)
{
    Worker w = { m, sh, { 0 }, first, 0 };
    int ret;

    if ((ret = rd_team_init(&w.team, threads, &sh->sh, sh->jobs)) < 0)
        return report(&w, -1, ret, NULL);
    w.team.quiet = s->quiet;
    w.team.input = s->input;
    ret = rd_team_run(&w.team, talk, &w);
    rd_team_free(&w.team);
    return ret;
}
