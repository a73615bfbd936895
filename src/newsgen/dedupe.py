"""Copies and stories: which articles reprint another, and which report the same event.

Copies: word 5-gram shingles hashed with blake2b (never Python's salted `hash()`), candidate pairs
from an inverted index, exact Jaccard and containment on those pairs.
Stories: TF-IDF over title and body terms (numbers normalised), cosine similarity on candidate pairs
that share a distinctive term, and average-link agglomeration under a threshold, so that a chain of
loosely related articles does not merge two events. A time window keeps dated articles apart.
"""
from __future__ import annotations

import hashlib
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from datetime import date

from slugify import slugify

from .model import Article, Story
from .text import fold, words

SHINGLE = 5
CONTAINMENT = 0.8  # share of the shorter text found in the longer one that makes it a copy
IDF_PRIOR_DOCS = 20  # below a few dozen articles, document frequencies say little: IDF shrinks toward 1
TOP_TERMS = 20  # distinctive terms per article used to find candidate pairs
MAX_POSTING = 1000  # a term in more articles than this finds no candidates (it is not distinctive)

STOPWORDS = frozenset("""
a about above after again against all also am an and any are aren't as at be because been before being
below between both but by can could did do does doing down during each few for from further had has have
having he her here hers herself him himself his how i if in into is it its itself just me more most my
myself no nor not now of off on once only or other our ours ourselves out over own same she should so some
such than that the their theirs them themselves then there these they this those through to too under
until up very was we were what when where which while who whom why will with would you your yours
yourself yourselves said says say told according new one two also would could may might must shall
its it's mr mrs ms dr last first year years week weeks day days month months time per cent percent
""".split())

NUMBER_WORDS = {"thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000, "trillion": 10**12}
_SUFFIXED = re.compile(r"^(\d+(?:\.\d+)?)([km])$", re.I)


def normalise_number(token: str) -> str | None:
    """'1,000' / '1K' / '1000' -> '1000'; None when the token is not a number."""
    t = token.replace(",", "")
    m = _SUFFIXED.match(t)
    if m:
        value = float(m.group(1)) * (1_000 if m.group(2).lower() == "k" else 1_000_000)
        return str(int(value)) if value.is_integer() else str(value)
    try:
        value = float(t)
    except ValueError:
        return None
    return str(int(value)) if value.is_integer() else str(value)


def stem(word: str) -> str:
    """A light English stemmer: enough to meet 'shipments' with 'shipment' and 'supplies' with 'supply'."""
    if word.endswith("'s") or word.endswith("\u2019s"):
        word = word[:-2]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 5 and word.endswith("ing"):
        return word[:-3]
    if len(word) > 4 and word.endswith("ed") and not word.endswith("eed"):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def terms(text: str) -> list[str]:
    """Content terms: lower case, stop words out, numbers normalised ('a thousand' -> '1000')."""
    out: list[str] = []
    tokens = [t.lower() for t in words(text)]
    for pos, token in enumerate(tokens):
        if token in NUMBER_WORDS:
            prev = tokens[pos - 1] if pos else ""
            base = normalise_number(prev) if prev else None
            if base is not None and out and out[-1] == base:
                out[-1] = normalise_number(str(float(base) * NUMBER_WORDS[token]))
            else:
                out.append(str(NUMBER_WORDS[token]))
            continue
        number = normalise_number(token)
        if number is not None:
            out.append(number)
        elif token not in STOPWORDS and len(token) > 1:
            out.append(stem(token))
    return out


def shingles(text: str, k: int = SHINGLE) -> set[int]:
    tokens = [fold(t) for t in words(text)]
    tokens = [t for t in tokens if t]
    if len(tokens) < k:
        return {_hash(" ".join(tokens))} if tokens else set()
    return {_hash(" ".join(tokens[i:i + k])) for i in range(len(tokens) - k + 1)}


def _hash(s: str) -> int:
    return int.from_bytes(hashlib.blake2b(s.encode(), digest_size=8).digest(), "little")


def overlap(shared: int, x: int, y: int) -> tuple[float, float]:
    """(Jaccard, containment of the smaller) for two shingle sets of sizes x and y sharing `shared`."""
    if not x or not y:
        return 0.0, 0.0
    return shared / (x + y - shared), shared / min(x, y)


@dataclass(frozen=True, slots=True)
class CopyLink:
    copy: str
    original: str
    reuse: float


def _original_key(a: Article) -> tuple:
    # The earliest dated version is the original; else the fullest; then the file order.
    return (a.published or date.max, -len(a.body_text), a.id)


def copies(articles: list[Article], threshold: float) -> dict[str, CopyLink]:
    """For each article that copies another: which one, and how much of its text it shares."""
    sets = {a.id: shingles(a.body_text) for a in articles}
    postings: dict[int, list[str]] = defaultdict(list)
    for a in articles:
        for h in sets[a.id]:
            postings[h].append(a.id)
    shared: Counter[tuple[str, str]] = Counter()
    for ids in postings.values():
        if 1 < len(ids) <= MAX_POSTING:
            for x in range(len(ids)):
                for y in range(x + 1, len(ids)):
                    shared[(ids[x], ids[y])] += 1
    parent = {a.id: a.id for a in articles}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    reuse: dict[str, float] = {}
    for (x, y), n in shared.items():
        jaccard, containment = overlap(n, len(sets[x]), len(sets[y]))
        if jaccard >= threshold or containment >= CONTAINMENT:
            parent[find(x)] = find(y)
            score = max(jaccard, containment)
            reuse[x] = max(reuse.get(x, 0.0), score)
            reuse[y] = max(reuse.get(y, 0.0), score)
    groups: dict[str, list[Article]] = defaultdict(list)
    for a in articles:
        groups[find(a.id)].append(a)
    links = {}
    for members in groups.values():
        if len(members) < 2:
            continue
        original = min(members, key=_original_key)
        for a in members:
            if a.id != original.id:
                links[a.id] = CopyLink(a.id, original.id, round(reuse.get(a.id, 0.0), 3))
    return links


def mark_copies(articles: list[Article], threshold: float) -> list[Article]:
    links = copies(articles, threshold)
    return [replace(a, duplicate_of=links[a.id].original, reuse=links[a.id].reuse) if a.id in links else a
            for a in articles]


# --- stories -----------------------------------------------------------------------------------

def tfidf_vectors(articles: list[Article]) -> dict[str, dict[str, float]]:
    """Unit-length TF-IDF vectors over title (counted twice) and body terms, sublinear tf."""
    counts = {a.id: Counter(terms(a.title or "") * 2 + terms(a.body_text)) for a in articles}
    df: Counter[str] = Counter()
    for c in counts.values():
        df.update(c.keys())
    n = len(articles)
    trust = n / (n + IDF_PRIOR_DOCS)
    vectors = {}
    for aid, c in counts.items():
        v = {t: (1 + math.log(k)) * (1 + trust * math.log((1 + n) / (1 + df[t]))) for t, k in c.items()}
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        vectors[aid] = {t: x / norm for t, x in v.items()}
    return vectors


def cosine(u: dict[str, float], v: dict[str, float]) -> float:
    if len(u) > len(v):
        u, v = v, u
    return sum(x * v.get(t, 0.0) for t, x in u.items())


def _apart_in_time(a: Article, b: Article, window_days: int) -> bool:
    return bool(a.published and b.published and abs((a.published - b.published).days) > window_days)


def story_clusters(articles: list[Article], threshold: float, window_days: int,
                   vectors: dict[str, dict[str, float]] | None = None) -> list[list[str]]:
    """Groups of article ids, one per story (average-link clustering on candidate pairs)."""
    by_id = {a.id: a for a in articles}
    vectors = vectors or tfidf_vectors(articles)
    postings: dict[str, list[str]] = defaultdict(list)
    for aid, v in vectors.items():
        for t in sorted(v, key=lambda t: (-v[t], t))[:TOP_TERMS]:
            postings[t].append(aid)
    pairs: set[tuple[str, str]] = set()
    for ids in postings.values():
        if len(ids) <= MAX_POSTING:
            pairs.update((x, y) for i, x in enumerate(ids) for y in ids[i + 1:])
    sims: dict[tuple[str, str], float] = {}
    for x, y in pairs:
        key = (x, y) if x < y else (y, x)
        if key not in sims and not _apart_in_time(by_id[x], by_id[y], window_days):
            sims[key] = cosine(vectors[x], vectors[y])

    cluster_of = {a.id: a.id for a in articles}
    members: dict[str, list[str]] = {a.id: [a.id] for a in articles}

    def similarity(x: str, y: str) -> float:
        a, b = by_id[x], by_id[y]
        if _apart_in_time(a, b, window_days):
            return 0.0
        key = (x, y) if x < y else (y, x)
        return sims[key] if key in sims else cosine(vectors[x], vectors[y])

    for (x, y), s in sorted(sims.items(), key=lambda kv: (-kv[1], kv[0])):
        if s < threshold:
            break
        cx, cy = cluster_of[x], cluster_of[y]
        if cx == cy:
            continue
        cross = [similarity(p, q) for p in members[cx] for q in members[cy]]
        if sum(cross) / len(cross) < threshold:
            continue
        keep, gone = (cx, cy) if len(members[cx]) >= len(members[cy]) else (cy, cx)
        for m in members[gone]:
            cluster_of[m] = keep
        members[keep].extend(members.pop(gone))
    return [sorted(m) for m in members.values()]


def _with_copies(clusters: list[list[str]], by_id: dict[str, Article]) -> list[list[str]]:
    """A copy always stands in its original's story, whatever its own words' similarities said."""
    home = {i: n for n, ids in enumerate(clusters) for i in ids}
    moved: list[list[str]] = [[] for _ in clusters]
    for n, ids in enumerate(clusters):
        for i in ids:
            original = by_id[i].duplicate_of
            moved[home[original] if original in home else n].append(i)
    return [sorted(ids) for ids in moved if ids]


def _lead(ids: list[str], by_id: dict[str, Article], vectors: dict[str, dict[str, float]]) -> str:
    """The article closest to all the others (an original, never a copy) leads the story."""
    originals = [i for i in ids if by_id[i].duplicate_of is None] or ids

    def centrality(i: str) -> tuple:
        mean = sum(cosine(vectors[i], vectors[j]) for j in ids if j != i) / max(1, len(ids) - 1)
        return (-round(mean, 9), by_id[i].title is None, i)

    return min(originals, key=centrality)


def stories(articles: list[Article], threshold: float, window_days: int) -> list[Story]:
    """Stories newest first, each with its lead article first; slugs unique and stable for a title."""
    by_id = {a.id: a for a in articles}
    vectors = tfidf_vectors(articles)
    made = []
    for ids in _with_copies(story_clusters(articles, threshold, window_days, vectors), by_id):
        lead = _lead(ids, by_id, vectors)
        rest = sorted((i for i in ids if i != lead),
                      key=lambda i: (by_id[i].duplicate_of is not None, by_id[i].published or date.max, i))
        made.append((lead, [lead, *rest]))

    def newest(item) -> tuple:
        dates = [by_id[i].published for i in item[1] if by_id[i].published]
        latest = max(dates) if dates else date.min
        return (-latest.toordinal(), -len(item[1]), by_id[item[0]].display_title, item[0])

    taken: set[str] = set()
    result = []
    for lead, ids in sorted(made, key=newest):
        title = by_id[lead].display_title
        base = slugify(title, max_length=80, word_boundary=True) or f"story-{slugify(lead) or 'untitled'}"
        slug, n = base, 2
        while slug in taken:
            slug, n = f"{base}-{n}", n + 1
        taken.add(slug)
        result.append(Story(slug, title, tuple(ids)))
    return result
