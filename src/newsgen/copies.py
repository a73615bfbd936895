"""Copies: which articles reprint another, and how much of it.

Each body becomes a fingerprint: the set of its word 5-gram shingles, hashed with seeded blake2b
token hashes combined in NumPy (never Python's salted `hash()`), so the same text gives the same
numbers on every machine. Candidate pairs come from two indexes, neither comparing every pair:

- MinHash signatures cut into LSH bands: two texts whose shingle sets overlap by Jaccard J share a band
  with probability 1 - (1 - J^r)^b (b = 32 bands of r = 4 rows: 0.87 at J = 0.5, 0.99 at J = 0.6);
- a consistent sample of the shingles (those whose hash is 0 mod 16), indexed: a short wire item
  reprinted inside a long page shares most of its sampled shingles with that page although their
  Jaccard is small.

Every candidate is then verified on the exact fingerprints: Jaccard >= `duplicate_threshold` or
containment of the shorter text >= `copy_containment` makes a copy. Copies are grouped (union-find)
and the earliest dated, else the fullest, version of a group is its original.
"""
from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING

from .model import Article, evolve, record
from .text import fold_text, words

if TYPE_CHECKING:  # NumPy is imported where it is used, so that a small build starts fast
    import numpy as np

SHINGLE = 5
NUM_PERM = 128
BANDS, ROWS = 32, 4  # BANDS * ROWS == NUM_PERM
SAMPLE_MOD = 16  # a shingle whose hash is 0 mod this is in the containment sample
MIN_SAMPLES = 2  # texts sharing fewer sampled shingles than this are not containment candidates
FULL_BUCKET = 64  # a bucket up to this size yields every pair; a larger one links each member to a few
SEED = 20240101
_NON_WORD = re.compile(r"[\W_]+")


@lru_cache(maxsize=1 << 18)
def _token_hash(token: str) -> int:
    return int.from_bytes(hashlib.blake2b(token.encode(), digest_size=8, person=b"newsgen-tok").digest(), "little")


def fingerprint(text: str, k: int = SHINGLE) -> np.ndarray:
    """Sorted unique 64-bit hashes of the text's word k-grams (case, accents of punctuation ignored)."""
    import numpy as np

    tokens = [t if t.isalnum() else _NON_WORD.sub("", t) for t in words(fold_text(text))]
    tokens = [t for t in tokens if t]
    if not tokens:
        return np.zeros(0, dtype=np.uint64)
    h = np.fromiter((_token_hash(t) for t in tokens), dtype=np.uint64, count=len(tokens))
    if len(h) < k:
        k = len(h)
    with np.errstate(over="ignore"):
        mixed = np.zeros(len(h) - k + 1, dtype=np.uint64)
        for j in range(k):  # a polynomial of the k token hashes, mod 2^64
            mixed = mixed * np.uint64(0x100000001B3) + h[j:len(h) - k + 1 + j]
        mixed ^= mixed >> np.uint64(29)  # spread the high bits into the low ones used by the sample
        mixed *= np.uint64(0xBF58476D1CE4E5B9)
        mixed ^= mixed >> np.uint64(32)
    return np.unique(mixed)


def shingles(text: str, k: int = SHINGLE) -> set[int]:
    """The fingerprint as a Python set (for small comparisons)."""
    return set(fingerprint(text, k).tolist())


def overlap(shared: int, x: int, y: int) -> tuple[float, float]:
    """(Jaccard, containment of the smaller) for two shingle sets of sizes x and y sharing `shared`."""
    if not x or not y:
        return 0.0, 0.0
    return shared / (x + y - shared), shared / min(x, y)


def shared_count(a: np.ndarray, b: np.ndarray) -> int:
    import numpy as np

    return int(np.intersect1d(a, b, assume_unique=True).size)


@lru_cache(maxsize=1)
def _permutations() -> tuple[np.ndarray, np.ndarray]:
    import numpy as np

    rng = np.random.default_rng(SEED)
    a = rng.integers(1, 2**63, size=NUM_PERM, dtype=np.uint64) | np.uint64(1)  # odd multipliers
    b = rng.integers(0, 2**63, size=NUM_PERM, dtype=np.uint64)
    return a, b


def minhash(print_: np.ndarray) -> np.ndarray:
    """NUM_PERM minimum hash values (multiply-add-shift hashing of the shingles' low 32 bits)."""
    import numpy as np

    if not print_.size:
        return np.full(NUM_PERM, np.uint32(0xFFFFFFFF), dtype=np.uint32)
    a, b = _permutations()
    low = print_ & np.uint64(0xFFFFFFFF)
    with np.errstate(over="ignore"):
        values = (a[:, None] * low[None, :] + b[:, None]) >> np.uint64(32)
    return values.min(axis=1).astype(np.uint32)


def _bucket_pairs(keys: np.ndarray, owners: np.ndarray) -> np.ndarray:
    """Pairs (i, j), i < j, of owners that share a key; large buckets link each member to its neighbours.
    Buckets of one size are paired together (the index has millions of small buckets: one NumPy call a
    size, not one a bucket)."""
    import numpy as np

    order = np.lexsort((owners, keys))
    keys, owners = keys[order], owners[order]
    if len(keys) > 1:  # an owner once a bucket
        first = np.r_[True, (keys[1:] != keys[:-1]) | (owners[1:] != owners[:-1])]
        keys, owners = keys[first], owners[first]
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]]) if len(keys) else np.zeros(0, dtype=np.int64)
    sizes = np.diff(np.r_[starts, len(keys)])
    out: list[np.ndarray] = []
    for size in np.unique(sizes[(sizes > 1) & (sizes <= FULL_BUCKET)]):
        i, j = np.triu_indices(int(size), 1)
        at = starts[sizes == size][:, None]
        out.append(np.stack([owners[at + i].ravel(), owners[at + j].ravel()], axis=1))
    for s, size in zip(starts[sizes > FULL_BUCKET], sizes[sizes > FULL_BUCKET]):
        # a boilerplate passage shared by hundreds of pages: a chain and a star keep it linear
        members = owners[s:s + size]
        i = np.r_[np.arange(size - 1), np.zeros(size - 2, dtype=np.int64)]
        j = np.r_[np.arange(1, size), np.arange(2, size)]
        out.append(np.stack([members[i], members[j]], axis=1))
    return np.concatenate(out) if out else np.zeros((0, 2), dtype=np.int64)


def signature(print_: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """What the candidate index needs of one text: its BANDS LSH band keys (each band's ROWS MinHash
    values mixed with the band's number; none for an empty text) and its containment sample."""
    import numpy as np

    if not print_.size:
        return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.uint64)
    with np.errstate(over="ignore"):
        bands = minhash(print_).reshape(BANDS, ROWS).astype(np.uint64)
        keys = np.zeros(BANDS, dtype=np.uint64)
        for r in range(ROWS):
            keys = keys * np.uint64(0x9E3779B97F4A7C15) + bands[:, r]
        keys = keys * np.uint64(0x100000001B3) + np.arange(BANDS, dtype=np.uint64)
    return keys, print_[print_ % np.uint64(SAMPLE_MOD) == 0]


def _split_keys(part: list[tuple[int, tuple[np.ndarray, np.ndarray]]], shared: tuple[int, int]) -> list:
    """Shuffle, map side: one partition's (article number, signature) pairs, cut by key into `parts`
    pieces of (band keys, their owners, sample keys, their owners)."""
    import numpy as np

    parts, _n = shared

    def keyed(i: int) -> tuple[np.ndarray, np.ndarray]:  # signature element i's keys, and whose each is
        keys = np.concatenate([sig[i] for _n, sig in part] or [np.zeros(0, dtype=np.uint64)])
        owners = np.repeat(np.array([n for n, _sig in part], dtype=np.int64), [len(sig[i]) for _n, sig in part])
        return keys, owners

    (keys, owners), (samples, sample_owners) = keyed(0), keyed(1)
    pieces = []
    band_part, sample_part = keys % np.uint64(parts), samples % np.uint64(parts)
    for k in range(parts):
        b, s = band_part == k, sample_part == k
        pieces.append((keys[b], owners[b], samples[s], sample_owners[s]))
    return pieces


def _pairs_of_keys(pieces: list, shared: tuple[int, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Shuffle, reduce side: every article's keys that fall in one piece, from every partition; returns
    the LSH pairs, and the containment sample's pair codes (i * n + j) with how many keys each shares."""
    import numpy as np

    _parts, n = shared
    def joined(i: int, dtype) -> np.ndarray:
        return np.concatenate([p[i] for p in pieces] or [np.zeros(0, dtype=dtype)])

    lsh = _bucket_pairs(joined(0, np.uint64), joined(1, np.int64))
    sampled = _bucket_pairs(joined(2, np.uint64), joined(3, np.int64))
    codes, counts = np.unique(sampled[:, 0] * n + sampled[:, 1], return_counts=True)
    return lsh, codes, counts


def pairs_from_signatures(signatures: list[tuple[np.ndarray, np.ndarray]], engine=None,
                          parts: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (xs, ys) that may be copies: texts sharing an LSH band, or sharing enough of their
    containment samples. The keys are shuffled into `parts` pieces by value (engine.py), so that each
    key's bucket is whole in one piece; the pieces' pairs are then joined here."""
    import numpy as np

    from .engine import LocalEngine

    engine = engine or LocalEngine(1)
    n = len(signatures)
    parts = parts or max(1, engine.width() * 2)
    found = engine.shuffle(_split_keys, list(enumerate(signatures)), _pairs_of_keys, parts, (parts, n),
                           "copies")
    lsh = np.concatenate([f[0] for f in found] or [np.zeros((0, 2), dtype=np.int64)])
    codes = np.concatenate([f[1] for f in found] or [np.zeros(0, dtype=np.int64)])
    counts = np.concatenate([f[2] for f in found] or [np.zeros(0, dtype=np.int64)])
    if codes.size:  # a pair may share sample keys in several pieces: add its counts up
        codes, where = np.unique(codes, return_inverse=True)
        counts = np.bincount(where, weights=counts).astype(np.int64)
        sizes = np.array([len(sig[1]) for sig in signatures], dtype=np.int64)
        smaller = np.minimum(sizes[codes // n], sizes[codes % n])
        good = (counts >= MIN_SAMPLES) & (counts * 2 >= smaller)
        contained = np.stack([codes[good] // n, codes[good] % n], axis=1)
    else:
        contained = np.zeros((0, 2), dtype=np.int64)
    both = np.concatenate([lsh, contained])
    codes = np.unique(both[:, 0] * n + both[:, 1]) if len(both) else np.zeros(0, dtype=np.int64)
    return codes // max(n, 1), codes % max(n, 1)


def candidate_pairs(prints: list[np.ndarray], engine=None) -> tuple[np.ndarray, np.ndarray]:
    """Pairs that may be copies, from the fingerprints (see pairs_from_signatures)."""
    return pairs_from_signatures([signature(p) for p in prints], engine)


@record
class CopyLink:
    copy: str
    original: str
    reuse: float  # share of the shorter of copy and original that they have in common (0-1)


def _original_key(a: Article) -> tuple:
    # The earliest dated version is the original; else the fullest; then the file order.
    return (a.published or date.max, -len(a.body_text), a.id)


@dataclass(slots=True)
class CopyIndex:
    """What finding copies computed, kept for the next build (build.py caches it): each article's file
    state and signature(), every candidate pair with its verdict, and the links. A rebuild takes the
    signatures of unchanged articles from here and verifies again only the pairs that touch a changed
    one, so it reads no unchanged article's fingerprint."""

    ids: list[str]
    states: list  # what each article's text and date are made from (its file's key)
    bands: np.ndarray  # every article's band keys, one after the other ...
    band_ends: np.ndarray  # ... and where each article's end
    samples: np.ndarray
    sample_ends: np.ndarray
    pairs: np.ndarray  # candidate pairs (i, j), i < j, as positions in `ids`, sorted by i * len(ids) + j
    verdicts: np.ndarray  # whether each pair is a copy
    links: dict[str, CopyLink]

    def signatures(self) -> dict:
        """signature() of each article, by id."""
        import numpy as np

        bands, samples = np.split(self.bands, self.band_ends[:-1]), np.split(self.samples, self.sample_ends[:-1])
        return dict(zip(self.ids, zip(bands, samples)))


def _index(articles: list[Article], states: list, sigs: list, pairs: np.ndarray, verdicts: np.ndarray,
           links: dict[str, CopyLink]) -> CopyIndex:
    import numpy as np

    def joined(i: int) -> tuple[np.ndarray, np.ndarray]:
        parts = [s[i] for s in sigs]
        return (np.concatenate(parts) if parts else np.zeros(0, dtype=np.uint64),
                np.cumsum([len(x) for x in parts], dtype=np.int64))

    (bands, band_ends), (samples, sample_ends) = joined(0), joined(1)
    return CopyIndex([a.id for a in articles], list(states), bands, band_ends, samples, sample_ends, pairs,
                     verdicts, links)


def find_copies(articles: list[Article], threshold: float, containment: float, print_of, sigs: list,
                engine=None, states: list | None = None, previous: CopyIndex | None = None
                ) -> tuple[dict[str, CopyLink], CopyIndex | None]:
    """For each article that copies another: which one, and how much of its text it shares; and, given
    each article's `states`, the CopyIndex for the next build. `print_of(n)` gives article n's
    fingerprint, `sigs[n]` its signature(); `previous` (the last build's index, made with the same
    thresholds) holds the verdicts of pairs whose two articles have not changed, so only the other pairs'
    fingerprints are read. The `engine` shuffles the candidate index (engine.py; None: this process)."""
    import numpy as np

    n = len(articles)
    xs, ys = pairs_from_signatures(sigs, engine)
    verdicts = np.zeros(len(xs), dtype=bool)
    todo = np.ones(len(xs), dtype=bool)
    same = np.full(n, -1, dtype=np.int64)  # each article's position in `previous`, if it has not changed
    if previous is not None and states is not None and len(previous.pairs):
        where = {aid: k for k, aid in enumerate(previous.ids)}
        for i, a in enumerate(articles):
            k = where.get(a.id, -1)
            if k >= 0 and previous.states[k] == states[i]:
                same[i] = k
        old_x, old_y = same[xs], same[ys]
        known = (old_x >= 0) & (old_y >= 0)
        m = len(previous.ids)
        codes = np.minimum(old_x, old_y) * m + np.maximum(old_x, old_y)
        stored = previous.pairs[:, 0] * m + previous.pairs[:, 1]
        at = np.clip(np.searchsorted(stored, codes), 0, len(stored) - 1)
        found = known & (stored[at] == codes)
        verdicts[found] = previous.verdicts[at[found]]
        todo &= ~found
    prints: dict[int, np.ndarray] = {}

    def fp(i: int) -> np.ndarray:
        if i not in prints:
            prints[i] = print_of(i)
        return prints[i]

    for p in np.flatnonzero(todo):
        x, y = int(xs[p]), int(ys[p])
        jaccard, contained = overlap(shared_count(fp(x), fp(y)), fp(x).size, fp(y).size)
        verdicts[p] = jaccard >= threshold or contained >= containment
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for x, y in zip(xs[verdicts].tolist(), ys[verdicts].tolist()):
        parent[find(x)] = find(y)
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(n):
        groups[find(i)].append(i)
    old_links = previous.links if previous is not None else {}
    links = {}
    for members in groups.values():
        if len(members) < 2:
            continue
        original = min(members, key=lambda i: _original_key(articles[i]))
        for i in members:
            if i == original:
                continue
            aid, home = articles[i].id, articles[original].id
            kept = old_links.get(aid)
            if kept is not None and kept.original == home and same[i] >= 0 and same[original] >= 0:
                links[aid] = kept
                continue
            size = min(fp(i).size, fp(original).size)
            reuse = shared_count(fp(i), fp(original)) / size if size else 0.0
            links[aid] = CopyLink(aid, home, round(reuse, 3))
    if states is None:
        return links, None
    pairs = np.stack([xs, ys], axis=1) if len(xs) else np.zeros((0, 2), dtype=np.int64)
    return links, _index(articles, states, sigs, pairs, verdicts, links)


def copies(articles: list[Article], threshold: float, containment: float = 0.8,
           known: dict[str, np.ndarray] | None = None, signatures: dict | None = None,
           engine=None) -> dict[str, CopyLink]:
    """For each article that copies another: which one, and how much of its text it shares. `known`
    holds fingerprints of bodies already computed, `signatures` their signature(), by article id; the
    `engine` shuffles the candidate index (engine.py; None: this process)."""
    known, signatures = known or {}, signatures or {}
    prints = [known[a.id] if a.id in known else fingerprint(a.body_text) for a in articles]
    sigs = [signatures[a.id] if a.id in signatures else signature(p) for a, p in zip(articles, prints)]
    return find_copies(articles, threshold, containment, prints.__getitem__, sigs, engine)[0]


def with_links(articles: list[Article], links: dict[str, CopyLink]) -> list[Article]:
    """The articles with their copy links set."""
    return [evolve(a, duplicate_of=links[a.id].original, reuse=links[a.id].reuse) if a.id in links else a
            for a in articles]


def mark_copies(articles: list[Article], threshold: float, containment: float = 0.8,
                known: dict[str, np.ndarray] | None = None, signatures: dict | None = None,
                engine=None) -> list[Article]:
    return with_links(articles, copies(articles, threshold, containment, known, signatures, engine))
