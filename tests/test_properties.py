"""Property tests over untrusted input (issue "Untrusted input", part 5): any text in, and

* the loader either returns articles or raises the project's own user error (`BuildError` /
  `BuildFailed`) naming the file -- never any other exception;
* a build either succeeds or exits 1 with a clear message; a built site carries no markup that the
  templates (and the inline formatting a Markdown body may keep) do not emit, no event handler, no
  script URL, and valid JSON;
* a second build of the same input, in another process with another hash seed, is byte-identical.

The strategies mix random text and bytes with article-shaped text (headline, byline, paragraphs of
sentences) into which hostile fragments are injected, so that the whole pipeline is exercised and not
only the "empty file" error. `bench/fuzz.py` drives the same properties over 100,000+ inputs.
Example counts here are modest and derandomized so that CI stays fast and stable.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import event as _hypothesis_event
from hypothesis.errors import InvalidArgument
from hypothesis import strategies as st

from newsgen.config import Config
from newsgen.errors import BuildError, BuildFailed
from newsgen.loader import load_files

REPO = Path(__file__).resolve().parents[1]


def event(what: str) -> None:
    """Count an outcome in Hypothesis' statistics (--hypothesis-show-statistics); nothing outside a test."""
    try:
        _hypothesis_event(what)
    except InvalidArgument:
        pass


# --- what may appear in a page -------------------------------------------------------------------


def template_tags(folder: Path = REPO / "templates") -> set[str]:
    """Every element the default templates write literally, plus the list kinds written as `<{{ b.kind }}>`."""
    tags = set()
    for path in folder.glob("*.html"):
        tags |= {t.lower() for t in re.findall(r"</?([a-zA-Z][a-zA-Z0-9]*)", path.read_text(encoding="utf-8"))}
    return tags | {"ul", "ol"}


# The inline formatting a Markdown body may keep once sanitised (loader.sanitise keeps b/i/s as
# strong/em/del, and render.formatted writes only these); nothing that loads, runs or embeds. Written
# out here rather than imported, so that a change to the code's own list has to change this test too.
INLINE_TAGS = {"a", "em", "strong", "code", "del", "sub", "sup"}
ALLOWED_TAGS = template_tags() | INLINE_TAGS
URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "poster", "background", "data", "srcset", "cite"}
BAD_SCHEMES = ("javascript:", "data:", "vbscript:")
BAD_ATTRS = {"style", "srcdoc", "formaction"}


class PageCheck(HTMLParser):
    """Collects every element and every attribute that could run or load something."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.bad: list[str] = []
        self.scripts: list[tuple[dict, str]] = []  # (attributes, text) of every <script>
        self._script: dict | None = None

    def handle_data(self, data):
        if self._script is not None:
            self.scripts[-1] = (self._script, self.scripts[-1][1] + data)

    def handle_endtag(self, tag):
        if tag == "script":
            self._script = None

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        if tag == "script":
            self._script = dict(attrs)
            self.scripts.append((self._script, ""))
        for name, value in attrs:
            # browsers drop ASCII whitespace and control characters anywhere in a URL's scheme
            scheme = re.sub(r"[\x00-\x20]", "", value or "").lower()
            if name.startswith("on") or name in BAD_ATTRS or (name in URL_ATTRS and scheme.startswith(BAD_SCHEMES)):
                self.bad.append(f"<{tag} {name}={value!r}>")

    handle_startendtag = handle_starttag


SEARCH_SCRIPTS = ("pagefind/pagefind-ui.js", "static/search.js")  # the search page's own, and nothing else


def script_problems(rel: str, scripts: list[tuple[dict, str]]) -> list[str]:
    """The templates make two kinds of script element: JSON-LD data blocks (JSON with no '<' in them, so no
    text can close the element), and on the search page alone, Pagefind's and newsgen's own files."""
    problems = []
    for attrs, body in scripts:
        if attrs.get("type") == "application/ld+json" and "src" not in attrs:
            try:
                json.loads(body)
            except ValueError:
                problems.append(f"JSON-LD that does not parse: {body[:80]!r}")
            if "<" in body:
                problems.append(f"'<' inside JSON-LD: {body[:80]!r}")
        elif rel == "search/index.html" and set(attrs) <= {"src", "defer", "data-site-root"} \
                and attrs.get("src", "").endswith(SEARCH_SCRIPTS) and not body.strip():
            continue
        else:
            problems.append(f"a script element the templates do not make: {attrs}")
    return problems


def check_site(out: Path) -> list[str]:
    """Every problem with a built site's markup and data, as text; [] when it is clean."""
    problems = []
    pages = sorted(out.rglob("*.html"))
    if not pages:
        problems.append("no pages written")
    for page in pages:
        text = page.read_text(encoding="utf-8")
        rel = page.relative_to(out).as_posix()
        parser = PageCheck()
        parser.feed(text)
        parser.close()
        problems += [f"{rel}: {p}" for p in script_problems(rel, parser.scripts)]
        if text.lower().count("<script") != len(parser.scripts):
            problems.append(f"{rel}: '<script' outside a script element the templates make")
        if parser.tags - ALLOWED_TAGS:
            problems.append(f"{rel}: elements outside the allow-list: {sorted(parser.tags - ALLOWED_TAGS)}")
        problems += [f"{rel}: {b}" for b in parser.bad]
    for data in sorted(out.rglob("*.json")):
        try:
            json.loads(data.read_text(encoding="utf-8"))
        except ValueError as exc:
            problems.append(f"{data.relative_to(out).as_posix()}: invalid JSON ({exc})")
    return problems


def check_pages(files: dict[str, bytes]) -> list[str]:
    """`check_site` for an in-memory site (render_site's mapping), without writing it."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for rel, data in files.items():
            if rel.endswith((".html", ".json")):
                (root / rel).parent.mkdir(parents=True, exist_ok=True)
                (root / rel).write_bytes(data)
        return check_site(root)


def tree_digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def tree_diff(one: Path, two: Path, limit: int = 3) -> str:
    """The first few differences between two built sites, as unified diffs."""
    import difflib

    a, b = tree_digest(one), tree_digest(two)
    out = [f"only in {one.name}: {sorted(set(a) - set(b))}; only in {two.name}: {sorted(set(b) - set(a))}"]
    for rel in sorted(k for k in set(a) & set(b) if a[k] != b[k])[:limit]:
        x = (one / rel).read_text(encoding="utf-8", errors="replace").splitlines()
        y = (two / rel).read_text(encoding="utf-8", errors="replace").splitlines()
        out += list(difflib.unified_diff(x, y, f"{one.name}/{rel}", f"{two.name}/{rel}", lineterm="", n=1))[:40]
    return "\n".join(out)


# --- strategies ---------------------------------------------------------------------------------

WORDS = ("the council said on monday that a new report would be published after members of the public "
         "raised questions about funding water schools roads hospital police minister government city "
         "officials agreed plan budget million people local residents court ruling election vote week "
         "president company shares market rose fell percent year spokesman told reporters statement").split()
NAMES = ["Maria Okafor", "John Smith", "Li Wei", "Ana García", "Reuters", "Associated Press", "BBC News",
         "Ministry of Health", "United Nations", "New York", "Paris", "Tokyo"]

HOSTILE = [
    # markup and script
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", '"><svg onload=alert(1)>', "<svg><script>alert(1)</script>",
    "<iframe src=javascript:alert(1)></iframe>", '<iframe srcdoc="<script>alert(1)</script>">', "<body onload=alert(1)>",
    '<a href="javascript:alert(1)">click</a>', "<a href=\"jav&#x09;ascript:alert(1)\">x</a>", "<object data=x>",
    "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>", "<style>body{display:none}</style>", "<textarea>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">', "<plaintext>", "<base href=//evil>",
    "<form action=javascript:alert(1)><button>x</button></form>", "<details open ontoggle=alert(1)>", "<b>bold</b>",
    '<div style="background:url(javascript:alert(1))">', "<meta http-equiv=refresh content=0;url=javascript:alert(1)>",
    "<!--", "-->", "<![CDATA[", "]]>", "</title>", "</textarea>", "</p>", "<p", "<", ">", "&", "&lt;", "&amp;lt;",
    "&#60;script&#62;", "&#x3C;img src=x onerror=alert(1)&#x3E;", "&#0;", "&#xD800;", "&nbsp;", "&bogus;",
    "javascript:alert(1)", " JaVaScRiPt:alert(1)", "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)", "'", '"', "`", "\\",
    # Markdown
    "[click](javascript:alert(1))", "![x](x onerror=alert(1))", "[x]: javascript:alert(1)", "<http://x/?<script>>",
    "*emphasis*", "**strong**", "`code <b>`", "```\n<script>alert(1)</script>\n```", "~~~", "    indented <i>code</i>",
    "# Heading <script>", "## Sub", "> quote <b>", "- item", "1. item", "* * *", "| a | b |\n|---|---|\n| <b> | x |",
    "[^1]", "[^1]: note <script>", "*[HTML]: Hyper", "{: onclick=\"alert(1)\" }", "{: #x .y onmouseover=alert(1) }",
    '<div markdown="1">*x* <script>alert(1)</script></div>', "Term\n: definition <img src=x onerror=alert(1)>",
    # templates
    "{{ 7*7 }}", "{% raw %}", "{% endraw %}", "{# x #}", "${7*7}", "{{ config.__class__ }}", "{%",
    # YAML specials
    "---", "...", "&a", "*a", "&a [1, *a]", "!!python/object:os.system", "!!python/object/apply:os.system ['id']",
    "!!binary aGk=", "!!set {a, b}", "!!omap [a: 1]", "? complex", "%YAML 1.1", "%TAG ! tag:x,2000:", "|", ">-",
    "- - - x", "[", "]", "{", "}", "@", "#", ": ", "key: value", "2024-13-45", "2024-02-30 25:61:00", "2024-01-01",
    "1e999999", ".nan", "0x1F", "0o17", "yes", "~", "null", "<<: *a",
    # unicode
    "\u202e", "\u202d", "\u2066", "\u200b", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u2028", "\u2029", "\x85",
    "\u0000", "\x1b[31m", "\x7f", "\r", "\r\n", "\t", "\x0b", "\x0c", "e\u0301", "\U0001F600", "\uFFFD", "\uFFFF",
    "ﷺ", "ǅ", "İ", "ß", "\u0378",
]

# Shapes that nest or repeat: deep structures stress recursive parsers and quadratic rules.
REPEATS = ["[", "{", "- ", "> ", "*", "_", "`", "<div>", "<b>", "<p>", "((", "9", "a", "a ", "&a ", "\\", "#", "|",
           "<", "&", ". ", "\n", " ", "\t", "-", "=", "~", "!", "[a](", "<!--", "\u200b", "é"]


@st.composite
def repeated(draw) -> str:
    unit = draw(st.sampled_from(REPEATS))
    return unit * draw(st.integers(1, 6000 // len(unit)))


@st.composite
def nested_list(draw) -> str:
    n = draw(st.integers(1, 800))
    marker = draw(st.sampled_from(["- ", "* ", "1. ", "> "]))
    return "".join("  " * i + marker + "x\n" for i in range(n))


def _sentence(parts: list[str]) -> str:
    text = " ".join(parts)
    return text[:1].upper() + text[1:] + "."


@st.composite
def sentence(draw) -> str:
    words = draw(st.lists(st.sampled_from(WORDS), min_size=4, max_size=18))
    for _ in range(draw(st.integers(0, 2))):
        words.insert(draw(st.integers(0, len(words))), draw(fragment))
    return _sentence(words)


fragment = st.one_of(st.sampled_from(HOSTILE), st.sampled_from(NAMES), st.text(max_size=12))

paragraph = st.lists(sentence(), min_size=1, max_size=4).map(" ".join)

headline = st.builds(lambda ws, f, name: f"{name} {' '.join(ws)} {f}".strip(),
                     st.lists(st.sampled_from(WORDS), min_size=2, max_size=10),
                     st.one_of(st.just(""), st.sampled_from(HOSTILE)), st.sampled_from(NAMES + [""]))


@st.composite
def article_text(draw, markdown: bool = False) -> str:
    """An article as a scraped page or a Markdown body would give it, with hostile pieces inside."""
    lines = []
    if not markdown or draw(st.booleans()):
        lines += [("# " if markdown and draw(st.booleans()) else "") + draw(headline), ""]
    if draw(st.booleans()):
        lines += [f"By {draw(st.sampled_from(NAMES))}", draw(st.sampled_from(
            ["March 3, 2024", "2024-03-05", "Tuesday 5 March 2024 10:30 GMT", "2024-13-45", "32 March 2024"])), ""]
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["p", "p", "p", "list", "heading", "junk", "raw"]))
        if kind == "p":
            lines.append(draw(paragraph))
        elif kind == "list":
            lines += [f"{draw(st.sampled_from(['-', '*', '•', '1.']))} {draw(sentence())}" for _ in range(draw(st.integers(1, 4)))]
        elif kind == "heading":
            lines.append(("## " if markdown else "") + draw(headline))
        elif kind == "junk":
            lines.append(draw(st.sampled_from(["Subscribe to our newsletter", "Read more", "Advertisement",
                                               "Share this article", "© 2024 News Ltd", "Related articles",
                                               "Image: Reuters", "Sign up", "Follow us on Twitter"])))
        else:
            lines.append(draw(st.one_of(st.sampled_from(HOSTILE), repeated(), st.text(max_size=80))))
        lines.append("")
    return "\n".join(lines)


def _yaml_value(draw) -> str:
    """A front-matter value as a careless or hostile writer would put it: raw, not quoted."""
    return draw(st.one_of(
        st.sampled_from(HOSTILE), st.text(max_size=40), repeated(),
        st.builds(json.dumps, st.one_of(st.text(max_size=40), st.sampled_from(HOSTILE))),
        st.lists(st.sampled_from(HOSTILE + WORDS), max_size=4).map(lambda xs: "[" + ", ".join(xs) + "]"),
        st.sampled_from(["2024-03-05", "2024-13-45", "2024-02-30", "2024-01-01 25:00:00", "2024-01-01T10:00:00Z",
                         "2024-1-1", "9999-12-31", "0000-01-01", "2024-02-29", "1e400", "- x\n  - y", "{a: 1}",
                         "&a x", "*a", "*b", "!!int x", "!!float x", "!!timestamp 2024-99-99", "!!str", ">\n  folded",
                         "9" * 5000, "[" * 3000, "- " * 3000 + "x"])))


@st.composite
def front_matter(draw, quoted: bool = False) -> str:
    keys = ["title", "source", "url", "published", "date", "author", "tags", "dek", "description", "other", "<b>"]
    lines = []
    for key in draw(st.lists(st.sampled_from(keys), max_size=6)):
        value = json.dumps(draw(st.one_of(st.sampled_from(HOSTILE), st.text(max_size=40)))) if quoted \
            else _yaml_value(draw)
        lines.append(f"{key}: {value}")
    if not quoted and draw(st.booleans()):
        lines.append(draw(st.one_of(st.sampled_from(HOSTILE), st.text(max_size=40), repeated())))
    end = draw(st.sampled_from(["---", "---", "...", " --- ", ""]))  # "" leaves the block open
    return "\n".join(["---", *lines, end]) + "\n"


random_text = st.one_of(
    st.text(max_size=300),
    st.text(st.characters(codec="utf-8"), max_size=2000),
    st.lists(st.one_of(st.text(max_size=20), st.sampled_from(HOSTILE), st.sampled_from(WORDS), repeated()),
             max_size=30).map("".join),
    st.lists(st.one_of(st.sampled_from(HOSTILE), st.sampled_from(WORDS)), max_size=60).map(" ".join),
    repeated(), nested_list(),
)


def _mutate(text: str, line_end: str, prefix: str) -> str:
    return prefix + (text.replace("\n", line_end) if line_end != "\n" else text)


texts = st.builds(_mutate, st.one_of(random_text, article_text(), article_text(markdown=True)),
                  st.sampled_from(["\n", "\n", "\n", "\r\n", "\r"]), st.sampled_from(["", "", "", "\ufeff", "\u200b", " "]))

markdown_texts = st.one_of(
    st.builds(lambda fm, body: fm + body, front_matter(), st.one_of(article_text(markdown=True), random_text)),
    st.builds(lambda fm, body: fm + body, front_matter(quoted=True), article_text(markdown=True)),
    article_text(markdown=True), random_text)


def encode(text: str, how: str) -> bytes:
    if how == "utf-8":
        return text.encode("utf-8")
    if how == "utf-8-sig":
        return b"\xef\xbb\xbf" + text.encode("utf-8")
    if how == "utf-16":
        return text.encode("utf-16")  # with a BOM
    if how == "utf-16-le":
        return text.encode("utf-16-le")  # no BOM: NUL bytes
    return text.encode("latin-1", errors="replace")


encodings = st.sampled_from(["utf-8", "utf-8", "utf-8", "utf-8-sig", "utf-16", "utf-16-le", "latin-1"])


@st.composite
def file_bytes(draw, text_strategy=texts) -> bytes:
    """Text in some encoding, sometimes with random bytes spliced in, or just random bytes."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.binary(max_size=500))
    data = encode(draw(text_strategy), draw(encodings))
    if draw(st.integers(0, 5)) == 0:
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(min_size=1, max_size=8)) + data[at:]
    return data


# --- the loader property ----------------------------------------------------------------------

PATH_MISSING = "user error does not name the file"


class InvalidText(AssertionError):
    """The loader returned text that is not valid Unicode (a lone surrogate): it cannot be written out."""


def article_texts(article) -> list[str]:
    texts = [article.title, article.dek, article.byline, article.source.name, article.url, *article.tags,
             *article.paragraphs, *(s.heading for s in article.sections)]
    return [t for t in texts if t is not None]


def load_one(folder: Path, name: str, data: bytes):
    """Write one article file and load it. Returns the Article, or the BuildFailed it raised (checked to
    name the file); anything else propagates: that is the bug the property looks for."""
    path = folder / name
    path.write_bytes(data)
    try:
        loaded = load_files([path], Config(root=folder))
    except BuildFailed as exc:
        assert exc.errors, "BuildFailed without errors"
        for e in exc.errors:
            assert isinstance(e, BuildError) and e.path == str(path) and str(path) in str(e), (PATH_MISSING, str(e))
            assert e.message.strip(), "empty error message"
        event("loader: user error")
        return exc
    except BuildError as exc:  # load_files collects into BuildFailed; a bare one must still name the file
        assert str(path) in str(exc), (PATH_MISSING, str(exc))
        return exc
    finally:
        path.unlink()
    assert len(loaded.articles) == 1
    event("loader: article")
    article = loaded.articles[0]
    assert article.id == path.stem and article.paragraphs
    for text in article_texts(article):
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise InvalidText(f"{text!r}: {exc}") from None
    assert article.url is None or re.match(r"https?://", article.url, re.I)
    return article


LOADER = settings(max_examples=150, deadline=None, database=None, derandomize=True,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                         HealthCheck.data_too_large, HealthCheck.large_base_example])


@LOADER
@given(data=st.binary(max_size=2000), suffix=st.sampled_from([".txt", ".md"]))
def test_loader_arbitrary_bytes(data, suffix):
    with tempfile.TemporaryDirectory() as tmp:
        load_one(Path(tmp), "a" + suffix, data)


@LOADER
@given(data=file_bytes())
def test_loader_any_text_file(data):
    with tempfile.TemporaryDirectory() as tmp:
        load_one(Path(tmp), "scraped.txt", data)


@LOADER
@given(data=file_bytes(st.one_of(article_text(), article_text(markdown=True))))
def test_loader_article_shaped_text_file(data):
    with tempfile.TemporaryDirectory() as tmp:
        load_one(Path(tmp), "article.txt", data)


@LOADER
@given(data=file_bytes(markdown_texts))
def test_loader_any_markdown_file(data):
    with tempfile.TemporaryDirectory() as tmp:
        load_one(Path(tmp), "post.md", data)


# Inputs the properties found (each crashed or hung the loader before its fix), one minimal input
# each: (file bytes, a phrase of the user error it must give now).
KNOWN_CRASHES = {
    # yaml's SafeConstructor builds a date for anything shaped like one: datetime.date raises ValueError
    "yaml-impossible-date": (b"---\ndate: 2024-13-45\n---\nThe council met on Monday.\n", "cannot read this value"),
    "yaml-impossible-day-in-title": (b"---\ntitle: 2024-02-30\n---\nThe council met on Monday.\n", "cannot read this value"),
    "yaml-impossible-time": (b"---\npublished: 2024-01-01 25:00:00\n---\nThe council met on Monday.\n",
                             "cannot read this value"),
    # int() refuses more than 4300 digits (Python 3.11+)
    "yaml-huge-integer": (b"---\ntitle: " + b"9" * 4301 + b"\n---\nThe council met on Monday.\n", "cannot read this value"),
    # an explicit tag on a value that is not one: int("x"), float("x")
    "yaml-tagged-int": (b"---\ntitle: !!int x\n---\nThe council met on Monday.\n", "cannot read this value"),
    "yaml-tagged-float": (b"---\ntitle: !!float x\n---\nThe council met on Monday.\n", "cannot read this value"),
    # YAML "\uD83D\uDE00" escapes (JSON's way to write an emoji) gave two lone surrogates: now one character,
    # and half a pair is a user error
    "yaml-surrogate-escape": (b'---\ntitle: "\\ud83d\\ude00 Council"\n---\nThe council met on Monday.\n', None),
    "yaml-lone-surrogate": (b'---\ntitle: "\\ud83d Council"\n---\nThe council met on Monday.\n', "half a character"),
    # Python-Markdown's inline patterns are quadratic in brackets: 100,000 took minutes
    "markdown-bracket-run": (b"The council met on Monday.\n\n" + b"[" * 100_000 + b"\n", "not article text"),
    # Python-Markdown's block parser recurses once per list level
    "markdown-deep-list": (b"".join(b"  " * i + b"- x\n" for i in range(600)), "nested too deeply"),
    "markdown-dash-run": (b"- " * 1200 + b"x\n", "nested too deeply"),  # one line, 2.4 kB: a list in a list in...
    "markdown-deep-quote": (b"> " * 2000 + b"The council met on Monday.\n", None),
    "yaml-deep-nesting": (b"---\ntitle: " + b"[" * 5000 + b"\n---\nThe council met on Monday.\n", None),
    "yaml-alias": (b"---\ntags: &a [*a]\n---\nThe council met on Monday.\n", None),
}


@pytest.mark.parametrize("name", sorted(KNOWN_CRASHES))
def test_known_crash_is_a_user_error(name, tmp_path):
    data, phrase = KNOWN_CRASHES[name]
    result = load_one(tmp_path, "post.md", data)
    if phrase is None:  # handled: loads, or fails as a user error (load_one checks the error names the file)
        return
    assert isinstance(result, (BuildFailed, BuildError)), result
    assert phrase in str(result.errors[0] if isinstance(result, BuildFailed) else result)


def test_surrogate_pair_escape_is_one_character(tmp_path):
    article = load_one(tmp_path, "post.md", KNOWN_CRASHES["yaml-surrogate-escape"][0])
    assert article.title == "\U0001f600 Council"


def test_markdown_state_survives_a_failed_conversion(tmp_path):
    """A file the Markdown parser fails on must not change how the next file is read."""
    two = b"The council met on Monday.\n\nThe mayor spoke on Tuesday.\n"
    fresh = load_one(tmp_path, "two.md", two)
    assert len(fresh.paragraphs) == 2
    deep = KNOWN_CRASHES["markdown-deep-list"][0]

    def fail_at_depth(n: int) -> None:  # where the recursion limit strikes decides what state is left
        if n:
            return fail_at_depth(n - 1)
        try:
            load_one(tmp_path, "deep.md", deep)
        except RecursionError:  # the recursion limit may strike in the test's own frames
            pass

    for extra in range(6):
        fail_at_depth(extra)
        after = load_one(tmp_path, "two.md", two)
        assert after.paragraphs == fresh.paragraphs, f"after a failed file (stack +{extra}): {after.paragraphs}"


@pytest.fixture(autouse=True)
def _fresh_markdown_state():
    """Keep the leak above (a failed conversion leaves Python-Markdown's parser state behind) from
    reaching the tests that run after these in the same process."""
    yield
    import newsgen.loader

    state = getattr(getattr(getattr(newsgen.loader, "_MARKDOWN", None), "parser", None), "state", None)
    if isinstance(state, list):
        state.clear()


# --- the build property -----------------------------------------------------------------------

@st.composite
def article_files(draw, ascii_escapes: bool = False) -> dict[str, bytes]:
    """1-4 article files: scraped .txt and .md with quoted front matter, every field from hostile strategies."""
    files = {}
    stems = draw(st.lists(st.one_of(st.sampled_from(["a", "b", "c", "d", "report", "x-1", "Ünïcode",
                                                     "<b>id", "&lt;x&gt;", '"quote"', "'single'", "a b", "&amp;", "-"]),
                                    st.text(st.characters(min_codepoint=33, max_codepoint=0x2FFF,
                                                          blacklist_characters="/\\.:*?\"<>|"),
                                            min_size=1, max_size=12)),
                          min_size=1, max_size=4, unique_by=str.casefold))
    shared = draw(paragraph)  # a paragraph several sources carry: stories, claims and copies get built
    hostile = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=30), headline)
    for stem in stems:
        body = draw(article_text(markdown=True))
        if draw(st.booleans()):
            body += "\n\n" + shared + "\n"
        if draw(st.booleans()):
            fields = {"title": draw(hostile), "source": draw(hostile), "author": draw(hostile), "dek": draw(hostile),
                      "url": draw(st.one_of(st.sampled_from(["https://example.com/a?b=<script>&c=\"d\"",
                                                             "http://x.test/\"onmouseover=alert(1)",
                                                             "https://example.com/\u202eevil", "javascript:alert(1)",
                                                             "data:text/html,<script>alert(1)</script>",
                                                             "https://example.com/a b", "//evil.test", ""]),
                                            hostile)),
                      "tags": draw(st.lists(hostile, max_size=3)),
                      "published": draw(st.sampled_from(["2024-03-05", "2024-03-06", "5 March 2024", ""]))}
            keep = draw(st.lists(st.sampled_from(sorted(fields)), unique=True))
            front = "---\n" + "".join(f"{k}: {json.dumps(fields[k], ensure_ascii=ascii_escapes)}\n"
                                       for k in keep) + "---\n"
            files[stem + ".md"] = (front + body).encode("utf-8")
        else:
            files[stem + ".txt"] = body.encode("utf-8")
    return files


class Builder:
    """newsgen in a process of its own with a given hash seed, building on request.

    The property's two builds both run in such workers, not in the test process: a build must not
    depend on what the process did before (see test_markdown_state_survives_a_failed_conversion), nor
    on the hash seed, and the test process has loaded every other test's input."""

    SCRIPT = ("import contextlib, io, json, sys\nfrom newsgen.cli import main\n"
              "for line in sys.stdin:\n"
              "    articles, out = json.loads(line)\n"
              "    with contextlib.redirect_stderr(io.StringIO()) as err:\n"
              "        code = main(['build', '--articles', articles, '--out', out, '-q'])\n"
              "    print(json.dumps([code, err.getvalue()]), flush=True)\n")

    def __init__(self, seed: str) -> None:
        env = {**os.environ, "PYTHONHASHSEED": seed}
        self.proc = subprocess.Popen([sys.executable, "-c", self.SCRIPT], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                                     encoding="utf-8", env=env, cwd=REPO)

    def build(self, articles: Path, out: Path) -> tuple[int, str]:
        self.proc.stdin.write(json.dumps([str(articles), str(out)]) + "\n")
        self.proc.stdin.flush()
        reply = self.proc.stdout.readline()
        assert reply, f"the build process died (exit {self.proc.poll()})"
        code, err = json.loads(reply)
        return code, err

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


@pytest.fixture(scope="module")
def builders():
    pair = (Builder("1"), Builder("4242"))
    yield pair
    for b in pair:
        b.close()


def _first_error(err: str) -> str:
    first = next((line for line in err.splitlines() if line.startswith("error: ")), "")
    return re.sub(r"^error: \S+: ", "", first)[:50]


def build_and_check(files: dict[str, bytes], builders: tuple[Builder, Builder]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        articles = tmp / "articles"
        articles.mkdir()
        for name, data in files.items():
            (articles / name).write_bytes(data)
        code, err = builders[0].build(articles, tmp / "one")
        event(f"build exit {code}" + (f" ({_first_error(err)})" if code == 1 else ""))
        assert code in (0, 1), err  # 3 is newsgen's own "internal error", with a traceback
        if code == 1:
            assert re.search(r"^error: .+", err, re.M) and "Traceback" not in err, err
            assert not (tmp / "one").exists()
            return
        assert check_site(tmp / "one") == []
        again, err = builders[1].build(articles, tmp / "two")
        assert again == 0, err
        assert tree_digest(tmp / "one") == tree_digest(tmp / "two"), tree_diff(tmp / "one", tmp / "two")


@settings(LOADER, max_examples=100)
@given(files=article_files())
def test_build_is_safe_and_deterministic(files, builders):
    build_and_check(files, builders)


@settings(LOADER, max_examples=30)
@given(files=article_files(ascii_escapes=True))
def test_build_with_ascii_escaped_front_matter(files, builders):
    build_and_check(files, builders)


_PATH_PARTS = st.sampled_from(["stories", "sources", "x", "index.html", "a.json", "..", ".", "", "a..", "#s-1"])


@settings(max_examples=3000, derandomize=True, deadline=None)
@given(target=st.lists(_PATH_PARTS, min_size=1, max_size=5).map("/".join),
       page=st.lists(_PATH_PARTS, min_size=1, max_size=5).map("/".join))
def test_relative_links_are_posix_relpath(target, page):
    """urls.relative's shortcut for plain paths gives exactly what posixpath.relpath gives, for any path."""
    import posixpath

    from newsgen.urls import relative

    path, _, anchor = target.partition("#")
    try:
        expected = (posixpath.relpath(path, posixpath.dirname(page) or ".") if path else "") \
            + ("#" + anchor if anchor else "")
    except ValueError as exc:
        expected = exc.__class__
    try:
        got = relative(target, page)
    except ValueError as exc:
        got = exc.__class__
    assert got == expected


_MARKDOWN_BITS = st.sampled_from(["word", " ", "  ", "\n", "\n\n", "*", "_", "`", "\\", "[", "]", "(", ")", "!",
                                  "<", ">", "&", ";", "#", "-", "1.", ":", "^", "{", "}", "http://x.y", "a@b.c",
                                  "<b>", "&amp;", "    ", "\t", "|", "~", "\x02", "\x03", "é"])


@settings(max_examples=2000, derandomize=True, deadline=None)
@given(body=st.lists(_MARKDOWN_BITS, max_size=40).map("".join))
def test_markdown_shortcut_changes_nothing(body):
    """The loader's Markdown (with its shortcut past the inline patterns for text with no markup) gives
    the same HTML as Python-Markdown itself."""
    import markdown

    import newsgen.loader

    assert type(newsgen.loader._MARKDOWN.treeprocessors["inline"]).__name__ == "_QuickInline"
    plain = markdown.Markdown(extensions=["extra", "sane_lists"])
    newsgen.loader._MARKDOWN.reset()
    assert newsgen.loader._MARKDOWN.convert(body) == plain.convert(body)


_PLAIN_BITS = st.sampled_from(["word", "Word", " ", "  ", "\n", "\n\n", "\n\n\n", "1", "12.", "1)", ".", ",", "'",
                               '"', "(", ")", "!", "?", "-", "#", ">", "+", "=", ":", "*", "_", "`", "[", "<", "&",
                               "é", "\u00a0", "\u200b", "\u2028", "\t", "\r", "\x02", "~", "|", "{", "    "])


@settings(max_examples=3000, derandomize=True, deadline=None)
@given(text=st.one_of(st.text(max_size=40), st.text(alphabet=st.characters(max_codepoint=127), max_size=40),
                      st.lists(st.sampled_from(["a", "B", "1", " ", "  ", "\t", "\n", "_", "-", "'", "\u00a0", "\u200b",
                                                "e\u0301", "\u2019", "\uff21"]), max_size=20).map("".join)))
def test_text_shortcuts_for_ascii_change_nothing(text):
    """fold and normalize_inline take a shortcut for ASCII text: the same result as their regular expressions."""
    import re
    import unicodedata

    from newsgen.text import _INVISIBLE, _SPACES, fold, normalize_inline

    assert fold(text) == re.sub(r"[\W_]+", "", text.lower() if text.isascii()
                                else unicodedata.normalize("NFKC", text).casefold())
    expected = _SPACES.sub(" ", _INVISIBLE.sub("", unicodedata.normalize("NFC", text.replace("\n", " "))))
    assert normalize_inline(text) == expected


_YAML_BITS = st.sampled_from(["title", ":", ": ", "\n", "  ", "\n  ", "- ", "- - ", "'", '"', "a b", "2024-01-02", "12",
                              "1.5e3", "~", "null", "yes", "0x1F", "1_000", ".inf", "[", "]", "{", "}", ",", "#", "&a ",
                              "*a", "!!int ", "? ", "|", ">", "\t", "\\u00e9", "\\ud83d\\ude00", "\\x41", "\\",
                              "é", "😀", "---", "...", "%YAML 1.1\n", "<<: ", "\x85", "\u2028", "\ufeff", "\r\n",
                              "\x00", "\x1b", "@", "`", "%", "=", "2020-07-21T10:00:00Z", "1:20"])


@settings(max_examples=3000, derandomize=True, deadline=None)
@given(text=st.lists(_YAML_BITS, max_size=30).map("".join))
def test_yaml_read_by_libyaml_is_what_pyyaml_reads(text):
    """yamlsafe reads a document with libyaml only where PyYAML's own loader reads the same value from it;
    everything else (errors included) goes to PyYAML's loader."""
    import yaml

    from newsgen import yamlsafe

    quick = yamlsafe._quick(text)
    if quick is yamlsafe._SLOW:
        return
    slow = yaml.load(text, Loader=yamlsafe._Loader)  # noqa: S506 -- a SafeLoader
    assert quick == slow and repr(quick) == repr(slow)


# Prose with the characters that open a block only where they may (inside a line) or may not (first in one)
_PROSE_BITS = st.sampled_from(["word", "Word", " ", "  ", "\n", "\n\n", "1", "12.", ".", ",", "'", '"', "(", ")", "!",
                               "-", "#", ">", "+", "=", ":", "é", "\u00e9"[:1] + "\u0301"])


@settings(max_examples=3000, derandomize=True, deadline=None)
@given(body=st.one_of(st.lists(_PLAIN_BITS, max_size=40), st.lists(_PROSE_BITS, max_size=40)).map("".join))
def test_plain_bodies_read_as_markdown_reads_them(body):
    """loader.plain_units, the shortcut for bodies of plain paragraphs, gives what Python-Markdown, the
    sanitiser and the block reader give (or declines: None)."""
    import newsgen.loader as loader

    got = loader.plain_units(body)
    loader._MARKDOWN.reset()
    parser = loader._BlockParser()
    parser.feed(loader.sanitise(loader._MARKDOWN.convert(body)))
    parser.close()
    if got is not None:
        assert (got, [0] * len(got)) == (parser.units, parser.levels)


def test_plain_bodies_take_the_shortcut():
    """The shortcut is taken for plain prose and declined for each kind of Markdown block and markup."""
    from newsgen.loader import plain_units

    prose = "The council met on Monday.\nIt voted 7-2 (after a long debate).\n\nRoe said: \"We will see.\"\n"
    assert [u.text for u in plain_units(prose)] == ["The council met on Monday. It voted 7-2 (after a long debate).",
                                                    'Roe said: "We will see."']
    for markup in ("# Heading", "- item", "1. item", "> quoted", "    code", "a *b*", "a_b", "[a](b)", "a <b>",
                   "a &amp; b", "a | b", "Title\n===", "line  \nbreak", "term\n: definition", "a\u00a0b"):
        assert plain_units(f"Text.\n\n{markup}\n") is None, markup


@settings(max_examples=500, derandomize=True, deadline=None)
@given(text=st.text(alphabet=st.sampled_from(list("ab '\"-.\u00e9") + list("\u2018\u2019\u201a\u201b\u2032\u201c\u201d"
                                                                         "\u201e\u2033\u2013\u2014\u2212\u2015\u00ab")),
                    max_size=40))
def test_plain_quotes_is_the_translation_table_char_by_char(text):
    """text.plain_quotes (a replace a character found) gives what str.translate gives with its table."""
    import unicodedata

    from newsgen.text import _QUOTES, fold_text, plain_quotes

    table = str.maketrans(_QUOTES)
    assert plain_quotes(text) == text.translate(table)
    assert fold_text(text) == unicodedata.normalize("NFKC", text).translate(table).casefold()
