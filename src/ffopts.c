#include "ffopts.h"
#include "io/demuxopts.h"
#include "io/input.h"
#include "io/paths.h"
#include "ffopts_ext.h"
#include "streams/tracks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/avstring.h>
#include <libavutil/bprint.h>
#include <libavutil/parseutils.h>
#include <libavutil/opt.h>

int rd_ff_detect(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "-i"))
            return 1;
    return 0;
}

/* "-c:v" -> name "c", spec "v"; "-metadata:s:a:0" -> "metadata", "s:a:0". */
static void split_name(const char *arg, char *name, int len, const char **spec)
{
    const char *colon = strchr(arg + 1, ':');
    int n = colon ? (int)(colon - arg - 1) : (int)strlen(arg + 1);
    snprintf(name, len, "%.*s", n, arg + 1);
    *spec = colon ? colon + 1 : "";
}

/* ffmpeg's -q N and render's -q (quiet) share a name: with a number after
 * it, it is ffmpeg's; -v LEVEL and render's -v likewise. */
static int is_number(const char *s)
{
    char *end;
    if (!s || !*s)
        return 0;
    strtod(s, &end);
    return !*end;
}

static int is_level(const char *s)
{
    static const char *const names[] = { "quiet", "panic", "fatal", "error", "warning", "info",
                                         "verbose", "debug", "trace", NULL };
    if (!s)
        return 0;
    if (is_number(s))
        return 1;
    while (*s == '+' || !strncmp(s, "repeat+", 7) || !strncmp(s, "level+", 6))
        s = strchr(s, '+') + 1;
    for (int i = 0; names[i]; i++)
        if (!strcmp(s, names[i]))
            return 1;
    return 0;
}

static int pend(RdFf *f, const char *name, const char *spec, const char *val, const char *arg,
                char *err, int errlen)
{
    RdFfPending *p;
    if (f->npending >= RD_FF_MAX_PENDING) {
        snprintf(err, errlen, "%s: too many options", arg);
        return AVERROR(EINVAL);
    }
    if (*spec && strcmp(spec, "v") && strcmp(spec, "a") && strcmp(spec, "v:0") && strcmp(spec, "a:0")) {
        snprintf(err, errlen, "%s: render takes encoder options for the video (:v) and for every "
                 "audio track (:a)", arg);
        return AVERROR(EINVAL);
    }
    p = &f->pending[f->npending++];
    p->name = name;
    p->spec = spec[0];
    p->value = val;
    p->arg = arg;
    return 0;
}

/* Before -i, an option that is not ffmpeg's own goes to the demuxer, as
 * ffmpeg passes it (-framerate 24 for an image sequence, -video_size for
 * raw video, -fflags +genpts): known to some demuxer or libavformat, and
 * taken by the input's, or refused when the input is opened. */
static int demux_option(RdFf *f, const char *arg, const char *next, int *i, char *err, int errlen)
{
    const char *name = arg + 1;
    if (strchr(name, ':') || !rd_demuxopts_known(name)) {
        snprintf(err, errlen, "unknown option '%s' before -i (no demuxer takes it; see --help)", arg);
        return AVERROR(EINVAL);
    }
    /* The protocols are render's to restrict (--protocols), not the line's. */
    if (strstr(name, "protocol") || !strcmp(name, "safe") ||
        !strcmp(name, "allowed_extensions") || !strcmp(name, "allowed_segment_extensions")) {
        snprintf(err, errlen, "%s before -i: what the input may open is set with --protocols", arg);
        return AVERROR(EINVAL);
    }
    if (!next) {
        snprintf(err, errlen, "option %s needs a value", arg);
        return AVERROR(EINVAL);
    }
    ++*i;
    return av_dict_set(&f->demux, name, next, 0);
}

int rd_ff_option(RdFf *f, RdSettings *s, int argc, char **argv, int *i, char *err, int errlen)
{
    const char *arg = argv[*i], *spec, *val = NULL, *next = *i + 1 < argc ? argv[*i + 1] : NULL;
    char name[64];
    const RdFfOpt *o;
    int where = f->seen_input ? RD_FF_OUT : RD_FF_IN;

    if (arg[0] != '-' || !arg[1] || arg[1] == '-')
        return 1;
    /* render's own short options, which ffmpeg does not have */
    if (!strcmp(arg, "-o") || !strcmp(arg, "-w") || !strcmp(arg, "-h") ||
        (!strcmp(arg, "-q") && !is_number(next)) || (!strcmp(arg, "-v") && !is_level(next)))
        return 1;
    split_name(arg, name, sizeof(name), &spec);
    if (f->seen_input && strcmp(name, "i"))
        f->out_opts++;
    if ((o = rd_ff_find(name))) {
        int ret;
        if (rd_ff_refusal(o))
            return rd_ff_apply(o, f, s, spec, NULL, err, errlen);
        if (f->output) {
            snprintf(err, errlen, "%s after OUTPUT %s: ffmpeg would ignore it; put it before OUTPUT",
                     arg, f->output);
            return AVERROR(EINVAL);
        }
        if (!(rd_ff_where(o) & where)) {
            snprintf(err, errlen, "%s is an %s option: put it %s -i", arg,
                     where == RD_FF_IN ? "output" : "input", where == RD_FF_IN ? "after" : "before");
            return AVERROR(EINVAL);
        }
        if (rd_ff_has_arg(o)) {
            if (!next) {
                snprintf(err, errlen, "option %s needs a value", arg);
                return AVERROR(EINVAL);
            }
            val = next;
            ++*i;
        }
        ret = rd_ff_apply(o, f, s, spec, val, err, errlen);
        return ret;
    }
    /* Not ffmpeg's own: an AVOption of an encoder or the muxer, resolved
     * once they are known. Each takes a value. */
    if (!f->seen_input)
        return demux_option(f, arg, next, i, err, errlen);
    if (f->output) {
        snprintf(err, errlen, "%s after OUTPUT %s: ffmpeg would ignore it; put it before OUTPUT", arg, f->output);
        return AVERROR(EINVAL);
    }
    if (!next) {
        snprintf(err, errlen, "unknown option '%s' (see --help)", arg);
        return AVERROR(EINVAL);
    }
    ++*i;
    /* name lives in argv: the pending option points into it */
    {
        const char *colon = strchr(arg + 1, ':');
        char *n = av_strndup(arg + 1, colon ? (size_t)(colon - arg - 1) : strlen(arg + 1));
        int ret;
        if (!n)
            return AVERROR(ENOMEM);
        ret = pend(f, n, spec, next, arg, err, errlen);
        if (ret < 0)
            av_free(n);
        return ret;
    }
}

int rd_ff_positional(RdFf *f, const char *arg, char *err, int errlen)
{
    if (!f->seen_input) {
        snprintf(err, errlen, "'%s' before -i: the input is given with -i, OUTPUT comes last", arg);
        return AVERROR(EINVAL);
    }
    if (f->output) {
        snprintf(err, errlen, "two outputs ('%s' and '%s'): render writes one file", f->output, arg);
        return AVERROR(EINVAL);
    }
    f->output = arg;
    return 0;
}

/* 1 when class `cls` has option `name` of the wanted kind. */
static int has_option(const AVClass *cls, const char *name, int flags)
{
    const AVOption *o;
    if (!cls)
        return 0;
    o = av_opt_find(&cls, name, NULL, 0, AV_OPT_SEARCH_FAKE_OBJ);
    return o && (!flags || (o->flags & flags) == flags);
}

static int codec_has(const AVCodec *c, const char *name)
{
    int media = c->type == AVMEDIA_TYPE_VIDEO ? AV_OPT_FLAG_VIDEO_PARAM : AV_OPT_FLAG_AUDIO_PARAM;
    return has_option(c->priv_class, name, 0) ||
           has_option(avcodec_get_class(), name, AV_OPT_FLAG_ENCODING_PARAM | media);
}

static const AVCodec *encoder(const char *name)
{
    return name && strcmp(name, "copy") && strcmp(name, "none") ? avcodec_find_encoder_by_name(name) : NULL;
}

/* An AVOption to the encoders that have it (video, audio), else the muxer. */
static int resolve(RdFf *f, const RdFfPending *p, const RdSettings *s, const AVOutputFormat *of,
                   char *err, int errlen)
{
    const AVCodec *vc = encoder(s->vcodec), *ac = encoder(s->acodec);
    int used = 0, ret;

    if (p->spec != 'a' && vc && codec_has(vc, p->name)) {
        if ((ret = av_dict_set(&f->venc, p->name, p->value, 0)) < 0)
            return ret;
        used = 1;
    }
    if (p->spec != 'v' && ac && codec_has(ac, p->name)) {
        if ((ret = av_dict_set(&f->aenc, p->name, p->value, 0)) < 0)
            return ret;
        used = 1;
    }
    if (!used && !p->spec && (has_option(of->priv_class, p->name, 0) ||
                              has_option(avformat_get_class(), p->name, AV_OPT_FLAG_ENCODING_PARAM))) {
        if ((ret = av_dict_set(&f->mux, p->name, p->value, 0)) < 0)
            return ret;
        used = 1;
    }
    if (used)
        return 0;
    {
        const AVClass *any = avcodec_get_class();
        const AVCodec *mine = p->spec == 'a' ? ac : vc;
        const char *kind = p->spec == 'a' ? "audio" : "video";
        if (av_opt_find(&any, p->name, NULL, 0, AV_OPT_SEARCH_FAKE_OBJ | AV_OPT_SEARCH_CHILDREN)) {
            const char *named = p->spec == 'a' ? s->acodec : s->vcodec;
            if (!mine && p->spec != 'a' && s->no_video)
                snprintf(err, errlen, "%s: there is no video (-vn, or a format ffmpeg writes the audio alone "
                         "into) to encode", p->arg);
            else if (mine)
                snprintf(err, errlen, "%s: the %s encoder %s has no such option", p->arg, kind, mine->name);
            else if (named && strcmp(named, "copy") && strcmp(named, "none"))
                snprintf(err, errlen, "-c:%c: no %s encoder '%s'", p->spec == 'a' ? 'a' : 'v', kind, named);
            else
                snprintf(err, errlen, "%s: no %s encoder takes it (-c:%c %s)", p->arg, kind,
                         p->spec == 'a' ? 'a' : 'v', p->spec == 'a' ? s->acodec : s->vcodec);
        } else
            snprintf(err, errlen, "unknown option '%s' (see --help)", p->arg);
    }
    return AVERROR(EINVAL);
}

/* -q: fixed quality, as ffmpeg sets it (flags +qscale, lambda units). */
static int set_q(AVDictionary **d, const char *q)
{
    int ret;
    if (!q)
        return 0;
    if ((ret = av_dict_set(d, "flags", "+qscale", AV_DICT_APPEND)) < 0)
        return ret;
    return av_dict_set_int(d, "global_quality", (int64_t)(FF_QP2LAMBDA * atof(q)), 0);
}

/* The default encoder of the container for a type, as ffmpeg picks it. */
static const char *default_encoder(enum AVCodecID id)
{
    const AVCodec *c = id != AV_CODEC_ID_NONE ? avcodec_find_encoder(id) : NULL;
    return c ? c->name : NULL;
}

/* Where ffmpeg's stream selection writes no video, neither does render:
 * -vn, a format without a video codec (wav, opus, adts), and one that
 * takes pictures only as cover art (mp3: ffmpeg picks no video stream that
 * is not an attached picture; an input with one, whose picture ffmpeg
 * would write, is refused in the pass, remux.c). What would set the video
 * is refused, as never ignored (ffmpeg would warn or drop it silently). */
/* The input, opened once for a look while the line is read (is there a
 * video, an image sequence, the type of -map 0:N), NULL when it cannot
 * be. As ffseek.c does, a FIFO (the open would block), "-" (it would read
 * stdin) or a protocol not allowed is not opened here: the run refuses it
 * in its own line before anything is read (io/paths.h). */
static const AVFormatContext *look(RdFf *f, const char *input)
{
    char why[256];
    if (!f->looked) {
        f->looked = 1;
        if (!input || rd_paths_check(input, NULL, NULL, 0, 1, why, sizeof(why)) < 0 ||
            rd_input_open(&f->look, input, -1) < 0)
            f->look = NULL;
    }
    return f->look;
}

/* The type of the stream a map names by its index (-map 0:1), from the
 * input; AVMEDIA_TYPE_UNKNOWN when there is none. */
static enum AVMediaType indexed_type(RdFf *f, const RdSettings *s, const char *m)
{
    const AVFormatContext *ic;
    char *end;
    long i = strtol(m + 2, &end, 10);
    if (*end && strcmp(end, "?"))
        return AVMEDIA_TYPE_UNKNOWN;
    ic = look(f, s->input);
    return ic && i >= 0 && i < (long)ic->nb_streams ? ic->streams[i]->codecpar->codec_type
                                                    : AVMEDIA_TYPE_UNKNOWN;
}

/* A map by tag or stream id (0:m:language:fre, 0:#0x101): 1 when it names
 * a video stream of the input, 0 other streams only, -1 none (or the input
 * is unknown). */
static int tail_names_video(RdFf *f, const RdSettings *s, const char *m)
{
    /* (libavformat's matcher takes a context it does not change) */
    AVFormatContext *ic = (AVFormatContext *)look(f, s->input);
    char spec[256];
    int other = 0, n = (int)strlen(m) - (m[0] && m[strlen(m) - 1] == '?');
    if (!ic || n <= 0 || n >= (int)sizeof(spec))
        return -1;
    memcpy(spec, m, n);
    spec[n] = 0;
    for (unsigned i = 0; i < ic->nb_streams; i++)
        if (avformat_match_stream_specifier(ic, ic->streams[i], spec) > 0) {
            if (ic->streams[i]->codecpar->codec_type == AVMEDIA_TYPE_VIDEO)
                return 1;
            other = 1;
        }
    return other ? 0 : -1; /* naming none, it is refused as such later */
}

/* Every -map names streams of another type than video (0:a, 0:s:1, or a
 * stream index the input's audio has): ffmpeg then writes no video. */
static int maps_no_video(RdFf *f, const RdSettings *s)
{
    int positive = 0, none = 1;
    if (s->map_video)
        return 0;
    for (int i = 0; none && i < s->nmaps; i++) {
        const char *m = s->maps[i];
        enum AVMediaType t;
        if (m[0] == '-')
            continue;
        positive++;
        if (!strncmp(m, "0:", 2) && m[2] && strchr("asdt", m[2]))
            continue;
        if (!strncmp(m, "0:", 2) && (m[2] == '#' || ((m[2] == 'm' || m[2] == 'i') && m[3] == ':'))) {
            none = tail_names_video(f, s, m + 2) == 0;
            continue;
        }
        t = !strncmp(m, "0:", 2) && m[2] >= '0' && m[2] <= '9' ? indexed_type(f, s, m) : AVMEDIA_TYPE_UNKNOWN;
        none = t != AVMEDIA_TYPE_UNKNOWN && t != AVMEDIA_TYPE_VIDEO;
    }
    return none && positive > 0;
}

/* The input has no video stream at all (a song, a recording): ffmpeg's
 * selection then writes the other streams alone. An input that cannot be
 * opened here says why later, where it is opened for the run. */
static int input_without_video(RdFf *f, const RdSettings *s)
{
    const AVFormatContext *ic = look(f, s->input);
    for (unsigned i = 0; ic && i < ic->nb_streams; i++)
        if (ic->streams[i]->codecpar->codec_type == AVMEDIA_TYPE_VIDEO)
            return 0;
    return ic != NULL;
}

static int check_video_place(RdFf *f, RdSettings *s, const AVOutputFormat *of, char *err, int errlen)
{
    const char *why = s->no_video ? "-vn" : maps_no_video(f, s) ? "-map" : input_without_video(f, s) ? "-i" : NULL;
    enum AVCodecID vid = av_guess_codec(of, NULL, s->output, NULL, AVMEDIA_TYPE_VIDEO);
    if (!why && vid == AV_CODEC_ID_NONE)
        why = "holds no video";
    else if (!why && avformat_query_codec(of, vid, FF_COMPLIANCE_NORMAL) == MKTAG('A', 'P', 'I', 'C'))
        why = "holds pictures only as cover art";
    if (!why)
        return 0;
    s->cover_only = !s->no_video && *why != '-' && vid != AV_CODEC_ID_NONE;
    s->no_video = 1;
    /* (a copy sets nothing: -c copy names every stream's codec at once) */
    if ((s->vcodec && strcmp(s->vcodec, "copy")) || f->vf || f->complex || f->map_label || f->size || f->pix_fmt || f->aspect || f->qv ||
        s->max_vframes > 0 || s->vbitrate > 0 || s->two_pass || s->target_size > 0 || s->maxrate > 0 ||
        s->bufsize > 0 || s->crf >= 0 || s->preset || s->gop >= 0 || s->keyint_min >= 0 ||
        s->sc_threshold >= 0 || s->force_kf) {
        if (!strcmp(why, "-i"))
            snprintf(err, errlen, "%s has no video stream: there is no video to encode or filter", s->input);
        else if (*why == '-')
            snprintf(err, errlen, "%s with a video option: there is no video to %s", why,
                     !strcmp(why, "-vn") ? "encode or filter" : "encode or filter (the maps select none)");
        else
            snprintf(err, errlen, "%s: the %s format %s, so ffmpeg writes no video and ignores the video "
                     "options; render refuses them", s->output, of->name, why);
        return AVERROR(EINVAL);
    }
    s->vcodec = "copy"; /* nothing to encode: the one pass of remux.h */
    return 0;
}

/* libavformat's image readers: image2 (a numbered sequence) and the
 * pipe readers of one picture format (png_pipe reads a single .png). */
static int is_image_demuxer(const char *name)
{
    size_t n = strlen(name);
    return !strcmp(name, "image2") || (n > 5 && !strcmp(name + n - 5, "_pipe"));
}

/* -r before -i: ffmpeg 5.1 numbers the decoded frames from 0 at that rate
 * (and hands the rate to a demuxer -f names, when it has the option). An
 * image sequence's frames are already numbered from 0 at its -framerate,
 * so there -r is -framerate. Another input's timestamps would be
 * replaced, which render does not do. */
static int input_rate(RdFf *f, RdSettings *s, char *err, int errlen)
{
    const AVFormatContext *ic;
    int image2, ret;
    if (!f->in_rate)
        return 0;
    if (!(ic = look(f, s->input)))
        return 0; /* the run says in its own line why the input cannot be read */
    image2 = is_image_demuxer(ic->iformat->name) && !av_dict_get(f->demux, "ts_from_file", NULL, 0);
    /* With an output -r as well, the CLI's frame sync takes the first
     * frame's duration from the demuxer's own rate (25 when -f is not
     * given), not from -r: its duplicates differ from -framerate's. */
    if (image2 && s->rate.num > 0) {
        snprintf(err, errlen, "-r %s before -i with -r after it: not supported yet (the CLI's frame sync "
                 "then differs from -framerate's); give -framerate %s before -i", f->in_rate, f->in_rate);
        return AVERROR(EINVAL);
    }
    if (!image2) {
        snprintf(err, errlen, "-r %s before -i: render takes it for an image sequence (as -framerate); "
                 "renumbering %s's frames is not supported yet (after -i, -r sets the output's rate)",
                 f->in_rate, s->input);
        return AVERROR(EINVAL);
    }
    if ((ret = av_dict_set(&f->demux, "framerate", f->in_rate, 0)) < 0 ||
        (ret = rd_demuxopts_set(s->input, f->in_format, f->demux)) < 0)
        return ret;
    return 0;
}

/* The video graph: -vf or -filter_complex, then what -s, -pix_fmt and
 * -aspect add after it, in the order ffmpeg's output filter adds them. A
 * labelled graph output ([v], renamed [ffout]) leads into them, or into a
 * null filter, whose output is the chunk's sink. */
static int build_graph(RdFf *f, char *err, int errlen)
{
    AVBPrint b;
    const char *base = f->complex ? f->complex : f->vf;
    int labelled = f->complex && *f->complex_out;
    int tail = f->size || f->pix_fmt || f->aspect;

    if (f->vf && f->complex) {
        snprintf(err, errlen, "-vf and -filter_complex both filter the video: give one graph");
        return AVERROR(EINVAL);
    }
    if (f->map_label && (!labelled || strlen(f->map_label) != strlen(f->complex_out) + 2 ||
                         strncmp(f->map_label + 1, f->complex_out, strlen(f->complex_out)))) {
        snprintf(err, errlen, "-map %s: no such output of -filter_complex", f->map_label);
        return AVERROR(EINVAL);
    }
    av_bprint_init(&b, 0, AV_BPRINT_SIZE_UNLIMITED);
    /* libavfilter's own prefix: the graph's scale_sws_opts, which its scale
     * filters without flags of their own and its automatic conversions take */
    if (f->sws_flags)
        av_bprintf(&b, "sws_flags=%s;", f->sws_flags);
    if (labelled)
        av_bprintf(&b, "%s;[ffout]%s", base, tail ? "" : "null");
    else if (base && *base)
        av_bprintf(&b, "%s%s", base, tail ? "," : "");
    else if (!tail)
        av_bprintf(&b, "null");
    if (f->size) {
        int w, h;
        av_parse_video_size(&w, &h, f->size);
        av_bprintf(&b, "scale=%d:%d%s", w, h, f->pix_fmt || f->aspect ? "," : "");
    }
    if (f->pix_fmt)
        av_bprintf(&b, "format=%s%s", f->pix_fmt, f->aspect ? "," : "");
    if (f->aspect) {
        char r[64];
        snprintf(r, sizeof(r), "%s", f->aspect);
        for (char *c = r; *c; c++)
            if (*c == ':')
                *c = '/';
        av_bprintf(&b, "setdar=dar=%s:max=255", r);
    }
    if (labelled)
        av_bprintf(&b, "[out]");
    return av_bprint_finalize(&b, &f->graph) < 0 || !f->graph ? AVERROR(ENOMEM) : 0;
}

/* -t and -to as fftools/ffmpeg_opt.c resolves them for a file: -to T is
 * -t (T - ss), ss being that file's own -ss, an error when T <= ss, and
 * -t wins when a file has both (ffmpeg warns). The input's count from
 * the input's -ss, the output's from the output's. render runs an output
 * -ss as part of the input seek (rd_ff_finish), so both limits are made
 * relative to the whole seek point; as long as the graph keeps times both
 * are upper bounds on the same frames: the smaller holds. */
static int resolve_limit(const RdFf *f, RdSettings *s, char *err, int errlen)
{
    for (int k = 0; k < 2; k++) {
        double ss = f->ss[k], d = f->t[k];
        if (d <= 0 && f->to[k] > 0) {
            if (f->to[k] <= ss) {
                snprintf(err, errlen, "-to %g is not after -ss %g: nothing to write", f->to[k], ss);
                return AVERROR(EINVAL);
            }
            d = f->to[k] - ss;
        }
        if (d > 0 && !k)
            s->in_limit_s = d;
        if (d > 0 && !k && (d -= f->ss[1]) <= 0) {
            snprintf(err, errlen, "the output's -ss %g starts after the input's end (-t/-to): nothing to write",
                     f->ss[1]);
            return AVERROR(EINVAL);
        }
        if (d > 0 && (s->limit_s <= 0 || d < s->limit_s))
            s->limit_s = d;
        if (d > 0 && k)
            s->out_limit_s = d;
    }
    return 0;
}

static int finish_line(RdFf *f, RdSettings *s, char *err, int errlen);

int rd_ff_finish(RdFf *f, RdSettings *s, char *err, int errlen)
{
    int ret = finish_line(f, s, err, errlen);
    avformat_close_input(&f->look); /* the run opens the input again, as it pins it */
    return ret;
}

static int finish_line(RdFf *f, RdSettings *s, char *err, int errlen)
{
    const AVOutputFormat *of;
    int ret;

    if (!f->output && !strcmp(s->output, RD_DEFAULT_OUTPUT)) {
        snprintf(err, errlen, "no OUTPUT: the ffmpeg form ends with the output file");
        return AVERROR(EINVAL);
    }
    if (f->output)
        s->output = f->output;
    /* render's --vf is -vf in this form (the graph is built below, from f->vf) */
    if (s->vf && f->vf && strcmp(s->vf, f->vf)) {
        snprintf(err, errlen, "--vf and -vf both given: give the graph once");
        return AVERROR(EINVAL);
    }
    if (s->vf)
        f->vf = s->vf;
    /* Every open of the input, from here on, reads it as the line says. */
    if ((f->in_format || f->demux) && (ret = rd_demuxopts_set(s->input, f->in_format, f->demux)) < 0) {
        snprintf(err, errlen, "-f %s before -i: no such input format", f->in_format ? f->in_format : "");
        return ret;
    }
    if ((ret = input_rate(f, s, err, errlen)) < 0)
        return ret;
    f->allow_filters = s->allow_filters;
    if ((ret = rd_ff_audio_branch(f, s, err, errlen)) < 0 ||
        (ret = rd_ff_complex(f, s->output, err, errlen)) < 0 ||
        (ret = rd_ffx_check_shortest(f, s, err, errlen)) < 0 ||
        (ret = rd_ffx_check_itsoffset(f, s, err, errlen)) < 0)
        return ret;
    if ((ret = resolve_limit(f, s, err, errlen)) < 0)
        return ret;
    /* After the limits: ffmpeg counts an input -to from 0 with -sseof. */
    if ((ret = rd_ff_resolve_sseof(f, s, err, errlen)) < 0)
        return ret;
    /* ffmpeg's output -ss drops the graph's frames before it and starts
     * the output's times there: through a graph that keeps times, the
     * same as seeking the input that much further (the engine refuses
     * other graphs). */
    s->seek_s = f->ss[0] + f->ss[1];
    s->seek_out_s = f->ss[1];
    if (!(of = av_guess_format(s->oformat, s->oformat ? NULL : s->output, NULL))) {
        snprintf(err, errlen, "%s: unknown output format (name it .mp4, .mkv, ... or give -f)", s->output);
        return AVERROR(EINVAL);
    }
    if ((ret = check_video_place(f, s, of, err, errlen)) < 0)
        return ret;
    /* ffmpeg's choice (choose_encoder): an image's by its name's extension */
    if (!s->vcodec && !(s->vcodec = default_encoder(av_guess_codec(of, NULL, s->output, NULL, AVMEDIA_TYPE_VIDEO)))) {
        snprintf(err, errlen, "%s: the %s format has no default video encoder here; give -c:v", s->output, of->name);
        return AVERROR(EINVAL);
    }
    if (!s->acodec && of->audio_codec == AV_CODEC_ID_NONE) {
        s->acodec = "none";
        s->no_default_enc |= RD_NO_DEFAULT_AUDIO;
    } else if (!s->acodec)
        s->acodec = default_encoder(of->audio_codec);
    if (!s->acodec) {
        snprintf(err, errlen, "%s: the %s format's default audio encoder (%s) is not available; give -c:a or -an",
                 s->output, of->name, avcodec_get_name(of->audio_codec));
        return AVERROR(EINVAL);
    }
    for (int i = 0; s->af && !s->no_audio && i < f->naat; i++)
        if (f->aat[i].codec && !strcmp(f->aat[i].codec, "copy")) {
            snprintf(err, errlen, "-c:a:%d copy with %s: that audio stream is copied, not filtered (filtering and "
                     "streamcopy cannot be used together, as in ffmpeg)", i,
                     f->abranch ? "-filter_complex's audio branch" : "-af");
            return AVERROR(EINVAL);
        }
    if (s->af && !s->no_audio && !strcmp(s->acodec, "copy")) {
        snprintf(err, errlen, "%s with -c:a copy: the audio is copied, not filtered (filtering and streamcopy "
                 "cannot be used together, as in ffmpeg)", f->abranch ? "-filter_complex's audio branch" : "-af");
        return AVERROR(EINVAL);
    }
    if (f->scodec_typed) /* a -c:s takes the first subtitle, whatever its kind (-c copy does not: ffmpeg matches the "s" specifier only) */
        s->ff_select = 2;
    if (!s->scodec && !(s->scodec = default_encoder(of->subtitle_codec))) {
        s->scodec = "none"; /* ffmpeg encodes the subtitle it picks with the container's encoder */
        s->no_default_enc |= RD_NO_DEFAULT_SUBS;
    }
    if (strcmp(s->vcodec, "copy"))
        s->no_default_enc |= RD_COVER_ENCODED;
    if (!strcmp(s->vcodec, "copy") && !s->no_video && (ret = rd_ff_check_copy(f, s, err, errlen)) < 0)
        return ret;
    if ((ret = rd_ff_check_pass(f, s, of, err, errlen)) < 0)
        return ret;
    for (int i = 0; i < f->npending; i++)
        if ((ret = resolve(f, &f->pending[i], s, of, err, errlen)) < 0)
            return ret;
    if (f->timecode && encoder(s->vcodec) && codec_has(encoder(s->vcodec), "gop_timecode") &&
        !av_dict_get(f->venc, "gop_timecode", NULL, 0) &&
        (ret = av_dict_set(&f->venc, "gop_timecode", f->timecode, 0)) < 0)
        return ret;
    if ((ret = set_q(&f->venc, encoder(s->vcodec) ? (f->qv ? f->qv : f->q) : NULL)) < 0 ||
        (ret = set_q(&f->aenc, f->qa ? f->qa : (encoder(s->acodec) ? f->q : NULL))) < 0)
        return ret;
    if (strcmp(s->vcodec, "copy") && (ret = build_graph(f, err, errlen)) < 0)
        return ret;
    s->vf = f->graph; /* NULL for a copy */
    /* ffmpeg's frame sync reads the frames' own durations only without a graph on the line. */
    s->own_duration = !f->vf && !f->complex;
    s->complex_graph = f->complex != NULL;
    s->audio_graph = f->abranch != NULL;
    s->audio_at = f->naat ? f->aat : NULL;
    s->naudio_at = f->naat;
    s->sub_at = f->nsat ? f->sat : NULL;
    s->nsub_at = f->nsat;
    s->first_only = f->first_only;
    s->autorotate = !f->noautorotate;
    s->venc_opts = f->venc;
    s->aenc_opts = f->aenc;
    s->mux_opts = f->mux;
    s->metadata = f->meta;
    s->stream_sets = f->sets;
    s->nstream_sets = f->nsets;
    return 0;
}

void rd_ff_free(RdFf *f)
{
    avformat_close_input(&f->look);
    for (int i = 0; i < f->npending; i++)
        av_freep((char **)&f->pending[i].name);
    for (int i = 0; i < f->nsets; i++)
        av_freep((char **)&f->sets[i].key);
    av_freep(&f->sets);
    av_freep(&f->complex);
    av_freep(&f->complex_out);
    av_freep(&f->complex_rest);
    av_freep(&f->abranch);
    av_freep(&f->abranch_out);
    av_freep(&f->abranch_map);
    av_freep(&f->graph);
    av_freep(&f->passlog);
    av_dict_free(&f->venc);
    av_dict_free(&f->aenc);
    av_dict_free(&f->mux);
    av_dict_free(&f->demux);
    av_dict_free(&f->meta);
    f->npending = f->nsets = 0;
}
