#include "streams/bsf.h"

#include <stdio.h>
#include <libavcodec/bsf.h>

#include "io/avlog.h"

struct RdBsf {
    AVBSFContext **ctx;     ///< per output stream, NULL = none
    unsigned n;
    AVPacket *out;
};

int rd_bsf_check(const char *chain)
{
    AVBSFContext *ctx = NULL;
    int ret = av_bsf_list_parse_str(chain, &ctx);
    av_bsf_free(&ctx);
    return ret;
}

static const char *chain_of(const RdBsfSpec *spec, enum AVMediaType type)
{
    switch (type) {
    case AVMEDIA_TYPE_VIDEO:    return spec->v;
    case AVMEDIA_TYPE_AUDIO:    return spec->a;
    case AVMEDIA_TYPE_SUBTITLE: return spec->s;
    default:                    return NULL;
    }
}

/* ffmpeg's init_output_bsfs: the stream's parameters in, the chain's out. */
static int open_one(AVBSFContext **pctx, AVStream *st, const char *chain, char *err, int errlen)
{
    int ret;
    if ((ret = av_bsf_list_parse_str(chain, pctx)) < 0) {
        snprintf(err, errlen, "-bsf %s: not a bitstream filter chain (%s)", chain, av_err2str(ret));
        return ret;
    }
    if ((ret = avcodec_parameters_copy((*pctx)->par_in, st->codecpar)) < 0)
        return ret;
    (*pctx)->time_base_in = st->time_base;
    if ((ret = av_bsf_init(*pctx)) < 0) {
        snprintf(err, errlen, "-bsf %s: cannot filter stream %d (%s): %s", chain, st->index,
                 avcodec_get_name(st->codecpar->codec_id), av_err2str(ret));
        return ret;
    }
    if ((ret = avcodec_parameters_copy(st->codecpar, (*pctx)->par_out)) < 0)
        return ret;
    st->time_base = (*pctx)->time_base_out;
    return 0;
}

int rd_bsf_open(RdBsf **pb, AVFormatContext *oc, const RdBsfSpec *spec, char *err, int errlen)
{
    RdBsf *b;
    int ret, any = 0;
    *pb = NULL;
    if (!spec)
        return 0;
    for (unsigned i = 0; i < oc->nb_streams; i++)
        any |= chain_of(spec, oc->streams[i]->codecpar->codec_type) != NULL;
    if (!any)
        return 0;
    if (!(b = *pb = av_mallocz(sizeof(*b))) || !(b->ctx = av_calloc(oc->nb_streams, sizeof(*b->ctx))) ||
        !(b->out = av_packet_alloc()))
        return AVERROR(ENOMEM);
    b->n = oc->nb_streams;
    for (unsigned i = 0; i < oc->nb_streams; i++) {
        const char *chain = chain_of(spec, oc->streams[i]->codecpar->codec_type);
        if (chain && (ret = open_one(&b->ctx[i], oc->streams[i], chain, err, errlen)) < 0)
            return ret;
    }
    return 0;
}

/* What the chain gives back, in the stream's time base (the header may
 * have changed it since the chain was opened). */
static int drain(RdBsf *b, AVFormatContext *oc, unsigned i)
{
    AVBSFContext *ctx = b->ctx[i];
    int ret;
    while ((ret = av_bsf_receive_packet(ctx, b->out)) >= 0) {
        av_packet_rescale_ts(b->out, ctx->time_base_out, oc->streams[i]->time_base);
        b->out->stream_index = i;
        if ((ret = av_interleaved_write_frame(oc, b->out)) < 0)
            return ret;
    }
    return ret == AVERROR(EAGAIN) || ret == AVERROR_EOF ? 0 : ret;
}

int rd_bsf_write(RdBsf *b, AVFormatContext *oc, AVPacket *p)
{
    unsigned i = p->stream_index;
    int ret;
    if (!b || i >= b->n || !b->ctx[i])
        return av_interleaved_write_frame(oc, p);
    av_packet_rescale_ts(p, oc->streams[i]->time_base, b->ctx[i]->time_base_in);
    if ((ret = av_bsf_send_packet(b->ctx[i], p)) < 0) {
        av_packet_unref(p);
        return ret;
    }
    return drain(b, oc, i);
}

int rd_bsf_write_said(RdBsf *b, AVFormatContext *oc, AVPacket *p, const char *name, char *why, int whylen)
{
    int ret;
    rd_avlog_clear();
    ret = rd_bsf_write(b, oc, p);
    if (ret < 0 && ret != AVERROR(ENOSPC) && ret != AVERROR(EFBIG) && ret != AVERROR(EIO) && !*why)
        snprintf(why, whylen, "%s%scannot write to it: %s", name ? name : "", name ? ": " : "",
                 *rd_avlog_last() ? rd_avlog_last() : av_err2str(ret));
    return ret;
}

int rd_bsf_flush(RdBsf *b, AVFormatContext *oc)
{
    int ret;
    for (unsigned i = 0; b && i < b->n; i++) {
        if (!b->ctx[i])
            continue;
        if ((ret = av_bsf_send_packet(b->ctx[i], NULL)) < 0 || (ret = drain(b, oc, i)) < 0)
            return ret;
    }
    return 0;
}

void rd_bsf_free(RdBsf **pb)
{
    RdBsf *b = *pb;
    if (!b)
        return;
    for (unsigned i = 0; b->ctx && i < b->n; i++)
        av_bsf_free(&b->ctx[i]);
    av_freep(&b->ctx);
    av_packet_free(&b->out);
    av_freep(pb);
}
