/* python_walker.bpf.h: reads CPython 3.11 frames of the current thread from BPF.
 *
 * Include after vmlinux.h, bpf_helpers.h and bpf_core_read.h, with -I bpf/.output so that the generated
 * python311_offsets.h (offsets from the installed headers, see gen_python_offsets.c) is found. The agent's
 * side of the contract is at the top of python.h.
 *
 * Shape, chosen for the verifier: one global (separately verified, so verified once whatever the number of
 * call sites) __noinline function, two bpf_loop()s with small callbacks, fixed-offset reads only. Nested
 * unrolled loops over threads and frames blow the 1M-instruction budget. */
#ifndef FLAMELAB_PYTHON_WALKER_BPF_H
#define FLAMELAB_PYTHON_WALKER_BPF_H

#include "python.h"
#include "python311_offsets.h"

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

/* True when thread state `tstate` belongs to kernel thread id `tid`. */
static __always_inline bool flamelab_py_tstate_is(__u64 tstate, __u32 tid)
{
    __u64 native_id = 0;
    if (!tstate)
        return false;
    if (bpf_probe_read_user(&native_id, sizeof(native_id),
                            (const void *)(tstate + FLAMELAB_PY_TSTATE_NATIVE_THREAD_ID)) != 0)
        return false;
    return native_id == (__u64)tid;
}

struct flamelab_py_thread_search {
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
        search->interp = flamelab_py_read_u64(search->interp + FLAMELAB_PY_INTERP_NEXT);
        if (!search->interp) {
            search->done = 1;
            return 1;
        }
        search->tstate = flamelab_py_read_u64(search->interp + FLAMELAB_PY_INTERP_THREADS_HEAD);
        return 0;
    }
    if (flamelab_py_tstate_is(search->tstate, search->tid)) {
        search->found = search->tstate;
        search->done = 1;
        return 1;
    }
    search->tstate = flamelab_py_read_u64(search->tstate + FLAMELAB_PY_TSTATE_NEXT);
    return 0;
}

/* Finds the PyThreadState of `tid`: the cached one, the GIL holder, or a walk of the thread lists.
 * Returns 0 and sets *status when there is none. */
static __always_inline __u64 flamelab_py_find_tstate(__u64 runtime, __u32 tid, __u32 *status)
{
    struct flamelab_py_thread_search search = {};
    __u64 *cached = bpf_map_lookup_elem(&flamelab_py_tstates, &tid);
    __u64 tstate;

    if (cached && flamelab_py_tstate_is(*cached, tid))
        return *cached;
    if (bpf_probe_read_user(&tstate, sizeof(tstate),
                            (const void *)(runtime + FLAMELAB_PY_RUNTIME_TSTATE_CURRENT)) != 0) {
        *status = FLAMELAB_PY_READ_RUNTIME;
        return 0;
    }
    if (!flamelab_py_tstate_is(tstate, tid)) {
        search.interp = flamelab_py_read_u64(runtime + FLAMELAB_PY_RUNTIME_INTERPRETERS_HEAD);
        if (!search.interp) {
            *status = FLAMELAB_PY_NO_THREAD_STATE;
            return 0;
        }
        search.tstate = flamelab_py_read_u64(search.interp + FLAMELAB_PY_INTERP_THREADS_HEAD);
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
    struct flamelab_py_stack *out;
    __u64 frame;    /* next _PyInterpreterFrame* to read; 0 = end of the chain */
    __u32 group;
    __u32 status;
};

/* The first FLAMELAB_PY_FRAME_HEADER_SIZE bytes of a _PyInterpreterFrame, read in one go. */
struct flamelab_py_frame_header {
    __u64 words[(FLAMELAB_PY_FRAME_HEADER_SIZE + 7) / 8];
};

/* Reads a field of the frame header at a constant offset (compile-time checked to stay inside). */
#define FLAMELAB_PY_HEADER_FIELD(header, type, offset)                                              \
    ({                                                                                                \
        _Static_assert((offset) + sizeof(type) <= sizeof(struct flamelab_py_frame_header), "offset"); \
        type _v;                                                                                      \
        __builtin_memcpy(&_v, (const char *)(header) + (offset), sizeof(type));                       \
        _v;                                                                                           \
    })

/* One step of the frame walk: records the frame at walk->frame and moves to its caller. */
static long flamelab_py_frame_step(__u64 index, void *data)
{
    struct flamelab_py_frame_walk *walk = data;
    struct flamelab_py_stack *out = walk->out;
    struct flamelab_py_frame_header header = {};
    struct flamelab_py_frame *slot;
    __u64 code, prev_instr;
    __s64 lasti;
    int first_lineno = 0;
    __u8 is_entry, owner;
    __u32 count;

    if (!walk->frame || !out)
        return 1;
    if (bpf_probe_read_user(&header, FLAMELAB_PY_FRAME_HEADER_SIZE, (const void *)walk->frame) != 0) {
        walk->status = FLAMELAB_PY_READ_FRAME;
        return 1;
    }
    code = FLAMELAB_PY_HEADER_FIELD(&header, __u64, FLAMELAB_PY_FRAME_F_CODE);
    prev_instr = FLAMELAB_PY_HEADER_FIELD(&header, __u64, FLAMELAB_PY_FRAME_PREV_INSTR);
    is_entry = FLAMELAB_PY_HEADER_FIELD(&header, __u8, FLAMELAB_PY_FRAME_IS_ENTRY);
    owner = FLAMELAB_PY_HEADER_FIELD(&header, __u8, FLAMELAB_PY_FRAME_OWNER);
    walk->frame = FLAMELAB_PY_HEADER_FIELD(&header, __u64, FLAMELAB_PY_FRAME_PREVIOUS);

    /* C-stack shim frames (3.12+) run no Python code; 3.11 has none (the constant is then -1). */
    if ((int)owner == FLAMELAB_PY_FRAME_OWNED_BY_CSTACK)
        return 0;
    if (!code ||
        bpf_probe_read_user(&first_lineno, sizeof(first_lineno),
                            (const void *)(code + FLAMELAB_PY_CODE_FIRSTLINENO)) != 0) {
        walk->status = FLAMELAB_PY_READ_FRAME;
        return 1;
    }
    count = out->count;
    if (count >= FLAMELAB_MAX_PY_FRAMES) {
        walk->status = FLAMELAB_PY_TRUNCATED;
        return 1;
    }
    lasti = ((__s64)prev_instr - (__s64)(code + FLAMELAB_PY_CODE_CODE_ADAPTIVE)) / FLAMELAB_PY_CODEUNIT_SIZE;
    if (lasti < -1 || lasti > 0x7fffffff)
        lasti = -1; /* garbage prev_instr: keep the frame, user space falls back to co_firstlineno */

    slot = &out->frames[count & (FLAMELAB_MAX_PY_FRAMES - 1)];
    slot->code = code;
    slot->first_lineno = first_lineno;
    slot->lasti = (int)lasti;
    slot->group = walk->group;
    slot->flags = is_entry ? FLAMELAB_PY_FRAME_ENTRY : 0;
    out->count = count + 1;
    if (is_entry)
        walk->group++;
    return 0;
}

/* Walks the Python frames of the CURRENT task (thread `tid` of process `tgid`) into `out`, leaf first.
 * Global and __noinline on purpose: the verifier checks it once, not once per call site. */
__noinline int flamelab_py_walk_current(__u32 tgid, __u32 tid, struct flamelab_py_stack *out)
{
    struct flamelab_py_frame_walk walk = {};
    struct flamelab_py_proc *proc;
    __u32 status = FLAMELAB_PY_OK;
    __u64 tstate, cframe;

    if (!out)
        return 0;
    out->count = 0;
    out->status = FLAMELAB_PY_OK;

    proc = bpf_map_lookup_elem(&flamelab_py_procs, &tgid);
    if (!proc) {
        out->status = FLAMELAB_PY_NOT_REGISTERED;
        return 0;
    }
    tstate = flamelab_py_find_tstate(proc->runtime, tid, &status);
    if (!tstate) {
        out->status = status;
        return 0;
    }
    if (bpf_probe_read_user(&cframe, sizeof(cframe), (const void *)(tstate + FLAMELAB_PY_TSTATE_CFRAME)) != 0 ||
        !cframe ||
        bpf_probe_read_user(&walk.frame, sizeof(walk.frame),
                            (const void *)(cframe + FLAMELAB_PY_CFRAME_CURRENT_FRAME)) != 0) {
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
