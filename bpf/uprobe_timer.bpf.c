// SPDX-License-Identifier: GPL-2.0
/*
 * flamelab uprobe timer: targeted instrumentation of one user function. The uprobe stores the entry
 * time per thread; the uretprobe adds (return - entry) to per-CPU totals. The loader attaches both
 * to the function's file offset in one process. Shared layout: uprobe_timer.h.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "uprobe_timer.h"

char LICENSE[] SEC("license") = "GPL";

/* Entry time by thread id: a thread is inside the function at most once (it is not recursive). */
struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 16384);
    __type(key, __u32);
    __type(value, __u64);
} uprobe_timer_starts SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct uprobe_timer_totals);
} uprobe_timer_totals SEC(".maps");

SEC("uprobe")
int uprobe_timer_enter(struct pt_regs *ctx)
{
    __u32 tid = (__u32)bpf_get_current_pid_tgid();
    __u64 now = bpf_ktime_get_ns();
    __u32 zero = 0;
    struct uprobe_timer_totals *totals = bpf_map_lookup_elem(&uprobe_timer_totals, &zero);
    if (totals)
        totals->entries++;
    bpf_map_update_elem(&uprobe_timer_starts, &tid, &now, BPF_ANY);
    return 0;
}

SEC("uretprobe")
int uprobe_timer_exit(struct pt_regs *ctx)
{
    __u64 now = bpf_ktime_get_ns();
    __u32 tid = (__u32)bpf_get_current_pid_tgid();
    __u32 zero = 0;
    struct uprobe_timer_totals *totals = bpf_map_lookup_elem(&uprobe_timer_totals, &zero);
    if (!totals)
        return 0;
    __u64 *start = bpf_map_lookup_elem(&uprobe_timer_starts, &tid);
    if (!start) {
        totals->missed_entries++;
        return 0;
    }
    totals->calls++;
    totals->nanoseconds += now - *start;
    bpf_map_delete_elem(&uprobe_timer_starts, &tid);
    return 0;
}
