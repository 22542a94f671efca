/*
 * watch.c - what rank 0 needs to show a render-mpi run as render shows
 * its own: which chunk every thread of every rank runs and how far it is,
 * and how busy each rank is.
 *
 * Rank 0's threads are read directly (their slots' counters); the other
 * ranks send a PROGRESS message about every RD_WATCH_PERIOD:
 *   int64 first, nslots, cpu_ms, 0, then per slot: chunk (-1 idle),
 *   frames of that chunk done, frames of every chunk the thread ran.
 * A chunk's end is recorded when its packets arrive (rd_watch_done), so a
 * late message can neither undo it nor leave it short of frames.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <libavutil/error.h>
#include <libavutil/mem.h>

#include "mpi/rdmpi.h"

#define HEAD 4
#define MAX_SLOTS 4096 /* a message claiming more is not ours */

int64_t rd_watch_cpu_ms(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) < 0)
        return -1;
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int rd_watch_ranks(const RdMpi *m, RdRankProgress **pranks)
{
    int mine[2] = { m->first, m->threads }, *all = NULL;
    char host[64], *hosts = NULL;
    int ret = 0;

    *pranks = NULL;
    snprintf(host, sizeof(host), "%.*s", (int)sizeof(host) - 1, m->host); /* long names are cut */
    if (m->rank == 0) {
        all = av_malloc_array(m->size, sizeof(mine));
        hosts = av_malloc_array(m->size, sizeof(host));
        *pranks = av_calloc(m->size, sizeof(**pranks));
    }
    /* Every rank takes part even when rank 0 is out of memory: a collective
     * left half done would hang the job. */
    MPI_Gather(mine, 2, MPI_INT, all, 2, MPI_INT, 0, MPI_COMM_WORLD);
    MPI_Gather(host, sizeof(host), MPI_CHAR, hosts, sizeof(host), MPI_CHAR, 0, MPI_COMM_WORLD);
    if (m->rank == 0 && (!all || !hosts || !*pranks)) {
        av_freep(pranks);
        ret = AVERROR(ENOMEM);
    } else if (m->rank == 0) {
        for (int i = 0; i < m->size; i++) {
            RdRankProgress *r = &(*pranks)[i];
            memcpy(r->host, hosts + (size_t)i * sizeof(host), sizeof(r->host));
            r->host[sizeof(r->host) - 1] = 0;
            r->first = all[2 * i];
            r->threads = all[2 * i + 1];
            atomic_init(&r->cpu_ms, -1);
        }
    }
    av_free(all);
    av_free(hosts);
    return ret;
}

int rd_watch_tty(int *size_fd)
{
    char path[64], name[32] = "";
    FILE *f;
    int fd;

    *size_fd = -1;
    if (isatty(2))
        return 1;
    /* Only mpirun's own ranks: its stderr is what the user sees. A rank
     * under orted (another node) or slurmstepd has no terminal to reach. */
    snprintf(path, sizeof(path), "/proc/%d/comm", (int)getppid());
    if (!(f = fopen(path, "r")))
        return 0;
    if (!fgets(name, sizeof(name), f))
        name[0] = 0;
    fclose(f);
    name[strcspn(name, "\n")] = 0;
    if (strcmp(name, "mpirun") && strcmp(name, "mpiexec") && strcmp(name, "orterun"))
        return 0;
    snprintf(path, sizeof(path), "/proc/%d/fd/2", (int)getppid());
    if ((fd = open(path, O_RDONLY | O_NOCTTY | O_CLOEXEC | O_NONBLOCK)) < 0)
        return 0;
    if (!isatty(fd)) {
        close(fd);
        return 0;
    }
    *size_fd = fd;
    return 1;
}

int rd_watch_send(const RdTeam *t, int first)
{
    int64_t msg[HEAD + 3 * 64], *v = msg;
    int n = t->nslots, ret;

    if (n > 64 && !(v = av_malloc_array(HEAD + 3 * (size_t)n, sizeof(*v))))
        return AVERROR(ENOMEM);
    v[0] = first;
    v[1] = n;
    v[2] = rd_watch_cpu_ms();
    v[3] = 0;
    for (int i = 0; i < n; i++) {
        const RdSlot *s = &t->slot[i];
        int st = atomic_load(&s->state);
        int64_t *e = v + HEAD + 3 * i;
        e[0] = st == RD_SLOT_RUN ? s->chunk : -1;
        e[1] = atomic_load_explicit(&s->cp.frames_done, memory_order_relaxed);
        e[2] = atomic_load_explicit(&s->wp.frames_done, memory_order_relaxed);
    }
    ret = MPI_Send(v, HEAD + 3 * n, MPI_INT64_T, 0, RD_TAG_PROGRESS, MPI_COMM_WORLD) == MPI_SUCCESS
          ? 0 : AVERROR_EXTERNAL;
    if (v != msg)
        av_free(v);
    return ret;
}

/* Worker w runs chunk c (or nothing, c < 0) with f of its frames done. */
static void note(RdProgress *p, int w, int c, int64_t f, int64_t wf)
{
    int running = 0;

    if (c >= 0 && c < p->nchunks) {
        RdChunkProgress *cp = &p->chunks[c];
        int st = RD_CHUNK_QUEUED;
        atomic_compare_exchange_strong(&cp->state, &st, RD_CHUNK_RUNNING);
        /* A message sent before the chunk's packets must not reopen it. */
        if ((running = st == RD_CHUNK_QUEUED || st == RD_CHUNK_RUNNING)) {
            atomic_store(&cp->worker, w);
            if (f > atomic_load_explicit(&cp->frames_done, memory_order_relaxed))
                atomic_store_explicit(&cp->frames_done, f, memory_order_relaxed);
        }
    }
    if (w >= 0 && w < p->nworkers) {
        atomic_store_explicit(&p->workers[w].chunk, running ? c : -1, memory_order_relaxed);
        atomic_store_explicit(&p->workers[w].frames_done, wf, memory_order_relaxed);
    }
}

int rd_watch_recv(RdProgress *p, int src)
{
    MPI_Status st;
    int64_t *v;
    int count = 0, ret = 0;

    MPI_Probe(src, RD_TAG_PROGRESS, MPI_COMM_WORLD, &st);
    MPI_Get_count(&st, MPI_INT64_T, &count);
    if (count < 0 || count == MPI_UNDEFINED)
        count = 0;
    /* Taken off the queue whatever it holds; refused below if malformed. */
    if (!(v = av_malloc_array(count > 0 ? count : 1, sizeof(*v))))
        return AVERROR(ENOMEM);
    MPI_Recv(v, count, MPI_INT64_T, src, RD_TAG_PROGRESS, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    if (count < HEAD || v[1] < 0 || v[1] > MAX_SLOTS || count != HEAD + 3 * v[1])
        ret = AVERROR_INVALIDDATA;
    else if (p) {
        for (int i = 0; i < (int)v[1]; i++) {
            const int64_t *e = v + HEAD + 3 * i;
            note(p, (int)v[0] + i, (int)e[0], e[1], e[2]);
        }
        if (p->ranks && src < p->nranks)
            atomic_store(&p->ranks[src].cpu_ms, v[2]);
    }
    av_free(v);
    return ret;
}

void rd_watch_local(RdProgress *p, const RdTeam *t, int first)
{
    for (int i = 0; p && i < t->nslots; i++) {
        const RdSlot *s = &t->slot[i];
        int st = atomic_load(&s->state);
        note(p, first + i, st == RD_SLOT_RUN ? s->chunk : -1,
             atomic_load_explicit(&s->cp.frames_done, memory_order_relaxed),
             atomic_load_explicit(&s->wp.frames_done, memory_order_relaxed));
    }
    if (p && p->ranks && p->nranks > 0)
        atomic_store(&p->ranks[0].cpu_ms, rd_watch_cpu_ms());
}

void rd_watch_done(RdProgress *p, int c, int64_t frames, int64_t wasted)
{
    int w, was = c;

    if (!p || c < 0 || c >= p->nchunks)
        return;
    atomic_store(&p->chunks[c].frames_done, frames);
    /* Its thread is idle until a message says otherwise: the last one it
     * sent may be from before the end. */
    w = atomic_load(&p->chunks[c].worker);
    if (w >= 0 && w < p->nworkers)
        atomic_compare_exchange_strong(&p->workers[w].chunk, &was, -1);
    atomic_fetch_add(&p->wasted_frames, wasted);
}
