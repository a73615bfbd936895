"""Read every article file into the shared model: decode, front matter, clean, metadata.

`.txt` files are scraped page text (junk and all); `.md` files carry YAML front matter and a
Markdown body. Both become `Unit`s and pass through the same cleaner, so one set of rules serves.
Front matter and site.yaml overrides win over what the text says; what nobody says stays unknown.
"""
from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timezone
from html.parser import HTMLParser
from pathlib import Path

import markdown
import nh3
from slugify import slugify

from .clean import Unit, clean
from .config import Config
from .errors import BuildError, BuildFailed
from .model import INLINE_TAGS, Article, Mark, Source, evolve
from .cache import Cache
from .text import normalize_inline, normalize_line, normalize_lines, parse_date
from .urls import safe_url
from .yamlsafe import load_yaml

SUFFIXES = {".txt": "txt", ".text": "txt", ".md": "md", ".markdown": "md", ".html": "html", ".htm": "html"}
BULLET = re.compile(r"^(?:(?P<mark>[\u2022\u00b7\u25aa\u25cf\u25e6\u2023\u2043\u2219*\-\u2013])|(?P<num>\d{1,2})[.)])\s+(?P<text>\S.*)$")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
FRONT_MATTER_KEYS = ("title", "source", "url", "published", "date", "author", "tags", "dek", "description")


MAX_LINE_CHARS = 100_000  # a longer run without a line break is not article text (minified page, binary)


@dataclass(frozen=True, slots=True)
class Loaded:
    articles: tuple[Article, ...]
    warnings: tuple[str, ...]
    skipped: tuple[BuildError, ...] = ()  # files left out under --keep-going, each with its error
    keys: dict[str, str] = field(default_factory=dict)  # article id -> its file's cache key (with a cache)


def article_files(folder: Path) -> tuple[list[Path], list[str]]:
    """The article files in `folder`, sorted by name, and a warning for each file passed over."""
    if not folder.is_dir():
        raise BuildError(str(folder), "articles folder not found")
    files, warnings = [], []
    for path in sorted(folder.iterdir(), key=lambda p: p.name):
        if path.name.startswith(".") or (path.is_dir() and not path.is_symlink()):
            continue
        if path.suffix.lower() in SUFFIXES:
            files.append(path)
        else:
            warnings.append(f"{path}: not an article file (.txt, .md or .html); skipped")
    return files, warnings


def decode(path: Path, data: bytes) -> str:
    """Bytes to text: UTF-8 with or without BOM, UTF-16 with BOM; anything else is an error."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise BuildError(str(path), f"invalid UTF-16 text ({exc.reason})") from None
    else:
        if b"\x00" in data[:8192]:
            raise BuildError(str(path), "not a text file (it contains NUL bytes); expected UTF-8 text")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
            raise BuildError(str(path), f"not valid UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8",
                             line, col) from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise BuildError(str(path), "the file is empty")
    return CONTROL.sub("", text)


def text_units(text: str, first_line: int = 1) -> list[Unit]:
    """Scraped text: every non-blank line is a unit; bulleted lines are list items."""
    units = []
    gap = True
    for n, line in enumerate(normalize_lines(text), start=first_line):
        if not line:
            gap = True
            continue
        m = BULLET.match(line)
        if m:
            units.append(Unit(n, m.group("text"), "item", gap, ordered=bool(m.group("num"))))
        else:
            units.append(Unit(n, line, "text", gap))
        gap = False
    return units


# The Markdown body's HTML, sanitised: nh3 (the Rust crate ammonia) keeps this allow-list and drops the
# rest -- script and style with their content, every other tag but its text. Then _BlockParser keeps
# the blocks as units and the inline formatting as Marks.
_BLOCK_TAGS = {"p", "li", "ul", "ol", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "br",
               "table", "thead", "tbody", "tr", "td", "th", "dl", "dt", "dd"}
_INLINE = {"a": "a", "em": "em", "i": "em", "strong": "strong", "b": "strong", "code": "code", "del": "del",
           "s": "del", "sub": "sub", "sup": "sup"}
assert set(_INLINE.values()) <= set(INLINE_TAGS)


def sanitise(html: str) -> str:
    return nh3.clean(html, tags=_BLOCK_TAGS | set(_INLINE), attributes={"a": {"href"}},
                     url_schemes={"http", "https"}, link_rel=None, strip_comments=True,
                     clean_content_tags={"script", "style", "template", "noscript", "textarea", "title", "xmp",
                                         "iframe", "noembed", "noframes", "plaintext", "math", "svg", "object"})


class _BlockParser(HTMLParser):
    """Sanitised HTML to units: headings, paragraphs, list items and quotations, with inline Marks."""

    BLOCKS = {"p": "text", "li": "item", "h1": "heading", "h2": "heading", "h3": "heading", "h4": "heading",
              "h5": "heading", "h6": "heading", "pre": "text", "td": "text", "th": "text", "dt": "text", "dd": "text"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.units: list[Unit] = []
        self.levels: list[int] = []  # heading level per unit (0 for others)
        self._buf: list[str] = []
        self._size = 0
        self._open: list[list] = []  # [tag, href, start] of inline tags now open
        self._done: list[Mark] = []
        self._kind: str | None = None
        self._level = 0
        self._quote = 0
        self._lists: list[bool] = []  # ordered?

    def handle_starttag(self, tag, attrs):
        if tag in _INLINE:
            href = safe_url(dict(attrs).get("href")) if tag == "a" else None
            self._open.append([_INLINE[tag], href, self._size])
        elif tag == "blockquote":
            self._flush()
            self._quote += 1
        elif tag in ("ul", "ol"):
            self._flush()
            self._lists.append(tag == "ol")
        elif tag in self.BLOCKS:
            self._flush()
            self._kind = self.BLOCKS[tag]
            self._level = int(tag[1]) if self._kind == "heading" else 0
        elif tag == "br":
            self._add(" ")

    def handle_endtag(self, tag):
        if tag in _INLINE:
            for i in range(len(self._open) - 1, -1, -1):
                if self._open[i][0] == _INLINE[tag]:
                    self._close(self._open.pop(i))
                    break
        elif tag == "blockquote":
            self._flush()
            self._quote = max(0, self._quote - 1)
        elif tag in ("ul", "ol"):
            self._flush()
            if self._lists:
                self._lists.pop()
        elif tag in self.BLOCKS:
            self._flush()

    def handle_data(self, data):
        self._add(data)

    def _add(self, data: str) -> None:
        data = normalize_inline(data)
        if data.startswith(" ") and (not self._size or self._buf[-1].endswith(" ")):
            data = data[1:]
        if data:
            self._buf.append(data)
            self._size += len(data)

    def _close(self, entry: list) -> None:
        tag, href, start = entry
        if self._size > start and (tag != "a" or href):
            self._done.append(Mark(start, self._size, tag, href))

    def _flush(self) -> None:
        text = "".join(self._buf).rstrip()
        for entry in self._open:  # formatting left open runs on into the next block
            self._close(entry)
            entry[2] = 0
        marks = tuple(sorted((Mark(m.start, min(m.end, len(text)), m.tag, m.href)
                              for m in self._done if m.start < len(text)), key=lambda m: (m.start, -m.end, m.tag)))
        self._buf, self._size, self._done = [], 0, []
        if text:
            kind = self._kind or "text"
            if kind == "text" and self._quote:
                kind = "quote"
            ordered = bool(self._lists and self._lists[-1])
            self.units.append(Unit(0, text, kind, True, ordered=ordered and kind == "item", marks=marks))
            self.levels.append(self._level)
        self._kind, self._level = None, 0

    def close(self):
        super().close()
        self._flush()


class _QuickInline(markdown.treeprocessors.InlineProcessor):
    """Python-Markdown's inline stage, which tries each of its 14 patterns on every paragraph, with a
    shortcut: text with none of the characters a pattern needs is left as it is, as the patterns would
    leave it. Half of a conversion's time went there, on paragraphs of plain prose."""

    # Each pattern (backtick, escape, footnote, links and images, autolink and automail, line break,
    # inline HTML, entity, emphasis) needs one of these; PATTERNS are those the characters were read from.
    MARKUP = re.compile(r"[`\\\[<&*_]|  \n")
    PATTERNS = ("backtick", "escape", "footnote", "reference", "link", "image_link", "image_reference",
                "short_reference", "short_image_ref", "autolink", "automail", "linebreak", "html", "entity",
                "em_strong")

    def _InlineProcessor__handleInline(self, data, patternIndex=0):  # InlineProcessor.__handleInline
        if patternIndex == 0 and not self.MARKUP.search(data):
            return data
        return super()._InlineProcessor__handleInline(data, patternIndex)


def _new_markdown() -> markdown.Markdown:
    md = markdown.Markdown(extensions=["extra", "sane_lists"])
    # Only where the patterns are those read above (another Python-Markdown may add one): else as it is.
    if {p.name for p in md.inlinePatterns._priority} == set(_QuickInline.PATTERNS) \
            and hasattr(md.treeprocessors["inline"], "_InlineProcessor__handleInline"):
        priority = next(p.priority for p in md.treeprocessors._priority if p.name == "inline")
        md.treeprocessors.register(_QuickInline(md), "inline", priority)
    return md


_MARKDOWN = _new_markdown()

# Python-Markdown's inline patterns take time quadratic in the matches within one paragraph: 4,000
# "[" take 2 s, 100,000 take minutes, and backslash escapes are the same; lists indented hundreds of
# columns deep take seconds before they exhaust the recursion limit. No prose needs either, so such a
# body is refused as not article text (a clear error, not a hang).
MAX_INLINE_SPECIALS = {"[": 500, "\\": 2000}
_PARAGRAPHS = re.compile(r"\n[ \t]*\n")
_DEEP_INDENT = re.compile(r"^[ \t]{257,}\S", re.M)


def _check_inline_load(path: Path | None, body: str, first_line: int) -> None:
    deep = _DEEP_INDENT.search(body)
    if deep:
        raise BuildError(str(path), "a line indented more than 256 columns: Markdown nested too deeply to read",
                         first_line + body.count("\n", 0, deep.start()))
    if all(body.count(c) <= limit for c, limit in MAX_INLINE_SPECIALS.items()):
        return
    line = first_line
    start = 0
    for gap in [*_PARAGRAPHS.finditer(body), None]:
        end = gap.start() if gap else len(body)
        part = body[start:end]
        for c, limit in MAX_INLINE_SPECIALS.items():
            if part.count(c) > limit:
                raise BuildError(str(path), f"a paragraph with {part.count(c):,} {c!r} characters (the limit is "
                                            f"{limit:,}); not article text", line)
        if gap:
            line += body.count("\n", start, gap.end())
            start = gap.end()


# A body of plain paragraphs, as most articles are: no character to which Markdown or HTML gives a meaning,
# no line that could open a block (a heading, list, quotation, rule, code, table or definition: every line
# starts with a character none of those can start with), and only printable characters. Python-Markdown
# would make each paragraph a <p> of its text as written; it is read as such without converting it.
_NOT_PLAIN = re.compile(r"[`\\\[\]<>&*_|{}~]|  \n|^(?:[ #>+=:-]|\d+\.)", re.M)
_BLANK_LINES = re.compile(r"\n{2,}")


def plain_units(body: str) -> list[Unit] | None:
    """The units of a body of plain paragraphs (as markdown_units would read them), or None for any other."""
    if _NOT_PLAIN.search(body) or not body.replace("\n", "").isprintable():
        return None
    return [Unit(0, text, "text") for text in (normalize_inline(p).strip() for p in _BLANK_LINES.split(body)) if text]


def markdown_units(body: str, path: Path | None = None, first_line: int = 1) -> tuple[list[Unit], list[int]]:
    global _MARKDOWN
    _check_inline_load(path, body, first_line)
    plain = plain_units(body)
    if plain is not None:
        return plain, [0] * len(plain)
    _MARKDOWN.reset()
    try:
        html = _MARKDOWN.convert(body)
    except RecursionError:
        _MARKDOWN = _new_markdown()  # a failed conversion leaves the parser's state stack full
        raise BuildError(str(path), "Markdown nested too deeply to read (lists or quotes hundreds of levels deep)") \
            from None
    parser = _BlockParser()
    parser.feed(sanitise(html))
    parser.close()
    return parser.units, parser.levels


def split_front_matter(path: Path, text: str) -> tuple[dict, str, int]:
    """(front matter, body, line number where the body starts)."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return {}, text, 1
    for end in range(1, len(lines)):
        if lines[end].strip() in ("---", "..."):
            break
    else:
        raise BuildError(str(path), "front matter: no closing '---' line", 1)
    meta = load_yaml("\n".join(lines[1:end]), str(path), first_line=2, what="front matter")
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise BuildError(str(path), f"front matter: expected a mapping, got {type(meta).__name__}", 2)
    return meta, "\n".join(lines[end + 1:]), end + 2


@dataclass(frozen=True, slots=True)
class _Given:
    """What the user stated about one article: site.yaml overrides first, then front matter."""

    path: Path
    text: str  # the file's text, to find a front-matter key's line
    meta: dict
    over: dict
    config_file: str

    def raw(self, *keys: str):
        for origin in (self.over, self.meta):
            for key in keys:
                if origin.get(key) not in (None, ""):
                    return origin[key], key, origin is self.over
        return None, keys[0], False

    def error(self, key: str, from_override: bool, message: str) -> BuildError:
        if from_override:
            return BuildError(self.config_file, f"overrides.{self.path.stem}.{key}: {message}")
        return BuildError(str(self.path), f"front matter: {key}: {message}", _key_line(self.text, key))

    def text_field(self, *keys: str) -> str | None:
        value, key, over = self.raw(*keys)
        if value is None:
            return None
        if isinstance(value, (dict, list)):
            raise self.error(key, over, f"expected text, got {type(value).__name__}")
        return normalize_line(str(value)) or None

    def date_field(self, *keys: str) -> date | None:
        value, key, over = self.raw(*keys)
        if value is None or isinstance(value, date):
            return value.date() if isinstance(value, datetime) else value
        if isinstance(value, (dict, list)):
            raise self.error(key, over, f"expected a date, got {type(value).__name__}")
        found = parse_date(value) if isinstance(value, str) else None
        if found is None:
            raise self.error(key, over, f"not a date: {str(value)[:40]!r} (use YYYY-MM-DD)")
        return found

    def tags(self) -> tuple[str, ...]:
        value, key, over = self.raw("tags")
        if value is None:
            return ()
        if isinstance(value, str):
            value = value.split(",")
        if not isinstance(value, list) or any(isinstance(t, (dict, list)) for t in value):
            raise self.error(key, over, "expected a list of words")
        return tuple(t for t in (normalize_line(str(t)) for t in value) if t)


def _key_line(text: str, key: str) -> int | None:
    m = re.search(rf"^{re.escape(key)}\s*:", text, re.M)
    return text.count("\n", 0, m.start()) + 1 if m else None


def _safe_url(value: str | None, path: Path, warnings: list[str]) -> str | None:
    if value and not safe_url(value):
        warnings.append(f"{path}: url {value[:60]!r} is not an http(s) address; ignored")
        return None
    return value


def read_file(path: Path, limit: int, inside: Path | None = None) -> bytes:
    """The file's bytes: a regular file of at most `limit` bytes, within `inside` if given."""
    if inside is not None and path.is_symlink():
        target = path.resolve()
        if not target.is_relative_to(inside.resolve()):
            raise BuildError(str(path), f"symlink to {target}, outside the articles folder; refused")
    not_regular = BuildError(str(path), "not a regular file (a folder, pipe or device)")
    too_big = BuildError(str(path), f"over the {limit / 1e6:g} MB limit for one article (max_article_mb in site.yaml)")
    try:
        # O_NONBLOCK: opening a named pipe must not wait for a writer; fstat then refuses it.
        with open(os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)), "rb") as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise not_regular
            if info.st_size > limit:  # refused before reading
                raise too_big
            data = handle.read(limit + 1)  # a file that grew meanwhile is refused too
    except FileNotFoundError:
        raise BuildError(str(path), "the file is gone (removed while the build ran, or a broken symlink)") from None
    except IsADirectoryError:
        raise not_regular from None
    except OSError as exc:
        raise BuildError(str(path), f"cannot read: {exc.strerror or exc}") from None
    if len(data) > limit:
        raise too_big
    return data


def _check_lines(path: Path, text: str) -> None:
    for n, line in enumerate(text.split("\n"), start=1):
        if len(line) > MAX_LINE_CHARS:
            raise BuildError(str(path), f"a line of {len(line):,} characters with no line break "
                                        f"(the limit is {MAX_LINE_CHARS:,}); not article text", n)


def load_article(path: Path, config: Config, warnings: list[str], inside: Path | None = None) -> Article:
    fmt = SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        raise BuildError(str(path), f"not an article file: expected one of {', '.join(sorted(SUFFIXES))}")
    data = read_file(path, int(config.max_article_mb * 1_000_000), inside)
    if fmt == "html":
        return _web_article(path, config, warnings, data)
    text = decode(path, data)
    _check_lines(path, text)
    meta: dict = {}
    if fmt == "md":
        meta, body, body_line = split_front_matter(path, text)
    given = _Given(path, text, meta, config.override(path.stem), config.file)
    for key in meta:
        if key not in FRONT_MATTER_KEYS:
            warnings.append(f"{path}:{_key_line(text, str(key)) or 1}: front matter: unknown key {key!r} (ignored)")
    if fmt == "md":
        units, levels = markdown_units(body, path, body_line)
        title = given.text_field("title")
        if title is None:
            h1 = next((i for i, lv in enumerate(levels) if lv == 1), None)
            if h1 is not None:
                title = units.pop(h1).text
        cleaned = clean(units, known_title=title, find_title=False)
    else:
        cleaned = clean(text_units(text), whole_page=True)
    headline_only = fmt == "md" and given.text_field("title") is not None and not body.strip()
    if not any(cleaned.sections) and not headline_only:  # a headline with no body is a feed item; junk alone is not
        raise BuildError(str(path), "no article text left once page furniture is removed "
                                    "(see `newsgen check --explain` for what went)")
    source_name = given.text_field("source") or cleaned.publisher
    return Article(
        id=path.stem,
        path=str(path),
        format=fmt,
        title=given.text_field("title") or cleaned.title,
        dek=given.text_field("dek", "description") or cleaned.dek,
        byline=given.text_field("author") or cleaned.byline,
        source=Source(source_name, slug="", url=config.source_url(source_name), label_hint=path.name),
        url=_safe_url(given.text_field("url"), path, warnings),
        published=given.date_field("published", "date") or cleaned.published,
        tags=given.tags(),
        sections=cleaned.sections,
        removed=cleaned.removed,
        modified=_modified(path),
    )


def _web_article(path: Path, config: Config, warnings: list[str], data: bytes) -> Article:
    """A saved web page: its main text and metadata as trafilatura reads them; site.yaml overrides win."""
    from .webpage import read_page

    page, page_url = read_page(str(path), data)
    given = _Given(path, "", {}, config.override(path.stem), config.file)
    source_name = given.text_field("source") or page.publisher
    url = given.text_field("url")
    return Article(
        id=path.stem,
        path=str(path),
        format="html",
        title=given.text_field("title") or page.title,
        dek=given.text_field("dek", "description") or page.dek,
        byline=given.text_field("author") or page.byline,
        source=Source(source_name, slug="", url=config.source_url(source_name), label_hint=path.name),
        url=_safe_url(url, path, warnings) if url else safe_url(page_url),
        published=given.date_field("published", "date") or page.published,
        tags=given.tags(),
        sections=page.sections,
        removed=page.removed,
        modified=_modified(path),
    )


def _modified(path: Path) -> datetime | None:
    """The file's last change, to the second, in UTC (what a feed says an entry was last updated)."""
    try:
        return datetime.fromtimestamp(int(path.stat().st_mtime), tz=timezone.utc)
    except (OSError, ValueError, OverflowError):
        return None


def source_slugs(articles: list[Article]) -> list[Article]:
    """Give every source a slug: one per outlet name; an unknown source is one per file."""
    taken: dict[str, str] = {}  # slug -> the key it belongs to
    slug_of: dict[str, str] = {}
    for a in articles:
        key = f"name:{a.source.name.casefold()}" if a.source.name else f"file:{a.id}"
        if key in slug_of:
            continue
        base = slugify(a.source.name) if a.source.name else f"unknown-{slugify(a.id)}"
        base = base or f"source-{slugify(a.id) or 'unnamed'}"
        slug, n = base, 2
        while slug in taken:
            slug, n = f"{base}-{n}", n + 1
        taken[slug] = key
        slug_of[key] = slug
    out = []
    for a in articles:
        key = f"name:{a.source.name.casefold()}" if a.source.name else f"file:{a.id}"
        out.append(evolve(a, source=replace(a.source, slug=slug_of[key])))
    return out


def _load_one(path: Path, config: Config, inside: Path | None) -> tuple[Article | None, list[str], BuildError | None]:
    """One file: (its article, its warnings, None), or (None, warnings, the error)."""
    warnings: list[str] = []
    try:
        return load_article(path, config, warnings, inside), tuple(warnings), None
    except BuildError as exc:
        return None, tuple(warnings), exc


RECENT_NS = 2_000_000_000  # a file changed this close to when a build saw it is read again by the next


def file_keys(paths: list[Path], config: Config, cache: Cache) -> list[str | None]:
    """The cache key of what loading each file gives: its bytes, name and modification second, and the
    settings the loader reads. None when the file cannot be read (loading it reports why).

    The bytes are read only where the file changed: the last build's record (cache kind `stats`) gives a
    file's digest while its size, modification and change times, inode and device are as they were (as
    git's index does). A file changed within RECENT_NS of the moment a build saw it is not recorded (a
    second change in the same tick of the file system's clock would look the same) and is read again."""
    import hashlib
    import time

    from .cache import code_version, digest

    if not cache.enabled:
        return [None] * len(paths)
    record_key = digest(code_version(), "stats")
    before = cache.get("stats", record_key, count=False) or {}
    record: dict[str, tuple] = {}
    settled = time.time_ns() - RECENT_NS
    keys: list[str | None] = []
    for path in paths:
        try:
            st = path.stat()
            if not stat.S_ISREG(st.st_mode) or st.st_size > config.max_article_mb * 1_000_000:
                keys.append(None)  # a FIFO, a device, a file over the limit: never read here
                continue
            name = os.path.abspath(path)
            seen = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev)
            old = before.get(name)
            if old is not None and old[0] == seen:
                content = old[1]
            else:
                content = hashlib.blake2b(path.read_bytes(), digest_size=20).digest()
            if max(st.st_mtime_ns, st.st_ctime_ns) < settled:
                record[name] = (seen, content)
        except OSError:
            keys.append(None)
            continue
        keys.append(digest(code_version(), content, str(path), int(st.st_mtime), config.file,
                           config.max_article_mb, config.override(path.stem), config.sources))
    if record != before:
        cache.put("stats", record_key, record)
    return keys


def load_task(path: Path, shared: tuple[Config, Path | None]):
    """One file, as an engine task (engine.py): shared is (the settings, the articles folder)."""
    return _load_one(path, *shared)


def load_files(paths: list[Path], config: Config, warnings: list[str] | None = None, *,
               inside: Path | None = None, keep_going: bool = False, progress=None, cache=None,
               engine=None) -> Loaded:
    """These article files. Every error is collected and raised together; with `keep_going` the
    files in error are left out and listed in `skipped` (it is still an error if none is left).
    With a `cache` (cache.Cache), files whose key is stored are not read again, and `keys` gives each
    article's key; the `engine` (engine.py; None: this process) loads the rest."""
    warnings = list(warnings or [])
    cache = cache or Cache(None)
    keys = file_keys(paths, config, cache)
    # A file in error is never stored: it is read again, and its error reported, on every build.
    loaded = cache.map("articles", load_task, paths, keys, engine, progress, "load",
                       keep=lambda result: result[2] is None, shared=(config, inside))
    results = dict(zip(paths, loaded))
    keys = dict(zip(paths, keys))
    articles, errors, seen, article_keys = [], [], {}, {}
    for path in paths:
        article, found, error = results[path]
        if path.stem in seen:
            errors.append(BuildError(str(path), f"two files share the id {path.stem!r} (also {seen[path.stem]})"))
            continue
        warnings.extend(found)
        if error is not None:
            errors.append(error)
            continue
        articles.append(article)
        seen[path.stem] = path.name
        if keys.get(path):
            article_keys[article.id] = keys[path]
    if errors and (not keep_going or not articles):
        raise BuildFailed(errors)
    return Loaded(tuple(source_slugs(articles)), tuple(warnings), tuple(errors), article_keys)


def load_articles(config: Config, folder: Path | None = None, keep_going: bool = False, progress=None,
                  cache=None, engine=None) -> Loaded:
    """Every article in the folder."""
    folder = folder or config.articles_dir
    files, warnings = article_files(folder)
    if not files:
        raise BuildFailed([BuildError(str(folder), "no article files (.txt, .md or .html) found")])
    return load_files(files, config, warnings, inside=folder, keep_going=keep_going, progress=progress,
                      cache=cache, engine=engine)
