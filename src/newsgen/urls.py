"""Where each page lives in the output, and links between pages (always relative)."""
from __future__ import annotations

import posixpath

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
