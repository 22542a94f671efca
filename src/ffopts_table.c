/*
 * ffopts_table.c - ffmpeg's own options, one row each, as
 * fftools/ffmpeg_opt.c's options[] has them: the name, where it may stand
 * (before -i: the input; after: the output), whether it takes a value and
 * which streams a specifier may name, and the small function that applies
 * it. A row with a refusal is an option render knows but cannot do yet: it
 * is refused with that reason, never ignored. Options that are not rows are
 * AVOptions of the encoders or the muxer (ffopts.c).
 */
#include "ffopts.h"
#include "ffopts_ext.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libavfilter/avfilter.h>
#include <libavformat/avformat.h>
#include <libavutil/avstring.h>
#include <libavutil/parseutils.h>
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>

#include "engine/encode.h"
#include "engine/forcekf.h"
#include "engine/ratectl.h"
#include "io/paths.h"
#include "streams/streammap.h"

#define ARG 4                    /* takes a value */
#define RC_JOINS "a bitrate target across chunk joins is not supported yet"

typedef int (*Apply)(RdFf *f, RdSettings *s, const char *spec, const char *val, char *err, int errlen);

struct RdFfOpt {
    const char *name;
    int flags;                   /* RD_FF_IN, RD_FF_OUT, ARG */
    const char *specs;           /* stream types a specifier may name ("va"); NULL: none allowed */
    Apply apply;                 /* NULL: refused */
    const char *refusal;         /* why render refuses it (apply is NULL) */
};

static int bad(char *err, int errlen, const char *fmt, const char *a, const char *b)
{
    snprintf(err, errlen, fmt, a, b);
    return AVERROR(EINVAL);
}

/* The stream type of a specifier: "" -> 0, "v" or "v:0" -> 'v'. Indexes
 * past the first name a second stream of the type: render writes one
 * video, and options for one audio track among several are not kept apart. */
static int spec_type(const char *spec)
{
    if (!*spec)
        return 0;
    if (!strchr("vas", spec[0]) || (spec[1] && strcmp(spec + 1, ":0")))
        return -1;
    return spec[0];
}

/* The stream index of "a:3" (3); -1 for a bare type ("a", ""); -2 for
 * anything else. */
static int spec_nth(const char *spec)
{
    size_t n = strlen(spec);
    if (n < 2)
        return -1;
    if (spec[1] != ':' || n < 3 || n > 6 || strspn(spec + 2, "0123456789") != n - 2)
        return -2;
    return atoi(spec + 2);
}

/* -c:a:N, -c:s:N, -b:a:N: the N-th stream of the type written. */
static RdPerStream *per_stream(RdFf *f, char type, int nth)
{
    int *n = type == 'a' ? &f->naat : &f->nsat;
    if (nth < 0 || nth >= RD_FF_PER_STREAM)
        return NULL;
    *n = FFMAX(*n, nth + 1);
    return type == 'a' ? &f->aat[nth] : &f->sat[nth];
}

enum { PS_BITRATE, PS_CODEC, PS_CHANNELS, PS_RATE };

/* A setting for every stream of the type, given after some for one: ffmpeg
 * takes the last that names a stream. */
static void per_stream_clear(RdFf *f, char type, int field)
{
    RdPerStream *at = type == 'a' ? f->aat : f->sat;
    for (int i = 0; i < RD_FF_PER_STREAM; i++)
        switch (field) {
        case PS_CODEC:    at[i].codec = NULL; break;
        case PS_BITRATE:  at[i].bitrate = NULL; break;
        case PS_CHANNELS: at[i].channels = 0; break;
        case PS_RATE:     at[i].sample_rate = 0; break;
        }
}

static int opt_input(RdFf *f, RdSettings *s, const char *spec, const char *val, char *err, int errlen)
{
    (void)spec;
    if (f->seen_input && (f->input2 || f->out_opts))
        return bad(err, errlen, "-i %s: render reads one video input, and a second only as an image given "
                   "right after it (-i VIDEO -i IMAGE) for -filter_complex (the first was %s)", val, s->input);
    if (f->seen_input && *val)
        return f->input2 = val, 0;
    if (!*val)
        return bad(err, errlen, "%s%s", "-i: empty file name", "");
    f->seen_input = 1;
    s->input = val;
    return 0;
}

static int opt_format(RdFf *f, RdSettings *s, const char *spec, const char *val, char *err, int errlen)
{
    const AVOutputFormat *of;
    (void)spec;
    if (!f->seen_input) {
        if (!av_find_input_format(val))
            return bad(err, errlen, "-f %s before -i: no such input format%s", val, "");
        f->in_format = val;
        return 0;
    }
    if (!(of = av_guess_format(val, NULL, NULL)) || strcmp(of->name, val))
        return bad(err, errlen, "-f %s: no such output format%s", val, "");
    s->oformat = of->name;
    return 0;
}

static int opt_y(RdFf *f, RdSettings *s, const char *spec, const char *val, char *err, int errlen)
{
    (void)f; (void)spec; (void)val; (void)err; (void)errlen;
    s->overwrite = 1;
    return 0;
}

/* -n: never overwrite, which is already what render does without -y. */
static int opt_n(RdFf *f, RdSettings *s, const char *spec, const char *val, char *err, int errlen)
{
    (void)f; (void)spec; (void)val; (void)err; (void)errlen;
    s->overwrite = 0;
    return 0;
}

static int set_codec(RdSettings *s, char type, const char *val)
{
    val = rd_encoder_name(val, type == 'v' ? AVMEDIA_TYPE_VIDEO :
                               type == 'a' ? AVMEDIA_TYPE_AUDIO : AVMEDIA_TYPE_SUBTITLE);
    if (type == 'v')
        s->vcodec = val;
    else if (type == 'a')
        s->acodec = val;
    else
        s->scodec = val;
    return 0;
}

static int opt_codec(RdFf *f, RdSettings *s, const char *spec, const char *val, char *err, int errlen)
{
    int nth = spec_nth(spec), t = *spec && nth >= 0 && spec[0] != 'v' ? spec[0] : spec_type(spec);
    RdPerStream *at;
    if (t < 0 || nth == -2 || (t == 'v' && nth > 0))
        return bad(err, errlen, "-c:%s: render takes a codec per stream type (-c:v, -c:a, -c:s) or per "
                   "audio or subtitle stream (-c:a:1)%s", spec, "");
    f->scodec_typed |= t == 's';
    if ((t == 'a' || t == 's') && nth >= 0) {
        if (!(at = per_stream(f, (char)t, nth)))
            return bad(err, errlen, "-c:%s: render names the first %s streams of a type", spec, "32");
        at->codec = rd_encoder_name(val, t == 'a' ? AVMEDIA_TYPE_AUDIO : AVMEDIA_TYPE_SUBTITLE);
        return 0;
    }
    if (t == 'a' || t == 's')
        per_stream_clear(f, (char)t, PS_CODEC);
    if (t)
        return set_codec(s, (char)t, val);
    /* -c NAME names one codec for every stream: only copy fits them all. */
    if (strcmp(val, "copy"))
        return bad(err, errlen, "-c %s: one codec for every stream; use -c:v %s (and -c:a ...)", val, val);
    s->vcodec = s->acodec = s->scodec = "copy";
    per_stream_clear(f, 'a', PS_CODEC);
    per_stream_clear(f, 's', PS_CODEC);
    return 0;
}

#define ALIAS_CODEC(fn, t) \
static int fn(RdFf *f, RdSettings *s, const char *spec, const char *val, char *err, int errlen) \
{ (void)spec; return opt_codec(f, s, t, val, err, errlen); }
ALIAS_CODEC(opt_vcodec, "v")
ALIAS_CODEC(opt_acodec, "a")
ALIAS_CODEC(opt_scodec, "s")

static int opt_vf(RdFf *f, RdSettings *s, const char *spec, const char *val, char *err, int errlen)
{
    (void)s; (void)spec; (void)err; (void)errlen;
    f->vf = val;
    return 0;
}

static int opt_af(RdFf *f, RdSettings *s, const char *spec, const char *val, char *err, int errlen)
{
    (void)f; (void)spec; (void)err; (void)errlen;
    s->af = val;
    return 0;
}

static int opt_filter(RdFf *f, RdSettings *s, const char *spec, const char *val, char *err, int errlen)
{
    if (spec_type(spec) == 'a')
        return opt_af(f, s, spec, val, err, errlen);
    if (spec_type(spec) == 'v')
        return opt_vf(f, s, spec, val, err, errlen);
    return bad(err, errlen, "-filter%s%s: name the stream type (-filter:v or -filter:a)", *spec ? ":" : "", spec);
}

/* Bound to the inputs once the line is read (ffcomplex.c): a second -i may follow it. */
static int opt_complex(RdFf *f, RdSettings *s, const char *spec, const char *val, char *err, int errlen)
{
    (void)s; (void)spec;
    if (f->complex_text)
        return bad(err, errlen, "-filter_complex: render takes one graph%s%s", "", "");
    f->complex_text = val;
    return 0;
}

static int opt_pix_fmt(RdFf *f, RdSettings *s, const char *spec, const char *val, char *err, int errlen)
{
    (void)s; (void)spec;
    if (av_get_pix_fmt(val) == AV_PIX_FMT_NONE)
        return bad(err, errlen, "-pix_fmt %s: no such pixel format%s", val, "");
    /* Before -i: a raw input's pixel format, the demuxer's pixel_format. */
    if (!f->seen_input)
        return av_dict_set(&f->demux, "pixel_format", val, 0);
    f->pix_fmt = val;
    return 0;
}

static int opt_size(RdFf *f, RdSettings *s, const char *spec, const char *val, char *err, int errlen)
{
    int w, h;
    (void)s; (void)spec;
    if (av_parse_video_size(&w, &h, val) < 0)
        return bad(err, errlen, "-s %s: not a size (WxH or a name such as hd720)%s", val, "");
    /* Before -i: a raw input's size, the demuxer's video_size (as ffmpeg). */
    if (!f->seen_input)
        return av_dict_set(&f->demux, "video_size", val, 0);
    f->size = val;
    return 0;
}

/* ffmpeg hands -sws_flags to the option group it ends up in: after -i the
 * output's graph, whose scale filters and automatic conversions use it;
 * before -i the input's, where nothing reads it. */
static int opt_sws_flags(RdFf *f, RdSettings *s, const char *spec, const char *val, char *err, int errlen)
{
    struct SwsContext *sws = sws_alloc_context();
    int ret = sws ? av_opt_set(sws, "sws_flags", val, 0) : AVERROR(ENOMEM);
    (void)s; (void)spec;
    sws_freeContext(sws);
    if (ret == AVERROR(ENOMEM))
        return ret;
    if (ret < 0 || strpbrk(val, ";,[]"))
        return bad(err, errlen, "-sws_flags %s: not scaler flags (bicubic, lanczos+accurate_rnd ...)%s", val, "");
    if (f->seen_input)
        f->sws_flags = val;
    return 0;
}

static int opt_aspect(RdFf *f, RdSettings *s, const char *spec, const char *val, char *err, int errlen)
{
    AVRational q;
    (void)s; (void)spec;
    if (av_parse_ratio(&q, val, 255, 0, NULL) < 0 || q.num <= 0 || q.den <= 0)
        return bad(err, errlen, "-aspect %s: not a display aspect ratio (16:9, 1.7778)%s", val, "");
    f->aspect = val;
    return 0;
}

static int opt_an(RdFf *f, RdSettings *s, const char *spec, const char *val, char *err, int errlen)
{
    (void)f; (void)spec; (void)val; (void)err; (void)errlen;
    s->no_audio = 1;
    return 0;
}

/* -vn: no video; the other streams in one pass (engine/remux.h). */
static int opt_vn(RdFf *f, RdSettings *s, const char *spec, const char *val, char *err, int errlen)
{
    (void)f; (void)spec; (void)val; (void)err; (void)errlen;
    s->no_video = 1;
    return 0;
}

static int opt_sn(RdFf *f, RdSettings *s, const char *spec, const char *val, char *err, int errlen)
{
    (void)f; (void)spec; (void)val; (void)err; (void)errlen;
    s->no_subs = 1;
    return 0;
}

static int opt_dn(RdFf *f, RdSettings *s, const char *spec, const char *val, char *err, int errlen)
{
    (void)f; (void)spec; (void)val; (void)err; (void)errlen;
    s->no_data = 1;
    return 0;
}

static int whole(const char *v, int lo, int hi, int *out)
{
    char *end;
    long x = strtol(v, &end, 10);
    if (end == v || *end || x < lo || x > hi)
        return -1;
    *out = (int)x;
    return 0;
}

/* -ar and -ac for every audio stream, or with :a:N for that one alone
 * (the last given that names a stream wins, as in ffmpeg). */
static int audio_number(RdFf *f, const char *spec, int *all, int field, int n)
{
    int nth = spec[0] == 'a' ? spec_nth(spec) : -1;
    RdPerStream *at;
    if (nth == -2 || (*spec && spec_type(spec) < 0 && nth < 0))
        return -2;
    if (nth < 0) {
        *all = n;
        per_stream_clear(f, 'a', field);
        return 0;
    }
    if (!(at = per_stream(f, 'a', nth)))
        return -1;
    *(field == PS_CHANNELS ? &at->channels : &at->sample_rate) = n;
    return 0;
}

static int opt_ar(RdFf *f, RdSettings *s, const char *spec, const char *val, char *err, int errlen)
{
    int n;
    if (whole(val, 1, 768000, &n) < 0)
        return bad(err, errlen, "-ar %s: not a sample rate in Hz%s", val, "");
    if ((n = audio_number(f, spec, &s->sample_rate, PS_RATE, n)) < 0)
        return bad(err, errlen, n == -2 ? "-ar:%s: not an audio stream specifier (a, a:N)%s"
                                        : "-ar:%s: render names the first %s streams of a type", spec, "32");
    return 0;
}

static int opt_ac(RdFf *f, RdSettings *s, const char *spec, const char *val, char *err, int errlen)
{
    int n;
    if (whole(val, 1, 64, &n) < 0)
        return bad(err, errlen, "-ac %s: not a channel count from 1 to 64%s", val, "");
    if ((n = audio_number(f, spec, &s->channels, PS_CHANNELS, n)) < 0)
        return bad(err, errlen, n == -2 ? "-ac:%s: not an audio stream specifier (a, a:N)%s"
                                        : "-ac:%s: render names the first %s streams of a type", spec, "32");
    return 0;
}

/* -q N, -q:v N, -q:a N: what ffmpeg does with it (fixed quality, qscale)
 * is applied when the encoders are known (ffopts.c). */
static int opt_q(RdFf *f, RdSettings *s, const char *spec, const char *val, char *err, int errlen)
{
    char *end;
    int t = spec_type(spec);
    (void)s;
    double q = strtod(val, &end);
    /* global_quality is an int of lambda (q x 118): keep it one. */
    if (end == val || *end || t == 's' || t < 0 || !(q >= -1 && q <= 1e6))
    {
        snprintf(err, errlen, "-q%s%s: '%s' is not a quality number from -1 to 1e6", *spec ? ":" : "", spec, val);
        return AVERROR(EINVAL);
    }
    *(t == 'v' ? &f->qv : t == 'a' ? &f->qa : &f->q) = val;
    return 0;
}

/* A rate with ffmpeg's suffixes (400k, 1.5M) into a settings field. */
static int rate(RdSettings *s, int64_t *field, const char *opt, const char *val, char *err, int errlen)
{
    (void)s;
    /* Encoders hold it in kbit/s in an int (x264): past 1e12 it wraps. */
    if (rd_ratectl_parse_number(val, field) < 0 || *field <= 0 || *field > 1e12)
        return bad(err, errlen, "%s: '%s' is not a rate in bits/s up to 1e12 (400k, 1.5M)", opt, val);
    return 0;
}

/* -b without a specifier is -b:v in ffmpeg, not every stream's. */
static int opt_b(RdFf *f, RdSettings *s, const char *spec, const char *val, char *err, int errlen)
{
    int nth = spec_nth(spec), t = spec[0] == 'a' && nth >= 0 ? 'a' : spec_type(spec);
    RdPerStream *at;
    (void)s;
    if (t < 0 || t == 's' || nth == -2)
        return bad(err, errlen, "-b:%s: render takes -b:v, -b:a and -b:a:N%s", spec, "");
    if (t == 'a' && nth >= 0) { /* this audio stream alone */
        if (!(at = per_stream(f, 'a', nth)))
            return bad(err, errlen, "-b:%s: render names the first %s streams of a type", spec, "32");
        at->bitrate = val;
        return 0;
    }
    if (t == 'a')
        per_stream_clear(f, 'a', PS_BITRATE);
    /* The video's bitrate is the whole file's (engine/ratectl.h): one
     * encoder per chunk aiming at it alone misses it (8% over with 2 chunks
     * of 4 s, 26% with 8). 0 is no target (VP9's constant quality). */
    if (t != 'a' && strcmp(val, "0"))
        return rate(s, &s->vbitrate, "-b:v", val, err, errlen);
    return av_dict_set(t == 'a' ? &f->aenc : &f->venc, "b", val, 0);
}

/* -pass 1 / -pass 2 (ffpass.c, engine/passlog.h). */
static int opt_pass(RdFf *f, RdSettings *s, const char *spec, const char *val, char *err, int errlen)
{
    (void)s;
    if (spec_type(spec) < 0 || spec_type(spec) == 'a')
        return bad(err, errlen, "-pass:%s: render's passes are the video's%s", spec, "");
    if (!strcmp(val, "3"))
        return bad(err, errlen, "-pass 3 (both passes, updating the log) is not supported: run -pass 1, "
                   "then -pass 2%s%s", "", "");
    if (strcmp(val, "1") && strcmp(val, "2"))
        return bad(err, errlen, "-pass %s: give 1 or 2%s", val, "");
    f->pass = val[0] - '0';
    return 0;
}

static int opt_passlogfile(RdFf *f, RdSettings *s, const char *spec, const char *val, char *err, int errlen)
{
    (void)s;
    if (spec_type(spec) < 0 || spec_type(spec) == 'a')
        return bad(err, errlen, "-passlogfile:%s: render's passes are the video's%s", spec, "");
    if (!*val)
        return bad(err, errlen, "-passlogfile: empty prefix%s%s", "", "");
    f->passlog_prefix = val;
    return 0;
}

/* -maxrate/-bufsize: the VBV, held over the joined stream (ratectl.h). */
static int opt_maxrate(RdFf *f, RdSettings *s, const char *spec, const char *val, char *err, int errlen)
{
    (void)f;
    if (spec_type(spec) != 'v' && *spec)
        return bad(err, errlen, "-maxrate:%s: render takes -maxrate for the video%s", spec, "");
    return rate(s, &s->maxrate, "-maxrate", val, err, errlen);
}

static int opt_bufsize(RdFf *f, RdSettings *s, const char *spec, const char *val, char *err, int errlen)
{
    (void)f;
    if (spec_type(spec) != 'v' && *spec)
        return bad(err, errlen, "-bufsize:%s: render takes -bufsize for the video%s", spec, "");
    return rate(s, &s->bufsize, "-bufsize", val, err, errlen);
}

static int opt_map(RdFf *f, RdSettings *s, const char *spec, const char *val, char *err, int errlen)
{
    const char **maps = (const char **)s->maps;
    (void)spec;
    if (val[0] == '[') { /* an output of -filter_complex: checked once the graph is known */
        if (f->map_label2)
            return bad(err, errlen, "-map %s: render maps two outputs of -filter_complex, the video's and "
                       "the audio branch's (here %s and another)", val, f->map_label);
        if (f->map_label) { /* which is the audio's is known with the graph (ffabranch.c) */
            f->map_label2 = val;
            f->map_label2_at = s->nmaps;
            return 0;
        }
        f->map_label = val;
        f->map_label_at = s->nmaps;
        s->map_video = 1 + s->nmaps; /* its place among the maps */
        return 0;
    }
    const char *n = val + (val[0] == '-');
    if (n[0] >= '1' && n[0] <= '9' && strspn(n, "0123456789") == strcspn(n, ":?"))
        return bad(err, errlen, "-map %s: render takes streams from its first input only; a second "
                   "input is read only as an image that -filter_complex overlays ([1:v])%s", val, "");
    if (!rd_map_valid(val))
        return bad(err, errlen, "-map %s: not a stream specifier of input 0 (0, 0:a, 0:a:1, 0:3, -0:s)%s", val, "");
    maps[s->nmaps++] = val;
    return 0;
}

static int opt_map_metadata(RdFf *f, RdSettings *s, const char *spec, const char *val, char *err, int errlen)
{
    (void)f;
    if (*spec && strcmp(spec, "g"))
        return bad(err, errlen, "-map_metadata:%s: only the global tags can be mapped (-map_metadata -1 or 0)%s", spec, "");
    if (strcmp(val, "-1") && strcmp(val, "0") && strcmp(val, "0:g"))
        return bad(err, errlen, "-map_metadata %s: render has one input: -1 (none) or 0 (its tags)%s", val, "");
    /* -1 alone turns off every automatic copy, as in the CLI; :g only the file's */
    s->no_global_meta = strcmp(val, "-1") ? 0 : *spec ? 1 : 2;
    return 0;
}

static int opt_map_chapters(RdFf *f, RdSettings *s, const char *spec, const char *val, char *err, int errlen)
{
    (void)f; (void)spec;
    if (strcmp(val, "-1") && strcmp(val, "0"))
        return bad(err, errlen, "-map_chapters %s: render has one input: -1 (none) or 0 (its chapters)%s", val, "");
    s->no_chapters = !strcmp(val, "-1");
    return 0;
}

/* "s:a:0" (metadata) or "a:0" (disposition) -> type and index. */
static int stream_spec(const char *p, RdStreamSet *set)
{
    char *end;
    set->type = 0;
    set->nth = -1;
    if (!*p)
        return 0;
    if (strchr("vasdt", *p) && (!p[1] || p[1] == ':')) {
        set->type = *p++;
        if (!*p)
            return 0;
        p++;
    }
    set->nth = (int)strtol(p, &end, 10);
    return end == p || *end || set->nth < 0 ? -1 : 0;
}

static int add_set(RdFf *f, const RdStreamSet *set)
{
    RdStreamSet *g = av_realloc_array(f->sets, f->nsets + 1, sizeof(*g));
    if (!g)
        return AVERROR(ENOMEM);
    f->sets = g;
    f->sets[f->nsets++] = *set;
    return 0;
}

/* -timecode T: the file's timecode tag, and the GOP time code of an
 * encoder that writes one (mpeg1video, mpeg2video), as ffmpeg sets both. */
static int opt_timecode(RdFf *f, RdSettings *s, const char *spec, const char *val, char *err, int errlen)
{
    (void)s; (void)spec; (void)err; (void)errlen;
    f->timecode = val;
    return av_dict_set(&f->meta, "timecode", val, 0);
}

static int opt_metadata(RdFf *f, RdSettings *s, const char *spec, const char *val, char *err, int errlen)
{
    const char *eq = strchr(val, '=');
    RdStreamSet set = { 0 };
    char *key;
    int ret;
    (void)s;
    if (!eq || eq == val)
        return bad(err, errlen, "-metadata%s %s: not KEY=VALUE", *spec ? ":..." : "", val);
    if (!(key = av_strndup(val, eq - val)))
        return AVERROR(ENOMEM);
    if (!*spec || !strcmp(spec, "g")) {
        ret = av_dict_set(&f->meta, key, eq + 1, AV_DICT_DONT_STRDUP_KEY);
        return ret;
    }
    if (spec[0] != 's' || (spec[1] && spec[1] != ':') || stream_spec(spec[1] ? spec + 2 : "", &set) < 0) {
        av_free(key);
        return bad(err, errlen, "-metadata:%s: render sets global (g) and stream (s:a:0) tags; "
                   "chapter and program tags are not supported%s", spec, "");
    }
    set.key = key;
    set.value = eq + 1;
    if ((ret = add_set(f, &set)) < 0)
        av_free(key);
    return ret;
}

static int opt_disposition(RdFf *f, RdSettings *s, const char *spec, const char *val, char *err, int errlen)
{
    RdStreamSet set = { 0 };
    (void)s;
    if (stream_spec(spec, &set) < 0)
        return bad(err, errlen, "-disposition:%s: not a stream specifier (v, a:0, s:1 ...)%s", spec, "");
    set.value = val;
    return add_set(f, &set);
}

/* -t D and -to T, before -i (the input's) or after (the output's): kept
 * apart and resolved by rd_ff_finish as ffmpeg does. */
static int duration(RdFf *f, double *slot, const char *opt, const char *val, char *err, int errlen)
{
    int64_t us;
    if (av_parse_time(&us, val, 1) < 0 || us <= 0)
        return bad(err, errlen, "%s %s: not a positive time ([-][HH:]MM:SS[.m...] or seconds)", opt, val);
    slot[f->seen_input] = us / 1e6;
    return 0;
}

static int opt_t(RdFf *f, RdSettings *s, const char *spec, const char *val, char *err, int errlen)
{
    (void)s; (void)spec;
    return duration(f, f->t, "-t", val, err, errlen);
}

static int opt_to(RdFf *f, RdSettings *s, const char *spec, const char *val, char *err, int errlen)
{
    (void)s; (void)spec;
    return duration(f, f->to, "-to", val, err, errlen);
}

/* -ss T before -i: ffmpeg's accurate input seek (the frames before T are
 * decoded and dropped, output times start at 0 there). After -i: the
 * output's start (ffmpeg decodes from 0 and drops the graph's output
 * before T); rd_ff_finish adds it to the input's. */
static int opt_ss(RdFf *f, RdSettings *s, const char *spec, const char *val, char *err, int errlen)
{
    int64_t us;
    (void)spec; (void)s;
    if (av_parse_time(&us, val, 1) < 0 || us < 0)
        return bad(err, errlen, "-ss %s: not a time >= 0 ([-][HH:]MM:SS[.m...] or seconds)%s", val, "");
    f->ss[f->seen_input] = us / 1e6;
    f->ss_in_given |= !f->seen_input;
    return 0;
}

/* -sseof -T before -i: the input's duration less T, as an input -ss
 * (ffseek.c, once the input is known). ffmpeg takes only a time < 0. */
static int opt_sseof(RdFf *f, RdSettings *s, const char *spec, const char *val, char *err, int errlen)
{
    int64_t us;
    (void)spec; (void)s;
    if (av_parse_time(&us, val, 1) < 0 || us >= 0)
        return bad(err, errlen, "-sseof %s: not a time < 0 (-sseof -T seeks T before the end)%s", val, "");
    f->has_sseof = 1;
    f->sseof_us = us;
    return 0;
}

/* -itsoffset T before -i: the input's timestamps T later (ffmpeg adds T
 * to its ts_offset; T may be negative). */
static int opt_itsoffset(RdFf *f, RdSettings *s, const char *spec, const char *val, char *err, int errlen)
{
    int64_t us;
    (void)spec; (void)f;
    if (av_parse_time(&us, val, 1) < 0)
        return bad(err, errlen, "-itsoffset %s: not a time ([-][HH:]MM:SS[.m...] or seconds)%s", val, "");
    s->itsoffset_s = us / 1e6;
    return 0;
}

/* -r RATE after -i: the encoder's rate and time base, and ffmpeg's frame
 * sync duplicates or drops frames to it (no fps filter: ffmpeg 5.1 does
 * not insert one). Before -i it is the rate of a raw input's timestamps. */
static int opt_rate(RdFf *f, RdSettings *s, const char *spec, const char *val, char *err, int errlen)
{
    AVRational r;
    (void)spec;
    if (av_parse_video_rate(&r, val) < 0 || r.num <= 0 || r.den <= 0)
        return bad(err, errlen, "-r %s: not a frame rate (25, 30000/1001, ntsc ...)%s", val, "");
    if (!f->seen_input) /* which demuxer reads the input is known once the line is read */
        f->in_rate = val;
    else
        s->rate = r;
    return 0;
}

/* -force_key_frames: read here as the encoder will read it, so that a
 * bad list or expression is a usage error. */
static int opt_force_kf(RdFf *f, RdSettings *s, const char *spec, const char *val, char *err, int errlen)
{
    RdForceKf k;
    int ret = rd_forcekf_open(&k, val, (AVRational){ 1, 1000 }, NULL, err, errlen);
    (void)f; (void)spec;
    rd_forcekf_free(&k);
    if (ret < 0)
        return ret;
    s->force_kf = val;
    return 0;
}

/* -frames:v N / -vframes N: the first N frames of the joined stream
 * (the sync and the plan stop there; the other tracks end with the video). */
static int opt_frames(RdFf *f, RdSettings *s, const char *spec, const char *val, char *err, int errlen)
{
    char *end;
    long long n;
    (void)f;
    if (spec_type(spec) != 'v')
        return bad(err, errlen, "-frames%s%s: render counts the video's frames only (-frames:v N)",
                   *spec ? ":" : "", spec);
    n = strtoll(val, &end, 10);
    if (end == val || *end || n < 0)
        return bad(err, errlen, "-frames:v %s: not a frame count%s", val, "");
    /* 0 frames: ffmpeg writes a file without video; render always writes it. */
    if (!n)
        return bad(err, errlen, "-frames:v %s: an output without video frames is not supported%s", val, "");
    s->max_vframes = n;
    return 0;
}

static int opt_vframes(RdFf *f, RdSettings *s, const char *spec, const char *val, char *err, int errlen)
{
    (void)spec;
    return opt_frames(f, s, "v", val, err, errlen);
}

/* Accepted: what they ask of ffmpeg render does anyway, or they are about
 * ffmpeg's own console (documented in docs/CLI.md). */
static int opt_accept(RdFf *f, RdSettings *s, const char *spec, const char *val, char *err, int errlen)
{
    (void)f; (void)s; (void)spec; (void)val; (void)err; (void)errlen;
    return 0;
}

/* The CLI's own queues and its progress lines' period: how it runs, not
 * what it writes (render's muxer and chunk queues are its own). The value
 * is checked as the CLI checks it, then has no effect. */
static int queue_size(const char *name, const char *val, char *err, int errlen)
{
    int n;
    if (whole(val, INT_MIN, INT_MAX, &n) < 0) /* the CLI takes any int */
        return bad(err, errlen, "-%s %s: not a whole number", name, val);
    return 0;
}

static int opt_thread_queue(RdFf *f, RdSettings *s, const char *spec, const char *val, char *err, int errlen)
{
    (void)f; (void)s; (void)spec;
    return queue_size("thread_queue_size", val, err, errlen);
}

static int opt_mux_queue(RdFf *f, RdSettings *s, const char *spec, const char *val, char *err, int errlen)
{
    (void)f; (void)s; (void)spec;
    return queue_size("max_muxing_queue_size", val, err, errlen);
}

static int opt_mux_threshold(RdFf *f, RdSettings *s, const char *spec, const char *val, char *err, int errlen)
{
    (void)f; (void)s; (void)spec;
    return queue_size("muxing_queue_data_threshold", val, err, errlen);
}

static int opt_stats_period(RdFf *f, RdSettings *s, const char *spec, const char *val, char *err, int errlen)
{
    int64_t us;
    (void)f; (void)s; (void)spec;
    if (av_parse_time(&us, val, 1) < 0 || us <= 0)
        return bad(err, errlen, "-stats_period %s: not a positive duration%s", val, "");
    return 0;
}

/* The CLI turns the pixels by the input's display matrix (-autorotate,
 * its default) unless told -noautorotate. */
static int opt_autorotate(RdFf *f, RdSettings *s, const char *spec, const char *val, char *err, int errlen)
{
    (void)s; (void)spec; (void)val; (void)err; (void)errlen;
    f->noautorotate = 0;
    return 0;
}

static int opt_noautorotate(RdFf *f, RdSettings *s, const char *spec, const char *val, char *err, int errlen)
{
    (void)s; (void)spec; (void)val; (void)err; (void)errlen;
    f->noautorotate = 1;
    return 0;
}

static int opt_threads(RdFf *f, RdSettings *s, const char *spec, const char *val, char *err, int errlen)
{
    int n = 0;
    if (strcmp(val, "auto") && whole(val, 0, 1024, &n) < 0)
        return bad(err, errlen, "-threads %s: not a thread count%s", val, "");
    /* The encoder's count, where its slices follow it (engine/encode.h);
     * the decoders' count changes no frame, but its delay the CLI's
     * corrections of an MPEG-TS's first times (streams/tsjump.h). */
    if (f->seen_input && spec_type(spec) != 'a')
        s->enc_threads = n;
    if (!f->seen_input && spec_type(spec) != 'a')
        s->dec_threads = n;
    return 0;
}

static int opt_loglevel(RdFf *f, RdSettings *s, const char *spec, const char *val, char *err, int errlen)
{
    static const char *const quiet[] = { "quiet", "panic", "fatal", "error", "-8", "0", "8", "16", NULL };
    static const char *const known[] = { "warning", "info", "verbose", "debug", "trace",
                                         "24", "32", "40", "48", "56", NULL };
    const char *v = val;
    (void)f; (void)spec;
    while (*v == '+' || (!strncmp(v, "repeat+", 7) && (v += 6)) || (!strncmp(v, "level+", 6) && (v += 5)))
        v++;
    for (int i = 0; quiet[i]; i++)
        if (!strcmp(v, quiet[i]))
            return s->quiet = 1, 0;
    for (int i = 0; known[i]; i++)
        if (!strcmp(v, known[i]))
            return 0;
    return bad(err, errlen, "-loglevel %s: not a log level (quiet, error, warning, info, verbose, debug)%s", val, "");
}

#define NOT_YET(name, why) { name, RD_FF_IN | RD_FF_OUT | ARG, NULL, NULL, why }
#define TIMING "is not supported yet (render writes the input's frames and times)"

static const RdFfOpt TABLE[] = {
    { "i",              RD_FF_IN | RD_FF_OUT | ARG, NULL,  opt_input,      NULL },
    { "f",              RD_FF_IN | RD_FF_OUT | ARG, NULL,  opt_format,     NULL },
    { "y",              RD_FF_IN | RD_FF_OUT,       NULL,  opt_y,          NULL },
    { "n",              RD_FF_IN | RD_FF_OUT,       NULL,  opt_n,          NULL },
    { "c",              RD_FF_OUT | ARG,            "vas", opt_codec,      NULL },
    { "codec",          RD_FF_OUT | ARG,            "vas", opt_codec,      NULL },
    { "vcodec",         RD_FF_OUT | ARG,            NULL,  opt_vcodec,     NULL },
    { "acodec",         RD_FF_OUT | ARG,            NULL,  opt_acodec,     NULL },
    { "scodec",         RD_FF_OUT | ARG,            NULL,  opt_scodec,     NULL },
    { "vf",             RD_FF_OUT | ARG,            NULL,  opt_vf,         NULL },
    { "af",             RD_FF_OUT | ARG,            NULL,  opt_af,         NULL },
    { "filter",         RD_FF_OUT | ARG,            "va",  opt_filter,     NULL },
    { "filter_complex", RD_FF_IN | RD_FF_OUT | ARG, NULL,  opt_complex,    NULL },
    { "lavfi",          RD_FF_IN | RD_FF_OUT | ARG, NULL,  opt_complex,    NULL },
    { "pix_fmt",        RD_FF_IN | RD_FF_OUT | ARG, "v",   opt_pix_fmt,    NULL },
    { "s",              RD_FF_IN | RD_FF_OUT | ARG, "v",   opt_size,       NULL },
    { "aspect",         RD_FF_OUT | ARG,            "v",   opt_aspect,     NULL },
    { "sws_flags",      RD_FF_IN | RD_FF_OUT | ARG, NULL,  opt_sws_flags,  NULL },
    { "an",             RD_FF_OUT,                  NULL,  opt_an,         NULL },
    { "vn",             RD_FF_OUT,                  NULL,  opt_vn,         NULL },
    { "sn",             RD_FF_OUT,                  NULL,  opt_sn,         NULL },
    { "dn",             RD_FF_OUT,                  NULL,  opt_dn,         NULL },
    { "ar",             RD_FF_OUT | ARG,            "a",   opt_ar,         NULL },
    { "ac",             RD_FF_OUT | ARG,            "a",   opt_ac,         NULL },
    { "q",              RD_FF_OUT | ARG,            "va",  opt_q,          NULL },
    { "qscale",         RD_FF_OUT | ARG,            "va",  opt_q,          NULL },
    { "b",              RD_FF_OUT | ARG,            "va",  opt_b,          NULL },
    { "map",            RD_FF_OUT | ARG,            NULL,  opt_map,        NULL },
    { "map_metadata",   RD_FF_OUT | ARG,            "g",   opt_map_metadata, NULL },
    { "map_chapters",   RD_FF_OUT | ARG,            NULL,  opt_map_chapters, NULL },
    { "metadata",       RD_FF_OUT | ARG,            "*",   opt_metadata,   NULL },
    { "disposition",    RD_FF_OUT | ARG,            "*",   opt_disposition, NULL },
    { "timecode",       RD_FF_OUT | ARG,            NULL,  opt_timecode,   NULL },
    { "t",              RD_FF_IN | RD_FF_OUT | ARG, NULL,  opt_t,          NULL },
    { "hide_banner",    RD_FF_IN | RD_FF_OUT,       NULL,  opt_accept,     NULL },
    { "nostdin",        RD_FF_IN | RD_FF_OUT,       NULL,  opt_accept,     NULL },
    { "stats",          RD_FF_IN | RD_FF_OUT,       NULL,  opt_accept,     NULL },
    { "nostats",        RD_FF_IN | RD_FF_OUT,       NULL,  opt_accept,     NULL },
    { "stats_period",   RD_FF_IN | RD_FF_OUT | ARG, NULL,  opt_stats_period, NULL },
    { "thread_queue_size", RD_FF_IN | ARG,          NULL,  opt_thread_queue, NULL },
    { "max_muxing_queue_size", RD_FF_OUT | ARG,     "*",   opt_mux_queue,  NULL },
    { "muxing_queue_data_threshold", RD_FF_OUT | ARG, "*", opt_mux_threshold, NULL },
    { "threads",        RD_FF_IN | RD_FF_OUT | ARG, "va",  opt_threads,    NULL },
    { "loglevel",       RD_FF_IN | RD_FF_OUT | ARG, NULL,  opt_loglevel,   NULL },
    { "v",              RD_FF_IN | RD_FF_OUT | ARG, NULL,  opt_loglevel,   NULL },
    { "ss",             RD_FF_IN | RD_FF_OUT | ARG, NULL,  opt_ss,         NULL },
    { "sseof",          RD_FF_IN | ARG,             NULL,  opt_sseof,      NULL },
    { "to",             RD_FF_IN | RD_FF_OUT | ARG, NULL,  opt_to,         NULL },
    { "r",              RD_FF_IN | RD_FF_OUT | ARG, "v",   opt_rate,       NULL },
    { "frames",         RD_FF_OUT | ARG,            "va",  opt_frames,     NULL },
    { "vframes",        RD_FF_OUT | ARG,            NULL,  opt_vframes,    NULL },
    NOT_YET("aframes",  "a frame count " TIMING),
    { "vsync",          RD_FF_IN | RD_FF_OUT | ARG, NULL,  rd_ffx_vsync,   NULL },
    { "fps_mode",       RD_FF_OUT | ARG,            "*",   rd_ffx_fps_mode, NULL },
    NOT_YET("force_fps", "another frame sync " TIMING),
    { "maxrate",        RD_FF_OUT | ARG,            "v",   opt_maxrate,    NULL },
    NOT_YET("minrate",  RC_JOINS),
    { "bufsize",        RD_FF_OUT | ARG,            "v",   opt_bufsize,    NULL },
    { "pass",           RD_FF_OUT | ARG,            "v",   opt_pass,       NULL },
    { "passlogfile",    RD_FF_OUT | ARG,            "v",   opt_passlogfile, NULL },
    { "force_key_frames", RD_FF_OUT | ARG,          "v",   opt_force_kf,   NULL },
    { "itsoffset",      RD_FF_IN | ARG,             NULL,  opt_itsoffset,  NULL },
    NOT_YET("itsscale",  "scaling the input's times " TIMING),
    NOT_YET("copyts",    "copied timestamps are not supported yet"),
    NOT_YET("start_at_zero", "copied timestamps are not supported yet"),
    NOT_YET("copytb",    "copied time bases are not supported yet"),
    { "shortest",       RD_FF_OUT,                  NULL,  rd_ffx_shortest, NULL },
    NOT_YET("stream_loop", "looping the input is not supported yet"),
    NOT_YET("re",        "reading at the native rate is not what render is for"),
    NOT_YET("filter_complex_script", "give the graph itself with -filter_complex"),
    NOT_YET("filter_script", "give the graph itself with -vf"),
    NOT_YET("attach",    "attaching files is not supported yet"),
    NOT_YET("dump_attachment", "render writes one file"),
    NOT_YET("target",    "-target presets are not supported"),
    NOT_YET("apad",      "padding the audio is not supported yet"),
    { "bsf",            RD_FF_OUT | ARG,            "*",   rd_ffx_bsf,     NULL },
    { "tag",            RD_FF_OUT | ARG,            "*",   rd_ffx_tag,     NULL },
    { "vtag",           RD_FF_OUT | ARG,            NULL,  rd_ffx_vtag,    NULL },
    { "atag",           RD_FF_OUT | ARG,            NULL,  rd_ffx_atag,    NULL },
    { "stag",           RD_FF_OUT | ARG,            NULL,  rd_ffx_stag,    NULL },
    { "sample_fmt",     RD_FF_OUT | ARG,            "a",   rd_ffx_sample_fmt, NULL },
    { "channel_layout", RD_FF_OUT | ARG,            "a",   rd_ffx_ch_layout, NULL },
    { "ch_layout",      RD_FF_OUT | ARG,            "a",   rd_ffx_ch_layout, NULL },
    { "autorotate",     RD_FF_IN,                   NULL,  opt_autorotate, NULL },
    { "noautorotate",   RD_FF_IN,                   NULL,  opt_noautorotate, NULL },
    NOT_YET("hwaccel",   "hardware decoding is not supported"),
    NOT_YET("init_hw_device", "hardware devices are not supported"),
    NOT_YET("filter_hw_device", "hardware devices are not supported"),
    NOT_YET("report",    "ffmpeg's log file is not written (render's --report FILE writes the run's JSON)"),
    NOT_YET("progress",  "use render's --progress FILE"),
    NOT_YET("benchmark", "render measures itself: --report, --sweep"),
    NOT_YET("enc_time_base", "the encoder's time base is chosen as ffmpeg 5.1 does; forcing one is not supported"),
    NOT_YET("timestamp", "setting the recording time is not supported yet"),
    NOT_YET("streamid",  "stream ids are not supported yet"),
    NOT_YET("program",   "programs are not supported yet"),
    NOT_YET("map_channel", "use -af pan"),
    NOT_YET("top",       "forcing the field order is not supported yet"),
    NOT_YET("discard",   "-discard is not supported yet"),
    { NULL, 0, NULL, NULL, NULL }
};

const RdFfOpt *rd_ff_find(const char *name)
{
    for (const RdFfOpt *o = TABLE; o->name; o++)
        if (!strcmp(o->name, name))
            return o;
    return NULL;
}

const RdFfOpt *rd_ff_row(int i)
{
    return i >= 0 && i < (int)(sizeof(TABLE) / sizeof(TABLE[0])) - 1 ? &TABLE[i] : NULL;
}

const char *rd_ff_name(const RdFfOpt *o)
{
    return o->name;
}

const char *rd_ff_refusal(const RdFfOpt *o)
{
    return o->apply ? NULL : o->refusal;
}

int rd_ff_has_arg(const RdFfOpt *o)
{
    /* A refused option's value is read too, so that the refusal names the option. */
    return !!(o->flags & ARG);
}

int rd_ff_where(const RdFfOpt *o)
{
    return o->flags & (RD_FF_IN | RD_FF_OUT);
}

int rd_ff_apply(const RdFfOpt *o, RdFf *f, RdSettings *s, const char *spec, const char *val,
                char *err, int errlen)
{
    if (!o->apply) {
        snprintf(err, errlen, "-%s%s%s: %s", o->name, *spec ? ":" : "", spec, o->refusal);
        return AVERROR(EINVAL);
    }
    if (*spec && (!o->specs || (strcmp(o->specs, "*") && !strchr(o->specs, spec[0]))))
        return bad(err, errlen, "-%s:%s: this option takes no such stream specifier", o->name, spec);
    if (o->apply == opt_codec || o->apply == opt_b || o->apply == opt_acodec || o->apply == opt_scodec ||
        o->apply == opt_ac || o->apply == opt_ar)
        return o->apply(f, s, spec, val, err, errlen); /* they take -c:a:N */
    if (*spec && strcmp(o->specs, "*") && spec_type(spec) < 0 && strcmp(o->specs, "g"))
        return bad(err, errlen, "-%s:%s: render takes one setting per stream type here (:v, :a)", o->name, spec);
    /* -ar:a:0 is the first audio stream's in ffmpeg, render's -ar every one's:
     * the same while one is written (tracks.h first_only). */
    if ((spec[0] == 'a' || spec[0] == 's') && spec_nth(spec) == 0 && strcmp(o->specs, "*") && strcmp(o->specs, "g"))
        f->first_only = o->name;
    return o->apply(f, s, spec, val, err, errlen);
}
