"""Jinja2 pages and JSON for the whole site, as a mapping of output path to bytes.

Templates come from the site's own `templates/` folder first and the default theme second; the
default theme stays reachable as `default/NAME` for `{% extends %}`. Autoescape is on for every
template and undefined names fail loudly.
"""
from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from markupsafe import Markup, escape
from jinja2 import (ChoiceLoader, Environment, FileSystemBytecodeCache, FileSystemLoader, PrefixLoader,
                    StrictUndefined, pass_context)

from . import urls
from .cache import loaded
from .config import Config
from .model import INLINE_TAGS, Article, Mark, Site, Story, StoryAnalysis
from .analysis.figures import VAGUE
from .search import merged_bundles
from .feeds import STORY_FEED, STORY_JSON_FEED, feed_files, source_feed
from .sitemap import ROBOTS, SITEMAP, absolute, robots, sitemap
from .text import sentence_spans

THEME = Path(__file__).resolve().parents[2]  # the repository root: templates/ and static/
MAX_INDEXING = 4  # Pagefind runs at a time, at most one a core (each holds a shard: 0.4 GB at 1,000 pages)
RENDER_BATCH = 5000  # pages given to the engine at a time: the stored analyses they need are read a batch at a time


@dataclass(frozen=True, slots=True)
class Coverage:
    sources: int  # independent sources (copies not counted)
    articles: int
    first: date | None
    last: date | None
    undated: int


def coverage(story: Story, by_id: dict[str, Article]) -> Coverage:
    members = [by_id[i] for i in story.article_ids]
    originals = [a for a in members if a.duplicate_of is None]
    dates = [a.published for a in members if a.published]
    return Coverage(len({a.source.slug for a in originals}), len(members), min(dates, default=None),
                    max(dates, default=None), sum(1 for a in members if not a.published))


def human_date(value: date | None) -> str:
    return f"{value.day} {value:%B %Y}" if value else "date not stated"


def event_date(value: date, precision: str | None) -> str:
    """A timeline date as precise as the text allows: "5 October 2023", "October 2023", "2023"."""
    if precision == "year":
        return str(value.year)
    if precision == "month":
        return f"{value:%B %Y}"
    if precision == "week":
        return f"week of {value.day} {value:%B %Y}"
    return f"{value.day} {value:%B %Y}"


def figure_value(mention) -> str:
    """A figure's normalised value as its wording has it: "1,000", "over 1,000", "about 800", "10–15",
    "thousands"."""
    def number(x: float) -> str:
        return f"{x:,.0f}" if float(x).is_integer() or x >= 100 else f"{x:,.2f}".rstrip("0").rstrip(".")

    qualifier = mention.qualifier
    if qualifier is None:
        return number(mention.value)
    if qualifier.split()[-1] in VAGUE:  # "thousands of troops": no number is given
        return qualifier
    if qualifier == "between":  # "between 10 and 15", "two or three"
        return f"{number(mention.low)}–{number(mention.high)}"
    if qualifier == "or more":
        return f"{number(mention.value)} or more"
    return f"{qualifier} {number(mention.value)}"


def by_speaker(quotes) -> list[tuple[str | None, str | None, list]]:
    """Quotes grouped under their speaker, speakers in the order their first quote comes; the
    unattributed last."""
    groups: dict[str | None, list] = {}
    for q in quotes:
        groups.setdefault(q.speaker, []).append(q)
    named = [(who, next((q.role for q in qs if q.role), None), qs) for who, qs in groups.items() if who]
    return named + ([(None, None, groups[None])] if None in groups else [])


def theme_folders(config: Config, kind: str) -> list[Path]:
    """Where `kind` ("templates" or "static") files are looked for, first wins: the site's own folder,
    then the theme's from site.yaml, then the default theme's."""
    folders = [config.root / kind]
    if config.theme_dir:
        folders.append(config.theme_dir / kind)
    folders.append(THEME / kind)
    unique: list[Path] = []
    for f in folders:
        if f.is_dir() and f.resolve() not in {u.resolve() for u in unique}:
            unique.append(f)
    return unique


def _bytecode_cache(folder: Path | None):
    """Jinja's own cache of compiled templates (keyed by each template's source), or None without a
    folder or where it cannot be made."""
    if folder is None:
        return None
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return FileSystemBytecodeCache(str(folder))


def environment(config: Config, compiled: Path | None = None) -> Environment:
    """The templates' environment; `compiled` keeps compiled templates between builds."""
    default = FileSystemLoader(str(THEME / "templates"))
    loaders = [FileSystemLoader(str(f)) for f in theme_folders(config, "templates")]
    loaders += [PrefixLoader({"default": default})]
    env = Environment(loader=ChoiceLoader(loaders), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                      bytecode_cache=_bytecode_cache(compiled))

    @pass_context
    def url(context, target: str) -> str:
        return urls.relative(target, context["page"])

    env.filters["url"] = url
    env.filters["absolute"] = lambda path: absolute(config, path)
    env.filters["jsonld"] = jsonld
    env.filters["human_date"] = human_date
    env.filters["event_date"] = event_date
    env.filters["figure_value"] = figure_value
    env.filters["by_speaker"] = by_speaker
    return env


def jsonld(data) -> Markup:
    """JSON for a <script type="application/ld+json"> block: `<`, `>` and `&` written as escapes, so
    no text from an article can end the script element."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=False)
    return Markup(text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e"))


def ld_article(config: Config, a: Article, page: str) -> dict:
    """schema.org NewsArticle for one article, with only what the input states."""
    data: dict = {"@type": "NewsArticle", "headline": a.display_title[:110],
                  "url": urls.address(config.base_url, urls.article_page(a), page)}
    if a.dek or a.lead:
        data["description"] = (a.dek or a.lead)[:300]
    if a.published:
        data["datePublished"] = a.published.isoformat()
    if a.byline:
        data["author"] = {"@type": "Person", "name": a.byline}
    if a.source.known:
        data["publisher"] = {"@type": "Organization", "name": a.source.name}
    if a.url:
        data["isBasedOn"] = a.url
    if a.tags:
        data["keywords"] = list(a.tags)
    return data


def formatted(text: str, marks: tuple[Mark, ...], start: int = 0, end: int | None = None) -> Markup:
    """text[start:end] as HTML: every character escaped, the kept formatting as allow-listed tags only."""
    end = len(text) if end is None else end
    marks = [m for m in marks if m.start < end and m.end > start and m.tag in INLINE_TAGS]
    if not marks:
        return escape(text[start:end])
    cuts = sorted({start, end, *(max(start, m.start) for m in marks), *(min(end, m.end) for m in marks)})
    html = []
    for a, b in zip(cuts, cuts[1:]):
        active = sorted((m for m in marks if m.start <= a and m.end >= b), key=lambda m: (m.start, -m.end, m.tag))
        html += [_open(m) for m in active]
        html.append(str(escape(text[a:b])))
        html += [f"</{m.tag}>" for m in reversed(active)]
    return Markup("".join(html))


def _open(mark: Mark) -> str:
    if mark.tag == "a":
        return f'<a href="{escape(mark.href or "")}" rel="nofollow noopener noreferrer">'
    return f"<{mark.tag}>"


def marked_blocks(article: Article, shared: set[int]) -> list[dict]:
    """The article's sections, each sentence as (HTML, shared with another source, its element id);
    sentences are numbered as analysis.sentences numbers them."""
    counter = iter(range(1 << 30))

    def mark(text: str, marks: tuple[Mark, ...]) -> list[tuple[Markup, bool, str]]:
        out = []
        for a, b in sentence_spans(text):
            n = next(counter)
            out.append((formatted(text, marks, a, b), n in shared, urls.sentence_anchor(article.id, n)))
        return out

    out = []
    for section in article.sections:
        blocks = []
        for b in section.blocks:
            marks = b.marks or ((),) * len(b.texts)
            if b.kind in ("ul", "ol"):
                blocks.append({"kind": b.kind, "items": [mark(t, m) for t, m in zip(b.items, marks)]})
            else:
                blocks.append({"kind": b.kind, "sentences": mark(b.text, marks[0])})
        out.append({"heading": section.heading, "blocks": blocks})
    return out


def heatmap(analysis: StoryAnalysis, by_id: dict[str, Article]) -> dict | None:
    """The source-by-source matrix as drawing data: row r, column c is the share of r's sentences that c
    states too. None when fewer than two articles."""
    ids = []
    for r in analysis.relations:
        for x in (r.a, r.b):
            if x not in ids:
                ids.append(x)
    if len(ids) < 2:
        return None
    order = {aid: n for n, aid in enumerate(by_id)}
    ids.sort(key=lambda x: order.get(x, 0))
    share = {}
    for r in analysis.relations:
        share[(r.a, r.b)] = r.a_in_b
        share[(r.b, r.a)] = r.b_in_a
    cell, label_width, top = 34, 230, 40
    rows = []
    for i, row in enumerate(ids):
        cells = []
        for j, col in enumerate(ids):
            value = share.get((row, col))
            cells.append({"x": label_width + j * cell, "y": top + i * cell, "value": value,
                          "col": col, "level": None if value is None else min(4, int(value * 5))})
        rows.append({"id": row, "y": top + i * cell, "cells": cells})
    return {"ids": ids, "rows": rows, "cell": cell, "label_width": label_width, "top": top,
            "width": label_width + len(ids) * cell + 8, "height": top + len(ids) * cell + 8}


def _article_json(a: Article, story: Story | None) -> dict:
    return {
        "id": a.id,
        "title": a.title,
        "dek": a.dek,
        "byline": a.byline,
        "source": {"name": a.source.name, "slug": a.source.slug, "known": a.source.known},
        "url": a.url,
        "published": a.published.isoformat() if a.published else None,
        "tags": list(a.tags),
        "duplicate_of": a.duplicate_of,
        "reuse": a.reuse,
        "story": story.id if story else None,
        "page": urls.article_page(a),
        "file": Path(a.path).name,
    }


def story_json(story: Story, analysis: StoryAnalysis, by_id: dict[str, Article]) -> dict:
    cov = coverage(story, by_id)

    def at(article_id: str, sentence: int | None, **fields) -> dict:
        """Who says it and where: the sentence's number and its page and anchor from the site root."""
        return {"article_id": article_id, "sentence": sentence,
                "link": urls.sentence_page(by_id[article_id], sentence), **fields}

    return {
        "id": story.id,
        "title": story.title,
        "page": urls.story_page(story.id),
        "coverage": {
            "sources": cov.sources,
            "articles": cov.articles,
            "first_published": cov.first.isoformat() if cov.first else None,
            "last_published": cov.last.isoformat() if cov.last else None,
        },
        "articles": [_article_json(by_id[i], story) for i in story.article_ids],
        "claims": [{"text": c.text, "article_ids": list(c.article_ids),
                    "mentions": [at(m.article_id, m.sentence, text=m.text) for m in c.mentions]}
                   for c in analysis.shared_claims],
        "unique": {s.article_id: [at(s.article_id, n, text=s.sentences[n]) for n in s.unique]
                   for s in analysis.per_article},
        "quotes": [{"text": q.text, "speaker": q.speaker, "role": q.role, "article_ids": list(q.article_ids),
                    "mentions": [at(m.article_id, m.sentence, text=m.text) for m in q.mentions]}
                   for q in analysis.quotes],
        "figures": [{"unit": f.unit, "label": f.label, "conflict": f.conflict, "article_ids": list(f.article_ids),
                     "mentions": [at(m.article_id, m.sentence, text=m.text, value=m.value, qualifier=m.qualifier,
                                     low=m.low, high=None if m.high == float("inf") else m.high)
                                  for m in f.mentions]}
                    for f in analysis.figures],
        "timeline": [{"date": e.when.isoformat() if e.when else None, "precision": e.precision, "stated": e.stated,
                      "text": e.text, "article_ids": list(e.article_ids),
                      "mentions": [at(m.article_id, m.sentence, stated=m.stated, text=m.text) for m in e.mentions]}
                     for e in analysis.timeline],
        "entities": [{"name": e.name, "kind": e.kind, "article_ids": list(e.article_ids), "aliases": list(e.aliases),
                      "linked": list(e.linked)}
                     for e in analysis.entities],
        "relations": [{"article_ids": [r.a, r.b], "kind": r.kind, "shared_claims": r.shared_claims,
                       "text_overlap": r.overlap, "restated": [r.a_in_b, r.b_in_a]}
                      for r in analysis.relations],
    }


def _dump(data) -> bytes:
    """Compact JSON, one line (the C encoder: an indented dump runs in pure Python, ten times slower)."""
    return (json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


@dataclass(frozen=True)
class RenderInput:
    """What every page needs besides its own job: the engines' shared data for rendering (engine.py)."""
    config: Config
    compiled: Path | None = None  # where compiled templates are kept between builds
    token: str = ""  # names this input: a worker that receives a copy of it makes its renderer once


class Renderer:
    """Pages, each made alone from a job that carries what the page shows (so that an engine sends each
    worker only its own pages' data, never the whole site):

    - ("list", path, template, stories, sources, by_id): the front page and the search page;
    - ("story", story, analysis, articles): a story page; ("data", story, analysis, articles) its JSON;
    - ("source", slug, month, articles, stories, originals, shared, months): a source's page (month
      None: its newest articles and the list of its `months`) or its page of one month, with each
      article's story, the originals its copies reprint and the sentences each shares with other sources.
    """

    def __init__(self, given: RenderInput):
        self.config = config = given.config
        self.env = env = environment(config, given.compiled)
        for name in env.list_templates(extensions=["html", "xml"]):  # compiled once, before any worker forks
            env.get_template(name)
        common = {"site": config, "urls": urls, "feeds": {"atom": STORY_FEED, "json": STORY_JSON_FEED},
                  "source_feed": source_feed}
        common["ld_articles"] = lambda arts, page, listed=True: [
            ({"@type": "ListItem", "position": n, "item": ld_article(config, a, page)} if listed
             else ld_article(config, a, page)) for n, a in enumerate(arts, start=1)]
        common["ld_stories"] = lambda stories, page: [
            {"@type": "ListItem", "position": n, "name": s.title,
             "url": urls.address(config.base_url, urls.story_page(s.id), page)}
            for n, s in enumerate(stories, start=1)]
        common["search_shards"] = lambda stories, by_id: merged_bundles(story_dates(stories, by_id))
        self.common = common

    @staticmethod
    def path(job: tuple) -> str:
        kind = job[0]
        if kind == "list":
            return job[1]
        if kind == "story":
            return urls.story_page(job[1].id)
        if kind == "source":
            return urls.source_page(job[1]) if job[2] is None else urls.source_month_page(job[1], job[2])
        if kind == "archive":
            return urls.archive_page(job[1])
        return urls.story_json(job[1].id)

    def _page(self, template: str, path: str, by_id: dict[str, Article], story_of: dict[str, Story],
              **context) -> bytes:
        return self.env.get_template(template).render(
            page=path, **self.common, by_id=by_id, story_of=story_of, coverage_of=lambda s: coverage(s, by_id),
            **context).encode("utf-8")

    def make(self, job: tuple) -> bytes:
        kind, path = job[0], self.path(job)
        if kind == "list":
            _, _, template, stories, sources, by_id, archive = job
            return self._page(template, path, by_id, {}, stories=stories, sources=sources, archive=archive)
        if kind == "archive":
            _, month, title, stories, by_id = job
            return self._page("archive.html", path, by_id, {}, stories=stories, month=month, month_title=title)
        if kind == "source":
            _, slug, month, arts, stories, originals, shared_of, months = job
            blocks = {a.id: marked_blocks(a, shared_of.get(a.id, set())) for a in arts}
            return self._page("source.html", path, {**originals, **{a.id: a for a in arts}}, stories,
                              source=arts[0].source, articles=arts, blocks=blocks, month=month,
                              month_title=month_title(month, "Undated") if month else None, months=months)
        _, story, analysis, members = job
        analysis = loaded(analysis)  # sent as the cache's pickle (cache.packed)
        by_id = {a.id: a for a in members}
        if kind == "data":
            return _dump(story_json(story, analysis, by_id))
        carried_by: dict[str, list[Article]] = {}
        for a in members:
            if a.duplicate_of:
                carried_by.setdefault(a.duplicate_of, []).append(a)
        return self._page("story.html", path, by_id, {}, story=story, analysis=analysis, articles=members,
                          carried_by=carried_by, heatmap=heatmap(analysis, by_id))


_made: tuple[str, Renderer] | None = None  # the last renderer made in this process, by its input's token
MADE = 0  # renderers made by this process (tests check that a worker makes one per build)


def renderer(given: RenderInput) -> Renderer:
    """The renderer of this input, made once a process (a forked worker inherits the parent's)."""
    global _made, MADE
    if _made is None or _made[0] != given.token:
        _made = (given.token, Renderer(given))
        MADE += 1
    return _made[1]


def render_task(job: tuple, given: RenderInput) -> bytes:
    """One page or data file, as an engine task."""
    return renderer(given).make(job)


def render_site(site: Site, config: Config, engine=None, progress=None,
                compiled: Path | None = None, cache=None, previous=None, sink=None) -> dict:
    """Every page and data file, path -> bytes (or reuse.Unchanged: a file the last build wrote, left
    unread). Pages and story JSON are made by the `engine` (engine.py; None: this process); the search
    index is made by Pagefind, a few shards at a time, while the source pages, data and feeds are made.
    `compiled`: where compiled templates are kept between builds; `cache` (cache.Cache): the search index
    of the same story pages is taken from it instead of running Pagefind again; `previous`
    (reuse.PreviousPages) gives back the last build's story, data and source pages whose inputs are
    unchanged (by the articles' cache keys, `site.keys`). `sink` (writer.Staging): each file is written to
    it as it is made, and the mapping holds the sink's record of it, not its bytes."""
    from .cache import Cache, digest, packed
    from .engine import LocalEngine, chunks
    from .reuse import article_state, content_digest

    global _made
    engine = engine or LocalEngine(1)
    given = RenderInput(config, compiled, token=f"{os.getpid()}-{time.time_ns()}")
    made = renderer(given)
    by_id = {a.id: a for a in site.articles}
    story_of = {aid: s for s in site.stories for aid in s.article_ids}
    analysis_of = {s.id: an for s, an in zip(site.stories, site.analyses)}
    shared_of = ({aid: set(ns) for aid, ns in site.shared.items()} if site.shared is not None else
                 {ps.article_id: set(ps.shared) for an in site.analyses for ps in an.per_article})
    sources: dict[str, list[Article]] = {}
    for a in site.articles:
        sources.setdefault(a.source.slug, []).append(a)
    listed = sorted(sources.values(), key=lambda arts: (not arts[0].source.known, arts[0].source.label.casefold()))
    files: dict[str, bytes] = {}  # path -> bytes, or with a sink the sink's record of the file written

    def keep(path: str, data) -> None:
        """A file made: to `sink` (writer.Staging) at once, keeping only its record; or kept as it is."""
        files[path] = sink.put(path, data) if sink is not None else data

    def story_job(kind: str, story: Story) -> tuple:
        return (kind, story, analysis_of[story.id], [by_id[i] for i in story.article_ids])

    def source_jobs(slug: str, arts: list[Article]) -> list[tuple]:
        """The source's page (its newest articles, its months) and its page of each month."""
        arts = sorted(arts, key=lambda a: (a.published or date.min, a.id), reverse=True)
        months: dict[str, list[Article]] = {}
        for a in arts:
            months.setdefault(urls.month_of(a.published), []).append(a)
        listed = [(month, month_title(month, "Undated"), len(some)) for month, some in months.items()]

        def job(month: str | None, some: list[Article]) -> tuple:
            return ("source", slug, month, some, {a.id: story_of[a.id] for a in some},
                    {a.duplicate_of: by_id[a.duplicate_of] for a in some if a.duplicate_of},
                    {a.id: shared_of[a.id] for a in some if a.id in shared_of}, listed if month is None else [])
        return [job(None, arts[:config.source_page_articles])] + [job(month, some) for month, some in months.items()]

    keys = site.keys
    # Each article's state and each story's repr, made once: a story's are part of the keys of its page,
    # its data file, its articles' source pages and its month's archive page.
    states = {a.id: article_state(a, keys) for a in site.articles} if previous is not None else {}
    shown = {s.id: repr(s) for s in site.stories} if previous is not None else {}

    def page_key(job: tuple) -> str | None:
        """What the page is made of, for `previous` (render.Renderer.make reads nothing else)."""
        if previous is None:
            return None
        if job[0] == "archive":
            _, month, title, stories, arts = job
            return previous.key("archive", month, title, *(shown[s.id] for s in stories),
                                *(states[aid] for aid in sorted(arts)))
        if job[0] == "source":
            _, slug, month, arts, stories_of, originals, shared, months = job
            return previous.key("source", slug, month or "", months, *(states[a.id] for a in arts),
                                *(shown[stories_of[a.id].id] for a in arts),
                                *(states[o.id] for o in originals.values()),
                                sorted((aid, sorted(ns)) for aid, ns in shared.items()))
        kind, story, _, members = job
        return previous.key(kind, shown[story.id], *(states[a.id] for a in members))

    search = None  # the search index under way (search.ShardedIndexing), polled as pages come in

    def polled(items, stage: str):
        for item in (progress or (lambda it, _stage: it))(items, stage):
            if search is not None:
                search.poll()
            yield item

    def run(jobs: list[tuple], stage: str) -> None:
        done = {path: previous.take(path, page_key(job)) if previous is not None else None
                for path, job in zip(map(Renderer.path, jobs), jobs)}
        for path, data in done.items():
            if data is not None:
                keep(path, data)
        batches = chunks([job for job in jobs if done[Renderer.path(job)] is None], RENDER_BATCH)
        for n, batch in enumerate(batches, 1):  # a stored analysis is read for its batch only, as stored
            batch = [job if job[0] not in ("story", "data") else (*job[:2], packed(job[2]), *job[3:])
                     for job in batch]
            label = stage if len(batches) == 1 else f"{stage} {n}/{len(batches)}"
            for job, data in zip(batch, engine.stream(render_task, batch, given, polled, label)):
                keep(Renderer.path(job), data)

    try:
        # The front page lists the newest stories and the search page every story: made here, where the
        # whole site is.
        months = archive_months(site.stories, by_id, config.front_page_stories)
        archive = {"total": len(site.stories),
                   "months": [(month, month_title(month), len(stories)) for month, stories in months.items()]}
        front = site.stories[:config.front_page_stories]
        keep(urls.INDEX, made.make(("list", urls.INDEX, "index.html", front, listed, by_id, archive)))
        if config.search:
            keep(urls.SEARCH, made.make(("list", urls.SEARCH, "search.html", site.stories, listed, by_id, archive)))
        # Story pages first: the search index is made of them, and Pagefind runs while the rest is rendered.
        run([story_job("story", s) for s in site.stories], "render")
        bundles: dict[str, dict[str, bytes]] = {}  # each shard's search bundle
        taken: dict[str, dict] = {}  # the shards whose files are the last build's (path -> reuse.Unchanged)
        folders: dict[str, str] = {}
        # Story pages only: together they hold every article's statements, quotes and names, and a source
        # page repeats its articles' text (indexing both took Pagefind twice as long). By their dates.
        indexed = story_dates(site.stories, by_id)
        if config.search:
            from .pool import default_jobs
            from .search import BUNDLE, UI_FILES, bundle_folders, shard_pages, start_index

            shards = shard_pages(indexed)
            folders = bundle_folders(shards)
            cache = cache or Cache(None)
            search_keys = {k: digest(config.language, k,
                                     *(part for p in pages for part in (p, content_digest(files[p]))))
                           for k, pages in shards.items()}
            missing = {}
            for k, pages in shards.items():
                # The bundle the last build wrote to the same folder, taken from there without reading it
                kept = (previous.take_all(previous.key("search", folders[k], search_keys[k]))
                        if previous is not None and cache.has("search", search_keys[k]) else None)
                if kept is not None:
                    cache.keep("search", [search_keys[k]])
                    cache.hits += 1
                    taken[k] = kept
                    continue
                bundles[k] = cache.get("search", search_keys[k])
                if bundles[k] is None:
                    missing[k] = {p: files[p] for p in pages}  # bytes, or a file to read them from
            if missing:
                search = start_index(missing, config.language, parallel=min(MAX_INDEXING, default_jobs()))
        try:
            run([job for slug, arts in sources.items() for job in source_jobs(slug, arts)]
                + [("archive", month, month_title(month), stories,
                    {aid: by_id[aid] for s in stories for aid in s.article_ids})
                   for month, stories in months.items()], "render")
            run([story_job("data", s) for s in site.stories], "data")

            def kept(path: str, arts: list[Article]):  # a source's feed, as the last build made it from these
                if previous is None:
                    return None
                return previous.take(path, previous.key("feed", *(states[a.id] for a in arts)))

            for path, data in feed_files(config, list(site.stories), by_id, sources, kept).items():
                keep(path, data)
            newest = dict(indexed)
            newest.update({urls.source_page(slug): max((a.published for a in arts if a.published), default=None)
                           for slug, arts in sources.items()})
            for slug, arts in sources.items():
                for a in arts:
                    page = urls.source_month_page(slug, urls.month_of(a.published))
                    newest[page] = max(filter(None, (newest.get(page), a.published)), default=None)
            newest.update({urls.archive_page(month): max((newest[urls.story_page(s.id)] for s in stories
                                                          if newest[urls.story_page(s.id)]), default=None)
                           for month, stories in months.items()})
            newest[urls.INDEX] = max((d for d in newest.values() if d), default=None)
            if config.search:
                newest[urls.SEARCH] = None
            keep(ROBOTS, robots(config))
            mapped = sitemap(config, newest)
            if mapped:
                keep(SITEMAP, mapped)
            keep(urls.INDEX_JSON, _dump({
                "site": {"title": config.title, "description": config.description},
                "stories": [{"id": s.id, "title": s.title, "page": urls.story_page(s.id), "json": urls.story_json(s.id),
                             "article_ids": list(s.article_ids),
                             "sources": sorted({by_id[i].source.slug for i in s.article_ids})} for s in site.stories],
                "sources": [{"slug": slug, "name": arts[0].source.name, "known": arts[0].source.known,
                             "page": urls.source_page(slug), "article_ids": sorted(a.id for a in arts),
                             "months": sorted({urls.month_of(a.published) for a in arts},  # newest first, undated last
                                              key=lambda m: (m != "undated", m), reverse=True)}
                            for slug, arts in sorted(sources.items())],
                "articles": [_article_json(a, story_of.get(a.id)) for a in site.articles],
                "archive": [{"month": month, "title": month_title(month), "page": urls.archive_page(month),
                             "story_ids": [s.id for s in stories]} for month, stories in months.items()],
            }))
            if search is not None:
                for k, bundle in search.result().items():
                    cache.put("search", search_keys[k], bundle)
                    bundles[k] = bundle
            for k, bundle in sorted(bundles.items()):
                for name, data in bundle.items():
                    if folders[k] != f"{BUNDLE}/" and name.startswith(UI_FILES):
                        continue  # the first shard's UI serves them all
                    path = folders[k] + name  # the last build's file while the bundle is the same:
                    keep(path, (previous.take(path, previous.key("search", folders[k], search_keys[k]))
                                if previous is not None else None) or data)
            for kept in taken.values():
                for path, data in kept.items():
                    keep(path, data)
        except BaseException:
            if search is not None:
                search.close()
            raise
    finally:
        _made = None  # the site may be large: do not keep it past the build
    return files


MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


def story_dates(stories, by_id: dict[str, Article]) -> dict[str, date | None]:
    """Each story's page and the date of its newest dated article (None: no article is dated)."""
    return {urls.story_page(s.id): max((by_id[i].published for i in s.article_ids if by_id[i].published),
                                       default=None) for s in stories}


def archive_months(stories, by_id: dict[str, Article], front: int) -> dict[str, list[Story]]:
    """The archive: every story by the month of its newest dated article ("2020-07"; "undated"), in
    the site's order (newest first), when there are more stories than the front page lists; else none."""
    months: dict[str, list[Story]] = {}
    if len(stories) > front:
        for s in stories:
            dates = [by_id[i].published for i in s.article_ids if by_id[i].published]
            months.setdefault(urls.month_of(max(dates, default=None)), []).append(s)
    return months


def month_title(month: str, undated: str = "Undated stories") -> str:
    """"July 2020" for "2020-07"; `undated` for "undated"."""
    if month == "undated":
        return undated
    year, number = month.split("-")
    return f"{MONTHS[int(number) - 1]} {year}"


def static_files(config: Config) -> dict[str, bytes]:
    """The default theme's static/ files, overridden by name by the theme's and then the site's own static/."""
    files: dict[str, bytes] = {}
    for folder in reversed(theme_folders(config, "static")):
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                if path.is_file() and not path.name.startswith("."):
                    files["static/" + path.relative_to(folder).as_posix()] = path.read_bytes()
    return files
