#!/usr/bin/env python3
"""A stand-in for flamelab-shop's /metrics, to try Prometheus without Swift (docs/research/prometheus.md).

Serves the ShopMetrics names (flamelab_http_requests_total, flamelab_http_errors_total,
flamelab_http_request_duration_seconds histogram, labels route and version) for a simulated 100
checkouts/s (+ 20 searches/s). GET /fault?on=1 (or --fault-after N) makes 40% of checkouts slow
(2 of every 5, 150..400 ms). GET /mode?m=MODE changes the exposition:
  openmetrics    OpenMetrics 1.0 with exemplars, whatever Accept says
  negotiate      OpenMetrics when Accept asks for it, else text 0.0.4 without exemplars (what the shop does)
  classic        text/plain 0.0.4, no exemplars
  classic-ex     text/plain 0.0.4 with exemplars on bucket lines (the shop before OpenMetrics)
  no-eof         OpenMetrics without the final `# EOF`
  total-type     OpenMetrics with counter TYPE lines named *_total
Every change of the scrape's Accept header is printed to stderr.
"""
import argparse
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BOUNDS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 1, 2.5, 5]
OM = "application/openmetrics-text; version=1.0.0; charset=utf-8"
TEXT = "text/plain; version=0.0.4; charset=utf-8"


class Route:
    def __init__(self):
        self.requests = 0
        self.errors = 0
        self.sum = 0.0
        self.buckets = [0] * len(BOUNDS)
        self.exemplars = [None] * (len(BOUNDS) + 1)  # (trace_id, seconds, unix time) per bucket

    def record(self, latency, now):
        self.requests += 1
        self.sum += latency
        i = next((k for k, b in enumerate(BOUNDS) if latency <= b), len(BOUNDS))
        for k in range(i, len(BOUNDS)):
            self.buckets[k] += 1
        self.exemplars[i] = (os.urandom(16).hex(), latency, now)


class Shop:
    def __init__(self, fault_after):
        self.lock = threading.Lock()
        self.routes = {"checkout": Route(), "search": Route()}
        self.fault = False
        self.fault_at = None
        self.mode = "negotiate"
        self.n = 0
        self.start = time.time()
        self.fault_after = fault_after
        self.last_accept = None

    def set_fault(self, on):
        with self.lock:
            self.fault = on
            self.fault_at = time.time() if on else None
        print(f"{time.time():.3f} fault {'on' if on else 'off'}", file=sys.stderr, flush=True)

    def tick(self):  # 100 checkouts/s and 20 searches/s, in 10 ms steps
        while True:
            time.sleep(0.01)
            if self.fault_after is not None and not self.fault and time.time() - self.start >= self.fault_after:
                self.fault_after = None
                self.set_fault(True)
            now = time.time()
            with self.lock:
                self.n += 1
                slow = self.fault and self.n % 5 < 2
                self.routes["checkout"].record(0.15 + (self.n % 25) * 0.01 if slow else 0.005 + (self.n % 15) * 0.005, now)
                if self.n % 5 == 0:
                    self.routes["search"].record(0.02, now)

    def exposition(self, openmetrics, exemplars, eof=True, total_type=False):
        with self.lock:
            routes = {k: (v.requests, v.errors, v.sum, list(v.buckets), list(v.exemplars)) for k, v in self.routes.items()}
        req = "flamelab_http_requests" if openmetrics and not total_type else "flamelab_http_requests_total"
        err = "flamelab_http_errors" if openmetrics and not total_type else "flamelab_http_errors_total"
        out = [f"# HELP {req} Requests served, by route and version.", f"# TYPE {req} counter"]
        out += [f'flamelab_http_requests_total{{route="{r}",version="v1"}} {v[0]}' for r, v in sorted(routes.items())]
        out += [f"# HELP {err} Requests answered with a 5xx status.", f"# TYPE {err} counter"]
        out += [f'flamelab_http_errors_total{{route="{r}",version="v1"}} {v[1]}' for r, v in sorted(routes.items())]
        out += ["# HELP flamelab_http_request_duration_seconds Request latency.",
                "# TYPE flamelab_http_request_duration_seconds histogram"]
        for r, (requests, _, total, buckets, ex) in sorted(routes.items()):
            labels = f'route="{r}",version="v1"'
            for i, bound in enumerate([*BOUNDS, "+Inf"]):
                count = buckets[i] if i < len(BOUNDS) else requests
                line = f'flamelab_http_request_duration_seconds_bucket{{{labels},le="{bound}"}} {count}'
                if exemplars and ex[i]:
                    line += f' # {{trace_id="{ex[i][0]}"}} {ex[i][1]} {ex[i][2]:.3f}'
                out.append(line)
            out.append(f"flamelab_http_request_duration_seconds_sum{{{labels}}} {total}")
            out.append(f"flamelab_http_request_duration_seconds_count{{{labels}}} {requests}")
        if openmetrics and eof:
            out.append("# EOF")
        return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=18600)
    ap.add_argument("--fault-after", type=float, default=None)
    ap.add_argument("--mode", default="negotiate")
    args = ap.parse_args()
    shop = Shop(args.fault_after)
    shop.mode = args.mode

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def send(self, body, ctype):
            data = body.encode()
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            path, _, query = self.path.partition("?")
            q = dict(p.split("=", 1) for p in query.split("&") if "=" in p)
            if path == "/fault":
                shop.set_fault(q.get("on") == "1")
                return self.send(f"{shop.fault_at}\n", "text/plain")
            if path == "/mode":
                shop.mode = q.get("m", shop.mode)
                print(f"{time.time():.3f} mode {shop.mode}", file=sys.stderr, flush=True)
                return self.send(shop.mode + "\n", "text/plain")
            if path != "/metrics":
                self.send_response(404)
                self.end_headers()
                return
            accept = self.headers.get("Accept", "")
            if accept != shop.last_accept:
                shop.last_accept = accept
                print(f"{time.time():.3f} scrape Accept: {accept}", file=sys.stderr, flush=True)
            m = shop.mode
            if m == "openmetrics":
                return self.send(shop.exposition(True, True), OM)
            if m == "negotiate":
                om = "application/openmetrics-text" in accept
                return self.send(shop.exposition(om, om), OM if om else TEXT)
            if m == "classic":
                return self.send(shop.exposition(False, False), TEXT)
            if m == "classic-ex":
                return self.send(shop.exposition(False, True), TEXT)
            if m == "no-eof":
                return self.send(shop.exposition(True, True, eof=False), OM)
            if m == "total-type":
                return self.send(shop.exposition(True, True, total_type=True), OM)

    threading.Thread(target=shop.tick, daemon=True).start()
    print(f"{time.time():.3f} listening on 127.0.0.1:{args.port} mode {shop.mode}", file=sys.stderr, flush=True)
    ThreadingHTTPServer(("127.0.0.1", args.port), Handler).serve_forever()


if __name__ == "__main__":
    main()
