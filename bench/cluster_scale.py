#!/usr/bin/env python3
"""Copy detection and story clustering at scale, stage by stage, with peak memory.

    .venv/bin/python bench/cluster_scale.py ../shared/data/allsides_article_bias/articles.jsonl.gz [--limit N]

Reads JSONL (id, title, text, date, source), cleans each text as the loader does, then marks copies
and groups stories with the settings of site.yaml (or --config). Prints each stage's wall time, the
process's peak resident memory, and what was found. The data set is not in the repository.
"""
from __future__ import annotations

import argparse
import gzip
import json
import resource
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from newsgen.config import load_config  # noqa: E402
from newsgen.copies import mark_copies  # noqa: E402
from newsgen.evaluate import record_article  # noqa: E402
from newsgen.stories import story_clusters  # noqa: E402


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("file", type=Path)
    p.add_argument("--limit", type=int, help="first N records only")
    p.add_argument("--config", type=Path, default=Path(__file__).resolve().parents[1] / "site.yaml")
    args = p.parse_args()
    if not args.file.exists():
        print(f"{args.file}: not found (the data sets live in ../shared/data/, outside the repository)")
        return 1
    config = load_config(args.config)
    opener = gzip.open if args.file.suffix == ".gz" else open
    clock = time.perf_counter()
    records = []
    with opener(args.file, "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                records.append(json.loads(line))
                if args.limit and len(records) >= args.limit:
                    break
    articles = [record_article(r) for r in records]
    del records
    print(f"load and clean: {len(articles)} articles in {time.perf_counter() - clock:.1f} s, peak {peak_mb():.0f} MB")

    clock = time.perf_counter()
    articles = mark_copies(articles, config.duplicate_threshold, config.copy_containment)
    copies = sum(1 for a in articles if a.duplicate_of)
    print(f"copies: {copies} found in {time.perf_counter() - clock:.1f} s, peak {peak_mb():.0f} MB")

    clock = time.perf_counter()
    clusters = story_clusters(articles, config.story_settings)
    sizes = Counter(len(c) for c in clusters)
    print(f"stories: {len(clusters)} in {time.perf_counter() - clock:.1f} s, peak {peak_mb():.0f} MB; "
          f"{sum(n for s, n in sizes.items() if s > 1)} with two or more articles, largest {max(sizes)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
