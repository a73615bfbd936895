"""Where each page lives in the output, and links between pages (always relative)."""
from __future__ import annotations

import posixpath
import re
from hashlib import blake2b

from slugify import slugify

_WEB_ADDRESS = re.compile(r"https?://[^\s/$.?#][^\s\x00-\x1f\x7f]*", re.I)


def safe_url(value: str | None) -> str | None:
    """`value` if it is an http(s) address (never javascript:, data: and the like), else None."""
    value = (value or "").strip()
    return value if _WEB_ADDRESS.fullmatch(value) else None

INDEX = "index.html"
INDEX_JSON = "index.json"
SEARCH = "search/index.html"
STORIES = "stories/"  # every story's page and data live under this folder


def story_page(slug: str) -> str:
    return f"{STORIES}{slug}/index.html"


def story_json(slug: str) -> str:
    return f"stories/{slug}/story.json"


def source_page(slug: str) -> str:
    return f"sources/{slug}/index.html"


def month_of(day) -> str:
    """The archive's name for the month of a date: "2020-07"; "undated" for None."""
    return f"{day.year:04d}-{day.month:02d}" if day else "undated"


def archive_page(month: str) -> str:
    """A month's stories (a month_of() name)."""
    return f"archive/{month}/index.html"


def source_month_page(slug: str, month: str) -> str:
    """A source's articles of one month (a month_of() name), each in full: where an article lives."""
    return f"sources/{slug}/{month}/index.html"


_PLAIN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


def anchor(article_id: str) -> str:
    """The element id of an article on its source page: the file's stem where it is plain; otherwise
    (spaces, quotes, any script) its slug with a short hash, so that two stems never share one."""
    if _PLAIN_ID.fullmatch(article_id):
        return f"article-{article_id}"
    digest = blake2b(article_id.encode("utf-8"), digest_size=4).hexdigest()
    return f"article-{slugify(article_id, max_length=40) or 'a'}-{digest}"


def article_page(article) -> str:
    """Where an article is shown: its source's page of its month, at its anchor (it depends on nothing
    but the article, so it stays put however the source grows)."""
    return f"{_home(article)}#{anchor(article.id)}"


def _home(article) -> str:
    return source_month_page(article.source.slug, month_of(article.published))


def sentence_anchor(article_id: str, n: int) -> str:
    """The element id of sentence `n` (as numbered by analysis.sentences) of an article on its source page."""
    return f"{anchor(article_id)}-s{n}"


def sentence_page(article, n: int | None) -> str:
    """Where sentence `n` of an article is shown; the article's own anchor for its headline (None)."""
    if n is None:
        return article_page(article)
    return f"{_home(article)}#{sentence_anchor(article.id, n)}"


def relative(target: str, page: str) -> str:
    """A link from `page` to `target`, both paths from the site root; works from file:// and any sub-path.
    The same as posixpath.relpath, which normalises first; plain paths (every one the site makes) take a
    shortcut several times faster, since a page links hundreds of times."""
    path, _, anchor = target.partition("#")
    into, folder = path.split("/"), page.split("/")[:-1]
    if not path:
        link = ""
    elif _plain(into) and _plain(folder):
        shared = 0
        for a, b in zip(into, folder):
            if a != b:
                break
            shared += 1
        link = "/".join([".."] * (len(folder) - shared) + into[shared:]) or "."
    else:
        link = posixpath.relpath(path, posixpath.dirname(page) or ".")
    return link + ("#" + anchor if anchor else "")


def _plain(parts: list[str]) -> bool:
    """No empty, '.' or '..' part: nothing for normalising to change."""
    return "" not in parts and "." not in parts and ".." not in parts


def absolute(base_url: str, path: str) -> str | None:
    """`path` (from the site root) as a public address under `base_url`, or None without one."""
    base = base_url.strip()
    return base.rstrip("/") + "/" + path if base else None


def address(base_url: str, target: str, page: str) -> str:
    """A link from `page` to `target` for feeds and structured data: absolute under `base_url`, else relative."""
    return absolute(base_url, target) or relative(target, page)
