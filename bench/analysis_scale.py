#!/usr/bin/env python3
"""Story analysis time against the number of articles (and sentences) in one story.

    .venv/bin/python bench/analysis_scale.py ../shared/data/ecbplus/ecbplus.jsonl [--sizes 5,50,500]
                                             [--embeddings 0.72] [--headlines]

A story of N articles is made from real reports of one ECB+ event (the event with the most articles):
article k is report k mod R of the event, with about a third of its sentences dropped and three
sentences of the event's other reports mixed in, its paragraphs shuffled (a fixed seed), under an id and
a source of its own. So the story has what a big real story has: many sources repeating the same facts
in overlapping words, each with something of its own. Each size runs in a fresh process, three times;
the table gives the median wall time of every finder, the process's peak memory, and the growth
exponent between sizes against the n log n bound the analysis promises. With --embeddings T, claims
also align by sentence embeddings at cosine T (site.yaml claim_embeddings; needs the `embeddings` extra),
the model loaded before the clock starts. That event's reports have no headlines, and only headlines
are encoded, so --headlines gives each article one: the first twelve words of its first paragraph
(compare runs with and without --embeddings, both with --headlines). The data set is not in the
repository.
"""
from __future__ import annotations

import argparse
import json
import math
import random
import resource
import statistics
import subprocess
import sys
import time
from collections import Counter, defaultdict
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from newsgen.evaluate import record_article  # noqa: E402
from newsgen.model import Block, Section, Source  # noqa: E402


def story_articles(path: Path, size: int, seed: int = 7, headlines: bool = False):
    records = [json.loads(line) for line in path.open(encoding="utf-8")]
    by_event = defaultdict(list)
    for r in records:
        by_event[r["cluster"]].append(r)
    event = max(sorted(by_event), key=lambda c: len(by_event[c]))
    reports = [record_article(r) for r in by_event[event]]
    reports = [a for a in reports if len(a.paragraphs) >= 3]
    pool = [(n, p) for n, a in enumerate(reports) for p in a.paragraphs]
    rng = random.Random(seed)
    out = []
    for k in range(size):
        base = k % len(reports)
        paragraphs = [p for p in reports[base].paragraphs if rng.random() > 0.33] or list(reports[base].paragraphs[:2])
        paragraphs += [p for n, p in rng.sample(pool, 3) if n != base]
        rng.shuffle(paragraphs)
        blocks = tuple(Block("p", text=p) for p in paragraphs)
        title = " ".join(paragraphs[0].split()[:12]) if headlines else reports[base].title
        out.append(replace(reports[base], id=f"a{k:04d}", source=Source(f"Outlet {k}", f"outlet-{k}"),
                           title=title, sections=(Section(None, blocks),)))
    return out


def measure(path: Path, size: int, embeddings: float, headlines: bool) -> dict:
    from newsgen.analysis import FINDERS, analyse_story
    from newsgen.analysis.sentences import article_sentences
    from newsgen.model import Story

    warm = story_articles(path, 2, headlines=headlines)  # one-off loads (place names, caches) are not the story's cost
    analyse_story(Story("w", "w", tuple(a.id for a in warm)), {a.id: a for a in warm}, 0.22,
                  claim_embeddings=embeddings)
    articles = story_articles(path, size, headlines=headlines)
    by_id = {a.id: a for a in articles}
    story = Story("s", "s", tuple(by_id))
    start = time.perf_counter()
    analysis = analyse_story(story, by_id, 0.22, timings := Counter(), claim_embeddings=embeddings)
    total = time.perf_counter() - start
    return {"articles": size, "sentences": sum(len(article_sentences(a)) for a in articles),
            "seconds": total, "finders": dict(timings), "claims": len(analysis.shared_claims),
            "largest_claim": max((len(c.mentions) for c in analysis.shared_claims), default=0),
            "finder_names": list(FINDERS), "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("file", type=Path)
    p.add_argument("--sizes", default="5,50,500")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--embeddings", type=float, default=0.0, help="claim_embeddings (0: off)")
    p.add_argument("--headlines", action="store_true", help="give every article a headline")
    p.add_argument("--one", type=int, help=argparse.SUPPRESS)  # internal: measure one size, print JSON
    args = p.parse_args()
    if not args.file.exists():
        print(f"{args.file}: not found (the ECB+ dev set lives in ../shared/data/, outside the repository)",
              file=sys.stderr)
        return 1
    if args.one:
        print(json.dumps(measure(args.file, args.one, args.embeddings, args.headlines)))
        return 0
    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        runs = [json.loads(subprocess.run([sys.executable, __file__, str(args.file), "--one", str(size),
                                           "--embeddings", str(args.embeddings)]
                                          + ["--headlines"] * args.headlines,
                                          check=True, capture_output=True, text=True).stdout)
                for _ in range(args.repeat)]
        run = sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2]
        run["finders"] = {k: statistics.median(r["finders"].get(k, 0.0) for r in runs) for k in run["finder_names"]}
        run["peak_mb"] = max(r["peak_mb"] for r in runs)
        rows.append(run)
    names = rows[0]["finder_names"]
    print(f"{'articles':>8} {'sentences':>9} {'total s':>8} {'ms/sentence':>11} {'peak MB':>8} "
          + " ".join(f"{n:>9}" for n in names) + "  claims (largest)")
    for r in rows:
        print(f"{r['articles']:>8} {r['sentences']:>9} {r['seconds']:>8.3f} {1000 * r['seconds'] / r['sentences']:>11.3f} "
              f"{r['peak_mb']:>8.0f} " + " ".join(f"{r['finders'][n]:>9.3f}" for n in names)
              + f"  {r['claims']} ({r['largest_claim']})")
    for a, b in zip(rows, rows[1:]):
        grow = math.log(b["seconds"] / a["seconds"]) / math.log(b["sentences"] / a["sentences"])
        nlogn = math.log((b["sentences"] * math.log(b["sentences"])) / (a["sentences"] * math.log(a["sentences"]))) \
            / math.log(b["sentences"] / a["sentences"])
        each = ", ".join(
            f"{n} ^{math.log(b['finders'][n] / a['finders'][n]) / math.log(b['sentences'] / a['sentences']):.2f}"
            for n in names if a["finders"][n] > 0.001 and b["finders"][n] > 0)
        print(f"{a['articles']} -> {b['articles']} articles: time grows as sentences^{grow:.2f} "
              f"(n log n would be ^{nlogn:.2f}; all pairs ^2.00); by finder: {each}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
