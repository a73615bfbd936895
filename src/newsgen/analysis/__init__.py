"""Per-story analysis: one module a kind of finding, each a function of the story's articles."""
from __future__ import annotations

from ..model import Article, Story, StoryAnalysis
from .claims import shared_claims, sentence_marks
from .entities import story_entities
from .relations import source_relations


def analyse_story(story: Story, articles: dict[str, Article], claim_threshold: float) -> StoryAnalysis:
    members = [articles[i] for i in story.article_ids]
    # A copy repeats its original: it is no independent voice, so it takes no part in agreement.
    voices = [a for a in members if a.duplicate_of is None]
    claims = shared_claims(voices, claim_threshold)
    marks = sentence_marks(members, claims)
    return StoryAnalysis(
        shared_claims=claims,
        per_article=marks,
        entities=story_entities(voices),
        relations=source_relations(members, claims, marks),
    )
