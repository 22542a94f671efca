#include "engine/reorder.h"

#include <stdlib.h>
#include <libavutil/error.h>

int rd_reorder_init(RdReorder *r, int n)
{
    r->slot = calloc(n > 0 ? n : 1, sizeof(*r->slot));
    r->n = n;
    r->next = r->held = r->max_held = 0;
    return r->slot ? 0 : AVERROR(ENOMEM);
}

int rd_reorder_push(RdReorder *r, int index, void *item)
{
    if (index < r->next || index >= r->n || r->slot[index] || !item)
        return AVERROR(EINVAL);
    r->slot[index] = item;
    if (++r->held > r->max_held)
        r->max_held = r->held;
    return 0;
}

void *rd_reorder_pop(RdReorder *r)
{
    void *item;
    if (r->next >= r->n || !r->slot[r->next])
        return NULL;
    item = r->slot[r->next];
    r->slot[r->next++] = NULL;
    r->held--;
    return item;
}

int rd_reorder_done(const RdReorder *r)
{
    return r->next >= r->n;
}

void rd_reorder_free(RdReorder *r)
{
    free(r->slot);
    r->slot = NULL;
    r->n = r->next = r->held = 0;
}
