"""The seeds' site, compared file by file with the checked-in copy in tests/golden/.

A deliberate change to the output is recorded with `pytest tests/test_golden.py --update-golden` and
reviewed in the diff.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

from newsgen.cli import main

from conftest import REPO

GOLDEN = Path(__file__).resolve().parent / "golden"
SUFFIX = ".golden"  # stored as data, so that code tools do not read the copies as the theme's source


FILE_TIME = 1_700_000_000  # the seeds' modification time here: feeds date undated entries by their files


def test_seed_site_matches_golden(tmp_path, request):
    articles = tmp_path / "articles"
    shutil.copytree(REPO / "articles", articles)
    for p in articles.iterdir():
        os.utime(p, (FILE_TIME, FILE_TIME))
    out = tmp_path / "site"
    assert main(["build", "--articles", str(articles), "--config", str(REPO / "site.yaml"),
                 "--out", str(out), "-q"]) == 0
    # Pagefind's bundle (its scripts, WebAssembly and index) is a third party's output: checked to be
    # there, not kept here; the search page that uses it is compared like every other page.
    assert (out / "pagefind/pagefind-ui.js").is_file() and (out / "pagefind/pagefind-entry.json").is_file()
    built = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*")
             if p.is_file() and not p.name.startswith(".") and p.relative_to(out).parts[0] != "pagefind"}
    if request.config.getoption("--update-golden"):
        shutil.rmtree(GOLDEN, ignore_errors=True)
        for rel, data in built.items():
            (GOLDEN / (rel + SUFFIX)).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / (rel + SUFFIX)).write_bytes(data)
    golden = {p.relative_to(GOLDEN).as_posix().removesuffix(SUFFIX): p.read_bytes()
              for p in GOLDEN.rglob("*" + SUFFIX)}
    assert sorted(built) == sorted(golden)
    changed = [rel for rel in built if built[rel] != golden[rel]]
    assert not changed, f"output differs from tests/golden/ in {changed}; if intended: pytest --update-golden"
