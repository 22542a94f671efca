#include "streams/streammap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct Spec {
    int negative, optional;
    int index;                  ///< stream index, -1 = any
    char type;                  ///< 0 = any, else v V a s d t
    int nth;                    ///< n-th of those matched so far, -1 = all
    const char *key;            ///< m:KEY[:VALUE]: a tag the stream must have, NULL = none
    int keylen;
    const char *value;          ///< and its value (case-sensitive, as ffmpeg), NULL = any
    int valuelen;
    int has_id;                 ///< #ID or i:ID: the container's stream id
    long id;
} Spec;

static int parse_num(const char **p, int *out)
{
    char *end;
    long x;
    if (**p < '0' || **p > '9')
        return -1;
    x = strtol(*p, &end, 10);
    if (x < 0 || x > 1000000)
        return -1;
    *out = (int)x;
    *p = end;
    return 0;
}

/* The rest of a spec after "m:" or "#"/"i:", up to a final '?': as in
 * libavformat's matcher, these take all that is left. */
static int tail_len(const char *s)
{
    int n = (int)strlen(s);
    return n && s[n - 1] == '?' ? n - 1 : n;
}

/* m:KEY[:VALUE], #ID, i:ID; 0 when `s` is none of these, 1 parsed, -1 malformed. */
static int parse_tail(const char **ps, Spec *sp)
{
    const char *s = *ps, *colon;
    char *end;
    int n;
    if (s[0] == 'm' && s[1] == ':') {
        s += 2;
        n = tail_len(s);
        colon = memchr(s, ':', n);
        sp->key = s;
        sp->keylen = colon ? (int)(colon - s) : n;
        if (colon) {
            sp->value = colon + 1;
            sp->valuelen = n - (int)(colon + 1 - s);
        }
        *ps = s + n;
        return sp->keylen > 0 ? 1 : -1;
    }
    if (s[0] == '#' || (s[0] == 'i' && s[1] == ':')) {
        s += s[0] == '#' ? 1 : 2;
        sp->id = strtol(s, &end, 0);
        if (end == s || end != s + tail_len(s))
            return -1;
        sp->has_id = 1;
        *ps = end;
        return 1;
    }
    return 0;
}

/* 0, -1 malformed, -2 another input than 0. The grammar of ffmpeg 5.1's
 * stream specifiers less programs and 'u': [TYPE[:]] then N, m:KEY[:VALUE],
 * #ID or i:ID, or a bare index N. */
static int parse_spec(const char *s, Spec *sp)
{
    int input, r;
    memset(sp, 0, sizeof(*sp));
    sp->index = sp->nth = -1;
    if (*s == '-') {
        sp->negative = 1;
        s++;
    }
    if (parse_num(&s, &input) < 0)
        return -1;
    if (*s == ':') {
        s++;
        if (*s && strchr("vVasdt", *s) && (s[1] == ':' || s[1] == '?' || !s[1])) {
            sp->type = *s++;
            if (*s == ':') {
                s++;
                if ((r = parse_tail(&s, sp)) < 0 || (!r && parse_num(&s, &sp->nth) < 0))
                    return -1;
            }
        } else if ((r = parse_tail(&s, sp)) < 0 || (!r && parse_num(&s, &sp->index) < 0))
            return -1;
    }
    if (*s == '?') {
        sp->optional = 1;
        s++;
    }
    if (*s)
        return -1;
    return input == 0 ? 0 : -2;
}

int rd_map_valid(const char *spec)
{
    Spec sp;
    return parse_spec(spec, &sp) == 0;
}

static int type_matches(char type, const RdStreamKind *k)
{
    switch (type) {
    case 0:   return 1;
    case 'v': return k->type == AVMEDIA_TYPE_VIDEO;
    case 'V': return k->type == AVMEDIA_TYPE_VIDEO && !k->cover;
    case 'a': return k->type == AVMEDIA_TYPE_AUDIO;
    case 's': return k->type == AVMEDIA_TYPE_SUBTITLE;
    case 'd': return k->type == AVMEDIA_TYPE_DATA;
    case 't': return k->type == AVMEDIA_TYPE_ATTACHMENT;
    }
    return 0;
}

/* m:KEY[:VALUE]: the key found as av_dict_get finds it (any case), the
 * value compared exactly. */
static int tag_matches(const Spec *sp, const RdStreamKind *k)
{
    const AVDictionaryEntry *e;
    char key[256];
    if (!sp->key)
        return 1;
    if (sp->keylen >= (int)sizeof(key))
        return 0;
    memcpy(key, sp->key, sp->keylen);
    key[sp->keylen] = 0;
    if (!(e = av_dict_get(k->meta, key, NULL, 0)))
        return 0;
    return !sp->value || ((int)strlen(e->value) == sp->valuelen && !memcmp(e->value, sp->value, sp->valuelen));
}

/* Marks in `hit` the streams the spec names; returns how many. */
static int match(const Spec *sp, const RdStreamKind *kind, int n, unsigned char *hit)
{
    int count = 0, nth = 0;
    for (int i = 0; i < n; i++) {
        int m;
        if (sp->index >= 0)
            m = i == sp->index;
        else if (!type_matches(sp->type, &kind[i]) || !tag_matches(sp, &kind[i]) ||
                 (sp->has_id && kind[i].id != sp->id))
            m = 0;
        else
            m = sp->nth < 0 || nth++ == sp->nth;
        hit[i] = (unsigned char)m;
        count += m;
    }
    return count;
}

static int dropped_by_flags(const RdMapOptions *o, enum AVMediaType t)
{
    return (o->an && t == AVMEDIA_TYPE_AUDIO) || (o->sn && t == AVMEDIA_TYPE_SUBTITLE) ||
           (o->dn && t == AVMEDIA_TYPE_DATA) || (o->vn && t == AVMEDIA_TYPE_VIDEO);
}

/* ffmpeg 5.1's choice without -map (fftools/ffmpeg_opt.c, open_output_file):
 * the video, the audio stream with the best score (channels, and far more
 * for the default disposition; the first of equals), the first subtitle
 * whose kind (text, bitmap) the container's encoder shares. Returns the
 * number of indexes written to list. */
static int ff_auto(const RdStreamKind *kind, int n, int vindex, const RdMapOptions *o, int *list)
{
    int len = 0, best = 0, audio = -1;
    if (vindex >= 0 && vindex < n)
        list[len++] = vindex;
    for (int i = 0; o->audio_ok && !o->an && i < n; i++) {
        int score = kind[i].channels + 5000000 * !!kind[i].is_default;
        if (kind[i].type == AVMEDIA_TYPE_AUDIO && score > best) {
            best = score;
            audio = i;
        }
    }
    if (audio >= 0)
        list[len++] = audio;
    for (int i = 0; o->sub_props && !o->sn && i < n; i++)
        if (kind[i].type == AVMEDIA_TYPE_SUBTITLE &&
            (o->sub_props < 0 || !kind[i].sub_props || (kind[i].sub_props & o->sub_props))) {
            list[len++] = i;
            break;
        }
    return len;
}

/* An audio or subtitle stream the maps name twice is written twice, as
 * ffmpeg writes it (a track kept and a stereo one made from it); the
 * rendered video, cover art, attachments and data only once. */
static int twice(const RdStreamKind *kind, const int *list, int len, int vindex, char *err, int errlen)
{
    for (int j = 0; j < len; j++)
        for (int k = 0; k < j; k++)
            if (list[j] >= 0 && list[k] == list[j] &&
                (list[j] == vindex || (kind[list[j]].type != AVMEDIA_TYPE_AUDIO &&
                                       kind[list[j]].type != AVMEDIA_TYPE_SUBTITLE))) {
                snprintf(err, errlen, "-map: stream 0:%d is mapped twice; render writes an audio or "
                         "subtitle stream as often as it is mapped, %s once", list[j],
                         list[j] == vindex ? "the rendered video" : "other streams");
                return AVERROR(EINVAL);
            }
    return 0;
}

int rd_map_select(const RdStreamKind *kind, int n, int vindex, const RdMapOptions *o,
                  int *order, int *norder, int *vpos, char *err, int errlen)
{
    unsigned char *hit = calloc(n ? n : 1, 1), *in = calloc(n ? n : 1, 1);
    /* each map adds at most n; the graph's video is one more entry, -1 */
    int *list = malloc(((size_t)n * (o->nmaps + 1) + 2) * sizeof(*list)), len = 0, ret = 0, vseen = 0;
    /* any -map, the graph's included, turns ffmpeg's own selection off */
    int mapped = o->nmaps || o->map_video;

    *norder = 0;
    *vpos = 0;
    if (!hit || !in || !list) {
        snprintf(err, errlen, "out of memory");
        ret = AVERROR(ENOMEM);
        goto end;
    }
    if (!mapped && o->ff_auto)
        len = ff_auto(kind, n, vindex, o, list);
    else if (!mapped)
        for (int i = 0; i < n; i++)
            list[len++] = i;
    for (int m = 0; m < o->nmaps; m++) {
        Spec sp;
        int r = parse_spec(o->maps[m], &sp), count;
        if (o->map_video == m + 1)
            list[len++] = -1;
        if (r < 0) {
            snprintf(err, errlen, r == -2 ? "-map %s: render has one input, 0"
                                          : "-map %s: not a stream specifier (0, 0:a, 0:a:1, 0:3, -0:s ...)",
                     o->maps[m]);
            ret = AVERROR(EINVAL);
            goto end;
        }
        count = match(&sp, kind, n, hit);
        if (!count && !sp.optional) {
            snprintf(err, errlen, "-map %s matches no stream", o->maps[m]);
            ret = AVERROR(EINVAL);
            goto end;
        }
        if (sp.negative) {
            int k = 0;
            for (int j = 0; j < len; j++)
                if (list[j] < 0 || !hit[list[j]])
                    list[k++] = list[j];
            len = k;
        } else
            for (int i = 0; i < n; i++)
                if (hit[i])
                    list[len++] = i;
    }
    if (o->map_video > o->nmaps)
        list[len++] = -1;
    if (mapped && (ret = twice(kind, list, len, vindex, err, errlen)) < 0)
        goto end;
    for (int j = 0; j < len; j++) {
        int i = list[j];
        if (i >= 0 && i == vindex && o->map_video) {
            snprintf(err, errlen, "-map: with -map of the graph's output, the input's video 0:%d would "
                     "be a second video stream; render writes one (map the other streams by type: 0:a, 0:s)", i);
            ret = AVERROR(EINVAL);
            goto end;
        }
        if (i < 0 || i == vindex) { /* the video's place in the output */
            *vpos = mapped ? *norder : 0;
            vseen = 1;
            continue;
        }
        if ((in[i] && !mapped) || dropped_by_flags(o, kind[i].type))
            continue;
        in[i] = 1;
        order[(*norder)++] = i;
    }
    if (vindex >= 0 && vindex < n && !vseen && !o->map_video) {
        snprintf(err, errlen, "-map: the video stream 0:%d is not selected, and render always "
                 "writes it (add -map 0:%d)", vindex, vindex);
        ret = AVERROR(EINVAL);
    }
end:
    free(hit);
    free(in);
    free(list);
    return ret;
}
