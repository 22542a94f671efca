/*
 * signals.c - rank 0's INT, TERM, HUP, QUIT and PIPE: remove the temporary
 * output, say so in one line and leave with 128 + the signal, at once.
 *
 * mpirun answers Ctrl-C (or its own SIGTERM) with SIGCONT, then SIGTERM
 * to every rank a second later and SIGKILL some milliseconds after that
 * (OpenMPI 4.1's odls), which comes before a chunk notices a cancel flag,
 * and before rank 0 could print anything the normal way. So the handler
 * does all of it with async-signal-safe calls (unlink, write, _exit). The
 * status is what srun passes on (130 for SIGINT); mpirun's own exit status
 * after a signal is always 1, whatever the ranks do.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ui/dashboard.h"
#include "io/outfile.h"
#include "mpi/rdmpi.h"

typedef struct Paths {
    char extra[4200];  ///< a file of the caller's (the sweep's scratch output)
} Paths;

static _Atomic int cancel_flag;
static _Atomic int done_flag;
/* The handler may run on any thread at any moment, so it never reads a
 * path being written: the new paths go to the other buffer, then one
 * atomic store makes them current. */
static Paths paths[2];
static _Atomic(Paths *) current;
static char lost_line[4300];   ///< written once, before the handler is installed
static size_t lost_len;

static void say(const char *s, size_t n)
{
    ssize_t w = write(2, s, n);
    (void)w;
}

static void on_signal(int sig)
{
    static const char brief[] = RD_MPI_PROG ": interrupted\n";
    Paths *p = atomic_load(&current);

    if (p && p->extra[0])
        unlink(p->extra);
    /* OUTPUT's temporary file, report, export and .dat temporaries: only
     * those this process created (never a file that was at the name before). */
    rd_outfile_unlink_all();
    /* Only the first signal speaks; a second one (or another thread's) just leaves. */
    if (!atomic_exchange(&cancel_flag, 1)) {
        rd_dashboard_emergency_restore();
        if (atomic_load(&done_flag))
            say(brief, sizeof(brief) - 1);
        else
            say(lost_line, lost_len);
    }
    _exit(128 + sig);
}

_Atomic int *rd_signal_install(const char *what)
{
    static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE };
    struct sigaction sa;
    int n = snprintf(lost_line, sizeof(lost_line), RD_MPI_PROG ": interrupted; %s not written\n",
                     what ? what : "the output");

    /* A long name is cut, but the line still ends. */
    lost_len = n < 0 ? 0 : (size_t)n < sizeof(lost_line) ? (size_t)n : sizeof(lost_line) - 1;
    if (lost_len && lost_line[lost_len - 1] != '\n')
        lost_line[lost_len - 1] = '\n';
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigfillset(&sa.sa_mask); /* one handler at a time per thread */
    for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
        sigaction(sigs[i], &sa, NULL);
    return &cancel_flag;
}

void rd_signal_guard(const char *output, const char *extra)
{
    Paths *p = atomic_load(&current) == &paths[0] ? &paths[1] : &paths[0];
    /* OUTPUT's temporary file is in the outfile registry, with its owner's
     * proof: removed by name here, it could be a file that was there first. */
    (void)output;
    snprintf(p->extra, sizeof(p->extra), "%s", extra ? extra : "");
    atomic_store(&current, p);
}

void rd_signal_done(void)
{
    rd_signal_guard(NULL, NULL);
    atomic_store(&done_flag, 1);
}
