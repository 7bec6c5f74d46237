// SPDX-License-Identifier: GPL-2.0
/*
 * flamelab memory profiles: uprobes on the target's libc allocator. Every call traps (the cost of a
 * uprobe, microseconds); the entry program decides with a Poisson byte countdown whether this
 * allocation is sampled, and an unsampled call returns after a few instructions. Shared layout and
 * the sampling rule: memory.h. Settings: `flamelab_mem_settings` in .rodata, set by the agent.
 *
 * alloc-only runs attach entry probes only: the event is sent from the entry, with the caller's
 * return address read at the stack pointer (the frame-pointer walk from an entry skips the caller,
 * whose frame record is not pushed yet for the callee). in-use runs also need the return (the address
 * is the return value): uprobe sessions where the kernel has them (the return armed for sampled calls
 * only), else a uretprobe on every call; and a probe on free: sampled addresses are kept in a bounded
 * map and a free of one of them is reported; a free of any other address costs a failed map delete.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "flamelab_trace_context.h"
#include "memory.h"
#include "thread_context.h"
#include "thread_context_reader.bpf.h"

/* Uprobe sessions (kernel 6.13+): true when the session program runs at the function's return. */
extern bool bpf_session_is_return(void) __ksym;

char LICENSE[] SEC("license") = "GPL";

/* glibc's MALLOC_ALIGNMENT on x86_64: memalign-type calls asking no more relay to malloc (whose probe counts them). */
#define FLAMELAB_MEM_MALLOC_ALIGNMENT 16

const volatile struct flamelab_mem_settings flamelab_mem_settings = {};

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 8 * 1024 * 1024); /* the agent may resize before load */
} flamelab_mem_events SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, FLAMELAB_MEM_COUNTER_COUNT);
    __type(key, __u32);
    __type(value, __u64);
} flamelab_mem_counters SEC(".maps");

/* Bytes left before the next sample on this CPU; 0 until the first draw. */
struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, __u64);
} flamelab_mem_countdown SEC(".maps");

/* A sampled call between its entry and its return (in-use runs), by thread id. */
struct flamelab_mem_pending {
    __u64 size;
    __u64 memptr; /* posix_memalign: where the address is written */
    __u32 allocator;
    __u32 reserved;
};

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 16384);
    __type(key, __u32);
    __type(value, struct flamelab_mem_pending);
} flamelab_mem_pending SEC(".maps");

/* tgid -> where the process's otel_thread_ctx_v1 pointer lives: the agent shares profiler.bpf.o's map
 * (bpf_map__reuse_fd), so what it publishes there labels allocations too. */
struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 4096);
    __type(key, __u32);
    __type(value, struct flamelab_tls_location);
} flamelab_tls_offsets SEC(".maps");

#include "python_walker.bpf.h"

/* Sampled live allocations (in-use runs): address -> requested size. Full: counted, not tracked. */
struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 65536);
    __type(key, struct flamelab_mem_live_key);
    __type(value, __u64);
} flamelab_mem_live SEC(".maps");

static __always_inline void count(__u32 index)
{
    __u64 *value = bpf_map_lookup_elem(&flamelab_mem_counters, &index);
    if (value)
        __sync_fetch_and_add(value, 1);
}

/* The next countdown: an exponential draw of mean rate_bytes (at least 1 byte). */
static __always_inline __u64 draw_countdown(void)
{
    __u32 i = bpf_get_prandom_u32() & (FLAMELAB_MEM_EXP_TABLE_SIZE - 1);
    __u64 next = (flamelab_mem_settings.rate_bytes * flamelab_mem_settings.exp_table[i]) >> FLAMELAB_MEM_EXP_SHIFT;
    return next ? next : 1;
}

/* Whether an allocation of `size` bytes is sampled: it is when it reaches the countdown, which is
 * then drawn afresh (memoryless: the probability is 1 - exp(-size / rate) whatever came before). */
static __always_inline bool sampled(__u64 size)
{
    __u32 zero = 0;
    __u64 *left = bpf_map_lookup_elem(&flamelab_mem_countdown, &zero);
    if (!left)
        return false;
    if (*left == 0)
        *left = draw_countdown();
    if (size < *left) {
        *left -= size;
        return false;
    }
    *left = draw_countdown();
    return true;
}

/* Tracks `address` for in-use and returns the flag to set: 0 when the live map is full (counted). */
static __always_inline __u32 track(__u32 pid, __u64 address, __u64 size)
{
    struct flamelab_mem_live_key key = { .address = address, .pid = pid };
    if (bpf_map_update_elem(&flamelab_mem_live, &key, &size, BPF_ANY)) {
        count(FLAMELAB_MEM_COUNTER_LIVE_MAP_FULL);
        return 0;
    }
    return FLAMELAB_MEM_FLAG_TRACKED;
}

/* The allocating thread's trace context into the event; returns its flags. */
static __always_inline __u32 read_trace_context(struct flamelab_mem_alloc_event *ev)
{
    const struct flamelab_tls_location *where = bpf_map_lookup_elem(&flamelab_tls_offsets, &ev->pid);
    if (!where)
        return 0;
    switch (flamelab_read_thread_context(where, bpf_get_current_task_btf(), ev->trace_id, ev->span_id)) {
    case FLAMELAB_THREAD_CONTEXT_FOUND:
        return FLAMELAB_MEM_FLAG_TRACE_CONTEXT;
    case FLAMELAB_THREAD_CONTEXT_TORN:
        return FLAMELAB_MEM_FLAG_TORN_CONTEXT;
    default:
        return 0;
    }
}

/* Fills the native part of an alloc event (everything before `py`). `at_entry`: the caller's return
 * address is the word at the stack pointer, and replaces the allocator's own pc at the top of the walk. */
static __always_inline void fill_alloc(struct pt_regs *ctx, struct flamelab_mem_alloc_event *ev, __u64 pid_tgid,
                                       __u64 size, __u32 allocator, __u64 address, bool at_entry)
{
    ev->kind = FLAMELAB_MEM_EVENT_ALLOC;
    ev->pid = pid_tgid >> 32;
    ev->tid = (__u32)pid_tgid;
    ev->allocator = allocator;
    ev->time_ns = bpf_ktime_get_ns();
    ev->size = size;
    ev->address = address;
    ev->flags = read_trace_context(ev);
    ev->ustack_bytes = bpf_get_stack(ctx, ev->ustack, sizeof(ev->ustack), BPF_F_USER_STACK);
    if (at_entry && ev->ustack_bytes >= 8) {
        __u64 caller = 0;
        bpf_probe_read_user(&caller, sizeof(caller), (void *)PT_REGS_SP(ctx));
        ev->ustack[0] = caller;
    }
    if (address)
        ev->flags |= track(ev->pid, address, size);
    count(FLAMELAB_MEM_COUNTER_SAMPLED);
}

/* Sends one sampled allocation. A process registered with the Python walker gets the whole event
 * with its CPython frames; any other the native part only (1.1 KiB instead of 2.6: twice the samples
 * fit in the ring buffer between two drains). */
static __always_inline void emit_alloc(struct pt_regs *ctx, __u64 size, __u32 allocator, __u64 address, bool at_entry)
{
    __u64 pid_tgid = bpf_get_current_pid_tgid();
    __u32 tgid = pid_tgid >> 32;
    struct flamelab_mem_alloc_event *ev;

    if (flamelab_mem_settings.python && bpf_map_lookup_elem(&flamelab_py_procs, &tgid)) {
        ev = bpf_ringbuf_reserve(&flamelab_mem_events, sizeof(*ev), 0);
        if (!ev) {
            count(FLAMELAB_MEM_COUNTER_RINGBUF_DROPS);
            return;
        }
        fill_alloc(ctx, ev, pid_tgid, size, allocator, address, at_entry);
        ev->py.count = 0;
        ev->py.status = 0;
        flamelab_walk_python(bpf_get_current_task_btf(), tgid, (__u32)pid_tgid, &ev->py);
        bpf_ringbuf_submit(ev, BPF_RB_NO_WAKEUP);
        return;
    }
    ev = bpf_ringbuf_reserve(&flamelab_mem_events, FLAMELAB_MEM_ALLOC_NATIVE_SIZE, 0);
    if (!ev) {
        count(FLAMELAB_MEM_COUNTER_RINGBUF_DROPS);
        return;
    }
    fill_alloc(ctx, ev, pid_tgid, size, allocator, address, at_entry);
    bpf_ringbuf_submit(ev, BPF_RB_NO_WAKEUP);
}

/* The entry of an allocation of `size` bytes. Returns whether its return must be seen (in-use runs:
 * a sampled call, its address to come). */
static __always_inline bool alloc_entry(struct pt_regs *ctx, __u64 size, __u32 allocator, __u64 memptr)
{
    count(FLAMELAB_MEM_COUNTER_CALLS);
    if (!flamelab_mem_settings.inuse) {
        if (sampled(size))
            emit_alloc(ctx, size, allocator, 0, true);
        return false;
    }
    __u32 tid = (__u32)bpf_get_current_pid_tgid();
    /* A call made inside a sampled one (glibc's realloc of an mmapped block relays to malloc) is that one. */
    if (bpf_map_lookup_elem(&flamelab_mem_pending, &tid))
        return false;
    if (!sampled(size))
        return false;
    struct flamelab_mem_pending pending = { .size = size, .memptr = memptr, .allocator = allocator };
    if (bpf_map_update_elem(&flamelab_mem_pending, &tid, &pending, BPF_ANY)) {
        count(FLAMELAB_MEM_COUNTER_PENDING_FULL);
        return false;
    }
    return true;
}

/* The return of an allocator (in-use runs): a sampled call is sent with its address. */
static __always_inline int alloc_return(struct pt_regs *ctx)
{
    __u32 tid = (__u32)bpf_get_current_pid_tgid();
    struct flamelab_mem_pending *found = bpf_map_lookup_elem(&flamelab_mem_pending, &tid);
    if (!found)
        return 0;
    struct flamelab_mem_pending pending = *found;
    bpf_map_delete_elem(&flamelab_mem_pending, &tid);
    __u64 address = 0;
    if (pending.allocator == FLAMELAB_MEM_POSIX_MEMALIGN) {
        if (PT_REGS_RC(ctx) == 0)
            bpf_probe_read_user(&address, sizeof(address), (void *)pending.memptr);
    } else {
        address = PT_REGS_RC(ctx);
    }
    if (!address) {
        count(FLAMELAB_MEM_COUNTER_FAILED);
        return 0;
    }
    emit_alloc(ctx, pending.size, pending.allocator, address, false);
    return 0;
}

/* A tracked address released: forgotten, and reported. */
static __always_inline void release(__u64 address)
{
    if (!address)
        return;
    struct flamelab_mem_live_key key = { .address = address, .pid = bpf_get_current_pid_tgid() >> 32 };
    if (bpf_map_delete_elem(&flamelab_mem_live, &key))
        return;
    count(FLAMELAB_MEM_COUNTER_FREES);
    struct flamelab_mem_free_event *ev = bpf_ringbuf_reserve(&flamelab_mem_events, sizeof(*ev), 0);
    if (!ev) {
        count(FLAMELAB_MEM_COUNTER_RINGBUF_DROPS);
        return;
    }
    ev->kind = FLAMELAB_MEM_EVENT_FREE;
    ev->pid = key.pid;
    ev->time_ns = bpf_ktime_get_ns();
    ev->address = address;
    bpf_ringbuf_submit(ev, BPF_RB_NO_WAKEUP);
}

static __always_inline bool malloc_entry(struct pt_regs *ctx)
{
    return alloc_entry(ctx, PT_REGS_PARM1(ctx), FLAMELAB_MEM_MALLOC, 0);
}

static __always_inline bool calloc_entry(struct pt_regs *ctx)
{
    return alloc_entry(ctx, PT_REGS_PARM1(ctx) * PT_REGS_PARM2(ctx), FLAMELAB_MEM_CALLOC, 0);
}

/* realloc(NULL, n) relays to malloc and realloc(p, 0) to free in glibc: their probes count those. */
static __always_inline bool realloc_entry(struct pt_regs *ctx)
{
    __u64 old = PT_REGS_PARM1(ctx), size = PT_REGS_PARM2(ctx);

    if (!old || !size)
        return false;
    if (flamelab_mem_settings.inuse)
        release(old);
    return alloc_entry(ctx, size, FLAMELAB_MEM_REALLOC, 0);
}

static __always_inline bool posix_memalign_entry(struct pt_regs *ctx)
{
    __u64 memptr = PT_REGS_PARM1(ctx), alignment = PT_REGS_PARM2(ctx), size = PT_REGS_PARM3(ctx);

    if (alignment <= FLAMELAB_MEM_MALLOC_ALIGNMENT)
        return false;
    return alloc_entry(ctx, size, FLAMELAB_MEM_POSIX_MEMALIGN, memptr);
}

static __always_inline bool aligned_alloc_entry(struct pt_regs *ctx)
{
    __u64 alignment = PT_REGS_PARM1(ctx), size = PT_REGS_PARM2(ctx);

    if (alignment <= FLAMELAB_MEM_MALLOC_ALIGNMENT)
        return false;
    return alloc_entry(ctx, size, FLAMELAB_MEM_ALIGNED_ALLOC, 0);
}

/* Two programs per allocator. flamelab_mem_<name>: an entry uprobe (alloc runs; in-use runs with
 * flamelab_mem_alloc_return as the uretprobe on kernels without uprobe sessions). flamelab_mem_<name>_session:
 * a uprobe session (kernel 6.13+, attach type BPF_TRACE_UPROBE_SESSION) runs one program at entry and at
 * return, and arms the return only when the entry returns 0: unsampled calls skip the uretprobe's
 * trampoline, which costs ~10 us a call here. */
#define FLAMELAB_MEM_PROGRAMS(name)                                            \
    SEC("uprobe")                                                              \
    int flamelab_mem_##name(struct pt_regs *ctx)                               \
    {                                                                          \
        name##_entry(ctx);                                                     \
        return 0;                                                              \
    }                                                                          \
    SEC("uprobe")                                                              \
    int flamelab_mem_##name##_session(struct pt_regs *ctx)                     \
    {                                                                          \
        if (bpf_session_is_return())                                           \
            return alloc_return(ctx);                                          \
        return name##_entry(ctx) ? 0 : 1;                                      \
    }

FLAMELAB_MEM_PROGRAMS(malloc)
FLAMELAB_MEM_PROGRAMS(calloc)
FLAMELAB_MEM_PROGRAMS(realloc)
FLAMELAB_MEM_PROGRAMS(posix_memalign)
FLAMELAB_MEM_PROGRAMS(aligned_alloc)

SEC("uretprobe")
int flamelab_mem_alloc_return(struct pt_regs *ctx)
{
    return alloc_return(ctx);
}

SEC("uprobe")
int flamelab_mem_free(struct pt_regs *ctx)
{
    release(PT_REGS_PARM1(ctx));
    return 0;
}
