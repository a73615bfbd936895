"""Shared browser plumbing for the page tests: Chromium through Playwright, a site served under a sub-path.

Without Chromium (or Playwright) browser tests skip, except under CI=true, where they fail: a browser
test never silently skips in CI.
"""
from __future__ import annotations

import functools
import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import urljoin

import pytest

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
SUBPATH = "news"

# Trap every way a page can open a dialog; a test reads window.__called afterwards.
INIT_SCRIPT = """
window.__called = [];
for (const name of ["alert", "prompt", "confirm", "print"]) {
  window[name] = function (...args) { window.__called.push([name, String(args[0])]); };
}
"""


def _unavailable(reason: str):
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; browser tests must not skip under CI=true")
    pytest.skip(reason)


def launch_browser():
    """A generator for a module-scoped fixture: one headless Chromium, closed afterwards."""
    if not CHROMIUM.exists():
        _unavailable(f"Chromium not found at {CHROMIUM} (install the Debian 'chromium' package)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright is not installed (pip install -e '.[test]')")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


def build_site(articles: Path, out: Path) -> Path:
    proc = subprocess.run([sys.executable, "build.py", "--out", str(out), "--articles", str(articles), "-q"],
                          cwd=REPO, capture_output=True, text=True)
    assert proc.returncode == 0, f"build.py failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    assert (out / "index.json").is_file()
    return out


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest output clean
        pass


class Served:
    """A built site served at http://127.0.0.1:PORT/news/."""

    def __init__(self, site: Path, root: Path):
        self.site = site
        shutil.copytree(site, root / SUBPATH)
        handler = functools.partial(_QuietHandler, directory=str(root))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}/{SUBPATH}/"
        self.index = json.loads((site / "index.json").read_text(encoding="utf-8"))

    def url(self, rel: str) -> str:
        return urljoin(self.base, rel)

    def html_pages(self) -> list[str]:
        """Every HTML page index.json knows of, relative to the site root."""
        pages = ["index.html"]
        pages += [s["page"] for s in self.index["stories"]]
        pages += [s["page"] for s in self.index["sources"]]
        return pages

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


