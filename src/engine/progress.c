#include "engine/progress.h"

#include <stdlib.h>
#include <libavutil/error.h>
#include <libavutil/mem.h>

int rd_progress_setup(RdProgress *p, int nchunks, int nworkers)
{
    /* Set up again for a smaller run (the engine's retry as one chunk): the
     * arrays stay where they are, since the dashboard may be reading them. */
    if (p->chunks && p->workers && nchunks <= p->nchunks && nworkers <= p->nworkers) {
        for (int i = 0; i < p->nchunks; i++) {
            atomic_store(&p->chunks[i].state, 0);
            atomic_store(&p->chunks[i].worker, -1);
            atomic_store(&p->chunks[i].frames_done, 0);
            p->chunks[i].frames_total = 0;
        }
        for (int i = 0; i < p->nworkers; i++) {
            atomic_store(&p->workers[i].chunk, -1);
            atomic_store(&p->workers[i].frames_done, 0);
        }
        p->nchunks  = nchunks;
        p->nworkers = nworkers;
        return 0;
    }
    rd_progress_free(p);
    p->chunks  = av_calloc(nchunks > 0 ? nchunks : 1, sizeof(*p->chunks));
    p->workers = av_calloc(nworkers > 0 ? nworkers : 1, sizeof(*p->workers));
    if (!p->chunks || !p->workers) {
        rd_progress_free(p);
        return AVERROR(ENOMEM);
    }
    for (int i = 0; i < nchunks; i++)
        atomic_init(&p->chunks[i].worker, -1);
    for (int i = 0; i < nworkers; i++)
        atomic_init(&p->workers[i].chunk, -1);
    p->nchunks  = nchunks;
    p->nworkers = nworkers;
    return 0;
}

void rd_progress_free(RdProgress *p)
{
    av_freep(&p->chunks);
    av_freep(&p->workers);
    p->nchunks = p->nworkers = 0;
}
