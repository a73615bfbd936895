"""Statements that two or more sources make, each with every source's own wording and sentence.

The units are each source's headline and body sentences. Two units are compared by TF-IDF cosine over
content terms, numbers normalised so that "a thousand", "1,000" and "1K" meet; IDF is taken over the
story's own units, so the words every sentence shares (the story's subject) weigh little and the
specific ones decide. A pair counts only when the two share at least three content terms, two of them
beyond names: who is named is not what is said. Units join a claim by average link, at most one unit
per source in a claim.

Nothing here compares every unit with every other. Candidates come from an inverted index over each
unit's *prefix*: its heaviest terms, just enough that the rest of its vector is too light to reach the
threshold on its own (all-pairs similarity search, Bayardo et al. 2007), so a pair above the threshold
always shares an indexed term. A term so common that pairing all its units would cost more than
`FULL_PAIRS` is paired by sorted neighbourhood instead: its units in the order of two min-hashes of their
terms, each with its next `WINDOW`; near-identical units sort together, and a claim grows along the
chain. Average link needs no pairwise sums: for unit vectors, the mean cosine between two groups is the
dot product of their summed vectors over the product of their sizes. Groups merge smaller into larger.
So the cost grows as n log n in the number of sentences (bench/analysis_scale.py measures it).

Words are not meanings: "walk out" and "go on strike" share no term, and a headline is often the
place where a source words the story its own way. With `embedding_threshold` above 0 (site.yaml
`claim_embeddings`, the optional `embeddings` extra), each headline also gets a sentence embedding
(embeddings.py). Once words have found the claims, a headline whose mean embedding cosine with a
claim's headlines reaches that threshold joins the claim, when nothing in the words contradicts it:
the same negation, a number in common where either gives one, a name in common where both name
someone. Meaning only extends claims that words found, and only through headlines: between body
sentences of one story, which all share its subject, the model's matches are right too rarely
(README, "Measured").
"""
from __future__ import annotations

import math
import zlib
from collections import Counter, defaultdict

from ..features import terms
from ..model import Article, ArticleSentences, Claim, Mention
from ..text import word_count, words
from .sentences import article_sentences

MIN_WORDS = 5  # shorter sentences ("He declined.") say too little to match on
MIN_HEADLINE_WORDS = 4  # a headline is a statement too, in fewer words
MIN_SHARED_TERMS = 3  # two sentences that share fewer content terms share a topic, not a statement
MIN_SHARED_ACTION = 2  # ... and of those, this many beyond names: what is said, not only who is named
MIN_HEADLINE_ACTION = 1  # a headline is mostly names and one verb: the names and that verb must meet
FULL_PAIRS = 4096  # a term whose units would make more pairs than this is paired by sorted neighbourhood
WINDOW = 6  # neighbours each unit is paired with, per order, in the sorted neighbourhood

Vector = dict[str, float]


class Units:
    """The units of one story: who states each, its text, its sentence number, its vector and names."""

    def __init__(self, articles: list[Article], embedding_threshold: float = 0.0):
        self.owners: list[str] = []
        self.texts: list[str] = []
        self.sentences: list[int | None] = []
        for a in articles:
            if a.title and word_count(a.title) >= MIN_HEADLINE_WORDS:
                self._add(a.id, a.title, None)
            for n, s in enumerate(article_sentences(a)):
                if word_count(s) >= MIN_WORDS:
                    self._add(a.id, s, n)
        self.vectors = _vectors(self.texts)
        names = [_name_terms(t) for t in self.texts]
        # A headline in title case capitalises every word: there a name is what the story's sentences name.
        story_names = set().union(*(n for n, k in zip(names, self.sentences) if k is not None))
        self.names = [n if k is not None or not _title_case(t) else set(terms(t)) & story_names
                      for n, k, t in zip(names, self.sentences, self.texts)]
        self.negated = [_negated_terms(t) for t in self.texts]
        self.embedding_threshold = embedding_threshold
        # Each headline's sentence embedding (a unit-length row) and numbers, when embeddings are on.
        self.rows: dict[int, object] = {}
        self.numbers: dict[int, frozenset[float]] = {}
        if embedding_threshold > 0:
            from . import embeddings
            from .figures import sentence_numbers

            heads = [k for k, n in enumerate(self.sentences) if n is None]
            self.rows = dict(zip(heads, embeddings.encode([self.texts[k] for k in heads])))
            self.numbers = {k: sentence_numbers(self.texts[k]) for k in heads}

    def _add(self, owner: str, text: str, sentence: int | None) -> None:
        self.owners.append(owner)
        self.texts.append(text)
        self.sentences.append(sentence)

    def __len__(self) -> int:
        return len(self.texts)

    def matches(self, i: int, j: int, threshold: float) -> float | None:
        """The pair's similarity when the two state the same thing, else None."""
        u, v = self.vectors[i], self.vectors[j]
        if len(u) > len(v):
            u, v = v, u
        shared = [t for t in u if t in v]
        if len(shared) < MIN_SHARED_TERMS:
            return None
        action = sum(1 for t in shared if t not in self.names[i] and t not in self.names[j])
        headline = self.sentences[i] is None or self.sentences[j] is None
        if action < (MIN_HEADLINE_ACTION if headline else MIN_SHARED_ACTION):
            return None
        if any((t in self.negated[i]) != (t in self.negated[j]) for t in shared):
            return None  # "there was no evidence" does not state "they had evidence"
        score = math.fsum(u[t] * v[t] for t in shared)
        return score if score >= threshold else None

    def agrees(self, i: int, j: int) -> bool:
        """Whether nothing in the words of two headlines that mean alike says they differ: the same
        negation, a number in common where either gives one, a name in common where both name someone."""
        if bool(self.negated[i]) != bool(self.negated[j]):
            return False
        if (self.numbers[i] or self.numbers[j]) and self.numbers[i].isdisjoint(self.numbers[j]):
            return False
        u, v = self.vectors[i], self.vectors[j]
        if any(t in v and (t in self.negated[i]) != (t in self.negated[j]) for t in u):
            return False
        return not (self.names[i] and self.names[j] and self.names[i].isdisjoint(self.names[j]))

    def word_pairs(self, threshold: float) -> list[tuple[float, int, int]]:
        """(-similarity, i, j) for every pair whose words state one thing, strongest first."""
        scored = []
        for i, j in candidate_pairs(self, threshold):
            s = self.matches(i, j, threshold)
            if s is not None:
                scored.append((-s, i, j))
        scored.sort()
        return scored

    def meaning_pairs(self) -> list[tuple[float, int, int]]:
        """(-cosine, i, j) for every pair of headlines whose embeddings reach the threshold and whose
        words do not contradict them, strongest first (none without embeddings)."""
        if not self.rows:
            return []
        import numpy as np

        from .embeddings import similar_pairs

        heads = list(self.rows)
        rows = np.stack([self.rows[k] for k in heads])
        found = similar_pairs(rows, [self.owners[k] for k in heads], self.embedding_threshold)
        return sorted((-e, heads[a], heads[b]) for a, b, e in found if self.agrees(heads[a], heads[b]))


def _name_terms(sentence: str) -> set[str]:
    """Terms from capitalised words inside the sentence: the names it mentions."""
    tokens = words(sentence)
    return {t for w in tokens[1:] if w[:1].isupper() for t in terms(w)}


NEGATORS = frozenset("no not never without nothing none neither nor cannot".split())
NEGATION_REACH = 3  # words after a negator that it negates: "no evidence", "did not confirm the"


def _negated_terms(sentence: str) -> set[str]:
    """Terms of the words a negator governs ("no evidence" -> {"evidence"})."""
    tokens = [w.lower() for w in words(sentence)]
    out: set[str] = set()
    for n, w in enumerate(tokens):
        if w in NEGATORS or w.endswith(("n't", "n\u2019t")):
            for t in tokens[n + 1:n + 1 + NEGATION_REACH]:
                out.update(terms(t))
    return out


def _title_case(text: str) -> bool:
    """Most words capitalised, as headlines in title case are ("Markets Fall on Rate Fears")."""
    long_words = [w for w in words(text) if len(w) > 3]
    return bool(long_words) and sum(w[:1].isupper() for w in long_words) > 0.7 * len(long_words)


def _vectors(sentences: list[str]) -> list[Vector]:
    """Unit TF-IDF vectors (sublinear tf, IDF over `sentences`)."""
    counts = [Counter(terms(s)) for s in sentences]
    df: Counter[str] = Counter()
    for c in counts:
        df.update(c.keys())
    n = len(sentences)
    out = []
    for c in counts:
        v = {t: (1 + math.log(k)) * math.log((1 + n) / (1 + df[t])) for t, k in c.items()}
        norm = math.sqrt(math.fsum(x * x for x in v.values())) or 1.0
        out.append({t: x / norm for t, x in v.items() if x > 0})
    return out


def _cos(u: Vector, v: Vector) -> float:
    if len(u) > len(v):
        u, v = v, u
    return math.fsum(x * v[t] for t, x in u.items() if t in v)


def _prefix(vector: Vector, threshold: float) -> list[str]:
    """The heaviest terms of `vector`, until what is left weighs less than `threshold` (its norm)."""
    rest = math.fsum(w * w for w in vector.values())
    out = []
    for t, w in sorted(vector.items(), key=lambda kv: (-kv[1], kv[0])):
        if rest < threshold * threshold:
            break
        out.append(t)
        rest -= w * w
    return out


def _min_hashes(vector: Vector) -> tuple[int, int]:
    """Two min-hashes of the unit's terms: units with most terms in common tend to share them."""
    hashes = [zlib.crc32(t.encode()) for t in vector] or [0]
    return min(hashes), min((h * 2654435761 + 97) & 0xFFFFFFFF for h in hashes)


def candidate_pairs(units: Units, threshold: float) -> set[tuple[int, int]]:
    """Pairs of units from different sources that may reach `threshold`; every pair that does is among
    them, except within terms so common that they are paired by sorted neighbourhood."""
    prefixed: dict[str, list[int]] = defaultdict(list)
    for i, v in enumerate(units.vectors):
        for t in _prefix(v, threshold):
            prefixed[t].append(i)
    holders: dict[str, list[int]] = defaultdict(list)
    for i, v in enumerate(units.vectors):
        for t in v:
            if t in prefixed:
                holders[t].append(i)
    owners = units.owners
    pairs: set[tuple[int, int]] = set()
    hashes: dict[int, tuple[int, int]] = {}
    for t, heads in prefixed.items():
        everyone = holders[t]
        if len(heads) * len(everyone) <= FULL_PAIRS:
            for i in heads:
                for j in everyone:
                    if owners[i] != owners[j]:
                        pairs.add((i, j) if i < j else (j, i))
            continue
        for i in everyone:
            if i not in hashes:
                hashes[i] = _min_hashes(units.vectors[i])
        for k in range(2):
            order = sorted(everyone, key=lambda i: (hashes[i][k], i))
            for p, i in enumerate(order):
                for j in order[p + 1:p + 1 + WINDOW]:
                    if owners[i] != owners[j]:
                        pairs.add((i, j) if i < j else (j, i))
    return pairs


def _add_into(total: Vector, v: Vector) -> None:
    for t, x in v.items():
        total[t] = total.get(t, 0.0) + x


LEAD_SENTENCES = 3  # a headline restates its article's lead, not a sentence further down
HEADLINE_LINK = 0.6  # a headline restates its own sentence at this share of the claim threshold: a
# headline says in eight words what its lead says in thirty, so their cosine runs lower


def headline_sentences(units: Units, threshold: float) -> list[tuple[int, int]]:
    """(headline, sentence) of one article where the sentence is the lead sentence that states the headline."""
    by_owner: dict[str, list[int]] = defaultdict(list)
    for i, o in enumerate(units.owners):
        by_owner[o].append(i)
    out = []
    for ids in by_owner.values():
        heads = [i for i in ids if units.sentences[i] is None]
        if not heads:
            continue
        h = heads[0]
        lead = [k for k in ids if units.sentences[k] is not None and units.sentences[k] < LEAD_SENTENCES]
        best = max(((units.matches(h, k, threshold * HEADLINE_LINK) or 0.0, -k) for k in lead), default=(0.0, 0))
        if best[0] > 0:
            out.append((h, -best[1]))
    return out


class _Groups:
    """Units joined into groups, each with its members, the (source, is headline) pairs it holds, its
    summed TF-IDF vector, and, with embeddings, the summed rows of its headlines and how many."""

    def __init__(self, units: Units, threshold: float):
        self.units, self.threshold = units, threshold
        self.group = list(range(len(units)))
        self.members: dict[int, list[int]] = {i: [i] for i in range(len(units))}
        # A source states a claim once; its headline may join the sentence that says the same, so a
        # source's headline and its sentences are counted apart.
        self.owners: dict[int, set[tuple[str, bool]]] = {
            i: {(units.owners[i], units.sentences[i] is None)} for i in range(len(units))}
        self.sums: dict[int, Vector] = {i: units.vectors[i] for i in range(len(units))}
        self.head_rows = dict(units.rows)
        self.heads = {i: 1 for i in units.rows}
        self.joined_by_headline: set[int] = set()  # headlines that brought their source in by meaning

    def join_by_words(self, i: int, j: int) -> None:
        """Join the groups of units i and j if their mean TF-IDF cosine reaches the threshold. Average
        link needs no pairwise sums: for unit vectors, the mean cosine between two groups is the dot
        product of their sums over the product of their sizes."""
        gi, gj = self.group[i], self.group[j]
        if self._apart(gi, gj):
            return
        if _cos(self.sums[gi], self.sums[gj]) / (len(self.members[gi]) * len(self.members[gj])) >= self.threshold:
            self.merge(gi, gj)

    def join_by_meaning(self, i: int, j: int) -> None:
        """Join the groups of headlines i and j if one is a claim already and their headlines' mean
        embedding cosine reaches the embedding threshold."""
        gi, gj = self.group[i], self.group[j]
        if self._apart(gi, gj):
            return
        sources = [len({o for o, _ in self.owners[g]}) for g in (gi, gj)]
        if max(sources) < 2:
            return  # neither is a claim yet: meaning alone does not start one
        mean = float(self.head_rows[gi] @ self.head_rows[gj]) / (self.heads[gi] * self.heads[gj])
        if mean < self.units.embedding_threshold:
            return
        if min(sources) == 1:  # one source joins a claim: through its headline
            self.joined_by_headline.add(i if sources[0] == 1 else j)
        self.merge(gi, gj)

    def _apart(self, gi: int, gj: int) -> bool:
        return gi == gj or not self.owners[gi].isdisjoint(self.owners[gj])

    def merge(self, gi: int, gj: int) -> None:
        """Make groups gi and gj one (the smaller goes into the larger)."""
        if len(self.members[gi]) < len(self.members[gj]):
            gi, gj = gj, gi  # smaller into larger
        if len(self.members[gi]) == 1:
            self.sums[gi] = dict(self.sums[gi])  # a lone unit's sum is its own vector: copy before adding
        _add_into(self.sums[gi], self.sums.pop(gj))
        if gj in self.head_rows:
            other = self.head_rows.pop(gj)
            self.head_rows[gi] = self.head_rows[gi] + other if gi in self.head_rows else other
            self.heads[gi] = self.heads.get(gi, 0) + self.heads.pop(gj)
        for k in self.members[gj]:
            self.group[k] = gi
        self.members[gi].extend(self.members.pop(gj))
        self.owners[gi] |= self.owners.pop(gj)


def group_units(units: Units, threshold: float) -> tuple[list[list[int]], set[int]]:
    """Groups of units that state one thing, by average link over the candidate pairs, best pairs first;
    and the headlines through which their source joined a group by meaning alone."""
    groups = _Groups(units, threshold)
    # A headline and the sentence of its own article that says the same start as one group: the
    # source itself puts the statement both ways, and together they meet other sources' wordings.
    for h, k in headline_sentences(units, threshold):
        groups.merge(groups.group[h], groups.group[k])
    # Words find the claims; meanings then only extend them, headline to headline (see the module's doc).
    for _, i, j in units.word_pairs(threshold):
        groups.join_by_words(i, j)
    for _, i, j in units.meaning_pairs():
        groups.join_by_meaning(i, j)
    return [m for m in groups.members.values() if len(m) > 1], groups.joined_by_headline


def shared_claims(articles: list[Article], threshold: float, embedding_threshold: float = 0.0) -> tuple[Claim, ...]:
    """Claims stated by two or more of `articles`, most widely reported first. With `embedding_threshold`
    above 0, headlines that say the same in other words join too (needs the `embeddings` extra)."""
    if len({a.id for a in articles}) < 2:
        return ()  # one voice states nothing in common with another
    units = Units(articles, embedding_threshold)
    order = {a.id: n for n, a in enumerate(articles)}
    claims = []
    found, by_headline = group_units(units, threshold)

    def rank(k: int) -> int:
        # One mention a source: its sentence, or its headline when no sentence of it is in the group or
        # when the headline is what states the claim (it joined by meaning; its lead came along with it).
        return 2 if k in by_headline else 1 if units.sentences[k] is not None else 0

    for group in found:
        best: dict[str, int] = {}
        for k in group:
            o = units.owners[k]
            if o not in best or rank(k) > rank(best[o]):
                best[o] = k
        if len(best) < 2:
            continue
        ids = sorted(best.values(), key=lambda k: (order[units.owners[k]], k))
        total: Vector = {}
        for k in ids:
            _add_into(total, units.vectors[k])
        # The representative wording is the member closest to the group's centre; a headline only when
        # no sentence is as central, since a sentence says more.
        central = max(ids, key=lambda k: (units.sentences[k] is not None, _cos(units.vectors[k], total), -k))
        mentions = tuple(Mention(units.owners[k], units.texts[k], units.sentences[k]) for k in ids)
        claims.append((min(ids), Claim(units.texts[central], mentions)))
    claims.sort(key=lambda c: (-len(c[1].mentions), c[0]))
    return tuple(c for _, c in claims)


def sentence_marks(articles: list[Article], claims: tuple[Claim, ...]) -> tuple[ArticleSentences, ...]:
    """Each article's sentences split into those another source states too and those only it states."""
    stated = {(m.article_id, m.sentence) for c in claims for m in c.mentions if m.sentence is not None}
    by_id = {a.id: a for a in articles}
    out = []
    for a in articles:
        sentences = tuple(article_sentences(a))
        if a.duplicate_of in by_id:
            # A copy shares whatever its original says, wherever it says it.
            original = set(article_sentences(by_id[a.duplicate_of]))
            shared = tuple(n for n, s in enumerate(sentences) if s in original or (a.id, n) in stated)
        else:
            shared = tuple(n for n in range(len(sentences)) if (a.id, n) in stated)
        taken = set(shared)
        unique = tuple(n for n, s in enumerate(sentences) if n not in taken and word_count(s) >= MIN_WORDS)
        out.append(ArticleSentences(a.id, sentences, shared, unique))
    return tuple(out)
