/*
 * OpenTelemetry process context (OTEP 4719), the process-level half of the thread-context standard:
 * OTEP 4947 readers look for `threadlocal.schema_version` here before they trust otel_thread_ctx_v1.
 *
 * A mapping named OTEL_CTX (a memfd, else an anonymous mapping named with prctl) starts with this
 * 32-byte header; the payload (protobuf `ProcessContext { Resource resource = 1; repeated KeyValue
 * attributes = 2; }`, OTLP's Resource/KeyValue) follows it in the same mapping. The signature is
 * written last; `monotonic_published_at_ns` (CLOCK_BOOTTIME) is 0 while an update is in progress.
 */
#ifndef OTEL_PROCESS_CTX_H
#define OTEL_PROCESS_CTX_H

#define OTEL_PROCESS_CTX_SIGNATURE "OTEL_CTX"
#define OTEL_PROCESS_CTX_VERSION 2
/* The schema of this process's thread-context records (OTEP 4947's development name; the spec says
 * it becomes `tls_v1` later, and readers accept both). */
#define OTEL_THREAD_CTX_SCHEMA_VERSION "tlsdesc_v1_dev"

struct otel_process_ctx_header {
    char signature[8];                          /* "OTEL_CTX", not NUL-terminated, written last */
    unsigned int version;                       /* 2 */
    unsigned int payload_size;                  /* bytes of protobuf at `payload` */
    unsigned long long monotonic_published_at_ns; /* CLOCK_BOOTTIME; 0 = being updated */
    unsigned long long payload;                 /* address of the payload in this process */
};

_Static_assert(sizeof(struct otel_process_ctx_header) == 32, "OTEP 4719: the header is 32 bytes");

#ifdef __cplusplus
extern "C" {
#endif

/// Publishes (or, when already published, updates) this process's context: resource attribute
/// `service.name`, and the thread-context attributes `threadlocal.schema_version` and an empty
/// `threadlocal.attribute_key_map` (flamelab's records carry no attributes). Returns 0, or -1 with
/// errno set when no mapping could be made.
int flamelab_process_context_publish(const char *service_name);

/// The header's address, NULL before the first publish. Tests read it back.
const struct otel_process_ctx_header *flamelab_process_context_header(void);

#ifdef __cplusplus
}
#endif

#endif
