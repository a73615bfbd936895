#!/usr/bin/env python3
"""Boilerplate removal on scraped page text, scored as the trafilatura project scores extraction.

    .venv/bin/python bench/eval_extraction.py ../shared/data/extraction_dev/pages.jsonl.gz [--limit N]

Each record's `page_text` (a page's whole visible text, as a naive scraper gets it) goes through the
same loader path as a `.txt` article. A `with` snippet found in title + dek + body is a true positive,
missing a false negative; a `without` snippet found is a false positive. Whitespace is normalised,
matching is case-sensitive substring, as in that project's evaluation.
"""
from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from newsgen.clean import clean  # noqa: E402
from newsgen.loader import text_units  # noqa: E402


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("pages", type=Path)
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--raw", action="store_true", help="score the page text unchanged (the baseline)")
    args = ap.parse_args()
    if not args.pages.exists():
        sys.exit(f"{args.pages}: not found (the dev sets live in ../shared/data/, outside the repository)")
    tp = fn = fp = tn = 0
    n = 0
    start = time.perf_counter()
    with gzip.open(args.pages, "rt", encoding="utf-8") as fh:
        for line in fh:
            record = json.loads(line)
            text = record.get("page_text") or ""
            if args.raw:
                out = squash(text)
            else:
                c = clean(text_units(text))
                parts = [c.title or "", c.dek or ""]
                parts += [t for s in c.sections for t in ([s.heading] if s.heading else []) +
                          [x for b in s.blocks for x in b.texts]]
                out = squash(" ".join(parts))
            for snippet in record.get("with") or []:
                if squash(snippet) in out:
                    tp += 1
                else:
                    fn += 1
            for snippet in record.get("without") or []:
                if squash(snippet) in out:
                    fp += 1
                else:
                    tn += 1
            n += 1
            if args.limit and n >= args.limit:
                break
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    print(f"{n} pages: P {p:.3f} R {r:.3f} F1 {f:.3f} (tp {tp} fn {fn} fp {fp} tn {tn}) "
          f"in {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
