/*
 * share.c - what rank 0 broadcasts so the other ranks can run its chunks.
 *
 * Every rank parsed the same argv, so filter, encoder and options are
 * known everywhere; what only rank 0 knows after probing and planning is
 * the video stream, its time base, frame rate, colour properties, field
 * order and HDR10 metadata, and the chunk list. A render is one header broadcast (plus the jobs), so a
 * sweep is several of them and the last one says END.
 */
#include <string.h>
#include <libavutil/mem.h>

#include "engine/ratectl.h"
#include "engine/filterfx.h"
#include "engine/merge.h"
#include "mpi/rdmpi.h"

enum {
    H_STATUS, H_NCHUNKS, H_RANKS, H_THREADS, H_VINDEX, H_TB_NUM, H_TB_DEN,
    H_FPS_NUM, H_FPS_DEN, H_GLOBAL_HEADER, H_RANGE, H_PRIMARIES, H_TRC,
    H_SPACE, H_CHROMA, H_PROGRESS, H_IN_W, H_IN_H, H_IN_FMT, H_OUT_W, H_OUT_H, H_OUT_FMT,
    H_FIELD, H_FRAME_TS, H_GRAPH_FIELDS, H_NULL_OUT, H_NUMBERED, H_PRIME, H_PRIME_PTS, H_REPLAY, H_COUNT
};

static int bcast(void *buf, int count, MPI_Datatype type)
{
    return MPI_Bcast(buf, count, type, 0, MPI_COMM_WORLD) == MPI_SUCCESS ? 0 : AVERROR_EXTERNAL;
}

/* The header comes when rank 0 has probed and planned, or finished a whole
 * render that this rank sits out (a sweep point with fewer ranks). A
 * blocking broadcast polls the CPU meanwhile, taking it from the ranks
 * that work on the same node; this one naps. */
static int bcast_header(int64_t *h)
{
    MPI_Request req;
    int done = 0;

    if (MPI_Ibcast(h, H_COUNT, MPI_INT64_T, 0, MPI_COMM_WORLD, &req) != MPI_SUCCESS)
        return AVERROR_EXTERNAL;
    for (;;) {
        if (MPI_Test(&req, &done, MPI_STATUS_IGNORE) != MPI_SUCCESS)
            return AVERROR_EXTERNAL;
        if (done)
            return 0;
        rd_nap();
    }
}

static void fill_header(int64_t *h, RdEngine *e)
{
    const RdChunkShared *sh = rd_engine_shared(e);
    const AVCodecParameters *in = sh->enc->in;

    h[H_NCHUNKS] = rd_engine_nchunks(e);
    h[H_VINDEX] = sh->vindex;
    h[H_TB_NUM] = sh->tb.num;
    h[H_TB_DEN] = sh->tb.den;
    h[H_FPS_NUM] = sh->enc->fps.num;
    h[H_FPS_DEN] = sh->enc->fps.den;
    h[H_GLOBAL_HEADER] = sh->enc->global_header;
    h[H_FRAME_TS] = sh->enc->frame_ts; /* the engine puts a graph that retimes on the frame grid */
    h[H_NULL_OUT] = sh->enc->null_out;
    h[H_GRAPH_FIELDS] = sh->enc->graph_fields;
    h[H_PROGRESS] = rd_engine_settings(e)->progress != NULL; /* someone watches */
    /* Frames of another size than the file's first are scaled into it. */
    h[H_IN_W] = sh->in_w;
    h[H_IN_H] = sh->in_h;
    h[H_IN_FMT] = sh->in_fmt;
    h[H_OUT_W] = sh->out_w;
    h[H_OUT_H] = sh->out_h;
    h[H_OUT_FMT] = sh->out_fmt;
    /* what each chunk's graph is given of the whole run (contract.h) */
    h[H_NUMBERED] = sh->numbered;
    h[H_PRIME] = sh->prime;
    h[H_PRIME_PTS] = sh->prime_pts;
    h[H_REPLAY] = sh->replay;
    if (in) {
        h[H_RANGE] = in->color_range;
        h[H_PRIMARIES] = in->color_primaries;
        h[H_TRC] = in->color_trc;
        h[H_SPACE] = in->color_space;
        h[H_CHROMA] = in->chroma_location;
        h[H_FIELD] = in->field_order;
    }
}

int rd_share_send(RdEngine *e, int status, int ranks, int threads)
{
    int64_t h[H_COUNT] = { 0 };
    RdChunkJob *jobs;
    int ret, n;

    h[H_STATUS] = e ? RD_SHARE_RUN : status;
    h[H_RANKS] = ranks;
    h[H_THREADS] = threads;
    if (e)
        fill_header(h, e);
    if ((ret = bcast_header(h)) < 0 || !e)
        return ret;
    /* A copy, so the broadcast does not depend on how the engine stores them. */
    n = rd_engine_nchunks(e);
    if (!(jobs = av_malloc_array(n, sizeof(*jobs))))
        return AVERROR(ENOMEM);
    for (int i = 0; i < n; i++)
        jobs[i] = *rd_engine_job(e, i);
    ret = bcast(jobs, n * (int)sizeof(*jobs), MPI_BYTE);
    av_free(jobs);
    if (ret >= 0) { /* the encoder signals HDR10 alike on every rank */
        const RdEncodeConfig *enc = rd_engine_shared(e)->enc;
        RdHdr10 hdr = { 0 };
        if ((hdr.has_mastering = !!enc->mastering))
            hdr.mastering = *enc->mastering;
        if ((hdr.has_light = !!enc->light))
            hdr.light = *enc->light;
        ret = bcast(&hdr, (int)sizeof(hdr), MPI_BYTE);
    }
    return ret;
}

static int build(RdShare *sh, const int64_t *h, const RdSettings *s)
{
    RdEncodeConfig *enc = &sh->enc;
    int ret;

    if ((ret = rd_encode_find(&enc->codec, s->vcodec)) < 0)
        return ret;
    if (!(sh->par = avcodec_parameters_alloc()))
        return AVERROR(ENOMEM);
    sh->par->color_range = (enum AVColorRange)h[H_RANGE];
    sh->par->color_primaries = (enum AVColorPrimaries)h[H_PRIMARIES];
    sh->par->color_trc = (enum AVColorTransferCharacteristic)h[H_TRC];
    sh->par->color_space = (enum AVColorSpace)h[H_SPACE];
    sh->par->chroma_location = (enum AVChromaLocation)h[H_CHROMA];
    sh->par->field_order = (enum AVFieldOrder)h[H_FIELD];
    enc->mastering = sh->hdr.has_mastering ? &sh->hdr.mastering : NULL;
    enc->light = sh->hdr.has_light ? &sh->hdr.light : NULL;
    enc->crf = s->crf;
    enc->preset = s->preset;
    enc->opts = s->venc_opts;
    rd_ratectl_encode_config(enc, s);
    enc->global_header = (int)h[H_GLOBAL_HEADER];
    enc->frame_ts = (int)h[H_FRAME_TS];
    enc->null_out = (int)h[H_NULL_OUT];
    enc->graph_fields = (enum AVFieldOrder)h[H_GRAPH_FIELDS];
    enc->fields_as_ffmpeg = s->fields_as_ffmpeg;
    enc->rate = s->rate;
    enc->fps = (AVRational){ (int)h[H_FPS_NUM], (int)h[H_FPS_DEN] };
    enc->in = sh->par;
    atomic_init(&sh->stop, 0);
    sh->sh.path = s->input;
    sh->sh.vindex = (int)h[H_VINDEX];
    sh->sh.tb = (AVRational){ (int)h[H_TB_NUM], (int)h[H_TB_DEN] };
    sh->sh.vf = s->vf;
    sh->sh.autorotate = s->autorotate;
    sh->sh.enc = enc;
    sh->sh.stop = &sh->stop;
    sh->sh.cancel = NULL; /* a worker rank is stopped by rank 0, not by signals */
    sh->sh.in_w = (int)h[H_IN_W];
    sh->sh.in_h = (int)h[H_IN_H];
    sh->sh.in_fmt = (int)h[H_IN_FMT];
    sh->sh.out_w = (int)h[H_OUT_W];
    sh->sh.out_h = (int)h[H_OUT_H];
    sh->sh.out_fmt = (int)h[H_OUT_FMT];
    sh->sh.numbered = (int)h[H_NUMBERED];
    sh->sh.prime = (int)h[H_PRIME];
    sh->sh.prime_pts = h[H_PRIME_PTS];
    sh->sh.replay = (int)h[H_REPLAY];
    return 0;
}

static int count_writes(void *opaque, const RdFilterInfo *row, const char *name, const RdFxFile *file)
{
    (void)row; (void)name;
    *(int *)opaque += file && file->write && strcmp(file->value, "-");
    return 0;
}

int rd_share_recv(RdShare *sh, const RdSettings *s)
{
    int64_t h[H_COUNT];
    int ret, writes = 0;

    memset(sh, 0, sizeof(*sh));
    if ((ret = bcast_header(h)) < 0)
        return ret;
    sh->status = (int)h[H_STATUS];
    sh->nchunks = (int)h[H_NCHUNKS];
    sh->ranks = (int)h[H_RANKS];
    sh->threads = (int)h[H_THREADS];
    sh->progress = (int)h[H_PROGRESS];
    if (sh->status != RD_SHARE_RUN)
        return 0;
    if (sh->nchunks < 1 || !(sh->jobs = av_malloc_array(sh->nchunks, sizeof(*sh->jobs))))
        return AVERROR(ENOMEM);
    if ((ret = bcast(sh->jobs, sh->nchunks * (int)sizeof(*sh->jobs), MPI_BYTE)) < 0 ||
        (ret = bcast(&sh->hdr, (int)sizeof(sh->hdr), MPI_BYTE)) < 0)
        return ret;
    /* A graph that writes files writes them on rank 0 only, under their
     * temporary names (engine/filterfx.h); another rank would write the
     * files themselves. */
    if (rd_filterfx_scan(s->vf, count_writes, &writes) >= 0 && writes)
        return AVERROR(ENOTSUP);
    return build(sh, h, s);
}

void rd_share_free(RdShare *sh)
{
    av_freep(&sh->jobs);
    avcodec_parameters_free(&sh->par);
}
