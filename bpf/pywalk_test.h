/* pywalk_test.h: event of the Python walker's test program (pywalk_test.bpf.c), shared with its loader
 * (Sources/CPythonWalkTest). Test-only: the agent defines its own events and embeds flamelab_py_stack. */
#ifndef FLAMELAB_PYWALK_TEST_H
#define FLAMELAB_PYWALK_TEST_H
#include "python.h"

#define PYWALK_KIND_CPU 0u
#define PYWALK_KIND_OFFCPU 1u

struct pywalk_event {
    unsigned int pid;
    unsigned int tid;
    unsigned int kind;   /* PYWALK_KIND_* */
    unsigned int pad;
    struct flamelab_py_stack python;
};

#endif
