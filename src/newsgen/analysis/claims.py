"""Statements that two or more sources make, each with every source's own wording.

Sentences are compared by TF-IDF cosine over content terms, with numbers normalised so that
"a thousand", "1,000" and "1K" meet; IDF is taken over the story's own sentences, so the words every
sentence shares (the story's subject) weigh little and the specific ones decide. Sentences join a claim
by average link, at most one sentence per article in a claim.
"""
from __future__ import annotations

import math
from collections import Counter

from ..features import terms
from ..model import Article, ArticleSentences, Claim, Mention
from ..text import word_count, words
from .sentences import article_sentences

MIN_WORDS = 5  # shorter sentences ("He declined.") say too little to match on
MIN_SHARED_TERMS = 3  # two sentences that share fewer content terms share a topic, not a statement
MIN_SHARED_ACTION = 2  # ... and of those, this many beyond names: what is said, not only who is named



def _name_terms(sentence: str) -> set[str]:
    """Terms from capitalised words inside the sentence: the names it mentions."""
    tokens = words(sentence)
    return {t for w in tokens[1:] if w[:1].isupper() for t in terms(w)}


def _vectors(sentences: list[str]) -> list[dict[str, float]]:
    counts = [Counter(terms(s)) for s in sentences]
    df: Counter[str] = Counter()
    for c in counts:
        df.update(c.keys())
    n = len(sentences)
    out = []
    for c in counts:
        v = {t: (1 + math.log(k)) * math.log((1 + n) / (1 + df[t])) for t, k in c.items()}
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        out.append({t: x / norm for t, x in v.items()})
    return out


def _cos(u: dict[str, float], v: dict[str, float]) -> float:
    if len(u) > len(v):
        u, v = v, u
    return sum(x * v.get(t, 0.0) for t, x in u.items())


def shared_claims(articles: list[Article], threshold: float) -> tuple[Claim, ...]:
    """Claims stated by two or more of `articles`, most widely reported first."""
    owners: list[str] = []
    sentences: list[str] = []
    for a in articles:
        for s in article_sentences(a):
            if word_count(s) >= MIN_WORDS:
                owners.append(a.id)
                sentences.append(s)
    vectors = _vectors(sentences)
    names = [_name_terms(s) for s in sentences]
    pairs = []
    for i in range(len(sentences)):
        for j in range(i + 1, len(sentences)):
            if owners[i] != owners[j]:
                s = _cos(vectors[i], vectors[j])
                shared = vectors[i].keys() & vectors[j].keys()
                if (s >= threshold and len(shared) >= MIN_SHARED_TERMS
                        and len(shared - names[i] - names[j]) >= MIN_SHARED_ACTION):
                    pairs.append((s, i, j))
    group = list(range(len(sentences)))
    members = {i: [i] for i in range(len(sentences))}
    for _, i, j in sorted(pairs, key=lambda p: (-p[0], p[1], p[2])):
        gi, gj = group[i], group[j]
        if gi == gj or {owners[k] for k in members[gi]} & {owners[k] for k in members[gj]}:
            continue
        cross = [_cos(vectors[p], vectors[q]) for p in members[gi] for q in members[gj]]
        if sum(cross) / len(cross) < threshold:
            continue
        for k in members[gj]:
            group[k] = gi
        members[gi].extend(members.pop(gj))
    order = {a.id: n for n, a in enumerate(articles)}
    claims = []
    for ids in members.values():
        if len(ids) < 2:
            continue
        ids.sort(key=lambda k: (order[owners[k]], k))
        central = max(ids, key=lambda k: (sum(_cos(vectors[k], vectors[m]) for m in ids if m != k), -k))
        claims.append((min(ids), Claim(sentences[central], tuple(Mention(owners[k], sentences[k]) for k in ids))))
    claims.sort(key=lambda c: (-len(c[1].mentions), c[0]))
    return tuple(c for _, c in claims)


def sentence_marks(articles: list[Article], claims: tuple[Claim, ...]) -> tuple[ArticleSentences, ...]:
    """Each article's sentences split into those another source states too and those only it states."""
    stated = {(m.article_id, m.text) for c in claims for m in c.mentions}
    by_id = {a.id: a for a in articles}
    out = []
    for a in articles:
        # A copy shares whatever its original shares.
        owner = a.duplicate_of if a.duplicate_of in by_id else a.id
        sentences = article_sentences(a)
        original = set(article_sentences(by_id[owner])) if owner != a.id else set()
        shared = tuple(s for s in sentences if (owner, s) in stated or (a.id, s) in stated
                       or (owner != a.id and s in original))
        unique = tuple(s for s in sentences if s not in shared and word_count(s) >= MIN_WORDS)
        out.append(ArticleSentences(a.id, shared, unique))
    return tuple(out)
