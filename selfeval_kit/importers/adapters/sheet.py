"""The Excel adapter: every visible worksheet of a .xlsx workbook as one `Table`.

    read(Path("a.xlsx"), data) → Document(kind="xlsx", blocks=[Table([...], where="工作表 Sheet1"), ...])

* Values as the cell shows them (``#,##0.00`` gives ``"296,272.00"``, ``0.00%`` gives
  ``"100.00%"``, a whole number in General without ``.0``), dates as ``YYYY-MM-DD``; text stripped,
  inner line breaks kept.
* A merged range is one `Cell` with its spans at its top-left; an empty cell is no `Cell`, but
  the others keep their positions. Empty rows and columns at the edges are trimmed: positions
  count from the first row and column holding a value.
* Hidden sheets are skipped, and named in `Document.notes`.
* A cell no value can be read from is kept as it stands and listed in `SheetDocument.unreadable`
  with its sheet and Excel coordinate: an Excel error value (``#DIV/0!``, its text kept) and a
  formula without a saved value (its formula as the cell's text: openpyxl gives saved values
  only, and an empty cell would read as a field the sheet does not have).
* Before openpyxl loads a cell, every worksheet part of the archive (those ``workbook.xml`` names,
  wherever they are stored, and any under ``xl/worksheets/``) is scanned for the cells it stores
  and the area its merged ranges cover (openpyxl makes an object for every merged position), so
  that a hostile workbook is refused instead of exhausting memory.
"""

from __future__ import annotations

import datetime as _dt
import io
import posixpath
import re
import warnings
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter, range_boundaries

from selfeval_kit.errors import DataError
from selfeval_kit.importers.adapters import check_extent
from selfeval_kit.importers.cells import Cell, Document, Table

__all__ = ["MAX_MERGED_CELLS", "MAX_STORED_CELLS", "SheetDocument", "Unreadable", "read"]

MAX_STORED_CELLS = 250_000  # <c> elements in all sheets; each costs openpyxl ~0.5 KB
MAX_MERGED_CELLS = 250_000  # positions covered by merged ranges in all sheets

_CELL = re.compile(rb"<(?:\w{1,60}:)?c[\s>/]")
_FORMULA = re.compile(rb"<(?:\w{1,60}:)?f[\s>/]")
_MERGE_REF = re.compile(rb"<(?:\w{1,60}:)?mergeCell\b[^>]*?\bref\s*=\s*[\"']([^\"']*)[\"']")
_CHUNK = 1 << 20
_OVERLAP = 256  # longer than any <mergeCell ref="..."> the patterns match across chunks
_MAX_INDEX_PART = 4 * 1024 * 1024  # workbook.xml and its relationships: a few KiB in a real workbook
_SAVE_IT = (
    "open the workbook in Excel or LibreOffice and save it (that stores the values), "
    "or type the value, and import again"
)


@dataclass(frozen=True)
class Unreadable:
    """A cell no value can be read from: an Excel error value, or a formula without a saved value.

    Parameters
    ----------
    place : str
        The cell as `Table.place` names it (what the reader records as a field's place).
    ref : str
        The cell as Excel names it across sheets: ``'hotline-system-ops'!C3``.
    holds : str
        What it holds: ``"the Excel error value #DIV/0!"``.
    fix : str
        What to do about it.
    """

    place: str
    ref: str
    holds: str
    fix: str


@dataclass
class SheetDocument(Document):
    """A workbook's `Document`, with the cells no value can be read from and each sheet's origin.

    Parameters
    ----------
    unreadable : list of Unreadable
        In sheet order.
    origins : dict of str to (int, int)
        ``{Table.where: (row, column)}``, 1-based: the Excel position of the table's cell (0, 0),
        so that a table position can be named as Excel names it.
    """

    unreadable: list[Unreadable] = field(default_factory=list)
    origins: dict[str, tuple[int, int]] = field(default_factory=dict)


def read(path: Path, data: bytes) -> Document:
    """Read a workbook's visible sheets into a `Document` of one `Table` each.

    Parameters
    ----------
    path : Path
        The file, named in notes and errors.
    data : bytes
        Its bytes (a ZIP holding ``xl/workbook.xml``).

    Returns
    -------
    SheetDocument
        ``kind="xlsx"``; one `Table` per visible sheet, in the workbook's order, ``where`` being
        ``"工作表 <title>"``; a note for each hidden sheet; the cells no value can be read from.

    Raises
    ------
    DataError
        Naming the file, for a broken workbook or one past `MAX_STORED_CELLS` /
        `MAX_MERGED_CELLS`, or a sheet past `MAX_TABLE_CELLS`.
    """
    with_formulas = _survey(path, data)
    book = _load(path, data, data_only=True)
    formulas = _load(path, data, data_only=False) if with_formulas else None  # only to name them
    document = SheetDocument(source=path, kind="xlsx")
    for sheet in book.worksheets:
        if sheet.sheet_state != "visible":
            document.notes.append(f"隐藏的工作表 {sheet.title} 未读取")
            continue
        pending = _pending(sheet, formulas[sheet.title]) if formulas is not None else {}
        table, origin, unreadable = _table(path, sheet, pending)
        document.blocks.append(table)
        document.origins[table.where] = origin
        document.unreadable.extend(unreadable)
    return document


def _load(path: Path, data: bytes, *, data_only: bool) -> Any:
    """The workbook in full mode (merged cells need it); DataError when it is not one."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about extensions it does not read
            return load_workbook(io.BytesIO(data), data_only=data_only, read_only=False, rich_text=False)
    except Exception as exc:  # BadZipFile, KeyError (a missing part), XML errors, zlib.error, ...
        raise DataError.single(path, f"无法读取工作簿（已损坏或不是 .xlsx）：{type(exc).__name__}: {exc}") from exc


def _pending(sheet: Any, formula_sheet: Any) -> dict[tuple[int, int], str]:
    """{(row, col): formula} of the sheet's formula cells that have no saved value."""
    saved = sheet._cells
    found = {}
    for (row, col), cell in formula_sheet._cells.items():
        if cell.data_type == "f" and getattr(saved.get((row, col)), "value", None) is None:
            found[(row, col)] = str(getattr(cell.value, "text", cell.value))  # an ArrayFormula holds its text
    return found


def _table(path: Path, sheet: Any, pending: dict[tuple[int, int], str]) -> tuple[Table, tuple[int, int], list]:
    """The sheet's cells, trimmed to the rows and columns holding values; their origin; the cells
    no value can be read from."""
    where = f"工作表 {sheet.title}"
    spans = {}  # top-left (row, col), 1-based → (rowspan, colspan)
    for merged in sheet.merged_cells.ranges:
        spans[(merged.min_row, merged.min_col)] = (
            merged.max_row - merged.min_row + 1,
            merged.max_col - merged.min_col + 1,
        )
    found: list[tuple[str, int, int, int, int]] = []
    bad: dict[tuple[int, int], tuple[str, str]] = {}
    stored = sheet._cells  # stored cells only; MergedCells are not there
    for row, col in sorted(set(stored) | set(pending)):
        cell = stored.get((row, col))
        text = "" if cell is None else _text(cell.value, cell.number_format)
        if (row, col) in pending:
            text = pending[(row, col)]
            bad[(row, col)] = (f"the formula {text} with no saved value", _SAVE_IT)
        elif cell is not None and cell.data_type == "e" and text:
            bad[(row, col)] = (f"the Excel error value {text}", "correct the formula or type the value")
        if text:
            found.append((text, row, col, *spans.get((row, col), (1, 1))))
    if not found:
        return Table([], where=where), (1, 1), []
    top = min(row for _, row, _, _, _ in found)
    left = min(col for _, _, col, _, _ in found)
    bottom = max(row + rowspan for _, row, _, rowspan, _ in found)
    right = max(col + colspan for _, _, col, _, colspan in found)
    check_extent(path, where, bottom - top, right - left)
    cells = [Cell(text, row - top, col - left, rowspan, colspan) for text, row, col, rowspan, colspan in found]
    cells.sort(key=lambda c: (c.row, c.col))
    table = Table(cells, where=where)
    at = {(c.row + top, c.col + left): c for c in cells}
    unreadable = [
        Unreadable(table.place(at[key]), _ref(sheet.title, *key), holds, fix)
        for key, (holds, fix) in sorted(bad.items())
    ]
    return table, (top, left), unreadable


def _ref(title: str, row: int, col: int) -> str:
    """A cell as Excel names it across sheets: Sheet1!B3, 'My sheet'!B3."""
    if not re.fullmatch(r"[^\W\d]\w*", title):
        title = "'" + title.replace("'", "''") + "'"
    return f"{title}!{get_column_letter(col)}{row}"


def _text(value: object, number_format: str) -> str:
    """What the cell shows, stripped; "" for an empty cell."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    return _display(value, number_format).strip()


def _survey(path: Path, data: bytes) -> bool:
    """Count the cells the sheets store and the positions merged ranges cover, before loading;
    whether any sheet holds a formula."""
    stored = merged = 0
    with_formulas = False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for name in _sheet_parts(archive):
                cells, area, formulas = _scan(archive, name)
                stored, merged = stored + cells, merged + area
                with_formulas = with_formulas or formulas
                if stored > MAX_STORED_CELLS or merged > MAX_MERGED_CELLS:
                    raise DataError.single(
                        path,
                        f"工作簿存储了超过 {MAX_STORED_CELLS} 个单元格或合并了超过 {MAX_MERGED_CELLS} 个单元格，"
                        "超出可读取的范围（workbook too large）",
                    )
    except DataError:
        raise
    except Exception as exc:  # broken compression, a bad member
        raise DataError.single(path, f"无法读取工作簿（已损坏或不是 .xlsx）：{type(exc).__name__}: {exc}") from exc
    return with_formulas


def _sheet_parts(archive: zipfile.ZipFile) -> list[str]:
    """The archive members that are worksheets: those workbook.xml names (wherever stored), then
    any other member under xl/worksheets/, so that no sheet escapes the size checks."""
    names = set(archive.namelist())
    parts: list[str] = []
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
                parts.append(target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}"))
    parts += sorted(n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml"))
    return [part for n, part in enumerate(parts) if part in names and part not in parts[:n]]


def _xml_part(archive: zipfile.ZipFile, names: set[str], member: str) -> Any:
    """The parsed XML of a small index part, or None when the archive has none (or a huge one)."""
    if member not in names or archive.getinfo(member).file_size > _MAX_INDEX_PART:
        return None
    return ET.fromstring(archive.read(member))


def _scan(archive: zipfile.ZipFile, name: str) -> tuple[int, int, bool]:
    """(<c> elements, positions covered by <mergeCell>s, holds an <f>) of one sheet's XML, read in chunks."""
    cells = area = 0
    formulas = False
    tail = b""
    with archive.open(name) as stream:
        while True:
            chunk = stream.read(_CHUNK)
            buffer = tail + chunk
            limit = len(buffer) if not chunk else max(len(buffer) - _OVERLAP, 0)
            cells += sum(1 for m in _CELL.finditer(buffer) if m.start() < limit)
            formulas = formulas or any(m.start() < limit for m in _FORMULA.finditer(buffer))
            for match in _MERGE_REF.finditer(buffer):
                if match.start() < limit:
                    area += _area(match.group(1))
            if not chunk:
                return cells, area, formulas
            tail = buffer[limit:]


def _area(ref: bytes) -> int:
    """Positions a merged range such as ``A1:C2`` covers (0 for what is not a range)."""
    try:
        min_col, min_row, max_col, max_row = range_boundaries(ref.decode("ascii", "replace"))
    except (ValueError, TypeError):
        return 0
    if None in (min_col, min_row, max_col, max_row):
        return 0
    return (max_col - min_col + 1) * (max_row - min_row + 1)


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
