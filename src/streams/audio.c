#include "streams/audio.h"

#include <string.h>
#include <libavutil/audio_fifo.h>
#include <libswresample/swresample.h>

struct RdAudio {
    AVRational itb;         ///< input stream time base
    AVStream *ost;          ///< its codec parameters are filled at open
    AVCodecContext *dec, *enc;
    SwrContext *swr;
    AVAudioFifo *fifo;
    AVFrame *frame;
    int64_t next_pts;       ///< encoder time base (1/sample rate)
    int have_start;         ///< next_pts was set from the first decoded frame
    int dec_eof;            ///< the source ended: the fifo is drained, then the encoder flushed
    int enc_flushed;
};

static int open_decoder(RdAudio *a, const AVStream *ist)
{
    const AVCodec *codec = avcodec_find_decoder(ist->codecpar->codec_id);
    int ret;
    if (!codec)
        return AVERROR_DECODER_NOT_FOUND;
    if (!(a->dec = avcodec_alloc_context3(codec)))
        return AVERROR(ENOMEM);
    if ((ret = avcodec_parameters_to_context(a->dec, ist->codecpar)) < 0)
        return ret;
    a->dec->pkt_timebase = ist->time_base;
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

int rd_audio_open(RdAudio **pa, const AVStream *ist, const AVCodec *codec,
                  AVFormatContext *oc, AVStream *ost)
{
    RdAudio *a;
    int ret;

    if (!(a = *pa = av_mallocz(sizeof(*a))))
        return AVERROR(ENOMEM);
    a->itb = ist->time_base;
    a->ost = ost;
    if ((ret = open_decoder(a, ist)) < 0 || (ret = open_encoder(a, codec, oc)) < 0)
        return ret;
    ost->time_base = a->enc->time_base;
    return 0;
}

/* Decoded samples, resampled into the fifo. */
static int take_frames(RdAudio *a)
{
    int ret;
    while ((ret = avcodec_receive_frame(a->dec, a->frame)) >= 0) {
        int max = swr_get_out_samples(a->swr, a->frame->nb_samples);
        uint8_t **buf = NULL;
        if (!a->have_start && a->frame->best_effort_timestamp != AV_NOPTS_VALUE) {
            a->next_pts = av_rescale_q(a->frame->best_effort_timestamp, a->itb, a->enc->time_base);
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

int rd_audio_send(RdAudio *a, const AVPacket *pkt)
{
    int ret;
    if (a->dec_eof)
        return pkt ? AVERROR_EOF : 0;
    if (!pkt)
        a->dec_eof = 1;
    ret = avcodec_send_packet(a->dec, pkt);
    /* Like the ffmpeg CLI: a damaged packet costs its samples. */
    if (ret < 0 && ret != AVERROR_INVALIDDATA && ret != AVERROR_EOF)
        return ret;
    return take_frames(a);
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

int rd_audio_receive(RdAudio *a, AVPacket *out)
{
    int ret, size = a->enc->frame_size > 0 ? a->enc->frame_size : 1024;
    while ((ret = avcodec_receive_packet(a->enc, out)) == AVERROR(EAGAIN)) {
        if (av_audio_fifo_size(a->fifo) >= size || (a->dec_eof && av_audio_fifo_size(a->fifo) > 0))
            ret = send_fifo_frame(a);
        else if (a->dec_eof && !a->enc_flushed) {
            a->enc_flushed = 1;
            ret = avcodec_send_frame(a->enc, NULL);
        } else
            return AVERROR(EAGAIN);
        if (ret < 0)
            return ret;
    }
    return ret;
}

void rd_audio_free(RdAudio **pa)
{
    RdAudio *a = *pa;
    if (!a)
        return;
    av_frame_free(&a->frame);
    av_audio_fifo_free(a->fifo);
    swr_free(&a->swr);
    avcodec_free_context(&a->enc);
    avcodec_free_context(&a->dec);
    av_freep(pa);
}
