/*
 * Reading a thread's OpenTelemetry thread context (OTEP 4947) from BPF, for the programs that label
 * their events with trace ids. Static inline functions only: the including object owns its maps
 * (flamelab_tls_offsets) and its counters. Include after vmlinux.h, bpf_helpers.h, bpf_core_read.h,
 * flamelab_trace_context.h and thread_context.h.
 * profiler.bpf.c and memory.bpf.c use it.
 */
#ifndef FLAMELAB_THREAD_CONTEXT_READER_BPF_H
#define FLAMELAB_THREAD_CONTEXT_READER_BPF_H

/* The address of the thread's otel_thread_ctx_v1 pointer, or 0 when this thread has none (its DTV
 * slot for the library is not allocated: the thread never touched the variable). */
static __always_inline __u64 thread_context_address(const struct flamelab_tls_location *where, __u64 fsbase)
{
    __u64 dtv, slots, block;

    if (where->kind == FLAMELAB_TLS_STATIC)
        return fsbase + where->tp_offset;
    if (where->kind != FLAMELAB_TLS_DTV)
        return 0;
    if (bpf_probe_read_user(&dtv, sizeof(dtv), (void *)(fsbase + FLAMELAB_GLIBC_DTV_OFFSET)) || !dtv)
        return 0;
    /* A thread whose DTV predates the library's dlopen has fewer slots: nothing to read there. */
    if (bpf_probe_read_user(&slots, sizeof(slots), (void *)(dtv - FLAMELAB_GLIBC_DTV_ENTRY_SIZE)))
        return 0;
    if (where->module_id == 0 || where->module_id > slots)
        return 0;
    if (bpf_probe_read_user(&block, sizeof(block), (void *)(dtv + where->module_id * FLAMELAB_GLIBC_DTV_ENTRY_SIZE)))
        return 0;
    if (!block || block == FLAMELAB_GLIBC_DTV_UNALLOCATED)
        return 0;
    return block + where->offset;
}

/* Reads the task's OpenTelemetry thread context (OTEP 4947): the TLS pointer, then the record it
 * points to. NULL means no context. A non-NULL pointer whose record cannot be read, or whose `valid`
 * byte is not 1, is dropped and counted as torn (the spec has no torn state: a reader that
 * interrupts a fixed-record writer sees valid = 0 and reports no context). */

enum flamelab_thread_context_result {
    FLAMELAB_THREAD_CONTEXT_NONE = 0,  /* no context published (or not readable from here) */
    FLAMELAB_THREAD_CONTEXT_FOUND = 1, /* trace_id/span_id filled */
    FLAMELAB_THREAD_CONTEXT_TORN = 2,  /* a pointer to an unreadable record, or valid != 1: ids dropped */
};

/* Reads the current task's context record located by `where` into trace_id (16 bytes) and span_id (8). */
static __always_inline int flamelab_read_thread_context(const struct flamelab_tls_location *where, struct task_struct *task,
                                                        unsigned char *trace_id, unsigned char *span_id)
{
    struct otel_thread_ctx_record record;
    __u64 fsbase, address, pointer = 0;

    fsbase = BPF_CORE_READ(task, thread.fsbase);
    if (!fsbase)
        return FLAMELAB_THREAD_CONTEXT_NONE;
    address = thread_context_address(where, fsbase);
    if (!address || bpf_probe_read_user(&pointer, sizeof(pointer), (void *)address) || !pointer)
        return FLAMELAB_THREAD_CONTEXT_NONE;
    if (bpf_probe_read_user(&record, sizeof(record), (void *)pointer) || record.valid != OTEL_THREAD_CTX_VALID)
        return FLAMELAB_THREAD_CONTEXT_TORN;
    __builtin_memcpy(trace_id, record.trace_id, 16);
    __builtin_memcpy(span_id, record.span_id, 8);
    return FLAMELAB_THREAD_CONTEXT_FOUND;
}

#endif
