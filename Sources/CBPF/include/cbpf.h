/*
 * CBPF: the C that Swift cannot call directly (variadic syscall(), libbpf's va_list print
 * callback, BTF walking for .rodata settings), plus libbpf's headers and the profiler's shared
 * event layout for the Agent module.
 */
#ifndef FLAMELAB_CBPF_H
#define FLAMELAB_CBPF_H

#include <stddef.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>

/* The one definition of the BPF <-> user event layout (bpf/profiler.h, which includes bpf/python.h). */
#include "../../../bpf/profiler.h"
/* The memory profiles' layout (bpf/memory.h: allocator uprobes, their events and settings). */
#include "../../../bpf/memory.h"
/* Where a process publishes its OpenTelemetry thread context (the value of flamelab_tls_offsets). */
#include "../../../bpf/thread_context.h"

#ifdef __cplusplus
extern "C" {
#endif

/// Opens a software cpu-clock perf event on `cpu` (all tasks) sampling at `frequency` Hz.
/// Returns the fd, or -errno.
int cbpf_perf_event_open_cpu_clock(int cpu, unsigned long long frequency);

/// Opens a software page-faults perf event on `cpu` (all tasks) that overflows every `period` faults.
/// Returns the fd, or -errno.
int cbpf_perf_event_open_page_faults(int cpu, unsigned long long period);

/// Routes libbpf's messages into a buffer (read with cbpf_last_log), echoing them to stderr when
/// `echo` is non-zero. Call once before opening objects.
void cbpf_install_print_callback(int echo);

/// The last lines libbpf printed (warnings and verifier logs), for error messages. Never NULL.
const char *cbpf_last_log(void);

/// Clears the buffer behind cbpf_last_log.
void cbpf_clear_log(void);

/// Copies `size` bytes into the .rodata variable `name` of an opened, not yet loaded object.
/// Returns 0, or -errno (-ENOENT: no such variable; -EINVAL: size mismatch).
int cbpf_set_rodata(struct bpf_object *obj, const char *name, const void *value, size_t size);

/// BPF_TRACE_UPROBE_SESSION, the attach type of uprobe sessions (not in libbpf 1.1's headers).
#define CBPF_TRACE_UPROBE_SESSION 57

/// Attaches `prog_fd` (loaded with expected attach type CBPF_TRACE_UPROBE_SESSION) as a uprobe session at
/// `offset` in the ELF file `path`, in process `pid` only. Returns the link fd (close it to detach), or -errno.
int cbpf_attach_uprobe_session(int prog_fd, const char *path, unsigned long long offset, int pid);

/// The size of the fixed part of an event (everything before data[], the variable part).
size_t cbpf_event_header_size(void);

#ifdef __cplusplus
}
#endif

#endif
