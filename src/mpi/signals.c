/*
 * signals.c - rank 0's SIGINT/SIGTERM: cancel the run, and remove the
 * temporary output at once.
 *
 * mpirun answers a dead rank (or Ctrl-C) with SIGTERM to the others and
 * SIGKILL one second later (OpenMPI's odls_base_sigkill_timeout), which
 * can come before a chunk notices the cancel flag. So the handler unlinks
 * the files itself (unlink is async-signal-safe); the engine's own
 * clean-up then finds nothing left to remove.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "merge.h"
#include "mpi/rdmpi.h"

typedef struct Paths {
    char part[4200];   ///< OUTPUT.part-PID, the muxer's temporary file
    char extra[4200];  ///< a file of the caller's (the sweep's scratch output)
} Paths;

static _Atomic int cancel_flag;
/* The handler may run on any thread at any moment, so it never reads a
 * path being written: the new paths go to the other buffer, then one
 * atomic store makes them current. */
static Paths paths[2];
static _Atomic(Paths *) current;

static void on_signal(int sig)
{
    Paths *p = atomic_load(&current);
    (void)sig;
    if (p && p->part[0])
        unlink(p->part);
    if (p && p->extra[0])
        unlink(p->extra);
    if (atomic_exchange(&cancel_flag, 1)) {
        static const char msg[] = RD_MPI_PROG ": interrupted twice, quitting\n";
        ssize_t w = write(2, msg, sizeof(msg) - 1);
        (void)w;
        _exit(130);
    }
}

_Atomic int *rd_signal_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    return &cancel_flag;
}

void rd_signal_guard(const char *output, const char *extra)
{
    Paths *p = atomic_load(&current) == &paths[0] ? &paths[1] : &paths[0];
    if (output)
        rd_merge_temp_name(p->part, sizeof(p->part), output);
    else
        p->part[0] = 0;
    snprintf(p->extra, sizeof(p->extra), "%s", extra ? extra : "");
    atomic_store(&current, p);
}
