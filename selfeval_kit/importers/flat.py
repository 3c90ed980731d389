"""Flat tables: one header row and one row per indicator, the rows grouped into forms.

    header(table) → FlatHeader(row=0, columns={"name": 0, "level1": 20, ...}) or None
    read_flat(table, head, "forms.xlsx", taken) → [ImportedForm, ...]

The header row names each column in Chinese or English (`FLAT_COLUMNS`); it is looked for in the
first rows of a `cells.Table`, so a flat table reads from any adapter's tables (a workbook's sheet
today: `selfeval_kit.importers.exact`). Rows are grouped into forms by id, else by 项目名称; a
row whose id or 项目名称 is empty belongs to the form above (noted). Form-level values (names,
funds, goals, 总分) must agree wherever a form's rows give them, else it is an error.

Nothing is guessed silently: a column the table does not have is listed in
`ImportedForm.missing`, and a form that cannot be read confidently carries `errors`. Cells are
named as Excel names them (``F2``, rows ``2-16``): `read_flat` takes the table's origin.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from openpyxl.utils import get_column_letter

from selfeval_kit.form.labels import label
from selfeval_kit.form.workbook import AMOUNTS, FUNDS_ROWS, shows_nothing
from selfeval_kit.importers.cells import Table
from selfeval_kit.importers.imported import ImportedForm, slug

__all__ = ["FLAT_COLUMNS", "FlatHeader", "header", "read_flat"]

BUDGET_EXECUTION = "预算执行"  # prefix of the flat table's 预算执行分值 / 预算执行得分 columns


def _key(text: str) -> str:
    """A column name for matching: NFKC, lower case, without spaces and separators."""
    return re.sub(r"[\s_\-·/:.()]", "", unicodedata.normalize("NFKC", text)).lower()


FLAT_COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("id", "form_id", "项目编号", "编号"),
    "name": (label("name"), "form_name", "project_name"),
    "department": (label("department"), "department"),
    "implementer": (label("implementer"), "implementer"),
    "year": (label("year"), "year"),
    "unit": (label("unit"), "unit"),
    **{key: (label(key), key) for key in AMOUNTS},
    "execution_rate": (label("execution_rate"), BUDGET_EXECUTION + "率", "execution_rate"),
    "budget_weight": (BUDGET_EXECUTION + label("weight"), "budget_weight"),
    "budget_score": (BUDGET_EXECUTION + label("score"), "budget_score"),
    **{
        f"{row}_{amount}": (label(row) + label(amount), f"{row}_{amount}")
        for row in FUNDS_ROWS[1:]
        for amount in AMOUNTS
    },
    "level1": (label("level1"), "level1"),
    "level2": (label("level2"), "level2"),
    "indicator": (label("indicator"), "indicator"),
    "target": (label("target"), "target"),
    "actual": (label("actual"), "actual"),
    "weight": (label("weight"), "weight"),
    "score": (label("score"), "score"),
    "deviation_note": (label("deviation_note"), "deviation_note"),
    "total_score": (label("total_score"), "total_score"),
    "goal_planned": (label("goal_planned"), label("annual_goal") + label("goal_planned"), "goal_planned", "planned"),
    "goal_achieved": (
        label("goal_achieved"),
        label("annual_goal") + label("goal_achieved"),
        "goal_achieved",
        "achieved",
    ),
}
"""Flat-table columns: the field each header names, in Chinese or English (matched without
case, spaces or '_'). The English `name` alone is ambiguous (项目名称 in `labels`, 三级指标 in
the model): it means 三级指标 when the header also has a 项目名称/form_name column, 项目名称 when
it also has 三级指标/indicator; of two `name` columns the first is 项目名称, the second 三级指标."""

_FLAT_LOOKUP = {_key(alias): field_name for field_name, aliases in FLAT_COLUMNS.items() for alias in aliases}
_FLAT_HEADER_ROWS = 30  # the header row is looked for in the first rows of a sheet
_NOT_FOUND = object()
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_OWN = ("indicator", "target", "actual", "weight", "score", "deviation_note")
_INDICATOR_KEYS = ("level1", "level2", *_OWN)
_FORM_TEXT = ("name", "department", "implementer")
_PATHS = {
    "id": "id",
    "name": "name",
    "department": "department",
    "implementer": "implementer",
    "year": "year",
    "unit": "unit",
    "execution_rate": "funds.total.execution_rate",
    "budget_weight": "funds.total.weight",
    "budget_score": "funds.total.score",
    "total_score": "total_score",
    "goal_planned": "annual_goal.planned",
    "goal_achieved": "annual_goal.achieved",
    **{amount: f"funds.total.{amount}" for amount in AMOUNTS},
    **{f"{row}_{amount}": f"funds.{row}.{amount}" for row in FUNDS_ROWS[1:] for amount in AMOUNTS},
}


@dataclass
class FlatHeader:
    """A flat table's header row.

    Parameters
    ----------
    row : int
        Its row in the table, 0-based.
    columns : dict of str to int
        ``{field: column}``, the keys of `FLAT_COLUMNS`.
    notes, errors : list of str
        How an ambiguous ``name`` column was read, or why it could not be.
    """

    row: int
    columns: dict[str, int]
    notes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def header(table: Table) -> FlatHeader | None:
    """The flat header row of `table`: indicator columns plus a column naming the form; None if none.

    Parameters
    ----------
    table : Table
        Any adapter's table; its first 30 rows are looked at, each cell by its own row (a header
        cell merged down counts once).

    Returns
    -------
    FlatHeader or None
        Also a header whose lone English ``name`` column is ambiguous (its `errors` say so), so that
        the table is reported rather than skipped.
    """
    by_row: dict[int, list] = {}
    for cell in table.cells:
        if cell.row < _FLAT_HEADER_ROWS:
            by_row.setdefault(cell.row, []).append(cell)
    for row in sorted(by_row):
        columns: dict[str, int] = {}
        names: list[int] = []
        for cell in sorted(by_row[row], key=lambda c: c.col):
            key = _key(cell.text)
            if key == "name":
                names.append(cell.col)
            elif key in _FLAT_LOOKUP and _FLAT_LOOKUP[key] not in columns:
                columns[_FLAT_LOOKUP[key]] = cell.col
        head = FlatHeader(row, columns)
        if names:
            _resolve_name(head, names)
        has_table = (
            "level1" in columns
            and ("indicator" in columns or bool(names))
            and ("target" in columns or "actual" in columns)
        )
        if has_table and ("id" in columns or "name" in columns or head.errors):
            return head
    return None


def _resolve_name(head: FlatHeader, names: list[int]) -> None:
    columns = head.columns
    if len(names) >= 2:
        columns.setdefault("name", names[0])
        columns.setdefault("indicator", names[1])
        head.notes.append("two 'name' columns: the first read as 项目名称, the second as 三级指标")
    elif "indicator" in columns and "name" not in columns:
        columns["name"] = names[0]
    elif "name" in columns and "indicator" not in columns:
        columns["indicator"] = names[0]
    else:
        head.errors.append(
            "column 'name' is ambiguous: name the columns 项目名称 (or form_name) and 三级指标 (or indicator)"
        )


def read_flat(
    table: Table,
    head: FlatHeader,
    source: str,
    taken: set[str],
    origin: tuple[int, int] = (1, 1),
    unreadable: dict | None = None,
) -> list[ImportedForm]:
    """The forms of a flat table, one per id (or 项目名称 without an id column).

    Parameters
    ----------
    table : Table
        The table, `head` found in it by `header`.
    head : FlatHeader
        Its header row.
    source : str
        The file, for each form's `source`.
    taken : set of str
        Ids already given; the ids made up here differ from them and are added.
    origin : (int, int), default (1, 1)
        The Excel row and column of the table's position (0, 0), to name cells as Excel does.
    unreadable : dict, optional
        ``{Table.place: Unreadable}`` of the cells no value can be read from
        (`selfeval_kit.importers.adapters.sheet`): an error where a field is read from one.

    Returns
    -------
    list of ImportedForm
        One form with an error for a table without rows or with an ambiguous header.
    """
    sheet = _Sheet(table, origin, unreadable or {})
    base = f"{source}: sheet {table.where.removeprefix('工作表 ')!r}"
    if head.errors:
        return [ImportedForm(data={}, source=base, notes=list(head.notes), errors=list(head.errors))]
    group_key = "id" if "id" in head.columns else "name"
    groups, carried = _groups(sheet, head, group_key)
    forms = []
    for index, (key, rows) in enumerate(groups.items(), start=1):
        rd = _Form(sheet, head.columns, rows)
        rd.notes.extend(head.notes)
        own = [r for r in carried if r in rows]
        if own:
            rd.notes.append(
                f"rows {sheet.row_list(own)}: {label('name') if group_key == 'name' else 'id'} empty; "
                "taken as the form of the row above"
            )
        data = rd.form(group_key, key, index, taken)
        where = f"{base}, rows {sheet.row_list(rows)}"
        forms.append(ImportedForm(data=data, source=where, missing=rd.missing, notes=rd.notes, errors=rd.errors))
    if not forms:
        at = head.row + origin[0]
        return [ImportedForm(data={}, source=base, errors=[f"flat table with its header at row {at} has no rows"])]
    return forms


def _groups(sheet: _Sheet, head: FlatHeader, group_key: str) -> tuple[dict[Any, list[int]], list[int]]:
    """{form key: its rows} in order, and the rows taken as the form of the row above."""
    groups: dict[Any, list[int]] = {}
    carried: list[int] = []
    current = None
    column = head.columns[group_key]
    for row in range(head.row + 1, sheet.table.n_rows):
        if not any(sheet.filled(row, col) for col in head.columns.values()):
            continue
        key = sheet.text(row, column).strip()
        if not key:
            if current is None:
                continue  # rows above the first form: nothing to attach them to
            carried.append(row)
            key = current
        current = key
        groups.setdefault(key, []).append(row)
    return groups, carried


class _Sheet:
    """A table's cells by position, named as Excel names them."""

    def __init__(self, table: Table, origin: tuple[int, int], unreadable: dict):
        self.table = table
        self.origin = origin
        self.unreadable = unreadable

    def cell(self, row: int, col: int):
        grid = self.table.grid
        return grid[row][col] if row < len(grid) and col < len(grid[row]) else None

    def text(self, row: int, col: int) -> str:
        cell = self.cell(row, col)
        return "" if cell is None else cell.text

    def filled(self, row: int, col: int) -> bool:
        return bool(self.text(row, col).strip())

    def coord(self, row: int, col: int) -> str:
        cell = self.cell(row, col)
        r, c = (cell.row, cell.col) if cell is not None else (row, col)
        return f"{get_column_letter(c + self.origin[1])}{r + self.origin[0]}"

    def row_list(self, rows: list[int]) -> str:
        """Excel row numbers as spans: ``2-16, 18``."""
        numbers = [r + self.origin[0] for r in rows]
        spans: list[str] = []
        start = numbers[0]
        for n, prev in enumerate(numbers):
            if n + 1 == len(numbers) or numbers[n + 1] != prev + 1:
                spans.append(f"{start}" if start == prev else f"{start}-{prev}")
                start = numbers[n + 1] if n + 1 < len(numbers) else prev
        return ", ".join(spans)

    def problem(self, row: int, col: int):
        cell = self.cell(row, col)
        return None if cell is None else self.unreadable.get(self.table.place(cell))


def _tidy(number: float) -> int | float:
    return int(number) if number.is_integer() else number


class _Form:
    """Reads one form from its rows: the data, notes, missing fields and errors."""

    def __init__(self, sheet: _Sheet, columns: dict[str, int], rows: list[int]):
        self.sheet = sheet
        self.columns = columns
        self.rows = rows
        self.notes: list[str] = []
        self.missing: list[str] = []
        self.errors: list[str] = []

    def unusable(self, row: int, col: int, path: str, expected: str) -> bool:
        """Whether the cell holds what no value can be read from (an error naming the cell)."""
        found = self.sheet.problem(row, col)
        if found is not None:
            self.errors.append(f"{path}: cell {found.ref} holds {found.holds}, expected {expected}: {found.fix}")
        return found is not None

    def number(self, row: int, col: int, path: str) -> Any:
        """An amount or a point value: a number as shown (``296,272.00``), or None where empty or a dash."""
        if self.unusable(row, col, path, "a number"):
            return None
        raw = self.sheet.text(row, col)
        text = unicodedata.normalize("NFKC", raw).strip()
        if not text or shows_nothing(text):
            return None
        compact = re.sub(r"[,\s]", "", text)
        if _PLAIN_NUMBER.fullmatch(compact):
            return _tidy(float(compact))
        self.errors.append(f"{path}: cell {self.sheet.coord(row, col)} holds {raw!r}, expected a number")
        return raw

    def text(self, row: int, col: int, path: str, *, empty: Any = None) -> Any:
        """Free text as the cell shows it; `empty` where it shows nothing."""
        if self.unusable(row, col, path, "text"):
            return empty
        value = self.sheet.text(row, col)
        return value if value.strip() else empty

    def year(self, row: int, col: int) -> Any:
        if self.unusable(row, col, "year", "a year"):
            return None
        raw = self.sheet.text(row, col)
        m = re.search(r"\d{4}", raw)
        if not m:
            self.errors.append(f"year: cell {self.sheet.coord(row, col)} holds {raw!r}, expected a year")
        return int(m.group()) if m else raw

    def value(self, key: str, kind: str) -> Any:
        """One form-level value from the form's rows: equal wherever given (else an error), None
        where no row gives it, `_NOT_FOUND` (listed missing) without its column."""
        if key not in self.columns:
            self.missing.append(_PATHS[key])
            return _NOT_FOUND
        col = self.columns[key]
        found: list[tuple[int, Any]] = []
        for row in self.rows:
            if not self.sheet.filled(row, col):
                continue
            if kind == "number":
                value = self.number(row, col, _PATHS[key])
            elif kind == "year":
                value = self.year(row, col)
            else:
                value = self.text(row, col, _PATHS[key])
            if found and value != found[0][1]:
                first, this = (self.sheet.row_list([r]) for r in (found[0][0], row))
                self.errors.append(
                    f"{_PATHS[key]}: rows {first} and {this} of the same form differ ({found[0][1]!r} and {value!r})"
                )
                continue
            if not found:
                found.append((row, value))
        return found[0][1] if found else None

    def form(self, group_key: str, key: Any, index: int, taken: set[str]) -> dict:
        """The form's data in the YAML shape."""
        data: dict[str, Any] = {}
        if group_key == "id":
            data["id"] = self.sheet.text(self.rows[0], self.columns["id"]).strip()
        else:
            data["id"] = slug(str(key), len(taken) + 1, taken)
            self.notes.append(f"id: no id column; made up as {data['id']!r}")
        taken.add(data["id"])
        for name in (*_FORM_TEXT, "year", "unit"):
            value = self.value(name, "year" if name == "year" else "text")
            if isinstance(value, str):
                value = value.strip() if name == "unit" else value
            if value is not _NOT_FOUND and (value is None or (isinstance(value, str) and not value.strip())):
                self.missing.append(_PATHS[name])
            elif value is not _NOT_FOUND:
                data[name] = value
        data["funds"] = self.funds()
        goal = {k: self.value(f"goal_{k}", "text") for k in ("planned", "achieved")}
        data["annual_goal"] = {k: None if v is _NOT_FOUND else v for k, v in goal.items()}
        data["indicators"] = self.indicators()
        total_score = self.value("total_score", "number")
        data["total_score"] = None if total_score is _NOT_FOUND else total_score
        return data

    def funds(self) -> dict:
        """funds: the total row (with 分值, 执行率, 得分) and the three sub-rows."""

        def amount(key: str) -> Any:
            value = self.value(key, "number")
            return None if value is _NOT_FOUND else value

        total = {a: amount(a) for a in AMOUNTS}
        weight = self.value("budget_weight", "number")
        if weight not in (_NOT_FOUND, None):
            total["weight"] = weight
        elif weight is None:
            self.missing.append("funds.total.weight")
        rate = self.value("execution_rate", "text")
        total["execution_rate"] = None if rate is _NOT_FOUND else rate
        score = self.value("budget_score", "number")
        total["score"] = None if score is _NOT_FOUND else score
        funds = {"total": total}
        for row_key in FUNDS_ROWS[1:]:
            funds[row_key] = {a: amount(f"{row_key}_{a}") for a in AMOUNTS}
            paths = [f"funds.{row_key}.{a}" for a in AMOUNTS]
            if all(p in self.missing for p in paths):  # a sub-row without any column: one entry, not three
                self.missing[:] = [m for m in self.missing if m not in paths] + [f"funds.{row_key}"]
        return funds

    def indicators(self) -> list[dict]:
        """One indicator per row that gives one of its own values."""
        columns = {k: self.columns[k] for k in _INDICATOR_KEYS if k in self.columns}
        absent = [f"{label(k)} ({k})" for k in ("level2", "weight") if k not in columns]
        if absent:
            self.errors.append(f"no column {', '.join(absent)} in the flat table")
        for key in ("target", "actual", "score", "deviation_note"):
            if key not in columns:
                self.missing.append(f"indicators[*].{key}")
        if absent:
            return []
        indicators: list[dict] = []
        for row in self.rows:
            if any(self.sheet.filled(row, columns[k]) for k in _OWN if k in columns):
                indicators.append(self.indicator(row, columns, f"indicators[{len(indicators)}]"))
        if not indicators:
            self.errors.append("no indicator rows")
        return indicators

    def indicator(self, row: int, columns: dict[str, int], path: str) -> dict:
        item: dict[str, Any] = {}
        for key in ("level1", "level2"):
            item[key] = self.text(row, columns[key], f"{path}.{key}")
            if item[key] is None:
                self.errors.append(f"{path}.{key}: cell {self.sheet.coord(row, columns[key])} is empty")
        item["name"] = self.text(row, columns["indicator"], f"{path}.name")
        if item["name"] is None:
            self.errors.append(f"{path}.name: row {self.sheet.row_list([row])} has no {label('indicator')}")
        for key in ("target", "actual"):
            item[key] = self.text(row, columns[key], f"{path}.{key}", empty="") if key in columns else ""
        weight = self.number(row, columns["weight"], f"{path}.weight")
        if weight is not None:
            item["weight"] = weight
        item["score"] = self.number(row, columns["score"], f"{path}.score") if "score" in columns else None
        note = columns.get("deviation_note")
        item["deviation_note"] = None if note is None else self.text(row, note, f"{path}.deviation_note")
        return item
