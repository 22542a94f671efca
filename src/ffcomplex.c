/*
 * ffcomplex.c - -filter_complex in the ffmpeg form: the graph's open
 * inputs bound to what render feeds a chunk.
 *
 * Input 0's video is the chunk's own source ([in]). A second input may be
 * a still image (a logo to overlay, the line people type most with two
 * inputs): the graph reads it itself through a movie source, which every
 * chunk's graph opens afresh. The CLI feeds it the same one frame at time
 * 0, from the same decoder, so the frames are the same; overlay repeats it
 * to the end (its eof_action) in each chunk as in the whole run.
 */
#include "ffopts.h"

#include <string.h>
#include <libavfilter/avfilter.h>
#include <libavformat/avformat.h>
#include <libavutil/avstring.h>
#include <libavutil/bprint.h>
#include <libavutil/mem.h>

#include "engine/contract.h"
#include "engine/filterfx.h"
#include "io/paths.h"

#define IMAGE_LABEL "ffimg"

static int is_input(const char *name, char which)
{
    static const char *const tails[] = { "", ":v", ":v:0", ":V" };
    if (!name || name[0] != which)
        return 0;
    for (size_t i = 0; i < sizeof(tails) / sizeof(tails[0]); i++)
        if (!strcmp(name + 1, tails[i]))
            return 1;
    return 0;
}

/* An input of the graph labelled as input 0's audio ([0:a], [0:a:1] ...). */
static const AVFilterInOut *audio_input(const AVFilterInOut *ins)
{
    for (; ins; ins = ins->next)
        if (ins->name && !strncmp(ins->name, "0:a", 3) && (!ins->name[3] || ins->name[3] == ':'))
            return ins;
    return NULL;
}

/* "[LABEL]" -> "[to]" where the label opens (first) or closes (last) the graph. */
static char *relabel(const char *desc, const char *from, const char *to, int last)
{
    char pat[160], *hit = NULL, *p;
    if (!*from)
        return av_strdup(desc);
    snprintf(pat, sizeof(pat), "[%s]", from);
    for (p = strstr(desc, pat); p; p = strstr(p + 1, pat)) {
        hit = p;
        if (!last)
            break;
    }
    if (!hit)
        return NULL;
    return av_asprintf("%.*s[%s]%s", (int)(hit - desc), desc, to, hit + strlen(pat));
}

/* The labels of the graph's open pads; *in2 = "" when it has one input. */
typedef struct Pads {
    char *in, *in2, *out;
    int both_first;   ///< two unlabelled inputs, both of the graph's first filter
} Pads;

static void pads_free(Pads *p)
{
    av_freep(&p->in);
    av_freep(&p->in2);
    av_freep(&p->out);
}

int rd_ff_graph_pads(const RdFf *f, const char *desc, AVFilterGraph **g, AVFilterInOut **ins,
                     AVFilterInOut **outs, char *err, int errlen)
{
    RdFilterFxPolicy pol = { .allow = f->allow_filters };
    char *inert = NULL;
    int ret;
    *err = 0;
    if ((ret = rd_filterfx_inert(desc, &pol, &inert, err, errlen)) < 0)
        return *err ? ret : (snprintf(err, errlen, "-filter_complex '%s': %s", desc, av_err2str(ret)), ret);
    if (!(*g = avfilter_graph_alloc()))
        ret = AVERROR(ENOMEM);
    else if ((ret = avfilter_graph_parse2(*g, inert, ins, outs)) < 0)
        snprintf(err, errlen, "-filter_complex '%s': %s", desc, av_err2str(ret));
    av_free(inert);
    return ret;
}

static int pads_of(const RdFf *f, const char *desc, int inputs, Pads *p, char *err, int errlen)
{
    AVFilterGraph *g = NULL;
    AVFilterInOut *ins = NULL, *outs = NULL;
    const AVFilterInOut *a;
    int ret = rd_ff_graph_pads(f, desc, &g, &ins, &outs, err, errlen);
    int nin = 0;

    memset(p, 0, sizeof(*p));
    for (AVFilterInOut *i = ins; i; i = i->next)
        nin++;
    if (ret < 0)
        ;
    else if ((a = audio_input(ins))) {
        snprintf(err, errlen, "-filter_complex: input [%s]: render filters the audio with -af, not in "
                 "-filter_complex (its graph takes the video, [0:v])", a->name);
        ret = AVERROR_PATCHWELCOME;
    } else if (nin != inputs || !outs || outs->next) {
        snprintf(err, errlen, "-filter_complex: render takes a graph with %s and one output; this one has "
                 "%d input(s) and %s outputs", inputs == 1 ? "one input (the video, [0:v])" :
                 "two inputs (the video, [0:v], and the image, [1:v])", nin,
                 !outs ? "no" : outs->next ? "several" : "one");
        ret = AVERROR(EINVAL);
    } else if (inputs == 1 && ins->name && !is_input(ins->name, '0')) {
        snprintf(err, errlen, "-filter_complex: input [%s]: render's graph takes the video, [0:v]", ins->name);
        ret = AVERROR(EINVAL);
    } else if (inputs == 2 && !ins->name && !ins->next->name) {
        p->both_first = ins->filter_ctx == g->filters[0] && ins->next->filter_ctx == g->filters[0] &&
                        ins->pad_idx == 0 && ins->next->pad_idx == 1;
        if (!p->both_first) {
            snprintf(err, errlen, "-filter_complex: label the graph's inputs [0:v] and [1:v]");
            ret = AVERROR(EINVAL);
        }
    } else if (inputs == 2) {
        const AVFilterInOut *v = is_input(ins->name, '0') ? ins : ins->next;
        const AVFilterInOut *m = v == ins ? ins->next : ins;
        if (!is_input(v->name, '0') || !is_input(m->name, '1')) {
            snprintf(err, errlen, "-filter_complex: inputs [%s] and [%s]: render's graph takes [0:v] and [1:v]",
                     ins->name ? ins->name : "", ins->next->name ? ins->next->name : "");
            ret = AVERROR(EINVAL);
        } else if (!(p->in2 = av_strdup(m->name)) || !(p->in = av_strdup(v->name)))
            ret = AVERROR(ENOMEM);
    }
    if (ret >= 0 && !p->in && !(p->in = av_strdup(inputs == 1 && ins->name ? ins->name : "")))
        ret = AVERROR(ENOMEM);
    if (ret >= 0 && !(p->out = av_strdup(outs->name ? outs->name : "")))
        ret = AVERROR(ENOMEM);
    avfilter_inout_free(&ins);
    avfilter_inout_free(&outs);
    avfilter_graph_free(&g);
    return ret;
}

static int ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), t = strlen(tail);
    return n >= t && !strcmp(s + n - t, tail);
}

/* A still image: one video stream that an image demuxer reads. */
static int check_image(const char *path, const char *output, char *err, int errlen)
{
    AVFormatContext *ic = NULL;
    AVDictionary *o = NULL;
    const char *fmt;
    int ret;

    if ((ret = rd_paths_check(path, output, NULL, 0, 1, err, errlen)) < 0)
        return ret;
    av_dict_set(&o, "protocol_whitelist", rd_paths_protocols(), 0);
    ret = avformat_open_input(&ic, path, NULL, &o);
    av_dict_free(&o);
    if (ret < 0) {
        snprintf(err, errlen, "%s: %s", path, av_err2str(ret));
        return ret;
    }
    ret = avformat_find_stream_info(ic, NULL);
    fmt = ic->iformat->name;
    if (ret >= 0 && (ic->nb_streams != 1 || ic->streams[0]->codecpar->codec_type != AVMEDIA_TYPE_VIDEO ||
                     (strcmp(fmt, "image2") && !ends_with(fmt, "_pipe")))) {
        snprintf(err, errlen, "%s: a second input is read only as a still image for -filter_complex "
                 "(this is %s)", path, fmt);
        ret = AVERROR(EINVAL);
    } else if (ret < 0)
        snprintf(err, errlen, "%s: %s", path, av_err2str(ret));
    avformat_close_input(&ic);
    return ret;
}

/* movie=filename=PATH, escaped for the option's value and then for the graph. */
static char *image_source(const char *path)
{
    char *opt = NULL, *graph = NULL, *r;
    if (av_escape(&opt, path, "':\\", AV_ESCAPE_MODE_BACKSLASH, 0) < 0 ||
        av_escape(&graph, opt, "'[],;\\", AV_ESCAPE_MODE_BACKSLASH, 0) < 0) {
        av_free(opt);
        return NULL;
    }
    r = av_asprintf("movie@" RD_CONTRACT_STILL "=filename=%s[" IMAGE_LABEL "];", graph);
    av_free(opt);
    av_free(graph);
    return r;
}

int rd_ff_complex(RdFf *f, const char *output, char *err, int errlen)
{
    Pads p;
    char *a = NULL, *b = NULL, *src = NULL;
    int ret;

    if (!f->complex_text) {
        if (!f->input2)
            return 0;
        snprintf(err, errlen, "-i %s: render reads a second input only as an image that -filter_complex "
                 "overlays ([1:v])", f->input2);
        return AVERROR(EINVAL);
    }
    if ((ret = pads_of(f, f->complex_text, f->input2 ? 2 : 1, &p, err, errlen)) < 0 ||
        (f->input2 && (ret = check_image(f->input2, output, err, errlen)) < 0))
        goto end;
    ret = AVERROR(ENOMEM);
    /* [0:v] becomes the chunk's [in], [1:v] the image source's output */
    if (p.both_first)
        a = av_asprintf("[in][" IMAGE_LABEL "]%s", f->complex_text);
    else if (p.in2 && (b = relabel(f->complex_text, p.in2, IMAGE_LABEL, 0)))
        a = relabel(b, p.in, "in", 0);
    else if (!p.in2)
        a = relabel(f->complex_text, p.in, "in", 0);
    if (!a || (f->input2 && !(src = image_source(f->input2))))
        goto end;
    av_freep(&b);
    if (!(b = av_asprintf("%s%s", src ? src : "", a)) || !(f->complex = relabel(b, p.out, "ffout", 1)))
        goto end;
    f->complex_out = p.out;
    p.out = NULL;
    ret = 0;
end:
    av_free(a);
    av_free(b);
    av_free(src);
    pads_free(&p);
    return ret;
}
