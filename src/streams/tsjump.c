#include "streams/tsjump.h"

#include <libavcodec/avcodec.h>
#include <libavutil/mathematics.h>

#include "io/input.h"
#include "streams/tracks.h"

/* The ffmpeg CLI's -dts_delta_threshold default, seconds. */
#define DTS_DELTA_THRESHOLD 10
#define US (AVRational){ 1, AV_TIME_BASE }
/* Packets decoded at most while waiting for the first picture. */
#define MAX_BLIND_PACKETS 4096

/* One stream's change points: from the packet at place pos[i], sub[i] on
 * (rd_tsjump_place) the offset is off[i], stream tb. */
typedef struct Changes {
    int64_t *pos, *sub, *off;
    int n, cap;
} Changes;

struct RdTsJumps {
    int nb;
    Changes *c;
    int jumps;
    int blind;      ///< a packet without a file position
};

/* What the CLI knows of one stream while reading, AV_TIME_BASE units. */
typedef struct Pred {
    int av;             ///< video or audio: only these are checked
    int64_t next_dts;   ///< predicted decode time of the next packet
    int64_t last_dts;   ///< decode time of the last packet
    int64_t frame_us;   ///< a frame's duration when the packet gives none
    int64_t applied;    ///< offset given to the last packet, stream tb
    RdTsPlace at;       ///< where the last packet is
} Pred;

typedef struct Reader {
    RdTsJumps *j;
    Pred *p;
    AVFormatContext *ic;
    int64_t off_us;     ///< the CLI's ts_offset, without the start time
    int64_t last_ts;    ///< the file's last decode time (the CLI's ifile->last_ts)
    int vdec;           ///< the video stream the CLI decodes, -1 = none
    AVCodecContext *dec;///< its decoder, as the CLI opens it, until a picture is out
    AVFrame *frame;
    int64_t vpts;       ///< the CLI's ist->pts of that stream, µs: its zero (the input's -ss point) until a picture is out
    int fed;            ///< packets given to the decoder
} Reader;

static int grow(int64_t **a, int cap)
{
    int64_t *p = av_realloc_array(*a, cap, sizeof(*p));
    if (!p)
        return AVERROR(ENOMEM);
    *a = p;
    return 0;
}

static int push(Changes *c, const RdTsPlace *at, int64_t off)
{
    if (c->n == c->cap) {
        int cap = c->cap ? 2 * c->cap : 8;
        if (grow(&c->pos, cap) < 0 || grow(&c->sub, cap) < 0 || grow(&c->off, cap) < 0)
            return AVERROR(ENOMEM);
        c->cap = cap;
    }
    c->pos[c->n] = at->pos;
    c->sub[c->n] = at->sub;
    c->off[c->n++] = off;
    return 0;
}

static int outside(int64_t delta)
{
    return delta < -(int64_t)DTS_DELTA_THRESHOLD * AV_TIME_BASE ||
           delta > (int64_t)DTS_DELTA_THRESHOLD * AV_TIME_BASE;
}

static int64_t to_us(int64_t ts, AVRational tb)
{
    return av_rescale_q_rnd(ts, tb, US, AV_ROUND_NEAR_INF | AV_ROUND_PASS_MINMAX);
}

/* The corrections of fftools/ffmpeg.c's process_input for one packet;
 * returns the offset it gets, stream tb. `floor`: the time a packet may
 * not fall 0.1 s behind (the CLI's max(ist->pts, ist->dts)). */
static int64_t correct(Reader *r, Pred *p, AVRational tb, int64_t raw_dts, int64_t floor)
{
    int64_t off = av_rescale_q(r->off_us, US, tb);
    int64_t dts = raw_dts == AV_NOPTS_VALUE ? raw_dts : raw_dts + off;
    int64_t delta;

    if (dts == AV_NOPTS_VALUE || !p->av)
        return off;
    /* A stream's first packet against the file's last time. */
    if (p->next_dts == AV_NOPTS_VALUE && r->last_ts != AV_NOPTS_VALUE &&
        outside(delta = to_us(dts, tb) - r->last_ts)) {
        r->off_us -= delta;
        off -= av_rescale_q(delta, US, tb);
        dts = raw_dts + off;
        r->j->jumps++;
    }
    /* Any later one against its own stream's prediction. One that is
     * behind only the decoded video's zero is not a jump in the timeline
     * (the offset moves by the little a packet's duration is off, once,
     * at the start): chunks may still seek by time. */
    if (p->next_dts != AV_NOPTS_VALUE) {
        int64_t slack_dts = to_us(dts, tb) + AV_TIME_BASE / 10;
        int jump = outside(delta = to_us(dts, tb) - p->next_dts);
        if (jump || slack_dts < floor) {
            r->off_us -= delta;
            off -= av_rescale_q(delta, US, tb);
            r->j->jumps += jump || slack_dts < p->last_dts;
        }
    }
    return off;
}

/* The decoded video's ist->pts moves with the pictures its decoder gives:
 * before the first one it is the CLI's zero, which lies after the packets
 * an input -ss seek lands on (the keyframe before the point), so every one
 * of them more than 0.1 s before the point counts as a jump, by the little
 * its decode time step differs from its duration (23.976 fps in 90 kHz
 * ticks: one tick). How many packets that is, is the decoder's delay, its
 * frame threads included: the decoder is opened as the CLI opens it. Once
 * a picture is out the packets' own decode times rule, and it is closed. */
static void decode(Reader *r, const AVPacket *pkt, int64_t off)
{
    AVPacket *q;
    int ret;
    if (!r->dec || pkt->stream_index != r->vdec)
        return;
    /* A stream that gives no picture for this long is not decoded to its
     * end here (a damaged file): its packets are past the zero by then. */
    if (++r->fed > MAX_BLIND_PACKETS || !(q = av_packet_clone(pkt))) {
        avcodec_free_context(&r->dec);
        return;
    }
    if (q->pts != AV_NOPTS_VALUE)
        q->pts += off;
    if (q->dts != AV_NOPTS_VALUE)
        q->dts += off;
    ret = avcodec_send_packet(r->dec, q);
    av_packet_free(&q);
    if (ret < 0 && ret != AVERROR_INVALIDDATA && ret != AVERROR(EAGAIN)) {
        avcodec_free_context(&r->dec);
        return;
    }
    while ((ret = avcodec_receive_frame(r->dec, r->frame)) >= 0) {
        int64_t t = r->frame->best_effort_timestamp;
        av_frame_unref(r->frame);
        if (t != AV_NOPTS_VALUE) {
            r->vpts = to_us(t, r->ic->streams[r->vdec]->time_base);
            avcodec_free_context(&r->dec);
            return;
        }
    }
    if (ret != AVERROR(EAGAIN))
        avcodec_free_context(&r->dec);
}

static int packet(Reader *r, const AVPacket *pkt)
{
    AVStream *st = r->ic->streams[pkt->stream_index];
    Pred *p = &r->p[pkt->stream_index];
    int64_t floor = pkt->stream_index == r->vdec ? FFMAX(p->last_dts, r->vpts) : p->last_dts;
    int64_t off = correct(r, p, st->time_base, pkt->dts, floor), dts;
    int ret;

    rd_tsjump_place(&p->at, pkt);
    if (off != p->applied) {
        if (p->at.pos < 0)
            r->j->blind = 1;
        else if ((ret = push(&r->j->c[pkt->stream_index], &p->at, off)) < 0)
            return ret;
        p->applied = off;
    }
    decode(r, pkt, off);
    if (pkt->dts == AV_NOPTS_VALUE)
        return 0;
    dts = av_rescale_q(pkt->dts + off, st->time_base, US);
    r->last_ts = dts;
    /* The CLI's next prediction: this decode time plus the packet's span. */
    p->last_dts = dts;
    p->next_dts = dts + (pkt->duration > 0 ? av_rescale_q(pkt->duration, st->time_base, US) : p->frame_us);
    return 0;
}

static void init_pred(Pred *p, const AVStream *st)
{
    AVRational fr = st->avg_frame_rate.num > 0 && st->avg_frame_rate.den > 0 ? st->avg_frame_rate
                                                                              : st->r_frame_rate;
    const AVCodecParameters *par = st->codecpar;
    p->av = par->codec_type == AVMEDIA_TYPE_VIDEO || par->codec_type == AVMEDIA_TYPE_AUDIO;
    p->next_dts = p->last_dts = AV_NOPTS_VALUE;
    p->at = (RdTsPlace){ -1, 0 };
    if (par->codec_type == AVMEDIA_TYPE_AUDIO && par->sample_rate > 0 && par->frame_size > 0)
        p->frame_us = (int64_t)AV_TIME_BASE * par->frame_size / par->sample_rate;
    else if (fr.num > 0 && fr.den > 0)
        p->frame_us = av_rescale_q(1, av_inv_q(fr), US);
    else
        p->frame_us = AV_TIME_BASE / 25;
}

/* The decoder the CLI opens for the video it transcodes ("-threads auto"
 * unless the line gives the input a count): its delay decides how long
 * ist->pts stays at zero. A decoder that cannot open decodes nothing here. */
static void open_decoder(Reader *r, int threads)
{
    if (r->vdec < 0 || r->vdec >= (int)r->ic->nb_streams || !(r->frame = av_frame_alloc()) ||
        rd_tracks_cli_decoder(&r->dec, r->ic->streams[r->vdec], threads) < 0)
        avcodec_free_context(&r->dec);
}

static int read_all(Reader *r, const uint8_t *used, double seek_s)
{
    AVPacket *pkt = av_packet_alloc();
    int64_t at;
    int ret;
    if (!pkt)
        return AVERROR(ENOMEM);
    for (unsigned i = 0; i < r->ic->nb_streams; i++) {
        r->ic->streams[i]->discard = (int)i < r->j->nb && used[i] ? AVDISCARD_DEFAULT : AVDISCARD_ALL;
        init_pred(&r->p[i], r->ic->streams[i]);
    }
    /* As the CLI's demuxer seeks for an input -ss; its zero is the point. */
    if ((at = rd_tracks_cli_seek(r->ic, seek_s)) != AV_NOPTS_VALUE)
        r->vpts = at;
    while ((ret = av_read_frame(r->ic, pkt)) >= 0) {
        if (pkt->stream_index < r->j->nb && used[pkt->stream_index])
            ret = packet(r, pkt);
        av_packet_unref(pkt);
        if (ret < 0)
            break;
    }
    av_packet_free(&pkt);
    /* A damaged tail ends the CLI's reading too. */
    return ret == AVERROR(ENOMEM) ? ret : 0;
}

int rd_tsjump_scan(RdTsJumps **pj, const char *path, const uint8_t *used, int nb, double seek_s,
                   int vdec, int threads)
{
    Reader r = { .vdec = -1 };
    int ret;

    *pj = NULL;
    if ((ret = rd_input_open(&r.ic, path, -1)) < 0)
        return ret;
    if (!(r.ic->iformat->flags & AVFMT_TS_DISCONT))
        goto end;
    ret = AVERROR(ENOMEM);
    if (!(r.j = av_mallocz(sizeof(*r.j))) ||
        !(r.j->c = av_calloc(r.ic->nb_streams + 1, sizeof(*r.j->c))) ||
        !(r.p = av_calloc(r.ic->nb_streams + 1, sizeof(*r.p))))
        goto end;
    r.j->nb = FFMIN(nb, (int)r.ic->nb_streams);
    r.last_ts = AV_NOPTS_VALUE;
    r.vpts = r.ic->start_time != AV_NOPTS_VALUE ? r.ic->start_time : 0;
    r.vdec = vdec >= 0 && vdec < r.j->nb && used[vdec] ? vdec : -1;
    open_decoder(&r, threads);
    if ((ret = read_all(&r, used, seek_s)) < 0)
        goto end;
    ret = r.j->blind && r.j->jumps ? AVERROR(ENOSYS) : 0;
end:
    if (ret >= 0 && r.j)
        *pj = r.j;
    else
        rd_tsjump_free(&r.j);
    av_free(r.p);
    avcodec_free_context(&r.dec);
    av_frame_free(&r.frame);
    avformat_close_input(&r.ic);
    return ret;
}

void rd_tsjump_place(RdTsPlace *at, const AVPacket *pkt)
{
    if (pkt->pos >= 0)
        *at = (RdTsPlace){ pkt->pos, 0 };
    else
        at->sub++;
}

int64_t rd_tsjump_offset(const RdTsJumps *j, int stream, const RdTsPlace *at)
{
    const Changes *c;
    int lo = 0, hi;
    if (!j || stream < 0 || stream >= j->nb || at->pos < 0)
        return 0;
    c = &j->c[stream];
    hi = c->n;
    /* The last change at or before the packet. */
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (c->pos[mid] < at->pos || (c->pos[mid] == at->pos && c->sub[mid] <= at->sub))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo ? c->off[lo - 1] : 0;
}

int rd_tsjump_count(const RdTsJumps *j)
{
    return j ? j->jumps : 0;
}

void rd_tsjump_free(RdTsJumps **pj)
{
    RdTsJumps *j = *pj;
    if (!j)
        return;
    for (int i = 0; j->c && i < j->nb; i++) {
        av_free(j->c[i].pos);
        av_free(j->c[i].sub);
        av_free(j->c[i].off);
    }
    av_free(j->c);
    av_freep(pj);
}
