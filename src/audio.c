#include "audio.h"

#include <stdio.h>
#include <string.h>
#include <libavcodec/avcodec.h>
#include <libavutil/audio_fifo.h>
#include <libswresample/swresample.h>

#include "probe.h"
#include "tsfix.h"

struct RdAudio {
    RdAudioConfig cfg;
    AVFormatContext *ic;
    AVStream *ist, *ost;
    AVPacket *pkt;          ///< next packet for the output, output time base
    int pending;            ///< pkt holds a packet not yet written
    int eof;                ///< nothing more will come
    /* encode path */
    AVCodecContext *dec, *enc;
    SwrContext *swr;
    AVAudioFifo *fifo;
    AVFrame *frame;
    int64_t next_pts;       ///< encoder time base (1/sample rate)
    int have_start, dec_eof, enc_flushed;
    RdTsFix fix;            ///< timestamp jumps (MPEG-TS resets, joins) corrected as the CLI does
};

static int open_decoder(RdAudio *a)
{
    const AVCodec *codec = avcodec_find_decoder(a->ist->codecpar->codec_id);
    int ret;
    if (!codec)
        return AVERROR_DECODER_NOT_FOUND;
    if (!(a->dec = avcodec_alloc_context3(codec)))
        return AVERROR(ENOMEM);
    if ((ret = avcodec_parameters_to_context(a->dec, a->ist->codecpar)) < 0)
        return ret;
    a->dec->pkt_timebase = a->ist->time_base;
    a->dec->thread_count = 1;
    return avcodec_open2(a->dec, codec, NULL);
}

static int pick_rate(const AVCodec *c, int want)
{
    int best = 0;
    if (!c->supported_samplerates)
        return want;
    for (const int *r = c->supported_samplerates; *r; r++)
        if (*r == want || !best || FFABS(*r - want) < FFABS(best - want))
            best = *r;
    return best;
}

static int open_encoder(RdAudio *a, const AVCodec *codec, AVFormatContext *oc)
{
    int ret;
    if (!(a->enc = avcodec_alloc_context3(codec)))
        return AVERROR(ENOMEM);
    a->enc->sample_fmt = codec->sample_fmts ? codec->sample_fmts[0] : a->dec->sample_fmt;
    a->enc->sample_rate = pick_rate(codec, a->dec->sample_rate);
    if ((ret = av_channel_layout_copy(&a->enc->ch_layout, &a->dec->ch_layout)) < 0)
        return ret;
    if (a->enc->ch_layout.order == AV_CHANNEL_ORDER_UNSPEC)
        av_channel_layout_default(&a->enc->ch_layout, a->enc->ch_layout.nb_channels);
    if (a->enc->ch_layout.nb_channels > 2 && !strcmp(codec->name, "libopus"))
        av_channel_layout_default(&a->enc->ch_layout, 2);
    a->enc->time_base = (AVRational){ 1, a->enc->sample_rate };
    if (oc->oformat->flags & AVFMT_GLOBALHEADER)
        a->enc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    if ((ret = avcodec_open2(a->enc, codec, NULL)) < 0)
        return ret;
    ret = swr_alloc_set_opts2(&a->swr, &a->enc->ch_layout, a->enc->sample_fmt, a->enc->sample_rate,
                              &a->dec->ch_layout, a->dec->sample_fmt, a->dec->sample_rate, 0, NULL);
    if (ret < 0 || (ret = swr_init(a->swr)) < 0)
        return ret;
    a->fifo = av_audio_fifo_alloc(a->enc->sample_fmt, a->enc->ch_layout.nb_channels, 4096);
    a->frame = av_frame_alloc();
    if (!a->fifo || !a->frame)
        return AVERROR(ENOMEM);
    return avcodec_parameters_from_context(a->ost->codecpar, a->enc);
}

/* "copy" copies when the container can hold the codec, else encodes with
 * the container's default audio codec. */
static int choose_encoder(const RdAudio *a, AVFormatContext *oc, const AVCodec **codec)
{
    enum AVCodecID id = a->ist->codecpar->codec_id;
    *codec = NULL;
    if (strcmp(a->cfg.acodec, "copy")) {
        *codec = avcodec_find_encoder_by_name(a->cfg.acodec);
        return *codec && (*codec)->type == AVMEDIA_TYPE_AUDIO ? 0 : AVERROR_ENCODER_NOT_FOUND;
    }
    if (avformat_query_codec(oc->oformat, id, FF_COMPLIANCE_NORMAL) != 0)
        return 0;
    *codec = avcodec_find_encoder(oc->oformat->audio_codec);
    return *codec ? 0 : AVERROR_ENCODER_NOT_FOUND;
}

int rd_audio_open(RdAudio **pa, const RdAudioConfig *cfg, AVFormatContext *oc, char *err, int errlen)
{
    const AVCodec *codec;
    RdAudio *a;
    int ret;

    if (!(a = *pa = av_mallocz(sizeof(*a))))
        return AVERROR(ENOMEM);
    a->cfg = *cfg;
    if (!(a->pkt = av_packet_alloc()))
        return AVERROR(ENOMEM);
    if ((ret = rd_probe_open_input(&a->ic, cfg->path, cfg->aindex)) < 0)
        return ret;
    a->ist = a->ic->streams[cfg->aindex];
    rd_tsfix_init(&a->fix, a->ic, a->ist, 1);
    if (!(a->ost = avformat_new_stream(oc, NULL)))
        return AVERROR(ENOMEM);
    if ((ret = choose_encoder(a, oc, &codec)) < 0) {
        snprintf(err, errlen, "no audio encoder '%s' (try -c:a aac, copy or none)", cfg->acodec);
        return ret;
    }
    if (!codec) {
        if ((ret = avcodec_parameters_copy(a->ost->codecpar, a->ist->codecpar)) < 0)
            return ret;
        a->ost->codecpar->codec_tag = 0;
        a->ost->time_base = a->ist->time_base;
    } else {
        if ((ret = open_decoder(a)) < 0 || (ret = open_encoder(a, codec, oc)) < 0) {
            snprintf(err, errlen, "cannot encode audio with %s: %s", codec->name, av_err2str(ret));
            return ret;
        }
        a->ost->time_base = a->enc->time_base;
    }
    av_dict_copy(&a->ost->metadata, a->ist->metadata, 0);
    a->ost->disposition = a->ist->disposition;
    return 0;
}

/* Next source packet of the audio stream within the time limit. */
static int read_source(RdAudio *a, AVPacket *pkt)
{
    int ret;
    while ((ret = av_read_frame(a->ic, pkt)) >= 0) {
        if (pkt->stream_index == a->cfg.aindex) {
            rd_tsfix_packet(&a->fix, pkt);
            if (a->cfg.end == INT64_MAX || pkt->pts == AV_NOPTS_VALUE ||
                av_compare_ts(pkt->pts, a->ist->time_base, a->cfg.end, AV_TIME_BASE_Q) < 0)
                return 0;
            av_packet_unref(pkt);
            return AVERROR_EOF;
        }
        av_packet_unref(pkt);
    }
    return ret;
}

static int fifo_fill(RdAudio *a)
{
    int ret = a->dec_eof ? AVERROR_EOF : read_source(a, a->pkt);
    if (ret == AVERROR_EOF || (ret < 0 && ret != AVERROR(EAGAIN))) {
        a->dec_eof = 1;
        ret = avcodec_send_packet(a->dec, NULL);
    } else {
        ret = avcodec_send_packet(a->dec, a->pkt);
        av_packet_unref(a->pkt);
    }
    if (ret < 0 && ret != AVERROR_INVALIDDATA && ret != AVERROR_EOF)
        return ret;
    while ((ret = avcodec_receive_frame(a->dec, a->frame)) >= 0) {
        int max = swr_get_out_samples(a->swr, a->frame->nb_samples);
        uint8_t **buf = NULL;
        if (!a->have_start && a->frame->best_effort_timestamp != AV_NOPTS_VALUE) {
            a->next_pts = av_rescale_q(a->frame->best_effort_timestamp, a->ist->time_base, a->enc->time_base);
            a->have_start = 1;
        }
        if ((ret = av_samples_alloc_array_and_samples(&buf, NULL, a->enc->ch_layout.nb_channels,
                                                      max, a->enc->sample_fmt, 0)) < 0)
            return ret;
        ret = swr_convert(a->swr, buf, max, (const uint8_t **)a->frame->extended_data, a->frame->nb_samples);
        if (ret > 0)
            ret = av_audio_fifo_write(a->fifo, (void **)buf, ret);
        av_freep(&buf[0]);
        av_freep(&buf);
        av_frame_unref(a->frame);
        if (ret < 0)
            return ret;
    }
    return ret == AVERROR(EAGAIN) || ret == AVERROR_EOF ? 0 : ret;
}

static int send_fifo_frame(RdAudio *a)
{
    int size = a->enc->frame_size > 0 ? a->enc->frame_size : 1024;
    int n = FFMIN(size, av_audio_fifo_size(a->fifo)), ret;
    int small_ok = a->enc->codec->capabilities &
                   (AV_CODEC_CAP_SMALL_LAST_FRAME | AV_CODEC_CAP_VARIABLE_FRAME_SIZE);
    AVFrame *f = a->frame;

    f->nb_samples = small_ok || a->enc->frame_size <= 0 ? n : size;
    f->format = a->enc->sample_fmt;
    f->sample_rate = a->enc->sample_rate;
    if ((ret = av_channel_layout_copy(&f->ch_layout, &a->enc->ch_layout)) < 0 ||
        (ret = av_frame_get_buffer(f, 0)) < 0)
        return ret;
    av_samples_set_silence(f->extended_data, 0, f->nb_samples, f->ch_layout.nb_channels, f->format);
    if ((ret = av_audio_fifo_read(a->fifo, (void **)f->extended_data, n)) < 0)
        goto end;
    f->pts = a->next_pts;
    a->next_pts += f->nb_samples;
    ret = avcodec_send_frame(a->enc, f);
end:
    av_frame_unref(f);
    return ret;
}

static int next_encoded(RdAudio *a)
{
    int ret, size = a->enc->frame_size > 0 ? a->enc->frame_size : 1024;
    while ((ret = avcodec_receive_packet(a->enc, a->pkt)) == AVERROR(EAGAIN)) {
        if (av_audio_fifo_size(a->fifo) >= size || (a->dec_eof && av_audio_fifo_size(a->fifo) > 0))
            ret = send_fifo_frame(a);
        else if (a->dec_eof && !a->enc_flushed) {
            a->enc_flushed = 1;
            ret = avcodec_send_frame(a->enc, NULL);
        } else
            ret = fifo_fill(a);
        if (ret < 0)
            return ret;
    }
    if (ret >= 0)
        av_packet_rescale_ts(a->pkt, a->enc->time_base, a->ost->time_base);
    return ret;
}

static int next_packet(RdAudio *a)
{
    int ret = a->enc ? next_encoded(a) : read_source(a, a->pkt);
    if (ret < 0)
        return ret;
    if (!a->enc)
        av_packet_rescale_ts(a->pkt, a->ist->time_base, a->ost->time_base);
    int64_t off = av_rescale_q(a->cfg.ts_offset, AV_TIME_BASE_Q, a->ost->time_base);
    if (a->pkt->pts != AV_NOPTS_VALUE)
        a->pkt->pts += off;
    if (a->pkt->dts != AV_NOPTS_VALUE)
        a->pkt->dts += off;
    a->pkt->stream_index = a->ost->index;
    a->pkt->pos = -1;
    return 0;
}

int rd_audio_write_until(RdAudio *a, AVFormatContext *oc, int64_t ts, AVRational tb)
{
    int ret;
    while (!a->eof) {
        if (!a->pending) {
            if ((ret = next_packet(a)) < 0) {
                a->eof = 1;
                /* A damaged audio tail ends the audio, not the render. */
                return ret == AVERROR_EOF || ret == AVERROR_INVALIDDATA || ret == AVERROR(EIO) ? 0 : ret;
            }
            a->pending = 1;
        }
        int64_t t = a->pkt->dts != AV_NOPTS_VALUE ? a->pkt->dts : a->pkt->pts;
        if (ts != INT64_MAX && t != AV_NOPTS_VALUE && av_compare_ts(t, a->ost->time_base, ts, tb) >= 0)
            return 0;
        a->pending = 0;
        if ((ret = av_interleaved_write_frame(oc, a->pkt)) < 0)
            return ret;
    }
    return 0;
}

void rd_audio_free(RdAudio **pa)
{
    RdAudio *a = *pa;
    if (!a)
        return;
    av_packet_free(&a->pkt);
    av_frame_free(&a->frame);
    av_audio_fifo_free(a->fifo);
    swr_free(&a->swr);
    avcodec_free_context(&a->enc);
    avcodec_free_context(&a->dec);
    avformat_close_input(&a->ic);
    av_freep(pa);
}
