"""The loader on the seeds (end to end, general rules only) and on made-up articles."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from newsgen.config import Config
from newsgen.errors import BuildError, BuildFailed
from newsgen.loader import load_article, load_articles

from conftest import FIXTURES, SEEDS


def load(path: Path, config: Config | None = None):
    return load_article(path, config or Config(), [])


def raw_lines(path: Path) -> list[str]:
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def body_lines(article) -> set[str]:
    return set(article.paragraphs)


# --- the seeds ----------------------------------------------------------------------------------
# What a reader of each page sees as its headline, first and last paragraphs, read off the files.
SEED_EXPECT = {
    "000_6b526436ac2455b5": ("Condemnation of North Korea", "In a significant development", "The backdrop of these"),
    "001_bb77de8d029db6f1": ("South Korea, US and Japan condemn", "South Korea, the United States, and Japan have strongly",
                             "In response to North Korea"),
    "002_923a7e8c7b755ecb": ("Global Community Denounces Arms Trade", "A new development on the global",
                             "Rail traffic along the same route"),
    "003_a1bded70a5bfae1e": ("Japan, US, South Korea condemn", "The US, South Korea and Japan have repeatedly",
                             "Last month, a nuclear-armed US Air Force"),
    "004_6f4b08d33ca54300": ("US, Japan, S.Korea Condemn", "Washington, Seoul ,and Tokyo have strongly condemned",
                             "Pro-establishment narrative"),
}


@pytest.mark.parametrize("stem", sorted(SEED_EXPECT))
def test_seed_headline_and_body_ends(stem):
    a = load(SEEDS / f"{stem}.txt")
    title, first, last = SEED_EXPECT[stem]
    assert a.title.startswith(title)
    assert a.paragraphs[0].startswith(first)
    assert a.paragraphs[-1].startswith(last)


@pytest.mark.parametrize("stem", sorted(SEED_EXPECT))
def test_seed_body_has_no_page_furniture(stem):
    a = load(SEEDS / f"{stem}.txt")
    body = a.body_text.lower()
    for junk in ("subscribe", "newsletter", "check your email", "ok, thanks", "profile image", "image credit",
                 "related articles", "most popular", "read more", "copyright", "further reading", "homeworld"):
        assert junk not in body, junk
    assert a.title not in a.paragraphs  # the headline is not repeated in the body


def test_seed_metadata_is_only_what_the_text_states():
    a = load(SEEDS / "004_6f4b08d33ca54300.txt")
    assert a.byline == "Improve the News Foundation"
    assert a.source.name == "Improve the News Foundation"
    assert a.dek.startswith("Washington, Seoul")
    assert [s.heading for s in a.sections] == ["Facts", "Narratives"]
    assert a.sections[0].blocks[0].kind == "ul" and len(a.sections[0].blocks[0].items) == 6
    banner = load(SEEDS / "003_a1bded70a5bfae1e.txt")
    assert banner.published is None  # a page's date banner is not the article's date
    assert {r.rule for r in banner.removed} >= {"date-banner", "breadcrumb", "related"}
    for stem in ("000_6b526436ac2455b5", "001_bb77de8d029db6f1", "002_923a7e8c7b755ecb"):
        plain = load(SEEDS / f"{stem}.txt")
        assert plain.source.name is None and plain.published is None and plain.byline is None


# --- made-up stories (tests/fixtures/expected.yaml) ----------------------------------------------
EXPECTED = yaml.safe_load((FIXTURES / "expected.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_article(name):
    exp = EXPECTED[name]
    a = load(FIXTURES / "stories" / name)
    assert a.title == exp["title"]
    assert a.paragraphs[0].startswith(exp["first"])
    assert a.paragraphs[-1].startswith(exp["last"])
    body = "\n".join(a.paragraphs)
    for junk in exp.get("junk", []):
        assert junk not in a.paragraphs, junk
    for keep in exp.get("keep", []):
        assert keep.strip().lstrip("-\u2022*> ") in body, keep  # markup (bullets, > quotes) is not text
    assert a.byline == exp.get("byline")
    assert a.source.name == exp.get("source")
    assert (a.published.isoformat() if a.published else None) == exp.get("published")


# --- one rule, one made-up example --------------------------------------------------------------
ARTICLE = """{top}
Harbour council approves new ferry route to the islands

{middle}
The harbour council voted on Tuesday to open a second ferry route to the outer islands, ending two years of debate.

Council members approved the plan by seven votes to two after a four-hour meeting that ran late into the night.

The new route will begin in the spring, with three crossings a day and a larger boat in the summer months.

{bottom}
"""


@pytest.mark.parametrize("junk, where", [
    ("Sign up for our morning newsletter", "top"),
    ("Thanks for subscribing! Please check your inbox to confirm.", "top"),
    ("Monday, 3 March 2025", "top"),
    ("Home > Local > Transport", "top"),
    ("Share on Facebook", "middle"),
    ("Advertisement", "middle"),
    ("Photo: Jane Roe/Harbour Agency", "middle"),
    ("Reporter profile picture", "middle"),
    ("Image credit: City archive", "middle"),
    ("Related stories\n\nBus fares rise in April\n\nNew library opens downtown", "bottom"),
    ("Most read\n\nLocal bakery wins award\n\nStorm warning lifted", "bottom"),
    ("\u00a9 2025 Harbour Gazette. All rights reserved.", "bottom"),
    ("Tags: ferries, islands, council", "bottom"),
    ("Learn more from these resources:\n\n\u2022 Ferry Users Group: timetables and fares\n\u2022 Island Trust: history of the crossings", "bottom"),
    ("Read more", "bottom"),
    ("We use cookies to improve your experience. Accept all cookies", "bottom"),
])
def test_each_kind_of_junk_is_removed(write_tree, junk, where):
    parts = {"top": "", "middle": "", "bottom": ""}
    parts[where] = junk
    folder = write_tree({"a.txt": ARTICLE.format(**parts)})
    a = load(folder / "a.txt")
    assert a.title == "Harbour council approves new ferry route to the islands"
    assert len(a.paragraphs) == 3, a.paragraphs
    assert a.paragraphs[-1].startswith("The new route will begin")
    removed = " ".join(r.text for r in a.removed)
    for line in junk.split("\n"):
        line = line.strip().lstrip("\u2022 ").strip()
        if line:
            assert line in removed


def test_explicit_dates_and_bylines(write_tree):
    folder = write_tree({
        "a.txt": "Port reopens after storm\n\nBy Ana Lima, Coast Courier\n\nPublished: 5 March 2025\n\n"
                 "The port reopened on Wednesday after three days of closure caused by the storm that hit the coast.\n",
        "b.txt": "Port reopens after storm\n\nBy Tuesday, the port had reopened for all cargo ships waiting offshore.\n\n"
                 "Officials said the damage to the piers was lighter than first feared by the harbour master.\n",
    })
    a = load(folder / "a.txt")
    assert (a.byline, a.source.name, a.published) == ("Ana Lima", "Coast Courier", date(2025, 3, 5))
    b = load(folder / "b.txt")
    assert b.byline is None and b.published is None
    assert b.paragraphs[0].startswith("By Tuesday")


def test_markdown_front_matter_and_overrides(write_tree, tmp_path):
    folder = write_tree({"m.md": "---\ntitle: Ferry route approved\nsource: Harbour Gazette\n"
                                 "url: https://example.com/ferry\npublished: 2025-03-04\nauthor: Ana Lima\n"
                                 "tags: [ferries, council]\n---\n\nThe council **approved** the route.\n\n"
                                 "## Next steps\n\n- Tender for a boat\n- Timetable in May\n\n> A quote here.\n"})
    a = load(folder / "m.md")
    assert (a.title, a.source.name, a.url, a.byline) == ("Ferry route approved", "Harbour Gazette",
                                                         "https://example.com/ferry", "Ana Lima")
    assert a.published == date(2025, 3, 4) and a.tags == ("ferries", "council")
    assert a.sections[1].heading == "Next steps"
    assert a.sections[1].blocks[0].items == ("Tender for a boat", "Timetable in May")
    assert a.sections[1].blocks[1].kind == "quote"
    over = load(folder / "m.md", Config(overrides={"m": {"source": "Island Post", "published": "2025-03-09"}}))
    assert over.source.name == "Island Post" and over.published == date(2025, 3, 9)


def test_encodings_are_decoded(write_tree):
    text = "Ferry route approved\r\n\r\nThe council approved the new\u00a0route on Tuesday by seven votes to two.\r\n"
    folder = write_tree({"bom.txt": b"\xef\xbb\xbf" + text.encode(), "u16.txt": text.encode("utf-16"),
                         "nfd.txt": "Cafe\u0301 owners approve plan\n\nThe owners of the cafe\u0301 agreed to the plan.\n"})
    for name in ("bom.txt", "u16.txt"):
        a = load(folder / name)
        assert a.title == "Ferry route approved"
        assert a.paragraphs == ("The council approved the new route on Tuesday by seven votes to two.",)
    assert load(folder / "nfd.txt").title == "Caf\u00e9 owners approve plan"


@pytest.mark.parametrize("content, message, line", [
    (b"", "empty", None),
    (b"   \n\n  \n", "empty", None),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a text file", None),
    (b"Headline here\n\nGood line\n\nBad \xff\xfe byte here\n", "not valid UTF-8", 5),
    ("Subscribe to our newsletter\n\nRead more\n".encode(), "no article text", None),
])
def test_bad_files_name_the_file(write_tree, content, message, line):
    folder = write_tree({"bad.txt": content})
    with pytest.raises(BuildError) as info:
        load(folder / "bad.txt")
    assert message in str(info.value)
    assert info.value.path.endswith("bad.txt")
    assert info.value.line == line


@pytest.mark.parametrize("front, message, line", [
    ("---\ntitle: [unclosed\n---\nBody text here.\n", "front matter", 2),
    ("---\n- a\n- b\n---\nBody text here.\n", "expected a mapping", 2),
    ("---\ntitle: Fine\npublished: someday\n---\nBody text here.\n", "not a date", 3),
    ("---\ntitle: Fine\n", "no closing", 1),
    ("---\ntitle: !!python/object:os.system ls\n---\nBody.\n", "front matter", 2),
])
def test_broken_front_matter(write_tree, front, message, line):
    folder = write_tree({"bad.md": front})
    with pytest.raises(BuildError) as info:
        load(folder / "bad.md")
    assert message in str(info.value) and info.value.line == line


def test_all_errors_are_collected(write_tree):
    folder = write_tree({"a.txt": b"", "b.txt": b"\x00\x01", "c.txt": "Good headline for a story\n\nA full sentence of body text that is here.\n"})
    with pytest.raises(BuildFailed) as info:
        load_articles(Config(), folder)
    assert sorted(Path(e.path).name for e in info.value.errors) == ["a.txt", "b.txt"]


def test_unknown_sources_get_one_page_each_and_names_share_one(write_tree):
    body = "\n\nThe council approved the new route on Tuesday by seven votes to two.\n"
    folder = write_tree({"a.txt": "First headline for one" + body, "b.txt": "Second headline for two" + body,
                         "c.md": "---\ntitle: Third\nsource: Harbour Gazette\n---\nText here.\n",
                         "d.md": "---\ntitle: Fourth\nsource: harbour gazette\n---\nText here.\n"})
    slugs = {a.id: a.source.slug for a in load_articles(Config(), folder).articles}
    assert slugs == {"a": "unknown-a", "b": "unknown-b", "c": "harbour-gazette", "d": "harbour-gazette"}


def test_footnote_marks_are_cut_but_numbers_stay(write_tree):
    folder = write_tree({"f.txt": "Harbour council approves new ferry route\n\n"
                                  "\u2022 The council approved the route by seven votes to two.1\n"
                                  "\u2022 Fares will rise 2.5 percent in April, officials said.2\n\n"
                                  "Sources: 1The Harbour Herald, 2NHK and 3BBC News.\n"})
    a = load(folder / "f.txt")
    assert a.paragraphs == ("The council approved the route by seven votes to two.",
                            "Fares will rise 2.5 percent in April, officials said.",
                            "Sources: The Harbour Herald, NHK and BBC News.")


def test_menus_and_site_names_around_the_headline(write_tree):
    folder = write_tree({"p.txt": "Home\nNews\nSport\nWeather\nCulture\n\n"
                                  "Harbour council approves ferry route | Harbour Gazette\n\n"
                                  "The council voted on Tuesday to open a second ferry route to the outer islands.\n\n"
                                  "Ingredients of the deal:\n\n- two new boats\n- three crossings a day\n"})
    a = load(folder / "p.txt")
    assert a.title == "Harbour council approves ferry route"
    assert a.source.name == "Harbour Gazette"  # the page title names the outlet
    assert a.paragraphs == ("The council voted on Tuesday to open a second ferry route to the outer islands.",
                            "Ingredients of the deal:", "two new boats", "three crossings a day")
    assert {"Home", "News", "Sport", "Weather", "Culture"} <= {r.text for r in a.removed}
    assert [r.rule for r in a.removed].count("menu") >= 4


def test_front_matter_and_override_types_are_checked(write_tree):
    folder = write_tree({"m.md": "---\ntitle: Fine title\nsource: [a, b]\n---\nBody text.\n",
                         "n.md": "---\ntitle: Fine title\nmood: sunny\n---\nBody text.\n"})
    with pytest.raises(BuildError) as info:
        load(folder / "m.md")
    assert str(info.value).endswith("m.md:3: front matter: source: expected text, got list")
    warnings: list[str] = []
    load_article(folder / "n.md", Config(), warnings)
    assert warnings == [f"{folder / 'n.md'}:3: front matter: unknown key 'mood' (ignored)"]
    bad = Config(file="site.yaml", overrides={"n": {"published": "soon"}})
    with pytest.raises(BuildError) as info:
        load(folder / "n.md", bad)
    assert str(info.value) == "site.yaml: overrides.n.published: not a date: 'soon' (use YYYY-MM-DD)"


FULL_PAGE = """Harbour council approves ferry route | Local | The Harbour Gazette

Skip to content Skip to site index

What are you looking for? Search

Harbour council approves ferry route

By Ana Lima

The council voted on Tuesday to open a second ferry route to the outer islands, ending two years of debate.

A photo of the old pier. \u00a9 Island Photo Agency

The new route will begin in the spring, with three crossings a day and a larger boat in summer.

\u00a9 2025 The Harbour Gazette. All rights reserved.

About us

Contact

Jobs
"""


def test_a_whole_page_dump(write_tree):
    a = load(write_tree({"page.txt": FULL_PAGE}) / "page.txt")
    assert a.title == "Harbour council approves ferry route"
    assert a.source.name == "The Harbour Gazette"  # the page title's last part, the headline shown again
    assert a.byline == "Ana Lima"
    assert len(a.paragraphs) == 2
    assert a.paragraphs[0].startswith("The council voted") and a.paragraphs[-1].startswith("The new route")
    rules = {r.text: r.rule for r in a.removed}
    assert rules["Skip to content Skip to site index"] == rules["What are you looking for? Search"] == "page-header"
    assert rules["A photo of the old pier. \u00a9 Island Photo Agency"] == "image-credit"
    assert rules["About us"] == rules["Contact"] == rules["Jobs"] == "footer"


def test_a_section_name_after_the_headline_is_not_an_outlet(write_tree):
    page = ("Harbour council approves ferry route | Opinion\n\nHarbour council approves ferry route\n\n"
            "The council voted on Tuesday to open a second ferry route to the outer islands.\n")
    a = load(write_tree({"op.txt": page}) / "op.txt")
    assert a.title == "Harbour council approves ferry route" and a.source.name is None


@pytest.mark.parametrize("top, title", [
    ("Markets Slide\n\nFrom the Floor\n\n", "Markets Slide"),  # a two-word headline over a short heading
    ("World News\n\nHarbour council approves new ferry route\n\n", "Harbour council approves new ferry route"),
    ("Politics\n\nFerry vote passes\n\n", "Ferry vote passes"),
])
def test_short_lines_above_the_headline(write_tree, top, title):
    text = top + "The council voted on Tuesday to open a second ferry route to the outer islands, ending two years of debate.\n"
    assert load(write_tree({"s.txt": text}) / "s.txt").title == title


# --- the article's stretch on a whole page (clean._article_span) ----------------------------------
SPAN_PAGE = """Harbour council approves ferry route

The council voted on Tuesday to open a second ferry route to the outer islands, ending two years of debate.

Share

Tweet

Email

Print

Save

The new route will begin in the spring, with three crossings a day and a larger boat in summer.

Fares will rise by a tenth, the harbour master told reporters after the vote.

He declined to comment.

Latest headlines

Lighthouse reopens after storm repairs

Fishing quotas cut again

Dock workers vote on pay offer

School year to start a week later

About the author

Ana Lima has covered the harbour for the Gazette since 2015 and writes about ferries, fishing and trade.
"""


def test_whole_page_keeps_the_articles_stretch_and_drops_prose_after_the_furniture(write_tree):
    a = load(write_tree({"span.txt": SPAN_PAGE}) / "span.txt")
    assert a.paragraphs[0].startswith("The council voted")  # the lead, cut from the body by a share bar
    assert a.paragraphs[-1] == "He declined to comment."  # a short last line of the article stays
    assert not any("Ana Lima has covered" in p for p in a.paragraphs)  # an author box after a link list
    rules = {r.text: r.rule for r in a.removed}
    assert rules["Ana Lima has covered the harbour for the Gazette since 2015 and writes about ferries, fishing "
                 "and trade."] == "outside-article"


def test_markdown_bodies_are_not_cut_to_a_stretch(write_tree):
    md = "---\ntitle: Ferry\n---\n" + SPAN_PAGE.split("\n", 2)[2]
    a = load(write_tree({"span.md": md}) / "span.md")
    assert any("Ana Lima has covered" in p for p in a.paragraphs)  # an author's own file: nothing is a page
