/*
 * Where a process's OpenTelemetry thread-context pointer (otel_thread_ctx_v1, OTEP 4947) lives, as
 * the agent found it in the process's ELF files (Symbolize/TraceContextLocator) and hands it to BPF
 * in the map flamelab_tls_offsets (key: tgid). Shared by bpf/profiler.bpf.c and the Swift agent
 * (through CBPF), so plain C types only.
 *
 * The spec lets the variable live in the executable or in any shared library, with any TLS access
 * model but local-dynamic. Two ways to reach it from the sampled thread's pointer (x86_64 fsbase):
 *
 * - STATIC: the variable is in the static TLS block (the executable's own TLS, local-exec or
 *   initial-exec; a library loaded at start-up, initial-exec or TLSDESC resolved to a static offset).
 *   Address = fsbase + tp_offset (tp_offset < 0: x86_64 is TLS variant II, blocks below the TP).
 * - DTV: a library whose TLS is dynamic (dlopen'ed; general-dynamic or TLSDESC through the DTV).
 *   Address = dtv[module_id].val + offset, where dtv = the word at fsbase + FLAMELAB_GLIBC_DTV_OFFSET.
 */
#ifndef FLAMELAB_THREAD_CONTEXT_H
#define FLAMELAB_THREAD_CONTEXT_H

enum flamelab_tls_kind {
    FLAMELAB_TLS_STATIC = 1, /* fsbase + tp_offset */
    FLAMELAB_TLS_DTV = 2,    /* dtv[module_id] + offset */
};

/* glibc x86_64 (checked against glibc 2.36; the ABI of tcbhead_t and dtv_t, unchanged since 2.x):
 * tcbhead_t starts at the thread pointer as { void *tcb; dtv_t *dtv; void *self; ... }, so the DTV
 * pointer is the word at fsbase + 8. dtv_t is a 16-byte union { size_t counter; { void *val;
 * void *to_free; } pointer; }; tcb->dtv points at entry 0 (the generation), entry -1 holds the
 * number of module slots, and module ids start at 1. An entry not yet allocated in this thread
 * holds (void *)-1 (TLS_DTV_UNALLOCATED). musl differs (8-byte entries): not supported. */
#define FLAMELAB_GLIBC_DTV_OFFSET 8
#define FLAMELAB_GLIBC_DTV_ENTRY_SIZE 16
#define FLAMELAB_GLIBC_DTV_UNALLOCATED (~0ULL)

/* The value of flamelab_tls_offsets. */
struct flamelab_tls_location {
    unsigned int kind;            /* enum flamelab_tls_kind */
    unsigned int reserved;
    long long tp_offset;          /* STATIC: variable address - thread pointer */
    unsigned long long module_id; /* DTV: the library's TLS module id (>= 1) */
    unsigned long long offset;    /* DTV: the variable's offset in the library's TLS block */
};

#endif
