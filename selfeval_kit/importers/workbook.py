"""Reading forms from Excel workbooks (.xlsx): the official layout and flat tables.

`read_workbook` accepts

* (a) the official layout, as `selfeval_kit.form.workbook.write_workbook` writes it
  (ids, `seq` and exact values come back from its hidden metadata sheet), found by
  its labels rather than by coordinates, so a sheet typed by hand in the same
  layout (rows or columns shifted, blank rows, merged cells) reads too; a merged
  一级/二级 cell applies to every row it spans;
* (b) a flat table: one header row (Chinese or English column names, see
  `FLAT_COLUMNS`) and one row per indicator, rows grouped into forms by id or by
  项目名称.

Nothing is guessed silently: a field the sheet does not have is listed in
`ImportedForm.missing`, every reinterpretation (a number Excel made of a target,
an empty 一级指标 cell carried down) is a note, and a form that cannot be read
confidently carries `errors`.
"""

from __future__ import annotations

import datetime as _dt
import json
import posixpath
import re
import unicodedata
import warnings
import xml.etree.ElementTree as ET
import zipfile
import zlib
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter, range_boundaries

from selfeval_kit.errors import DataError
from selfeval_kit.form.labels import FIELD_LABELS, FUNDS_ROW_LABELS, MONEY_UNITS, label
from selfeval_kit.form.model import ID_PATTERN
from selfeval_kit.form.workbook import (
    AMOUNTS,
    FUNDS_ROWS,
    MAX_WORKBOOK_CELLS,
    META_MARKER,
    META_SHEET,
    shown_number,
    shows_nothing,
)
from selfeval_kit.importers.imported import ImportedForm, slug

__all__ = [
    "FLAT_COLUMNS",
    "MAX_SHEET_CELLS",
    "MAX_UNZIPPED_BYTES",
    "MAX_WORKBOOK_BYTES",
    "MAX_WORKBOOK_CELLS",
    "read_workbook",
]

MAX_WORKBOOK_BYTES = 20 * 1024 * 1024  # the file itself, checked by stat before it is opened
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024  # a workbook of forms is a few MiB at most
# A sheet's span (rows x columns, from its <dimension> and from the cells holding values), and the
# cells stored in all sheets together (each costs ~0.5 KB and ~20 us in openpyxl): both checked on
# the file's XML before openpyxl loads a cell. A form of 1,000 indicators spans ~8,200 cells.
# MAX_WORKBOOK_CELLS is defined beside the writer (selfeval_kit.form.workbook), which keeps to it.
MAX_SHEET_CELLS = 250_000
BUDGET_EXECUTION = "预算执行"  # prefix of the flat table's 预算执行分值 / 预算执行得分 columns


# --------------------------------------------------------------------------- reading: the workbook


def read_workbook(path: str | Path) -> list[ImportedForm]:
    """Read every form of an .xlsx workbook (official layout sheets and flat tables).

    Parameters
    ----------
    path : str or Path
        The workbook. Sheets that are neither the official layout nor a flat table are skipped.

    Returns
    -------
    list of ImportedForm
        The forms in sheet order (a flat table gives one form per id or 项目名称). A form found
        but not read confidently has `errors`; two forms with one id both get an error.

    Raises
    ------
    DataError
        Naming the file, when it is not a readable workbook (not a zip archive, larger than
        `MAX_WORKBOOK_BYTES`, unpacking to more than `MAX_UNZIPPED_BYTES`, a sheet spanning more
        than `MAX_SHEET_CELLS` or all sheets storing more than `MAX_WORKBOOK_CELLS` cells, broken
        parts) or holds no recognisable form. The sizes are checked before any cell is loaded.
    """
    path = Path(path)
    has_formulas = _survey(path)
    workbook = _open(path, data_only=True)
    formulas = _LazyWorkbook(path, has_formulas)
    meta = _read_meta(workbook)
    forms: list[ImportedForm] = []
    skipped: list[str] = []
    taken_ids: set[str] = set()
    for sheet in workbook.worksheets:
        if sheet.title == META_SHEET and meta is not None:
            continue
        grid = _Grid(sheet, formulas)
        flat = _find_flat_header(grid)
        if flat is not None:
            forms.extend(_read_flat(grid, flat, path, taken_ids))
        elif _looks_official(grid):
            forms.append(_read_official(grid, path, meta.get(sheet.title, {}) if meta else {}, taken_ids))
        else:
            skipped.append(sheet.title)
    if not forms:
        sheets = ", ".join(repr(t) for t in skipped) or "none"
        raise DataError.single(
            path,
            f"no form found in the workbook (sheets: {sheets}): expected the official layout "
            f"(cells {label('name')}, {label('indicator')}, ...) or a flat table with a header row "
            f"({label('name')}/id, {label('level1')}, {label('indicator')}, ...)",
        )
    _check_unique_ids(forms)
    return forms


def _open(path: Path, *, data_only: bool):
    """Load a workbook in full mode (merged cells need it); DataError when it is not a workbook.

    `_survey` has checked the file's sizes before.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about extensions it does not read
            return load_workbook(path, data_only=data_only, rich_text=False)
    except Exception as exc:  # any failure to parse the file means a broken workbook
        # zipfile.BadZipFile, KeyError (missing part), InvalidFileException, XML parse errors, zlib.error, ...
        raise DataError.single(path, f"cannot read the workbook (broken or not .xlsx): {_reason(exc)}") from exc


def _reason(exc: BaseException) -> str:
    text = str(exc).strip() or "no details"
    return f"{type(exc).__name__}: {text}"


class _LazyWorkbook:
    """The formula view of the workbook, loaded only when the workbook holds formulas at all."""

    def __init__(self, path: Path, has_formulas: bool):
        self.path = path
        self.has_formulas = has_formulas
        self._book: Any = None

    def uncached(self, sheet_title: str, cached: set[tuple[int, int]]) -> dict[tuple[int, int], str]:
        """{(row, column): formula} of the sheet's formula cells that have no saved value."""
        if not self.has_formulas:
            return {}
        if self._book is None:
            self._book = _open(self.path, data_only=False)
        stored = getattr(self._book[sheet_title], "_cells", {})
        found = {}
        for (row, col), cell in stored.items():
            if cell.data_type == "f" and (row, col) not in cached:
                formula = getattr(cell.value, "text", cell.value)  # an ArrayFormula holds its text
                found[(row, col)] = str(formula)
        return found


# --------------------------------------------------------------------------- sizes, before loading

_CELL_ELEMENT = re.compile(rb"<(?:\w{1,60}:)?c[\s>/]")
_FORMULA_ELEMENT = re.compile(rb"<(?:\w{1,60}:)?f[\s>/]")
_DIMENSION = re.compile(rb"<(?:\w{1,60}:)?dimension\b[^>]*?\bref\s*=\s*[\"']([^\"']*)[\"']")
_SHEET_DATA_END = re.compile(rb"</(?:\w{1,60}:)?sheetData\s*>")
_CHUNK = 1 << 20
_OVERLAP = 64  # longer than any element name the patterns match
_MAX_INDEX_PART = 4 * 1024 * 1024  # workbook.xml and its relationships: a few KiB in a real workbook


def _survey(path: Path) -> bool:
    """Check the workbook's sizes on its file and XML before openpyxl loads a cell.

    The file's size (stat), the archive's unpacked size (the zip's own records, which also
    bound what a zip bomb can unpack), each sheet's <dimension> and the cells each sheet stores
    (counted in its XML, stopping at the limit). Returns whether any sheet holds a formula.
    """
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise DataError.single(path, f"cannot read: {exc.strerror or exc}") from None
    if size > MAX_WORKBOOK_BYTES:
        raise DataError.single(
            path, f"file is {size} bytes; the importer reads workbooks of at most {MAX_WORKBOOK_BYTES}"
        )
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            unzipped = sum(info.file_size for info in infos)
            if unzipped > MAX_UNZIPPED_BYTES:
                raise DataError.single(
                    path, f"workbook unpacks to {unzipped} bytes; the importer reads at most {MAX_UNZIPPED_BYTES}"
                )
            names = {info.filename for info in infos}
            titles = _sheet_parts(archive, names)
            stored, formulas = 0, False
            for part, title in titles.items():
                cells, has_formula = _scan_sheet(archive, part, title, path, MAX_WORKBOOK_CELLS - stored)
                stored += cells
                formulas = formulas or has_formula
            return formulas
    except DataError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, KeyError) as exc:
        raise DataError.single(path, f"not an Excel workbook (.xlsx is a zip archive): {_reason(exc)}") from None
    except (zlib.error, NotImplementedError, RuntimeError) as exc:  # broken, odd or encrypted compression
        raise DataError.single(path, f"cannot read the workbook (broken or not .xlsx): {_reason(exc)}") from None


def _sheet_parts(archive: zipfile.ZipFile, names: set[str]) -> dict[str, str]:
    """{archive member: sheet title} of every worksheet: those workbook.xml names, then any other
    member under xl/worksheets/ (named by its file), so that no sheet escapes the size checks."""
    parts: dict[str, str] = {}
    try:
        sheets = _xml_part(archive, names, "xl/workbook.xml")
        rels = _xml_part(archive, names, "xl/_rels/workbook.xml.rels")
    except ET.ParseError:
        sheets = rels = None
    if sheets is not None and rels is not None:
        targets = {
            rel.get("Id"): rel.get("Target", "")
            for rel in rels.iter()
            if rel.tag.endswith("Relationship") and rel.get("Type", "").endswith("/worksheet")
        }
        for sheet in sheets.iter():
            rid = next((v for k, v in sheet.attrib.items() if k.endswith("}id")), None)
            if sheet.tag.endswith("}sheet") and rid in targets:
                target = targets[rid]
                member = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
                parts[member] = sheet.get("name", member)
    for name in sorted(names):
        if name.startswith("xl/worksheets/") and name.endswith(".xml") and name not in parts:
            parts[name] = posixpath.basename(name)
    return {member: title for member, title in parts.items() if member in names}


def _xml_part(archive: zipfile.ZipFile, names: set[str], member: str):
    """The parsed XML of a small index part, or None when the archive has none (or a huge one)."""
    if member not in names or archive.getinfo(member).file_size > _MAX_INDEX_PART:
        return None
    return ET.fromstring(archive.read(member))


def _scan_sheet(archive: zipfile.ZipFile, member: str, title: str, path: Path, budget: int) -> tuple[int, bool]:
    """(cells stored, holds a formula) of one sheet's XML, read in chunks; DataError past a limit."""
    cells, formula, head, tail = 0, False, True, b""
    with archive.open(member) as stream:
        while True:
            chunk = stream.read(_CHUNK)
            buffer = tail + chunk
            last = not chunk
            if head:
                _check_dimension(buffer, title, path)
                head = False
            end = _SHEET_DATA_END.search(buffer)
            limit = end.start() if end else (len(buffer) if last else len(buffer) - _OVERLAP)
            cells += sum(1 for m in _CELL_ELEMENT.finditer(buffer) if m.start() < limit)
            formula = formula or any(m.start() < limit for m in _FORMULA_ELEMENT.finditer(buffer))
            if cells > budget:
                raise DataError.single(
                    path,
                    f"sheet {title!r} takes the workbook past {MAX_WORKBOOK_CELLS} stored cells (the most the "
                    "importer reads; a workbook of forms is far smaller)",
                )
            if last or end:
                return cells, formula
            tail = buffer[limit:]


def _check_dimension(head: bytes, title: str, path: Path) -> None:
    """Refuse a sheet whose <dimension ref="A1:H27"> (the size it declares) is past MAX_SHEET_CELLS."""
    data_at = head.find(b"sheetData")
    match = _DIMENSION.search(head, 0, data_at if data_at >= 0 else len(head))
    if match is None:
        return
    ref = match.group(1).decode("ascii", "replace").replace("$", "")
    try:
        min_col, min_row, max_col, max_row = range_boundaries(ref.split(" ")[0])
    except (ValueError, TypeError):
        return  # not a range: the cell count still bounds the work
    if None in (min_col, min_row, max_col, max_row):
        return
    rows, cols = max_row - min_row + 1, max_col - min_col + 1
    if rows * cols > MAX_SHEET_CELLS:
        raise DataError.single(
            path,
            f"sheet {title!r} spans {ref} ({rows} rows x {cols} columns = {rows * cols} cells); the importer "
            f"reads sheets of at most {MAX_SHEET_CELLS} cells: delete the rows and columns beyond the form",
        )


def _read_meta(workbook) -> dict[str, dict[str, Any]] | None:
    """{sheet title: {field: value}} from the metadata sheet, or None when there is none."""
    if META_SHEET not in workbook.sheetnames:
        return None
    sheet = workbook[META_SHEET]
    if sheet.cell(row=1, column=1).value != META_MARKER:
        return None
    meta: dict[str, dict[str, Any]] = {}
    for row in sheet.iter_rows(min_row=3, max_col=3, values_only=True):
        title, path, raw = row
        if not isinstance(title, str) or not isinstance(path, str) or not isinstance(raw, str):
            continue
        try:
            meta.setdefault(title, {})[path] = json.loads(raw)
        except ValueError:
            continue  # an edited entry: ignore it rather than guess
    return meta


def _check_unique_ids(forms: list[ImportedForm]) -> None:
    seen: dict[str, str] = {}
    for form in forms:
        if form.id in seen and form.id:
            form.errors.append(f"id {form.id!r} is also the id of {seen[form.id]}")
        seen.setdefault(form.id, form.source)


# --------------------------------------------------------------------------- reading: cells


def _norm(text: str) -> str:
    """A label for matching: NFKC (full-width to ASCII), no whitespace, no colons."""
    return re.sub(r"[\s:]", "", unicodedata.normalize("NFKC", text))


class _Grid:
    """A sheet's cells with merged ranges resolved: a merged cell reads as its top-left value."""

    def __init__(self, sheet, formulas: _LazyWorkbook):
        self.sheet = sheet
        self.title = sheet.title
        self.formulas = formulas
        # The cells the file holds (iter_rows would create every cell of the used range).
        stored = getattr(sheet, "_cells", None)
        cells = stored.values() if isinstance(stored, dict) else (c for row in sheet.iter_rows() for c in row)
        self.cells: dict[tuple[int, int], Any] = {
            (cell.row, cell.column): cell
            for cell in cells
            if cell.value is not None and cell.__class__.__name__ != "MergedCell"
        }
        self.merged: dict[tuple[int, int], tuple[int, int, int, int]] = {}
        ranges = [(r.min_row, r.min_col, r.max_row, r.max_col) for r in sheet.merged_cells.ranges]
        # Formula cells without a saved value hold nothing here, yet are not empty: they are named.
        self.pending = formulas.uncached(sheet.title, set(self.cells))
        # Bounds of what holds a value: a stray formatted cell far away does not count.
        self.max_row = max((r for r, _ in (*self.cells, *self.pending)), default=0)
        self.max_col = max((c for _, c in (*self.cells, *self.pending)), default=0)
        if self.max_row * self.max_col > MAX_SHEET_CELLS:
            raise DataError.single(
                formulas.path,
                f"sheet {sheet.title!r} spans {self.max_row} rows x {self.max_col} columns; "
                "a sheet of forms is far smaller",
            )
        for bounds in ranges:
            r0, c0, r1, c1 = bounds
            if r0 > self.max_row or c0 > self.max_col:
                continue  # an empty merged range beyond the values
            for r in range(r0, min(r1, self.max_row) + 1):
                for c in range(c0, min(c1, self.max_col) + 1):
                    self.merged[(r, c)] = bounds
        self.texts: list[tuple[str, int, int]] = sorted(
            ((_norm(cell.value), r, c) for (r, c), cell in self.cells.items() if isinstance(cell.value, str)),
            key=lambda t: (t[1], t[2]),
        )

    def bounds(self, row: int, col: int) -> tuple[int, int, int, int]:
        return self.merged.get((row, col), (row, col, row, col))

    def cell(self, row: int, col: int):
        r, c, _, _ = self.bounds(row, col)
        return self.cells.get((r, c))

    def value(self, row: int, col: int):
        cell = self.cell(row, col)
        return None if cell is None else cell.value

    def is_merged(self, row: int, col: int) -> bool:
        return (row, col) in self.merged

    def coord(self, row: int, col: int) -> str:
        r, c, _, _ = self.bounds(row, col)
        return f"{get_column_letter(c)}{r}"

    def ref(self, row: int, col: int) -> str:
        """The cell as Excel names it across sheets: Sheet1!B3, 'My sheet'!B3."""
        title = self.title
        if not re.fullmatch(r"[^\W\d]\w*", title):
            title = "'" + title.replace("'", "''") + "'"
        return f"{title}!{self.coord(row, col)}"

    def formula(self, row: int, col: int) -> str | None:
        """The formula of a cell that holds one without a saved value, else None."""
        r, c, _, _ = self.bounds(row, col)
        return self.pending.get((r, c))

    def filled(self, row: int, col: int) -> bool:
        """The cell holds something: a value, or a formula without a saved value (an error to name)."""
        return not _is_blank(self.value(row, col)) or self.formula(row, col) is not None

    def find(
        self, predicate, *, min_row: int = 1, max_row: int | None = None, max_col: int | None = None
    ) -> tuple[int, int] | None:
        for text, r, c in self.texts:
            within = r >= min_row and (max_row is None or r <= max_row) and (max_col is None or c <= max_col)
            if within and predicate(text):
                return r, c
        return None

    def row_cells(self, row: int) -> list[tuple[int, str]]:
        """(column, normalised text) of the text cells that cover `row`, merged ones included."""
        out, seen = [], set()
        for col in range(1, self.max_col + 1):
            bounds = self.bounds(row, col)
            if bounds in seen:
                continue
            seen.add(bounds)
            value = self.value(row, col)
            if isinstance(value, str) and value.strip():
                out.append((bounds[1], _norm(value)))
        return out


def _is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")


def _tidy(number: float) -> int | float:
    return int(number) if isinstance(number, float) and number.is_integer() else number


class _Reader:
    """Collects the data, notes, missing fields and errors of one form."""

    def __init__(self, grid: _Grid):
        self.grid = grid
        self.notes: list[str] = []
        self.missing: list[str] = []
        self.errors: list[str] = []

    def unusable(self, row: int, col: int, path: str, expected: str) -> bool:
        """Whether the cell holds what no value can be read from, an Excel error value (#DIV/0!) or
        a formula without a saved value; either is an error naming the sheet and cell."""
        cell = self.grid.cell(row, col)
        if cell is not None and cell.data_type == "e":
            self.errors.append(
                f"{path}: cell {self.grid.ref(row, col)} holds the Excel error value {cell.value}, expected "
                f"{expected}: correct the formula or type the value"
            )
            return True
        formula = self.grid.formula(row, col)
        if formula is not None and _is_blank(None if cell is None else cell.value):
            self.errors.append(
                f"{path}: cell {self.grid.ref(row, col)} holds the formula {formula} with no saved value, expected "
                f"{expected}: open the workbook in Excel or LibreOffice and save it (that stores the values), "
                "or type the value, and import again"
            )
            return True
        return False

    def number(self, row: int, col: int, path: str):
        """An amount or a point value: a number, a number written as text, or None where empty/—."""
        if self.unusable(row, col, path, "a number"):
            return None
        value = self.grid.value(row, col)
        if isinstance(value, bool):
            self.errors.append(f"{path}: cell {self.grid.coord(row, col)} holds {value!r}, expected a number")
            return value
        if isinstance(value, (int, float)):
            return _tidy(float(value)) if isinstance(value, float) else value
        if _is_blank(value):
            return None
        text = unicodedata.normalize("NFKC", str(value)).strip()
        if shows_nothing(text):
            return None
        compact = re.sub(r"[,\s]", "", text)
        if _PLAIN_NUMBER.fullmatch(compact):
            return _tidy(float(compact))
        self.errors.append(f"{path}: cell {self.grid.coord(row, col)} holds {value!r}, expected a number")
        return value

    def text(self, row: int, col: int, path: str, *, empty=None):
        """Free text as written; a number or date Excel made of the text is converted back, with a note."""
        if self.unusable(row, col, path, "text"):
            return empty
        cell = self.grid.cell(row, col)
        value = None if cell is None else cell.value
        if _is_blank(value):
            return empty
        if isinstance(value, str):
            return value
        shown = _display(value, cell.number_format)
        self.notes.append(
            f"{path}: cell {self.grid.coord(row, col)} held {value!r} (format {cell.number_format!r}); "
            f"read as {shown!r}"
        )
        return shown


def _display(value, number_format: str) -> str:
    """The text Excel shows for a number or date in the given number format (common formats)."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, _dt.datetime):
        return value.date().isoformat() if value.time() == _dt.time() else value.isoformat(sep=" ")
    if isinstance(value, (_dt.date, _dt.time)):
        return value.isoformat()
    if isinstance(value, _dt.timedelta):
        return str(value)
    if not isinstance(value, (int, float)):
        return str(value)
    section = (number_format or "General").split(";")[0]
    if section.lower() == "general" or not re.search(r"[0#?]", section):
        return _general(value)
    prefix, digits, suffix = _format_parts(section)
    number = Decimal(repr(value))
    if "%" in section:
        number *= 100
    decimals = len(m.group(1)) if (m := re.search(r"\.([0#?]+)", digits)) else 0
    quantum = Decimal(1).scaleb(-decimals)
    number = number.quantize(quantum, rounding=ROUND_HALF_UP)
    grouping = "," if re.search(r"[0#?],[0#?]", digits) else ""
    text = f"{number:{grouping}.{decimals}f}"
    mandatory = m.group(1).count("0") if m else 0
    while decimals > mandatory and text.endswith("0"):  # optional places ('#'): trailing zeros hidden
        text, decimals = text[:-1], decimals - 1
    text = text.rstrip(".") if decimals == 0 else text
    return prefix + text + suffix


def _general(value: int | float) -> str:
    if isinstance(value, int) or float(value).is_integer():
        return str(int(value))
    try:
        return format(Decimal(repr(value)).normalize(), "f")
    except InvalidOperation:
        return repr(value)


def _format_parts(section: str) -> tuple[str, str, str]:
    """Split a number format section into literal prefix, digit pattern and literal suffix."""
    tokens: list[tuple[str, str]] = []  # (kind, text): kind "lit" or "num"
    i = 0
    while i < len(section):
        ch = section[i]
        if ch == '"':
            end = section.find('"', i + 1)
            end = len(section) if end < 0 else end
            tokens.append(("lit", section[i + 1 : end]))
            i = end + 1
        elif ch == "\\" and i + 1 < len(section):
            tokens.append(("lit", section[i + 1]))
            i += 2
        elif ch in "_*" and i + 1 < len(section):
            i += 2  # padding: no visible character
        elif ch == "[":
            end = section.find("]", i)
            i = len(section) if end < 0 else end + 1  # colour or condition
        elif ch in "0#?,.":
            tokens.append(("num", ch))
            i += 1
        else:
            tokens.append(("lit", ch))
            i += 1
    nums = [k for k, (kind, _) in enumerate(tokens) if kind == "num"]
    first, last = nums[0], nums[-1]
    prefix = "".join(t for _, t in tokens[:first])
    digits = "".join(t for kind, t in tokens[first : last + 1] if kind == "num")
    suffix = "".join(t for _, t in tokens[last + 1 :])
    return prefix, digits, suffix


# --------------------------------------------------------------------------- reading: official layout

_TARGET_HEADS = (label("target"), "指标值", "年度目标值")
_ACTUAL_HEADS = (label("actual"), "实际值", "全年实际值")
_DEVIATION_HEAD = "偏差原因"  # heads read 偏差原因分析及改进措施 or a shorter variant
_YEAR = re.compile(r"(\d{4})" + label("year"))
_UNIT = re.compile(
    r"(?:"
    + "|".join((label("funds"), label("unit"), "单位", *(label(a) for a in AMOUNTS)))
    + r")\(?("
    + "|".join(sorted(MONEY_UNITS, key=len, reverse=True))
    + r")\)?$"
)


def _looks_official(grid: _Grid) -> bool:
    """A label cell 项目名称 or 三级指标 (the title alone is not enough: a notes sheet may quote it)."""
    markers = (label("name"), label("indicator"))
    return any(text in markers for text, _, _ in grid.texts)


_LAYOUT_LABELS = {
    _norm(x)
    for x in (
        *(
            FIELD_LABELS[k]
            for k in (
                "name",
                "department",
                "implementer",
                "annual_goal",
                "goal_planned",
                "goal_achieved",
                "level1",
                "level2",
                "indicator",
                "target",
                "actual",
                "weight",
                "score",
                "deviation_note",
                "total_score",
                "budget_initial",
                "budget_final",
                "executed",
                "execution_rate",
                "reason",
            )
        ),
        *FUNDS_ROW_LABELS.values(),
    )
}


def _is_layout_label(value) -> bool:
    return isinstance(value, str) and _norm(value) in _LAYOUT_LABELS


def _right_of(grid: _Grid, row: int, col: int) -> tuple[int, int] | None:
    """(row, col) of the first non-empty cell right of a label, or None (a label there means empty)."""
    _, _, _, end_col = grid.bounds(row, col)
    for c in range(end_col + 1, grid.max_col + 1):
        if not grid.filled(row, c):
            continue
        return None if _is_layout_label(grid.value(row, c)) else (row, c)
    return None


def _read_official(grid: _Grid, path: Path, meta: dict[str, Any], taken_ids: set[str]) -> ImportedForm:
    rd = _Reader(grid)
    data: dict[str, Any] = {}
    source = f"{path}: sheet {grid.title!r}"

    # Header fields: the value right of each label.
    header: dict[str, Any] = {}
    for key in ("name", "department", "implementer"):
        lab = label(key)
        at = grid.find(lambda t, lab=lab: t == lab)
        spot = _right_of(grid, *at) if at else None
        errors = len(rd.errors)
        value = rd.text(*spot, key) if spot else None
        if _is_blank(value):
            if len(rd.errors) == errors:  # an unreadable cell is an error already, not a missing field
                rd.missing.append(key)
        else:
            header[key] = value

    year = None
    for text, _, _ in grid.texts:
        if len(text) <= 40 and (m := _YEAR.search(text)):
            year = int(m.group(1))
            break
    unit = None
    for text, _, _ in grid.texts:
        if len(text) <= 20 and (m := _UNIT.search(text)):
            unit = m.group(1)
            break

    # id and seq: from the metadata sheet when this sheet was written by selfeval-kit.
    if "id" in meta:
        data["id"] = meta["id"]
    elif ID_PATTERN.match(grid.title):
        data["id"] = grid.title
        rd.notes.append(f"id: not recorded in the workbook; taken from the sheet name {grid.title!r}")
    else:
        data["id"] = slug(str(header.get("name", "")), len(taken_ids) + 1, taken_ids)
        rd.notes.append(f"id: not recorded in the workbook; made up as {data['id']!r}")
    taken_ids.add(data["id"])
    if type(meta.get("seq")) is int:
        data["seq"] = meta["seq"]

    data.update(header)
    if year is None:
        rd.missing.append("year")
    else:
        data["year"] = year
    if unit is None:
        rd.missing.append("unit")
    else:
        data["unit"] = unit

    table_at = grid.find(lambda t: t == label("indicator"))
    data["funds"] = _read_funds(grid, rd, table_at[0] if table_at else None)
    data["annual_goal"] = _read_goal(grid, rd, table_at[0] if table_at else None)
    indicators, total = _read_table(grid, rd, table_at)
    data["indicators"] = indicators
    if total is _NOT_FOUND:
        rd.missing.append("total_score")
        data["total_score"] = None
    else:
        data["total_score"] = total

    form = ImportedForm(data=data, source=source, missing=rd.missing, notes=rd.notes, errors=rd.errors)
    _apply_exact(form, meta)
    return form


def _read_funds(grid: _Grid, rd: _Reader, table_row: int | None) -> dict:
    funds: dict[str, dict] = {}
    head_at = grid.find(lambda t: t.startswith(label("budget_initial")), max_row=table_row)
    columns: dict[str, int] = {}
    if head_at:
        head_row = head_at[0]
        for col, text in grid.row_cells(head_row):
            for key in (*AMOUNTS, "weight", "execution_rate", "score"):
                if key not in columns and text.startswith(label(key)) and len(text) <= len(label(key)) + 6:
                    columns[key] = col
    else:
        head_row = 0
    for row_key in FUNDS_ROWS:
        row_label = label(row_key)
        at = (
            grid.find(
                lambda t, lab=row_label: lab in t and len(t) <= len(lab) + 4, min_row=head_row + 1, max_row=table_row
            )
            if head_at
            else None
        )
        keys = AMOUNTS + (("weight", "execution_rate", "score") if row_key == "total" else ())
        values: dict[str, Any] = {}
        if at is None:
            rd.missing.append(f"funds.{row_key}")
        for key in keys:
            path = f"funds.{row_key}.{key}"
            if at is None:
                value = None
            elif key not in columns:
                rd.missing.append(path)
                value = None
            elif key == "execution_rate":
                value = _unless_dash(rd.text(at[0], columns[key], path))
            else:
                value = rd.number(at[0], columns[key], path)
            if value is None and key == "weight":
                continue  # required: leave it out so that validation names it
            values[key] = value
        funds[row_key] = values
    _read_reason(grid, rd, funds, head_row if head_at else None, table_row)
    return funds


def _read_reason(grid: _Grid, rd: _Reader, funds: dict, head_row: int | None, table_row: int | None) -> None:
    """funds.total.reason: the text right of the 执行偏差原因 label below the funds rows.

    A sheet without the label (written before it existed, or typed by hand from a template
    that has no such cell) has no reason: None, with a note; a label with nothing right of it
    is an empty reason.
    """
    if head_row is None or "total" not in funds:
        return
    at = grid.find(lambda t: t == label("reason"), min_row=head_row + 1, max_row=table_row)
    if at is None:
        funds["total"]["reason"] = None
        rd.notes.append(f"funds.total.reason: no {label('reason')} cell in the funds block; left empty")
        return
    spot = _right_of(grid, *at)
    funds["total"]["reason"] = _unless_dash(rd.text(*spot, "funds.total.reason")) if spot else None


def _unless_dash(value):
    """A funds text cell's value; None where it shows "—" (the written form's "no value")."""
    return None if isinstance(value, str) and shows_nothing(value) else value


def _read_goal(grid: _Grid, rd: _Reader, table_row: int | None) -> dict:
    goal: dict[str, Any] = {}
    for key, head in (("planned", label("goal_planned")), ("achieved", label("goal_achieved"))):
        at = grid.find(lambda t, lab=head: t == lab, max_row=table_row)
        if at is None:
            rd.missing.append(f"annual_goal.{key}")
            goal[key] = None
            continue
        _, col, end_row, _ = grid.bounds(*at)
        value = None
        limit = (table_row - 1) if table_row else grid.max_row
        for r in range(end_row + 1, limit + 1):
            if not grid.filled(r, col):
                continue
            if not _is_layout_label(grid.value(r, col)):
                value = rd.text(r, col, f"annual_goal.{key}")
            break
        goal[key] = value
    return goal


_NOT_FOUND = object()


def _table_columns(grid: _Grid, row: int) -> dict[str, int]:
    columns: dict[str, int] = {}
    heads = {
        "level1": (label("level1"),),
        "level2": (label("level2"),),
        "indicator": (label("indicator"),),
        "target": _TARGET_HEADS,
        "actual": _ACTUAL_HEADS,
        "weight": (label("weight"),),
        "score": (label("score"),),
    }
    for col, text in grid.row_cells(row):
        for key, names in heads.items():
            if key not in columns and text in names:
                columns[key] = col
        if "deviation_note" not in columns and text.startswith(_DEVIATION_HEAD):
            columns["deviation_note"] = col
    return columns


def _read_table(grid: _Grid, rd: _Reader, table_at: tuple[int, int] | None):
    if table_at is None:
        rd.errors.append(
            f"no indicator table: no cell {label('indicator')!r} (the head of the indicator names) "
            f"on sheet {grid.title!r}"
        )
        return [], _NOT_FOUND
    head_row = table_at[0]
    columns = _table_columns(grid, head_row)
    required = ("level1", "level2", "indicator", "target", "actual", "weight")
    absent = [label(k) for k in required if k not in columns]
    if absent:
        rd.errors.append(f"indicator table at row {head_row}: no column {', '.join(absent)} in its header row")
        return [], _NOT_FOUND
    for key in ("score", "deviation_note"):
        if key not in columns:
            rd.missing.append(f"indicators[*].{key}")
    first = max(grid.bounds(head_row, col)[2] for col in columns.values()) + 1
    # The 总分 row's label sits where the layout puts it, at the table's left edge (merged over the
    # first columns as `write_workbook` writes it): an indicator, target or note 总分 ends nothing.
    total_at = grid.find(
        lambda t: t.startswith(label("total_score")) and len(t) <= len(label("total_score")) + 2,
        min_row=first,
        max_col=min(columns.values()),
    )
    last = total_at[0] - 1 if total_at else grid.max_row
    indicators = _read_rows(grid, rd, columns, first, last)
    if not indicators:
        rd.errors.append(f"indicator table at row {head_row} has no rows")
    total: Any = _NOT_FOUND
    if total_at and "score" in columns:
        total = rd.number(total_at[0], columns["score"], "total_score")
    return indicators, total


_OWN = ("indicator", "target", "actual", "weight", "score", "deviation_note")


def _read_rows(grid: _Grid, rd: _Reader, columns: dict[str, int], first: int, last: int) -> list[dict]:
    indicators: list[dict] = []
    previous: dict[str, Any] = {}
    for row in range(first, last + 1):
        if not any(grid.filled(row, columns[k]) for k in _OWN if k in columns):
            continue  # a blank row (one a merged 一级/二级 cell may still span)
        index = len(indicators)
        path = f"indicators[{index}]"
        item: dict[str, Any] = {}
        for key in ("level1", "level2"):
            col = columns[key]
            value = rd.text(row, col, f"{path}.{key}")
            if _is_blank(value) and not grid.is_merged(row, col) and previous.get(key):
                value = previous[key]
                rd.notes.append(
                    f"{path}.{key}: cell {grid.coord(row, col)} is empty; taken as {value!r} from the row above"
                )
            if _is_blank(value):
                rd.errors.append(f"{path}.{key}: cell {grid.coord(row, col)} is empty")
            item[key] = value
        name = rd.text(row, columns["indicator"], f"{path}.name")
        if _is_blank(name):
            rd.errors.append(f"{path}.name: row {row} has no {label('indicator')}")
        item["name"] = name
        for key in ("target", "actual"):
            value = rd.text(row, columns[key], f"{path}.{key}", empty="")
            if value == "":
                rd.notes.append(f"{path}.{key}: cell {grid.coord(row, columns[key])} is empty; read as ''")
            item[key] = value
        weight = rd.number(row, columns["weight"], f"{path}.weight")
        if weight is not None:
            item["weight"] = weight
        item["score"] = rd.number(row, columns["score"], f"{path}.score") if "score" in columns else None
        item["deviation_note"] = (
            rd.text(row, columns["deviation_note"], f"{path}.deviation_note") if "deviation_note" in columns else None
        )
        previous = item
        indicators.append(item)
    return indicators


# --------------------------------------------------------------------------- exact values from metadata


def _path_tokens(path: str) -> list[str | int]:
    tokens: list[str | int] = []
    for part in re.finditer(r"([^.\[\]]+)|\[(\d+)\]", path):
        tokens.append(part.group(1) if part.group(1) is not None else int(part.group(2)))
    return tokens


def _get(data, tokens):
    for token in tokens:
        if isinstance(token, int):
            if not isinstance(data, list) or token >= len(data):
                return _NOT_FOUND
            data = data[token]
        else:
            if not isinstance(data, dict):
                return _NOT_FOUND
            data = data.get(token, _NOT_FOUND)
            if data is _NOT_FOUND:
                return _NOT_FOUND
    return data


def _set(data, tokens, value) -> None:
    for token in tokens[:-1]:
        data = data[token]
    data[tokens[-1]] = value


def _shown(exact):
    """What the cell shows of an exact value written by `write_workbook`."""
    if isinstance(exact, float):
        return shown_number(exact)
    if exact == "":
        return None
    if isinstance(exact, str):
        return exact.replace("\r\n", "\n").replace("\r", "\n")
    return exact


def _breaks_added(current: str, written: str) -> bool:
    """Whether `current` is `written` with line breaks added (the writer's print breaks) and
    nothing else changed."""
    if len(current) < len(written) or current.replace("\n", "") != written.replace("\n", ""):
        return False
    at = 0  # greedy: every character of `written` in order, the extra ones all "\n"
    for ch in current:
        if at < len(written) and ch == written[at]:
            at += 1
        elif ch != "\n":
            return False
    return at == len(written)


def _apply_exact(form: ImportedForm, meta: dict[str, Any]) -> None:
    """Restore exact values recorded in the metadata where the cell still shows what was written."""
    for path, exact in meta.items():
        if path in ("id", "seq"):
            continue
        tokens = _path_tokens(path)
        current = _get(form.data, tokens)
        if current is _NOT_FOUND:
            continue
        shown = _shown(exact)
        same = (
            (current in (None, "") and shown is None)
            or (current is None and isinstance(shown, str) and shows_nothing(shown))
            or (isinstance(current, str) and isinstance(shown, str) and _breaks_added(current, shown))
            or (current == shown and type(current) is not bool and current is not None)
        )
        if same:
            _set(form.data, tokens, exact)
            # an empty target/actual noted as "read as ''" is no reinterpretation after all
            form.notes = [n for n in form.notes if not n.startswith(f"{path}:")]
        else:
            form.notes.append(f"{path}: the cell was edited after export; kept the cell's value {current!r}")


# --------------------------------------------------------------------------- reading: flat table


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


@dataclass
class _FlatHeader:
    row: int
    columns: dict[str, int]
    notes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _find_flat_header(grid: _Grid) -> _FlatHeader | None:
    """The flat table's header row: indicator columns plus a column naming the form."""
    for row in range(1, min(grid.max_row, _FLAT_HEADER_ROWS) + 1):
        columns: dict[str, int] = {}
        names: list[int] = []
        for col in range(1, grid.max_col + 1):
            cell = grid.cells.get((row, col))  # a header's own cell: headers are read unmerged
            value = None if cell is None else cell.value
            if not isinstance(value, str):
                continue
            key = _key(value)
            if key == "name":
                names.append(col)
            elif key in _FLAT_LOOKUP and _FLAT_LOOKUP[key] not in columns:
                columns[_FLAT_LOOKUP[key]] = col
        header = _FlatHeader(row, columns)
        if names:
            _resolve_name(header, names)
        has_table = (
            "level1" in columns
            and ("indicator" in columns or bool(names))
            and ("target" in columns or "actual" in columns)
        )
        if has_table and ("id" in columns or "name" in columns):
            return header
        if has_table and header.errors:
            return header  # an ambiguous 'name': report it rather than skip the sheet
    return None


def _resolve_name(header: _FlatHeader, names: list[int]) -> None:
    columns = header.columns
    if len(names) >= 2:
        columns.setdefault("name", names[0])
        columns.setdefault("indicator", names[1])
        header.notes.append("two 'name' columns: the first read as 项目名称, the second as 三级指标")
    elif "indicator" in columns and "name" not in columns:
        columns["name"] = names[0]
    elif "name" in columns and "indicator" not in columns:
        columns["indicator"] = names[0]
    else:
        header.errors.append(
            "column 'name' is ambiguous: name the columns 项目名称 (or form_name) and 三级指标 (or indicator)"
        )


_FORM_TEXT = ("name", "department", "implementer")
_FORM_NUMBERS = (
    "budget_initial",
    "budget_final",
    "executed",
    "budget_weight",
    "budget_score",
    "total_score",
    *(f"{row}_{amount}" for row in FUNDS_ROWS[1:] for amount in AMOUNTS),
)


def _read_flat(grid: _Grid, header: _FlatHeader, path: Path, taken_ids: set[str]) -> list[ImportedForm]:
    columns = header.columns
    source_base = f"{path}: sheet {grid.title!r}"
    if header.errors:
        return [ImportedForm(data={}, source=source_base, notes=header.notes, errors=header.errors)]
    group_key = "id" if "id" in columns else "name"
    groups: dict[Any, list[int]] = {}
    carried: list[int] = []
    current = None
    for row in range(header.row + 1, grid.max_row + 1):
        if not any(grid.filled(row, col) for col in columns.values()):
            continue
        key = grid.value(row, columns[group_key])
        if _is_blank(key):
            if current is None:
                continue  # rows above the first form: nothing to attach them to
            carried.append(row)
            key = current
        key = key.strip() if isinstance(key, str) else key
        current = key
        groups.setdefault(key, []).append(row)

    forms = []
    for index, (key, rows) in enumerate(groups.items(), start=1):
        rd = _Reader(grid)
        rd.notes.extend(header.notes)
        own_carried = [r for r in carried if r in rows]
        if own_carried:
            rd.notes.append(
                f"rows {_row_list(own_carried)}: {label('name') if group_key == 'name' else 'id'} empty; "
                "taken as the form of the row above"
            )
        form = _flat_form(grid, rd, columns, rows, group_key, key, index, taken_ids)
        source = f"{source_base}, rows {_row_list(rows)}"
        forms.append(ImportedForm(data=form, source=source, missing=rd.missing, notes=rd.notes, errors=rd.errors))
    if not forms:
        return [
            ImportedForm(
                data={}, source=source_base, errors=[f"flat table with its header at row {header.row} has no rows"]
            )
        ]
    return forms


def _row_list(rows: list[int]) -> str:
    spans: list[str] = []
    start: int | None = rows[0]
    for prev, cur in zip(rows, [*rows[1:], None], strict=True):
        if cur != prev + 1:
            spans.append(f"{start}" if start == prev else f"{start}-{prev}")
            start = cur
    return ", ".join(spans)


def _form_value(grid: _Grid, rd: _Reader, columns, rows, key: str, kind: str):
    """One form-level value from the rows of a form: equal wherever given, else an error."""
    if key not in columns:
        rd.missing.append(_FLAT_PATHS[key])
        return _NOT_FOUND
    col = columns[key]
    found: list[tuple[int, Any]] = []
    for row in rows:
        if not grid.filled(row, col):
            continue
        if kind == "number":
            value = rd.number(row, col, _FLAT_PATHS[key])
        elif kind == "year":
            if rd.unusable(row, col, "year", "a year"):
                continue
            raw = grid.value(row, col)
            m = re.search(r"\d{4}", str(int(raw)) if isinstance(raw, float) and raw.is_integer() else str(raw))
            value = int(m.group()) if m else raw
            if not m:
                rd.errors.append(f"year: cell {grid.coord(row, col)} holds {raw!r}, expected a year")
        else:
            value = rd.text(row, col, _FLAT_PATHS[key])
        if found and value != found[0][1]:
            rd.errors.append(
                f"{_FLAT_PATHS[key]}: rows {found[0][0]} and {row} of the same form differ "
                f"({found[0][1]!r} and {value!r})"
            )
            continue
        if not found:
            found.append((row, value))
    return found[0][1] if found else None


_FLAT_PATHS = {
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


def _flat_form(grid, rd, columns, rows, group_key, key, index, taken_ids) -> dict:
    data: dict[str, Any] = {}
    if group_key == "id":
        raw_id = grid.value(rows[0], columns["id"])
        data["id"] = _general(raw_id) if isinstance(raw_id, (int, float)) else str(raw_id).strip()
    else:
        data["id"] = slug(str(key), len(taken_ids) + 1, taken_ids)
        rd.notes.append(f"id: no id column; made up as {data['id']!r}")
    taken_ids.add(data["id"])

    def put(field_name: str, value, required: bool) -> None:
        if value is _NOT_FOUND or (required and _is_blank(value)):
            if value is not _NOT_FOUND:
                rd.missing.append(_FLAT_PATHS[field_name])
            return
        data[field_name] = value

    for name in _FORM_TEXT:
        put(name, _form_value(grid, rd, columns, rows, name, "text"), True)
    put("year", _form_value(grid, rd, columns, rows, "year", "year"), True)
    unit = _form_value(grid, rd, columns, rows, "unit", "text")
    if isinstance(unit, str):
        unit = unit.strip()
    put("unit", unit, True)

    def amount(col_key: str):
        value = _form_value(grid, rd, columns, rows, col_key, "number")
        return None if value is _NOT_FOUND else value

    total = {a: amount(a) for a in AMOUNTS}
    weight = _form_value(grid, rd, columns, rows, "budget_weight", "number")
    if weight not in (_NOT_FOUND, None):
        total["weight"] = weight
    elif weight is None:
        rd.missing.append("funds.total.weight")
    rate = _form_value(grid, rd, columns, rows, "execution_rate", "text")
    total["execution_rate"] = None if rate is _NOT_FOUND else rate
    score = _form_value(grid, rd, columns, rows, "budget_score", "number")
    total["score"] = None if score is _NOT_FOUND else score
    funds = {"total": total}
    for row_key in FUNDS_ROWS[1:]:
        funds[row_key] = {a: amount(f"{row_key}_{a}") for a in AMOUNTS}
    data["funds"] = funds
    # A sub-row without any column: one missing entry for the row, not three.
    for row_key in FUNDS_ROWS[1:]:
        paths = [f"funds.{row_key}.{a}" for a in AMOUNTS]
        if all(p in rd.missing for p in paths):
            rd.missing[:] = [m for m in rd.missing if m not in paths] + [f"funds.{row_key}"]

    goal = {}
    for key_, field_name in (("planned", "goal_planned"), ("achieved", "goal_achieved")):
        value = _form_value(grid, rd, columns, rows, field_name, "text")
        goal[key_] = None if value is _NOT_FOUND else value
    data["annual_goal"] = goal

    indicator_columns = {
        k: columns[k]
        for k in ("level1", "level2", "indicator", "target", "actual", "weight", "score", "deviation_note")
        if k in columns
    }
    absent = [f"{label(k)} ({k})" for k in ("level2", "weight") if k not in indicator_columns]
    if absent:
        rd.errors.append(f"no column {', '.join(absent)} in the flat table")
    for key_ in ("target", "actual", "score", "deviation_note"):
        if key_ not in indicator_columns:
            rd.missing.append(f"indicators[*].{key_}")
    data["indicators"] = [] if absent else _flat_indicators(grid, rd, indicator_columns, rows)
    total_score = _form_value(grid, rd, columns, rows, "total_score", "number")
    data["total_score"] = None if total_score is _NOT_FOUND else total_score
    return data


def _flat_indicators(grid, rd, columns, rows) -> list[dict]:
    indicators: list[dict] = []
    for row in rows:
        if not any(grid.filled(row, columns[k]) for k in _OWN if k in columns):
            continue  # a row with only form-level values
        index = len(indicators)
        path = f"indicators[{index}]"
        item: dict[str, Any] = {}
        for key in ("level1", "level2"):
            value = rd.text(row, columns[key], f"{path}.{key}")
            if _is_blank(value):
                rd.errors.append(f"{path}.{key}: cell {grid.coord(row, columns[key])} is empty")
            item[key] = value
        name = rd.text(row, columns["indicator"], f"{path}.name")
        if _is_blank(name):
            rd.errors.append(f"{path}.name: row {row} has no {label('indicator')}")
        item["name"] = name
        for key in ("target", "actual"):
            item[key] = rd.text(row, columns[key], f"{path}.{key}", empty="") if key in columns else ""
        weight = rd.number(row, columns["weight"], f"{path}.weight")
        if weight is not None:
            item["weight"] = weight
        item["score"] = rd.number(row, columns["score"], f"{path}.score") if "score" in columns else None
        item["deviation_note"] = (
            rd.text(row, columns["deviation_note"], f"{path}.deviation_note") if "deviation_note" in columns else None
        )
        indicators.append(item)
    if not indicators:
        rd.errors.append("no indicator rows")
    return indicators
