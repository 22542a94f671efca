/*
 * journal.h - --resume's record of finished chunks, a file beside OUTPUT.
 *
 * One file, append-only: a header (a key naming the input and every
 * setting that changes the output, and the chunk plan, so a resumed run
 * cuts the video exactly as the first did), then one record per finished
 * chunk holding its encoded packets. The header and every record carry a
 * CRC-32; a record whose own header is sound but whose packets are not is
 * skipped (that chunk is encoded again), and a torn tail (a run killed
 * while writing) is cut off. Records are flushed to disk (fdatasync) as they
 * are written, so a power cut loses at most the chunk being written.
 *
 * Size: the packets themselves plus a few bytes each (varints: about 8 and
 * the side data, for x264 20 in all), the same order as the container's own
 * index, so the journal is no larger than the video it ends up in.
 *
 * This file knows nothing of what the key means (resume.h decides what
 * matches); it only keeps the bytes honest. The file rules of outfile.h
 * hold: created under a temporary name O_EXCL|O_NOFOLLOW and renamed; an
 * existing journal is opened O_NOFOLLOW and must be a regular file with one
 * link.
 */
#ifndef RD_JOURNAL_H
#define RD_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#include "engine/chunk.h"
#include "engine/plan.h"

typedef struct RdJournal RdJournal;

/** What a record says about its chunk besides the packets (read once, when the journal is opened). */
typedef struct RdJournalEntry {
    int present;            ///< 1: a sound record of this chunk is in the file
    int64_t offset;         ///< payload offset in the file
    int64_t length;         ///< payload bytes
    int64_t decoded, frames, wasted, bytes, damaged;  ///< the RdChunkResult fields of that run
    int reorder_depth;
} RdJournalEntry;

/**
 * Serialize a chunk's packets (and its counters) into a new buffer
 * (*buf, av_free). Pure. Returns 0 or AVERROR(ENOMEM).
 */
int rd_journal_pack(const RdChunkResult *r, uint8_t **buf, size_t *len);

/**
 * The reverse: fill `r` (which must be empty; index is left alone) from
 * `len` bytes. Any inconsistency is AVERROR_INVALIDDATA (never a read past
 * `len`); on failure what was filled is freed. Pure.
 */
int rd_journal_unpack(const uint8_t *buf, size_t len, RdChunkResult *r);

/**
 * The counters only (decoded, frames, wasted, bytes, damaged,
 * reorder_depth) from the first `len` bytes of a payload. Pure. Returns 0
 * or AVERROR_INVALIDDATA when they do not fit in `len`.
 */
int rd_journal_peek(const uint8_t *buf, size_t len, RdChunkResult *r);

/**
 * Open the journal at PATH if there is one. Returns 0 with *pj NULL when
 * PATH does not exist; 1 with *pj open (rd_journal_key/plan/entry readable;
 * later records appended after the last sound one); 2 with *pj NULL and a
 * reason in err when PATH is a render journal whose header is damaged (the
 * caller may replace it); or a negative AVERROR with a reason in err when
 * PATH is not to be touched (not a regular file, a symlink, several links,
 * not a render journal, unreadable).
 */
int rd_journal_open(RdJournal **pj, const char *path, char *err, int errlen);

/**
 * Create a new journal at PATH holding `key` and `plan` (through PATH.tmp-PID,
 * exclusive, then renamed; over an existing PATH only when `replace`).
 * Returns 0 or a negative AVERROR with a reason in err.
 */
int rd_journal_create(RdJournal **pj, const char *path, const char *key, const RdPlan *plan,
                      int replace, char *err, int errlen);

/** The key the journal was written with (NUL-terminated, owned by the journal). */
const char *rd_journal_key(const RdJournal *j);

/** A copy of the journal's plan into `plan` (rd_plan_free). Returns 0 or AVERROR(ENOMEM). */
int rd_journal_plan(const RdJournal *j, RdPlan *plan);

/** Chunks in the plan. */
int rd_journal_nchunks(const RdJournal *j);

/** Chunk i's entry (present 0 when it has none). */
const RdJournalEntry *rd_journal_entry(const RdJournal *j, int i);

/** Records skipped as damaged when the journal was opened. */
int rd_journal_damaged(const RdJournal *j);

/** Device and inode of the open file (for same-file checks). */
void rd_journal_id(const RdJournal *j, uint64_t *dev, uint64_t *ino);

/**
 * Append chunk res->index's record and flush it to disk. Thread-safe.
 * Returns 0 or a negative AVERROR.
 */
int rd_journal_add(RdJournal *j, const RdChunkResult *res);

/**
 * Read chunk i's packets back into `res` (empty; counters are set too),
 * checking the CRC again. Thread-safe. Returns 0, AVERROR_INVALIDDATA when
 * the record changed since it was opened, or another negative AVERROR.
 */
int rd_journal_load(RdJournal *j, int i, RdChunkResult *res);

/** Records appended since it was opened or created. */
int rd_journal_added(const RdJournal *j);

/**
 * Close. With `remove`, PATH is unlinked too, provided it is still the
 * file this journal opened. NULL-safe.
 */
void rd_journal_close(RdJournal **pj, int remove);

#endif
