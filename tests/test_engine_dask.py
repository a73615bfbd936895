"""`newsgen build --engine dask`: the same site, byte for byte, as the local engine; a worker killed
mid-build changes nothing (Dask runs its tasks again elsewhere, or the build fails and the previous
site stays).

Each build is a real `build.py` process starting a real `LocalCluster` of 2 worker processes. Dask is
the `dask` extra, which README's test command installs: under CI these tests never skip.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import REPO, SEEDS, tree_digest
from test_atomic import write_corpus

try:
    import distributed
    import psutil
except ImportError:  # pragma: no cover - the test command installs them
    if os.environ.get("CI") == "true":
        raise
    pytest.skip("Dask is not installed (pip install -e '.[dask]')", allow_module_level=True)

assert distributed.__version__
ALLSIDES = REPO.parent / "shared" / "data" / "allsides_article_bias" / "articles.jsonl.gz"


def build(articles: Path, out: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "build.py", "--articles", str(articles), "--out", str(out), "--no-cache",
                           "-q", *extra], cwd=REPO, capture_output=True, text=True, timeout=900)


def same_on_both(articles: Path, tmp_path: Path) -> dict[str, str]:
    local = build(articles, tmp_path / "local")
    assert local.returncode == 0, local.stderr
    dask = build(articles, tmp_path / "dask", "--engine", "dask", "--workers", "2")
    assert dask.returncode == 0, dask.stderr
    assert "Traceback" not in dask.stderr and "warn" not in dask.stderr.lower(), dask.stderr
    digest = tree_digest(tmp_path / "local")
    assert tree_digest(tmp_path / "dask") == digest
    return digest


def test_the_seeds_give_the_same_site_on_dask(tmp_path):
    digest = same_on_both(SEEDS, tmp_path)
    assert any(path.startswith("stories/") for path in digest)


def test_500_articles_give_the_same_site_on_dask(tmp_path):
    digest = same_on_both(write_corpus(tmp_path / "articles", 500), tmp_path)
    assert sum(path.endswith(".html") for path in digest) > 50


@pytest.mark.skipif(not ALLSIDES.exists(), reason=f"{ALLSIDES} is absent (dev set, not in the repo)")
def test_2000_allsides_articles_give_the_same_site_on_dask(tmp_path):
    subprocess.run([sys.executable, "bench/corpus.py", str(ALLSIDES), str(tmp_path / "corpus"), "--size", "2000"],
                   cwd=REPO, check=True, capture_output=True)
    digest = same_on_both(tmp_path / "corpus" / "articles", tmp_path)
    assert sum(path.endswith(".json") and path.startswith("stories/") for path in digest) > 1000


def test_a_running_cluster_by_its_address(tmp_path):
    from dask.distributed import LocalCluster

    local = build(SEEDS, tmp_path / "local")
    assert local.returncode == 0, local.stderr
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        remote = build(SEEDS, tmp_path / "remote", "--engine", "dask", "--scheduler", cluster.scheduler_address,
                       "--workers", "1")
    assert remote.returncode == 0, remote.stderr
    assert tree_digest(tmp_path / "remote") == tree_digest(tmp_path / "local")


def test_an_unreachable_scheduler_is_a_clear_error_and_the_site_stays(tmp_path):
    out = tmp_path / "site"
    assert build(SEEDS, out).returncode == 0
    before = tree_digest(out)
    env = {**os.environ, "DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "2s"}
    failed = subprocess.run([sys.executable, "build.py", "--articles", str(SEEDS), "--out", str(out), "-q",
                             "--engine", "dask", "--scheduler", "tcp://127.0.0.1:9"], cwd=REPO, env=env,
                            capture_output=True, text=True, timeout=120)
    assert failed.returncode == 1
    assert "tcp://127.0.0.1:9: cannot reach the Dask cluster" in failed.stderr
    assert "Traceback" not in failed.stderr
    assert tree_digest(out) == before


def test_dask_options_need_the_dask_engine(tmp_path):
    for extra in (["--workers", "2"], ["--scheduler", "tcp://127.0.0.1:8786"], ["--engine", "dask", "-j", "2"]):
        run = build(SEEDS, tmp_path / "site", *extra)
        assert run.returncode == 2 and run.stderr.startswith("newsgen build: error:"), (extra, run.stderr)
    assert not (tmp_path / "site").exists()


def workers_of(pid: int) -> list[psutil.Process]:
    """The LocalCluster's worker processes: the build's children started by multiprocessing's spawn."""
    found = []
    for child in psutil.Process(pid).children(recursive=True):
        try:
            line = " ".join(child.cmdline())
        except psutil.Error:
            continue
        if "spawn_main" in line and "resource_tracker" not in line:
            found.append(child)
    return found


def test_a_worker_killed_mid_build_leaves_a_complete_site(tmp_path):
    articles = write_corpus(tmp_path / "articles", 600)
    reference = build(articles, tmp_path / "reference")
    assert reference.returncode == 0, reference.stderr
    out = tmp_path / "site"
    assert build(SEEDS, out).returncode == 0
    before = tree_digest(out)
    proc = subprocess.Popen([sys.executable, "build.py", "--articles", str(articles), "--out", str(out), "--no-cache",
                             "-v", "--engine", "dask", "--workers", "2"], cwd=REPO, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    printed = []
    for line in proc.stdout:  # the workers are busy from the first stage on: kill one once loading is done
        printed.append(line)
        if line.startswith("load:"):
            break
    workers = workers_of(proc.pid)
    assert len(workers) == 2, [w.cmdline() for w in workers]
    workers[0].send_signal(signal.SIGKILL)
    killed_at = time.monotonic()
    rest, _ = proc.communicate(timeout=900)
    printed += rest.splitlines()
    assert not workers[0].is_running() or workers[0].status() == psutil.STATUS_ZOMBIE
    stages = [line.split(":", 1)[0] for line in printed if ":" in line]
    assert {"group", "analyse", "render"} <= set(stages), printed  # the build went on after the kill ...
    if proc.returncode == 0:  # ... and Dask ran the lost tasks again: the same site as the local engine
        assert tree_digest(out) == tree_digest(tmp_path / "reference")
    else:  # or it failed cleanly, leaving the previous site as it was
        assert tree_digest(out) == before, printed
    print(f"exit {proc.returncode}, {time.monotonic() - killed_at:.1f} s after the kill")


def test_the_local_engine_never_imports_dask(tmp_path):
    """The base install and its cold start do not need Dask: a local build imports none of it."""
    code = ("import sys; from newsgen.cli import build_main; "
            f"code = build_main(['--articles', {str(SEEDS)!r}, '--out', {str(tmp_path / 'site')!r}, '-q', '--no-cache']); "
            "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')); "
            "print(loaded); sys.exit(code or bool(loaded))")
    run = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0 and run.stdout.strip() == "[]", (run.stdout, run.stderr)


def _square_with_offset(item: int, offset: int) -> int:
    return item * item + offset


def test_a_map_of_many_partitions_keeps_a_window_in_flight_and_the_items_order(monkeypatch):
    """More partitions than the window (PARTITIONS_PER_WORKER a worker): each finished one lets the next
    in, and the results come back in the items' order, as the local engine gives them."""
    from newsgen import engine_dask
    from newsgen.engine import LocalEngine

    monkeypatch.setattr(engine_dask, "MAX_PARTITION", 3)
    engine = engine_dask.DaskEngine(None, 1, count_bytes=True)
    seen = []

    def progress(parts, stage):
        seen.append((len(parts), stage))
        for part in parts:  # partitions on the cluster: the window, and the one just taken (released lazily)
            on_cluster = [key for key in engine.client.who_has() if str(key).startswith("_run-")]
            assert len(on_cluster) <= engine_dask.PARTITIONS_PER_WORKER + 1
            yield part
    try:
        items = list(range(50))
        got = engine.map(_square_with_offset, items, 7, progress, "squares")
    finally:
        engine.close()
    assert got == LocalEngine(1).map(_square_with_offset, items, 7) == [i * i + 7 for i in items]
    assert seen == [(17, "squares")]  # 50 items in partitions of 3
    assert engine.sent > 0 and engine.received > 0


def _made_after_flag(item: int, shared: tuple) -> tuple:
    """(item, whether it was made before the half or once `flag` appeared, before the deadline)."""
    half, flag, deadline = shared
    while item >= half and not os.path.exists(flag):
        if time.monotonic() > deadline:
            return item, False
        time.sleep(0.01)
    return item, True


def test_a_stream_gives_each_partition_before_the_last_is_made(tmp_path, monkeypatch):
    """Dask's stream, as the local engine's: the caller has the first results while later partitions wait
    for it (rendered pages are written as they come, not held)."""
    from newsgen import engine_dask

    monkeypatch.setattr(engine_dask, "MAX_PARTITION", 10)
    flag = tmp_path / "first result taken"
    engine = engine_dask.DaskEngine(None, 1)
    try:
        results = engine.stream(_made_after_flag, list(range(60)), (30, str(flag), time.monotonic() + 20))
        first = next(results)
        flag.touch()
        got = [first, *results]
    finally:
        engine.close()
    assert [x for x, _ in got] == list(range(60))
    assert all(made for _, made in got)
