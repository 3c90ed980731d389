"""Workbooks read through the sheet adapter, and what this project's own workbooks keep besides.

    read_book(Path("forms.xlsx"), data, written_here=True) → [ImportedForm, ...]

Every visible sheet is a `Table` (`selfeval_kit.importers.adapters.sheet`); a sheet with a flat
header row is read by `selfeval_kit.importers.flat`, the others by the cell reader
(`selfeval_kit.importers.reader`), which reads any layout. A cell no value can be read from (an
Excel error value, a formula without a saved value) is an error of the form it belongs to,
naming the field, the sheet and the cell.

A workbook `selfeval export --format xlsx` wrote has a hidden sheet ``_selfeval``
(`selfeval_kit.form.workbook`): per form sheet, its id, seq and the exact values its cells cannot
hold (a float past 16 digits, an empty text, carriage returns, a text broken for print, a text of
dashes). Each form is matched to its sheet by where the reader found it, and an exact value is
applied only where the cell still shows what was written (`shown_number`; texts up to white
space, which the reader does not keep at a cell's print line breaks): a cell edited after export
keeps its value, with a note. So YAML → xlsx → YAML is lossless.
"""

from __future__ import annotations

import io
import json
import re
import warnings
from dataclasses import replace
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from selfeval_kit.form.model import ID_PATTERN
from selfeval_kit.form.workbook import META_MARKER, META_SHEET, shown_number, shows_nothing
from selfeval_kit.importers import flat
from selfeval_kit.importers.adapters import ADAPTERS
from selfeval_kit.importers.cells import Table
from selfeval_kit.importers.fields import one_line
from selfeval_kit.importers.imported import ImportedForm
from selfeval_kit.importers.reader import read_forms

__all__ = ["apply_exact", "read_book", "read_meta"]

_NOT_FOUND = object()
_NUMBER_FIELDS = ("budget_initial", "budget_final", "executed", "weight", "score", "total_score")
_DEFAULT_TITLE = re.compile(r"(?i)sheet\d*")  # Excel's own sheet names: not an id someone chose


def read_book(path: Path, data: bytes, *, written_here: bool) -> list[ImportedForm]:
    """The forms of a workbook, in sheet order.

    Parameters
    ----------
    path : Path
        The workbook, named in sources and errors.
    data : bytes
        Its bytes.
    written_here : bool
        Whether it has the hidden ``_selfeval`` sheet, whose ids and exact values are applied.

    Returns
    -------
    list of ImportedForm
        Flat tables give one form per id or 项目名称; two forms with one id both get an error.

    Raises
    ------
    DataError
        From the adapter: a broken or oversized workbook.
    """
    document = ADAPTERS["xlsx"](path, data)
    origins: dict[str, tuple[int, int]] = getattr(document, "origins", {})
    unreadable = list(getattr(document, "unreadable", []))
    tables = document.tables
    found: list[tuple[int, ImportedForm]] = []
    headers = {index: flat.header(table) for index, table in enumerate(tables)}
    taken: set[str] = set()
    for index, table in enumerate(tables):
        if (head := headers[index]) is not None:
            problems = {u.place: u for u in unreadable if _in_table(u.place, table)}
            origin = origins.get(table.where, (1, 1))
            found += [(index, f) for f in flat.read_flat(table, head, str(path), taken, origin, problems)]
    others = [table for index, table in enumerate(tables) if headers[index] is None]
    if others:
        rest = document if len(others) == len(tables) else replace(document, blocks=list(others))
        for form in read_forms(rest):
            at = _table_of(form, tables)
            _name_unreadable(form, [u for u in unreadable if at is not None and _in_table(u.place, tables[at])])
            found.append((len(tables) if at is None else at, form))
    found.sort(key=lambda pair: pair[0])  # stable: a sheet's forms keep their order
    meta = read_meta(data) if written_here else None
    _apply_sheets(found, tables, meta)
    forms = [form for _, form in found]
    _check_unique_ids(forms)
    return forms


def read_meta(data: bytes) -> dict[str, dict[str, Any]] | None:
    """{sheet title: {field path: exact value}} from the hidden ``_selfeval`` sheet; None without it.

    Parameters
    ----------
    data : bytes
        The workbook's bytes (already checked by the sheet adapter).

    Returns
    -------
    dict or None
        An entry whose value is not JSON (edited by hand) is left out rather than guessed.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about extensions it does not read
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        if META_SHEET not in book.sheetnames:
            return None
        rows = book[META_SHEET].iter_rows(max_col=3, values_only=True)
        first = next(rows, ())
        if not first or first[0] != META_MARKER:
            return None
        meta: dict[str, dict[str, Any]] = {}
        for n, (title, path, raw) in enumerate(rows):
            if n == 0 or not all(isinstance(v, str) for v in (title, path, raw)):
                continue  # the header row, or an edited entry
            try:
                meta.setdefault(title, {})[path] = json.loads(raw)
            except ValueError:
                continue
        return meta
    finally:
        book.close()


def apply_exact(form: ImportedForm, meta: dict[str, Any]) -> None:
    """Give `form` the id, seq and exact values recorded for its sheet, where its cells still show them.

    Parameters
    ----------
    form : ImportedForm
        As read from the sheet; changed in place.
    meta : dict
        ``{field path: exact value}`` of its sheet (`read_meta`).
    """
    if isinstance(meta.get("id"), str):
        form.data["id"] = meta["id"]
    form.data.pop("seq", None)  # the sheet's place in the workbook is not the form's seq
    if type(meta.get("seq")) is int:
        form.data = {"id": form.data.get("id"), "seq": meta["seq"], **form.data}
    for path, exact in meta.items():
        if path in ("id", "seq"):
            continue
        tokens = _tokens(path)
        current = _get(form.data, tokens)
        if current is _NOT_FOUND:
            continue
        if _still_shows(current, exact):
            _set(form.data, tokens, exact)
            form.records = [replace(r, value=exact) if r.path == path else r for r in form.records]
        else:
            form.notes.append(f"{path}: the cell was edited after export; kept the cell's value {current!r}")


def _still_shows(current: Any, exact: Any) -> bool:
    """Whether the value read is what the writer's cell for `exact` shows."""
    if isinstance(exact, bool) or isinstance(current, bool):
        return False
    if isinstance(exact, float):
        return isinstance(current, int | float) and current == shown_number(exact)
    if isinstance(exact, str):
        if exact == "" or shows_nothing(exact):
            return current in (None, "") or (isinstance(current, str) and shows_nothing(current))
        return isinstance(current, str) and "".join(current.split()) == "".join(exact.split())
    return current == exact


def _apply_sheets(found: list[tuple[int, ImportedForm]], tables: list[Table], meta: dict | None) -> None:
    """The hidden sheet's entries on the first form of each sheet; without it, a sheet named as
    an id gives its id to a form the reader had to make one up for."""
    seen: set[int] = set()
    for index, form in found:
        form.data = _whole(form.data)
        if index >= len(tables) or index in seen:
            continue
        seen.add(index)
        title = tables[index].where.removeprefix("工作表 ")
        if meta is not None and title in meta:
            _own_breaks(form, tables[index])
            apply_exact(form, meta[title])
        elif meta is None and _made_up(form) and ID_PATTERN.match(title) and not _DEFAULT_TITLE.fullmatch(title):
            form.data["id"] = title
            form.notes.append(f"id: not recorded in the workbook; taken from the sheet name {title!r}")


def _own_breaks(form: ImportedForm, table: Table) -> None:
    """A text read from one cell of a sheet this project wrote, as the cell holds it: the reader
    joins a cell's lines (print breaks elsewhere), but such a cell's breaks are the text's own
    (those the writer added for print are undone by the exact values applied next)."""
    texts = {table.place(cell): cell.text for cell in table.cells if "\n" in cell.text}
    for n, record in enumerate(form.records):
        raw = texts.get(record.where)
        if raw is None or not isinstance(record.value, str) or one_line(raw) != record.value:
            continue
        tokens = _tokens(record.path)
        if _get(form.data, tokens) == record.value:
            _set(form.data, tokens, raw)
            form.records[n] = replace(record, value=raw)


def _whole(value: Any) -> Any:
    """Whole floats as ints, as a cell holds them: a cell cannot tell 5.0 from 5 (the reader
    reads every number as a float)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: _whole(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_whole(item) for item in value]
    return value


def _made_up(form: ImportedForm) -> bool:
    return bool(re.fullmatch(r"form-\d+", form.id))


def _in_table(place: str, table: Table) -> bool:
    return place.startswith(f"{table.where} 第")


def _table_of(form: ImportedForm, tables: list[Table]) -> int | None:
    """The table (sheet) a form of the cell reader was read from: its source names where it starts."""
    best: int | None = None
    for index, table in enumerate(tables):
        if f"（{table.where} 第" in form.source and (best is None or len(table.where) > len(tables[best].where)):
            best = index
    return best


def _name_unreadable(form: ImportedForm, unreadable: list) -> None:
    """Each unreadable cell of the form's sheet an error, named by the field read from it."""
    for cell in unreadable:
        path = next((r.path for r in form.records if r.where == cell.place), None)
        if path is None:
            form.errors.append(f"cell {cell.ref} holds {cell.holds}: {cell.fix}")
        else:
            expected = "a number" if path.rsplit(".", 1)[-1] in _NUMBER_FIELDS else "text"
            form.errors.append(f"{path}: cell {cell.ref} holds {cell.holds}, expected {expected}: {cell.fix}")


def _check_unique_ids(forms: list[ImportedForm]) -> None:
    seen: dict[str, str] = {}
    for form in forms:
        if form.id and form.id in seen:
            form.errors.append(f"id {form.id!r} is also the id of {seen[form.id]}")
        seen.setdefault(form.id, form.source)


def _tokens(path: str) -> list[str | int]:
    return [
        m.group(1) if m.group(1) is not None else int(m.group(2)) for m in re.finditer(r"([^.\[\]]+)|\[(\d+)\]", path)
    ]


def _get(data: Any, tokens: list[str | int]) -> Any:
    """The value at `tokens`; None for a key its mapping lacks (the reader leaves out what a cell
    shows as nothing), `_NOT_FOUND` where the mapping or list itself is not there."""
    for n, token in enumerate(tokens):
        if isinstance(token, int):
            if not isinstance(data, list) or token >= len(data):
                return _NOT_FOUND
            data = data[token]
        elif not isinstance(data, dict):
            return _NOT_FOUND
        elif token not in data:
            return None if n == len(tokens) - 1 else _NOT_FOUND
        else:
            data = data[token]
    return data


def _set(data: Any, tokens: list[str | int], value: Any) -> None:
    for token in tokens[:-1]:
        data = data[token]
    data[tokens[-1]] = value
