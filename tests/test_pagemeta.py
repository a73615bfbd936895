"""What a saved page states about itself (pagemeta.read_meta), read from pages parsed as the loader
parses them (trafilatura.load_html)."""
from __future__ import annotations

import json

import trafilatura

from newsgen.pagemeta import read_meta


def meta(head: str, body: str = "<p>Text.</p>"):
    return read_meta(trafilatura.load_html(f"<html><head>{head}</head><body>{body}</body></html>"))


def ld(obj) -> str:
    return f'<script type="application/ld+json">{json.dumps(obj)}</script>'


def test_json_ld_article_in_a_graph_wins_over_open_graph():
    page = meta(ld({"@context": "https://schema.org", "@graph": [
        {"@type": "WebSite", "name": "Not the article"},
        {"@type": ["NewsArticle"], "headline": "Council backs the new ferry route",
         "description": "A second route to the islands.", "datePublished": "2025-03-04T18:00:00+01:00",
         "author": [{"@type": "Person", "name": "Ana Lima"}, {"name": "Joe Park"}, "https://example.com/staff"],
         "publisher": {"@type": "Organization", "name": "Harbour Gazette"},
         "mainEntityOfPage": {"@id": "https://gazette.example.com/ferry"}}]})
        + '<meta property="og:title" content="Ferry | Harbour Gazette">')
    assert page.title == "Council backs the new ferry route"
    assert page.description == "A second route to the islands."
    assert page.author == "Ana Lima, Joe Park"  # an address is not a name
    assert page.sitename == "Harbour Gazette"
    assert page.published.isoformat() == "2025-03-04"
    assert page.url == "https://gazette.example.com/ferry"


def test_open_graph_and_meta_when_there_is_no_json_ld():
    page = meta('<title>Ferry route approved - Harbour Gazette</title>'
                '<meta property="og:site_name" content="Harbour Gazette">'
                '<meta name="author" content="Ana Lima">'
                '<meta property="article:published_time" content="2025/03/04">'
                '<link rel="canonical" href="https://gazette.example.com/ferry">'
                '<meta name="description" content="O&#039;Brien&#039;s ferry.">')
    assert page.title == "Ferry route approved"  # the site's name after the dash is not the headline's
    assert page.author == "Ana Lima" and page.sitename == "Harbour Gazette"
    assert page.published.isoformat() == "2025-03-04"
    assert page.url == "https://gazette.example.com/ferry"
    assert page.description == "O'Brien's ferry."  # entities in an attribute's text are read as characters


def test_markup_gives_the_byline_and_the_articles_own_date_only():
    body = ('<aside><time datetime="2020-01-01">Older story</time></aside>'
            '<article><h1>Ferry route approved</h1><p class="byline">By Ana Lima</p>'
            '<time datetime="2025-03-04T09:00">4 March</time><p>Text.</p></article>')
    page = meta("", body)
    assert page.title == "Ferry route approved"  # the one <h1>
    assert page.author == "Ana Lima"  # "By" is not part of the name
    assert page.published.isoformat() == "2025-03-04"  # the <time> in the article, not the sidebar's
    sidebar_only = meta("", '<aside><time datetime="2020-01-01">Older story</time></aside><p>Text.</p>')
    assert sidebar_only.published is None  # never a date the article does not state


def test_nothing_stated_is_nothing_known_and_bad_json_ld_is_skipped():
    page = meta('<script type="application/ld+json">{not json</script>', "<h1>One</h1><h1>Two</h1><p>Text.</p>")
    assert page == type(page)()  # two <h1>s: neither is surely the headline; no author, date or site
    assert meta('<meta name="author" content="https://example.com/u/1">').author is None
    assert meta('<meta name="date" content="2025-02-30">').published is None  # not a day
