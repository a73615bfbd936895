"""What a bare headline means: sentence embeddings for story grouping (stories.py, `story_embeddings`).

An article with no body is only its headline, and two headlines of one story often share no word. For
those articles grouping adds the headline's sentence embedding (analysis/embeddings.py, the optional
`embeddings` extra). Every headline embedding shares a direction with every other (the cosine of two
unrelated headlines is about 0.1-0.2), so the rows are centred on the collection's mean first; with few
headlines their mean says little, and the centre shrinks toward nothing as IDF shrinks toward 1
(features.IDF_PRIOR_DOCS).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .features import IDF_PRIOR_DOCS
from .model import Article


def bare_headline(article: Article) -> bool:
    """An article that is a headline and nothing more: what its words cannot place, its meaning may."""
    return bool(article.title and article.title.strip()) and not article.has_paragraphs


def headline_row(article: Article, _shared=None):
    """The raw embedding (float32, unit length) of a bare headline: a cache task, one article at a time
    (encoding gives the same bits alone as in a batch)."""
    from .analysis import embeddings

    return embeddings.encode([article.title])[0]


def headline_rows(articles: Iterable[Article]) -> dict:
    """Raw embeddings of the bare headlines among `articles`, in one batch, by article id."""
    from .analysis import embeddings

    bare = [a for a in articles if bare_headline(a)]
    return dict(zip((a.id for a in bare), embeddings.encode([a.title for a in bare]))) if bare else {}


@dataclass(frozen=True, slots=True)
class Meanings:
    """The meaning part of each bare headline's story vector, by article id: the raw row centred,
    scaled to unit length and then to the weight (float64, so that a dot product is the meaning's share
    of a cosine)."""

    rows: dict

    @classmethod
    def none(cls) -> Meanings:
        return cls({})

    @classmethod
    def of(cls, articles: list[Article], weight: float, raw: Mapping | None = None,
           whole: list[Article] | None = None) -> Meanings:
        """The meanings of the bare headlines among `articles`, centred on the mean of those among
        `whole` (a larger collection they belong to; default: themselves); `raw` holds headline_row()
        results already computed (the build's cache; read only for these ids), else they are
        encoded here."""
        bare = sorted(a.id for a in articles if bare_headline(a))
        if not bare or weight <= 0:
            return cls.none()
        import numpy as np

        everyone = {a.id: a for a in (whole if whole is not None else articles)}
        everyone.update((a.id, a) for a in articles)
        centred = sorted(i for i, a in everyone.items() if bare_headline(a))
        raw = raw if raw is not None else {}
        encoded = headline_rows(everyone[i] for i in centred if i not in raw)
        rows = {i: np.asarray(encoded[i] if i in encoded else raw[i], dtype=np.float64) for i in centred}
        centre = np.vstack([rows[i] for i in centred]).mean(axis=0) * (len(centred) / (len(centred) + IDF_PRIOR_DOCS))
        matrix = np.vstack([rows[i] for i in bare])
        matrix -= centre
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        matrix *= weight / np.clip(norms, 1e-12, None)
        return cls({i: matrix[n] for n, i in enumerate(bare)})
