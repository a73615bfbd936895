from __future__ import annotations

import contextlib
import hashlib
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "articles"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def story_dates(index: dict) -> dict:
    """From a site's index.json: each story page and the date of its newest dated article (None when
    none is dated), as search.shard_pages takes them."""
    from datetime import date

    published = {a["id"]: a["published"] for a in index["articles"]}
    return {s["page"]: max((date.fromisoformat(published[i]) for i in s["article_ids"] if published[i]), default=None)
            for s in index["stories"]}


def tree_digest(folder: Path) -> dict[str, str]:
    """Every file under `folder` (relative path -> SHA-256): equal digests are byte-identical trees."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def write_tree(tmp_path):
    """Build a folder from {relative path: text or bytes}; returns the folder."""
    def write(files: dict[str, str | bytes], root: Path | None = None) -> Path:
        root = root or tmp_path / "articles"
        root.mkdir(parents=True, exist_ok=True)
        for rel, content in files.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        return root
    return write


@pytest.fixture
def seeds_and_stories(tmp_path):
    """The five seeds plus the made-up stories of tests/fixtures/stories, in one folder."""
    folder = tmp_path / "mixed"
    folder.mkdir()
    for f in [*SEEDS.glob("*.txt"), *(FIXTURES / "stories").iterdir()]:
        shutil.copy(f, folder / f.name)
    return folder


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true",
                     help="rewrite tests/golden/ from the current build of articles/ (review the diff)")


@contextlib.contextmanager
def preview(config: Path):
    """`newsgen serve --port 0` for this site.yaml, running; yields the URL it prints. Stopped afterwards."""
    proc = subprocess.Popen([sys.executable, "-m", "newsgen", "serve", "--config", str(config), "--port", "0"],
                            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        while line and "Serving" not in line:
            line = proc.stdout.readline()
        m = re.search(r"http://127\.0\.0\.1:\d+/", line)
        assert m, f"no URL printed: {line!r}; stderr: {proc.stderr.read() if proc.poll() is not None else ''}"
        yield m.group(0)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
