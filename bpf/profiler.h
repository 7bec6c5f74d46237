/*
 * flamelab profiler: the structures shared by profiler.bpf.c and the Swift agent (through CBPF).
 * This is the ONE definition of the event layout. Plain C types only, so that BPF code (vmlinux.h)
 * and user code include it unchanged.
 */
#ifndef FLAMELAB_PROFILER_H
#define FLAMELAB_PROFILER_H

#include "python.h"
#include "swift_async.h"

/* Frames per kernel or user stack (bpf_get_stack; the kernel's default perf_event_max_stack). */
#define FLAMELAB_MAX_STACK_DEPTH 127
/* Bytes of user stack copied from the stack pointer up for DWARF unwinding. */
#define FLAMELAB_STACK_DUMP_SIZE 16384
/* The copy is made in aligned chunks: a chunk never straddles a page, so a read stops at the end of
 * the stack mapping without losing the valid bytes before it. Must divide 4096. */
#define FLAMELAB_STACK_CHUNK 1024
/* x86_64 registers in DWARF order: rax rdx rcx rbx rsi rdi rbp rsp r8..r15 rip. */
#define FLAMELAB_DWARF_REGS 17
/* Indices into regs[] of the registers the user side reads by name. */
enum flamelab_dwarf_register {
    FLAMELAB_REG_RBP = 6,
    FLAMELAB_REG_RSP = 7,
    FLAMELAB_REG_RIP = 16,
};

enum flamelab_event_kind {
    FLAMELAB_EVENT_CPU = 1,    /* one CPU sample; value = 1 */
    FLAMELAB_EVENT_OFFCPU = 2, /* one blocked interval; value = nanoseconds off CPU */
    FLAMELAB_EVENT_FAULT = 3,  /* one sampled page fault; value = the faults it stands for (the event's period) */
};

enum flamelab_event_flag {
    FLAMELAB_FLAG_TRACE_CONTEXT = 1 << 0, /* trace_id/span_id hold an active context */
    FLAMELAB_FLAG_TORN_CONTEXT = 1 << 1,  /* a context pointer to an unreadable or invalid record: ids dropped */
    FLAMELAB_FLAG_USER_REGS = 1 << 2,     /* regs[] and stack_dump[] hold the user state */
    FLAMELAB_FLAG_KERNEL_THREAD = 1 << 3, /* no user space */
    FLAMELAB_FLAG_BOUNDED_STACK = 1 << 4, /* stack_dump stops at the frame record rbp points to (auto) */
};

/* flamelab_settings.copy_user_stack: how much user stack a sample copies. */
enum flamelab_stack_copy {
    FLAMELAB_STACK_COPY_NONE = 0,    /* fp: the frame-pointer walk only */
    FLAMELAB_STACK_COPY_FULL = 1,    /* dwarf: FLAMELAB_STACK_DUMP_SIZE bytes from sp */
    /* auto: from sp through the frame record rbp points to, when rbp is a plausible frame pointer
     * (above sp, within the dump size) and the process is not in flamelab_full_stack; else full.
     * Enough for DWARF to unwind the frameless frames at the leaf (glibc) up to the first frame
     * that keeps its frame pointer, from where the frame-pointer walk is right. */
    FLAMELAB_STACK_COPY_BOUNDED = 2,
};

/* Indices of the per-CPU counter array `flamelab_counters`. */
enum flamelab_counter {
    FLAMELAB_COUNTER_CPU_SAMPLES = 0,      /* CPU samples emitted */
    FLAMELAB_COUNTER_OFFCPU_SAMPLES = 1,   /* off-CPU intervals emitted */
    FLAMELAB_COUNTER_RINGBUF_DROPS = 2,    /* events lost: ring buffer full */
    FLAMELAB_COUNTER_OFFCPU_MAP_FULL = 3,  /* switch-outs not recorded: start map full */
    FLAMELAB_COUNTER_TORN_CONTEXT = 4,     /* context records unreadable or not valid (ids dropped) */
    FLAMELAB_COUNTER_STACK_COPY_FAILS = 5, /* user stack copies that got no byte */
    FLAMELAB_COUNTER_OFFCPU_SHORT = 6,     /* blocks shorter than min_block_ns (not emitted) */
    FLAMELAB_COUNTER_FAULT_SAMPLES = 7,    /* page-fault samples emitted */
    FLAMELAB_COUNTER_COUNT = 8,            /* the number of counters above */
};

/* Run settings, set by the agent in .rodata before load. */
struct flamelab_settings {
    unsigned int filter_pids;      /* 1: only tgids present in flamelab_targets; 0: whole system */
    unsigned int copy_user_stack;  /* enum flamelab_stack_copy: regs + stack for DWARF unwinding */
    unsigned int python;           /* 1: walk CPython frames (processes in the Python map) */
    unsigned int trace_context;    /* 1: read the trace context (processes in flamelab_tls_offsets) */
    unsigned long long min_block_ns; /* off-CPU intervals shorter than this are counted, not emitted */
    unsigned int swift_async;      /* 1: read Swift async callers (processes in flamelab_swift_async_procs) */
};

/* Bytes of the variable part of an event, at most: the stack copy (plus one chunk of slack, so that the
 * verifier can prove every chunk write in bounds), then the kernel and user stacks, the CPython frames and
 * the Swift async callers, each only as long as it is. */
#define FLAMELAB_STACK_BYTES (FLAMELAB_MAX_STACK_DEPTH * 8)
#define FLAMELAB_PY_STACK_BYTES (FLAMELAB_MAX_PY_FRAMES * 24)
#define FLAMELAB_SWIFT_ASYNC_BYTES (FLAMELAB_MAX_SWIFT_ASYNC_FRAMES * 8)
#define FLAMELAB_EVENT_DATA_SIZE (FLAMELAB_STACK_DUMP_SIZE + FLAMELAB_STACK_CHUNK + 2 * FLAMELAB_STACK_BYTES + \
                                  FLAMELAB_PY_STACK_BYTES + FLAMELAB_SWIFT_ASYNC_BYTES)

/* One event. The ring buffer receives a variable-length prefix of it: the fixed header (everything up
 * to `data`), then `data_bytes` bytes of data[], which hold, in this order and each only as long as it
 * is: stack_dump_bytes of user stack, kstack_bytes of kernel return addresses, ustack_bytes of user
 * return addresses, py_count CPython frames (struct flamelab_py_frame) and swift_async_count resume
 * addresses. A sample of a shallow frame-pointer stack is a few hundred bytes, where the fixed layout
 * it replaced was ~4.5 KiB. Everything after data[] is the BPF programs' work area, never sent. */
struct flamelab_event {
    unsigned int kind;  /* enum flamelab_event_kind */
    unsigned int pid;   /* tgid */
    unsigned int tid;
    unsigned int cpu;
    unsigned long long time_ns; /* bpf_ktime_get_ns: the sample, or the end of the blocked interval */
    unsigned long long value;   /* 1 (cpu) or blocked nanoseconds (offcpu) */
    unsigned int flags;         /* enum flamelab_event_flag */
    int kstack_bytes;           /* bpf_get_stack result: bytes of kernel stack in data[], or a negative error */
    int ustack_bytes;           /* same for the user stack */
    unsigned int stack_dump_bytes;
    unsigned int py_count;      /* CPython frames in data[] */
    unsigned int py_status;     /* enum flamelab_py_status */
    unsigned int swift_async_count;  /* resume addresses in data[] */
    unsigned int swift_async_status; /* enum flamelab_swift_async_status */
    unsigned long long swift_async_funclet_pc;
    unsigned int data_bytes;    /* bytes of data[] sent */
    unsigned int reserved;
    unsigned char trace_id[16];
    unsigned char span_id[8];
    char comm[16];
    unsigned long long regs[FLAMELAB_DWARF_REGS];
    unsigned char data[FLAMELAB_EVENT_DATA_SIZE];
    /* Work area: where bpf_get_stack and the walkers write before the used part is packed into data[]. */
    unsigned long long kstack[FLAMELAB_MAX_STACK_DEPTH];
    unsigned long long ustack[FLAMELAB_MAX_STACK_DEPTH];
    struct flamelab_py_stack py;
    struct flamelab_swift_async_stack swift_async;
};

_Static_assert(sizeof(struct flamelab_py_frame) * FLAMELAB_MAX_PY_FRAMES == FLAMELAB_PY_STACK_BYTES,
               "FLAMELAB_PY_STACK_BYTES must be the walker's frame array");

#endif
