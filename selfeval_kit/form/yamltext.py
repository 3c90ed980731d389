"""YAML text to plain Python values, as PyYAML's safe loader reads it, with duplicate keys refused.

Three readers give the same value or error; each hands what it cannot read to the next:

1. `_read_block`: a line reader for the block layout forms are written in (one
   `key: value` or `- item` per line: what yaml.safe_dump, `selfeval import` and
   people write), about 4× faster than libyaml's composer plus the builder below.
2. `_load_yaml_composed`: libyaml composes the document; plain maps, lists and
   strings are built directly, every other scalar by PyYAML's constructors.
3. `_load_yaml_full`: yaml.load with `_UniqueKeyLoader`, the reference for the
   others' values and for every error message.

`tests/test_yaml_reading.py` compares `_load_yaml` with `_load_yaml_full` on every
YAML file of the repository, synthetic forms, hand-written feature cases and
generated documents.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

__all__: list[str] = []  # internal: loading.read_yaml is the way in


class _UniqueKeyLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml is ~10× faster
    """SafeLoader that refuses duplicate keys: PyYAML would silently keep the last one."""


_STR_TAG = "tag:yaml.org,2002:str"


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False):
    seen: dict[Any, yaml.Node] = {}
    for key_node, _ in node.value:
        # A plain string key is its scalar's text: no need to construct it twice.
        if key_node.tag == _STR_TAG and isinstance(key_node, yaml.ScalarNode):
            key = key_node.value
        else:
            key = loader.construct_object(key_node, deep=deep)
        try:
            first = seen.get(key)
        except TypeError:
            first = None  # unhashable: construct_mapping reports it
        if first is not None:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"duplicate key {key!r} (first at line {first.start_mark.line + 1})",
                key_node.start_mark,
            )
        try:
            seen[key] = key_node
        except TypeError:
            pass
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


# Why a composed reader: of yaml.load's ~1.3 ms per form, ~0.55 go to PyYAML's pure-Python
# constructor (construct_object's bookkeeping, a generator per mapping and list) and
# ~0.15 to resolving each plain scalar's tag, while a form is only strings, numbers,
# mappings and lists. So _load_yaml composes the node tree (memoizing plain scalars' tags:
# forms repeat the same keys and small numbers), builds the plain cases itself, and hands
# every other scalar to PyYAML's own constructor for its tag (YAML 1.1 ints, bools,
# floats, dates stay exactly PyYAML's). Anything else -- merge keys, an alias of a mapping
# or list, tags on collections, duplicate keys, any error while building -- reads the
# document again with _load_yaml_full, whose value or error is the reference: it defers
# lists, so which of two errors it reports is its own order, not depth-first.
_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_SCALAR_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("null", "bool", "int", "float", "timestamp", "binary")
)
_MAX_DEPTH = 64  # deeper documents go the full way, which fails on deeply nested mappings
_RESOLVED: dict[str, str] = {}  # plain scalar -> its tag


class _FastLoader(_UniqueKeyLoader):
    """_UniqueKeyLoader with the tags of short plain scalars memoized.

    Exact because, without path resolvers (a SafeLoader has none), a plain scalar's tag
    depends on its text alone, and tracking the path to each node does nothing; quoted
    scalars and collections are resolved as usual.
    """

    def descend_resolver(self, current_node, current_index):
        pass

    def ascend_resolver(self):
        pass

    def resolve(self, kind, value, implicit):
        if kind is yaml.ScalarNode and implicit[0] and len(value) <= 64:
            tag = _RESOLVED.get(value)
            if tag is None:
                tag = super().resolve(kind, value, implicit)
                if len(_RESOLVED) >= 4096:
                    _RESOLVED.clear()
                _RESOLVED[value] = tag
            return tag
        return super().resolve(kind, value, implicit)


class _Unusual(Exception):
    """The document needs a fuller reader."""


def _load_yaml_full(text: str) -> Any:
    return yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - SafeLoader subclass


def _load_yaml_composed(text: str) -> Any:
    """The same value or exception as _load_yaml_full(text), in about 60% of the time."""
    loader = _FastLoader(text)
    try:
        node = loader.get_single_node()  # parse errors come from here, as in yaml.load
        if node is None:
            return None
        try:
            return _build(loader, node, set(), 0)
        except Exception:  # noqa: BLE001 - _Unusual, or an error _load_yaml_full reports its own way
            pass
    finally:
        loader.dispose()
    return _load_yaml_full(text)


def _scalar(loader: _FastLoader, node: yaml.ScalarNode) -> Any:
    if node.tag == _STR_TAG:
        return node.value
    if node.tag in _SCALAR_TAGS:
        return loader.yaml_constructors[node.tag](loader, node)  # PyYAML's int, float, bool, ...
    raise _Unusual  # merge key, "=", !!set and other tags


def _build(loader: _FastLoader, node: yaml.Node, collections: set[int], depth: int) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return _scalar(loader, node)
    if id(node) in collections or depth > _MAX_DEPTH:
        raise _Unusual  # an alias of a mapping or list (shared or recursive)
    collections.add(id(node))
    depth += 1
    if node.tag == _SEQ_TAG and isinstance(node, yaml.SequenceNode):
        return [_build(loader, item, collections, depth) for item in node.value]
    if node.tag == _MAP_TAG and isinstance(node, yaml.MappingNode):
        data = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise _Unusual  # a mapping or list as a key
            key = key_node.value if key_node.tag == _STR_TAG else _scalar(loader, key_node)
            if key in data:
                raise _Unusual  # duplicate key
            if value_node.tag == _STR_TAG and isinstance(value_node, yaml.ScalarNode):
                data[key] = value_node.value  # the common case, without a call
            else:
                data[key] = _build(loader, value_node, collections, depth)
        return data
    raise _Unusual  # !!omap, !!pairs, !!set, unknown tags


def _load_yaml(text: str) -> Any:
    """The value of a YAML document, or the exception yaml.load(text, _UniqueKeyLoader) raises."""
    try:
        return _read_block(text)
    except Exception:  # noqa: BLE001 - _Unusual, or anything else: the composed reader decides
        return _load_yaml_composed(text)


# --- the line reader -------------------------------------------------------------------
#
# It reads a subset of YAML and refuses (_Unusual) everything outside it, so that what it
# returns is what libyaml would: every line is blank, a comment, or
#   [indent][- ]key:[ scalar]   or   [indent]- scalar
# with spaces for indentation, ASCII identifiers for keys, and scalars on one line that are
# plain (no ": ", " #" or indicator first), single-quoted, or double-quoted without escapes.
# Tabs, CR alone, characters YAML does not allow, flow collections, block scalars, anchors,
# tags, documents markers, directives, multi-line scalars, duplicate keys and keys that
# YAML reads as bools or nulls all go to the composed reader. Plain scalars get their
# tags from PyYAML's resolver and their values from its constructors. Each line is read
# once (_LINE_MEMO): files of forms share most of their lines ("  weight: 10"), and what a
# line holds does not depend on the lines around it; only the indents join them up.

_LINE = re.compile(r"( *)(- +)?(?:([A-Za-z_][A-Za-z0-9_]*):(?: +|$))?(.*)")
_SINGLE_QUOTED = re.compile(r"'(?:[^']|'')*'")
_DOUBLE_QUOTED = re.compile(r'"[^"\\]*"')
# Characters that start something other than a plain scalar (indicators).
_NOT_PLAIN_FIRST = frozenset("[]{}#&*!|>'\"%@`,")
# Anything but line feeds and the printable characters YAML allows: no tab, no CR, no BOM,
# and not NEL, LS or PS (line breaks in YAML 1.1).
_NOT_PLAIN_TEXT = re.compile(
    "[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)
_SCALARS = _UniqueKeyLoader("")  # its resolver and constructors, for plain scalars
# A plain scalar whose first character starts no implicit resolver is a string.
_RESOLVABLE_FIRST = _UniqueKeyLoader.yaml_implicit_resolvers  # first character -> resolvers
# What PyYAML's resolver reads as a decimal int ("0", "12") or float ("2744839.0"), and its
# constructors turn into int(text) or float(text); not octal ("017"), signs or "_".
_DECIMAL = re.compile(r"(?:0|[1-9][0-9]*)(?:\.[0-9]+)?")
_PLAIN: dict[str, Any] = {}  # plain scalar -> its value (all immutable): forms repeat them
_PLAIN_LIMIT = 4096
_BLOCK_DEPTH = 32


def _read_block(text: str) -> Any:
    """The value of a document in the block layout; raises _Unusual for anything else."""
    if None in _RESOLVABLE_FIRST:
        raise _Unusual  # a resolver for any first character (PyYAML's own all name theirs)
    if "\r" in text:
        text = text.replace("\r\n", "\n")  # a line break either way; a lone CR stays and is refused
    if _NOT_PLAIN_TEXT.search(text) is not None:
        raise _Unusual
    memo, read = _LINE_MEMO, _read_line
    lines = []
    for line in text.split("\n"):
        parsed = memo.get(line)
        if parsed is None:
            parsed = read(line)
        if parsed is not _SKIP:
            lines.append(parsed)
    if not lines:
        return None  # only comments, as yaml.load reads it
    value, end = _block(lines, 0, lines[0][0], 0)
    if end != len(lines):
        raise _Unusual  # a line indented less than the first, or the like
    return value


_SKIP = object()  # a blank or comment line
_LINE_MEMO: dict[str, tuple | object] = {}  # line -> _read_line(line): forms repeat most of their lines
_LINE_MEMO_LIMIT = 16384  # lines (a form has about a hundred)


def _read_line(line: str) -> tuple | object:
    """(indent, length of "- " or 0, key or "", has a value, the value), or _SKIP; raises _Unusual."""
    indent, dash, key, rest = _LINE.fullmatch(line).groups()
    if not dash and not key and (not rest or rest[0] == "#"):
        parsed = _SKIP
    else:
        if key and key[0] in _RESOLVABLE_FIRST and not isinstance(_plain(key), str):
            raise _Unusual  # "on", "y", "null" as keys are bools and None
        if rest:
            parsed = (len(indent), len(dash or ""), key or "", True, _line_scalar(rest))
        elif dash and not key:
            raise _Unusual  # an empty list item
        else:
            parsed = (len(indent), len(dash or ""), key or "", False, None)
    if len(_LINE_MEMO) >= _LINE_MEMO_LIMIT:
        _LINE_MEMO.clear()
    _LINE_MEMO[line] = parsed
    return parsed


def _block(lines: list, pos: int, indent: int, depth: int) -> tuple[Any, int]:
    if depth > _BLOCK_DEPTH:
        raise _Unusual
    if lines[pos][1]:
        return _sequence(lines, pos, indent, depth)
    return _mapping(lines, pos, indent, depth)


def _mapping(lines: list, pos: int, indent: int, depth: int) -> tuple[dict, int]:
    data: dict[str, Any] = {}
    count = len(lines)
    while pos < count:
        column, dash, key, has_value, value = lines[pos]
        if column != indent:
            if column > indent:
                raise _Unusual  # deeper than its mapping: a continued scalar, or an error
            break
        if dash or not key or key in data:
            raise _Unusual
        pos += 1
        if has_value:
            data[key] = value
        elif pos < count and (lines[pos][0] > indent or (lines[pos][0] == indent and lines[pos][1])):
            data[key], pos = _block(lines, pos, lines[pos][0], depth + 1)  # a list may sit at the key's indent
        else:
            data[key] = None
    return data, pos


def _sequence(lines: list, pos: int, indent: int, depth: int) -> tuple[list, int]:
    items: list[Any] = []
    count = len(lines)
    while pos < count:
        column, dash, key, has_value, value = lines[pos]
        if column != indent:
            if column > indent:
                raise _Unusual
            break
        if not dash:
            break  # the next key of the mapping this list is a value of
        if key:  # "- key: value" starts a mapping at the key's column
            column += dash
            lines[pos] = (column, 0, key, has_value, value)
            item, pos = _mapping(lines, pos, column, depth + 1)
            items.append(item)
        else:
            items.append(value)  # (a list in a list, "- - x", is refused by _line_scalar)
            pos += 1
    return items, pos


def _line_scalar(rest: str) -> Any:
    """The value of a scalar written on one line."""
    if rest[-1] == " ":
        rest = rest.rstrip(" ")
    first = rest[0]
    if first == "'":
        if _SINGLE_QUOTED.fullmatch(rest) is None:
            raise _Unusual
        return rest[1:-1].replace("''", "'")
    if first == '"':
        if _DOUBLE_QUOTED.fullmatch(rest) is None:
            raise _Unusual  # escapes, or text after the closing quote
        return rest[1:-1]
    if (
        first in _NOT_PLAIN_FIRST
        or ": " in rest
        or " #" in rest
        or rest[-1] == ":"
        or (first in "-?:" and (len(rest) == 1 or rest[1] == " "))
    ):
        raise _Unusual
    if first not in _RESOLVABLE_FIRST:
        return rest
    if _DECIMAL.fullmatch(rest) is not None:  # amounts, weights, scores: YAML's int or float
        return float(rest) if "." in rest else int(rest)
    return _plain(rest)


def _plain(text: str) -> Any:
    """A plain scalar's value: its tag from PyYAML's resolver, its value from its constructors."""
    value = _PLAIN.get(text, _PLAIN)
    if value is not _PLAIN:
        return value
    tag = _SCALARS.resolve(yaml.ScalarNode, text, (True, False))
    if tag == _STR_TAG:
        value = text
    elif tag in _SCALAR_TAGS:
        try:
            value = _SCALARS.yaml_constructors[tag](_SCALARS, yaml.ScalarNode(tag, text))
        except Exception:  # noqa: BLE001 - "2022-13-45": the full reader reports it its own way
            raise _Unusual from None
    else:
        raise _Unusual  # "<<" (merge), "=" (value)
    if len(_PLAIN) >= _PLAIN_LIMIT:
        _PLAIN.clear()
    _PLAIN[text] = value
    return value
