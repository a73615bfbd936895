"""Bare headlines grouped by meaning too (story_embeddings, newsgen.meaning): a headline with no body
shares few words with its story, so its sentence embedding stands beside its words; articles with a
body are grouped by their words alone whatever the setting. Headline-only Markdown files build.

The model tests need the `embeddings` extra (the test command installs it) and skip, saying so, without it.
"""
from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import date

import pytest

from newsgen.analysis import embeddings
from newsgen.build import build
from newsgen.config import Config
from newsgen.copies import mark_copies
from newsgen.loader import load_articles
from newsgen.meaning import Meanings, bare_headline
from newsgen.model import Article, Source
from newsgen.stories import StorySettings, stories

from conftest import tree_digest

needs_extra = pytest.mark.skipif(
    not embeddings.available(),
    reason="optional 'embeddings' extra not installed (pip install 'newsgen[embeddings]')")

# Made-up headlines of one day: a market slide, a hurricane, and unrelated news around them. The school
# budget shares only its state's name with the hurricane's headlines.
HEADLINES = {
    "market-1": "Stocks slide as oil prices tumble",
    "market-2": "Wall Street ends lower as crude prices sink",
    "market-3": "Dow drops 300 points as oil shares sink",
    "market-4": "Energy selloff drags stocks lower",
    "storm-1": "Hurricane Lena makes landfall in Florida",
    "storm-2": "Storm Lena batters Florida coast with 120 mph winds",
    "storm-3": "Thousands flee as Lena hits Florida",
    "storm-4": "Lena weakens to tropical storm after pounding the coast",
    "budget": "Florida governor signs school budget",
    "other-1": "City council approves new ferry route",
    "other-2": "Museum reopens after two-year renovation",
    "other-3": "Rail strike halts commuter trains across the region",
    "other-4": "Court blocks merger of two grocery chains",
    "other-5": "Researchers find water ice near lunar south pole",
    "other-6": "Film festival opens with documentary on jazz legend",
    "other-7": "Vaccine maker recalls batch over contamination fears",
    "other-8": "Striker signs four-year deal with champions",
    "other-9": "Parliament passes data privacy law",
    "other-10": "Wildfire forces evacuations in mountain towns",
    "other-11": "Central bank holds interest rates steady",
    "other-12": "Teachers union calls off planned walkout",
}


def _headline(aid: str, title: str) -> Article:
    return Article(aid, f"{aid}.md", "md", title, None, None, Source(f"Outlet {aid}", ""), None,
                   date(2024, 3, 10), (), (), ())


def _groups(articles: list[Article], weight: float) -> set[frozenset[str]]:
    found = stories(articles, StorySettings(0.3, 7, 3, 2.5, weight))
    return {frozenset(s.article_ids) for s in found if len(s.article_ids) > 1}


@needs_extra
def test_a_headline_that_shares_only_a_place_with_a_story_stays_out_of_it_by_meaning():
    articles = [_headline(k, t) for k, t in HEADLINES.items()]
    market = frozenset(k for k in HEADLINES if k.startswith("market"))
    storm = frozenset(k for k in HEADLINES if k.startswith("storm"))
    # Words alone: "Florida" is enough for a headline of five words to join the hurricane.
    assert _groups(articles, 0) == {market, storm | {"budget"}}
    # With its meaning the budget stands alone, and every hurricane headline stays together.
    assert _groups(articles, 0.6) == {market, storm}


@needs_extra
def test_articles_with_a_body_are_grouped_by_their_words_whatever_the_weight(seeds_and_stories):
    loaded = load_articles(Config(), seeds_and_stories).articles
    assert loaded and not any(bare_headline(a) for a in loaded)
    marked = mark_copies(list(loaded), 0.5, 0.8)
    settings = Config().story_settings
    assert stories(marked, settings) == stories(marked, replace(settings, embeddings=0.6))


@needs_extra
def test_meanings_are_centred_unit_rows_scaled_to_the_weight_and_only_for_bare_headlines():
    import numpy as np

    articles = [_headline(k, t) for k, t in HEADLINES.items()]
    found = Meanings.of(articles, 0.6)
    assert set(found.rows) == set(HEADLINES)
    for row in found.rows.values():
        assert abs(float(np.linalg.norm(row)) - 0.6) < 1e-9
    # Centred: the rows' mean is what shrinking toward nothing leaves of the collection's mean, far
    # smaller than the raw rows' shared direction.
    raw = np.vstack([embeddings.encode([t])[0] for t in HEADLINES.values()]).astype(np.float64)
    assert float(np.linalg.norm(raw.mean(axis=0))) > 0.3
    assert float(np.linalg.norm(np.vstack(list(found.rows.values())).mean(axis=0))) < 0.2
    assert Meanings.of(articles, 0).rows == {}


def _write_headlines(folder, items: dict[str, tuple[str, str]]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for aid, (title, source) in items.items():
        (folder / f"{aid}.md").write_text(
            f"---\ntitle: {title}\nsource: {source}\nurl: https://example.org/{aid}\ndate: 2024-03-10\n---\n",
            encoding="utf-8")


@needs_extra
def test_headline_only_markdown_builds_and_the_pages_say_there_is_no_text(tmp_path):
    articles = tmp_path / "articles"
    _write_headlines(articles, {k: (t, f"Outlet {n}") for n, (k, t) in enumerate(HEADLINES.items())})
    config = Config(root=tmp_path, search=False, story_embeddings=0.6)
    out, cache = tmp_path / "out", tmp_path / "cache"
    summary = build(config, out, articles, cache_dir=cache, jobs=1)
    assert summary.stories == 15  # the market slide, the hurricane, and 13 headlines alone
    from test_incremental import stored

    assert len(stored(cache, "meanings")) == len(HEADLINES)  # every bare headline's embedding, kept for the next build
    story = next(p for p in (out / "stories").rglob("index.html") if "Lena" in p.read_text(encoding="utf-8"))
    page = story.read_text(encoding="utf-8")
    assert "The sources here give headlines only: there is no text to compare." in page
    assert 'id="relate-h"' not in page  # no "How the sources relate": no sentences to restate
    source = (out / "sources" / "outlet-0" / "index.html").read_text(encoding="utf-8")
    assert "Headline only: the file gives no text; the report is at its source." in source

    # An edit regroups from the cached meanings and gives a clean build's bytes.
    (articles / "budget.md").write_text((articles / "budget.md").read_text(encoding="utf-8").replace(
        "school budget", "school budget after long debate"), encoding="utf-8")
    build(config, out, articles, cache_dir=cache, jobs=1)
    clean = tmp_path / "clean"
    shutil.rmtree(clean, ignore_errors=True)
    build(config, clean, articles, cache_dir=None, jobs=1)
    assert tree_digest(out) == tree_digest(clean)


def test_a_markdown_file_with_a_body_of_junk_alone_is_still_an_error(tmp_path):
    from newsgen.errors import BuildError
    from newsgen.loader import load_article

    path = tmp_path / "junk.md"
    path.write_text("---\ntitle: A headline\n---\nSign up for our newsletter\n", encoding="utf-8")
    with pytest.raises(BuildError, match="no article text left"):
        load_article(path, Config(), [])
    path.write_text("---\ntitle: A headline\n---\n\n", encoding="utf-8")
    article = load_article(path, Config(), [])
    assert article.title == "A headline" and bare_headline(article)
    path.write_text("---\nsource: Example Wire\n---\n", encoding="utf-8")  # no headline, no text: nothing
    with pytest.raises(BuildError, match="no article text left"):
        load_article(path, Config(), [])
