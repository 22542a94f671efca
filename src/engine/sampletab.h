/*
 * sampletab.h - a sample table that points past the end of the file.
 *
 * An MP4/MOV sample table (stsz, stco) gives every sample's size and
 * place; one damaged entry can claim more bytes than the file has. How a
 * reader goes on from such a sample is libavformat's accident, not the
 * file's: the ffmpeg CLI ends the whole input at the error (Cannot
 * allocate memory) or reads to the end of the file and then, depending on
 * where its demuxer's interleaving stood, ends some streams early. Chunks
 * read only the video and the tracks only the other streams, each in an
 * order of its own, so render cannot end where the CLI ends. Such a file
 * is refused before anything is rendered, with the damaged sample named.
 */
#ifndef RD_SAMPLETAB_H
#define RD_SAMPLETAB_H

#include <libavformat/avformat.h>

/**
 * Check the index of every stream the demuxer shows (MP4/MOV only: there
 * the index is the sample table) against the file's size. Returns 0, or
 * AVERROR_INVALIDDATA with the first damaged sample described in `err`
 * ("stream 1 (audio) sample 20 claims 536870912 bytes at byte 23475 ...").
 */
int rd_sampletab_check(AVFormatContext *ic, char *err, int errlen);

#endif
