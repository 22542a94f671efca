#include "engine/remux.h"

#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <libavformat/avformat.h>
#include <libavutil/avstring.h>

#include "engine/chaprange.h"
#include "engine/cliseek.h"
#include "engine/filterfx.h"
#include "engine/merge.h"
#include "io/avlog.h"
#include "io/errline.h"
#include "io/input.h"
#include "io/fileseq.h"
#include "io/outfile.h"
#include "io/paths.h"
#include "streams/tracks.h"
#include "streams/tsfix.h"

typedef struct Remux {
    const RdSettings *s;
    AVFormatContext *ic, *oc;
    AVStream *ist, *ost;
    RdTracks *tracks;
    RdBsf *bsf;             ///< -bsf chains, NULL = none
    RdOutfile *of;
    RdFileSeq *seq;             ///< image2's file per frame instead (fileseq.h)
    RdTsFix fix;
    RdTsJumps *jumps;       ///< the input's timestamp jumps (tsjump.h), NULL = none to correct
    RdFilterFx afx;         ///< files, sockets and plugins of the audio's graph (-af, filterfx.h)
    AVPacket *pkt;
    int64_t start;          ///< input time the output starts at (start time + -ss), AV_TIME_BASE units
    int64_t limit;          ///< -t: output time the video ends at, AV_TIME_BASE units; INT64_MAX = none
    int64_t last_dts;       ///< last decode time written, output stream time base
    int64_t next_dts;       ///< the CLI's prediction of the next decode time, AV_TIME_BASE units, output time; AV_NOPTS_VALUE before the first packet
    int started;            ///< a keyframe was written
    int64_t packets;
    char why[256];          ///< why a packet could not be written to OUTPUT (its own fault, not the input's)
} Remux;

int rd_remux_wanted(const RdSettings *s)
{
    return s->no_video || (s->vcodec && !strcmp(s->vcodec, "copy"));
}

static int fail(char *err, int errlen, const char *path, const char *detail, int ret)
{
    snprintf(err, errlen, "%s: %s", path, detail && *detail ? detail : av_err2str(ret));
    return ret;
}

/* The input, its video stream as the CLI picks it, the start and the limit. */
static int open_input(Remux *x, char *err, int errlen)
{
    const RdSettings *s = x->s;
    int ret;
    if ((ret = rd_input_open(&x->ic, s->input, -1)) < 0)
        return fail(err, errlen, s->input, NULL, ret);
    if (!s->no_video && (ret = av_find_best_stream(x->ic, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0)) < 0)
        return fail(err, errlen, s->input, "no video stream", ret);
    x->ist = s->no_video ? NULL : x->ic->streams[ret];
    /* A format for cover art only (mp3): ffmpeg writes the input's cover. */
    for (unsigned i = 0; s->cover_only && i < x->ic->nb_streams; i++)
        if (x->ic->streams[i]->disposition & AV_DISPOSITION_ATTACHED_PIC) {
            char why[160];
            snprintf(why, sizeof(why), "its cover picture (stream 0:%u) would be %s's cover art, as ffmpeg "
                     "writes it; not supported yet (-vn leaves it out)", i, s->output);
            return fail(err, errlen, s->input, why, AVERROR_PATCHWELCOME);
        }
    x->start = x->ic->start_time != AV_NOPTS_VALUE ? x->ic->start_time : 0;
    /* An MPEG-TS/PS starts where the streams copied start (cliseek.h). */
    rd_cliseek_start(s, x->ist ? x->ist->index : -1, &x->start);
    /* One offset for the whole input after a reset, as the CLI's (tsjump.h). */
    if ((ret = rd_cliseek_jumps(s, x->ist ? x->ist->index : -1, 0, &x->jumps)) < 0)
        return fail(err, errlen, s->input, ret == AVERROR(ENOSYS) ? "its timestamps jump, and its "
                    "packets have no byte positions to apply the ffmpeg CLI's one correction by" : NULL, ret);
    x->start += (int64_t)llrint(s->seek_s * AV_TIME_BASE);
    x->limit = s->limit_s > 0 ? (int64_t)llrint(s->limit_s * AV_TIME_BASE) : INT64_MAX;
    return 0;
}

/* The input -ss's point: the CLI's demuxer seeks there; an output -ss
 * reads on from it and drops what comes before its own start. */
static int64_t input_seek_point(const Remux *x)
{
    return x->start - (int64_t)llrint(x->s->seek_out_s * AV_TIME_BASE);
}

static int seek(Remux *x, char *err, int errlen)
{
    int64_t ts = rd_tracks_seek_point(x->ic, input_seek_point(x));
    int ret;
    if (x->s->seek_s - x->s->seek_out_s <= 0)
        return 0;
    if ((ret = avformat_seek_file(x->ic, -1, INT64_MIN, ts, ts, 0)) < 0)
        return fail(err, errlen, x->s->input, "cannot seek to -ss (the CLI would read from the start "
                    "and drop; render does not)", ret);
    return 0;
}

/* The output video stream as the CLI's init_output_stream_streamcopy
 * declares it: parameters, a tag the container knows, frame rates, time
 * base, duration hint, aspect ratio and every side data. */
static int declare_video(void *opaque, AVFormatContext *oc, AVStream **vst)
{
    Remux *x = opaque;
    const AVOutputFormat *of = oc->oformat;
    AVCodecParameters *par;
    unsigned tag = 0, tmp;
    int ret;
    if (!(x->ost = *vst = avformat_new_stream(oc, NULL)))
        return AVERROR(ENOMEM);
    par = x->ost->codecpar;
    if ((ret = avcodec_parameters_copy(par, x->ist->codecpar)) < 0)
        return ret;
    if (!of->codec_tag || av_codec_get_id(of->codec_tag, par->codec_tag) == par->codec_id ||
        !av_codec_get_tag2(of->codec_tag, par->codec_id, &tmp))
        tag = par->codec_tag;
    par->codec_tag = tag;
    x->ost->avg_frame_rate = x->ist->avg_frame_rate;
    x->ost->r_frame_rate = x->ist->r_frame_rate;
    if ((ret = avformat_transfer_internal_stream_timing_info(of, x->ost, x->ist, AVFMT_TBCF_AUTO)) < 0)
        return ret;
    if (x->ost->time_base.num <= 0 || x->ost->time_base.den <= 0)
        x->ost->time_base = av_add_q(av_stream_get_codec_timebase(x->ost), (AVRational){ 0, 1 });
    if (x->ist->duration > 0)
        x->ost->duration = av_rescale_q(x->ist->duration, x->ist->time_base, x->ost->time_base);
    x->ost->sample_aspect_ratio = par->sample_aspect_ratio =
        x->ist->sample_aspect_ratio.num ? x->ist->sample_aspect_ratio : par->sample_aspect_ratio;
    for (int i = 0; i < x->ist->nb_side_data; i++) {
        const AVPacketSideData *sd = &x->ist->side_data[i];
        uint8_t *d = av_stream_new_side_data(x->ost, sd->type, sd->size);
        if (!d)
            return AVERROR(ENOMEM);
        memcpy(d, sd->data, sd->size);
    }
    return 0;
}

static int open_output(Remux *x, char *err, int errlen)
{
    const RdSettings *s = x->s;
    RdAudioConfig ac = { x->afx.vf ? x->afx.vf : s->af, s->sample_rate, s->channels, s->aenc_opts, 0, 0, s->sample_fmt, s->ch_layout, 0, 0, 0, 0, 0 };
    RdTracksConfig tc = { s->input, x->ist ? x->ist->index : -1, NULL, s->acodec, s->scodec,
                          s->no_audio, s->no_subs, s->no_data, s->maps, s->nmaps, s->metadata,
                          -x->start, x->limit != INT64_MAX ? x->start + x->limit : INT64_MAX,
                          s->quiet, NULL, &ac, s->ff_select, s->map_video, s->no_global_meta,
                          s->no_chapters, s->copy_exact, s->stream_sets, s->nstream_sets, 0, 0, 0, 0, x->jumps, 0, 0, 0, 0,
                          s->no_video, s->no_default_enc, s->audio_graph, s->audio_at, s->naudio_at,
                          s->sub_at, s->nsub_at, s->first_only, s->output };
    char detail[RD_ERRLEN] = "";
    int ret;

    /* Input -ss: the other tracks' demuxer seeks as the video's did and
     * copies from there (packets before the start included, as the CLI's
     * copy keeps them); encoded audio is cut at the start, to the sample.
     * An output -ss: the CLI's copy starts with the first packet at or
     * after the start (check_output_constraints). */
    /* Encoded audio cut to the sample at -t, as ffmpeg's trims do (after
     * an output -ss too: its duration counts from the first sample kept). */
    ac.in_duration = s->in_limit_s > 0 ? llrint(s->in_limit_s * AV_TIME_BASE) : 0;
    ac.out_duration = s->out_limit_s > 0 ? llrint(s->out_limit_s * AV_TIME_BASE) : 0;
    ac.has_start = s->seek_s > 0;
    tc.rec_time = rd_rec_time(s);
    tc.header_first = 1;
    tc.has_start = tc.start_exact = s->seek_out_s > 0;
    tc.start = ac.start = x->start;
    /* Encoded audio after an output -ss: ffmpeg decodes from the input's
     * start (its -ss, if any) and trims after the conversion to the
     * encoder's format (a resampler's state then is the whole run's), as
     * the chunked path does (engine.c open_output). */
    if (s->seek_out_s > 0) {
        int64_t origin = x->start - llrint(s->seek_s * AV_TIME_BASE);
        ac.has_start = s->seek_s > s->seek_out_s;
        ac.start = origin + llrint((s->seek_s - s->seek_out_s) * AV_TIME_BASE);
        ac.has_out_start = 1;
        ac.out_start = x->start;
        ac.out_cut = llrint(s->seek_out_s * AV_TIME_BASE);
    }
    /* ffmpeg trims after -af, from samples read from the start: this
     * demuxer seeks (the chunked path reads the audio from the start). */
    if (s->seek_out_s > 0 && s->af)
        return fail(err, errlen, s->input, "-ss after -i with -af and -c:v copy is not supported yet", AVERROR_PATCHWELCOME);
    tc.seek = s->seek_s > s->seek_out_s ? input_seek_point(x) : 0;
    if ((ret = avformat_alloc_output_context2(&x->oc, NULL, s->oformat, s->output)) < 0)
        return fail(err, errlen, s->output, "unknown output format (name it .mp4, .mkv, ... or give -f)", ret);
    x->oc->max_delay = 700000; /* the CLI's -muxdelay default */
    if ((ret = rd_tracks_open(&x->tracks, &tc, x->oc, x->ist ? declare_video : NULL, x, detail, sizeof(detail))) < 0 ||
        (ret = rd_fileseq_attach(x->oc, s->output, s->overwrite, &x->of, &x->seq, detail, sizeof(detail))) < 0)
        return fail(err, errlen, s->output, detail, ret);
    if (!x->oc->nb_streams)
        return fail(err, errlen, s->input, "no stream to write without the video (-vn)", AVERROR_STREAM_NOT_FOUND);
    rd_codectag_apply(x->oc, &s->tags);
    if ((ret = rd_bsf_open(&x->bsf, x->oc, &s->bsf, detail, sizeof(detail))) < 0)
        return fail(err, errlen, s->output, detail, ret);
    rd_tracks_set_bsf(x->tracks, x->bsf);
    if ((ret = rd_merge_header(x->oc, s->mux_opts, detail, sizeof(detail))) < 0)
        return fail(err, errlen, s->output, detail, ret);
    return 0;
}

/* Decode times as the CLI's muxing leaves them: never after pts, strictly
 * increasing (non-decreasing where the format allows it). */
static void fix_dts(Remux *x, AVPacket *p)
{
    int strict = !(x->oc->oformat->flags & AVFMT_TS_NONSTRICT);
    if (x->oc->oformat->flags & AVFMT_NOTIMESTAMPS)
        return;
    if (p->dts != AV_NOPTS_VALUE && p->pts != AV_NOPTS_VALUE && p->dts > p->pts) {
        int64_t a = p->pts, b = p->dts, c = x->last_dts + 1;
        p->pts = p->dts = a + b + c - FFMIN3(a, b, c) - FFMAX3(a, b, c);
    }
    if (p->dts != AV_NOPTS_VALUE && x->last_dts != AV_NOPTS_VALUE && p->dts < x->last_dts + strict) {
        int64_t max = x->last_dts + strict;
        if (p->pts >= p->dts)
            p->pts = FFMAX(p->pts, max);
        p->dts = max;
    }
    x->last_dts = p->dts;
}

/* The packet's decode time as the CLI's process_input_packet predicts it
 * for a copy (AV_TIME_BASE units): the packet's own when it has one; for
 * the first, its pts less the reorder delay; then each previous one plus
 * its duration. A packet without one gets it (Matroska's first B-frame
 * packets, raw streams). */
static int64_t predict_dts(Remux *x, AVPacket *p)
{
    AVRational tb = x->ist->time_base, fps = x->ist->avg_frame_rate;
    int64_t dts;
    if (x->next_dts == AV_NOPTS_VALUE) {
        x->next_dts = fps.num ? -x->ist->codecpar->video_delay * AV_TIME_BASE / av_q2d(fps) : 0;
        if (p->pts != AV_NOPTS_VALUE)
            x->next_dts += av_rescale_q(p->pts, tb, AV_TIME_BASE_Q);
    }
    if (p->dts != AV_NOPTS_VALUE)
        x->next_dts = av_rescale_q(p->dts, tb, AV_TIME_BASE_Q);
    else
        p->dts = av_rescale_q(x->next_dts, AV_TIME_BASE_Q, tb);
    dts = x->next_dts;
    if (p->duration)
        x->next_dts += av_rescale_q(p->duration, tb, AV_TIME_BASE_Q);
    else if (fps.num)
        x->next_dts += av_rescale_q(1, av_inv_q(fps), AV_TIME_BASE_Q);
    return dts;
}

/* One video packet: 1 when the video has ended (-t), else 0 or an error. */
static int copy_packet(Remux *x, AVPacket *p)
{
    int64_t off = av_rescale_q(-x->start, AV_TIME_BASE_Q, x->ist->time_base), dts;
    int ret;
    if (p->dts != AV_NOPTS_VALUE) /* MPEG-TS jumps undone, as the CLI's reading does */
        rd_tsfix_packet(&x->fix, p);
    if (p->pts != AV_NOPTS_VALUE)
        p->pts += off;
    if (p->dts != AV_NOPTS_VALUE)
        p->dts += off;
    dts = predict_dts(x, p);
    /* After an output -ss the CLI copies nothing that decodes before it. */
    if (x->s->seek_out_s > 0 && dts < 0)
        return 0;
    if (!x->started && !(p->flags & AV_PKT_FLAG_KEY))
        return 0;
    if (x->limit != INT64_MAX && dts >= x->limit)
        return 1;
    x->started = 1;
    av_packet_rescale_ts(p, x->ist->time_base, x->ost->time_base);
    fix_dts(x, p);
    p->stream_index = x->ost->index;
    p->pos = -1;
    if (p->dts != AV_NOPTS_VALUE &&
        (ret = rd_tracks_write_until(x->tracks, x->oc, p->dts, x->ost->time_base)) < 0)
        return ret;
    if ((ret = rd_fileseq_one_image(x->oc, x->seq, x->packets, x->why, sizeof(x->why))) < 0)
        return ret;
    x->packets++;
    /* The muxer's refusal is about OUTPUT, in the muxer's words. */
    ret = rd_bsf_write_said(x->bsf, x->oc, p, NULL, x->why, sizeof(x->why));
    return ret;
}

/* Without video (-vn) the other tracks are written to their end. */
static int write_tracks(Remux *x, char *err, int errlen)
{
    int ret;
    if ((ret = rd_tracks_write_until(x->tracks, x->oc, INT64_MAX, AV_TIME_BASE_Q)) < 0) {
        snprintf(err, errlen, "%s", *rd_tracks_error(x->tracks) ? rd_tracks_error(x->tracks)
                 : av_err2str(ret));
        return ret;
    }
    if ((ret = rd_bsf_flush(x->bsf, x->oc)) < 0 || (ret = av_write_trailer(x->oc)) < 0)
        return fail(err, errlen, x->s->output, "cannot write the trailer", ret);
    return 0;
}

static int copy_all(Remux *x, char *err, int errlen)
{
    int ret = 0;
    if (!x->ist)
        return write_tracks(x, err, errlen);
    for (unsigned i = 0; i < x->ic->nb_streams; i++)
        x->ic->streams[i]->discard = x->ic->streams[i] == x->ist ? AVDISCARD_DEFAULT : AVDISCARD_ALL;
    rd_tsfix_init(&x->fix, x->ic, x->ist, x->s->seek_s - x->s->seek_out_s <= 0);
    rd_tsfix_use(&x->fix, x->jumps);
    while (ret == 0) {
        if (x->s->cancel && atomic_load(x->s->cancel))
            return AVERROR_EXIT;
        if ((ret = av_read_frame(x->ic, x->pkt)) < 0)
            break;
        if (x->pkt->stream_index == x->ist->index)
            ret = copy_packet(x, x->pkt);
        av_packet_unref(x->pkt);
    }
    if (rd_fileseq_error(x->seq, err, errlen) < 0) /* a file of the sequence, not the input */
        return rd_fileseq_error(x->seq, err, errlen);
    if (*x->why)
        return fail(err, errlen, x->s->output, x->why, ret);
    /* A damaged tail ends the file, as it ends the CLI's reading. */
    if (ret < 0 && ret != AVERROR_EOF && ret != AVERROR_INVALIDDATA && ret != AVERROR(EIO)) {
        if (*rd_tracks_error(x->tracks))
            snprintf(err, errlen, "%s", rd_tracks_error(x->tracks));
        else
            fail(err, errlen, ret == AVERROR(ENOSPC) || ret == AVERROR(EFBIG) ? x->s->output : x->s->input,
                 NULL, ret);
        return ret;
    }
    if (!x->packets)
        return fail(err, errlen, x->s->input, "no video packet to copy (none from a keyframe on, "
                    "before the end of -t)", AVERROR_INVALIDDATA);
    if ((ret = rd_tracks_write_until(x->tracks, x->oc, INT64_MAX, x->ost->time_base)) < 0) {
        snprintf(err, errlen, "%s", *rd_tracks_error(x->tracks) ? rd_tracks_error(x->tracks)
                 : av_err2str(ret));
        return ret;
    }
    if ((ret = rd_bsf_flush(x->bsf, x->oc)) < 0 || (ret = av_write_trailer(x->oc)) < 0)
        return fail(err, errlen, x->s->output, "cannot write the trailer", ret);
    return 0;
}

/* What the report says of the input and of the (absent) work. */
static void describe(const Remux *x, RdReport *rep)
{
    const AVCodecParameters *par = x->ist ? x->ist->codecpar : NULL;
    snprintf(rep->input, sizeof(rep->input), "%s", x->s->input);
    rep->width = par ? par->width : 0;
    rep->height = par ? par->height : 0;
    rep->fps = x->ist ? av_q2d(x->ist->avg_frame_rate) : 0;
    rep->frames = x->ist ? x->ist->nb_frames : 0;
    rep->duration_s = x->ic->duration > 0 ? x->ic->duration / (double)AV_TIME_BASE : 0;
    snprintf(rep->codec, sizeof(rep->codec), "%s", par ? avcodec_get_name(par->codec_id) : "none");
    snprintf(rep->vcodec, sizeof(rep->vcodec), "%s", x->ist ? "copy" : "none");
    snprintf(rep->schedule, sizeof(rep->schedule), "none");
    snprintf(rep->contract, sizeof(rep->contract), "remux");
    rep->exact = 1;
    rep->one_chunk = 1;
    rep->workers_requested = rep->threads = 1;
    rep->remux = 1;
    rep->no_video = !x->ist;
    rep->scene_cuts = -1;
    rep->cuts_priced = -1;
    rep->start_reads = -1;
}

static int finish_files(Remux *x, int64_t *bytes, char *why, int whylen)
{
    struct stat st;
    int ret;
    if (x->seq)
        return rd_fileseq_finish(x->seq, bytes, why, whylen);
    if (!x->of) { /* -f null */
        *bytes = 0;
        return 0;
    }
    if ((ret = rd_outfile_finish(x->of, &x->oc->pb, x->s->overwrite, why, whylen)) < 0)
        return ret;
    *bytes = stat(x->s->output, &st) == 0 ? st.st_size : 0;
    if ((ret = rd_filterfx_commit(&x->afx, x->s->overwrite, why, whylen)) < 0 && unlink(x->s->output) == 0)
        av_strlcatf(why, whylen, "; removed %s", x->s->output);
    return ret;
}

/* The audio's graph opens files and sockets as the video's would (filterfx.h). */
static int check_audio_graph(Remux *x, char *err, int errlen)
{
    const RdSettings *s = x->s;
    RdFilterFxPolicy pol = { .input = s->input, .output = s->output, .sidecar = s->sidecar,
                             .nsidecar = RD_SIDECARS, .overwrite = s->overwrite, .allow = s->allow_filters };
    int ret = s->af && !s->no_audio ? rd_filterfx_open(&x->afx, s->af, &pol, err, errlen) : 0;
    return ret < 0 && !*err ? fail(err, errlen, s->input, "cannot read the audio filter graph", ret) : ret;
}

static void release(Remux *x)
{
    AVIOContext *none = NULL;
    rd_tracks_free(&x->tracks);
    rd_tsjump_free(&x->jumps);
    rd_bsf_free(&x->bsf);
    rd_filterfx_free(&x->afx); /* its written files' temporaries, unless renamed */
    rd_outfile_free(&x->of, x->oc ? &x->oc->pb : &none); /* removes the temporary file unless finished */
    rd_fileseq_free(&x->seq); /* removes the files written unless finished */
    avformat_free_context(x->oc);
    avformat_close_input(&x->ic);
    av_packet_free(&x->pkt);
}

int rd_remux_run(const RdSettings *s, RdReport *rep, char *err, int errlen)
{
    Remux x = { .s = s, .last_dts = AV_NOPTS_VALUE, .next_dts = AV_NOPTS_VALUE };
    double t0 = omp_get_wtime(), t1;
    char why[RD_ERRLEN] = "";
    int ret;

    memset(rep, 0, sizeof(*rep));
    if ((ret = rd_paths_check(s->input, s->null_output ? NULL : s->output, s->sidecar, RD_SIDECARS,
                              s->overwrite, err, errlen)) < 0)
        return ret;
    if (!(x.pkt = av_packet_alloc())) {
        ret = fail(err, errlen, s->input, NULL, AVERROR(ENOMEM));
        goto end;
    }
    if ((ret = rd_input_pin(s->input)) < 0) {
        fail(err, errlen, s->input, NULL, ret);
        goto end;
    }
    /* The line's demuxer options: one the demuxer does not take stops here. */
    if ((ret = rd_input_check(s->input, err, errlen)) < 0 && *err) {
        char why[RD_ERRLEN];
        snprintf(why, sizeof(why), "%s", err);
        fail(err, errlen, s->input, why, ret);
        goto unpin;
    }
    *err = 0;
    if ((ret = check_audio_graph(&x, err, errlen)) < 0 ||
        (ret = open_input(&x, err, errlen)) < 0 || (ret = seek(&x, err, errlen)) < 0)
        goto unpin;
    describe(&x, rep);
    t1 = omp_get_wtime();
    rep->probe_s = t1 - t0;
    if ((ret = open_output(&x, err, errlen)) < 0 || (ret = copy_all(&x, err, errlen)) < 0)
        goto unpin;
    if ((ret = rd_input_verify(s->input, why, sizeof(why))) < 0) {
        fail(err, errlen, s->input, why, ret);
        goto unpin;
    }
    if ((ret = finish_files(&x, &rep->output_bytes, why, sizeof(why))) < 0) {
        fail(err, errlen, s->output, why, ret);
        goto unpin;
    }
    rep->frames_out = x.packets;
    rep->parallel_s = omp_get_wtime() - t1;
    rep->total_s = omp_get_wtime() - t0;
unpin:
    rd_input_unpin(s->input);
end:
    release(&x);
    return ret;
}

int rd_remux_plan(const RdSettings *s, RdReport *rep, char *err, int errlen)
{
    Remux x = { .s = s };
    double t0 = omp_get_wtime();
    int ret;
    memset(rep, 0, sizeof(*rep));
    if ((ret = open_input(&x, err, errlen)) >= 0) {
        describe(&x, rep);
        rep->dry_run = 1;
        rep->total_s = rep->probe_s = omp_get_wtime() - t0;
    }
    release(&x);
    return ret;
}
