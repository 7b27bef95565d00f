"""Browser test of the built site: every page of the table of contents in Debian's chromium.

The HTML is the book built by ``make test`` (``_build/html``; built here if missing). It is
served on localhost and visited with the ``playwright`` Python package driving
``/usr/bin/chromium`` (never a browser that playwright downloads). For every page in
``_toc.yml`` the test records console errors, uncaught exceptions, failed or external
requests, equations MathJax left untypeset or typeset as errors, and images that did not
load; it checks every internal link and anchor against the built files, that the search
page finds a known term, that figures have opaque backgrounds (readable in dark mode), and
it saves a screenshot of a chapter page to ``_build/screenshots/``.

Outside CI the test skips with a message when chromium is absent; with ``CI`` set in the
environment (``.ci/run`` sets it) a missing chromium is a failure.
"""

from __future__ import annotations

import functools
import html.parser
import http.server
import os
import re
import shutil
import subprocess
import sys
import threading
import urllib.parse
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = ROOT / "_build" / "screenshots"
SCREENSHOT_PAGE = "book/ch03_lasso"
SEARCH_TERM, SEARCH_HIT = "soft-thresholding", "book/ch03_lasso.html"
# Flags that keep chromium off the network it cannot reach here (see the machine notes).
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _require_chromium():
    if CHROMIUM.exists():
        return
    message = (f"Debian's chromium is not installed at {CHROMIUM}: install it as root with "
               "'apt-get install -y chromium' (make test does so in CI)")
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def toc_pages() -> list[str]:
    """Every page of _toc.yml, as its path without suffix relative to the book root."""
    toc = (ROOT / "_toc.yml").read_text()
    root = re.search(r"^root:\s*(\S+)", toc, re.M).group(1)
    return [root] + re.findall(r"file:\s*([^\s#]+)", toc)


class _Anchors(html.parser.HTMLParser):
    """Collects the ids of a page's elements and the targets of its links."""

    def __init__(self):
        super().__init__()
        self.ids, self.links = set(), []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("name"):
            self.ids.add(attrs["name"])
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])


@functools.lru_cache(maxsize=None)
def _parse(path: Path) -> _Anchors:
    parser = _Anchors()
    parser.feed(path.read_text(encoding="utf-8", errors="replace"))
    return parser


@pytest.fixture(scope="module")
def site():
    """Serve _build/html on an ephemeral localhost port for the module's tests."""
    _require_chromium()
    if not (HTML / "index.html").exists():
        subprocess.run([sys.executable, "-m", "jupyter_book", "build", str(ROOT)], check=True,
                       capture_output=True)

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                             functools.partial(Quiet, directory=str(HTML)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser(site):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# JavaScript run in each page once MathJax has finished: what the equations and images look like.
_PAGE_REPORT = """async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) { await MathJax.startup.promise; }
  const math = [...document.querySelectorAll('span.math, div.math')];
  const untypeset = math.filter(e => !e.querySelector('mjx-container')).map(e => e.textContent.slice(0, 60));
  const merrors = [...document.querySelectorAll('mjx-merror')].map(e => e.textContent.slice(0, 60));
  const images = [...document.querySelectorAll('img')];
  const broken = images.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.getAttribute('src'));
  return {n_math: math.length, untypeset, merrors, n_images: images.length, broken,
          srcs: images.map(i => i.getAttribute('src')),
          mathjax: !!(window.MathJax && MathJax.version)};
}"""


@pytest.fixture(scope="module")
def visits(site, browser):
    """Visit every toc page once; return {page: report}."""
    reports = {}
    page = browser.new_page()
    events: list[str] = []
    page.on("console", lambda m: events.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: events.append(f"uncaught exception: {e}"))
    # The browser aborts a pending favicon request when the test moves to the next page.
    page.on("requestfailed", lambda r: None if r.url.endswith("favicon.png") and "ABORTED" in (r.failure or "")
            else events.append(f"request failed: {r.url} ({r.failure})"))
    page.on("response", lambda r: events.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)
    page.on("request", lambda r: None if r.url.startswith((site, "data:", "blob:"))
            else events.append(f"external request: {r.url}"))
    for name in toc_pages():
        events.clear()
        page.goto(f"{site}/{name}.html", wait_until="load")
        report = page.evaluate(_PAGE_REPORT)
        report["events"] = list(events)
        reports[name] = report
        if name == SCREENSHOT_PAGE:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / "chapter.png"), full_page=False)
    page.close()
    return reports


def _failures(visits, key):
    return {name: r[key] for name, r in visits.items() if r[key]}


def test_every_toc_page_exists():
    missing = [p for p in toc_pages() if not (HTML / f"{p}.html").exists() and (HTML / "index.html").exists()]
    assert not missing, f"pages in _toc.yml missing from the built site: {missing}"


def test_pages_load_without_console_errors_or_network(visits):
    assert len(visits) == len(toc_pages())
    bad = _failures(visits, "events")
    assert not bad, f"console errors, failed or external requests: {bad}"


def test_mathjax_is_local_and_typesets_every_equation(visits):
    no_mathjax = [name for name, r in visits.items() if r["n_math"] and not r["mathjax"]]
    assert not no_mathjax, f"MathJax did not load on pages with equations: {no_mathjax}"
    assert sum(r["n_math"] for r in visits.values()) > 100, "suspiciously few equations found"
    assert not _failures(visits, "untypeset"), _failures(visits, "untypeset")
    assert not _failures(visits, "merrors"), f"TeX errors: {_failures(visits, 'merrors')}"
    tag = re.search(r'<script[^>]*src="([^"]*tex-chtml[^"]*)"', (HTML / f"{SCREENSHOT_PAGE}.html").read_text())
    assert tag and not tag.group(1).startswith(("http:", "https:", "//")), tag


def test_every_image_loads(visits):
    assert sum(r["n_images"] for r in visits.values()) > 20, "suspiciously few images found"
    assert not _failures(visits, "broken"), _failures(visits, "broken")


def test_figures_have_opaque_backgrounds(visits):
    """Transparent figures vanish against a dark theme; every PNG figure must be opaque."""
    import matplotlib.image as mpimg

    pngs = {(HTML / name).parent.joinpath(src).resolve() for name, r in visits.items() for src in r["srcs"]
            if src.endswith(".png") and "_images" in src}
    assert pngs, "no PNG figures found"
    transparent = []
    for png in sorted(pngs):
        img = mpimg.imread(png)
        if img.ndim == 3 and img.shape[2] == 4 and float(np.min(img[..., 3])) < 1.0:
            transparent.append(png.name)
    assert not transparent, f"figures with transparent pixels: {transparent}"


def test_internal_links_and_anchors_resolve(visits):
    broken = []
    for name in visits:
        page = HTML / f"{name}.html"
        for href in _parse(page).links:
            parts = urllib.parse.urlsplit(href)
            if parts.scheme or parts.netloc or href.startswith(("mailto:", "javascript:")):
                continue
            target = (page.parent / urllib.parse.unquote(parts.path)).resolve() if parts.path else page
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                broken.append(f"{name}: {href} (no such file)")
            elif parts.fragment and target.suffix == ".html" and parts.fragment not in _parse(target).ids:
                broken.append(f"{name}: {href} (no anchor '{parts.fragment}')")
    assert not broken, "broken internal links:\n" + "\n".join(broken[:40])


def test_search_finds_a_known_term(site, browser):
    page = browser.new_page()
    page.goto(f"{site}/search.html?q={urllib.parse.quote(SEARCH_TERM)}")
    page.wait_for_selector("#search-results ul.search li", timeout=20_000)
    hits = page.eval_on_selector_all("#search-results ul.search li a", "els => els.map(e => e.getAttribute('href'))")
    page.close()
    assert any(SEARCH_HIT in h for h in hits), f"search for {SEARCH_TERM!r} returned {hits[:10]}"


def test_chapter_screenshot_saved(visits):
    shot = SCREENSHOTS / "chapter.png"
    assert shot.exists() and shot.stat().st_size > 10_000, shot


def test_launch_and_download_buttons(visits):
    """Binder/Colab launch links point at the chapter's notebook; the page offers the .ipynb."""
    text = (HTML / f"{SCREENSHOT_PAGE}.html").read_text()
    nb = f"{SCREENSHOT_PAGE}.ipynb"
    assert re.search(r'href="https://mybinder\.org/v2/gh/[^"]*' + re.escape(nb), text), "no Binder link"
    assert re.search(r'href="https://colab\.research\.google\.com/github/[^"]*' + re.escape(nb), text), "no Colab link"
    assert re.search(r'href="[^"]*_sources/' + re.escape(nb) + '"', text), "no .ipynb download link"
    assert (HTML / "_sources" / nb).exists()
    assert "copybutton" in text, "copy buttons missing"


def test_chromium_is_debians():
    _require_chromium()
    out = subprocess.run([str(CHROMIUM), "--version"], capture_output=True, text=True, timeout=60).stdout
    assert "Chromium" in out and shutil.which("chromium") == str(CHROMIUM), out
