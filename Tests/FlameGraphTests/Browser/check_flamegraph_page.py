#!/usr/bin/env python3
"""Opens a flamelab flame graph page in headless Chromium and checks it works.

Checks: no console errors; boxes drawn; the browser-built tree equals the Swift-built one;
search highlights and reports a matched share; a real click zooms and Reset restores; the
icicle toggle; the top-self list; and (with --trace) the trace-id filter. Saves a screenshot.
Prints one JSON object with the measured values; exits 1 on any failed check, 3 when
selenium or chromium is missing (the caller decides whether that is a skip).
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "lab", "browser"))
from headless_chromium import missing, open_chromium  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("html")
    ap.add_argument("--screenshot", required=True)
    ap.add_argument("--search", required=True, help="a search term that must match")
    ap.add_argument("--expect-top", help="the expected first entry of the top-self list")
    ap.add_argument("--trace", help="a trace id prefix to filter by")
    ap.add_argument("--diff", action="store_true", help="page is a differential flame graph")
    ap.add_argument("--hover", help="hover the first box whose name starts with this for the screenshot")
    args = ap.parse_args()

    skip = missing()
    if skip:
        print(json.dumps({"skip": skip}))
        return 3
    from selenium.webdriver.common.by import By
    driver = open_chromium("1500,900")
    failures, result = [], {}

    def check(cond, what):
        if not cond:
            failures.append(what)

    try:
        driver.get("file://" + args.html)
        js = driver.execute_script
        check(js("return typeof window.flamelab === 'object'"), "page script did not start (window.flamelab missing)")
        result["rerenderMs"] = js("var t = performance.now(); flamelab.zoom(0); return performance.now() - t;")
        rects = js("return flamelab.rectCount()")
        result["rects"] = rects
        check(rects > 1, "no frame boxes drawn")
        if not args.diff:
            result["selfCheck"] = js("return flamelab.selfCheck()")
            check(result["selfCheck"] in ("ok", "no per-sample data"), "browser tree differs from Swift tree: %s" % result["selfCheck"])
            top = js("return flamelab.topSelf()")
            result["topSelf"] = top[:5]
            check(len(top) > 0, "top self list is empty")
            if args.expect_top:
                check(top and top[0] == args.expect_top, "top self function is %r, expected %r" % (top[:1], args.expect_top))

        # Search through the real input box.
        box = driver.find_element(By.ID, "search")
        box.send_keys(args.search)
        matched = js("return flamelab.state.matched")
        result["searchMatched"] = matched
        check(matched is not None and matched > 0, "search %r matched nothing" % args.search)
        check(len(driver.find_elements(By.CSS_SELECTOR, "#flame g.hit")) > 0, "search highlighted no box")
        check("Matched:" in driver.find_element(By.ID, "match").text, "matched share not shown")
        result["matchText"] = driver.find_element(By.ID, "match").text
        driver.save_screenshot(args.screenshot.replace(".png", "-search.png"))
        box.clear()
        js("flamelab.search('')")

        # Zoom with a real click on a box that is not the root, then reset.
        before = js("return flamelab.rectCount()")
        target = js("""
            var S = flamelab.state, best = null;
            S.rects.forEach(function (r) { var n = S.nodes[r.n];
              if (n.depth >= 1 && n.kids.length && r.w < 1 && (!best || r.w < best.w) && r.w * S.layoutWidth > 20) best = r; });
            return best ? best.n : null;""")
        if target is not None:
            el = driver.find_element(By.CSS_SELECTOR, '#flame g[data-n="%d"] rect' % target)
            el.click()
            result["zoomedTo"] = target
            check(js("return flamelab.state.zoom") == target, "click did not zoom")
            width = js("var S = flamelab.state; for (var i = 0; i < S.rects.length; i++) if (S.rects[i].n === %d) return S.rects[i].w; return 0;" % target)
            check(abs(width - 1) < 1e-9, "zoomed box is not full width (%s)" % width)
            driver.find_element(By.ID, "reset").click()
            check(js("return flamelab.state.zoom") == 0 and js("return flamelab.rectCount()") == before, "reset did not restore the view")
        else:
            failures.append("no box to zoom into")

        # Orientation toggle.
        driver.find_element(By.ID, "orient").click()
        check(js("return flamelab.state.orient") == "icicle", "icicle toggle failed")
        driver.find_element(By.ID, "orient").click()

        if args.trace:
            total = js("return flamelab.state.nodes[0].total")
            filtered = js("return flamelab.filter(arguments[0])", args.trace)
            result["traceFiltered"] = [filtered, total]
            check(0 < filtered < total, "trace filter did not narrow the profile (%s of %s)" % (filtered, total))
            result["traceTop"] = js("return flamelab.topSelf()")[:3]
            driver.save_screenshot(args.screenshot.replace(".png", "-trace.png"))
            empty = js("return flamelab.filter('ffffffffffff')")
            check(empty == 0 and "No samples carry trace id" in driver.find_element(By.ID, "message").text, "unknown trace id did not say so")
            js("flamelab.filter('')")

        # Hover one box for the tooltip screenshot.
        from selenium.webdriver import ActionChains
        # One round trip: the widest box below the root (per-element WebDriver calls are slow on big pages).
        widest = js("""var best = null, bw = -1, want = arguments[0];
            document.querySelectorAll('#flame g.fr').forEach(function (g) {
              if (g.getAttribute('data-n') === '0') return;
              if (want && !(g.textContent || '').startsWith(want.slice(0, 8))) return;
              var r = g.querySelector('rect'), w = parseFloat(r.getAttribute('width'));
              if (w > bw) { bw = w; best = r; } });
            return best || document.querySelector('#flame g.fr rect');""", args.hover)
        ActionChains(driver).move_to_element(widest).perform()
        check(driver.find_element(By.ID, "tip").is_displayed(), "tooltip not shown on hover")
        result["tooltip"] = driver.find_element(By.ID, "tip").text
        driver.save_screenshot(args.screenshot)

        logs = driver.get_log("browser")
        errors = [l for l in logs if l.get("level") in ("SEVERE", "WARNING")]
        result["consoleErrors"] = [l.get("message") for l in errors]
        check(not errors, "console errors: %s" % [l.get("message") for l in errors])
    except Exception as e:  # any driver failure is a failed check, reported with its reason
        failures.append("failed to drive the page: %s" % e)
    finally:
        driver.quit()

    result["failures"] = failures
    print(json.dumps(result))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
