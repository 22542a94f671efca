/*
 * ffopts_ext.h - rows of ffopts_table.c kept in ffopts_ext.c: the codec
 * tag (-tag, -vtag, -atag, -stag), the frame sync (-fps_mode, -vsync) and
 * the audio encoder's format (-sample_fmt, -ch_layout, -channel_layout)
 * and the bitstream filters (-bsf).
 * Each has the table's handler shape: 0, or AVERROR(EINVAL) with one line
 * in err.
 */
#ifndef RD_FFOPTS_EXT_H
#define RD_FFOPTS_EXT_H

#include "ffopts.h"

#define RD_FF_HANDLER(fn) \
    int fn(RdFf *f, RdSettings *s, const char *spec, const char *val, char *err, int errlen)

RD_FF_HANDLER(rd_ffx_tag);
RD_FF_HANDLER(rd_ffx_vtag);
RD_FF_HANDLER(rd_ffx_atag);
RD_FF_HANDLER(rd_ffx_stag);
RD_FF_HANDLER(rd_ffx_fps_mode);
RD_FF_HANDLER(rd_ffx_vsync);
RD_FF_HANDLER(rd_ffx_sample_fmt);
RD_FF_HANDLER(rd_ffx_ch_layout);
RD_FF_HANDLER(rd_ffx_bsf);
RD_FF_HANDLER(rd_ffx_shortest);

/**
 * -shortest, once the whole line is read: with one input, ffmpeg 5.1
 * ends every stream at the input's end, so -shortest changes nothing
 * unless a filter graph ends a stream first; where the others then stop
 * depends on how far ffmpeg's threaded decoders had read (the machine),
 * so that case is refused. Returns 0 or AVERROR(EINVAL) with one line.
 */
int rd_ffx_check_shortest(const RdFf *f, const RdSettings *s, char *err, int errlen);

/** -itsoffset in a combination render does not make exact yet: one line in err, AVERROR(EINVAL). */
int rd_ffx_check_itsoffset(const RdFf *f, const RdSettings *s, char *err, int errlen);

#endif
