/*
 * cgroup.c - the memory a control group still allows this process: a
 * container or a batch job's limit is reached long before MemAvailable
 * runs out, and the kernel's OOM killer then ends the run with SIGKILL.
 */
#include "io/memory.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FFMIN_I64(a, b) ((a) < (b) ? (a) : (b))

/* Limits this large mean "none" (v1 writes 2^63 rounded down to a page). */
#define NO_LIMIT (1ll << 60)

/* A number in a cgroup file; INT64_MAX for "max", -1 when unreadable. */
static int64_t read_num(const char *dir, const char *name)
{
    char path[PATH_MAX + 64], buf[64];
    FILE *f;
    long long v;
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    if (!(f = fopen(path, "r")))
        return -1;
    if (!fgets(buf, sizeof(buf), f))
        buf[0] = 0;
    fclose(f);
    if (!strncmp(buf, "max", 3))
        return INT64_MAX;
    return sscanf(buf, "%lld", &v) == 1 && v >= 0 ? v : -1;
}

/* The least room among dir and its parents up to root (limits nest). */
static int64_t room_up(const char *root, const char *rel, const char *maxf, const char *curf)
{
    char dir[PATH_MAX];
    int64_t best = INT64_MAX;
    size_t rootlen = strlen(root);
    if (snprintf(dir, sizeof(dir), "%s%s", root, rel) >= (int)sizeof(dir))
        return INT64_MAX;
    for (;;) {
        int64_t max = read_num(dir, maxf), cur = read_num(dir, curf);
        char *slash;
        if (max >= 0 && max < NO_LIMIT && cur >= 0)
            best = FFMIN_I64(best, max > cur ? max - cur : 0);
        if (strlen(dir) <= rootlen || !(slash = strrchr(dir, '/')) || (size_t)(slash - dir) < rootlen)
            break;
        *slash = 0;
    }
    return best;
}

int64_t rd_memory_cgroup_room(void)
{
    /* A test hook (docs/TESTING.md): a folder laid out as /sys/fs/cgroup. */
    const char *root = getenv("RENDER_TEST_CGROUP_ROOT");
    char line[PATH_MAX + 64], v1[PATH_MAX + 16];
    FILE *f = fopen("/proc/self/cgroup", "r");
    int64_t best = INT64_MAX;

    if (!root)
        root = "/sys/fs/cgroup";
    snprintf(v1, sizeof(v1), "%s/memory", root);
    /* The cgroup's own folder may be the mount's root (a cgroup namespace):
     * look there first, then under the path /proc/self/cgroup gives. */
    best = FFMIN_I64(best, room_up(root, "", "memory.max", "memory.current"));
    best = FFMIN_I64(best, room_up(v1, "", "memory.limit_in_bytes", "memory.usage_in_bytes"));
    while (f && fgets(line, sizeof(line), f)) {
        char *rel = strchr(line, ':'), *ctrl;
        if (!rel)
            continue;
        ctrl = rel + 1;
        if (!(rel = strchr(ctrl, ':')))
            continue;
        *rel++ = 0;
        rel[strcspn(rel, "\n")] = 0;
        if (!strcmp(rel, "/"))
            continue;
        if (!*ctrl)
            best = FFMIN_I64(best, room_up(root, rel, "memory.max", "memory.current"));
        else if (strstr(ctrl, "memory"))
            best = FFMIN_I64(best, room_up(v1, rel, "memory.limit_in_bytes", "memory.usage_in_bytes"));
    }
    if (f)
        fclose(f);
    return best == INT64_MAX ? -1 : best;
}
