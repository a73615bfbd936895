"""Every public XSS payload in every article field: the build succeeds and no payload becomes markup.

Reads ../shared/data/xss/xss-payload-list.txt (6,613 payloads, kept out of the repository by its
licence); skips with a clear reason where it is absent. One build carries every payload in each of:
a `.txt` headline and body, a `.md` title, source, URL, tag, author, dek and Markdown body. Then:

- every element and attribute in the output is one the default templates make (learnt from a build of
  benign articles), or, inside a body sentence, the inline formatting a Markdown body may keep
  (`a em strong code del sub sup`, links http(s) only) — so no payload element or attribute reaches
  the DOM as markup, and no `on*` handler, `javascript:` or `data:` address exists anywhere;
- every JSON file parses;
- a sample of the pages, opened in headless Chromium with the CSP switched off (so the test sees
  the markup, not the policy), calls none of alert, prompt, confirm or print.
"""
from __future__ import annotations

import json
import random
import re
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest

from browser_support import INIT_SCRIPT, Served, launch_browser
from conftest import REPO, SEEDS
from newsgen.cli import main
from newsgen.model import INLINE_TAGS

PAYLOADS = REPO.parent / "shared" / "data" / "xss" / "xss-payload-list.txt"
needs_payloads = pytest.mark.skipif(not PAYLOADS.exists(),
                                    reason=f"{PAYLOADS} is absent (public payload list, not in the repository)")

SAFE_SCHEMES = ("http:", "https:")
SYLLABLES = "ka lo mi ren tas vo bri del fen gar hol ist jun kor lum nes ori pav qui ros sul tev ulm var wen yor zed".split()
NOUNS = ("council harbour bridge ferry budget river school hospital station library market festival museum "
         "tunnel airport railway election strike flood storm clinic court mayor union factory").split()


def _name(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(3)).capitalize()


def _sentence(rng: random.Random, extra: str = "") -> str:
    """Plain news sentences about made-up places and people, so that each article is its own story."""
    a, b, c, d, e = (_name(rng) for _ in range(5))
    return (f"The {rng.choice(NOUNS)} in {a} said {b} {extra} would reopen near {c} after a review on Tuesday. "
            f"{d} and {e} welcomed the decision, and the {rng.choice(NOUNS)} of {a} will meet {c} in {b} next week.")


def write_corpus(payloads: list[str], folder: Path) -> int:
    """Each payload lands in every field of some article; returns the number of files written."""
    rng = random.Random(7)
    n = len(payloads)
    at = lambda i: payloads[i % n]  # noqa: E731
    for i in range(n):
        # Dates eight days apart (more than window_days) keep near-identical payloads from forming one giant story: the test is
        # about escaping, and small stories keep its build to a couple of minutes.
        day = date(1990, 1, 1) + timedelta(days=16 * i)
        body = "\n\n".join(_sentence(rng, at(i + k)) for k in range(2))
        (folder / f"t{i:05d}.txt").write_text(f"{at(i)} {_name(rng)} {rng.choice(NOUNS)} report\n\n"
                                              f"Published {day:%d %B %Y}\n\n{body}\n",
                                              encoding="utf-8")
        front = {"published": (day + timedelta(days=8)).isoformat(),
                 "title": f"{at(i + 2)} {_name(rng)} {rng.choice(NOUNS)}", "source": at(i + 3)[:120], "url": at(i + 4),
                 "tags": [at(i + 5)[:80], rng.choice(NOUNS)], "author": at(i + 6)[:120], "dek": at(i + 7)}
        link = "https://example.org/n?q=" + re.sub(r"\s", "%20", at(i + 11))  # a payload inside a web address
        md_body = (f"{_sentence(rng, at(i + 8))}\n\n- {_sentence(rng)} {at(i + 9)}\n- {_sentence(rng)}\n\n"
                   f"{at(i + 10)}\n\nSee [the notice]({link}) for the full text of the decision.\n")
        (folder / f"m{i:05d}.md").write_text(
            "---\n" + "\n".join(f"{k}: {json.dumps(v)}" for k, v in front.items()) + f"\n---\n{md_body}",
            encoding="utf-8")
    return 2 * n


class Elements(HTMLParser):
    """Every (tag, attribute) pair in a page, and the inline tags found outside a body sentence."""

    VOID = {"meta", "link", "br", "img", "input", "hr", "wbr", "source", "area", "base", "col", "embed", "track"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.pairs: set[tuple[str, str]] = set()
        self.hrefs: set[str] = set()
        self.stray: list[str] = []
        self._stack: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.pairs.add((tag, ""))
        for name, value in attrs:
            self.pairs.add((tag, name))
            if name in ("href", "src", "action", "formaction") and value:
                self.hrefs.add(value.strip())
        if tag in INLINE_TAGS and "span" not in self._stack:
            self.stray.append(tag)
        if tag not in self.VOID:
            self._stack.append(tag)

    def handle_endtag(self, tag):
        if tag in self._stack:
            while self._stack.pop() != tag:
                pass


def scan(out: Path) -> Elements:
    found = Elements()
    for page in sorted(out.rglob("*.html")):
        found.feed(page.read_text(encoding="utf-8"))
        found.close()
        found.reset()
        found._stack = []
    return found


@pytest.fixture(scope="module")
def allowed(tmp_path_factory) -> tuple[set[tuple[str, str]], set[str]]:
    """The (tag, attribute) pairs of the default templates, from a build of benign articles, and the
    inline tags the templates themselves use outside body sentences."""
    folder = tmp_path_factory.mktemp("benign")
    for f in SEEDS.glob("*.txt"):
        (folder / f.name).write_bytes(f.read_bytes())
    (folder / "reprint.txt").write_bytes(f.read_bytes())  # a copy, for the template's copy markup
    (folder / "formatted.md").write_text(
        "---\ntitle: Ferry timetable changes\nsource: Harbour Gazette\nurl: https://example.org/a\n"
        "tags: [transport]\nauthor: A. Writer\n---\nThe **ferry** now leaves at *nine*, the [operator]"
        "(https://example.org/t) said, after `route 4` was cut and H<sub>2</sub>O<sup>1</sup> <del>old</del>.\n",
        encoding="utf-8")
    out = tmp_path_factory.mktemp("benign-site") / "site"
    assert main(["build", "--articles", str(folder), "--out", str(out), "-q"]) == 0
    found = scan(out)
    assert {("a", "href"), ("em", ""), ("strong", ""), ("code", ""), ("sub", ""), ("sup", ""), ("del", "")} <= found.pairs
    # The search page of a site of over SHARD_PAGES stories names its index's other shards (their folders,
    # made by search.py, nothing from an article); this small site has one shard.
    return found.pairs | {("script", "data-merge")}, set(found.stray)


@pytest.fixture(scope="module")
def payload_site(tmp_path_factory):
    payloads = [line.strip() for line in PAYLOADS.read_text(encoding="utf-8", errors="replace").splitlines()
                if line.strip()]
    folder = tmp_path_factory.mktemp("payload-articles")
    files = write_corpus(payloads, folder)
    out = tmp_path_factory.mktemp("payload-site") / "site"
    code = main(["build", "--articles", str(folder), "--out", str(out), "-q"])
    return payloads, files, code, out


@needs_payloads
def test_every_payload_in_every_field_stays_text(payload_site, allowed):
    payloads, files, code, out = payload_site
    assert len(payloads) >= 6000
    index = json.loads((out / "index.json").read_text(encoding="utf-8"))
    # Every file carries enough plain sentences around its payloads to be an article: all must build.
    assert code == 0
    assert len(index["articles"]) == files, (len(index["articles"]), files)
    print(f"{len(payloads):,} payloads in {files:,} files: every one built")
    pairs, template_inline = allowed
    found = scan(out)
    assert found.pairs <= pairs, sorted(found.pairs - pairs)[:20]
    assert not any(name.startswith("on") for _tag, name in found.pairs)
    assert set(found.stray) <= template_inline, f"inline formatting outside a body sentence: {set(found.stray)}"
    external = {h for h in found.hrefs if re.match(r"^[a-z][a-z0-9+.-]*:", h, re.I)}
    bad = {h for h in external if not h.lower().startswith(SAFE_SCHEMES)}
    assert not bad, sorted(bad)[:10]
    for data in out.rglob("*.json"):
        json.loads(data.read_text(encoding="utf-8"))


@needs_payloads
@pytest.mark.browser
def test_sampled_payload_pages_open_no_dialog_in_chromium(payload_site, tmp_path_factory):
    payloads, files, code, out = payload_site
    served = Served(out, tmp_path_factory.mktemp("payload-www"))
    pages = served.html_pages()
    rng = random.Random(11)
    sample = ["index.html", *rng.sample(pages[1:], 60)]
    for browser in launch_browser():
        context = browser.new_context(bypass_csp=True)
        context.add_init_script(INIT_SCRIPT)
        dialogs: list[str] = []
        try:
            for rel in sample:
                pg = context.new_page()
                pg.on("dialog", lambda d: (dialogs.append(f"{rel}: {d.type}: {d.message}"), d.dismiss()))
                resp = pg.goto(served.url(rel), wait_until="load")
                assert resp is not None and resp.status == 200, rel
                pg.wait_for_timeout(50)
                assert pg.evaluate("window.__called") == [], rel
                assert pg.evaluate(
                    """document.querySelectorAll('script:not([type="application/ld+json"]), iframe, object, embed, svg, img')"""
                    ".length") == 0
                pg.close()
        finally:
            context.close()
            served.close()
        assert dialogs == []
