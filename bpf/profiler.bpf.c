// SPDX-License-Identifier: GPL-2.0
/*
 * flamelab profiler: CPU samples (perf_event, software cpu-clock) and off-CPU intervals
 * (sched_switch), each with kernel + user stacks, the thread's trace context, optionally the user
 * registers + top of the user stack (DWARF unwinding in user space) and the CPython frames.
 * Shared layout: profiler.h. Settings: `flamelab_settings` in .rodata, set by the agent before load.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "flamelab_trace_context.h"
#include "profiler.h"
#include "thread_context.h"
#include "thread_context_reader.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* TASK_DEAD in task_struct.__state: the thread's last switch-out. */
#define FLAMELAB_TASK_DEAD 0x80

const volatile struct flamelab_settings flamelab_settings = {};

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 16 * 1024 * 1024); /* the agent may resize before load */
} flamelab_events SEC(".maps");

/* Index 0: CPU sampler, 1: off-CPU switch-out. Each program builds its event here. */
struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 2);
    __type(key, __u32);
    __type(value, struct flamelab_event);
} flamelab_scratch SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, FLAMELAB_COUNTER_COUNT);
    __type(key, __u32);
    __type(value, __u64);
} flamelab_counters SEC(".maps");

/* tgids to profile when flamelab_settings.filter_pids is set. */
struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 4096);
    __type(key, __u32);
    __type(value, __u8);
} flamelab_targets SEC(".maps");

/* tgid -> where the process's otel_thread_ctx_v1 pointer lives (thread_context.h), from its ELF files. */
struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 4096);
    __type(key, __u32);
    __type(value, struct flamelab_tls_location);
} flamelab_tls_offsets SEC(".maps");

/* tid -> the event captured when the thread went off CPU; emitted when it comes back. Not
 * preallocated: only threads that actually sleep cost memory; a dying thread's entry is deleted. */
struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 8192);
    __uint(map_flags, BPF_F_NO_PREALLOC);
    __type(key, __u32);
    __type(value, struct flamelab_event);
} flamelab_offcpu_start SEC(".maps");

/* tgids whose samples need the full stack copy in auto mode: the agent adds a process when a bounded
 * copy could not be joined to its frame-pointer walk (its code keeps no frame pointer, rbp is data). */
struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 4096);
    __type(key, __u32);
    __type(value, __u8);
} flamelab_full_stack SEC(".maps");

#include "python_walker.bpf.h"
#include "swift_async_walker.bpf.h"

static __always_inline void count(__u32 index)
{
    __u64 *value = bpf_map_lookup_elem(&flamelab_counters, &index);
    if (value)
        __sync_fetch_and_add(value, 1);
}

static __always_inline bool is_target(__u32 tgid)
{
    if (!flamelab_settings.filter_pids)
        return true;
    return bpf_map_lookup_elem(&flamelab_targets, &tgid) != NULL;
}

/* Reads the task's OpenTelemetry thread context (OTEP 4947) into the event; a torn record is counted. */
static __always_inline void read_trace_context(struct flamelab_event *ev, struct task_struct *task, __u32 tgid)
{
    const struct flamelab_tls_location *where;
    int result;

    __builtin_memset(ev->trace_id, 0, sizeof(ev->trace_id));
    __builtin_memset(ev->span_id, 0, sizeof(ev->span_id));
    if (!flamelab_settings.trace_context)
        return;
    where = bpf_map_lookup_elem(&flamelab_tls_offsets, &tgid);
    if (!where)
        return;
    result = flamelab_read_thread_context(where, task, ev->trace_id, ev->span_id);
    if (result == FLAMELAB_THREAD_CONTEXT_TORN) {
        __builtin_memset(ev->trace_id, 0, sizeof(ev->trace_id));
        __builtin_memset(ev->span_id, 0, sizeof(ev->span_id));
        ev->flags |= FLAMELAB_FLAG_TORN_CONTEXT;
        count(FLAMELAB_COUNTER_TORN_CONTEXT);
    } else if (result == FLAMELAB_THREAD_CONTEXT_FOUND) {
        ev->flags |= FLAMELAB_FLAG_TRACE_CONTEXT;
    }
}

/* How many bytes of stack from sp to copy (see enum flamelab_stack_copy); sets the bounded flag. */
static __always_inline __u32 stack_copy_limit(struct flamelab_event *ev, __u32 tgid, __u64 sp, __u64 bp)
{
    if (flamelab_settings.copy_user_stack != FLAMELAB_STACK_COPY_BOUNDED)
        return FLAMELAB_STACK_DUMP_SIZE;
    if (bpf_map_lookup_elem(&flamelab_full_stack, &tgid))
        return FLAMELAB_STACK_DUMP_SIZE;
    if (bp <= sp || bp - sp > FLAMELAB_STACK_DUMP_SIZE - 16 || (bp & 7))
        return FLAMELAB_STACK_DUMP_SIZE;
    ev->flags |= FLAMELAB_FLAG_BOUNDED_STACK;
    return (__u32)(bp - sp) + 16;
}

/* Copies the user registers (DWARF order) and up to FLAMELAB_STACK_DUMP_SIZE bytes of user stack
 * from sp upwards (fewer when bounded), chunk by aligned chunk, stopping at the first chunk that
 * cannot be read (the end of the stack mapping). */
static __always_inline void copy_user_state(struct flamelab_event *ev, struct task_struct *task, __u32 tgid)
{
    struct pt_regs *user_regs = (struct pt_regs *)bpf_task_pt_regs(task);
    struct pt_regs r;
    __u32 copied, n, limit;
    __u64 sp;

    ev->stack_dump_bytes = 0;
    if (!user_regs || bpf_probe_read_kernel(&r, sizeof(r), user_regs))
        return;
    ev->regs[0] = r.ax;
    ev->regs[1] = r.dx;
    ev->regs[2] = r.cx;
    ev->regs[3] = r.bx;
    ev->regs[4] = r.si;
    ev->regs[5] = r.di;
    ev->regs[6] = r.bp;
    ev->regs[7] = r.sp;
    ev->regs[8] = r.r8;
    ev->regs[9] = r.r9;
    ev->regs[10] = r.r10;
    ev->regs[11] = r.r11;
    ev->regs[12] = r.r12;
    ev->regs[13] = r.r13;
    ev->regs[14] = r.r14;
    ev->regs[15] = r.r15;
    ev->regs[16] = r.ip;
    ev->flags |= FLAMELAB_FLAG_USER_REGS;

    sp = r.sp;
    limit = stack_copy_limit(ev, tgid, sp, r.bp);
    /* First chunk: from sp to the next chunk boundary, or to the limit. */
    n = FLAMELAB_STACK_CHUNK - (__u32)(sp & (FLAMELAB_STACK_CHUNK - 1));
    if (n > limit)
        n = limit;
    if (n > FLAMELAB_STACK_CHUNK)
        n = FLAMELAB_STACK_CHUNK;
    if (n == 0 || bpf_probe_read_user(ev->data, n, (void *)sp)) {
        count(FLAMELAB_COUNTER_STACK_COPY_FAILS);
        return;
    }
    copied = n;
    for (int i = 0; i < FLAMELAB_STACK_DUMP_SIZE / FLAMELAB_STACK_CHUNK; i++) {
        if (copied >= limit || copied >= FLAMELAB_STACK_DUMP_SIZE)
            break;
        n = limit - copied;
        if (n > FLAMELAB_STACK_CHUNK)
            n = FLAMELAB_STACK_CHUNK;
        if (bpf_probe_read_user(ev->data + (copied & (FLAMELAB_STACK_DUMP_SIZE - 1)), n,
                                (void *)(sp + copied)))
            break;
        copied += n;
    }
    ev->stack_dump_bytes = copied;
}

/* Appends `n` bytes of `src` (at most `max`) to ev->data at `offset`; returns how many it appended.
 * `max` is a constant at every call, so the bound checks give the verifier a constant limit. */
static __always_inline __u32 append_data(struct flamelab_event *ev, __u32 offset, const void *src, __s64 n, __u32 max)
{
    if (n <= 0)
        return 0;
    if (n > max)
        n = max;
    if (offset > FLAMELAB_EVENT_DATA_SIZE - max)
        return 0;
    if (bpf_probe_read_kernel(ev->data + offset, (__u32)n, src))
        return 0;
    return (__u32)n;
}

/* Packs the stacks and walkers' frames, each only as long as it is, after the stack copy in data[].
 * The header's counts are set from what was appended, so that the reader's walk through data[]
 * always matches it. */
static __always_inline void pack_event(struct flamelab_event *ev)
{
    __u32 offset = ev->stack_dump_bytes, n;

    if (offset > FLAMELAB_STACK_DUMP_SIZE)
        offset = FLAMELAB_STACK_DUMP_SIZE;
    n = append_data(ev, offset, ev->kstack, ev->kstack_bytes, FLAMELAB_STACK_BYTES);
    if (ev->kstack_bytes > 0)
        ev->kstack_bytes = n;
    offset += n;
    n = append_data(ev, offset, ev->ustack, ev->ustack_bytes, FLAMELAB_STACK_BYTES);
    if (ev->ustack_bytes > 0)
        ev->ustack_bytes = n;
    offset += n;
    n = append_data(ev, offset, ev->py.frames, (__s64)ev->py.count * sizeof(struct flamelab_py_frame),
                    FLAMELAB_PY_STACK_BYTES);
    ev->py_count = n / sizeof(struct flamelab_py_frame);
    ev->py_status = ev->py.status;
    offset += n;
    n = append_data(ev, offset, ev->swift_async.resume, (__s64)ev->swift_async.count * 8, FLAMELAB_SWIFT_ASYNC_BYTES);
    ev->swift_async_count = n / 8;
    ev->swift_async_status = ev->swift_async.status;
    ev->swift_async_funclet_pc = ev->swift_async.funclet_pc;
    ev->data_bytes = offset + n;
}

/* Fills `ev` for the current task (the sampled one, or the one switching out). */
static __always_inline void fill_event(void *ctx, struct flamelab_event *ev, struct task_struct *task,
                                       __u32 tgid, __u32 tid, __u32 kind)
{
    ev->kind = kind;
    ev->pid = tgid;
    ev->tid = tid;
    ev->cpu = bpf_get_smp_processor_id();
    ev->time_ns = bpf_ktime_get_ns();
    ev->value = 1;
    ev->flags = 0;
    ev->stack_dump_bytes = 0;
    ev->py.count = 0;
    ev->py.status = 0;
    ev->swift_async.count = 0;
    ev->swift_async.status = FLAMELAB_SWIFT_ASYNC_NONE;
    ev->swift_async.funclet_pc = 0;
    ev->reserved = 0;
    bpf_get_current_comm(ev->comm, sizeof(ev->comm));
    /* A fault's kernel stack is always the fault handler: its user stack says who touched the page. */
    ev->kstack_bytes = kind == FLAMELAB_EVENT_FAULT ? 0 : bpf_get_stack(ctx, ev->kstack, sizeof(ev->kstack), 0);
    if (!BPF_CORE_READ(task, mm)) {
        ev->flags |= FLAMELAB_FLAG_KERNEL_THREAD;
        ev->ustack_bytes = 0;
        __builtin_memset(ev->trace_id, 0, sizeof(ev->trace_id));
        __builtin_memset(ev->span_id, 0, sizeof(ev->span_id));
        pack_event(ev);
        return;
    }
    ev->ustack_bytes = bpf_get_stack(ctx, ev->ustack, sizeof(ev->ustack), BPF_F_USER_STACK);
    read_trace_context(ev, task, tgid);
    if (flamelab_settings.python)
        flamelab_walk_python(task, tgid, tid, &ev->py);
    if (flamelab_settings.swift_async)
        flamelab_walk_swift_async(task, tgid, &ev->swift_async);
    if (flamelab_settings.copy_user_stack)
        copy_user_state(ev, task, tgid);
    pack_event(ev);
}

/* Sends the event's header and the used part of data[] to the ring buffer; counts a full buffer. */
static __always_inline void emit(struct flamelab_event *ev, __u32 counter)
{
    __u32 size = ev->data_bytes;

    if (size > FLAMELAB_EVENT_DATA_SIZE)
        size = FLAMELAB_EVENT_DATA_SIZE;
    /* No wakeup per event: the agent drains on a timer, so a sample costs it no context switch. */
    if (bpf_ringbuf_output(&flamelab_events, ev, offsetof(struct flamelab_event, data) + size, BPF_RB_NO_WAKEUP)) {
        count(FLAMELAB_COUNTER_RINGBUF_DROPS);
        return;
    }
    count(counter);
}

/* One sample of the interrupted task when it is a target, weighing `value` (CPU: 1; page faults:
 * the event's period). The body both perf_event programs share. */
static __always_inline void sample_current(struct bpf_perf_event_data *ctx, __u32 kind, __u32 counter, __u64 value)
{
    __u64 id = bpf_get_current_pid_tgid();
    __u32 tgid = id >> 32, tid = (__u32)id, zero = 0;
    struct flamelab_event *ev;

    if (tid == 0 || !is_target(tgid))
        return;
    ev = bpf_map_lookup_elem(&flamelab_scratch, &zero);
    if (!ev)
        return;
    fill_event(ctx, ev, bpf_get_current_task_btf(), tgid, tid, kind);
    ev->value = value;
    emit(ev, counter);
}

SEC("perf_event")
int flamelab_cpu_sample(struct bpf_perf_event_data *ctx)
{
    sample_current(ctx, FLAMELAB_EVENT_CPU, FLAMELAB_COUNTER_CPU_SAMPLES, 1);
    return 0;
}

/* A sampled page fault of a target (the software page-faults event, one sample every `period`
 * faults on a CPU): the stack that touched a page not yet mapped, which is where resident memory
 * grows. The event's period is how many faults the sample stands for. */
SEC("perf_event")
int flamelab_fault_sample(struct bpf_perf_event_data *ctx)
{
    sample_current(ctx, FLAMELAB_EVENT_FAULT, FLAMELAB_COUNTER_FAULT_SAMPLES, ctx->sample_period ? ctx->sample_period : 1);
    return 0;
}

/* The current task (prev) leaves the CPU: capture its stack now, keyed by tid. */
static __always_inline void offcpu_switch_out(void *ctx, __u32 prev_state)
{
    __u64 id = bpf_get_current_pid_tgid();
    __u32 tgid = id >> 32, tid = (__u32)id, one = 1;
    struct flamelab_event *ev, *scratch;

    if (tid == 0 || !is_target(tgid))
        return;
    if (prev_state & FLAMELAB_TASK_DEAD) {
        bpf_map_delete_elem(&flamelab_offcpu_start, &tid);
        return;
    }
    ev = bpf_map_lookup_elem(&flamelab_offcpu_start, &tid);
    if (!ev) {
        scratch = bpf_map_lookup_elem(&flamelab_scratch, &one);
        if (!scratch)
            return;
        if (bpf_map_update_elem(&flamelab_offcpu_start, &tid, scratch, BPF_NOEXIST)) {
            count(FLAMELAB_COUNTER_OFFCPU_MAP_FULL);
            return;
        }
        ev = bpf_map_lookup_elem(&flamelab_offcpu_start, &tid);
        if (!ev)
            return;
    }
    fill_event(ctx, ev, bpf_get_current_task_btf(), tgid, tid, FLAMELAB_EVENT_OFFCPU);
}

/* Thread `tid` comes back on CPU: emit its blocked interval if long enough. */
static __always_inline void offcpu_switch_in(__u32 tid)
{
    struct flamelab_event *ev;
    __u64 now, start;

    if (tid == 0)
        return;
    ev = bpf_map_lookup_elem(&flamelab_offcpu_start, &tid);
    if (!ev)
        return;
    start = ev->time_ns;
    if (!start)
        return;
    ev->time_ns = 0;
    now = bpf_ktime_get_ns();
    if (now - start < flamelab_settings.min_block_ns) {
        count(FLAMELAB_COUNTER_OFFCPU_SHORT);
        return;
    }
    ev->value = now - start;
    ev->time_ns = now;
    emit(ev, FLAMELAB_COUNTER_OFFCPU_SAMPLES);
    ev->time_ns = 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(flamelab_switch_btf, bool preempt, struct task_struct *prev, struct task_struct *next)
{
    offcpu_switch_in(next->pid);
    offcpu_switch_out(ctx, BPF_CORE_READ(prev, __state));
    return 0;
}

SEC("raw_tp/sched_switch")
int flamelab_switch_raw(struct bpf_raw_tracepoint_args *ctx)
{
    struct task_struct *prev = (struct task_struct *)ctx->args[1];
    struct task_struct *next = (struct task_struct *)ctx->args[2];

    offcpu_switch_in(BPF_CORE_READ(next, pid));
    offcpu_switch_out(ctx, BPF_CORE_READ(prev, __state));
    return 0;
}

SEC("tracepoint/sched/sched_switch")
int flamelab_switch_tp(struct trace_event_raw_sched_switch *ctx)
{
    offcpu_switch_in(ctx->next_pid);
    offcpu_switch_out(ctx, ctx->prev_state);
    return 0;
}
