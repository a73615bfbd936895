"""Write a whole new site beside the old one and swap it in only when every file is written.

The output folder always holds one complete site, whatever stops a build (an error, a full disk, a
SIGKILL at any moment): the new site is written to a hidden sibling folder (`Staging`: each file as
soon as it is made, so a build does not hold the whole site in memory) and exchanged with the old one
in one atomic `renameat2(RENAME_EXCHANGE)` call where the system has it (Linux). Elsewhere
two renames do the swap, and a build killed between them is repaired by the next one, which puts
the previous site back before anything else. A lock file keeps two builds from writing the same output
at once; leftovers of killed builds are removed when the next build takes the lock.

The site swapped out is kept beside the output as its spare (`.NAME.spare`), and the next build writes
its new site into it: only the files that differ are written (a file the output holds byte for byte is
hard-linked from it, and most already are), files the new site does not have are removed, and the
folders are already there. Making the folders of a site anew (one a story) and removing the old site
took most of an edit's write (on this machine's disk 0.6-2.9 s for the 9,000 folders of 10,000 articles).
A failed build removes the spare it was writing: nothing but the output (and the lock) is left.
"""
from __future__ import annotations

import ctypes
import errno
import os
import shutil
import stat
import sys
import tempfile
from contextlib import contextmanager, suppress
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

    The new site is written into the output's spare (the site before last, see the module's docstring)
    when there is one, else into a new folder. Leaving the block without `commit()` (an error) removes
    what was written; the output stays as it was. The output is locked from the start to the end of the
    block."""

    def __init__(self, out: Path):
        self.out = Path(os.path.abspath(out))
        self.spare = self.out.parent / f".{self.out.name}.spare"
        self.tmp: Path | None = None
        self.previous: Path | None = None  # the site being replaced, whose identical files are linked
        self.count = 0  # files written (the marker included)
        self._root = ""  # str(self.tmp) + "/": paths are joined as strings (a Path a file costs 10 us)
        self._dirs: set[str] = set()  # folders that exist in the new site (made, or found in the spare)
        self._needed: set[str] = set()  # folders the new site's files are in
        self._stale: set[str] = set()  # the spare's files not (yet) written by this build
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
                if self.spare.is_dir() and not self.spare.is_symlink() and (self.spare / MARKER).is_file():
                    self.tmp = self.spare
                    self._stale, self._dirs = _tree(self.spare)
                else:
                    self.tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
            except BaseException:
                self._lock.__exit__()
                raise
            self._root = os.path.join(self.tmp, "")
            self._dirs.add(str(self.tmp))
            self._needed.add(str(self.tmp))
            self.previous = out if (out / MARKER).is_file() else None
        return self

    def put(self, rel: str, data: "bytes | Unchanged") -> Unchanged:
        """Write one file of the new site; what is given back reads it again while the block lasts
        (reuse.contents) and has its digest (reuse.content_digest), so the caller need not keep the bytes."""
        target = self._root + _native(rel)
        folder = os.path.dirname(target)
        previous = self.previous / rel if self.previous is not None and not isinstance(data, Unchanged) else None
        with _named(self.out):
            if folder not in self._needed:
                self._need(folder)
            existing = rel in self._stale
            if existing:
                self._stale.discard(rel)
            try:
                put_file(target, data, previous, existing)
            except (IsADirectoryError, NotADirectoryError, FileExistsError):
                # the spare has a folder where the new site has a file, or a file where it has a folder
                self._clear(rel)
                put_file(target, data, previous)
        self.count += 1
        return data if isinstance(data, Unchanged) else Staged(target, content_digest(data))

    def _need(self, folder: str) -> None:
        """Make sure `folder` (and the folders above it) exists in the new site, and keep it at commit.
        A file or a link of the spare's where a folder goes is removed first: a link is never followed."""
        up = folder
        while up not in self._needed and len(up) >= len(self._root):
            self._needed.add(up)
            up = os.path.dirname(up)
        missing = []
        up = folder
        while up not in self._dirs and len(up) >= len(self._root):
            missing.append(up)
            up = os.path.dirname(up)
        for made in reversed(missing):  # every real folder of the spare is in _dirs: anything else is not one
            try:
                os.mkdir(made)
            except FileExistsError:
                os.unlink(made)
                self._stale.discard(os.path.relpath(made, self.tmp).replace(os.sep, "/"))
                os.mkdir(made)
            self._dirs.add(made)

    def commit(self) -> None:
        """Swap the new site in; the previous one is kept as the spare of the next build."""
        tmp, out = self.tmp, self.out
        with _named(self.out):
            self.put(MARKER, b"This folder is written by newsgen and replaced whole on each build.\n")
            for rel in self._stale:  # what the spare holds and the new site does not
                with suppress(FileNotFoundError, NotADirectoryError):
                    os.unlink(self._root + _native(rel))
            for folder in sorted(self._dirs - self._needed, key=len, reverse=True):
                with suppress(FileNotFoundError, NotADirectoryError):
                    os.rmdir(folder)
            os.chmod(tmp, 0o755)
            if out.exists() and _exchange(tmp, out):
                self.tmp = None  # tmp now holds the previous site: the next build's spare
                self._keep_spare(tmp)
            elif out.exists():
                old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
                os.rename(out, old / "site")
                os.rename(tmp, out)  # killed before this line: the next build's _recover puts old/site back
                self.tmp = None
                if self._keep_spare(old / "site"):
                    os.rmdir(old)
            else:
                os.rename(tmp, out)
                self.tmp = None

    def _keep_spare(self, previous: Path) -> bool:
        """Keep the site swapped out as the spare (where it is not the spare already); if something else
        has the spare's name, the previous site is removed instead (False)."""
        if previous == self.spare:
            return True
        try:
            os.rename(previous, self.spare)
            return True
        except OSError:
            _remove(previous, self.count)
            return False

    def _clear(self, rel: str) -> None:
        """Remove what stands in the way of a file or folder at `rel`: a file of the spare's where one of
        its folders goes, or a folder of the spare's (with what is in it) where the file goes."""
        at = self.tmp
        for part in Path(rel).parts:
            at = at / part
            if at.is_symlink() or (at.exists() and not at.is_dir()):
                at.unlink()
                self._stale.discard(at.relative_to(self.tmp).as_posix())
                return
        if at.is_dir():
            shutil.rmtree(at)
            gone = str(at)
            self._dirs = {d for d in self._dirs if d != gone and not d.startswith(gone + os.sep)}

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


def _native(rel: str) -> str:
    """A site path ("/"-separated) in the system's form."""
    return rel if os.sep == "/" else rel.replace("/", os.sep)


def _tree(root: Path) -> tuple[set[str], set[str]]:
    """The files under `root` (relative paths, "/"-separated) and its folders (absolute paths)."""
    files: set[str] = set()
    folders: set[str] = set()
    todo = [(str(root), "")]
    while todo:
        folder, prefix = todo.pop()
        folders.add(folder)
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    todo.append((entry.path, prefix + entry.name + "/"))
                else:
                    files.add(prefix + entry.name)
    return files, folders


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


def _is(target, st: "os.stat_result | tuple[int, int]") -> bool:
    """Whether the file at `target` is the file `st` (its stat, or its (inode, device)) describes: a hard
    link to it."""
    try:
        mine = os.lstat(target)
    except OSError:
        return False
    return (mine.st_ino, mine.st_dev) == (st if isinstance(st, tuple) else (st.st_ino, st.st_dev))


def put_file(target, data: "bytes | Unchanged", previous: Path | None = None, existing: bool = False) -> bool:
    """Write one file of the new site. A file the previous site holds byte for byte is that same file,
    hard-linked (or, where links fail, written with its old times), so it keeps its modification time
    and a deploy tool sees it unchanged. `existing`: a file may be at `target` already (the spare's,
    which may be a link to the previous site's: it is replaced, never written through). Returns whether
    the content is new."""
    if isinstance(data, Unchanged):  # that very file of the previous site, as its build wrote it
        if existing:
            try:
                if _is(target, data.inode or os.stat(data.path)):
                    return False  # the spare's file is that file already
            except OSError:
                pass
            _unlink(target)
        try:
            os.link(data.path, target)
            return False
        except OSError:  # no hard links here: a copy with the old times
            shutil.copy2(data.path, target)
            return False
    st = _unchanged(previous, data) if previous is not None else None
    if st is not None:
        if existing and _is(target, st):
            return False
        if existing:
            _unlink(target)
            existing = False
        try:
            os.link(previous, target)
            return False
        except OSError:
            pass
    if existing:
        try:  # the spare's own file (no other name links to it) is written over: no new file to make
            mine = os.lstat(target)
            if not (stat.S_ISREG(mine.st_mode) and mine.st_nlink == 1):
                _unlink(target)
        except FileNotFoundError:
            pass
    with open(target, "wb") as fh:
        fh.write(data)
    if st is not None:
        os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns))
    return st is None


def _unlink(target) -> None:
    with suppress(FileNotFoundError):
        os.unlink(target)


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
