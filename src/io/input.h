/*
 * input.h - opening the input for reading: only through the protocols the
 * user allowed (paths.h), whoever opens it (probe, chunks, tracks, tags).
 */
#ifndef RD_INPUT_H
#define RD_INPUT_H

#include <libavformat/avformat.h>

/**
 * Open PATH for reading with only stream `keep` enabled (-1: all) and read
 * its stream info. Returns 0 or a negative AVERROR; on failure *pic is NULL.
 */
int rd_input_open(AVFormatContext **pic, const char *path, int keep);

#endif
