"""Python stack deeper than the walker's 64 frames: recurse() 100 levels down, then spin until the
deadline (argv[1] seconds). Prints "ready <pid>" once at the bottom."""
import os
import sys
import time


def recurse(depth, deadline):
    if depth == 0:
        print(f"ready {os.getpid()}", flush=True)
        total = 0
        while time.monotonic() < deadline:
            total += 1
        return total
    return recurse(depth - 1, deadline)


if __name__ == "__main__":
    recurse(100, time.monotonic() + float(sys.argv[1]))
