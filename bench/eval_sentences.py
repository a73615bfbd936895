#!/usr/bin/env python3
"""How well the claim matcher's sentence similarity tracks human judgements of news sentence pairs.

    .venv/bin/python bench/eval_sentences.py ../shared/data/stsb_headlines/headlines_pairs.jsonl
    PY bench/eval_sentences.py --embeddings ../shared/data/msrp/msrp_pairs.jsonl
    PY bench/eval_sentences.py --story site.yaml [--lexical 0.22] [--embedding 0.7]
    PY bench/eval_sentences.py --claims ../shared/data/ecbplus/ecbplus.jsonl [--events 12] [--embedding 0.72]

Pairs carry a 0-5 similarity `score` (STS-B headlines) or a 0/1 `label` (MSRP). The lexical scorer is
the one `newsgen.analysis.claims` uses (TF-IDF cosine over content terms, numbers normalised); IDF is
taken over the set's own sentences, as a build takes it over a story's. Prints Spearman's rho against
the gold scores and the best F1 for "the same statement" (score >= 3.5, or label 1) with its threshold;
where the set has a train split, also the F1 on the other splits at the threshold best on train.

--embeddings (needs the `embeddings` extra; PY is a Python that has it) adds the sentence-embedding
cosine (`newsgen.analysis.embeddings`) and three hybrids of it with the lexical score: their mean; the
embedding score gated by lexical overlap (0 where the lexical cosine is below GATE: the pair shares no
weighty term); and "either" (lexical >= t1 or embedding >= t2, both thresholds fit together). It also
prints the model's load time and encoding speed.

--story builds the site of a config and lists every cross-source pair of sentences (titles included)
that either method puts at or above its threshold, with both scores, to read by eye.

--claims runs the claim finder on the largest gold stories of a JSONL set (copies left out, as a build
does), without and with embeddings, and prints the claims and mentions of each, then fixed random
samples, to read by eye, of 40 word-based mentions and of 40 that join a claim only through the embeddings.
"""
from __future__ import annotations

import json
import math
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from newsgen.analysis.claims import _cos, _vectors  # noqa: E402

GATE = 0.1  # lexical cosine below this: the two sentences share no weighty term
GRID = [x / 100 for x in range(5, 96)]


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


def f1_at(scores: list[float], positive: list[bool], t: float) -> float:
    tp = sum(1 for s, g in zip(scores, positive) if s >= t and g)
    fp = sum(1 for s, g in zip(scores, positive) if s >= t and not g)
    fn = sum(1 for s, g in zip(scores, positive) if s < t and g)
    return 2 * tp / (2 * tp + fp + fn)


def best_f1(scores: list[float], positive: list[bool]) -> tuple[float, float]:
    return max((f1_at(scores, positive, t), t) for t in GRID)


def lexical_scores(left: list[str], right: list[str]) -> list[float]:
    vectors = _vectors(left + right)
    n = len(left)
    return [_cos(vectors[i], vectors[n + i]) for i in range(n)]


def embedding_scores(left: list[str], right: list[str]) -> list[float]:
    from newsgen.analysis import embeddings

    t0 = time.perf_counter()
    embeddings.encode(["warm up"])
    load = time.perf_counter() - t0
    sentences = left + right
    t0 = time.perf_counter()
    rows = embeddings.encode(sentences)
    took = time.perf_counter() - t0
    print(f"  embedding model load {load:.2f} s; encoded {len(sentences)} sentences in {took:.1f} s "
          f"({took / len(sentences) * 1000:.2f} s per 1,000)")
    n = len(left)
    return [float(rows[i] @ rows[n + i]) for i in range(n)]


def evaluate(path: str, with_embeddings: bool) -> None:
    records = [json.loads(line) for line in open(path, encoding="utf-8") if line.strip()]
    gold = [float(r["score"]) if "score" in r else float(r["label"]) for r in records]
    cut = 3.5 if "score" in records[0] else 0.5
    positive = [g >= cut for g in gold]
    left, right = [r["text1"].strip() for r in records], [r["text2"].strip() for r in records]
    share = sum(positive) / len(positive)
    print(f"{path}: {len(records)} pairs, {sum(positive)} of them the same statement "
          f"(calling every pair the same scores F1 {2 * share / (1 + share):.3f})")
    t0 = time.perf_counter()
    methods = {"lexical": lexical_scores(left, right)}
    took = time.perf_counter() - t0
    print(f"  lexical scored {2 * len(records)} sentences in {took:.1f} s "
          f"({took / len(records) / 2 * 1000:.2f} s per 1,000)")
    if with_embeddings:
        emb = embedding_scores(left, right)
        lex = methods["lexical"]
        methods["embedding"] = emb
        methods["mean"] = [(a + b) / 2 for a, b in zip(lex, emb)]
        methods[f"gated@{GATE}"] = [b if a >= GATE else 0.0 for a, b in zip(lex, emb)]
    train = [r.get("split") == "train" for r in records]
    for name, scores in methods.items():
        f1, t = best_f1(scores, positive)
        line = f"  {name:<12} Spearman {spearman(scores, gold):.3f}; best F1 {f1:.3f} at {t:.2f}"
        if any(train) and not all(train):
            held = [i for i, tr in enumerate(train) if not tr]
            _, t_train = best_f1([scores[i] for i in range(len(train)) if train[i]],
                                 [positive[i] for i in range(len(train)) if train[i]])
            f1_held = f1_at([scores[i] for i in held], [positive[i] for i in held], t_train)
            line += f"; held-out F1 {f1_held:.3f} at {t_train:.2f} (fit on train)"
        print(line)
    if with_embeddings:
        either(methods["lexical"], methods["embedding"], positive, train)


def either(lex: list[float], emb: list[float], positive: list[bool], train: list[bool]) -> None:
    """Best F1 of "lexical >= t1 or embedding >= t2" over the grid of both; held out as above."""
    import numpy as np

    lex_a, emb_a, pos_a = np.array(lex), np.array(emb), np.array(positive)
    grid = np.array(GRID)
    above_lex = lex_a[None, :] >= grid[:, None]  # threshold x pair
    above_emb = emb_a[None, :] >= grid[:, None]

    def fit(mask):
        best = (0.0, 0.0, 0.0)
        for k, t1 in enumerate(GRID):
            hit = above_lex[k][None, mask] | above_emb[:, mask]
            tp = (hit & pos_a[mask]).sum(axis=1)
            f1 = 2 * tp / (hit.sum(axis=1) + pos_a[mask].sum())
            m = int(f1.argmax())
            best = max(best, (float(f1[m]), t1, GRID[m]))
        return best

    def f1_of(mask, t1, t2):
        hit = (lex_a[mask] >= t1) | (emb_a[mask] >= t2)
        return 2 * (hit & pos_a[mask]).sum() / (hit.sum() + pos_a[mask].sum())

    everything = np.ones(len(lex), dtype=bool)
    f1, t1, t2 = fit(everything)
    line = f"  {'either':<12} best F1 {f1:.3f} at lexical {t1:.2f} or embedding {t2:.2f}"
    tr = np.array(train)
    if tr.any() and not tr.all():
        _, t1, t2 = fit(tr)
        line += f"; held-out F1 {f1_of(~tr, t1, t2):.3f} at {t1:.2f} / {t2:.2f} (fit on train)"
    print(line)


def story(config: str, lexical_t: float, embedding_t: float) -> None:
    from newsgen.analysis import embeddings
    from newsgen.analysis.sentences import article_sentences
    from newsgen.build import build_site
    from newsgen.config import load_config

    site, _, _ = build_site(load_config(Path(config)))
    owners, sentences = [], []
    for a in site.articles:
        for s in [a.title, *article_sentences(a)]:
            owners.append(a.id)
            sentences.append(s)
    vectors = _vectors(sentences)
    rows = embeddings.encode(sentences) if embeddings.available() else None
    found = []
    for i in range(len(sentences)):
        for j in range(i + 1, len(sentences)):
            if owners[i] == owners[j]:
                continue
            lex = _cos(vectors[i], vectors[j])
            emb = float(rows[i] @ rows[j]) if rows is not None else float("nan")
            if lex >= lexical_t or emb >= embedding_t:
                found.append((max(lex, emb), lex, emb, i, j))
    print(f"{len(sentences)} sentences; {len(found)} cross-source pairs with lexical >= {lexical_t} "
          f"or embedding >= {embedding_t}")
    for _, lex, emb, i, j in sorted(found, reverse=True):
        tag = ("both" if lex >= lexical_t and emb >= embedding_t
               else "lexical only" if lex >= lexical_t else "embedding only")
        print(f"\n[{tag}] lexical {lex:.2f} embedding {emb:.2f}\n  {owners[i][:3]}: {sentences[i]}\n"
              f"  {owners[j][:3]}: {sentences[j]}")


def claims(path: str, events: int, embedding_t: float) -> None:
    import random
    from collections import defaultdict

    from newsgen.analysis import embeddings
    from newsgen.analysis.claims import shared_claims
    from newsgen.copies import mark_copies
    from newsgen.evaluate import read_jsonl, record_article

    by_event = defaultdict(list)
    for r in read_jsonl(Path(path)):
        by_event[r["cluster"]].append(r)
    largest = sorted(by_event, key=lambda c: (-len(by_event[c]), str(c)))[:events]
    largest = [c for c in largest if len(by_event[c]) > 1]
    added, totals, lexical = [], {"lexical": [0, 0], "with embeddings": [0, 0]}, {}
    t0 = time.perf_counter()
    for c in largest:
        articles = [a for a in mark_copies([record_article(r) for r in by_event[c]], 0.5, 0.8)
                    if a.duplicate_of is None]
        found = {}
        for name, t in (("lexical", 0.0), ("with embeddings", embedding_t)):
            found[name] = shared_claims(articles, 0.22, t)
            totals[name][0] += len(found[name])
            totals[name][1] += sum(len(x.mentions) for x in found[name])
        lexical[c] = found["lexical"]
        in_lexical = {(m.article_id, m.sentence): n for n, x in enumerate(found["lexical"]) for m in x.mentions}
        for claim in found["with embeddings"]:
            keys = [(m.article_id, m.sentence) for m in claim.mentions]
            rows = embeddings.encode([m.text for m in claim.mentions])
            for k, (m, key) in enumerate(zip(claim.mentions, keys)):
                n = in_lexical.get(key)
                if n is None or not any(in_lexical.get(x) == n for x in keys if x != key):
                    mean = (float((rows @ rows[k]).sum()) - 1) / (len(keys) - 1)  # to the claim's other wordings
                    added.append((claim.text, m.text, mean))
    print(f"{path}: the {len(largest)} largest stories, {time.perf_counter() - t0:.0f} s")
    for name, (n, mentions) in totals.items():
        print(f"  {name:<16} {n} claims, {mentions} mentions")
    words = [(x.text, m.text) for c in largest for x in lexical[c] for m in x.mentions if m.text != x.text]
    print("  word-based mentions (not the claim's own wording), a sample to compare with:")
    for claim, mention in random.Random(2).sample(words, min(40, len(words))):
        print(f"\n  claim: {claim}\n  mention: {mention}")
    print(f"\n  {len(added)} mentions joined to a claim only by the embeddings (cosine >= {embedding_t}); a sample:")
    for claim, mention, mean in random.Random(1).sample(added, min(40, len(added))):
        print(f"\n  claim: {claim}\n  added: {mention}\n  (mean cosine to the claim's other wordings {mean:.2f})")


def main() -> None:
    args = sys.argv[1:]
    if args[:1] == ["--claims"] and len(args) >= 2:
        opts = dict(zip(args[2::2], map(float, args[3::2])))
        claims(args[1], int(opts.get("--events", 12)), opts.get("--embedding", 0.72))
        return
    if args[:1] == ["--story"] and len(args) >= 2:
        opts = dict(zip(args[2::2], map(float, args[3::2])))
        story(args[1], opts.get("--lexical", 0.22), opts.get("--embedding", 0.7))
        return
    with_embeddings = "--embeddings" in args
    paths = [a for a in args if a != "--embeddings"]
    if len(paths) != 1 or not Path(paths[0]).exists():
        sys.exit(__doc__)
    if with_embeddings:
        from newsgen.analysis import embeddings

        if not embeddings.available():
            sys.exit("--embeddings needs the extra: pip install 'newsgen[embeddings]'")
    evaluate(paths[0], with_embeddings)


if __name__ == "__main__":
    main()
