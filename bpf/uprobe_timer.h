/*
 * flamelab uprobe timer: the layout shared by bpf/uprobe_timer.bpf.c and the Swift loader
 * (Sources/Agent/Uprobe). One uprobe/uretprobe pair on one function of one process counts its calls
 * and sums their wall time (entry to return, per thread).
 */
#ifndef FLAMELAB_UPROBE_TIMER_H
#define FLAMELAB_UPROBE_TIMER_H

#ifndef __VMLINUX_H__
#include <stdint.h>
typedef uint64_t __u64;
#endif

/* Per-CPU totals (one array slot): summed over CPUs by the loader. */
struct uprobe_timer_totals {
    __u64 calls;          /* returns seen (completed calls) */
    __u64 nanoseconds;    /* sum of entry -> return time */
    __u64 entries;        /* entries seen */
    __u64 missed_entries; /* returns without a recorded entry (attached mid-call, map full) */
};

#endif
