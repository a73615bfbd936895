"""YAML from untrusted files: plain data only, with every failure a `BuildError` naming file and line.

`yaml.SafeLoader` already refuses custom tags (`!!python/object`...). On top of it this refuses
aliases (`*name`), which front matter and site settings never need and which "billion laughs"
documents use to expand a few lines into gigabytes, and nesting deeper than any settings file has.
"""
from __future__ import annotations

import yaml

from .errors import BuildError

MAX_DEPTH = 50


class _Loader(yaml.SafeLoader):
    def construct_object(self, node, deep=False):
        # SafeConstructor builds a date for anything shaped like one and calls int()/float() on tagged
        # scalars: `2024-13-45`, `!!int x` or 5,000 digits raise ValueError; make it a YAML error at the node.
        try:
            return super().construct_object(node, deep)
        except (ValueError, OverflowError) as exc:
            raise yaml.constructor.ConstructorError(None, None, f"cannot read this value: {exc}",
                                                    node.start_mark) from None

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(None, None, "aliases (*name) are not allowed here",
                                              event.start_mark)
        self._depth = getattr(self, "_depth", 0) + 1
        try:
            if self._depth > MAX_DEPTH:
                raise yaml.composer.ComposerError(None, None, f"nested more than {MAX_DEPTH} levels deep",
                                                  self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def load_yaml(text: str, path: str, *, first_line: int = 1, what: str = "YAML"):
    """Parse `text` (which starts at line `first_line` of `path`) into plain data."""
    try:
        return _whole_characters(yaml.load(text, Loader=_Loader))  # noqa: S506 -- _Loader is a SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        if mark is None:
            raise BuildError(path, f"{what}: {problem}", first_line) from None
        raise BuildError(path, f"{what}: {problem}", mark.line + first_line, mark.column + 1) from None
    except yaml.YAMLError as exc:
        raise BuildError(path, f"{what}: {exc}", first_line) from None
    except RecursionError:
        raise BuildError(path, f"{what}: nested too deeply to read", first_line) from None
    except UnicodeError:
        raise BuildError(path, f"{what}: a \\u escape that is half a character (a lone surrogate)",
                         first_line) from None


def _whole_characters(value):
    """YAML's "\\ud83d\\ude00" escapes (JSON's way to write an emoji) arrive as two surrogates: join
    each pair into its character; a lone one cannot be written as UTF-8 and raises UnicodeError."""
    if isinstance(value, str):
        if any("\ud800" <= c <= "\udfff" for c in value):
            return value.encode("utf-16", "surrogatepass").decode("utf-16")
        return value
    if isinstance(value, list):
        return [_whole_characters(v) for v in value]
    if isinstance(value, dict):
        return {_whole_characters(k): _whole_characters(v) for k, v in value.items()}
    return value
