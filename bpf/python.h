/* python.h: the CPython frame walker's data (3.11, 3.12, 3.13), shared by BPF (python_walker.bpf.h) and
 * user space. One BPF program walks every supported version: the offsets travel per process in
 * `struct flamelab_py_proc` (see `struct flamelab_py_offsets`), not as compile-time constants.
 *
 * WHAT THE AGENT MUST DO (the walker's whole contract):
 *  1. Build: `include python.mk` from bpf/Makefile; it generates $(PY_OFFSETS_H) (bpf/.output/
 *     python3XX_layout.h, one per version, from each version's own headers by gen_python_layout.c), which
 *     user space (CPythonProbe) compiles in. The BPF side needs no generated header.
 *  2. BPF: `#include "python_walker.bpf.h"` after vmlinux.h, bpf_helpers.h and bpf_core_read.h. It defines
 *     the maps `flamelab_py_procs` (tgid -> struct flamelab_py_proc) and `flamelab_py_tstates` (LRU tid ->
 *     PyThreadState*). In a perf_event or tp_btf/sched_switch program (the sampled/sleeping task must be
 *     `current`), call `flamelab_walk_python(task, tgid, tid, &event->python)` where `event->python` is a
 *     `struct flamelab_py_stack` inside a map value or a ring-buffer reservation (not on the BPF stack:
 *     it is ~1.5 KiB). It returns the number of frames written; `status` says why there are none.
 *  3. User space, per profiled process (at start, and for processes that appear in whole-system mode):
 *     `PythonProcessInfo.inspect(pid:)` (Swift, module Symbolize). For `.supported(info)` write
 *     `struct flamelab_py_proc { .runtime = info.runtimeAddress, .offsets = info.walkerOffsets }` under
 *     key tgid into `flamelab_py_procs`
 *     BEFORE attaching (or any time: samples before it carry FLAMELAB_PY_NOT_REGISTERED). For
 *     `.unsupported(_, message)` print the message once and record native frames only. Delete the key when
 *     the process exits.
 *  4. Per sample (user space): convert `frames[0..<count]` to
 *     `PythonRawFrame(code: f.code, firstLineNumber: f.first_lineno, lasti: f.lasti, group: f.group)`.
 *     Keep ONE `PythonFrameResolver` per run; call `register(info)` for each supported process (enables the
 *     ob_type validation), then `resolveGrouped(pid:frames:)` WHILE THE PROCESS IS ALIVE (drain the ring
 *     buffer as you go; the cache keeps names after exit). Then `PythonStackMerger.merge(native:python:)`
 *     with the symbolized native stack, leaf first: Python frames land leafward of their
 *     `_PyEval_EvalFrameDefault` (exported in .dynsym of libpython3.1x and of Debian's python3.11).
 *     Report per run: counts of each `status`, `resolver.statistics`, `merger.statistics`.
 *  5. Off-CPU: on a non-preemptible kernel a thread preempted on its way back to user space passes through
 *     schedule() with preempt == false, so also require prev->__state != TASK_RUNNING for "blocked".
 *
 * Groups: 3.11 runs Python->Python calls inside one _PyEval_EvalFrameDefault. Frames are numbered leaf
 * first; `group` k (0-based) means "belongs to the k-th _PyEval_EvalFrameDefault counted from the leaf".
 * A group ends at a frame whose `is_entry` is set (3.11), or at the frame just leafward of a C-stack shim
 * frame (3.12+, owner FRAME_OWNED_BY_CSTACK; the shim itself is not emitted): FLAMELAB_PY_FRAME_ENTRY.
 *
 * Only plain fixed-width C types here: this header is included by BPF code (after vmlinux.h) and by C
 * shims in user space alike. */
#ifndef FLAMELAB_PYTHON_H
#define FLAMELAB_PYTHON_H

/* Power of two: the walker masks frame indices with (FLAMELAB_MAX_PY_FRAMES - 1) for the verifier. */
#define FLAMELAB_MAX_PY_FRAMES 64
/* Bound on PyThreadState list entries visited to find the sampled thread (all interpreters together). */
#define FLAMELAB_MAX_PY_THREADS 256
/* Capacity of the per-tgid registration map. */
#define FLAMELAB_MAX_PY_PROCS 1024

/* Why a sample has no (or only part of its) Python frames. */
enum flamelab_py_status {
    FLAMELAB_PY_OK = 0,               /* frames are complete (count may be 0: the thread runs no Python) */
    FLAMELAB_PY_NOT_REGISTERED = 1,   /* tgid not in flamelab_py_procs: not a supported Python process */
    FLAMELAB_PY_NO_THREAD_STATE = 2,  /* no PyThreadState has native_thread_id == tid (a native thread) */
    FLAMELAB_PY_READ_RUNTIME = 3,     /* failed to read _PyRuntime (wrong address registered?) */
    FLAMELAB_PY_READ_THREAD = 4,      /* failed to read a PyThreadState or its _PyCFrame (3.11, 3.12) */
    FLAMELAB_PY_READ_FRAME = 5,       /* failed to read a _PyInterpreterFrame or its code object */
    FLAMELAB_PY_TRUNCATED = 6,        /* more than FLAMELAB_MAX_PY_FRAMES frames: the root ones are lost */
    FLAMELAB_PY_THREADS_EXHAUSTED = 7, /* thread list longer than FLAMELAB_MAX_PY_THREADS */
    FLAMELAB_PY_BAD_ARGUMENT = 8,     /* out was NULL */
};

/* A field the interpreter's version does not have (flamelab_py_offsets). */
#define FLAMELAB_PY_ABSENT 0xffffffffu

/* Where the walker finds things in one interpreter version (bytes). Filled in user space from the
 * build-time tables (gen_python_layout.c, per version) or, for 3.13+, from the interpreter's own
 * _Py_DebugOffsets; field names match `flamelab_py_layout` in Sources/CPythonProbe. */
struct flamelab_py_offsets {
    unsigned int runtime_tstate_current;    /* _PyRuntime.gilstate.tstate_current (3.11); ABSENT from 3.12 */
    unsigned int runtime_interpreters_head; /* _PyRuntime.interpreters.head */
    unsigned int interp_next;               /* PyInterpreterState.next */
    unsigned int interp_threads_head;       /* PyInterpreterState.threads.head */
    unsigned int tstate_next;               /* PyThreadState.next */
    unsigned int tstate_native_thread_id;   /* PyThreadState.native_thread_id (kernel tid) */
    unsigned int tstate_frame;              /* PyThreadState.cframe (3.11, 3.12) or .current_frame (3.13) */
    unsigned int cframe_current_frame;      /* _PyCFrame.current_frame; ABSENT: tstate_frame is the frame */
    unsigned int frame_code;                /* _PyInterpreterFrame.f_code, or .f_executable (3.13) */
    unsigned int frame_instr;               /* .prev_instr (3.11, 3.12) or .instr_ptr (3.13) */
    unsigned int frame_previous;            /* .previous */
    unsigned int frame_owner;               /* .owner (char) */
    unsigned int frame_is_entry;            /* .is_entry (bool, 3.11); ABSENT from 3.12 */
    unsigned int frame_owner_cstack;        /* value of FRAME_OWNED_BY_CSTACK (3.12+); ABSENT in 3.11 */
    unsigned int code_firstlineno;          /* PyCodeObject.co_firstlineno (int) */
    unsigned int code_code_adaptive;        /* PyCodeObject.co_code_adaptive (first code unit) */
    unsigned int code_unit_size;            /* sizeof(_Py_CODEUNIT) */
    unsigned int version_hex;               /* PY_VERSION_HEX of the layout's headers (for diagnostics) */
};

/* Value of flamelab_py_procs[tgid], written by the agent from PythonProcessInfo. */
struct flamelab_py_proc {
    unsigned long long runtime;       /* run-time address of _PyRuntime in that process */
    unsigned long long reserved;      /* 0 */
    struct flamelab_py_offsets offsets;
};

/* flamelab_py_frame.flags */
#define FLAMELAB_PY_FRAME_ENTRY 1u    /* the rootmost Python frame of its eval-loop group */

/* One Python frame as read from the interpreter's frame chain. */
struct flamelab_py_frame {
    unsigned long long code;          /* PyCodeObject* (key for names; validated in user space) */
    int first_lineno;                 /* co_firstlineno, part of the validation key */
    int lasti;                        /* code units since co_code_adaptive (prev_instr, 3.13 instr_ptr);
                                         -1: not started */
    unsigned int group;               /* 0-based index of its _PyEval_EvalFrameDefault from the leaf */
    unsigned int flags;               /* FLAMELAB_PY_FRAME_* */
};

/* The Python stack of one sample, leaf first. count == 0: no Python frames (see status). */
struct flamelab_py_stack {
    unsigned int count;
    unsigned int status;              /* enum flamelab_py_status */
    struct flamelab_py_frame frames[FLAMELAB_MAX_PY_FRAMES];
};

#endif
