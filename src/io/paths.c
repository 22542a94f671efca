#include "io/paths.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <libavformat/avio.h>
#include <libavutil/error.h>
#include <libavutil/mem.h>

/* Set once before any input is opened, read-only afterwards. */
static char whitelist[512] = "file";

int rd_paths_set_protocols(const char *list)
{
    const char *p = list;
    if (!list || !*list) {
        snprintf(whitelist, sizeof(whitelist), "file");
        return 0;
    }
    if (strspn(list, "abcdefghijklmnopqrstuvwxyz0123456789_,") != strlen(list) ||
        strstr(list, ",,") || list[0] == ',' || list[strlen(list) - 1] == ',')
        return AVERROR(EINVAL);
    for (; *p; p += strcspn(p, ","), p += *p == ',')
        if (!strncmp(p, "file", 4) && (p[4] == ',' || !p[4]))
            break;
    if ((size_t)snprintf(whitelist, sizeof(whitelist), "%s%s", *p ? "" : "file,", list) >= sizeof(whitelist))
        return AVERROR(EINVAL);
    return 0;
}

const char *rd_paths_protocols(void)
{
    return whitelist;
}

const char *rd_paths_local(const char *path)
{
    return path && !strncmp(path, "file:", 5) ? path + 5 : path;
}

static int allowed(const char *proto)
{
    size_t n = strlen(proto);
    for (const char *p = whitelist; *p; p += strcspn(p, ","), p += *p == ',')
        if (!strncmp(p, proto, n) && (p[n] == ',' || !p[n]))
            return 1;
    return 0;
}

/* What a name will be once written: an existing file by device and inode,
 * a new one by its directory's and its last component. */
typedef struct Id {
    const char *label;      ///< how the user named it: "the input", "OUTPUT", "--report" ...
    const char *path;
    int input;              ///< 1 for the input (read, never written)
    int exists, regular;
    dev_t dev;
    ino_t ino;
    const char *base;       ///< last component, for a file that does not exist
} Id;

static int say(char *err, int errlen, const char *path, int ret, const char *fmt, const char *arg)
{
    int o = snprintf(err, errlen, "%s: ", path);
    if (o < errlen)
        snprintf(err + o, errlen - o, fmt, arg);
    return ret;
}

static int identify(Id *id, char *err, int errlen)
{
    struct stat st;
    char dir[4096];
    const char *slash;

    if (stat(id->path, &st) == 0) {
        id->exists = 1;
        id->regular = S_ISREG(st.st_mode);
        id->dev = st.st_dev;
        id->ino = st.st_ino;
        if (S_ISDIR(st.st_mode))
            return say(err, errlen, id->path, AVERROR(EISDIR), "is a directory%s", "");
        return 0;
    }
    if (errno != ENOENT)
        return say(err, errlen, id->path, AVERROR(errno), "%s", av_err2str(AVERROR(errno)));
    if (lstat(id->path, &st) == 0) { /* a dangling symlink: a name that exists all the same */
        id->exists = id->regular = 1;
        id->dev = st.st_dev;
        id->ino = st.st_ino;
        return 0;
    }
    slash = strrchr(id->path, '/');
    id->base = slash ? slash + 1 : id->path;
    if (!*id->base)
        return say(err, errlen, id->path, AVERROR(EISDIR), "is a directory%s", "");
    snprintf(dir, sizeof(dir), "%.*s", !slash ? 1 : slash == id->path ? 1 : (int)(slash - id->path),
             !slash ? "." : id->path);
    if (stat(dir, &st) < 0)
        return say(err, errlen, id->path, AVERROR(errno), "cannot create it: %s", av_err2str(AVERROR(errno)));
    if (!S_ISDIR(st.st_mode))
        return say(err, errlen, id->path, AVERROR(ENOTDIR), "cannot create it: %s is not a directory", dir);
    if (access(dir, W_OK | X_OK) < 0)
        return say(err, errlen, id->path, AVERROR(errno), "cannot create it: %s", av_err2str(AVERROR(errno)));
    id->dev = st.st_dev;
    id->ino = st.st_ino;
    id->regular = 1;
    return 0;
}

static int same(const Id *a, const Id *b)
{
    if (a->exists != b->exists || a->dev != b->dev || a->ino != b->ino)
        return 0;
    return a->exists || !strcmp(a->base, b->base);
}

static const char *const not_seekable =
    "is not a seekable file (%s): render reads its input several times at once; "
    "save it to a file first";

static int check_input(Id *id, const char *input, char *err, int errlen)
{
    const char *proto = avio_find_protocol_name(input);
    struct stat st;

    if (!strcmp(input, "-") || (proto && !strcmp(proto, "pipe")))
        return say(err, errlen, input, AVERROR(ESPIPE), not_seekable, "a pipe");
    if (proto && !allowed(proto))
        return say(err, errlen, input, AVERROR(EPERM),
                   "protocol '%s' is not allowed; render reads local files "
                   "(--protocols LIST to allow others)", proto);
    if (proto && strcmp(proto, "file"))
        return 0; /* another allowed protocol: no local file to compare */
    id->path = rd_paths_local(input);
    if (stat(id->path, &st) < 0)
        return 0; /* the probe says why it cannot be opened */
    if (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode) || S_ISCHR(st.st_mode))
        return say(err, errlen, input, AVERROR(ESPIPE), not_seekable,
                   S_ISFIFO(st.st_mode) ? "a FIFO or pipe" : S_ISSOCK(st.st_mode) ? "a socket"
                                                                : "a character device");
    if (S_ISDIR(st.st_mode))
        return say(err, errlen, input, AVERROR(EISDIR), "is a directory%s", "");
    id->exists = 1;
    id->regular = 1;
    id->dev = st.st_dev;
    id->ino = st.st_ino;
    return 0;
}

/* A file render writes: a plain local name (no libav protocol). */
static int check_written(Id *id, int stream_ok, char *err, int errlen)
{
    const char *proto = avio_find_protocol_name(id->path);
    int ret;

    if (proto && strcmp(proto, "file"))
        return say(err, errlen, id->path, AVERROR(EINVAL),
                   "must be a local file name (libav protocol '%s' is never written)", proto);
    id->path = rd_paths_local(id->path);
    if ((ret = identify(id, err, errlen)) < 0)
        return ret;
    if (id->exists && !id->regular && !stream_ok)
        return say(err, errlen, id->path, AVERROR(EINVAL), "is not a regular file%s",
                   !strcmp(id->label, "OUTPUT") ? "" : " (use - for standard output)");
    return 0;
}

int rd_paths_check_named(const char *input, const char *output, const char *const *sidecar,
                         const char *const *labels, int n, int overwrite, char *err, int errlen)
{
    Id *ids = av_calloc(2 + (n > 0 ? n : 0), sizeof(*ids));
    int k = 0, ret = 0;

    if (!ids)
        return AVERROR(ENOMEM);
    if (input) {
        ids[k].label = "the input";
        ids[k].input = 1;
        if ((ret = check_input(&ids[k], input, err, errlen)) < 0)
            goto end;
        if (ids[k].path) /* a local file, to compare */
            k++;
        else
            memset(&ids[k], 0, sizeof(ids[k]));
    }
    if (output) {
        ids[k].label = "OUTPUT";
        ids[k].path = output;
        if ((ret = check_written(&ids[k], 0, err, errlen)) < 0)
            goto end;
        k++;
    }
    for (int i = 0; i < n; i++) {
        if (!sidecar[i] || !strcmp(sidecar[i], "-"))
            continue;
        ids[k].label = labels[i];
        ids[k].path = sidecar[i];
        if ((ret = check_written(&ids[k], !strcmp(labels[i], "--progress"), err, errlen)) < 0)
            goto end;
        k++;
    }
    /* Same file first: "is the input" says more than "already exists". */
    for (int i = 1; i < k; i++)
        for (int j = 0; j < i; j++) {
            if (!ids[i].regular || !ids[j].regular || !same(&ids[i], &ids[j]))
                continue;
            if (ids[j].input && !strcmp(ids[i].label, "OUTPUT")) {
                ret = say(err, errlen, ids[i].path, AVERROR(EINVAL), "output is the input file%s", "");
                goto end;
            }
            if (ids[j].input)
                snprintf(err, errlen, "%s: %s would write over the input", ids[i].path, ids[i].label);
            else
                snprintf(err, errlen, "%s: %s would write over %s %s", ids[i].path, ids[i].label,
                         ids[j].label, ids[j].path);
            ret = AVERROR(EINVAL);
            goto end;
        }
    for (int i = 0; i < k; i++)
        if (!ids[i].input && ids[i].exists && ids[i].regular && !overwrite) {
            ret = say(err, errlen, ids[i].path, AVERROR(EEXIST), "already exists (use -y to overwrite)%s", "");
            goto end;
        }
end:
    av_free(ids);
    return ret;
}

int rd_paths_check(const char *input, const char *output, const char *const *sidecar, int n,
                   int overwrite, char *err, int errlen)
{
    static const char *const labels[RD_SIDECARS] = { "--report", "--progress", "--export" };
    return rd_paths_check_named(input, output, sidecar, labels, n < RD_SIDECARS ? n : RD_SIDECARS,
                                overwrite, err, errlen);
}
