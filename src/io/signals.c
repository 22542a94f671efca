#include "io/signals.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/outfile.h"

static _Atomic int cancel_flag;
static _Atomic int first_sig;
static const char *prog_name = "render";
static void (*restore_fn)(void);

static const int stop_sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE };
/* A sanitizer catches SIGSEGV and SIGBUS itself to print its report, so it
 * keeps them; it ends with abort() after a report, which SIGABRT's handler
 * then cleans up after. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
static const int crash_sigs[] = { SIGABRT, SIGFPE, SIGILL };
#else
static const int crash_sigs[] = { SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL };
#endif

const char *rd_signals_name(int sig)
{
    switch (sig) {
    case SIGINT:  return "SIGINT";
    case SIGTERM: return "SIGTERM";
    case SIGHUP:  return "SIGHUP";
    case SIGQUIT: return "SIGQUIT";
    case SIGPIPE: return "SIGPIPE";
    default:      return "signal";
    }
}

static void put(const char *s)
{
    ssize_t w = write(2, s, strlen(s));
    (void)w;
}

static void on_stop(int sig)
{
    int expect = 0;
    rd_outfile_unlink_all();
    if (atomic_compare_exchange_strong(&first_sig, &expect, sig)) {
        atomic_store(&cancel_flag, 1);
        return;
    }
    /* The second: the run did not stop (a worker may be stuck); leave now. */
    if (restore_fn)
        restore_fn();
    put(prog_name);
    put(": ");
    put(rd_signals_name(sig));
    put(" again: stopped at once; nothing written\n");
    _exit(128 + sig);
}

static void on_crash(int sig)
{
    rd_outfile_unlink_all();
    if (restore_fn)
        restore_fn();
    signal(sig, SIG_DFL);
    raise(sig);
}

void rd_signals_thread_stack(void)
{
    static _Thread_local void *mem;
    stack_t ss;
    if (mem)
        return;
    ss.ss_size = 64 * 1024 > SIGSTKSZ ? 64 * 1024 : SIGSTKSZ;
    if (!(mem = malloc(ss.ss_size)))
        return;
    ss.ss_sp = mem;
    ss.ss_flags = 0;
    if (sigaltstack(&ss, NULL) < 0) {
        free(mem);
        mem = NULL;
    }
}

_Atomic int *rd_signals_install(const char *prog, void (*restore)(void))
{
    struct sigaction sa;

    prog_name = prog ? prog : "render";
    restore_fn = restore;
    memset(&sa, 0, sizeof(sa));
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof(stop_sigs) / sizeof(stop_sigs[0]); i++)
        sigaddset(&sa.sa_mask, stop_sigs[i]); /* one handler at a time */
    sa.sa_handler = on_stop;
    for (size_t i = 0; i < sizeof(stop_sigs) / sizeof(stop_sigs[0]); i++)
        sigaction(stop_sigs[i], &sa, NULL);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_crash;
    sa.sa_flags = SA_RESETHAND | SA_NODEFER | SA_ONSTACK;
    rd_signals_thread_stack();
    for (size_t i = 0; i < sizeof(crash_sigs) / sizeof(crash_sigs[0]); i++)
        sigaction(crash_sigs[i], &sa, NULL);
    /* A library that ends the program itself (libgomp when it cannot create
     * a thread calls exit) must not leave temporaries either; on a normal
     * exit every one is already committed or removed. */
    atexit(rd_outfile_unlink_all);
    return &cancel_flag;
}

int rd_signals_caught(void)
{
    return atomic_load(&first_sig);
}
