"""Real-browser tests: the built site, opened in headless Chromium through Playwright.

The site is served by a stdlib HTTP server under a sub-path (http://127.0.0.1:PORT/news/...), so every
relative link is proven to work when the site is not at the root of its host.

Without Chromium (or Playwright) these tests skip, except under CI=true, where they fail: a browser test
never silently skips in CI.
"""
from __future__ import annotations

import json
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest

from browser_support import INIT_SCRIPT, REPO, Served, build_site, launch_browser

pytestmark = pytest.mark.browser

SEEDS = REPO / "articles"


@pytest.fixture(scope="module")
def browser():
    yield from launch_browser()


@pytest.fixture(scope="module")
def seed_site(tmp_path_factory):
    site = build_site(SEEDS, tmp_path_factory.mktemp("seed") / "site")
    served = Served(site, tmp_path_factory.mktemp("seed-www"))
    yield served
    served.close()


class Watch:
    """Console errors, uncaught page errors, failed requests and HTTP errors seen by one page.

    Every page declares its icon, so Chromium makes no guess at /favicon.ico outside the sub-path.
    """

    def __init__(self, page):
        self.problems: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        page.on("requestfailed", lambda r: self.problems.append(f"request failed: {r.url} ({r.failure})"))
        page.on("response", lambda r: r.status >= 400 and self.problems.append(f"HTTP {r.status}: {r.url}"))

    def _console(self, m):
        if m.type != "error":
            return
        where = (m.location or {}).get("url", "")
        self.problems.append(f"console error: {m.text} ({where})")


@pytest.fixture
def page(browser):
    context = browser.new_context()
    pg = context.new_page()
    yield pg
    context.close()


# --- a. the seed site: content, no errors, every relative link works ------------------------------

def _story(served: Served) -> dict:
    stories = served.index["stories"]
    assert len(stories) == 1, f"the five seeds should make one story, got {[s['title'] for s in stories]}"
    return stories[0]


def test_seed_story_page_loads_cleanly_and_shows_every_source(seed_site, page):
    story = _story(seed_site)
    story_json = json.loads((seed_site.site / story["json"]).read_text(encoding="utf-8"))
    headlines = [a["title"] for a in story_json["articles"]]
    assert len(headlines) == 5 and all(headlines)

    watch = Watch(page)
    resp = page.goto(seed_site.url(story["page"]), wait_until="load")
    assert resp is not None and resp.status == 200
    page.wait_for_load_state("networkidle")
    assert watch.problems == []

    body = page.inner_text("body")
    for h in headlines:
        assert h in body, f"headline missing from the story page: {h!r}"
    assert "What the sources agree on" in body
    assert page.inner_text("h1").strip() == story["title"]

    # The stylesheet arrived and applied (a wrong relative path or the page's CSP would stop it).
    rules = page.evaluate("Array.from(document.styleSheets).reduce((n, s) => n + s.cssRules.length, 0)")
    assert rules > 10
    assert page.evaluate("getComputedStyle(document.body).marginTop") == "0px"


def _relative_links(page) -> list[str]:
    """Relative hrefs of every a[href] and link[href] (stylesheet, icon...) on the page."""
    hrefs = page.eval_on_selector_all("a[href], link[href]", "els => els.map(e => e.getAttribute('href'))")
    out = []
    for h in hrefs:
        h = h.strip()
        scheme = urlsplit(h).scheme.lower()
        if scheme in ("http", "https", "mailto") or h.startswith("//"):
            continue
        assert scheme == "", f"unexpected link scheme: {h!r}"
        out.append(h)
    return out


def test_seed_relative_links_resolve_under_a_subpath(seed_site, page):
    story = _story(seed_site)
    # target document URL -> fragments wanted on it, and where each link came from
    targets: dict[str, set[str]] = {}
    origins: dict[str, str] = {}
    for rel in ("index.html", story["page"]):
        url = seed_site.url(rel)
        resp = page.goto(url)
        assert resp is not None and resp.status == 200
        links = _relative_links(page)
        assert links, f"no relative links on {rel}"
        for href in links:
            if href.startswith("#"):
                # Same-page anchor (the skip link): the id must exist right here.
                if href != "#":
                    assert page.evaluate("id => !!document.getElementById(id)", href[1:]), \
                        f"{rel}: in-page link {href!r} has no target"
                continue
            doc, frag = urldefrag(urljoin(url, href))
            assert doc.startswith(seed_site.base), f"{rel}: {href!r} escapes the site's sub-path: {doc}"
            targets.setdefault(doc, set())
            if frag:
                targets[doc].add(frag)
            origins.setdefault(doc, f"{rel} -> {href}")

    # The index links to the story, the story to every source page.
    assert seed_site.url(story["page"]) in targets
    for slug in story["sources"]:
        assert seed_site.url(f"sources/{slug}/index.html") in targets

    for doc, frags in sorted(targets.items()):
        resp = page.goto(doc)
        assert resp is not None and resp.status == 200, f"{origins[doc]}: {doc} gave {resp and resp.status}"
        for frag in sorted(frags):
            assert page.evaluate("id => !!document.getElementById(id)", frag), \
                f"{origins[doc]}: no element with id {frag!r} on {doc}"

    # The story's JSON, as index.json names it, is served next to its page.
    r = page.request.get(seed_site.url(story["json"]))
    assert r.status == 200 and r.json()["id"] == story["id"]


# --- b. script injection: hostile text in articles never runs ------------------------------------

TOWN_TXT = """Mayor <script>alert(1)</script> resigns after <img src=x onerror=alert(2)> vote

The mayor of Little Brambleton announced her resignation on Thursday evening, hours after the town council voted six to three to reject her plan to sell the old library building to a private developer.

Council member Harold Finch told reporters that the debate had been long and bitter, and that one resident had pasted <script>alert(3)</script> into the public comment form as a protest against the online consultation.

The town clerk said the council's website would be reviewed after an image tag reading <img src=x onerror=alert(4)> appeared in the minutes that were published on the council's notice board last week.

A spokesperson for the residents' association said members were relieved by the vote, and joked that the only thing left to fix was a stray <svg onload=alert(5)> fragment that kept appearing in the newsletter.

The deputy mayor will act as mayor until a by-election is held in the spring, the council said in a statement released shortly after the meeting ended on Thursday night.
"""

TOWN_MD = """---
title: "Council <script>alert(6)</script> names acting mayor of Little Brambleton"
source: Brambleton Courier
published: 2025-03-06
---

The deputy mayor of Little Brambleton was confirmed as acting mayor on Friday morning, one day after the resignation that followed the council's vote on the old library building.

<script>alert(7)</script>

Residents gathered outside the town hall as the council met, and several said they hoped the by-election would settle the future of the library. <img src=x onerror=alert(8)>

The acting mayor promised to publish the full minutes of Thursday's meeting and to hold an open session on the library building before the end of the month.
"""



@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    articles = tmp_path_factory.mktemp("hostile-articles")
    (articles / "town_mayor.txt").write_text(TOWN_TXT, encoding="utf-8")
    (articles / "town_acting.md").write_text(TOWN_MD, encoding="utf-8")
    site = build_site(articles, tmp_path_factory.mktemp("hostile") / "site")
    served = Served(site, tmp_path_factory.mktemp("hostile-www"))
    yield served
    served.close()


def test_hostile_markup_never_runs(hostile_site, browser):
    pages = hostile_site.html_pages()
    # index + at least one story + both sources
    assert len(pages) >= 4, pages
    context = browser.new_context()
    context.add_init_script(INIT_SCRIPT)
    try:
        for rel in pages:
            pg = context.new_page()
            dialogs: list[str] = []
            pg.on("dialog", lambda d: (dialogs.append(f"{d.type}: {d.message}"), d.dismiss()))
            watch = Watch(pg)
            resp = pg.goto(hostile_site.url(rel), wait_until="load")
            assert resp is not None and resp.status == 200, rel
            pg.wait_for_load_state("networkidle")
            pg.wait_for_timeout(200)
            assert pg.evaluate("window.__called") == [], rel
            assert dialogs == [], rel
            assert pg.evaluate("document.querySelectorAll('body script').length") == 0, rel
            assert pg.evaluate("""document.querySelectorAll('script:not([type="application/ld+json"])').length""") == 0, rel
            handlers = pg.evaluate("""() => Array.from(document.querySelectorAll('*')).flatMap(
                el => Array.from(el.attributes).filter(a => a.name.toLowerCase().startsWith('on'))
                      .map(a => el.tagName + ' ' + a.name + '=' + a.value))""")
            assert handlers == [], f"{rel}: event-handler attributes: {handlers}"
            # The theme's one drawing is the story page's heatmap; an article brings none of its own.
            assert pg.evaluate("document.querySelectorAll('svg:not(figure.heatmap > svg), img[src=\"x\"], iframe, "
                               "object, embed, figure.heatmap > svg *:not(title, desc, text, rect)').length") == 0, rel
            assert watch.problems == [], f"{rel}: {watch.problems}"
            pg.close()
    finally:
        context.close()


def test_hostile_headline_shown_as_text(hostile_site, page):
    by_file = {a["file"]: a for a in hostile_site.index["articles"]}
    assert set(by_file) == {"town_mayor.txt", "town_acting.md"}
    mayor = by_file["town_mayor.txt"]
    page.goto(hostile_site.url(mayor["page"]))
    body = page.inner_text("body")
    assert "<script>alert(1)</script>" in body
    assert "<img src=x onerror=alert(2)>" in body
    # The body paragraph keeps its tag as text, too.
    assert "<script>alert(3)</script>" in body

    acting = by_file["town_acting.md"]
    page.goto(hostile_site.url(acting["page"]))
    assert "<script>alert(6)</script>" in page.inner_text("body")


# --- c. layout: no horizontal scrolling on a phone or a desktop -----------------------------------

@pytest.mark.parametrize("width,height", [(390, 844), (1280, 900)])
@pytest.mark.parametrize("which", ["story", "index", "source"])
def test_no_horizontal_scroll(seed_site, browser, which, width, height):
    story = _story(seed_site)
    rel = {"story": story["page"], "index": "index.html",
           "source": seed_site.index["sources"][0]["page"]}[which]
    context = browser.new_context(viewport={"width": width, "height": height})
    try:
        pg = context.new_page()
        pg.goto(seed_site.url(rel))
        # Open every <details> so hidden text is laid out as well.
        pg.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        sw, iw = pg.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert iw == width
        assert sw <= iw + 1, f"{rel} at {width}px scrolls sideways: scrollWidth {sw} > {iw}"
    finally:
        context.close()
