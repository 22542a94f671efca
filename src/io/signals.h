/*
 * signals.h - render's signals: nothing left behind, whatever arrives.
 *
 * SIGINT, SIGTERM, SIGHUP, SIGQUIT and SIGPIPE: the first removes every
 * registered temporary file (outfile.h) at once and asks the run to stop
 * (the flag given to RdSettings.cancel); the run then ends with 128+N. A
 * second one (a worker stuck in an encoder never looks at the flag)
 * removes them again, prints one line and exits 128+N at once.
 * SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL: remove them and die of the same
 * signal. (Sanitizer builds leave SIGSEGV and SIGBUS to the sanitizer,
 * whose report comes first.)
 */
#ifndef RD_SIGNALS_H
#define RD_SIGNALS_H

#include <stdatomic.h>

/**
 * Install the handlers. `prog` names the program in the message (kept,
 * not copied); `restore` (may be NULL) is called, async-signal-safe, before
 * an immediate exit (the dashboard restores the terminal). Returns the
 * cancel flag.
 */
_Atomic int *rd_signals_install(const char *prog, void (*restore)(void));

/**
 * Give the calling thread an alternate signal stack (once per thread,
 * kept for the thread's life), so that the crash handler runs, and the
 * temporary files go, even after a stack overflow (a small OMP_STACKSIZE,
 * deep recursion in a library). rd_signals_install() does it for its own
 * thread; worker threads call it when they start. Best effort.
 */
void rd_signals_thread_stack(void);

/** The first signal caught (0 = none). */
int rd_signals_caught(void);

/** "SIGTERM" etc.; "signal" for others. */
const char *rd_signals_name(int sig);

#endif
