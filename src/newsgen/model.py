"""The shared vocabulary of every stage: frozen dataclasses, no behaviour beyond derived views.

A stage takes model objects and returns new ones; nothing here is mutated after it is made.
"""
from __future__ import annotations

import pickle
from dataclasses import dataclass, field, fields
from operator import attrgetter
from datetime import date, datetime
from typing import NamedTuple



def record(cls=None, *, lazy: dict | None = None):
    """A frozen, slotted dataclass that pickles as (its class, its field values).

    Python's own pickling of a slotted dataclass looks its fields up again for every object; a site's
    analyses took 3.4 s to pickle and unpickle that way. Results cross processes (the pool, a Dask
    cluster) and go into the build cache as pickles, so this is worth its few lines.

    The `lazy` fields (name -> whether a value is worth it) pickle as a pickle of their own (`Pickled`),
    unpickled the first time the field is read: an article's body is nine tenths of its pickle, and a
    rebuild reads 10,000 articles from the cache where it needs the bodies of the few it analyses again
    (the main process of a build passes articles between processes without reading most bodies)."""
    if cls is None:
        return lambda c: record(c, lazy=lazy)
    lazy = lazy or {}
    cls = dataclass(frozen=True, slots=True)(cls)
    names = [f.name for f in fields(cls)]
    for name in lazy:
        setattr(cls, name, _Lazy(cls.__dict__[name]))
    if not lazy:
        values = stored = attrgetter(*names) if len(names) > 1 else (lambda obj: (getattr(obj, names[0]),))
    else:
        slots = [cls.__dict__[n].slot if n in lazy else None for n in names]

        def stored(obj):  # the field values, a lazy one as it is held (pickled or not)
            return tuple(getattr(obj, n) if slot is None else slot.__get__(obj) for n, slot in zip(names, slots))

        worth = [lazy.get(n) for n in names]

        def values(obj):
            return tuple(v if slot is None or type(v) is Pickled or not when(v)
                         else Pickled(pickle.dumps(v, protocol=pickle.HIGHEST_PROTOCOL))
                         for v, slot, when in zip(stored(obj), slots, worth))

    def __reduce__(self):
        return cls, values(self)

    cls.__reduce__ = __reduce__
    cls._stored = staticmethod(stored)
    return cls


class Pickled(NamedTuple):
    """A lazy field's value as its pickle (see `record`)."""

    data: bytes


class _Lazy:
    """A slot that may hold its value pickled, unpickled (and kept) when it is first read."""

    def __init__(self, slot):
        self.slot = slot  # the slot's own member descriptor

    def __get__(self, obj, owner=None):
        if obj is None:
            return self
        value = self.slot.__get__(obj, owner)
        if type(value) is Pickled:
            value = pickle.loads(value.data)
            self.slot.__set__(obj, value)
        return value

    def __set__(self, obj, value):
        self.slot.__set__(obj, value)

    def __delete__(self, obj):
        self.slot.__delete__(obj)


def evolve(obj, **changes):
    """dataclasses.replace for a `record`, without unpickling its lazy fields."""
    cls = type(obj)
    return cls(**{**dict(zip((f.name for f in fields(cls)), cls._stored(obj))), **changes})


@record
class Removed:
    """A piece of the input the loader dropped, and the rule that dropped it."""

    line: int  # 1-based line in the file; 0 where the format keeps no line numbers
    text: str
    rule: str
    reason: str


@record
class Mark:
    """Inline formatting a Markdown body kept through the sanitiser, over text[start:end]."""

    start: int
    end: int
    tag: str  # one of INLINE_TAGS
    href: str | None = None  # for "a": an http(s) address


INLINE_TAGS = ("a", "em", "strong", "code", "del", "sub", "sup")


@record
class Block:
    """One body element: a paragraph, a list or a quotation."""

    kind: str  # "p" | "ul" | "ol" | "quote"
    text: str = ""  # for "p" and "quote"
    items: tuple[str, ...] = ()  # for "ul" and "ol"
    line: int = 0
    marks: tuple[tuple[Mark, ...], ...] = ()  # formatting, one tuple per entry of `texts`; () for none

    @property
    def texts(self) -> tuple[str, ...]:
        return self.items if self.kind in ("ul", "ol") else (self.text,)


@record
class Section:
    heading: str | None
    blocks: tuple[Block, ...]


@record
class Source:
    """The outlet that published an article. `name` is None when the input does not say."""

    name: str | None
    slug: str
    url: str | None = None
    label_hint: str = ""  # for an unknown source: the file it stands for

    @property
    def known(self) -> bool:
        return self.name is not None

    @property
    def label(self) -> str:
        if self.name:
            return self.name
        return f"Unknown source ({self.label_hint})" if self.label_hint else "Unknown source"


def _any_text(sections: tuple[Section, ...]) -> bool:
    return any(b.texts for s in sections for b in s.blocks)


@record(lazy={"sections": _any_text})  # held pickled only when there is text: see has_paragraphs
class Article:
    id: str  # the file's stem: a public, stable identifier
    path: str  # the file as the user named it, for messages
    format: str  # "txt" | "md" | "html"
    title: str | None
    dek: str | None
    byline: str | None
    source: Source
    url: str | None
    published: date | None
    tags: tuple[str, ...]
    sections: tuple[Section, ...]
    removed: tuple[Removed, ...]
    duplicate_of: str | None = None
    reuse: float = 0.0  # share of the shorter of this text and its original that the two have in common
    modified: datetime | None = None  # when the file was last changed (UTC): feeds' <updated>, never a publication date

    @property
    def display_title(self) -> str:
        return self.title or f"Untitled ({self.path.rsplit('/', 1)[-1]})"

    @property
    def paragraphs(self) -> tuple[str, ...]:
        """Every body text unit in reading order: paragraphs, quotes and list items."""
        return tuple(t for s in self.sections for b in s.blocks for t in b.texts)

    @property
    def has_paragraphs(self) -> bool:
        """Whether `paragraphs` is not empty, without unpickling a body held pickled (see `record`): one is
        pickled only when it has text."""
        held = Article.sections.slot.__get__(self)
        return type(held) is Pickled or _any_text(held)

    @property
    def body_text(self) -> str:
        return "\n\n".join(self.paragraphs)

    @property
    def lead(self) -> str:
        if self.dek:
            return self.dek
        paragraphs = self.paragraphs
        return paragraphs[0] if paragraphs else ""


@record
class Mention:
    """One article's own wording of a claim."""

    article_id: str
    text: str
    sentence: int | None = None  # index into the article's sentences (analysis.sentences); None: the headline


@record
class Claim:
    text: str  # the representative wording
    mentions: tuple[Mention, ...]

    @property
    def article_ids(self) -> tuple[str, ...]:
        return tuple(m.article_id for m in self.mentions)


@record
class Entity:
    name: str
    kind: str  # "person" | "organisation" | "place" | "other"
    article_ids: tuple[str, ...]
    aliases: tuple[str, ...] = ()
    linked: tuple[str, ...] = ()  # names of related entities of the same story (a capital's country, and back)


@record
class ArticleSentences:
    """An article's body sentences (numbered as in analysis.sentences), split into those another source
    states too and those only this one states (sentences too short to state anything are in neither)."""

    article_id: str
    sentences: tuple[str, ...]
    shared: tuple[int, ...]
    unique: tuple[int, ...]


@record
class Relation:
    """Two articles of a story: statements they both make, and the share of wording they have in common."""

    a: str
    b: str
    shared_claims: int
    overlap: float  # Jaccard of word 5-gram shingles, 0..1
    a_in_b: float = 0.0  # share of a's sentences that b states too (in its own words or the same)
    b_in_a: float = 0.0  # share of b's sentences that a states too
    kind: str = "independent"  # "copy" | "rewrite" | "independent"


@record
class StoryAnalysis:
    shared_claims: tuple[Claim, ...]
    per_article: tuple[ArticleSentences, ...]
    entities: tuple[Entity, ...]
    relations: tuple[Relation, ...] = ()
    quotes: tuple = ()  # analysis.quotes.Quote
    figures: tuple = ()  # analysis.figures.Figure
    timeline: tuple = ()  # analysis.timeline.Event


@record
class Story:
    id: str  # the slug: stable while the lead headline is
    title: str
    article_ids: tuple[str, ...]  # reading order: the lead article first


@record
class Site:
    """Everything the renderer needs, after every stage has run."""

    articles: tuple[Article, ...]
    stories: tuple[Story, ...]
    analyses: tuple[StoryAnalysis, ...]  # one per story, same order (a cache.Stored where it is in the cache;
    # its pickle, a cache.Packed, where the cache is on but could not keep it)
    keys: dict = field(default_factory=dict)  # article id -> its file's cache key (with a cache)
    shared: dict | None = None  # article id -> its shared sentences' numbers; None: read from the analyses
