/*
 * ffopts.h - the ffmpeg form of the command line:
 *
 *     render [render options] [input options] -i INPUT [output options] OUTPUT
 *
 * read as the ffmpeg CLI (5.1) reads a line with one input and one output:
 * options before -i belong to the input, options after it to the output,
 * the last bare argument is OUTPUT, and every default is ffmpeg's (no
 * filter, the container's default encoders, ffmpeg's stream selection).
 * render's own options (-w, --chunks, --report, --dry-run ...) may stand
 * anywhere.
 *
 * As in fftools/ffmpeg_opt.c, ffmpeg's own options are rows of one table
 * (ffopts_table.c: name, where the option may stand, what it does), and
 * any other -name is looked up as an AVOption of the chosen encoders
 * (their private classes first, then AVCodecContext's) or of the muxer.
 * An option that is neither, or that render cannot do yet, is refused:
 * never ignored.
 */
#ifndef RD_FFOPTS_H
#define RD_FFOPTS_H

#include <libavformat/avformat.h>
#include <libavutil/dict.h>

#include "engine/engine.h"

#define RD_FF_MAX_PENDING 256

/** An AVOption given as -name[:spec] value, resolved once the encoders are known. */
typedef struct RdFfPending {
    const char *name;            ///< option name, no dash, no stream specifier
    char spec;                   ///< 0 = every stream, 'v' or 'a'
    const char *value;
    const char *arg;             ///< the word as typed, for messages
} RdFfPending;

/** Streams of a type -c:a:N and -b:a:N can name (N below it). */
#define RD_FF_PER_STREAM 32

/** What the ffmpeg form owns while it fills RdSettings (everything is freed by rd_ff_free). */
typedef struct RdFf {
    int active;                  ///< 1: the line has -i (ffmpeg form)
    int seen_input;              ///< -i was read: options now belong to the output
    int out_opts;                ///< options read after -i
    const char *input2;          ///< a second -i: an image -filter_complex overlays ([1:v]), or NULL
    const char *output;          ///< the last bare argument
    int outputs;                 ///< bare arguments after -i
    const char *vf;              ///< -vf / -filter:v, or NULL
    const char *complex_text;    ///< -filter_complex as typed, or NULL
    char *complex;               ///< -filter_complex, rewritten to [in] ... [out] labels (rd_ff_complex); owned
    char *complex_out;           ///< the graph's output label ("v" for [v]), "" for none; owned
    const char *map_label;       ///< -map "[v]": an output of the graph, or NULL
    int map_label_at;            ///< how many other maps came before map_label
    const char *map_label2;      ///< a second -map "[a]" (the audio branch's, ffabranch.c), or NULL
    int map_label2_at;           ///< how many other maps came before map_label2
    char *complex_rest;          ///< -filter_complex without its audio branch (complex_text then points here); owned
    char *abranch;               ///< the audio branch as -af takes it; owned
    char *abranch_out;           ///< its output's label; owned
    char *abranch_map;           ///< the stream it filters, as a map ("0:a:0"); owned
    const char *allow_filters;   ///< --allow-filter's list while the line is finished (the graph's pads are read through it); not owned
    RdPerStream aat[RD_FF_PER_STREAM];  ///< -c:a:N, -b:a:N for the N-th audio stream written (the last given wins, as in ffmpeg)
    int naat;
    RdPerStream sat[RD_FF_PER_STREAM];  ///< -c:s:N
    int nsat;
    const char *first_only;      ///< an option given as -OPT:a:0 or :s:0 that render applies to every stream of the type (RdTracksConfig.first_only)
    const char *size;            ///< -s WxH, or NULL
    const char *pix_fmt;         ///< -pix_fmt, or NULL
    const char *aspect;          ///< -aspect, or NULL
    const char *sws_flags;       ///< -sws_flags after -i: the video graph's scalers' flags, or NULL
    const char *timecode;        ///< -timecode: also the video encoder's gop_timecode where it has one, or NULL
    int noautorotate;            ///< -noautorotate: keep the pixels, carry the rotation
    int scodec_typed;            ///< -c:s / -scodec was given (a bare -c names no subtitle codec to ffmpeg's selection)
    char *graph;                 ///< the video graph built from the above; owned
    double t[2], to[2];          ///< -t and -to, seconds, [0] input, [1] output; 0 = none
    double ss[2];                ///< -ss, seconds, [0] input, [1] output; 0 = none
    int ss_in_given;             ///< -ss was given before -i (even 0: it wins over -sseof)
    int has_sseof;               ///< -sseof was given
    int64_t sseof_us;            ///< -sseof, microseconds, < 0
    const char *q, *qv, *qa;     ///< -q (every stream), -q:v, -q:a
    AVDictionary *venc;          ///< video encoder options; s->venc_opts points here
    AVDictionary *aenc;          ///< audio encoder options; s->aenc_opts points here
    AVDictionary *mux;           ///< muxer options; s->mux_opts points here
    AVDictionary *demux;         ///< the input's demuxer options (before -i: -framerate, -video_size ...); handed to io/demuxopts.h
    const char *in_format;       ///< -f before -i, or NULL
    const char *in_rate;         ///< -r before -i, or NULL: taken for an image sequence (image2), where it is -framerate (input_rate in ffopts.c)
    struct AVFormatContext *look;///< the input opened once while the line is read (look()), closed when rd_ff_finish returns
    int looked;                  ///< look() has tried to open it
    AVDictionary *meta;          ///< -metadata K=V (global); s->metadata points here
    RdStreamSet *sets;           ///< -metadata:s:..., -disposition:...; owned
    int nsets;
    int shortest;                ///< -shortest was given (ffopts_ext.c: rd_ffx_check_shortest)
    int fps_mode_given;          ///< -fps_mode was given: it wins over -vsync, wherever they stand
    int pass;                    ///< -pass 1 or 2; 0 = none
    const char *passlog_prefix;  ///< -passlogfile PREFIX, or NULL (ffmpeg2pass)
    char *passlog;               ///< PREFIX-0.log; owned
    RdFfPending pending[RD_FF_MAX_PENDING];
    int npending;
} RdFf;

/** 1 when argv reads as the ffmpeg form (it has -i). */
int rd_ff_detect(int argc, char **argv);

/**
 * Read the option at argv[*i] if it is one of ffmpeg's (advancing *i past
 * its value). Returns 0 when taken, 1 when it is not ffmpeg's (the caller
 * tries render's own options), or AVERROR(EINVAL) with one line in err.
 */
int rd_ff_option(RdFf *f, RdSettings *s, int argc, char **argv, int *i, char *err, int errlen);

/** A bare argument: INPUT is given by -i, so it is OUTPUT. Returns 0 or AVERROR(EINVAL). */
int rd_ff_positional(RdFf *f, const char *arg, char *err, int errlen);

/**
 * After the whole line: choose the encoders as ffmpeg does (-c:v, else the
 * container's default), resolve the pending AVOptions against them, build
 * the video graph (-vf or -filter_complex, then -s, -pix_fmt, -aspect) and
 * point the settings at what `f` owns. Returns 0 or AVERROR(EINVAL) with
 * one line in err.
 */
int rd_ff_finish(RdFf *f, RdSettings *s, char *err, int errlen);

void rd_ff_free(RdFf *f);

/**
 * ffcomplex.c: -filter_complex bound to the inputs: its [0:v] (or its only
 * unlabelled input) becomes [in]; a second input (f->input2), a still
 * image that OUTPUT is not, is read by a movie source in the graph, for
 * its [1:v] (or the first filter's second unlabelled input); its output
 * becomes [ffout] (f->complex_out: the label as typed). Nothing to do
 * without a graph, except refusing a second input. Returns 0 or a negative
 * AVERROR with one line in err.
 */
int rd_ff_complex(RdFf *f, const char *output, char *err, int errlen);

/**
 * Build graph `desc` only to read its open pads (ffcomplex.c), never
 * opening what its filters would read, write or connect to: it goes
 * through the filter table's checks first (engine/filterfx.h
 * rd_filterfx_inert, with f->allow_filters), and files it would write
 * are /dev/null. *g, *ins, *outs are the caller's to free, also on failure.
 * Returns 0 or a negative AVERROR with one line in err.
 */
struct AVFilterGraph;
struct AVFilterInOut;
int rd_ff_graph_pads(const RdFf *f, const char *desc, struct AVFilterGraph **g, struct AVFilterInOut **ins,
                     struct AVFilterInOut **outs, char *err, int errlen);

/**
 * ffabranch.c: a part of -filter_complex that filters input 0's audio
 * ([0:a] ... [a], sharing no label with the video's) becomes -af (s->af)
 * and -map "[a]" a map of that stream, at its place among the maps; the
 * rest stays f->complex_text for rd_ff_complex. Refused in err: a part
 * that takes both, an audio part that is not one chain from [0:a] to its
 * label, -af beside it, other audio mapped, its output not mapped.
 * Returns 0 or a negative AVERROR.
 */
int rd_ff_audio_branch(RdFf *f, RdSettings *s, char *err, int errlen);

/**
 * ffcopy.c: with -c:v copy (a remux), refuse in one line whatever would
 * filter or encode the video (-vf, -s, -crf, -b:v, -frames:v ...).
 * Returns 0 or AVERROR(EINVAL) with the line in err.
 */
int rd_ff_check_copy(const RdFf *f, const RdSettings *s, char *err, int errlen);

/**
 * ffpass.c: -pass and -passlogfile, once the video encoder is known and
 * `of` is the output format: the log's name into s->passlog, the checks
 * (libx264 with -b:v; -f null only for -pass 1). Returns 0 or
 * AVERROR(EINVAL) with one line in err.
 */
int rd_ff_check_pass(RdFf *f, RdSettings *s, const AVOutputFormat *of, char *err, int errlen);

/**
 * ffseek.c: -sseof, once the input is known: ss[0] becomes the input's
 * duration less T, read as ffmpeg reads it (ignored with a warning line,
 * as ffmpeg, when -ss is given too, the duration is unknown or the point
 * is before the start). An input that cannot be opened is left to the
 * engine's own line. Returns 0.
 */
int rd_ff_resolve_sseof(RdFf *f, const RdSettings *s, char *err, int errlen);

/* ffopts_table.c: the rows and their handlers. */
typedef struct RdFfOpt RdFfOpt;

/** The row for NAME (no dash, no stream specifier), or NULL. */
const RdFfOpt *rd_ff_find(const char *name);

/**
 * Apply row `o` to its value `val` (NULL for an option without one); `spec`
 * is what followed the name after ':' ("" for none). Returns 0 or
 * AVERROR(EINVAL) with one line in err.
 */
int rd_ff_apply(const RdFfOpt *o, RdFf *f, RdSettings *s, const char *spec, const char *val,
                char *err, int errlen);

/** 1 when row `o` takes a value. */
int rd_ff_has_arg(const RdFfOpt *o);

/** Where row `o` may stand: RD_FF_IN, RD_FF_OUT or both. */
int rd_ff_where(const RdFfOpt *o);

/** Row i of the table (NULL past its end), for tests and --help. */
const RdFfOpt *rd_ff_row(int i);
/** A row's name; and its refusal reason, NULL when render supports it. */
const char *rd_ff_name(const RdFfOpt *o);
const char *rd_ff_refusal(const RdFfOpt *o);

#define RD_FF_IN  1
#define RD_FF_OUT 2

#endif
