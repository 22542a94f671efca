/*
 * reorder.h - holds finished chunks until every earlier one is written.
 *
 * Chunks finish out of order; the muxer needs them in order. Pure bookkeeping
 * (no locking, no libav): the engine guards it with its own lock.
 */
#ifndef RD_REORDER_H
#define RD_REORDER_H

typedef struct RdReorder {
    void **slot;   ///< n entries; non-NULL = finished, not yet released
    int n;         ///< chunks in the run
    int next;      ///< first chunk not yet released
    int held;      ///< finished chunks waiting
    int max_held;  ///< most chunks ever waiting at once (a memory bound)
} RdReorder;

/** Returns 0 or AVERROR(ENOMEM). */
int rd_reorder_init(RdReorder *r, int n);

/** Store finished chunk `index`. Returns 0, or AVERROR(EINVAL) if out of range or already stored. */
int rd_reorder_push(RdReorder *r, int index, void *item);

/** The next chunk in order if it has finished (and release it), else NULL. */
void *rd_reorder_pop(RdReorder *r);

/** 1 when every chunk has been released. */
int rd_reorder_done(const RdReorder *r);

/** Free the slot array; items still held are the caller's (use pop first). */
void rd_reorder_free(RdReorder *r);

#endif
