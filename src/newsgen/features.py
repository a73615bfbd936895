"""What an article is about, as numbers: content terms, names, and TF-IDF vectors for story grouping.

Terms are lower-cased content words, stemmed by Snowball's English (Porter2) stemmer, with numbers normalised ("a thousand", "1,000" and "1K"
all become "1000"). For grouping, an article's vector weighs the headline and the lead (news puts who,
what and where first), boosts names (capitalised words inside a sentence: the people, places and
organisations that tell one event from another of the same kind) and adds pairs of adjacent names
("Tony Thompson" is more telling than "Thompson"). Vectors are unit length and cut to their strongest
terms, so memory stays flat per article however long it is.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain
from operator import itemgetter
from sys import intern

from .model import Article
from .text import split_sentences, words

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

# Weights of the parts of an article in its story vector. Measured on ECB+ and SemEval 2022 pairs
# (README, "Measured"); each is a reason, not a fit: headlines and leads state the event, names pick it.
HEADLINE_WEIGHT = 2  # a headline term counts as two body terms
LEAD_PARAGRAPHS = 2  # the first paragraphs state who, what, where and when
LEAD_WEIGHT = 2
NAME_BOOST = 2.0  # a term seen capitalised inside a sentence is a name
NAME_PAIR_WEIGHT = 1.0  # "tony_thompson" as a term of its own, per occurrence
MAX_TERMS = 200  # strongest terms kept per article vector
IDF_PRIOR_DOCS = 20  # below a few dozen articles document frequencies say little: IDF shrinks toward 1
# A collection weighed as a whole (the undated block: stories.story_groups) has its IDF coarsened: log((1 + n) /
# (1 + df)) to the nearest 1/IDF_STEPS (a document frequency 6 % off) and the prior's trust to 1/TRUST_STEPS. An
# edit anywhere changes a few terms' frequencies by one; the coarse weights of the block's own terms then
# mostly stay the same, and the block, keyed by them, is not grouped again (build.BlockCache).
IDF_STEPS = 16
TRUST_STEPS = 1024

Vector = dict[str, float]


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
    if math.isnan(value) or math.isinf(value):
        return None
    return str(int(value)) if value.is_integer() else str(value)


_BRITISH_ISE = re.compile(r"(?<=\w{3})is(e|es|ed|ing|ation|ations)$")


@lru_cache(maxsize=1)
def _english_stemmer():
    import Stemmer  # PyStemmer: the Snowball project's C stemmers, 2.6 us a word (the pure-Python port: 49)

    return Stemmer.Stemmer("english")


def stem(word: str) -> str:
    """Porter2 (Snowball) English stem, with British -ise spellings met to -ize ones first:
    'condemnation' and 'condemned' meet, and so do 'criticised' and 'criticized'."""
    if word.endswith("'s") or word.endswith("\u2019s"):
        word = word[:-2]
    if len(word) > 6:
        word = _BRITISH_ISE.sub(r"iz\1", word)
    return _english_stemmer().stemWord(word)


@lru_cache(maxsize=1 << 17)
def _term(token: str) -> str | None:
    """The term of one lower-case token: a normalised number, a stem, or None for a stop word."""
    if token[:1].isdigit():
        number = normalise_number(token)
        if number is not None:
            return number
    if token in STOPWORDS or len(token) < 2:
        return None
    return stem(token)


@lru_cache(maxsize=1 << 17)
def terms(text: str) -> tuple[str, ...]:
    """Content terms: lower case, stop words out, numbers normalised ('a thousand' -> '1000'). Memoised:
    grouping and the claim and timeline finders read the same sentences."""
    out: list[str] = []
    tokens = [t.lower() for t in words(text)]
    for pos, token in enumerate(tokens):
        if token in NUMBER_WORDS:
            prev = tokens[pos - 1] if pos else ""
            base = normalise_number(prev) if prev[:1].isdigit() else None
            if base is not None and out and out[-1] == base:
                out[-1] = normalise_number(str(float(base) * NUMBER_WORDS[token])) or out[-1]
            else:
                out.append(str(NUMBER_WORDS[token]))
            continue
        term = _term(token)
        if term is not None:
            out.append(term)
    return tuple(out)


def _names(text: str) -> tuple[set[str], list[str]]:
    """Terms of words written capitalised inside a sentence, and pairs of adjacent such words."""
    single: set[str] = set()
    pairs: list[str] = []
    for sentence in split_sentences(text):
        tokens = words(sentence)
        previous = ""
        for pos, token in enumerate(tokens):
            term = _term(token.lower()) if pos and token[:1].isupper() else None
            if term is not None:
                single.add(term)
                if previous:
                    pairs.append(f"{previous}_{term}")
                previous = term
            else:
                previous = ""
    return single, pairs


def article_terms(article: Article) -> Counter[str]:
    """Weighted term counts of an article: headline, lead and names count more (see the weights above)."""
    counts: Counter[str] = Counter()
    for t in terms(article.title or ""):
        counts[t] += HEADLINE_WEIGHT
    for n, paragraph in enumerate(article.paragraphs):
        weight = LEAD_WEIGHT if n < LEAD_PARAGRAPHS else 1
        for t in terms(paragraph):
            counts[t] += weight
    names, pairs = _names(f"{article.title or ''}.\n{article.body_text}")
    for t in counts:
        if t in names:
            counts[t] *= NAME_BOOST
    for p in pairs:
        counts[p] += NAME_PAIR_WEIGHT
    return counts


@dataclass(slots=True)
class Vectors:
    """Unit TF-IDF vectors by article id, how many distinct terms each article has (its length), and the
    document frequencies they were weighed with, so that articles arriving later are weighed alike."""

    by_id: dict[str, Vector]
    sizes: dict[str, int]
    df: Counter[str]
    n: int
    coarse: bool = False  # weighed with coarse IDF (a whole collection's: see IDF_STEPS)

    def add(self, article: Article) -> Vector:
        """Weigh a newly arrived article against the collection's frequencies (which it joins)."""
        counts = article_terms(article)
        self.df.update(counts.keys())
        self.n += 1
        self.sizes[article.id] = _size(counts)
        own = Counter({t: self.df[t] for t in counts})  # the frequencies of its own terms are all it reads
        self.by_id[article.id] = _Weights(own, self.n, self.coarse).unit(counts)
        return self.by_id[article.id]


def _size(counts: Counter[str]) -> int:
    return sum(1 for t in counts if "_" not in t)  # name pairs are not words of the text


def _trust_steps(n: int) -> int:
    return round(n / (n + IDF_PRIOR_DOCS) * TRUST_STEPS)


def _ratio_steps(n: int, d: int) -> int:
    return round(math.log((1 + n) / (1 + d)) * IDF_STEPS)


def _trust(n: int, coarse: bool) -> float:
    return _trust_steps(n) / TRUST_STEPS if coarse else n / (n + IDF_PRIOR_DOCS)


def _log_ratio(n: int, d: int, coarse: bool) -> float:
    return _ratio_steps(n, d) / IDF_STEPS if coarse else math.log((1 + n) / (1 + d))


def coarse_weights(df: Mapping[str, int], n: int, terms: Iterable[str]) -> tuple:
    """What the coarse IDF of `terms` in a collection of `n` with these document frequencies is made
    of, as integers: the trust's steps, then (term, the log ratio's steps), by term. Two collections
    with the same value weigh these terms alike (a cache key for the undated block)."""
    steps: dict[int, int] = {}
    out = []
    for t in sorted(terms):
        d = df.get(t, 0)
        if d not in steps:
            steps[d] = _ratio_steps(n, d)
        out.append((t, steps[d]))
    return _trust_steps(n), tuple(out)


class _Weights:
    """Unit TF-IDF vectors against one collection's document frequencies. A term weighs
    (1 + log tf) * (1 + trust * log((1 + n) / (1 + df))), coarsened if `coarse` (IDF_STEPS); each factor is
    computed once per distinct count and per distinct document frequency."""

    def __init__(self, df: Counter[str], n: int, coarse: bool = False):
        trust = _trust(n, coarse)
        by_df = {d: 1 + trust * _log_ratio(n, d, coarse) for d in set(df.values())}
        self.idf = {t: by_df[d] for t, d in df.items()}
        self.tf: dict[float, float] = {}

    def unit(self, counts: Counter[str]) -> Vector:
        tf, idf = self.tf, self.idf
        for k in counts.values():
            if k not in tf:
                tf[k] = 1 + math.log(k)
        return _strongest_unit({t: tf[k] * idf[t] for t, k in counts.items()})


def _strongest_unit(v: Vector) -> Vector:
    """The MAX_TERMS strongest weights (ties by term), strongest first, scaled to unit length."""
    if len(v) > MAX_TERMS:
        items = sorted(v.items())  # by term; the stable sort by weight below keeps that order among ties
        items.sort(key=itemgetter(1), reverse=True)
        v = dict(items[:MAX_TERMS])
    norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
    # Interned: the terms of articles whose counts came from separate pickles are one string each, not one
    # a vector (a third of a vector's memory; the undated block holds tens of thousands at 100,000 articles)
    return {intern(t): x / norm for t, x in v.items()}


def frequencies(counts: Iterable[Counter[str]]) -> Counter[str]:
    """Document frequencies: in how many of these articles' term counts each term occurs."""
    return Counter(chain.from_iterable(counts))  # a Counter iterates over its terms


def tfidf_vectors(articles: Iterable[Article], known: Mapping[str, Counter[str]] | None = None,
                  weigh: Iterable[Article] | None = None,
                  weighed: tuple[Counter[str], int] | None = None) -> Vectors:
    """Sublinear tf times smoothed IDF over the articles given (or over `weigh`, a larger collection
    they belong to, whose document frequencies and size may be given as `weighed`, summed elsewhere; its
    IDF coarse: IDF_STEPS), cut to MAX_TERMS, unit length. `known` holds article_terms already computed,
    by article id: when it holds every article's, they are read from it one at a time, in one pass for
    the frequencies and one for the vectors, and never held together (a block of 50,000 articles' term
    counts is 1.6 GB)."""
    known = known if known is not None else {}
    given = {a.id: a for a in articles}
    held: dict[str, Counter[str]] = {}
    if not all(aid in known for aid in given):  # counted here: counted once and held
        held = {aid: known[aid] if aid in known else article_terms(a) for aid, a in given.items()}

    def terms_of(aid: str, a: Article) -> Counter[str]:
        return held[aid] if aid in held else known[aid] if aid in known else article_terms(a)

    def read():  # the given articles' counts, one at a time
        return ((aid, terms_of(aid, a)) for aid, a in given.items())

    if weighed is not None:
        df, n = Counter(weighed[0]), weighed[1]
    elif weigh is None:
        df, n = frequencies(counts for _, counts in read()), len(given)
    else:
        whole = {a.id: a for a in weigh}
        df, n = frequencies(terms_of(aid, a) for aid, a in whole.items()), len(whole)
    coarse = weigh is not None or weighed is not None  # a whole collection's weights are coarse (IDF_STEPS)
    unit = _Weights(df, n, coarse).unit
    by_id, sizes = {}, {}
    for aid, counts in read():
        by_id[aid], sizes[aid] = unit(counts), _size(counts)
    return Vectors(by_id, sizes, df, n, coarse)


def dot(u: Vector, v: Vector) -> float:
    """Sum of products over the shared terms. The key intersection runs in C; fsum makes the result
    independent of the (hash-seeded) order in which the shared terms come, so builds stay identical."""
    if len(u) > len(v):
        u, v = v, u
    return math.fsum(u[t] * v[t] for t in u.keys() & v.keys())


def cosine(u: Vector, v: Vector) -> float:
    return dot(u, v)  # the vectors are unit length
