"""The pipeline, top to bottom: load, group, analyse, render, write."""
from __future__ import annotations

import gc
import pickle
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from collections import Counter
from collections.abc import Mapping
from typing import Callable, Iterable, TypeVar

from .analysis import analyse_story
from .cache import Cache, Packed, Stored, code_version, digest
from .engine import Engine, LocalEngine
from .config import Config
from .copies import find_copies, fingerprint, signature, with_links
from .features import article_terms, coarse_weights, frequencies
from .stories import group_block, stories
from .errors import BuildError, BuildFailed
from .loader import load_articles
from .meaning import bare_headline, headline_row
from .model import Article, Site, evolve
from .render import render_site, static_files
from .reuse import PreviousPages, article_state
from .writer import Staging


T = TypeVar("T")
Progress = Callable[[list[T], str], Iterable[T]]  # wraps a stage's items, e.g. in a progress bar


def peak_mb() -> float | None:
    """The process's peak resident memory so far, in MB (None where the system does not say)."""
    try:
        import resource
    except ImportError:  # Windows
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1 << 20) if sys.platform == "darwin" else peak / 1024  # bytes on macOS, KiB elsewhere


def cpu_seconds() -> float | None:
    """CPU seconds (user and system) of this process and of the processes it has waited for (each
    stage's pool of workers and Pagefind's runs once they end); None where the system does not say."""
    try:
        import resource
    except ImportError:  # Windows
        return None
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timing(seconds: float, cpu: float | None = None) -> str:
    """"(1.23 s, CPU 2.01 s, peak 512 MB)": a stage's time, the CPU time it took in every process (when
    given) and the memory peak so far, for the -v log."""
    peak = peak_mb()
    return (f"({seconds:.2f} s" + (f", CPU {cpu:.2f} s" if cpu is not None else "")
            + (f", peak {peak:.0f} MB)" if peak is not None else ")"))


class Clock:
    """Wall and CPU time since the last lap (timing's figures for a stage). The CPU time only where every
    process that works for the build is this one's child (the local engine): a Dask cluster's workers are
    not, so `cpu` is False for it."""

    def __init__(self, cpu: bool = True):
        self.wall, self.cpu = time.perf_counter(), cpu_seconds() if cpu else None

    def lap(self) -> str:
        wall, cpu = time.perf_counter(), cpu_seconds() if self.cpu is not None else None
        spent = timing(wall - self.wall, None if cpu is None or self.cpu is None else cpu - self.cpu)
        self.wall, self.cpu = wall, cpu
        return spent


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


def features_task(article: Article, _shared=None) -> tuple:
    """One article's term counts (for story grouping) packed as a pickle (Terms unpacks them), its body
    fingerprint and that fingerprint's signature (for copies). Packed, an article's terms take 4.8 KB
    where the Counter takes 32 KB (360 terms, each its own string): 3 GB at 100,000 articles."""
    print_ = fingerprint(article.body_text)
    return pickle.dumps(article_terms(article), protocol=pickle.HIGHEST_PROTOCOL), print_, signature(print_)


class _ByArticle(Mapping):
    """A mapping over the ids in `self.ids` (a dict by article id)."""

    ids: dict

    def __contains__(self, aid) -> bool:
        return aid in self.ids

    def __iter__(self):
        return iter(self.ids)

    def __len__(self) -> int:
        return len(self.ids)


class PerArticle(_ByArticle):
    """A per-article cache task's results, by article id: computed at once (on the engine) for the
    articles whose file's key has none stored, and read from the cache one at a time where a stage asks
    for a stored one, so a rebuild reads only what it uses. A result stored as it is made is read back
    the same way, not held (at 100,000 articles the features are 0.55 GB); only those the cache cannot
    keep are held. Stored entries are kept for the next build either way."""

    def __init__(self, kind: str, task, articles: list[Article], keys: dict[str, str], cache: Cache,
                 engine: Engine, progress: Progress):
        self.kind, self.task, self.keys, self.cache = kind, task, keys, cache
        self.articles = self.ids = {a.id: a for a in articles}
        todo = [a for a in articles if not cache.has(kind, keys.get(a.id))]
        made = cache.stream(kind, task, todo, [keys.get(a.id) for a in todo], engine, progress, kind)
        self.made = {a.id: value for a, value in zip(todo, made) if not cache.has(kind, keys.get(a.id))}
        cache.keep(kind, [keys[a.id] for a in articles if a.id not in self.made])

    def __getitem__(self, aid: str):
        if aid in self.made:
            return self.made[aid]
        if aid not in self.articles:
            raise KeyError(aid)
        value = self.cache.get(self.kind, self.keys[aid], count=False)
        return value if value is not None else self.task(self.articles[aid])  # a damaged entry: made again

    def release(self, n: int) -> None:
        """Let go of element `n` of the results held (those the cache does not keep) once no stage will
        read it again: the fingerprints, once copies are found (0.6 GB at 100,000 articles, which grouping
        needs, in a build with --no-cache)."""
        self.made = {aid: (*value[:n], None, *value[n + 1:]) for aid, value in self.made.items()}


class Terms(_ByArticle):
    """Each article's term counts, by article id, unpacked from features_task's results each time one is
    read (70 us; with the cache read first, about 0.17 ms) and not kept: grouping reads one block of days
    at a time, so the collection's terms are never all in memory at once."""

    def __init__(self, features: PerArticle):
        self.features, self.ids = features, features.articles

    def __getitem__(self, aid: str) -> Counter:
        return pickle.loads(self.features[aid][0])


def marked_copies(articles: list[Article], keys: dict[str, str], config: Config, cache: Cache, engine: Engine,
                  features: PerArticle) -> list[Article]:
    """The articles with their copies marked (copies.find_copies). The last build's CopyIndex gives the
    signatures of unchanged articles and the verdicts of pairs of them, so a rebuild reads only the
    changed articles' features (and the fingerprints of their candidate pairs)."""
    states = [keys.get(a.id) for a in articles]
    key = copy_index_key(config)
    previous = cache.get("copies", key, count=False) if cache.enabled and None not in states else None
    kept = {}
    if previous is not None:
        kept = {aid: (state, sig) for (aid, sig), state in zip(previous.signatures().items(), previous.states)}
    sigs = []
    for a, state in zip(articles, states):
        old = kept.get(a.id)
        sigs.append(old[1] if old is not None and old[0] == state else features[a.id][2])
    links, index = find_copies(articles, config.duplicate_threshold, config.copy_containment,
                               lambda n: features[articles[n].id][1], sigs, engine,
                               states if cache.enabled and None not in states else None, previous)
    if index is not None:
        cache.put("copies", key, index)
    return with_links(articles, links)


def group(articles: list[Article], keys: dict[str, str], config: Config, cache: Cache, engine: Engine,
          progress: Progress) -> tuple[list[Article], list, str]:
    """The articles with their copies marked, the stories, and what came from the cache (for the log).
    The whole grouping is kept under the keys of all the articles; when any changed, copies are found
    again (from the last build's CopyIndex) and stories are grouped again only in the blocks whose input
    changed (stories.story_groups). Stored features and meanings are read only for what is done again."""
    states = [article_state(a, keys) for a in articles]
    key = None
    if cache.enabled and None not in states:
        key = digest(code_version(), config.duplicate_threshold, config.copy_containment, config.story_settings,
                     states)
        kept = cache.get("groups", key)
        if kept is not None:
            links, found, blocks = kept
            for kind, kept_keys in (("features", [keys[a.id] for a in articles]), ("meanings", list(keys.values())),
                                    ("blocks", blocks), ("frequencies", blocks)):
                cache.keep(kind, kept_keys)  # the next edit regroups from them
            cache.keep("copies", [copy_index_key(config)])
            cache.keep("slugs", [slugs_key()])
            return [evolve(a, duplicate_of=links[a.id][0], reuse=links[a.id][1]) if a.id in links else a
                    for a in articles], found, ", as the last build grouped them"
    features = PerArticle("features", features_task, articles, keys, cache, engine, progress)
    articles = marked_copies(articles, keys, config, cache, engine, features)
    features.release(1)  # the fingerprints: stories need the terms only
    meanings = None
    if config.story_embeddings:
        bare = [a for a in articles if a.duplicate_of is None and bare_headline(a)]
        meanings = PerArticle("meanings", headline_row, bare, keys, cache, engine, progress)
    blocks = BlockCache(config.story_settings, cache, keys, Terms(features), meanings)
    known = cache.get("slugs", slugs_key(), count=False) or {}
    slugs = dict(known)
    found = stories(articles, config.story_settings, blocks.terms, meanings, blocks.run, slugs)
    titles = {s.title for s in found}
    slugs = {title: slug for title, slug in slugs.items() if title in titles}  # the titles of this build's stories
    if slugs != known:
        cache.put("slugs", slugs_key(), slugs)
    if key is not None:
        cache.put("groups", key, ({a.id: (a.duplicate_of, a.reuse) for a in articles if a.duplicate_of}, found,
                                  blocks.keys))
    grouped = len(blocks.keys) + blocks.unkeyed
    return articles, found, f", {blocks.hits} of {grouped} blocks of stories as grouped before"


def copy_index_key(config: Config) -> str:
    return digest(code_version(), "copies", config.duplicate_threshold, config.copy_containment)


def slugs_key() -> str:
    return digest(code_version(), "slugs")


class BlockCache:
    """stories.group_block with each block's stories kept in the cache, under its articles' states and
    those of the stories carried into it (the undated block's also under the coarse weights of its terms
    in the whole collection: see run); beside them (kind `frequencies`) the block's document
    frequencies, from which the undated block, weighed by the whole collection, sums the collection's
    without reading every article's terms."""

    def __init__(self, settings, cache: Cache, keys: dict[str, str], terms: Mapping, meanings: Mapping | None):
        self.settings, self.cache, self.article_keys = settings, cache, keys
        self.terms, self.meanings = terms, meanings
        self.keys: list[str] = []  # the cache keys of this build's blocks
        self.made: dict[str, Counter] = {}  # the document frequencies of the blocks grouped in this build
        self.hits = self.unkeyed = 0

    def run(self, block: list[Article], carried: list, whole: list[Article] | None, taken: frozenset[str]) -> list:
        state = [article_state(a, self.article_keys) for a in block]
        context = [(story, [article_state(a, self.article_keys) for a in members]) for story, members in carried]
        if (not self.cache.enabled or self.unkeyed or None in state
                or any(None in members for _, members in context)):
            self.unkeyed += 1
            return group_block(block, carried, self.settings, self.terms, self.meanings, whole, taken)
        everyone = [*block, *(a for _, members in carried for a in members)]
        # A new story takes no key in `taken`; the keys it could take are those of its articles' ids
        ids = {a.id for a in everyone}
        clashes = sorted(k for k in taken if k in ids or k.rpartition("~")[0] in ids and k.rpartition("~")[2].isdigit())
        terms = self.terms
        if whole is None:
            key, df, weighed = digest(code_version(), self.settings, state, context, clashes), None, None
        else:
            found = self.whole_key(block, everyone, whole, (state, context, clashes))
            if found is None:
                self.unkeyed += 1
                return group_block(block, carried, self.settings, terms, self.meanings, whole, taken)
            key, df, weighed = found
        made = self.cache.get("blocks", key)
        if made is not None:
            self.hits += 1
            self.keys.append(key)
            self.cache.keep("frequencies", [key])
            return made
        if whole is None:  # a dated block: its terms and the carried stories' read once (3 reads took 0.5 ms)
            terms = {a.id: terms[a.id] for a in everyone}
            df = frequencies(terms[a.id] for a in block)
        made = group_block(block, carried, self.settings, terms, self.meanings, whole, taken, weighed)
        self.keys.append(key)
        self.made[key] = df
        self.cache.put("blocks", key, made)
        self.cache.put("frequencies", key, df)
        return made

    def whole_key(self, block: list[Article], everyone: list[Article], whole: list[Article], parts: tuple
                  ) -> tuple[str, Counter, tuple[Counter, int]] | None:
        """The undated block's key, its own document frequencies and the whole collection's (with its
        size); None when a part cannot be known. The block is weighed by the whole collection: it is keyed
        by the coarse weights of its own and its carried stories' terms in it (features.IDF_STEPS) and,
        with meanings, by every bare headline (their mean centres the meanings), not by every article of
        the collection, so that an edit elsewhere mostly leaves it as it was."""
        df = frequencies(self.terms[a.id] for a in block)
        weighed = self.whole_frequencies(list(self.keys), df, len(whole))
        bare = ([article_state(a, self.article_keys) for a in whole if bare_headline(a)]
                if self.meanings is not None and self.settings.embeddings > 0 else [])
        if weighed is None or None in bare:
            return None
        vocabulary = set(df)
        for a in everyone[len(block):]:
            vocabulary.update(self.terms[a.id])
        key = digest(code_version(), self.settings, *parts, "whole", coarse_weights(weighed[0], weighed[1], vocabulary),
                     sorted(bare))
        return key, df, weighed

    def whole_frequencies(self, blocks: list[str], own: Counter, n: int) -> tuple[Counter, int] | None:
        """The document frequencies of the dated `blocks` and of the undated block's `own`, summed: the
        whole collection's, as features.tfidf_vectors would count them. None when one is not stored
        (tfidf_vectors then counts them from every article's terms)."""
        total = Counter(own)
        for key in blocks:
            df = self.made.get(key)
            if df is None:
                df = self.cache.get("frequencies", key, count=False)
            if df is None:
                return None
            total.update(df)
        return total, n


def story_key(story, by_id: dict[str, Article], keys: dict[str, str], config: Config) -> str | None:
    """The cache key of a story's analysis: its articles' contents (their files' keys), what grouping
    decided about them, and the analysis settings. None when an article has no key."""
    members = [article_state(by_id[aid], keys) for aid in story.article_ids]
    if None in members:
        return None
    return digest(code_version(), config.claim_threshold, config.claim_embeddings, members)


def analyse_task(item: tuple, shared: tuple[float, float]):
    """One story's analysis: item is (the story, its articles); shared the claim settings."""
    story, members = item
    threshold, embeddings = shared
    return analyse_story(story, {a.id: a for a in members}, threshold, claim_embeddings=embeddings)


def packed_analyse_task(item: tuple, shared: tuple[float, float]) -> tuple[tuple, Packed]:
    """analyse_task's analysis with its summary(), pickled where it is made, as the cache stores it: the
    main process stores the bytes and sends them on to the pages' workers without unpickling them."""
    analysis = analyse_task(item, shared)
    return summary(analysis), Packed(pickle.dumps(analysis, protocol=pickle.HIGHEST_PROTOCOL))


def summary(analysis) -> tuple[int, int, dict]:
    """What the rest of the build needs of a story's analysis without its pages: how many shared claims
    and entities, and each article's shared sentences (source pages mark them)."""
    return (len(analysis.shared_claims), len(analysis.entities),
            {ps.article_id: ps.shared for ps in analysis.per_article})


def places(cache: Cache, needed: bool) -> None:
    """The gazetteer's GeoNames data (analysis.geonames) from the cache, or read and kept there, and handed
    to the analysis here and in the processes forked from here; when not `needed`, only kept."""
    from .analysis import geonames

    key = digest(code_version(), "geonames", geonames.version())
    if not needed:
        cache.keep("geonames", [key])
        return
    held = cache.get("geonames", key, count=False)
    if held is None:
        held = geonames.geonames()
        cache.put("geonames", key, held)
    geonames.use(held)


def analyse_stories(found, by_id: dict[str, Article], config: Config, cache: Cache, keys: dict[str, str],
                    engine: Engine, progress: Progress) -> tuple[tuple, list, int]:
    """Every story's analysis, its summary() and how many were not made again. A stored analysis is not
    read (cache.Stored) while its summary is stored beside it: only the pages made again read theirs."""
    story_keys = [story_key(s, by_id, keys, config) if cache.enabled else None for s in found]
    analyses: list = [None] * len(found)
    summaries: list = [None] * len(found)
    for n, key in enumerate(story_keys):
        if key is not None and cache.has("analyses", key):
            kept = cache.get("summaries", key)
            if kept is not None:
                analyses[n], summaries[n] = Stored(cache, "analyses", key), kept
                cache.keep("analyses", [key])
    todo = [n for n in range(len(found)) if analyses[n] is None]
    if cache.enabled:
        places(cache, needed=bool(todo))
    items = [(found[n], tuple(by_id[i] for i in found[n].article_ids)) for n in todo]
    shared = (config.claim_threshold, config.claim_embeddings)
    if not cache.enabled:
        for n, analysis in zip(todo, engine.stream(analyse_task, items, shared, progress, "analyse")):
            analyses[n], summaries[n] = analysis, summary(analysis)
        return tuple(analyses), summaries, 0
    for n, (summaries[n], made) in zip(todo, engine.stream(packed_analyse_task, items, shared, progress, "analyse")):
        key = story_keys[n]
        if key is not None:
            cache.put_packed("analyses", key, made)
            cache.put("summaries", key, summaries[n])
        # Once stored, an analysis is read again by the pages made from it (a batch at a time), not held
        analyses[n] = Stored(cache, "analyses", key) if key is not None and cache.has("analyses", key) else made
    return tuple(analyses), summaries, len(found) - len(todo)


def build_site(config: Config, articles_dir: Path | None = None,
               log: Callable[[str], None] = lambda _: None,
               keep_going: bool = False, progress: Progress | None = None, cache: Cache | None = None,
               jobs: int | None = None, engine: Engine | None = None, settle: Callable[[], None] = lambda: None
               ) -> tuple[Site, tuple[str, ...], tuple[BuildError, ...]]:
    """Load, group and analyse. With a `cache`, unchanged files and stories are taken from it (and what
    this build computed is put in it; the caller saves it). The `engine` runs the heavy stages
    (engine.py); by default the local one, on `jobs` processes (None: one a core, 1: none). `settle` is
    called as each stage ends (build() passes gc.freeze)."""
    progress = progress or (lambda items, _stage: items)
    cache = cache or Cache(None)
    engine = engine or LocalEngine(jobs)
    clock = Clock(cpu=isinstance(engine, LocalEngine))

    def stage(message: str) -> None:
        settle()
        log(f"{message} {clock.lap()}")

    loaded = load_articles(config, articles_dir, keep_going, progress, cache=cache, engine=engine)
    removed = sum(len(a.removed) for a in loaded.articles)
    reused = f", {cache.hits} from the cache" if cache.enabled else ""
    stage(f"load: {len(loaded.articles)} articles{reused}, {removed} lines removed or moved to metadata")
    articles, found, reused = group(list(loaded.articles), loaded.keys, config, cache, engine, progress)
    copies = sum(1 for a in articles if a.duplicate_of)
    reused = reused if cache.enabled else ""
    stage(f"group: {copies} copies, {len(found)} stories (largest {max(len(s.article_ids) for s in found)} "
          f"articles){reused}")
    by_id = {a.id: a for a in articles}
    analyses, summaries, reused = analyse_stories(found, by_id, config, cache, loaded.keys, engine, progress)
    reused = f", {reused} stories from the cache" if cache.enabled else ""
    stage(f"analyse: {sum(s[0] for s in summaries)} shared claims, {sum(s[1] for s in summaries)} entities{reused}")
    shared = {aid: ns for s in summaries for aid, ns in s[2].items()}
    return Site(tuple(articles), tuple(found), analyses, loaded.keys, shared), loaded.warnings, loaded.skipped


def build(config: Config, out: Path, articles_dir: Path | None = None,
          log: Callable[[str], None] = lambda _: None, strict: bool = False, keep_going: bool = False,
          progress: Progress | None = None, cache_dir: Path | None = None, jobs: int | None = None,
          engine: Engine | None = None) -> Summary:
    """Build and write the site. With `keep_going`, files in error are left out (see Summary.skipped).
    `cache_dir` holds the build cache (cache.py; None: no cache); `jobs` and `engine` as for build_site
    (the caller closes an engine it passes)."""
    start = time.perf_counter()
    cache = Cache(cache_dir)
    try:
        engine = engine or LocalEngine(jobs)
        # What each stage leaves is kept to the end: frozen, the garbage collector's full passes skip it
        # (they took 0.3 s of an edit's rebuild of 10,000 articles, scanning the same objects again)
        site, warnings, skipped = build_site(config, articles_dir, log, keep_going, progress, cache, engine=engine,
                                             settle=gc.freeze)
        warnings = tuple(config.warnings) + tuple(warnings)
        if strict and warnings:
            raise BuildFailed([BuildError(*w.split(": ", 1)) for w in warnings])
        clock = Clock(cpu=isinstance(engine, LocalEngine))
        previous = PreviousPages(cache, out, config)
        hits = cache.hits
        with Staging(out) as staging:  # each file written as it is made; swapped in whole at the end
            files = render_site(site, config, engine, progress, cache_dir / "templates" if cache_dir else None,
                                cache, previous, sink=staging)
            for path, data in static_files(config).items():
                files[path] = staging.put(path, data)
            reused = f", {previous.reused} files as the last build wrote them" if previous.enabled else ""
            if config.search and cache.hits > hits:  # the search index's shards are what render takes from the cache
                from .render import story_dates
                from .search import shard_folders

                shards = len(shard_folders(story_dates(site.stories, {a.id: a for a in site.articles})))
                reused += (", the search index from the cache" if cache.hits - hits == shards
                           else f", {cache.hits - hits} of {shards} shards of the search index from the cache")
            log(f"render: {len(files)} files written{reused} {clock.lap()}")
            staging.commit()
        previous.record(files)
        log(f"write: swapped into {out} {clock.lap()}")
        problem = cache.save()  # only once the site is written: a failed build leaves the cache as it was
        if problem:
            warnings += (problem,)
    finally:
        gc.unfreeze()  # what this build held is the collector's again (a server builds again and again)
        cache.close()  # after a failure: what this build put in the cache is given up
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
