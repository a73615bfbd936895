#!/usr/bin/env python3
"""Extraction speed on one core: the text cleaner, and saved pages through newsgen against trafilatura alone.

    .venv/bin/python bench/extraction_speed.py ../shared/data/extraction_dev/pages.jsonl.gz [--limit N]

Reads the pages into memory first, then times, one after another in this one process (one core):
  text   clean(text_units(page_text))            - what a .txt article goes through
  html   webpage.read_page(html)                  - what a .html article goes through
  traf   trafilatura.extract(html) to plain text  - the extractor alone, as its docs show it
Prints pages per second of CPU time for each (median of --repeat interleaved rounds; the text cleaner's
memo caches are emptied before each of its runs) and the HTML ratio newsgen / trafilatura per round.
"""
from __future__ import annotations

import argparse
import gzip
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from newsgen.clean import clean, line_rule  # noqa: E402
from newsgen.errors import BuildError  # noqa: E402
from newsgen.loader import text_units  # noqa: E402
from newsgen.text import fold, word_count  # noqa: E402
from newsgen.webpage import read_page  # noqa: E402


def timed(fn, items, before=None) -> float:
    """Pages per second of this process's CPU time (time.process_time: another process's load on the
    machine does not count against it)."""
    if before:
        before()
    start = time.process_time()
    for item in items:
        fn(item)
    return len(items) / (time.process_time() - start)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("pages", type=Path)
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    if not args.pages.exists():
        sys.exit(f"{args.pages}: not found (the dev sets live in ../shared/data/, outside the repository)")
    with gzip.open(args.pages, "rt", encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh]
    if args.limit:
        records = records[:args.limit]
    texts = [r.get("page_text") or "" for r in records]
    pages = [r.get("html") or "" for r in records]
    import trafilatura

    def newsgen_html(page: str) -> None:
        try:
            read_page("page", page)
        except BuildError:
            pass

    def text_cold(t: str) -> None:
        clean(text_units(t), whole_page=True)

    def clear_caches() -> None:  # each run starts cold: no line seen before
        for fn in (line_rule, word_count, fold):
            fn.cache_clear()

    runs = {
        "text (newsgen cleaner)": lambda: timed(text_cold, texts, clear_caches),
        "html (newsgen: trafilatura main text + own metadata + line rules)": lambda: timed(newsgen_html, pages),
        "html (trafilatura.extract alone)": lambda: timed(lambda p: trafilatura.extract(p), pages),
    }
    newsgen_html(pages[0])  # imports and first-call set-up outside the timing
    rates: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(args.repeat):  # interleaved, so that a slower spell of the machine hits every kind alike
        for name, run in runs.items():
            rates[name].append(run())
    for name, got in rates.items():
        print(f"{name}: {statistics.median(got):.1f} pages/s of CPU time (runs: {', '.join(f'{r:.1f}' for r in got)}; "
              f"{len(records)} pages)", flush=True)
    html, traf = list(rates)[1:]
    ratios = [a / b for a, b in zip(rates[html], rates[traf])]
    print(f"html: newsgen / trafilatura alone, per round: {', '.join(f'{r:.2f}' for r in ratios)} "
          f"(median {statistics.median(ratios):.2f})")


if __name__ == "__main__":
    main()
