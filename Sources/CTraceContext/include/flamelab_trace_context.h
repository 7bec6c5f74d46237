/*
 * The per-thread trace context that a traced process publishes and the flamelab BPF agent reads.
 *
 * This is the ONE definition of the layout: the service includes it through the CTraceContext
 * module, and the bpf programs include it with -I Sources/CTraceContext/include.
 *
 * Why a TLS variable: the BPF side finds it from the sampled task's thread pointer
 * (task->thread.fsbase on x86_64) plus a per-executable offset that the agent computes from the
 * ELF file (symbol FLAMELAB_TRACE_CONTEXT_SYMBOL, type STT_TLS, and the PT_TLS segment). Publishing a
 * context is therefore a few plain stores: no syscall, no trap, no map update per request.
 *
 * Consistency: `seq` is a seqlock counter. The writer makes it odd, writes the ids, makes it even.
 * A reader that sees an odd `seq` interrupted a write and must discard the ids (count it as torn).
 */
#ifndef FLAMELAB_TRACE_CONTEXT_H
#define FLAMELAB_TRACE_CONTEXT_H

/* Plain C types only, so that BPF code (vmlinux.h) and user code share this header unchanged. */

#define FLAMELAB_TRACE_CONTEXT_SYMBOL "flamelab_trace_context"

struct flamelab_trace_context {
    /* Odd while a write is in progress; even otherwise. */
    unsigned long long seq;
    /* 1 while a request's context is published on this thread, 0 after it is cleared. */
    unsigned long long active;
    /* W3C trace-id (16 bytes) and parent/span id (8 bytes), as raw bytes. */
    unsigned char trace_id[16];
    unsigned char span_id[8];
};

#ifndef __BPF__
#ifdef __cplusplus
extern "C" {
#endif

/* Initial-exec keeps the variable in the executable's static TLS block at a fixed offset from the
 * thread pointer, which is what the agent computes from the ELF file. */
extern __thread struct flamelab_trace_context flamelab_trace_context
    __attribute__((tls_model("initial-exec")));

/// Publish a trace context on the calling thread. `trace_id` is 16 bytes, `span_id` 8 bytes.
void flamelab_trace_context_set(const unsigned char *trace_id, const unsigned char *span_id);

/// Clear the calling thread's trace context (the thread no longer works for a request).
void flamelab_trace_context_clear(void);

/// Copy the calling thread's context out. Returns 1 when a context is active, else 0.
int flamelab_trace_context_get(unsigned char *trace_id_out, unsigned char *span_id_out);

/// The address of the calling thread's context, minus the thread pointer. Tests compare this with
/// the offset the agent derives from the ELF file.
long flamelab_trace_context_tp_offset(void);

#ifdef __cplusplus
}
#endif
#endif /* !__BPF__ */

#endif
