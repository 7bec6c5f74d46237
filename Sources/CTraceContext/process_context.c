#define _GNU_SOURCE
#include "otel_process_ctx.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#ifndef PR_SET_VMA
#define PR_SET_VMA 0x53564d41
#endif
#ifndef PR_SET_VMA_ANON_NAME
#define PR_SET_VMA_ANON_NAME 0
#endif

/* One page: the header, then the payload. */
#define MAPPING_SIZE 4096
#define PAYLOAD_CAPACITY (MAPPING_SIZE - sizeof(struct otel_process_ctx_header))

static struct otel_process_ctx_header *published;

/* ---- a protobuf writer for the few messages needed (wire type 2 = length-delimited) */

typedef struct {
    unsigned char *bytes;
    size_t size, capacity;
    int overflow;
} pb_buffer;

static void pb_byte(pb_buffer *b, unsigned char value) {
    if (b->size < b->capacity) b->bytes[b->size] = value; else b->overflow = 1;
    b->size++;
}

static void pb_varint(pb_buffer *b, size_t value) {
    while (value >= 0x80) {
        pb_byte(b, (unsigned char)(value | 0x80));
        value >>= 7;
    }
    pb_byte(b, (unsigned char)value);
}

static size_t pb_varint_size(size_t value) {
    size_t size = 1;
    while (value >= 0x80) { value >>= 7; size++; }
    return size;
}

/* Field `field` holding `size` bytes that the caller writes next. */
static void pb_open(pb_buffer *b, unsigned field, size_t size) {
    pb_byte(b, (unsigned char)(field << 3 | 2));
    pb_varint(b, size);
}

static size_t pb_field_size(size_t size) { return 1 + pb_varint_size(size) + size; }

static void pb_string(pb_buffer *b, unsigned field, const char *text) {
    size_t length = strlen(text);
    pb_open(b, field, length);
    for (size_t i = 0; i < length; i++) pb_byte(b, (unsigned char)text[i]);
}

/* KeyValue { string key = 1; AnyValue value = 2 }, AnyValue { string string_value = 1; ArrayValue array_value = 5 }. */
static size_t string_key_value_size(const char *key, const char *value) {
    return pb_field_size(strlen(key)) + pb_field_size(pb_field_size(strlen(value)));
}

static void pb_string_key_value(pb_buffer *b, unsigned field, const char *key, const char *value) {
    pb_open(b, field, string_key_value_size(key, value));
    pb_string(b, 1, key);
    pb_open(b, 2, pb_field_size(strlen(value)));
    pb_string(b, 1, value);
}

/* A KeyValue whose value is an empty ArrayValue (the key map: no attribute keys). */
static void pb_empty_array_key_value(pb_buffer *b, unsigned field, const char *key) {
    size_t value_size = pb_field_size(0);
    pb_open(b, field, pb_field_size(strlen(key)) + pb_field_size(value_size));
    pb_string(b, 1, key);
    pb_open(b, 2, value_size);
    pb_open(b, 5, 0);
}

/* ProcessContext { Resource resource = 1 { repeated KeyValue attributes = 1 }; repeated KeyValue attributes = 2 }. */
static size_t encode_payload(unsigned char *out, size_t capacity, const char *service_name) {
    pb_buffer b = { out, 0, capacity, 0 };
    pb_open(&b, 1, pb_field_size(string_key_value_size("service.name", service_name)));
    pb_string_key_value(&b, 1, "service.name", service_name);
    pb_string_key_value(&b, 2, "threadlocal.schema_version", OTEL_THREAD_CTX_SCHEMA_VERSION);
    pb_empty_array_key_value(&b, 2, "threadlocal.attribute_key_map");
    return b.overflow ? 0 : b.size;
}

static unsigned long long boottime_ns(void) {
    struct timespec now;
    clock_gettime(CLOCK_BOOTTIME, &now);
    return (unsigned long long)now.tv_sec * 1000000000ULL + (unsigned long long)now.tv_nsec;
}

#define BARRIER() __atomic_thread_fence(__ATOMIC_SEQ_CST)

static void name_mapping(void *mapping) {
    /* Fails on kernels without CONFIG_ANON_VMA_NAME and for memfd mappings: the spec says ignore it. */
    (void)prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, (unsigned long)mapping, MAPPING_SIZE, (unsigned long)"OTEL_CTX");
}

/* A page that shows up in /proc/PID/maps as /memfd:OTEL_CTX, else an anonymous page named OTEL_CTX. */
static void *create_mapping(void) {
    void *mapping = MAP_FAILED;
    int fd = memfd_create("OTEL_CTX", MFD_CLOEXEC);
    if (fd >= 0) {
        if (ftruncate(fd, MAPPING_SIZE) == 0)
            mapping = mmap(NULL, MAPPING_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
        close(fd);
    }
    if (mapping == MAP_FAILED)
        mapping = mmap(NULL, MAPPING_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mapping == MAP_FAILED) return NULL;
    /* A child must not inherit the parent's context. */
    (void)madvise(mapping, MAPPING_SIZE, MADV_DONTFORK);
    return mapping;
}

int flamelab_process_context_publish(const char *service_name) {
    unsigned char payload[PAYLOAD_CAPACITY];
    size_t size = encode_payload(payload, sizeof payload, service_name);
    if (size == 0) {
        errno = E2BIG;
        return -1;
    }
    struct otel_process_ctx_header *header = published;
    unsigned long long previous = header ? header->monotonic_published_at_ns : 0;
    if (header) {
        /* Updating protocol: timestamp 0 while the payload changes. */
        __atomic_store_n(&header->monotonic_published_at_ns, 0, __ATOMIC_SEQ_CST);
    } else {
        header = create_mapping();
        if (!header) return -1;
    }
    unsigned char *target = (unsigned char *)(header + 1);
    memcpy(target, payload, size);
    header->version = OTEL_PROCESS_CTX_VERSION;
    header->payload_size = (unsigned int)size;
    header->payload = (unsigned long long)(unsigned long)target;
    BARRIER();
    /* Each publication's timestamp differs from the last, so readers detect the change. */
    unsigned long long now = boottime_ns();
    __atomic_store_n(&header->monotonic_published_at_ns, now > previous ? now : previous + 1, __ATOMIC_SEQ_CST);
    if (!published) {
        BARRIER();
        memcpy(header->signature, OTEL_PROCESS_CTX_SIGNATURE, 8);
        published = header;
    }
    name_mapping(header);
    return 0;
}

const struct otel_process_ctx_header *flamelab_process_context_header(void) {
    return published;
}
