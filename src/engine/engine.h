/*
 * engine.h - one render: probe, plan, the parallel chunk loop, merge, report.
 *
 * The CLI fills RdSettings; the engine never reads argv or the environment
 * (except what OpenMP itself reads, such as OMP_SCHEDULE).
 */
#ifndef RD_ENGINE_H
#define RD_ENGINE_H

#include <stdatomic.h>
#include <stdint.h>
#include <libavutil/dict.h>
#include <libavutil/rational.h>

#include "io/paths.h"
#include "streams/bsf.h"
#include "streams/codectag.h"
#include "streams/meta.h"
#include "streams/tracks.h"
#include "engine/progress.h"
#include "engine/report.h"

#define RD_DEFAULT_INPUT  "assets/mandelbrot_720p.mp4"
#define RD_DEFAULT_OUTPUT "output_processed.mp4"
#define RD_MAX_WORKERS    4096   /* -w and OMP_NUM_THREADS at most */

/** RdSettings.fps_mode: ffmpeg's -fps_mode, auto or forced. */
enum { RD_FPS_AUTO = 0, RD_FPS_PASSTHROUGH, RD_FPS_CFR, RD_FPS_VFR };

typedef struct RdSettings {
    const char *input;        ///< input path; default RD_DEFAULT_INPUT
    const char *output;       ///< output path; default RD_DEFAULT_OUTPUT; format from its extension
    int workers;              ///< threads in the chunk loop, 1..RD_MAX_WORKERS; 0 = omp_get_max_threads() (lowered to RD_MAX_WORKERS)
    int chunks;               ///< chunk count, >= 1; 0 = workers * chunk_factor (the planner may lower it)
    int chunk_factor;         ///< over-decomposition factor, >= 1; default 4
    const char *vf;           ///< libavfilter graph, one input one output; default "hqdn3d"
    const char *vcodec;       ///< video encoder name; default "libx264"
    int crf;                  ///< constant rate factor, -1 = default (23 for x264/x265)
    const char *preset;       ///< encoder preset, NULL = the encoder's own default
    AVDictionary *venc_opts;  ///< extra encoder options (--venc-opt K=V); not owned
    const char *acodec;       ///< "copy" (default: copy when the container takes it, else encode), "none", or an encoder name
    const char *scodec;       ///< subtitles: "copy" (default: copy, else convert to the container's text format), "none", or an encoder (mov_text, srt, ass, webvtt)
    int no_audio, no_subs, no_data; ///< -an, -sn, -dn: drop every stream of that type
    int no_video;             ///< -vn, or an output where ffmpeg's selection writes the audio alone (wav, mp3 ...): no video stream, one pass over the others (engine/remux.h); vcodec is then "copy"; default 0
    int cover_only;           ///< with no_video, not -vn: the format takes pictures only as cover art (mp3), so ffmpeg would write an attached picture of the input's: such an input is refused; default 0
    const char *const *maps;  ///< -map specs (ffmpeg's, one input: 0, 0:a, 0:a:1, -0:s ...); not owned; NULL = every stream
    int nmaps;                ///< number of maps
    const AVDictionary *metadata; ///< -metadata K=V global tags, empty V deletes; not owned; may be NULL
    const char *oformat;      ///< output container by muxer name (-f), NULL = from OUTPUT's name
    const AVDictionary *mux_opts;  ///< muxer options (-movflags +faststart ...); not owned; may be NULL
    const AVDictionary *aenc_opts; ///< options of every audio encoder (-b:a, -q:a ...); not owned; may be NULL
    int sample_rate;          ///< -ar: encoded audio sample rate, Hz, >= 0; 0 (default) = the input's
    int channels;             ///< -ac: encoded audio channels, 0..64; 0 (default) = the input's
    RdBsfSpec bsf;            ///< -bsf:v, -bsf:a, -bsf:s: bitstream filter chains per stream type, before the muxer (bsf.h); NULL (default) = none
    RdCodecTags tags;         ///< -tag[:v|a|s|d|t], -vtag, -atag, -stag: the output streams' codec tag per type (codectag.h); NULL (default) = the muxer's choice
    const char *sample_fmt;   ///< -sample_fmt: the audio encoders' sample format (s16, fltp ...); NULL (default) = the encoder's first the graph gives
    const char *ch_layout;    ///< -ch_layout/-channel_layout: the encoded audio's channel layout (stereo, 5.1, 0x3f, 3c); wins over `channels`; NULL (default) = the input's
    const char *af;           ///< -af: audio filter graph for encoded audio, NULL (default) = none
    int frame_grid;           ///< 1: the video encoder counts time in frames (time base 1/frame rate), frame times rounded to that grid, as the ffmpeg CLI 5.1 encodes; 0 (default): exact times in the graph's time base (AVI always counts frames)
    int autorotate;           ///< 1: turn the pixels as the input's display matrix says and write no rotation, as the ffmpeg CLI does (the ffmpeg form); 0 (default): keep the pixels and carry the matrix
    int own_duration;         ///< 1: no filter was given on an ffmpeg-form line: ffmpeg's frame sync lets each frame last its packet's duration; default 0
    int fps_mode;             ///< -fps_mode/-vsync (ffmpeg form): RD_FPS_AUTO (0, default: cfr or vfr as the container calls for, as ffmpeg 5.1's auto), RD_FPS_PASSTHROUGH (every frame at its time on the grid), RD_FPS_CFR, RD_FPS_VFR
    AVRational rate;          ///< output -r: the encoder's frame rate and time base (1/rate); ffmpeg's frame sync duplicates or drops frames to it; 0/0 (default) = the graph's rate
    const char *force_kf;     ///< -force_key_frames: times "T1,T2,...", "expr:EXPR" or "source", as the ffmpeg CLI 5.1 reads it (forcekf.h); chunks start on those keyframes; NULL (default) = none
    int64_t max_vframes;      ///< -frames:v: at most this many video frames are written (the first of the joined stream), >= 0; 0 (default) = all
    int ff_select;            ///< without -map: 1 ffmpeg's stream selection (the audio with most channels, the first subtitle of a kind the container's encoder writes), 2 the same with -c:s given (the first subtitle of any kind); 0 (default) every stream
    int map_video;            ///< k > 0: -map "[v]" of a -filter_complex came after k - 1 other maps (the video's place); default 0
    int no_global_meta;       ///< 1: the input's global tags are not copied (-map_metadata:g -1); 2: no tags at all, streams' and chapters' too (-map_metadata -1); default 0
    int no_chapters;          ///< 1: no chapters (-map_chapters -1); default 0
    int complex_graph;        ///< 1: the ffmpeg form's video comes out of -filter_complex (RdTracksConfig.video_from_graph); default 0
    int audio_graph;          ///< 1: the ffmpeg form's audio comes out of -filter_complex's audio branch (af holds it; RdTracksConfig.audio_from_graph); default 0
    const RdPerStream *audio_at; ///< -c:a:N, -b:a:N (RdTracksConfig.audio_at); not owned; NULL = none
    int naudio_at;
    const RdPerStream *sub_at;   ///< -c:s:N (RdTracksConfig.sub_at); not owned; NULL = none
    int nsub_at;
    const char *first_only;   ///< RdTracksConfig.first_only; NULL = none
    int approx_note;          ///< 1: one line says so when the graph is approximated per chunk (recursive filters: hqdn3d), as the ffmpeg form promises the CLI's frames; 0 (default): the report only
    int hdr10_as_ffmpeg;      ///< 1: HDR10 metadata as the ffmpeg CLI 5.1 re-encodes (the ffmpeg form): the input stream's side data copied to the output stream, none read from the first frame's SEI, none given to the encoder; 0 (default): found in either and carried to both
    int fields_as_ffmpeg;     ///< 1: the output's field order is the first encoded frame's and fields are coded only where the user's -flags ask, as the ffmpeg CLI 5.1 (the ffmpeg form); 0 (default): an interlaced input's field order kept and coded as fields where the encoder can
    int copy_exact;           ///< 1: -c:a/-c:s copy fail when the container cannot hold the codec, as ffmpeg; 0 (default): converted with a note
    unsigned no_default_enc;  ///< RD_NO_DEFAULT_AUDIO / _SUBS: acodec or scodec is "none" only because the output format has no default encoder of that type and none was given (the ffmpeg form): a stream of that type the maps name is refused, as the CLI fails to choose an encoder for it; RD_COVER_ENCODED: a video encoder in the ffmpeg form, a mapped cover picture is refused (streams/tracks.h)
    const RdStreamSet *stream_sets; ///< -metadata:s:SPEC and -disposition:SPEC, in order; not owned; may be NULL
    int nstream_sets;         ///< number of stream_sets
    int split_time;           ///< 1 = chunks of equal frame counts; 0 (default) = of equal estimated cost
    int split_scenes;         ///< 1 = chunk starts moved to scene cuts, found from the index and a parallel pixel measure (--split scenes, scenes.h); 0 (default) = cuts the index shows only
    int preroll;              ///< pre-roll of recursive filters (hqdn3d), frames, 0..1000, and at least this much before every chunk; -1 = auto (RD_RECURSIVE_PREROLL; other filters get their own look-back, contract.h)
    int exact;                ///< 1 = a graph that chunks only approximate (recursive filters) runs as one chunk (--exact); 0 (default) = chunked
    int overwrite;            ///< 1 = replace an existing OUTPUT (-y)
    double limit_s;           ///< process only the first limit_s seconds; 0 = all
    double seek_out_s;        ///< the output's -ss (ffmpeg form), seconds, included in seek_s: ffmpeg decodes from the start and drops the graph's output before it; done as an input seek through a graph of frame-local or window filters that keep times; any other graph runs from the input's own start and ends in ffmpeg's output trim (outseek.h); 0 (default) = none
    double itsoffset_s;       ///< -itsoffset T before -i (ffmpeg form): every stream of the input T later in the output (ffmpeg adds T to the input's timestamps; the frame sync then fills or not the start as it does any gap); 0 = none
    double in_limit_s;        ///< the input's -t (ffmpeg form): counted from the first frame at or after the input's own -ss (seek_s - seek_out_s); limit_s holds the smaller of the limits (this one less seek_out_s); 0 = none
    double out_limit_s;       ///< the output's -t (ffmpeg form): counted from the output's start (the input's start plus seek_s), where ffmpeg counts it, not from the first frame; limit_s holds the smaller of both; 0 = none
    double seek_s;            ///< input -ss: the input starts seek_s seconds after its start (frames before are decoded and dropped, output times start there, at 0); 0 = none
    int quiet;                ///< 1 = no warnings on stderr (errors still returned)
    int strict;               ///< 1 = frames missing or undecodable (damage) are an error, not a warning (--strict)
    int resume;               ///< 1 = journal finished chunks in OUTPUT.journal and reuse a matching journal's (--resume; resume.h); 0 (default) = no journal
    RdProgress *progress;     ///< live counters for a dashboard; may be NULL; not owned
    _Atomic int *cancel;      ///< when set non-zero (e.g. by a SIGINT handler) the run stops with AVERROR_EXIT; may be NULL
    int64_t vbitrate;         ///< -b:v: video bitrate over the whole file, bits/s, >= 0; 0 (default) = none (the encoder's own rate control: CRF for x264)
    int64_t maxrate;          ///< -maxrate: VBV peak rate, bits/s, >= 0; 0 (default) = none
    int64_t bufsize;          ///< -bufsize: VBV buffer, bits, >= 0; 0 (default) = none
    int two_pass;             ///< --two-pass: 1 = analyse every chunk first, then share vbitrate's bits among the chunks by their complexity (libx264); default 0
    int64_t target_size;      ///< --target-size: size of the whole OUTPUT, bytes, >= 0; 0 (default) = none. Implies two passes
    int pass;                 ///< -pass (ffmpeg form, libx264 with -b:v; passlog.h): 1 = the first pass only, its stats kept in `passlog` (OUTPUT gets the pass-1 encode); 2 = the second pass from `passlog`, no first pass; 0 (default) = none
    const char *passlog;      ///< with `pass`: the log, PREFIX-0.log (-passlogfile PREFIX, default ffmpeg2pass)
    int null_output;          ///< 1: -f null: OUTPUT is only a name, nothing is written (with -pass 1: but the log); default 0
    int gop;                  ///< -g: frames between keyframes, >= 1; -1 (default) = the encoder's
    int keyint_min;           ///< -keyint_min: least frames between keyframes, >= 1; -1 (default) = the encoder's
    int sc_threshold;         ///< -sc_threshold: scene-cut threshold, 0 = no scene-cut keyframes; -1 (default) = the encoder's
    int enc_threads;          ///< output -threads: 0 (default) = auto, as the CLI; only encoders whose slices follow their threads use it (encode.h)
    int dec_threads;          ///< input -threads: the CLI's video decoder's count, 0 (default) = auto; its delay decides the CLI's MPEG-TS start corrections (tsjump.h), not the frames
    const char *allow_filters;///< comma-separated filters allowed to open sockets or load plugins (--allow-filter); NULL = none
    const char *sidecar[RD_SIDECARS]; ///< other files the caller writes (RD_SIDECAR_REPORT ...), NULL = none; checked like OUTPUT before anything is opened
} RdSettings;

/** Fill `s` with the defaults documented above. */
void rd_settings_defaults(RdSettings *s);

/**
 * Render s->input to s->output. Fills `rep` (caller frees with
 * rd_report_free). Returns 0, or a negative AVERROR; on failure no OUTPUT
 * and no temporary file are left, and `errbuf` (may be NULL) receives a
 * human-readable reason when the AVERROR code alone would be vague.
 */
int rd_engine_run(const RdSettings *s, RdReport *rep, char *errbuf, int errbuf_size);

/**
 * --dry-run: probe and plan s->input as rd_engine_run() would for
 * s->workers (any count; no thread is started), and fill `rep` with the
 * input and the planned chunks (rep->dry_run = 1). Nothing is written: no
 * OUTPUT, no temporary file. Returns 0 or a negative AVERROR, with a reason
 * in errbuf as rd_engine_run().
 */
int rd_engine_plan(const RdSettings *s, RdReport *rep, char *errbuf, int errbuf_size);

/*
 * The same run in steps, for drivers other than the OpenMP loop (render-mpi):
 * open (probe, plan, declare the output), run each chunk anywhere and
 * submit its packets (any order, any thread), close (finish or clean up).
 */
typedef struct RdEngine RdEngine;
struct RdChunkJob;
struct RdChunkShared;
struct RdChunkResult;

/** Probe, plan, open the output. On failure `err` is set; rd_engine_close() is still required. */
int rd_engine_open(RdEngine **e, const RdSettings *s, RdReport *rep, char *err, int errlen);

int rd_engine_nchunks(const RdEngine *e);
const struct RdChunkJob *rd_engine_job(const RdEngine *e, int i);
const struct RdChunkShared *rd_engine_shared(const RdEngine *e);
/** The settings with defaults resolved (workers, chunk factor). */
const RdSettings *rd_engine_settings(const RdEngine *e);

/** 1 when chunk i was taken from the --resume journal: it is not to be run. */
int rd_engine_resumed(const RdEngine *e, int i);

/** Hand over a finished chunk (ownership of `res`, allocated with av_malloc); it is muxed as soon as every earlier chunk is. Thread-safe. */
void rd_engine_submit(RdEngine *e, struct RdChunkResult *res, int worker, double t_start, double t_end);

/** Record a failure; later chunks should not start. Thread-safe. */
void rd_engine_fail(RdEngine *e, int ret, const char *detail);

/** 1 after a failure was recorded. */
int rd_engine_stopped(RdEngine *e);

/** Finish the output (or, after a failure, remove the temporary file) and free. Returns 0 or the run's error. */
int rd_engine_close(RdEngine **e, char *err, int errlen);

#endif
