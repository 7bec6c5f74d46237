"""Headless Debian chromium driven by selenium, shared by the browser tests' scripts.

`missing()` gives the reason the browser cannot run here (selenium, chromium or chromedriver not
installed), which the caller reports as a skip with exit status 3, or None. `open_chromium(window)`
starts it; the driver keeps the browser console log (goog:loggingPrefs) so the scripts can fail on
console errors.
"""
import shutil


def _paths():
    return shutil.which("chromium") or shutil.which("chromium-browser"), shutil.which("chromedriver")


def missing():
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "python selenium is not installed (pip install selenium)"
    chromium, driver = _paths()
    if not chromium or not driver:
        return "chromium or chromedriver not found (apt-get install chromium chromium-driver)"
    return None


def open_chromium(window="1500,900"):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    chromium, driver_path = _paths()
    opts = webdriver.ChromeOptions()
    opts.binary_location = chromium
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=" + window, "--disable-dev-shm-usage"):
        opts.add_argument(a)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(driver_path), options=opts)
