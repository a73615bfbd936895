"""The seeds' site, compared file by file with the checked-in copy in tests/golden/.

A deliberate change to the output is recorded with `pytest tests/test_golden.py --update-golden` and
reviewed in the diff.
"""
from __future__ import annotations

import shutil
from pathlib import Path

from newsgen.cli import main

from conftest import REPO

GOLDEN = Path(__file__).resolve().parent / "golden"
SUFFIX = ".golden"  # stored as data, so that code tools do not read the copies as the theme's source


def test_seed_site_matches_golden(tmp_path, request):
    out = tmp_path / "site"
    assert main(["build", "--articles", str(REPO / "articles"), "--config", str(REPO / "site.yaml"),
                 "--out", str(out), "-q"]) == 0
    built = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*")
             if p.is_file() and not p.name.startswith(".")}
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
