/*
 * paths.h - which files a run may read and write, checked before anything
 * is opened.
 *
 * libav opens any URL it is given (file:, concat:, tee:, http:, pipe:), so
 * the input may use only the protocols on a whitelist ("file" unless the
 * user names more), and OUTPUT and every sidecar (--report, --progress,
 * --export) must be plain local file names. Files are compared by device
 * and inode (a name that does not exist yet by its directory's device and
 * inode and its last component), after any "file:" prefix, so no spelling
 * makes render write over its input or write two things to one file.
 */
#ifndef RD_PATHS_H
#define RD_PATHS_H

#define RD_SIDECARS 3   ///< RdSettings.sidecar slots
enum { RD_SIDECAR_REPORT, RD_SIDECAR_PROGRESS, RD_SIDECAR_EXPORT };

/**
 * The protocols libav may use to read INPUT: LIST is comma-separated
 * ("file,http"); "file" is always allowed; NULL = file only. Call before
 * any input is opened (a process-wide setting, read-only afterwards).
 * Returns 0, or AVERROR(EINVAL) for a list with an empty or odd name.
 */
int rd_paths_set_protocols(const char *list);

/** The whitelist for libav's "protocol_whitelist" option. */
const char *rd_paths_protocols(void);

/** "file:NAME" -> "NAME"; any other string unchanged (same storage). */
const char *rd_paths_local(const char *path);

/**
 * Check INPUT (an allowed protocol; a seekable file: no FIFO, pipe,
 * socket or character device), OUTPUT (may be NULL: not written) and the
 * `n` sidecars (NULL entries and "-" skipped): plain local names, not a
 * directory, not the same file as another, not existing unless
 * `overwrite`, their directory present. Returns 0 or a negative AVERROR
 * with one line "FILE: reason" in err.
 */
int rd_paths_check(const char *input, const char *output, const char *const *sidecar, int n,
                   int overwrite, char *err, int errlen);

/**
 * rd_paths_check() for `n` written files of any kind, each with its label
 * for the messages ("--report", "filter psnr" ...; "--progress" may be a
 * FIFO).
 */
int rd_paths_check_named(const char *input, const char *output, const char *const *sidecar,
                         const char *const *labels, int n, int overwrite, char *err, int errlen);

#endif
