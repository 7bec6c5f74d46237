#!/usr/bin/env python3
"""Interleaved off/on: for each repetition, every configuration in a rotated order, each phase an off
window then an on window (the agent attached, judged from its --ready-file), per-round costs from
bench's output; prints the median ns per malloc+free pair per configuration and the on-off difference."""
import os, subprocess, sys, time, statistics
LAB = sys.argv[1]
REPS = int(sys.argv[2]) if len(sys.argv) > 2 else 5
# (name, kind, rate, uprobe sessions for in-use: FLAMELAB_MEMORY_SESSIONS=0 forces entry + uretprobe)
CONFIGS = [("alloc unsampled", "alloc", "1000GiB", True), ("alloc every call", "alloc", "1", True),
           ("inuse unsampled, sessions", "inuse", "1000GiB", True), ("inuse every call, sessions", "inuse", "1", True),
           ("inuse unsampled, uretprobes", "inuse", "1000GiB", False), ("inuse every call, uretprobes", "inuse", "1", False)]
bench = subprocess.Popen(["./bench"], stdout=open("rounds.txt", "w"))
time.sleep(1)
windows = []  # (name, start_ns, end_ns)
try:
    for rep in range(REPS):
        order = CONFIGS[rep % len(CONFIGS):] + CONFIGS[:rep % len(CONFIGS)]
        for name, kind, rate, sessions in order:
            t = time.monotonic_ns(); time.sleep(2.0); windows.append(("off", t + 300_000_000, time.monotonic_ns()))
            ready = f"/tmp/flamelab-memory-bench-ready-{rep}-{kind}-{rate}-{sessions}"
            env = dict(os.environ, FLAMELAB_MEMORY_SESSIONS="1" if sessions else "0")
            agent = subprocess.Popen([LAB, "record", "--pid", str(bench.pid), "--kind", kind, "--alloc-rate", rate,
                                      "--duration", "3s", "--ready-file", ready, "-o", "/tmp/flamelab-memory-bench.pb.gz"],
                                     stderr=open(f"agent-{rep}-{kind}-{rate}-{sessions}.log", "w"), env=env)
            while not os.path.exists(ready) and agent.poll() is None: time.sleep(0.01)
            start = time.monotonic_ns()
            agent.wait()
            # The agent detaches at its end: keep the middle of its 3 s.
            windows.append((name, start + 300_000_000, start + 2_500_000_000))
            os.remove(ready) if os.path.exists(ready) else None
finally:
    bench.kill()
rounds = [tuple(map(float, line.split())) for line in open("rounds.txt") if len(line.split()) == 2]
def per(name):
    return [cost for (t, cost) in rounds for (n, a, b) in windows if n == name and a <= t <= b]
off = statistics.median(per("off"))
print(f"off: median {off:.1f} ns per malloc+free pair over {len(per('off'))} rounds of 200")
for name, kind, rate, sessions in CONFIGS:
    values = per(name)
    med = statistics.median(values)
    print(f"{name} (--kind {kind} --alloc-rate {rate}): median {med:.1f} ns per pair over {len(values)} rounds; added {med - off:.1f} ns")
