"""Write a whole new site beside the old one and swap it in only when every file is written."""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from .errors import BuildError

MARKER = ".newsgen-site"  # names a folder newsgen made, so that it may replace it


def write_site(files: dict[str, bytes], out: Path) -> None:
    """`files` maps site-relative paths to contents. The previous output stays as it was on any failure."""
    out = out.resolve()
    if out.exists() and not out.is_dir():
        raise BuildError(str(out), "output path exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).exists():
        raise BuildError(str(out), "output folder is not empty and was not made by newsgen; "
                                   "choose another --out or empty it first")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    except OSError as exc:
        raise BuildError(str(out.parent), f"cannot write the output: {exc.strerror or exc}") from None
    old = None
    try:
        for rel, data in sorted(files.items()):
            target = tmp / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        (tmp / MARKER).write_text("This folder is written by newsgen and replaced whole on each build.\n")
        os.chmod(tmp, 0o755)
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
            os.rename(out, old / "site")
        os.rename(tmp, out)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        if old is not None and not out.exists():
            os.rename(old / "site", out)
        raise BuildError(str(out), f"cannot write the output: {exc.strerror or exc}") from None
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
