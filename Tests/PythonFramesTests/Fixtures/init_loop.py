"""Constructs objects in a hot loop: once warm, CPython 3.13 specialises K() (CALL_ALLOC_AND_ENTER_INIT) and
runs K.__init__ below its _Py_InitCleanup pseudo-frame (qualname and file "__init__", first line 0), which
the resolver must leave out. Prints "ready <pid>" once warm, then runs for argv[1] seconds."""
import os
import sys
import time


class K:
    def __init__(self):
        total = 0
        for index in range(2_000):
            total += index % 7
        self.total = total


def build(deadline):
    while time.monotonic() < deadline:
        K()


def main():
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 10.0
    build(time.monotonic() + 0.5)
    print(f"ready {os.getpid()}", flush=True)
    build(time.monotonic() + seconds)


if __name__ == "__main__":
    main()
