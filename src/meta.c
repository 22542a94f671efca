#include "meta.h"

#include <string.h>
#include <libavcodec/avcodec.h>
#include <libavutil/mastering_display_metadata.h>

#include "probe.h"

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
                                        "ffmetadata", NULL };
    return name_in(of->name, with);
}

void rd_meta_fix_language(AVStream *ost, const AVOutputFormat *of)
{
    /* ISO 639-2 pairs: the code QuickTime's table lacks, the one it has. */
    static const char *const alt[][2] = {
        { "fre", "fra" }, { "deu", "ger" }, { "nld", "dut" }, { "zho", "chi" },
        { "cze", "ces" }, { "ell", "gre" }, { "swe", "sve" },
    };
    const AVDictionaryEntry *l = av_dict_get(ost->metadata, "language", NULL, 0);
    if (!l || strcmp(of->name, "mov"))
        return;
    for (size_t i = 0; i < sizeof(alt) / sizeof(alt[0]); i++)
        if (!strcmp(l->value, alt[i][0])) {
            av_dict_set(&ost->metadata, "language", alt[i][1], 0);
            return;
        }
}

int rd_meta_holds_tags(const AVOutputFormat *of)
{
    static const char *const with[] = { "matroska", "webm", "mov", "mp4", "ipod", "ismv", "psp",
                                        "3gp", "3g2", "f4v", "ogg", "oga", "ogv", "opus", "spx",
                                        "ffmetadata", "avi", "asf", "mp3", "flac", "wav", "nut", NULL };
    return name_in(of->name, with);
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

int rd_meta_chapters(AVFormatContext *oc, const AVFormatContext *ic, int64_t offset, int64_t end)
{
    int kept = 0, ret;
    for (unsigned i = 0; i < ic->nb_chapters; i++) {
        const AVChapter *in = ic->chapters[i];
        int64_t off = av_rescale_q(offset, AV_TIME_BASE_Q, in->time_base);
        int64_t lim = end == INT64_MAX ? INT64_MAX : av_rescale_q(end, AV_TIME_BASE_Q, in->time_base);
        AVChapter *out, **grown;

        if (in->start >= lim)
            continue;
        if (!(out = av_mallocz(sizeof(*out))))
            return AVERROR(ENOMEM);
        out->id = in->id;
        out->time_base = in->time_base;
        out->start = FFMAX(0, in->start + off);
        out->end = FFMIN(in->end, lim) + off;
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
    int ret = av_dict_copy(&ost->metadata, ist->metadata, AV_DICT_DONT_OVERWRITE);
    if (ret < 0)
        return ret;
    ost->disposition = ist->disposition;
    if (encoder) {
        char id[128];
        snprintf(id, sizeof(id), "%s %s", LIBAVCODEC_IDENT, encoder);
        av_dict_set(&ost->metadata, "encoder", NULL, 0);
        av_dict_set(&ost->metadata, "ENCODER", NULL, 0);
        ret = av_dict_set(&ost->metadata, "encoder", id, 0);
    }
    return ret;
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

/* HDR10 metadata that only the bitstream carries (x265's SEI): decode the
 * first frame and read its side data. */
static int side_data_from_frame(AVStream *vst, const char *path, int vindex)
{
    AVFormatContext *ic = NULL;
    AVCodecContext *dec = NULL;
    AVPacket *pkt = av_packet_alloc();
    AVFrame *f = av_frame_alloc();
    const AVCodec *codec;
    int ret, got = 0, n = 0;

    if (!pkt || !f) {
        ret = AVERROR(ENOMEM);
        goto end;
    }
    if ((ret = rd_probe_open_input(&ic, path, vindex)) < 0)
        goto end;
    if (!(codec = avcodec_find_decoder(ic->streams[vindex]->codecpar->codec_id))) {
        ret = AVERROR_DECODER_NOT_FOUND;
        goto end;
    }
    if (!(dec = avcodec_alloc_context3(codec))) {
        ret = AVERROR(ENOMEM);
        goto end;
    }
    if ((ret = avcodec_parameters_to_context(dec, ic->streams[vindex]->codecpar)) < 0)
        goto end;
    dec->thread_count = 1;
    if ((ret = avcodec_open2(dec, codec, NULL)) < 0)
        goto end;
    while (!got && (ret = av_read_frame(ic, pkt)) >= 0) {
        if (pkt->stream_index == vindex)
            avcodec_send_packet(dec, pkt);
        av_packet_unref(pkt);
        got = avcodec_receive_frame(dec, f) >= 0;
    }
    if (!got) {
        avcodec_send_packet(dec, NULL);
        got = avcodec_receive_frame(dec, f) >= 0;
    }
    ret = 0;
    if (got) {
        const AVFrameSideData *md = av_frame_get_side_data(f, AV_FRAME_DATA_MASTERING_DISPLAY_METADATA);
        const AVFrameSideData *cl = av_frame_get_side_data(f, AV_FRAME_DATA_CONTENT_LIGHT_LEVEL);
        if (md && md->size >= sizeof(AVMasteringDisplayMetadata) &&
            (ret = add_side_data(vst, AV_PKT_DATA_MASTERING_DISPLAY_METADATA, md->data,
                                 sizeof(AVMasteringDisplayMetadata))) > 0)
            n++;
        if (ret >= 0 && cl && cl->size >= sizeof(AVContentLightMetadata) &&
            (ret = add_side_data(vst, AV_PKT_DATA_CONTENT_LIGHT_LEVEL, cl->data,
                                 sizeof(AVContentLightMetadata))) > 0)
            n++;
    }
end:
    av_frame_free(&f);
    av_packet_free(&pkt);
    avcodec_free_context(&dec);
    avformat_close_input(&ic);
    return ret < 0 ? ret : n;
}

int rd_meta_video_side_data(AVStream *vst, const AVStream *ist, const char *path, int vindex)
{
    static const enum AVPacketSideDataType keep[] = {
        AV_PKT_DATA_MASTERING_DISPLAY_METADATA, AV_PKT_DATA_CONTENT_LIGHT_LEVEL,
        AV_PKT_DATA_STEREO3D, AV_PKT_DATA_SPHERICAL,
    };
    enum AVColorTransferCharacteristic trc = ist->codecpar->color_trc;
    int n = 0, ret;

    for (size_t k = 0; k < sizeof(keep) / sizeof(keep[0]); k++) {
        size_t size = 0;
        const uint8_t *sd = av_stream_get_side_data(ist, keep[k], &size);
        if (sd && (ret = add_side_data(vst, keep[k], sd, size)) < 0)
            return ret;
        n += sd != NULL;
    }
    if ((trc == AVCOL_TRC_SMPTE2084 || trc == AVCOL_TRC_ARIB_STD_B67) &&
        !av_stream_get_side_data(ist, AV_PKT_DATA_MASTERING_DISPLAY_METADATA, NULL)) {
        if ((ret = side_data_from_frame(vst, path, vindex)) < 0)
            return ret;
        n += ret;
    }
    return n;
}
