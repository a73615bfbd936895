"""site.yaml: a typed schema. Every key is documented here; an unknown key is a warning naming it."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import BuildError
from .urls import safe_url
from .yamlsafe import load_yaml

# key: (type, default, one-line meaning) -- README's option table is written from this.
SCHEMA: dict[str, tuple[type | tuple[type, ...], Any, str]] = {
    "title": (str, "newsgen", "the site's name, shown in every page header"),
    "description": (str, "Every story, every source, every claim attributed.", "the front page's tagline"),
    "language": (str, "en", "the pages' `<html lang>`"),
    "base_url": (str, "", "the site's public address (https://example.com/news/): canonical links, absolute feed links, Open Graph URLs and sitemap.xml; pages never need it"),
    "theme": (str, "", "a theme folder, relative to site.yaml: its templates/ and static/ override the default theme's files by name (the site's own templates/ and static/ override both)"),
    "search": (bool, True, "build the Pagefind search index and page"),
    "front_page_stories": (int, 100, "stories listed on the front page, newest first; with more, every story is also on a monthly archive page linked from it"),
    "source_page_articles": (int, 20, "articles shown in full on a source's page, newest first; each article lives on its source's page of its month, linked from it"),
    "articles": (str, "articles", "the input folder, relative to site.yaml"),
    "output": (str, "site", "the output folder, relative to site.yaml"),
    "duplicate_threshold": ((int, float), 0.5, "word 5-gram Jaccard at which an article is a copy of another"),
    "copy_containment": ((int, float), 0.8, "share of the shorter text's word 5-grams found in the longer that makes it a copy"),
    "story_threshold": ((int, float), 0.3, "TF-IDF cosine between an article and a story's centroid at which it joins"),
    "story_passes": (int, 3, "clustering passes: 1 is purely online (arrival order); more let articles move to a better story"),
    "story_merge": ((int, float), 2.5, "two stories merge when their centroids' cosine reaches this many times the threshold (scaled down for short texts); 0 never"),
    "story_embeddings": ((int, float), 0, "weight of a bare headline's meaning (its sentence embedding) beside its words when it is grouped, for articles with no body; 0 is words alone (needs the `embeddings` extra)"),
    "claim_threshold": ((int, float), 0.22, "sentence similarity at which two sources state the same thing"),
    "claim_embeddings": ((int, float), 0, "sentence-embedding cosine at which a headline that says a claim in other words joins it; 0 is off (needs the `embeddings` extra)"),
    "window_days": (int, 7, "the most days a story may span: a dated article joins a story only if all their dates fit in it"),
    "max_article_mb": ((int, float), 8, "the largest article file read, in megabytes; a bigger file is an error"),
    "sources": (dict, {}, "per source name: {url: ...}, the outlet's home page"),
    "overrides": (dict, {}, "per article id: {title, source, url, published, author, tags}, overriding the loader"),
}

# Numeric settings and the values that make sense for them: (low, high, inclusive low).
RANGES: dict[str, tuple[float, float, bool]] = {
    "duplicate_threshold": (0.0, 1.0, False),
    "copy_containment": (0.0, 1.0, False),
    "story_threshold": (0.0, 1.0, False),
    "claim_threshold": (0.0, 1.0, False),
    "claim_embeddings": (0.0, 1.0, True),
    "story_embeddings": (0.0, 0.95, True),
    "story_passes": (1, 100, True),
    "story_merge": (0.0, 100.0, True),
    "window_days": (0, 36500, True),
    "front_page_stories": (1, 1_000_000, True),
    "source_page_articles": (1, 1_000_000, True),
    "max_article_mb": (0.0, 1000.0, False),
}

OVERRIDE_KEYS = ("title", "source", "url", "published", "author", "tags", "dek")


@dataclass(frozen=True)
class Config:
    root: Path = Path(".")
    file: str = "site.yaml"  # where the settings came from, for messages
    title: str = "newsgen"
    description: str = SCHEMA["description"][1]
    language: str = "en"
    base_url: str = ""
    theme: str = ""
    search: bool = True
    front_page_stories: int = 100
    source_page_articles: int = 20
    articles: str = "articles"
    output: str = "site"
    duplicate_threshold: float = 0.5
    copy_containment: float = 0.8
    story_threshold: float = 0.3
    story_passes: int = 3
    story_merge: float = 2.5
    story_embeddings: float = 0
    claim_threshold: float = 0.22
    claim_embeddings: float = 0
    window_days: int = 7
    max_article_mb: float = 8
    sources: dict = field(default_factory=dict)
    overrides: dict = field(default_factory=dict)
    warnings: tuple[str, ...] = ()

    @property
    def articles_dir(self) -> Path:
        return self.root / self.articles

    @property
    def theme_dir(self) -> Path | None:
        return self.root / self.theme if self.theme else None

    @property
    def output_dir(self) -> Path:
        return self.root / self.output

    @property
    def story_settings(self):
        from .stories import StorySettings

        return StorySettings(float(self.story_threshold), self.window_days, self.story_passes,
                             float(self.story_merge), float(self.story_embeddings))

    def override(self, article_id: str) -> dict:
        return self.overrides.get(article_id) or {}

    def source_url(self, name: str | None) -> str | None:
        entry = self.sources.get(name) if name else None
        return entry.get("url") if isinstance(entry, dict) else None


def load_config(path: Path | None, *, required: bool = False) -> Config:
    """Read site.yaml. A missing default file gives the defaults; a missing named file is an error."""
    if path is None:
        path = Path("site.yaml")
    if not path.exists():
        if required:
            raise BuildError(str(path), "config file not found")
        return Config(root=path.parent, file=str(path))
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise BuildError(str(path), f"cannot read config: {exc}") from None
    data = load_yaml(text, str(path), what="invalid YAML")
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise BuildError(str(path), f"expected a mapping of settings, got {type(data).__name__}", 1)
    values: dict[str, Any] = {}
    warnings = []
    for key, value in data.items():
        if key not in SCHEMA:
            warnings.append(f"{path}: unknown setting {key!r} (ignored)")
            continue
        kind, _default, _doc = SCHEMA[key]
        if (isinstance(value, bool) and kind is not bool) or not isinstance(value, kind):
            expected = kind.__name__ if isinstance(kind, type) else "number"
            raise BuildError(str(path), f"{key}: expected {expected}, got {type(value).__name__}")
        if key in RANGES:
            low, high, closed = RANGES[key]
            if not ((value >= low if closed else value > low) and value <= high):
                raise BuildError(str(path), f"{key}: {value} is out of range "
                                            f"({'from' if closed else 'above'} {low} to {high})")
        values[key] = value
    for key in ("story_embeddings", "claim_embeddings"):
        if values.get(key):
            from .analysis import embeddings

            if not embeddings.available():
                raise BuildError(str(path), f"{key}: needs the optional extra "
                                            "(pip install 'newsgen[embeddings]'), or set it to 0")
    if values.get("base_url") and not safe_url(values["base_url"]):
        raise BuildError(str(path), f"base_url: {values['base_url'][:60]!r} is not an http(s) address")
    if values.get("theme") and not (path.parent / values["theme"]).is_dir():
        raise BuildError(str(path), f"theme: {values['theme']!r} is not a folder (relative to {path.name})")
    for name, entry in (values.get("sources") or {}).items():
        if not isinstance(entry, dict):
            raise BuildError(str(path), f"sources.{name}: expected a mapping such as {{url: https://...}}")
        if entry.get("url") is not None and not safe_url(str(entry["url"])):
            raise BuildError(str(path), f"sources.{name}.url: {str(entry['url'])[:60]!r} is not an http(s) address")
    for article_id, entry in (values.get("overrides") or {}).items():
        if not isinstance(entry, dict):
            raise BuildError(str(path), f"overrides.{article_id}: expected a mapping")
        for k in entry:
            if k not in OVERRIDE_KEYS:
                warnings.append(f"{path}: overrides.{article_id}: unknown key {k!r} (ignored)")
    return dataclasses.replace(Config(root=path.parent, file=str(path)), **values, warnings=tuple(warnings))
