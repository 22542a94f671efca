/*
 * rotate.h - the ffmpeg CLI's autorotation: the filters it puts between the
 * decoder and the user's graph for a display matrix, so that the pixels
 * come out turned and the output stream carries no rotation.
 */
#ifndef RD_ROTATE_H
#define RD_ROTATE_H

#include <stdint.h>

/**
 * The filter chain ffmpeg 5.1 inserts for display matrix `m` (9 entries;
 * NULL = none): "transpose=clock", "hflip,vflip", "rotate=...", ... or ""
 * when the matrix turns nothing. Writes at most len bytes into buf.
 * Returns 0, or AVERROR(EINVAL) when buf is too small.
 */
int rd_rotate_filters(const int32_t *m, char *buf, int len);

#endif
