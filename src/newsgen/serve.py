"""`newsgen serve`: build, serve the output on localhost, rebuild on change, reload the open page.

The standard library does the serving (`http.server`) and the watching (the modification times of the
articles, site.yaml and every template and static folder, read twice a second: no native watcher to
install, and a few thousand `stat` calls cost milliseconds). Pages are served as built, with one
addition made on the way out: a small script that asks the server for the build number every second
and reloads the page when it changes. The files on disk never contain it.

A rebuild that fails prints its errors and keeps the last good site (the build is atomic); the next
save tries again.
"""
from __future__ import annotations

import functools
import http.server
import re
import sys
import threading
import time
from pathlib import Path
from typing import Callable

from .config import Config, load_config
from .errors import BuildError, BuildFailed

ENDPOINT = "/__newsgen__/"
POLL_SECONDS = 0.5
RELOAD_JS = b"""(function () {
  var seen = null;
  function check() {
    fetch("/__newsgen__/build", {cache: "no-store"}).then(function (r) { return r.text(); }).then(function (n) {
      if (seen !== null && n !== seen) { location.reload(); }
      seen = n;
    }).catch(function () {}).finally(function () { setTimeout(check, 1000); });
  }
  check();
})();
"""
_CSP = re.compile(rb'(<meta http-equiv="Content-Security-Policy" content=")([^"]*)(")')


def watched(config: Config, articles: Path) -> list[Path]:
    from .render import theme_folders

    roots = [articles, *theme_folders(config, "templates"), *theme_folders(config, "static")]
    return roots + ([Path(config.file)] if Path(config.file).exists() else [])


def snapshot(paths: list[Path]) -> dict[str, tuple[int, int]]:
    """Every file under `paths` with its modification time and size (so that an edit within one clock tick shows)."""
    seen: dict[str, tuple[int, int]] = {}
    for root in paths:
        files = [root] if root.is_file() else (p for p in root.rglob("*") if p.is_file()) if root.is_dir() else []
        for p in files:
            try:
                st = p.stat()
            except OSError:
                continue
            seen[str(p)] = (st.st_mtime_ns, st.st_size)
    return seen


def with_reload(html: bytes) -> bytes:
    """The page with the reload script, and its Content-Security-Policy allowing just that script."""
    def allow(m: re.Match) -> bytes:
        policy = m.group(2)
        if b"script-src" not in policy:
            policy += b"; script-src 'self'"
        if b"connect-src" not in policy:
            policy += b"; connect-src 'self'"
        return m.group(1) + policy + m.group(3)

    html = _CSP.sub(allow, html, count=1)
    tag = f'<script src="{ENDPOINT}reload.js"></script>'.encode()
    at = html.rfind(b"</body>")
    return html[:at] + tag + html[at:] if at >= 0 else html + tag


class _State:
    def __init__(self):
        self.build = 0
        self.lock = threading.Lock()


def _handler(out: Path, state: _State):
    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(out), **kwargs)

        def log_message(self, *args):
            pass

        def end_headers(self):
            self.send_header("Cache-Control", "no-store")
            super().end_headers()

        def _send(self, body: bytes, kind: str) -> None:
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def do_GET(self):
            path = self.path.split("?", 1)[0]
            if path == ENDPOINT + "build":
                return self._send(str(state.build).encode(), "text/plain; charset=utf-8")
            if path == ENDPOINT + "reload.js":
                return self._send(RELOAD_JS, "text/javascript; charset=utf-8")
            local = Path(self.translate_path(path))
            if local.is_dir():
                local = local / "index.html"
            if local.suffix == ".html":
                for _ in range(3):  # a request that meets the output's swap is tried again
                    try:
                        return self._send(with_reload(local.read_bytes()), "text/html; charset=utf-8")
                    except FileNotFoundError:
                        time.sleep(0.1)
            return super().do_GET()

        do_HEAD = do_GET

    return Handler


def serve(config_path: Path | None, articles: Path | None, out: Path | None, host: str, port: int,
          say: Callable[[str], None], build_options: dict) -> int:
    from .build import build

    config = load_config(config_path, required=config_path is not None)
    out = out or config.output_dir
    articles_dir = articles or config.articles_dir
    state = _State()

    def rebuild() -> None:
        nonlocal config
        try:
            config = load_config(config_path, required=config_path is not None)
            summary = build(config, out, articles, **build_options)
        except BuildFailed as exc:
            for e in exc.errors:
                print(f"error: {e}", file=sys.stderr)
            print("build failed; still serving the last good site", file=sys.stderr)
            return
        except BuildError as exc:
            print(f"error: {exc}\nbuild failed; still serving the last good site", file=sys.stderr)
            return
        with state.lock:
            state.build += 1
        say(f"Built {summary.stories} stories, {summary.pages} pages in {summary.seconds:.2f} s")

    before = snapshot(watched(config, articles_dir))  # taken first: an edit made during the build is seen
    rebuild()
    out.mkdir(parents=True, exist_ok=True)
    httpd = http.server.ThreadingHTTPServer((host, port), functools.partial(_handler(out, state)))
    url = f"http://{host}:{httpd.server_address[1]}/"
    print(f"Serving {out} at {url} (rebuilds on change; Ctrl-C to stop)", flush=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        while True:
            time.sleep(POLL_SECONDS)
            now = snapshot(watched(config, articles_dir))
            if now != before:
                changed = sorted(set(now.items()) ^ set(before.items()))
                say(f"Changed: {Path(changed[0][0]).name}" + (f" and {len(changed) - 1} more" if len(changed) > 1 else ""))
                before = now
                rebuild()
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
    finally:
        httpd.shutdown()
        httpd.server_close()
    return 0
