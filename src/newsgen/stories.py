"""Stories: which articles report the same event.

Stream clustering in the manner of Google News (Miranda et al., EMNLP 2018): articles arrive in date
order; each is compared with the centroids of the open stories with the most weight on its strongest
terms (an inverted index bucketed by time, so no article is compared with every other) and joins the
most similar one when the cosine reaches the threshold, else starts a story of its own. Refinement
passes then let each article move to the story that suits it best now that every story is known,
which undoes the accidents of arrival order; stories whose centroids are alike merge, and one more
pass follows.

Time: a story spans at most `window_days` (older stories are closed), and where one side is dated and
the other is not, time cannot vouch for the match, so the threshold is UNDATED_FACTOR times higher.
Length: short texts reach lower cosines with their story than long ones (a headline shares a few terms
with a centroid of hundreds), so the threshold scales with the square root of an article's length
below SHORT_TERMS distinct terms, down to LENGTH_FLOOR of it.

Meaning (`embeddings` above 0, the optional extra): an article with no body, a bare headline, shares
too few words with its story for words alone to place it ("Bull Still Charging After Five Years" /
"US Stocks Fall as Commodity Shares Lead Drop"). Such an article's vector is then its TF-IDF part
scaled by sqrt(1 - w^2) and, beside it, its headline's sentence embedding scaled by w, centred on the
collection's mean embedding so that the likeness all headlines share counts for nothing. A story's
centroid sums both parts, so a cosine is the words' share plus the meaning's. The meaning part does
not shrink with length, so only the words' share of the threshold is scaled down for length.
Articles with a body are matched by their words alone, as before.

Blocks: all of this runs a block of BLOCK_WINDOWS x window_days at a time (story_groups). A story spans
at most window_days, so a block needs of the archive only the stories still open at its start, which
are carried in frozen; each block is weighed by its own document frequencies, so a build groups again
only the blocks whose input changed, and a clean build is the same chain of blocks.
"""
from __future__ import annotations

import heapq
import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from slugify import slugify

from .features import Vector, Vectors, cosine, dot, tfidf_vectors
from .meaning import Meanings
from .model import Article, Story

SHORT_TERMS = 100  # below this many distinct terms an article's threshold scales with sqrt(length)
INDEX_TERMS = 20  # an article's strongest terms, by which stories that might suit it are found
MAX_POSTING = 1000  # a term in more stories of one time bucket than this finds none (it is not distinctive)
LENGTH_FLOOR = 0.3  # a text of under 9 terms is matched as if it had 9: one shared word must not be enough
UNDATED_FACTOR = 1.2  # an undated article joining a dated story, or the reverse, needs this much more: time cannot vouch
MAX_CANDIDATES = 8  # stories compared with an article: those sharing most of its strongest terms
MERGE_TERMS = 30  # a story's strongest centroid terms, by which stories to merge with are found
MERGE_POSTING = 1000  # ... a term among the strongest of more stories than this finds none


@dataclass(frozen=True, slots=True)
class StorySettings:
    threshold: float  # cosine between an article and a story's centroid at which it joins
    window_days: int  # the most days a story may span: a story older than this is closed
    passes: int = 3  # one online pass, then refinement passes (1: purely online)
    merge: float = 0.0  # centroid cosine, in units of the threshold, at which two stories merge (0: never)
    embeddings: float = 0.0  # weight of a bare headline's meaning in its vector (0: words alone)


class StoryIndex:
    """Stories as sums of their members' unit vectors, found through an inverted index of terms.

    `add` assigns an article online (to an existing story or a new one); `refine` moves articles to
    their best story. Both are deterministic: ties go to the smaller story key.
    """

    def __init__(self, settings: StorySettings, vectors: Vectors, meanings: Meanings | None = None):
        self.settings = settings
        self.vectors = vectors
        self.meanings = meanings if meanings is not None and settings.embeddings > 0 else Meanings.none()
        self.meaning_sums: dict[str, object] = {}  # story -> the sum of its members' meaning rows
        self.words: dict[str, Vector] = {}  # the TF-IDF part of an article with a meaning, scaled down
        self.scale = math.sqrt(1 - settings.embeddings ** 2)
        self.sums: dict[str, Vector] = {}
        self.norm2: dict[str, float] = {}
        self.members: dict[str, list[str]] = {}
        self.dates: dict[str, Counter[date]] = {}
        self.span: dict[str, tuple[date, date] | None] = {}  # first and last stated date
        self.story_of: dict[str, str] = {}
        self.published: dict[str, date | None] = {}
        self.strongest: dict[str, list[str]] = {}
        self.square: dict[str, float] = {}  # an article's vector dotted with itself (fsum of its squares)
        # term -> time bucket -> stories: a story is found only from articles near it in time
        self.postings: dict[str, dict[int | None, set[str]]] = defaultdict(lambda: defaultdict(set))
        self.width = max(1, settings.window_days)
        self.frozen: set[str] = set()  # stories carried in from an earlier block: they take members, lose none
        self.taken: frozenset[str] = frozenset()  # keys of stories outside this index: a new story takes none

    # --- what an article may join ---------------------------------------------------------------

    def _vector(self, aid: str) -> Vector:
        return self.words.get(aid) or self.vectors.by_id[aid]

    def _factor(self, aid: str) -> float:
        """The share of the threshold an article must reach: its words' share scaled for length."""
        factor = length_factor(self.vectors.sizes.get(aid, SHORT_TERMS))
        if aid in self.words:
            w2 = self.settings.embeddings ** 2
            factor = (1 - w2) * factor + w2
        return factor

    def _threshold(self, aid: str) -> float:
        return self.settings.threshold * self._factor(aid)

    def _open_for(self, key: str, day: date | None) -> bool:
        """A dated article joins a story only if the story, with it, spans no more than the window:
        a story older than `window_days` is closed."""
        span = self.span[key]
        if day is None or span is None:
            return True
        return (max(span[1], day) - min(span[0], day)).days <= self.settings.window_days

    def _bucket(self, day: date | None) -> int | None:
        return day.toordinal() // self.width if day else None

    def _candidates(self, aid: str) -> list[str]:
        """Stories sharing the most weight of the article's strongest terms, in its time buckets."""
        bucket = self._bucket(self.published[aid])
        v = self._vector(aid)
        hits: dict[str, float] = defaultdict(float)
        for t in self.strongest[aid]:
            buckets = self.postings.get(t)
            if not buckets:
                continue
            near = buckets.keys() if bucket is None else (bucket - 1, bucket, bucket + 1, None)
            found: set[str] = set()  # a story spanning several buckets counts once
            for b in near:
                posting = buckets.get(b)
                if posting and len(posting) <= MAX_POSTING:
                    found |= posting
            for key in found:
                hits[key] += v[t]  # a rough dot product: the article's weight on the shared term
        ranked = heapq.nsmallest(MAX_CANDIDATES, hits.items(), key=lambda kv: (-kv[1], kv[0]))
        return [key for key, _ in ranked]

    def _dot(self, aid: str, key: str) -> float:
        """The article's vector dotted with the story's sum: words, plus meaning where both have one."""
        product = dot(self._vector(aid), self.sums[key])
        meaning = self.meanings.rows.get(aid)
        total = self.meaning_sums.get(key)
        if meaning is not None and total is not None:
            product += float(meaning @ total)
        return product

    def _similarity(self, aid: str, key: str) -> float:
        return self._dot(aid, key) / math.sqrt(self.norm2[key]) if self.norm2[key] > 0 else 0.0

    def best_story(self, aid: str, also: Iterable[str] = ()) -> str | None:
        """The open story most similar to the article, if it reaches the article's threshold."""
        candidates = set(also) | set(self._candidates(aid))
        day = self.published[aid]
        threshold = self._threshold(aid)
        best, best_similarity = None, 0.0
        for key in sorted(candidates):
            if key in self.members and self._open_for(key, day):
                unsure = (day is None) != (self.span[key] is None)
                similarity = self._similarity(aid, key)
                if similarity < threshold * (UNDATED_FACTOR if unsure else 1.0):
                    continue
                if best is None or similarity > best_similarity:
                    best, best_similarity = key, similarity
        return best

    # --- changing the stories -------------------------------------------------------------------

    def _join(self, aid: str, key: str) -> None:
        v = self._vector(aid)
        total = self.sums.setdefault(key, {})
        self.norm2[key] = self.norm2.get(key, 0.0) + 2 * self._dot(aid, key) + self._square(aid)
        for t, x in v.items():
            total[t] = total.get(t, 0.0) + x
        meaning = self.meanings.rows.get(aid)
        if meaning is not None:
            held = self.meaning_sums.get(key)
            self.meaning_sums[key] = meaning.copy() if held is None else held + meaning
        self.members.setdefault(key, []).append(aid)
        self.dates.setdefault(key, Counter())
        self.span.setdefault(key, None)
        day = self.published[aid]
        if day:
            self.dates[key][day] += 1
            span = self.span[key]
            self.span[key] = (min(span[0], day), max(span[1], day)) if span else (day, day)
        self.story_of[aid] = key
        bucket = self._bucket(day)
        for t in self.strongest[aid]:
            self.postings[t][bucket].add(key)

    def _square(self, aid: str) -> float:
        square = self.square.get(aid)
        if square is None:
            square = math.fsum(x * x for x in self._vector(aid).values())
            meaning = self.meanings.rows.get(aid)
            if meaning is not None:
                square += float(meaning @ meaning)
            self.square[aid] = square
        return square

    def _leave(self, aid: str) -> None:
        key = self.story_of.pop(aid)
        members = self.members[key]
        members.remove(aid)
        if not members:
            for name in (self.members, self.sums, self.norm2, self.dates, self.span):
                del name[key]
            self.meaning_sums.pop(key, None)
            return  # stale postings to it are skipped by best_story
        v, total = self._vector(aid), self.sums[key]
        self.norm2[key] = max(0.0, self.norm2[key] - 2 * self._dot(aid, key) + self._square(aid))
        meaning = self.meanings.rows.get(aid)
        if meaning is not None:
            self.meaning_sums[key] = self.meaning_sums[key] - meaning
        for t, x in v.items():
            left = total[t] - x
            if left > 1e-12:
                total[t] = left
            else:
                del total[t]
        day = self.published[aid]
        if day:
            dates = self.dates[key]
            dates[day] -= 1
            if not dates[day]:
                del dates[day]
                self.span[key] = (min(dates), max(dates)) if dates else None

    def _new_key(self, aid: str) -> str:
        key, n = aid, 1
        while key in self.members or key in self.taken:
            key, n = f"{aid}~{n}", n + 1
        return key

    def _register(self, article: Article) -> None:
        self.published[article.id] = article.published
        v = self.vectors.by_id[article.id] if article.id in self.vectors.by_id else self.vectors.add(article)
        if article.id in self.meanings.rows:
            self.words[article.id] = {t: x * self.scale for t, x in v.items()}
        self.strongest[article.id] = sorted(v, key=lambda t: (-v[t], t))[:INDEX_TERMS]

    def add(self, article: Article) -> str:
        """Put one new article in the story it suits, or in a new story keyed by its id."""
        self._register(article)
        key = self.best_story(article.id)
        self._join(article.id, key if key is not None else self._new_key(article.id))
        return self.story_of[article.id]

    def carry(self, key: str, members: list[Article], frozen: bool) -> None:
        """A story grouped in an earlier block, with its members: new articles may join it; when frozen,
        nothing moves its members out or merges it away."""
        if frozen:
            self.frozen.add(key)
        for a in members:
            self._register(a)
            self._join(a.id, key)

    def refine(self, order: list[str]) -> int:
        """One pass: each article moves to the story that suits it best; returns how many moved."""
        moved = 0
        for aid in order:
            old = self.story_of[aid]
            self._leave(aid)
            key = self.best_story(aid, also=[old] if old in self.members else [])
            if key is None:  # alone again: keep the story's name if the story was its own
                key = old if old not in self.members else self._new_key(aid)
            new = key
            self._join(aid, new)
            moved += new != old
        return moved

    def merge_similar(self, factor: float) -> int:
        """Join stories whose centroids are alike (cosine >= factor x threshold, scaled down for stories of
        short texts): two halves of one story that formed apart, which no single article can bridge.
        Returns how many stories were merged away."""
        unit, meaning = {}, {}
        for key, total in self.sums.items():
            norm = math.sqrt(self.norm2[key]) or 1.0
            unit[key] = {t: x / norm for t, x in total.items()}
            if key in self.meaning_sums:
                meaning[key] = self.meaning_sums[key] / norm
        short = {key: sum(self._factor(a) for a in m) / len(m) for key, m in self.members.items()}
        postings: dict[str, list[str]] = defaultdict(list)
        tops = {}
        for key in sorted(unit):
            c = unit[key]
            tops[key] = sorted(c, key=lambda t: (-c[t], t))[:MERGE_TERMS]
            for t in tops[key]:
                postings[t].append(key)
        pairs: set[tuple[str, str]] = set()
        for x in sorted(unit):
            hits: Counter[str] = Counter()
            for t in tops[x]:
                if len(postings[t]) <= MERGE_POSTING:
                    hits.update(postings[t])
            del hits[x]
            for y, _ in heapq.nsmallest(MAX_CANDIDATES, hits.items(), key=lambda kv: (-kv[1], kv[0])):
                pairs.add((x, y) if x < y else (y, x))
        scored = []
        for x, y in pairs:
            if (x in self.frozen and y in self.frozen) or self._apart(x, y):
                continue
            similarity = cosine(unit[x], unit[y])
            if x in meaning and y in meaning:
                similarity += float(meaning[x] @ meaning[y])
            score = similarity / (factor * self.settings.threshold * max(short[x], short[y]))
            if score >= 1.0:
                scored.append((-score, x, y))
        parent = {k: k for k in unit}

        def find(k: str) -> str:
            while parent[k] != k:
                parent[k] = parent[parent[k]]
                k = parent[k]
            return k

        for _, x, y in sorted(scored):
            rx, ry = find(x), find(y)
            if rx == ry or (rx in self.frozen and ry in self.frozen):
                continue  # two stories of earlier blocks stay as they were grouped
            if rx in self.frozen or (ry not in self.frozen and rx < ry):
                parent[ry] = rx
            else:
                parent[rx] = ry
        merged = 0
        for key in sorted(unit):
            home = find(key)
            if home != key:
                for aid in list(self.members[key]):
                    self._leave(aid)
                    self._join(aid, home)
                merged += 1
        return merged

    def _apart(self, x: str, y: str) -> bool:
        sx, sy = self.span[x], self.span[y]
        if not sx or not sy:
            return False
        return (max(sx[1], sy[1]) - min(sx[0], sy[0])).days > self.settings.window_days

    def clusters(self) -> list[list[str]]:
        return sorted(sorted(m) for m in self.members.values())

    def centroid_similarity(self, aid: str) -> float:
        return self._similarity(aid, self.story_of[aid])


def length_factor(size: int) -> float:
    """How much of the threshold an article of `size` distinct terms must reach (1 at SHORT_TERMS and above)."""
    return min(1.0, max(LENGTH_FLOOR, math.sqrt(size / SHORT_TERMS)))


def join_score(vectors: Vectors, x: str, y: str) -> float:
    """Two articles' cosine in units of the threshold they would meet: >= story_threshold joins them."""
    factor = length_factor(min(vectors.sizes.get(x, SHORT_TERMS), vectors.sizes.get(y, SHORT_TERMS)))
    return cosine(vectors.by_id[x], vectors.by_id[y]) / factor if factor else 0.0


def arrival_order(articles: Iterable[Article]) -> list[Article]:
    """Dated articles by date, then the undated (which may join any story), each by id."""
    return sorted(articles, key=lambda a: (a.published is None, a.published or date.min, a.id))


def story_index(articles: list[Article], settings: StorySettings, vectors: Vectors | None = None,
                terms: dict | None = None, meanings: dict | None = None,
                carried: list[tuple[str, list[Article]]] = (), whole: list[Article] | None = None,
                taken: frozenset[str] = frozenset(), weighed: tuple[Counter, int] | None = None) -> StoryIndex:
    """Cluster the originals among `articles` (copies follow their originals later), with the stories
    `carried` from an earlier block (key and members) as frozen stories they may join; or, given the
    `whole` collection, as stories open to refinement and merging, everything weighed by the whole
    collection's document frequencies; a story it starts takes no key in `taken` (those of stories
    elsewhere); `weighed`, the whole collection's document frequencies and size where they were summed
    elsewhere (features.tfidf_vectors). Return the filled index. `terms` holds features.article_terms
    already computed, by article id; `meanings` meaning.headline_row() results (with
    `settings.embeddings`, the rest are encoded here)."""
    originals = [a for a in articles if a.duplicate_of is None]
    context = [a for _, members in carried for a in members]
    everyone = [*context, *originals]
    found = Meanings.of(everyone, settings.embeddings, meanings, whole) if settings.embeddings > 0 else None
    frozen = whole is None
    index = StoryIndex(settings, vectors or tfidf_vectors(everyone, terms, whole, weighed), found)
    index.taken = frozenset(taken)
    for key, members in carried:
        index.carry(key, arrival_order(members), frozen)
    order = arrival_order(originals)
    for a in order:
        index.add(a)
    ids = [a.id for a in (order if frozen else arrival_order([*context, *originals]))]
    for _ in range(settings.passes - 1):
        if not index.refine(ids):
            break
    if settings.merge > 0 and index.merge_similar(settings.merge) and settings.passes > 1:
        index.refine(ids)  # members of a merged story may now suit another one better
    return index


# --- grouping a block at a time -----------------------------------------------------------------------

BLOCK_WINDOWS = 4  # a block spans this many story windows


@dataclass(frozen=True, slots=True)
class Grouped:
    """One story as the block that last took it leaves it: its key, its lead (the original closest to
    its centroid), its members (originals) and its strongest centroid terms."""

    key: str
    lead: str
    members: tuple[str, ...]
    top: tuple[str, ...]


def block_days(settings: StorySettings) -> int:
    return BLOCK_WINDOWS * max(1, settings.window_days)


def group_block(block: list[Article], carried: list[tuple[str, list[Article]]], settings: StorySettings,
                terms: dict | None = None, meanings: dict | None = None,
                whole: list[Article] | None = None, taken: frozenset[str] = frozenset(),
                weighed: tuple[Counter, int] | None = None) -> list[Grouped]:
    """Cluster one block's originals with the stories carried into it (frozen; or, given the `whole`
    collection, open and weighed by its document frequencies: see story_index); every story of the
    block, carried ones included, as Grouped, by key."""
    index = story_index(block, settings, terms=terms, meanings=meanings, carried=carried, whole=whole, taken=taken,
                        weighed=weighed)
    titled = {a.id for _, members in carried for a in members if a.title is not None}
    titled.update(a.id for a in block if a.title is not None)
    made = []
    for key in sorted(index.members):
        members = index.members[key]
        lead = min(members, key=lambda i: (-round(index.centroid_similarity(i), 9), i not in titled, i))
        total = index.sums[key]
        top = sorted(total, key=lambda t: (-total[t], t))[:MERGE_TERMS]
        made.append(Grouped(key, lead, tuple(sorted(members)), tuple(top)))
    return made


def story_groups(articles: list[Article], settings: StorySettings, terms: dict | None = None,
                 meanings: dict | None = None, run=None) -> list[Grouped]:
    """The stories of the originals among `articles`, grouped a block at a time.

    Dated articles fall in blocks of BLOCK_WINDOWS x window_days by date. A story spans at most
    window_days, so an article can only share a story with articles of its own block or with the
    stories still open at the block's start (a member dated within window_days before it); those are
    carried into the block as frozen stories it may add to. Each block is weighed by its own
    document frequencies (its articles and the carried ones): grouping a block reads nothing of the
    archive beyond what is carried, so a build re-groups only the blocks whose input changed.
    Undated articles come last, as one block that carries in the dated stories their strongest
    terms find, open to refinement, everything weighed by the whole collection's document
    frequencies, coarsely (features.IDF_STEPS; time cannot place an undated article, so it is weighed
    against everything).
    `run(block, carried, whole, taken)` groups one block; the default is group_block with these settings, and
    the build passes one that keeps the result in its cache."""
    originals = [a for a in articles if a.duplicate_of is None]
    by_id = {a.id: a for a in originals}
    if run is None:
        def run(block, carried, whole, taken):
            return group_block(block, carried, settings, terms, meanings, whole, taken)
    days = block_days(settings)
    blocks: dict[int, list[Article]] = defaultdict(list)
    undated = []
    for a in originals:
        if a.published is None:
            undated.append(a)
        else:
            blocks[a.published.toordinal() // days].append(a)

    def latest(g: Grouped) -> date | None:
        return max((d for d in (by_id[i].published for i in g.members) if d), default=None)

    done: dict[str, Grouped] = {}
    pending: list[Grouped] = []
    for b in sorted(blocks):
        reach = b * days - settings.window_days  # the earliest day (ordinal) still open at the block's start
        carried = []
        for g in pending:
            last = latest(g)
            if last is not None and last.toordinal() >= reach:
                carried.append(g)
            else:
                done[g.key] = g
        pending = _run(run, blocks[b], carried, by_id)
    done.update((g.key, g) for g in pending)
    if undated:
        wanted = [done.pop(key) for key in sorted(_undated_candidates(undated, done.values(), terms))]
        # Carried members may leave their stories here and start new ones: none may take the key of a
        # dated story that was not carried in (it would replace that story).
        done.update((g.key, g) for g in _run(run, undated, wanted, by_id, whole=originals, taken=frozenset(done)))
    return [done[key] for key in sorted(done)]


def _run(run, block: list[Article], carried: list[Grouped], by_id: dict[str, Article],
         whole: list[Article] | None = None, taken: frozenset[str] = frozenset()) -> list[Grouped]:
    """One block's stories; a carried story whose members did not change stays as its own block left it."""
    before = {g.key: g for g in carried}
    made = run(sorted(block, key=lambda a: a.id), [(g.key, [by_id[i] for i in g.members]) for g in carried], whole,
               taken)
    return [before[g.key] if g.key in before and before[g.key].members == g.members else g for g in made]


def _undated_candidates(undated: list[Article], dated: Iterable[Grouped], terms: dict | None) -> set[str]:
    """The dated stories an undated article might join: those sharing most of its strongest terms
    (MAX_CANDIDATES for each article, found by the stories' strongest centroid terms)."""
    postings: dict[str, list[str]] = defaultdict(list)
    for g in dated:
        for t in g.top:
            postings[t].append(g.key)
    if not postings:
        return set()
    vectors = tfidf_vectors(undated, terms)
    wanted: set[str] = set()
    for a in undated:
        v = vectors.by_id[a.id]
        hits: Counter[str] = Counter()
        for t in sorted(v, key=lambda t: (-v[t], t))[:INDEX_TERMS]:
            if len(postings.get(t, ())) <= MERGE_POSTING:
                hits.update(postings.get(t, ()))
        wanted.update(k for k, _ in heapq.nsmallest(MAX_CANDIDATES, hits.items(), key=lambda kv: (-kv[1], kv[0])))
    return wanted


def story_clusters(articles: list[Article], settings: StorySettings, meanings: dict | None = None) -> list[list[str]]:
    """Groups of article ids, one per story; each copy in its original's story."""
    return _with_copies([list(g.members) for g in story_groups(articles, settings, meanings=meanings)], articles)


def _with_copies(clusters: list[list[str]], articles: list[Article]) -> list[list[str]]:
    home = {i: n for n, ids in enumerate(clusters) for i in ids}
    groups = [list(ids) for ids in clusters]
    for a in articles:
        if a.id not in home:
            original = a.duplicate_of
            if original in home:
                home[a.id] = home[original]
                groups[home[a.id]].append(a.id)
            else:  # an article with no story yet (a copy of something absent): a story of its own
                home[a.id] = len(groups)
                groups.append([a.id])
    return sorted(sorted(g) for g in groups)


def stories(articles: list[Article], settings: StorySettings, terms: dict | None = None,
            meanings: dict | None = None, run=None, slugs: dict[str, str] | None = None) -> list[Story]:
    """Stories newest first, each with its lead article first; slugs unique and stable for a title.
    `terms`, `meanings` and `run` as for story_groups. `slugs`: title -> its slug, from an earlier build,
    kept up to date here (python-slugify takes 30 us a title: 0.2 s of an edit's rebuild at 10,000)."""
    slugs = {} if slugs is None else slugs
    by_id = {a.id: a for a in articles}
    groups = story_groups(articles, settings, terms, meanings, run)
    lead_of = {g.members[0]: g.lead for g in groups}
    made = []
    for ids in _with_copies([list(g.members) for g in groups], articles):
        originals = [i for i in ids if by_id[i].duplicate_of is None]
        lead = lead_of[originals[0]] if originals else min(ids, key=lambda i: (by_id[i].title is None, i))
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
        base = slugs.get(title)
        if base is None:
            base = slugs[title] = slugify(title, max_length=80, word_boundary=True)
        base = base or f"story-{slugify(lead) or 'untitled'}"
        slug, n = base, 2
        while slug in taken:
            slug, n = f"{base}-{n}", n + 1
        taken.add(slug)
        result.append(Story(slug, title, tuple(ids)))
    return result
