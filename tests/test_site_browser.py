"""Every page kind in headless Chromium: phone and desktop widths, served under a sub-path and opened
from file://, with no console errors and no failed requests; the search finds a known story; and
axe-core (the npm package, run in the page) reports no WCAG 2.2 A/AA or best-practice violation in
light or dark mode.

Screenshots of each page kind and width are written to $NEWSGEN_SCREENSHOTS (default: pytest's tmp).
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from browser_support import REPO, Served, _unavailable, build_site, launch_browser
from conftest import preview, story_dates

pytestmark = pytest.mark.browser

AXE = REPO / ".cache/node/node_modules/axe-core/axe.min.js"  # scripts/test.sh installs it with npm
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
WIDTHS = {"phone": 390, "desktop": 1280}


@pytest.fixture(scope="module")
def browser():
    yield from launch_browser()


@pytest.fixture(scope="module")
def seed_site(tmp_path_factory):
    site = build_site(REPO / "articles", tmp_path_factory.mktemp("seed") / "site")
    served = Served(site, tmp_path_factory.mktemp("www"))
    yield served
    served.close()


def _kinds(served: Served) -> dict[str, str]:
    index = served.index
    return {"index": "index.html", "story": index["stories"][0]["page"], "source": index["sources"][0]["page"],
            "search": "search/index.html"}


def _watch(page) -> list[str]:
    problems: list[str] = []
    page.on("console", lambda m: m.type == "error" and problems.append(f"console: {m.text}"))
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"failed: {r.url} ({r.failure})"))
    page.on("response", lambda r: r.status >= 400 and problems.append(f"HTTP {r.status}: {r.url}"))
    page.on("request", lambda r: r.url.startswith(("http://", "https://")) and "127.0.0.1" not in r.url
            and problems.append(f"left the site: {r.url}"))
    return problems


@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_every_page_kind_loads_cleanly_at_phone_and_desktop_width(seed_site, browser, width, tmp_path):
    shots = Path(os.environ.get("NEWSGEN_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": WIDTHS[width], "height": 900})
    try:
        for kind, rel in _kinds(seed_site).items():
            page = context.new_page()
            problems = _watch(page)
            resp = page.goto(seed_site.url(rel))
            assert resp is not None and resp.status == 200, rel
            page.wait_for_load_state("networkidle")
            assert problems == [], f"{kind} at {width}: {problems}"
            assert page.locator("main h1").count() == 1, f"{kind}: one h1 in main"
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{kind} at {width}: the page scrolls sideways by {overflow}px"
            page.screenshot(path=str(shots / f"{kind}-{width}.png"))
            page.close()
    finally:
        context.close()


def test_search_finds_a_known_story(seed_site, browser):
    story = seed_site.index["stories"][0]
    word = max(story["title"].split(), key=len).strip(",.'\"")
    page = browser.new_page()
    problems = _watch(page)
    page.goto(seed_site.url("search/index.html"))
    page.wait_for_selector("#search input")
    page.fill("#search input", word)
    link = page.locator(f'#search a[href$="{story["page"]}"]').first
    link.wait_for(timeout=15_000)
    assert link.get_attribute("href") == "/news/" + story["page"]  # under the site's sub-path
    link.click()
    page.wait_for_load_state("load")
    assert page.inner_text("h1").strip() == story["title"]
    assert problems == []
    page.close()


def test_search_page_without_javascript_is_a_plain_list(seed_site, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(seed_site.url("search/index.html"))
    links = page.eval_on_selector_all(".plain-list a", "els => els.map(e => e.getAttribute('href'))")
    expected = [s["page"] for s in seed_site.index["stories"]] + [s["page"] for s in seed_site.index["sources"]]
    assert sorted(links) == sorted("../" + p for p in expected)
    context.close()


def test_pages_open_from_file_urls(seed_site, browser):
    for rel in _kinds(seed_site).values():
        page = browser.new_page()  # one page each: a navigation would abort the last page's icon request
        problems = _watch(page)
        page.goto((seed_site.site / rel).resolve().as_uri())
        page.wait_for_load_state("networkidle")
        assert page.evaluate("getComputedStyle(document.body).marginTop") == "0px", f"{rel}: no stylesheet"
        assert problems == [], rel
        page.close()


def _axe(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    return page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})"
                         ".then(r => r.violations.map(v => ({id: v.id, help: v.help,"
                         " nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ': ' + n.failureSummary)})))",
                         AXE_TAGS)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_core_finds_no_violations(seed_site, browser, scheme):
    if not AXE.is_file():
        _unavailable(f"axe-core not found at {AXE} (scripts/test.sh installs it with npm)")
    context = browser.new_context(color_scheme=scheme, bypass_csp=True)
    try:
        found = {}
        for kind, rel in _kinds(seed_site).items():
            page = context.new_page()
            page.goto(seed_site.url(rel))
            page.wait_for_load_state("networkidle")
            if kind == "search":  # with results showing, so that Pagefind's UI is checked too
                page.fill("#search input", "North Korea")
                page.wait_for_selector("#search a", timeout=15_000)
            violations = _axe(page)
            if violations:
                found[kind] = violations
            page.close()
        assert not found, json.dumps(found, indent=1)[:4000]
    finally:
        context.close()


def test_serve_reloads_the_open_page_after_an_edit(browser, tmp_path):
    articles = tmp_path / "articles"
    articles.mkdir()
    text = ("Ferry service resumes after repairs\n\nThe island ferry resumed its crossings on Monday after three "
            "weeks of repairs to its engines, the operator said.\n")
    (articles / "ferry.txt").write_text(text, encoding="utf-8")
    (tmp_path / "site.yaml").write_text("search: false\n", encoding="utf-8")
    with preview(tmp_path / "site.yaml") as url:
        page = browser.new_page()
        problems = _watch(page)
        page.goto(url)
        assert "Ferry service resumes after repairs" in page.inner_text("main")
        page.wait_for_timeout(1500)  # the page has fetched the build number once
        (articles / "ferry.txt").write_text(text.replace("resumes after repairs", "resumes after long repairs"),
                                            encoding="utf-8")
        for _ in range(60):  # the test never navigates: the page must reload itself
            page.wait_for_timeout(500)
            try:
                if "after long repairs" in page.inner_text("main"):
                    break
            except Exception:  # caught mid-reload
                continue
        else:
            pytest.fail("the open page did not reload with the edit")
        assert problems == []
        page.close()


def test_search_finds_stories_in_every_shard_of_a_sharded_index(browser, tmp_path, monkeypatch, seeds_and_stories):
    """A site whose index is cut into shards (here of two story pages): the search page merges them, and a
    story is found whichever shard holds its page."""
    from newsgen import search
    from newsgen.build import build
    from newsgen.config import Config

    monkeypatch.setattr(search, "SHARD_PAGES", 2)
    out = tmp_path / "site"
    build(Config(root=tmp_path, search=True), out, seeds_and_stories, cache_dir=None, jobs=1)
    served = Served(out, tmp_path / "www")
    try:
        stories = served.index["stories"]
        shards = search.shard_pages(story_dates(served.index))
        shard_of = {page: name for name, pages in shards.items() for page in pages}
        assert len(shards) >= 3
        checked = set()
        page = browser.new_page()
        problems = _watch(page)
        page.goto(served.url("search/index.html"))
        page.wait_for_selector("#search input")
        for story in stories:
            shard = shard_of[story["page"]]
            if shard in checked:
                continue
            word = max(story["title"].split(), key=len).strip(",.'\"")
            page.fill("#search input", "")
            page.fill("#search input", word)
            page.locator(f'#search a[href$="{story["page"]}"]').first.wait_for(timeout=15_000)
            checked.add(shard)
        assert checked == set(shards)  # one story found from each shard
        assert problems == []
        page.close()
    finally:
        served.close()


def test_the_archive_pages_load_cleanly_and_pass_axe(browser, tmp_path, seeds_and_stories):
    """With more stories than the front page lists (here 2), the front page links every month's archive
    page: each loads without errors at both widths, has one h1, does not scroll sideways, and axe finds
    nothing in light or dark mode."""
    from newsgen.build import build
    from newsgen.config import Config

    out = tmp_path / "site"
    build(Config(root=tmp_path, search=False, front_page_stories=2), out, seeds_and_stories, cache_dir=None, jobs=1)
    served = Served(out, tmp_path / "www")
    try:
        months = [m["page"] for m in served.index["archive"]]
        assert len(months) >= 3
        for width, scheme in [("phone", "light"), ("desktop", "dark")]:
            context = browser.new_context(viewport={"width": WIDTHS[width], "height": 900}, color_scheme=scheme,
                                          bypass_csp=True)
            try:
                for rel in ["index.html", *months]:
                    page = context.new_page()
                    problems = _watch(page)
                    page.goto(served.url(rel))
                    page.wait_for_load_state("networkidle")
                    assert problems == [], f"{rel} at {width}: {problems}"
                    assert page.locator("main h1").count() == 1, rel
                    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                    assert overflow <= 0, f"{rel} at {width}: the page scrolls sideways by {overflow}px"
                    if AXE.is_file() or os.environ.get("CI"):
                        assert _axe(page) == [], rel
                    page.close()
            finally:
                context.close()
        # The front page's archive links lead to the month pages, and each card to its story.
        page = browser.new_page()
        page.goto(served.url("index.html"))
        page.click(f'#archive ~ ul a[href="{months[0]}"]')
        page.wait_for_load_state("load")
        story = page.locator(".story-card h2 a").first
        title = story.inner_text().strip()
        story.click()
        page.wait_for_load_state("load")
        assert page.inner_text("h1").strip() == title
        page.close()
    finally:
        served.close()
