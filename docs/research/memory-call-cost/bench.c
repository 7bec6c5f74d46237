/* Per-call cost of the allocator probes: rounds of 200 malloc(64)+free pairs timed in thread CPU time
 * (a uprobe's handler runs in the calling thread and counts there), one line per round:
 * CLOCK_MONOTONIC ns, ns per pair. 10 ms sleep between rounds keeps a sample-everything run under the
 * ring buffer's drain rate. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
static void *volatile sink;
static long long now(clockid_t c) { struct timespec t; clock_gettime(c, &t); return t.tv_sec * 1000000000LL + t.tv_nsec; }
int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    for (;;) {
        long long t0 = now(CLOCK_THREAD_CPUTIME_ID);
        for (int i = 0; i < 200; i++) { void *p = malloc(64); sink = p; free(p); }
        long long t1 = now(CLOCK_THREAD_CPUTIME_ID);
        printf("%lld %.1f\n", now(CLOCK_MONOTONIC), (t1 - t0) / 200.0);
        struct timespec pause = { 0, 10000000 };
        nanosleep(&pause, NULL);
    }
}
