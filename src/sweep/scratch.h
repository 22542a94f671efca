/*
 * scratch.h - the throw-away outputs of benchmark runs (the sweep's points,
 * the ceiling's jobs, render-mpi's sweep): one home, so that sweep and
 * ceiling do not call each other.
 */
#ifndef RD_SCRATCH_H
#define RD_SCRATCH_H

#include <stddef.h>

/**
 * Create an empty scratch output for sweep runs: a unique name with OUTPUT's
 * extension (the muxer follows it), next to EXPORT_PATH when given, else in
 * $TMPDIR or /tmp, registered so that a signal removes it. Returns 0 or a
 * negative AVERROR; the caller unlinks it.
 */
int rd_scratch_output(const char *output, const char *export_path, char *path, size_t size);

#endif
