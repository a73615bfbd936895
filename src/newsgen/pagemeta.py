"""A saved page's own statements about itself: headline, description, author, publisher, date, address.

Read in the order a page states them most deliberately: schema.org JSON-LD (`NewsArticle` and its
kin), then Open Graph and Twitter cards, then `<meta>` names, then the markup (`<link rel=canonical>`,
`itemprop`, `rel=author`, the one `<h1>`, `<title>`). Only what the page states is taken: a date is
read from the article's own markup, never guessed from text, and a field no source gives stays None.

This replaces trafilatura's metadata step, which also guesses dates from the text and the address
(htmldate) and took half of the time of reading a page (README, "Measured").
"""
from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from .clean import TITLE_SEPARATOR
from .text import normalize_line

ARTICLE_TYPES = {"newsarticle", "article", "reportagenewsarticle", "analysisnewsarticle", "opinionnewsarticle",
                 "backgroundnewsarticle", "reviewnewsarticle", "askpublicnewsarticle", "blogposting",
                 "socialmediaposting", "liveblogposting", "scholarlyarticle", "techarticle", "report"}
URL = re.compile(r"^(https?:)?//", re.I)


@dataclass(frozen=True, slots=True)
class PageMeta:
    title: str | None = None
    description: str | None = None
    author: str | None = None
    sitename: str | None = None
    published: date | None = None
    url: str | None = None


def _text(value) -> str | None:
    if isinstance(value, str):
        text = normalize_line(" ".join(html.unescape(value).split()))  # JSON-LD and <meta> often hold &#039;
        return text or None
    return None


ISO_DAY = re.compile(r"^(\d{4})[-/](\d{2})[-/](\d{2})(?!\d)")  # 2025-03-04, 2025/03/04, 2025-03-04T10:00Z


def _date(value) -> date | None:
    m = ISO_DAY.match(_text(value) or "")
    try:
        return date(int(m[1]), int(m[2]), int(m[3])) if m else None
    except ValueError:
        return None


def _names(value) -> str | None:
    """A schema.org author or publisher: text, {"name": ...}, or a list of them."""
    items = value if isinstance(value, list) else [value]
    names = []
    for item in items:
        name = _text(item.get("name")) if isinstance(item, dict) else _text(item)
        if name and not URL.match(name) and name not in names:
            names.append(name)
    return ", ".join(names) or None


def _ld_objects(scripts) -> list[dict]:
    """Every JSON-LD object on the page, @graph members included; a block that is not JSON is skipped."""
    found: list[dict] = []

    def walk(node) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            found.append(node)
            walk(node.get("@graph"))

    for script in scripts:
        if (script.get("type") or "").strip().lower() != "application/ld+json" or not script.text:
            continue
        try:
            walk(json.loads(script.text))
        except (ValueError, RecursionError):
            continue
    return found


def _types(obj: dict) -> set[str]:
    kinds = obj.get("@type")
    return {k.lower() for k in (kinds if isinstance(kinds, list) else [kinds]) if isinstance(k, str)}


def _metas(metas) -> dict[str, str]:
    """<meta property|name|itemprop=... content=...>, keys lower-cased; the first of each key wins."""
    found: dict[str, str] = {}
    for el in metas:
        key = (el.get("property") or el.get("name") or el.get("itemprop") or "").strip().lower()
        value = _text(el.get("content"))
        if key and value and key not in found:
            found[key] = value
    return found


def _first(*values):
    return next((v for v in values if v), None)


@lru_cache(maxsize=None)
def _xpath(expression: str):
    """Compiled once: lxml compiles a string expression again on every call."""
    from lxml import etree

    return etree.XPath(expression)


def _markup_text(tree, xpath: str) -> str | None:
    for el in _xpath(xpath)(tree):
        text = _text(el.get("datetime") or el.get("content") or el.text_content())
        if text:
            return text
    return None


BYLINE_XPATH = "//*[@itemprop='author' or @rel='author' or contains(@class, 'author') or contains(@class, 'byline')]"
# a class naming the byline: "byline", "author-name", "post_author"; not "authorize"
BYLINE_CLASS = re.compile(r"(^|[\s_-])(author|byline)(name)?($|[\s_-])", re.I)
BY = re.compile(r"^((by|von|par|por|di|door|przez|de)\s+|(author|autor|auteur|autore)\s*:\s*)", re.I)
MAX_BYLINE_WORDS = 6


def _byline(tree) -> str | None:
    """A name the markup marks as the author's (itemprop, rel, or a byline/author class), "By" cut off."""
    candidates = _xpath(BYLINE_XPATH)(tree)
    names = [n for el in candidates if el.get("itemprop") == "author" for n in el.iter() if n.get("itemprop") == "name"]
    marked = [el for el in candidates if el.get("itemprop") == "author" or el.get("rel") == "author"
              or BYLINE_CLASS.search(el.get("class") or "")]
    for el in [*names, *marked]:
        text = BY.sub("", _text(el.get("content") or el.text_content()) or "")
        if text and len(text.split()) <= MAX_BYLINE_WORDS and text[:1].isupper() and not URL.match(text):
            return text
    return None


def _without_site(title: str | None, sitename: str | None) -> str | None:
    """'Headline | Outlet' -> 'Headline', when the outlet is the page's stated site name (the cleaner's
    separators for a page title line)."""
    cuts = list(TITLE_SEPARATOR.finditer(title or ""))
    if title and sitename and cuts and title[cuts[-1].end():].strip().casefold() == sitename.casefold():
        return title[:cuts[-1].start()].strip() or title
    return title


def read_meta(tree) -> PageMeta:
    """The metadata a parsed page (an lxml.html tree) states about itself. One walk over the tree
    collects the elements read; the markup is searched only for a field nothing else gave."""
    tags: dict[str, list] = {"script": [], "meta": [], "link": [], "h1": [], "title": []}
    for el in tree.iter(*tags):
        tags[el.tag].append(el)
    ld = next((obj for obj in _ld_objects(tags["script"]) if _types(obj) & ARTICLE_TYPES), {})
    meta = _metas(tags["meta"])
    publisher = ld.get("publisher")
    sitename = _first(meta.get("og:site_name"), _names(publisher) if publisher else None, meta.get("application-name"))
    main_entity = ld.get("mainEntityOfPage")
    if isinstance(main_entity, dict):
        main_entity = main_entity.get("@id")
    canonical = next((link.get("href") for link in tags["link"]
                      if "canonical" in (link.get("rel") or "").lower().split() and link.get("href")), None)
    author = _names(ld.get("author")) if ld.get("author") else None
    for key in ("author", "article:author", "dc.creator", "citation_author", "parsely-author", "sailthru.author"):
        if not author and meta.get(key) and not URL.match(meta[key]):
            author = meta[key]
    author = author or _byline(tree)
    published = _date(ld.get("datePublished"))
    for key in ("article:published_time", "datepublished", "date", "pubdate", "publish-date", "dc.date",
                "dc.date.issued", "citation_publication_date"):
        published = published or _date(meta.get(key))
    published = published or _date(_markup_text(tree, "//*[@itemprop='datePublished']")) or _date(
        _markup_text(tree, "(//article//time[@datetime] | //time[@pubdate])[1]"))
    heads = [t for t in (_text(h.text_content()) for h in tags["h1"]) if t]
    title = _first(_text(ld.get("headline")), meta.get("og:title"), meta.get("twitter:title"),
                   meta.get("citation_title"), heads[0] if len(heads) == 1 else None,  # several: none is surely it
                   _text(tags["title"][0].text_content()) if tags["title"] else None)
    return PageMeta(
        title=_without_site(title, sitename),
        description=_first(_text(ld.get("description")), meta.get("og:description"), meta.get("description"),
                           meta.get("twitter:description")),
        author=author,
        sitename=sitename,
        published=published,
        url=_first(_text(canonical), _text(meta.get("og:url")), _text(ld.get("url")), _text(main_entity)),
    )
