"""Forms as an Excel workbook (.xlsx) in the official layout: what `selfeval export --format xlsx` writes.

`write_workbook` gives one sheet per form, laid out like the printed
财政项目支出绩效自评表: title and year, header rows, the funds block, the annual goal
side by side, the indicator table with 一级/二级指标 merged over their runs of
rows, and the 总分 row; A4 portrait, fit to one page wide.

What the cells cannot carry travels in a hidden sheet `_selfeval` (hidden sheets
are not printed; a form id cannot start with "_", so it never collides with a
form's sheet). It is a three-column table `sheet | field | value` (value as JSON):

* `id` and `seq` of the form shown on that sheet;
* exact values a cell would lose: a float that Excel's 16-digit number text
  cannot hold, an empty string (an empty cell reads back as "nothing"), a text
  with carriage returns. The reader (`selfeval_kit.importers.workbook`) applies
  such an entry only if the cell still shows what was written (`shown_number`),
  so an edit made in Excel always wins.

The constants of the layout that the reader relies on (`META_SHEET`,
`META_MARKER`, `FUNDS_ROWS`, `AMOUNTS`) are defined here, once, and so is
`MAX_WORKBOOK_CELLS`, the most cells a workbook the reader reads may store: the
writer refuses to write more, so that what it writes can be read back.
"""

from __future__ import annotations

import io
import json
import math
import re
import unicodedata
from collections.abc import Iterable
from copy import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import IllegalCharacterError

from selfeval_kit.errors import DataError
from selfeval_kit.files import atomic_write_bytes
from selfeval_kit.form.labels import label
from selfeval_kit.form.model import Form

__all__ = [
    "AMOUNTS",
    "FUNDS_ROWS",
    "MAX_WORKBOOK_CELLS",
    "META_MARKER",
    "META_SHEET",
    "shown_number",
    "write_workbook",
    "write_workbook_file",
]

META_SHEET = "_selfeval"
META_MARKER = "selfeval-kit metadata"
META_VERSION = 1
META_HEADER = ("sheet", "field", "value")

FUNDS_ROWS = ("total", "appropriation", "carryover", "other")
AMOUNTS = ("budget_initial", "budget_final", "executed")
SUBROW_PREFIX = "其中："  # printed before the first sub-row of the funds block
DASH = "—"  # printed in 分值/得分 of the funds sub-rows
FULL_MARKS = 100  # the 总分 row's 分值 on the official form

# Cells stored in all sheets of a workbook, at most: the reader counts them in the file's XML before
# loading it (each costs ~0.5 KB and ~20 us in openpyxl). One sheet of a form of 1,000 indicators
# stores ~8,200; the 11 forms of 2022 2,456 in all.
MAX_WORKBOOK_CELLS = 150_000

# Excel limits.
MAX_SHEET_TITLE = 31
MAX_CELL_CHARS = 32767

# Layout of the written sheet: columns A..H are the indicator table's eight columns.
TABLE_KEYS = ("level1", "level2", "indicator", "target", "actual", "weight", "score", "deviation_note")
COLUMN_WIDTHS = (10, 12, 22, 14, 14, 7, 7, 22)
NCOLS = len(TABLE_KEYS)
FONT_NAME = "宋体"  # a font name reference; Excel/LibreOffice substitute a CJK font if absent
FONT_SIZE = 10.5
LINE_HEIGHT = 14.0  # points per wrapped line at FONT_SIZE

_EXCEL_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_NUMBER_TEXT = "%.16g"  # how openpyxl writes a number into the file


def shown_number(value: float) -> float:
    """The number a cell holds after `value` is written to the file and read back.

    Parameters
    ----------
    value : float
        A number written into a cell.

    Returns
    -------
    float
        `value` as the file's 16-digit number text gives it back; differs from
        `value` when the file cannot hold it exactly (it then travels in the
        metadata sheet).
    """
    return float(_NUMBER_TEXT % value)


def write_workbook(forms: Iterable[Form]) -> bytes:
    """The .xlsx bytes of a workbook with one sheet per form in the official layout.

    Parameters
    ----------
    forms : iterable of Form
        The forms, one sheet each, in this order (a Portfolio gives its document order).

    Returns
    -------
    bytes
        The workbook file. Reading it back with `selfeval_kit.importers.workbook.read_workbook`
        gives the forms' data unchanged, ids and `seq` included.

    Raises
    ------
    DataError
        When there are no forms, a text cannot be stored in a cell (longer than
        32,767 characters, or holding control characters), or the workbook would store
        more than `MAX_WORKBOOK_CELLS` cells (more than the reader reads back).
    """
    forms = list(forms)
    if not forms:
        raise DataError.single("workbook", "no forms to write")
    workbook = Workbook()
    workbook.remove(workbook.active)
    meta_rows: list[tuple[str, str, Any]] = []
    taken: set[str] = {META_SHEET.lower(), "history"}  # "History" is reserved by Excel
    styles = _styles()
    for form in forms:
        title = _sheet_title(form.id, taken)
        sheet = workbook.create_sheet(title)
        exact = _write_form_sheet(sheet, form, styles)
        meta_rows.append((title, "id", form.id))
        if form.seq is not None:
            meta_rows.append((title, "seq", form.seq))
        meta_rows.extend((title, path, value) for path, value in exact)
    _write_meta_sheet(workbook.create_sheet(META_SHEET), meta_rows)
    cells = sum(len(sheet._cells) for sheet in workbook.worksheets)
    if cells > MAX_WORKBOOK_CELLS:
        raise DataError.single(
            "workbook",
            f"{len(forms)} forms make a workbook of {cells} cells; the importer reads workbooks of at most "
            f"{MAX_WORKBOOK_CELLS}: export fewer forms into one workbook",
        )
    workbook.active = 0
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_workbook_file(forms: Iterable[Form], path: str | Path) -> Path:
    """Write the workbook of `forms` to `path` atomically (never a half-written file).

    Parameters
    ----------
    forms : iterable of Form
        As for `write_workbook`.
    path : str or Path
        The .xlsx file to write; its folder is created if needed.

    Returns
    -------
    Path
        `path`.

    Raises
    ------
    DataError
        As `write_workbook`.
    WriteError
        (an OSError, from `selfeval_kit.files`) When the file cannot be written, naming `path`
        and the system's reason; an earlier file at `path` is left as it was.
    """
    return atomic_write_bytes(path, write_workbook(forms))


def _sheet_title(form_id: str, taken: set[str]) -> str:
    """An Excel-safe, unique (case-insensitively) sheet title of at most 31 characters."""
    base = _EXCEL_FORBIDDEN.sub("_", form_id).strip("'") or "form"
    candidate, n = base[:MAX_SHEET_TITLE], 2
    while candidate.lower() in taken:
        suffix = f"~{n}"
        candidate, n = base[: MAX_SHEET_TITLE - len(suffix)] + suffix, n + 1
    taken.add(candidate.lower())
    return candidate


@dataclass
class _Styles:
    font: Any
    bold: Any
    title: Any
    border: Any
    center: Any
    left: Any
    right: Any
    cache: dict = field(default_factory=dict)


def _styles() -> _Styles:
    thin = Side(style="thin")
    return _Styles(
        font=Font(name=FONT_NAME, size=FONT_SIZE),
        bold=Font(name=FONT_NAME, size=FONT_SIZE, bold=True),
        title=Font(name=FONT_NAME, size=16, bold=True),
        border=Border(left=thin, right=thin, top=thin, bottom=thin),
        center=Alignment(horizontal="center", vertical="center", wrap_text=True),
        left=Alignment(horizontal="left", vertical="center", wrap_text=True),
        right=Alignment(horizontal="right", vertical="center", wrap_text=True),
    )


class _SheetWriter:
    """Writes cells of one sheet; collects values the cells cannot carry exactly."""

    def __init__(self, sheet, form: Form, styles: _Styles):
        self.sheet = sheet
        self.form = form
        self.s = styles
        self.exact: list[tuple[str, Any]] = []

    def put(
        self,
        row: int,
        col: int,
        value,
        *,
        path: str | None = None,
        align=None,
        font=None,
        fmt: str | None = None,
        border: bool = True,
        end_col: int | None = None,
        end_row: int | None = None,
    ):
        """Write one value (optionally merged over a range), styled; strings always as text."""
        end_col, end_row = end_col or col, end_row or row
        if end_col != col or end_row != row:
            self.sheet.merge_cells(start_row=row, start_column=col, end_row=end_row, end_column=end_col)
        cell = self.sheet.cell(row=row, column=col)
        if isinstance(value, str):
            self._put_text(cell, value, path)
        else:
            cell.value = value
            if path and isinstance(value, float) and shown_number(value) != value:
                self.exact.append((path, value))
        style = self._style(font or self.s.font, align or self.s.center, border, fmt)
        for r in range(row, end_row + 1):
            for c in range(col, end_col + 1):
                target = self.sheet.cell(row=r, column=c)
                quote = target.quotePrefix
                target._style = copy(style)  # openpyxl's own idiom for copying a cell's style
                if quote:
                    target.quotePrefix = True
        return cell

    def _put_text(self, cell, value: str, path: str | None) -> None:
        """A string as a text cell, never a formula; an exact value where the cell would lose it."""
        if len(value) > MAX_CELL_CHARS:
            raise DataError.single(
                self.form.id,
                f"text of {len(value)} characters; an Excel cell holds at most {MAX_CELL_CHARS}",
                path or "",
            )
        try:
            cell.value = value
        except IllegalCharacterError as exc:  # control characters
            raise DataError.single(self.form.id, f"cannot be written to Excel: {exc}", path or "") from None
        cell.data_type = "s"  # never a formula ("=200人") nor an error code ("#N/A")
        if value[:1] in ("=", "+", "-", "@"):
            cell.quotePrefix = True  # Excel keeps it text when the cell is edited
        if path and (value == "" or "\r" in value):
            self.exact.append((path, value))

    def _style(self, font, align, border: bool, fmt: str | None):
        """The style array of a combination, built once (setting styles cell by cell is slow)."""
        key = (id(font), id(align), border, fmt)
        if key not in self.s.cache:
            probe = self.sheet.cell(row=1, column=1)
            saved = copy(probe._style)
            probe.font, probe.alignment = font, align
            if border:
                probe.border = self.s.border
            probe.number_format = fmt or "General"
            self.s.cache[key] = copy(probe._style)
            probe._style = saved
        return self.s.cache[key]

    def text(self, row, col, value: str | None, path: str, **kw):
        """A free-text cell: stored as text (format '@'); empty where the value is None."""
        return self.put(row, col, value, path=path, fmt="@", **kw)


def _write_form_sheet(sheet, form: Form, styles: _Styles) -> list[tuple[str, Any]]:
    """Lay out one form; returns (field path, exact value) pairs for the metadata sheet."""
    w = _SheetWriter(sheet, form, styles)
    for index, width in enumerate(COLUMN_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    _write_header(w)
    reason_row = _write_funds(w, top=5)
    goal = reason_row + 1
    _write_goal(w, goal)
    last = _write_table(w, head=goal + 2)
    _page_setup(sheet, last)
    return w.exact


def _write_header(w: _SheetWriter) -> None:
    """Title and year (rows 1-2); 项目名称, 主管部门 and 实施单位 (rows 3-4)."""
    sheet, form, s = w.sheet, w.form, w.s
    w.put(1, 1, label("form"), font=s.title, border=False, end_col=NCOLS)
    sheet.row_dimensions[1].height = 28
    w.put(2, 1, f"（{form.year}{label('year')}）", border=False, end_col=NCOLS)
    w.put(3, 1, label("name"), font=s.bold, end_col=2)
    w.text(3, 3, form.name, "name", align=s.left, end_col=NCOLS)
    w.put(4, 1, label("department"), font=s.bold, end_col=2)
    w.text(4, 3, form.department, "department", align=s.left, end_col=4)
    w.put(4, 5, label("implementer"), font=s.bold)
    w.text(4, 6, form.implementer, "implementer", align=s.left, end_col=NCOLS)
    _fit_row(sheet, 3, [(form.name, sum(COLUMN_WIDTHS[2:]))])
    _fit_row(sheet, 4, [(form.department, sum(COLUMN_WIDTHS[2:4])), (form.implementer, sum(COLUMN_WIDTHS[5:]))])


def _write_funds(w: _SheetWriter, top: int) -> int:
    """The funds block from row `top`; returns the row of its 执行偏差原因 line.

    Label column A over six rows, row labels in B, amounts C..E, 分值 执行率 得分 F..H,
    then the 执行偏差原因 row (funds.total.reason: label in B, the text over C..H).
    """
    sheet, form, s = w.sheet, w.form, w.s
    w.put(top, 1, f"{label('funds')}（{form.unit}）", font=s.bold, end_row=top + len(FUNDS_ROWS) + 1)
    w.put(top, 2, None)
    heads = (*AMOUNTS, "weight", "execution_rate", "score")
    for offset, key in enumerate(heads):
        w.put(top, 3 + offset, label(key), font=s.bold)
    for index, row_key in enumerate(FUNDS_ROWS, start=1):
        row = top + index
        funds_row = getattr(form.funds, row_key)
        row_label = (SUBROW_PREFIX if index == 2 else "") + label(row_key)
        w.put(row, 2, row_label, align=s.left)
        for offset, amount in enumerate(AMOUNTS):
            value = getattr(funds_row, amount)
            w.put(row, 3 + offset, value, path=f"funds.{row_key}.{amount}", fmt="#,##0.00", align=s.right)
        if row_key == "total":
            w.put(row, 6, funds_row.weight, path="funds.total.weight")
            w.text(row, 7, funds_row.execution_rate, "funds.total.execution_rate")
            w.put(row, 8, funds_row.score, path="funds.total.score")
        else:
            w.put(row, 6, DASH)
            w.put(row, 7, None)
            w.put(row, 8, DASH)
    reason_row = top + len(FUNDS_ROWS) + 1
    w.put(reason_row, 2, label("reason"), font=s.bold)
    w.text(reason_row, 3, form.funds.total.reason, "funds.total.reason", align=s.left, end_col=NCOLS)
    _fit_row(sheet, reason_row, [(form.funds.total.reason, sum(COLUMN_WIDTHS[2:]))])
    return reason_row


def _write_goal(w: _SheetWriter, goal: int) -> None:
    """年度总体目标 on rows `goal` and `goal + 1`: 预期目标 (B..D) and 实际完成情况 (E..H) side by side."""
    sheet, form, s = w.sheet, w.form, w.s
    w.put(goal, 1, label("annual_goal"), font=s.bold, end_row=goal + 1)
    w.put(goal, 2, label("goal_planned"), font=s.bold, end_col=4)
    w.put(goal, 5, label("goal_achieved"), font=s.bold, end_col=NCOLS)
    w.text(goal + 1, 2, form.annual_goal.planned, "annual_goal.planned", align=s.left, end_col=4)
    w.text(goal + 1, 5, form.annual_goal.achieved, "annual_goal.achieved", align=s.left, end_col=NCOLS)
    _fit_row(
        sheet,
        goal + 1,
        [(form.annual_goal.planned, sum(COLUMN_WIDTHS[1:4])), (form.annual_goal.achieved, sum(COLUMN_WIDTHS[4:]))],
    )


def _write_table(w: _SheetWriter, head: int) -> int:
    """The indicator table with its header on row `head`, then the 总分 row; returns that last row."""
    sheet, form, s = w.sheet, w.form, w.s
    for col, key in enumerate(TABLE_KEYS, start=1):
        w.put(head, col, label(key), font=s.bold)
    _fit_row(sheet, head, [(label(k), COLUMN_WIDTHS[i]) for i, k in enumerate(TABLE_KEYS)])
    first = head + 1
    for index, ind in enumerate(form.indicators):
        row, path = first + index, f"indicators[{index}]"
        w.text(row, 3, ind.name, f"{path}.name", align=s.left)
        w.text(row, 4, ind.target, f"{path}.target")
        w.text(row, 5, ind.actual, f"{path}.actual")
        w.put(row, 6, ind.weight, path=f"{path}.weight")
        w.put(row, 7, ind.score, path=f"{path}.score")
        w.text(row, 8, ind.deviation_note, f"{path}.deviation_note", align=s.left)
        texts: list[tuple[str | None, float]] = [
            (ind.name, COLUMN_WIDTHS[2]),
            (ind.target, COLUMN_WIDTHS[3]),
            (ind.actual, COLUMN_WIDTHS[4]),
            (ind.deviation_note, COLUMN_WIDTHS[7]),
            (ind.level2, COLUMN_WIDTHS[1]),
        ]
        _fit_row(sheet, row, texts)
    for key, col in (("level1", 1), ("level2", 2)):
        for start, end in _runs(form, key):
            # Every row of the run has this value (that is what the merge says); a row whose value
            # a merge cannot show exactly never joins a run, see _runs.
            value = getattr(form.indicators[start], key)
            w.text(first + start, col, value, f"indicators[{start}].{key}", end_row=first + end)
    last = first + len(form.indicators)
    w.put(last, 1, label("total_score"), font=s.bold, end_col=5)
    w.put(last, 6, FULL_MARKS)
    w.put(last, 7, form.total_score, path="total_score")
    w.put(last, 8, None)
    return last


def _runs(form: Form, key: str) -> list[tuple[int, int]]:
    """Index ranges [start, end] of consecutive indicators sharing `key` (and, for level2, level1)."""

    def group(i: int) -> tuple:
        ind = form.indicators[i]
        return (ind.level1,) if key == "level1" else (ind.level1, ind.level2)

    runs, start = [], 0
    for i in range(1, len(form.indicators) + 1):
        if i == len(form.indicators) or group(i) != group(start):
            runs.append((start, i - 1))
            start = i
    return runs


def _text_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _fit_row(sheet, row: int, texts: list[tuple[str | None, float]]) -> None:
    """Set a row height that shows every wrapped text (Excel does not fit merged cells itself)."""
    lines = 1
    for text, width in texts:
        if not text:
            continue
        per_line = max(width - 1.5, 1)
        lines = max(lines, sum(max(1, math.ceil(_text_width(part) / per_line)) for part in text.split("\n")))
    if lines > 1:
        sheet.row_dimensions[row].height = lines * LINE_HEIGHT + 4


def _page_setup(sheet, last_row: int) -> None:
    sheet.print_area = f"A1:{get_column_letter(NCOLS)}{last_row}"
    sheet.page_setup.orientation = "portrait"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # as many pages tall as needed
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.5
    sheet.page_margins.top = sheet.page_margins.bottom = 0.6
    sheet.oddFooter.center.text = "&P / &N"
    sheet.sheet_view.showGridLines = False


def _write_meta_sheet(sheet, rows: list[tuple[str, str, Any]]) -> None:
    sheet.sheet_state = "hidden"
    sheet.cell(row=1, column=1, value=META_MARKER)
    sheet.cell(row=1, column=2, value=META_VERSION)
    sheet.cell(row=1, column=3, value="Written by selfeval-kit: form ids and exact values. Do not edit.")
    for col, name in enumerate(META_HEADER, start=1):
        sheet.cell(row=2, column=col, value=name)
    for index, (title, path, value) in enumerate(rows, start=3):
        sheet.cell(row=index, column=1, value=title).data_type = "s"
        sheet.cell(row=index, column=2, value=path).data_type = "s"
        cell = sheet.cell(row=index, column=3, value=json.dumps(value, ensure_ascii=False))
        cell.data_type = "s"
    sheet.column_dimensions["A"].width = 32
    sheet.column_dimensions["B"].width = 32
    sheet.column_dimensions["C"].width = 40
