// SPDX-License-Identifier: GPL-2.0
/* pywalk_test.bpf.c: the smallest programs that embed the Python walker the way the agent does, one
 * perf_event (CPU samples) and one tp_btf/sched_switch (the thread going to sleep), so that tests load
 * the walker through the real verifier in both program types and read what it finds. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

#include "python_walker.bpf.h"
#include "pywalk_test.h"

char LICENSE[] SEC("license") = "GPL";

/* Set by the loader before load: the only process sampled. */
const volatile __u32 target_tgid = 0;

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 1 << 22);
} pywalk_events SEC(".maps");

/* Ring-buffer reservations that failed (full buffer): counted, never silent. */
__u64 pywalk_drops = 0;

static __always_inline void pywalk_emit(struct task_struct *task, __u32 kind)
{
    __u64 pid_tgid = bpf_get_current_pid_tgid();
    __u32 tgid = pid_tgid >> 32, tid = (__u32)pid_tgid;
    struct pywalk_event *event;

    if (tgid != target_tgid)
        return;
    event = bpf_ringbuf_reserve(&pywalk_events, sizeof(*event), 0);
    if (!event) {
        __sync_fetch_and_add(&pywalk_drops, 1);
        return;
    }
    event->pid = tgid;
    event->tid = tid;
    event->kind = kind;
    event->pad = 0;
    flamelab_walk_python(task, tgid, tid, &event->python);
    bpf_ringbuf_submit(event, 0);
}

SEC("perf_event")
int pywalk_cpu(struct bpf_perf_event_data *ctx)
{
    pywalk_emit((struct task_struct *)bpf_get_current_task_btf(), PYWALK_KIND_CPU);
    return 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(pywalk_offcpu, bool preempt, struct task_struct *prev, struct task_struct *next)
{
    /* prev is current here: the walker reads the memory of the thread that is about to sleep. Only real
     * blocking counts: on a non-preemptible kernel a thread preempted on its way back to user space goes
     * through schedule() with preempt == false too, but its state is still TASK_RUNNING (0). */
    if (!preempt && prev->__state != 0)
        pywalk_emit(prev, PYWALK_KIND_OFFCPU);
    return 0;
}
