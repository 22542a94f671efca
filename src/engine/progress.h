/*
 * progress.h - live counters the engine updates and a dashboard reads.
 *
 * The engine writes with relaxed atomics from inside the parallel loop (no
 * lock on the frame path); any other thread may read at any time. Fields
 * that are not atomic are written once before `phase` moves past
 * RD_PHASE_PLAN (release) and are read-only afterwards.
 */
#ifndef RD_PROGRESS_H
#define RD_PROGRESS_H

#include <stdatomic.h>
#include <stdint.h>

typedef enum RdPhase {
    RD_PHASE_INIT = 0,
    RD_PHASE_PROBE,
    RD_PHASE_PLAN,
    RD_PHASE_RENDER,      ///< the parallel loop is running
    RD_PHASE_MERGE,       ///< loop done, writing the tail and the trailer
    RD_PHASE_DONE,
    RD_PHASE_FAILED,
} RdPhase;

typedef enum RdChunkState {
    RD_CHUNK_QUEUED = 0,
    RD_CHUNK_RUNNING,
    RD_CHUNK_DONE,        ///< encoded; may still wait in the reorder buffer
    RD_CHUNK_WRITTEN,     ///< muxed into the output
    RD_CHUNK_FAILED,
} RdChunkState;

typedef struct RdChunkProgress {
    _Atomic int state;            ///< RdChunkState
    _Atomic int worker;           ///< thread number that runs it, -1 before
    _Atomic int64_t frames_done;  ///< frames encoded so far
    _Atomic int64_t frames_total; ///< frames the plan gives it (the last round may be re-cut as it is taken)
} RdChunkProgress;

typedef struct RdWorkerProgress {
    _Atomic int chunk;            ///< chunk being processed, -1 when idle
    _Atomic int64_t frames_done;  ///< frames encoded by this worker, all chunks
} RdWorkerProgress;

/** One MPI rank of a render-mpi job (render leaves RdProgress.ranks NULL). */
typedef struct RdRankProgress {
    char host[64];                ///< where the rank runs
    int first, threads;           ///< its chunk threads are workers first..first+threads-1
    _Atomic int64_t cpu_ms;       ///< CPU time its process has used, ms; -1 = not heard yet
} RdRankProgress;

typedef struct RdProgress {
    _Atomic int phase;            ///< RdPhase
    /* Filled by the engine before phase reaches RD_PHASE_RENDER. */
    char input[256];              ///< input file name
    int width, height;            ///< input frame size, pixels
    double fps;                   ///< input average frame rate
    double duration_s;            ///< input duration, seconds
    char vf[256];                 ///< filter graph
    char vcodec[64];              ///< video encoder name
    char schedule[32];            ///< OpenMP schedule, e.g. "dynamic,1"
    int nworkers;                 ///< threads in the loop
    int nchunks;                  ///< chunks planned
    int64_t total_frames;         ///< frames to encode in all
    RdChunkProgress *chunks;      ///< nchunks entries
    RdWorkerProgress *workers;    ///< nworkers entries
    double t_start;               ///< omp_get_wtime() when the run began
    _Atomic int64_t output_bytes; ///< bytes muxed so far
    _Atomic int64_t wasted_frames;///< frames decoded (or filtered) and thrown away
    /* render-mpi only, set before the run starts; 0 / NULL otherwise. The
     * caller owns the array (rd_progress_free leaves it). */
    int nranks;                   ///< MPI ranks: the dashboard shows them instead of cores
    RdRankProgress *ranks;        ///< nranks entries
} RdProgress;

/**
 * Allocate the per-chunk and per-worker arrays. Called by the engine after
 * planning; frames_total of each chunk is set by the caller afterwards.
 * Returns 0 or AVERROR(ENOMEM). rd_progress_free() releases them.
 */
int rd_progress_setup(RdProgress *p, int nchunks, int nworkers);

/** Free the arrays (not `p` itself); safe on a zeroed or already freed struct. */
void rd_progress_free(RdProgress *p);

#endif
