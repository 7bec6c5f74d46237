/* cpython_walk_test.c: loads and drives the Python walker's test BPF program (see the header). */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "cpython_walk_test.h"

#define PYWALK_MAX_LINKS 512

struct pywalk_session {
    struct bpf_object *object;
    struct ring_buffer *ring;
    int stats_fd; /* BPF_STATS_RUN_TIME is on while this is open (-1: not available) */
    struct bpf_link *links[PYWALK_MAX_LINKS];
    size_t link_count;
    struct pywalk_event *events;
    size_t event_count, event_capacity;
};

/* Sets the const volatile `name` (a __u32) in .rodata before load, found through the object's BTF. */
static int set_rodata_u32(struct bpf_object *object, const char *name, uint32_t value)
{
    struct bpf_map *map = bpf_object__find_map_by_name(object, ".rodata");
    struct btf *btf = bpf_object__btf(object);
    size_t size = 0;
    const void *initial;
    char *data;
    int section_id, status = -ENOENT;
    const struct btf_type *section;
    const struct btf_var_secinfo *info;

    if (!map || !btf || !(initial = bpf_map__initial_value(map, &size)))
        return -ENOENT;
    section_id = btf__find_by_name_kind(btf, ".rodata", BTF_KIND_DATASEC);
    if (section_id < 0)
        return section_id;
    /* libbpf 1.1 hands out the initial value read-only: edit a copy and set it back. */
    if (!(data = malloc(size)))
        return -ENOMEM;
    memcpy(data, initial, size);
    section = btf__type_by_id(btf, section_id);
    info = btf_var_secinfos(section);
    for (int i = 0; i < btf_vlen(section); i++, info++) {
        const struct btf_type *var = btf__type_by_id(btf, info->type);
        if (strcmp(btf__name_by_offset(btf, var->name_off), name) == 0 && info->offset + 4 <= size) {
            memcpy(data + info->offset, &value, sizeof(value));
            status = bpf_map__set_initial_value(map, data, size);
            break;
        }
    }
    free(data);
    return status;
}

/* Ring-buffer callback: appends one event to the session. */
static int gather_event(void *context, void *data, size_t size)
{
    struct pywalk_session *session = context;
    if (size < sizeof(struct pywalk_event))
        return 0;
    if (session->event_count == session->event_capacity) {
        size_t capacity = session->event_capacity ? session->event_capacity * 2 : 1024;
        struct pywalk_event *events = realloc(session->events, capacity * sizeof(*events));
        if (!events)
            return -ENOMEM;
        session->events = events;
        session->event_capacity = capacity;
    }
    memcpy(&session->events[session->event_count++], data, sizeof(struct pywalk_event));
    return 0;
}

pywalk_session *pywalk_open(const char *object_path, uint32_t tgid, char *err, size_t errlen)
{
    struct pywalk_session *session = calloc(1, sizeof(*session));
    struct bpf_map *events;
    int status;

    if (!session) {
        snprintf(err, errlen, "failed to allocate the session: out of memory");
        return NULL;
    }
    session->stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
    session->object = bpf_object__open_file(object_path, NULL);
    if (!session->object) {
        snprintf(err, errlen, "failed to open BPF object %s: %s", object_path, strerror(errno));
        goto fail;
    }
    status = set_rodata_u32(session->object, "target_tgid", tgid);
    if (status != 0) {
        snprintf(err, errlen, "failed to set target_tgid: %s", strerror(-status));
        goto fail;
    }
    status = bpf_object__load(session->object);
    if (status != 0) {
        snprintf(err, errlen, "failed to load BPF object %s: %s", object_path, strerror(-status));
        goto fail;
    }
    events = bpf_object__find_map_by_name(session->object, "pywalk_events");
    session->ring = events ? ring_buffer__new(bpf_map__fd(events), gather_event, session, NULL) : NULL;
    if (!session->ring) {
        snprintf(err, errlen, "failed to open ring buffer pywalk_events: %s", strerror(errno));
        goto fail;
    }
    return session;
fail:
    pywalk_close(session);
    return NULL;
}

int pywalk_register(pywalk_session *session, uint32_t tgid, uint64_t runtime, const struct flamelab_py_offsets *offsets,
                    char *err, size_t errlen)
{
    struct bpf_map *procs = bpf_object__find_map_by_name(session->object, "flamelab_py_procs");
    struct flamelab_py_proc proc = { .runtime = runtime, .reserved = 0, .offsets = *offsets };

    if (!procs || bpf_map__update_elem(procs, &tgid, sizeof(tgid), &proc, sizeof(proc), BPF_ANY) != 0) {
        snprintf(err, errlen, "failed to register process %u: %s", tgid, procs ? strerror(errno) : "no map");
        return -1;
    }
    return 0;
}

/* Keeps `link` for pywalk_close. */
static int keep_link(pywalk_session *session, struct bpf_link *link, const char *what, char *err, size_t errlen)
{
    if (!link) {
        snprintf(err, errlen, "failed to attach %s: %s", what, strerror(errno));
        return -1;
    }
    if (session->link_count == PYWALK_MAX_LINKS) {
        bpf_link__destroy(link);
        snprintf(err, errlen, "failed to attach %s: more than %d links", what, PYWALK_MAX_LINKS);
        return -1;
    }
    session->links[session->link_count++] = link;
    return 0;
}

int pywalk_attach_cpu(pywalk_session *session, uint64_t hz, char *err, size_t errlen)
{
    struct bpf_program *program = bpf_object__find_program_by_name(session->object, "pywalk_cpu");
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);

    if (!program) {
        snprintf(err, errlen, "failed to find program pywalk_cpu");
        return -1;
    }
    for (long cpu = 0; cpu < cpus; cpu++) {
        struct perf_event_attr attr = {
            .type = PERF_TYPE_SOFTWARE,
            .size = sizeof(attr),
            .config = PERF_COUNT_SW_CPU_CLOCK,
            .freq = 1,
            .sample_freq = hz,
        };
        int fd = (int)syscall(__NR_perf_event_open, &attr, -1, (int)cpu, -1, PERF_FLAG_FD_CLOEXEC);
        if (fd < 0) {
            snprintf(err, errlen, "failed to open perf event on cpu %ld: %s", cpu, strerror(errno));
            return -1;
        }
        struct bpf_link *link = bpf_program__attach_perf_event(program, fd);
        if (!link)
            close(fd);
        if (keep_link(session, link, "pywalk_cpu", err, errlen) != 0)
            return -1;
    }
    return 0;
}

int pywalk_attach_offcpu(pywalk_session *session, char *err, size_t errlen)
{
    struct bpf_program *program = bpf_object__find_program_by_name(session->object, "pywalk_offcpu");

    if (!program) {
        snprintf(err, errlen, "failed to find program pywalk_offcpu");
        return -1;
    }
    return keep_link(session, bpf_program__attach(program), "pywalk_offcpu", err, errlen);
}

int pywalk_poll(pywalk_session *session, int timeout_ms, char *err, size_t errlen)
{
    size_t before = session->event_count;
    int status = ring_buffer__poll(session->ring, timeout_ms);

    if (status < 0 && status != -EINTR) {
        snprintf(err, errlen, "failed to poll ring buffer: %s", strerror(-status));
        return -1;
    }
    return (int)(session->event_count - before);
}

size_t pywalk_event_count(const pywalk_session *session)
{
    return session->event_count;
}

const struct pywalk_event *pywalk_event_at(const pywalk_session *session, size_t index)
{
    return index < session->event_count ? &session->events[index] : NULL;
}

uint64_t pywalk_drops(const pywalk_session *session)
{
    struct bpf_map *bss = bpf_object__find_map_by_name(session->object, ".bss");
    uint32_t key = 0;
    uint64_t value[8] = { 0 };

    if (!bss || bpf_map__value_size(bss) > sizeof(value) ||
        bpf_map__lookup_elem(bss, &key, sizeof(key), value, bpf_map__value_size(bss), 0) != 0)
        return UINT64_MAX;
    return value[0]; /* pywalk_drops is the only .bss variable */
}

int pywalk_program_stats(const pywalk_session *session, const char *name, uint64_t *run_count, uint64_t *run_time_ns)
{
    struct bpf_program *program = bpf_object__find_program_by_name(session->object, name);
    struct bpf_prog_info info;
    __u32 length = sizeof(info);

    if (!program)
        return -1;
    memset(&info, 0, sizeof(info));
    if (bpf_obj_get_info_by_fd(bpf_program__fd(program), &info, &length) != 0)
        return -1;
    *run_count = info.run_cnt;
    *run_time_ns = info.run_time_ns;
    return 0;
}

void pywalk_detach(pywalk_session *session)
{
    for (size_t i = 0; i < session->link_count; i++)
        bpf_link__destroy(session->links[i]);
    session->link_count = 0;
}

void pywalk_close(pywalk_session *session)
{
    if (!session)
        return;
    pywalk_detach(session);
    ring_buffer__free(session->ring);
    bpf_object__close(session->object);
    if (session->stats_fd >= 0)
        close(session->stats_fd);
    free(session->events);
    free(session);
}
