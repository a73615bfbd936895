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
        return yaml.load(text, Loader=_Loader)  # noqa: S506 -- _Loader is a SafeLoader
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
