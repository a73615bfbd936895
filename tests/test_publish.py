"""What a publisher ships besides the pages: feeds, sitemap, robots.txt, structured data, canonical
links, theme overrides, links that resolve from file://, and `newsgen serve`.

Feeds are read back with feedparser (the reference parser); the JSON Feed is checked against a schema
written here from the JSON Feed 1.1 specification (https://www.jsonfeed.org/version/1.1/).
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import urllib.request
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from newsgen.cli import main

from conftest import REPO, preview

BASE = "https://news.example.org/world/"

STORY_A = """---
title: "Harbour <script>alert(1)</script> cranes stop after storm"
source: Coast Courier
author: Ada Lind
published: 2025-03-04
tags: [weather, ports]
---

Dock workers at the northern harbour stopped every crane on Tuesday after a storm tore through the port overnight, the harbour authority said.

The authority said about 40 containers had fallen into the water and that divers would search the basin on Wednesday morning.
"""

STORY_B = """---
title: Storm topples containers at northern harbour
source: Valley Times
published: 2025-03-05
---

A storm that swept across the northern harbour overnight knocked about 40 containers into the water and stopped every crane, the harbour authority said on Tuesday.

Divers will search the basin on Wednesday, the authority said, and the port will stay closed until the cranes are inspected.
"""

OTHER = """Library opens new reading room

The city library opened a new reading room on Saturday with space for 200 readers and a children's corner, the head librarian said.

The reading room was paid for by a bequest from a former teacher who had used the library for fifty years.
"""


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """A small site with base_url set, built once for the module."""
    root = tmp_path_factory.mktemp("pub")
    articles = root / "articles"
    articles.mkdir()
    (articles / "harbour_a.md").write_text(STORY_A, encoding="utf-8")
    (articles / "harbour_b.md").write_text(STORY_B, encoding="utf-8")
    (articles / "library.txt").write_text(OTHER, encoding="utf-8")
    # One story on the front page: the other is reached through the monthly archive, so every check
    # below (sitemap, tags, links) covers the archive pages too.
    (root / "site.yaml").write_text(f"title: Harbour News\nbase_url: {BASE}\nlanguage: en-GB\nfront_page_stories: 1\n",
                                    encoding="utf-8")
    out = root / "site"
    assert main(["build", "--config", str(root / "site.yaml"), "--out", str(out), "-q"]) == 0
    return out


def _pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html") if "pagefind" not in p.parts)


# --- feeds ------------------------------------------------------------------------------------------

def test_atom_feed_parses_without_errors_and_lists_every_story(published):
    import feedparser

    index = json.loads((published / "index.json").read_text(encoding="utf-8"))
    feed = feedparser.parse((published / "feed.atom").read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert feed.feed.title == "Harbour News"
    links = {e.link for e in feed.entries}
    assert links == {BASE + s["page"] for s in index["stories"]}
    assert all(e.id.startswith(BASE) for e in feed.entries)
    harbour = next(e for e in feed.entries if "harbour" in e.link)
    assert harbour.published.startswith("2025-03-04")  # the earliest date a source states
    assert harbour.updated.startswith("2025-03-05")  # the newest
    # The undated story has no <published>: no date is invented for it.
    undated = next(e for e in feed.entries if "library" in e.link)
    assert "published" not in undated


def test_feed_text_is_text_never_markup(published):
    import feedparser

    raw = (published / "feed.atom").read_bytes()
    assert b"<script" not in raw
    for path in [published / "feed.atom", *published.glob("sources/*/feed.atom")]:
        for e in feedparser.parse(path.read_bytes()).entries:
            # feedparser sanitises HTML summaries; what the reader shows must still say "<script>" as text
            assert "<script" not in e.get("summary", "").replace("&lt;script", "")
    source_feed = feedparser.parse((published / "sources/coast-courier/feed.atom").read_bytes())
    assert not source_feed.bozo
    [entry] = source_feed.entries
    assert entry.title == "Harbour <script>alert(1)</script> cranes stop after storm"
    assert entry.author == "Ada Lind"
    assert {t.term for t in entry.tags} == {"weather", "ports"}


JSON_FEED_SCHEMA = {  # JSON Feed 1.1, as its specification states the top level and items
    "type": "object",
    "required": ["version", "title", "items"],
    "properties": {
        "version": {"const": "https://jsonfeed.org/version/1.1"},
        "title": {"type": "string"}, "description": {"type": "string"}, "language": {"type": "string"},
        "home_page_url": {"type": "string"}, "feed_url": {"type": "string"},
        "items": {"type": "array", "items": {
            "type": "object", "required": ["id"],
            "anyOf": [{"required": ["content_html"]}, {"required": ["content_text"]}],
            "additionalProperties": False,
            "properties": {
                "id": {"type": "string"}, "url": {"type": "string"}, "title": {"type": "string"},
                "content_text": {"type": "string"}, "content_html": {"type": "string"},
                "summary": {"type": "string"}, "date_published": {"type": "string"},
                "date_modified": {"type": "string"}, "tags": {"type": "array", "items": {"type": "string"}},
                "authors": {"type": "array", "items": {"type": "object", "minProperties": 1,
                                                       "properties": {"name": {"type": "string"}}}},
            }}},
    },
    "patternProperties": {"^_": {"type": "object"}},
    "additionalProperties": False,
}


def test_json_feed_validates(published):
    import jsonschema

    data = json.loads((published / "feed.json").read_text(encoding="utf-8"))
    jsonschema.validate(data, JSON_FEED_SCHEMA)
    assert data["feed_url"] == BASE + "feed.json" and data["home_page_url"] == BASE + "index.html"
    assert len(data["items"]) == 2
    for item in data["items"]:
        assert item["url"].startswith(BASE)
        for key in ("date_published", "date_modified"):
            if key in item:
                assert datetime.fromisoformat(item[key]).tzinfo is not None  # RFC 3339: with an offset


# --- sitemap, robots, head metadata ------------------------------------------------------------------

class _Head(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[tuple[str, str]] = []  # (attribute, value) of every href/src
        self.meta: dict[str, str] = {}
        self.rel: dict[str, list[str]] = {}
        self.ids: set[str] = set()
        self.lang = None
        self.ld: list[str] = []
        self._in_ld = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang")
        if "id" in a:
            self.ids.add(a["id"])
        for key in ("href", "src"):
            if a.get(key) is not None:
                self.links.append((f"{tag}[{key}]", a[key]))
        if tag == "meta":
            name = a.get("property") or a.get("name")
            if name:
                self.meta[name] = a.get("content", "")
        if tag == "link" and a.get("rel"):
            self.rel.setdefault(a["rel"], []).append(a.get("href", ""))
        self._in_ld = tag == "script" and a.get("type") == "application/ld+json"

    def handle_data(self, data):
        if self._in_ld:
            self.ld.append(data)

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_ld = False


def _parse(path: Path) -> _Head:
    h = _Head()
    h.feed(path.read_text(encoding="utf-8"))
    return h


def test_sitemap_lists_every_page_and_robots_names_it(published):
    import xml.etree.ElementTree as ET

    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = {e.text for e in ET.parse(published / "sitemap.xml").getroot().findall("s:url/s:loc", ns)}
    assert locs == {BASE + p.relative_to(published).as_posix() for p in _pages(published)}
    assert (published / "robots.txt").read_text() == f"User-agent: *\nAllow: /\nSitemap: {BASE}sitemap.xml\n"


def test_every_page_has_lang_canonical_social_tags_and_json_ld(published):
    kinds = set()
    for path in _pages(published):
        rel = path.relative_to(published).as_posix()
        h = _parse(path)
        assert h.lang == "en-GB", rel
        assert h.rel["canonical"] == [BASE + rel]
        assert h.meta["og:url"] == BASE + rel and h.meta["og:title"] and h.meta["twitter:card"] == "summary"
        assert h.rel.get("icon"), rel
        assert "application/atom+xml" in path.read_text(encoding="utf-8")
        for block in h.ld:
            data = json.loads(block)
            assert data["@context"] == "https://schema.org"
            kinds.add(data.get("@type") or data["@graph"][0]["@type"])
    assert {"ItemList", "NewsArticle"} <= kinds


def test_source_page_json_ld_states_only_what_the_article_gives(published):
    h = _parse(published / "sources/coast-courier/index.html")
    [article] = json.loads(h.ld[0])["@graph"]
    assert article["@type"] == "NewsArticle"
    assert article["headline"].startswith("Harbour <script>")  # the text, as data; escaped in the HTML
    assert article["author"] == {"@type": "Person", "name": "Ada Lind"}
    assert article["datePublished"] == "2025-03-04"
    assert "</script" not in (published / "sources/coast-courier/index.html").read_text().split("ld+json")[1].split(
        "</script>")[0]
    undated = json.loads(_parse(published / "sources/unknown-library/index.html").ld[0])["@graph"][0]
    assert "datePublished" not in undated and "author" not in undated and "publisher" not in undated


def test_the_front_page_lists_the_newest_stories_and_the_archive_every_story_by_month(published):
    index = json.loads((published / "index.json").read_text(encoding="utf-8"))
    stories = [s["id"] for s in index["stories"]]
    assert len(stories) == 2
    front = (published / "index.html").read_text(encoding="utf-8")
    assert stories[0] in front and stories[1] not in front  # the newest story only
    assert [(m["month"], m["title"], m["page"]) for m in index["archive"]] == [
        ("2025-03", "March 2025", "archive/2025-03/index.html"),
        ("undated", "Undated stories", "archive/undated/index.html")]
    assert sorted(i for m in index["archive"] for i in m["story_ids"]) == sorted(stories)  # each story once
    for month in index["archive"]:
        page = (published / month["page"]).read_text(encoding="utf-8")
        assert f'href="{month["page"]}"' in front
        assert all(f'stories/{i}/index.html' in page for i in month["story_ids"])
        assert f"<h1>{month['title']}</h1>" in page
    # Without JavaScript the search page lists the months, not every story: it stays small however
    # large the archive grows.
    search = (published / "search/index.html").read_text(encoding="utf-8")
    assert all(f'href="../{m["page"]}"' in search for m in index["archive"])
    assert not any(f"stories/{i}/index.html" in search for i in stories)


def test_a_source_page_shows_its_newest_articles_and_each_article_lives_on_its_month_page(tmp_path):
    articles = tmp_path / "articles"
    articles.mkdir()
    days = ["2025-03-04", "2025-03-20", "2025-04-02", None]
    for n, day in enumerate(days):
        stated = f"published: {day}\n" if day else ""
        (articles / f"h{n}.md").write_text(
            f"---\ntitle: Harbour report {n}\nsource: Coast Courier\n{stated}---\n\n"
            f"Report {n}: dock workers at the {['northern', 'southern', 'eastern', 'western'][n]} harbour stopped "
            f"every crane after storm number {n + 7}, the harbour authority said.\n", encoding="utf-8")
    (tmp_path / "site.yaml").write_text(f"base_url: {BASE}\nsource_page_articles: 1\nsearch: false\n",
                                        encoding="utf-8")
    out = tmp_path / "site"
    assert main(["build", "--config", str(tmp_path / "site.yaml"), "--out", str(out), "-q"]) == 0
    index = json.loads((out / "index.json").read_text(encoding="utf-8"))
    [source] = index["sources"]
    assert source["months"] == ["2025-04", "2025-03", "undated"]
    front = (out / "sources/coast-courier/index.html").read_text(encoding="utf-8")
    assert "Report 2:" in front and "Report 0:" not in front  # the newest article only, in full
    assert "The newest 1 of 4 articles" in front
    for month, count in [("2025-04", 1), ("2025-03", 2), ("undated", 1)]:
        assert f'href="{month}/index.html"' in front and f"{count} article" in front
    # Each article is in full on its month's page, and that is where every link to it goes.
    for a in index["articles"]:
        month = a["published"][:7] if a["published"] else "undated"
        assert a["page"].startswith(f"sources/coast-courier/{month}/index.html#")
        page = (out / a["page"].split("#")[0]).read_text(encoding="utf-8")
        assert f'id="{a["page"].split("#")[1]}"' in page and a["title"] in page
    months = sorted(p.relative_to(out).as_posix() for p in out.glob("sources/coast-courier/*/index.html"))
    assert months == [f"sources/coast-courier/{m}/index.html" for m in ("2025-03", "2025-04", "undated")]
    assert sum((out / m).read_text(encoding="utf-8").count('class="source-article"') for m in months) == len(days)
    locs = (out / "sitemap.xml").read_text(encoding="utf-8")
    assert all(BASE + m in locs for m in months)


# --- every link resolves, from file:// ---------------------------------------------------------------

def test_every_href_and_src_resolves_to_a_file_in_the_output(published):
    """What file:// would open: each relative link, resolved from its page's folder, names a file of the
    output, and each fragment an id on it. Nothing but links to the articles' own originals points away."""
    checked = 0
    for path in _pages(published):
        h = _parse(path)
        for attr, value in h.links:
            parts = urlsplit(value)
            if parts.scheme in ("http", "https"):
                assert attr == "a[href]" or attr == "link[href]" and value.startswith(BASE), \
                    f"{path}: {attr} {value!r} would load from another host"
                continue
            assert parts.scheme == "" and not value.startswith("/"), f"{path}: {attr} {value!r} is not relative"
            target = (path.parent / unquote(parts.path)).resolve() if parts.path else path
            assert target.is_file() and published.resolve() in target.parents, f"{path}: {value!r} -> {target}"
            if parts.fragment and target.suffix == ".html":
                assert parts.fragment in _parse(target).ids, f"{path}: no #{parts.fragment} on {target}"
            checked += 1
    assert checked > 50


def test_every_link_answers_under_a_sub_path(published, tmp_path):
    """The same walk over HTTP, with the site served at /news/: every local href and src gives 200."""
    import functools
    import http.server
    import shutil
    import threading
    from urllib.parse import urljoin

    shutil.copytree(published, tmp_path / "news")

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(tmp_path)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}/news/"
    try:
        seen: set[str] = set()
        for path in _pages(published):
            page_url = base + path.relative_to(published).as_posix()
            for _attr, value in _parse(path).links:
                if urlsplit(value).scheme:
                    continue
                target = urljoin(page_url, value).split("#")[0]
                assert target.startswith(base), f"{page_url}: {value!r} leaves /news/"
                if target not in seen:
                    seen.add(target)
                    with urllib.request.urlopen(target, timeout=10) as r:
                        assert r.status == 200, target
        assert len(seen) > 10
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_without_base_url_links_stay_relative_and_no_sitemap(tmp_path):
    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "library.txt").write_text(OTHER, encoding="utf-8")
    out = tmp_path / "site"
    assert main(["build", "--articles", str(articles), "--out", str(out), "-q", "--config", str(tmp_path / "none.yaml")]) == 1
    (tmp_path / "site.yaml").write_text("title: Plain\n", encoding="utf-8")
    assert main(["build", "--articles", str(articles), "--out", str(out), "-q", "--config", str(tmp_path / "site.yaml")]) == 0
    assert not (out / "sitemap.xml").exists()
    assert (out / "robots.txt").read_text() == "User-agent: *\nAllow: /\n"
    h = _parse(out / "index.html")
    assert "canonical" not in h.rel and "og:url" not in h.meta
    import feedparser

    feed = feedparser.parse((out / "feed.atom").read_bytes())
    assert not feed.bozo and feed.entries[0].id.startswith("urn:newsgen:")


@pytest.mark.parametrize("value, message", [
    ("javascript:alert(1)", "base_url: 'javascript:alert(1)' is not an http(s) address"),
    ("no-such-theme", "theme: 'no-such-theme' is not a folder"),
])
def test_bad_settings_are_one_line_errors(tmp_path, capsys, value, message):
    key = "base_url" if "base_url" in message else "theme"
    (tmp_path / "site.yaml").write_text(f"{key}: {json.dumps(value)}\n", encoding="utf-8")
    assert main(["build", "--config", str(tmp_path / "site.yaml"), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


# --- theme overrides ---------------------------------------------------------------------------------

def test_theme_folder_overrides_templates_and_static_by_name(tmp_path):
    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "library.txt").write_text(OTHER, encoding="utf-8")
    theme = tmp_path / "mytheme"
    (theme / "templates").mkdir(parents=True)
    (theme / "static").mkdir()
    (theme / "templates" / "coverage.html").write_text("THEMED COVERAGE {{ cov.sources }}", encoding="utf-8")
    (theme / "static" / "style.css").write_text("/* themed */ body { color: #111; }\n", encoding="utf-8")
    (theme / "static" / "extra.css").write_text("/* extra */\n", encoding="utf-8")
    own = tmp_path / "templates"
    own.mkdir()  # the site's own folder wins over the theme
    (own / "index.html").write_text('{% extends "default/index.html" %}{% block main %}SITE INDEX{{ super() }}'
                                    '{% endblock %}', encoding="utf-8")
    (tmp_path / "site.yaml").write_text("theme: mytheme\n", encoding="utf-8")
    out = tmp_path / "site"
    assert main(["build", "--config", str(tmp_path / "site.yaml"), "--out", str(out), "-q"]) == 0
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "SITE INDEX" in index and "THEMED COVERAGE 1" in index
    assert (out / "static/style.css").read_text().startswith("/* themed */")
    assert (out / "static/extra.css").is_file() and (out / "static/favicon.svg").is_file()


# --- newsgen serve -----------------------------------------------------------------------------------

def _get(url: str, tries: int = 3) -> str:
    for n in range(tries):
        try:
            with urllib.request.urlopen(url, timeout=10) as r:
                return r.read().decode("utf-8")
        except OSError:  # URLError, a reset connection: the server was busy rebuilding
            if n == tries - 1:
                raise
            time.sleep(0.5)
    raise AssertionError("unreachable")


def test_serve_rebuilds_and_reloads_after_an_article_is_edited(tmp_path):
    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "library.txt").write_text(OTHER, encoding="utf-8")
    (tmp_path / "site.yaml").write_text("title: Preview\nsearch: false\n", encoding="utf-8")
    with preview(tmp_path / "site.yaml") as url:
        page = _get(url)
        assert "Library opens new reading room" in page
        assert '<script src="/__newsgen__/reload.js"></script>' in page  # added on the way out...
        assert "__newsgen__" not in (tmp_path / "site/index.html").read_text()  # ...never written
        assert "script-src 'self'" in page and "connect-src 'self'" in page
        first = _get(url + "__newsgen__/build")
        (articles / "library.txt").write_text(OTHER.replace("Library opens new reading room",
                                                            "Library opens its new reading room early"),
                                              encoding="utf-8")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if "Library opens its new reading room early" in _get(url):
                break
            time.sleep(0.3)
        else:
            pytest.fail("the edit never showed through HTTP")
        assert _get(url + "__newsgen__/build") != first  # the open page's script sees this and reloads


# --- progress and output -----------------------------------------------------------------------------

def test_progress_bar_passes_items_through_and_draws_only_when_enabled(capsys):
    from newsgen.build import progress_bar

    items = list(range(5))
    assert progress_bar(False)(items, "load") is items  # not a terminal, or -q: untouched, nothing drawn

    def slow():
        for i in items:
            time.sleep(0.15)
            yield i

    assert list(progress_bar(True)(list(slow()), "load")) == items
    assert list(progress_bar(True)(_Slow(items), "analyse")) == items
    err = capsys.readouterr().err
    assert "analyse:" in err and "5/5" in err  # tqdm drew a bar once the stage passed half a second


class _Slow(list):
    def __iter__(self):
        for i in super().__iter__():
            time.sleep(0.15)
            yield i


def test_a_build_piped_to_a_file_prints_one_line_and_no_bar(tmp_path):
    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "library.txt").write_text(OTHER, encoding="utf-8")
    done = subprocess.run([sys.executable, "build.py", "--articles", str(articles), "--out", str(tmp_path / "site"),
                           "--config", str(tmp_path / "none.yaml")], cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 1 and "none.yaml: config file not found" in done.stderr
    (tmp_path / "site.yaml").write_text("search: false\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "build.py", "--articles", str(articles), "--out", str(tmp_path / "site"),
                           "--config", str(tmp_path / "site.yaml")], cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0 and done.stderr == ""
    assert re.fullmatch(r"Built \S+: 1 story, 1 article from 1 source \(0 copies\), 4 pages in \d+\.\d\d s\n",
                        done.stdout), done.stdout
    quiet = subprocess.run([sys.executable, "build.py", "-q", "--articles", str(articles), "--out",
                            str(tmp_path / "site"), "--config", str(tmp_path / "site.yaml")],
                           cwd=REPO, capture_output=True, text=True)
    assert quiet.returncode == 0 and quiet.stdout == "" and quiet.stderr == ""


def test_control_characters_in_fields_do_not_break_the_feeds(tmp_path):
    """Found by the property test: XML 1.0 cannot carry control characters, which front matter may hold."""
    import feedparser

    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "a.md").write_bytes(b'---\nauthor: "Ada\\bLind"\nsource: "Coast\\u001fCourier"\ntitle: "Storm\\u0007 hits"\n'
                                    b"published: 2025-03-04\n---\nThe storm hit the harbour on Tuesday night.\n")
    out = tmp_path / "site"
    assert main(["build", "--articles", str(articles), "--out", str(out), "-q",
                 "--config", str(tmp_path / "site.yaml")]) == 1  # (no such config: exit 1, nothing written)
    (tmp_path / "site.yaml").write_text("search: false\n", encoding="utf-8")
    assert main(["build", "--articles", str(articles), "--out", str(out), "-q",
                 "--config", str(tmp_path / "site.yaml")]) == 0
    for path in [out / "feed.atom", *out.glob("sources/*/feed.atom")]:
        feed = feedparser.parse(path.read_bytes())
        assert not feed.bozo, (path, feed.get("bozo_exception"))
        assert feed.entries[0].title == "Storm hits"
