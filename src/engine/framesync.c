#include "engine/framesync.h"

#include <math.h>

static int mid3(int a, int b, int c)
{
    return a > b ? (b > c ? b : a > c ? c : a) : (a > c ? a : b > c ? c : b);
}

int64_t rd_framesync_cfr(const RdSyncInput *in, int64_t *dups, int64_t *drops)
{
    double scale = av_q2d(in->tb) * av_q2d(in->fps);
    int64_t sync = 0, out = 0;
    int last_nb0[3] = { 0, 0, 0 };

    *dups = *drops = 0;
    for (int64_t i = 0; i < in->n; i++) {
        double x = (in->pts[i] - in->start) * scale, duration = 1;
        double d0 = x - sync, d = d0 + duration;
        int64_t nb = 1, nb0 = 0;
        if (d0 < 0 && d > 0) { /* clipped to the current tick */
            duration += d0;
            d0 = 0;
        }
        if (in->vscfr && out == 0 && d0 >= 0.5) {
            d = duration;
            d0 = 0;
            sync = llrint(x);
        }
        if (d < -1.1)
            nb = 0;
        else if (d > 1.1) {
            nb = llrintf((float)d);
            if (d0 > 1.1)
                nb0 = llrintf((float)(d0 - 0.6));
        }
        last_nb0[2] = last_nb0[1];
        last_nb0[1] = last_nb0[0];
        last_nb0[0] = (int)(nb0 < nb ? nb0 : nb);
        if (nb == 0)
            ++*drops;
        else
            *dups += nb - 1;
        sync += nb;
        out += nb;
    }
    /* at the end the CLI repeats the last frame by the median of the last
     * three duplications of the previous frame */
    if (in->n > 0)
        *dups += mid3(last_nb0[0], last_nb0[1], last_nb0[2]);
    return *dups + *drops;
}
