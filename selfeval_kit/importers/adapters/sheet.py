"""The Excel adapter: every visible worksheet of a .xlsx workbook as one `Table`.

    read(Path("a.xlsx"), data) → Document(kind="xlsx", blocks=[Table([...], where="工作表 Sheet1"), ...])

* Values as the cell shows them (``#,##0.00`` gives ``"296,272.00"``, ``0.00%`` gives
  ``"100.00%"``, a whole number in General without ``.0``), dates as ``YYYY-MM-DD``; text stripped,
  inner line breaks kept.
* A merged range is one `Cell` with its spans at its top-left; an empty cell is no `Cell`, but
  the others keep their positions. Empty rows and columns at the edges are trimmed: positions
  count from the first row and column holding a value.
* Hidden sheets are skipped, and named in `Document.notes`. A formula without a saved value
  reads as empty (openpyxl gives the saved values only).
* Before openpyxl loads a cell, the sheets' XML is scanned for the cells they store and the area
  their merged ranges cover (openpyxl makes an object for every merged position), so that a
  hostile workbook is refused instead of exhausting memory.
"""

from __future__ import annotations

import io
import re
import warnings
import zipfile
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import range_boundaries

from selfeval_kit.errors import DataError
from selfeval_kit.importers.adapters import check_extent
from selfeval_kit.importers.cells import Cell, Document, Table

# Reused until the old workbook importer goes; then `_display` moves here.
from selfeval_kit.importers.workbook import _display

__all__ = ["MAX_MERGED_CELLS", "MAX_STORED_CELLS", "read"]

MAX_STORED_CELLS = 250_000  # <c> elements in all sheets; each costs openpyxl ~0.5 KB
MAX_MERGED_CELLS = 250_000  # positions covered by merged ranges in all sheets

_CELL = re.compile(rb"<(?:\w{1,60}:)?c[\s>/]")
_MERGE_REF = re.compile(rb"<(?:\w{1,60}:)?mergeCell\b[^>]*?\bref\s*=\s*[\"']([^\"']*)[\"']")
_CHUNK = 1 << 20
_OVERLAP = 256  # longer than any <mergeCell ref="..."> the patterns match across chunks


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
    Document
        ``kind="xlsx"``; one `Table` per visible sheet, in the workbook's order, ``where`` being
        ``"工作表 <title>"``; a note for each hidden sheet.

    Raises
    ------
    DataError
        Naming the file, for a broken workbook or one past `MAX_STORED_CELLS` /
        `MAX_MERGED_CELLS`, or a sheet past `MAX_TABLE_CELLS`.
    """
    _survey(path, data)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about extensions it does not read
            book = load_workbook(io.BytesIO(data), data_only=True, read_only=False)
    except Exception as exc:  # BadZipFile, KeyError (a missing part), XML errors, zlib.error, ...
        raise DataError.single(path, f"无法读取工作簿（已损坏或不是 .xlsx）：{type(exc).__name__}: {exc}") from exc
    document = Document(source=path, kind="xlsx")
    for sheet in book.worksheets:
        if sheet.sheet_state != "visible":
            document.notes.append(f"隐藏的工作表 {sheet.title} 未读取")
            continue
        document.blocks.append(_table(path, sheet))
    return document


def _table(path: Path, sheet: Any) -> Table:
    """The sheet's cells, trimmed to the rows and columns holding values."""
    where = f"工作表 {sheet.title}"
    spans = {}  # top-left (row, col), 1-based → (rowspan, colspan)
    for merged in sheet.merged_cells.ranges:
        spans[(merged.min_row, merged.min_col)] = (
            merged.max_row - merged.min_row + 1,
            merged.max_col - merged.min_col + 1,
        )
    found: list[tuple[str, int, int, int, int]] = []
    for (row, col), cell in sheet._cells.items():  # stored cells only; MergedCells are not there
        text = _text(cell.value, cell.number_format)
        if text:
            found.append((text, row, col, *spans.get((row, col), (1, 1))))
    if not found:
        return Table([], where=where)
    top = min(row for _, row, _, _, _ in found)
    left = min(col for _, _, col, _, _ in found)
    bottom = max(row + rowspan for _, row, _, rowspan, _ in found)
    right = max(col + colspan for _, _, col, _, colspan in found)
    check_extent(path, where, bottom - top, right - left)
    cells = [Cell(text, row - top, col - left, rowspan, colspan) for text, row, col, rowspan, colspan in found]
    cells.sort(key=lambda c: (c.row, c.col))
    return Table(cells, where=where)


def _text(value: object, number_format: str) -> str:
    """What the cell shows, stripped; "" for an empty cell."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    return _display(value, number_format).strip()


def _survey(path: Path, data: bytes) -> None:
    """Count the cells the sheets store and the positions merged ranges cover, before loading."""
    stored = merged = 0
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for name in archive.namelist():
                if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                    cells, area = _scan(archive, name)
                    stored, merged = stored + cells, merged + area
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


def _scan(archive: zipfile.ZipFile, name: str) -> tuple[int, int]:
    """(<c> elements, positions covered by <mergeCell>s) of one sheet's XML, read in chunks."""
    cells = area = 0
    tail = b""
    with archive.open(name) as stream:
        while True:
            chunk = stream.read(_CHUNK)
            buffer = tail + chunk
            limit = len(buffer) if not chunk else max(len(buffer) - _OVERLAP, 0)
            cells += sum(1 for m in _CELL.finditer(buffer) if m.start() < limit)
            for match in _MERGE_REF.finditer(buffer):
                if match.start() < limit:
                    area += _area(match.group(1))
            if not chunk:
                return cells, area
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
