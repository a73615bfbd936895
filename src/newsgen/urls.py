"""Where each page lives in the output, and links between pages (always relative)."""
from __future__ import annotations

import posixpath
import re

_WEB_ADDRESS = re.compile(r"https?://[^\s/$.?#][^\s\x00-\x1f\x7f]*", re.I)


def safe_url(value: str | None) -> str | None:
    """`value` if it is an http(s) address (never javascript:, data: and the like), else None."""
    value = (value or "").strip()
    return value if _WEB_ADDRESS.fullmatch(value) else None

INDEX = "index.html"
INDEX_JSON = "index.json"


def story_page(slug: str) -> str:
    return f"stories/{slug}/index.html"


def story_json(slug: str) -> str:
    return f"stories/{slug}/story.json"


def source_page(slug: str) -> str:
    return f"sources/{slug}/index.html"


def relative(target: str, page: str) -> str:
    """A link from `page` to `target`, both paths from the site root; works from file:// and any sub-path."""
    base = posixpath.dirname(page) or "."
    path, _, anchor = target.partition("#")
    link = posixpath.relpath(path, base) if path else ""
    return link + ("#" + anchor if anchor else "")
