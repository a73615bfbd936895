"""A build killed with SIGKILL at any moment leaves the previous site complete and servable.

Fifty kills or more in a row, at random moments of a real `build.py` process: some anywhere in the run,
some while it renders (after it reports analysis), half of the large builds' while they write and swap
the output (after they report rendering, before they report the swap). The render and write windows
must each receive five kills; the delays adapt to the machine's pace, and the kills go on (up to
ninety) until they have. After each, the output folder
must be byte-identical to one complete build (the one before, or the new one if the kill came after
the swap), and the next build must clean up whatever the killed one left.
"""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from conftest import REPO, SEEDS, tree_digest

KILLS = 50
MAX_KILLS = 90
SHARE = 5  # kills each of the render and write windows must receive
PLACES = "Arden Bexley Corran Dunmore Elster Fallow Garron Hythe Irwell Jarrow Kelso Lydd".split()
THINGS = "ferry bridge library clinic market tunnel reservoir orchard stadium archive".split()


def write_corpus(folder: Path, n: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(3)
    for i in range(n):
        place, thing = rng.choice(PLACES), rng.choice(THINGS)
        (folder / f"a{i:04d}.txt").write_text(
            f"{place} {thing} plan number {i} approved\n\nThe council in {place} approved plan number {i} for the "
            f"{thing} on Tuesday, after a debate about its cost of {i * 37 % 900 + 100} thousand pounds.\n\n"
            f"Work on the {thing} in {place} starts in week {i % 52 + 1}, the council said.\n", encoding="utf-8")
    return folder


def start(articles: Path, out: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    # No build cache and one process: every build does the same work at the same pace, so the stage
    # timings of the reference builds hold (a pool's start-up varies, and the windows below rely on them).
    return subprocess.Popen([sys.executable, "build.py", "--articles", str(articles), "--out", str(out), "-v",
                             "--no-cache", "-j", "1"],
                            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def timed_build(articles: Path, out: Path) -> dict[str, float]:
    """Run a whole build; seconds from start to each stage's report line."""
    began = time.perf_counter()
    proc = start(articles, out)
    marks = {}
    for line in proc.stdout:
        stage = line.split(":", 1)[0]
        marks.setdefault(stage, time.perf_counter() - began)
    assert proc.wait() == 0
    marks["end"] = time.perf_counter() - began
    return marks


def _enough(outcomes: dict[str, int]) -> bool:
    return outcomes.get("render", 0) >= SHARE and outcomes.get("analyse", 0) >= SHARE


def test_fifty_random_kills_never_lose_the_site(tmp_path):
    big = write_corpus(tmp_path / "big", 300)
    out = tmp_path / "www" / "site"
    reference = {}
    for name, folder in (("big", big), ("seeds", SEEDS)):
        timings = timed_build(folder, tmp_path / f"ref-{name}")
        reference[name] = (folder, tree_digest(tmp_path / f"ref-{name}"), timings)
    t = reference["big"][2]
    # Each window: the stage line to wait for, then a random delay up to the window's span. The spans
    # start from the reference build and adapt: a kill that lands past its window (a later build ran
    # faster than the first, cold one) halves that window's span, one that lands in it lets it grow
    # back towards the reference. Kills go on past KILLS, up to MAX_KILLS, until each window has its share.
    spans = {None: t["end"], "analyse": t["render"] - t["analyse"], "render": t["write"] - t["render"]}
    limit = dict(spans)
    cycle = [None, "analyse", "render", "render"]

    assert subprocess.run([sys.executable, "build.py", "--articles", str(SEEDS), "--out", str(out), "-q"],
                          cwd=REPO).returncode == 0
    complete = {name: digest for name, (_f, digest, _t) in reference.items()}
    rng = random.Random(2024)
    outcomes: dict[str, int] = {}
    kill = 0
    while kill < KILLS or (kill < MAX_KILLS and not _enough(outcomes)):
        target = "big" if kill % 2 == 0 else "seeds"
        folder, _digest, timing = reference[target]
        after = cycle[kill // 2 % 4] if target == "big" else None
        span = spans[after] if target == "big" else timing["end"]
        proc = start(folder, out)
        printed = []
        if after:  # wait until the build reports the stage before the window
            for line in proc.stdout:
                printed.append(line)
                if line.startswith(after + ":"):
                    break
        time.sleep(rng.uniform(0, span))
        proc.send_signal(signal.SIGKILL)
        printed += proc.communicate()[0].splitlines()
        stages = [line.split(":", 1)[0] for line in printed if ":" in line]
        reached = stages[-1] if stages else "start"
        outcomes[reached] = outcomes.get(reached, 0) + 1
        if after:
            spans[after] = min(limit[after], spans[after] * 1.2) if reached == after else spans[after] / 2
        now = tree_digest(out)
        assert now in complete.values(), f"kill {kill} (after {reached!r}) left an incomplete site"
        kill += 1
    # The kills reached every stage, the write and swap included ("render" is the last line before it).
    assert _enough(outcomes), outcomes
    print(f"{kill} kills by the last stage the build reported: {outcomes}")
    # One more build cleans up after the killed ones.
    assert subprocess.run([sys.executable, "build.py", "--articles", str(SEEDS), "--out", str(out), "-q"],
                          cwd=REPO).returncode == 0
    assert tree_digest(out) == complete["seeds"]
    assert sorted(p.name for p in out.parent.iterdir()) == [".site.lock", ".site.spare", "site"]


def _layout(folder: Path) -> tuple[dict[str, str], list[str]]:
    """The files (path -> digest) and the folders, empty ones included, under `folder`."""
    return tree_digest(folder), sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_dir())


def test_the_swapped_out_site_is_the_spare_the_next_build_writes_into(tmp_path, monkeypatch):
    """The site swapped out stays beside the output as `.site.spare`, and the next build writes its site
    into it: its folders are reused, files the output holds byte for byte are linked from it, files the
    new site does not have are removed, a folder where a file goes (and the reverse) is cleared. The
    result is exactly the site a fresh folder would get, whatever state a killed build left the spare in.
    Nothing is ever written through a link into the output before the swap."""
    import shutil

    from newsgen import writer

    out, spare = tmp_path / "site", tmp_path / ".site.spare"
    first = {**{f"stories/{n}/index.html": f"page {n}".encode() for n in range(40)}, "index.html": b"front"}
    writer.write_site(first, out)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".site.lock", "site"]  # nothing swapped out yet

    second = {k: v for k, v in first.items() if k != "stories/3/index.html"} | {"index.html": b"front 2"}
    writer.write_site(second, out)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".site.lock", ".site.spare", "site"]
    assert {k: v for k, v in tree_digest(spare).items() if k != writer.MARKER} == _layout_of(first)
    folder = (spare / "stories" / "9").stat().st_ino
    kept = (out / "stories/9/index.html").stat()

    third = {k: v for k, v in second.items() if not k.startswith("stories/5/")}
    third |= {"stories/5": b"a file where a folder was", "index.html/x.html": b"a folder where a file was",
              "stories/7/index.html": b"page 7, changed", "stories/40/index.html": b"page 40"}
    with writer.Staging(out) as staging:
        assert staging.tmp == spare  # written into the spare, not a new folder
        for rel, data in third.items():
            staging.put(rel, data)
        # The spare's stories/7 was a link to the output's (unchanged in the last build): written around
        assert (out / "stories/7/index.html").read_bytes() == b"page 7"
        staging.commit()
    reference = tmp_path / "reference"
    writer.write_site(third, reference)
    assert _layout(out) == _layout(reference)
    assert (out / "stories" / "9").stat().st_ino == folder  # the spare's folder, not one made anew
    now = (out / "stories/9/index.html").stat()
    assert (now.st_ino, now.st_mtime_ns) == (kept.st_ino, kept.st_mtime_ns)  # the same file, linked
    assert {k: v for k, v in tree_digest(spare).items() if k != writer.MARKER} == _layout_of(second)

    # A build killed while it wrote into the spare leaves it anyhow: the next one still gets it right.
    (spare / "stories/9/index.html").unlink()
    (spare / "stories/12/index.html").write_bytes(b"half written")
    (spare / "junk" / "deep").mkdir(parents=True)
    (spare / "junk" / "deep" / "x.html").write_bytes(b"left over")
    fourth = {**third, "stories/12/index.html": b"page 12, changed"}
    writer.write_site(fourth, out)
    writer.write_site(fourth, reference)
    assert _layout(out) == _layout(reference)

    # Links in the spare are never followed: where a folder or a file goes, the link is replaced.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "secret.txt").write_bytes(b"not the site's")
    shutil.rmtree(spare / "index.html")  # a folder in `third`, the site before last
    (spare / "index.html").symlink_to(elsewhere, target_is_directory=True)
    (spare / "stories/12/index.html").unlink()
    (spare / "stories/12/index.html").symlink_to(elsewhere / "secret.txt")
    writer.write_site(fourth, out)
    assert _layout(out) == _layout(reference)
    assert sorted(p.name for p in elsewhere.iterdir()) == ["secret.txt"]
    assert (elsewhere / "secret.txt").read_bytes() == b"not the site's"

    # Something else under the spare's name is left alone; the swapped-out site is removed instead.
    writer.write_site(first, out)
    shutil.rmtree(spare)
    spare.mkdir()
    (spare / "mine.txt").write_bytes(b"not newsgen's")
    monkeypatch.setattr(writer, "BACKGROUND_REMOVAL", 10**9)
    writer.write_site(second, out)
    writer.write_site(second, reference)
    assert _layout(out) == _layout(reference)
    assert sorted(p.name for p in spare.iterdir()) == ["mine.txt"]
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith((".site.new-", ".site.old-"))]


def _layout_of(files: dict[str, bytes]) -> dict[str, str]:
    import hashlib

    return {k: hashlib.sha256(v).hexdigest() for k, v in sorted(files.items())}


def test_a_large_previous_site_is_removed_in_the_background_and_a_cut_removal_finished_later(tmp_path, monkeypatch):
    """Where the spare's name is taken by something newsgen did not make, the swapped-out site is
    removed; with BACKGROUND_REMOVAL at 1 every previous site counts as large: the new site is in place
    when write_site returns, and the swapped-out one disappears without the build waiting for it. A
    removal that was stopped (a leftover folder) is finished by the next write."""
    from newsgen import writer

    monkeypatch.setattr(writer, "BACKGROUND_REMOVAL", 1)
    out = tmp_path / "site"
    (tmp_path / ".site.spare").mkdir()
    (tmp_path / ".site.spare" / "mine.txt").write_bytes(b"not newsgen's")
    files = {f"stories/{n}/index.html": f"page {n}".encode() for n in range(200)}
    writer.write_site(files, out)
    import shutil

    removed: list[str] = []  # what this process removes itself
    real = shutil.rmtree
    monkeypatch.setattr(shutil, "rmtree", lambda path, *a, **k: removed.append(Path(path).name) or real(path, *a, **k))
    writer.write_site({**files, "index.html": b"new"}, out)
    assert removed == []
    assert (out / "index.html").read_bytes() == b"new" and (out / "stories/7/index.html").read_bytes() == b"page 7"
    listing = [".site.lock", ".site.spare", "site"]
    deadline = time.monotonic() + 30
    while sorted(p.name for p in tmp_path.iterdir()) != listing and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sorted(p.name for p in tmp_path.iterdir()) == listing

    (tmp_path / ".site.new-leftover" / "stories").mkdir(parents=True)  # as a killed removal leaves it
    monkeypatch.setattr(writer, "BACKGROUND_REMOVAL", 10**9)
    writer.write_site(files, out)
    assert removed[0] == ".site.new-leftover" and len(removed) == 2  # the leftover, then the swapped-out site
    assert sorted(p.name for p in tmp_path.iterdir()) == listing
    assert not (out / "index.html").exists()


def test_files_written_as_they_are_made_are_swapped_in_whole_and_an_error_leaves_the_old_site(tmp_path):
    """writer.Staging, as a build uses it: each file goes to a folder beside the output as soon as it is
    made; nothing shows in the output until commit(); an error before it removes what was written and
    leaves the old site; a file the old site holds byte for byte is that same file (its time kept)."""
    import pytest

    from newsgen import writer
    from newsgen.errors import BuildError
    from newsgen.reuse import content_digest, contents

    out = tmp_path / "site"
    writer.write_site({"index.html": b"old", "a/b.html": b"same"}, out)
    before, kept = tree_digest(out), (out / "a" / "b.html").stat().st_mtime_ns
    with pytest.raises(RuntimeError):
        with writer.Staging(out) as staging:
            staging.put("index.html", b"half a site")
            assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".site.new-")]  # beside the output
            raise RuntimeError("a template failed")
    assert tree_digest(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [".site.lock", "site"]

    with writer.Staging(out) as staging:
        with pytest.raises(BuildError, match="another newsgen build"):  # the output is locked meanwhile
            writer.Staging(out).__enter__()
        made = staging.put("index.html", b"new")
        same = staging.put("a/b.html", b"same")
        assert contents(made) == b"new" and content_digest(made) == content_digest(b"new")
        assert (out / "index.html").read_bytes() == b"old"  # nothing swapped in yet
        staging.commit()
    assert (out / "index.html").read_bytes() == b"new" and content_digest(same) == content_digest(b"same")
    assert (out / "a" / "b.html").stat().st_mtime_ns == kept
    assert sorted(p.name for p in tmp_path.iterdir()) == [".site.lock", ".site.spare", "site"]
    assert (tmp_path / ".site.spare" / "index.html").read_bytes() == b"old"  # the next build writes into it

    before = tree_digest(out)
    with pytest.raises(RuntimeError):  # an error while the spare is written: it goes, the output stays
        with writer.Staging(out) as staging:
            staging.put("index.html", b"half a site")
            raise RuntimeError("a template failed")
    assert tree_digest(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [".site.lock", "site"]
