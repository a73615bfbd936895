"""`newsgen extract FILE...`: what the loader makes of each file, and why each removed block went.

One report per file: title, dek, byline, source, published date, language, the body, and every
removed block with the rule that removed it (the rules and their reasons are the table in clean.py).
With `--json`, one JSON object a line with the keys `path`, `id`, `title`, `dek`, `byline`, `source`,
`published`, `language`, `body` and `removed` [{`line`, `text`, `rule`, `reason`}]. `newsgen check
--explain` prints the same report.
"""
from __future__ import annotations

import json
from functools import lru_cache

from .model import Article

LANGUAGE_SAMPLE = 2000  # characters of the body the language is told from


def body_text(article: Article) -> str:
    """The body as plain text: sections' headings and paragraphs joined by blank lines, list items one
    a line."""
    parts: list[str] = []
    for section in article.sections:
        if section.heading:
            parts.append(section.heading)
        for block in section.blocks:
            parts.append("\n".join(block.items) if block.kind in ("ul", "ol") else block.text)
    return "\n\n".join(p for p in parts if p)


@lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def language_of(text: str) -> str | None:
    """The body's language as an ISO 639-1 code (py3langid), or None when the text is too short to tell
    or the identifier is unsure."""
    sample = " ".join(text.split())[:LANGUAGE_SAMPLE]
    if len(sample) < 40:
        return None
    try:
        code, confidence = _identifier().classify(sample)
    except ImportError:
        return None
    return code if confidence >= 0.5 else None


def describe(article: Article) -> dict:
    body = body_text(article)
    return {
        "path": article.path,
        "id": article.id,
        "title": article.title,
        "dek": article.dek,
        "byline": article.byline,
        "source": article.source.name,
        "published": article.published.isoformat() if article.published else None,
        "language": language_of(body),
        "body": body,
        "removed": [{"line": r.line, "text": r.text, "rule": r.rule, "reason": r.reason} for r in article.removed],
    }


def as_json(article: Article) -> str:
    return json.dumps(describe(article), ensure_ascii=False)


def as_text(article: Article) -> str:
    d = describe(article)
    unknown = "(not stated)"
    lines = [f"== {d['path']}",
             f"title:     {d['title'] or unknown}",
             f"dek:       {d['dek'] or unknown}",
             f"byline:    {d['byline'] or unknown}",
             f"source:    {d['source'] or unknown}",
             f"published: {d['published'] or unknown}",
             f"language:  {d['language'] or '(not told)'}",
             "", d["body"], ""]
    if d["removed"]:
        lines.append(f"-- removed ({len(d['removed'])}):")
        lines += [f"  {d['path']}:{r['line']}: [{r['rule']}] {r['reason']}: {r['text']!r}" for r in d["removed"]]
    else:
        lines.append("-- removed: nothing")
    return "\n".join(lines)
