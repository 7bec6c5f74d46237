"""A known CPU split for the Python walker's tests: hot_a does 3 units of work for each unit of
Küche.計算_b (75% / 25% of the CPU), both pure Python, called from run() -> main(). A short nap() now
and then gives the off-CPU program a Python stack to find. Prints "ready <pid> <code id of hot_a> <code id of Küche.計算_b>" once warm, then runs for
the number of seconds given as argv[1]. Runs on CPython 3.11, 3.12 and 3.13.
Küche.計算_b is called through map() (C), so it runs in its own _PyEval_EvalFrameDefault: leaf-first
groups are spin, 計算_b -> 0 and run, main, <module> -> 1, while hot_a's whole stack is group 0.
A second thread sleeps in wait_in_thread(): it never holds the GIL when it blocks, so the walker must find
its thread state by walking the interpreter's thread list."""
import os
import sys
import threading
import time

# Small units: a round (4 units) lasts well under one sampling period, so samplers see a well-mixed
# split instead of aliasing with the loop's period.
UNIT = 2_000


def spin(count):
    total = 0
    for index in range(count):
        total += index * index % 7
    return total


def hot_a():
    return spin(3 * UNIT)


class Küche:
    @staticmethod
    def 計算_b(_unused=None):
        return spin(UNIT)


def nap():
    time.sleep(0.002)


def wait_in_thread():
    while True:
        time.sleep(0.01)


def run(deadline):
    """Ground truth for the samplers: the thread CPU time spent in each function, printed now and then
    as "split <ns in hot_a> <ns in 計算_b>"."""
    rounds = 0
    in_a = in_b = 0
    while time.monotonic() < deadline:
        start = time.thread_time_ns()
        hot_a()
        middle = time.thread_time_ns()
        for _ in map(Küche.計算_b, (None,)):
            pass
        in_a += middle - start
        in_b += time.thread_time_ns() - middle
        rounds += 1
        if rounds % 200 == 0:
            print(f"split {in_a} {in_b}", flush=True)
            nap()


def main():
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 20.0
    threading.Thread(target=wait_in_thread, name="waiter", daemon=True).start()
    run(time.monotonic() + 0.5)
    print(f"ready {os.getpid()} {id(hot_a.__code__)} {id(Küche.計算_b.__code__)}", flush=True)
    run(time.monotonic() + seconds)


if __name__ == "__main__":
    main()
