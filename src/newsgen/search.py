"""Search with no server: a Pagefind index (https://pagefind.app) of the story and source pages.

The `pagefind[bin]` package on PyPI ships the Pagefind binary. newsgen writes the rendered pages to a
temporary folder, runs the binary over it once (`pagefind --site`), and takes the bundle it writes into
the output, so the index is made from exactly the bytes that are published. (Pagefind's Python API was
measured first: it polls its service every 0.1 s, one page a poll - 30 s for 300 pages, against well
under a second for the whole folder here.)

Result addresses are given from the site root ("/stories/x/index.html"); the search page's script hands
Pagefind the site's root as it is served, so results work under a sub-path. Pagefind fetches its index,
which a browser does not allow from file://; there (and without JavaScript) the search page is a plain
list of every story and source.
"""
from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from .errors import BuildError

BUNDLE = "pagefind"
TIMEOUT = 60.0  # seconds for the binary to start and write, plus a second per 200 pages


def executable() -> Path | None:
    try:
        from pagefind.service import get_executable
    except ImportError:
        return None
    return get_executable()


def index_files(pages: dict[str, bytes], language: str) -> dict[str, bytes]:
    """The Pagefind bundle (path under the site root -> bytes) for these HTML pages."""
    binary = executable()
    if binary is None:
        raise BuildError("search", "the Pagefind binary is not installed (pip install 'pagefind[bin]'); "
                                   "set `search: false` in site.yaml to build without search")
    with tempfile.TemporaryDirectory(prefix="newsgen-search-") as tmp:
        site, out = Path(tmp) / "site", Path(tmp) / "bundle"
        for path, data in pages.items():
            (site / path).parent.mkdir(parents=True, exist_ok=True)
            (site / path).write_bytes(data)
        lang = (language or "en").split("-")[0].lower()
        command = [str(binary), "--site", str(site), "--output-path", str(out), "--keep-index-url",
                   "--force-language", lang, "--quiet"]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT + len(pages) / 200,
                                  stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise BuildError("search", "Pagefind did not finish in time; "
                                       "set `search: false` in site.yaml to build without search") from None
        except OSError as exc:
            raise BuildError("search", f"cannot run Pagefind ({binary}): {exc.strerror}") from None
        if done.returncode != 0 or not out.is_dir():
            detail = (done.stderr or done.stdout).strip().splitlines()
            raise BuildError("search", f"Pagefind failed (exit {done.returncode})"
                                       + (f": {detail[-1]}" if detail else ""))
        return {f"{BUNDLE}/{p.relative_to(out).as_posix()}": p.read_bytes()
                for p in sorted(out.rglob("*")) if p.is_file()}
