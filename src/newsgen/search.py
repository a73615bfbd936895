"""Search with no server: a Pagefind index (https://pagefind.app) of the story and source pages.

The `pagefind[bin]` package on PyPI ships the Pagefind binary. newsgen writes the rendered pages to a
temporary folder, runs the binary over it once (`pagefind --site`), and takes the bundle it writes into
the output, so the index is made from exactly the bytes that are published. (Pagefind's Python API was
measured first: it polls its service every 0.1 s, one page a poll - 30 s for 300 pages, against well
under a second for the whole folder here.)

A large site's index is cut into shards of about SHARD_PAGES story pages each (by a hash of the page's
path), each its own Pagefind bundle and its own entry in the build cache: an edit re-indexes only the
shard of the pages it changed, and Pagefind's memory is one shard's. The search page merges the shards
with Pagefind's `mergeIndex`; the first shard holds the UI.

Result addresses are given from the site root ("/stories/x/index.html"); the search page's script hands
Pagefind the site's root as it is served, so results work under a sub-path. Pagefind fetches its index,
which a browser does not allow from file://; there (and without JavaScript) the search page is a plain
list of every story and source.
"""
from __future__ import annotations

import hashlib
import subprocess
import tempfile
from pathlib import Path

from .errors import BuildError

BUNDLE = "pagefind"
TIMEOUT = 60.0  # seconds for the binary to start and write, plus a second per 200 pages
SHARD_PAGES = 1000  # story pages a shard of the index aims at
MAX_SHARDS = 32  # beyond this the shards grow instead: each is one more index the browser merges
UI_FILES = ("pagefind-ui.", "pagefind-modular-ui.", "pagefind-component-ui.", "pagefind-highlight.")


def shard_count(pages: int) -> int:
    """How many shards the index of this many pages is cut into: a power of two, so that as the site
    grows most pages keep their shard (and its cached index) until the count doubles."""
    count = 1
    while count < MAX_SHARDS and count * SHARD_PAGES < pages:
        count *= 2
    return count


def shard_of(path: str, count: int) -> int:
    """The shard a page belongs to: a hash of its path, so that a page stays in its shard."""
    return int.from_bytes(hashlib.blake2b(path.encode("utf-8"), digest_size=8).digest(), "big") % count


def shard_pages(paths) -> dict[int, list[str]]:
    """These story pages by shard, in order of shard and of path; shards with no page are left out."""
    count = shard_count(len(paths))
    shards: dict[int, list[str]] = {}
    for p in sorted(paths):
        shards.setdefault(shard_of(p, count), []).append(p)
    return dict(sorted(shards.items()))


def shard_folders(paths) -> dict[int, str]:
    """Where each shard that holds some of these story pages goes in the site: the first at Pagefind's
    usual `pagefind/` (with the UI), the others at `pagefind/shards/N/`, which the search page merges
    into the first."""
    return {k: f"{BUNDLE}/" if n == 0 else f"{BUNDLE}/shards/{k}/" for n, k in enumerate(shard_pages(paths))}


def merged_bundles(paths) -> list[str]:
    """The folders of the shards the search page merges into the first."""
    return list(shard_folders(paths).values())[1:]


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
            return {p.relative_to(self.out).as_posix(): p.read_bytes() for p in sorted(self.out.rglob("*"))
                    if p.is_file()}
        finally:
            self.close()

    def close(self) -> None:
        """Stop Pagefind if it still runs and remove its folder (what an error before `result()` calls)."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.tmp.cleanup()


class ShardedIndexing:
    """Pagefind over the shards of the index, one run at a time (so its memory is one shard's); the first
    starts at once and runs while the caller goes on. `result()` gives each shard's bundle, its paths
    from the bundle's folder."""

    def __init__(self, shards: dict[int, dict[str, bytes]], language: str):
        self.waiting = sorted(shards)
        self.shards, self.language = shards, language
        self.running: tuple[int, Indexing] | None = None
        self._next()

    def _next(self) -> None:
        if self.waiting:
            shard = self.waiting.pop(0)
            self.running = (shard, Indexing(self.shards.pop(shard), self.language))

    def result(self) -> dict[int, dict[str, bytes]]:
        done = {}
        while self.running is not None:
            shard, run = self.running
            self.running = None
            done[shard] = run.result()
            self._next()
        return done

    def close(self) -> None:
        """Stop the run under way and drop the rest (what an error before `result()` calls)."""
        self.waiting = []
        if self.running is not None:
            self.running[1].close()
            self.running = None


def start_index(shards: dict[int, dict[str, bytes]], language: str) -> ShardedIndexing:
    """Start Pagefind on these shards of HTML pages (shard -> path under the site root -> bytes); the
    first shard is indexed while the caller goes on."""
    return ShardedIndexing(shards, language)
