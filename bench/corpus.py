"""Benchmark corpora of real news: the AllSides articles, and beyond their number, rewrites of them.

    .venv/bin/python bench/corpus.py ../shared/data/allsides_article_bias/articles.jsonl.gz OUT --size 10000

Writes SIZE Markdown files with YAML front matter (title, source, date, author, url) to OUT/articles/
for newsgen and the same articles as plain Markdown to OUT/pelican/ and OUT/hugo/ for the two site
generators it is compared with, so all three read the same titles, dates and bodies.

The first 37,554 articles are the data set's own, newest first (so a smaller corpus is the archive's
latest stretch, where stories are densest), the 4,410 undated ones last. Past that, article k is a rewrite
of a real article: a third of its paragraphs dropped, one paragraph of another article on the same topic
and day mixed in, its paragraphs shuffled, another outlet's name, and its date moved on by whole
14-day steps per round, so each round over the archive adds new stories of realistic size rather than
copies of the old ones. A fixed seed makes every run write the same corpus.
"""
from __future__ import annotations

import argparse
import gzip
import json
import random
import sys
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

import yaml

ROUND_DAYS = 14  # each round over the archive moves its rewrites this many days on, times the round


def read_records(path: Path, limit: int | None = None) -> list[dict]:
    records = []
    with gzip.open(path, "rt", encoding="utf-8") if path.suffix == ".gz" else path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                records.append(json.loads(line))
                if limit and len(records) >= limit:
                    break
    return records


def newest_first(records: list[dict]) -> list[dict]:
    dated = sorted((r for r in records if r.get("date")), key=lambda r: (r["date"], r["id"]), reverse=True)
    return dated + [r for r in records if not r.get("date")]


def paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.split("\n\n") if p.strip()]


def rewrites(records: list[dict], size: int, seed: int = 7):
    """`size` records: the real ones first, then rewrites of them, round by round."""
    rng = random.Random(seed)
    sources = sorted({r["source"] for r in records if r.get("source")})
    by_topic_day: dict[tuple, list[int]] = defaultdict(list)
    for n, r in enumerate(records):
        by_topic_day[(r.get("topic"), r.get("date"))].append(n)
    for k in range(size):
        round_, n = divmod(k, len(records))
        r = records[n]
        if round_ == 0:
            yield r
            continue
        paras = paragraphs(r["text"])
        keep = [p for p in paras if rng.random() > 1 / 3] or paras[:1]
        others = [m for m in by_topic_day[(r.get("topic"), r.get("date"))] if m != n]
        if others:
            keep.append(rng.choice(paragraphs(records[rng.choice(others)]["text"]) or [""]))
        rng.shuffle(keep)
        when = r.get("date")
        if when:
            when = (date.fromisoformat(when) + timedelta(days=ROUND_DAYS * round_ + rng.randint(0, 2))).isoformat()
        yield {**r, "id": f"{r['id']}-r{round_}", "text": "\n\n".join(keep), "date": when,
               "source": rng.choice(sources), "url": None}


def front_matter(r: dict) -> str:
    meta = {"title": r["title"], "source": r.get("source"), "date": r.get("date"),
            "author": r.get("authors"), "url": r.get("url")}
    return "---\n" + yaml.safe_dump({k: v for k, v in meta.items() if v}, allow_unicode=True, sort_keys=False) + "---\n\n"


def write(records, out: Path, start: int = 1, others: bool = True) -> list[Path]:
    """The three inputs under `out` (with `others` False, newsgen's only), files numbered from `start`;
    returns newsgen's files."""
    art, pel, hug = out / "articles", out / "pelican" / "content", out / "hugo" / "content" / "posts"
    for d in (art, pel, hug) if others else (art,):
        d.mkdir(parents=True, exist_ok=True)
    written = []
    for count, r in enumerate(records, start=start):
        name = f"{count:06d}_{r['id']}"
        body = r["text"].strip() + "\n"
        written.append(art / f"{name}.md")
        written[-1].write_text(front_matter(r) + body, encoding="utf-8")
        if not others:
            continue
        day = r.get("date") or "2020-01-01"
        title = " ".join(r["title"].split())
        (pel / f"{name}.md").write_text(f"Title: {title}\nDate: {day}\nSlug: {name}\n\n{body}", encoding="utf-8")
        (hug / f"{name}.md").write_text(
            "---\n" + yaml.safe_dump({"title": title, "date": day, "slug": name}, allow_unicode=True) + "---\n\n" + body,
            encoding="utf-8")
    return written


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("data", type=Path, help="the AllSides articles.jsonl.gz")
    p.add_argument("out", type=Path)
    p.add_argument("--size", type=int, default=1000)
    p.add_argument("--extra", type=int, default=0,
                   help="write only the next EXTRA articles after SIZE, newsgen's input only (incremental builds)")
    args = p.parse_args()
    if not args.data.exists():
        print(f"{args.data}: not found (the data sets live in ../shared/data/, outside the repository)")
        return 1
    records = newest_first(read_records(args.data))
    if args.extra:
        new = list(rewrites(records, args.size + args.extra))[args.size:]
        written = write(new, args.out, start=args.size + 1, others=False)
    else:
        written = write(rewrites(records, args.size), args.out)
    print(f"{len(written)} articles written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
