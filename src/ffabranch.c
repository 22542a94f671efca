/*
 * ffabranch.c - the audio branch of a -filter_complex, as people type it to
 * change a clip's speed:
 *
 *     -filter_complex "[0:v]setpts=0.5*PTS[v];[0:a]atempo=2[a]" -map "[v]" -map "[a]"
 *
 * The graph is split into its chains (at the ';' that separate them) and
 * the chains joined by labels into parts. A part that starts from input
 * 0's audio and shares no label with the video's is the audio branch: the
 * audio is filtered once, as -af does (audio.c), from the one stream its
 * label names, and -map "[a]" becomes a map of that stream. The rest is
 * the video graph (ffcomplex.c). What does not fit (a part that mixes the
 * video and the audio, an audio part with several inputs or outputs, -af
 * beside it, other audio streams mapped) is refused in one line.
 */
#include "ffopts.h"

#include <string.h>
#include <libavfilter/avfilter.h>
#include <libavutil/avstring.h>
#include <libavutil/bprint.h>
#include <libavutil/mem.h>

#define MAX_CHAINS 64

typedef struct Chain {
    const char *text;  ///< within the copy, NUL-terminated
    int part;          ///< union-find parent
    int audio_in;      ///< 1: has an input labelled as input 0's audio
    int video_in;      ///< 1: has an input labelled as input 0's (or 1's) video
} Chain;

/* Cut the copy at the top-level ';' (outside quotes and escapes). */
static int cut_chains(char *s, Chain *c)
{
    int n = 0, quote = 0;
    c[n++].text = s;
    for (char *p = s; *p; p++) {
        if (*p == '\\' && p[1])
            p++;
        else if (*p == '\'')
            quote = !quote;
        else if (*p == ';' && !quote) {
            if (n == MAX_CHAINS)
                return AVERROR(E2BIG);
            *p = 0;
            c[n++].text = p + 1;
        }
    }
    return n;
}

static int root(Chain *c, int i)
{
    while (c[i].part != i)
        i = c[i].part = c[c[i].part].part;
    return i;
}

/* "0:a" or "0:a:N": the stream -map takes for it ("0:a:N"); NULL otherwise. */
static char *audio_stream(const char *label)
{
    if (!label || strncmp(label, "0:a", 3))
        return NULL;
    if (!label[3])
        return av_strdup("0:a:0");
    if (label[3] == ':' && label[4] && strspn(label + 4, "0123456789") == strlen(label + 4))
        return av_strdup(label);
    return NULL;
}

static int is_video_label(const char *l)
{
    return l && (l[0] == '0' || l[0] == '1') && (!l[1] || !strncmp(l + 1, ":v", 2) || !strncmp(l + 1, ":V", 2));
}


static int has_label(const AVFilterInOut *l, const char *name)
{
    for (; l; l = l->next)
        if (l->name && name && !strcmp(l->name, name))
            return 1;
    return 0;
}

/* Chains that share a label are one part. */
static int join_parts(const RdFf *f, Chain *c, int n, char *err, int errlen)
{
    AVFilterInOut *ins[MAX_CHAINS] = { 0 }, *outs[MAX_CHAINS] = { 0 };
    AVFilterGraph *g[MAX_CHAINS] = { 0 };
    int ret = 0;
    for (int i = 0; i < n && ret >= 0; i++) {
        c[i].part = i;
        if ((ret = rd_ff_graph_pads(f, c[i].text, &g[i], &ins[i], &outs[i], err, errlen)) < 0)
            break;
        for (AVFilterInOut *l = ins[i]; l; l = l->next) {
            char *a = audio_stream(l->name);
            c[i].audio_in |= a != NULL || (l->name && !strncmp(l->name, "0:a", 3));
            c[i].video_in |= is_video_label(l->name);
            av_free(a);
        }
    }
    for (int i = 0; i < n && ret >= 0; i++)
        for (int j = 0; j < n; j++)
            for (AVFilterInOut *l = outs[i]; l && i != j; l = l->next)
                if (l->name && has_label(ins[j], l->name))
                    c[root(c, i)].part = root(c, j);
    for (int i = 0; i < n; i++) {
        avfilter_inout_free(&ins[i]);
        avfilter_inout_free(&outs[i]);
        avfilter_graph_free(&g[i]);
    }
    return ret;
}

/* The audio part's text, its open input and its output, parsed whole. */
static int audio_ends(const RdFf *f, const char *text, char **in, char **in_label, char **out, char *err,
                      int errlen)
{
    AVFilterInOut *ins = NULL, *outs = NULL;
    AVFilterGraph *g = NULL;
    int ret = rd_ff_graph_pads(f, text, &g, &ins, &outs, err, errlen);
    if (ret >= 0 && (!ins || ins->next || !outs || outs->next || !outs->name || !*outs->name)) {
        snprintf(err, errlen, "-filter_complex: the audio branch '%s' must have one input (input 0's audio, "
                 "[0:a] or [0:a:N]) and one labelled output, which -map takes", text);
        ret = AVERROR(EINVAL);
    } else if (ret >= 0 && !(*in = audio_stream(ins->name))) {
        snprintf(err, errlen, "-filter_complex: input [%s]: render filters one audio stream of input 0, "
                 "[0:a] or [0:a:N]", ins->name ? ins->name : "");
        ret = AVERROR(EINVAL);
    } else if (ret >= 0 && (!(*out = av_strdup(outs->name)) || !(*in_label = av_strdup(ins->name))))
        ret = AVERROR(ENOMEM);
    avfilter_inout_free(&ins);
    avfilter_inout_free(&outs);
    avfilter_graph_free(&g);
    return ret;
}

/* "[0:a]atempo=2[a]" -> "atempo=2": -af's form (audio.c puts its own ends
 * and a trim before it), where the labels stand at the ends. */
static char *unlabel(const char *text, const char *in, const char *out)
{
    const char *b = text + strspn(text, " \n\t");
    size_t n = strlen(text);
    char head[160], tail[160];
    snprintf(head, sizeof(head), "[%s]", in);
    if (strncmp(b, head, strlen(head)))
        return NULL;
    b += strlen(head);
    while (n && strchr(" \n\t", text[n - 1]))
        n--;
    snprintf(tail, sizeof(tail), "[%s]", out);
    if (n < strlen(tail) || strncmp(text + n - strlen(tail), tail, strlen(tail)) || text + n - strlen(tail) < b)
        return NULL;
    return av_strndup(b, text + n - strlen(tail) - b);
}

/* -map "[a]" becomes a map of the stream; the video's place moves with it. */
static int place_audio(RdFf *f, RdSettings *s, const char *stream, int audio_first, char *err, int errlen)
{
    const char **maps = (const char **)s->maps;
    int at = audio_first ? f->map_label_at : f->map_label2_at;
    for (int i = 0; i < s->nmaps; i++)
        if (maps[i][0] != '-' && !strchr("vVsdt", maps[i][strlen(maps[i]) > 2 ? 2 : 0])) {
            snprintf(err, errlen, "-map %s: render filters the audio it writes with the branch of "
                     "-filter_complex; map no other audio beside -map \"[%s]\"", maps[i], f->abranch_out);
            return AVERROR(EINVAL);
        }
    memmove(maps + at + 1, maps + at, (s->nmaps - at) * sizeof(*maps));
    maps[at] = stream;
    s->nmaps++;
    if (audio_first) { /* the video was the second label */
        f->map_label = f->map_label2;
        s->map_video = f->map_label ? 2 + f->map_label2_at : 0;
    } else
        s->map_video = f->map_label ? 1 + f->map_label_at : 0;
    f->map_label2 = NULL;
    return 0;
}

/* Which of the two -map labels is the audio's; -1 when neither. */
static int audio_label(const RdFf *f)
{
    const char *l[2] = { f->map_label, f->map_label2 };
    for (int i = 0; i < 2; i++)
        if (l[i] && strlen(l[i]) == strlen(f->abranch_out) + 2 && !strncmp(l[i] + 1, f->abranch_out, strlen(l[i]) - 2))
            return i;
    return -1;
}

/* The chains of the audio part, and of the rest, joined again. */
static int split(Chain *c, int n, int apart, AVBPrint *a, AVBPrint *v)
{
    for (int i = 0; i < n; i++) {
        AVBPrint *b = root(c, i) == apart ? a : v;
        av_bprintf(b, "%s%s", b->len ? ";" : "", c[i].text);
    }
    return av_bprint_is_complete(a) && av_bprint_is_complete(v) ? 0 : AVERROR(ENOMEM);
}

static int take_branch(RdFf *f, RdSettings *s, Chain *c, int n, int apart, char *err, int errlen)
{
    AVBPrint a, v;
    char *in = NULL, *in_label = NULL;
    int ret, which;
    av_bprint_init(&a, 0, AV_BPRINT_SIZE_UNLIMITED);
    av_bprint_init(&v, 0, AV_BPRINT_SIZE_UNLIMITED);
    if ((ret = split(c, n, apart, &a, &v)) < 0 ||
        (ret = audio_ends(f, a.str, &in, &in_label, &f->abranch_out, err, errlen)) < 0)
        goto end;
    ret = AVERROR(EINVAL);
    if (!(f->abranch = unlabel(a.str, in_label, f->abranch_out)))
        snprintf(err, errlen, "-filter_complex: the audio branch '%s': render takes it as one chain that "
                 "starts with [0:a] and ends with its output's label", a.str);
    else if (s->af)
        snprintf(err, errlen, "-af and an audio branch of -filter_complex both filter the audio: give one graph");
    else if ((which = audio_label(f)) < 0)
        snprintf(err, errlen, "-filter_complex: its audio output [%s] is not mapped: add -map \"[%s]\"",
                 f->abranch_out, f->abranch_out);
    else if ((ret = place_audio(f, s, in, which == 0, err, errlen)) >= 0) {
        f->abranch_map = in;
        in = NULL;
        s->af = f->abranch;
        ret = 0;
        if (!v.len)
            f->complex_text = NULL;
        else if (!(f->complex_rest = av_strdup(v.str)))
            ret = AVERROR(ENOMEM);
        else
            f->complex_text = f->complex_rest;
    }
end:
    av_free(in);
    av_free(in_label);
    av_bprint_finalize(&a, NULL);
    av_bprint_finalize(&v, NULL);
    return ret;
}

int rd_ff_audio_branch(RdFf *f, RdSettings *s, char *err, int errlen)
{
    Chain c[MAX_CHAINS];
    char *copy;
    int n, ret, apart = -1;

    if (!f->complex_text)
        return f->map_label2 ? (snprintf(err, errlen, "-map %s: there is no -filter_complex", f->map_label2),
                                AVERROR(EINVAL)) : 0;
    if (!(copy = av_strdup(f->complex_text)))
        return AVERROR(ENOMEM);
    memset(c, 0, sizeof(c));
    if ((n = ret = cut_chains(copy, c)) < 0)
        snprintf(err, errlen, "-filter_complex: more than %d chains", MAX_CHAINS);
    else if ((ret = join_parts(f, c, n, err, errlen)) >= 0) {
        for (int i = 0; i < n && ret >= 0; i++)
            if (c[i].audio_in && apart >= 0 && root(c, i) != apart) {
                snprintf(err, errlen, "-filter_complex: render takes one audio branch");
                ret = AVERROR(EINVAL);
            } else if (c[i].audio_in)
                apart = root(c, i);
        for (int i = 0; i < n && ret >= 0 && apart >= 0; i++)
            if (c[i].video_in && root(c, i) == apart) {
                snprintf(err, errlen, "-filter_complex: a part of the graph takes both the video and the audio; "
                         "render filters them apart (the video's [0:v] ... [v], the audio's [0:a] ... [a])");
                ret = AVERROR_PATCHWELCOME;
            }
    }
    if (ret >= 0 && apart >= 0)
        ret = take_branch(f, s, c, n, apart, err, errlen);
    else if (ret >= 0 && f->map_label2)
        ret = (snprintf(err, errlen, "-map %s: render maps one output of -filter_complex for the video (%s) and "
                        "one of its audio branch ([0:a] ... [a])", f->map_label2, f->map_label), AVERROR(EINVAL));
    av_free(copy);
    return ret;
}
