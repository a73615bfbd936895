#!/usr/bin/env python3
"""Story clustering quality on a JSONL set of articles with gold story labels.

    .venv/bin/python bench/eval_clusters.py ../shared/data/ecbplus/ecbplus.jsonl [--threshold 0.2 ...]

Each record: id, title, text, date, source, cluster (the gold story). The text goes through the same
cleaner as a scraped .txt file, then the same copy marking and story grouping as `newsgen build`.
Prints B-cubed precision / recall / F1, pairwise F1, cluster counts and time for each threshold.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from datetime import date
from itertools import combinations
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from newsgen.clean import clean  # noqa: E402
from newsgen.dedupe import mark_copies, story_clusters  # noqa: E402
from newsgen.loader import text_units  # noqa: E402
from newsgen.model import Article, Source  # noqa: E402


def article(record: dict) -> Article:
    cleaned = clean(text_units(record.get("text") or ""), known_title=record.get("title"), find_title=False)
    try:
        published = date.fromisoformat(str(record.get("date"))[:10])
    except ValueError:
        published = None
    return Article(str(record["id"]), "", "txt", record.get("title"), None, None, Source(None, ""), None,
                   published, (), cleaned.sections, ())


def bcubed(pred: list[list[str]], gold: dict[str, str]) -> tuple[float, float, float]:
    cluster = {i: k for k, ids in enumerate(pred) for i in ids}
    by_pred, by_gold = defaultdict(set), defaultdict(set)
    for i in gold:
        by_pred[cluster[i]].add(i)
        by_gold[gold[i]].add(i)
    p = sum(len(by_pred[cluster[i]] & by_gold[gold[i]]) / len(by_pred[cluster[i]]) for i in gold) / len(gold)
    r = sum(len(by_pred[cluster[i]] & by_gold[gold[i]]) / len(by_gold[gold[i]]) for i in gold) / len(gold)
    return p, r, 2 * p * r / (p + r)


def pairwise(pred: list[list[str]], gold: dict[str, str]) -> float:
    pred_pairs = {frozenset(p) for ids in pred for p in combinations(ids, 2)}
    by_gold = defaultdict(list)
    for i, g in gold.items():
        by_gold[g].append(i)
    gold_pairs = {frozenset(p) for ids in by_gold.values() for p in combinations(ids, 2)}
    tp = len(pred_pairs & gold_pairs)
    return 2 * tp / (len(pred_pairs) + len(gold_pairs)) if pred_pairs or gold_pairs else 1.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("jsonl", type=Path)
    ap.add_argument("--threshold", type=float, nargs="+", default=[0.2])
    ap.add_argument("--window-days", type=int, default=7)
    args = ap.parse_args()
    if not args.jsonl.exists():
        sys.exit(f"{args.jsonl}: not found (the dev sets live in ../shared/data/, outside the repository)")
    records = [json.loads(line) for line in args.jsonl.open(encoding="utf-8") if line.strip()]
    articles = mark_copies([article(r) for r in records], 0.5)
    gold = {str(r["id"]): str(r["cluster"]) for r in records}
    print(f"{args.jsonl}: {len(records)} articles, {len(set(gold.values()))} gold stories")
    for t in args.threshold:
        start = time.perf_counter()
        pred = story_clusters(articles, t, args.window_days)
        seconds = time.perf_counter() - start
        p, r, f = bcubed(pred, gold)
        print(f"threshold {t:.2f}: B-cubed P {p:.3f} R {r:.3f} F1 {f:.3f} | pairwise F1 {pairwise(pred, gold):.3f} "
              f"| {len(pred)} predicted stories | {seconds:.1f} s")


if __name__ == "__main__":
    main()
