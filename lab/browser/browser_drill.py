#!/usr/bin/env python3
"""The drill through `lab serve` in headless Chromium: alert -> slow traces -> flame graph -> named function.

Starts the demo service and `lab serve --with-agent` (one `lab agent --service` writing a temporary
store, the UI reading it), applies checkout load, flips the fault switch, waits for the burn-rate alert
on the status page, then clicks alert -> "CPU flame graph of all slow traces" and reads the top self
function from #top-function. Then the store's other paths: a time-range change, a trace search and
that trace's page (CPU/wall), a subset of the alert's exemplars picked by checkbox, a v1 -> v2 deploy
and the version diff. Saves an annotated screenshot of each step to <results>/browser-*.png and the
measured timeline to <results>/browser-drill.json. Also checks: no console errors, unknown trace ids
give an empty profile with a message, unknown paths give 404, a range in the future says so.
Exits 0 when every check passes, 1 on a failed check, 3 when selenium or chromium is missing (the
caller decides whether that is a skip).
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from headless_chromium import missing, open_chromium  # noqa: E402

NEEDLE = "PricingEngine.applyPairwiseBundleDiscounts"
V2_NEEDLE = "FraudScreening.scoreOrderRisk"


def http(method, url, timeout=5):
    req = urllib.request.Request(url, method=method)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace")


def wait_http(url, seconds):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            if http("GET", url, timeout=2)[0] == 200:
                return True
        except OSError:
            pass
        time.sleep(0.3)
    return False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lab", required=True, help="the lab executable under test")
    ap.add_argument("--results", required=True, help="directory for browser-*.png and browser-drill.json")
    ap.add_argument("--service-port", type=int, default=18650)
    ap.add_argument("--ui-port", type=int, default=18651)
    ap.add_argument("--steady", type=float, default=32, help="seconds of load before the fault (past the long window, so a quiet page means something)")
    ap.add_argument("--warmup", type=float, default=5,
                    help="seconds of load before lab serve starts: the service's first requests and the browser's start-up are not the SLO's to count")
    ap.add_argument("--alert-timeout", type=float, default=90)
    args = ap.parse_args()

    skip = missing()
    if skip:
        print(json.dumps({"skip": skip}))
        return 3
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    os.makedirs(args.results, exist_ok=True)
    ui = "http://127.0.0.1:%d" % args.ui_port
    svc = "http://127.0.0.1:%d" % args.service_port
    failures, result, console = [], {"needle": NEEDLE}, []
    procs = []

    def check(cond, what):
        if not cond:
            failures.append(what)
        return cond

    lab = args.lab
    subprocess.run([lab, "service", "stop", "--port", str(args.service_port)], capture_output=True)
    started = subprocess.run([lab, "service", "start", "--version", "v1", "--port", str(args.service_port)], capture_output=True, text=True)
    if started.returncode != 0:
        print(json.dumps({"failures": ["failed to start the service: " + started.stderr.strip()]}))
        return 1
    serve_log = open(os.path.join(args.results, "browser-serve.log"), "w")
    os.chmod(serve_log.name, 0o600)
    driver = None
    # The store is scratch: profiles are private, and the reference results are committed.
    store_dir = tempfile.mkdtemp(prefix="flamelab-browser-")
    store = os.path.join(store_dir, "profiles.sqlite")

    def load(seconds):
        return subprocess.Popen([lab, "load", "--mode", "open", "--rate", "25", "--duration", "%ds" % seconds, "--mix", "checkout",
                                 "--port", str(args.service_port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    try:
        # Order matters on a 2-core machine: a browser starting (seconds of both cores) or a service
        # answering its first requests slows checkouts past the SLO's 100 ms, and a run once paged
        # 2 s after lab serve started. So the browser starts first, the load warms the service, and
        # only then does lab serve start its SLO clock (its agent, started with it, attached first).
        driver = open_chromium("1400,900")
        js = driver.execute_script
        load_v1 = load(150 + args.warmup)
        procs.append(load_v1)
        time.sleep(args.warmup)
        procs.append(subprocess.Popen([lab, "serve", "--port", str(args.ui_port), "--service-port", str(args.service_port),
                                       "--prometheus-port", str(args.ui_port + 1), "--window", "4s", "--with-agent", "--store", store],
                                      stdout=serve_log, stderr=subprocess.STDOUT))
        if not check(wait_http(ui + "/", 60), "lab serve did not answer on %s" % ui):
            raise RuntimeError("no UI")

        def collect_console(page):
            for entry in driver.get_log("browser"):
                if entry.get("level") == "SEVERE":
                    console.append({"page": page, "message": entry.get("message")})

        def shot(name, caption):
            # A caption bar on top of the page, removed after the screenshot.
            js("""var d = document.createElement('div'); d.id = '__caption'; d.textContent = arguments[0];
                  d.style.cssText = 'position:fixed;left:0;right:0;bottom:0;z-index:99999;background:#222;color:#ffeb3b;' +
                    'font:bold 16px system-ui,sans-serif;padding:8px 12px;opacity:0.92';
                  document.body.appendChild(d);""", caption)
            path = os.path.join(args.results, "browser-%s.png" % name)
            driver.save_screenshot(path)
            os.chmod(path, 0o600)  # screenshots show the profile: private like every profile file
            js("var d = document.getElementById('__caption'); if (d) d.remove();")

        driver.get(ui + "/")
        time.sleep(args.steady)
        driver.get(ui + "/")
        collect_console("/")
        check(len(driver.find_elements(By.ID, "windows")) == 1, "status page has no burn-rate table")
        result["steadyBurn"] = [e.text for e in driver.find_elements(By.CSS_SELECTOR, "#windows td.burn-long, #windows td.burn-short")]
        check(len(driver.find_elements(By.CSS_SELECTOR, "a.alert-link")) == 0, "an alert fired before the fault")
        shot("1-status", "1. SLO status before the fault: burn rates per window, no alert")

        status, _ = http("POST", svc + "/admin/fault?share=0.4&factor=12")
        check(status == 200, "fault switch answered HTTP %s" % status)
        fault_at = time.monotonic()

        # The status page refreshes itself every second until an alert fires.
        link = None
        while time.monotonic() - fault_at < args.alert_timeout:
            try:
                found = driver.find_elements(By.CSS_SELECTOR, "a.alert-link")
                if found:
                    link = found[0]
                    break
            except Exception:
                pass  # the page was reloading
            time.sleep(0.1)
        if not check(link is not None, "no alert on the page %.0f s after the fault" % args.alert_timeout):
            raise RuntimeError("no alert")
        alert_seen = time.monotonic()
        result["faultToAlertSeconds"] = round(alert_seen - fault_at, 2)
        collect_console("/ (alert)")
        shot("2-alert", "2. The burn-rate alert fired %.1f s after the fault: click it" % (alert_seen - fault_at))

        link.click()
        WebDriverWait(driver, 10).until(lambda d: d.find_elements(By.ID, "all-traces-cpu") or d.find_elements(By.ID, "message"))
        alert_url = driver.current_url
        result["exemplarVersions"] = [e.text for e in driver.find_elements(By.CSS_SELECTOR, "tr.exemplar td.version")]
        result["exemplarCPUWall"] = [e.text for e in driver.find_elements(By.CSS_SELECTOR, "tr.exemplar td.cpu-wall")]
        check(result["exemplarVersions"] and all(v == "v1" for v in result["exemplarVersions"]), "the exemplar table does not show the version v1")
        collect_console("/alerts")
        traces = [e.text for e in driver.find_elements(By.CSS_SELECTOR, "a.trace-link")]
        result["exemplarTraceIDs"] = traces
        check(len(traces) > 0, "the alert page lists no slow trace")
        shot("3-traces", "3. The alert's slow exemplars (latency, route, version, CPU/wall): open the flame graph of all of them")

        driver.find_element(By.ID, "all-traces-cpu").click()
        top = WebDriverWait(driver, 20).until(lambda d: d.find_elements(By.ID, "top-function"))[0]
        named = top.get_attribute("data-function") or ""
        named_at = time.monotonic()
        result["alertToNamedSeconds"] = round(named_at - alert_seen, 2)
        result["namedFunction"] = named
        result["topFunctionText"] = top.text
        result["flameGraphURL"] = driver.current_url
        check(NEEDLE in named, "top self function is %r, expected it to contain %s" % (named, NEEDLE))
        check(js("return typeof window.flamelab === 'object'"), "flame graph page script did not start")
        result["pageTopSelf"] = js("return window.flamelab ? flamelab.topSelf().slice(0, 3) : []")
        collect_console("/flamegraph cpu")
        shot("4-flamegraph", "4. CPU flame graph of the slow traces: top self function named %.2f s after the alert" % (named_at - alert_seen))

        driver.find_element(By.ID, "other-kind").click()
        WebDriverWait(driver, 20).until(lambda d: d.find_elements(By.ID, "top-function"))
        result["offcpuTopFunction"] = driver.find_element(By.ID, "top-function").get_attribute("data-function")
        collect_console("/flamegraph offcpu")
        shot("5-offcpu", "5. Off-CPU flame graph of the same traces")

        driver.get(ui + "/flamegraph?trace_id=ffffffffffffffffffffffffffffffff&kind=cpu")
        msg = driver.find_elements(By.ID, "drill-message")
        check(msg and "No cpu sample carries" in msg[0].text, "unknown trace id did not give an empty profile with a message")
        collect_console("/flamegraph unknown")
        shot("6-unknown-trace", "6. Unknown trace id: an empty profile with a message, not an error page")

        code, _ = http("GET", ui + "/no/such/page")
        result["unknownPathStatus"] = code
        check(code == 404, "an unknown path answered HTTP %s, expected 404" % code)
        code, body = http("GET", ui + "/flamegraph?from=4102444800&kind=cpu")
        # Never an error page: the page shows the last 15 minutes with a sentence saying why.
        check(code == 200 and "starts in the future" in body, "a range in the future did not say so (HTTP %s)" % code)

        # A time-range change on the flame graph page: the picker's preset, submitted.
        driver.get(ui + "/flamegraph?last=15m&kind=cpu")
        from selenium.webdriver.support.ui import Select
        Select(driver.find_element(By.ID, "range-last")).select_by_value("5m")
        driver.find_element(By.ID, "show").click()
        WebDriverWait(driver, 20).until(lambda d: "last=5m" in d.current_url and d.find_elements(By.ID, "top-function"))
        check(bool(driver.find_element(By.ID, "top-function").get_attribute("data-function")), "the last 5 minutes have no named top function")
        result["rangeChangeURL"] = driver.current_url
        collect_console("/flamegraph last=5m")
        shot("7-range", "7. The last 5 minutes of the whole service, picked in the range selector")

        # A trace search: the slowest exemplar's id typed into the search box, then its trace page.
        if traces:
            box = driver.find_element(By.ID, "trace-search")
            box.clear()
            box.send_keys(traces[0])
            driver.find_element(By.ID, "show").click()
            WebDriverWait(driver, 20).until(lambda d: traces[0] in d.current_url and d.find_elements(By.ID, "top-function"))
            searched = driver.find_element(By.ID, "top-function").get_attribute("data-function") or ""
            result["traceSearchTopFunction"] = searched
            check(NEEDLE in searched, "trace search of %s named %r, expected %s" % (traces[0], searched, NEEDLE))
            collect_console("/flamegraph trace search")
            driver.get(ui + "/trace/%s?last=15m" % traces[0])
            cells = driver.find_elements(By.ID, "trace-cpu-wall")
            check(bool(cells), "the trace page shows no CPU/wall")
            result["traceCPUWall"] = cells[0].text if cells else None
            collect_console("/trace")
            shot("8-trace", "8. One trace: its CPU and off-CPU time from the profile, beside the service's own figures")

        # A subset of the alert's exemplars, picked by checkbox.
        driver.get(alert_url)
        boxes = driver.find_elements(By.CSS_SELECTOR, "input.pick")
        for box in boxes[3:]:
            if box.is_selected():
                box.click()
        driver.find_element(By.ID, "picked-flamegraph").click()
        WebDriverWait(driver, 20).until(lambda d: d.find_elements(By.ID, "top-function"))
        folded = driver.find_elements(By.CSS_SELECTOR, "#traces-folded summary")
        picked = min(3, len(boxes))
        check(folded and folded[0].text.startswith("%d trace" % picked), "the picked subset is not %d traces: %s" % (picked, folded[0].text if folded else "no summary"))
        collect_console("/flamegraph picked")
        shot("9-picked", "9. The flame graph of %d picked exemplars; the ids are folded under a count" % picked)

        # A deploy: v1 stops, v2 starts on the port; the agent follows it and the diff shows the new code.
        load_v1.terminate()
        subprocess.run([lab, "service", "stop", "--port", str(args.service_port)], capture_output=True)
        deployed = subprocess.run([lab, "service", "start", "--version", "v2", "--port", str(args.service_port)], capture_output=True, text=True)
        check(deployed.returncode == 0, "failed to deploy v2: %s" % deployed.stderr.strip())
        deploy_at = time.monotonic()
        procs.append(load(40))
        seen_v2 = False
        while time.monotonic() - deploy_at < 40 and not seen_v2:
            code, body = http("GET", ui + "/")
            seen_v2 = code == 200 and "<td>v2</td><td>cpu</td>" in body
            time.sleep(0.5)
        result["deployToV2WindowSeconds"] = round(time.monotonic() - deploy_at, 2) if seen_v2 else None
        check(seen_v2, "no v2 window in the store 40 s after the deploy")
        time.sleep(8)  # two more windows of v2, so its diff has samples of the new code
        # The status page reloads itself every second: take the link's address, then open it.
        driver.get(ui + "/")
        href = None
        for _ in range(20):
            try:
                href = driver.find_element(By.ID, "diff-link").get_attribute("href")
                break
            except Exception:
                time.sleep(0.25)
        check(href is not None, "the status page offers no v1 -> v2 diff link")
        driver.get(href or ui + "/diff?base=v1&cand=v2&last=1h&kind=cpu")
        WebDriverWait(driver, 30).until(lambda d: d.find_elements(By.ID, "diff-form"))
        result["diffURL"] = driver.current_url
        check(V2_NEEDLE in driver.page_source, "the v1 -> v2 diff does not show %s" % V2_NEEDLE)
        collect_console("/diff")
        shot("10-diff", "10. After the deploy: the v1 -> v2 differential flame graph from the store")
    except Exception as e:  # a failed wait or a dead process: report it as a failure
        failures.append("drill stopped: %s: %s" % (type(e).__name__, e))
    finally:
        if driver is not None:
            try:
                collect_console("end")
            except Exception:
                pass
            driver.quit()
        for p in reversed(procs):
            p.terminate()
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()
        serve_log.close()
        subprocess.run([lab, "service", "stop", "--port", str(args.service_port)], capture_output=True)
        shutil.rmtree(store_dir, ignore_errors=True)

    check(not console, "console errors: %s" % console[:3])
    elapsed = result.get("alertToNamedSeconds")
    result["goalSeconds"] = 10
    result["withinGoal"] = elapsed is not None and elapsed < 10
    check(result["withinGoal"], "alert -> named function took %s s (goal < 10 s)" % elapsed)
    result["consoleErrors"] = console
    result["failures"] = failures
    path = os.path.join(args.results, "browser-drill.json")
    with open(path, "w") as f:
        json.dump(result, f, indent=2)
    os.chmod(path, 0o600)
    print(json.dumps(result))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
