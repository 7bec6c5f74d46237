/*
 * flamelab memory profiles: the layout shared by bpf/memory.bpf.c and the Swift agent (through CBPF).
 * Plain C types only, so that BPF code (vmlinux.h) and user code include it unchanged.
 *
 * uprobes on the target's libc allocator decide in BPF, by Poisson byte sampling, which allocations
 * to report: a per-CPU countdown of bytes drawn from an exponential distribution of mean `rate_bytes`
 * (Go's MemProfileRate, jemalloc's lg_prof_sample). An allocation of s bytes is then reported with
 * probability 1 - exp(-s / rate_bytes); user space weights it back (s / p bytes, 1 / p objects).
 */
#ifndef FLAMELAB_MEMORY_H
#define FLAMELAB_MEMORY_H

#include "python.h"

/* Frames per user stack (bpf_get_stack; the kernel's default perf_event_max_stack). */
#define FLAMELAB_MEM_MAX_STACK_DEPTH 127
/* Entries of the exponential quantile table: -ln((i + 0.5) / N) scaled by 2^16. Power of two. */
#define FLAMELAB_MEM_EXP_TABLE_SIZE 1024
#define FLAMELAB_MEM_EXP_SHIFT 16

/* Which allocator function an allocation came through (the leaf frame user space names). */
enum flamelab_mem_allocator {
    FLAMELAB_MEM_MALLOC = 1,
    FLAMELAB_MEM_CALLOC = 2,
    FLAMELAB_MEM_REALLOC = 3,
    FLAMELAB_MEM_POSIX_MEMALIGN = 4,
    FLAMELAB_MEM_ALIGNED_ALLOC = 5,
};

enum flamelab_mem_event_kind {
    FLAMELAB_MEM_EVENT_ALLOC = 1, /* struct flamelab_mem_alloc_event: one sampled allocation */
    FLAMELAB_MEM_EVENT_FREE = 2,  /* struct flamelab_mem_free_event: a tracked (sampled) address freed */
};

enum flamelab_mem_flag {
    /* The address is in flamelab_mem_live: a free of it will be reported. Not set in alloc-only
     * runs (no address), nor when the live map was full (counted). */
    FLAMELAB_MEM_FLAG_TRACKED = 1 << 0,
    /* trace_id/span_id hold the thread's OpenTelemetry context (OTEP 4947) at the allocation. */
    FLAMELAB_MEM_FLAG_TRACE_CONTEXT = 1 << 1,
    /* A context pointer to an unreadable or invalid record: ids dropped. */
    FLAMELAB_MEM_FLAG_TORN_CONTEXT = 1 << 2,
};

/* Indices of the per-CPU counter array `flamelab_mem_counters`. */
enum flamelab_mem_counter {
    FLAMELAB_MEM_COUNTER_CALLS = 0,          /* allocator calls seen (entry probes) */
    FLAMELAB_MEM_COUNTER_SAMPLED = 1,        /* allocations sampled */
    FLAMELAB_MEM_COUNTER_RINGBUF_DROPS = 2,  /* events lost: ring buffer full */
    FLAMELAB_MEM_COUNTER_LIVE_MAP_FULL = 3,  /* sampled allocations not tracked for in-use: live map full */
    FLAMELAB_MEM_COUNTER_PENDING_FULL = 4,   /* sampled calls lost between entry and return: pending map full */
    FLAMELAB_MEM_COUNTER_FREES = 5,          /* frees of tracked addresses */
    FLAMELAB_MEM_COUNTER_FAILED = 6,         /* sampled calls that returned no memory */
    FLAMELAB_MEM_COUNTER_COUNT = 7,
};

/* Run settings, set by the agent in .rodata before load. */
struct flamelab_mem_settings {
    unsigned long long rate_bytes; /* mean bytes between samples */
    unsigned int inuse;            /* 1: return probes + free: addresses tracked (in-use profile) */
    unsigned int python;           /* 1: walk CPython frames (processes in flamelab_py_procs, shared with the profiler) */
    /* The exponential draw: the next countdown is rate_bytes * exp_table[random & (N - 1)] >> 16. */
    unsigned int exp_table[FLAMELAB_MEM_EXP_TABLE_SIZE];
};

/* One sampled allocation: the whole struct with Python frames, else its first
 * FLAMELAB_MEM_ALLOC_NATIVE_SIZE bytes (everything before `py`). */
struct flamelab_mem_alloc_event {
    unsigned int kind;      /* FLAMELAB_MEM_EVENT_ALLOC */
    unsigned int pid;       /* tgid */
    unsigned int tid;
    unsigned int allocator; /* enum flamelab_mem_allocator */
    unsigned long long time_ns;  /* bpf_ktime_get_ns */
    unsigned long long size;     /* requested bytes (calloc: count x size) */
    unsigned long long address;  /* returned address (0 in alloc-only runs) */
    unsigned int flags;          /* enum flamelab_mem_flag */
    int ustack_bytes;            /* bytes in ustack, or a negative error */
    unsigned char trace_id[16];  /* with FLAMELAB_MEM_FLAG_TRACE_CONTEXT */
    unsigned char span_id[8];
    /* User return addresses, the allocator's CALLER first (the allocator's own frame is not in it). */
    unsigned long long ustack[FLAMELAB_MEM_MAX_STACK_DEPTH];
    struct flamelab_py_stack py; /* CPython frames of the allocating thread (python_walker.bpf.h) */
};

/* The size of an alloc event without Python frames: what processes unknown to the Python walker send. */
#define FLAMELAB_MEM_ALLOC_NATIVE_SIZE __builtin_offsetof(struct flamelab_mem_alloc_event, py)

/* A tracked allocation freed (free, or the old block of a realloc). */
struct flamelab_mem_free_event {
    unsigned int kind; /* FLAMELAB_MEM_EVENT_FREE */
    unsigned int pid;
    unsigned long long time_ns;
    unsigned long long address;
};

/* Key of flamelab_mem_live: addresses are per process. */
struct flamelab_mem_live_key {
    unsigned long long address;
    unsigned int pid;
    unsigned int reserved;
};

#endif
