/*
 * bsf.h - -bsf:v, -bsf:a, -bsf:s: bitstream filters on an output stream's
 * packets just before the muxer, as the ffmpeg CLI 5.1 runs them
 * (fftools/ffmpeg.c, init_output_bsfs and output_packet): the chain is
 * initialised from the stream's parameters before the header, and what it
 * gives out (extradata included) becomes the stream's parameters; every
 * packet of the stream then goes through it, and it is drained before the
 * trailer. Copied, remuxed and encoded streams alike; an attached picture
 * is a video stream to ffmpeg and gets -bsf:v too.
 */
#ifndef RD_BSF_H
#define RD_BSF_H

#include <libavformat/avformat.h>

/** A chain per stream type, as ffmpeg writes it ("h264_metadata=level=4.1,dump_extra"); NULL = none. */
typedef struct RdBsfSpec {
    const char *v, *a, *s;
} RdBsfSpec;

typedef struct RdBsf RdBsf;

/** 0 when `chain` names bitstream filters and their options as libavcodec reads them, else AVERROR. */
int rd_bsf_check(const char *chain);

/**
 * For every stream of `oc` whose type has a chain in `spec`, open it and
 * make its output the stream's parameters. Call after the streams exist
 * and before the header. *pb stays NULL when no stream has a chain.
 * Returns 0 or a negative AVERROR with one line in err; rd_bsf_free()
 * either way.
 */
int rd_bsf_open(RdBsf **pb, AVFormatContext *oc, const RdBsfSpec *spec, char *err, int errlen);

/**
 * Write packet `p` (in its stream's time base, stream_index set) through
 * its stream's chain, or straight to the muxer when it has none or `b` is
 * NULL: av_interleaved_write_frame's contract (the packet is consumed).
 */
int rd_bsf_write(RdBsf *b, AVFormatContext *oc, AVPacket *p);

/**
 * rd_bsf_write, and where the muxer refuses the packet (not a full disk or
 * an I/O error, said elsewhere) and `why` is still empty, one line there
 * about the output in the muxer's words: "[NAME: ]cannot write to it: ...".
 */
int rd_bsf_write_said(RdBsf *b, AVFormatContext *oc, AVPacket *p, const char *name, char *why, int whylen);

/** Drain every chain into the muxer; before the trailer. Returns 0 or AVERROR. */
int rd_bsf_flush(RdBsf *b, AVFormatContext *oc);

void rd_bsf_free(RdBsf **pb);

#endif
