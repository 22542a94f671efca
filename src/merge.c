#include "merge.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <libavformat/avformat.h>

struct RdMerge {
    AVFormatContext *oc;
    AVStream *vst;
    RdTracks *tracks;
    AVRational etb;         ///< encoder time base (chunk packets)
    int64_t voff;           ///< ts_offset in the encoder time base
    int depth;              ///< D: reorder depth of the encoder
    int64_t *tail;          ///< last D presentation times written, ascending
    int started;            ///< a chunk has been written
    int finished;
    char tmp[4096], out[4096];
};

void rd_merge_temp_name(char *buf, int len, const char *output)
{
    snprintf(buf, len, "%s.part-%ld", output, (long)getpid());
}

int rd_merge_probe_format(const char *output)
{
    const AVOutputFormat *f = av_guess_format(NULL, output, NULL);
    if (!f)
        return AVERROR_MUXER_NOT_FOUND;
    return !!(f->flags & AVFMT_GLOBALHEADER);
}

static int add_video(RdMerge *m, const RdMergeConfig *cfg)
{
    int ret;
    if (!(m->vst = avformat_new_stream(m->oc, NULL)))
        return AVERROR(ENOMEM);
    if ((ret = avcodec_parameters_from_context(m->vst->codecpar, cfg->venc)) < 0)
        return ret;
    m->vst->time_base = cfg->venc->time_base;
    m->vst->avg_frame_rate = cfg->fps;
    m->vst->r_frame_rate = cfg->fps;
    m->vst->sample_aspect_ratio = cfg->venc->sample_aspect_ratio;
    if (cfg->matrix) {
        uint8_t *sd = av_stream_new_side_data(m->vst, AV_PKT_DATA_DISPLAYMATRIX, 9 * sizeof(int32_t));
        if (!sd)
            return AVERROR(ENOMEM);
        memcpy(sd, cfg->matrix, 9 * sizeof(int32_t));
    }
    return 0;
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
    m->voff = av_rescale_q(cfg->ts_offset, AV_TIME_BASE_Q, m->etb);
    m->depth = cfg->venc->has_b_frames;
    if (!(m->tail = av_calloc(m->depth + 1, sizeof(*m->tail))))
        return AVERROR(ENOMEM);
    if ((ret = avformat_alloc_output_context2(&m->oc, NULL, NULL, cfg->output)) < 0) {
        snprintf(err, errlen, "cannot tell the output format from the name (use .mp4, .mkv, ...)");
        return ret;
    }
    if ((ret = add_video(m, cfg)) < 0)
        return ret;
    if (cfg->tracks && (ret = rd_tracks_open(&m->tracks, cfg->tracks, m->oc, m->vst, err, errlen)) < 0)
        return ret;
    if ((ret = avio_open(&m->oc->pb, m->tmp, AVIO_FLAG_WRITE)) < 0) {
        m->tmp[0] = 0; /* nothing was created */
        return ret;
    }
    if ((ret = avformat_write_header(m->oc, NULL)) < 0)
        snprintf(err, errlen, "cannot write the output header: %s", av_err2str(ret));
    return ret;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Decode timestamps for one chunk: `all` = the previous D presentation
 * times, then this chunk's in order; packet k gets all[k]. */
static int assign_dts(RdMerge *m, RdChunkResult *r, char *err, int errlen)
{
    int d = m->depth, n = r->n;
    int64_t *all = av_malloc_array(n + d + 1, sizeof(*all));

    if (!all)
        return AVERROR(ENOMEM);
    for (int i = 0; i < n; i++)
        all[d + i] = r->pkts[i]->pts;
    qsort(all + d, n, sizeof(*all), cmp_i64);
    for (int j = 0; j < d; j++) /* before the first chunk: extrapolate back */
        all[j] = m->started ? m->tail[j] : all[d] - (d - j) * FFMAX(1, r->pkts[0]->duration);
    for (int k = 0; k < n; k++) {
        if (all[k] > r->pkts[k]->pts) {
            snprintf(err, errlen, "chunk %d: encoder reorders deeper than it declared (%d)", r->index, d);
            av_free(all);
            return AVERROR_BUG;
        }
        r->pkts[k]->dts = all[k];
    }
    for (int j = 0; j < d; j++)
        m->tail[j] = all[n + j];
    av_free(all);
    return 0;
}

int rd_merge_write(RdMerge *m, RdChunkResult *r, char *err, int errlen)
{
    int ret = 0;
    if (!r->n)
        return 0;
    if ((ret = assign_dts(m, r, err, errlen)) < 0)
        return ret;
    m->started = 1;
    for (int i = 0; i < r->n; i++) {
        AVPacket *p = r->pkts[i];
        p->pts += m->voff;
        p->dts += m->voff;
        p->stream_index = m->vst->index;
        if (m->tracks && (ret = rd_tracks_write_until(m->tracks, m->oc, p->dts, m->etb)) < 0)
            return ret;
        av_packet_rescale_ts(p, m->etb, m->vst->time_base);
        if ((ret = av_interleaved_write_frame(m->oc, p)) < 0)
            return ret;
    }
    return 0;
}

int rd_merge_finish(RdMerge *m, int64_t *bytes)
{
    struct stat st;
    int ret;
    if (m->tracks && (ret = rd_tracks_write_until(m->tracks, m->oc, INT64_MAX, m->etb)) < 0)
        return ret;
    if ((ret = av_write_trailer(m->oc)) < 0)
        return ret;
    if ((ret = avio_closep(&m->oc->pb)) < 0)
        return ret;
    if (rename(m->tmp, m->out) < 0)
        return AVERROR(errno);
    m->finished = 1;
    *bytes = stat(m->out, &st) == 0 ? st.st_size : 0;
    return 0;
}

void rd_merge_free(RdMerge **pm)
{
    RdMerge *m = *pm;
    if (!m)
        return;
    rd_tracks_free(&m->tracks);
    if (m->oc) {
        avio_closep(&m->oc->pb);
        avformat_free_context(m->oc);
    }
    if (!m->finished && m->tmp[0])
        unlink(m->tmp);
    av_free(m->tail);
    av_freep(pm);
}
