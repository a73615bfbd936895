"""How the sources of a story relate: for every pair, the statements they share and how much wording.

Shared statements come from the claims; shared wording is the Jaccard overlap of word 5-gram shingles,
the same fingerprints the copy detector uses, so a high figure here is what makes a copy there.
"""
from __future__ import annotations

from itertools import combinations

from ..copies import fingerprint, overlap, shared_count
from ..model import Article, Claim, Relation


def source_relations(articles: list[Article], claims: tuple[Claim, ...]) -> tuple[Relation, ...]:
    """Every pair of the story's articles, most statements in common first."""
    prints = {a.id: fingerprint(a.body_text) for a in articles}
    together: dict[tuple[str, str], int] = {}
    for claim in claims:
        for x, y in combinations(sorted(set(claim.article_ids)), 2):
            together[(x, y)] = together.get((x, y), 0) + 1
    out = []
    for a, b in combinations(sorted(prints), 2):
        jaccard, _ = overlap(shared_count(prints[a], prints[b]), prints[a].size, prints[b].size)
        out.append(Relation(a, b, together.get((a, b), 0), round(jaccard, 3)))
    out.sort(key=lambda r: (-r.shared_claims, -r.overlap, r.a, r.b))
    return tuple(out)
