"""Search with no server: a Pagefind index (https://pagefind.app) of the story and source pages.

The `pagefind[bin]` package on PyPI ships the Pagefind binary. newsgen writes the rendered pages to a
temporary folder, runs the binary over it once (`pagefind --site`), and takes the bundle it writes into
the output, so the index is made from exactly the bytes that are published. (Pagefind's Python API was
measured first: it polls its service every 0.1 s, one page a poll - 30 s for 300 pages, against well
under a second for the whole folder here.)

A large site's index is cut into shards of about SHARD_PAGES story pages each, by the time of each
story's newest article (shard_pages), each its own Pagefind bundle and its own entry in the build cache:
an edit re-indexes only the shard of the pages it changed, new articles the shards of their days, and
Pagefind's memory is that of the few shards it indexes at once. The search page merges the shards with
Pagefind's `mergeIndex`; the first shard holds the UI.

Result addresses are given from the site root ("/stories/x/index.html"); the search page's script hands
Pagefind the site's root as it is served, so results work under a sub-path. Pagefind fetches its index,
which a browser does not allow from file://; there (and without JavaScript) the search page is a plain
list of every story and source.
"""
from __future__ import annotations

import hashlib
import subprocess
import tempfile
import time
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import BuildError

if TYPE_CHECKING:
    from .reuse import Unchanged

BUNDLE = "pagefind"
TIMEOUT = 60.0  # seconds for the binary to start and write, plus a second per 200 pages
SHARD_PAGES = 250  # story pages a shard of the index aims at: an edit re-indexes one. Pagefind took 0.38,
# 0.63, 1.08, 2.02 and 4.4 s for 60, 120, 240, 480 and 960 story pages of the 10,000-article site; a search
# in Chromium merging its 32 shards answered as fast as with 16 (0.81 s median, from the key press)
MAX_SHARDS = 32  # periods at most (and twice as many shards): each shard is one more index the browser merges
UI_FILES = ("pagefind-ui.", "pagefind-modular-ui.", "pagefind-component-ui.", "pagefind-highlight.")


def shard_count(pages: int) -> int:
    """How many periods of time the index of this many pages is cut into, at most: a power of two, so that
    as the site grows the periods (and their cached indexes) stay as they are until the count doubles."""
    count = 1
    while count < MAX_SHARDS and count * SHARD_PAGES < pages:
        count *= 2
    return count


def period_days(days: Iterable[int], count: int) -> int:
    """The length of a period: the shortest power of two of days that puts these days (ordinals) in no
    more than `count` periods."""
    length = 1
    while len({d // length for d in days}) > count:
        length *= 2
    return length


def _part(path: str, parts: int) -> int:
    return int.from_bytes(hashlib.blake2b(path.encode("utf-8"), digest_size=8).digest(), "big") % parts


def shard_pages(pages: Mapping[str, date | None]) -> dict[str, list[str]]:
    """These story pages (page -> the date of its story's newest article, None for an undated story) by
    shard, by shard name, each shard's pages by path; no shard is empty.

    A shard is a period of time: the news added to a site is mostly about a few days, so adding articles
    re-indexes the shards of those days, not every shard (with shards by a hash of the path, adding 100
    articles to the 10,000-article site ran Pagefind on 31 of its 32). The periods are of a power of two
    of days (period_days), undated stories a period of their own (a site of no more than SHARD_PAGES
    stories is one shard); a period of more than 1.5 x SHARD_PAGES
    pages is cut into a power of two of parts by a hash of the path, no more parts in all than
    2 x MAX_SHARDS."""
    count = shard_count(len(pages))
    if count == 1:  # a small site: one shard, whatever the dates
        return {"all": sorted(pages)} if pages else {}
    length = period_days({d.toordinal() for d in pages.values() if d is not None}, count)
    periods: dict[str, list[str]] = {}
    for page, day in pages.items():
        periods.setdefault("undated" if day is None else f"{length}d{day.toordinal() // length}", []).append(page)
    most = max(1, 2 * MAX_SHARDS // max(1, len(periods)))  # parts a period may be cut into
    shards: dict[str, list[str]] = {}
    for name, members in periods.items():
        parts = 1
        while parts < most and len(members) > parts * SHARD_PAGES * 3 // 2:
            parts *= 2
        for page in members:
            shards.setdefault(name if parts == 1 else f"{name}-{_part(page, parts)}", []).append(page)
    return {name: sorted(shards[name]) for name in sorted(shards)}


def shard_folders(pages: Mapping[str, date | None]) -> dict[str, str]:
    """Where each shard of these story pages (as for shard_pages) goes in the site: the first at
    Pagefind's usual `pagefind/` (with the UI), the others at `pagefind/shards/NAME/`, which the search
    page merges into the first."""
    return bundle_folders(shard_pages(pages))


def bundle_folders(shards: Mapping[str, list[str]]) -> dict[str, str]:
    """shard_folders for the shards shard_pages gave."""
    return {k: f"{BUNDLE}/" if n == 0 else f"{BUNDLE}/shards/{k}/" for n, k in enumerate(shards)}


def merged_bundles(pages: Mapping[str, date | None]) -> list[str]:
    """The folders of the shards the search page merges into the first."""
    return list(shard_folders(pages).values())[1:]


def executable() -> Path | None:
    try:
        from pagefind.service import get_executable
    except ImportError:
        return None
    return get_executable()


class Indexing:
    """A Pagefind run under way (start_index): `finished()` says whether it has ended, `result()` waits for
    it and gives the bundle. Its output goes to files, not pipes, so a run nobody reads from never stalls."""

    def __init__(self, pages: dict[str, "bytes | Unchanged"], language: str):
        binary = executable()
        if binary is None:
            raise BuildError("search", "the Pagefind binary is not installed (pip install 'pagefind[bin]'); "
                                       "set `search: false` in site.yaml to build without search")
        self.tmp = tempfile.TemporaryDirectory(prefix="newsgen-search-")
        root = Path(self.tmp.name)
        site, self.out = root / "site", root / "bundle"
        from .writer import put_file

        for path, data in pages.items():
            target = site / path
            target.parent.mkdir(parents=True, exist_ok=True)
            put_file(target, data)  # a file written already is linked (or copied across file systems)
        lang = (language or "en").split("-")[0].lower()
        command = [str(binary), "--site", str(site), "--output-path", str(self.out), "--keep-index-url",
                   "--force-language", lang, "--quiet"]
        self.deadline = time.monotonic() + TIMEOUT + len(pages) / 200
        self.log = (root / "log").open("w+b")
        try:
            self.proc = subprocess.Popen(command, stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        except OSError as exc:
            self.log.close()
            self.tmp.cleanup()
            raise BuildError("search", f"cannot run Pagefind ({binary}): {exc.strerror}") from None

    def finished(self) -> bool:
        """Whether Pagefind has ended (or overrun its time, which result() then reports)."""
        return self.proc.poll() is not None or time.monotonic() > self.deadline

    def result(self) -> dict[str, bytes]:
        try:
            try:
                self.proc.wait(timeout=max(0.0, self.deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                raise BuildError("search", "Pagefind did not finish in time; "
                                           "set `search: false` in site.yaml to build without search") from None
            if self.proc.returncode != 0 or not self.out.is_dir():
                self.log.seek(0)
                detail = self.log.read().decode("utf-8", "replace").strip().splitlines()
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
        self.log.close()
        self.tmp.cleanup()


class ShardedIndexing:
    """Pagefind over the shards of the index, `parallel` runs at a time (so its memory is that many
    shards'): the first start at once and run while the caller goes on, and each `poll()` starts the next
    shard when one has ended, so the caller's work and the indexing overlap. `result()` waits for the rest
    and gives each shard's bundle, its paths from the bundle's folder."""

    def __init__(self, shards: dict[str, dict[str, bytes]], language: str, parallel: int = 1):
        self.waiting = sorted(shards)
        self.shards, self.language, self.parallel = shards, language, max(1, parallel)
        self.running: dict[int, Indexing] = {}
        self.done: dict[int, dict[str, bytes]] = {}
        self.poll()

    def poll(self) -> None:
        """Collect the runs that have ended and start waiting shards in their place. Cheap: call it often."""
        for shard, run in list(self.running.items()):
            if run.finished():
                del self.running[shard]
                self.done[shard] = run.result()
        while self.waiting and len(self.running) < self.parallel:
            shard = self.waiting.pop(0)
            self.running[shard] = Indexing(self.shards.pop(shard), self.language)

    def result(self) -> dict[int, dict[str, bytes]]:
        while self.running:
            self.poll()
            if self.running:
                time.sleep(0.02)
        return dict(sorted(self.done.items()))

    def close(self) -> None:
        """Stop the runs under way and drop the rest (what an error before `result()` calls)."""
        self.waiting = []
        for run in self.running.values():
            run.close()
        self.running = {}


def start_index(shards: dict[str, dict[str, bytes]], language: str, parallel: int = 1) -> ShardedIndexing:
    """Start Pagefind on these shards of HTML pages (shard -> path under the site root -> bytes), up to
    `parallel` at a time; they are indexed while the caller goes on (calling `poll()` now and then)."""
    return ShardedIndexing(shards, language, parallel)
