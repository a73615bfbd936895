#!/usr/bin/env python3
"""How often newsgen's page metadata (pagemeta.read_meta) and trafilatura's (extract_metadata) give a
field, and how often they agree where both do, on saved pages.

    .venv/bin/python bench/metadata_agreement.py ../shared/data/extraction_dev/pages.jsonl.gz

Neither is a gold standard: the set holds no true metadata. trafilatura also guesses dates from the
text and the address (htmldate); newsgen takes only a date the page states in its metadata or markup.
Agreement compares the values case-folded, whitespace trimmed.
"""
from __future__ import annotations

import argparse
import gzip
import json
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from newsgen.pagemeta import read_meta  # noqa: E402

FIELDS = ("title", "author", "sitename", "date", "url", "description")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("pages", type=Path)
    args = ap.parse_args()
    if not args.pages.exists():
        sys.exit(f"{args.pages}: not found (the dev sets live in ../shared/data/, outside the repository)")
    import trafilatura

    both, agree, ours, theirs = Counter(), Counter(), Counter(), Counter()
    pages = 0
    with gzip.open(args.pages, "rt", encoding="utf-8") as fh:
        for line in fh:
            html = json.loads(line).get("html") or ""
            tree = trafilatura.load_html(html)
            if tree is None:
                continue
            pages += 1
            mine = read_meta(tree)
            other = trafilatura.extract_metadata(trafilatura.load_html(html))
            values = {"title": (mine.title, other.title), "author": (mine.author, other.author),
                      "sitename": (mine.sitename, other.sitename),
                      "date": (mine.published.isoformat() if mine.published else None, other.date),
                      "url": (mine.url, other.url), "description": (mine.description, other.description)}
            for name, (a, b) in values.items():
                if a and b:
                    both[name] += 1
                    agree[name] += a.strip().casefold() == b.strip().casefold()
                elif a:
                    ours[name] += 1
                elif b:
                    theirs[name] += 1
    print(f"{pages} pages")
    print("| field | newsgen gives it | trafilatura gives it | both | agree where both |")
    print("| --- | --- | --- | --- | --- |")
    for name in FIELDS:
        print(f"| {name} | {both[name] + ours[name]} | {both[name] + theirs[name]} | {both[name]} | "
              f"{agree[name]} ({agree[name] / max(both[name], 1):.0%}) |")


if __name__ == "__main__":
    main()
