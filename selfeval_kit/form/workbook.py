"""Forms as an Excel workbook (.xlsx) in the official layout: what `selfeval export --format xlsx` writes.

`write_workbook` gives one sheet per form, laid out like the printed
财政项目支出绩效自评表: title and year, header rows, the funds block, the annual goal
side by side, the indicator table with 一级/二级指标 merged over their runs of
rows, and the 总分 row; A4 portrait, fit to one page wide, the indicator table's
header repeated on every printed page. Every row has a height that shows its
wrapped cells, and prose (goals, 执行偏差原因, 偏差原因分析) carries its line breaks
in the text (`selfeval_kit.form.sheetstyle`): LibreOffice would otherwise start
lines with "，" or "。". Every funds cell shows a value or "—".

What the cells cannot carry travels in a hidden sheet `_selfeval` (hidden sheets
are not printed; a form id cannot start with "_", so it never collides with a
form's sheet). It is a three-column table `sheet | field | value` (value as JSON):

* `id` and `seq` of the form shown on that sheet;
* exact values a cell would lose: a float that Excel's 16-digit number text
  cannot hold, an empty string (an empty cell reads back as "nothing"), a text
  with carriage returns, a text the cell shows with line breaks added for print,
  a text of dashes the cell shows where nothing would read back as nothing. The
  reader (`selfeval_kit.importers.exact`) applies such an entry only if the
  cell still shows what was written (`shown_number`; for texts, up to white
  space and line breaks), so an edit made in Excel always wins.

The constants of the layout that the reader relies on (`META_SHEET`,
`META_MARKER`, `FUNDS_ROWS`, `AMOUNTS`) are defined here, once, and so is
`MAX_WORKBOOK_CELLS`, the most cells a workbook the reader reads may store: the
writer refuses to write more, so that what it writes can be read back.
"""

from __future__ import annotations

import io
import json
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
from selfeval_kit.form.sheetstyle import (
    FONT_CHARSET,
    FONT_NAME,
    FONT_SIZE,
    POINTS_FORMAT,
    break_lines,
    line_count,
    row_height,
)

__all__ = [
    "AMOUNTS",
    "FUNDS_ROWS",
    "MAX_WORKBOOK_CELLS",
    "META_MARKER",
    "META_SHEET",
    "shown_number",
    "shows_nothing",
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
DASH = "—"  # printed in every funds cell without a value (read back as nothing)
AMOUNT_FORMAT = "#,##0.00"  # amounts as the form prints them: 296,272.00
FULL_MARKS = 100  # the 总分 row's 分值 on the official form

# Cells stored in all sheets of a workbook, at most: the reader counts them in the file's XML before
# loading it (each costs ~0.5 KB and ~20 us in openpyxl). One sheet of a form of 1,000 indicators
# stores ~8,200; the 11 forms of 2022 2,579 in all (with the metadata of their print line breaks).
MAX_WORKBOOK_CELLS = 150_000

# Excel limits.
MAX_SHEET_TITLE = 31
MAX_CELL_CHARS = 32767

# Layout of the written sheet: columns A..H are the indicator table's eight columns.
TABLE_KEYS = ("level1", "level2", "indicator", "target", "actual", "weight", "score", "deviation_note")
# Units of the width of "0" (a CJK glyph takes 2): A holds 5 glyphs (满意度指标), B 7 (可持续影响指标),
# F and G "100.00" and "100.00%" in Excel, whose numbers do not wrap (they show ####).
COLUMN_WIDTHS = (11, 16, 22, 13, 13, 8, 9, 20)
NCOLS = len(TABLE_KEYS)
TITLE_HEIGHT = 28.0  # points: the 16 pt title
# Labels as printed where the plain label would wrap badly (a "）" or a lone "标" on its own line).
PRINTED_LABELS = {
    "annual_goal": "年度\n总体目标",
    "appropriation": SUBROW_PREFIX + "\n" + label("appropriation"),
    "deviation_note": "偏差原因分析\n及改进措施",
}

_EXCEL_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_DASHES = re.compile(r"[-—–/\\]+")
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


def shows_nothing(text: str) -> bool:
    """Whether a cell's text says "no value": dashes only ("—", "-", "/"), as the funds block prints.

    Parameters
    ----------
    text : str
        A cell's text.

    Returns
    -------
    bool
        True for a text the reader reads back as nothing (None); the writer records the exact value
        of a field whose text is such.
    """
    return bool(_DASHES.fullmatch(unicodedata.normalize("NFKC", text).strip()))


def write_workbook(forms: Iterable[Form]) -> bytes:
    """The .xlsx bytes of a workbook with one sheet per form in the official layout.

    Parameters
    ----------
    forms : iterable of Form
        The forms, one sheet each, in this order (a Portfolio gives its document order).

    Returns
    -------
    bytes
        The workbook file. Reading it back with `selfeval_kit.importers.source.read_source`
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
        font=Font(name=FONT_NAME, size=FONT_SIZE, charset=FONT_CHARSET),
        bold=Font(name=FONT_NAME, size=FONT_SIZE, bold=True, charset=FONT_CHARSET),
        title=Font(name=FONT_NAME, size=16, bold=True, charset=FONT_CHARSET),
        border=Border(left=thin, right=thin, top=thin, bottom=thin),
        center=Alignment(horizontal="center", vertical="center", wrap_text=True),
        left=Alignment(horizontal="left", vertical="center", wrap_text=True),
        right=Alignment(horizontal="right", vertical="center", wrap_text=True),
    )


class _SheetWriter:
    """Writes cells of one sheet; collects values the cells cannot carry exactly, and the lines
    each row's wrapped cells need."""

    def __init__(self, sheet, form: Form, styles: _Styles):
        self.sheet = sheet
        self.form = form
        self.s = styles
        self.exact: list[tuple[str, Any]] = []
        self.lines: dict[int, int] = {}  # row: the most lines a cell of it shows
        self.spans: list[tuple[int, int, int]] = []  # (first row, last row, lines) of a merged cell

    def need(self, row: int, text: str | None, col: int, end_col: int | None = None) -> None:
        """Note the lines `text` takes in `row`, in columns `col`..`end_col`."""
        lines = line_count(text, _width(col, end_col or col))
        self.lines[row] = max(self.lines.get(row, 1), lines)

    def need_span(self, first: int, last: int, text: str | None, col: int) -> None:
        """Note the lines of a cell merged over rows `first`..`last` of column `col`."""
        if first == last:
            self.need(first, text, col)
        else:
            self.spans.append((first, last, line_count(text, _width(col, col))))

    def finish(self, last_row: int) -> None:
        """Set every row's height: no application sizes a merged or wrapped cell itself."""
        heights = {row: row_height(self.lines.get(row, 1)) for row in range(1, last_row + 1)}
        heights[1] = TITLE_HEIGHT
        for first, last, lines in self.spans:
            rows = range(first, last + 1)
            short = row_height(lines) - sum(heights[r] for r in rows)
            for r in rows:
                heights[r] += max(short, 0) / len(rows)
        for row, height in heights.items():
            self.sheet.row_dimensions[row].height = round(height, 2)

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

    def prose(self, row: int, col: int, value: str | None, path: str, *, end_col: int | None = None, **kw):
        """A text cell with its print line breaks written in (避头尾, see `sheetstyle`); the text
        itself travels in the metadata when the cell shows it with breaks added."""
        end = end_col or col
        shown = None if value is None else break_lines(value, _width(col, end))
        recorded = len(self.exact)
        cell = self.text(row, col, shown, path, end_col=end_col, **kw)
        del self.exact[recorded:]  # what text() recorded is the shown text, not the value
        if value is not None and (shown != value or value == "" or "\r" in value):
            self.exact.append((path, value))
        self.lines[row] = max(self.lines.get(row, 1), 1 + (shown or "").count("\n"))
        return cell

    def dash(self, row: int, col: int, value, path: str | None = None, **kw):
        """A funds cell: its value, or "—" where it has none (read back as nothing)."""
        if path and isinstance(value, str) and (value == "" or shows_nothing(value)):
            self.exact.append((path, value))  # the cell reads back as nothing: the text travels aside
        if value is None or value == "":
            return self.put(row, col, DASH, **kw)
        return self.put(row, col, value, path=path, **kw)


def _width(col: int, end_col: int) -> float:
    """The width in column units of columns `col`..`end_col` (merged: their sum)."""
    return float(sum(COLUMN_WIDTHS[col - 1 : end_col]))


def _write_form_sheet(sheet, form: Form, styles: _Styles) -> list[tuple[str, Any]]:
    """Lay out one form; returns (field path, exact value) pairs for the metadata sheet."""
    w = _SheetWriter(sheet, form, styles)
    for index, width in enumerate(COLUMN_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    _write_header(w)
    reason_row = _write_funds(w, top=5)
    goal = reason_row + 1
    _write_goal(w, goal)
    head = goal + 2
    last = _write_table(w, head=head)
    w.finish(last)
    _page_setup(sheet, head, last)
    return w.exact


def _write_header(w: _SheetWriter) -> None:
    """Title and year (rows 1-2); 项目名称, 主管部门 and 实施单位 (rows 3-4)."""
    form, s = w.form, w.s
    w.put(1, 1, label("form"), font=s.title, border=False, end_col=NCOLS)
    w.put(2, 1, f"（{form.year}{label('year')}）", border=False, end_col=NCOLS)
    w.put(3, 1, label("name"), font=s.bold, end_col=2)
    w.prose(3, 3, form.name, "name", align=s.left, end_col=NCOLS)
    w.put(4, 1, label("department"), font=s.bold, end_col=2)
    w.prose(4, 3, form.department, "department", align=s.left, end_col=4)
    w.put(4, 5, label("implementer"), font=s.bold)
    w.prose(4, 6, form.implementer, "implementer", align=s.left, end_col=NCOLS)


def _write_funds(w: _SheetWriter, top: int) -> int:
    """The funds block from row `top`; returns the row of its 执行偏差原因 line.

    Label column A over six rows, row labels in B, amounts C..E, 分值 执行率 得分 F..H,
    then the 执行偏差原因 row (funds.total.reason: label in B, the text over C..H). Every
    cell shows a value or "—" (the sub-rows have no 分值, 执行率 and 得分 of their own).
    """
    form, s = w.form, w.s
    funds_label = f"{label('funds')}\n（{form.unit}）"  # never a lone "）" on the second line
    w.put(top, 1, funds_label, font=s.bold, end_row=top + len(FUNDS_ROWS) + 1)
    w.put(top, 2, None)
    heads = (*AMOUNTS, "weight", "execution_rate", "score")
    for offset, key in enumerate(heads):
        w.put(top, 3 + offset, label(key), font=s.bold)
    for index, row_key in enumerate(FUNDS_ROWS, start=1):
        row = top + index
        funds_row = getattr(form.funds, row_key)
        row_label = PRINTED_LABELS.get(row_key) or (SUBROW_PREFIX if index == 2 else "") + label(row_key)
        w.put(row, 2, row_label, align=s.left)
        w.need(row, row_label, 2)
        for offset, amount in enumerate(AMOUNTS):
            path = f"funds.{row_key}.{amount}"
            w.dash(row, 3 + offset, getattr(funds_row, amount), path, fmt=AMOUNT_FORMAT, align=s.right)
        if row_key == "total":
            w.dash(row, 6, funds_row.weight, "funds.total.weight", fmt=POINTS_FORMAT)
            w.dash(row, 7, funds_row.execution_rate, "funds.total.execution_rate", fmt="@")
            w.dash(row, 8, funds_row.score, "funds.total.score", fmt=POINTS_FORMAT)
        else:
            for col in (6, 7, 8):
                w.put(row, col, DASH)
    reason_row = top + len(FUNDS_ROWS) + 1
    reason = form.funds.total.reason
    w.put(reason_row, 2, label("reason"), font=s.bold)
    if reason is None or reason == "" or shows_nothing(reason):
        w.dash(reason_row, 3, reason, "funds.total.reason", align=s.left, fmt="@", end_col=NCOLS)
    else:
        w.prose(reason_row, 3, reason, "funds.total.reason", align=s.left, end_col=NCOLS)
    return reason_row


def _write_goal(w: _SheetWriter, goal: int) -> None:
    """年度总体目标 on rows `goal` and `goal + 1`: 预期目标 (B..D) and 实际完成情况 (E..H) side by side."""
    form, s = w.form, w.s
    w.put(goal, 1, PRINTED_LABELS["annual_goal"], font=s.bold, end_row=goal + 1)
    w.put(goal, 2, label("goal_planned"), font=s.bold, end_col=4)
    w.put(goal, 5, label("goal_achieved"), font=s.bold, end_col=NCOLS)
    w.prose(goal + 1, 2, form.annual_goal.planned, "annual_goal.planned", align=s.left, end_col=4)
    w.prose(goal + 1, 5, form.annual_goal.achieved, "annual_goal.achieved", align=s.left, end_col=NCOLS)
    w.need_span(goal, goal + 1, PRINTED_LABELS["annual_goal"], 1)


def _write_table(w: _SheetWriter, head: int) -> int:
    """The indicator table with its header on row `head`, then the 总分 row; returns that last row."""
    form, s = w.form, w.s
    for col, key in enumerate(TABLE_KEYS, start=1):
        text = PRINTED_LABELS.get(key, label(key))
        w.put(head, col, text, font=s.bold)
        w.need(head, text, col)
    first = head + 1
    for index, ind in enumerate(form.indicators):
        row, path = first + index, f"indicators[{index}]"
        w.prose(row, 3, ind.name, f"{path}.name", align=s.left)
        w.prose(row, 4, ind.target, f"{path}.target")
        w.prose(row, 5, ind.actual, f"{path}.actual")
        w.put(row, 6, ind.weight, path=f"{path}.weight", fmt=POINTS_FORMAT)
        w.put(row, 7, ind.score, path=f"{path}.score", fmt=POINTS_FORMAT)
        w.prose(row, 8, ind.deviation_note, f"{path}.deviation_note", align=s.left)
    for key, col in (("level1", 1), ("level2", 2)):
        for start, end in _runs(form, key):
            # Every row of the run has this value (that is what the merge says); a row whose value
            # a merge cannot show exactly never joins a run, see _runs.
            value = getattr(form.indicators[start], key)
            w.text(first + start, col, value, f"indicators[{start}].{key}", end_row=first + end)
            w.need_span(first + start, first + end, value, col)
    last = first + len(form.indicators)
    w.put(last, 1, label("total_score"), font=s.bold, end_col=5)
    w.put(last, 6, FULL_MARKS, fmt=POINTS_FORMAT)
    w.put(last, 7, form.total_score, path="total_score", fmt=POINTS_FORMAT)
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


def _page_setup(sheet, head: int, last_row: int) -> None:
    """A4 portrait, one page wide and as many tall as needed, the table header on every page."""
    sheet.print_area = f"A1:{get_column_letter(NCOLS)}{last_row}"
    sheet.print_title_rows = f"{head}:{head}"  # a page the table spills onto starts with its header
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
