/*
 * filter.h - one chunk's filter graph: buffer -> GRAPH -> [scale] -> format -> buffersink.
 */
#ifndef RD_FILTER_H
#define RD_FILTER_H

#include <libavfilter/avfilter.h>
#include <libavutil/pixfmt.h>
#include <libavutil/rational.h>

/** What the frames entering the graph look like. */
typedef struct RdVideoFormat {
    int width, height;          ///< pixels
    enum AVPixelFormat pix_fmt; ///< decoder output format
    AVRational sar;             ///< sample aspect ratio (0/1 = unknown)
    AVRational tb;              ///< time base of frame pts (the input stream's)
    AVRational fps;             ///< nominal frame rate, for filters that want one
    const char *pre;            ///< filters between the source and the graph ("transpose=clock,..." : the CLI's autorotation), NULL or "" = none
} RdVideoFormat;

typedef struct RdFilter {
    AVFilterGraph *graph;
    AVFilterContext *src, *sink;
} RdFilter;

/**
 * Build the graph `desc` (one video input, one video output, whatever their
 * labels) with its own single thread, its filters made in the ffmpeg CLI's
 * order: the graph's, the source (and in->pre), then the output chain.
 * `pix_fmts` (AV_PIX_FMT_NONE-terminated, may be NULL) is a format filter
 * before the sink: the encoder's formats, so that negotiation keeps the
 * input's depth and chroma where the encoder can. `scale_to` (may be NULL)
 * fixes the output size and format: a scale filter after the graph
 * converts to it, as the ffmpeg CLI does when a graph is rebuilt for frames
 * of a new size or format (its -autoscale default); pix_fmts is then
 * ignored. Returns 0 or a negative AVERROR; free with rd_filter_free()
 * either way.
 */
int rd_filter_open(RdFilter *f, const char *desc, const RdVideoFormat *in,
                   const enum AVPixelFormat *pix_fmts, const RdVideoFormat *scale_to);

void rd_filter_free(RdFilter *f);

/**
 * Put the C library's rand() back to the state a fresh process starts in
 * (srand(1)). Some filters draw from that process-wide sequence while they
 * configure (libvidstab's vidstabtransform: its gradient descent steps by
 * rand()), so their frames depend on every rand() drawn before them. The
 * ffmpeg CLI's graph is the first to draw; render's extra graphs
 * (template, contract, measure) draw before the chunk's. Call it right
 * before the graph of a run's only chunk (the whole stream) is built, and
 * only then: another chunk may be configuring on another thread.
 */
void rd_filter_rand_restart(void);

#endif
