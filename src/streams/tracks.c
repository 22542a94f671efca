#include "streams/tracks.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <libavcodec/avcodec.h>

#include "streams/meta.h"
#include "io/input.h"
#include "streams/streammap.h"
#include "streams/tracks_priv.h"

void rd_tracks_notice(const RdTracks *t, const char *kind, const char *fmt, ...)
{
    va_list ap;
    if (t->cfg.quiet)
        return;
    fprintf(stderr, "render: %s: %s: ", t->cfg.path, kind);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* "stream 0:2 (audio pcm_s16le, fre)" */
const char *rd_tracks_describe(const AVStream *st, char *buf, int len)
{
    const AVDictionaryEntry *lang = av_dict_get(st->metadata, "language", NULL, 0);
    const char *type = av_get_media_type_string(st->codecpar->codec_type);
    snprintf(buf, len, "stream 0:%d (%s %s%s%s)", st->index,
             type ? type : "unknown",
             avcodec_get_name(st->codecpar->codec_id), lang ? ", " : "", lang ? lang->value : "");
    return buf;
}

/* "warning: stream 0:5 (attachment ttf) not kept: WHY" */
static void not_kept(const RdTracks *t, const AVStream *st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void not_kept(const RdTracks *t, const AVStream *st, const char *fmt, ...)
{
    char d[128], why[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof(why), fmt, ap);
    va_end(ap);
    rd_tracks_notice(t, "warning", "%s not kept: %s", rd_tracks_describe(st, d, sizeof(d)), why);
}

/* MPEG-TS has no codec table to ask: it takes any stream, and writes what
 * it has no stream type for as private data nobody can play. Its list. */
static const enum AVCodecID TS_CODECS[] = {
    AV_CODEC_ID_MP2, AV_CODEC_ID_MP3, AV_CODEC_ID_AAC, AV_CODEC_ID_AAC_LATM, AV_CODEC_ID_AC3,
    AV_CODEC_ID_EAC3, AV_CODEC_ID_DTS, AV_CODEC_ID_TRUEHD, AV_CODEC_ID_OPUS, AV_CODEC_ID_S302M,
    AV_CODEC_ID_DVB_SUBTITLE, AV_CODEC_ID_DVB_TELETEXT, AV_CODEC_ID_SMPTE_KLV, AV_CODEC_ID_TIMED_ID3,
    AV_CODEC_ID_NONE
};

/* 1 the container holds the codec, 0 it does not, < 0 unknown. */
static int can_hold(const AVOutputFormat *of, enum AVCodecID id)
{
    /* In the MOV/MP4 muxer's tag table, refused when the header is written
     * (MOV: "only supported in MP4"; MP4: "experimental"). */
    if ((!strcmp(of->name, "mov") && (id == AV_CODEC_ID_FLAC || id == AV_CODEC_ID_OPUS ||
                                      id == AV_CODEC_ID_TRUEHD)) ||
        (!strcmp(of->name, "mp4") && (id == AV_CODEC_ID_FLAC || id == AV_CODEC_ID_TRUEHD)))
        return 0;
    if (!strcmp(of->name, "mpegts")) {
        for (int i = 0; TS_CODECS[i] != AV_CODEC_ID_NONE; i++)
            if (TS_CODECS[i] == id)
                return 1;
        return 0;
    }
    /* Matroska writes any audio codec with a WAVE tag as A_MS/ACM (wmav2),
     * which its query leaves out. */
    if (!strcmp(of->name, "matroska") && avcodec_get_type(id) == AVMEDIA_TYPE_AUDIO) {
        const struct AVCodecTag *const riff[] = { avformat_get_riff_audio_tags(), NULL };
        if (av_codec_get_tag(riff, id))
            return 1;
    }
    return avformat_query_codec(of, id, FF_COMPLIANCE_NORMAL);
}

static int is_matroska(const AVOutputFormat *of)
{
    return !strcmp(of->name, "matroska");
}

/* Copies of a stream that another of its tracks decodes (Track.decoded_too). */
static void mark_decoded_copies(RdTracks *t)
{
    for (int i = 0; i < t->n; i++) {
        Track *tr = &t->t[i];
        if (tr->kind != K_COPY || t->route[tr->in] < 0)
            continue;
        for (int k = t->route[tr->in]; k >= 0; k = t->t[k].next)
            tr->decoded_too |= t->t[k].kind == K_AUDIO;
    }
}

/* Room for the streams the maps select: a stream may be mapped again by
 * each map, the video one more. */
static size_t order_room(const RdTracks *t)
{
    return (size_t)(t->ic->nb_streams + 1) * (t->cfg.nmaps + 1) + 1;
}

static Track *new_track(RdTracks *t, AVFormatContext *oc, AVStream *ist, Kind kind)
{
    Track *tr = &t->t[t->n];
    memset(tr, 0, sizeof(*tr));
    if (!(tr->ost = avformat_new_stream(oc, NULL)))
        return NULL;
    tr->in = ist->index;
    tr->kind = kind;
    tr->ist = ist;
    rd_tsfix_init(&tr->fix, t->ic, ist, 1);
    rd_tsfix_use(&tr->fix, t->cfg.jumps);
    tr->last_dts = AV_NOPTS_VALUE;
    tr->delta_last = AV_NOPTS_VALUE;
    tr->in_tb_mux = -1;
    tr->next = -1;
    /* A stream mapped again: its packets go to every one of its tracks. */
    if (t->route[ist->index] < 0)
        t->route[ist->index] = t->n;
    else {
        Track *last = &t->t[t->route[ist->index]];
        while (last->next >= 0)
            last = &t->t[last->next];
        last->next = t->n;
    }
    t->n++;
    return tr;
}

/* As the CLI's stream copy: an MP3's block_align of 1, 576 or 1152 and an
 * AC-3's are dropped. AVI's header counts the audio's frames by it (41
 * where the CLI writes 231 for one MP3 track). */
static void no_block_align(AVCodecParameters *par)
{
    if ((par->codec_id == AV_CODEC_ID_MP3 &&
         (par->block_align == 1 || par->block_align == 576 || par->block_align == 1152)) ||
        par->codec_id == AV_CODEC_ID_AC3)
        par->block_align = 0;
}

static int declare_copy(RdTracks *t, AVFormatContext *oc, AVStream *ist)
{
    Track *tr = new_track(t, oc, ist, K_COPY);
    int ret;
    if (!tr)
        return AVERROR(ENOMEM);
    if ((ret = avcodec_parameters_copy(tr->ost->codecpar, ist->codecpar)) < 0)
        return ret;
    tr->ost->codecpar->codec_tag = 0;
    no_block_align(tr->ost->codecpar);
    tr->ost->time_base = tr->tb = ist->time_base;
    tr->cover = !!(ist->disposition & AV_DISPOSITION_ATTACHED_PIC);
    return rd_meta_stream(tr->ost, ist, NULL);
}

/* How many streams of `type` the output has so far: the index -c:a:N counts. */
static int written_of(const AVFormatContext *oc, enum AVMediaType type)
{
    int n = 0;
    for (unsigned i = 0; i < oc->nb_streams; i++)
        n += oc->streams[i]->codecpar->codec_type == type;
    return n;
}

/* -c:a:N / -c:s:N for the next stream of the type, else the type's. */
static const RdPerStream *per_stream(const RdPerStream *at, int n, const AVFormatContext *oc,
                                     enum AVMediaType type)
{
    int k = written_of(oc, type);
    return k < n && at ? &at[k] : NULL;
}

static int open_audio(RdTracks *t, Track *tr, AVStream *ist, const AVCodec *codec, AVFormatContext *oc,
                      const RdPerStream *at, char *why, int len)
{
    RdAudioConfig cfg = *t->cfg.audio;
    AVDictionary *opts = NULL;
    int ret;
    if (at && at->channels) /* -ac:a:N, -ar:a:N */
        cfg.channels = at->channels;
    if (at && at->sample_rate)
        cfg.sample_rate = at->sample_rate;
    if (at && at->bitrate) { /* -b:a:N for this stream alone */
        if ((ret = av_dict_copy(&opts, cfg.opts, 0)) < 0 || (ret = av_dict_set(&opts, "b", at->bitrate, 0)) < 0)
            goto end;
        cfg.opts = opts;
    }
    ret = rd_audio_open(&tr->audio, ist, codec, oc, tr->ost, &cfg, why, len);
end:
    av_dict_free(&opts);
    return ret;
}

static int declare_audio(RdTracks *t, AVFormatContext *oc, AVStream *ist, char *err, int errlen)
{
    const AVOutputFormat *of = oc->oformat;
    const AVCodec *codec = NULL;
    const RdPerStream *at = per_stream(t->cfg.audio_at, t->cfg.naudio_at, oc, AVMEDIA_TYPE_AUDIO);
    const char *acodec = at && at->codec ? at->codec : t->cfg.acodec;
    char d[128], why[256] = "";
    Track *tr;
    int ret;

    if (!strcmp(acodec, "none")) /* -c:a none for all, and this one not named */
        return 0;
    if (strcmp(acodec, "copy"))
        codec = avcodec_find_encoder_by_name(acodec);
    else if (can_hold(of, ist->codecpar->codec_id) != 0)
        return declare_copy(t, oc, ist);
    else if (t->cfg.copy_exact) {
        snprintf(err, errlen, "-c:a copy: %s: %s cannot hold %s", rd_tracks_describe(ist, d, sizeof(d)),
                 of->name, avcodec_get_name(ist->codecpar->codec_id));
        return AVERROR(EINVAL);
    }
    if (!avcodec_find_decoder(ist->codecpar->codec_id)) {
        not_kept(t, ist, "%s, and there is no decoder to encode it again",
                 codec ? "-c:a asks for another codec" : "the container cannot hold it");
        return 0;
    }
    if (!codec && (codec = avcodec_find_encoder(of->audio_codec)))
        rd_tracks_notice(t, "note", "%s: %s cannot hold %s; encoded to %s",
                         rd_tracks_describe(ist, d, sizeof(d)), of->name,
               avcodec_get_name(ist->codecpar->codec_id), codec->name);
    if (!codec || codec->type != AVMEDIA_TYPE_AUDIO) {
        snprintf(err, errlen, "%s: no audio encoder for %s (try -c:a aac, copy or none)",
                 rd_tracks_describe(ist, d, sizeof(d)), of->name);
        return AVERROR_ENCODER_NOT_FOUND;
    }
    if (!(tr = new_track(t, oc, ist, K_AUDIO)))
        return AVERROR(ENOMEM);
    if ((ret = open_audio(t, tr, ist, codec, oc, at, why, sizeof(why))) < 0) {
        snprintf(err, errlen, "%s: cannot encode it with %s: %s", rd_tracks_describe(ist, d, sizeof(d)),
                 codec->name, *why ? why : av_err2str(ret));
        return ret;
    }
    rd_audio_set_offset(tr->audio, t->cfg.ts_offset);
    /* Either -t trims the encoded audio from its own first sample (the
     * CLI's trim filters): when the audio starts after the video, its
     * trim ends after the video's cut, and reading goes on until it does. */
    tr->out_trim = t->cfg.audio && (t->cfg.audio->out_duration > 0 || t->cfg.audio->in_duration > 0);
    tr->tb = tr->ost->time_base;
    return rd_meta_stream(tr->ost, t->cfg.audio_from_graph ? NULL : ist, codec->name);
}

/* The encoder that turns this subtitle into something `of` holds; NULL
 * with *copy = 1 to copy, NULL with *copy = 0 to drop (reason in why). */
static const AVCodec *sub_encoder(const char *scodec, const AVOutputFormat *of, const AVStream *ist,
                                  int *copy, char *why, int len)
{
    enum AVCodecID id = ist->codecpar->codec_id, target;
    const AVCodec *codec = NULL;
    int q = can_hold(of, id);

    *copy = 0;
    if (strcmp(scodec, "copy")) {
        /* Encoded also into its own codec, as the CLI does: srt's encoder
         * ends lines with CRLF, and the stream is tagged with it. */
        codec = avcodec_find_encoder_by_name(scodec);
        target = codec ? codec->id : AV_CODEC_ID_NONE;
    } else {
        if (q > 0 || (q < 0 && of->subtitle_codec == id))
            return *copy = 1, NULL;
        target = rd_sub_target(of);
        if (target == AV_CODEC_ID_NONE) {
            snprintf(why, len, "%s holds no subtitles", of->name);
            return NULL;
        }
        codec = avcodec_find_encoder(target);
    }
    if (!avcodec_find_decoder(id)) {
        snprintf(why, len, "no decoder for %s to convert it", avcodec_get_name(id));
        return NULL;
    }
    if (!rd_sub_is_text(id) || !rd_sub_is_text(target) || !codec) {
        const char *kind = rd_sub_is_text(id) ? "text" : "bitmap";
        if (strcmp(scodec, "copy") && target == id)
            snprintf(why, len, "render does not encode a bitmap subtitle again, as the CLI would; "
                     "-c:s copy keeps it as it is");
        else if (strcmp(scodec, "copy"))
            snprintf(why, len, "a %s subtitle cannot become %s", kind, avcodec_get_name(target));
        else
            snprintf(why, len, "%s cannot hold %s, and a %s subtitle cannot become %s", of->name,
                     avcodec_get_name(id), kind, avcodec_get_name(target));
        return NULL;
    }
    if (can_hold(of, target) == 0) {
        snprintf(why, len, "%s cannot hold %s subtitles", of->name, avcodec_get_name(target));
        return NULL;
    }
    return codec;
}

static int declare_sub(RdTracks *t, AVFormatContext *oc, AVStream *ist, char *err, int errlen)
{
    char d[128], why[192];
    int copy, ret;
    const RdPerStream *at = per_stream(t->cfg.sub_at, t->cfg.nsub_at, oc, AVMEDIA_TYPE_SUBTITLE);
    const char *scodec = at && at->codec ? at->codec : t->cfg.scodec;
    const AVCodec *codec;
    Track *tr;

    if (!strcmp(scodec, "none"))
        return 0;
    codec = sub_encoder(scodec, oc->oformat, ist, &copy, why, sizeof(why));

    if (copy) {
        /* -c:s naming the input's own codec: copied, the packets being the
         * same, but cut as the CLI cuts what it encodes (track_end). */
        if ((ret = declare_copy(t, oc, ist)) >= 0 && strcmp(scodec, "copy"))
            t->t[t->n - 1].sub_enc = 1;
        return ret;
    }
    if (t->cfg.copy_exact && !strcmp(scodec, "copy")) {
        snprintf(err, errlen, "-c:s copy: %s: %s cannot hold %s", rd_tracks_describe(ist, d, sizeof(d)),
                 oc->oformat->name, avcodec_get_name(ist->codecpar->codec_id));
        return AVERROR(EINVAL);
    }
    if (!codec && strcmp(scodec, "copy")) {
        /* What the user asked for cannot be done: say so, as ffmpeg would. */
        snprintf(err, errlen, "-c:s %s: %s: %s", scodec, rd_tracks_describe(ist, d, sizeof(d)), why);
        return AVERROR(EINVAL);
    }
    if (!codec) {
        not_kept(t, ist, "%s", why);
        return 0;
    }
    if (!(tr = new_track(t, oc, ist, K_SUB)))
        return AVERROR(ENOMEM);
    tr->sub_enc = 1;
    if ((ret = rd_sub_open(&tr->sub, ist, codec, tr->ost)) < 0) {
        snprintf(err, errlen, "%s: cannot convert it to %s: %s", rd_tracks_describe(ist, d, sizeof(d)),
                 codec->name, av_err2str(ret));
        return ret;
    }
    tr->tb = tr->ost->time_base;
    if (!strcmp(scodec, "copy"))
        rd_tracks_notice(t, "note", "%s: %s cannot hold %s; converted to %s",
                         rd_tracks_describe(ist, d, sizeof(d)),
               oc->oformat->name, avcodec_get_name(ist->codecpar->codec_id), avcodec_get_name(codec->id));
    return rd_meta_stream(tr->ost, ist, codec->name);
}

/* An attachment (font) or, for Matroska, a cover picture as an attachment:
 * a stream without packets, its bytes in the extradata. */
static int declare_static(RdTracks *t, AVFormatContext *oc, AVStream *ist)
{
    Track *tr = new_track(t, oc, ist, K_STATIC);
    AVCodecParameters *par;
    const AVPacket *pic = &ist->attached_pic;
    int ret;

    if (!tr)
        return AVERROR(ENOMEM);
    par = tr->ost->codecpar;
    if ((ret = avcodec_parameters_copy(par, ist->codecpar)) < 0 ||
        (ret = rd_meta_stream(tr->ost, ist, NULL)) < 0)
        return ret;
    par->codec_tag = 0;
    if (ist->codecpar->codec_type == AVMEDIA_TYPE_VIDEO) {
        const char *png = ist->codecpar->codec_id == AV_CODEC_ID_PNG ? "png" : "jpg";
        av_freep(&par->extradata);
        par->extradata_size = 0;
        if (!(par->extradata = av_mallocz(pic->size + AV_INPUT_BUFFER_PADDING_SIZE)))
            return AVERROR(ENOMEM);
        memcpy(par->extradata, pic->data, pic->size);
        par->extradata_size = pic->size;
        par->codec_type = AVMEDIA_TYPE_ATTACHMENT;
        tr->ost->disposition = 0;
        if (!av_dict_get(tr->ost->metadata, "filename", NULL, 0))
            av_dict_set(&tr->ost->metadata, "filename", *png == 'p' ? "cover.png" : "cover.jpg", 0);
        if (!av_dict_get(tr->ost->metadata, "mimetype", NULL, 0))
            av_dict_set(&tr->ost->metadata, "mimetype", *png == 'p' ? "image/png" : "image/jpeg", 0);
    }
    t->route[ist->index] = -1; /* nothing to read */
    return 0;
}

static int declare_video(RdTracks *t, AVFormatContext *oc, AVStream *ist)
{
    const AVOutputFormat *of = oc->oformat;
    if (!(ist->disposition & AV_DISPOSITION_ATTACHED_PIC)) {
        not_kept(t, ist, "render processes one video stream (0:%d)", t->cfg.vindex);
        return 0;
    }
    if (is_matroska(of) && ist->attached_pic.size > 0)
        return declare_static(t, oc, ist);
    /* The MP4 muxer writes covers in its iTunes tags (MOV mode has none). */
    if (!strcmp(of->name, "mp4") || !strcmp(of->name, "ipod"))
        return declare_copy(t, oc, ist);
    not_kept(t, ist, "%s has no place for cover art", of->name);
    return 0;
}

static int declare_data(RdTracks *t, AVFormatContext *oc, AVStream *ist, int hidden)
{
    /* MP4 chapter text tracks: the chapters themselves are carried. */
    if (hidden)
        return 0;
    /* A QuickTime timecode track: carried as the video's timecode tag, from
     * which the MOV/MP4 muxer writes a new one. */
    if (ist->codecpar->codec_tag == MKTAG('t', 'm', 'c', 'd'))
        return 0;
    if (ist->codecpar->codec_id != AV_CODEC_ID_NONE && can_hold(oc->oformat, ist->codecpar->codec_id) != 0)
        return declare_copy(t, oc, ist);
    not_kept(t, ist, "%s cannot hold it", oc->oformat->name);
    return 0;
}

static int declare(RdTracks *t, AVFormatContext *oc, AVStream *ist, int hidden, char *err, int errlen)
{
    switch (ist->codecpar->codec_type) {
    case AVMEDIA_TYPE_VIDEO:    return declare_video(t, oc, ist);
    case AVMEDIA_TYPE_AUDIO:    return declare_audio(t, oc, ist, err, errlen);
    case AVMEDIA_TYPE_SUBTITLE: return declare_sub(t, oc, ist, err, errlen);
    case AVMEDIA_TYPE_DATA:     return declare_data(t, oc, ist, hidden);
    case AVMEDIA_TYPE_ATTACHMENT:
        if (is_matroska(oc->oformat))
            return declare_static(t, oc, ist);
        not_kept(t, ist, "%s holds no attachments", oc->oformat->name);
        return 0;
    default:
        not_kept(t, ist, "render does not know this kind of stream");
        return 0;
    }
}

/* The video stream's own tags, timecode and side data: ffmpeg gives an
 * output of -filter_complex its encoder's tag only. */
static int video_meta(RdTracks *t, AVStream *vst)
{
    AVStream *ist = t->ic->streams[t->cfg.vindex];
    int ret;
    if (t->cfg.video_from_graph)
        return rd_meta_stream(vst, NULL, t->cfg.venc);
    if ((ret = rd_meta_stream(vst, ist, t->cfg.venc)) < 0)
        return ret;
    vst->disposition &= ~AV_DISPOSITION_ATTACHED_PIC;
    /* A timecode track not linked to the video: its start is the file's. */
    for (unsigned i = 0; i < t->ic->nb_streams && !av_dict_get(vst->metadata, "timecode", NULL, 0); i++) {
        const AVDictionaryEntry *tc = av_dict_get(t->ic->streams[i]->metadata, "timecode", NULL, 0);
        if (tc && (ret = av_dict_set(&vst->metadata, "timecode", tc->value, 0)) < 0)
            return ret;
    }
    if ((ret = rd_meta_video_side_data(vst, ist, t->cfg.hdr10)) < 0)
        return ret;
    /* Side data describing the old bitstream (buffer sizes) goes with it;
     * any other kind not carried (Dolby Vision configuration...) is said. */
    for (int i = 0; i < ist->nb_side_data; i++) {
        enum AVPacketSideDataType ty = ist->side_data[i].type;
        char d[128];
        if (ty != AV_PKT_DATA_CPB_PROPERTIES && !av_stream_get_side_data(vst, ty, NULL))
            rd_tracks_notice(t, "warning", "%s: its %s side data not kept: the video is encoded again",
                             rd_tracks_describe(ist, d, sizeof(d)), av_packet_side_data_name(ty));
    }
    return 0;
}

/* What the muxer would drop from a stream's tags without a word. */
static void lost_tags(RdTracks *t, AVFormatContext *oc, AVStream *ost)
{
    const AVDictionaryEntry *title = av_dict_get(ost->metadata, "title", NULL, 0);
    int i = ost == t->vst ? t->cfg.vindex : -1;
    char d[128];
    int lang_ok = rd_meta_fix_language(ost, oc->oformat);
    for (int k = 0; i < 0 && k < t->n; k++)
        if (t->t[k].ost == ost)
            i = t->t[k].in;
    if (!lang_ok && i >= 0)
        rd_tracks_notice(t, "warning", "%s: language not kept: QuickTime's table has no code for it "
                         "(.mp4 and .mkv keep any)", rd_tracks_describe(t->ic->streams[i], d, sizeof(d)));
    if (title && i >= 0 && (!strcmp(oc->oformat->name, "mp4") || !strcmp(oc->oformat->name, "mov")))
        rd_tracks_notice(t, "warning", "%s: title \"%s\" not kept: %s has no track titles",
               rd_tracks_describe(t->ic->streams[i], d, sizeof(d)), title->value, oc->oformat->name);
}

static int global_meta(RdTracks *t, AVFormatContext *oc)
{
    char lost[256];
    int ret, limited = t->cfg.end != INT64_MAX;
    static const AVFormatContext no_tags = { 0 };
    if ((ret = rd_meta_global(oc, t->cfg.no_global_meta ? &no_tags : t->ic, t->cfg.metadata, limited)) < 0)
        return ret;
    if ((ret = rd_meta_lost_global(oc, lost, sizeof(lost))) > 0)
        rd_tracks_notice(t, "warning", "global tag%s %s not kept: %s writes only the keys it knows",
                         ret > 1 ? "s" : "", lost, oc->oformat->name);
    /* (a picture, image2's, is not expected to hold them: no word) */
    if (!rd_meta_holds_tags(oc->oformat) && av_dict_count(oc->metadata) && strcmp(oc->oformat->name, "image2") &&
        strcmp(oc->oformat->name, "null"))
        rd_tracks_notice(t, "warning", "global tags (title, ...) not kept: %s has no place for them",
                         oc->oformat->name);
    if (!t->ic->nb_chapters || t->cfg.no_chapters)
        return 0;
    if (!rd_meta_holds_chapters(oc->oformat)) {
        rd_tracks_notice(t, "warning", "%u chapters not kept: %s has no place for them", t->ic->nb_chapters,
               oc->oformat->name);
        return 0;
    }
    if ((ret = rd_meta_chapters(oc, t->ic, t->cfg.ts_offset,
                                t->cfg.rec_time > 0 ? t->cfg.rec_time : INT64_MAX)) < 0)
        return ret;
    if ((unsigned)ret < t->ic->nb_chapters)
        rd_tracks_notice(t, "note", "%u of %u chapters lie outside the output's range (-ss, -t) and are left out",
               t->ic->nb_chapters - ret, t->ic->nb_chapters);
    return 0;
}

/* A subtitle's kind (text or bitmap), as ffmpeg tells them apart. */
static int sub_props(enum AVCodecID id)
{
    const AVCodecDescriptor *d = avcodec_descriptor_get(id);
    return d ? d->props & (AV_CODEC_PROP_TEXT_SUB | AV_CODEC_PROP_BITMAP_SUB) : 0;
}

/* What ffmpeg's selection asks of the container: does it take audio, and
 * which subtitles its encoder (or -c:s) can write. */
static void ff_targets(const RdTracks *t, const AVFormatContext *oc, RdMapOptions *mo)
{
    const AVOutputFormat *of = oc->oformat;
    const AVCodec *sc = avcodec_find_encoder(of->subtitle_codec);
    int p = sc ? sub_props(sc->id) : 0;
    mo->audio_ok = of->audio_codec != AV_CODEC_ID_NONE;
    /* -c:s given: the first subtitle, whatever its kind */
    mo->sub_props = t->cfg.ff_select == 2 ? -1 : !sc ? 0 : p ? p : -1;
}

/* A stream the maps name for which ffmpeg would have to pick the format's
 * default encoder, and the format has none: the CLI stops there
 * ("Automatic encoder selection failed"), so render does too, rather
 * than leave the stream out. */
static int check_no_encoder(const RdTracks *t, const AVFormatContext *oc, const int *order, int norder,
                            char *err, int errlen)
{
    for (int j = 0; j < norder; j++) {
        const AVStream *st = t->ic->streams[order[j]];
        enum AVMediaType type = st->codecpar->codec_type;
        char d[128];
        if ((type == AVMEDIA_TYPE_AUDIO && (t->cfg.no_default_enc & RD_NO_DEFAULT_AUDIO)) ||
            (type == AVMEDIA_TYPE_SUBTITLE && (t->cfg.no_default_enc & RD_NO_DEFAULT_SUBS))) {
            int a = type == AVMEDIA_TYPE_AUDIO;
            snprintf(err, errlen, "%s: the %s format has no default %s encoder (as the ffmpeg CLI, render "
                     "does not choose one): give %s or leave the stream out (%s)",
                     rd_tracks_describe(st, d, sizeof(d)), oc->oformat->name, a ? "audio" : "subtitle",
                     a ? "-c:a" : "-c:s (copy, or an encoder)", a ? "-an" : "-sn");
            return AVERROR(EINVAL);
        }
        if (type == AVMEDIA_TYPE_VIDEO && (st->disposition & AV_DISPOSITION_ATTACHED_PIC) &&
            (t->cfg.no_default_enc & RD_COVER_ENCODED)) {
            snprintf(err, errlen, "%s, a cover picture, is mapped: the ffmpeg CLI would encode it with the "
                     "video encoder as a second video (and fail in MP4 and MOV); render writes one video: "
                     "leave it out (-map 0:V, or -map -0:%d)", rd_tracks_describe(st, d, sizeof(d)), st->index);
            return AVERROR(EINVAL);
        }
    }
    return 0;
}

static int select_streams(RdTracks *t, const AVFormatContext *oc, int *order, int *norder, int *vpos,
                          char *err, int errlen)
{
    RdStreamKind *kind = av_calloc(t->ic->nb_streams + 1, sizeof(*kind));
    /* With maps, a type "none" only for want of a default encoder is
     * selected, to be refused by check_no_encoder. */
    int mapped = t->cfg.nmaps > 0;
    int keep_a = mapped && (t->cfg.no_default_enc & RD_NO_DEFAULT_AUDIO);
    int keep_s = mapped && (t->cfg.no_default_enc & RD_NO_DEFAULT_SUBS);
    RdMapOptions mo = { t->cfg.maps, t->cfg.nmaps, t->cfg.an || (!keep_a && !strcmp(t->cfg.acodec, "none")),
                        t->cfg.sn || (!keep_s && !strcmp(t->cfg.scodec, "none")), t->cfg.dn,
                        t->cfg.ff_select, t->cfg.map_video, 0, 0, t->cfg.vn };
    int ret;
    if (!kind)
        return AVERROR(ENOMEM);
    for (unsigned i = 0; i < t->ic->nb_streams; i++) {
        kind[i].type = t->ic->streams[i]->codecpar->codec_type;
        kind[i].cover = !!(t->ic->streams[i]->disposition & AV_DISPOSITION_ATTACHED_PIC);
        kind[i].channels = t->ic->streams[i]->codecpar->ch_layout.nb_channels;
        kind[i].is_default = !!(t->ic->streams[i]->disposition & AV_DISPOSITION_DEFAULT);
        kind[i].sub_props = sub_props(t->ic->streams[i]->codecpar->codec_id);
        kind[i].meta = t->ic->streams[i]->metadata;
        kind[i].id = t->ic->streams[i]->id;
    }
    ff_targets(t, oc, &mo);
    ret = rd_map_select(kind, t->ic->nb_streams, t->cfg.vindex, &mo, order, norder, vpos, err, errlen);
    if (ret >= 0 && (keep_a || keep_s || (mapped && (t->cfg.no_default_enc & RD_COVER_ENCODED))))
        ret = check_no_encoder(t, oc, order, *norder, err, errlen);
    av_free(kind);
    return ret;
}

static int has_disposition(const RdStreamSet *sets, int n)
{
    for (int i = 0; i < n; i++)
        if (!sets[i].key)
            return 1;
    return 0;
}

/* Input -ss: the time the ffmpeg CLI seeks its input to (RdTracksConfig.cli_seek_s),
 * before rd_tracks_seek_point's correction. */
static int64_t cli_seek_point(const AVFormatContext *ic, double seek_s)
{
    return (ic->start_time != AV_NOPTS_VALUE ? ic->start_time : 0) + llrint(seek_s * AV_TIME_BASE);
}

int rd_tracks_open(RdTracks **pt, const RdTracksConfig *cfg, AVFormatContext *oc,
                   RdAddVideo add_video, void *opaque, char *err, int errlen)
{
    RdTracks *t;
    int *order = NULL, norder = 0, vpos = 0, ret;
    unsigned char *hidden = NULL;

    if (!(t = *pt = av_mallocz(sizeof(*t))))
        return AVERROR(ENOMEM);
    t->cfg = *cfg;
    t->strict = !(oc->oformat->flags & AVFMT_TS_NONSTRICT);
    if (!(t->pkt = av_packet_alloc()) || !(t->out = av_packet_alloc()) || !(t->dup = av_packet_alloc()))
        return AVERROR(ENOMEM);
    /* Opened as every reader of the input is (probe.h), all streams on. */
    if ((ret = rd_input_open(&t->ic, cfg->path, -1)) < 0)
        return ret;
    /* Streams the demuxer hides by itself (MP4 chapter tracks) are not tracks. */
    if (!(hidden = av_calloc(t->ic->nb_streams + 1, 1)))
        return AVERROR(ENOMEM);
    for (unsigned i = 0; i < t->ic->nb_streams; i++)
        hidden[i] = t->ic->streams[i]->discard == AVDISCARD_ALL;
    ret = AVERROR(ENOMEM);
    if (!(order = av_calloc(order_room(t), sizeof(*order))) ||
        !(t->route = av_calloc(t->ic->nb_streams + 1, sizeof(*t->route))) ||
        !(t->t = av_calloc(order_room(t), sizeof(*t->t))))
        goto end;
    for (unsigned i = 0; i < t->ic->nb_streams; i++)
        t->route[i] = -1;
    if ((ret = select_streams(t, oc, order, &norder, &vpos, err, errlen)) < 0)
        goto end;
    /* Output streams in the maps' order, the video at its place. */
    for (int k = 0; k <= norder; k++) {
        if (k == vpos && !cfg->vn &&
            ((ret = add_video(opaque, oc, &t->vst)) < 0 || (ret = video_meta(t, t->vst)) < 0))
            goto end;
        if (k < norder && (ret = declare(t, oc, t->ic->streams[order[k]], hidden[order[k]], err, errlen)) < 0)
            goto end;
    }
    mark_decoded_copies(t);
    if (cfg->first_only && (written_of(oc, AVMEDIA_TYPE_AUDIO) > 1 || written_of(oc, AVMEDIA_TYPE_SUBTITLE) > 1)) {
        snprintf(err, errlen, "-%s:a:0 (or :s:0) sets the first stream of its type only in ffmpeg; render sets "
                 "every one alike, and this output has several: give it for all (-%s) or map one",
                 cfg->first_only, cfg->first_only);
        ret = AVERROR(EINVAL);
        goto end;
    }
    if ((ret = global_meta(t, oc)) < 0)
        goto end;
    if (cfg->no_global_meta > 1) {
        if (t->vst)
            rd_meta_drop_stream_tags(t->vst, cfg->venc != NULL);
        for (int i = 0; i < t->n; i++)
            rd_meta_drop_stream_tags(t->t[i].ost, t->t[i].kind == K_AUDIO || t->t[i].kind == K_SUB);
        rd_meta_drop_chapter_tags(oc);
    }
    /* as in ffmpeg, a disposition the user sets turns the automatic default off */
    if (!has_disposition(cfg->sets, cfg->nsets))
        rd_meta_default_dispositions(oc);
    if ((ret = rd_meta_apply_sets(oc, cfg->sets, cfg->nsets, err, errlen)) < 0)
        goto end;
    for (unsigned i = 0; i < oc->nb_streams; i++)
        lost_tags(t, oc, oc->streams[i]);
    /* Before the streams are turned off: they choose the stream the seek
     * goes by, as in the CLI's demuxer, where all are on. */
    if (!t->cfg.seek && cfg->cli_seek_s > 0)
        t->cfg.seek = cli_seek_point(t->ic, cfg->cli_seek_s);
    if (t->cfg.seek && (ret = avformat_seek_file(t->ic, -1, INT64_MIN, rd_tracks_seek_point(t->ic, t->cfg.seek),
                                                 rd_tracks_seek_point(t->ic, t->cfg.seek), 0)) < 0) {
        snprintf(err, errlen, "cannot seek to -ss: %s", av_err2str(ret));
        goto end;
    }
    /* Read only what is written; with -t the video stays on as a clock.
     * After a seek every stream stays on, as in the CLI's demuxer:
     * Matroska's seek skips blocks before the target until a keyframe
     * block of any stream on comes, and with the video off the audio's
     * own keyframes ended the skip later than in the CLI (4 AAC packets
     * fewer at -ss 2.3). */
    for (unsigned i = 0; i < t->ic->nb_streams; i++)
        t->ic->streams[i]->discard = t->route[i] >= 0 || t->cfg.seek ||
                                     ((int)i == cfg->vindex && cfg->end != INT64_MAX)
                                     ? AVDISCARD_DEFAULT : AVDISCARD_ALL;
    ret = 0;
end:
    av_free(order);
    av_free(hidden);
    return ret;
}

int rd_tracks_cli_start(const RdTracksConfig *cfg, const char *oformat, const char *output, int64_t *start)
{
    RdTracks t = { .cfg = *cfg };
    AVFormatContext *oc = NULL;
    int *order = NULL, norder = 0, vpos = 0, moved = 0;
    int64_t first = INT64_MAX;
    char err[256];

    if (rd_input_open(&t.ic, cfg->path, -1) < 0)
        return 0;
    if (!(t.ic->iformat->flags & AVFMT_TS_DISCONT) || t.ic->start_time == AV_NOPTS_VALUE ||
        avformat_alloc_output_context2(&oc, NULL, oformat, output) < 0 ||
        !(order = av_calloc(order_room(&t), sizeof(*order))))
        goto end;
    if (t.cfg.vindex < 0 && !t.cfg.vn)
        t.cfg.vindex = av_find_best_stream(t.ic, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    if ((t.cfg.vindex < 0 && !t.cfg.vn) || select_streams(&t, oc, order, &norder, &vpos, err, sizeof(err)) < 0)
        goto end;
    if (t.cfg.vindex >= 0)
        order[norder++] = t.cfg.vindex;
    for (int k = 0; k < norder; k++) {
        const AVStream *st = t.ic->streams[order[k]];
        if (st->start_time != AV_NOPTS_VALUE)
            first = FFMIN(first, av_rescale_q(st->start_time, st->time_base, AV_TIME_BASE_Q));
    }
    if (first != INT64_MAX && first > t.ic->start_time) {
        *start = first;
        moved = 1;
    }
end:
    av_free(order);
    avformat_free_context(oc);
    avformat_close_input(&t.ic);
    return moved;
}

int rd_tracks_used(const RdTracksConfig *cfg, const char *oformat, const char *output,
                   uint8_t **used, int *nb)
{
    RdTracks t = { .cfg = *cfg };
    AVFormatContext *oc = NULL;
    int *order = NULL, norder = 0, vpos = 0, ret;
    char err[256];

    *used = NULL;
    *nb = 0;
    if ((ret = rd_input_open(&t.ic, cfg->path, -1)) < 0)
        return ret;
    if ((ret = avformat_alloc_output_context2(&oc, NULL, oformat, output)) < 0)
        goto end;
    ret = AVERROR(ENOMEM);
    if (!(order = av_calloc(order_room(&t), sizeof(*order))) ||
        !(*used = av_calloc(t.ic->nb_streams + 1, 1)))
        goto end;
    if (t.cfg.vindex < 0 && !t.cfg.vn)
        t.cfg.vindex = av_find_best_stream(t.ic, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    if ((ret = select_streams(&t, oc, order, &norder, &vpos, err, sizeof(err))) < 0)
        goto end;
    for (int k = 0; k < norder; k++)
        (*used)[order[k]] = 1;
    if (t.cfg.vindex >= 0)
        (*used)[t.cfg.vindex] = RD_TRACKS_USED_VIDEO;
    *nb = t.ic->nb_streams;
end:
    if (ret < 0)
        av_freep(used);
    av_free(order);
    avformat_free_context(oc);
    avformat_close_input(&t.ic);
    return ret;
}

int64_t rd_tracks_seek_point(const AVFormatContext *ic, int64_t ts)
{
    if (!(ic->iformat->flags & AVFMT_SEEK_TO_PTS))
        for (unsigned i = 0; i < ic->nb_streams; i++)
            if (ic->streams[i]->codecpar->video_delay)
                return ts - 3 * AV_TIME_BASE / 23;
    return ts;
}

int64_t rd_tracks_cli_seek(AVFormatContext *ic, double seek_s)
{
    int64_t zero, ts;
    if (seek_s <= 0)
        return AV_NOPTS_VALUE;
    zero = cli_seek_point(ic, seek_s);
    ts = rd_tracks_seek_point(ic, zero);
    avformat_seek_file(ic, -1, INT64_MIN, ts, ts, 0);
    return zero;
}

int rd_tracks_cli_decoder(AVCodecContext **pdec, const AVStream *st, int threads)
{
    const AVCodec *codec = avcodec_find_decoder(st->codecpar->codec_id);
    int ret;
    if (!codec)
        return AVERROR_DECODER_NOT_FOUND;
    if (!(*pdec = avcodec_alloc_context3(codec)))
        return AVERROR(ENOMEM);
    (*pdec)->pkt_timebase = st->time_base;
    (*pdec)->thread_count = threads;
    if ((ret = avcodec_parameters_to_context(*pdec, st->codecpar)) < 0)
        return ret;
    return avcodec_open2(*pdec, codec, NULL);
}

AVStream *rd_tracks_video(const RdTracks *t)
{
    return t->vst;
}

void rd_tracks_free(RdTracks **pt)
{
    RdTracks *t = *pt;
    if (!t)
        return;
    for (int i = 0; t->t && i < t->n; i++) {
        rd_audio_free(&t->t[i].audio);
        rd_sub_free(&t->t[i].sub);
    }
    av_free(t->t);
    av_free(t->route);
    av_packet_free(&t->pkt);
    av_packet_free(&t->out);
    av_packet_free(&t->dup);
    avformat_close_input(&t->ic);
    av_freep(pt);
}
