"""Write a whole new site beside the old one and swap it in only when every file is written.

The output folder always holds one complete site, whatever stops a build (an error, a full disk, a
SIGKILL at any moment): the new site is written to a hidden sibling folder (`Staging`: each file as
soon as it is made, so a build does not hold the whole site in memory) and exchanged with the old one
in one atomic `renameat2(RENAME_EXCHANGE)` call where the system has it (Linux). Elsewhere
two renames do the swap, and a build killed between them is repaired by the next one, which puts
the previous site back before anything else. The previous site, swapped out, is then removed (a large
one by a process in the background, so the build ends when the new site is in place). A lock file
keeps two builds from writing the same output at once; leftovers of killed builds are removed when the
next build takes the lock.
"""
from __future__ import annotations

import ctypes
import errno
import os
import shutil
import stat
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

from .errors import BuildError
from .reuse import Staged, Unchanged, content_digest

MARKER = ".newsgen-site"  # names a folder newsgen made, so that it may replace it
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100
BACKGROUND_REMOVAL = 5000  # a previous site of this many files is removed in the background


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders atomically; False where the system cannot (then nothing happened)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def _siblings(out: Path, kind: str) -> list[Path]:
    return sorted(p for p in out.parent.glob(f".{out.name}.{kind}-*") if p.is_dir())


def _recover(out: Path) -> None:
    """Undo what a killed build left: put a half-swapped previous site back, drop temporary folders."""
    if not out.exists():
        for old in _siblings(out, "old"):
            if (old / "site" / MARKER).exists():
                os.rename(old / "site", out)
                break
    for leftover in _siblings(out, "new") + _siblings(out, "old"):
        shutil.rmtree(leftover, ignore_errors=True)


class _Lock:
    """An exclusive lock on the output, released by the system even if the build is killed."""

    def __init__(self, out: Path):
        self.out = out
        self.path = out.parent / f".{out.name}.lock"
        self.fd: int | None = None

    def __enter__(self):
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            import fcntl
        except ImportError:  # Windows: no advisory locks; one build at a time is the user's to keep
            return self
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self.fd)
            raise BuildError(str(self.out), "another newsgen build is writing this output; try again when it ends") from None
        return self

    def __exit__(self, *exc):
        if self.fd is not None:
            os.close(self.fd)  # releases the lock; the lock file stays (removing it would race)


def write_site(files: dict[str, "bytes | Unchanged"], out: Path) -> None:
    """`files` maps site-relative paths to contents (or to a file of the previous output, reuse.Unchanged).
    The previous output stays as it was on any failure."""
    with Staging(out) as staging:
        for rel, data in files.items():
            staging.put(rel, data)
        staging.commit()


class Staging:
    """A new site written beside the output, a file at a time, and swapped in whole by `commit()`.

        with Staging(out) as staging:
            staging.put("index.html", data)  # ... as each file is made
            staging.commit()

    Leaving the block without `commit()` (an error) removes what was written; the output stays as it
    was. The output is locked from the start to the end of the block."""

    def __init__(self, out: Path):
        self.out = Path(os.path.abspath(out))
        self.tmp: Path | None = None
        self.previous: Path | None = None  # the site being replaced, whose identical files are linked
        self.count = 0  # files written
        self._made: set[Path] = set()  # folders made (one mkdir a folder, not one a file)
        self._lock: _Lock | None = None

    def __enter__(self) -> "Staging":
        out = self.out
        if out.exists() and not out.is_dir():
            raise BuildError(str(out), "output path exists and is not a folder")
        if out.is_dir() and any(out.iterdir()) and not (out / MARKER).exists():
            raise BuildError(str(out), "output folder is not empty and was not made by newsgen; "
                                       "choose another --out or empty it first")
        with _named(self.out):
            out.parent.mkdir(parents=True, exist_ok=True)
            self._lock = _Lock(out).__enter__()
            try:
                _recover(out)
                self.tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
            except BaseException:
                self._lock.__exit__()
                raise
            self._made = {self.tmp}
            self.previous = out if (out / MARKER).is_file() else None
        return self

    def put(self, rel: str, data: "bytes | Unchanged") -> Unchanged:
        """Write one file of the new site; what is given back reads it again while the block lasts
        (reuse.contents) and has its digest (reuse.content_digest), so the caller need not keep the bytes."""
        target = self.tmp / rel
        with _named(self.out):
            if target.parent not in self._made:
                target.parent.mkdir(parents=True, exist_ok=True)
                self._made.update(target.parents)
            put_file(target, data, self.previous / rel if self.previous else None)
        self.count += 1
        return data if isinstance(data, Unchanged) else Staged(target, content_digest(data))

    def commit(self) -> None:
        """Swap the new site in; the previous one is then removed."""
        tmp, out = self.tmp, self.out
        with _named(self.out):
            put_file(tmp / MARKER, b"This folder is written by newsgen and replaced whole on each build.\n",
                     self.previous / MARKER if self.previous else None)
            os.chmod(tmp, 0o755)
            if out.exists() and _exchange(tmp, out):
                pass  # tmp now holds the previous site, removed below
            elif out.exists():
                old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
                os.rename(out, old / "site")
                os.rename(tmp, out)  # killed before this line: the next build's _recover puts old/site back
                self.tmp = None
                _remove(old, self.count)
                return
            else:
                os.rename(tmp, out)
                self.tmp = None
                return
            self.tmp = None
            _remove(tmp, self.count)

    def __exit__(self, *exc) -> None:
        try:
            if self.tmp is not None:  # not committed: what was written goes, the output stays
                shutil.rmtree(self.tmp, ignore_errors=True)
                self.tmp = None
                _recover(self.out)  # a swap cut short by two renames: the previous site goes back
        finally:
            if self._lock is not None:
                self._lock.__exit__()
                self._lock = None


@contextmanager
def _named(out: Path):
    """A system error writing the output, as a BuildError naming it."""
    try:
        yield
    except OSError as exc:
        raise BuildError(str(out), f"cannot write the output: {exc.strerror or exc}") from None


def _unchanged(old: Path, data: bytes) -> os.stat_result | None:
    """The previous site's file when it holds exactly these bytes (its stat), else None."""
    try:
        st = old.stat()
        if st.st_size != len(data) or not stat.S_ISREG(st.st_mode):
            return None
        with old.open("rb") as fh:
            return st if fh.read() == data else None
    except OSError:
        return None


def put_file(target: Path, data: "bytes | Unchanged", previous: Path | None = None) -> bool:
    """Write one file of the new site. A file the previous site holds byte for byte is that same file,
    hard-linked (or, where links fail, written with its old times), so it keeps its modification time
    and a deploy tool sees it unchanged. Returns whether the content is new."""
    if isinstance(data, Unchanged):  # that very file of the previous site, as its build wrote it
        try:
            os.link(data.path, target)
            return False
        except OSError:  # no hard links here: a copy with the old times
            shutil.copy2(data.path, target)
            return False
    st = _unchanged(previous, data) if previous is not None else None
    if st is not None:
        try:
            os.link(previous, target)
            return False
        except OSError:
            pass
    target.write_bytes(data)
    if st is not None:
        os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns))
    return st is None


def _remove(old: Path, files: int) -> None:
    """Remove the previous site, now swapped out. A large one is removed by a process of its own that
    outlives the build (the new site is in place; unlinking tens of thousands of files takes seconds);
    if that process is stopped, the next build removes what is left (_recover)."""
    if files >= BACKGROUND_REMOVAL:
        import subprocess

        try:
            subprocess.Popen([sys.executable, "-c", "import shutil, sys; shutil.rmtree(sys.argv[1], ignore_errors=True)",
                              str(old)], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, start_new_session=True, close_fds=True)
            return
        except OSError:
            pass
    shutil.rmtree(old, ignore_errors=True)
