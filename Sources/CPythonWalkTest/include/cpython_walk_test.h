/*
 * CPythonWalkTest: test-only loader of bpf/.output/pywalk_test.bpf.o (the Python walker inside a perf_event
 * and a tp_btf/sched_switch program), so PythonFramesTests can sample a real python3.11 through the real
 * verifier without waiting for the agent. Lifecycle as in libbpf-tools: open -> set rodata -> load ->
 * register -> attach -> poll -> destroy.
 */
#ifndef CPYTHON_WALK_TEST_H
#define CPYTHON_WALK_TEST_H

#include <stddef.h>
#include <stdint.h>

#include "pywalk_test.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pywalk_session pywalk_session;

/// Opens and loads `object_path` with target_tgid = `tgid`. NULL on failure, with a message in `err`.
pywalk_session *pywalk_open(const char *object_path, uint32_t tgid, char *err, size_t errlen);

/// Registers `tgid` as a Python process whose _PyRuntime is at `runtime`, walked with `offsets` (flamelab_py_procs).
int pywalk_register(pywalk_session *session, uint32_t tgid, uint64_t runtime, const struct flamelab_py_offsets *offsets,
                     char *err, size_t errlen);

/// Attaches the CPU sampler: one software cpu-clock perf event per online CPU at `hz`.
int pywalk_attach_cpu(pywalk_session *session, uint64_t hz, char *err, size_t errlen);

/// Attaches the off-CPU program (tp_btf/sched_switch).
int pywalk_attach_offcpu(pywalk_session *session, char *err, size_t errlen);

/// Moves the events waiting in the ring buffer into the session. Returns how many, or -1 (message in err).
int pywalk_poll(pywalk_session *session, int timeout_ms, char *err, size_t errlen);

/// Number of events gathered so far.
size_t pywalk_event_count(const pywalk_session *session);

/// The event at `index` (< pywalk_event_count), valid until the next poll or pywalk_close.
const struct pywalk_event *pywalk_event_at(const pywalk_session *session, size_t index);

/// Ring-buffer reservations the BPF side failed (full buffer).
uint64_t pywalk_drops(const pywalk_session *session);

/// Run count and total run time (ns) of program `name` since load. Counted only while the session holds
/// BPF_STATS_RUN_TIME (taken at open when possible); 0/0 otherwise. Returns 0, or -1 when not found.
int pywalk_program_stats(const pywalk_session *session, const char *name, uint64_t *run_count, uint64_t *run_time_ns);

/// Detaches the programs (no new events); gathered events stay readable.
void pywalk_detach(pywalk_session *session);

/// Detaches everything and frees the session. Safe on NULL.
void pywalk_close(pywalk_session *session);

#ifdef __cplusplus
}
#endif
#endif
