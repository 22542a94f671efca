/*
 * cli.h - gen-mandelbrot's command line: options into GenSettings, usage.
 */
#ifndef GEN_CLI_H
#define GEN_CLI_H

#include <stdio.h>

#include "gen/gen.h"

typedef struct GenCliOptions {
    int verbose;    ///< 1 = let libav log warnings and info (-v); default 0
    int quiet;      ///< 1 = no progress and no summary line (-q); default 0
} GenCliOptions;

/**
 * Parse argv into `s` (already holding defaults) and `o`. Every value is
 * checked here, so a bad one is a usage error before any work starts.
 * Returns 0 to go on, 1 when --help or --version was printed (exit 0), or
 * -1 on a usage error, with a one-line reason in `err`.
 */
int gen_cli_parse(int argc, char **argv, GenSettings *s, GenCliOptions *o,
                  char *err, int err_size);

/** Print the option list with defaults to `f`. */
void gen_cli_usage(FILE *f);

#endif
