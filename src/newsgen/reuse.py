"""Pages from the last build: a page whose inputs have not changed is taken from the output folder
instead of being rendered again.

Each story page, story JSON file, source page and source feed gets a key: a digest of everything its bytes are made
from (the code's version, the settings, the templates, and for each of its articles the cache key of
its file and what grouping decided about it; for a source page also its articles' stories and shared
sentences). Rendering is deterministic, so the same key gives the same bytes. The build cache keeps,
per output folder, each page's key with the size and modification time its file had once written. A
rebuild takes a page from the folder when its key is the same and the file still has that size and
time (a file changed by hand is rendered again), and the writer hard-links it into the new site, so it
keeps its modification time; the page is not even read unless Pagefind has to index it again. The
search bundle's files are taken the same way while the bundle is the one the last build wrote. Without
a cache every page is rendered.
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

from .cache import Cache, code_version, digest
from .config import Config
from .model import Article


class Unchanged:
    """A file the previous build wrote to the output, with these very contents: the writer links it
    into the new site, and nothing reads it unless its bytes are needed (for the search index)."""

    __slots__ = ("path", "digest", "inode")

    def __init__(self, path: "str | Path", content_digest: str, inode: tuple[int, int] | None = None):
        self.path, self.digest = path, content_digest
        self.inode = inode  # (st_ino, st_dev) as the file was found, where it was looked at

    def read(self) -> bytes:
        with open(self.path, "rb") as fh:
            return fh.read()


class Staged(Unchanged):
    """A file this build has written to its new site (writer.Staging), read again only if its bytes are
    needed (for the search index) while the build lasts."""

    __slots__ = ()


def content_digest(data: "bytes | Unchanged") -> str:
    """A digest of a file's bytes (for an Unchanged file, as recorded when it was written)."""
    return data.digest if isinstance(data, Unchanged) else hashlib.blake2b(data, digest_size=20).hexdigest()


def contents(data: "bytes | Unchanged") -> bytes:
    return data.read() if isinstance(data, Unchanged) else data


def article_state(a: Article, keys: dict[str, str]) -> tuple | None:
    """What an article's share of a story's analysis or page is made from: its file's cache key and what
    grouping decided about it. None when the file has no key (no cache)."""
    key = keys.get(a.id)
    return None if key is None else (a.id, key, a.source.slug, a.duplicate_of, a.reuse)


def templates_digest(config: Config) -> str:
    """A digest of every template file the site's pages can be made from (the default theme's too: it
    stays reachable as default/NAME when a theme overrides it)."""
    from .render import THEME, theme_folders

    parts: list = []
    for n, folder in enumerate([*theme_folders(config, "templates"), THEME / "templates"]):
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                parts += [n, path.relative_to(folder).as_posix(), path.read_bytes()]
    return digest(*parts)


class PreviousPages:
    """The pages the last build wrote to `out`, by key; `take` gives one back when its key is the same."""

    def __init__(self, cache: Cache, out: Path | None, config: Config):
        self.cache, self.out = cache, out
        self.enabled = cache.enabled and out is not None
        self.slot = digest("pages", os.path.abspath(out)) if out is not None else ""
        self.root = os.path.join(out, "") if out is not None else ""  # paths joined as strings: 25,000 a build
        self.before: dict = (cache.get("pages", self.slot) or {}) if self.enabled else {}
        self.base = digest(code_version(), repr(config), templates_digest(config)) if self.enabled else ""
        self.keys: dict[str, str] = {}  # this build's keyed pages
        self.reused = 0
        self._by_key: dict[str, list[str]] | None = None  # the last build's paths by key (take_all)

    def key(self, *parts) -> str | None:
        """A page's key from what it is made of (None if any part is None: it cannot be keyed). The parts
        go into the digest as one repr: a source page has hundreds (its articles' states)."""
        if not self.enabled or None in parts:
            return None
        return digest(self.base, parts)

    def take(self, path: str, key: str | None) -> Unchanged | None:
        """The file at `path` as the last build wrote it, when it was made from the same `key` and is as
        that build left it (same size and modification time); else None (make it)."""
        if key is None:
            return None
        self.keys[path] = key
        entry = self.before.get(path)
        if entry is None or entry[0] != key:
            return None
        full = self.root + path
        try:
            st = os.stat(full)
        except OSError:
            return None
        if (st.st_size, st.st_mtime_ns) != entry[1:3]:
            return None
        self.reused += 1
        return Unchanged(full, entry[3], (st.st_ino, st.st_dev))

    def take_all(self, key: str | None) -> dict[str, Unchanged] | None:
        """Every file the last build made from `key` (a bundle of files: a search shard's), each as take()
        gives it; None when there is none, or when any one cannot be taken (then none is)."""
        if key is None:
            return None
        if self._by_key is None:
            self._by_key = {}
            for path, entry in self.before.items():
                self._by_key.setdefault(entry[0], []).append(path)
        found = {}
        for path in self._by_key.get(key, ()):
            entry = self.before[path]
            try:
                st = os.stat(self.root + path)
            except OSError:
                return None
            if (st.st_size, st.st_mtime_ns) != entry[1:3]:
                return None
            found[path] = Unchanged(self.root + path, entry[3], (st.st_ino, st.st_dev))
        for path in found:
            self.keys[path] = key
        self.reused += len(found)
        return found or None

    def record(self, files: dict) -> None:
        """Once the site is written: each keyed file's key, size, modification time and content digest, for
        the next build."""
        if not self.enabled:
            return
        manifest = {}
        for path, key in self.keys.items():
            data = files[path]
            if type(data) is Unchanged and self.before.get(path, (None,))[0] == key:
                manifest[path] = self.before[path]  # that very file, linked: the same size and time
                continue
            try:
                st = (self.out / path).stat()
            except OSError:
                continue
            manifest[path] = (key, st.st_size, st.st_mtime_ns, content_digest(data))
        self.cache.put("pages", self.slot, manifest)
