"""Reading one form file, YAML or JSON, into validated Forms, with every mistake as a Problem.

YAML goes through PyYAML's safe loader (libyaml's ``CSafeLoader`` when PyYAML was built with it,
else the pure-Python ``SafeLoader``) with one addition: a mapping may not repeat a key (PyYAML
would silently keep the last value). Rules profiles are read by the same loader (`parse_yaml`).
JSON, the export format (one form or a list of forms), is parsed and validated by pydantic in
one pass.

Nothing here raises for bad input: each reader returns what it read and the problems found. A
problem names the file, the field path where known, the offending value and what was expected;
a YAML problem gives its line and column.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import TypeAdapter, ValidationError
from yaml.constructor import ConstructorError

from selfeval_kit.errors import Problem
from selfeval_kit.form.limits import DEFAULT_LIMITS, MAX_DEPTH, MAX_YAML_BYTES, Limits
from selfeval_kit.form.model import Form
from selfeval_kit.form.problems import field_path as _path
from selfeval_kit.form.problems import problem as _problem
from selfeval_kit.form.sources import open_bounded
from selfeval_kit.i18n import N_, _

__all__ = [
    "DRAFT_KEY",
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "UniqueKeyLoader",
    "parse_yaml",
    "read_forms",
    "read_json",
    "read_text",
    "read_yaml",
    "validate_form",
]

MAX_FILE_BYTES = MAX_YAML_BYTES  # the former name of `Limits.max_yaml_bytes`
# The first key of a draft that `selfeval import` wrote for a form its source gives only in part:
# ``draft: {missing: [...]}``. A draft is refused with that list, never read as a form.
DRAFT_KEY = "draft"
# libyaml composes a document recursively in C, and past some thousands of levels (about 24,000
# with 8 MiB of stack, fewer in a thread) it overflows the C stack and kills the interpreter.
# Every mapping or list starts at one of the characters of _OPENERS, so a text with at most
# `Limits.max_depth` of them cannot nest deeper; and every value needs one of _SEPARATORS (or
# is the document), at most three values each (``[:]``: a mapping, its key, its value), so a
# text with few of them cannot hold many values. A text with more has its depth and values
# counted from the parser's events (a loop, nothing kept) before it is composed.
_OPENERS = "[{-?:"
_SEPARATORS = _OPENERS + ",\n"

_MERGE_TAG = "tag:yaml.org,2002:merge"
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_BOOL_TAG, _INT_TAG, _FLOAT_TAG = "tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"
_WANTED = {  # what a scalar's tag asks it to be, for messages (translated where shown)
    _INT_TAG: N_("an integer"),
    _FLOAT_TAG: N_("a number"),
    _BOOL_TAG: N_("true or false"),
    _TIMESTAMP_TAG: N_("a date"),
    "tag:yaml.org,2002:null": N_("null"),
}
# Scalars as the YAML 1.2 core schema reads them (as JSON does, and hex and octal with a prefix):
# YAML 1.1's "010" (8), "5_0" (50), "1:30" (90), "0b11" and yes/no/on/off are text instead.
_CORE_BOOL = re.compile(r"true|True|TRUE|false|False|FALSE")
_CORE_INT = re.compile(r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+")
_CORE_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_CORE_SPECIAL = re.compile(r"[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)")
_CORE_RESOLVERS = (  # in this order: an integer is also a float
    (_BOOL_TAG, _CORE_BOOL, "tTfF"),
    (_INT_TAG, _CORE_INT, "-+0123456789"),
    (_FLOAT_TAG, re.compile(f"{_CORE_FLOAT.pattern}|{_CORE_SPECIAL.pattern}"), "-+.0123456789"),
)

_FORM_LIST = TypeAdapter(list[Form])
_SAFE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's, when PyYAML has it


class _LimitError(yaml.MarkedYAMLError):
    """A document past one of the `Limits`; `problem` says which, `problem_mark` where."""


class UniqueKeyLoader(_SAFE_LOADER):
    """PyYAML's safe loader, refusing a key repeated in one mapping, reading scalars as YAML 1.2.

    It also refuses merge keys (``<<``), keys that are lists or mappings, and scalars its tag
    cannot convert (``2022-13-45`` as a date, ``!!int abc``), each with a
    ``yaml.constructor.ConstructorError`` that carries the position. Numbers and booleans are
    those of the YAML 1.2 core schema (``010`` is 10, ``0x10`` 16, ``0o10`` 8; ``5_0``, ``1:30``
    and ``yes`` are text); dates and null read as ``yaml.safe_load`` reads them. A document
    whose values, its aliases expanded, pass `limits` (the loader's attribute, `DEFAULT_LIMITS`
    unless set) is refused with a ``yaml.MarkedYAMLError`` before any Python object is built.
    """

    limits: Limits = DEFAULT_LIMITS
    # Whether the text may hold an alias. Without one the document is a tree, which `_scan` has
    # already bounded: its values and depth need not be counted again with aliases expanded.
    may_alias: bool = True

    def get_single_node(self) -> Any:
        node = super().get_single_node()
        if node is not None and self.may_alias:
            _check_expansion(node, self.limits)
        return node

    def construct_mapping(self, node: yaml.Node, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, yaml.MappingNode):  # else the safe loader says what it expected
            first_at: dict[Any, yaml.Node] = {}
            for key_node, _value in node.value:
                if key_node.tag == _MERGE_TAG:
                    raise ConstructorError(
                        None, None, _("merge keys (<<) are not supported; write the keys out"), key_node.start_mark
                    )
                key = self.construct_object(key_node, deep=deep)  # built once: the loader keeps it
                try:
                    first = first_at.setdefault(key, key_node)
                except TypeError:
                    kind = _("mapping") if key_node.id == "mapping" else _("sequence")
                    message = _("a key must be text or a number, not a {kind}").format(kind=kind)
                    raise ConstructorError(None, None, message, key_node.start_mark) from None
                if first is not key_node:
                    message = _("duplicate key {key} (first at line {line})")
                    message = message.format(key=repr(key), line=first.start_mark.line + 1)
                    raise ConstructorError(None, None, message, key_node.start_mark)
        return super().construct_mapping(node, deep=deep)

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, KeyError, AttributeError, TypeError) as exc:
            if not isinstance(node, yaml.ScalarNode):
                raise
            # PyYAML's scalar constructors raise these, without a position, for text their tag
            # cannot convert; the date constructor's ValueError says which part is out of range.
            wanted = _(_WANTED[node.tag]) if node.tag in _WANTED else _("a {tag}").format(tag=node.tag)
            out_of_range = node.tag == _TIMESTAMP_TAG and isinstance(exc, ValueError)
            detail = _(": {detail}").format(detail=exc) if out_of_range else ""
            message = _("cannot read {text} as {wanted}").format(text=repr(_shorten(node.value)), wanted=wanted)
            raise ConstructorError(None, None, message + detail, node.start_mark) from None


def _shorten(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "..."


def _construct_bool(loader: Any, node: yaml.ScalarNode) -> bool:
    text = loader.construct_scalar(node)
    if not _CORE_BOOL.fullmatch(text):
        raise ValueError("not a YAML 1.2 boolean")
    return text.lower() == "true"


def _construct_int(loader: Any, node: yaml.ScalarNode) -> int:
    text = loader.construct_scalar(node)
    if not _CORE_INT.fullmatch(text):
        raise ValueError("not a YAML 1.2 integer")
    if text.startswith(("0o", "0x")):
        return int(text[2:], 8 if text[1] == "o" else 16)
    return int(text, 10)  # "010" is ten; more than 4,300 digits raise ValueError


def _construct_float(loader: Any, node: yaml.ScalarNode) -> float:
    text = loader.construct_scalar(node)
    if _CORE_FLOAT.fullmatch(text):
        return float(text)
    if _CORE_SPECIAL.fullmatch(text):
        return float(text.replace(".", "").lower())  # "inf", "-inf", "nan": refused by the model
    raise ValueError("not a YAML 1.2 number")


UniqueKeyLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in (_BOOL_TAG, _INT_TAG, _FLOAT_TAG)]
    for first, resolvers in _SAFE_LOADER.yaml_implicit_resolvers.items()
}
for _tag, _regexp, _first in _CORE_RESOLVERS:
    UniqueKeyLoader.add_implicit_resolver(_tag, re.compile(f"^(?:{_regexp.pattern})$"), list(_first))
UniqueKeyLoader.add_constructor(_BOOL_TAG, _construct_bool)
UniqueKeyLoader.add_constructor(_INT_TAG, _construct_int)
UniqueKeyLoader.add_constructor(_FLOAT_TAG, _construct_float)


def _check_expansion(root: yaml.Node, limits: Limits) -> None:
    """Refuse a document whose values, its aliases expanded, pass the limits (or contain themselves).

    An alias is the node it names, so a document is a graph; each node's expanded count of values
    and depth are computed once (a loop, not recursion), whatever the number of aliases to it.
    """
    done: dict[int, tuple[int, int]] = {}  # id(node): (values, depth), aliases expanded
    open_ids: set[int] = set()  # nodes whose children are still being counted
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        children = _children(node)
        if children_done:
            open_ids.discard(key)
            values = 1 + sum(done[id(child)][0] for child in children or ())
            depth = (1 + max((done[id(child)][1] for child in children), default=0)) if children is not None else 0
            if values > limits.max_yaml_values:
                message = _("aliases expand to more than {limit} values").format(limit=limits.max_yaml_values)
                raise _LimitError(None, None, message, node.start_mark)
            if depth > limits.max_depth:
                raise yaml.MarkedYAMLError(None, None, _too_deep(limits), node.start_mark)
            done[key] = (values, depth)
        elif key in open_ids:
            message = _("an alias names a list or mapping that contains it")
            raise yaml.MarkedYAMLError(None, None, message, node.start_mark)
        elif key not in done:
            open_ids.add(key)
            stack.append((node, True))
            stack.extend((child, False) for child in children or () if id(child) not in done)


def _children(node: yaml.Node) -> list[yaml.Node] | None:
    """The nodes inside a list or mapping node (a mapping's keys and values); None for a scalar."""
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return None


def parse_yaml(text: str, limits: Limits = DEFAULT_LIMITS) -> tuple[Any, str | None]:
    """The value of one YAML document, read by `UniqueKeyLoader`.

    Parameters
    ----------
    text
        The document (decoded text, without a byte order mark).
    limits
        Its values (aliases expanded) and depth are bounded by `Limits.max_yaml_values` and
        `Limits.max_depth`.

    Returns
    -------
    tuple
        ``(value, None)``; or ``(None, message)`` when the text is not one readable YAML document
        within the limits. The message gives the line and column where YAML has them, and starts
        with "malformed YAML: " unless it is a limit on values passed, such as
        ``"malformed YAML: line 2, column 1: duplicate key 'id' (first at line 1)"`` or
        ``"line 7, column 5: aliases expand to more than 100000 values"``.
    """
    loader = None
    try:
        _scan(text, limits)
        loader = UniqueKeyLoader(text)
        loader.limits = limits
        loader.may_alias = "*" in text  # an alias is written *name
        return loader.get_single_data(), None
    except RecursionError:  # PyYAML's pure-Python composer, on a document nested some hundred levels deep
        return None, _malformed(_("nested too deeply to read"))
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow
        message = _("{position}unacceptable character #x{code}: {reason}")
        where, code = _reader_position(text, exc), f"{exc.character:04x}"
        return None, _malformed(message.format(position=where, code=code, reason=exc.reason))
    except _LimitError as exc:
        return None, f"{_position(exc.problem_mark)}{exc.problem}"
    except yaml.MarkedYAMLError as exc:
        problem = exc.problem or str(exc)
        if "maximum nesting depth" in problem:  # libyaml's own limit, in case it is ever lower
            problem = _too_deep(limits)
        return None, _malformed(f"{_position(exc.problem_mark)}{problem}{_quote_hint(text, exc.problem_mark)}")
    except yaml.YAMLError as exc:
        return None, _malformed(str(exc))
    finally:
        if loader is not None:
            loader.dispose()


# A plain value cannot start with these: ">" and "|" begin block text, "%" a directive, "@" and
# "`" are reserved. Targets such as >=4000个 or %90 must be quoted.
_UNQUOTED = re.compile(r"^\s*(?:-\s+)?([^\s:#'\"][^:#]*?):\s+([>|%@`][^\n]*?)\s*$")


def _quote_hint(text: str, mark: Any) -> str:
    """When the line of a YAML error holds a value YAML cannot read unquoted, how to write it."""
    if mark is None:
        return ""
    lines = text.splitlines()
    if not 0 <= mark.line < len(lines):
        return ""
    found = _UNQUOTED.match(lines[mark.line])
    if found is None:
        return ""
    key, value = found.groups()
    quoted = value.replace("\\", "\\\\").replace('"', '\\"')
    return _('; a value starting with "{first}" must be quoted: {key}: "{quoted}"').format(
        first=value[0], key=key, quoted=quoted
    )


def _malformed(problem: str) -> str:
    return _("malformed YAML: {problem}").format(problem=problem)


def _too_deep(limits: Limits) -> str:
    return _("nested too deeply to read (more than {limit} levels)").format(limit=limits.max_depth)


def _at(line: int, column: int) -> str:
    return _("line {line}, column {column}: ").format(line=line, column=column)


def _position(mark: Any) -> str:
    return _at(mark.line + 1, mark.column + 1) if mark else ""


def _scan(text: str, limits: Limits) -> None:
    """Refuse a text nested deeper than the limit or holding more values, from the parser's events.

    Only a text with more than `Limits.max_depth` openers, or enough separators to hold more than
    `Limits.max_yaml_values` values, is parsed here (the events are counted, not kept).
    """
    separators = sum(map(text.count, _SEPARATORS))
    if sum(map(text.count, _OPENERS)) <= limits.max_depth and 3 * separators + 3 <= limits.max_yaml_values:
        return
    depth = values = 0
    for event in yaml.parse(text, Loader=UniqueKeyLoader):
        if isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
            continue
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > limits.max_depth:
                raise yaml.MarkedYAMLError(None, None, _too_deep(limits), event.start_mark)  # type: ignore[arg-type]
        if isinstance(event, yaml.NodeEvent):
            values += 1
            if values > limits.max_yaml_values:
                message = _("more than {limit} values in one document").format(limit=limits.max_yaml_values)
                raise _LimitError(None, None, message, event.start_mark)  # type: ignore[arg-type]


def _reader_position(text: str, exc: yaml.reader.ReaderError) -> str:
    """ "line L, column C: " of a reader error; libyaml counts its position in UTF-8 bytes."""
    if not isinstance(exc.position, int) or exc.position < 0:
        return ""
    if _SAFE_LOADER is not yaml.SafeLoader:
        before = text.encode("utf-8")[: exc.position].decode("utf-8", "ignore")
    else:
        before = text[: exc.position]
    return _at(before.count("\n") + 1, len(before) - before.rfind("\n"))


def read_text(file: Path, limit: int, kind: str) -> tuple[str | None, str | None]:
    """The text of a UTF-8 file (a byte order mark dropped), its size checked before it is read.

    The file is opened without blocking (a named pipe never holds the call) and refused unless it
    is a regular file of at most `limit` bytes.

    Parameters
    ----------
    file
        The file.
    limit
        Its largest size in bytes.
    kind
        What the file is, for the message on its size: "a YAML form file", "a profile file".

    Returns
    -------
    tuple
        ``(text, None)``, or ``(None, message)`` saying what stops reading it, such as
        ``"file is 1073741824 bytes; a YAML form file is at most 5242880 bytes"``.
    """
    kind = _(kind)  # the callers' kinds are marked for the catalogue
    handle, why = open_bounded(file, limit, kind)
    if handle is None:
        return None, why
    try:
        with handle:
            raw = handle.read(limit + 1)  # a file growing meanwhile is still read no further
    except OSError as exc:
        return None, _("cannot read the file: {reason}").format(reason=exc.strerror or exc)
    if len(raw) > limit:
        return None, _("file is more than {limit} bytes; {kind} is at most {limit} bytes").format(
            kind=kind, limit=limit
        )
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        message = _("not UTF-8 text: byte 0x{byte} at offset {offset}; save the file as UTF-8")
        return None, message.format(byte=f"{raw[exc.start]:02x}", offset=exc.start)


def read_yaml(file: Path, limits: Limits = DEFAULT_LIMITS) -> tuple[Any, list[Problem]]:
    """The mapping a YAML form file holds, not yet validated.

    Parameters
    ----------
    file
        A YAML file of one form, UTF-8, at most `Limits.max_yaml_bytes`.
    limits
        The limits on its size, values and depth.

    Returns
    -------
    tuple
        ``(data, [])`` with the file's mapping, or ``(None, [problem])`` when the file cannot be
        read (`read_text`), is not UTF-8, is empty, is not YAML within the limits (`parse_yaml`)
        or holds something else than a mapping.
    """
    name = str(file)
    text, unreadable = read_text(file, limits.max_yaml_bytes, N_("a YAML form file"))
    if text is None:
        return None, [Problem(name, "", unreadable or "")]
    if not text.strip():
        return None, [Problem(name, "", _("file is empty; expected one form as a YAML mapping"))]
    data, malformed = parse_yaml(text, limits)
    if malformed is not None:
        return None, [Problem(name, "", malformed)]
    if not isinstance(data, dict):
        message = _("expected one form as a YAML mapping (key: value)")
        return None, [Problem(name, "", message, data, has_value=True)]
    return data, []


class _Repeated(dict[str, Any]):
    """A JSON object that repeats a key: `repeated` lists them."""

    repeated: list[str]


def _json_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    data = dict(pairs)
    if len(data) == len(pairs):
        return data
    marked = _Repeated(data)
    seen: set[str] = set()
    marked.repeated = [key for key, _value in pairs if key in seen or seen.add(key)]  # type: ignore[func-returns-value]
    return marked


def _repeated_keys(name: str, data: Any) -> list[Problem]:
    """A problem for each key repeated in a JSON object of `data`, named by its path."""
    problems = []
    stack: list[tuple[tuple[Any, ...], Any]] = [((), data)]
    while stack:
        loc, value = stack.pop()
        if isinstance(value, _Repeated):
            message = _("duplicate key: each key once")
            problems += [Problem(name, _path((*loc, k)), message) for k in value.repeated]
        if isinstance(value, dict):
            stack.extend(((*loc, k), v) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend(((*loc, i), v) for i, v in enumerate(value))
    return sorted(problems, key=lambda problem: problem.path)


def _parse_json(name: str, text: str) -> tuple[Any, list[Problem]]:
    """The value of a JSON text, or the problems that stop it (malformed, a key repeated)."""
    repeated = False

    def hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        nonlocal repeated
        data = _json_object(pairs)
        repeated = repeated or isinstance(data, _Repeated)
        return data

    try:
        data = json.loads(text, object_pairs_hook=hook)
    except json.JSONDecodeError as exc:
        problem = _at(exc.lineno, exc.colno) + exc.msg  # json's own reason stays as the library words it
        return None, [Problem(name, "", _("malformed JSON: {problem}").format(problem=problem))]
    except RecursionError:
        problem = _("nested too deeply to read")
        return None, [Problem(name, "", _("malformed JSON: {problem}").format(problem=problem))]
    except ValueError as exc:  # an integer of more than 4,300 digits
        return None, [Problem(name, "", _("malformed JSON: {problem}").format(problem=exc))]
    return data, (_repeated_keys(name, data) if repeated else [])


def read_json(file: Path, limits: Limits = DEFAULT_LIMITS) -> tuple[list[Form], list[Problem]]:
    """The forms of a JSON file: one form object, or a list of them as ``selfeval export`` writes.

    Parameters
    ----------
    file
        A UTF-8 JSON file, at most `Limits.max_json_bytes`.
    limits
        The limits on its size and on each form.

    Returns
    -------
    tuple
        ``(forms, [])``, or ``([], problems)`` listing every invalid field and every key an
        object repeats; a field of a list item is named as in ``"[3].indicators[2].weight"``.
    """
    name = str(file)
    text, unreadable = read_text(file, limits.max_json_bytes, N_("a JSON file"))
    if text is None:
        return [], [Problem(name, "", unreadable or "")]
    data, problems = _parse_json(name, text)
    del text
    if problems:
        return [], problems
    if not isinstance(data, (dict, list)) or not data:
        return [], [Problem(name, "", _("expected a form object or a non-empty list of form objects"))]
    try:
        if isinstance(data, list):
            return _FORM_LIST.validate_python(data, context={"limits": limits}), []
        return [Form.model_validate(data, context={"limits": limits})], []
    except ValidationError as exc:
        return [], [_problem(name, err) for err in exc.errors()]


def validate_form(
    data: dict[str, Any], file: str, limits: Limits = DEFAULT_LIMITS
) -> tuple[Form | None, list[Problem]]:
    """A form built from its mapping (as a YAML file holds it).

    Parameters
    ----------
    data
        The form's fields.
    file
        The name problems are reported under.
    limits
        The limits on its indicators and text.

    Returns
    -------
    tuple
        ``(form, [])``, or ``(None, problems)`` with one problem for each invalid, missing or
        unknown field; for an import draft (a `DRAFT_KEY`), one problem listing what it lacks.
    """
    if DRAFT_KEY in data:
        return None, [_draft_problem(file, data[DRAFT_KEY])]
    try:
        return Form.model_validate(data, context={"limits": limits}), []
    except ValidationError as exc:
        return None, [_problem(file, err) for err in exc.errors()]


def _draft_problem(file: str, draft: Any) -> Problem:
    missing = draft.get("missing") if isinstance(draft, dict) else None
    listed = ", ".join(str(m) for m in missing) if isinstance(missing, list) and missing else "?"
    message = _(
        "an import draft, not a form: fill in {missing}, then delete the draft key (and .draft from the file name)"
    ).format(missing=listed)
    return Problem(file, DRAFT_KEY, message)


def read_forms(file: Path, limits: Limits = DEFAULT_LIMITS) -> tuple[list[Form], list[Problem]]:
    """The forms of one form file, validated, and its problems; never raises for bad input.

    Parameters
    ----------
    file
        A ``.json`` file (one form or a list, `read_json`), a ``.parquet`` file (a row a form,
        `parquet.read_parquet`) or a YAML file of one form (any other suffix, `read_yaml`).
    limits
        The limits on the file and its forms.

    Returns
    -------
    tuple
        ``(forms, [])`` with the file's forms in file order, or ``([], problems)``: a file loads
        whole or not at all.
    """
    if file.suffix == ".json":
        return read_json(file, limits)
    if file.suffix == ".parquet":
        from selfeval_kit.form.parquet import read_parquet  # pyarrow, only for a Parquet file

        return read_parquet(file, limits)
    data, problems = read_yaml(file, limits)
    if problems:
        return [], problems
    form, problems = validate_form(data, str(file), limits)
    return ([form] if form is not None else []), problems
