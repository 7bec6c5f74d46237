#include "flamelab_trace_context.h"
#include <string.h>

__thread struct flamelab_trace_context flamelab_trace_context
    __attribute__((tls_model("initial-exec"))) __attribute__((used));

/* The compiler barrier keeps the seqlock order: a sampled thread is interrupted between two
 * instructions, so program order on this CPU is all the BPF reader (running on the same CPU) sees. */
#define FLAMELAB_BARRIER() __asm__ __volatile__("" ::: "memory")

void flamelab_trace_context_set(const unsigned char *trace_id, const unsigned char *span_id) {
    struct flamelab_trace_context *ctx = &flamelab_trace_context;
    ctx->seq += 1;
    FLAMELAB_BARRIER();
    memcpy(ctx->trace_id, trace_id, sizeof ctx->trace_id);
    memcpy(ctx->span_id, span_id, sizeof ctx->span_id);
    ctx->active = 1;
    FLAMELAB_BARRIER();
    ctx->seq += 1;
}

void flamelab_trace_context_clear(void) {
    struct flamelab_trace_context *ctx = &flamelab_trace_context;
    ctx->seq += 1;
    FLAMELAB_BARRIER();
    ctx->active = 0;
    FLAMELAB_BARRIER();
    ctx->seq += 1;
}

int flamelab_trace_context_get(unsigned char *trace_id_out, unsigned char *span_id_out) {
    const struct flamelab_trace_context *ctx = &flamelab_trace_context;
    memcpy(trace_id_out, ctx->trace_id, sizeof ctx->trace_id);
    memcpy(span_id_out, ctx->span_id, sizeof ctx->span_id);
    return ctx->active ? 1 : 0;
}

long flamelab_trace_context_tp_offset(void) {
    unsigned long tp;
    __asm__("mov %%fs:0, %0" : "=r"(tp));
    return (long)((unsigned long)&flamelab_trace_context - tp);
}
