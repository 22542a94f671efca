/*
 * rdmpi.h - render-mpi's parts: one render as MPI ranks x OpenMP threads.
 *
 * Rank 0 probes, plans and owns the output (the engine's step API); every
 * rank, rank 0 included, runs chunks on its own threads. Only each rank's
 * main thread calls MPI (MPI_THREAD_FUNNELED): it is OpenMP thread 0 of
 * the team and does nothing but talk; threads 1..T run chunks and hand
 * finished ones back through a slot each (team.c).
 *
 * Messages (all on MPI_COMM_WORLD, fixed-size ones are raw bytes: the ranks
 * are assumed to share one architecture, as on any cluster partition):
 *   worker -> 0  REQ     int[1]  {slot}: that thread is free
 *   0 -> worker  ASSIGN  int[2]  {slot, chunk or -1 = no more work}
 *   worker -> 0  RESULT  RdWireHead, then the packed chunk in DATA pieces
 *   worker -> 0  ERROR   RdMpiError: a chunk failed; rank 0 cleans up, aborts
 *   worker -> 0  BYE     int[1]  {0}: every thread of the rank is done
 *   worker -> 0  PROGRESS int64[4 + 3 x threads]: what its threads are doing
 *                (watch.c), about 5 times a second while rank 0 shows progress
 */
#ifndef RD_MPI_H
#define RD_MPI_H

#include <mpi.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/chunk.h"
#include "io/errline.h"
#include "engine/engine.h"
#include "streams/meta.h"
#include "engine/encode.h"
#include "engine/progress.h"

#define RD_MPI_PROG "render-mpi"

enum {
    RD_TAG_REQ = 1,
    RD_TAG_ASSIGN,
    RD_TAG_RESULT,
    RD_TAG_DATA,
    RD_TAG_ERROR,
    RD_TAG_BYE,
    RD_TAG_PROGRESS,
};

/** Where this process sits in the job. */
typedef struct RdMpi {
    int rank, size;               ///< MPI_COMM_WORLD
    int threads;                  ///< chunk threads on this rank, >= 1
    int first;                    ///< global worker id of this rank's first thread
    int total;                    ///< chunk threads of all ranks
    char host[MPI_MAX_PROCESSOR_NAME];
} RdMpi;

/* --- team.c: the chunk threads of one rank ------------------------------ */

typedef enum RdSlotState {
    RD_SLOT_WANT = 0,   ///< the thread is free (set by the thread, or by main after taking a result)
    RD_SLOT_RUN,        ///< main assigned `chunk`
    RD_SLOT_DONE,       ///< the thread finished `chunk`: res (ret >= 0) or err (ret < 0)
    RD_SLOT_QUIT,       ///< no more work: the thread leaves
} RdSlotState;

/** One chunk thread's mailbox. Main writes chunk before RUN; the thread
 *  writes the outcome before DONE; `state` carries the hand-over. */
typedef struct RdSlot {
    _Atomic int state;            ///< RdSlotState
    int chunk;                    ///< chunk to run (valid in RUN and DONE)
    RdChunkResult *res;           ///< DONE, ret >= 0: av_malloc'd, the taker's
    int ret;                      ///< DONE: rd_chunk_run's return
    char err[RD_ERRLEN];              ///< DONE, ret < 0: detail, may be empty
    double t_start, t_end;        ///< omp_get_wtime() around the chunk
    int asked;                    ///< main only: a REQ for this slot is outstanding
    RdChunkProgress cp;           ///< the running chunk's frames (thread writes, main reads)
    RdWorkerProgress wp;          ///< frames of every chunk the thread ran
} RdSlot;

typedef struct RdTeam {
    RdSlot *slot;                 ///< nslots entries
    int nslots;                   ///< chunk threads asked for
    const RdChunkShared *sh;      ///< read-only during the run
    const RdChunkJob *jobs;       ///< all chunks, indexed by chunk number
    _Atomic int shutdown;         ///< main left its loop: threads leave too
    int quiet;                    ///< no warnings on stderr
    const char *input;            ///< for warnings
} RdTeam;

/** Allocate `n` slots, all WANT. Returns 0 or AVERROR(ENOMEM). */
int rd_team_init(RdTeam *t, int n, const RdChunkShared *sh, const RdChunkJob *jobs);

/** Free the slots and any result left in them. */
void rd_team_free(RdTeam *t);

/**
 * Run `talk(arg)` on the calling (MPI) thread while t->nslots OpenMP threads
 * run chunks; returns talk's return once every thread has left. Slots whose
 * thread OpenMP did not grant are QUIT before talk starts.
 */
int rd_team_run(RdTeam *t, int (*talk)(void *arg), void *arg);

/** Sleep a little: the waiting loops poll instead of blocking in MPI, so
 *  an oversubscribed core is not burnt by spinning. */
void rd_nap(void);

/* --- wire.c: a chunk's packets as bytes (pure, no MPI) ------------------- */

/** Sent before a packed chunk. Ages are seconds before the send, so rank 0
 *  can place the chunk on its own clock (node clocks are not comparable). */
typedef struct RdWireHead {
    int64_t size;                 ///< bytes of the packed chunk that follow
    int32_t worker;               ///< global worker id
    int32_t chunk;                ///< chunk number
    double age_start, age_end;    ///< seconds between chunk start/end and the send
} RdWireHead;

/**
 * Serialise `r` (counts, then every packet's pts, dts, duration, flags,
 * data and side data) into *buf (av_malloc'd, the caller's), *len bytes.
 * Returns 0 or AVERROR(ENOMEM)/AVERROR(ERANGE).
 */
int rd_wire_pack(const RdChunkResult *r, uint8_t **buf, size_t *len);

/**
 * Rebuild a chunk from rd_wire_pack's bytes: *pres is av_malloc'd with
 * packets from av_packet_alloc; the caller frees it with
 * rd_chunk_result_free() and av_free(). Returns 0, AVERROR_INVALIDDATA for
 * bytes that do not parse, or AVERROR(ENOMEM).
 */
int rd_wire_unpack(const uint8_t *buf, size_t len, RdChunkResult **pres);

/* --- msg.c: the messages above ------------------------------------------ */

/** An error report from a worker rank; `text` names rank, host and chunk. */
typedef struct RdMpiError {
    int32_t chunk;                ///< -1 when not about one chunk
    int32_t ret;                  ///< AVERROR
    char text[RD_ERRLEN];              ///< one line, NUL-terminated
} RdMpiError;

/** Pack and send a finished chunk to rank 0 (blocking). Returns 0 or a negative AVERROR. */
int rd_msg_send_result(const RdChunkResult *r, int worker, double t_start, double t_end);

/** Receive the chunk whose RESULT head was probed from `src`; returns 0 or a
 *  negative AVERROR; on success *pres and *head are filled. */
int rd_msg_recv_result(int src, RdWireHead *head, RdChunkResult **pres);

/** Describe a failure of `chunk` on this rank, for the one stderr line. */
void rd_msg_describe(const RdMpi *m, RdMpiError *e, int chunk, int ret, const char *detail);

/* --- share.c: what rank 0 tells the others about a render ----------------- */

/** One render as the other ranks see it. */
typedef struct RdShare {
    int status;                   ///< RD_SHARE_*
    int nchunks;
    int progress;                 ///< 1: rank 0 shows progress; send PROGRESS messages
    int ranks;                    ///< ranks that take part (0..ranks-1)
    int threads;                  ///< chunk threads per rank; 0 = each rank's own
    RdChunkJob *jobs;             ///< nchunks, av_malloc'd (workers)
    RdChunkShared sh;             ///< built from the broadcast and the settings
    RdEncodeConfig enc;
    AVCodecParameters *par;       ///< colour properties and field order for enc.in (workers)
    RdHdr10 hdr;                  ///< HDR10 metadata for enc (workers)
    _Atomic int stop;             ///< sh.stop on workers
} RdShare;

enum { RD_SHARE_RUN = 0, RD_SHARE_END, RD_SHARE_FAIL };

/**
 * Rank 0: broadcast the render `e` (or, when e is NULL, `status`) to every
 * rank, with `ranks` ranks taking part at `threads` threads each.
 */
int rd_share_send(RdEngine *e, int status, int ranks, int threads);

/**
 * Other ranks: receive what rd_share_send sent and build sh/enc from it and
 * the settings (same argv as rank 0). Returns 0 (look at sh->status) or a
 * negative AVERROR; rd_share_free() either way.
 */
int rd_share_recv(RdShare *sh, const RdSettings *s);

void rd_share_free(RdShare *sh);

/* --- master.c / worker.c: one render ------------------------------------ */

/**
 * Rank 0: run the render `e` (already shared) on `threads` local threads
 * (global worker ids 0..threads-1) plus the ranks 1..ranks-1. Returns 0, or a negative AVERROR after
 * recording the failure in the engine (rd_engine_close reports it); the
 * caller must then abort the other ranks.
 */
int rd_master_run(const RdMpi *m, RdEngine *e, int ranks, int threads);

/**
 * Other ranks: run chunks of the render described by `sh` on `threads`
 * threads, global worker ids first..first+threads-1, until rank 0 says
 * there is no more work. Returns 0, or a negative AVERROR after reporting
 * it to rank 0 (which will abort the job).
 */
int rd_worker_run(const RdMpi *m, RdShare *sh, int threads, int first, const RdSettings *s);

/* --- signals.c: rank 0's SIGINT and SIGTERM ------------------------------- */

/**
 * Rank 0: catch SIGINT, SIGTERM, SIGHUP, SIGQUIT and SIGPIPE. The handler
 * removes the files named by rd_signal_guard(), restores the terminal,
 * prints one line ("interrupted; WHAT not written") and exits 128 + the
 * signal at once: mpirun answers Ctrl-C with SIGTERM to the ranks and
 * SIGKILL a moment later, too soon for a chunk to notice a flag. `what`
 * (copied) names what is lost. Returns a flag the handler sets (for
 * RdSettings.cancel).
 */
_Atomic int *rd_signal_install(const char *what);

/**
 * Files the handler removes: `extra` (NULL: none), and every temporary
 * file this process created (the muxer's for `output` among them, through
 * the outfile registry, so never a file that was at its name first).
 * Replaces the previous ones. Only one thread may call it at a time.
 */
void rd_signal_guard(const char *output, const char *extra);

/** The work is written: a signal from now on says only "interrupted". */
void rd_signal_done(void);

/* --- watch.c: the progress rank 0 shows (dashboard, --progress) ---------- */

#define RD_WATCH_PERIOD 0.2  /* seconds between a worker rank's PROGRESS messages */

/**
 * Collective: each rank's host, chunk threads and first worker id. On rank
 * 0 *pranks gets m->size entries (av_free them); elsewhere NULL. Returns 0
 * or AVERROR(ENOMEM) (on rank 0; the collective still completes).
 */
int rd_watch_ranks(const RdMpi *m, RdRankProgress **pranks);

/**
 * 1 when the user's terminal is behind this rank's stderr: stderr itself
 * (srun --pty), or the stderr of the parent when that is mpirun on the
 * same node (OpenMPI hands its ranks a pipe and copies it to its own
 * stderr). *size_fd gets a descriptor on that terminal to read its size
 * from (the caller closes it), or -1.
 */
int rd_watch_tty(int *size_fd);

/** CPU time this process has used, in ms. */
int64_t rd_watch_cpu_ms(void);

/** Worker rank: send rank 0 a PROGRESS message about the team's slots
 *  (global worker ids first..). Returns 0 or AVERROR_EXTERNAL. */
int rd_watch_send(const RdTeam *t, int first);

/** Rank 0: receive the PROGRESS message probed from `src` into p (p may be
 *  NULL: the message is only taken off the queue). Returns 0 or a negative AVERROR. */
int rd_watch_recv(RdProgress *p, int src);

/** Rank 0: its own slots (worker ids first..) into p. */
void rd_watch_local(RdProgress *p, const RdTeam *t, int first);

/** Rank 0: chunk `c` has arrived with `frames` frames and `wasted` thrown away. */
void rd_watch_done(RdProgress *p, int c, int64_t frames, int64_t wasted);

/* --- job.c: a render as the whole job runs it ---------------------------- */

/**
 * Rank 0: render s->input to s->output with ranks 0..ranks-1 at `threads`
 * chunk threads each (0 = each rank's own m->threads; m->total in all).
 * Fills `rep` (rd_report_free). Returns 0 or a negative AVERROR with one
 * line in err. *shared is set to 1 once ranks 1.. were given work: after a
 * failure they are still running and the caller must abort them; with
 * *shared 0 they wait for the next broadcast and rd_job_end() frees them.
 */
int rd_job_render(const RdMpi *m, const RdSettings *s, int ranks, int threads,
                  RdReport *rep, int *shared, char *err, int errlen);

/** Rank 0: tell the other ranks there is nothing more (status RD_SHARE_END or RD_SHARE_FAIL). */
int rd_job_end(int status);

/**
 * Other ranks: take part in rank 0's renders until it says END (returns 0)
 * or FAIL (returns 1). Returns a negative AVERROR after a chunk failed
 * here and rank 0 was told; rank 0 then aborts the job.
 */
int rd_job_serve(const RdMpi *m, const RdSettings *s);

/* --- sweep.c: --sweep under MPI -------------------------------------------- */

struct RdCli;

/** Collective: the cores of the job's hosts, each host counted once (rank 0's answer). */
int rd_sweep_job_cpus(const RdMpi *m);

/**
 * Rank 0: the baseline (1 rank, 1 thread, 1 chunk), then every ranks x
 * threads point (ranks 1, 2, 4 ... m->size; threads from --sweep LIST, else
 * 1, 2, 4 ... m->threads), c->repeat times each; prints the tables and
 * writes --export (render-bench/1 with ranks and threads_per_rank per run)
 * and --dat-dir files. Returns 0 or a negative AVERROR with one line in
 * err; *shared as for rd_job_render. The caller still ends the job.
 */
int rd_sweep_mpi(const RdMpi *m, const struct RdCli *c, int cpus, int *shared,
                 char *err, int errlen);

#endif
