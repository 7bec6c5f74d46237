/* swift_async_walker.bpf.h: reads the async callers of a Swift funclet at sample time.
 *
 * Include after vmlinux.h and bpf_helpers.h. Layout and ABI facts: swift_async.h.
 *
 * Swift async functions run as funclets that tail-call each other, so at most one funclet frame is on
 * the machine stack, right above the executor (libswift_Concurrency's runJobInEstablishedExecutorContext).
 * Its callers are not on the stack but in the heap: its AsyncContext's Parent chain. The walker
 * 1. follows the frame-pointer chain from the user registers until a frame's return address lies in
 *    the executor's code: that frame is the funclet's;
 * 2. reads the funclet's context from FP - 8 and follows Parent, recording every ResumeParent. */
#ifndef FLAMELAB_SWIFT_ASYNC_WALKER_BPF_H
#define FLAMELAB_SWIFT_ASYNC_WALKER_BPF_H

#include "swift_async.h"

/* tgid -> the executor's code range. Filled by the agent for processes that load libswift_Concurrency. */
struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, FLAMELAB_MAX_SWIFT_ASYNC_PROCS);
    __type(key, __u32);
    __type(value, struct flamelab_swift_async_proc);
} flamelab_swift_async_procs SEC(".maps");

/* Finds the frame the executor called: returns its frame pointer (0 if none) and sets *pc to a pc
 * inside it (the sampled ip for the leaf frame, else the return address into it). */
static __always_inline __u64 flamelab_swift_funclet_frame(const struct flamelab_swift_async_proc *proc,
                                                          __u64 fp, __u64 ip, __u64 *pc)
{
    __u64 record[2]; /* saved caller FP, return address */

    *pc = ip;
    for (int i = 0; i < FLAMELAB_SWIFT_ASYNC_FP_FRAMES; i++) {
        if (!fp || (fp & 7))
            return 0;
        if (bpf_probe_read_user(record, sizeof(record), (const void *)fp))
            return 0;
        if (record[1] >= proc->executor_start && record[1] < proc->executor_end)
            return fp;
        /* The stack grows down: a caller's frame is always above its callee's. */
        if (record[0] <= fp)
            return 0;
        *pc = record[1];
        fp = record[0];
    }
    return 0;
}

/* Follows the context chain from `context`, recording each ResumeParent. */
static __always_inline void flamelab_swift_follow_contexts(struct flamelab_swift_async_stack *out, __u64 context)
{
    __u64 words[2]; /* Parent, ResumeParent */
    __u32 n = 0;

    out->status = FLAMELAB_SWIFT_ASYNC_TRUNCATED;
    for (int i = 0; i < FLAMELAB_MAX_SWIFT_ASYNC_FRAMES; i++) {
        if (!context || (context & 7) ||
            bpf_probe_read_user(words, sizeof(words), (const void *)(context + FLAMELAB_SWIFT_ASYNC_CONTEXT_PARENT))) {
            out->status = FLAMELAB_SWIFT_ASYNC_UNREADABLE;
            break;
        }
        if (!words[1]) {
            out->status = FLAMELAB_SWIFT_ASYNC_UNREADABLE;
            break;
        }
        out->resume[n & (FLAMELAB_MAX_SWIFT_ASYNC_FRAMES - 1)] = words[1];
        n++;
        if (!words[0]) {
            out->status = FLAMELAB_SWIFT_ASYNC_COMPLETE;
            break;
        }
        context = words[0];
    }
    out->count = n;
}

/* Fills `out` for the current task of process `tgid`; leaves count 0 when it is not in an async funclet. */
static __always_inline void flamelab_walk_swift_async(struct task_struct *task, __u32 tgid,
                                                      struct flamelab_swift_async_stack *out)
{
    const struct flamelab_swift_async_proc *proc;
    struct pt_regs *user_regs;
    __u64 fp, ip, pc = 0, frame, context = 0;

    proc = bpf_map_lookup_elem(&flamelab_swift_async_procs, &tgid);
    if (!proc)
        return;
    user_regs = (struct pt_regs *)bpf_task_pt_regs(task);
    if (!user_regs)
        return;
    fp = BPF_CORE_READ(user_regs, bp);
    ip = BPF_CORE_READ(user_regs, ip);
    frame = flamelab_swift_funclet_frame(proc, fp, ip, &pc);
    if (!frame)
        return;
    if (bpf_probe_read_user(&context, sizeof(context), (const void *)(frame + FLAMELAB_SWIFT_ASYNC_CONTEXT_SLOT)))
        return;
    out->funclet_pc = pc;
    flamelab_swift_follow_contexts(out, context);
}

#endif
