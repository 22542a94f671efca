/*
 * owner.h - proving that a temporary file is a dead render's own.
 *
 * A process id in a file name proves nothing: the id may be another
 * process's now, a live run in another PID namespace (a container) or on
 * another node of a shared file system has ids of its own, and a user may
 * name a file like ours. So render marks every temporary file it creates
 * (an extended attribute, RD_OWNER_XATTR, holding the name the file stands
 * for) and holds an exclusive flock(2) on it for as long as it may still
 * be its own. A file is a dead render's own when it carries the marker and
 * nobody holds the lock; anything else is left alone. A file system
 * without extended attributes or locks gives no proof: such files are
 * never removed by another run (only by their own run, on every path).
 */
#ifndef RD_OWNER_H
#define RD_OWNER_H

#include <stddef.h>

#define RD_OWNER_XATTR "user.render.temp"

/**
 * Mark the file open on `fd` as render's, standing for `key` (the final
 * name's last component), and lock it. Returns a descriptor that holds the
 * lock (close it to release; the caller keeps it for as long as the file
 * may exist under a temporary name), or -1 when the file system gives no
 * proof (the file is then not marked, so no other run removes it).
 */
int rd_owner_claim(int fd, const char *key);

/** Take the marker off a file that is no longer temporary (open on `lockfd`). */
void rd_owner_unmark(int lockfd);

/**
 * 1 when NAME in the directory `dirfd` is a regular file marked by render
 * whose lock nobody holds, and whose marker is `key` (or, with `key` NULL,
 * a prefix of NAME itself); then, with `remove`, it is unlinked (only if
 * the name still refers to the file checked). 0 otherwise; never follows a
 * symlink or blocks on a FIFO.
 */
int rd_owner_stale(int dirfd, const char *name, const char *key, int remove);

/**
 * The temporary name for PATH: PATH<tag><id>, with PATH's last component
 * shortened (at a UTF-8 character boundary) when the whole would not fit
 * in NAME_MAX bytes, so that any legal PATH has one. Returns 0, or
 * AVERROR(ENAMETOOLONG) when `len` bytes do not hold it.
 */
int rd_owner_temp_name(char *buf, size_t len, const char *path, const char *tag, long id);

#endif
