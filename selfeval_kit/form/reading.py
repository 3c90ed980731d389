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

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, TypeAdapter, ValidationError
from yaml.constructor import ConstructorError

from selfeval_kit.errors import Problem
from selfeval_kit.form.model import Form

__all__ = [
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "UniqueKeyLoader",
    "parse_yaml",
    "read_forms",
    "read_json",
    "read_yaml",
    "validate_form",
]

MAX_FILE_BYTES = 5 * 1024 * 1024  # a YAML form is a few KiB; anything this large is not a form
# Mappings and lists inside each other (a form nests four). libyaml composes a document recursively
# in C, and past some thousands of levels (about 24,000 with 8 MiB of stack, fewer in a thread) it
# overflows the C stack and kills the interpreter. Every mapping or list starts at one of the
# characters of _OPENERS, so a text with at most MAX_DEPTH of them cannot nest deeper; a text with
# more has its depth counted from the parser's events (a loop) before it is composed.
# Below libyaml's own limit (1000 levels in PyYAML 6.0.4 and later, none before), so that the same
# message comes whichever PyYAML is installed; a form nests four levels deep.
MAX_DEPTH = 500
_OPENERS = "[{-?:"

_MERGE_TAG = "tag:yaml.org,2002:merge"
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_WANTED = {  # what a scalar's tag asks it to be, for messages
    "tag:yaml.org,2002:int": "an integer",
    "tag:yaml.org,2002:float": "a number",
    "tag:yaml.org,2002:bool": "true or false",
    _TIMESTAMP_TAG: "a date",
    "tag:yaml.org,2002:null": "null",
}

_FORM_LIST = TypeAdapter(list[Form])
_SAFE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's, when PyYAML has it


class UniqueKeyLoader(_SAFE_LOADER):
    """PyYAML's safe loader, refusing a key repeated in one mapping.

    It also refuses merge keys (``<<``), keys that are lists or mappings, and scalars its tag
    cannot convert (``2022-13-45`` as a date, ``!!int abc``), each with a
    ``yaml.constructor.ConstructorError`` that carries the position; everything else reads as
    ``yaml.safe_load`` reads it.
    """

    def construct_mapping(self, node: yaml.Node, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, yaml.MappingNode):  # else the safe loader says what it expected
            first_at: dict[Any, yaml.Node] = {}
            for key_node, _ in node.value:
                if key_node.tag == _MERGE_TAG:
                    raise ConstructorError(
                        None, None, "merge keys (<<) are not supported; write the keys out", key_node.start_mark
                    )
                key = self.construct_object(key_node, deep=deep)  # built once: the loader keeps it
                try:
                    first = first_at.setdefault(key, key_node)
                except TypeError:
                    raise ConstructorError(
                        None, None, f"a key must be text or a number, not a {key_node.id}", key_node.start_mark
                    ) from None
                if first is not key_node:
                    raise ConstructorError(
                        None,
                        None,
                        f"duplicate key {key!r} (first at line {first.start_mark.line + 1})",
                        key_node.start_mark,
                    )
        return super().construct_mapping(node, deep=deep)

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, KeyError, AttributeError, TypeError) as exc:
            if not isinstance(node, yaml.ScalarNode):
                raise
            # PyYAML's scalar constructors raise these, without a position, for text their tag
            # cannot convert; the date constructor's ValueError says which part is out of range.
            wanted = _WANTED.get(node.tag, f"a {node.tag}")
            detail = f": {exc}" if node.tag == _TIMESTAMP_TAG and isinstance(exc, ValueError) else ""
            raise ConstructorError(
                None, None, f"cannot read {node.value!r} as {wanted}{detail}", node.start_mark
            ) from None


def parse_yaml(text: str) -> tuple[Any, str | None]:
    """The value of one YAML document, read by `UniqueKeyLoader`.

    Parameters
    ----------
    text
        The document (decoded text, without a byte order mark).

    Returns
    -------
    tuple
        ``(value, None)``; or ``(None, message)`` when the text is not one readable YAML document
        nested at most `MAX_DEPTH` levels, the message starting with "malformed YAML: " and
        giving the line and column where YAML has them, such as
        ``"malformed YAML: line 2, column 1: duplicate key 'id' (first at line 1)"``.
    """
    try:
        if sum(map(text.count, _OPENERS)) > MAX_DEPTH:
            mark = _too_deep(text)
            if mark is not None:
                where = f"line {mark.line + 1}, column {mark.column + 1}: "
                return None, _malformed(f"{where}nested too deeply to read (more than {MAX_DEPTH} levels)")
        return yaml.load(text, Loader=UniqueKeyLoader), None
    except RecursionError:  # PyYAML's pure-Python composer, on a document nested some hundred levels deep
        return None, _malformed("nested too deeply to read")
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow
        return None, _malformed(
            f"{_reader_position(text, exc)}unacceptable character #x{exc.character:04x}: {exc.reason}"
        )
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        if "maximum nesting depth" in str(exc.problem):  # libyaml's own limit, in case it is ever lower
            where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
            return None, _malformed(f"{where}nested too deeply to read (more than {MAX_DEPTH} levels)")
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        return None, _malformed(f"{where}{exc.problem or exc}")
    except yaml.YAMLError as exc:
        return None, _malformed(str(exc))


def _malformed(problem: str) -> str:
    return f"malformed YAML: {problem}"


def _too_deep(text: str) -> Any:
    """Where the text first nests deeper than MAX_DEPTH, from the parser's events; None if nowhere."""
    depth = 0
    for event in yaml.parse(text, Loader=UniqueKeyLoader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                return event.start_mark
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
    return None


def _reader_position(text: str, exc: yaml.reader.ReaderError) -> str:
    """ "line L, column C: " of a reader error; libyaml counts its position in UTF-8 bytes."""
    if not isinstance(exc.position, int) or exc.position < 0:
        return ""
    if _SAFE_LOADER is not yaml.SafeLoader:
        before = text.encode("utf-8")[: exc.position].decode("utf-8", "ignore")
    else:
        before = text[: exc.position]
    line, column = before.count("\n") + 1, len(before) - before.rfind("\n")
    return f"line {line}, column {column}: "


def _read_text(file: Path, limit: int | None = None) -> tuple[str | None, list[Problem]]:
    """The text of a UTF-8 file (a byte order mark dropped), or the problem that stops reading it."""
    name = str(file)
    try:
        raw = file.read_bytes()
    except OSError as exc:
        return None, [Problem(name, "", f"cannot read the file: {exc.strerror or exc}")]
    if limit is not None and len(raw) > limit:
        return None, [Problem(name, "", f"file is {len(raw)} bytes; a form file is at most {limit}")]
    try:
        return raw.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        return None, [
            Problem(
                name, "", f"not UTF-8 text: byte 0x{raw[exc.start]:02x} at offset {exc.start}; save the file as UTF-8"
            )
        ]


def read_yaml(file: Path) -> tuple[Any, list[Problem]]:
    """The mapping a YAML form file holds, not yet validated.

    Parameters
    ----------
    file
        A YAML file of one form, UTF-8, at most `MAX_FILE_BYTES`.

    Returns
    -------
    tuple
        ``(data, [])`` with the file's mapping, or ``(None, [problem])`` when the file cannot be
        read, is not UTF-8, is empty, is not YAML (`parse_yaml`) or holds something else than a
        mapping.
    """
    name = str(file)
    text, problems = _read_text(file, MAX_FILE_BYTES)
    if text is None:
        return None, problems
    if not text.strip():
        return None, [Problem(name, "", "file is empty; expected one form as a YAML mapping")]
    data, malformed = parse_yaml(text)
    if malformed is not None:
        return None, [Problem(name, "", malformed)]
    if not isinstance(data, dict):
        return None, [Problem(name, "", "expected one form as a YAML mapping (key: value)", data, has_value=True)]
    return data, []


def read_json(file: Path) -> tuple[list[Form], list[Problem]]:
    """The forms of a JSON file: one form object, or a list of them as ``selfeval export`` writes.

    Parameters
    ----------
    file
        A UTF-8 JSON file.

    Returns
    -------
    tuple
        ``(forms, [])``, or ``([], problems)`` listing every invalid field; a field of a list
        item is named as in ``"[3].indicators[2].weight"``.
    """
    name = str(file)
    text, problems = _read_text(file)
    if text is None:
        return [], problems
    is_list = text.lstrip().startswith("[")
    try:
        forms = _FORM_LIST.validate_json(text) if is_list else [Form.model_validate_json(text)]
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            if err["type"] == "json_invalid":
                problems.append(Problem(name, "", f"malformed JSON: {err.get('ctx', {}).get('error', err['msg'])}"))
            elif not err["loc"] and err["type"] in ("model_type", "list_type", "model_attributes_type"):
                problems.append(Problem(name, "", "expected a form object or a non-empty list of form objects"))
            else:
                problems.append(_problem(name, err))
        return [], problems
    if not forms:
        return [], [Problem(name, "", "expected a form object or a non-empty list of form objects")]
    return forms, []


def validate_form(data: dict[str, Any], file: str) -> tuple[Form | None, list[Problem]]:
    """A form built from its mapping (as a YAML file holds it).

    Parameters
    ----------
    data
        The form's fields.
    file
        The name problems are reported under.

    Returns
    -------
    tuple
        ``(form, [])``, or ``(None, problems)`` with one problem for each invalid, missing or
        unknown field.
    """
    try:
        return Form.model_validate(data), []
    except ValidationError as exc:
        return None, [_problem(file, err) for err in exc.errors()]


def read_forms(file: Path) -> tuple[list[Form], list[Problem]]:
    """The forms of one form file, validated, and its problems; never raises for bad input.

    Parameters
    ----------
    file
        A ``.json`` file (one form or a list, `read_json`) or a YAML file of one form (any other
        suffix, `read_yaml`).

    Returns
    -------
    tuple
        ``(forms, [])`` with the file's forms in file order, or ``([], problems)``: a file loads
        whole or not at all.
    """
    if file.suffix == ".json":
        return read_json(file)
    data, problems = read_yaml(file)
    if problems:
        return [], problems
    form, problems = validate_form(data, str(file))
    return ([form] if form is not None else []), problems


def _path(loc: tuple[Any, ...]) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + str(part)
    return text


def _model_at(loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The model class that holds the last element of loc, for listing allowed keys."""
    model: Any = Form
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        info = model.model_fields.get(part) if isinstance(model, type) and issubclass(model, BaseModel) else None
        if info is None:
            return None
        annotation = info.annotation
        args = getattr(annotation, "__args__", None)
        model = args[0] if args and getattr(annotation, "__origin__", None) is list else annotation
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


def _problem(file: str, err: Any) -> Problem:
    """A Problem for one of pydantic's validation errors."""
    loc = tuple(err.get("loc", ()))
    kind = err.get("type", "")
    value = err.get("input")
    if kind == "missing":
        return Problem(file, _path(loc), "required field is missing")
    if kind == "extra_forbidden":
        model = _model_at(loc)
        allowed = f"; allowed here: {', '.join(model.model_fields)}" if model else ""
        return Problem(file, _path(loc), f"unknown key (check its spelling){allowed}")
    message = err.get("msg", "invalid value")
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    return Problem(file, _path(loc), message, value, has_value=True)
