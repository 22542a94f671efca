/*
 * demuxopts.h - what the line says about reading the input, before -i:
 * a forced format (-f rawvideo) and the demuxer's own options
 * (-framerate 24 for an image sequence, -video_size and -pixel_format for
 * raw video, -fflags +genpts ...), as ffmpeg passes them to
 * avformat_open_input. Set once before any open, read by every open of
 * that path (io/input.h), whoever opens it.
 */
#ifndef RD_DEMUXOPTS_H
#define RD_DEMUXOPTS_H

#include <libavformat/avformat.h>

/**
 * From now on PATH is opened with input format FORMAT (NULL: probed) and
 * the options OPTS (copied; NULL: none). Replaces what was set for PATH.
 * Returns 0, AVERROR(EINVAL) when no demuxer is called FORMAT, or
 * AVERROR(ENOMEM).
 */
int rd_demuxopts_set(const char *path, const char *format, const AVDictionary *opts);

/**
 * What is set for PATH: *fmt the forced format or NULL, and the options
 * added to *opts (the caller's dictionary; the caller frees it). Returns 0
 * or AVERROR(ENOMEM).
 */
int rd_demuxopts_get(const char *path, const AVInputFormat **fmt, AVDictionary **opts);

/**
 * 1 when the line set a format or options for PATH, else 0; *fmt (may be
 * NULL) gets the forced format or NULL. No copy: for a look, not an open.
 */
int rd_demuxopts_has(const char *path, const AVInputFormat **fmt);

/** 1 when `name` is an option some demuxer or libavformat itself reads. */
int rd_demuxopts_known(const char *name);

#endif
