#include "streams/meta.h"

#include <stdio.h>
#include <string.h>
#include <libavcodec/avcodec.h>
#include <libavutil/avstring.h>
#include <libavutil/opt.h>

#include "io/input.h"

/* Set by the tools that made the input, not facts about the content. */
static const char *const DROP_GLOBAL[] = { "creation_time", "company_name", "product_name",
                                           "product_version", NULL };

static int name_in(const char *name, const char *const *list)
{
    for (; *list; list++)
        if (!strcmp(name, *list))
            return 1;
    return 0;
}

int rd_meta_holds_chapters(const AVOutputFormat *of)
{
    static const char *const with[] = { "matroska", "webm", "mov", "mp4", "ipod", "ismv", "psp",
                                        "3gp", "3g2", "f4v", "ogg", "oga", "ogv", "opus", "spx",
                                        "ffmetadata", "nut", NULL };
    return name_in(of->name, with);
}

int rd_meta_fix_language(AVStream *ost, const AVOutputFormat *of)
{
    /* The codes QuickTime's table has: libavformat 59's MOV muxer keeps
     * these and writes "und" for any other (measured over ISO 639-2). */
    static const char mov_langs[] =
        "alb amh ara arm asm aym aze baq bel ben bul bur cat ces chi dan dut dzo eng epo est "
        "fin fra geo ger gre grn guj heb hin hun ice ind ita jav jpn kan kas kaz khm kin kir "
        "kor kur lao lat lav lit mac mal mar may mlg mlt mon nep nor nya ori orm per pol por "
        "pus que ron run rus san sin slk slv smi snd som spa sve swa tam tat tel tgk tgl tha "
        "tib tir tuk tur uig ukr urd uzb vie wel yid ";
    /* ISO 639-2 pairs: the code the table lacks, the one it has. */
    static const char *const alt[][2] = {
        { "fre", "fra" }, { "deu", "ger" }, { "nld", "dut" }, { "zho", "chi" }, { "cze", "ces" },
        { "ell", "gre" }, { "swe", "sve" }, { "sqi", "alb" }, { "hye", "arm" }, { "eus", "baq" },
        { "mya", "bur" }, { "kat", "geo" }, { "isl", "ice" }, { "mkd", "mac" }, { "msa", "may" },
        { "fas", "per" }, { "rum", "ron" }, { "slo", "slk" }, { "bod", "tib" }, { "cym", "wel" },
    };
    const AVDictionaryEntry *l = av_dict_get(ost->metadata, "language", NULL, 0);
    char key[5];
    if (!l || strcmp(of->name, "mov") || !strcmp(l->value, "und"))
        return 1;
    for (size_t i = 0; i < sizeof(alt) / sizeof(alt[0]); i++)
        if (!strcmp(l->value, alt[i][0])) {
            av_dict_set(&ost->metadata, "language", alt[i][1], 0);
            return 1;
        }
    snprintf(key, sizeof(key), "%.3s ", l->value);
    return strlen(l->value) == 3 && strstr(mov_langs, key) != NULL;
}

int rd_meta_holds_tags(const AVOutputFormat *of)
{
    static const char *const with[] = { "matroska", "webm", "mov", "mp4", "ipod", "ismv", "psp",
                                        "3gp", "3g2", "f4v", "ogg", "oga", "ogv", "opus", "spx",
                                        "ffmetadata", "avi", "asf", "mp3", "flac", "wav", "nut", NULL };
    return name_in(of->name, with);
}

int rd_meta_lost_global(const AVFormatContext *oc, char *buf, int len)
{
    /* The keys libavformat 59's muxers write (measured with ffprobe). */
    static const char *const mp4[] = { "title", "artist", "album_artist", "composer", "album", "date",
                                       "encoder", "comment", "genre", "copyright", "grouping", "lyrics",
                                       "description", "synopsis", "show", "episode_id", "network",
                                       "keywords", "track", "disc", "compilation", "gapless_playback",
                                       "hd_video", "media_type", "rating", "podcast", "category", NULL };
    static const char *const mov[] = { "title", "artist", "album", "date", "encoder", "comment", "genre",
                                       "copyright", "location", NULL };
    static const char *const brands[] = { "major_brand", "minor_version", "compatible_brands", NULL };
    const char *const *keep = !strcmp(oc->oformat->name, "mp4") || !strcmp(oc->oformat->name, "ipod") ? mp4
                            : !strcmp(oc->oformat->name, "mov") ? mov : NULL;
    const AVDictionaryEntry *e = NULL;
    int n = 0, o = 0;

    buf[0] = 0;
    while (keep && (e = av_dict_get(oc->metadata, "", e, AV_DICT_IGNORE_SUFFIX))) {
        char key[64];
        snprintf(key, sizeof(key), "%s", e->key);
        for (char *c = key; *c; c++)
            *c = (char)av_tolower(*c);
        if (name_in(key, keep) || name_in(key, brands))
            continue;
        if (o < len)
            o += snprintf(buf + o, len - o, "%s%s", n ? ", " : "", e->key);
        n++;
    }
    return n;
}

int rd_meta_global(AVFormatContext *oc, const AVFormatContext *ic, const AVDictionary *user, int limited)
{
    const AVDictionaryEntry *e = NULL;
    int ret;
    if ((ret = av_dict_copy(&oc->metadata, ic->metadata, AV_DICT_DONT_OVERWRITE)) < 0)
        return ret;
    for (int i = 0; DROP_GLOBAL[i]; i++)
        av_dict_set(&oc->metadata, DROP_GLOBAL[i], NULL, 0);
    if (limited)
        av_dict_set(&oc->metadata, "duration", NULL, 0);
    while ((e = av_dict_get(user, "", e, AV_DICT_IGNORE_SUFFIX)))
        if ((ret = av_dict_set(&oc->metadata, e->key, *e->value ? e->value : NULL, 0)) < 0)
            return ret;
    return 0;
}

int rd_meta_chapters(AVFormatContext *oc, const AVFormatContext *ic, int64_t offset, int64_t rt)
{
    int kept = 0, ret;
    for (unsigned i = 0; i < ic->nb_chapters; i++) {
        const AVChapter *in = ic->chapters[i];
        int64_t off = av_rescale_q(-offset, AV_TIME_BASE_Q, in->time_base);
        int64_t lim = rt == INT64_MAX ? INT64_MAX : av_rescale_q(rt, AV_TIME_BASE_Q, in->time_base);
        AVChapter *out, **grown;

        /* ffmpeg's copy_chapters: its bounds, strict and not. */
        if (in->end < off)
            continue;
        if (lim != INT64_MAX && in->start > lim + off)
            break;
        if (!(out = av_mallocz(sizeof(*out))))
            return AVERROR(ENOMEM);
        out->id = in->id;
        out->time_base = in->time_base;
        out->start = FFMAX(0, in->start - off);
        out->end = FFMIN(lim, in->end - off);
        if ((ret = av_dict_copy(&out->metadata, in->metadata, 0)) < 0 ||
            !(grown = av_realloc_array(oc->chapters, oc->nb_chapters + 1, sizeof(*grown)))) {
            av_dict_free(&out->metadata);
            av_free(out);
            return ret < 0 ? ret : AVERROR(ENOMEM);
        }
        oc->chapters = grown;
        oc->chapters[oc->nb_chapters++] = out;
        kept++;
    }
    return kept;
}

int rd_meta_stream(AVStream *ost, const AVStream *ist, const char *encoder)
{
    int ret = ist ? av_dict_copy(&ost->metadata, ist->metadata, AV_DICT_DONT_OVERWRITE) : 0;
    if (ret < 0)
        return ret;
    ost->disposition = ist ? ist->disposition : 0;
    if (encoder) {
        char id[128];
        snprintf(id, sizeof(id), "%s %s", LIBAVCODEC_IDENT, encoder);
        av_dict_set(&ost->metadata, "encoder", NULL, 0);
        av_dict_set(&ost->metadata, "ENCODER", NULL, 0);
        ret = av_dict_set(&ost->metadata, "encoder", id, 0);
    }
    return ret;
}

void rd_meta_drop_stream_tags(AVStream *st, int encoded)
{
    const AVDictionaryEntry *e = encoded ? av_dict_get(st->metadata, "encoder", NULL, AV_DICT_MATCH_CASE) : NULL;
    char *enc = e ? av_strdup(e->value) : NULL;
    av_dict_free(&st->metadata);
    if (enc)
        av_dict_set(&st->metadata, "encoder", enc, AV_DICT_DONT_STRDUP_VAL);
}

void rd_meta_drop_chapter_tags(AVFormatContext *oc)
{
    for (unsigned i = 0; i < oc->nb_chapters; i++)
        av_dict_free(&oc->chapters[i]->metadata);
}

void rd_meta_default_dispositions(AVFormatContext *oc)
{
    int n[AVMEDIA_TYPE_NB] = {0}, have[AVMEDIA_TYPE_NB] = {0};
    for (unsigned i = 0; i < oc->nb_streams; i++) {
        const AVStream *st = oc->streams[i];
        int t = st->codecpar->codec_type;
        if (t < 0 || t >= AVMEDIA_TYPE_NB)
            continue;
        n[t]++;
        have[t] |= !!(st->disposition & AV_DISPOSITION_DEFAULT);
    }
    for (unsigned i = 0; i < oc->nb_streams; i++) {
        AVStream *st = oc->streams[i];
        int t = st->codecpar->codec_type;
        if (t < 0 || t >= AVMEDIA_TYPE_NB || n[t] < 2 || have[t] ||
            (st->disposition & AV_DISPOSITION_ATTACHED_PIC))
            continue;
        st->disposition |= AV_DISPOSITION_DEFAULT;
        have[t] = 1;
    }
}

static int add_side_data(AVStream *vst, enum AVPacketSideDataType type, const void *data, size_t size)
{
    uint8_t *sd;
    if (av_stream_get_side_data(vst, type, NULL))
        return 0;
    if (!(sd = av_stream_new_side_data(vst, type, size)))
        return AVERROR(ENOMEM);
    memcpy(sd, data, size);
    return 1;
}

/* The first decoded frame of stream `vindex` (its SEI side data). */
static int first_frame(AVFormatContext *ic, int vindex, AVFrame *f)
{
    const AVCodec *codec = avcodec_find_decoder(ic->streams[vindex]->codecpar->codec_id);
    AVCodecContext *dec = NULL;
    AVPacket *pkt = av_packet_alloc();
    int ret, got = 0;

    if (!pkt || !codec || !(dec = avcodec_alloc_context3(codec))) {
        ret = !codec ? AVERROR_DECODER_NOT_FOUND : AVERROR(ENOMEM);
        goto end;
    }
    if ((ret = avcodec_parameters_to_context(dec, ic->streams[vindex]->codecpar)) < 0)
        goto end;
    dec->thread_count = 1;
    if ((ret = avcodec_open2(dec, codec, NULL)) < 0)
        goto end;
    while (!got && av_read_frame(ic, pkt) >= 0) {
        if (pkt->stream_index == vindex)
            avcodec_send_packet(dec, pkt);
        av_packet_unref(pkt);
        got = avcodec_receive_frame(dec, f) >= 0;
    }
    if (!got) {
        avcodec_send_packet(dec, NULL);
        got = avcodec_receive_frame(dec, f) >= 0;
    }
    ret = got;
end:
    av_packet_free(&pkt);
    avcodec_free_context(&dec);
    return ret;
}

int rd_meta_find_hdr10(RdHdr10 *h, const char *path, int vindex, enum AVColorTransferCharacteristic trc,
                       int stream_only)
{
    AVFormatContext *ic = NULL;
    AVFrame *f = NULL;
    const uint8_t *md, *cl;
    size_t mds = 0, cls = 0;
    int ret;

    memset(h, 0, sizeof(*h));
    if (trc != AVCOL_TRC_SMPTE2084 && trc != AVCOL_TRC_ARIB_STD_B67)
        return 0;
    if ((ret = rd_input_open(&ic, path, vindex)) < 0)
        return ret;
    md = av_stream_get_side_data(ic->streams[vindex], AV_PKT_DATA_MASTERING_DISPLAY_METADATA, &mds);
    cl = av_stream_get_side_data(ic->streams[vindex], AV_PKT_DATA_CONTENT_LIGHT_LEVEL, &cls);
    if (!md && !cl && !stream_only) { /* only in the bitstream (x265's SEI) */
        const AVFrameSideData *fm, *fc;
        if (!(f = av_frame_alloc())) {
            ret = AVERROR(ENOMEM);
            goto end;
        }
        if ((ret = first_frame(ic, vindex, f)) <= 0)
            goto end;
        fm = av_frame_get_side_data(f, AV_FRAME_DATA_MASTERING_DISPLAY_METADATA);
        fc = av_frame_get_side_data(f, AV_FRAME_DATA_CONTENT_LIGHT_LEVEL);
        md = fm ? fm->data : NULL;
        mds = fm ? fm->size : 0;
        cl = fc ? fc->data : NULL;
        cls = fc ? fc->size : 0;
    }
    if (md && mds >= sizeof(h->mastering)) {
        memcpy(&h->mastering, md, sizeof(h->mastering));
        h->has_mastering = 1;
    }
    if (cl && cls >= sizeof(h->light)) {
        memcpy(&h->light, cl, sizeof(h->light));
        h->has_light = 1;
    }
    ret = 0;
end:
    av_frame_free(&f);
    avformat_close_input(&ic);
    return ret;
}

int rd_meta_video_side_data(AVStream *vst, const AVStream *ist, const RdHdr10 *hdr)
{
    static const enum AVPacketSideDataType keep[] = { AV_PKT_DATA_STEREO3D, AV_PKT_DATA_SPHERICAL };
    int n = 0, ret;

    for (size_t k = 0; k < sizeof(keep) / sizeof(keep[0]); k++) {
        size_t size = 0;
        const uint8_t *sd = av_stream_get_side_data(ist, keep[k], &size);
        if (sd && (ret = add_side_data(vst, keep[k], sd, size)) < 0)
            return ret;
        n += sd != NULL;
    }
    if (hdr && hdr->has_mastering &&
        (ret = add_side_data(vst, AV_PKT_DATA_MASTERING_DISPLAY_METADATA, &hdr->mastering,
                             sizeof(hdr->mastering))) < 0)
        return ret;
    if (hdr && hdr->has_light &&
        (ret = add_side_data(vst, AV_PKT_DATA_CONTENT_LIGHT_LEVEL, &hdr->light, sizeof(hdr->light))) < 0)
        return ret;
    return n + (hdr ? hdr->has_mastering + hdr->has_light : 0);
}

/* Output stream `st` is the nth of its type (counted in `seen`). */
static int set_matches(const RdStreamSet *set, const AVStream *st, int nth)
{
    static const char types[] = { [AVMEDIA_TYPE_VIDEO] = 'v', [AVMEDIA_TYPE_AUDIO] = 'a',
                                  [AVMEDIA_TYPE_SUBTITLE] = 's', [AVMEDIA_TYPE_DATA] = 'd',
                                  [AVMEDIA_TYPE_ATTACHMENT] = 't' };
    enum AVMediaType t = st->codecpar->codec_type;
    char c = t >= 0 && t < (int)sizeof(types) ? types[t] : '?';
    if (set->type && set->type != c)
        return 0;
    return set->nth < 0 || set->nth == nth;
}

/* One set on one stream: a tag, or dispositions as ffmpeg 5.1 reads them
 * (AVStream's "disposition" flags option, relative with + and -). */
static int apply_set(AVStream *st, const RdStreamSet *set, char *err, int errlen)
{
    const AVClass *cls = av_stream_get_class();
    const AVOption *o;
    int ret;
    if (set->key)
        return av_dict_set(&st->metadata, set->key, *set->value ? set->value : NULL, 0);
    o = av_opt_find(&cls, "disposition", NULL, 0, AV_OPT_SEARCH_FAKE_OBJ);
    if (!o)
        return AVERROR_BUG;
    if ((ret = av_opt_eval_flags(&cls, o, set->value, &st->disposition)) < 0)
        snprintf(err, errlen, "-disposition %s: not dispositions (default, forced, original, "
                 "comment, 0 ...; + adds, - removes)", set->value);
    return ret;
}

int rd_meta_apply_sets(AVFormatContext *oc, const RdStreamSet *sets, int n, char *err, int errlen)
{
    for (int k = 0; k < n; k++) {
        int count[AVMEDIA_TYPE_NB] = { 0 }, hits = 0, ret;
        for (unsigned i = 0; i < oc->nb_streams; i++) {
            AVStream *st = oc->streams[i];
            enum AVMediaType t = st->codecpar->codec_type;
            int nth = t >= 0 && t < AVMEDIA_TYPE_NB ? count[t]++ : (int)i;
            if (!set_matches(&sets[k], st, sets[k].type ? nth : (int)i))
                continue;
            hits++;
            if ((ret = apply_set(st, &sets[k], err, errlen)) < 0)
                return ret;
        }
        if (!hits) {
            char spec[32] = "";
            if (sets[k].type)
                snprintf(spec, sizeof(spec), ":%c", sets[k].type);
            if (sets[k].nth >= 0)
                snprintf(spec + strlen(spec), sizeof(spec) - strlen(spec), ":%d", sets[k].nth);
            snprintf(err, errlen, "%s%s: no such output stream", sets[k].key ? "-metadata:s" : "-disposition", spec);
            return AVERROR(EINVAL);
        }
    }
    return 0;
}
