/* chaprange.h - where the output's chapters are cut, as the ffmpeg CLI cuts them. */
#ifndef RD_CHAPRANGE_H
#define RD_CHAPRANGE_H

#include <stdint.h>

#include "engine/engine.h"

/**
 * RdTracksConfig.rec_time: the ffmpeg CLI cuts the chapters it copies
 * and the subtitles it encodes at the OUTPUT's recording time only (its -t, or
 * -to less its -ss), never at the input's -t/-to, which leave them whole.
 * render's own -t (not the ffmpeg form) cuts them at its limit. AV_TIME_BASE
 * units from the output's zero; 0 = no cut.
 */
int64_t rd_rec_time(const RdSettings *s);

#endif
