#include "flamelab_trace_context.h"
#include <string.h>

/* Default visibility and `used`: the symbol must survive into .dynsym (see the linker flag). */
__attribute__((visibility("default"), used))
__thread struct otel_thread_ctx_record *otel_thread_ctx_v1 = 0;

/* The two records of this thread: the published one and the next one. */
static __thread struct otel_thread_ctx_record flamelab_records[2];

/* A compiler fence: a sampled thread is interrupted between two instructions, so program order on
 * this CPU is all the BPF reader sees (the spec's "signal handler-like semantics"). */
#define FLAMELAB_BARRIER() __asm__ __volatile__("" ::: "memory")

void flamelab_trace_context_set_flags(const unsigned char *trace_id, const unsigned char *span_id,
                                      unsigned char trace_flags) {
    struct otel_thread_ctx_record *next =
        otel_thread_ctx_v1 == &flamelab_records[0] ? &flamelab_records[1] : &flamelab_records[0];
    memcpy(next->trace_id, trace_id, sizeof next->trace_id);
    memcpy(next->span_id, span_id, sizeof next->span_id);
    next->trace_flags = trace_flags;
    next->attrs_data_size = 0;
    next->valid = OTEL_THREAD_CTX_VALID;
    FLAMELAB_BARRIER();
    otel_thread_ctx_v1 = next;
}

void flamelab_trace_context_set(const unsigned char *trace_id, const unsigned char *span_id) {
    flamelab_trace_context_set_flags(trace_id, span_id, 0);
}

void flamelab_trace_context_clear(void) {
    otel_thread_ctx_v1 = 0;
}

int flamelab_trace_context_get(unsigned char *trace_id_out, unsigned char *span_id_out) {
    const struct otel_thread_ctx_record *record = otel_thread_ctx_v1;
    if (!record || record->valid != OTEL_THREAD_CTX_VALID) {
        memset(trace_id_out, 0, 16);
        memset(span_id_out, 0, 8);
        return 0;
    }
    memcpy(trace_id_out, record->trace_id, sizeof record->trace_id);
    memcpy(span_id_out, record->span_id, sizeof record->span_id);
    return 1;
}

long flamelab_trace_context_tp_offset(void) {
    unsigned long tp;
    __asm__("mov %%fs:0, %0" : "=r"(tp));
    return (long)((unsigned long)&otel_thread_ctx_v1 - tp);
}
