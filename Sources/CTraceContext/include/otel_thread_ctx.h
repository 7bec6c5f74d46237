/*
 * The OpenTelemetry thread-local context record, OTEP 4947 "Thread Context" (otel_thread_ctx_v1).
 *
 * This is the ONE definition of the record layout in flamelab: the writer (trace_context.c) and the
 * BPF reader (bpf/profiler.bpf.c, through -I Sources/CTraceContext/include) both include it.
 *
 * What the spec fixes (docs/research/swift-async-otel.md, 2.2-2.4):
 * - the TLS variable `otel_thread_ctx_v1` is a thread-local POINTER to the thread's active record
 *   (NULL = no context), exported as an STT_TLS symbol in .dynsym;
 * - the record is byte-packed, host endian: trace-id (16, W3C byte order), span-id (8), valid (1;
 *   only the value 1 means valid), trace-flags (1, W3C), attrs-data-size (u16), then attrs-data;
 * - a reader reads only while the thread is stopped (a BPF sample), so a writer needs compiler fences,
 *   not CPU barriers.
 */
#ifndef OTEL_THREAD_CTX_H
#define OTEL_THREAD_CTX_H

/* Plain C types only, so that BPF code (vmlinux.h) and user code share this header unchanged. */

#define OTEL_THREAD_CTX_SYMBOL "otel_thread_ctx_v1"
/* The header's size: the offset of attrs-data. */
#define OTEL_THREAD_CTX_HEADER_SIZE 28
/* The only value of `valid` that means "the record may be read". */
#define OTEL_THREAD_CTX_VALID 1

struct otel_thread_ctx_record {
    unsigned char trace_id[16];    /* W3C trace-id bytes; all zero = none */
    unsigned char span_id[8];      /* W3C span-id bytes */
    unsigned char valid;           /* 1 = valid, anything else = do not use */
    unsigned char trace_flags;     /* W3C trace-flags (bit 0: sampled) */
    unsigned short attrs_data_size; /* bytes of attrs-data after the header */
    /* attrs-data follows: entries of {u8 key index, u8 length, length bytes of UTF-8}. flamelab
     * publishes none (no process context, hence no key map); readers may find some. */
} __attribute__((packed));

_Static_assert(sizeof(struct otel_thread_ctx_record) == OTEL_THREAD_CTX_HEADER_SIZE,
               "OTEP 4947: the record header is 28 bytes");
_Static_assert(__builtin_offsetof(struct otel_thread_ctx_record, valid) == 24, "OTEP 4947: valid at 24");
_Static_assert(__builtin_offsetof(struct otel_thread_ctx_record, trace_flags) == 25, "OTEP 4947: trace-flags at 25");
_Static_assert(__builtin_offsetof(struct otel_thread_ctx_record, attrs_data_size) == 26, "OTEP 4947: attrs-data-size at 26");

#endif
