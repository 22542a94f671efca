/*
 * passlog.h - the ffmpeg form's -pass 1 / -pass 2 log: what render's
 * first pass learnt, kept in ONE file (PREFIX-0.log, -passlogfile PREFIX)
 * so that a later `-pass 2` run skips the first pass.
 *
 * x264 writes one stats file per chunk, so the log is render's own: a
 * header line, the key (resume.h's key of the run, less what only the
 * container changes), the chunk plan (the second pass must cut the video
 * where the first did), and per chunk its pass-1 bytes and x264's stats
 * and macroblock-tree stats, then a SHA-256 of everything before it.
 *
 * The log is the user's: written under a temporary name and renamed over
 * the old one (as ffmpeg replaces it), never removed. A log that is
 * missing, damaged or written for another input or other settings is an
 * error naming it, never a silent first pass.
 */
#ifndef RD_PASSLOG_H
#define RD_PASSLOG_H

#include <stddef.h>
#include <stdint.h>

#include "engine/plan.h"
#include "engine/ratectl.h"

#define RD_PASSLOG_MAGIC "render-passlog 1\n"

typedef struct RdPassLogChunk {
    int64_t pass1_bytes;     ///< what the first pass made of the chunk
    uint8_t *stats;          ///< x264's stats file, stats_len bytes
    size_t stats_len;
    uint8_t *mbtree;         ///< x264's .mbtree file, mbtree_len bytes (0: none)
    size_t mbtree_len;
} RdPassLogChunk;

typedef struct RdPassLog {
    RdPlan plan;             ///< the first pass's chunks
    RdPassLogChunk *c;       ///< plan.n entries
} RdPassLog;

/**
 * The log's key from the run's resume key (rd_resume_key): the lines that
 * only the output container changes (its global header, the extradata)
 * are left out, since `-pass 1 -f null` and `-pass 2 out.mp4` are one job.
 * *key is av_free'd by the caller. Returns 0 or AVERROR(ENOMEM).
 */
int rd_passlog_key(char **key, const char *resume_key);

/**
 * Write the log at `path`: `key`, `plan`, and each chunk's pass-1 bytes
 * and stats files as `rc` holds them. Temporary name, then renamed over
 * `path`. Returns 0 or a negative AVERROR with a reason in err (no file
 * left but an older log, untouched).
 */
int rd_passlog_write(const char *path, const char *key, const RdPlan *plan, const RdRateCtl *rc,
                     char *err, int errlen);

/**
 * Read the log at `path` for a run whose key is `key` and whose probe has
 * `nframes` frames. Returns 0 and fills `log` (rd_passlog_free), or a
 * negative AVERROR with the reason in err (missing, not a log, damaged,
 * another input, other settings: the first difference named).
 */
int rd_passlog_read(RdPassLog *log, const char *path, const char *key, int64_t nframes,
                    char *err, int errlen);

void rd_passlog_free(RdPassLog *log);

#endif
