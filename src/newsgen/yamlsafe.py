"""YAML from untrusted files: plain data only, with every failure a `BuildError` naming file and line.

`yaml.SafeLoader` already refuses custom tags (`!!python/object`...). On top of it this refuses
aliases (`*name`), which front matter and site settings never need and which "billion laughs"
documents use to expand a few lines into gigabytes, and nesting deeper than any settings file has.
"""
from __future__ import annotations

import re

import yaml

from .errors import BuildError

MAX_DEPTH = 50


class _Values:
    def construct_object(self, node, deep=False):
        # SafeConstructor builds a date for anything shaped like one and calls int()/float() on tagged
        # scalars: `2024-13-45`, `!!int x` or 5,000 digits raise ValueError; make it a YAML error at the node.
        try:
            return super().construct_object(node, deep)
        except (ValueError, OverflowError) as exc:
            raise yaml.constructor.ConstructorError(None, None, f"cannot read this value: {exc}",
                                                    node.start_mark) from None


class _Loader(_Values, yaml.SafeLoader):
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


# Where libyaml and PyYAML's own parser read a document differently (fuzzed: tags, a block scalar's
# indicators, "?" in a flow collection, a tab, a byte order mark, a line break other than \n), the Python
# loader reads it.
_NOT_QUICK = re.compile(r"[!\t\ufeff\r\x85\u2028\u2029]|(?:^|[\s\[{,])[|>]|[\[{].*\?", re.S)
_C_PARSER = getattr(yaml, "CSafeLoader", None)  # libyaml, where PyYAML was built with it (its wheels are)
_OPENS = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
_CLOSES = (yaml.MappingEndEvent, yaml.SequenceEndEvent)


class _CLoader(_Values, _C_PARSER or yaml.SafeLoader):
    pass


def _quick(text: str):
    """`text` read by libyaml (0.04 ms for a front matter, where the Python parser takes 0.26 ms), or
    `_SLOW` where the Python loader must read it: anything libyaml refuses, an alias, or nesting past
    MAX_DEPTH, so that every error reads as it always has. Its events are read first, without building
    anything: libyaml's parser keeps its own stack, where building nested values recurses in C."""
    if _C_PARSER is None or _NOT_QUICK.search(text):
        return _SLOW
    try:
        depth = 0
        for event in yaml.parse(text, Loader=_C_PARSER):
            if isinstance(event, _OPENS):
                depth += 1
                if depth >= MAX_DEPTH:
                    return _SLOW
            elif isinstance(event, _CLOSES):
                depth -= 1
            elif isinstance(event, yaml.AliasEvent):
                return _SLOW
        return yaml.load(text, Loader=_CLoader)  # noqa: S506 -- a SafeLoader's constructor and resolver
    except Exception:  # noqa: BLE001 -- whatever libyaml makes of it, the Python loader has the last word
        return _SLOW


_SLOW = object()


def load_yaml(text: str, path: str, *, first_line: int = 1, what: str = "YAML"):
    """Parse `text` (which starts at line `first_line` of `path`) into plain data."""
    try:
        quick = _quick(text)
        if quick is not _SLOW:
            return _whole_characters(quick)
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
