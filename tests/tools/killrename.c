/*
 * killrename.c - an LD_PRELOAD shim for tests/e2e_resume.sh: the process
 * SIGKILLs itself when it is about to rename (or link) a file onto the name
 * RD_KILL_AT_RENAME gives (a base name). A kill "during the final write"
 * then lands at its last instant on every run, not by winning a race:
 * every chunk journaled, the trailer written, OUTPUT not yet in place.
 * With RD_PLANT_AT_RENAME instead, an empty file is made at that name just
 * before: a file that "appeared while rendering" (tests/e2e_ffcli10.sh).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void die_if_target(const char *newpath)
{
    const char *want = getenv("RD_KILL_AT_RENAME");
    const char *plant = getenv("RD_PLANT_AT_RENAME");
    const char *base = strrchr(newpath, '/');
    int fd;

    base = base ? base + 1 : newpath;
    if (want && *want && !strcmp(base, want))
        raise(SIGKILL);
    if (plant && *plant && !strcmp(base, plant) &&
        (fd = open(newpath, O_WRONLY | O_CREAT | O_EXCL, 0644)) >= 0)
        close(fd);
}

int rename(const char *oldpath, const char *newpath)
{
    int (*real)(const char *, const char *) = dlsym(RTLD_NEXT, "rename");

    die_if_target(newpath);
    return real(oldpath, newpath);
}

int renameat(int olddirfd, const char *oldpath, int newdirfd, const char *newpath)
{
    int (*real)(int, const char *, int, const char *) = dlsym(RTLD_NEXT, "renameat");

    die_if_target(newpath);
    return real(olddirfd, oldpath, newdirfd, newpath);
}

int renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath,
              unsigned int flags)
{
    int (*real)(int, const char *, int, const char *, unsigned int) =
        dlsym(RTLD_NEXT, "renameat2");

    die_if_target(newpath);
    return real(olddirfd, oldpath, newdirfd, newpath, flags);
}

int link(const char *oldpath, const char *newpath)
{
    int (*real)(const char *, const char *) = dlsym(RTLD_NEXT, "link");

    die_if_target(newpath);
    return real(oldpath, newpath);
}

int linkat(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, int flags)
{
    int (*real)(int, const char *, int, const char *, int) = dlsym(RTLD_NEXT, "linkat");

    die_if_target(newpath);
    return real(olddirfd, oldpath, newdirfd, newpath, flags);
}
