#include "sweep/scratch.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libavutil/error.h>

#include "engine/engine.h"
#include "io/outfile.h"

#define SCRATCH_PREFIX ".render-sweep-"

int rd_scratch_output(const char *output, const char *export_path,
                            char *path, size_t size)
{
    const char *out = output ? output : RD_DEFAULT_OUTPUT;
    const char *ext = strrchr(out, '.');
    const char *dir = getenv("TMPDIR");
    char edir[4096];

    if (!ext || strchr(ext, '/'))
        ext = ".mp4";
    if (!dir || !*dir)
        dir = "/tmp";
    /* Next to the export file when there is one: the same disk the user
     * chose, rather than a /tmp that may be RAM. */
    if (export_path && strcmp(export_path, "-")) {
        const char *slash = strrchr(export_path, '/');
        if (!slash)
            dir = ".";
        else if (slash > export_path) {
            snprintf(edir, sizeof(edir), "%.*s", (int)(slash - export_path), export_path);
            dir = edir;
        }
    }
    if ((size_t)snprintf(path, size, "%s/" SCRATCH_PREFIX "XXXXXX%s", dir, ext) >= size)
        return AVERROR(ENAMETOOLONG);
    /* What a sweep killed with SIGKILL left here (only if provably its). */
    rd_outfile_clean_prefix(dir, SCRATCH_PREFIX);
    /* Marked and locked as render's own, registered: a signal removes it. */
    return rd_outfile_create_unique(path, (int)strlen(ext));
}
