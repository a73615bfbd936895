"""Saved web pages (.html, .htm) as articles: trafilatura finds the main text, pagemeta the metadata.

trafilatura (https://trafilatura.readthedocs.io) does the heavy part: it decodes the page whatever its
charset and drops navigation, comments and other furniture. The headline, author, date, publisher,
description and canonical address are what the page states in JSON-LD, Open Graph, `<meta>` and its
markup (pagemeta.py), read from the same parsed tree. trafilatura's body tree keeps the structure
(paragraphs, headings, list items, quotations), which becomes the units
the rest of newsgen reads; the cleaner's line rules then drop the furniture an extractor keeps (share
prompts, "related" lines, image credits), each listed with its rule by `newsgen extract`.

Measured on ../shared/data/extraction_dev/ (949 pages; `newsgen eval extraction --input html`): see
README, "Measured".
"""
from __future__ import annotations

import re

from .clean import Cleaned, Unit, clean_lines
from .errors import BuildError
from .model import Removed
from .text import normalize_line

MAX_LINKS = 5000  # links read to tell a menu from an article
SENTENCE_END = re.compile(r"\w[.!?\u3002\uff01\uff1f\u0964](\s|$)")  # text with a sentence in it is not a menu
KINDS = {"p": "text", "head": "heading", "item": "item", "quote": "quote", "cell": "text", "code": "text"}


def _units(main) -> list[Unit]:
    """The main text's blocks in reading order; a paragraph inside a quotation or list item is part of it."""
    units: list[Unit] = []
    for el in main.iter(*KINDS):
        parent = el.getparent()
        if el.tag == "p" and parent is not None and parent.tag in ("quote", "item", "cell"):
            continue
        text = normalize_line(" ".join("".join(el.itertext()).split()))
        if text:
            units.append(Unit(len(units) + 1, text, KINDS[el.tag],
                              ordered=parent is not None and parent.get("rend", "").startswith("ol")))
    return units


def _only_links(tree, texts: list[str]) -> bool:
    """Whether every word kept is the text of some link on the page (link density 1: a menu)."""
    links = sorted({" ".join(a.text_content().split()) for a in tree.iter("a")} - {""}, key=len, reverse=True)
    if not links:
        return False
    for text in texts:
        for link in links[:MAX_LINKS]:
            if link in text:
                text = text.replace(link, " ")
        if re.search(r"\w", text):
            return False
    return True


def read_page(path: str, data: bytes | str) -> tuple[Cleaned, str | None]:
    """The article in a saved page (its bytes, decoded by the charset it declares; or text already
    decoded) and the page's canonical address; a BuildError naming the file when it holds none."""
    if isinstance(data, bytes) and b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise BuildError(path, "not a web page (it contains NUL bytes)")
    if not data.strip():
        raise BuildError(path, "the file is empty")
    import trafilatura

    from .pagemeta import read_meta

    try:
        tree = trafilatura.load_html(data)  # decodes by the declared charset, as trafilatura.extract would
        if tree is None:
            raise ValueError("no HTML in it")
        page = read_meta(tree)  # before extraction, which works on (a copy of) the same tree
        # bare_extraction hands back the main text as an element tree: no XML text written and read again.
        # Its body tree is the same for "txt" as for "xml" (checked on 200 dev pages); "txt" is cheaper.
        document = trafilatura.bare_extraction(tree, output_format="txt", with_metadata=False,
                                               include_comments=False, include_tables=True, include_links=False,
                                               include_images=False, deduplicate=False, as_dict=False)
    except Exception as exc:  # a page trafilatura cannot parse at all
        raise BuildError(path, f"cannot read the page: {exc}") from None
    body = getattr(document, "body", None)
    units = _units(body) if body is not None else []
    if not units:
        raise BuildError(path, "no article found in the page (only navigation, or no text)")
    repeated = None
    if units and page.title and units[0].text.casefold() == page.title.casefold():
        repeated = Removed(units[0].line, units[0].text, "headline", "the headline, repeated above the body")
        units = units[1:]
    sections, removed = clean_lines(units)
    removed = ((repeated,) if repeated else ()) + removed
    if not any(s.blocks for s in sections):
        raise BuildError(path, "no article text left once page furniture is removed")
    texts = [t for s in sections for b in s.blocks for t in b.texts]
    if not any(SENTENCE_END.search(t) for t in texts) and _only_links(tree, texts):
        # an extractor handed a page with no article (a menu, a link list) returns what there is
        raise BuildError(path, "no article found in the page (what is left is only the text of links: a menu)")
    return Cleaned(title=page.title, dek=page.description, byline=page.author, publisher=page.sitename,
                   published=page.published, sections=sections, removed=removed), page.url
