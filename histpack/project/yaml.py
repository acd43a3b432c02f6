"""The bounded, located YAML reader every input of a project goes through (annotations, source
metadata, vocabularies, histpack.yaml).

YAML is read with bounds, so that no file can make a command hang or crash: nesting deeper than
`MAX_DEPTH`, or aliases (`*name`) that would add more than `MAX_ALIAS_VALUES` values once expanded
(an "alias bomb"), are refused with a line. Aliases themselves are allowed: a quote used by three
rows may be written once as `&name` and reused as `*name`. Mappings and sequences remember the line
of each key and item, so that every later error can name its line.
"""

from __future__ import annotations

import re

import yaml

from histpack.project.errors import BuildError, echo

MAX_DEPTH = 64
MAX_ALIAS_VALUES = 10_000
_NON_PRINTABLE = re.compile("[^\x09\x0A\x0D\x20-\x7E\x85\xA0-\uD7FF\uE000-\uFFFD\U00010000-\U0010ffff]")
_CONTROL_NAMES = {0x00: "NUL", 0x07: "BELL", 0x08: "BACKSPACE", 0x0B: "VERTICAL TAB", 0x0C: "FORM FEED",
                  0x1B: "ESC", 0x7F: "DELETE"}
_DEEP_BRACKETS = re.compile(r"(?:[\[{][ \t]*){%d}" % (MAX_DEPTH + 1))

class LocatedDict(dict):
    """A YAML mapping that remembers its line, the line of each key, and the words YAML read as booleans."""

    line: int = 0

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.key_lines: dict = {}
        self.bool_words: dict = {}


class LocatedList(list):
    """A YAML sequence that remembers its line and the line of each item."""

    line: int = 0
    lines: list[int] = []


class _LocatedLoader(yaml.SafeLoader):
    """A safe loader whose mappings remember their lines, refuse duplicate or unhashable keys,
    and whose documents are refused when nested too deep or expanded too far by aliases."""

    def __init__(self, stream):
        super().__init__(stream)
        self._depth = 0
        self.first_alias = None

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent) and self.first_alias is None:
            self.first_alias = self.peek_event().start_mark
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise yaml.composer.ComposerError(None, None, f"nesting deeper than {MAX_DEPTH} levels",
                                                  self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _construct_mapping(loader: _LocatedLoader, node: yaml.MappingNode) -> LocatedDict:
    loader.flatten_mapping(node)
    result = LocatedDict()
    result.line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            kind = {list: "list", dict: "mapping", LocatedList: "list", LocatedDict: "mapping"}.get(type(key), "value")
            raise yaml.constructor.ConstructorError(
                None, None, f"a {kind} cannot be a key (keys are names such as `person_id`)", key_node.start_mark) from None
        if key in result:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {echo(key)} (first given above)", key_node.start_mark)
        value = loader.construct_object(value_node, deep=True)
        result[key] = value
        result.key_lines[key] = key_node.start_mark.line + 1
        if isinstance(value, bool) and isinstance(value_node, yaml.ScalarNode):
            result.bool_words[key] = value_node.value
    return result


def _construct_sequence(loader: _LocatedLoader, node: yaml.SequenceNode):
    result = LocatedList()
    result.line = node.start_mark.line + 1
    result.lines = [child.start_mark.line + 1 for child in node.value]
    yield result
    result.extend(loader.construct_sequence(node, deep=True))


_LocatedLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LocatedLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)
# Dates stay strings: an EDTF date is not a Python date, and `1930` must not become an int silently.
_LocatedLoader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


_FAST = getattr(yaml, "CSafeLoader", None)  # libyaml: ten times faster than the pure-Python reader


class _FastLocatedLoader(*((_FAST,) if _FAST else (yaml.SafeLoader,))):
    """The same located loader on libyaml's parser, for documents shallow enough that its recursive
    composer is safe (`_shallow`). Any error, or a bound broken, is re-read by `_LocatedLoader`, whose
    lines and messages the error reports then use."""

    def __init__(self, stream):
        super().__init__(stream)
        self.first_alias = None


_FastLocatedLoader.yaml_constructors = _LocatedLoader.yaml_constructors
_FastLocatedLoader.yaml_implicit_resolvers = _LocatedLoader.yaml_implicit_resolvers
_INDICATORS = re.compile(r"- |: |[\[{]")


def _shallow(text: str) -> bool:
    """True when no node can be nested more than MAX_DEPTH deep: a block node is deeper than its
    line's indentation plus the indicators (`- `, `: `, `[`, `{`) before it by at most one."""
    return all(len(line) - len(line.lstrip(" ")) + len(_INDICATORS.findall(line)) < MAX_DEPTH
               for line in text.splitlines())


def _depth(root: yaml.Node) -> int:
    deepest, stack, seen = 0, [(root, 1)], set()
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        if id(node) not in seen:
            seen.add(id(node))
            stack.extend((child, depth + 1) for child in _children(node))
    return deepest


def _read_fast(text: str):
    """The document through libyaml, or `_SLOW` when the exact reader must say what is wrong."""
    if not _FAST or not _shallow(text):
        return _SLOW
    loader = _FastLocatedLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        expanded = _expanded_size(node)
        if expanded is None or expanded - _distinct_nodes(node) > MAX_ALIAS_VALUES or _depth(node) > MAX_DEPTH:
            return _SLOW
        return loader.construct_document(node)
    except (yaml.YAMLError, RecursionError):
        return _SLOW
    finally:
        loader.dispose()


_SLOW = object()


def _expanded_size(root: yaml.Node) -> int | None:
    """Number of values the node graph stands for once every alias is expanded; None for a cycle."""
    sizes: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            on_path.discard(key)
            children = _children(node)
            sizes[key] = min(1 + sum(sizes[id(c)] for c in children), 10 * MAX_ALIAS_VALUES)
            continue
        if key in sizes:
            continue
        if key in on_path:
            return None
        on_path.add(key)
        stack.append((node, True))
        stack.extend((c, False) for c in _children(node) if id(c) not in sizes)
    return sizes[id(root)]


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def _distinct_nodes(root: yaml.Node) -> int:
    seen, stack = set(), [root]
    while stack:
        node = stack.pop()
        if id(node) not in seen:
            seen.add(id(node))
            stack.extend(_children(node))
    return len(seen)


def _control_character(text: str) -> tuple[int, str] | None:
    found = _NON_PRINTABLE.search(text)
    if not found:
        return None
    char = found.group()
    name = _CONTROL_NAMES.get(ord(char)) or "control character"
    return text.count("\n", 0, found.start()) + 1, f"U+{ord(char):04X} {name}"


def decode_text(data: bytes, display: str) -> str:
    """UTF-8 text (a byte-order mark dropped, CRLF as LF), or one error naming the line of the bad byte."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise BuildError.at(display, line, f"the file is not UTF-8 (byte 0x{data[exc.start]:02X})",
                         "save it as UTF-8") from None
    return text.replace("\r\n", "\n")


def load_yaml(data: bytes, display: str):
    """One YAML document with located mappings and sequences, or a BuildError at its line."""
    text = decode_text(data, display)
    bad = _control_character(text)
    if bad:
        line, name = bad
        raise BuildError.at(display, line, f"the file holds the invisible character {name}, which YAML does not "
                                              f"allow", "delete it (the file may have been damaged or is not text)")
    deep = _DEEP_BRACKETS.search(text)
    if deep:  # refused before PyYAML's scanner, which looks ahead quadratically through open brackets
        raise BuildError.at(display, text.count(chr(10), 0, deep.start()) + 1, f"YAML syntax error: nesting deeper than {MAX_DEPTH} levels", "fix the YAML at that line")
    document = _read_fast(text)
    if document is not _SLOW:
        return document
    loader = _LocatedLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        expanded = _expanded_size(node)
        if expanded is None or expanded - _distinct_nodes(node) > MAX_ALIAS_VALUES:
            mark = loader.first_alias
            what = "an alias refers to a value that contains it" if expanded is None else \
                f"aliases (`*name`) expand to more than {MAX_ALIAS_VALUES:,} values"
            raise BuildError.at(display, mark.line + 1 if mark else 1, f"YAML {what}",
                             "write the values out, or use fewer aliases")
        return loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        problem = exc.problem or str(exc)
        if exc.context and exc.context_mark and mark and exc.context_mark.line != mark.line:
            problem += f" ({exc.context} at line {exc.context_mark.line + 1})"
        raise BuildError.at(display, line, f"YAML syntax error: {problem}", "fix the YAML at that line") from None
    except yaml.YAMLError as exc:
        raise BuildError.at(display, 1, f"YAML error: {str(exc).splitlines()[0]}", "fix the YAML") from None
    except RecursionError:
        raise BuildError.at(display, 1, "YAML nested too deeply", "flatten the structure") from None
    finally:
        loader.dispose()
