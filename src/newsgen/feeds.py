"""Feeds: Atom 1.0 (written by `feedgenerator`, the library Pelican uses) and JSON Feed 1.1.

One feed of stories for the site (feed.atom, feed.json) and one Atom feed of articles per source
(sources/SLUG/feed.atom). Links are absolute when site.yaml gives `base_url`; without it they are
relative to the feed's own address, which feed readers resolve (RFC 4287 allows relative references).

Dates: an entry's <published> is the earliest publication date its articles state, and appears only
when one is stated. Atom requires an <updated> on every entry and on the feed; it is the newest
stated date or, for an entry no article dates, when its newest article file last changed - the time the
publisher changed it, never a made-up publication date.
"""
from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timezone

from . import urls
from .config import Config
from .model import Article, Story

STORY_FEED = "feed.atom"
STORY_JSON_FEED = "feed.json"
FEED_ITEMS = 50  # the newest entries a feed carries
SUMMARY_CHARS = 400


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    """The text without the characters XML 1.0 cannot carry (control characters a file may hold)."""
    return _NOT_XML.sub("", text)


def source_feed(slug: str) -> str:
    return f"sources/{slug}/feed.atom"


@dataclass(frozen=True, slots=True)
class Entry:
    id: str
    title: str
    link: str  # from the site root
    summary: str  # plain text
    published: datetime | None
    updated: datetime
    authors: tuple[str, ...]
    tags: tuple[str, ...]


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=timezone.utc)


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SUMMARY_CHARS else text[:SUMMARY_CHARS].rsplit(" ", 1)[0] + "…"


def _dates(articles: list[Article]) -> tuple[datetime | None, datetime | None]:
    stated = [a.published for a in articles if a.published]
    published = _midnight(min(stated)) if stated else None
    updated = _midnight(max(stated)) if stated else max((a.modified for a in articles if a.modified), default=None)
    return published, updated


def story_entries(stories: list[Story], by_id: dict[str, Article]) -> list[Entry]:
    dated = []
    for story in stories:
        members = [by_id[i] for i in story.article_ids]
        published, updated = _dates(members)
        if updated is not None:  # neither a stated date nor a file time: nothing to say when it changed
            dated.append((updated, f"story:{story.id}", published, story, members))
    entries = []
    for updated, key, published, story, members in _newest(dated):
        outlets = len({a.source.slug for a in members if a.duplicate_of is None})
        reported = f"Reported by {outlets} {'source' if outlets == 1 else 'sources'}."
        summary = f"{_clip(members[0].lead)} {reported}" if members[0].lead else reported
        entries.append(Entry(key, story.title, urls.story_page(story.id), summary, published, updated, (), ()))
    return entries


def article_entries(articles: list[Article]) -> list[Entry]:
    dated = []
    for a in articles:
        published, updated = _dates([a])
        if updated is not None:
            dated.append((updated, f"article:{a.id}", published, a))
    return [Entry(key, a.display_title, urls.article_page(a), _clip(a.lead), published, updated,
                  (a.byline,) if a.byline else (), a.tags) for updated, key, published, a in _newest(dated)]


def _newest(dated: list[tuple]) -> list[tuple]:
    """The FEED_ITEMS newest of (updated, entry id, ...) tuples, newest first (ties by id): only those
    are made into entries."""
    return sorted(dated, key=lambda d: (-d[0].timestamp(), d[1]))[:FEED_ITEMS]


def _guid(config: Config, entry_id: str) -> str:
    """A permanent id: the site's address with the entry's key, or a tag-like URN when there is none."""
    base = config.base_url.strip()
    return f"{base.rstrip('/')}/#{entry_id}" if base else f"urn:newsgen:{entry_id}"


def atom(config: Config, path: str, title: str, subtitle: str, home: str, entries: list[Entry]) -> bytes:
    """An Atom 1.0 document at `path` (from the site root) for `entries`; `home` is the page it mirrors."""
    from feedgenerator import Atom1Feed

    title, subtitle = xml_text(title), xml_text(subtitle)
    base = config.base_url
    feed = Atom1Feed(title=title, link=urls.address(base, home, path), description=subtitle, subtitle=subtitle,
                     language=config.language, feed_url=urls.address(base, path, path),
                     feed_guid=_guid(config, f"feed:{path}"))
    for e in entries:
        feed.add_item(title=xml_text(e.title), link=urls.address(base, e.link, path),
                      description=html.escape(xml_text(e.summary)),  # <summary type="html">: the text, never markup
                      unique_id=_guid(config, e.id), pubdate=e.published, updateddate=e.updated,
                      author_name=xml_text(", ".join(e.authors)) or None,
                      categories=[xml_text(t) for t in e.tags])
    if not entries:  # Atom needs the feed's <updated> even with no entry to take it from: the epoch says "never"
        feed.latest_post_date = lambda: datetime(1970, 1, 1, tzinfo=timezone.utc)  # type: ignore[method-assign]
    return feed.writeString("utf-8").encode("utf-8") + b"\n"


def json_feed(config: Config, path: str, home: str, entries: list[Entry]) -> bytes:
    """A JSON Feed 1.1 document (https://www.jsonfeed.org/version/1.1/)."""
    data: dict = {"version": "https://jsonfeed.org/version/1.1", "title": config.title,
                  "description": config.description, "language": config.language}
    if config.base_url.strip():
        data["home_page_url"] = urls.address(config.base_url, home, path)
        data["feed_url"] = urls.address(config.base_url, path, path)
    items = []
    for e in entries:
        item: dict = {"id": _guid(config, e.id), "url": urls.address(config.base_url, e.link, path),
                      "title": e.title, "content_text": e.summary, "summary": e.summary}
        if e.published:
            item["date_published"] = e.published.isoformat()
        item["date_modified"] = e.updated.isoformat()
        if e.authors:
            item["authors"] = [{"name": name} for name in e.authors]
        if e.tags:
            item["tags"] = list(e.tags)
        items.append(item)
    data["items"] = items
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def feed_files(config: Config, stories: list[Story], by_id: dict[str, Article],
               sources: dict[str, list[Article]], kept=lambda path, articles: None) -> dict:
    """The site's feeds and each source's. `kept(path, articles)`: the file the last build made of
    the same articles (reuse.Unchanged), or None: a source's feed is made only when its articles
    changed (a rebuild read the bodies of 3,000 articles for the leads of unchanged feeds)."""
    files = {}
    entries = story_entries(stories, by_id)
    files[STORY_FEED] = atom(config, STORY_FEED, config.title, config.description, urls.INDEX, entries)
    files[STORY_JSON_FEED] = json_feed(config, STORY_JSON_FEED, urls.INDEX, entries)
    for slug, arts in sources.items():
        label = arts[0].source.label
        path = source_feed(slug)
        files[path] = kept(path, arts) or atom(config, path, f"{label} · {config.title}", f"Articles from {label}",
                           urls.source_page(slug), article_entries(arts))
    return files
