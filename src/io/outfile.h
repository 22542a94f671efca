/*
 * outfile.h - files render creates: made under a temporary name next to
 * their final path, exclusively (O_CREAT|O_EXCL|O_NOFOLLOW, so a planted
 * symlink or file is never written through), and moved to the final name
 * only when complete, without replacing a file that appeared meanwhile
 * unless the user said -y.
 *
 * Every temporary name is registered in a table without a fixed size that
 * the signal handlers read (rd_outfile_unlink_all is async-signal-safe), so
 * an interrupted or crashing run leaves nothing behind. Each temporary file
 * is marked as render's and locked for as long as it is (owner.h): a run
 * killed with SIGKILL leaves a NAME.part-PID that the next run for the same
 * NAME removes, because it carries the marker and nobody holds its lock;
 * a user's file named like one, or a live run's (in another PID namespace,
 * on another node), is never removed. A NAME too long for the suffix gets
 * a temporary name with its last component shortened.
 */
#ifndef RD_OUTFILE_H
#define RD_OUTFILE_H

#include <libavformat/avio.h>

struct AVFormatContext;

typedef struct RdOutfile RdOutfile;

#define RD_OUTFILE_PART ".part-"   ///< OUTPUT's temporary: OUTPUT.part-PID
#define RD_OUTFILE_TMP  ".tmp-"    ///< a sidecar's temporary: FILE.tmp-PID

/**
 * Remove PATH<tag><id> files (PATH's last component possibly shortened,
 * see rd_outfile_temp_name) that a dead render left for this very PATH:
 * marked for it and unlocked (owner.h); never this process's. Returns how
 * many were removed; errors are ignored (best effort).
 */
int rd_outfile_clean_stale(const char *path, const char *tag);

/**
 * Remove the files of DIR whose names start with PREFIX that a dead render
 * left (marked with a prefix of their own name, unlocked): the sweep's
 * hidden scratch outputs and their temporary files. Returns how many.
 */
int rd_outfile_clean_prefix(const char *dir, const char *prefix);

/**
 * This process's temporary name for PATH: PATH<tag><pid>, PATH's last
 * component shortened when the whole would pass NAME_MAX, so that every
 * legal PATH has one. Returns 0 or AVERROR(ENAMETOOLONG) (buf is then "").
 */
int rd_outfile_temp_name(char *buf, int len, const char *path, const char *tag);

/**
 * Create PATH's temporary file (rd_outfile_temp_name) exclusively, mode
 * 0666 & ~umask, mark and lock it as render's, and register it for removal
 * on a signal. `tmp` (tmplen bytes) receives its name. Returns the open
 * descriptor, or a negative AVERROR (AVERROR(EEXIST) when something, a
 * symlink included, already has that name).
 */
int rd_outfile_create(const char *path, const char *tag, char *tmp, int tmplen);

/**
 * Create a file from TMPL (its XXXXXX, `suffixlen` bytes before its end,
 * replaced by a unique name) exclusively, marked, locked and registered as
 * a temporary file, as rd_outfile_create() makes them; the file is left
 * empty and closed. Returns 0 or a negative AVERROR.
 */
int rd_outfile_create_unique(char *tmpl, int suffixlen);

/**
 * Create NAME itself (a temporary file another library writes under a name
 * it chooses, such as x264's stats files) exclusively, marked with its own
 * name, locked and registered, as rd_outfile_create() makes them; the file
 * is left empty and closed. Returns 0 or a negative AVERROR (AVERROR(EEXIST)
 * when anything has that name).
 */
int rd_outfile_create_exact(const char *name);

/**
 * Move `tmp` to `path`. Without `overwrite`, an existing `path` is never
 * replaced (renameat2 RENAME_NOREPLACE, else link + unlink):
 * AVERROR(EEXIST). On failure `tmp` is removed. Either way it is
 * unregistered. When `path` is itself a registered temporary file (a
 * scratch output) it stays registered, locked and marked; otherwise the
 * marker is taken off. Returns 0 or a negative AVERROR.
 */
int rd_outfile_commit(const char *tmp, const char *path, int overwrite);

/** Remove `tmp` and unregister it (no-op for an empty name). */
void rd_outfile_discard(const char *tmp);

/** Unlink every registered temporary file, and every provisional file. Async-signal-safe. */
void rd_outfile_unlink_all(void);

/**
 * A file already moved to its final name that is output only if the run
 * ends well (image2's file per frame, fileseq.h): removed with the
 * temporary files on a signal, and by rd_outfile_provisional_drop(). One
 * run's files at a time, added from one thread. Returns 0 or
 * AVERROR(ENOMEM) (the file is then not listed: the caller removes it).
 */
int rd_outfile_provisional_add(const char *path);

/** The run ended well: the provisional files are the user's; the list is emptied. */
void rd_outfile_provisional_keep(void);

/** The run failed: every provisional file is removed; the list is emptied. */
void rd_outfile_provisional_drop(void);

/**
 * OUTPUT's temporary file as a seekable AVIOContext for a muxer: creates
 * OUTPUT.part-PID (after removing stale ones), `*pb` writes to it. On
 * failure err names the reason. rd_outfile_free() in every case.
 */
int rd_outfile_open(RdOutfile **pf, const char *output, AVIOContext **pb, char *err, int errlen);

/**
 * rd_outfile_open() without looking for a dead run's temporaries of that
 * name first (one file of many: the caller cleans once for all).
 */
int rd_outfile_open_one(RdOutfile **pf, const char *output, AVIOContext **pb, char *err, int errlen);

/**
 * For AVFormatContext.io_open, with s->opaque the RdOutfile being written:
 * the one file a muxer may open by itself is its own output, read back
 * under its own name (the MP4 muxer's -movflags +faststart moves the index
 * to the front so); that reads the temporary file. A muxer that opens its
 * files itself (image2) may write its own output once, while nothing is
 * written: that writes the temporary file (s->pb; rd_outfile_io_close
 * leaves it open). Anything else is refused as rd_outfile_io_refuse() does.
 */
int rd_outfile_io_read_back(struct AVFormatContext *s, AVIOContext **pb, const char *url, int flags,
                            AVDictionary **options);

/**
 * 1 when the muxer `s` writes its one file over and over, a picture each
 * time (image2 with -update 1): rd_outfile_io_read_back then hands out
 * the temporary file again, emptied, and the file ends as the last.
 */
int rd_outfile_rewritable(const struct AVFormatContext *s);

/**
 * For AVFormatContext.io_close2, beside rd_outfile_io_read_back: the
 * temporary file (s->pb) a muxer that opens its files itself wrote is
 * flushed, not closed (rd_outfile_finish closes it); others are closed.
 */
int rd_outfile_io_close(struct AVFormatContext *s, AVIOContext *pb);

/**
 * For AVFormatContext.io_open: refuses every other file a muxer would open
 * by itself (segments, a re-read of the output by name), so that all it
 * writes goes through the one temporary file.
 */
int rd_outfile_io_refuse(struct AVFormatContext *s, AVIOContext **pb, const char *url, int flags,
                         AVDictionary **options);

/** The temporary file's name ("" when none was created). */
const char *rd_outfile_temp(const RdOutfile *f);

/** The final name the file is written for. */
const char *rd_outfile_path(const RdOutfile *f);

/**
 * Flush and close `*pb` (write errors such as ENOSPC come back here), then
 * move the file to OUTPUT (no replacing without `overwrite`). Returns 0 or
 * a negative AVERROR with the reason in err.
 */
int rd_outfile_finish(RdOutfile *f, AVIOContext **pb, int overwrite, char *err, int errlen);

/** Close `*pb` if still open, remove the temporary file unless finished, free. */
void rd_outfile_free(RdOutfile **pf, AVIOContext **pb);

#endif
