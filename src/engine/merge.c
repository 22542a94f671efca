#include "engine/merge.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <libavformat/avformat.h>
#include <libavutil/pixdesc.h>

#include "io/avlog.h"
#include "io/fileseq.h"
#include "io/outfile.h"
#include "engine/gifjoin.h"
#include "engine/pichdr.h"
#include "engine/rawpic.h"
#include "engine/seidup.h"
#include "engine/timeline.h"
#include "streams/readstop.h"

struct RdMerge {
    AVFormatContext *oc;
    AVStream *vst;
    RdTracks *tracks;
    RdBsf *bsf;             ///< -bsf chains, NULL = none
    AVRational etb;         ///< encoder time base (chunk packets)
    int64_t ts_offset;      ///< RdMergeConfig.ts_offset
    int64_t voff;           ///< ts_offset in the output stream's time base
    RdTimeline tl;          ///< the joined decode timeline, output stream time base
    int finished;
    int rawpic;             ///< 1: video packets are wrapped_avframe's pictures as bytes, wrapped again for the muxer (rawpic.h)
    int overwrite;          ///< -y: the final rename may replace OUTPUT
    int64_t max_vframes;    ///< RdMergeConfig.max_vframes
    int64_t vframes;        ///< video packets written
    int64_t vend;           ///< the video's end (pts + duration, output stream time base), INT64_MIN before any
    int64_t src_at_last;    ///< the last chunk's RdChunkResult.src_at_last, AV_TIME_BASE units
    AVRational src_tb;
    int64_t src_dur;        ///< an input frame's duration at the input's rate, AV_TIME_BASE units
    const char *src_path;   ///< the input, where -frames:v asks where the CLI's reading stopped; NULL = no other tracks
    int src_vindex;         ///< its video stream
    double cli_seek_s;      ///< RdMergeConfig.cli_seek_s
    int dec_threads;        ///< RdMergeConfig.dec_threads
    int64_t stop_for;       ///< the src_at_last the CLI's stop was last found for, AV_NOPTS_VALUE = not yet
    int64_t stop_at;        ///< where the other tracks end then (readstop.h), AV_TIME_BASE units
    int stop_found;         ///< rd_readstop_find's answer for it, AVERROR(ENOSYS) = not asked
    RdGifJoin gif;          ///< later chunks' GIF headers cut off (gifjoin.h)
    RdPicHdr pichdr;        ///< MPEG-1/2 GOP headers numbered as by one encoder (pichdr.h)
    RdSeiDup seidup;        ///< x264's note once, not at every join (seidup.h)
    RdOutfile *of;          ///< the temporary file (exclusive, registered for signals)
    RdFileSeq *seq;         ///< or image2's file per frame (fileseq.h), NULL = one file
    char tmp[4096], out[4096];
};

void rd_merge_temp_name(char *buf, int len, const char *output)
{
    rd_outfile_temp_name(buf, len, output, RD_OUTFILE_PART);
}

int rd_merge_probe_format(const char *format, const char *output)
{
    const AVOutputFormat *f = av_guess_format(format, format ? NULL : output, NULL);
    if (!f)
        return AVERROR_MUXER_NOT_FOUND;
    return !!(f->flags & AVFMT_GLOBALHEADER);
}

int rd_merge_frame_ts(const char *format, const char *output)
{
    const AVOutputFormat *f = av_guess_format(format, format ? NULL : output, NULL);
    return f && !strcmp(f->name, "avi");
}

int rd_merge_null_out(const char *format, const char *output)
{
    const AVOutputFormat *f = av_guess_format(format, format ? NULL : output, NULL);
    return f && !strcmp(f->name, "null");
}

/* RdAddVideo: the encoder's stream, declared at its turn among the tracks. */
static int add_video(void *opaque, AVFormatContext *oc, AVStream **vst)
{
    const RdMergeConfig *cfg = opaque;
    AVStream *st;
    int ret;
    if (!(st = *vst = avformat_new_stream(oc, NULL)))
        return AVERROR(ENOMEM);
    if ((ret = avcodec_parameters_from_context(st->codecpar, cfg->venc)) < 0)
        return ret;
    st->time_base = cfg->venc->time_base;
    /* The rate the graph gives the encoder (fps=10 makes it 10), as the
     * CLI declares it; the input's only when the encoder has none. */
    st->avg_frame_rate = cfg->venc->framerate.num > 0 ? cfg->venc->framerate : cfg->fps;
    st->r_frame_rate = st->avg_frame_rate;
    st->sample_aspect_ratio = cfg->venc->sample_aspect_ratio;
    if (cfg->matrix) {
        uint8_t *sd = av_stream_new_side_data(st, AV_PKT_DATA_DISPLAYMATRIX, 9 * sizeof(int32_t));
        if (!sd)
            return AVERROR(ENOMEM);
        memcpy(sd, cfg->matrix, 9 * sizeof(int32_t));
    }
    return 0;
}

/* The header, with the user's muxer options: one the muxer did not take is
 * an error, never ignored. */
/* Why the muxer refused its header, in words: a stream whose codec the
 * container cannot hold (x264 in WebM), else the muxer's own log line,
 * else the code. */
static void header_error(const AVFormatContext *oc, int ret, char *err, int errlen)
{
    const char *why = rd_avlog_last();
    for (unsigned i = 0; i < oc->nb_streams; i++) {
        const AVCodecParameters *par = oc->streams[i]->codecpar;
        if (avformat_query_codec(oc->oformat, par->codec_id, FF_COMPLIANCE_NORMAL) == 0) {
            snprintf(err, errlen, "the %s container cannot hold %s %s (stream %u); choose another "
                     "encoder (-c:v/-c:a) or another container", oc->oformat->name,
                     avcodec_get_name(par->codec_id),
                     av_get_media_type_string(par->codec_type) ? av_get_media_type_string(par->codec_type) : "data", i);
            return;
        }
    }
    snprintf(err, errlen, "cannot write the output header: %s", *why ? why : av_err2str(ret));
}

int rd_merge_header(AVFormatContext *oc, const AVDictionary *mux_opts, char *err, int errlen)
{
    AVDictionary *opts = NULL;
    const AVDictionaryEntry *e;
    int ret = av_dict_copy(&opts, mux_opts, 0);
    rd_avlog_clear();
    if (ret >= 0 && (ret = avformat_write_header(oc, &opts)) < 0)
        header_error(oc, ret, err, errlen);
    else if (ret >= 0 && (e = av_dict_get(opts, "", NULL, AV_DICT_IGNORE_SUFFIX))) {
        snprintf(err, errlen, "the %s muxer has no option '%s'", oc->oformat->name, e->key);
        ret = AVERROR_OPTION_NOT_FOUND;
    }
    av_dict_free(&opts);
    return ret;
}

int rd_merge_open(RdMerge **pm, const RdMergeConfig *cfg, char *err, int errlen)
{
    RdMerge *m;
    int ret;

    if (!(m = *pm = av_mallocz(sizeof(*m))))
        return AVERROR(ENOMEM);
    snprintf(m->out, sizeof(m->out), "%s", cfg->output);
    rd_merge_temp_name(m->tmp, sizeof(m->tmp), cfg->output);
    m->etb = cfg->venc->time_base;
    m->ts_offset = cfg->ts_offset;
    m->max_vframes = cfg->max_vframes;
    m->vend = INT64_MIN;
    m->stop_for = AV_NOPTS_VALUE;
    m->stop_found = AVERROR(ENOSYS);
    m->src_at_last = cfg->src_at_last != AV_NOPTS_VALUE && cfg->src_tb.num ?
                     av_rescale_q(cfg->src_at_last, cfg->src_tb, AV_TIME_BASE_Q) : AV_NOPTS_VALUE;
    m->src_tb = cfg->src_tb;
    if (cfg->tracks) {
        m->src_path = cfg->tracks->path;
        m->src_vindex = cfg->tracks->vindex;
    }
    m->cli_seek_s = cfg->cli_seek_s;
    m->dec_threads = cfg->dec_threads;
    m->src_dur = cfg->fps.num > 0 && cfg->fps.den > 0 ? av_rescale_q(1, av_inv_q(cfg->fps), AV_TIME_BASE_Q) : 0;
    rd_timeline_init(&m->tl, cfg->venc->has_b_frames);
    if ((ret = avformat_alloc_output_context2(&m->oc, NULL, cfg->format, cfg->output)) < 0) {
        snprintf(err, errlen, "cannot tell the output format from the name (use .mp4, .mkv, ...)");
        return ret;
    }
    /* The ffmpeg CLI's -muxdelay default: MPEG-TS/PS timing as it writes it. */
    m->oc->max_delay = 700000;
    ret = cfg->tracks ? rd_tracks_open(&m->tracks, cfg->tracks, m->oc, add_video, (void *)cfg, err, errlen)
                      : add_video((void *)cfg, m->oc, &m->vst);
    if (ret < 0)
        return ret;
    if (m->tracks)
        m->vst = rd_tracks_video(m->tracks);
    m->rawpic = m->vst->codecpar->codec_id == AV_CODEC_ID_WRAPPED_AVFRAME && strcmp(m->oc->oformat->name, "null");
    m->gif.on = !strcmp(m->oc->oformat->name, "gif") && m->vst->codecpar->codec_id == AV_CODEC_ID_GIF;
    if ((ret = rd_pichdr_init(&m->pichdr, cfg->venc)) < 0)
        return ret;
    rd_seidup_init(&m->seidup, cfg->venc->codec_id);
    m->overwrite = cfg->overwrite;
    if ((ret = rd_fileseq_attach(m->oc, cfg->output, m->overwrite, &m->of, &m->seq, err, errlen)) < 0)
        return ret;
    rd_codectag_apply(m->oc, cfg->tags);
    if ((ret = rd_bsf_open(&m->bsf, m->oc, cfg->bsf, err, errlen)) < 0)
        return ret;
    if (m->tracks)
        rd_tracks_set_bsf(m->tracks, m->bsf);
    if ((ret = rd_merge_header(m->oc, cfg->mux_opts, err, errlen)) >= 0) /* it has fixed the stream's time base */
        m->voff = cfg->video_synced ? 0 : av_rescale_q(m->ts_offset, AV_TIME_BASE_Q, m->vst->time_base);
    rd_timeline_grid(&m->tl, m->etb, m->vst->time_base);
    return ret;
}

/* -frames:v: where the CLI's reading stops for the input frame of the
 * last one (readstop.h), found once per frame; the other tracks end there. */
static void find_stop(RdMerge *m)
{
    if (!m->src_path || m->src_at_last == AV_NOPTS_VALUE || m->stop_for == m->src_at_last)
        return;
    m->stop_for = m->src_at_last;
    m->stop_found = rd_readstop_find(m->src_path, m->src_vindex, m->cli_seek_s, m->dec_threads,
                                     m->src_at_last, &m->stop_at);
    if (m->stop_found >= 0)
        rd_tracks_end_at(m->tracks, m->stop_at);
}

int rd_merge_write(RdMerge *m, RdChunkResult *r, char *err, int errlen)
{
    int ret = 0;
    if (!r->n)
        return 0;
    if (r->src_at_last != AV_NOPTS_VALUE && m->src_tb.num) {
        int64_t t = av_rescale_q(r->src_at_last, m->src_tb, AV_TIME_BASE_Q);
        m->src_at_last = m->src_at_last == AV_NOPTS_VALUE ? t : FFMAX(m->src_at_last, t);
    }
    /* The chunk that gives the last frame: the other tracks are written
     * beside its packets, so their end is known before. */
    if (m->tracks && m->max_vframes > 0 && m->vframes + r->n >= m->max_vframes)
        find_stop(m);
    /* The timeline is built in the muxer's own time base (set by the
     * header, often finer than the encoder's), so joins have room. */
    for (int i = 0; i < r->n; i++)
        av_packet_rescale_ts(r->pkts[i], m->etb, m->vst->time_base);
    if ((ret = rd_timeline_assign(&m->tl, r->pkts, r->n, r->index, err, errlen)) < 0)
        return ret;
    for (int i = 0; i < r->n; i++) {
        AVPacket *p = r->pkts[i];
        p->pts += m->voff;
        p->dts += m->voff;
        p->stream_index = m->vst->index;
        if (m->tracks && (ret = rd_tracks_write_until(m->tracks, m->oc, p->dts, m->vst->time_base)) < 0) {
            snprintf(err, errlen, "%s", rd_tracks_error(m->tracks));
            return ret;
        }
        if ((ret = rd_fileseq_one_image(m->oc, m->seq, m->vframes, err, errlen)) < 0 ||
            (ret = rd_gifjoin_packet(&m->gif, p, err, errlen)) < 0)
            return ret;
        if ((ret = rd_seidup_packet(&m->seidup, p)) < 0)
            return ret;
        if ((ret = rd_pichdr_packet(&m->pichdr, p, m->vframes)) < 0) {
            snprintf(err, errlen, "MPEG-2 GOP header of chunk %d: %s", r->index, av_err2str(ret));
            return ret;
        }
        if (m->rawpic && (ret = rd_rawpic_wrap(p, m->vst->codecpar)) < 0) {
            snprintf(err, errlen, "chunk %d: a picture of %d bytes, not %dx%d %s", r->index, p->size,
                     m->vst->codecpar->width, m->vst->codecpar->height,
                     av_get_pix_fmt_name(m->vst->codecpar->format) ? av_get_pix_fmt_name(m->vst->codecpar->format) : "?");
            return ret;
        }
        m->vframes++;
        m->vend = FFMAX(m->vend, p->pts + p->duration);
        ret = rd_bsf_write(m->bsf, m->oc, p);
        /* a file of the sequence that could not be written or put in place */
        if (rd_fileseq_error(m->seq, err, errlen) < 0)
            return ret < 0 ? ret : rd_fileseq_error(m->seq, err, errlen);
        if (ret < 0)
            return ret;
    }
    return 0;
}

int rd_merge_finish(RdMerge *m, int64_t *bytes, char *err, int errlen)
{
    struct stat st;
    int ret;
    /* ffmpeg closes every stream of the file once the video has its
     * -frames:v: the other tracks stop where the video does. */
    if (m->tracks && m->max_vframes > 0 && m->vframes >= m->max_vframes && m->vend != INT64_MIN) {
        /* It stops reading at the packet that made its decoder give the
         * input frame of the last one (readstop.h); what it had read of
         * the other tracks by then is written. Where that cannot be found
         * here, the frame is taken as read whole: the tracks run to its
         * end, at least the video's. */
        int64_t end = av_rescale_q(m->vend, m->vst->time_base, AV_TIME_BASE_Q) - m->ts_offset;
        find_stop(m);
        if (m->stop_found >= 0)
            end = m->stop_at;
        else if (m->src_at_last != AV_NOPTS_VALUE)
            end = FFMAX(end, m->src_at_last + m->src_dur);
        if (m->stop_found != AVERROR_EOF)
            rd_tracks_end_at(m->tracks, end);
        else
            rd_tracks_stop_at_drain(m->tracks);
    }
    if (m->tracks && (ret = rd_tracks_write_until(m->tracks, m->oc, INT64_MAX, m->vst->time_base)) < 0) {
        snprintf(err, errlen, "%s", rd_tracks_error(m->tracks));
        return ret;
    }
    if ((ret = rd_bsf_flush(m->bsf, m->oc)) < 0 || (ret = av_write_trailer(m->oc)) < 0) {
        snprintf(err, errlen, "cannot write the trailer: %s", av_err2str(ret));
        return ret;
    }
    if (!m->of && !m->seq) { /* -f null */
        m->finished = 1;
        *bytes = 0;
        return 0;
    }
    if (m->seq) {
        if ((ret = rd_fileseq_finish(m->seq, bytes, err, errlen)) < 0)
            return ret;
        m->finished = 1;
        return 0;
    }
    if ((ret = rd_outfile_finish(m->of, &m->oc->pb, m->overwrite, err, errlen)) < 0)
        return ret;
    m->finished = 1;
    *bytes = stat(m->out, &st) == 0 ? st.st_size : 0;
    return 0;
}

void rd_merge_free(RdMerge **pm)
{
    AVIOContext *none = NULL;
    RdMerge *m = *pm;
    if (!m)
        return;
    rd_tracks_free(&m->tracks);
    rd_bsf_free(&m->bsf);
    rd_outfile_free(&m->of, m->oc ? &m->oc->pb : &none); /* removes the temporary file unless finished */
    rd_fileseq_free(&m->seq); /* removes the files written unless finished */
    avformat_free_context(m->oc);
    rd_timeline_free(&m->tl);
    rd_gifjoin_free(&m->gif);
    rd_pichdr_free(&m->pichdr);
    av_freep(pm);
}
