/*
 * swift_async.h: what the Swift async walker (swift_async_walker.bpf.h) shares with the agent.
 * Plain C types only: included by profiler.h, so BPF code and CBPF see the same layout.
 *
 * Swift ABI facts this relies on (Linux x86_64; docs/research/swift-async-otel.md, Topic 1):
 * - an async funclet's frame keeps its async context in the word just below the saved frame pointer
 *   (FP - 8); Linux never tags the saved FP (no bit 60), so the frame is found another way: it is the
 *   frame called by the executor, whose return address lies in libswift_Concurrency's code;
 * - AsyncContext starts with Parent (+0, the caller's context, 0 at the task's root) and ResumeParent
 *   (+8, the caller's resume function).
 * The agent checks the rest in user space (the executor library has swift_job_run; resume functions
 * must be funclets, TQ/TY-mangled, or the runtime's own code; see SwiftConcurrencyRuntime.swift).
 */
#ifndef FLAMELAB_SWIFT_ASYNC_H
#define FLAMELAB_SWIFT_ASYNC_H

/* Resume functions recorded per sample: async callers above the running funclet. A power of two.
 * A Hummingbird handler sits ~32 awaits below its server task, so 32 cut the chain short. */
#define FLAMELAB_MAX_SWIFT_ASYNC_FRAMES 64
/* Frame records of the machine stack searched for the executor's call into a funclet. */
#define FLAMELAB_SWIFT_ASYNC_FP_FRAMES 32
/* Processes the walker can know at once. */
#define FLAMELAB_MAX_SWIFT_ASYNC_PROCS 4096
/* AsyncContext field offsets (include/swift/ABI/Task.h). */
#define FLAMELAB_SWIFT_ASYNC_CONTEXT_PARENT 0
#define FLAMELAB_SWIFT_ASYNC_CONTEXT_RESUME_PARENT 8
/* Where an async funclet keeps its context, relative to its frame pointer. */
#define FLAMELAB_SWIFT_ASYNC_CONTEXT_SLOT (-8)

/* Per process (key: tgid): the code of the library whose functions call funclets (the executor:
 * libswift_Concurrency's executable mapping). Filled by the agent. */
struct flamelab_swift_async_proc {
    unsigned long long executor_start;
    unsigned long long executor_end;
};

enum flamelab_swift_async_status {
    FLAMELAB_SWIFT_ASYNC_NONE = 0,       /* not a Swift async process, or no executor call on the stack */
    FLAMELAB_SWIFT_ASYNC_COMPLETE = 1,   /* the chain reached a context with no parent (the task's root) */
    FLAMELAB_SWIFT_ASYNC_TRUNCATED = 2,  /* FLAMELAB_MAX_SWIFT_ASYNC_FRAMES reached */
    FLAMELAB_SWIFT_ASYNC_UNREADABLE = 3, /* a context could not be read, or was implausible */
};

/* The async callers of one sample, read at sample time (contexts live on the heap and change). */
struct flamelab_swift_async_stack {
    unsigned int count;  /* entries of resume[] */
    unsigned int status; /* enum flamelab_swift_async_status */
    unsigned long long funclet_pc; /* pc in the funclet whose context was read: where to splice */
    unsigned long long resume[FLAMELAB_MAX_SWIFT_ASYNC_FRAMES]; /* ResumeParent values, innermost caller first */
};

#endif
