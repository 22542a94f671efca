/*
 * outseek.h - an output -ss (ffmpeg form) through a graph that is not
 * frame-local: ffmpeg 5.1 decodes from the input's own start, runs the
 * whole graph over every frame, and its output filter's trim drops what
 * comes out before T; the encoder's times are then shifted by -T
 * (configure_output_video_filter's insert_trim, reap_filters). render does
 * the same by appending that trim to the graph (the shift is the output's
 * start, as ever), and so for an output -t alone, whose trim and frame
 * sync (framesync.h max_tick) end the output where ffmpeg's do: the
 * chunks then cover the input from its own start and the graph's contract
 * (pre-roll, frame numbers, the output grid of a retiming graph) applies
 * to the whole graph as it does without -ss.
 */
#ifndef RD_OUTSEEK_H
#define RD_OUTSEEK_H

#include <stdint.h>

#include "engine/contract.h"

/**
 * 1 when an output -ss through a graph of contract `c` must run the graph
 * from the input's start (rd_outseek_graph); 0 when the output's start can
 * be an input seek whose first chunk pre-rolls the window before it (the
 * graph keeps every frame at its time and looks back at most a window,
 * and numbers no frame).
 */
int rd_outseek_whole(const RdContract *c);

/** The name of the trim rd_outseek_graph appends (its instance: trim@RD_OUTSEEK_TRIM). */
#define RD_OUTSEEK_TRIM "rd_output_limit"

/**
 * The graph `vf` (NULL or "" = none) followed by ffmpeg's output trim on
 * the graph's timeline: frames before `origin` + `start_us` are dropped
 * (origin: the input's start after its own -ss, AV_TIME_BASE units, as
 * the graph's times count it) and at most `duration_us` of output is kept
 * (an output -t; 0 = no limit), counted from the first frame kept, as
 * ffmpeg's trim counts it. start_us AV_NOPTS_VALUE: no output -ss, only
 * the duration (ffmpeg's trim for an output -t alone). The caller moves the output's times back
 * by origin + start_us, as ffmpeg subtracts the output's start at its
 * encoder. A graph whose output is labelled [out] gets the trim on that
 * label. Returns a string to av_free, or NULL (no memory).
 */
char *rd_outseek_graph(const char *vf, int64_t origin, int64_t start_us, int64_t duration_us);

#endif
