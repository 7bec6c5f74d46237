#include "cbpf.h"

#include <bpf/btf.h>
#include <errno.h>
#include <linux/perf_event.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* A software perf event on `cpu` for all tasks: in frequency mode (`freq` samples a second) or
 * overflowing every `period` events. Returns the fd, or -errno. */
static int cbpf_open_software_event(int cpu, unsigned long long config, unsigned long long freq, unsigned long long period) {
    struct perf_event_attr attr;
    memset(&attr, 0, sizeof(attr));
    attr.size = sizeof(attr);
    attr.type = PERF_TYPE_SOFTWARE;
    attr.config = config;
    if (freq) {
        attr.freq = 1;
        attr.sample_freq = freq;
    } else {
        attr.sample_period = period;
    }
    long fd = syscall(__NR_perf_event_open, &attr, -1 /* all tasks */, cpu, -1, PERF_FLAG_FD_CLOEXEC);
    return fd < 0 ? -errno : (int)fd;
}

int cbpf_perf_event_open_cpu_clock(int cpu, unsigned long long frequency) {
    /* No hardware PMU in VMs: the software cpu-clock (an hrtimer) works everywhere. */
    return cbpf_open_software_event(cpu, PERF_COUNT_SW_CPU_CLOCK, frequency, 0);
}

int cbpf_perf_event_open_page_faults(int cpu, unsigned long long period) {
    /* A fixed period, not frequency mode: the kernel retunes a frequency-mode period once a tick,
     * so the periods of a burst's few samples added up to a third of its faults (measured). Every
     * `period`-th fault on this CPU overflows, so each sample stands for exactly `period` faults. */
    return cbpf_open_software_event(cpu, PERF_COUNT_SW_PAGE_FAULTS, 0, period);
}

/* A ring of the last messages: a verifier log can be long, the tail holds the reason. */
#define CBPF_LOG_SIZE 8192
static char cbpf_log[CBPF_LOG_SIZE];
static size_t cbpf_log_len;
static int cbpf_echo;

static void cbpf_log_append(const char *text) {
    size_t n = strlen(text);
    if (n >= CBPF_LOG_SIZE) {
        text += n - (CBPF_LOG_SIZE - 1);
        n = CBPF_LOG_SIZE - 1;
    }
    if (cbpf_log_len + n >= CBPF_LOG_SIZE) {
        size_t keep = CBPF_LOG_SIZE - 1 - n;
        memmove(cbpf_log, cbpf_log + cbpf_log_len - keep, keep);
        cbpf_log_len = keep;
    }
    memcpy(cbpf_log + cbpf_log_len, text, n);
    cbpf_log_len += n;
    cbpf_log[cbpf_log_len] = 0;
}

static int cbpf_print(enum libbpf_print_level level, const char *format, va_list args) {
    char line[1024];
    if (level == LIBBPF_DEBUG)
        return 0;
    int n = vsnprintf(line, sizeof(line), format, args);
    cbpf_log_append(line);
    if (cbpf_echo)
        fputs(line, stderr);
    return n;
}

void cbpf_install_print_callback(int echo) {
    cbpf_echo = echo;
    libbpf_set_print(cbpf_print);
}

const char *cbpf_last_log(void) { return cbpf_log; }

void cbpf_clear_log(void) {
    cbpf_log_len = 0;
    cbpf_log[0] = 0;
}

int cbpf_set_rodata(struct bpf_object *obj, const char *name, const void *value, size_t size) {
    struct bpf_map *map = NULL;
    bpf_object__for_each_map(map, obj) {
        const char *map_name = bpf_map__name(map);
        /* libbpf names the map "<object prefix>.rodata"; ".rodata.str1.1" and the like are other sections. */
        size_t length = map_name ? strlen(map_name) : 0;
        if (length >= 7 && strcmp(map_name + length - 7, ".rodata") == 0)
            break;
    }
    if (!map)
        return -ENOENT;
    struct btf *btf = bpf_object__btf(obj);
    if (!btf)
        return -ENOENT;
    int sec_id = btf__find_by_name_kind(btf, ".rodata", BTF_KIND_DATASEC);
    if (sec_id < 0)
        return -ENOENT;
    const struct btf_type *sec = btf__type_by_id(btf, sec_id);
    const struct btf_var_secinfo *vars = btf_var_secinfos(sec);
    size_t data_size = 0;
    char *data = (char *)bpf_map__initial_value(map, &data_size);
    if (!data)
        return -ENOENT;
    for (int i = 0; i < btf_vlen(sec); i++) {
        const struct btf_type *var = btf__type_by_id(btf, vars[i].type);
        if (strcmp(btf__name_by_offset(btf, var->name_off), name) != 0)
            continue;
        if (vars[i].size != size || vars[i].offset + size > data_size)
            return -EINVAL;
        memcpy(data + vars[i].offset, value, size);
        return 0;
    }
    return -ENOENT;
}

size_t cbpf_event_header_size(void) { return offsetof(struct flamelab_event, data); }

/* BPF_LINK_CREATE's uprobe_multi arguments (include/uapi/linux/bpf.h, kernel 6.6+): libbpf 1.1 predates
 * them, so the attr is laid out here. Attach type BPF_TRACE_UPROBE_SESSION (57) needs kernel 6.13+. */
struct cbpf_uprobe_multi_attr {
    __u32 prog_fd;
    __u32 target_fd;
    __u32 attach_type;
    __u32 flags;
    __u64 path;
    __u64 offsets;
    __u64 ref_ctr_offsets;
    __u64 cookies;
    __u32 cnt;
    __u32 multi_flags;
    __u32 pid;
    __u32 padding;
};

int cbpf_attach_uprobe_session(int prog_fd, const char *path, unsigned long long offset, int pid) {
    struct cbpf_uprobe_multi_attr attr;
    unsigned long long offsets[1] = { offset };
    memset(&attr, 0, sizeof(attr));
    attr.prog_fd = (__u32)prog_fd;
    attr.attach_type = CBPF_TRACE_UPROBE_SESSION;
    attr.path = (__u64)(unsigned long)path;
    attr.offsets = (__u64)(unsigned long)offsets;
    attr.cnt = 1;
    attr.pid = (__u32)pid;
    long fd = syscall(__NR_bpf, 28 /* BPF_LINK_CREATE */, &attr, sizeof(attr));
    return fd < 0 ? -errno : (int)fd;
}
