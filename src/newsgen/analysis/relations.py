"""How the sources of a story relate: for every pair, the statements they share, how much of each one's
sentences the other restates, and how much wording they have in common.

Restated sentences come from the claims (a claim is one statement in several sources' words) and, for a
copy, from its original; shared wording is the Jaccard overlap of word 5-gram shingles, the same
fingerprints the copy detector uses. A pair where most of one side's sentences are restated by the other
in other words is a *rewrite* (a paraphrased wire story shows as one); a detected copy is a *copy*.
The matrix is kept to the `MAX_SOURCES` articles with the most shared statements, so its cost does not
grow with the square of a big story's size.
"""
from __future__ import annotations

from collections import Counter
from itertools import combinations

from ..copies import fingerprint, overlap, shared_count
from ..model import Article, ArticleSentences, Claim, Relation

MAX_SOURCES = 16  # a heatmap of more than this many sources is no longer readable
REWRITE_SHARE = 0.5  # half or more of one article's sentences restated by the other: a rewrite of it


def matrix_members(articles: list[Article], claims: tuple[Claim, ...]) -> list[Article]:
    """The articles the matrix shows: those in the most claims first, copies last, at most MAX_SOURCES,
    in the story's reading order."""
    in_claims = Counter(aid for c in claims for aid in set(c.article_ids))
    order = {a.id: n for n, a in enumerate(articles)}
    ranked = sorted(articles, key=lambda a: (a.duplicate_of is not None, -in_claims[a.id], order[a.id]))
    return sorted(ranked[:MAX_SOURCES], key=lambda a: order[a.id])


def source_relations(articles: list[Article], claims: tuple[Claim, ...],
                     marks: tuple[ArticleSentences, ...]) -> tuple[Relation, ...]:
    """Every pair of the matrix's articles, most statements in common first. An article with no body
    (a headline alone) has no sentences to restate or be restated in, so it is in no pair."""
    articles = [a for a in articles if a.paragraphs]
    if len(articles) < 2:
        return ()  # no pair
    members = matrix_members(articles, claims)
    keep = {a.id for a in members}
    by_id = {a.id: a for a in members}
    sentences = {m.article_id: len(m.shared) + len(m.unique) for m in marks if m.article_id in keep}
    together: Counter[tuple[str, str]] = Counter()
    restated: Counter[tuple[str, str]] = Counter()  # (a, b): a's sentences b also states
    for claim in claims:
        said = [m for m in claim.mentions if m.article_id in keep]
        for x, y in combinations(sorted({m.article_id for m in said}), 2):
            together[(x, y)] += 1
        for m in said:
            if m.sentence is not None:
                for other in said:
                    if other.article_id != m.article_id:
                        restated[(m.article_id, other.article_id)] += 1
    texts = {m.article_id: m for m in marks if m.article_id in keep}
    for m in texts.values():  # a copy and its original restate each other wherever the text repeats
        original = by_id[m.article_id].duplicate_of
        if original in texts:
            restated[(m.article_id, original)] = len(m.shared)
            o = texts[original]
            repeated = set(m.sentences)
            restated[(original, m.article_id)] = sum(1 for n in (*o.shared, *o.unique) if o.sentences[n] in repeated)
    prints = {a.id: fingerprint(a.body_text) for a in members}
    out = []
    for a, b in combinations(sorted(prints), 2):
        jaccard, _ = overlap(shared_count(prints[a], prints[b]), prints[a].size, prints[b].size)
        a_in_b = restated[(a, b)] / sentences[a] if sentences.get(a) else 0.0
        b_in_a = restated[(b, a)] / sentences[b] if sentences.get(b) else 0.0
        if by_id[a].duplicate_of == b or by_id[b].duplicate_of == a:
            kind = "copy"
        elif max(a_in_b, b_in_a) >= REWRITE_SHARE:
            kind = "rewrite"
        else:
            kind = "independent"
        out.append(Relation(a, b, together[(a, b)], round(jaccard, 3), round(min(a_in_b, 1.0), 3),
                            round(min(b_in_a, 1.0), 3), kind))
    out.sort(key=lambda r: (-r.shared_claims, -r.overlap, r.a, r.b))
    return tuple(out)
