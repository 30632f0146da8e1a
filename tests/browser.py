"""A small headless-Chromium helper for page tests (Selenium + Debian chromium/chromedriver).

Used by the map tests and reusable by any test that opens a generated page: collect
console errors, block and record network requests, take screenshots, print to PDF.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import re
import shutil
import struct
import tempfile
import zlib
from pathlib import Path
from typing import Iterator

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
DRIVER_CANDIDATES = ("/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver")


def find_chromium() -> tuple[str, str] | None:
    """Paths of (browser, chromedriver), or ``None`` when either is missing."""
    browser = next((p for p in CHROMIUM_CANDIDATES if os.access(p, os.X_OK)), None) or shutil.which("chromium")
    driver = next((p for p in DRIVER_CANDIDATES if os.access(p, os.X_OK)), None) or shutil.which("chromedriver")
    return (browser, driver) if browser and driver else None


@contextlib.contextmanager
def chromium(*, width: int = 1600, height: int = 1000, offline: bool = False) -> Iterator["object"]:
    """A headless Chromium WebDriver; with ``offline`` every http(s)/ws request is blocked.

    Blocking is done twice on purpose: the host resolver maps every name to nothing and a
    dead proxy catches anything that slips through; :func:`network_requests` then shows
    what the page tried.
    """
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    found = find_chromium()
    if found is None:
        raise RuntimeError("chromium and chromedriver are not installed (apt-get install chromium chromium-driver)")
    browser, driver_path = found
    profile = tempfile.mkdtemp(prefix="geoplan-chromium-")
    opts = webdriver.ChromeOptions()
    opts.binary_location = browser
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--no-default-browser-check", "--hide-scrollbars",
                "--force-device-scale-factor=1", f"--window-size={width},{height}",
                f"--user-data-dir={profile}", "--allow-file-access-from-files"):
        opts.add_argument(arg)
    if offline:
        opts.add_argument('--host-resolver-rules=MAP * ~NOTFOUND')
        opts.add_argument("--proxy-server=127.0.0.1:9")
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(driver_path), options=opts)
    try:
        driver.execute_cdp_cmd("Network.enable", {})
        if offline:
            driver.execute_cdp_cmd("Network.setBlockedURLs", {"urls": ["http://*", "https://*", "ws://*", "wss://*"]})
        # The window size includes no browser chrome in headless mode, but pin the viewport
        # anyway so screenshots and layouts are the same on every machine.
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                               {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def open_file(driver, path: str | os.PathLike, *, settle_s: float = 0.5) -> None:
    """Load a local file and wait until the document is complete."""
    import time

    driver.get(Path(path).resolve().as_uri())
    for _ in range(100):
        if driver.execute_script("return document.readyState") == "complete":
            break
        time.sleep(0.05)
    time.sleep(settle_s)


def console_errors(driver) -> list[str]:
    """Console messages at SEVERE level (JavaScript errors, failed loads)."""
    return [e["message"] for e in driver.get_log("browser") if e.get("level") == "SEVERE"]


def network_requests(driver) -> list[str]:
    """URLs the page requested since the last call (from the performance log)."""
    urls = []
    for entry in driver.get_log("performance"):
        msg = json.loads(entry["message"])["message"]
        if msg.get("method") == "Network.requestWillBeSent":
            urls.append(msg["params"]["request"]["url"])
    return urls


def screenshot(driver, path: str | os.PathLike | None = None) -> bytes:
    """A PNG of the viewport (also written to ``path`` if given)."""
    png = driver.get_screenshot_as_png()
    if path is not None:
        Path(path).write_bytes(png)
    return png


def print_pdf(driver, *, paper_w_in: float = 16.54, paper_h_in: float = 11.69, landscape: bool = False) -> bytes:
    """Print with Chrome's ``Page.printToPDF`` honouring the page's ``@page`` CSS (A3 by default).

    The paper is given in landscape orientation already (16.54 × 11.69 in), so
    ``landscape`` stays False unless a portrait size is passed.
    """
    result = driver.execute_cdp_cmd("Page.printToPDF", {
        "landscape": landscape, "paperWidth": paper_w_in, "paperHeight": paper_h_in,
        "printBackground": True, "preferCSSPageSize": True})
    return base64.b64decode(result["data"])


def pdf_page_count(pdf: bytes) -> int:
    """Number of page objects in a PDF (``/Type /Page``, not the ``/Pages`` tree nodes)."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


def png_pixels(png: bytes) -> tuple[int, int, list[bytes]]:
    """Decode an 8-bit, non-interlaced RGB/RGBA PNG (what Chrome writes) without Pillow.

    Returns width, height and one bytes row per line with 3 or 4 bytes per pixel.
    """
    assert png[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, width = 8, b"", 0
    height = bpp = 0
    while pos < len(png):
        length, ctype = struct.unpack(">I4s", png[pos:pos + 8])
        data = png[pos + 8:pos + 8 + length]
        if ctype == b"IHDR":
            width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", data)
            if depth != 8 or color not in (2, 6) or interlace:
                raise ValueError("only 8-bit RGB/RGBA non-interlaced PNGs are supported")
            bpp = 3 if color == 2 else 4
        elif ctype == b"IDAT":
            idat += data
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows: list[bytes] = []
    prev = bytearray(stride)
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 0xFF
            elif f == 2:
                line[i] = (line[i] + b) & 0xFF
            elif f == 3:
                line[i] = (line[i] + ((a + b) >> 1)) & 0xFF
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
        rows.append(bytes(line))
        prev = line
    return width, height, rows


def distinct_colours(png: bytes, *, step: int = 4) -> int:
    """Number of distinct RGB colours on a sampling grid (every ``step`` pixels).

    Uses Pillow when it is installed (fast) and the small decoder above otherwise.
    """
    try:
        import io

        from PIL import Image
    except ImportError:
        pass
    else:
        img = Image.open(io.BytesIO(png)).convert("RGB")
        px = img.load()
        return len({px[x, y] for y in range(0, img.height, step) for x in range(0, img.width, step)})
    width, height, rows = png_pixels(png)
    bpp = len(rows[0]) // width if rows else 3
    seen = set()
    for y in range(0, height, step):
        row = rows[y]
        for x in range(0, width, step):
            seen.add(row[x * bpp:x * bpp + 3])
    return len(seen)
