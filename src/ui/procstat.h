/*
 * procstat.h - per-core CPU load from Linux /proc/stat, the way htop computes it.
 *
 * Pure parsing and arithmetic, plus one small reader; no allocation. A core's
 * load over an interval is busy = 1 - Δidle / Δtotal, where idle counts
 * iowait too (a core waiting for the disk is free to run something else).
 */
#ifndef RD_PROCSTAT_H
#define RD_PROCSTAT_H

#include <stddef.h>
#include <stdint.h>

typedef struct RdCpuTimes {
    int id;          ///< N of the "cpuN" line (offline cores leave gaps)
    uint64_t idle;   ///< idle + iowait, USER_HZ ticks since boot
    uint64_t total;  ///< user+nice+system+idle+iowait+irq+softirq+steal, ticks (guest time is already inside user and nice)
} RdCpuTimes;

/**
 * Parse the "cpuN ..." lines of /proc/stat text (NUL-terminated) into
 * out[0..max-1] in the order they appear; the aggregate "cpu " line is
 * skipped. Scanning stops at the first other line after the cpu lines, so
 * the long "intr" line is never read. Returns the number of cpuN lines found
 * (which may exceed max: only the first max are stored), or
 * AVERROR_INVALIDDATA when there is none.
 */
int rd_procstat_parse(const char *text, RdCpuTimes *out, int max);

/**
 * Load of one core between two samples, 0..1. Counters that went backwards
 * (iowait does on some kernels) count as no change; no time passed gives 0.
 */
double rd_procstat_busy(const RdCpuTimes *prev, const RdCpuTimes *cur);

/** Sum idle and total over n cores into *sum (id -1): the machine as one CPU. */
void rd_procstat_sum(const RdCpuTimes *t, int n, RdCpuTimes *sum);

/**
 * Read the file at `path` (normally "/proc/stat") into buf, keep whole lines
 * only and NUL-terminate. Returns the bytes kept, or a negative AVERROR
 * (from errno) when it cannot be opened or read.
 */
int rd_procstat_read(const char *path, char *buf, size_t size);

#endif
