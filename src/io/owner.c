#include "io/owner.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <libavutil/error.h>

int rd_owner_claim(int fd, const char *key)
{
    int lk = fcntl(fd, F_DUPFD_CLOEXEC, 0);
    if (lk < 0)
        return -1;
    /* Locked before marked: a marked file without a lock is a dead run's. */
    if (flock(lk, LOCK_EX | LOCK_NB) < 0 ||
        fsetxattr(lk, RD_OWNER_XATTR, key, strlen(key), 0) < 0) {
        close(lk);
        return -1;
    }
    return lk;
}

void rd_owner_unmark(int lockfd)
{
    if (lockfd >= 0)
        fremovexattr(lockfd, RD_OWNER_XATTR);
}

static int marked(int fd, const char *name, const char *key)
{
    char v[NAME_MAX + 1];
    ssize_t n = fgetxattr(fd, RD_OWNER_XATTR, v, sizeof(v) - 1);
    if (n <= 0)
        return 0;
    v[n] = 0;
    if (strlen(v) != (size_t)n)
        return 0;
    if (key)
        return !strcmp(v, key);
    return !strncmp(name, v, (size_t)n);
}

int rd_owner_stale(int dirfd, const char *name, const char *key, int remove)
{
    struct stat a, b;
    int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    int stale = 0;

    if (fd < 0)
        return 0;
    if (fstat(fd, &a) == 0 && S_ISREG(a.st_mode) && marked(fd, name, key) &&
        flock(fd, LOCK_EX | LOCK_NB) == 0) {
        stale = 1;
        /* Still the file checked (not renamed over meanwhile). */
        if (remove && (fstatat(dirfd, name, &b, AT_SYMLINK_NOFOLLOW) < 0 ||
                       a.st_dev != b.st_dev || a.st_ino != b.st_ino || unlinkat(dirfd, name, 0) < 0))
            stale = 0;
    }
    close(fd); /* releases the lock */
    return stale;
}

/* The longest prefix of s no longer than n bytes that does not cut a UTF-8 character. */
static size_t utf8_cut(const char *s, size_t n)
{
    size_t len = strlen(s);
    if (len <= n)
        return len;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return n;
}

static int temp_prefix(char *buf, size_t len, const char *base, const char *tag, long id)
{
    char digits[32];
    size_t room, keep;
    int d = snprintf(digits, sizeof(digits), "%ld", id);

    room = NAME_MAX - strlen(tag) - (size_t)d;
    keep = utf8_cut(base, room);
    if ((size_t)snprintf(buf, len, "%.*s%s", (int)keep, base, tag) >= len)
        return AVERROR(ENAMETOOLONG);
    return 0;
}

int rd_owner_temp_name(char *buf, size_t len, const char *path, const char *tag, long id)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    char prefix[NAME_MAX + 1];
    int ret;

    if ((ret = temp_prefix(prefix, sizeof(prefix), base, tag, id)) < 0)
        return ret;
    if ((size_t)snprintf(buf, len, "%.*s%s%ld", (int)(base - path), path, prefix, id) >= len)
        return AVERROR(ENAMETOOLONG);
    return 0;
}
