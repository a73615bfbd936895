#!/usr/bin/env python3
"""How well the claim matcher's sentence similarity tracks human judgements of news sentence pairs.

    .venv/bin/python bench/eval_sentences.py ../shared/data/stsb_headlines/headlines_pairs.jsonl

Pairs carry a 0-5 similarity `score` (STS-B headlines) or a 0/1 `label` (MSRP). The scorer is the one
`newsgen.analysis.claims` uses (TF-IDF cosine over content terms, numbers normalised); IDF is taken over
the set's own sentences, as a build takes it over a story's. Prints Spearman's rho against the gold
scores and the best F1 for "the same statement" (score >= 3.5, or label 1) with its threshold.
"""
from __future__ import annotations

import json
import math
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from newsgen.analysis.claims import _cos, _vectors  # noqa: E402


def ranks(values: list[float]) -> list[float]:
    order = sorted(range(len(values)), key=values.__getitem__)
    out = [0.0] * len(values)
    i = 0
    while i < len(order):  # average ranks over ties
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            out[order[k]] = (i + j) / 2
        i = j + 1
    return out


def spearman(a: list[float], b: list[float]) -> float:
    ra, rb = ranks(a), ranks(b)
    ma, mb = sum(ra) / len(ra), sum(rb) / len(rb)
    cov = sum((x - ma) * (y - mb) for x, y in zip(ra, rb))
    return cov / math.sqrt(sum((x - ma) ** 2 for x in ra) * sum((y - mb) ** 2 for y in rb))


def main() -> None:
    if len(sys.argv) != 2 or not Path(sys.argv[1]).exists():
        sys.exit(__doc__)
    records = [json.loads(line) for line in open(sys.argv[1], encoding="utf-8") if line.strip()]
    gold = [float(r["score"]) if "score" in r else float(r["label"]) for r in records]
    cut = 3.5 if "score" in records[0] else 0.5
    vectors = _vectors([r["text1"] for r in records] + [r["text2"] for r in records])
    n = len(records)
    scores = [_cos(vectors[i], vectors[n + i]) for i in range(n)]
    best = (0.0, 0.0)
    for t in (x / 100 for x in range(5, 95)):
        tp = sum(1 for s, g in zip(scores, gold) if s >= t and g >= cut)
        fp = sum(1 for s, g in zip(scores, gold) if s >= t and g < cut)
        fn = sum(1 for s, g in zip(scores, gold) if s < t and g >= cut)
        best = max(best, (2 * tp / (2 * tp + fp + fn), t))
    print(f"{sys.argv[1]}: {n} pairs; Spearman {spearman(scores, gold):.3f}; "
          f"best F1 for the same statement {best[0]:.3f} at threshold {best[1]:.2f}")


if __name__ == "__main__":
    main()
