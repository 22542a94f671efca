/*
 * fileseq.h - the files a muxer opens by itself, one per frame: image2
 * with a numbered pattern (out_%04d.png). Each is written under a
 * temporary name beside its own (outfile.h) and moved into place when the
 * muxer closes it, never over an existing file without -y. Every file put
 * in place counts as output only once the whole run ends well: a failed or
 * interrupted run removes them all (outfile.h's provisional files), as it
 * removes a single OUTPUT's temporary file.
 */
#ifndef RD_FILESEQ_H
#define RD_FILESEQ_H

#include <stdint.h>
#include <libavformat/avio.h>

#include "io/outfile.h"

struct AVFormatContext;

typedef struct RdFileSeq RdFileSeq;

/** A pattern's parts: its directory, and the base name around its one %d. */
typedef struct RdPattern {
    char dir[4096];
    char prefix[256];
    char suffix[256];
    int width;            ///< the %0Nd's N (0: none)
} RdPattern;

/**
 * Split PATTERN (a name with one %d or %0Nd in its last component, %%
 * for a percent sign: av_get_frame_filename's grammar). Returns 0, or
 * AVERROR(EINVAL) when it names no numbered sequence so.
 */
int rd_pattern_parse(RdPattern *p, const char *pattern);

/**
 * 1 when NAME (a base name) is a file PATTERN names, with its number in
 * *num; 0 otherwise.
 */
int rd_pattern_match(const RdPattern *p, const char *name, int64_t *num);

/** 1 when the muxer FMT (a name) writes OUTPUT as a numbered sequence of files. */
int rd_fileseq_wanted(const char *fmt, const char *output);

/**
 * Before anything is written: no file PATTERN names with a number from
 * `first` on (any number when `any`) exists, unless `overwrite`; and even
 * with it, none is the input itself (a file, or the same pattern). On
 * refusal err says which file and why. Returns 0 or a negative AVERROR.
 */
int rd_fileseq_check(const char *pattern, const char *input, int64_t first, int any, int overwrite,
                     char *err, int errlen);

/**
 * A sequence of files written for PATTERN; a dead run's temporaries beside
 * them are removed first. Returns 0 or AVERROR(ENOMEM).
 */
int rd_fileseq_alloc(RdFileSeq **ps, const char *pattern, int overwrite);

/** For AVFormatContext.io_open (s->opaque: the RdFileSeq): a new file to write. */
int rd_fileseq_io_open(struct AVFormatContext *s, AVIOContext **pb, const char *url, int flags,
                       AVDictionary **options);

/** For AVFormatContext.io_close2: the file is complete; it is moved into place. */
int rd_fileseq_io_close(struct AVFormatContext *s, AVIOContext *pb);

/**
 * The first error a file met (the muxer does not pass on what closing
 * one returns): 0, or a negative AVERROR with the file and the reason in
 * err.
 */
int rd_fileseq_error(const RdFileSeq *seq, char *err, int errlen);

/** The run ended well: the files are the user's. *bytes: their size. */
int rd_fileseq_finish(RdFileSeq *seq, int64_t *bytes, char *err, int errlen);

/** Free; without rd_fileseq_finish, every file the run put in place is removed. */
void rd_fileseq_free(RdFileSeq **ps);

/**
 * Before a video packet when `written` went already: image2 writing one
 * file (no number in OUTPUT's name, no sequence) takes one picture only.
 * The CLI writes the first and fails at the second (leaving the file);
 * render fails there too and leaves nothing. Returns 0, or AVERROR(EINVAL)
 * with the reason (not the file's name) in err.
 */
int rd_fileseq_one_image(const struct AVFormatContext *oc, const RdFileSeq *seq, int64_t written,
                         char *err, int errlen);

/**
 * Where the muxer `oc` writes OUTPUT: nowhere (-f null), a file per frame
 * (*seq, image2 with a pattern), or OUTPUT's temporary file (*of). Each
 * is freed by its own free function. Returns 0 or a negative AVERROR
 * (err says why).
 */
int rd_fileseq_attach(struct AVFormatContext *oc, const char *output, int overwrite, RdOutfile **of,
                      RdFileSeq **seq, char *err, int errlen);

#endif
