/*
 * threads.h - whether the worker threads can be made, asked before the
 * first parallel region. libgomp ends the program with its own line
 * ("libgomp: Thread creation failed") when it cannot create a thread (an
 * address-space limit, a large OMP_STACKSIZE, a pids cgroup): render would
 * then exit without naming the file or the reason in its own words. So the
 * same number of threads, with the stack libgomp would give them, is made
 * and joined first.
 */
#ifndef RD_THREADS_H
#define RD_THREADS_H

#include <stddef.h>

/** The stack size libgomp gives its threads: OMP_STACKSIZE or GOMP_STACKSIZE (K by default), else the system's default; 0 when the variable is malformed (libgomp then ignores it too). */
size_t rd_threads_stack(void);

/**
 * Makes `workers - 1` threads at once (the initial thread is the first
 * worker) with stacks of `stack` bytes, and joins them. Returns how many
 * workers could run (1 + the threads made, at most `workers`); *err is
 * the errno of the first failure, 0 when all were made.
 */
int rd_threads_try(int workers, size_t stack, int *err);

#endif
