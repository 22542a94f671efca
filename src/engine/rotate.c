#include "engine/rotate.h"

#include <math.h>
#include <stdio.h>
#include <libavutil/display.h>
#include <libavutil/error.h>

/* The angle as fftools/cmdutils.c's get_rotation() rounds it: clockwise
 * degrees in [0, 360), whole degrees. */
static double rotation(const int32_t *m)
{
    double theta = m ? -round(av_display_rotation_get(m)) : 0;
    return theta - 360 * floor(theta / 360 + 0.9 / 360);
}

/* The same tests, in the same order, as configure_input_video_filter()
 * (fftools/ffmpeg_filter.c), so that a flipped matrix gets the CLI's
 * transpose variant. */
int rd_rotate_filters(const int32_t *m, char *buf, int len)
{
    double theta = rotation(m);
    int n;

    if (len < 1)
        return AVERROR(EINVAL);
    buf[0] = 0;
    if (!m)
        return 0;
    if (fabs(theta - 90) < 1.0)
        n = snprintf(buf, len, "transpose=%s", m[3] > 0 ? "cclock_flip" : "clock");
    else if (fabs(theta - 180) < 1.0)
        n = snprintf(buf, len, "%s%s%s", m[0] < 0 ? "hflip" : "",
                     m[0] < 0 && m[4] < 0 ? "," : "", m[4] < 0 ? "vflip" : "");
    else if (fabs(theta - 270) < 1.0)
        n = snprintf(buf, len, "transpose=%s", m[3] < 0 ? "clock_flip" : "cclock");
    else if (fabs(theta) > 1.0)
        n = snprintf(buf, len, "rotate=%f*PI/180", theta);
    else
        n = snprintf(buf, len, "%s", m[4] < 0 ? "vflip" : "");
    return n < len ? 0 : AVERROR(EINVAL);
}
