/*
 * plan.h - chunk boundaries: a pure function of the frame list.
 *
 * Chunks are ranges of frames in presentation order. Chunk i owns frames
 * [first, last): its worker decodes from the keyframe at or before
 * `seek_from`, throws away frames before `preroll_from`, filters but drops
 * frames before `first` (pre-roll for filters that look back), encodes
 * [first, last), and filters but drops [last, postroll_to) (post-roll for
 * filters that look ahead). Equal time is not equal work, so boundaries split the
 * estimated cost (packet sizes stand in for it) evenly, snap to keyframes
 * where one is near, and the seek tax of a boundary away from a keyframe is
 * weighed before adding chunks.
 *
 * How many chunks: for several workers the planner tries counts that are
 * multiples of the workers (so the last round has work for every worker),
 * list-schedules each candidate as dynamic,1 would (chunks in order, each
 * to the first free worker; a chunk costs its frames, its seek tax and the
 * cost of opening it), adds the risk that the last chunks' estimates are
 * wrong (`tail_weight` x the largest of the last round's chunks), and keeps
 * the count that finishes first. Counts beyond one chunk per worker must
 * keep the seek tax, the chunks' start-ups (the encoder's, measured:
 * startup.h) and the bytes of the keyframes the joins add under stated
 * shares of the work. Where scene cuts are known (--split scenes),
 * boundaries move to a cut within half a chunk: the encoder starts a new
 * scene there anyway, so such a join costs no extra keyframe, unless its
 * keyframe was priced (cut_key: an encoder that keys only some cuts).
 *
 * A graph replayed before each chunk (replay_weight) makes every frame
 * before a chunk part of its cost: chunks beyond one per worker would
 * only replay more, so the plan is one per worker, all taken at once
 * (more rounds only where max_frames asks), their lengths chosen so that
 * they all cost the same.
 */
#ifndef RD_PLAN_H
#define RD_PLAN_H

#include <stdint.h>

typedef struct RdPlanInput {
    const uint8_t *key;    ///< key[i] != 0: decoding can start at frame i; n entries
    const int32_t *size;   ///< compressed size of frame i, bytes; NULL = all equal
    int64_t n;             ///< frames, >= 1
    int workers;           ///< threads that will run the chunks, >= 1
    int chunks;            ///< chunks asked for explicitly (> 0), or 0 = automatic
    int factor;            ///< automatic count: at most workers * factor (a multiple of workers); >= 1
    int64_t min_frames;    ///< automatic chunks are at least this long, frames (the engine: 8, where opening a chunk is a fifth of its work at the cheapest workload); >= 1
    int64_t max_frames;    ///< automatic chunks are at most about this long (bounds the memory a chunk's packets take); 0 = no limit
    int preroll;           ///< frames filtered and dropped before each chunk, >= 0
    const uint8_t *feed_ok; ///< n entries or NULL: a chunk's graph may be fed first only frame i with feed_ok[i] (a grid that starts at the first frame fed, framerate's): the pre-roll reaches further back to one; NULL = any frame
    int postroll;          ///< frames filtered and dropped after each chunk (look-ahead), >= 0; weighed as pre-roll
    double decode_weight;  ///< cost of decoding a frame that is thrown away, relative to a processed frame (0.15)
    double size_weight;    ///< the part of a frame's cost that follows its compressed size against the mean (0.4: hqdn3d + x264, whose encoder takes 82% of the work); the rest is the same for every frame
    double preroll_weight; ///< cost of a pre-roll frame (decoded and filtered, then dropped), relative to a processed frame (0.6: about what a light encode, x264 ultrafast + hqdn3d, spends on decoding and filtering)
    double max_waste;      ///< automatic plans add chunks beyond `workers` only while the seek tax (cost of the frames thrown away) stays under this fraction of the work (0.10)
    double open_cost;      ///< cost of one more chunk (opening demuxer, decoder, graph, encoder; the encoder's cold start), processed-frame units (2.0; the engine: 4), >= 0
    int64_t grid;          ///< > 1: chunks start only on multiples of this many frames (a fixed GOP's keyframes); 0 = anywhere
    const uint8_t *anchor; ///< n entries or NULL: chunks start only at frames i with anchor[i] (forced keyframes), each start moved to the nearest; NULL = anywhere
    double tail_weight;    ///< how wrong a chunk's estimate may be, as a share of it: weighs the last round's largest chunk (0.25), >= 0
    double max_start;      ///< automatic plans add chunks beyond `workers` only while their start-ups (open_cost each) stay under this fraction of the work (0.10; 0 = no limit)
    double key_bytes;      ///< bytes one more chunk start adds (its keyframe and the encoder's cold start), in steady-state frames of bytes (0 = not known: no bytes limit), >= 0
    double max_key_bytes;  ///< automatic plans add chunks beyond `workers` only while the joins off a scene cut add under this fraction of the output's bytes (0.05)
    const uint8_t *cut;    ///< cut[i] != 0: a scene cut at frame i (the encoder starts a new scene there anyway); NULL = none known. Boundaries move to a cut within half a chunk, and a join on one costs no extra keyframe
    double replay_weight;  ///< > 0: every chunk first replays the frames before its pre-roll, from frame 0 (contract.h replay), each at this cost against a processed frame: an automatic plan is one chunk per worker (a multiple of the workers where max_frames asks for more), each later chunk shorter by its replay, so that all cost the same (rd_plan_chunks); 0 = no replay
    const double *cut_key; ///< n entries or NULL: cut_key[i] > 0 is what a join on the cut at i adds in bytes (its keyframe, measured: cutprice.h), steady-state frames of bytes, for an encoder that does not start every cut with a keyframe itself; <= 0 or NULL: free
} RdPlanInput;

typedef struct RdChunkPlan {
    int64_t first, last;   ///< frames encoded: [first, last)
    int64_t preroll_from;  ///< first frame fed to the filter (<= first)
    int64_t seek_from;     ///< keyframe decoding starts at (<= preroll_from)
    int64_t postroll_to;   ///< frames [last, postroll_to) are filtered after the chunk and dropped (<= n)
    double cost;           ///< estimated cost, processed-frame units
} RdChunkPlan;

typedef struct RdPlan {
    int n;                 ///< chunks
    RdChunkPlan *c;        ///< n entries, in time order, covering [0, frames) exactly
    int64_t wasted;        ///< frames decoded and thrown away, all chunks
    double work;           ///< estimated cost of all frames, without seek tax (one chunk's cost)
    int cut_joins;         ///< joins (chunk starts after the first) on a scene cut (RdPlanInput.cut)
    double start_share;    ///< the chunks' start-ups over the work: n * open_cost / work
    double key_share;      ///< the bytes the joins add, over the output's: ((n - 1 - cut_joins) * key_bytes + the cut joins' cut_key) / (frames + key_bytes); 0 when neither is known
} RdPlan;

/** Default tuning (workers 1, factor 4, min_frames 1, weights as documented). */
void rd_plan_input_defaults(RdPlanInput *in);

/**
 * Plan chunks. Returns 0, AVERROR(EINVAL) for invalid input, or
 * AVERROR(ENOMEM). The plan is freed with rd_plan_free().
 */
int rd_plan_chunks(const RdPlanInput *in, RdPlan *out);

/**
 * Makespan of `p` when its chunks are handed in order to the first free of
 * `workers` workers (dynamic,1), a chunk costing
 * (last - first) + waste_weight * (first - seek_from) + open_cost, or, when
 * waste_weight < 0, its own estimate `cost` + open_cost (then p->work over
 * the result is the speedup the plan's estimates predict).
 * Pure; returns 0 for an empty plan or workers < 1.
 */
double rd_plan_makespan(const RdPlan *p, int workers, double waste_weight, double open_cost);

/** What the run knows of one chunk's progress, for rd_plan_recut(). */
typedef struct RdChunkPace {
    double began;          ///< wall seconds it was taken at; < 0: not taken yet
    double ended;          ///< wall seconds it finished at; < 0: not finished
    int64_t done;          ///< frames it has encoded so far
} RdChunkPace;

/**
 * The last round, re-cut when chunk `from` is taken (n - from chunks left,
 * at most `workers`, none of them taken before): the estimates the plan was
 * made with are wrong by the time the last chunks start (the clip's dear
 * part is dearer than its packet sizes say), and each of the last chunks is
 * what the other workers would wait for. The chunks' pace (`pace`, n
 * entries, at wall time `now`) gives the seconds a cost unit takes now, and
 * when each busy worker will be free; the boundaries after c[from].first
 * move where the last chunk then ends earliest (joins on a scene cut stay;
 * none moves onto a priced cut). Only a gain above 1% of what is left is
 * taken. Returns the joins moved (0: the plan stays), or AVERROR(ENOMEM).
 */
int rd_plan_recut(const RdPlanInput *in, RdPlan *p, int from, const RdChunkPace *pace,
                  double now);

void rd_plan_free(RdPlan *p);

#endif
