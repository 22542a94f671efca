#include "streams/readstop.h"

#include <libavcodec/avcodec.h>
#include <libavutil/mathematics.h>

#include "io/input.h"
#include "streams/tracks.h"

#define US (AVRational){ 1, AV_TIME_BASE }

/* 1 when a picture at or after `pts_us` came out, 0 when none is ready,
 * or AVERROR. */
static int picture_out(AVCodecContext *dec, AVFrame *f, AVRational tb, int64_t pts_us)
{
    int ret;
    while ((ret = avcodec_receive_frame(dec, f)) >= 0) {
        int64_t ts = f->best_effort_timestamp;
        av_frame_unref(f);
        /* Rounded to µs as the caller's time was (an exact compare would
         * miss the frame by the rounding). */
        if (ts != AV_NOPTS_VALUE && av_rescale_q(ts, tb, US) >= pts_us)
            return 1;
    }
    return ret == AVERROR(EAGAIN) ? 0 : ret;
}

/* Per other stream: its last packet read before the stop and the first
 * after it, µs (INT64_MIN / INT64_MAX = none). */
typedef struct Around {
    int64_t last, next;
} Around;

static int other(const AVStream *st)
{
    return st->codecpar->codec_type == AVMEDIA_TYPE_AUDIO || st->codecpar->codec_type == AVMEDIA_TYPE_SUBTITLE;
}

/* The time that keeps, of every other stream, exactly the packets read
 * before the stop: above each one's last, at most each one's next (a
 * file's interleaving puts audio a little ahead or behind the video:
 * MPEG-TS by its mux delay). AVERROR(ERANGE) when no one time does. */
static int cut_time(const AVFormatContext *ic, const Around *ar, int64_t *at)
{
    int64_t lo = INT64_MIN, hi = INT64_MAX;
    for (unsigned i = 0; i < ic->nb_streams; i++) {
        if (!other(ic->streams[i]) || ar[i].last == INT64_MIN)
            continue;
        lo = FFMAX(lo, ar[i].last + 1);
        hi = FFMIN(hi, ar[i].next);
    }
    if (lo == INT64_MIN || lo > hi)
        return AVERROR(ERANGE);
    *at = lo;
    return 0;
}

/* After the stop: read on until every other stream shows its next packet
 * (or the file ends, or 10 s of packets later). */
static int read_next(AVFormatContext *ic, AVPacket *pkt, Around *ar, int64_t stop_us)
{
    int ret;
    while ((ret = av_read_frame(ic, pkt)) >= 0) {
        const AVStream *st = ic->streams[pkt->stream_index];
        int64_t t = pkt->pts != AV_NOPTS_VALUE ? av_rescale_q(pkt->pts, st->time_base, US) : INT64_MIN;
        int open = 0;
        if (other(st) && t != INT64_MIN && ar[pkt->stream_index].next == INT64_MAX)
            ar[pkt->stream_index].next = t;
        av_packet_unref(pkt);
        if (t != INT64_MIN && t > stop_us + 10 * AV_TIME_BASE)
            break;
        for (unsigned i = 0; i < ic->nb_streams; i++)
            open |= other(ic->streams[i]) && ar[i].last != INT64_MIN && ar[i].next == INT64_MAX;
        if (!open)
            break;
    }
    return ret == AVERROR(ENOMEM) ? ret : 0;
}

static int decode_to(AVFormatContext *ic, AVCodecContext *dec, int vindex, int64_t pts_us, int64_t *at)
{
    const AVStream *st = ic->streams[vindex];
    AVPacket *pkt = av_packet_alloc();
    AVFrame *f = av_frame_alloc();
    Around *ar = av_calloc(ic->nb_streams, sizeof(*ar));
    int ret = AVERROR(ENOMEM);
    if (!pkt || !f || !ar)
        goto end;
    for (unsigned i = 0; i < ic->nb_streams; i++)
        ar[i] = (Around){ INT64_MIN, INT64_MAX };
    while ((ret = av_read_frame(ic, pkt)) >= 0) {
        int64_t dts = pkt->dts != AV_NOPTS_VALUE ? pkt->dts : pkt->pts;
        if (pkt->stream_index != vindex) {
            const AVStream *o = ic->streams[pkt->stream_index];
            if (other(o) && pkt->pts != AV_NOPTS_VALUE)
                ar[pkt->stream_index].last = av_rescale_q(pkt->pts, o->time_base, US);
            av_packet_unref(pkt);
            continue;
        }
        /* A packet the decoder refuses (damage) is skipped, as the CLI goes on. */
        if (avcodec_send_packet(dec, pkt) < 0) {
            av_packet_unref(pkt);
            continue;
        }
        av_packet_unref(pkt);
        if ((ret = picture_out(dec, f, st->time_base, pts_us)) < 0 && ret != AVERROR_EOF)
            goto end;
        if (ret > 0) {
            int64_t stop = dts == AV_NOPTS_VALUE ? pts_us : av_rescale_q(dts, st->time_base, US);
            if ((ret = read_next(ic, pkt, ar, stop)) >= 0)
                ret = cut_time(ic, ar, at);
            goto end;
        }
    }
    /* The end of the file (or damage there: the CLI stops reading too). */
    ret = avcodec_send_packet(dec, NULL) < 0 ? AVERROR(EINVAL) : picture_out(dec, f, st->time_base, pts_us);
    ret = ret > 0 ? AVERROR_EOF : ret < 0 ? ret : AVERROR(ENOENT);
end:
    av_packet_free(&pkt);
    av_frame_free(&f);
    av_free(ar);
    return ret;
}

int rd_readstop_find(const char *path, int vindex, double seek_s, int threads, int64_t pts_us,
                     int64_t *at)
{
    AVFormatContext *ic = NULL;
    AVCodecContext *dec = NULL;
    int ret;

    if ((ret = rd_input_open(&ic, path, -1)) < 0)
        return ret;
    if (vindex < 0 || vindex >= (int)ic->nb_streams) {
        ret = AVERROR(EINVAL);
        goto end;
    }
    for (unsigned i = 0; i < ic->nb_streams; i++)
        ic->streams[i]->discard = (int)i == vindex || other(ic->streams[i]) ? AVDISCARD_DEFAULT : AVDISCARD_ALL;
    if ((ret = rd_tracks_cli_decoder(&dec, ic->streams[vindex], threads)) < 0)
        goto end;
    rd_tracks_cli_seek(ic, seek_s);
    ret = decode_to(ic, dec, vindex, pts_us, at);
end:
    avcodec_free_context(&dec);
    avformat_close_input(&ic);
    return ret;
}
