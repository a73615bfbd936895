"""The grouping bars, held on the public dev sets: ECB+ and UCI story clustering, BBC exact copies, and
the seeds mixed into each set staying one story that nothing joins.

Reads ../shared/data/ (kept out of the repository by its licences); each test skips, saying which file
is absent, when it is not there. The figures asserted are floors a little under what README reports,
so that a change that loses ground fails here rather than in the next evaluation.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from newsgen.analysis import embeddings
from newsgen.config import Config, load_config
from newsgen.evaluate import eval_clusters, eval_copies

from conftest import REPO, SEEDS

DATA = REPO.parent / "shared" / "data"
ECB = DATA / "ecbplus" / "ecbplus.jsonl"
UCI = DATA / "uci_news_aggregator_prefix" / "sample.jsonl"
BBC = DATA / "bbc_fulltext" / "bbc.jsonl"


def needs(path: Path):
    return pytest.mark.skipif(not path.exists(), reason=f"{path} is absent (dev set, not in the repo)")


def _figures(line: str) -> dict[str, float]:
    """'B-cubed P 0.898 R 0.928 F1 0.913 | pairwise P ...' -> {'B-cubed F1': 0.913, 'pairwise F1': ..., ...}"""
    out = {}
    for part in line.split(": ", 1)[1].split(" | "):
        words = part.split()
        if words[0] in ("B-cubed", "pairwise"):
            out.update({f"{words[0]} {k}": float(v) for k, v in zip(words[1::2], words[2::2])})
    return out


@needs(ECB)
@pytest.mark.parametrize("settings", ["defaults", "site.yaml"])
def test_ecbplus_clusters_above_the_bar_and_the_seeds_stay_alone(settings):
    if settings == "site.yaml" and not embeddings.available():
        pytest.skip("the repository's site.yaml needs the embeddings extra")
    config = Config() if settings == "defaults" else load_config(REPO / "site.yaml")
    lines = eval_clusters(ECB, config, mix=SEEDS)
    scores, verdict = _figures(lines[1]), lines[2]
    assert scores["B-cubed F1"] >= 0.90 and scores["pairwise F1"] >= 0.85, lines[1]
    assert "kept whole: 1 of 1; labelled articles joining them: 0" in verdict, verdict


@needs(UCI)
def test_uci_headlines_do_not_join_the_seeds():
    verdict = eval_clusters(UCI, Config(), mix=SEEDS)[2]
    assert "kept whole: 1 of 1; labelled articles joining them: 0" in verdict, verdict


@needs(UCI)
@pytest.mark.skipif(not embeddings.available(), reason="the repository's site.yaml needs the embeddings extra")
def test_uci_headlines_above_the_bar_with_the_shipped_settings_and_the_seeds_stay_alone():
    """The repository's site.yaml groups bare headlines by meaning too (story_embeddings); README: 0.864."""
    lines = eval_clusters(UCI, load_config(REPO / "site.yaml"), mix=SEEDS)
    scores, verdict = _figures(lines[1]), lines[2]
    assert scores["B-cubed F1"] >= 0.85, lines[1]
    assert "kept whole: 1 of 1; labelled articles joining them: 0" in verdict, verdict


@needs(BBC)
def test_bbc_identical_bodies_are_all_copies():
    first = eval_copies(BBC, Config())[0]
    assert "136 pairs with the same text; found 136, missed 0" in first, first


EXTRACTION = DATA / "extraction_dev" / "pages.jsonl.gz"


@needs(EXTRACTION)
def test_extraction_from_saved_pages_and_from_text_above_the_bar():
    import re

    from newsgen.evaluate import eval_extraction

    def f1(kind: str) -> float:
        line = eval_extraction(EXTRACTION, kind, worst=0)[0]
        return float(re.search(r"F1 (\d\.\d+)", line).group(1))

    assert f1("html") >= 0.93  # README: 0.935 (trafilatura alone on the HTML: 0.920)
    assert f1("text") >= 0.86  # README: 0.871 (the raw text: 0.689; the bar: 0.85)
