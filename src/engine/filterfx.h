/*
 * filterfx.h - what a filter graph may touch besides frames, checked before
 * any filter exists (libavfilter opens a filter's files when it parses the
 * graph, so the graph is read here as libavfilter reads it, from its text,
 * and the filter table, filtertab.h, says which options are files).
 *
 * - Files a filter reads (movie=, subtitles=, a LUT ...): through the
 *   --protocols whitelist, like INPUT (concat:, http: refused by default).
 * - Files a filter writes (metadata=file=, psnr=stats_file=,
 *   vidstabdetect=result= ...): sidecars like --report. Same-file checks
 *   against INPUT, OUTPUT, the other sidecars and each other; an existing
 *   one is replaced only with -y; each is written under a temporary name
 *   that the graph is given instead (FILE.tmp-PID, marked, registered for
 *   signals), renamed at the end of a good run and removed otherwise, so a
 *   dry run or a failed run never writes it; such a graph runs as one chunk
 *   (contract.h), so one writer writes it.
 * - Filters that open sockets (zmq) or load plugins (frei0r, ladspa, lv2):
 *   refused in one line unless the user names them (--allow-filter NAME).
 */
#ifndef RD_FILTERFX_H
#define RD_FILTERFX_H

#include "engine/filtertab.h"

/** One file option of one filter instance, as libavfilter will read it. */
typedef struct RdFxFile {
    const RdFilterInfo *row;  ///< the filter's row
    char *option;             ///< the option's name (a positional value gets its name); owned
    char *value;              ///< the value, unescaped as libavfilter unescapes it; owned
    int write;                ///< 1: the filter writes it; 0: reads it
} RdFxFile;

/**
 * Call `fn` for every filter of graph `vf` that the table knows (`row`),
 * and for every file option it sets (`file`, NULL for the filter's own
 * call). Returns 0, a negative AVERROR for a graph that cannot be read
 * (libavfilter will say why), or what `fn` returned when negative.
 */
int rd_filterfx_scan(const char *vf,
                     int (*fn)(void *opaque, const RdFilterInfo *row, const char *name,
                               const RdFxFile *file),
                     void *opaque);

typedef struct RdFilterFxPolicy {
    const char *input;               ///< INPUT (same-file checks)
    const char *output;              ///< OUTPUT; NULL = not written (dry run)
    const char *const *sidecar;      ///< other files written (--report ...), n entries, NULL ones skipped
    int nsidecar;
    int overwrite;                   ///< -y
    const char *allow;               ///< comma-separated filters allowed their sockets or plugins; NULL = none
    int dry_run;                     ///< 1: the written files' temporaries are removed, never renamed
} RdFilterFxPolicy;

typedef struct RdFilterFx {
    char *vf;                        ///< the graph to build: the user's, a written file's name replaced by its temporary one; owned
    int n;                           ///< written files
    char **final;                    ///< n names as the user gave them; owned
    char **tmp;                      ///< n temporary files, "" once renamed or removed; owned
} RdFilterFx;

/**
 * Check graph `vf` against the policy and create the temporary files of
 * the files it writes. Returns 0, or a negative AVERROR with one line
 * "NAME: reason" in err. rd_filterfx_free() in every case.
 */
int rd_filterfx_open(RdFilterFx *fx, const char *vf, const RdFilterFxPolicy *pol,
                     char *err, int errlen);

/**
 * `vf` made safe to build only to look at its pads (-filter_complex's
 * labels, ffcomplex.c): libavfilter opens a filter's files, sockets and
 * plugins as it builds it. Reads, sockets and plugins are checked against
 * `pol` as rd_filterfx_open checks them (refused: err); every file a
 * filter would write becomes /dev/null. *out (av_free) is the graph;
 * returns 0 or a negative AVERROR.
 */
int rd_filterfx_inert(const char *vf, const RdFilterFxPolicy *pol, char **out, char *err, int errlen);

/**
 * The run succeeded: move each temporary file to its name (no replacing
 * without `overwrite`). Returns 0 or a negative AVERROR with "FILE: reason"
 * in err (the files not yet moved are removed).
 */
int rd_filterfx_commit(RdFilterFx *fx, int overwrite, char *err, int errlen);

/** Remove the temporary files still there, free. NULL-safe, idempotent. */
void rd_filterfx_free(RdFilterFx *fx);

#endif
