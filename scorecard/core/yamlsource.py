"""Safe YAML that remembers where every value came from.

PyYAML's `safe_load` forgets line numbers and silently keeps the last of two duplicate keys.
Here the document is composed into nodes, then turned into plain Python values by a walk that
records the line and column of every key and value, reports duplicate keys, and refuses
documents that expand into too many nodes (the "billion laughs" alias bomb).

YAML 1.1 reads `yes`, `no`, `on` and `off` as booleans; an assessment answers "yes" and "no",
so only `true` and `false` are booleans here, as in YAML 1.2.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import yaml

from scorecard.core.diagnostics import Diagnostic, error

Path_ = tuple[Any, ...]
"""A path into a document: the keys and indexes from the root to a value."""

MAX_NODES = 100_000
"""More nodes than this is an alias bomb or not an assessment; either way it is refused."""
MAX_DEPTH = 50
"""Lists and mappings nested deeper than this are refused (an assessment needs three levels)."""


_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser when PyYAML has it: ~10× faster


class _Loader(_BaseLoader):  # type: ignore[valid-type, misc]
    """SafeLoader with YAML 1.2 booleans."""

    # The composer asks these around every node, for path resolvers, which this loader has none of.
    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


class Position(NamedTuple):
    """Where a key or value starts (a named tuple: every key and value of every file has one)."""

    line: int
    """1-based line in the file (not in the YAML snippet)."""
    col: int
    """1-based column."""


@dataclass(frozen=True)
class YamlDocument:
    """A parsed YAML document with the position of each key and value."""

    data: Any
    keys: dict[Path_, Position] = field(default_factory=dict)
    values: dict[Path_, Position] = field(default_factory=dict)
    start_line: int = 1
    """The line of the file on which the YAML text starts."""
    refused: frozenset[Path_] = frozenset()
    """Values already reported as unsupported (a `!!python/…` tag): None in `data`, not missing."""
    cut: Mapping[Path_, str] = field(default_factory=dict)
    """Unquoted values followed on their line by ` #…`, which YAML reads as a comment: the comment's text."""
    written: Mapping[Path_, str] = field(default_factory=dict)
    """The text as written of unquoted values YAML turned into something else (a number, date, boolean)."""

    def line(self, path: Path_) -> int:
        """The line of the key at `path`, else of its value, else of the nearest parent."""
        while path:
            pos = self.keys.get(path) or self.values.get(path)
            if pos:
                return pos.line
            path = path[:-1]
        return self.start_line

    def value_position(self, path: Path_) -> Position:
        """Where the value at `path` starts (falling back to its key or a parent)."""
        pos = self.values.get(path)
        return pos or Position(self.line(path), 1)


_PLAIN_COLLECTION_TAGS = frozenset({"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"})


class _TooManyNodesError(Exception):
    pass


class _TooDeepError(Exception):
    def __init__(self, line: int):
        super().__init__(line)
        self.line = line


_COMPOSER_SAFE_DEPTH = 5_000
"""Nesting the composer survives: it recurses per level, and libyaml's composer crashes the
process (a C stack overflow, no exception) somewhere beyond 20,000 levels."""


def _could_nest_deeper_than(text: str, depth: int) -> bool:
    """A cheap upper bound: every level of nesting needs one of these indicators."""
    return sum(text.count(c) for c in "[{-:?") > depth


def _too_deep_at(text: str) -> int | None:
    """The 0-based line where lists and mappings nest more than MAX_DEPTH levels, found from events (no recursion)."""
    loader = _Loader(text)
    depth = 0
    try:
        while (event := loader.get_event()) is not None:
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    assert event.start_mark is not None  # the loader marks every event it makes
                    return int(event.start_mark.line)
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError as exc:
        # libyaml 0.2.5 (PyYAML 6.0.4 and later) refuses deep nesting itself, sometimes before the
        # events reach MAX_DEPTH (its scanner reads a flow collection ahead): the message stays ours.
        return _nesting_refused_at(exc)  # else not valid YAML: composing it reports the error with its line
    finally:
        loader.dispose()
    return None


def _nesting_refused_at(exc: yaml.YAMLError) -> int | None:
    """The 0-based line where the YAML library gave up on deep nesting, if that is what `exc` says."""
    if isinstance(exc, yaml.MarkedYAMLError) and "nesting depth" in (exc.problem or "") and exc.problem_mark:
        return int(exc.problem_mark.line)
    return None


QUOTE_FLOW_HINT = ("quote the text: inside { … } an unquoted ':', ',', '#' or '\"' ends the value early, "
                   "e.g. {score: 4, evidence: \"Ranked #1: by members\"}")


def _closed_on_its_line(text: str, opened_at: int) -> bool:
    """Whether the line on which a `{` or `[` opens ends with its closing bracket: then the
    brackets are balanced as the author sees them, and an unquoted character inside broke the value."""
    end = text.find("\n", opened_at)
    line = text[opened_at: end if end >= 0 else len(text)]
    line = line.split(" #")[0].rstrip() if not line.rstrip().endswith(("}", "]")) else line.rstrip()
    return line.endswith("}" if line.startswith("{") else "]")


def too_deep(path: str, line: int) -> Diagnostic:
    """The diagnostic for lists or mappings nested more than MAX_DEPTH levels."""
    return error(path, line, f"YAML nested more than {MAX_DEPTH} levels deep",
                 "an assessment needs three levels: section, item, answer")


def parse_yaml(text: str, path: str, start_line: int = 1) -> tuple[YamlDocument | None, list[Diagnostic]]:
    """Parse `text` (which starts on `start_line` of file `path`) into a YamlDocument."""
    deep_at = _too_deep_at(text) if _could_nest_deeper_than(text, _COMPOSER_SAFE_DEPTH) else None
    if deep_at is not None:
        return None, [too_deep(path, start_line + deep_at)]
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except (yaml.YAMLError, RecursionError) as exc:
        return None, [_not_parsed(exc, text, path, start_line)]
    finally:
        loader.dispose()

    walker = _Walker(loader, path, start_line, text)
    if node is None:
        return YamlDocument(None, start_line=start_line), []
    try:
        data = walker.walk(node, ())
    except _TooDeepError as exc:
        return None, [too_deep(path, exc.line)]
    except _TooManyNodesError:
        return None, [error(path, start_line, f"YAML expands to more than {MAX_NODES} values",
                            "aliases (*name) that repeat large structures are refused")]
    return (YamlDocument(data, walker.keys, walker.values, start_line, frozenset(walker.refused), walker.cut,
                         walker.written), walker.diagnostics)


def _not_parsed(exc: yaml.YAMLError | RecursionError, text: str, path: str, start_line: int) -> Diagnostic:
    """The diagnostic for YAML that PyYAML could not parse."""
    if isinstance(exc, yaml.MarkedYAMLError):
        return _syntax_error(exc, text, path, start_line)
    if isinstance(exc, yaml.reader.ReaderError):  # a character YAML does not allow: no mark, but a position
        line = start_line + text[: exc.position].count("\n")
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        return error(path, line, f"invalid YAML: the control character U+{code:04X} is not allowed",
                     "remove it, or write it as an escape inside double quotes, e.g. \"\\x07\"")
    if isinstance(exc, RecursionError):  # the parser recurses once per level of nesting
        return too_deep(path, start_line)
    return error(path, start_line, f"invalid YAML: {exc}")


def _syntax_error(exc: yaml.MarkedYAMLError, text: str, path: str, start_line: int) -> Diagnostic:
    """The diagnostic for YAML that does not parse, on the line to fix, with a hint for the common mistakes."""
    if (nested_at := _nesting_refused_at(exc)) is not None:
        return too_deep(path, start_line + nested_at)
    problem = exc.problem or exc.context or "not valid YAML"
    mark = exc.problem_mark or exc.context_mark
    hint = "quote values that contain ': ' or start with a special character" if "mapping values" in problem else None
    if mark and "cannot start any token" in problem and text[mark.index:mark.index + 1] == "\t":
        hint = "indent with spaces: YAML does not allow tabs"
    if exc.context and exc.context.startswith("while parsing a flow") and exc.context_mark:
        # An unclosed { or [ is noticed lines later; the line to fix is where it opened.
        mark = exc.context_mark
        hint = "close the " + ("{ … }" if "mapping" in exc.context else "[ … ]") + " opened here"
        if _closed_on_its_line(text, mark.index):
            hint = QUOTE_FLOW_HINT
    line = start_line + mark.line if mark else start_line
    col = mark.column + 1 if mark else None
    return error(path, line, f"invalid YAML: {problem}", hint, col=col)


_COMMENT_AFTER = re.compile(r"[ \t]+#([^\n]*)")
"""What YAML drops after an unquoted value: a ` #` and the rest of the line."""


class _Walker:
    def __init__(self, loader: _Loader, path: str, start_line: int, text: str = ""):
        self.loader = loader
        self.text = text
        self.cut: dict[Path_, str] = {}
        self.written: dict[Path_, str] = {}
        self.path = path
        self.start_line = start_line
        self.keys: dict[Path_, Position] = {}
        self.values: dict[Path_, Position] = {}
        self.diagnostics: list[Diagnostic] = []
        self.budget = MAX_NODES
        self.refused: set[Path_] = set()
        self.flattened: set[int] = set()
        """The ids of the mappings whose merge keys are resolved (an alias brings the same node again)."""

    def position(self, node: yaml.Node) -> Position:
        return Position(self.start_line + node.start_mark.line, node.start_mark.column + 1)

    def walk(self, node: yaml.Node, path: Path_) -> Any:
        self.budget -= 1
        if self.budget < 0:
            raise _TooManyNodesError
        if len(path) > MAX_DEPTH:
            raise _TooDeepError(self.position(node).line)
        self.values.setdefault(path, self.position(node))
        if not isinstance(node, yaml.ScalarNode) and node.tag not in _PLAIN_COLLECTION_TAGS:
            pos = self.position(node)
            self.diagnostics.append(error(self.path, pos.line, f"unsupported YAML value: tag '{node.tag}'",
                                          "only plain values, lists and mappings are allowed", col=pos.col))
            self.refused.add(path)
            return None
        if isinstance(node, yaml.MappingNode):
            return self.walk_mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.walk(item, (*path, i)) for i, item in enumerate(node.value)]
        assert isinstance(node, yaml.ScalarNode)  # the composer makes no other kind of node
        reported = len(self.diagnostics)
        value = self.scalar(node)
        if len(self.diagnostics) > reported:
            self.refused.add(path)
        elif not node.style:  # plain: unquoted
            comment = _COMMENT_AFTER.match(self.text, node.end_mark.index)
            if comment:
                self.cut[path] = comment.group(1)
            if isinstance(value, (int, float, dt.date)):  # bool is an int
                self.written[path] = node.value
        return value

    def spend(self, count: int) -> None:
        """Count `count` more values against MAX_NODES; _TooManyNodesError once they are spent."""
        self.budget -= count
        if self.budget < 0:
            raise _TooManyNodesError

    def flatten(self, node: yaml.MappingNode, depth: int = 0) -> None:
        """Resolve the `<<` merge keys of `node` in place, as PyYAML's `flatten_mapping` does, but
        counting every pair a merge copies before it is copied: merges of merges double at each
        level (472 bytes made 1.1 million pairs), and only some PyYAML versions count them."""
        if id(node) in self.flattened:
            return
        if depth > MAX_DEPTH:
            raise _TooDeepError(self.position(node).line)
        merge: list[tuple[yaml.Node, yaml.Node]] = []
        index = 0
        while index < len(node.value):
            key_node, value_node = node.value[index]
            if key_node.tag == "tag:yaml.org,2002:merge":
                del node.value[index]
                sources = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
                for source in sources:
                    if not isinstance(source, yaml.MappingNode):
                        raise yaml.constructor.ConstructorError(
                            "while constructing a mapping", node.start_mark,
                            f"expected a mapping or list of mappings for merging, but found {source.id}",
                            source.start_mark)
                    self.flatten(source, depth + 1)
                    self.spend(len(source.value))
                for source in reversed(sources):  # the first mapping listed wins, as in PyYAML
                    merge.extend(source.value)
            else:
                if key_node.tag == "tag:yaml.org,2002:value":
                    key_node.tag = "tag:yaml.org,2002:str"
                index += 1
        if merge:
            node.value = merge + node.value
        self.flattened.add(id(node))

    def walk_mapping(self, node: yaml.MappingNode, path: Path_) -> dict[Any, Any]:
        try:
            self.flatten(node)  # resolves `<<` merge keys
        except yaml.MarkedYAMLError as exc:
            pos = self.position(node)
            self.diagnostics.append(error(self.path, pos.line, f"invalid YAML: {exc.problem}", col=pos.col))
            return {}
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            self.spend(1)  # a duplicate key is a diagnostic: those count too
            pos = self.position(key_node)
            if not isinstance(key_node, yaml.ScalarNode):
                self.diagnostics.append(error(self.path, pos.line, "a key must be a plain value, not a list or mapping",
                                              col=pos.col))
                continue
            key = self.scalar(key_node)
            if not isinstance(key, str):
                key = str(key)
            if key in result:
                first = self.keys[(*path, key)]
                self.diagnostics.append(error(
                    self.path, pos.line, f"duplicate key '{key}'",
                    f"it is already set on line {first.line}; YAML would silently keep only the last one", col=pos.col))
                continue
            self.keys[(*path, key)] = pos
            result[key] = self.walk(value_node, (*path, key))
        return result

    def scalar(self, node: yaml.Node) -> Any:
        if node.tag == "tag:yaml.org,2002:str":
            return node.value  # most values: no need for the constructor's machinery
        try:
            return self.loader.construct_object(node, deep=True)
        except ValueError:
            # e.g. a timestamp-shaped 2026-13-45: keep the text, the checker reports it.
            return node.value
        except yaml.constructor.ConstructorError as exc:
            pos = self.position(node)
            self.diagnostics.append(error(self.path, pos.line, f"unsupported YAML value: {exc.problem}",
                                          "only plain values, lists and mappings are allowed", col=pos.col))
            return None
