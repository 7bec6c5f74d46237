/* python_walker.bpf.h: reads CPython 3.11, 3.12 and 3.13 frames of the current thread from BPF.
 *
 * Include after vmlinux.h, bpf_helpers.h and bpf_core_read.h. Every offset comes from the process's entry
 * in flamelab_py_procs (struct flamelab_py_offsets, filled in user space per interpreter version), so one
 * program serves all versions. The agent's side of the contract is at the top of python.h.
 *
 * Shape, chosen for the verifier: one global (separately verified, so verified once whatever the number of
 * call sites) __noinline function, two bpf_loop()s with small callbacks, fixed-offset reads only. Nested
 * unrolled loops over threads and frames blow the 1M-instruction budget. Offsets are run-time values,
 * so every read goes through bpf_probe_read_user (no fixed-offset copies of the frame). */
#ifndef FLAMELAB_PYTHON_WALKER_BPF_H
#define FLAMELAB_PYTHON_WALKER_BPF_H

#include "python.h"

/* tgid -> where _PyRuntime is in that process. Filled by the agent (user space). */
struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, FLAMELAB_MAX_PY_PROCS);
    __type(key, __u32);
    __type(value, struct flamelab_py_proc);
} flamelab_py_procs SEC(".maps");

/* tid -> PyThreadState* found last time, so most samples skip the thread-list walk. Always re-checked
 * against native_thread_id, since thread states are freed and their memory reused. */
struct {
    __uint(type, BPF_MAP_TYPE_LRU_HASH);
    __uint(max_entries, 16384);
    __type(key, __u32);
    __type(value, __u64);
} flamelab_py_tstates SEC(".maps");

/* Reads one pointer-sized word of user memory; 0 when unreadable. */
static __always_inline __u64 flamelab_py_read_u64(__u64 addr)
{
    __u64 value = 0;
    if (bpf_probe_read_user(&value, sizeof(value), (const void *)addr) != 0)
        return 0;
    return value;
}

/* Reads a byte of user memory; `fallback` when unreadable. */
static __always_inline __u8 flamelab_py_read_u8(__u64 addr, __u8 fallback)
{
    __u8 value = 0;
    if (bpf_probe_read_user(&value, sizeof(value), (const void *)addr) != 0)
        return fallback;
    return value;
}

/* True when thread state `tstate` belongs to kernel thread id `tid`. */
static __always_inline bool flamelab_py_tstate_is(__u64 tstate, __u32 tid, const struct flamelab_py_offsets *off)
{
    __u64 native_id = 0;
    if (!tstate)
        return false;
    if (bpf_probe_read_user(&native_id, sizeof(native_id),
                            (const void *)(tstate + off->tstate_native_thread_id)) != 0)
        return false;
    return native_id == (__u64)tid;
}

struct flamelab_py_thread_search {
    struct flamelab_py_offsets off;
    __u64 interp;   /* interpreter whose thread list is being walked */
    __u64 tstate;   /* next thread state to look at; 0 = move to the next interpreter */
    __u64 found;
    __u32 tid;
    __u32 done;
};

/* One step of the walk over every interpreter's thread list (all interpreters, newest first). */
static long flamelab_py_thread_step(__u64 index, void *data)
{
    struct flamelab_py_thread_search *search = data;

    if (!search->tstate) {
        search->interp = flamelab_py_read_u64(search->interp + search->off.interp_next);
        if (!search->interp) {
            search->done = 1;
            return 1;
        }
        search->tstate = flamelab_py_read_u64(search->interp + search->off.interp_threads_head);
        return 0;
    }
    if (flamelab_py_tstate_is(search->tstate, search->tid, &search->off)) {
        search->found = search->tstate;
        search->done = 1;
        return 1;
    }
    search->tstate = flamelab_py_read_u64(search->tstate + search->off.tstate_next);
    return 0;
}

/* Finds the PyThreadState of `tid`: the cached one, the GIL holder (3.11's tstate_current), or a walk of
 * the thread lists. Returns 0 and sets *status when there is none. */
static __always_inline __u64 flamelab_py_find_tstate(const struct flamelab_py_proc *proc, __u32 tid, __u32 *status)
{
    struct flamelab_py_thread_search search = {};
    __u64 *cached = bpf_map_lookup_elem(&flamelab_py_tstates, &tid);
    __u64 runtime = proc->runtime;
    __u64 tstate = 0;

    search.off = proc->offsets;
    if (cached && flamelab_py_tstate_is(*cached, tid, &search.off))
        return *cached;
    /* 3.12+ keeps the current thread state in a thread-local (_Py_tss_tstate): no shortcut there. */
    if (search.off.runtime_tstate_current != FLAMELAB_PY_ABSENT &&
        bpf_probe_read_user(&tstate, sizeof(tstate),
                            (const void *)(runtime + search.off.runtime_tstate_current)) != 0) {
        *status = FLAMELAB_PY_READ_RUNTIME;
        return 0;
    }
    if (!flamelab_py_tstate_is(tstate, tid, &search.off)) {
        if (bpf_probe_read_user(&search.interp, sizeof(search.interp),
                                (const void *)(runtime + search.off.runtime_interpreters_head)) != 0) {
            *status = FLAMELAB_PY_READ_RUNTIME;
            return 0;
        }
        if (!search.interp) {
            *status = FLAMELAB_PY_NO_THREAD_STATE;
            return 0;
        }
        search.tstate = flamelab_py_read_u64(search.interp + search.off.interp_threads_head);
        search.tid = tid;
        bpf_loop(FLAMELAB_MAX_PY_THREADS, flamelab_py_thread_step, &search, 0);
        tstate = search.found;
        if (!tstate) {
            *status = search.done ? FLAMELAB_PY_NO_THREAD_STATE : FLAMELAB_PY_THREADS_EXHAUSTED;
            return 0;
        }
    }
    bpf_map_update_elem(&flamelab_py_tstates, &tid, &tstate, BPF_ANY);
    return tstate;
}

struct flamelab_py_frame_walk {
    struct flamelab_py_offsets off;
    struct flamelab_py_stack *out;
    __u64 frame;    /* next _PyInterpreterFrame* to read; 0 = end of the chain */
    __u32 group;
    __u32 status;
};

/* A C-stack shim frame (3.12+: one per _PyEval_EvalFrameDefault call, below the frames it runs) closes the
 * group of the frames emitted since the previous one: mark the last emitted frame as its entry. */
static __always_inline void flamelab_py_close_group(struct flamelab_py_frame_walk *walk)
{
    struct flamelab_py_stack *out = walk->out;
    struct flamelab_py_frame *last;
    __u32 count = out->count;

    if (count == 0)
        return;
    last = &out->frames[(count - 1) & (FLAMELAB_MAX_PY_FRAMES - 1)];
    if (last->group != walk->group)
        return; /* the group is empty (two shims in a row): nothing ran Python in that eval call yet */
    last->flags |= FLAMELAB_PY_FRAME_ENTRY;
    walk->group++;
}

/* The code-unit index of `instr` in `code` (CPython's _PyInterpreterFrame_LASTI); -1 when not started
 * (3.11/3.12 prev_instr sits one unit before the code) or implausible. */
static __always_inline int flamelab_py_lasti(__u64 code, __u64 instr, const struct flamelab_py_offsets *off)
{
    __u64 start = code + off->code_code_adaptive;
    __u64 units;

    if (instr < start || off->code_unit_size == 0)
        return -1;
    units = (instr - start) / off->code_unit_size;
    return units > 0x7fffffff ? -1 : (int)units;
}

/* One step of the frame walk: records the frame at walk->frame and moves to its caller. */
static long flamelab_py_frame_step(__u64 index, void *data)
{
    struct flamelab_py_frame_walk *walk = data;
    struct flamelab_py_stack *out = walk->out;
    const struct flamelab_py_offsets *off = &walk->off;
    struct flamelab_py_frame *slot;
    __u64 frame = walk->frame, code, instr;
    int first_lineno = 0;
    __u8 is_entry = 0, owner;
    __u32 count;

    if (!frame || !out)
        return 1;
    if (bpf_probe_read_user(&walk->frame, sizeof(walk->frame), (const void *)(frame + off->frame_previous)) != 0) {
        walk->status = FLAMELAB_PY_READ_FRAME;
        return 1;
    }
    owner = flamelab_py_read_u8(frame + off->frame_owner, 0);
    /* C-stack shim frames (3.12+) run no Python code. Checked before f_code is used: in 3.12 it is the
     * <interpreter trampoline> code object, in 3.13 f_executable is Py_None. */
    if (off->frame_owner_cstack != FLAMELAB_PY_ABSENT && owner == off->frame_owner_cstack) {
        flamelab_py_close_group(walk);
        return 0;
    }
    code = flamelab_py_read_u64(frame + off->frame_code);
    instr = flamelab_py_read_u64(frame + off->frame_instr);
    if (off->frame_is_entry != FLAMELAB_PY_ABSENT)
        is_entry = flamelab_py_read_u8(frame + off->frame_is_entry, 0);
    if (!code ||
        bpf_probe_read_user(&first_lineno, sizeof(first_lineno), (const void *)(code + off->code_firstlineno)) != 0) {
        walk->status = FLAMELAB_PY_READ_FRAME;
        return 1;
    }
    count = out->count;
    if (count >= FLAMELAB_MAX_PY_FRAMES) {
        walk->status = FLAMELAB_PY_TRUNCATED;
        walk->frame = frame;
        return 1;
    }
    slot = &out->frames[count & (FLAMELAB_MAX_PY_FRAMES - 1)];
    slot->code = code;
    slot->first_lineno = first_lineno;
    slot->lasti = flamelab_py_lasti(code, instr, off);
    slot->group = walk->group;
    slot->flags = is_entry ? FLAMELAB_PY_FRAME_ENTRY : 0;
    out->count = count + 1;
    if (is_entry)
        walk->group++;
    return 0;
}

/* The thread's innermost _PyInterpreterFrame: tstate->cframe->current_frame (3.11, 3.12) or
 * tstate->current_frame (3.13). Returns -1 when unreadable. */
static __always_inline int flamelab_py_current_frame(__u64 tstate, const struct flamelab_py_offsets *off, __u64 *frame)
{
    __u64 pointer = 0;

    if (bpf_probe_read_user(&pointer, sizeof(pointer), (const void *)(tstate + off->tstate_frame)) != 0)
        return -1;
    if (off->cframe_current_frame == FLAMELAB_PY_ABSENT) {
        *frame = pointer;
        return 0;
    }
    if (!pointer ||
        bpf_probe_read_user(frame, sizeof(*frame), (const void *)(pointer + off->cframe_current_frame)) != 0)
        return -1;
    return 0;
}

/* Walks the Python frames of the CURRENT task (thread `tid` of process `tgid`) into `out`, leaf first.
 * Global and __noinline on purpose: the verifier checks it once, not once per call site. */
__noinline int flamelab_py_walk_current(__u32 tgid, __u32 tid, struct flamelab_py_stack *out)
{
    struct flamelab_py_frame_walk walk = {};
    struct flamelab_py_proc *proc;
    __u32 status = FLAMELAB_PY_OK;
    __u64 tstate;

    if (!out)
        return 0;
    out->count = 0;
    out->status = FLAMELAB_PY_OK;

    proc = bpf_map_lookup_elem(&flamelab_py_procs, &tgid);
    if (!proc) {
        out->status = FLAMELAB_PY_NOT_REGISTERED;
        return 0;
    }
    tstate = flamelab_py_find_tstate(proc, tid, &status);
    if (!tstate) {
        out->status = status;
        return 0;
    }
    walk.off = proc->offsets;
    if (flamelab_py_current_frame(tstate, &walk.off, &walk.frame) != 0) {
        out->status = FLAMELAB_PY_READ_THREAD;
        return 0;
    }
    walk.out = out;
    bpf_loop(FLAMELAB_MAX_PY_FRAMES + 1, flamelab_py_frame_step, &walk, 0);
    if (walk.status == FLAMELAB_PY_OK && walk.frame)
        walk.status = FLAMELAB_PY_TRUNCATED;
    out->status = walk.status;
    return (int)out->count;
}

/* The agent's entry point. The walk reads the current task's memory (bpf_probe_read_user), so `task` must
 * be current: true for the sampled task of a perf_event program and for `prev` in tp_btf/sched_switch.
 * `task` is kept in the signature so a later version can use bpf_copy_from_user_task for other tasks. */
static __always_inline int flamelab_walk_python(struct task_struct *task, __u32 tgid, __u32 tid,
                                                struct flamelab_py_stack *out)
{
    (void)task;
    return flamelab_py_walk_current(tgid, tid, out);
}

#endif
