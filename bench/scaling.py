#!/usr/bin/env python3
"""Scaling of the engines: the local engine against a Dask LocalCluster of 1 and 2 workers, same articles.

    .venv/bin/python bench/scaling.py --sizes 2000,10000 [--data PATH] [--work DIR]
                                      [--configs local,local1,dask1,dask2]

Configurations: `local` (the local engine, one process a core), `local1` (the local engine in one
process), `dask1` and `dask2` (a LocalCluster of 1 or 2 worker processes, one thread each). For each
size, bench/corpus.py writes the articles (the AllSides set, then rewrites of it), and each
configuration builds them in a fresh process with no cache (`build()` with the engine, as
`newsgen build --engine ...` does): wall time, the time of each stage, the peak memory of the client
(the process that groups, writes and runs Pagefind) and of each worker, the bytes the client sent to
the workers and got back (pickled, counted by the engine; the time the counting takes is subtracted
from the wall time), and the bytes the workers sent one another (the shuffle of LSH band keys; Dask's
own count). Every configuration's site must be byte-identical to the first one's; the script says so.

The data set is not in the repository; without it the script says so and stops. Results go to stdout
and, as JSON, to WORK/scaling-SIZES.json.
"""
from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import DATA, ROOT, run as run_child, same_tree, stages, write_corpus  # noqa: E402 (bench/run.py)

CONFIGS = {"local": ("local", None), "local1": ("local", 1), "dask1": ("dask", 1), "dask2": ("dask", 2)}


def child(engine_name: str, workers: int | None, articles: Path, out: Path, result: Path) -> int:
    """One build, in this (fresh) process; its figures go to `result` as JSON."""
    sys.path.insert(0, str(ROOT / "src"))
    from newsgen.build import build
    from newsgen.config import load_config
    from newsgen.engine import LocalEngine

    if engine_name == "dask":
        from newsgen.engine_dask import DaskEngine

        engine = DaskEngine(None, workers, count_bytes=True)
    else:
        engine = LocalEngine(workers)
    start = time.perf_counter()
    try:
        # keep_going: a recombined rewrite can clean down to nothing (a file error); it is left out and counted
        summary = build(load_config(ROOT / "site.yaml"), out, articles, log=print, engine=engine, keep_going=True)
        wall = time.perf_counter() - start
        figures = {"seconds": wall, "pages": summary.pages, "skipped": len(summary.skipped),
                   "client_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
        if engine_name == "dask":
            peaks = engine.client.run(lambda: __import__("resource").getrusage(0).ru_maxrss / 1024)
            figures.update(seconds=wall - engine.counting, counting_seconds=engine.counting,
                           worker_peak_mb=sorted(peaks.values(), reverse=True), sent_mb=engine.sent / 1e6,
                           received_mb=engine.received / 1e6, shuffled_mb=engine.shuffled_bytes() / 1e6)
        else:
            figures["worker_peak_mb"] = [resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024]
    finally:
        engine.close()
    result.write_text(json.dumps(figures))
    return 0


def measure(config: str, articles: Path, out: Path, work: Path) -> dict:
    engine_name, workers = CONFIGS[config]
    result = work / f"figures-{config}.json"
    _wall, _peak, log = run_child([sys.executable, __file__, "--child", engine_name, str(workers or 0), str(articles),
                                   str(out), str(result)])
    figures = json.loads(result.read_text())
    figures["stages"] = stages(log)
    return figures


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", default="2000,10000")
    p.add_argument("--data", type=Path, default=DATA)
    p.add_argument("--work", type=Path, default=Path("/tmp/newsgen-scaling"))
    p.add_argument("--configs", default="local,local1,dask1,dask2")
    p.add_argument("--child", nargs=5, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        engine_name, workers, articles, out, result = args.child
        return child(engine_name, int(workers) or None, Path(articles), Path(out), Path(result))
    if not args.data.exists():
        print(f"{args.data} is absent: the AllSides data set is not in the repository", file=sys.stderr)
        return 1
    sizes = [int(s) for s in args.sizes.split(",")]
    configs = args.configs.split(",")
    results = {}
    for size in sizes:
        work = args.work / str(size)
        corpus = work / "corpus"
        if not (corpus / "articles").is_dir() or sum(1 for _ in (corpus / "articles").iterdir()) != size:
            write_corpus(args.data, corpus, size)
        rows = {}
        for config in configs:
            out = work / f"site-{config}"
            rows[config] = measure(config, corpus / "articles", out, work)
            rows[config]["identical"] = same_tree(work / f"site-{configs[0]}", out)
            report(size, config, rows[config])
        results[size] = rows
    target = args.work / f"scaling-{args.sizes.replace(',', '-')}.json"
    target.write_text(json.dumps(results, indent=2))
    print(f"figures in {target}")
    return 0


def report(size: int, config: str, row: dict) -> None:
    st = " / ".join(f"{name} {s['seconds']:.1f}" for name, s in row["stages"].items())
    workers = ", ".join(f"{mb:.0f}" for mb in row["worker_peak_mb"])
    moved = (f"; sent {row['sent_mb']:.0f} MB, received {row['received_mb']:.0f} MB, shuffled "
             f"{row['shuffled_mb']:.1f} MB (counting took {row['counting_seconds']:.1f} s, not included)"
             if "sent_mb" in row else "")
    print(f"{size:>7,} {config:<6} {row['seconds']:7.1f} s  [{st}]  client peak {row['client_peak_mb']:.0f} MB, "
          f"workers {workers} MB{moved}; {row['pages']} pages ({row.get('skipped', 0)} files skipped); identical to the first: {row['identical']}",
          flush=True)


if __name__ == "__main__":
    sys.exit(main())
