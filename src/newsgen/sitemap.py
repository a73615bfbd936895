"""sitemap.xml (the sitemaps.org protocol) and robots.txt.

A sitemap must give absolute addresses, so it is written only when site.yaml gives `base_url`;
robots.txt is always written, and names the sitemap when there is one.
"""
from __future__ import annotations

from datetime import date
from xml.sax.saxutils import escape

from . import urls
from .config import Config

SITEMAP = "sitemap.xml"
ROBOTS = "robots.txt"


def absolute(config: Config, path: str) -> str | None:
    """`path` (from the site root) as a public address, or None without base_url."""
    return urls.absolute(config.base_url, path)


def sitemap(config: Config, pages: dict[str, date | None]) -> bytes | None:
    """Every page (path from the site root -> its newest stated date), or None without base_url."""
    if not config.base_url.strip():
        return None
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for path in sorted(pages):
        lastmod = f"<lastmod>{pages[path].isoformat()}</lastmod>" if pages[path] else ""
        lines.append(f"  <url><loc>{escape(absolute(config, path) or '')}</loc>{lastmod}</url>")
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def robots(config: Config) -> bytes:
    lines = ["User-agent: *", "Allow: /"]
    where = absolute(config, SITEMAP)
    if where:
        lines.append(f"Sitemap: {where}")
    return ("\n".join(lines) + "\n").encode("utf-8")
