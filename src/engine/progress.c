#include "engine/progress.h"

#include <stdlib.h>
#include <libavutil/error.h>
#include <libavutil/mem.h>

int rd_progress_setup(RdProgress *p, int nchunks, int nworkers)
{
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
