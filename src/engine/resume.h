/*
 * resume.h - --resume: which journal (journal.h) a run may use, and what
 * ties a journal to one output.
 *
 * The key is one "name=value" line per thing that changes the video
 * packets: the input's identity (device, inode, size, modification time,
 * and a SHA-256 of the probed index: every frame's time, keyframe flag and
 * size), the settings (graph, encoder, its options, pre-roll, time limit,
 * the container's header mode), the stream the encoder declares (codec,
 * size, pixel format, time base, a hash of its extradata) and the library
 * versions. Worker and chunk counts are not in it: the journal carries its
 * plan, and a resumed run cuts the video as the first run did.
 *
 * A journal whose key differs, or whose header is damaged, is named in one
 * line on stderr and replaced; a damaged record only costs its chunk,
 * encoded again. A file at the journal's name that is not a render journal
 * (or is a symlink, or has other links) is never touched: an error.
 */
#ifndef RD_RESUME_H
#define RD_RESUME_H

#include <libavcodec/avcodec.h>

#include "engine/engine.h"
#include "engine/journal.h"
#include "engine/plan.h"
#include "engine/probe.h"

#define RD_JOURNAL_SUFFIX ".journal"   ///< OUTPUT's journal: OUTPUT.journal

typedef struct RdResume RdResume;

/** OUTPUT's journal name. */
void rd_resume_path(char *buf, int len, const char *output);

/**
 * The key for this run (see above). `preroll` is the effective pre-roll,
 * `enc` the encoder configuration and `tmpl` the template encoder (opened
 * like every chunk's). *key is av_free'd by the caller. Returns 0 or
 * AVERROR(ENOMEM).
 */
int rd_resume_key(char **key, const RdSettings *s, const RdProbe *p, int preroll,
                  int global_header, int frame_ts, const AVCodecContext *tmpl);

/**
 * Compare two keys. Returns 0 when equal; else 1 for another input, 2 for
 * other settings, with the first difference ("input.size: 1000 then, 2000
 * now") in buf. Pure.
 */
int rd_resume_key_diff(const char *then, const char *now, char *buf, int len);

/**
 * Look at OUTPUT's journal (same-file checks first: it must not be the
 * input or a sidecar). A matching one is kept; another is named on stderr
 * (unless s->quiet) and will be replaced by rd_resume_start(). Returns 0
 * or a negative AVERROR with a reason in err (nothing touched).
 * rd_resume_close() in every case.
 */
int rd_resume_open(RdResume **pr, const RdSettings *s, const char *key, char *err, int errlen);

/**
 * The journal's plan when one matched and its plan fits the probe
 * (`nframes` frames, keyframes `key`): returns 1 and fills `plan`
 * (rd_plan_free). 0 when there is none to reuse; AVERROR(ENOMEM).
 */
int rd_resume_plan(RdResume *r, RdPlan *plan, int64_t nframes, const uint8_t *key);

/**
 * Before the chunks run: create (or replace) the journal for `plan` unless
 * a matching one is open. Returns 0 or a negative AVERROR (reason in err).
 */
int rd_resume_start(RdResume *r, const RdPlan *plan, char *err, int errlen);

/** 1 when chunk i comes from the journal in this run (decided by rd_resume_start). */
int rd_resume_done(const RdResume *r, int i);

/** Chunk i's journal entry (counters of the run that encoded it). */
const RdJournalEntry *rd_resume_entry(const RdResume *r, int i);

/** Journal a chunk this run encoded. Thread-safe. */
int rd_resume_add(RdResume *r, const RdChunkResult *res);

/** Chunk res->index's packets from the journal into `res` (empty). Thread-safe. */
int rd_resume_load(RdResume *r, RdChunkResult *res);

/**
 * Close. `complete`: OUTPUT is done, the journal is removed. Otherwise it
 * stays for the next --resume, unless this run created it and journaled
 * nothing. NULL-safe.
 */
void rd_resume_close(RdResume **pr, int complete);

#endif
