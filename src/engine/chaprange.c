/* chaprange.c - where the output's chapters are cut (chaprange.h). */
#include <math.h>

#include <libavutil/avutil.h>

#include "engine/chaprange.h"

int64_t rd_rec_time(const RdSettings *s)
{
    if (s->out_limit_s > 0)
        return llrint(s->out_limit_s * AV_TIME_BASE);
    if (s->in_limit_s > 0) /* the ffmpeg form's input -t/-to alone: no cut */
        return 0;
    return s->limit_s > 0 ? llrint(s->limit_s * AV_TIME_BASE) : 0;
}
