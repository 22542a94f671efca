#include "engine/syncplan.h"

#include <string.h>
#include <libavformat/avformat.h>

int rd_syncplan_mode(const char *oformat, const char *output, int streams)
{
    const AVOutputFormat *of = av_guess_format(oformat, oformat ? NULL : output, NULL);
    if (!of)
        return RD_SYNC_NONE;
    if (!strcmp(of->name, "avi"))
        return RD_SYNC_VFR;
    if (of->flags & AVFMT_VARIABLE_FPS) /* passthrough without timestamps: frames as they come */
        return of->flags & AVFMT_NOTIMESTAMPS ? RD_SYNC_NONE : RD_SYNC_VFR;
    return streams == 1 ? RD_SYNC_VSCFR : RD_SYNC_CFR;
}

int rd_syncplan_make(RdSyncPlan *sp, const RdSyncPlanInput *in)
{
    const RdProbe *p = in->probe;
    RdSyncInput si;

    memset(sp, 0, sizeof(*sp));
    /* A mode given is taken as it is: vscfr is only auto's choice. */
    sp->cfg.mode = in->mode >= 0 ? in->mode : rd_syncplan_mode(in->oformat, in->output, p->nb_streams);
    /* passthrough into a format without timestamps: frames as they come */
    if (sp->cfg.mode == RD_SYNC_PASS && rd_syncplan_mode(in->oformat, in->output, p->nb_streams) == RD_SYNC_NONE)
        sp->cfg.mode = RD_SYNC_NONE;
    if (sp->cfg.mode == RD_SYNC_NONE || in->enc_fps.num <= 0 || in->enc_fps.den <= 0) {
        sp->cfg.mode = RD_SYNC_NONE;
        return 0;
    }
    sp->cfg.duration = rd_sync_duration(in->sink_fps, in->enc_fps);
    sp->cfg.max_frames = in->max_frames;
    /* The first tick at or after the output's -t (ffmpeg compares the
     * tick's time with it exactly). */
    if (in->limit_us > 0)
        sp->cfg.max_tick = av_rescale_q_rnd(in->limit_us, AV_TIME_BASE_Q, av_inv_q(in->enc_fps), AV_ROUND_UP);
    if (!in->keeps_frames || !p->timestamps_ok)
        return 0;
    if (!(sp->table = av_malloc_array(p->nframes, sizeof(*sp->table))))
        return AVERROR(ENOMEM);
    si = (RdSyncInput){ p->pts, in->own_duration ? p->dur : NULL, p->nframes, p->tb,
                        av_rescale_q(p->start_time - in->offset - in->cut_us, AV_TIME_BASE_Q, p->tb),
                        in->enc_fps, sp->cfg, in->cut_us };
    sp->out_frames = rd_sync_table(&si, sp->table);
    return 0;
}

void rd_syncplan_free(RdSyncPlan *sp)
{
    av_freep(&sp->table);
}
