/*
 * errline.h - one whole line per error. An error names a file and the
 * real reason; both must reach the user whole, on one line, however long
 * the names (PATH_MAX paths, long filter graphs) and whatever bytes they
 * hold (a newline in an argument must not start a second line).
 */
#ifndef RD_ERRLINE_H
#define RD_ERRLINE_H

#include <stddef.h>
#include <stdio.h>

/** Room for one error line: two PATH_MAX names and a reason. Buffers along
 *  the error path (err, detail, errmsg) are this size. */
#define RD_ERRLEN 8192

/** A user-supplied value quoted inside a message is cut to this many bytes,
 *  its middle elided, so that the reason after it always fits. */
#define RD_ERR_QUOTE 512

/**
 * Print "PROG: MSG\n" to f as one line: control characters (newline, tab,
 * escape, DEL...) appear as \n, \t, \xNN, and a backslash as \\.
 * Returns what fprintf returns for the last part (negative on error).
 */
int rd_errline_print(FILE *f, const char *prog, const char *msg);

/**
 * Escape msg as rd_errline_print() does into buf (len bytes, NUL-terminated
 * when len > 0). Returns the length the escaped text needs, without the NUL.
 */
size_t rd_errline_escape(char *buf, size_t len, const char *msg);

/**
 * s for quoting in a message: itself when at most max bytes, else its first
 * and last bytes with "..." between, in buf (len bytes). Returns buf or s.
 */
const char *rd_errline_quote(const char *s, size_t max, char *buf, size_t len);

#endif
