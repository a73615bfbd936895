"""The pipeline, top to bottom: load, group, analyse, render, write."""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, TypeVar

from .analysis import analyse_story
from .config import Config
from .copies import mark_copies
from .stories import stories
from .errors import BuildError, BuildFailed
from .loader import load_articles
from .model import Site
from .render import render_site, static_files
from .writer import write_site


T = TypeVar("T")
Progress = Callable[[list[T], str], Iterable[T]]  # wraps a stage's items, e.g. in a progress bar


def progress_bar(enabled: bool) -> Progress:
    """A tqdm bar on stderr for a stage that takes more than half a second; nothing when not enabled."""
    def wrap(items, stage):
        if not enabled:
            return items
        from tqdm import tqdm

        return tqdm(items, desc=stage, unit="" if stage != "load" else " files", delay=0.5, leave=False,
                    dynamic_ncols=True)
    return wrap


@dataclass(frozen=True)
class Summary:
    articles: int
    stories: int
    sources: int
    copies: int
    pages: int
    seconds: float
    warnings: tuple[str, ...]
    skipped: tuple[BuildError, ...] = ()  # files left out under keep_going


def build_site(config: Config, articles_dir: Path | None = None,
               log: Callable[[str], None] = lambda _: None,
               keep_going: bool = False, progress: Progress | None = None
               ) -> tuple[Site, tuple[str, ...], tuple[BuildError, ...]]:
    progress = progress or (lambda items, _stage: items)
    clock = time.perf_counter()

    def stage(message: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        log(f"{message} ({now - clock:.2f} s)")
        clock = now

    loaded = load_articles(config, articles_dir, keep_going, progress)
    removed = sum(len(a.removed) for a in loaded.articles)
    stage(f"load: {len(loaded.articles)} articles, {removed} lines removed or moved to metadata")
    articles = mark_copies(list(loaded.articles), config.duplicate_threshold, config.copy_containment)
    found = stories(articles, config.story_settings)
    copies = sum(1 for a in articles if a.duplicate_of)
    stage(f"group: {copies} copies, {len(found)} stories (largest {max(len(s.article_ids) for s in found)} articles)")
    by_id = {a.id: a for a in articles}
    analyses = tuple(analyse_story(s, by_id, config.claim_threshold, claim_embeddings=config.claim_embeddings)
                     for s in progress(found, "analyse"))
    claims = sum(len(an.shared_claims) for an in analyses)
    stage(f"analyse: {claims} shared claims, {sum(len(an.entities) for an in analyses)} entities")
    return Site(tuple(articles), tuple(found), analyses), loaded.warnings, loaded.skipped


def build(config: Config, out: Path, articles_dir: Path | None = None,
          log: Callable[[str], None] = lambda _: None, strict: bool = False, keep_going: bool = False,
          progress: Progress | None = None) -> Summary:
    """Build and write the site. With `keep_going`, files in error are left out (see Summary.skipped)."""
    start = time.perf_counter()
    site, warnings, skipped = build_site(config, articles_dir, log, keep_going, progress)
    warnings = tuple(config.warnings) + tuple(warnings)
    if strict and warnings:
        raise BuildFailed([BuildError(*w.split(": ", 1)) for w in warnings])
    clock = time.perf_counter()
    files = render_site(site, config)
    files.update(static_files(config))
    log(f"render: {len(files)} files ({time.perf_counter() - clock:.2f} s)")
    clock = time.perf_counter()
    write_site(files, out)
    log(f"write: swapped into {out} ({time.perf_counter() - clock:.2f} s)")
    return Summary(
        articles=len(site.articles),
        stories=len(site.stories),
        sources=len({a.source.slug for a in site.articles}),
        copies=sum(1 for a in site.articles if a.duplicate_of),
        pages=sum(1 for f in files if f.endswith(".html")),
        seconds=time.perf_counter() - start,
        warnings=warnings,
        skipped=skipped,
    )
