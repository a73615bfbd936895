"""Per-story analysis: one module a kind of finding, each a function of the story's articles."""
from __future__ import annotations

import time
from collections import Counter

from ..model import Article, Story, StoryAnalysis
from .claims import sentence_marks, shared_claims
from .entities import story_entities
from .figures import story_figures
from .quotes import story_quotes
from .relations import source_relations
from .timeline import story_timeline

FINDERS = ("claims", "sentences", "entities", "relations", "quotes", "figures", "timeline")  # the names `timings` counts under


def analyse_story(story: Story, articles: dict[str, Article], claim_threshold: float,
                  timings: Counter | None = None, *, claim_embeddings: float = 0.0) -> StoryAnalysis:
    """Every finding about one story. With `timings`, each finder's seconds are added under its name;
    `claim_embeddings` above 0 aligns claims by sentence embeddings too (claims.py)."""
    def timed(name, finder, *args):
        start = time.perf_counter()
        found = finder(*args)
        if timings is not None:
            timings[name] += time.perf_counter() - start
        return found

    members = [articles[i] for i in story.article_ids]
    # A copy repeats its original: it is no independent voice, so it takes no part in agreement.
    voices = [a for a in members if a.duplicate_of is None]
    claims = timed("claims", shared_claims, voices, claim_threshold, claim_embeddings)
    marks = timed("sentences", sentence_marks, members, claims)
    return StoryAnalysis(
        shared_claims=claims,
        per_article=marks,
        entities=timed("entities", story_entities, voices),
        relations=timed("relations", source_relations, members, claims, marks),
        quotes=timed("quotes", story_quotes, voices),
        figures=timed("figures", story_figures, voices),
        timeline=timed("timeline", story_timeline, voices),
    )
