"""An article's sentences, numbered: the unit every finding points at.

Sentence `n` of an article is the n-th sentence of its body in reading order (paragraphs, quotations and
list items, each split by `text.sentence_spans`). The source page gives each one an anchor, so a claim,
quote, figure or date can link to the very sentence it came from.
"""
from __future__ import annotations

from ..model import Article
from ..text import split_sentences


def article_sentences(article: Article) -> list[str]:
    """The article's body sentences in reading order; a finding's `sentence` is an index into this list."""
    return [s for p in article.paragraphs for s in split_sentences(p)]


def sentence_paragraphs(article: Article) -> list[int]:
    """For each sentence of `article_sentences`, the index of the paragraph (body text unit) it is in."""
    return [i for i, p in enumerate(article.paragraphs) for _ in split_sentences(p)]
