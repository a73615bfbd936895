"""`newsgen eval`: measure grouping and copy detection on labelled JSONL sets, as the build does them.

Article records: id, title, text, date, source, cluster (the gold story). The text goes through the
same cleaner as a scraped `.txt` file, then the same copy marking and story grouping as a build.
Pair records: text1, text2 and a gold judgement: `label` (1 = same), `overall` (SemEval 2022 task 8:
1-4, 1 = very similar; <= 1.5 same story, >= 3.5 different, the rest left out) or `score` (STS, 0-5:
>= 3.5 same).
"""
from __future__ import annotations

import gzip
import json
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from datetime import date
from itertools import combinations
from pathlib import Path

from .clean import clean
from .config import Config
from .copies import copies, mark_copies, overlap, shingles
from .errors import BuildError
from .features import tfidf_vectors
from .loader import text_units
from .model import Article, Source
from .meaning import headline_rows
from .stories import join_score, story_clusters


def read_jsonl(path: Path) -> list[dict]:
    if not path.exists():
        raise BuildError(str(path), "file not found (the dev sets live in ../shared/data/, outside the repository)")
    opener = gzip.open if path.suffix == ".gz" else open
    records = []
    with opener(path, "rt", encoding="utf-8") as fh:
        for n, line in enumerate(fh, start=1):
            if line.strip():
                try:
                    records.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise BuildError(str(path), f"not JSON: {exc.msg}", n, exc.colno) from None
    return records


def record_article(record: dict) -> Article:
    """A JSONL record as the loader would make it from a .txt file with a known title: the record's
    date when it has one, else a date the text states where the loader would find it (a dateline)."""
    title = record.get("title") or None
    cleaned = clean(text_units(record.get("text") or ""), known_title=title, find_title=False)
    try:
        published = date.fromisoformat(str(record.get("date"))[:10])
    except ValueError:
        published = cleaned.published
    return Article(str(record["id"]), "", "txt", title, None, None, Source(record.get("source"), ""), None,
                   published, (), cleaned.sections, ())


# --- clustering scores ---------------------------------------------------------------------------

@dataclass(frozen=True)
class ClusterScores:
    bcubed: tuple[float, float, float]
    pairwise: tuple[float, float, float]
    ari: float
    predicted: int
    gold: int


def _prf(tp: float, predicted: float, actual: float) -> tuple[float, float, float]:
    p = tp / predicted if predicted else 1.0
    r = tp / actual if actual else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def cluster_scores(pred: list[list[str]], gold: dict[str, str]) -> ClusterScores:
    cluster = {i: k for k, ids in enumerate(pred) for i in ids}
    by_pred: dict[int, set[str]] = defaultdict(set)
    by_gold: dict[str, set[str]] = defaultdict(set)
    for i in gold:
        by_pred[cluster[i]].add(i)
        by_gold[gold[i]].add(i)
    n = len(gold)
    p = sum(len(by_pred[cluster[i]] & by_gold[gold[i]]) / len(by_pred[cluster[i]]) for i in gold) / n
    r = sum(len(by_pred[cluster[i]] & by_gold[gold[i]]) / len(by_gold[gold[i]]) for i in gold) / n
    bcubed = (p, r, 2 * p * r / (p + r) if p + r else 0.0)
    # pairwise and ARI from the contingency table: no pair is enumerated
    table = Counter((cluster[i], gold[i]) for i in gold)
    pairs = lambda k: k * (k - 1) / 2  # noqa: E731
    together = sum(pairs(c) for c in table.values())
    pred_pairs = sum(pairs(len(s)) for s in by_pred.values())
    gold_pairs = sum(pairs(len(s)) for s in by_gold.values())
    expected = pred_pairs * gold_pairs / pairs(n) if n > 1 else 0.0
    top = (pred_pairs + gold_pairs) / 2 - expected
    ari = (together - expected) / top if top else 1.0
    return ClusterScores(bcubed, _prf(together, pred_pairs, gold_pairs), ari, len(by_pred), len(by_gold))


def _mixed_in(folder: Path, config: Config) -> tuple[list[Article], list[list[str]]]:
    """The articles of a folder to mix into a labelled set, with their stories as a normal build makes them."""
    from .loader import load_articles
    from .stories import stories

    loaded = [replace(a, id=f"with:{a.id}") for a in load_articles(config, folder).articles]
    own = stories(mark_copies(loaded, config.duplicate_threshold, config.copy_containment), config.story_settings)
    return loaded, [list(s.article_ids) for s in own]


def eval_clusters(path: Path, config: Config, thresholds: list[float] | None = None,
                  passes: int | None = None, mix: Path | None = None) -> list[str]:
    records = read_jsonl(path)
    start = time.perf_counter()
    articles = [record_article(r) for r in records]
    gold = {str(r["id"]): str(r["cluster"]) for r in records if r.get("cluster") is not None}
    if not gold and not mix:
        raise BuildError(str(path), "no record has a `cluster` (gold story): nothing to score; "
                                    "use --with DIR to see how a folder's stories fare among these articles")
    extra, extra_stories = _mixed_in(mix, config) if mix else ([], [])
    lines = [f"{path}: {len(records)} articles, {len(set(gold.values()))} gold stories "
             f"(loaded and cleaned in {time.perf_counter() - start:.1f} s)"]
    start = time.perf_counter()
    articles = mark_copies(articles + extra, config.duplicate_threshold, config.copy_containment)
    meanings = headline_rows(a for a in articles if a.duplicate_of is None) if config.story_embeddings else None
    prep = time.perf_counter() - start
    labelled = {str(r["id"]) for r in records}
    for t in thresholds or [config.story_threshold]:
        settings = replace(config.story_settings, threshold=t, passes=passes or config.story_passes)
        start = time.perf_counter()
        pred = story_clusters(articles, settings, meanings)
        seconds = prep + time.perf_counter() - start
        if gold:
            s = cluster_scores([[i for i in ids if i in gold] for ids in pred if any(i in gold for i in ids)], gold)
            lines.append(f"story_threshold {t:.2f}: B-cubed P {s.bcubed[0]:.3f} R {s.bcubed[1]:.3f} F1 {s.bcubed[2]:.3f}"
                         f" | pairwise P {s.pairwise[0]:.3f} R {s.pairwise[1]:.3f} F1 {s.pairwise[2]:.3f}"
                         f" | ARI {s.ari:.3f} | {s.predicted} predicted, {s.gold} gold | {seconds:.1f} s")
        else:
            lines.append(f"story_threshold {t:.2f}: {len(pred)} stories, "
                         f"{sum(1 for ids in pred if len(ids) > 1)} of two or more articles | {seconds:.1f} s")
        if mix:
            lines.append("  " + mixed_verdict(pred, extra_stories, labelled))
    return lines


def mixed_verdict(pred: list[list[str]], expected: list[list[str]], labelled: set[str]) -> str:
    """Did each mixed-in story stay whole, and did any labelled article join it?"""
    home = {i: n for n, ids in enumerate(pred) for i in ids}
    kept, joined = 0, []
    for ids in expected:
        homes = {home[i] for i in ids}
        kept += len(homes) == 1
        joined += sorted(i for n in homes for i in pred[n] if i in labelled)
    return (f"mixed-in stories kept whole: {kept} of {len(expected)}; labelled articles joining them: "
            f"{len(joined)}{' (' + ', '.join(joined[:10]) + ')' if joined else ''}")


# --- pairs ---------------------------------------------------------------------------------------

def pair_gold(record: dict) -> int | None:
    if "label" in record:
        return int(record["label"])
    if "overall" in record:
        overall = float(record["overall"])
        return 1 if overall <= 1.5 else 0 if overall >= 3.5 else None
    if "score" in record:
        return 1 if float(record["score"]) >= 3.5 else 0
    return None


def _article(aid: str, text: str) -> Article:
    return record_article({"id": aid, "text": text})


def pair_scores(records: list[dict], kind: str) -> list[tuple[float, int]]:
    """(similarity, gold) for each pair with a clear gold answer."""
    kept = [(r, g) for r in records if (g := pair_gold(r)) is not None]
    firsts = [_article(f"{n}a", r["text1"]) for n, (r, _) in enumerate(kept)]
    seconds = [_article(f"{n}b", r["text2"]) for n, (r, _) in enumerate(kept)]
    if kind == "story":
        vectors = tfidf_vectors(firsts + seconds)
        return [(join_score(vectors, a.id, b.id), g) for a, b, (_, g) in zip(firsts, seconds, kept)]
    out = []
    for a, b, (_, g) in zip(firsts, seconds, kept):
        x, y = shingles(a.body_text), shingles(b.body_text)
        out.append((max(overlap(len(x & y), len(x), len(y))), g))
    return out


def threshold_scores(scores: list[tuple[float, int]], t: float) -> tuple[float, float, float]:
    tp = sum(1 for s, g in scores if s >= t and g)
    return _prf(tp, sum(1 for s, _ in scores if s >= t), sum(g for _, g in scores))


def eval_pairs(path: Path, config: Config, kind: str, thresholds: list[float] | None = None) -> list[str]:
    records = read_jsonl(path)
    start = time.perf_counter()
    scores = pair_scores(records, kind)
    configured = config.story_threshold if kind == "story" else config.duplicate_threshold
    best_f, best_t = max((threshold_scores(scores, t / 100)[2], -t / 100) for t in range(1, 100))
    positives = sum(g for _, g in scores)
    lines = [f"{path}: {len(scores)} pairs with a clear answer ({positives} same), {len(records) - len(scores)} left out"
             f" | best F1 {best_f:.3f} at {-best_t:.2f} | {time.perf_counter() - start:.1f} s"]
    for t in thresholds or [configured]:
        p, r, f = threshold_scores(scores, t)
        lines.append(f"{kind} at {t:.2f}{' (configured)' if t == configured else ''}: P {p:.3f} R {r:.3f} F1 {f:.3f}")
    return lines


# --- exact and near copies -----------------------------------------------------------------------

def eval_copies(path: Path, config: Config) -> list[str]:
    """Gold: articles whose whole text is the same (whitespace aside). Every such pair must be found;
    any other pair flagged is listed, with its overlap, for a reader to judge."""
    records = read_jsonl(path)
    start = time.perf_counter()
    articles = [record_article(r) for r in records]
    same_text: dict[str, list[str]] = defaultdict(list)
    for r in records:
        text = " ".join((r.get("text") or "").split())
        if text:  # two empty bodies are not copies of each other
            same_text[text].append(str(r["id"]))
    gold = {frozenset(p) for ids in same_text.values() for p in combinations(ids, 2)}
    links = copies(articles, config.duplicate_threshold, config.copy_containment)
    groups: dict[str, set[str]] = defaultdict(set)
    for link in links.values():
        groups[link.original].update({link.original, link.copy})
    found = {frozenset(p) for ids in groups.values() for p in combinations(sorted(ids), 2)}
    missed, extra = gold - found, found - gold
    by_id = {a.id: a for a in articles}
    title = {str(r["id"]): " ".join(str(r.get("title") or "").split()).casefold() for r in records}
    same_headline = [p for p in extra if len({title[i] for i in p}) == 1 and title[min(p)]]
    lines = [f"{path}: {len(records)} articles, {len(gold)} pairs with the same text; "
             f"found {len(found & gold)}, missed {len(missed)}, other pairs flagged {len(extra)} "
             f"({len(same_headline)} of them under the same headline) | {time.perf_counter() - start:.1f} s"]
    story = {str(r["id"]): r.get("cluster") for r in records}
    if any(story.values()):
        across = [p for p in extra if len({story[i] for i in p}) > 1]
        lines.append(f"  of the other pairs flagged, {len(across)} join articles of different gold stories")
    for pair in sorted(missed, key=sorted)[:20]:
        lines.append(f"  missed {' ~ '.join(sorted(pair))}")
    for pair in sorted(extra, key=sorted):
        a, b = sorted(pair)
        x, y = shingles(by_id[a].body_text), shingles(by_id[b].body_text)
        jaccard, contained = overlap(len(x & y), len(x), len(y))
        lines.append(f"  flagged {a} ~ {b}: Jaccard {jaccard:.2f}, containment {contained:.2f}"
                     f"{', same headline' if pair in same_headline else ''}")
    return lines


# --- extraction ----------------------------------------------------------------------------------

def _squash(text: str) -> str:
    return " ".join(text.split())


def extracted_text(record: dict, kind: str) -> str:
    """What the loader keeps of one page (headline, dek and body), as one line of text."""
    from .clean import clean
    from .webpage import read_page

    if kind == "raw":
        return _squash(record.get("page_text") or "")
    if kind == "html":
        try:
            page, _url = read_page(str(record.get("id")), record.get("html") or "")  # the set's pages are decoded text
        except BuildError:
            return ""
        title, dek, sections = page.title, page.dek, page.sections
    else:
        c = clean(text_units(record.get("page_text") or ""), whole_page=True)
        title, dek, sections = c.title, c.dek, c.sections
    parts = [title or "", dek or ""]
    for s in sections:
        parts += ([s.heading] if s.heading else []) + [t for b in s.blocks for t in b.texts]
    return _squash(" ".join(parts))


SHINGLE_WORDS = 4


def shingle_prf(extracted: str, gold: str) -> tuple[float, float, float]:
    """Precision, recall and F1 of one page's 4-word shingles (copies.shingles: case-folded words)
    against a gold body, as public article-extraction benchmarks score bodies. An empty side scores 1.0
    only against an empty other side."""
    got, want = shingles(extracted, SHINGLE_WORDS), shingles(gold, SHINGLE_WORDS)
    if not got or not want:
        same = float(not got and not want)
        return same, same, same
    return _prf(len(got & want), len(got), len(want))


def eval_extraction(path: Path, kind: str, worst: int = 10) -> list[str]:
    """Snippet scoring as the trafilatura project does it: a `with` snippet found in the output is a true
    positive, missing a false negative; a `without` snippet found is a false positive (whitespace
    normalised, case-sensitive substring). Records with a gold `body` are also scored by 4-word
    shingles (shingle_prf), averaged over those pages."""
    records = read_jsonl(path)
    if not any("with" in r or "without" in r or "body" in r for r in records):
        raise BuildError(str(path), "no record has `with` / `without` snippets or a gold `body`: nothing to score")
    tp = fn = fp = 0
    pages = []
    bodies: list[tuple[float, float, float]] = []
    start = time.perf_counter()
    for r in records:
        out = extracted_text(r, kind)
        if isinstance(r.get("body"), str):
            bodies.append(shingle_prf(out, r["body"]))
        missed = [x for x in r.get("with") or [] if _squash(x) not in out]
        kept = [x for x in r.get("without") or [] if _squash(x) in out]
        tp += len(r.get("with") or []) - len(missed)
        fn += len(missed)
        fp += len(kept)
        pages.append((len(missed) + len(kept), str(r.get("id")), missed, kept))
    seconds = time.perf_counter() - start
    p, rc, f = _prf(tp, tp + fp, tp + fn)
    snippets = f"P {p:.3f} R {rc:.3f} F1 {f:.3f} (tp {tp} fn {fn} fp {fp})" if tp + fn + fp else "no snippets"
    lines = [f"{path}: {len(records)} pages, input {kind}: {snippets} | {len(records) / seconds:.1f} pages/s"]
    if bodies:
        mean = [sum(x[k] for x in bodies) / len(bodies) for k in range(3)]
        lines.append(f"  4-word shingles against the gold body, mean of {len(bodies)} pages: "
                     f"P {mean[0]:.3f} R {mean[1]:.3f} F1 {mean[2]:.3f}")
    for errors, page_id, missed, kept in sorted(pages, key=lambda x: (-x[0], x[1]))[:worst]:
        if errors:
            lines.append(f"  {page_id}: {len(missed)} missed {[m[:40] for m in missed[:2]]}, "
                         f"{len(kept)} kept {[k[:40] for k in kept[:2]]}")
    return lines
