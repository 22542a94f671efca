/*
 * cli.h - the command line, parsed into settings. Reads argv only; the
 * caller applies environment defaults (OMP_NUM_THREADS, OMP_SCHEDULE).
 */
#ifndef RD_CLI_H
#define RD_CLI_H

#include <stdio.h>

#include "engine/engine.h"
#include "ffopts.h"

#define RD_MAX_POINTS 64

typedef struct RdCli {
    RdSettings s;                 ///< engine settings
    AVDictionary *venc_opts;      ///< owned; s.venc_opts points here
    char *allow_filters;          ///< --allow-filter names, comma-separated; owned; s.allow_filters points here
    AVDictionary *metadata;       ///< -metadata K=V, owned; s.metadata points here
    const char **maps;            ///< -map specs (argv strings), owned array; s.maps points here
    const char *report_path;      ///< --report FILE, NULL = none
    const char *progress_path;    ///< --progress FILE|-, NULL = none
    int sweep;                    ///< --sweep given
    int points[RD_MAX_POINTS];    ///< --sweep LIST (worker counts)
    int npoints;                  ///< 0 = default list
    int repeat;                   ///< --repeat N, default 3
    int weak;                     ///< --weak given
    double weak_unit_s;           ///< --weak SECONDS per worker, default 5
    const char *export_path;      ///< --export FILE
    const char *dat_dir;          ///< --dat-dir DIR
    double ceiling_s;             ///< --ceiling S: seconds each job of the machine's ceiling renders, default 2; 0 = skip
    const char *ceiling_from;     ///< --ceiling-from BENCH.json (with --assemble-sweep)
    const char *assemble_out;     ///< --assemble-sweep OUT.json: build a sweep from --report files
    const char *baselines[RD_MAX_POINTS]; ///< --baseline REPORT (repeatable), for --assemble-sweep
    int nbaselines;
    const char **reports;         ///< positional arguments (INPUT, or the REPORTs of --assemble-sweep); owned
    int nreports;
    int dry_run;                  ///< --dry-run: probe and plan only, print the plan
    int verbose;                  ///< -v: libav's own messages
    int help, version;            ///< -h, --version
    RdFf ff;                      ///< the ffmpeg form (-i INPUT ... OUTPUT): what it owns
} RdCli;

/**
 * Parse argv into `c` (defaults first). Returns 0, or AVERROR(EINVAL) with
 * one line in `err` for a usage error. rd_cli_free() afterwards either way.
 */
int rd_cli_parse(RdCli *c, int argc, char **argv, char *err, int errlen);

void rd_cli_free(RdCli *c);

/** --help text; `usage_line` replaces the first line ("Usage: render [OPTIONS] [INPUT]") when not NULL. */
void rd_cli_usage(FILE *f, const char *usage_line);

#endif
