#!/usr/bin/env python3
"""Build the seed site and save a full-page screenshot of its story page.

Usage: .venv/bin/python scripts/screenshot.py [OUTPUT.png]   (default: docs/story.png)

Builds articles/ into a temporary folder with newsgen, serves it on 127.0.0.1 (the pages' Content
Security Policy allows styles from 'self', which a file:// URL does not reliably satisfy), opens the story
page in headless Chromium (/usr/bin/chromium) at 1280 px wide and writes a full-page PNG. Prints the path.
"""
from __future__ import annotations

import functools
import http.server
import json
import sys
import tempfile
import threading
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]

try:
    from newsgen.cli import main as newsgen_main
except ModuleNotFoundError as exc:  # not installed: use the source tree
    if exc.name != "newsgen":
        raise
    sys.path.insert(0, str(REPO / "src"))
    from newsgen.cli import main as newsgen_main


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def screenshot(out_png: Path) -> Path:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="newsgen-shot-") as tmp:
        site = Path(tmp) / "site"
        code = newsgen_main(["build", "-q", "--out", str(site), "--articles", str(REPO / "articles"),
                             "--config", str(REPO / "site.yaml")])
        if code != 0:
            raise SystemExit(f"screenshot.py: newsgen build failed with exit code {code}")
        index = json.loads((site / "index.json").read_text(encoding="utf-8"))
        if not index["stories"]:
            raise SystemExit("screenshot.py: the build made no story page")
        story_page = index["stories"][0]["page"]

        httpd = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(site)))
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        try:
            url = f"http://127.0.0.1:{httpd.server_address[1]}/{story_page}"
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
                try:
                    page = browser.new_page(viewport={"width": 1280, "height": 900})
                    resp = page.goto(url, wait_until="networkidle")
                    if resp is None or resp.status != 200:
                        raise SystemExit(f"screenshot.py: {url} gave {resp and resp.status}")
                    out_png.parent.mkdir(parents=True, exist_ok=True)
                    page.screenshot(path=str(out_png), full_page=True)
                finally:
                    browser.close()
        finally:
            httpd.shutdown()
            httpd.server_close()
    return out_png


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else REPO / "docs" / "story.png"
    print(screenshot(out.resolve()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
