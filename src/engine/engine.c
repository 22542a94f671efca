#include "engine/engine.h"

#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <libavformat/avformat.h>

#include "engine/chunk.h"
#include "engine/chaprange.h"
#include "engine/cliseek.h"
#include "engine/chunksync.h"
#include "engine/contract.h"
#include "engine/cutprice.h"
#include "engine/filter.h"
#include "engine/forcekf.h"
#include "engine/framesync.h"
#include "engine/gop.h"
#include "engine/filterfx.h"
#include "io/errline.h"
#include "io/fileseq.h"
#include "io/input.h"
#include "io/memory.h"
#include "io/paths.h"
#include "io/signals.h"
#include "io/threads.h"
#include "engine/merge.h"
#include "streams/meta.h"
#include "engine/outseek.h"
#include "engine/plan.h"
#include "engine/probe.h"
#include "engine/passlog.h"
#include "engine/ratectl.h"
#include "engine/remux.h"
#include "engine/reorder.h"
#include "engine/resume.h"
#include "engine/syncplan.h"
#include "engine/scenes.h"
#include "engine/screen.h"
#include "engine/startup.h"

/* Automatic chunks are at least this many frames. Opening a chunk (demuxer,
 * seek, decoder, filter graph, x264) was measured at 8.5 ms at 854x480 and
 * 20 ms at 1280x720 (render -w 1 --chunks 60 against --chunks 1 on an
 * all-intra clip, --vf null --preset ultrafast), about two frames of that,
 * the cheapest workload. Eight frames keep the opening under a fifth of a
 * chunk there and under 4% with the default hqdn3d + x264 medium (33 ms a
 * frame at 480p); heavier work gains still more from short chunks. A second
 * of media was the old bound: far coarser than the work needs, it capped a
 * 20 s clip at 20 chunks whatever the cores. What a chunk costs the plan
 * (CHUNK_OPEN_FRAMES) is more than the opening: x264 starts every chunk
 * with an IDR frame and a cold lookahead. Eight chunks of the 20 s 480p
 * clip (hqdn3d, veryfast) took 0.71 s more CPU than one, 0.35 s of it the
 * seek tax: 0.05 s, four frames, a chunk. */
#define MIN_CHUNK_FRAMES 8
#define CHUNK_OPEN_FRAMES 4.0
/* A replayed frame against a processed one where the template could not
 * measure it (a clip of a few frames): minterpolate's motion search is
 * about a quarter of its work at 640x360; dearer is the safe side. */
#define REPLAY_WEIGHT 0.5
/* From this weight on a replay's second chunk would end barely before the
 * one chunk would (at 0.9, 5% earlier on two workers): one chunk. */
#define REPLAY_MAX_WEIGHT 0.9
/* What the packets of one round of replayed chunks may hold in memory. */
#define REPLAY_PACKET_BYTES (1024.0 * 1024 * 1024)
/* The start-up measure runs where it costs at most this share of the run. */
#define STARTUP_MAX_SHARE 0.10
/* ...and at most this long, so that the packets a finished chunk holds
 * until it is written stay bounded however long the input is. */
#define MAX_CHUNK_S 10.0
/* Frames a chunk that runs ffmpeg's frame sync itself (after a graph that
 * retimes frames) feeds before its own, so that its guessed sync state
 * has met the whole-stream one by its first own frame (checked at every
 * join; a retimed stream's sync settles into its pattern within a few). */
#define SYNC_PREROLL 8
/* Everything the parallel loop shares, set up before it and read-only in
 * it except through the locks and atomics named here. */
struct RdEngine {
    const RdSettings *s;
    RdReport *rep;
    RdProgress *prog;
    RdProbe probe;
    RdTsJumps *jumps;       ///< the input's timestamp jumps (tsjump.h), NULL = none to correct
    RdPlan plan;
    RdPlanInput pin;        ///< what the plan was made from: rd_plan_recut re-cuts its last round with it; n = 0 where no automatic plan was made
    int recut;              ///< the last round is re-cut at run time (recut_applies)
    int recut_joins;        ///< joins it moved
    RdChunkPace *pace;      ///< plan.n entries, under pace_lock: when each chunk was taken and finished
    RdChunkProgress *own_cp;///< frame counters for the pace where no progress was asked for
    int64_t paced_in, paced_out; ///< input frames of the finished chunks, and the frames they encoded (a graph that retimes or drops: their ratio)
    omp_lock_t pace_lock;
    RdChunkJob *jobs;
    RdChunkShared sh;
    RdEncodeConfig enc;
    RdHdr10 hdr;            ///< the video's HDR10 metadata, for the encoder and the output stream
    RdMerge *merge;
    RdReorder ro;
    omp_lock_t ro_lock;     ///< guards ro
    omp_lock_t write_lock;  ///< one writer at a time
    _Atomic int stop;
    int err;                ///< first error (under the critical section)
    int err_output;         ///< the first error is OUTPUT's (writing it), not the input's
    int workers_auto;       ///< the worker count was not given (-w): memory may lower it
    char errmsg[RD_ERRLEN];
    double t0;
    RdSettings eff;         ///< settings with defaults resolved
    double t_loop;          ///< when the parallel part began; 0 before
    _Atomic int64_t decoded;///< frames the chunks decoded, all chunks
    AVCodecContext *tmpl;   ///< the template encoder, between measure() and open_output()
    RdChunkCost cost;       ///< what the template measured
    RdContract contract;    ///< what the graph needs of each chunk (pre-roll, post-roll, one chunk)
    uint8_t *feed_ok;       ///< contract.grid: feed_ok[i], frame i starts a chunk's feed on the whole run's grid (plan.h); NULL = any
    int grid_back;          ///< contract.grid: frames fed before a chunk's own so that the grid filter's scene score has its last pair, or 0
    int64_t join_next;      ///< the last written chunk's join_next (chunk.h), under write_lock
    RdResume *resume;       ///< --resume: the journal, or NULL
    char *resume_key;       ///< what ties the journal to this output
    RdRateCtl rc;           ///< rate control across chunks (ratectl.h)
    RdRcModel rc_model;     ///< the template encoder's frame rate, B-frames, qcompress (ratectl_lavc.h)
    RdRateCtl tmpl_rc;      ///< -pass 1 OUTPUT: the template encoder's own first pass, until the output is open
    char *pass_key;         ///< -pass 1/2: what ties the log to this job (passlog.h)
    RdPassLog passlog;      ///< -pass 2: the log read
    int64_t written;        ///< frames written so far (the writer's)
    int off_grid;           ///< keyframes written off the fixed GOP's grid (the writer's)
    AVRational etb;         ///< the encoder's time base (the chunks' packets)
    int pinned;             ///< the input is pinned (io/input.h): unpin in release()
    RdFilterFx fx;          ///< files, sockets and plugins of the graph; sh.vf is fx.vf
    RdFilterFx afx;         ///< the same of the audio's graph (-af); its vf is the audio's
    char *outseek_vf;       ///< an output -ss through a graph that is not frame-local: fx.vf and ffmpeg's output trim (outseek.h); sh.vf is this; NULL = none
    int64_t out_origin;     ///< the input time where the output starts (the probe's start, plus an output -ss run as outseek_vf), AV_TIME_BASE units
    AVCodecParameters *colour_par; ///< the input's parameters with the graph's colours (colour_from_graph), or NULL
    RdSyncPlan sync;        ///< ffmpeg's frame sync for the output (syncplan.h)
    int sync_preroll;       ///< pre-roll the chunks' own sync needs, frames
    int enc_warm;           ///< frames encoded before each chunk and dropped, the encoder's warm-up (gop.h rd_gop_warmup); 0 = none
    AVRational tmpl_fps;    ///< the encoder's frame rate
    int64_t vframes_src;    ///< -frames:v with the sync's table: the input frame ffmpeg reads last (its pts), AV_NOPTS_VALUE = unknown
    int sync_one_chunk;     ///< 1: the sync needs the whole stream in one chunk (-frames:v or a fixed GOP after a retiming graph)
    uint8_t *gop_anchor;    ///< a fixed GOP through a sync that drops or repeats frames: where chunks may start (gop.h rd_gop_anchor), or NULL
    RdSyncState sync_prev;  ///< the whole-stream sync state after the last written chunk, under write_lock
    RdStartup startup;      ///< what one more chunk costs with this encoder (measured before planning)
    uint8_t *cut;           ///< cut[i]: a scene cut at frame i (scenes.h), or NULL
    uint8_t *start_ok;      ///< libaom: start_ok[i], a chunk may start at frame i (screen.h), or NULL
    int scene_starts;       ///< --split scenes with a cut for every worker: chunks start on cuts only
    double *cut_key;        ///< cut_key[i]: what a join on the cut at i adds, steady frames of bytes (cutprice.h; plan.h RdPlanInput.cut_key), or NULL: cuts are free
    uint8_t *cut_priced;    ///< cut_priced[i]: the cut at i was priced, with cut_key
    RdForceKfPlan fkf;      ///< -force_key_frames: the forced frames and where chunks may start (forcekf.h)
};
typedef struct RdEngine Run;

void rd_settings_defaults(RdSettings *s)
{
    memset(s, 0, sizeof(*s));
    s->input = RD_DEFAULT_INPUT;
    s->output = RD_DEFAULT_OUTPUT;
    s->chunk_factor = 4;
    s->vf = "hqdn3d";
    s->vcodec = "libx264";
    s->crf = -1;
    s->acodec = "copy";
    s->scodec = "copy";
    s->preroll = -1;
    s->gop = s->keyint_min = s->sc_threshold = -1;
}

static void set_phase(Run *r, RdPhase ph)
{
    if (r->prog)
        atomic_store_explicit(&r->prog->phase, ph, memory_order_release);
}

static int fail(char *err, int errlen, const char *path, const char *detail, int ret)
{
    snprintf(err, errlen, "%s: %s", path, detail && *detail ? detail : av_err2str(ret));
    return ret;
}

/* image2's options that write otherwise than render does: with a numbered
 * sequence each of them; with one image name (`one`) only -strftime
 * (-update is written as the CLI writes it, outfile.h; -atomic_writing
 * is what render does anyway). */
static int check_image2_opts(const RdSettings *s, int one, char *err, int errlen)
{
    static const struct { const char *opt, *why; int one; } refused[] = {
        { "update", "writes one file over and over", 0 },
        { "atomic_writing", "renames files itself (render writes each under a temporary name already)", 0 },
        { "strftime", "names files by the clock", 1 },
    };
    const AVDictionaryEntry *e;
    for (size_t i = 0; i < FF_ARRAY_ELEMS(refused); i++)
        if ((!one || refused[i].one) && (e = av_dict_get(s->mux_opts, refused[i].opt, NULL, 0)) &&
            strcmp(e->value, "0")) {
            snprintf(err, errlen, "%s: -%s: image2 %s; render does not write so", s->output,
                     refused[i].opt, refused[i].why);
            return AVERROR(EINVAL);
        }
    return 0;
}

/* A numbered sequence of files (image2, out_%04d.png): none that the run
 * would write exists without -y, none is the input; the muxer's options
 * that write otherwise than one new file per frame are refused. */
static int check_sequence(const RdSettings *s, char *err, int errlen)
{
    const AVDictionaryEntry *e;
    int64_t first = 1;
    int ret;
    if (s->resume) {
        snprintf(err, errlen, "%s: --resume journals one output file; a sequence of files is not "
                 "journaled yet (run without --resume)", s->output);
        return AVERROR_PATCHWELCOME;
    }
    if ((ret = check_image2_opts(s, 0, err, errlen)) < 0)
        return ret;
    if ((e = av_dict_get(s->mux_opts, "start_number", NULL, 0)))
        first = strtoll(e->value, NULL, 10);
    e = av_dict_get(s->mux_opts, "frame_pts", NULL, 0);
    return rd_fileseq_check(s->output, s->input, first, e && strcmp(e->value, "0"), s->overwrite,
                            err, errlen);
}

/* Local files only, none the same as another, none replaced without -y
 * (paths.h); then a format for OUTPUT's name. */
static int check_output(const RdSettings *s, char *err, int errlen)
{
    const AVOutputFormat *fmt;
    char detail[RD_ERRLEN];
    int ret;
    if ((ret = rd_paths_check(s->input, s->null_output ? NULL : s->output, s->sidecar, RD_SIDECARS,
                              s->overwrite, err, errlen)) < 0 || s->null_output)
        return ret; /* -f null: OUTPUT is only a name */
    fmt = av_guess_format(s->oformat, s->oformat ? NULL : s->output, NULL);
    if (fmt && rd_fileseq_wanted(fmt->name, s->output))
        return check_sequence(s, err, errlen);
    /* One image (no number in the name): image2 writes OUTPUT only, and a
     * second frame stops the run (rd_fileseq_one_image), as in the CLI;
     * with -update each picture replaces the last (outfile.h). */
    if (fmt && !strcmp(fmt->name, "image2") && !strchr(s->output, '%'))
        return check_image2_opts(s, 1, err, errlen);
    if (fmt && !strcmp(fmt->name, "image2")) {
        snprintf(detail, sizeof(detail), "image2 takes a name with one number (out_%%04d.png), or none "
                 "for one image");
        return fail(err, errlen, s->output, detail, AVERROR(EINVAL));
    }
    if (fmt && (fmt->flags & AVFMT_NOFILE)) {
        snprintf(detail, sizeof(detail), "the %s muxer writes files of its own; render writes one "
                 "file (name it .mp4, .mkv, .mov, .webm, .ts ...)", fmt->name);
        return fail(err, errlen, s->output, detail, AVERROR(EINVAL));
    }
    if ((ret = rd_merge_probe_format(s->oformat, s->output)) < 0)
        return fail(err, errlen, s->output,
                    "unknown output format (name it .mp4, .mkv, .mov, .webm, .ts ...)", ret);
    return 0;
}

/* Every worker thread can be made (io/threads.h), or render says so in its
 * own words before libgomp ends the program with its own; fewer workers,
 * in one line, when the count was not given. */
static int check_threads(Run *r, char *err, int errlen)
{
    size_t stack = rd_threads_stack();
    int e = 0, w = rd_threads_try(r->eff.workers, stack, &e);
    char detail[RD_ERRLEN];

    if (w >= r->eff.workers)
        return 0;
    snprintf(detail, sizeof(detail), "cannot start %d worker threads with %.0f MiB of stack each "
             "(%d could be: %s); give fewer workers (-w) or a smaller OMP_STACKSIZE",
             r->eff.workers, stack / 1048576.0, w, av_err2str(AVERROR(e)));
    if (!r->workers_auto || w < 2)
        return fail(err, errlen, r->s->output, detail, AVERROR(e));
    /* One thread fewer than could be made: the last one took the room the
     * work itself needs (decoders, frames, encoders; under ulimit -v the
     * input then failed to open now and then). */
    w--;
    if (!r->s->quiet)
        fprintf(stderr, "render: %s: %d workers: %s\n", r->s->output, w, detail);
    r->eff.workers = w;
    return 0;
}

/* Frames fed before each chunk: the graph's look-back, and --preroll;
 * before those, the encoder's warm-up (whose frames need their look-back). */
static int preroll_of(const Run *r)
{
    return FFMAX(FFMAX3(r->contract.preroll, r->s->preroll, r->sync_preroll), r->grid_back) + r->enc_warm;
}

/* What a frame of a replay (contract.h) costs against a processed one.
 * A replayed filter that retimes (minterpolate) makes almost no frame of
 * a replay: the template timed the graph on a replayed frame against a
 * processed one (g). One that keeps times (hqdn3d, lagfun under --exact)
 * makes each replayed frame as it makes any, through every filter after
 * it: g is 1 by construction, not by a timing that a loaded machine
 * moves. Where the start-up measure ran, a processed frame is the
 * decoder's, the graph's and the encoder's share, and a replayed one the
 * decoder's and g of the graph's. Without it the encoder's share is left
 * out, which can only make the replay look dearer (later chunks a little
 * short). 0: no replay. */
static double replay_weight(const Run *r)
{
    const RdStartup *st = &r->startup;
    double g = REPLAY_WEIGHT, w;
    if (!r->sh.replay)
        return 0;
    if (!r->sh.replay_measure)
        g = 1;
    else if (r->cost.replay_s > 0 && r->cost.graph_s > 0)
        g = FFMIN(1.0, r->cost.replay_s / r->cost.graph_s);
    w = st->measured ? st->dec_share + g * FFMAX(0, 1 - st->enc_share - st->dec_share) : g;
    return FFMAX(0.01, FFMIN(1.0, w));
}

/* A replay that costs nearly what the chunks after it save (hqdn3d, whose
 * replayed frame is all of its work, where nothing measured the encoder's
 * share) makes the graph one chunk, said once; returns 1 then. */
static int replay_or_one(Run *r, double w)
{
    char why[sizeof(r->contract.why)], line[320], filter[sizeof(r->contract.filter)];
    if (w < REPLAY_MAX_WEIGHT)
        return 0;
    snprintf(filter, sizeof(filter), "%s", r->contract.filter);
    snprintf(why, sizeof(why), "replayed before each chunk would cost about what the chunk does (a "
             "replayed frame %.2f of a processed one)", w);
    rd_contract_force_one(&r->contract, filter, why);
    r->sh.replay = r->sh.replay_measure = 0;
    rd_contract_warning(&r->contract, line, sizeof(line));
    if (!r->s->quiet)
        fprintf(stderr, "render: %s\n", line);
    r->rep->one_chunk = 1;
    snprintf(r->rep->contract_why, sizeof(r->rep->contract_why), "%s", r->contract.why);
    return 1;
}

static int plan_chunks(Run *r)
{
    const RdSettings *s = r->s;
    const RdProbe *p = &r->probe;
    RdPlanInput in;
    int preroll = preroll_of(r);

    rd_plan_input_defaults(&in);
    in.key = p->key;
    in.size = s->split_time ? NULL : p->size;
    in.n = p->nframes;
    in.workers = s->workers;
    double w = replay_weight(r);
    if (!s->chunks && replay_or_one(r, w))
        w = 0;
    in.chunks = p->timestamps_ok && !r->contract.one_chunk && !r->sync_one_chunk ? s->chunks : 1;
    in.factor = s->chunk_factor;
    in.min_frames = MIN_CHUNK_FRAMES;
    in.open_cost = CHUNK_OPEN_FRAMES;
    /* Those were measured on a light workload (x264 at 480p), where a
     * processed frame costs about a quarter of opening a chunk. A graph the
     * template measured slower on one frame than a whole opening (nlmeans,
     * not hqdn3d) makes every frame k times as heavy, and opening, seeking
     * and pre-roll lighter by as much: a 1 s clip under nlmeans then gets
     * chunks of a few frames. The encoder's share is not measured (its
     * lookahead holds the first frame): only a graph that at least
     * doubles a frame's cost counts. --chunks N cuts by the index alone,
     * so that the same line gives the same chunks (timings vary). */
    if (!s->chunks) {
        double unit = r->cost.open_s / CHUNK_OPEN_FRAMES;
        double k = unit > 0 && r->cost.filter_s > unit ? (r->cost.filter_s + unit) / unit : 1;
        in.open_cost /= k;
        in.min_frames = FFMAX(1, (int64_t)(MIN_CHUNK_FRAMES / k + 0.5));
        in.decode_weight /= k;
        in.size_weight /= k; /* the graph's share of a frame does not follow its size */
        in.preroll_weight = (in.preroll_weight + k - 1) / k;
    }
    in.max_frames = FFMAX(in.min_frames, (int64_t)(av_q2d(p->fps) * MAX_CHUNK_S + 0.5));
    /* The encoder's own start-up, measured (startup.h): never lighter than
     * the constant above, which also holds the seek a chunk starts with. */
    in.open_cost = FFMAX(in.open_cost, rd_startup_frames(&r->startup));
    /* A pre-roll frame costs what its decode and graph cost, measured on
     * two chunks where they ran (a graph that holds its first frame back,
     * minterpolate, looked free to the template). */
    if (rd_startup_preroll_weight(&r->startup) > 0) {
        in.preroll_weight = rd_startup_preroll_weight(&r->startup);
        /* The size part of a frame's cost is the encoder's: 0.4 where it
         * takes 82% of the work (plan.h), less behind a heavy graph. */
        in.size_weight = FFMIN(0.6, 0.4 * r->startup.enc_share / 0.82);
        in.decode_weight = rd_startup_decode_weight(&r->startup);
    }
    in.key_bytes = rd_startup_key_frames(&r->startup);
    in.replay_weight = w;
    /* A chunk's packets stay in memory until its turn to be written: the
     * 10 s bound keeps that small. Under a replay each more round of
     * chunks replays the stream again, so there the bound is the packets'
     * bytes, as the start-up measure found them: all chunks of a round
     * together within REPLAY_PACKET_BYTES. */
    if (in.replay_weight > 0 && r->startup.frame_bytes > 0)
        in.max_frames = FFMAX(in.max_frames, (int64_t)(REPLAY_PACKET_BYTES / s->workers /
                                                       r->startup.frame_bytes));
    in.cut = r->cut;
    in.cut_key = r->cut_key;
    r->rep->max_start = in.max_start;
    r->rep->max_key_bytes = in.max_key_bytes;
    r->rep->replay_weight = in.replay_weight;
    r->rep->replay_frame_s = r->cost.replay_s;
    r->rep->replay_graph_s = r->cost.graph_s;
    in.preroll = preroll;
    in.feed_ok = r->contract.one_chunk ? NULL : r->feed_ok;
    in.postroll = r->contract.postroll;
    in.grid = r->rep->gop_grid = rd_gop_fixed(s->vcodec, s->gop, s->keyint_min, s->sc_threshold, s->venc_opts);
    in.anchor = r->fkf.anchor ? r->fkf.anchor : r->scene_starts ? r->cut : r->start_ok;
    if (r->gop_anchor) { /* the grid counts output frames, not input frames (setup_gop) */
        in.grid = 0;
        in.anchor = r->gop_anchor;
    }
    r->pin = in; /* its arrays live as long as the run */
    return rd_plan_chunks(&in, &r->plan);
}

/* What the memory guard (io/memory.h) weighs: the input's frames, and the
 * encoder's (the template's; the input's before there is one). */
static RdMemoryInput memory_input(const Run *r, const RdSettings *s, const AVCodecContext *enc)
{
    RdMemoryInput mi = { r->probe.width, r->probe.height, r->probe.pix_fmt,
                         enc ? enc->width : r->probe.width, enc ? enc->height : r->probe.height,
                         enc ? enc->pix_fmt : r->probe.pix_fmt, s->vcodec, s->preset, s->venc_opts,
                         r->probe.max_width, r->probe.max_height };
    return mi;
}

/* The start-up measure runs two chunks at once before the plan, so before
 * the memory guard (check_memory): at most as many as fit now, and none
 * when not even one does (the guard then refuses the run, in one line). */
static int startup_workers(Run *r)
{
    RdMemoryInput mi = memory_input(r, r->s, r->tmpl);
    int want = FFMIN(r->s->workers, 2), w;
    if (want < 1)
        return 0;
    w = rd_memory_check(&mi, want, want, 1, 1, r->s->output, NULL, 0);
    return w < 0 ? 0 : w;
}

/* libaom's first-frame decision (screen.h): read on the frames the
 * encoder gets, through the graph where it is a chain of frame-local
 * filters, else on the decoded frames where they have the encoder's size.
 * Five frames a second are read; chunks start only where one reads as
 * the CLI's encoder decided there (on frame 0, or on the scene cut before,
 * where libaom starts a keyframe of its own), and on the cuts. Only where
 * chunks are planned freely. */
static int start_frames(Run *r, char *err, int errlen)
{
    const RdProbe *p = &r->probe;
    const RdContract *c = &r->contract;
    const char *vf = r->sh.vf && *r->sh.vf ? r->sh.vf : "null";
    int local = c->keeps_times && !c->preroll && !c->postroll && !strpbrk(vf, "[];");
    int step = FFMAX(1, (int)lrint(av_q2d(p->fps) / 5));
    int64_t set, nread = 0;

    if (!rd_screen_applies(r->s->vcodec, r->s->venc_opts) || r->s->chunks || r->s->workers < 2 ||
        r->fkf.anchor || r->scene_starts ||
        rd_gop_fixed(r->s->vcodec, r->s->gop, r->s->keyint_min, r->s->sc_threshold, r->s->venc_opts) > 1)
        return 0;
    if (!(r->start_ok = av_calloc(p->nframes, 1)))
        return AVERROR(ENOMEM);
    set = rd_screen_anchors(&r->sh, local ? vf : "null", p->pts, p->nframes, p->t_after, r->s->workers,
                            step, r->cut, r->start_ok, &nread, err, errlen);
    if (set < 0)
        return (int)set;
    r->rep->start_reads = nread;
    r->rep->start_anchors = set;
    if (!set)
        av_freep(&r->start_ok);
    return 0;
}

/* Scene cuts (scenes.h): from the index, and with --split scenes from the
 * pixel measure too. */
static int scene_cuts(Run *r, char *err, int errlen)
{
    const RdProbe *p = &r->probe;
    double *score = NULL;
    int64_t n = p->nframes, cuts = 0;
    int ret;

    if (r->s->split_time)
        return 0;
    if (!(r->cut = av_calloc(n, 1)))
        return AVERROR(ENOMEM);
    /* With the pixel measure, the index gives only the encoder's own
     * scenecut keyframes: a frame much larger than those before it may be
     * a scene that builds up (cellauto, a fade in), which the pixels tell. */
    r->rep->scene_cuts_index = rd_scenes_from_index(p->key, r->s->split_scenes ? NULL : p->size, n, r->cut);
    r->rep->scene_cuts = r->rep->scene_cuts_index;
    if (!r->s->split_scenes)
        return 0;
    if (!(score = av_malloc_array(n, sizeof(*score))))
        return AVERROR(ENOMEM);
    if ((ret = rd_scenes_measure(&r->sh, p->pts, n, p->t_after, r->s->workers, score, err, errlen)) >= 0)
        r->rep->scene_cuts += rd_scenes_from_scores(score, n, RD_SCENES_MIN_SCORE, r->cut);
    av_free(score);
    if (ret < 0)
        return ret;
    /* Enough scenes for every worker: chunks start on cuts only. A join
     * inside a scene costs a keyframe that can weigh a hundred of the
     * scene's frames (a still picture), which no estimate taken at the
     * input's start foresees. */
    for (int64_t i = 1; i < n; i++)
        cuts += r->cut[i] != 0;
    if (cuts >= r->s->workers) {
        r->cut[0] = 1;
        r->scene_starts = 1;
    }
    return 0;
}

/* Joins on cuts are priced (cutprice.h) where the encoder does not key
 * every cut itself, the plan is automatic, and a steady frame's bytes were
 * measured to price them against. */
static int cut_prices(Run *r)
{
    const RdSettings *s = r->s;
    int64_t n = r->probe.nframes, cuts = 0;

    for (int64_t i = 1; r->cut && i < n; i++)
        cuts += r->cut[i] != 0;
    if (!cuts || s->chunks || !r->startup.measured || !(r->startup.frame_bytes > 0) ||
        !rd_cutprice_applies(s->vcodec, s->sc_threshold, s->venc_opts))
        return 0;
    if (!(r->cut_key = av_calloc(n, sizeof(*r->cut_key))) || !(r->cut_priced = av_calloc(n, 1)))
        return AVERROR(ENOMEM);
    r->rep->cuts_priced = r->rep->cuts_dear = 0;
    return 0;
}

/* What the plan weighs beyond the graph: the encoder's start-up (two
 * short chunks, startup.h), the scene cuts (scenes.h) and libaom's
 * first-frame decision (screen.h). Only for plans of several chunks
 * chosen automatically. */
static int plan_inputs(Run *r, char *err, int errlen)
{
    const RdProbe *p = &r->probe;
    int64_t n = p->nframes;
    int ret;

    if (!p->timestamps_ok || r->contract.one_chunk || r->s->chunks == 1 || n < 2)
        return 0;
    /* The measure's longer chunk is RD_STARTUP_LONG frames of waiting
     * before any work, against n / workers of work each: on a short clip
     * it would cost more than it could save, and the plan keeps the
     * template's figures. */
    if (!r->s->chunks && RD_STARTUP_LONG * r->s->workers <= STARTUP_MAX_SHARE * n &&
        (ret = rd_startup_measure(&r->startup, &r->sh, p->pts, n, startup_workers(r), err, errlen)) < 0)
        return ret;
    if ((ret = scene_cuts(r, err, errlen)) < 0 || (ret = cut_prices(r)) < 0)
        return ret;
    return start_frames(r, err, errlen);
}

/* With priced cuts: plan, price the plan's joins on cuts not priced yet
 * (the workers at once), and plan again with the prices, until every cut
 * join of the plan is priced. Each round prices only the joins a plan
 * chose, so a film with a thousand cuts prices tens of them. */
#define CUTPRICE_ROUNDS 6

/* A cut whose keyframe alone passes the plan's share of the bytes is no
 * place to start a chunk, even where the workers leave no choice of how
 * many: it stops being a cut (and an anchor). Too few cuts left for the
 * workers, chunks start anywhere again (libaom: where its first-frame
 * reading allows, read now). */
static int drop_dear_cuts(Run *r, char *err, int errlen)
{
    const int64_t n = r->probe.nframes;
    int64_t cuts = 0;

    for (int64_t i = 1; i < n; i++) { /* the share plan.c weighs, of the limit the plan had */
        if (r->cut[i] && r->cut_priced[i] &&
            r->cut_key[i] / (n + rd_startup_key_frames(&r->startup)) > r->rep->max_key_bytes) {
            r->cut[i] = 0;
            r->rep->cuts_dear++;
        }
        cuts += r->cut[i] != 0;
    }
    if (!r->scene_starts || cuts >= r->s->workers)
        return 0;
    r->scene_starts = 0;
    return start_frames(r, err, errlen);
}

static int plan_priced(Run *r, char *err, int errlen)
{
    const RdProbe *p = &r->probe;
    int64_t *at = NULL;
    int ret;

    for (int round = 0; (ret = plan_chunks(r)) >= 0 && r->cut_key; round++) {
        int m = 0;
        if (!at && !(at = av_malloc_array(r->plan.n, sizeof(*at)))) {
            ret = AVERROR(ENOMEM);
            break;
        }
        for (int j = 1; j < r->plan.n; j++) {
            int64_t f = r->plan.c[j].first;
            if (r->cut[f] && !r->cut_priced[f])
                at[m++] = f;
        }
        if (!m || round == CUTPRICE_ROUNDS)
            break;
        ret = rd_cutprice_measure(&r->sh, p->pts, p->nframes, p->t_after, preroll_of(r), at, m,
                                  r->s->workers, r->cut_key, err, errlen);
        if (ret == AVERROR_EXIT || ret == AVERROR(ENOMEM))
            break;
        rd_plan_free(&r->plan);
        if (ret < 0) { /* a chunk there will say what is wrong; the plan goes on as before pricing */
            *err = '\0';
            av_freep(&r->cut_key);
            r->rep->cuts_priced = -1;
            continue;
        }
        for (int j = 0; j < m; j++) { /* bytes into steady frames of bytes */
            r->cut_key[at[j]] /= r->startup.frame_bytes;
            r->cut_priced[at[j]] = 1;
        }
        r->rep->cuts_priced += m;
        av_freep(&at);
        if ((ret = drop_dear_cuts(r, err, errlen)) < 0)
            break;
    }
    av_free(at);
    return ret;
}

/* The plan's figures in the report (a dry run's and a run's). */
static void plan_report(Run *r)
{
    RdReport *rep = r->rep;
    rep->startup_measured = r->startup.measured;
    rep->startup_s = r->startup.start_s;
    rep->startup_frame_s = r->startup.frame_s;
    rep->startup_bytes = r->startup.start_bytes;
    rep->startup_frame_bytes = r->startup.frame_bytes;
    rep->startup_enc_share = r->startup.enc_share;
    rep->start_share = r->plan.start_share;
    rep->key_share = r->plan.key_share;
    rep->cut_joins = r->plan.cut_joins;
}

static int64_t warm_from(const Run *r, int64_t first);

/* Chunk i's job, from its plan. */
static void make_job(Run *r, int i)
{
    const RdProbe *p = &r->probe;
    const RdChunkPlan *c = &r->plan.c[i];
    RdChunkJob *j = &r->jobs[i];
    memset(j, 0, sizeof(*j));
    j->index = i;
    j->t_seek = p->pts[c->seek_from];
    j->t_preroll = p->pts[c->preroll_from];
    j->first_index = r->sh.numbered || r->sh.prime || r->sh.replay ? c->preroll_from : 0;
    j->t_start = p->pts[c->first];
    j->t_end = c->last < p->nframes ? p->pts[c->last] : p->t_after;
    /* The input's range (the probe's frames) bounds the post-roll as
     * it bounds the pre-roll: the graph sees no frame outside it. */
    j->t_postroll = c->postroll_to < p->nframes ? p->pts[c->postroll_to] : p->t_after;
    if (c->last == p->nframes && p->ntrail > 0 && r->contract.postroll > 0)
        j->t_postroll = r->contract.postroll < p->ntrail ? p->pts[p->nframes + r->contract.postroll]
                                                         : p->t_trail_end;
    j->last_duration = p->last_duration;
    j->eof_duration = p->eof_duration;
    j->retimed = !r->contract.keeps_times;
    j->expect_frames = c->last - c->first;
    /* After -ss the first frame kept is no keyframe of the file: the
     * chunk seeks to it (the demuxer lands on the keyframe before). */
    j->from_start = c->seek_from == 0 && !p->head;
    /* An output -ss: a graph that looks back sees the frames before
     * it, as in ffmpeg's run (their output is not the chunk's). */
    if (c->first == 0 && p->nlead > 0 && preroll_of(r) > 0) {
        j->t_preroll = p->lead[p->nlead - FFMIN(p->nlead, preroll_of(r))];
        j->t_seek = FFMIN(j->t_seek, j->t_preroll);
    }
    /* A replay decodes from the whole run's first frame (contract.h). */
    if (r->sh.replay && c->preroll_from > 0) {
        j->t_seek = p->pts[0];
        j->from_start = 0;
    }
    if (r->enc_warm && c->first > 0) {
        j->warm = 1;
        j->t_warm = p->pts[warm_from(r, c->first)];
    }
    if (r->sync.table) {
        /* the warm-up's frames are encoded as the sync says too */
        int64_t from = j->warm ? warm_from(r, c->first) : c->first;
        j->sync = r->sync.table + from;
        j->sync_src = p->pts + from;
        j->nsync = c->last - from;
        j->sync_end = c->last < p->nframes ? r->sync.table[c->last].pts : INT64_MAX;
    }
    /* Times a decode from the start generates (tsfix.h) are what the
     * probe predicted only roughly: the one chunk takes them all. */
    if (!p->timestamps_ok && c->first == 0)
        j->t_seek = j->t_preroll = j->t_start = INT64_MIN;
    if (!p->timestamps_ok && j->t_end != INT64_MAX) {
        j->t_end = j->t_postroll = INT64_MAX; /* a limit (-t) is then a frame count */
        j->max_frames = j->expect_frames;
        /* ...and, where the times are the CLI's own corrected for a jump
         * (tsfix.h; made-up times are not), a time past the input's -t
         * ends it as ffmpeg's trim does. */
        j->t_limit = p->jumps ? p->t_limit : INT64_MAX;
        /* ...and so is the look-ahead's post-roll past an output -t. */
        if (c->last == p->nframes && p->ntrail > 0 && r->contract.postroll > 0 && c->first == 0 &&
            !p->nlead && !p->head) {
            j->max_frames += FFMIN(r->contract.postroll, p->ntrail);
            j->own_frames = j->expect_frames;
        }
    }
}

static int make_jobs(Run *r)
{
    if (!(r->jobs = av_calloc(r->plan.n, sizeof(*r->jobs))))
        return AVERROR(ENOMEM);
    for (int i = 0; i < r->plan.n; i++)
        make_job(r, i);
    return 0;
}

/* Invariant 5: what the workers' frames need fits in memory (memory.h). */
static int check_memory(Run *r, const AVCodecContext *enc, char *err, int errlen)
{
    RdSettings *s = &r->eff;
    RdMemoryInput mi = memory_input(r, s, enc);
    int w = rd_memory_check(&mi, s->workers, FFMIN(s->workers, r->plan.n), r->workers_auto,
                            s->quiet, s->output, err, errlen);
    if (w < 0)
        return w;
    s->workers = w;
    return 0;
}

/* Why a grid filter (contract.h `grid`: framerate) cannot be chunked on
 * this input, or NULL; else r->feed_ok marks the frames a chunk may be
 * first fed, and r->grid_back is one period of the pattern the input's
 * frames and the output grid make, plus the pair before: framerate scores
 * a pair for a scene change against the last pair it scored, so the pre-roll
 * holds that pair as the whole run has it. A constant frame rate makes the
 * pattern repeat; a varying one is not followed. */
#define GRID_MAX_GAP 64
static const char *grid_feed(Run *r)
{
    const RdProbe *p = &r->probe;
    int64_t n = p->nframes, last = 0, gap = 0;

    if (!p->timestamps_ok || p->nlead > 0 || n < 2)
        return "its grid starts where the input's timeline does not let chunks start";
    for (int64_t i = 2; i < n; i++)
        if (p->pts[i] - p->pts[i - 1] != p->pts[1] - p->pts[0])
            return "the input's frame rate varies, and chunks follow its grid only at a constant rate";
    if (!(r->feed_ok = av_calloc(n, 1)))
        return "out of memory";
    for (int64_t i = 0; i < n; i++)
        if (rd_contract_on_grid(&r->contract, p->pts[i], p->pts[0])) {
            r->feed_ok[i] = 1;
            gap = FFMAX(gap, i - last);
            last = i;
        }
    if (last == 0 || gap > GRID_MAX_GAP) {
        av_freep(&r->feed_ok);
        return "its output grid meets the input's frames too seldom for chunks to start on it";
    }
    r->grid_back = (int)gap + 1;
    return NULL;
}

/* The graph's chunk contract, on frames such as the file's first (one
 * warning line when it forces one chunk), and in the report. */
static int derive_contract(Run *r, char *err, int errlen)
{
    const RdProbe *p = &r->probe;
    RdContract *c = &r->contract;
    RdReport *rep = r->rep;
    RdVideoFormat in = { p->width, p->height, p->pix_fmt, p->par->sample_aspect_ratio,
                         p->tb, p->fps, NULL };
    char line[320];
    int ret = rd_contract_derive(r->sh.vf, &in, r->s->exact, r->s->preroll, c);

    if (ret < 0)
        return fail(err, errlen, r->s->input, "cannot read the filter graph's chunk contract", ret);
    av_freep(&r->feed_ok);
    r->grid_back = 0;
    if (c->grid && !c->one_chunk) {
        const char *why = grid_feed(r);
        if (why) {
            char line[sizeof(c->why)];
            snprintf(line, sizeof(line), "needs the time of the stream's first frame (%s)", why);
            rd_contract_force_one(c, "framerate", line);
        }
    }
    /* Frame numbers from an output -ss count frames the graph sees
     * before the output's start, which the probe left out. */
    r->sh.numbered = r->sh.prime = 0;
    if (c->prime && !c->one_chunk) {
        if (p->nlead > 0) {
            rd_contract_force_one(c, "setpts", "needs the time of the stream's first frame (before the output's -ss)");
        } else {
            r->sh.prime = 1;
            r->sh.prime_pts = p->pts[0];
        }
    }
    r->sh.replay = r->sh.replay_measure = 0;
    if (c->replay && !c->one_chunk) {
        if (p->nlead > 0) {
            rd_contract_force_one(c, c->filter, "is replayed from the stream's first frame, which the "
                                  "output's -ss leaves before the frames listed");
        } else {
            r->sh.replay = 1;
            r->sh.replay_measure = !c->keeps_times;
            r->sh.prime_pts = p->pts[0];
        }
    }
    if (c->numbered && !c->one_chunk) {
        if (p->nlead > 0) {
            rd_contract_force_one(c, NULL, "the graph numbers frames from before the output's -ss");
        } else
            r->sh.numbered = 1;
    }
    rd_contract_warning(c, line, sizeof(line));
    if (*line && !r->s->quiet)
        fprintf(stderr, "render: %s\n", line);
    /* The ffmpeg form promises the CLI's frames: an approximation is said. */
    if (!*line && !c->exact && r->s->approx_note && !r->s->quiet)
        fprintf(stderr, "render: note: filter '%s' %s, of %d frames: close to the CLI's frames, not "
                "equal; --exact gives them frame for frame (each chunk replays the frames before it)\n", c->filter, c->why, preroll_of(r));
    snprintf(rep->contract, sizeof(rep->contract), "%s", rd_contract_kind_name(c->kind));
    rep->preroll = preroll_of(r);
    rep->postroll = c->postroll;
    rep->one_chunk = c->one_chunk;
    rep->exact = c->exact;
    snprintf(rep->contract_filter, sizeof(rep->contract_filter), "%s", c->filter);
    snprintf(rep->contract_why, sizeof(rep->contract_why), "%s", c->why);
    if (!c->one_chunk && c->exact && !*c->why && (r->sh.numbered || r->feed_ok || r->sh.prime))
        snprintf(rep->contract_why, sizeof(rep->contract_why), "%s%s%s%s%s",
                 r->sh.numbered ? "each chunk's graph numbers its frames as the whole run does" : "",
                 r->sh.numbered && (r->feed_ok || r->sh.prime) ? "; " : "",
                 r->feed_ok ? "each chunk is first fed a frame on the whole run's framerate grid" : "",
                 r->feed_ok && r->sh.prime ? "; " : "",
                 r->sh.prime ? "setpts takes the whole run's first time in every chunk" : "");
    return 0;
}

/* The ffmpeg CLI opens its encoder with the colour properties of the first
 * frame out of the graph, not the input's: an RGB picture that the graph
 * turns into YUV is limited range, unspecified, where the PNG said full.
 * When the template's first filtered frame says otherwise than the input,
 * the encoders take the frame's. Returns 1 when they changed, 0 or a
 * negative AVERROR. */
static int colour_from_graph(Run *r)
{
    const RdChunkCost *k = &r->cost;
    const AVCodecParameters *in = r->enc.in;
    AVCodecParameters *p;
    int ret;
    if (!k->color_seen || !in ||
        (k->color_range == in->color_range && k->color_primaries == in->color_primaries &&
         k->color_trc == in->color_trc && k->colorspace == in->color_space &&
         k->chroma_location == in->chroma_location))
        return 0;
    if (!r->colour_par && !(r->colour_par = avcodec_parameters_alloc()))
        return AVERROR(ENOMEM);
    p = r->colour_par;
    if (p != in && (ret = avcodec_parameters_copy(p, in)) < 0)
        return ret;
    p->color_range = k->color_range;
    p->color_primaries = k->color_primaries;
    p->color_trc = k->color_trc;
    p->color_space = k->colorspace;
    p->chroma_location = k->chroma_location;
    r->enc.in = p;
    return 1;
}

/* The CLI tags the output's field order from each frame it encodes
 * (do_video_out): after a graph that sets the fields (yadif: progressive)
 * the first filtered frame's says it. 1 when the template must open again. */
static int fields_from_graph(Run *r)
{
    const RdChunkCost *k = &r->cost;
    enum AVFieldOrder fo = AV_FIELD_PROGRESSIVE;
    int interlaced = k->interlaced, tff = k->tff;
    if (r->tmpl->field_order != AV_FIELD_UNKNOWN)
        return 0;
    /* No frame out of the template's feed (select from 1 s on, reverse):
     * in the ffmpeg form a graph that keeps the fields gives a decoded
     * frame first, structured as the first one. */
    if (!k->color_seen) {
        if (!r->enc.fields_as_ffmpeg || k->sets_fields)
            return 0;
        interlaced = k->in_interlaced;
        tff = k->in_tff;
    }
    if (interlaced && r->enc.codec->id == AV_CODEC_ID_MJPEG)
        fo = tff ? AV_FIELD_TT : AV_FIELD_BB;
    else if (interlaced)
        fo = tff ? AV_FIELD_TB : AV_FIELD_BT;
    if (fo == r->enc.graph_fields)
        return 0;
    r->enc.graph_fields = fo;
    return 1;
}

/* Open graph and encoder on the first frame as a chunk would (the output
 * stream is declared from it) and time that, for the plan. */
static int measure(Run *r, char *err, int errlen)
{
    char detail[RD_ERRLEN] = "";
    int ret;
    if ((ret = rd_chunk_template(&r->sh, &r->tmpl, &r->cost, detail, sizeof(detail))) < 0)
        return fail(err, errlen, r->s->input, detail, ret);
    /* Both looked at: a graph that changes the colours (scale to another
     * matrix) still tells the field order. */
    int fields = fields_from_graph(r);
    if ((ret = colour_from_graph(r)) > 0 || fields) {
        /* Opened again with the graph's colours: the declared stream (and
         * x264's headers in it) must say what the chunks' encoders say. */
        rd_encode_close(&r->tmpl);
        ret = rd_chunk_template(&r->sh, &r->tmpl, &r->cost, detail, sizeof(detail));
    }
    if (ret < 0)
        return fail(err, errlen, r->s->input, detail, ret);
    r->rep->chunk_open_s = r->cost.open_s;
    r->rep->filter_frame_s = r->cost.filter_s;
    /* Every chunk gives the encoder what the file's first frame gave it. */
    r->sh.out_w = r->tmpl->width;
    r->sh.out_h = r->tmpl->height;
    r->sh.out_fmt = r->tmpl->pix_fmt;
    return 0;
}

/* Whether the graph moves, drops or adds frames: by its filters' rows, and
 * (belt and braces) by a sink rate that differs from the input's. */
static int graph_retimes(const Run *r)
{
    int same_rate = r->cost.sink_fps.num <= 0 || !av_cmp_q(r->cost.sink_fps, r->enc.fps);
    return !r->contract.keeps_times || !same_rate;
}

/* render's own form keeps each frame's own time (VFR kept) where the graph
 * keeps it, which is what the CLI writes then. A graph that retimes frames
 * gets the CLI's frame grid and sync, as the ffmpeg form does: the encoder
 * counts frames of the graph's rate, and two frames on one tick, or a gap,
 * come out as `ffmpeg -i IN -vf GRAPH OUT` writes them. */
static void use_frame_grid(Run *r)
{
    r->eff.frame_grid = 1;
    r->enc.frame_ts = 1;
    if (r->probe.guess_fps.num > 0 && r->probe.guess_fps.den > 0)
        r->enc.fps = r->probe.guess_fps;
}

/* The encoder, and its pixel format known once the template is measured,
 * may force one chunk too (rd_contract_encoder, rd_contract_out_format):
 * said as the graph's is. */
static void out_format_contract(Run *r)
{
    char line[320];
    int was = r->contract.one_chunk;
    rd_contract_encoder(&r->contract, r->s->vcodec);
    rd_contract_out_format(&r->contract, r->sh.out_fmt);
    if (was || !r->contract.one_chunk)
        return;
    rd_contract_warning(&r->contract, line, sizeof(line));
    if (!r->s->quiet)
        fprintf(stderr, "render: %s\n", line);
    r->rep->one_chunk = 1;
    r->rep->exact = 1;
    snprintf(r->rep->contract_filter, sizeof(r->rep->contract_filter), "%s", r->contract.filter);
    snprintf(r->rep->contract_why, sizeof(r->rep->contract_why), "%s", r->contract.why);
}

/* The template, and the contract it is run under. */
static int measure_graph(Run *r, char *err, int errlen)
{
    int ret;
    if ((ret = derive_contract(r, err, errlen)) < 0) {
        /* The template says why a graph cannot be built, in libavfilter's words. */
        int why = measure(r, err, errlen);
        return why < 0 ? why : ret;
    }
    if (!r->s->frame_grid && !r->contract.keeps_times)
        use_frame_grid(r);
    if ((ret = measure(r, err, errlen)) < 0 || r->s->frame_grid || !graph_retimes(r))
        return ret;
    /* A rate change no row announced: measured again on the grid. */
    rd_encode_close(&r->tmpl);
    use_frame_grid(r);
    return measure(r, err, errlen);
}

/* -pass 1 with an OUTPUT: the chunks run x264's fast first pass, whose
 * headers differ from a plain encoder's (one reference, no 8x8 transform:
 * x264_param_apply_fastfirstpass). The stream is declared from the
 * template's encoder, so that runs the first pass too, on stats files of
 * its own, removed once the output is open. */
static int tmpl_pass1_open(Run *r)
{
    int ret;
    if (r->s->pass != 1 || r->s->null_output)
        return 0;
    if ((ret = rd_ratectl_init_template(&r->tmpl_rc, r->s)) < 0)
        return ret;
    r->sh.rc = &r->tmpl_rc;
    r->sh.tmpl_pass1 = 1;
    return 0;
}

static void tmpl_pass1_done(Run *r)
{
    if (r->sh.tmpl_pass1) {
        r->sh.tmpl_pass1 = 0;
        r->sh.rc = NULL;
        rd_encode_close(&r->tmpl); /* x264 writes its stats on closing: before they go */
    }
    rd_ratectl_free(&r->tmpl_rc);
}

static int open_output(Run *r, char *err, int errlen)
{
    const RdSettings *s = r->s;
    AVCodecContext *tmpl = NULL;
    RdTracksConfig tc = { s->input, r->probe.vindex, s->vcodec, s->acodec, s->scodec,
                          s->no_audio, s->no_subs, s->no_data, s->maps, s->nmaps, s->metadata,
                          -r->out_origin,
                          s->limit_s > 0 ? r->out_origin + (int64_t)(s->limit_s * AV_TIME_BASE)
                                         : INT64_MAX, s->quiet, NULL, NULL, 0, 0, 0, 0, 0, NULL, 0, 0, 0, 0, 0, r->jumps, 0, 0, 0, 0, 0, 0, 0, NULL, 0, NULL, 0, NULL, s->output };
    RdMergeConfig mc = { s->output, NULL, r->probe.fps, -r->out_origin,
                         r->probe.has_matrix && !s->autorotate ? r->probe.matrix : NULL, &tc, s->overwrite,
                         s->oformat, s->mux_opts, s->max_vframes, r->probe.tb, r->vframes_src,
                         r->sh.sync != NULL, &s->bsf, &s->tags, s->seek_s - s->seek_out_s, s->dec_threads };
    RdAudioConfig ac = { r->afx.vf ? r->afx.vf : s->af, s->sample_rate, s->channels, s->aenc_opts, 0, 0,
                         s->sample_fmt, s->ch_layout, 0, 0, 0, 0, 0 };
    tc.hdr10 = &r->hdr;
    tc.audio = &ac;
    tc.ff_select = s->ff_select;
    tc.map_video = s->map_video;
    tc.no_global_meta = s->no_global_meta;
    tc.no_chapters = s->no_chapters;
    tc.video_from_graph = s->complex_graph;
    tc.audio_from_graph = s->audio_graph;
    tc.audio_at = s->audio_at;
    tc.naudio_at = s->naudio_at;
    tc.sub_at = s->sub_at;
    tc.nsub_at = s->nsub_at;
    tc.first_only = s->first_only;
    tc.copy_exact = s->copy_exact;
    tc.no_default_enc = s->no_default_enc;
    tc.sets = s->stream_sets;
    tc.nsets = s->nstream_sets;
    tc.rec_time = rd_rec_time(s);
    /* Input -ss: the other tracks start where the video's range does. */
    tc.has_start = ac.has_start = r->probe.head > 0 || s->seek_s > 0;
    tc.start = ac.start = r->out_origin;
    tc.start_exact = s->seek_out_s > 0;
    tc.cli_seek_s = s->seek_s - s->seek_out_s; /* the input -ss only: the CLI decodes an output -ss from there */
    /* Output -ss: ffmpeg trims the audio after -af and the conversion to
     * the encoder's format, not before: the graph sees every sample from
     * the input's own start (its -ss, if any), as a stateful one must. */
    if (s->seek_out_s > 0) {
        int64_t origin = r->out_origin - llrint(s->seek_s * AV_TIME_BASE);
        ac.has_start = s->seek_s > s->seek_out_s;
        ac.start = origin + llrint((s->seek_s - s->seek_out_s) * AV_TIME_BASE);
        ac.has_out_start = 1;
        ac.out_start = r->out_origin;
        ac.out_cut = llrint(s->seek_out_s * AV_TIME_BASE);
        ac.out_duration = s->out_limit_s > 0 ? llrint(s->out_limit_s * AV_TIME_BASE) : 0;
    } else if (s->out_limit_s > 0) {
        /* Output -t alone: ffmpeg's output trim has a duration only, from
         * the first sample; the last frame is cut to the sample. */
        ac.out_duration = llrint(s->out_limit_s * AV_TIME_BASE);
    }
    ac.in_duration = s->in_limit_s > 0 ? llrint(s->in_limit_s * AV_TIME_BASE) : 0;
    char detail[RD_ERRLEN] = "";
    int ret;

    FFSWAP(AVCodecContext *, tmpl, r->tmpl);
    if ((ret = check_memory(r, tmpl, err, errlen)) < 0) {
        rd_encode_close(&tmpl);
        return ret;
    }
    mc.venc = tmpl;
    r->etb = tmpl->time_base;
    rd_ratectl_lavc_model(&r->rc_model, tmpl);
    ret = rd_merge_open(&r->merge, &mc, detail, sizeof(detail));
    rd_encode_close(&tmpl);
    if (ret < 0)
        return fail(err, errlen, s->output, detail, ret);
    return 0;
}

static void record_error(Run *r, int ret, const char *detail)
{
    #pragma omp critical(rd_error)
    {
        if (!r->err) {
            r->err = ret;
            snprintf(r->errmsg, sizeof(r->errmsg), "%s", detail);
        }
    }
    atomic_store(&r->stop, 1);
}

/* The safety net under the filter table: the first frame a chunk made
 * from its post-roll must be the next chunk's first own frame. If not, a
 * filter needs more look-back or look-ahead than its row gives, and the
 * joined output would differ from the whole-stream run: an error, never a
 * silent difference. Called in order, under write_lock. */
static int check_join(Run *r, const RdChunkResult *res, char *detail, int len)
{
    int64_t want = r->join_next;
    char q[RD_ERR_QUOTE + 1];
    r->join_next = res->join_next;
    if (want == AV_NOPTS_VALUE || res->join_first == AV_NOPTS_VALUE || want == res->join_first)
        return 0;
    snprintf(detail, len, "filter graph '%s': chunks %d and %d do not agree at their join (a "
             "filter looks further back or ahead than render's filter table says); "
             "--chunks 1 renders it as one chunk", rd_errline_quote(r->s->vf, RD_ERR_QUOTE, q, sizeof(q)), res->index - 1, res->index);
    return AVERROR_BUG;
}
static int vbv_join(Run *r, RdChunkResult **pres, char *detail, int len);

/* A chunk that ran the frame sync itself guessed its state: it must be
 * the whole-stream state, else its frames are not the CLI's (an error,
 * never a silent difference). Called in order, under write_lock. */
static int check_sync(Run *r, const RdChunkResult *res, char *detail, int len)
{
    if (!r->sh.sync || r->sync.table || rd_chunksync_join(&r->sync_prev, r->sh.sync, res))
        return 0;
    snprintf(detail, len, "ffmpeg's frame sync of the filter graph's output (frames off the %.5g fps "
             "grid) does not split at chunk %d: --chunks 1 renders it as ffmpeg does",
             av_q2d(r->tmpl_fps), res->index);
    return AVERROR_PATCHWELCOME;
}

/* Write every chunk that is next in order. Whoever finishes a chunk tries
 * to become the writer, so merging overlaps the parallel work. */
static void drain(Run *r)
{
    for (;;) {
        int more;
        if (!omp_test_lock(&r->write_lock))
            return;
        for (;;) {
            RdChunkResult *res;
            char detail[RD_ERRLEN] = "";
            int ret = 0;
            omp_set_lock(&r->ro_lock);
            res = rd_reorder_pop(&r->ro);
            omp_unset_lock(&r->ro_lock);
            if (!res)
                break;
            if (!atomic_load(&r->stop) && rd_resume_done(r->resume, res->index) &&
                (ret = rd_resume_load(r->resume, res)) < 0)
                snprintf(detail, sizeof(detail), "journal: chunk %d: %s", res->index,
                         ret == AVERROR_INVALIDDATA ? "changed since it was read" : av_err2str(ret));
            if (!atomic_load(&r->stop) && ret >= 0 && r->rc.vbv)
                ret = vbv_join(r, &res, detail, sizeof(detail));
            if (!atomic_load(&r->stop) && ret >= 0)
                ret = check_join(r, res, detail, sizeof(detail));
            if (!atomic_load(&r->stop) && ret >= 0)
                ret = check_sync(r, res, detail, sizeof(detail));
            if (ret < 0)
                record_error(r, ret, detail);
            else if (r->rep->gop_grid) /* before the muxer: it takes the packets */
                r->off_grid += rd_gop_off_grid(res->pkts, res->n, r->written, r->rep->gop_grid);
            if (ret >= 0 && !atomic_load(&r->stop) &&
                (ret = rd_merge_write(r->merge, res, detail, sizeof(detail))) < 0) {
                record_error(r, ret, detail);
                #pragma omp critical(rd_error)
                r->err_output |= r->err == ret;
            }
            r->written += res->frames;
            if (r->prog && ret >= 0) {
                atomic_store(&r->prog->chunks[res->index].state, RD_CHUNK_WRITTEN);
                atomic_fetch_add(&r->prog->output_bytes, res->bytes);
            }
            rd_chunk_result_free(res);
            av_free(res);
        }
        omp_unset_lock(&r->write_lock);
        omp_set_lock(&r->ro_lock);
        more = r->ro.next < r->ro.n && r->ro.slot[r->ro.next];
        omp_unset_lock(&r->ro_lock);
        if (!more)
            return;
    }
}

/* Chunk i's media range, seconds from the first frame. */
static void media_range(const Run *r, int i, double *start, double *end)
{
    const RdProbe *p = &r->probe;
    double tb = av_q2d(p->tb);
    *start = (p->pts[r->plan.c[i].first] - p->pts[0]) * tb; /* the job's t_start may be INT64_MIN */
    *end = r->jobs[i].t_end == INT64_MAX ? (p->pts[p->nframes - 1] + p->last_duration - p->pts[0]) * tb
                                         : (r->jobs[i].t_end - p->pts[0]) * tb;
}

static void chunk_report(Run *r, int i, int tid, double t_start, const RdChunkResult *res)
{
    RdChunkReport *c = &r->rep->chunks[i];
    c->index = i;
    c->worker = tid;
    c->start_s = t_start - r->t0;
    c->end_s = omp_get_wtime() - r->t0;
    media_range(r, i, &c->media_start_s, &c->media_end_s);
    c->frames = res->frames;
    c->wasted_frames = res->wasted;
    c->bytes = res->bytes;
    c->cpu_s = res->cpu_s > 0 ? res->cpu_s : NAN;
}

/* A chunk that decoded fewer frames than the probe found after a seek is
 * run again from the start of the file: slow, but what a sequential decode
 * shows is then what the chunk shows. A shortfall that remains is the
 * file's own (damage), and is said. */
static int run_job(Run *r, const RdChunkJob *job, RdChunkResult *res, RdChunkProgress *cp,
                   RdWorkerProgress *wp, char *detail, int len)
{
    int ret = rd_chunk_run(&r->sh, job, res, cp, wp, detail, len);
    /* ...unless the chunk met damage: a decode from the start would meet it too. */
    if (ret >= 0 && res->decoded < job->expect_frames && !job->from_start && !res->damaged) {
        RdChunkJob again = *job;
        int64_t wasted = res->wasted + res->decoded;
        again.from_start = 1;
        rd_chunk_result_free(res);
        if (cp)
            atomic_store(&cp->frames_done, 0);
        ret = rd_chunk_run(&r->sh, &again, res, cp, wp, detail, len);
        res->wasted += wasted;
    }
    return ret; /* a shortfall that remains is counted for the file (damage_check) */
}

/* The joined stream's VBV (ratectl.h): a chunk that would run the buffer
 * dry where it joins is encoded again, here in the writer (the chunks
 * after it wait for it anyway), from the fill the previous chunk left. */
static int vbv_join(Run *r, RdChunkResult **pres, char *detail, int len)
{
    RdChunkResult *res = *pres, *again;
    RdChunkJob job;
    double init;
    int ret;

    if (rd_ratectl_vbv_fits(&r->rc, res, r->etb, 0, &init)) {
        rd_ratectl_vbv_advance(&r->rc, res, r->etb);
        return 0;
    }
    if (!(again = av_mallocz(sizeof(*again))))
        return AVERROR(ENOMEM);
    job = r->jobs[res->index];
    job.rc_vbv_init = init > 0 ? init : 1e-9;
    if ((ret = run_job(r, &job, again, NULL, NULL, detail, len)) < 0) {
        rd_chunk_result_free(again);
        av_free(again);
        return ret;
    }
    again->cpu_s = res->cpu_s;
    r->rc.joins_redone++;
    rd_chunk_result_free(res);
    av_free(res);
    *pres = again;
    rd_ratectl_vbv_advance(&r->rc, again, r->etb);
    return 0;
}

/* Rate control's analysis pass (ratectl.h): every chunk through x264's
 * first pass, in parallel; then each chunk gets its share of the bits and
 * is encoded from its own stats. */
static int share_bits(Run *r, double t, char *err, int errlen);

static int first_pass(Run *r, char *err, int errlen)
{
    const RdSettings *s = r->s;
    double t = omp_get_wtime();
    int n = r->plan.n;

    for (int i = 0; i < n; i++)
        r->jobs[i].rc_pass = 1;
    #pragma omp parallel for schedule(runtime) num_threads(s->workers)
    for (int i = 0; i < n; i++) {
        RdChunkResult res = { 0 };
        char detail[RD_ERRLEN] = "";
        int rt;
        if (atomic_load(&r->stop))
            continue;
        rt = run_job(r, &r->jobs[i], &res, NULL, NULL, detail, sizeof(detail));
        r->rc.c[i].pass1_bytes = res.bytes;
        if (r->rc.lavc)
            rd_ratectl_stats_take(&r->rc, i, &res.rc_stats, &res.rc_stats_len);
        rd_chunk_result_free(&res);
        if (rt < 0)
            record_error(r, rt, detail);
    }
    if (r->err)
        return fail(err, errlen, r->err == AVERROR_EXIT ? s->output : s->input, r->errmsg, r->err);
    return share_bits(r, t, err, errlen);
}

/* Each chunk's share of the bits, from the first pass's bytes; the
 * chunks then run x264's second pass. */
static int share_bits(Run *r, double t, char *err, int errlen)
{
    const RdSettings *s = r->s;
    double bits = 0, dur = 0;
    int n = r->plan.n, ret;

    for (int i = 0; i < n; i++)
        dur += r->rc.c[i].duration_s;
    if (r->rc.target_size > 0) {
        char detail[RD_ERRLEN] = "";
        int64_t limit = s->limit_s > 0 ? r->out_origin + (int64_t)(s->limit_s * AV_TIME_BASE) : INT64_MAX;
        if ((ret = rd_ratectl_target_bits(s, r->probe.vindex, r->probe.nframes, limit, &bits,
                                          detail, sizeof(detail))) < 0)
            return fail(err, errlen, s->output, detail, ret);
    } else
        bits = (double)r->rc.bitrate * dur;
    if ((ret = rd_ratectl_share(&r->rc, bits)) < 0)
        return fail(err, errlen, s->input, "cannot share the bits among the chunks", ret);
    r->rep->rc_bitrate = dur > 0 ? (int64_t)(bits / dur + 0.5) : 0;
    r->rep->rc_pass1_s = omp_get_wtime() - t;
    for (int i = 0; i < n; i++) {
        r->jobs[i].rc_pass = 2;
    }
    return 0;
}

/* Rate control across the chunks, once they are planned. */
static int setup_ratectl(Run *r, char *err, int errlen)
{
    char why[RD_ERRLEN];
    int ret;
    if ((ret = rd_ratectl_check(r->s, why, sizeof(why))) < 0)
        return fail(err, errlen, r->s->output, why, ret);
    if ((ret = rd_ratectl_init(&r->rc, r->s, r->plan.n)) < 0)
        return ret;
    r->rc.model = r->rc_model;
    for (int i = 0; i < r->plan.n; i++) {
        double a, b;
        media_range(r, i, &a, &b);
        r->rc.c[i].duration_s = b - a;
    }
    if (r->rc.mode == RD_RC_TWOPASS || r->rc.vbv)
        r->sh.rc = &r->rc;
    return 0;
}

/* -pass: the log's key; with -pass 2 the log itself, whose plan the
 * run takes (the second pass cuts the video where the first did). */
static int pass_open(Run *r, char *err, int errlen)
{
    const RdSettings *s = r->s;
    const char *other[1] = { s->null_output ? NULL : s->output };
    char *rk = NULL, detail[RD_ERRLEN] = "";
    int ret;
    if (!s->pass)
        return 0;
    if ((ret = rd_paths_check(s->input, s->passlog, other, 1, 1, err, errlen)) < 0)
        return ret;
    if ((ret = rd_resume_key(&rk, s, &r->probe, preroll_of(r), r->enc.global_header,
                             r->enc.frame_ts, r->tmpl)) < 0 ||
        (ret = rd_passlog_key(&r->pass_key, rk)) < 0) {
        av_free(rk);
        return fail(err, errlen, s->passlog, NULL, ret);
    }
    av_free(rk);
    if (s->pass != 2)
        return 0;
    if ((ret = rd_passlog_read(&r->passlog, s->passlog, r->pass_key, r->probe.nframes,
                               detail, sizeof(detail))) < 0)
        return fail(err, errlen, s->passlog, detail, ret);
    r->plan = r->passlog.plan;
    if (!(r->plan.c = malloc(r->plan.n * sizeof(*r->plan.c))))
        return AVERROR(ENOMEM);
    memcpy(r->plan.c, r->passlog.plan.c, r->plan.n * sizeof(*r->plan.c));
    return 1;
}

/* -pass 2: x264's stats of every chunk from the log, then the shares. */
static int pass2_stats(Run *r, char *err, int errlen)
{
    char detail[RD_ERRLEN] = "";
    int ret;
    for (int i = 0; i < r->plan.n; i++) {
        const RdPassLogChunk *c = &r->passlog.c[i];
        r->rc.c[i].pass1_bytes = c->pass1_bytes;
        if ((ret = rd_ratectl_stats_load(&r->rc, i, c->stats, c->stats_len, c->mbtree,
                                         c->mbtree_len, detail, sizeof(detail))) < 0)
            return fail(err, errlen, r->s->passlog, detail, ret);
    }
    return share_bits(r, omp_get_wtime(), err, errlen);
}

/* -pass 1: what the chunks' first passes learnt, into the log. */
static int pass1_log(Run *r, char *err, int errlen)
{
    char detail[RD_ERRLEN] = "";
    int ret = rd_passlog_write(r->s->passlog, r->pass_key, &r->plan, &r->rc, detail, sizeof(detail));
    return ret < 0 ? fail(err, errlen, r->s->passlog, detail, ret) : 0;
}

/* -pass 1 with an OUTPUT: the analysis and its log as with -f null (the
 * same log); then OUTPUT is x264's first pass of every chunk at its share
 * of the bits, as ffmpeg's pass-1 file is x264's first pass at -b:v (the
 * analysis runs at constant quality: its bytes are not the rate asked). */
static int pass1_output(Run *r, char *err, int errlen)
{
    int ret;
    if ((ret = first_pass(r, err, errlen)) < 0 || (ret = pass1_log(r, err, errlen)) < 0)
        return ret;
    for (int i = 0; i < r->plan.n; i++)
        r->jobs[i].rc_pass = 3;
    return 0;
}

/* The input frames chunk j has got through: the frames it encoded, in
 * input frames as the finished chunks turned one into the other (a graph
 * that retimes or drops frames); none before one finished, unless every
 * frame comes out once. */
static int64_t input_done(const Run *r, int j)
{
    int64_t out = atomic_load_explicit(r->prog ? &r->prog->chunks[j].frames_done : &r->own_cp[j].frames_done,
                                       memory_order_relaxed);
    if (r->paced_out > 0)
        return (int64_t)((double)out * r->paced_in / r->paced_out);
    return r->contract.keeps_times ? out : 0;
}

/* The last round's chunks, re-cut as chunk i is taken (plan.h
 * rd_plan_recut): their jobs follow the new plan. */
static void take_chunk(Run *r, int i)
{
    int moved;
    if (!r->recut)
        return;
    omp_set_lock(&r->pace_lock);
    for (int j = 0; j < r->plan.n; j++)
        r->pace[j].done = input_done(r, j);
    moved = rd_plan_recut(&r->pin, &r->plan, i, r->pace, omp_get_wtime());
    for (int j = i; moved > 0 && j < r->plan.n; j++) {
        make_job(r, j);
        if (r->prog)
            r->prog->chunks[j].frames_total = r->jobs[j].expect_frames;
    }
    r->recut_joins += moved > 0 ? moved : 0;
    r->pace[i].began = omp_get_wtime();
    omp_unset_lock(&r->pace_lock);
}

static void chunk_ended(Run *r, int i, const RdChunkResult *res)
{
    if (!r->recut)
        return;
    omp_set_lock(&r->pace_lock);
    r->pace[i].ended = omp_get_wtime();
    if (res && res->frames > 0) {
        r->paced_in += r->plan.c[i].last - r->plan.c[i].first;
        r->paced_out += res->frames;
    }
    omp_unset_lock(&r->pace_lock);
}

static void run_chunk(Run *r, int i)
{
    int tid = omp_get_thread_num();
    RdChunkProgress *cp = r->prog ? &r->prog->chunks[i] : r->own_cp ? &r->own_cp[i] : NULL;
    RdWorkerProgress *wp = r->prog && tid < r->prog->nworkers ? &r->prog->workers[tid] : NULL;
    RdChunkResult *res;
    char detail[RD_ERRLEN] = "";
    double t, cpu;
    int ret;

    take_chunk(r, i);
    res = av_mallocz(sizeof(*res));
    t = omp_get_wtime();
    cpu = rd_chunk_thread_cpu_s();
    if (cp) {
        atomic_store(&cp->worker, tid);
        atomic_store(&cp->state, RD_CHUNK_RUNNING);
    }
    if (wp)
        atomic_store(&wp->chunk, i);
    ret = res ? run_job(r, &r->jobs[i], res, cp, wp, detail, sizeof(detail)) : AVERROR(ENOMEM);
    chunk_ended(r, i, ret >= 0 ? res : NULL);
    if (res) /* the thread ran only this chunk meanwhile: its CPU time is the chunk's */
        res->cpu_s = rd_chunk_thread_cpu_s() - cpu;
    if (wp)
        atomic_store(&wp->chunk, -1);
    if (r->prog && res)
        atomic_fetch_add(&r->prog->wasted_frames, res->wasted);
    if (ret >= 0 && *detail && !r->s->quiet)
        fprintf(stderr, "render: %s: warning: %s\n", r->s->input, detail);
    if (ret < 0) {
        if (cp)
            atomic_store(&cp->state, RD_CHUNK_FAILED);
        record_error(r, ret, detail);
        if (res)
            rd_chunk_result_free(res);
        av_free(res);
        return;
    }
    rd_engine_submit(r, res, tid, t, omp_get_wtime());
}

static void describe_schedule(char *buf, int len)
{
    omp_sched_t kind;
    int chunk;
    const char *name;
    omp_get_schedule(&kind, &chunk);
    switch ((int)kind & ~(int)omp_sched_monotonic) {
    case omp_sched_static:  name = "static";  break;
    case omp_sched_dynamic: name = "dynamic"; break;
    case omp_sched_guided:  name = "guided";  break;
    default:                name = "auto";    break;
    }
    if (chunk > 0)
        snprintf(buf, len, "%s,%d", name, chunk);
    else
        snprintf(buf, len, "%s", name);
}

/* The last round is re-cut only where chunks go in order to whoever is
 * free (dynamic,1), the plan was the automatic one, and nothing was tied
 * to its chunks before the loop: a journal to resume from, a pass log,
 * bits shared per chunk. --chunks N keeps its cut (the same line, the
 * same chunks). */
static int recut_applies(const Run *r)
{
    omp_sched_t kind;
    int chunk;
    omp_get_schedule(&kind, &chunk);
    return r->pin.n > 0 && !r->s->chunks && r->s->workers >= 2 && r->plan.n > 2 && !r->resume && !r->sh.replay &&
           !r->s->pass && r->rc.mode == RD_RC_NONE && !r->rc.vbv &&
           ((int)kind & ~(int)omp_sched_monotonic) == omp_sched_dynamic && chunk <= 1;
}

static int recut_setup(Run *r)
{
    if (!recut_applies(r))
        return 0;
    if (!(r->pace = av_malloc_array(r->plan.n, sizeof(*r->pace))) ||
        (!r->prog && !(r->own_cp = av_calloc(r->plan.n, sizeof(*r->own_cp)))))
        return AVERROR(ENOMEM);
    for (int i = 0; i < r->plan.n; i++)
        r->pace[i] = (RdChunkPace){ -1, -1, 0 };
    r->recut = 1;
    return 0;
}

static void parallel_loop(Run *r)
{
    int n = r->plan.n, threads = 0;

    if (recut_setup(r) < 0) /* no memory for the pace: the plan as it is */
        r->recut = 0;

    /* A thread without a chunk only costs a stack. */
    #pragma omp parallel num_threads(FFMAX(1, FFMIN(r->s->workers, n)))
    {
        /* A stack overflow in a worker still cleans up (io/signals.h). */
        rd_signals_thread_stack();
        #pragma omp single
        threads = omp_get_num_threads();
        #pragma omp for schedule(runtime)
        for (int i = 0; i < n; i++)
            if (!atomic_load(&r->stop) && !rd_resume_done(r->resume, i))
                run_chunk(r, i);
    }
    r->rep->threads = threads;
    r->rep->recut_joins = r->recut_joins;
    if (r->recut_joins) { /* the joins the report states are the ones made */
        r->rep->cut_joins = r->plan.cut_joins;
        r->rep->key_share = r->plan.key_share;
    }
}

static void options_string(const RdSettings *s, char *buf, int len)
{
    const AVDictionaryEntry *e = NULL;
    int o = 0;
    buf[0] = 0;
    if (s->crf >= 0)
        o += snprintf(buf + o, len - o, "crf=%d:", s->crf);
    if (s->preset && o < len)
        o += snprintf(buf + o, len - o, "preset=%s:", s->preset);
    while (o < len && (e = av_dict_get(s->venc_opts, "", e, AV_DICT_IGNORE_SUFFIX)))
        o += snprintf(buf + o, len - o, "%s=%s:", e->key, e->value);
    if (o > 0 && o < len)
        buf[o - 1] = 0;
}

static void fill_report_input(Run *r)
{
    RdReport *rep = r->rep;
    const RdSettings *s = r->s;
    const RdProbe *p = &r->probe;
    snprintf(rep->input, sizeof(rep->input), "%s", s->input);
    rep->duration_s = p->duration_s;
    rep->width = p->width;
    rep->height = p->height;
    rep->fps = av_q2d(p->fps);
    rep->frames = p->nframes;
    snprintf(rep->codec, sizeof(rep->codec), "%s", p->codec);
    snprintf(rep->vf, sizeof(rep->vf), "%s", s->vf);
    snprintf(rep->vcodec, sizeof(rep->vcodec), "%s", s->vcodec);
    rep->workers_requested = s->workers;
    options_string(s, rep->options, sizeof(rep->options));
    describe_schedule(rep->schedule, sizeof(rep->schedule));
}

static void fill_progress(Run *r)
{
    RdProgress *pg = r->prog;
    const RdProbe *p = &r->probe;
    const char *base = strrchr(r->s->input, '/');
    snprintf(pg->input, sizeof(pg->input), "%s", base ? base + 1 : r->s->input);
    pg->width = p->width;
    pg->height = p->height;
    pg->fps = av_q2d(p->fps);
    pg->duration_s = p->duration_s;
    snprintf(pg->vf, sizeof(pg->vf), "%s", r->s->vf);
    snprintf(pg->vcodec, sizeof(pg->vcodec), "%s", r->s->vcodec);
    snprintf(pg->schedule, sizeof(pg->schedule), "%s", r->rep->schedule);
    pg->total_frames = p->nframes;
    for (int i = 0; i < r->plan.n; i++)
        pg->chunks[i].frames_total = r->jobs[i].expect_frames;
}

/* What the chunks and the encoder take from the probe. */
static void use_probe(Run *r)
{
    r->sh.vindex = r->probe.vindex;
    r->sh.tb = r->probe.tb;
    r->enc.fps = r->probe.fps;
    /* The ffmpeg CLI gives its graph the guessed rate (r_frame_rate, mostly). */
    if (r->s->frame_grid && r->probe.guess_fps.num > 0 && r->probe.guess_fps.den > 0)
        r->enc.fps = r->probe.guess_fps;
    r->enc.in = r->probe.par;
    r->enc.fields_as_ffmpeg = r->s->fields_as_ffmpeg;
    if (r->probe.first_seen) {
        r->sh.in_w = r->probe.width;
        r->sh.in_h = r->probe.height;
        r->sh.in_fmt = r->probe.pix_fmt;
    }
    /* Not finding HDR10 metadata leaves the output without it, not failed.
     * The ffmpeg CLI 5.1 copies the input stream's side data to the output
     * stream and gives its encoders none (libx265 writes no SEI of it). */
    if (rd_meta_find_hdr10(&r->hdr, r->s->input, r->probe.vindex, r->probe.par->color_trc,
                           r->s->hdr10_as_ffmpeg) >= 0 && !r->s->hdr10_as_ffmpeg) {
        r->enc.mastering = r->hdr.has_mastering ? &r->hdr.mastering : NULL;
        r->enc.light = r->hdr.has_light ? &r->hdr.light : NULL;
    }
}

/* --resume: the key of this run, and the journal beside OUTPUT if it has it. */
static int resume_open(Run *r, char *err, int errlen)
{
    int ret;
    if (!r->s->resume)
        return 0;
    /* That sync's state at each join comes from the chunks' frames, which
     * the journal does not keep: refused rather than joined unchecked. */
    if (r->sh.sync && !r->sync.table)
        return fail(err, errlen, r->s->input, "--resume: ffmpeg's frame sync of a graph that retimes "
                    "frames is not journaled yet; run without --resume", AVERROR_PATCHWELCOME);
    if ((ret = rd_resume_key(&r->resume_key, r->s, &r->probe, preroll_of(r), r->enc.global_header,
                             r->enc.frame_ts, r->tmpl)) < 0 ||
        (ret = rd_resume_open(&r->resume, r->s, r->resume_key, err, errlen)) < 0)
        return *err ? ret : fail(err, errlen, r->s->output, NULL, ret);
    return 0;
}

/* -frames:v: the input frame ffmpeg 5.1 is at when the video gets its
 * last frame. It writes the copies of the previous frame that a gap calls
 * for when the next frame arrives (do_video_out's nb0_frames): a last
 * frame that is a later copy was written on the next frame's arrival. */
static int64_t vframes_reader(const Run *r)
{
    int64_t left = r->s->max_vframes;
    for (int64_t k = 0; k < r->probe.nframes && left > 0; k++) {
        int64_t c = r->sync.table[k].copies;
        if (c >= left)
            return r->probe.pts[left > 1 && k + 1 < r->probe.nframes ? k + 1 : k];
        left -= c;
    }
    return AV_NOPTS_VALUE;
}

/* -fps_mode as syncplan.h takes it. */
static int sync_mode(int fps_mode)
{
    return fps_mode == RD_FPS_PASSTHROUGH ? RD_SYNC_PASS : fps_mode == RD_FPS_CFR ? RD_SYNC_CFR :
           fps_mode == RD_FPS_VFR ? RD_SYNC_VFR : -1;
}

/* 1 when `t_us` (AV_TIME_BASE units) is a whole number of frames at `fps`. */
static int on_grid(int64_t t_us, AVRational fps)
{
    if (fps.num <= 0 || fps.den <= 0 || llabs(t_us) > INT64_MAX / fps.num)
        return 0;
    return (t_us * fps.num) % ((int64_t)fps.den * AV_TIME_BASE) == 0;
}

/* The ffmpeg form promises the CLI's frames: ffmpeg's frame sync for the
 * output (syncplan.h). Where the graph keeps every frame at its time, it
 * is run here once over the probed times and the chunks follow its table;
 * else each chunk runs it on its graph's output (chunksync.h). */
static int setup_sync(Run *r, char *err, int errlen)
{
    const RdSettings *s = r->s;
    RdSyncPlanInput in = { s->oformat, s->output, !graph_retimes(r),
                           s->own_duration, r->tmpl->framerate, r->cost.sink_fps, s->max_vframes,
                           s->out_limit_s > 0 ? llrint(s->out_limit_s * AV_TIME_BASE) : 0,
                           &r->probe, llrint(s->itsoffset_s * AV_TIME_BASE),
                           llrint(s->seek_out_s * AV_TIME_BASE), sync_mode(s->fps_mode) };
    int ret;

    if (!s->frame_grid)
        return 0;
    if ((ret = rd_syncplan_make(&r->sync, &in)) < 0)
        return fail(err, errlen, s->input, NULL, ret);
    if (r->sync.cfg.mode == RD_SYNC_NONE)
        return 0;
    r->tmpl_fps = r->tmpl->framerate;
    r->sh.sync = &r->sync.cfg;
    r->sh.start_time = r->out_origin;
    r->sh.cut_us = llrint(s->seek_out_s * AV_TIME_BASE);
    rd_sync_start(&r->sync_prev);
    if (r->sync.table) {
        /* -frames:v: the input frames after the last one written are not read. */
        int64_t n = r->probe.nframes;
        r->vframes_src = vframes_reader(r);
        while (n > 1 && !r->sync.table[n - 1].copies)
            n--;
        if (s->max_vframes > 0 && n < r->probe.nframes) {
            /* ffmpeg's graph saw the frames after them that it looks
             * ahead to (probe.h ntrail): they stay in reach. */
            r->probe.ntrail += r->probe.nframes - n;
            r->probe.t_after = r->probe.pts[n];
            r->probe.promised = FFMIN(r->probe.promised, n);
            r->probe.nframes = n;
        }
        /* Every frame once, tick after tick: the frames keep their own
         * times on the grid, as without a sync (and render-mpi can share it).
         * Only where their own times are those ticks: after -ss a frame
         * half a tick past the seek point is moved onto the grid. Forced
         * keyframes are decided on the table. */
        for (n = 0; n < r->probe.nframes; n++)
            if (r->sync.table[n].copies != 1 || r->sync.table[n].pts != r->sync.table[0].pts + n ||
                av_compare_ts(r->probe.pts[n] - av_rescale_q(r->probe.start_time - in.offset, AV_TIME_BASE_Q,
                                                             r->probe.tb),
                              r->probe.tb, r->sync.table[n].pts, av_inv_q(r->tmpl->framerate)))
                break;
        /* ...and only where the start is a tick: without the sync a frame's
         * time goes to the grid before the start is taken off (an MPEG-PS
         * that starts at 0.54 s at 25 fps would start half a tick late). */
        if (n == r->probe.nframes && !s->force_kf && on_grid(r->probe.start_time, r->tmpl->framerate)) {
            r->sh.sync = NULL;
            rd_syncplan_free(&r->sync);
        }
        return 0;
    }
    if (s->max_vframes > 0 && !r->contract.one_chunk) {
        /* A frame count after a graph that retimes frames is the whole stream's. */
        r->sync_one_chunk = 1;
        if (!s->quiet)
            fprintf(stderr, "render: warning: -frames:v after a filter graph that retimes frames: "
                    "rendered as one chunk\n");
    } else if (r->sh.numbered && !r->contract.one_chunk) {
        /* Frames dropped by their numbers (select with n, framestep) leave
         * gaps of any length, which a chunk's sync cannot guess its way
         * across: what it copies depends on the last frame kept before it. */
        r->sync_one_chunk = 1;
        if (!s->quiet)
            fprintf(stderr, "render: warning: the filter graph drops frames by their numbers, and the "
                    "output's frame sync fills the gaps: rendered as one chunk\n");
    } else
        r->sync_preroll = SYNC_PREROLL;
    return 0;
}

/* -force_key_frames chapters: ffmpeg reads the chapters its output file
 * was given (copied before the encoders open, whether the muxer writes
 * them or not), so the chapters the tracks give the output here. */
static int output_chapters(Run *r, AVFormatContext **chap)
{
    const RdSettings *s = r->s;
    AVFormatContext *ic = NULL;
    int64_t end = s->limit_s > 0 ? (int64_t)(s->limit_s * AV_TIME_BASE) : INT64_MAX;
    int ret;
    if (!strstr(s->force_kf, "chapters") || s->no_chapters)
        return 0;
    if (!(*chap = avformat_alloc_context()))
        return AVERROR(ENOMEM);
    if ((ret = rd_input_open(&ic, s->input, -1)) < 0)
        return ret;
    ret = rd_meta_chapters(*chap, ic, -r->probe.start_time, end);
    avformat_close_input(&ic);
    return ret < 0 ? ret : 0;
}

/* -force_key_frames (forcekf.h): decided once, over the frame sync's table. */
static int setup_forcekf(Run *r, char *err, int errlen)
{
    char detail[RD_ERRLEN] = "";
    AVFormatContext *chap = NULL;
    int ret;
    if (!r->s->force_kf)
        return 0;
    if (rd_gop_forced_unkeyed(r->s->vcodec, r->s->venc_opts))
        return fail(err, errlen, r->s->input, rd_gop_forced_unkeyed(r->s->vcodec, r->s->venc_opts),
                    AVERROR_PATCHWELCOME);
    if (!r->sync.table)
        return fail(err, errlen, r->s->input, "-force_key_frames after a graph that retimes frames (or into a "
                    "container without frame sync) is not supported yet", AVERROR_PATCHWELCOME);
    if ((ret = output_chapters(r, &chap)) >= 0)
        ret = rd_forcekf_plan(&r->fkf, r->s->force_kf, av_inv_q(r->tmpl->framerate), chap, r->sync.table,
                              r->probe.key, r->probe.nframes, detail, sizeof(detail));
    avformat_free_context(chap);
    if (ret < 0)
        return fail(err, errlen, r->s->input, *detail ? detail : NULL, ret);
    r->sh.forced = r->fkf.ticks;
    r->sh.nforced = r->fkf.nticks;
    return 0;
}

/* Input frames from one chunk start (anchor) to the next, at most; 0 where
 * a span is longer than a few GOPs (the warm-up would cost more than it
 * is worth; the chunks there then start cold). */
static int warm_span(const uint8_t *anchor, int64_t n, int grid)
{
    int64_t last = 0, span = 0;
    for (int64_t i = 1; i < n; i++)
        if (anchor[i]) {
            span = FFMAX(span, i - last);
            last = i;
        }
    return span <= 4 * (int64_t)grid ? (int)span : 0;
}

/* Where chunk `first`'s warm-up starts: the chunk start before it. */
static int64_t warm_from(const Run *r, int64_t first)
{
    int64_t i = first - 1;
    if (!r->gop_anchor)
        return FFMAX(0, first - r->enc_warm);
    while (i > 0 && !r->gop_anchor[i])
        i--;
    return FFMAX(0, i);
}

/* A fixed GOP (gop.h) counts the encoder's frames. Where the sync drops
 * or repeats frames (-r) chunks start where an output frame on the grid
 * does (its table says which; with forced keyframes, where both agree);
 * after a graph that retimes frames (fps, setpts, framerate) the output's
 * frame numbers are known only as the whole stream runs: one chunk, as
 * ffmpeg's keyframes are wanted. */
static int setup_gop(Run *r)
{
    const RdSettings *s = r->s;
    int grid = rd_gop_fixed(s->vcodec, s->gop, s->keyint_min, s->sc_threshold, s->venc_opts);
    if (grid <= 1 || r->contract.one_chunk || r->sync_one_chunk)
        return 0;
    /* An encoder that carries state over its I frames is warmed up on the
     * GOP before each chunk (gop.h), where its frames are the whole
     * stream's frame for frame (the sync's table, or none), its times
     * known, and neither rate control nor forced keyframes count or move
     * the warm-up's frames. */
    if (rd_gop_warmup(s->vcodec, s->venc_opts) && (!r->sh.sync || r->sync.table) && r->probe.timestamps_ok &&
        rd_ratectl_mode_of(s) == RD_RC_NONE && !s->maxrate && !s->bufsize && !s->pass && !s->force_kf)
        r->rep->encoder_warmup = r->enc_warm = grid;
    if (r->sync.table) {
        if (!(r->gop_anchor = av_malloc(FFMAX(r->probe.nframes, 1))))
            return AVERROR(ENOMEM);
        rd_gop_anchor(r->sync.table, r->probe.nframes, grid, r->gop_anchor);
        for (int64_t i = 0; r->fkf.anchor && i < r->probe.nframes; i++)
            r->gop_anchor[i] &= r->fkf.anchor[i];
        /* The warm-up starts on the GOP before, so that its I frames are
         * where the whole stream's encoder has them: the input frames
         * between two starts, where the sync drops or repeats frames. */
        if (r->enc_warm)
            r->rep->encoder_warmup = r->enc_warm = warm_span(r->gop_anchor, r->probe.nframes, grid);
        return 0;
    }
    if (!graph_retimes(r))
        return 0;
    r->sync_one_chunk = 1;
    if (!s->quiet)
        fprintf(stderr, "render: warning: a fixed GOP (-g %d, no scene cuts) after a filter graph that "
                "retimes frames: rendered as one chunk, so that keyframes fall where ffmpeg's do\n", grid);
    return 0;
}

/* Probe, measure and plan: what a render and a dry run share. *t_plan gets
 * the time planning began. */
/* Files the filters read and write, sockets and plugins (filterfx.h): the
 * chunks build the graph with the written files' temporary names. */
static int check_filters(Run *r, char *err, int errlen)
{
    const RdSettings *s = r->s;
    RdFilterFxPolicy pol = { .input = s->input, .output = r->rep->dry_run ? NULL : s->output,
                             .sidecar = s->sidecar, .nsidecar = RD_SIDECARS,
                             .overwrite = s->overwrite, .allow = s->allow_filters,
                             .dry_run = r->rep->dry_run };
    int ret = rd_filterfx_open(&r->fx, s->vf, &pol, err, errlen);
    if (ret < 0)
        return *err ? ret : fail(err, errlen, s->input, "cannot read the filter graph", ret);
    r->sh.vf = r->fx.vf;
    /* The audio's graph opens files and sockets as the video's would. */
    if (s->af && (ret = rd_filterfx_open(&r->afx, s->af, &pol, err, errlen)) < 0)
        return *err ? ret : fail(err, errlen, s->input, "cannot read the audio filter graph", ret);
    return 0;
}

/* An output -ss or -t through a graph that is not frame-local (outseek.h):
 * the input probed again from its own start (the frames the graph needs
 * are not the output's span), the graph ended with ffmpeg's output trim.
 * Otherwise the output's start stays an input seek (a graph that does not
 * open says why in derive_contract). */
static int plan_outseek(Run *r, RdProbeCut *cut, char *detail, int dlen)
{
    const RdSettings *s = r->s;
    const RdProbe *p = &r->probe;
    RdVideoFormat in = { p->width, p->height, p->pix_fmt, p->par->sample_aspect_ratio, p->tb, p->fps, NULL };
    int64_t t_us = llrint(s->seek_out_s * AV_TIME_BASE);
    RdContract c;
    int ret;

    r->out_origin = p->start_time;
    if ((s->seek_out_s <= 0 && s->out_limit_s <= 0) ||
        rd_contract_derive(r->sh.vf, &in, s->exact, s->preroll, &c) < 0 || !rd_outseek_whole(&c))
        return 0;
    /* An output -t: the trim ends the graph's output there and the frame
     * sync stops at the first tick past it (setup_sync), as ffmpeg's
     * encoder does (check_recording_time). */
    rd_probe_free(&r->probe);
    /* The input's own -ss and -t. */
    *cut = (RdProbeCut){ s->seek_s - s->seek_out_s, 0, s->in_limit_s, 0, cut->has_start, cut->start, { 0, 0 }, cut->jumps, 0, 0 };
    /* The output's -t through a graph that retimes: how much input it needs
     * is the graph's to say, and the one chunk reads on until its trim
     * ends (chunk.c): the scan only plans, and an endless input (-loop 1)
     * must not be scanned without end. */
    if (s->out_limit_s > 0)
        cut->scan_s = s->seek_out_s + 4 * s->out_limit_s + 60;
    if ((ret = rd_probe_open(&r->probe, s->input, cut, detail, dlen)) < 0)
        return ret;
    r->out_origin = r->probe.start_time + t_us;
    /* The graph sees the CLI's times, from 0 at the input's start (chunk.c). */
    r->outseek_vf = rd_outseek_graph(r->sh.vf, 0,
                                     s->seek_out_s > 0 ? t_us : AV_NOPTS_VALUE,
                                     s->out_limit_s > 0 ? llrint(s->out_limit_s * AV_TIME_BASE) : 0);
    if (!r->outseek_vf)
        return AVERROR(ENOMEM);
    r->sh.vf = r->outseek_vf;
    return 0;
}

static int probe_and_plan(Run *r, double *t_plan, char *err, int errlen)
{
    const RdSettings *s = r->s;
    char detail[RD_ERRLEN] = "";
    int ret;

    if ((ret = rd_encode_find(&r->enc.codec, s->vcodec)) < 0)
        return fail(err, errlen, s->vcodec, "no such video encoder", ret);
    /* What the graph touches besides frames, before any filter exists. */
    if ((ret = check_filters(r, err, errlen)) < 0)
        return ret;
    /* Every open from here on reads the file probed now (io/input.h). */
    if ((ret = rd_input_pin(s->input)) < 0)
        return fail(err, errlen, s->input, NULL, ret);
    r->pinned = 1;
    /* The line's demuxer options: one the demuxer does not take stops here. */
    if ((ret = rd_input_check(s->input, detail, sizeof(detail))) < 0 && *detail)
        return fail(err, errlen, s->input, detail, ret);
    *detail = 0;
    /* The ffmpeg form gives the input's and the output's limits apart. */
    int apart = s->in_limit_s > 0 || s->out_limit_s > 0;
    RdProbeCut cut = { s->seek_s, s->seek_out_s, apart ? s->in_limit_s : s->limit_s, s->out_limit_s, 0, 0, s->rate, NULL, 0, 0 };
    /* Without a graph, -frames:v N needs about N frames of the input. */
    if (!s->vf || !*s->vf || !strcmp(s->vf, "null"))
        cut.vframes = s->max_vframes;
    cut.has_start = rd_cliseek_start(s, -1, &cut.start);
    /* One offset for the whole input after a reset, as the CLI's (tsjump.h). */
    if ((ret = rd_cliseek_jumps(s, -1, 1, &r->jumps)) < 0)
        return fail(err, errlen, s->input, ret == AVERROR(ENOSYS) ? "its timestamps jump, and its "
                    "packets have no byte positions to apply the ffmpeg CLI's one correction by" : NULL, ret);
    cut.jumps = r->jumps;
    r->sh.jumps = r->jumps;
    if ((ret = rd_probe_open(&r->probe, s->input, &cut, detail, sizeof(detail))) < 0 ||
        (ret = plan_outseek(r, &cut, detail, sizeof(detail))) < 0)
        return fail(err, errlen, s->input, detail, ret);
    r->out_origin -= llrint(s->itsoffset_s * AV_TIME_BASE);
    fill_report_input(r);
    use_probe(r);
    *t_plan = omp_get_wtime();
    r->rep->probe_s = *t_plan - r->t0;
    set_phase(r, RD_PHASE_PLAN);
    if ((ret = tmpl_pass1_open(r)) < 0)
        return fail(err, errlen, s->output, NULL, ret);
    if ((ret = measure_graph(r, err, errlen)) >= 0)
        out_format_contract(r);
    if (ret < 0 || (ret = setup_sync(r, err, errlen)) < 0 ||
        (ret = setup_forcekf(r, err, errlen)) < 0 || (ret = setup_gop(r)) < 0 ||
        (ret = resume_open(r, err, errlen)) < 0 ||
        (ret = pass_open(r, err, errlen)) < 0)
        return ret;
    /* A resumed run cuts the video as the journal's run did (resume.h). */
    if (ret == 0 && (ret = rd_resume_plan(r->resume, &r->plan, r->probe.nframes, r->probe.key)) == 0) {
        if ((ret = plan_inputs(r, detail, sizeof(detail))) < 0)
            return fail(err, errlen, s->input, detail, ret);
        *detail = '\0';
        if ((ret = plan_priced(r, detail, sizeof(detail))) < 0 && *detail)
            return fail(err, errlen, s->input, detail, ret);
    }
    if (ret < 0 || (ret = make_jobs(r)) < 0)
        return fail(err, errlen, s->input, "cannot plan chunks", ret);
    plan_report(r);
    return 0;
}

/* Chunks the journal holds are done: in the report and the progress as
 * such, and in the reorder buffer as an empty result that the writer fills
 * from the journal when its turn comes (so memory holds one at a time). */
static int resume_start(Run *r, char *err, int errlen)
{
    int ret;
    if (!r->resume)
        return 0;
    if ((ret = rd_resume_start(r->resume, &r->plan, err, errlen)) < 0)
        return ret;
    for (int i = 0; i < r->plan.n; i++) {
        const RdJournalEntry *je;
        RdChunkResult *res;
        if (!rd_resume_done(r->resume, i))
            continue;
        je = rd_resume_entry(r->resume, i);
        if (!(res = av_mallocz(sizeof(*res))))
            return AVERROR(ENOMEM);
        res->index = i;
        /* The journal keeps packets, not join times: a journaled chunk's
         * joins were checked by the run that wrote them only where both
         * neighbours were written then. */
        res->join_first = res->join_next = res->src_at_last = AV_NOPTS_VALUE;
        res->frames = je->frames;
        res->bytes = je->bytes;
        res->decoded = je->decoded;
        chunk_report(r, i, -1, NAN, res);
        r->rep->chunks[i].end_s = r->rep->chunks[i].cpu_s = NAN;
        r->rep->chunks[i].wasted_frames = 0;
        r->rep->chunks[i].resumed = 1;
        r->rep->resumed_chunks++;
        r->rep->resumed_frames += je->frames;
        atomic_fetch_add(&r->decoded, je->decoded);
        if (r->prog) {
            atomic_store(&r->prog->chunks[i].frames_done, r->jobs[i].expect_frames);
            atomic_store(&r->prog->chunks[i].state, RD_CHUNK_DONE);
        }
        rd_reorder_push(&r->ro, i, res);
    }
    drain(r); /* the journaled chunks at the start are written at once */
    return 0;
}

/* Probe, plan, declare the output: the serial start. */
static int prepare(Run *r, char *err, int errlen)
{
    const RdSettings *s = r->s;
    double t;
    int ret;

    set_phase(r, RD_PHASE_PROBE);
    if ((ret = check_output(s, err, errlen)) < 0 || (ret = check_threads(r, err, errlen)) < 0)
        return ret;
    if ((ret = probe_and_plan(r, &t, err, errlen)) < 0)
        return ret;
    ret = open_output(r, err, errlen);
    tmpl_pass1_done(r);
    if (ret < 0)
        return ret;
    if ((ret = setup_ratectl(r, err, errlen)) < 0)
        return ret;
    if (!(r->rep->chunks = av_calloc(r->plan.n, sizeof(*r->rep->chunks))))
        return AVERROR(ENOMEM);
    r->rep->nchunks = r->plan.n;
    if ((ret = rd_reorder_init(&r->ro, r->plan.n)) < 0)
        return ret;
    if (r->prog) {
        if ((ret = rd_progress_setup(r->prog, r->plan.n, s->workers)) < 0)
            return ret;
        fill_progress(r);
    }
    if ((ret = resume_start(r, err, errlen)) < 0)
        return ret;
    r->rep->plan_s = omp_get_wtime() - t;
    return 0;
}

static void init_run(Run *r, const RdSettings *s, RdReport *rep)
{
    memset(r, 0, sizeof(*r));
    memset(rep, 0, sizeof(*rep));
    r->vframes_src = AV_NOPTS_VALUE;
    r->eff = *s;
    r->workers_auto = s->workers <= 0;
    if (r->eff.workers <= 0)
        r->eff.workers = omp_get_max_threads();
    /* OMP_NUM_THREADS=100000 is not a worker count any machine runs (and
     * libgomp dies creating the threads): the bound of -w, in one line. */
    if (r->eff.workers > RD_MAX_WORKERS) {
        if (!s->quiet)
            fprintf(stderr, "render: %s: %d workers instead of OMP_NUM_THREADS=%d (at most %d)\n",
                    s->output, RD_MAX_WORKERS, r->eff.workers, RD_MAX_WORKERS);
        r->eff.workers = RD_MAX_WORKERS;
    }
    if (r->eff.chunk_factor <= 0)
        r->eff.chunk_factor = 4;
    r->s = &r->eff;
    r->rep = rep;
    snprintf(rep->split, sizeof(rep->split), "%s", s->split_scenes ? "scenes" : s->split_time ? "time" : "cost");
    rep->scene_cuts = -1;
    rep->cuts_priced = -1;
    rep->start_reads = -1;
    r->prog = s->progress;
    r->t0 = omp_get_wtime();
    if (r->prog)
        r->prog->t_start = r->t0;
    r->enc.crf = s->crf;
    r->enc.preset = s->preset;
    r->enc.opts = s->venc_opts;
    rd_ratectl_encode_config(&r->enc, s);
    r->enc.global_header = rd_merge_probe_format(s->oformat, s->output) > 0;
    r->enc.frame_ts = rd_merge_frame_ts(s->oformat, s->output) || s->frame_grid;
    r->enc.null_out = rd_merge_null_out(s->oformat, s->output);
    r->enc.rate = s->rate;
    r->sh.path = s->input;
    r->sh.vf = s->vf;
    r->sh.autorotate = s->autorotate;
    r->sh.enc = &r->enc;
    r->sh.stop = &r->stop;
    r->sh.cancel = s->cancel;
    r->join_next = AV_NOPTS_VALUE;
    omp_init_lock(&r->ro_lock);
    omp_init_lock(&r->write_lock);
    omp_init_lock(&r->pace_lock);
}

/* What init_run() and probe_and_plan() set up, freed (a render's output
 * and reorder buffer are rd_engine_close()'s). */
static void release(Run *r)
{
    rd_resume_close(&r->resume, 0);
    av_freep(&r->resume_key);
    rd_ratectl_free(&r->rc);
    rd_passlog_free(&r->passlog);
    av_freep(&r->pass_key);
    av_freep(&r->jobs);
    av_freep(&r->feed_ok);
    av_freep(&r->cut);
    av_freep(&r->cut_key);
    av_freep(&r->cut_priced);
    av_freep(&r->start_ok);
    av_freep(&r->gop_anchor);
    rd_plan_free(&r->plan);
    rd_tsjump_free(&r->jumps);
    rd_syncplan_free(&r->sync);
    rd_forcekf_plan_free(&r->fkf);
    tmpl_pass1_done(r);
    rd_encode_close(&r->tmpl);
    avcodec_parameters_free(&r->colour_par);
    rd_probe_free(&r->probe);
    if (r->pinned)
        rd_input_unpin(r->s->input);
    rd_filterfx_free(&r->fx); /* the written files' temporaries, unless renamed */
    rd_filterfx_free(&r->afx);
    av_freep(&r->outseek_vf);
    omp_destroy_lock(&r->ro_lock);
    omp_destroy_lock(&r->write_lock);
    omp_destroy_lock(&r->pace_lock);
    av_freep(&r->pace);
    av_freep(&r->own_cp);
}

static void free_held(Run *r)
{
    for (int i = r->ro.next; r->ro.slot && i < r->ro.n; i++)
        if (r->ro.slot[i]) {
            rd_chunk_result_free(r->ro.slot[i]);
            av_free(r->ro.slot[i]);
            r->ro.slot[i] = NULL;
        }
}

int rd_engine_open(RdEngine **pe, const RdSettings *s, RdReport *rep, char *err, int errlen)
{
    Run *r = av_malloc(sizeof(*r));
    int ret;

    *pe = r;
    if (!r) {
        memset(rep, 0, sizeof(*rep));
        return fail(err, errlen, s->input, NULL, AVERROR(ENOMEM));
    }
    init_run(r, s, rep);
    if (rd_remux_wanted(s)) /* the driver's chunks would have nothing to do */
        return fail(err, errlen, s->input, s->no_video ? "no video (-vn ...): one pass over the other streams, "
                    "without chunks: run it with render, not render-mpi" : "-c:v copy is a remux, one pass without "
                    "chunks: run it with render, not render-mpi", AVERROR(EINVAL));
    if ((ret = prepare(r, err, errlen)) < 0)
        return ret;
    if (s->pass == 1 && s->null_output) /* rd_engine_run's: no output to write in steps */
        return fail(err, errlen, s->output, "-pass 1 -f null runs in one process: run render",
                    AVERROR(EINVAL));
    if (s->pass == 1) {
        if ((ret = pass1_output(r, err, errlen)) < 0)
            return ret;
    } else if (s->pass == 2) {
        if ((ret = pass2_stats(r, err, errlen)) < 0)
            return ret;
    } else if (r->rc.mode == RD_RC_TWOPASS && (ret = first_pass(r, err, errlen)) < 0)
        return ret;
    set_phase(r, RD_PHASE_RENDER);
    r->t_loop = omp_get_wtime();
    return 0;
}

int rd_engine_nchunks(const RdEngine *e)
{
    return e->plan.n;
}

const RdChunkJob *rd_engine_job(const RdEngine *e, int i)
{
    return &e->jobs[i];
}

const RdChunkShared *rd_engine_shared(const RdEngine *e)
{
    return &e->sh;
}

const RdSettings *rd_engine_settings(const RdEngine *e)
{
    return e->s;
}

void rd_engine_fail(RdEngine *e, int ret, const char *detail)
{
    record_error(e, ret, detail ? detail : "");
}

int rd_engine_stopped(RdEngine *e)
{
    return atomic_load(&e->stop);
}

int rd_engine_resumed(const RdEngine *e, int i)
{
    return rd_resume_done(e->resume, i);
}

/* --resume: a finished chunk is on disk before it counts as done. */
static int journal_chunk(RdEngine *e, RdChunkResult *res)
{
    char detail[RD_ERRLEN];
    int ret;
    if (!e->resume || rd_resume_done(e->resume, res->index) ||
        (ret = rd_resume_add(e->resume, res)) >= 0)
        return 0;
    snprintf(detail, sizeof(detail), "cannot write the journal " "%s" RD_JOURNAL_SUFFIX ": %s",
             e->s->output, av_err2str(ret));
    record_error(e, ret, detail);
    #pragma omp critical(rd_error)
    e->err_output |= e->err == ret;
    rd_chunk_result_free(res);
    av_free(res);
    return ret;
}

void rd_engine_submit(RdEngine *e, RdChunkResult *res, int worker, double t_start, double t_end)
{
    RdChunkReport *c;
    if (journal_chunk(e, res) < 0)
        return;
    atomic_fetch_add(&e->decoded, res->decoded);
    chunk_report(e, res->index, worker, t_start, res);
    c = &e->rep->chunks[res->index];
    c->end_s = t_end - e->t0;
    if (e->prog)
        atomic_store(&e->prog->chunks[res->index].state, RD_CHUNK_DONE);
    omp_set_lock(&e->ro_lock);
    if (rd_reorder_push(&e->ro, res->index, res) < 0) {
        omp_unset_lock(&e->ro_lock);
        record_error(e, AVERROR_BUG, "chunk submitted twice");
        rd_chunk_result_free(res);
        av_free(res);
        return;
    }
    omp_unset_lock(&e->ro_lock);
    drain(e);
}

/* What rate control and the keyframe grid did, for the report; a VBV
 * that still ran dry, or keyframes off the asked grid, said once. */
static void ratectl_report(Run *r)
{
    static const char *const modes[] = { "none", "abr", "two-pass" };
    RdReport *rep = r->rep;
    rep->rc_mode = modes[r->rc.mode];
    if (r->rc.mode == RD_RC_ABR)
        rep->rc_bitrate = r->rc.bitrate;
    rep->vbv_joins_redone = r->rc.joins_redone;
    rep->vbv_joins_short = r->rc.joins_short;
    rep->join_keyframes = rep->gop_grid ? r->off_grid : FFMAX(0, rep->nchunks - 1);
    if (r->fkf.anchor) { /* chunks start on forced keyframes where the plan found them */
        rep->join_keyframes = 0;
        for (int i = 1; i < r->plan.n; i++)
            rep->join_keyframes += !r->fkf.anchor[r->plan.c[i].first];
        if (rep->join_keyframes && !r->s->quiet)
            fprintf(stderr, "render: %s: warning: %d chunk join(s) add a keyframe -force_key_frames does not "
                    "ask for (too few forced keyframes to start every chunk on one)\n", r->s->output,
                    rep->join_keyframes);
    }
    if (r->s->quiet)
        return;
    if (r->rc.joins_short)
        fprintf(stderr, "render: %s: warning: the VBV buffer (-maxrate %" PRId64 ", -bufsize %" PRId64
                ") runs dry in %d chunk(s) of the joined stream%s\n", r->s->output, r->s->maxrate,
                r->s->bufsize, r->rc.joins_short,
                r->rc.vbv_chain ? "" : " (only libx264 chunks can start from another fill)");
    if (rep->gop_grid && r->off_grid && rd_gop_scene_keys(r->s->vcodec, r->s->sc_threshold, r->s->venc_opts))
        fprintf(stderr, "render: %s: warning: the encoder coded %d I frame(s) at scene changes, off its GOP of "
                "%d frames: ffmpeg counts its GOPs afresh from there, so its I frames after them differ "
                "(-sc_threshold 1000000000 keeps the GOP fixed)\n", r->s->output, r->off_grid, rep->gop_grid);
    else if (rep->gop_grid && r->off_grid)
        fprintf(stderr, "render: %s: warning: %d keyframe(s) off the fixed GOP of %d frames "
                "(the graph does not keep frames one for one)\n", r->s->output, r->off_grid, rep->gop_grid);
}

/* Frames decoded against frames the file promised (probe.h): a shortfall
 * is one warning for the file, as ffmpeg goes on past damage; an error
 * under --strict. */
static int damage_check(Run *r, char *err, int errlen)
{
    int64_t got = atomic_load(&r->decoded), want = r->probe.promised;
    char msg[160];
    if (got >= want)
        return 0;
    snprintf(msg, sizeof(msg), "%" PRId64 " of %" PRId64 " frames decodable (%" PRId64
             " missing or damaged)", got, want, want - got);
    if (r->s->strict)
        return fail(err, errlen, r->s->input, msg, AVERROR_INVALIDDATA);
    if (!r->s->quiet)
        fprintf(stderr, "render: %s: warning: %s\n", r->s->input, msg);
    return 0;
}

int rd_engine_close(RdEngine **pe, char *err, int errlen)
{
    Run *r = *pe;
    const RdSettings *s;
    RdReport *rep;
    double t;
    int ret = 0;

    if (!r)
        return AVERROR(ENOMEM);
    s = r->s;
    rep = r->rep;
    if (r->t_loop > 0) {
        drain(r); /* a chunk finished while another thread held the writer's lock */
        rep->parallel_s = omp_get_wtime() - r->t_loop;
        set_phase(r, RD_PHASE_MERGE);
        t = omp_get_wtime();
        if (s->cancel && atomic_load(s->cancel) && !r->err)
            r->err = AVERROR_EXIT;
        if ((ret = r->err) < 0 && ret != AVERROR_EXIT && !r->err_output &&
            rd_input_verify(s->input, r->errmsg, sizeof(r->errmsg)) < 0)
            fail(err, errlen, s->input, r->errmsg, ret); /* the real reason a chunk could not read it */
        else if (ret < 0)
            fail(err, errlen, ret == AVERROR_EXIT || r->err_output ? s->output : s->input, r->errmsg, ret);
        else if (!rd_reorder_done(&r->ro))
            ret = fail(err, errlen, s->input, "not every chunk was written", AVERROR_BUG);
        else if ((ret = damage_check(r, err, errlen)) < 0)
            ;
        else if ((ret = rd_input_verify(s->input, r->errmsg, sizeof(r->errmsg))) < 0)
            fail(err, errlen, s->input, r->errmsg, ret);
        else if ((ret = rd_merge_finish(r->merge, &rep->output_bytes, r->errmsg, sizeof(r->errmsg))) < 0) {
            char why[RD_ERRLEN + 32];
            snprintf(why, sizeof(why), "cannot finish the output: %s",
                     *r->errmsg ? r->errmsg : av_err2str(ret));
            fail(err, errlen, s->output, why, ret);
        } else if ((ret = rd_filterfx_commit(&r->fx, s->overwrite, r->errmsg, sizeof(r->errmsg))) < 0 ||
                   (ret = rd_filterfx_commit(&r->afx, s->overwrite, r->errmsg, sizeof(r->errmsg))) < 0) {
            /* Exit 1 leaves no OUTPUT either (its name was free, or -y given). */
            int undone = unlink(s->output) == 0;
            snprintf(err, errlen, "%s%s%s", r->errmsg, undone ? "; removed " : "", undone ? s->output : "");
        }
        rep->merge_tail_s = omp_get_wtime() - t;
    } else /* open failed: its error was reported */
        ret = r->err < 0 ? r->err : AVERROR(EINVAL);
    if (ret >= 0)
        ratectl_report(r);
    for (int i = 0; ret >= 0 && i < rep->nchunks; i++) {
        rep->frames_out += rep->chunks[i].frames;
        rep->wasted_frames += rep->chunks[i].wasted_frames;
    }
    if (r->prog && ret >= 0)
        atomic_store(&r->prog->output_bytes, rep->output_bytes);
    rd_resume_close(&r->resume, ret >= 0); /* OUTPUT complete: the journal goes */
    rep->total_s = omp_get_wtime() - r->t0;
    set_phase(r, ret < 0 ? RD_PHASE_FAILED : RD_PHASE_DONE);
    free_held(r);
    rd_reorder_free(&r->ro);
    rd_merge_free(&r->merge);
    release(r);
    av_freep(pe);
    return ret;
}

/* A planned chunk in report form: media range, frames, seek tax, cost share. */
static void planned_report(Run *r, int i, double total_cost)
{
    RdChunkReport *c = &r->rep->chunks[i];
    const RdChunkPlan *pc = &r->plan.c[i];
    c->index = i;
    c->worker = -1;
    c->start_s = c->end_s = c->cpu_s = NAN;
    media_range(r, i, &c->media_start_s, &c->media_end_s);
    c->frames = pc->last - pc->first;
    c->wasted_frames = pc->first - pc->seek_from;
    c->cost_share = total_cost > 0 ? pc->cost / total_cost : NAN;
}

int rd_engine_plan(const RdSettings *s, RdReport *rep, char *err, int errlen)
{
    Run *r;
    double total = 0, t;
    int ret;

    if (rd_remux_wanted(s))
        return rd_remux_plan(s, rep, err, errlen);
    r = av_malloc(sizeof(*r));
    if (!r) {
        memset(rep, 0, sizeof(*rep));
        return fail(err, errlen, s->input, NULL, AVERROR(ENOMEM));
    }
    init_run(r, s, rep);
    rep->dry_run = 1;
    if ((ret = probe_and_plan(r, &t, err, errlen)) < 0)
        goto end;
    rep->workers_requested = r->s->workers;
    if (!(rep->chunks = av_calloc(r->plan.n, sizeof(*rep->chunks)))) {
        ret = fail(err, errlen, s->input, NULL, AVERROR(ENOMEM));
        goto end;
    }
    rep->nchunks = r->plan.n;
    for (int i = 0; i < r->plan.n; i++)
        total += r->plan.c[i].cost;
    for (int i = 0; i < r->plan.n; i++) {
        planned_report(r, i, total);
        rep->frames_out += rep->chunks[i].frames;
        rep->wasted_frames += rep->chunks[i].wasted_frames;
    }
    rep->predicted_speedup = (double)r->probe.nframes /
                             rd_plan_makespan(&r->plan, r->s->workers, 0.3, 0);
    rep->predicted_speedup_est = r->plan.work / rd_plan_makespan(&r->plan, r->s->workers, -1, 0);
    rep->plan_s = omp_get_wtime() - t;
    rep->total_s = omp_get_wtime() - r->t0;
end:
    release(r);
    av_free(r);
    return ret;
}

/* -pass 1 -f null: the first pass in parallel and its log; no output. */
static int pass1_null(const RdSettings *s, RdReport *rep, char *err, int errlen)
{
    Run *r = av_malloc(sizeof(*r));
    double t;
    int ret;
    if (!r) {
        memset(rep, 0, sizeof(*rep));
        return fail(err, errlen, s->input, NULL, AVERROR(ENOMEM));
    }
    init_run(r, s, rep);
    set_phase(r, RD_PHASE_PROBE);
    if ((ret = check_threads(r, err, errlen)) < 0 || (ret = probe_and_plan(r, &t, err, errlen)) < 0 ||
        (ret = setup_ratectl(r, err, errlen)) < 0)
        goto end;
    rep->nchunks = r->plan.n;
    set_phase(r, RD_PHASE_RENDER);
    if ((ret = first_pass(r, err, errlen)) < 0 || (ret = pass1_log(r, err, errlen)) < 0)
        goto end;
    /* The summary line's figures: the frames the first pass went through. */
    rep->threads = r->s->workers;
    for (int i = 0; i < r->plan.n; i++)
        rep->frames_out += r->jobs[i].expect_frames;
    if (rd_input_verify(s->input, r->errmsg, sizeof(r->errmsg)) < 0)
        ret = fail(err, errlen, s->input, r->errmsg, AVERROR(EIO));
end:
    rep->total_s = omp_get_wtime() - r->t0;
    set_phase(r, ret < 0 ? RD_PHASE_FAILED : RD_PHASE_DONE);
    release(r);
    av_free(r);
    return ret;
}

int rd_engine_run(const RdSettings *s, RdReport *rep, char *err, int errlen)
{
    RdEngine *e = NULL;
    int ret, closed;
    if (rd_remux_wanted(s)) { /* nothing to split: one pass of packets */
        memset(rep, 0, sizeof(*rep));
        if ((ret = check_output(s, err, errlen)) < 0)
            return ret;
        return rd_remux_run(s, rep, err, errlen);
    }
    if (s->pass == 1 && s->null_output)
        return pass1_null(s, rep, err, errlen);
    ret = rd_engine_open(&e, s, rep, err, errlen);
    if (ret >= 0)
        parallel_loop(e);
    closed = rd_engine_close(&e, err, errlen);
    /* Frame numbers restart where the frame size changes (chunk.h): only
     * the one chunk counts them as the CLI does. Nothing was kept. */
    if (ret >= 0 && closed == RD_ERR_RENUMBER && s->chunks != 1 && !(s->cancel && atomic_load(s->cancel))) {
        RdSettings one = *s;
        one.chunks = 1;
        if (!s->quiet)
            fprintf(stderr, "render: warning: %s: rendered again as one chunk\n", err);
        *err = '\0';
        rd_report_free(rep); /* the first run's chunks; the next run fills it anew */
        return rd_engine_run(&one, rep, err, errlen);
    }
    return ret < 0 ? ret : closed;
}
