/*
 * The per-thread trace context a traced process publishes and the flamelab BPF agent reads, in the
 * OpenTelemetry standard record (OTEP 4947, otel_thread_ctx_v1; layout in otel_thread_ctx.h), so
 * that any profiler implementing the standard reads the shop's ids, and flamelab reads any process
 * that publishes them.
 *
 * Why a TLS variable: the BPF side finds it from the sampled task's thread pointer
 * (task->thread.fsbase on x86_64) plus where the agent found the variable in the process's ELF files
 * (Symbolize/TraceContextLocator). Publishing a context is a few plain stores: no syscall, no trap,
 * no map update per request.
 *
 * Publication: the spec's "pointer swap" style. Each thread owns two records; set() fills the one
 * that is not published (valid = 1), then stores its address in otel_thread_ctx_v1; clear() stores
 * NULL. A sample therefore sees either the old record, the new one, or none: never a half-written one.
 *
 * Export: the variable must be in .dynsym. Package.swift's CTraceContext linker settings pass
 * `--export-dynamic-symbol=otel_thread_ctx_v1` to every executable that links this module.
 */
#ifndef FLAMELAB_TRACE_CONTEXT_H
#define FLAMELAB_TRACE_CONTEXT_H

#include "otel_thread_ctx.h"

#ifndef __BPF__
/* The process-level half of the standard (OTEP 4719), which announces the thread contexts. */
#include "otel_process_ctx.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The standard's TLS pointer. Defined in the executable, so the linker relaxes every access to
 * local-exec: a fixed offset from the thread pointer, which the agent computes from the ELF file. */
extern __thread struct otel_thread_ctx_record *otel_thread_ctx_v1;

/// Publish a trace context on the calling thread. `trace_id` is 16 bytes, `span_id` 8 bytes, both in
/// W3C byte order; trace-flags 0.
void flamelab_trace_context_set(const unsigned char *trace_id, const unsigned char *span_id);

/// Like flamelab_trace_context_set, with the W3C trace-flags byte (bit 0: sampled).
void flamelab_trace_context_set_flags(const unsigned char *trace_id, const unsigned char *span_id,
                                      unsigned char trace_flags);

/// Clear the calling thread's trace context (the thread no longer works for a request).
void flamelab_trace_context_clear(void);

/// Copy the calling thread's context out. Returns 1 when a context is active, else 0.
int flamelab_trace_context_get(unsigned char *trace_id_out, unsigned char *span_id_out);

/// The address of the calling thread's otel_thread_ctx_v1 pointer, minus the thread pointer. Tests
/// compare this with the offset the agent derives from the ELF file.
long flamelab_trace_context_tp_offset(void);

#ifdef __cplusplus
}
#endif
#endif /* !__BPF__ */

#endif
