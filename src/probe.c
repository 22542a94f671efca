#include "probe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libavformat/avformat.h>
#include <libavutil/display.h>

#include "paths.h"

typedef struct Scan {
    int64_t *pts;
    uint8_t *key;
    int32_t *size;
    int64_t n, cap;
} Scan;

int rd_probe_open_input(AVFormatContext **pic, const char *path, int keep)
{
    AVDictionary *o = NULL;
    int ret;
    /* libav opens any URL it is given; only the protocols allowed (paths.h). */
    if ((ret = av_dict_set(&o, "protocol_whitelist", rd_paths_protocols(), 0)) < 0)
        return ret;
    ret = avformat_open_input(pic, path, NULL, &o);
    av_dict_free(&o);
    if (ret < 0)
        return ret;
    if ((ret = avformat_find_stream_info(*pic, NULL)) < 0) {
        avformat_close_input(pic);
        return ret;
    }
    for (unsigned i = 0; keep >= 0 && i < (*pic)->nb_streams; i++)
        (*pic)->streams[i]->discard = (int)i == keep ? AVDISCARD_DEFAULT : AVDISCARD_ALL;
    return 0;
}

static int scan_push(Scan *s, int64_t pts, int key, int size)
{
    if (s->n == s->cap) {
        int64_t cap = s->cap ? s->cap * 2 : 1024;
        void *a = realloc(s->pts, cap * sizeof(*s->pts));
        if (a) s->pts = a;
        void *b = realloc(s->key, cap * sizeof(*s->key));
        if (b) s->key = b;
        void *c = realloc(s->size, cap * sizeof(*s->size));
        if (c) s->size = c;
        if (!a || !b || !c)
            return AVERROR(ENOMEM);
        s->cap = cap;
    }
    s->pts[s->n] = pts;
    s->key[s->n] = !!key;
    s->size[s->n] = size;
    s->n++;
    return 0;
}

/* Sort frames by presentation time, carrying key flag and size along. */
typedef struct Frame { int64_t pts; int32_t size; uint8_t key; } Frame;

static int cmp_frame(const void *a, const void *b)
{
    int64_t x = ((const Frame *)a)->pts, y = ((const Frame *)b)->pts;
    return (x > y) - (x < y);
}

static int sort_scan(Scan *s)
{
    Frame *f = malloc((s->n ? s->n : 1) * sizeof(*f));
    if (!f)
        return AVERROR(ENOMEM);
    for (int64_t i = 0; i < s->n; i++)
        f[i] = (Frame){ s->pts[i], s->size[i], s->key[i] };
    qsort(f, s->n, sizeof(*f), cmp_frame);
    for (int64_t i = 0; i < s->n; i++) {
        s->pts[i] = f[i].pts;
        s->size[i] = f[i].size;
        s->key[i] = f[i].key;
    }
    free(f);
    return 0;
}

static int scan_packets(AVFormatContext *ic, int vindex, Scan *s, int *ts_ok, int64_t *last_dur,
                        int64_t *packets)
{
    AVPacket *pkt = av_packet_alloc();
    int64_t max_pts = INT64_MIN;
    int ret;

    if (!pkt)
        return AVERROR(ENOMEM);
    *ts_ok = 1;
    while ((ret = av_read_frame(ic, pkt)) >= 0) {
        *packets += pkt->stream_index == vindex;
        if (pkt->stream_index == vindex && !(pkt->flags & AV_PKT_FLAG_DISCARD)) {
            if (pkt->pts == AV_NOPTS_VALUE)
                *ts_ok = 0;
            ret = scan_push(s, pkt->pts == AV_NOPTS_VALUE ? s->n : pkt->pts,
                            pkt->flags & AV_PKT_FLAG_KEY, pkt->size);
            /* The last frame shown, not the last packet read, ends the video. */
            if (pkt->duration > 0 && pkt->pts != AV_NOPTS_VALUE && pkt->pts >= max_pts) {
                max_pts = pkt->pts;
                *last_dur = pkt->duration;
            }
        }
        av_packet_unref(pkt);
        if (ret < 0)
            break;
    }
    av_packet_free(&pkt);
    /* A read error after some packets is how a damaged tail ends: what was
     * read is what a decoder would see; the frame count check judges it. */
    return ret == AVERROR(ENOMEM) ? ret : 0;
}

static void fill_stream_info(RdProbe *p, AVFormatContext *ic, AVStream *st)
{
    const AVCodecDescriptor *d = avcodec_descriptor_get(st->codecpar->codec_id);
    size_t sz = 0;
    const uint8_t *m = av_stream_get_side_data(st, AV_PKT_DATA_DISPLAYMATRIX, &sz);

    p->tb = st->time_base;
    p->start_time = ic->start_time != AV_NOPTS_VALUE ? ic->start_time : 0;
    p->width = st->codecpar->width;
    p->height = st->codecpar->height;
    p->pix_fmt = st->codecpar->format;
    p->fps = st->avg_frame_rate.num > 0 && st->avg_frame_rate.den > 0 ? st->avg_frame_rate
                                                                       : st->r_frame_rate;
    if (p->fps.num <= 0 || p->fps.den <= 0)
        p->fps = (AVRational){ 25, 1 }; /* only sizes the last frame and the plan's minimum */
    snprintf(p->codec, sizeof(p->codec), "%s", d ? d->name : "unknown");
    if (m && sz >= sizeof(p->matrix)) {
        memcpy(p->matrix, m, sizeof(p->matrix));
        p->has_matrix = 1;
    }
}

/* Frames the container's index promised but the file does not hold. */
static int check_complete(AVStream *st, int64_t scanned, char *err, int errlen)
{
    int64_t promised = st->nb_frames;
    if (promised <= 0 || scanned >= promised * 99 / 100)
        return 0;
    snprintf(err, errlen, "file ends early: %" PRId64 " of %" PRId64
             " video frames present (%.0f%% missing)", scanned, promised,
             100.0 * (promised - scanned) / promised);
    return AVERROR_INVALIDDATA;
}

static void apply_limit(RdProbe *p, double limit_s)
{
    p->t_after = INT64_MAX;
    if (limit_s <= 0 || !p->nframes)
        return;
    int64_t end = p->pts[0] + (int64_t)(limit_s / av_q2d(p->tb) + 0.5);
    int64_t n = 0;
    while (n < p->nframes && p->pts[n] < end)
        n++;
    if (!n)
        n = 1;
    if (n < p->nframes)
        p->t_after = p->pts[n];
    p->nframes = n;
}

int rd_probe_open(RdProbe *p, const char *path, double limit_s, char *err, int errlen)
{
    AVFormatContext *ic = NULL;
    Scan s = {0};
    int64_t packets = 0;
    int ret, ts_ok = 1;

    memset(p, 0, sizeof(*p));
    p->vindex = p->aindex = -1;
    if ((ret = rd_probe_open_input(&ic, path, -1)) < 0)
        goto end;
    ret = av_find_best_stream(ic, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    if (ret < 0 || (ic->streams[ret]->disposition & AV_DISPOSITION_ATTACHED_PIC)) {
        snprintf(err, errlen, "no video stream");
        ret = AVERROR_STREAM_NOT_FOUND;
        goto end;
    }
    p->vindex = ret;
    p->aindex = av_find_best_stream(ic, AVMEDIA_TYPE_AUDIO, -1, p->vindex, NULL, 0);
    if (p->aindex < 0)
        p->aindex = -1;
    if (!avcodec_find_decoder(ic->streams[p->vindex]->codecpar->codec_id)) {
        snprintf(err, errlen, "no decoder for video codec %s",
                 avcodec_get_name(ic->streams[p->vindex]->codecpar->codec_id));
        ret = AVERROR_DECODER_NOT_FOUND;
        goto end;
    }
    fill_stream_info(p, ic, ic->streams[p->vindex]);
    if (!(p->par = avcodec_parameters_alloc()) ||
        (ret = avcodec_parameters_copy(p->par, ic->streams[p->vindex]->codecpar)) < 0) {
        ret = p->par ? ret : AVERROR(ENOMEM);
        goto end;
    }
    for (unsigned i = 0; i < ic->nb_streams; i++)
        if ((int)i != p->vindex)
            ic->streams[i]->discard = AVDISCARD_ALL;
    if ((ret = scan_packets(ic, p->vindex, &s, &ts_ok, &p->last_duration, &packets)) < 0)
        goto end;
    if (!s.n) {
        snprintf(err, errlen, "no video frames");
        ret = AVERROR_INVALIDDATA;
        goto end;
    }
    /* Edit lists hide packets (DISCARD) that the index still counts. */
    if ((ret = check_complete(ic->streams[p->vindex], packets, err, errlen)) < 0)
        goto end;
    if ((ret = sort_scan(&s)) < 0)
        goto end;
    p->pts = s.pts; p->key = s.key; p->size = s.size; p->nframes = s.n;
    s = (Scan){0};
    p->timestamps_ok = ts_ok;
    if (p->last_duration <= 0)
        p->last_duration = p->nframes > 1 ? p->pts[p->nframes - 1] - p->pts[p->nframes - 2]
                                          : av_rescale_q(1, av_inv_q(p->fps), p->tb);
    apply_limit(p, limit_s);
    p->duration_s = (p->pts[p->nframes - 1] - p->pts[0] + p->last_duration) * av_q2d(p->tb);
    ret = 0;
end:
    free(s.pts); free(s.key); free(s.size);
    avformat_close_input(&ic);
    return ret;
}

void rd_probe_free(RdProbe *p)
{
    avcodec_parameters_free(&p->par);
    free(p->pts);
    free(p->key);
    free(p->size);
    p->pts = NULL; p->key = NULL; p->size = NULL;
    p->nframes = 0;
}
