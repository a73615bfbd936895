"""The model's records: an article's body travels pickled and is unpickled only when it is read."""
from __future__ import annotations

import pickle

from hypothesis import given, settings, strategies as st

from newsgen.model import Article, Block, Pickled, Section, Source, evolve


def article(sections) -> Article:
    return Article("a", "a.txt", "txt", "Title", None, None, Source("Outlet", "outlet"), None, None, (),
                   tuple(sections), ())


def held(a: Article):
    """What the article's sections slot holds, without unpickling it."""
    return Article.sections.slot.__get__(a)


BODY = [Section(None, (Block("p", "First paragraph."), Block("ul", items=("one", "two")))),
        Section("More", (Block("quote", "A quote."),))]


def test_a_body_pickles_apart_and_is_unpickled_when_it_is_first_read():
    a = article(BODY)
    b = pickle.loads(pickle.dumps(a))
    assert type(held(b)) is Pickled  # not unpickled with the article
    moved = evolve(b, duplicate_of="x", reuse=0.5)
    assert type(held(moved)) is Pickled and moved.duplicate_of == "x" and moved.reuse == 0.5
    assert pickle.loads(pickle.dumps(b)) == a  # passed on pickled as it came
    assert b.sections == a.sections and type(held(b)) is tuple  # read: unpickled, and kept so
    assert b == a and hash(b) == hash(a) and repr(b) == repr(a)
    assert moved.paragraphs == a.paragraphs == ("First paragraph.", "one", "two", "A quote.")


def test_a_body_without_text_is_never_held_pickled():
    for sections in ([], [Section("Heading only", ())], [Section(None, (Block("ul"),))]):
        b = pickle.loads(pickle.dumps(article(sections)))
        assert type(held(b)) is tuple and not b.has_paragraphs and b.paragraphs == ()


words = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
blocks = st.one_of(st.builds(Block, st.sampled_from(["p", "quote"]), words),
                   st.builds(lambda kind, items: Block(kind, items=tuple(items)), st.sampled_from(["ul", "ol"]),
                             st.lists(words, max_size=3)))
sections = st.lists(st.builds(lambda h, b: Section(h, tuple(b)), st.none() | words, st.lists(blocks, max_size=3)),
                    max_size=3)


@settings(max_examples=300, derandomize=True, deadline=None)
@given(sections)
def test_has_paragraphs_says_what_paragraphs_says_pickled_or_not(body):
    a = article(body)
    b = pickle.loads(pickle.dumps(a))
    assert a.has_paragraphs == b.has_paragraphs == bool(a.paragraphs)
    assert b == a and b.body_text == a.body_text
