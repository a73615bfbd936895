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


class Indexing:
    """A Pagefind run under way (start_index); `result()` waits for it and gives the bundle."""

    def __init__(self, pages: dict[str, bytes], language: str):
        binary = executable()
        if binary is None:
            raise BuildError("search", "the Pagefind binary is not installed (pip install 'pagefind[bin]'); "
                                       "set `search: false` in site.yaml to build without search")
        self.tmp = tempfile.TemporaryDirectory(prefix="newsgen-search-")
        site, self.out = Path(self.tmp.name) / "site", Path(self.tmp.name) / "bundle"
        for path, data in pages.items():
            (site / path).parent.mkdir(parents=True, exist_ok=True)
            (site / path).write_bytes(data)
        lang = (language or "en").split("-")[0].lower()
        command = [str(binary), "--site", str(site), "--output-path", str(self.out), "--keep-index-url",
                   "--force-language", lang, "--quiet"]
        self.timeout = TIMEOUT + len(pages) / 200
        try:
            self.proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                         stdin=subprocess.DEVNULL)
        except OSError as exc:
            self.tmp.cleanup()
            raise BuildError("search", f"cannot run Pagefind ({binary}): {exc.strerror}") from None

    def result(self) -> dict[str, bytes]:
        try:
            try:
                stdout, stderr = self.proc.communicate(timeout=self.timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.communicate()
                raise BuildError("search", "Pagefind did not finish in time; "
                                           "set `search: false` in site.yaml to build without search") from None
            if self.proc.returncode != 0 or not self.out.is_dir():
                detail = (stderr or stdout).strip().splitlines()
                raise BuildError("search", f"Pagefind failed (exit {self.proc.returncode})"
                                           + (f": {detail[-1]}" if detail else ""))
            return {f"{BUNDLE}/{p.relative_to(self.out).as_posix()}": p.read_bytes()
                    for p in sorted(self.out.rglob("*")) if p.is_file()}
        finally:
            self.close()

    def close(self) -> None:
        """Stop Pagefind if it still runs and remove its folder (what an error before `result()` calls)."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.tmp.cleanup()


def start_index(pages: dict[str, bytes], language: str) -> Indexing:
    """Start Pagefind on these HTML pages (path under the site root -> bytes); it runs while the caller
    goes on."""
    return Indexing(pages, language)
