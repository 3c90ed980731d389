"""Reading forms from YAML files into a validated Portfolio.

All problems are collected before anything is returned: a user fixing a folder
of forms sees every mistake in one run, and no file is ever half-loaded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import yaml
from pydantic import BaseModel, TypeAdapter, ValidationError

from selfeval_kit.errors import DataError, Problem
from selfeval_kit.form.model import Form
from selfeval_kit.form.sources import form_files
from selfeval_kit.form.yamltext import _load_yaml

__all__ = ["Portfolio", "load", "load_form", "form_files", "MAX_FILE_BYTES"]

MAX_FILE_BYTES = 5 * 1024 * 1024  # a form is a few KiB; anything this large is not a form
_FORM_LIST = TypeAdapter(list[Form])


@dataclass(frozen=True)
class Portfolio:
    """The forms of one or more files, in document order, with where each came from."""

    forms: tuple[Form, ...]
    sources: dict[str, Path] = field(default_factory=dict)  # form id -> file

    def __iter__(self) -> Iterator[Form]:
        return iter(self.forms)

    def __len__(self) -> int:
        return len(self.forms)

    def __getitem__(self, form_id: str) -> Form:
        for form in self.forms:
            if form.id == form_id:
                return form
        raise KeyError(f"no form with id {form_id!r}; ids: {', '.join(self.ids)}")

    @property
    def ids(self) -> list[str]:
        return [f.id for f in self.forms]

    @property
    def years(self) -> list[int]:
        return sorted({f.year for f in self.forms})


def read_yaml(file: Path) -> tuple[Any, list[Problem]]:
    """Parse one YAML file; problems instead of exceptions."""
    name = str(file)
    try:
        raw = file.read_bytes()
    except OSError as exc:
        return None, [Problem(name, "", f"cannot read the file: {exc.strerror or exc}")]
    if len(raw) > MAX_FILE_BYTES:
        return None, [Problem(name, "", f"file is {len(raw)} bytes; a form file is at most {MAX_FILE_BYTES}")]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return None, [
            Problem(name, "", f"not UTF-8 text: byte 0x{raw[exc.start]:02x} at offset {exc.start}; save the file as UTF-8")
        ]
    if not text.strip():
        return None, [Problem(name, "", "file is empty; expected one form as a YAML mapping")]
    try:
        data = _load_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        return None, [Problem(name, "", f"malformed YAML: {where}{problem}")]
    except RecursionError:  # its own text says only where Python's stack ran out
        return None, [Problem(name, "", "malformed YAML: nested too deeply to read")]
    except (ValueError, KeyError, AttributeError, TypeError) as exc:
        # PyYAML's constructors raise these for a value they cannot convert ("2022-13-45",
        # "!!int abc"), without a position.
        detail = f": {exc}" if str(exc) else ""
        return None, [Problem(name, "", f"malformed YAML: a value cannot be read ({type(exc).__name__}{detail})")]
    if not isinstance(data, dict):
        return None, [
            Problem(name, "", "expected one form as a YAML mapping (key: value)", data, has_value=True)
        ]
    return data, []


def read_json(file: Path) -> tuple[list[Form], list[Problem]]:
    """A JSON file of one form or a list of forms (as `selfeval export` writes them).

    pydantic parses and validates in one pass (several times faster than json.loads
    and validating dicts, which matters for a bureau's file of thousands of forms);
    a problem in a list item is reported at "[3].indicators[2].weight".
    """
    name = str(file)
    try:
        raw = file.read_bytes()
    except OSError as exc:
        return [], [Problem(name, "", f"cannot read the file: {exc.strerror or exc}")]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return [], [Problem(name, "", f"not UTF-8 text: byte 0x{raw[exc.start]:02x} at offset {exc.start}")]
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


def _read_forms(file: Path) -> tuple[list[Form], list[Problem]]:
    if file.suffix == ".json":
        return read_json(file)
    data, problems = read_yaml(file)
    if problems:
        return [], problems
    form, problems = validate_form(data, str(file))
    return ([] if problems else [form]), problems


def validate_form(data: dict, file: str) -> tuple[Form | None, list[Problem]]:
    try:
        return Form.model_validate(data), []
    except ValidationError as exc:
        return None, [_problem(file, err) for err in exc.errors()]


def load_form(path: str | Path) -> Form:
    """Load and validate one form file; DataError lists every problem in it."""
    portfolio = load(path)
    if len(portfolio) != 1:
        raise DataError.single(path, f"expected one form, found {len(portfolio)}")
    return portfolio.forms[0]


def load(path: str | Path) -> Portfolio:
    """Load a form file or a folder of form files into a Portfolio.

    Raises DataError naming every problem in every file (and duplicate ids);
    returns only when all files are valid.
    """
    problems: list[Problem] = []
    loaded: list[tuple[Form, Path]] = []
    for file in form_files(path):
        file_forms, file_problems = _read_forms(file)
        problems.extend(file_problems)  # a file loads whole or not at all
        loaded.extend((form, file) for form in file_forms)

    first_file: dict[str, Path] = {}
    for form, file in loaded:
        if form.id in first_file:
            problems.append(
                Problem(str(file), "id", f"duplicate id: also used by {first_file[form.id]}", form.id, True)
            )
        else:
            first_file[form.id] = file
    if problems:
        raise DataError(problems)

    loaded.sort(key=lambda pair: (pair[0].seq is None, pair[0].seq or 0, pair[1].name))
    return Portfolio(forms=tuple(f for f, _ in loaded), sources={f.id: p for f, p in loaded})


def _path(loc: tuple) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + str(part)
    return text


def _model_at(loc: tuple) -> type[BaseModel] | None:
    """The model class that holds the last element of loc, for listing allowed keys."""
    model: Any = Form
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        info = model.model_fields.get(part) if isinstance(model, type) else None
        if info is None:
            return None
        annotation = info.annotation
        args = getattr(annotation, "__args__", None)
        model = args[0] if args and getattr(annotation, "__origin__", None) is list else annotation
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


def _problem(file: str, err: dict) -> Problem:
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
