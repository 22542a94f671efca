#include "streams/audio.h"

#include <stdio.h>
#include <string.h>
#include <libavfilter/buffersink.h>
#include <libavfilter/buffersrc.h>
#include <libavutil/bprint.h>
#include <libavutil/opt.h>

struct RdAudio {
    AVRational itb;         ///< input stream time base
    AVStream *ost;          ///< its codec parameters are filled at open
    AVCodecContext *dec, *enc;
    AVFilterGraph *graph;
    AVFilterContext *src, *sink;
    AVFrame *frame;
    int64_t delta_last;     ///< av_rescale_delta's state: input times to samples, as the CLI rescales them
    int64_t ts_offset;      ///< rd_audio_set_offset(), AV_TIME_BASE units
    int64_t out_cut;        ///< RdAudioConfig's out_cut (0 without an output -ss)
    int64_t prev_pkt_pts;   ///< the previous packet's pts (input time base), AV_NOPTS_VALUE before the first
    int64_t next_dts;       ///< the CLI's ist->next_dts, AV_TIME_BASE units: the last packet's dts plus the samples decoded since
    int dec_eof;            ///< the source ended: the graph is drained, then the encoder flushed
    int graph_eof;          ///< the sink said end of stream (or the output -t was reached)
    int64_t out_duration;   ///< RdAudioConfig's output -t, AV_TIME_BASE units; 0 = none
    int64_t sync_end;       ///< the CLI's sync_opts: where the last frame given to the encoder ends, output time, encoder time base
    int enc_flushed;
    int stopped;            ///< rd_audio_stop(): the graph gives what it holds ready, then ends
};

/* A layout the file does not name is the default one for its channel
 * count, as the CLI guesses it (guess_input_channel_layout). */
static void guess_layout(AVChannelLayout *l)
{
    if (l->order == AV_CHANNEL_ORDER_UNSPEC && l->nb_channels > 0)
        av_channel_layout_default(l, l->nb_channels);
}

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
    if ((ret = avcodec_open2(a->dec, codec, NULL)) < 0)
        return ret;
    guess_layout(&a->dec->ch_layout);
    return 0;
}

/* aformat's constraints, as the CLI's output filter sets them: the
 * encoder's sample formats, -ar or the encoder's rates, -ac's default
 * layout or the encoder's layouts. */
/* -ac N or a layout of N unordered channels, as the CLI's
 * set_channel_layout: the encoder's first layout of N channels, else N's
 * default layout. */
static void layout_of(AVChannelLayout *l, const AVCodec *c, int n)
{
    for (const AVChannelLayout *p = c->ch_layouts; p && p->nb_channels; p++)
        if (p->nb_channels == n) {
            av_channel_layout_copy(l, p);
            return;
        }
    av_channel_layout_default(l, n);
}

/* The layout asked for (-ch_layout, else -ac): 1, or 0 when none is. */
static int asked_layout(AVChannelLayout *l, const AVCodec *c, const RdAudioConfig *cfg)
{
    if (cfg->ch_layout && av_channel_layout_from_string(l, cfg->ch_layout) >= 0) {
        if (l->order != AV_CHANNEL_ORDER_UNSPEC)
            return 1;
        layout_of(l, c, l->nb_channels);
        return 1;
    }
    if (cfg->channels > 0) {
        layout_of(l, c, cfg->channels);
        return 1;
    }
    return 0;
}

static void aformat_args(AVBPrint *b, const AVCodec *c, const RdAudioConfig *cfg)
{
    const char *sep = "";
    AVChannelLayout l = { 0 };
    if (cfg->sample_fmt) {
        av_bprintf(b, "sample_fmts=%s", cfg->sample_fmt);
        sep = ":";
    } else if (c->sample_fmts) {
        av_bprintf(b, "sample_fmts=");
        for (const enum AVSampleFormat *f = c->sample_fmts; *f != AV_SAMPLE_FMT_NONE; f++)
            av_bprintf(b, "%s%s", f == c->sample_fmts ? "" : "|", av_get_sample_fmt_name(*f));
        sep = ":";
    }
    if (cfg->sample_rate > 0) {
        av_bprintf(b, "%ssample_rates=%d", sep, cfg->sample_rate);
        sep = ":";
    } else if (c->supported_samplerates) {
        av_bprintf(b, "%ssample_rates=", sep);
        for (const int *r = c->supported_samplerates; *r; r++)
            av_bprintf(b, "%s%d", r == c->supported_samplerates ? "" : "|", *r);
        sep = ":";
    }
    if (asked_layout(&l, c, cfg)) {
        av_bprintf(b, "%schannel_layouts=", sep);
        av_channel_layout_describe_bprint(&l, b);
        av_channel_layout_uninit(&l);
    } else if (c->ch_layouts) {
        av_bprintf(b, "%schannel_layouts=", sep);
        for (const AVChannelLayout *l = c->ch_layouts; l->nb_channels; l++) {
            if (l != c->ch_layouts)
                av_bprintf(b, "|");
            av_channel_layout_describe_bprint(l, b);
        }
    }
}

/* The format conversion into the sink; after an output -ss or -t through
 * ffmpeg's output trim, which comes after the user's graph and the
 * conversion (configure_output_audio_filter's insert_trim), in
 * microseconds as it sets it. */
static int link_to_sink(RdAudio *a, AVFilterContext *fmt, const RdAudioConfig *cfg)
{
    AVFilterContext *trim;
    int ret;
    if (!cfg->has_out_start && cfg->out_duration <= 0)
        return avfilter_link(fmt, 0, a->sink, 0);
    if (!(trim = avfilter_graph_alloc_filter(a->graph, avfilter_get_by_name("atrim"), "out_trim")))
        return AVERROR(ENOMEM);
    if ((cfg->has_out_start &&
         (ret = av_opt_set_int(trim, "starti", cfg->out_start, AV_OPT_SEARCH_CHILDREN)) < 0) ||
        (cfg->out_duration > 0 &&
         (ret = av_opt_set_int(trim, "durationi", cfg->out_duration, AV_OPT_SEARCH_CHILDREN)) < 0) ||
        (ret = avfilter_init_str(trim, NULL)) < 0 || (ret = avfilter_link(fmt, 0, trim, 0)) < 0)
        return ret;
    return avfilter_link(trim, 0, a->sink, 0);
}

static int graph_ends(RdAudio *a, const AVCodec *codec, const RdAudioConfig *cfg, AVFilterContext **fmt)
{
    AVBPrint b;
    char layout[128] = "";
    int ret;

    if (a->dec->ch_layout.order != AV_CHANNEL_ORDER_UNSPEC &&
        av_channel_layout_check(&a->dec->ch_layout))
        av_channel_layout_describe(&a->dec->ch_layout, layout, sizeof(layout));
    av_bprint_init(&b, 0, AV_BPRINT_SIZE_UNLIMITED);
    av_bprintf(&b, "time_base=1/%d:sample_rate=%d:sample_fmt=%s", a->dec->sample_rate,
               a->dec->sample_rate, av_get_sample_fmt_name(a->dec->sample_fmt));
    if (*layout)
        av_bprintf(&b, ":channel_layout=%s", layout);
    else
        av_bprintf(&b, ":channels=%d", a->dec->ch_layout.nb_channels);
    ret = avfilter_graph_create_filter(&a->src, avfilter_get_by_name("abuffer"), "in", b.str, NULL, a->graph);
    av_bprint_clear(&b);
    if (ret >= 0)
        ret = avfilter_graph_create_filter(&a->sink, avfilter_get_by_name("abuffersink"), "out", NULL,
                                           NULL, a->graph);
    aformat_args(&b, codec, cfg);
    if (ret >= 0)
        ret = avfilter_graph_create_filter(fmt, avfilter_get_by_name("aformat"), "format", b.str, NULL,
                                           a->graph);
    if (ret >= 0)
        ret = link_to_sink(a, *fmt, cfg);
    av_bprint_finalize(&b, NULL);
    return ret;
}

static int open_graph(RdAudio *a, const AVCodec *codec, const RdAudioConfig *cfg, char *err, int errlen)
{
    AVFilterInOut *outputs = avfilter_inout_alloc(), *inputs = avfilter_inout_alloc();
    AVFilterContext *fmt = NULL;
    const char *af = cfg->af && *cfg->af ? cfg->af : "anull";
    char *desc = NULL;
    int ret;

    if (!(a->graph = avfilter_graph_alloc()) || !outputs || !inputs) {
        ret = AVERROR(ENOMEM);
        goto end;
    }
    a->graph->nb_threads = 1;
    /* Input -ss and -t: ffmpeg's accurate seek and its input -t trim the
     * input before the user's filters, to the sample (the graph's times
     * are the input's; the duration counts from the first sample kept). */
    if (cfg->has_start && cfg->in_duration > 0)
        desc = av_asprintf("atrim=start=%.6f:duration=%.6f,%s", cfg->start / (double)AV_TIME_BASE,
                           cfg->in_duration / (double)AV_TIME_BASE, af);
    else if (cfg->in_duration > 0)
        desc = av_asprintf("atrim=duration=%.6f,%s", cfg->in_duration / (double)AV_TIME_BASE, af);
    else
        desc = cfg->has_start ? av_asprintf("atrim=start=%.6f,%s", cfg->start / (double)AV_TIME_BASE, af)
                              : av_strdup(af);
    if (!desc) {
        ret = AVERROR(ENOMEM);
        goto end;
    }
    if (a->dec->sample_fmt == AV_SAMPLE_FMT_NONE || a->dec->sample_rate <= 0) {
        snprintf(err, errlen, "the decoder does not say its sample format and rate");
        ret = AVERROR_PATCHWELCOME;
        goto end;
    }
    if ((ret = graph_ends(a, codec, cfg, &fmt)) < 0)
        goto end;
    outputs->name = av_strdup("in");
    outputs->filter_ctx = a->src;
    inputs->name = av_strdup("out");
    inputs->filter_ctx = fmt;
    if (!outputs->name || !inputs->name) {
        ret = AVERROR(ENOMEM);
        goto end;
    }
    if ((ret = avfilter_graph_parse_ptr(a->graph, desc, &inputs, &outputs, NULL)) < 0 ||
        (ret = avfilter_graph_config(a->graph, NULL)) < 0)
        snprintf(err, errlen, "audio filter graph '%s': %s", af, av_err2str(ret));
end:
    av_free(desc);
    avfilter_inout_free(&inputs);
    avfilter_inout_free(&outputs);
    return ret;
}

/* The encoder takes what the graph gives, as the CLI opens it. */
static int open_encoder(RdAudio *a, const AVCodec *codec, AVFormatContext *oc, const RdAudioConfig *cfg,
                        char *err, int errlen)
{
    AVDictionary *opts = NULL;
    const AVDictionaryEntry *e;
    int ret;
    if (!(a->enc = avcodec_alloc_context3(codec)))
        return AVERROR(ENOMEM);
    a->enc->sample_fmt = av_buffersink_get_format(a->sink);
    a->enc->sample_rate = av_buffersink_get_sample_rate(a->sink);
    if ((ret = av_buffersink_get_ch_layout(a->sink, &a->enc->ch_layout)) < 0)
        return ret;
    a->enc->time_base = (AVRational){ 1, a->enc->sample_rate };
    if (oc->oformat->flags & AVFMT_GLOBALHEADER)
        a->enc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    if ((ret = av_dict_copy(&opts, cfg->opts, 0)) < 0)
        goto end;
    if ((ret = avcodec_open2(a->enc, codec, &opts)) < 0)
        goto end;
    if ((e = av_dict_get(opts, "", NULL, AV_DICT_IGNORE_SUFFIX))) {
        snprintf(err, errlen, "the audio encoder %s has no option '%s'", codec->name, e->key);
        ret = AVERROR_OPTION_NOT_FOUND;
        goto end;
    }
    /* Encoders of fixed-size frames get exactly that many samples a frame. */
    if (!(codec->capabilities & AV_CODEC_CAP_VARIABLE_FRAME_SIZE) && a->enc->frame_size > 0)
        av_buffersink_set_frame_size(a->sink, a->enc->frame_size);
    ret = avcodec_parameters_from_context(a->ost->codecpar, a->enc);
end:
    av_dict_free(&opts);
    return ret;
}

int rd_audio_open(RdAudio **pa, const AVStream *ist, const AVCodec *codec,
                  AVFormatContext *oc, AVStream *ost, const RdAudioConfig *cfg,
                  char *err, int errlen)
{
    static const RdAudioConfig none = { 0 };
    RdAudio *a;
    int ret;

    if (!(a = *pa = av_mallocz(sizeof(*a))))
        return AVERROR(ENOMEM);
    a->itb = ist->time_base;
    a->ost = ost;
    a->delta_last = AV_NOPTS_VALUE;
    a->prev_pkt_pts = AV_NOPTS_VALUE;
    a->next_dts = 0;
    a->sync_end = 0;
    if (!(a->frame = av_frame_alloc()))
        return AVERROR(ENOMEM);
    if (!cfg)
        cfg = &none;
    a->out_duration = cfg->out_duration;
    a->out_cut = cfg->has_out_start ? cfg->out_cut : 0;
    if ((ret = open_decoder(a, ist)) < 0 || (ret = open_graph(a, codec, cfg, err, errlen)) < 0 ||
        (ret = open_encoder(a, codec, oc, cfg, err, errlen)) < 0)
        return ret;
    ost->time_base = a->enc->time_base;
    return 0;
}

/* Decoded frames into the graph, their times in samples as the CLI puts them. */
static int take_frames(RdAudio *a)
{
    int ret;
    while ((ret = avcodec_receive_frame(a->dec, a->frame)) >= 0) {
        AVRational sr = { 1, a->frame->sample_rate > 0 ? a->frame->sample_rate : a->dec->sample_rate };
        int64_t ts = a->frame->best_effort_timestamp, dts = a->next_dts, off;
        AVRational tb = a->itb;
        guess_layout(&a->frame->ch_layout);
        /* A frame without a time (a decoder's last, flushed one) is where
         * the CLI's count of decoded samples says, as decode_audio puts it. */
        if (ts == AV_NOPTS_VALUE) {
            ts = dts;
            tb = AV_TIME_BASE_Q;
        }
        a->next_dts += (int64_t)AV_TIME_BASE * a->frame->nb_samples / sr.den;
        /* The CLI rescales times the output's offset has already moved (in
         * the input's time base): where that base is coarse (Matroska's
         * milliseconds) its rounding, and so its sample times, depend on
         * the offset. Rescaled the same way, then moved back. That offset
         * is the input's (its start and -ss): an output -ss is cut after
         * the graph (an AVI's MP3, 1152/44100 s a tick: -ss 0.5 moved every
         * sample 162 later, where the CLI cuts the first frame to 990). */
        off = a->ts_offset + a->out_cut;
        a->frame->pts = av_rescale_delta(tb, ts + av_rescale_q(off, AV_TIME_BASE_Q, tb), sr,
                                         a->frame->nb_samples, &a->delta_last, sr) -
                        av_rescale_q(off, AV_TIME_BASE_Q, sr);
        ret = av_buffersrc_add_frame(a->src, a->frame);
        av_frame_unref(a->frame);
        if (ret < 0)
            return ret;
    }
    return ret == AVERROR(EAGAIN) || ret == AVERROR_EOF ? 0 : ret;
}

int rd_audio_ended(const RdAudio *a)
{
    return a->graph_eof;
}

void rd_audio_set_offset(RdAudio *a, int64_t ts_offset)
{
    a->ts_offset = ts_offset;
}

int rd_audio_send(RdAudio *a, const AVPacket *pkt)
{
    int ret;
    if (a->dec_eof)
        return pkt ? AVERROR_EOF : 0;
    if (pkt && a->graph_eof) /* trimmed: nothing more goes out */
        return 0;
    /* The CLI starts its sample count afresh after a packet that comes
     * later than the one before it lasts (its decode_audio): a first
     * packet whose time was rounded down (Opus pre-skip, 6.5 ms -> -7)
     * moves every later frame by the rounding, and where the container
     * rounds times (ASF, FLV: milliseconds) the samples follow the
     * packets' times, not their own count, as in its files. */
    if (pkt && pkt->duration && a->prev_pkt_pts != AV_NOPTS_VALUE && pkt->pts != AV_NOPTS_VALUE &&
        pkt->pts - a->prev_pkt_pts > pkt->duration)
        a->delta_last = AV_NOPTS_VALUE;
    if (pkt)
        a->prev_pkt_pts = pkt->pts;
    ret = avcodec_send_packet(a->dec, pkt);
    /* Like the ffmpeg CLI: a damaged packet costs its samples. */
    if (ret < 0 && ret != AVERROR_INVALIDDATA && ret != AVERROR_EOF)
        return ret;
    if (pkt && pkt->dts != AV_NOPTS_VALUE)
        a->next_dts = av_rescale_q(pkt->dts, a->itb, AV_TIME_BASE_Q);
    if ((ret = take_frames(a)) < 0)
        return ret;
    if (!pkt) {
        a->dec_eof = 1;
        return av_buffersrc_add_frame(a->src, NULL);
    }
    return 0;
}

void rd_audio_stop(RdAudio *a)
{
    a->stopped = a->dec_eof = 1;
}

/* The graph's next frame into the encoder; EAGAIN when it needs input. */
static int feed_encoder(RdAudio *a)
{
    int ret = av_buffersink_get_frame(a->sink, a->frame);
    if (ret == AVERROR_EOF || (ret == AVERROR(EAGAIN) && a->stopped)) {
        a->graph_eof = 1;
        return 0;
    }
    if (ret < 0)
        return ret;
    if (a->frame->pts != AV_NOPTS_VALUE)
        a->frame->pts = av_rescale_q(a->frame->pts, av_buffersink_get_time_base(a->sink), a->enc->time_base);
    /* An output -t, checked again where the CLI's do_audio_out checks it
     * (check_recording_time): once the frames given end at or after it,
     * no more. The trim alone lets through a frame that starts before
     * the end but after an earlier frame's end (asetpts=0.5*PTS). */
    if (a->out_duration > 0 &&
        av_compare_ts(a->sync_end, a->enc->time_base, a->out_duration, AV_TIME_BASE_Q) >= 0) {
        av_frame_unref(a->frame);
        a->graph_eof = 1;
        return 0;
    }
    if (a->frame->pts != AV_NOPTS_VALUE)
        a->sync_end = a->frame->pts + av_rescale_q(a->ts_offset, AV_TIME_BASE_Q, a->enc->time_base);
    a->sync_end += a->frame->nb_samples;
    ret = avcodec_send_frame(a->enc, a->frame);
    av_frame_unref(a->frame);
    return ret;
}

int rd_audio_receive(RdAudio *a, AVPacket *out)
{
    int ret;
    while ((ret = avcodec_receive_packet(a->enc, out)) == AVERROR(EAGAIN)) {
        if (!a->graph_eof)
            ret = feed_encoder(a);
        else if (!a->enc_flushed) {
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
    avfilter_graph_free(&a->graph);
    avcodec_free_context(&a->enc);
    avcodec_free_context(&a->dec);
    av_freep(pa);
}
