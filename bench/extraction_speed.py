#!/usr/bin/env python3
"""Extraction speed on one core: the text cleaner, and saved pages through newsgen against trafilatura alone.

    .venv/bin/python bench/extraction_speed.py ../shared/data/extraction_dev/pages.jsonl.gz [--limit N]

Reads the pages into memory first, then times, one after another in this one process (one core):
  text   clean(text_units(page_text))            - what a .txt article goes through
  html   webpage.read_page(html)                  - what a .html article goes through
  traf   trafilatura.extract(html) to plain text  - the extractor alone, as its docs show it
Prints pages per second for each (median of --repeat runs).
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

from newsgen.clean import clean  # noqa: E402
from newsgen.errors import BuildError  # noqa: E402
from newsgen.loader import text_units  # noqa: E402
from newsgen.webpage import read_page  # noqa: E402


def timed(fn, items) -> float:
    start = time.perf_counter()
    for item in items:
        fn(item)
    return len(items) / (time.perf_counter() - start)


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

    runs = {
        "text (newsgen cleaner)": lambda: timed(lambda t: clean(text_units(t), whole_page=True), texts),
        "html (newsgen: trafilatura XML + metadata + line rules)": lambda: timed(newsgen_html, pages),
        "html (trafilatura.extract alone)": lambda: timed(lambda p: trafilatura.extract(p), pages),
    }
    newsgen_html(pages[0])  # imports and first-call set-up outside the timing
    for name, run in runs.items():
        rates = [run() for _ in range(args.repeat)]
        print(f"{name}: {statistics.median(rates):.1f} pages/s (runs: {', '.join(f'{r:.1f}' for r in rates)}; "
              f"{len(records)} pages)", flush=True)


if __name__ == "__main__":
    main()
