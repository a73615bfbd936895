#!/usr/bin/env python3
"""newsgen's own MinHash + LSH against datasketch's, on the same shingles of the same articles.

    .venv/bin/pip install datasketch   # only for this comparison; newsgen does not need it
    .venv/bin/python bench/minhash_vs_datasketch.py ../shared/data/bbc_fulltext/bbc.jsonl [--limit N]

Both get each article's word 5-gram fingerprint (newsgen.copies.fingerprint) and 128 permutations;
datasketch's LSH uses the same 32 bands of 4 rows. Prints the time to sign and to find candidate
pairs, the import time of each, and how many of the pairs with shingle Jaccard >= 0.5 each finds.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from newsgen.copies import (BANDS, NUM_PERM, ROWS, candidate_pairs, fingerprint, minhash, overlap,  # noqa: E402
                            shared_count)


def import_seconds(module: str) -> float:
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    return float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("file", type=Path)
    p.add_argument("--limit", type=int)
    args = p.parse_args()
    if not args.file.exists():
        print(f"{args.file}: not found (the data sets live in ../shared/data/, outside the repository)")
        return 1
    try:
        from datasketch import MinHash, MinHashLSH
    except ImportError:
        print("datasketch is not installed: .venv/bin/pip install datasketch")
        return 1
    texts = [json.loads(line)["text"] for line in args.file.open(encoding="utf-8") if line.strip()]
    texts = texts[: args.limit] if args.limit else texts
    prints = [fingerprint(t) for t in texts]
    prints = [p for p in prints if p.size]
    print(f"{len(prints)} articles; import: numpy {import_seconds('numpy'):.2f} s, "
          f"datasketch {import_seconds('datasketch'):.2f} s")

    clock = time.perf_counter()
    for p in prints:
        minhash(p)
    print(f"newsgen: signatures alone {time.perf_counter() - clock:.2f} s")
    clock = time.perf_counter()
    xs, ys = candidate_pairs(prints)
    ours = {(int(x), int(y)) for x, y in zip(xs, ys)}
    print(f"newsgen: signatures, LSH and containment sample: {time.perf_counter() - clock:.2f} s, "
          f"{len(ours)} candidate pairs")

    clock = time.perf_counter()
    hashed = [(p & 0xFFFFFFFF).tolist() for p in prints]
    signatures = MinHash.bulk(hashed, num_perm=NUM_PERM, hashfunc=lambda v: v)
    signed = time.perf_counter() - clock
    lsh = MinHashLSH(num_perm=NUM_PERM, params=(BANDS, ROWS))
    for n, m in enumerate(signatures):
        lsh.insert(n, m)
    theirs = {(min(n, k), max(n, k)) for n, m in enumerate(signatures) for k in lsh.query(m) if k != n}
    print(f"datasketch: signatures {signed:.2f} s, LSH insert and query {time.perf_counter() - clock - signed:.2f} s, "
          f"{len(theirs)} candidate pairs")

    truth = {pair for pair in ours | theirs
             if overlap(shared_count(prints[pair[0]], prints[pair[1]]), prints[pair[0]].size,
                        prints[pair[1]].size)[0] >= 0.5}
    print(f"pairs with Jaccard >= 0.5 among all candidates: {len(truth)}; newsgen finds {len(truth & ours)}, "
          f"datasketch {len(truth & theirs)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
