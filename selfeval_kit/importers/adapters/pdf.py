"""The PDF adapter: a PDF's ruled tables as `Table`s of `Cell`s, its other text as `Line`s.

    read(Path("forms_2022.pdf"), data).blocks
    → [Line("财政项目支出绩效自评表", "第1页 第1行"), Line("（2022年度）", "第1页 第2行"),
       Table([Cell("项目名称", 0, 0, colspan=2), Cell("上海市科技行政服务热线系统（运维）", 0, 2, colspan=6), ...],
             where="第1页 表1"), ...]

It knows nothing of forms. How it reads, and why:

* Tables are found by their ruling lines (pdfplumber's default ``lines`` strategy), which is how
  LibreOffice, Chromium and most government PDFs print them. A page without ruled tables is
  read as laid-out lines: pdfplumber's layout text (a character to `_LAYOUT_DENSITY` points of
  width, so that narrow digits do not push the next column to the right), each line with its
  indent, which `selfeval_kit.importers.layout` turns into tables by the words' positions.
* A table's grid comes from its cell rectangles: the distinct x and y edges (within
  `_EDGE_TOLERANCE`) are its column and row boundaries, a rectangle spanning several of them
  is a merged cell (pdfplumber has one rectangle for it and None in the positions it covers).
* Characters go to the cell holding their centre, not to whatever a crop of the cell touches:
  cropping bleeds the text of one row into the next. Where a typesetter let a wrapped cell
  overflow its row (LibreOffice centres a two-line "其中：当年财政\\n拨款" in a one-line row,
  so its first line sits on the row above), the overflowing line collides with that row's own
  text; such a line is moved back across the border it sticks out of (`_settle_overflow`).
* A cell's visual lines are kept apart by ``"\\n"``, except a line that starts with closing
  punctuation, which no typesetter means to begin a line ("项目资金（元" + "）" is one line).
* Fonts that share a glyph between a CJK radical and an ideograph make pdfminer report the
  radical (Chromium prints 用户 as "⽤⼾"); these are mapped back (`_ideograph`).
* A table continued on the next page stays two tables; joining them is the reader's business.
"""

from __future__ import annotations

import logging
import unicodedata
from bisect import bisect_right
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from io import BytesIO
from itertools import pairwise
from pathlib import Path
from typing import Any

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdfparser import PDFSyntaxError
from pdfminer.psparser import PSException
from pdfplumber.utils import cluster_objects, collate_line, dedupe_chars
from pdfplumber.utils.exceptions import MalformedPDFException, PdfminerException

from selfeval_kit.errors import DataError
from selfeval_kit.importers.adapters.text import split_parts
from selfeval_kit.importers.cells import Block, Cell, Document, Line, Table

__all__ = ["MAX_PAGES", "read"]

MAX_PAGES = 500  # a self-evaluation report is tens of pages; more is not what we read
_EDGE_TOLERANCE = 2.0  # pt: cell edges closer than this are one grid line
_LINE_TOLERANCE = 3.0  # pt: characters whose tops differ less are on one visual line
_X_TOLERANCE = 3.0  # pt: a gap wider than this between characters of a line is a space
_LAYOUT_DENSITY = 4.0  # pt of width a column of layout text: finer than a digit, so columns keep their x
_LAYOUT_LINE = 13.0  # pt between the tops of two lines of layout text (pdfplumber's own)
_CELL_GAP = 8.0  # pt: a wider gap between two words of a line parts two cells
_CUT_GAP = 6.0  # pt: text this close under a table's last border is a row the page's foot cut
_COLLISION = 1.0  # pt: two lines of a cell overlapping more than this cannot both be its own
_MAX_MOVES = 1000  # bound on overflow corrections of one table (each move is one line)

# Closing punctuation that cannot start a line (Chinese line-breaking rules): such a line joins
# the line before it.
_CLOSING = frozenset("）)】］]」』〉》”’，。、；：！？,.;:!?%％")

# Radicals reported for shared glyphs, mapped to the ideograph a simplified-Chinese text means.
# Kangxi radicals (U+2F00–U+2FD5) map by NFKC, except where NFKC gives the traditional form.
_KANGXI_OVERRIDES = {"⼾": "户", "⾭": "青"}
_SUPPLEMENT = dict(
    zip(
        "⺟⺠⺰⻄⻅⻆⻈⻉⻋⻐⻓⻔⻘⻙⻚⻛⻜⻝⻠⻢⻣⻤⻥⻦⻧⻨⻩⻬⻮⻰⻳",
        "母民纟西见角讠贝车钅长门青韦页风飞食饣马骨鬼鱼鸟卤麦黄齐齿龙龟",
        strict=True,
    )
)

_NO_TEXT = "PDF 没有文字层（扫描件？），请先做文字识别（OCR）再导入 (the PDF has no text layer; run OCR first)"


def read(path: Path, data: bytes) -> Document:
    """Read a PDF into tables and lines, page by page in reading order.

    Parameters
    ----------
    path : Path
        The file, for messages and `Document.source`.
    data : bytes
        Its content.

    Returns
    -------
    Document
        ``kind="pdf"``; tables ``where="第P页 表N"``, lines ``where="第P页 第N行"``; a note
        naming the pages without text, if some have text and some not.

    Raises
    ------
    DataError
        The file is not a readable PDF, is encrypted, has more than `MAX_PAGES` pages, or has
        no text layer at all.
    """
    document = Document(source=path, kind="pdf")
    blank: list[int] = []
    try:
        with _quiet_pdfminer(), pdfplumber.open(BytesIO(data)) as pdf:
            if len(pdf.pages) > MAX_PAGES:
                raise DataError.single(
                    path, f"PDF 有 {len(pdf.pages)} 页，超过上限 {MAX_PAGES} 页 (more than {MAX_PAGES} pages)"
                )
            for number, page in enumerate(pdf.pages, start=1):
                blocks = _read_page(page, number)
                if blocks is None:
                    blank.append(number)
                else:
                    document.blocks.extend(blocks)
                page.close()  # drop the page's cached objects: memory stays one page's worth
    except (PdfminerException, MalformedPDFException, PSException, PDFSyntaxError, PDFEncryptionError) as exc:
        raise DataError.single(path, _broken_message(exc)) from None
    if not document.blocks:
        raise DataError.single(path, _NO_TEXT)
    if blank:
        pages = "、".join(str(n) for n in blank)
        document.notes.append(f"第{pages}页没有文字层（扫描件？或空白页），未读取")
    return document


@contextmanager
def _quiet_pdfminer() -> Iterator[None]:
    """pdfminer logs a warning per odd font ("Could not get FontBBox ..."): noise to a user."""
    logger = logging.getLogger("pdfminer")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _broken_message(exc: Exception) -> str:
    """What to tell the user about a PDF pdfminer could not parse."""
    cause = exc.args[0] if isinstance(exc, PdfminerException) and exc.args else exc
    if isinstance(cause, (PDFPasswordIncorrect, PDFEncryptionError)):
        return "PDF 已加密，请先去掉密码保护再导入 (the PDF is encrypted)"
    detail = f"{type(cause).__name__}: {cause}" if isinstance(cause, Exception) else str(cause)
    return f"无法读取 PDF：文件损坏或不完整（{detail}） (not a readable PDF)"


# --- one page -------------------------------------------------------------------------------


def _read_page(page: Any, number: int) -> list[Block] | None:
    """The page's tables and lines in reading order (by top y); None if it has no text."""
    chars = dedupe_chars(page.chars)  # some PDFs print a character twice to embolden it
    if not any(c["text"].strip() for c in chars):
        return None
    grids = [_Grid.of(table.cells) for table in page.find_tables()]
    grids = [grid for grid in grids if grid.boxes]
    if not grids:
        return _layout_lines(page, number)
    for grid in grids:
        grid.adopt_cut_rows(chars)
    outside = []
    for char in chars:
        if not any(grid.take(char) for grid in grids):
            outside.append(char)
    placed: list[tuple[float, Block]] = []
    for index, grid in enumerate(grids, start=1):
        grid.settle_overflow()
        placed.append((grid.top, Table(grid.cells(), where=f"第{number}页 表{index}")))
    lines = [line for line in _visual_lines(outside) if line[1]]
    for index, (top, text) in enumerate(lines, start=1):
        placed.append((top, Line(text, where=f"第{number}页 第{index}行")))
    placed.sort(key=lambda item: item[0])  # stable: a table before a line at the same top
    return [block for _, block in placed]


def _layout_lines(page: Any, number: int) -> list[Block]:
    """A page without ruled tables as laid-out lines, blank ones too (a blank line a gap of
    `_LAYOUT_LINE` points). `Line.layout` has every word at the column of its x position
    (`_LAYOUT_DENSITY` points a column; at least a space after the word before); `Line.text` the
    words as printed: one space between the words of a cell, two between cells (a gap over
    `_CELL_GAP` points)."""
    words = page.dedupe_chars().extract_words(x_tolerance=_X_TOLERANCE, y_tolerance=_LINE_TOLERANCE)
    blocks: list[Block] = []
    previous = None
    for line in cluster_objects(words, "top", _LINE_TOLERANCE):
        line.sort(key=lambda w: w["x0"])
        top = min(w["top"] for w in line)
        if previous is not None:
            blocks += [Line("", "") for _ in range(max(0, round((top - previous) / _LAYOUT_LINE) - 1))]
        previous = top
        layout, printed, end = "", "", None
        for word in line:
            text = _ideograph(word["text"])
            column = max(round(word["x0"] / _LAYOUT_DENSITY), len(layout) + 1 if layout else 0)
            layout = layout.ljust(column) + text
            printed += ("" if end is None else "  " if word["x0"] - end > _CELL_GAP else " ") + text
            end = word["x1"]
        blocks.append(Line(printed, "", split_parts(printed), layout=layout))
    return [replace(b, where=f"第{number}页 第{k}行") for k, b in enumerate(blocks, start=1)]


def _line_top(line: list[dict]) -> float:
    return min(c["top"] for c in line)


def _visual_lines(chars: list[dict]) -> list[tuple[float, str]]:
    """`chars` as visual lines, top to bottom: (top, text), text stripped and mapped."""
    lines = cluster_objects(chars, "top", _LINE_TOLERANCE)
    found = []
    for line in lines:
        text = _ideograph(collate_line(line, tolerance=_X_TOLERANCE)).strip()
        found.append((min(c["top"] for c in line), text))
    found.sort(key=lambda item: item[0])
    return found


def _ideograph(text: str) -> str:
    """`text` with radicals from shared glyphs mapped to their ideographs."""
    if not any("\u2e80" <= ch <= "\u2fdf" for ch in text):
        return text
    out = []
    for ch in text:
        if ch in _SUPPLEMENT:
            out.append(_SUPPLEMENT[ch])
        elif "\u2f00" <= ch <= "\u2fd5":
            out.append(_KANGXI_OVERRIDES.get(ch) or unicodedata.normalize("NFKC", ch))
        else:
            out.append(ch)
    return "".join(out)


def _cell_text(chars: list[dict]) -> str:
    """A cell's text: its visual lines joined by "\\n", a line of closing punctuation glued on."""
    text = ""
    for _, line in _visual_lines(chars):
        if not line:
            continue
        text += line if not text or line[0] in _CLOSING else "\n" + line
    return text


# --- one table ------------------------------------------------------------------------------


def _edges(values: list[float]) -> list[float]:
    """Distinct grid lines among `values`: values within `_EDGE_TOLERANCE` are one, their mean."""
    groups: list[list[float]] = []
    for value in sorted(values):
        if groups and value - groups[-1][-1] <= _EDGE_TOLERANCE:
            groups[-1].append(value)
        else:
            groups.append([value])
    return [sum(group) / len(group) for group in groups]


def _nearest(edges: list[float], value: float) -> int:
    """Index of the grid line nearest to `value`."""
    return min(range(len(edges)), key=lambda i: abs(edges[i] - value))


@dataclass(eq=False)
class _Box:
    """A cell rectangle being filled: its grid position and the characters it holds."""

    bbox: tuple[float, float, float, float]
    row: int
    col: int
    rowspan: int
    colspan: int
    chars: list[dict] = field(default_factory=list)


@dataclass
class _Grid:
    """A table's cell rectangles on the grid of their edges."""

    xs: list[float]
    ys: list[float]
    boxes: list[_Box]
    at: dict[tuple[int, int], _Box]

    @classmethod
    def of(cls, rectangles: list[tuple[float, float, float, float]]) -> _Grid:
        """The grid of pdfplumber's cell rectangles (x0, top, x1, bottom); a rectangle
        covering positions another already covers is left out."""
        xs = _edges([v for r in rectangles for v in (r[0], r[2])])
        ys = _edges([v for r in rectangles for v in (r[1], r[3])])
        grid = cls(xs, ys, [], {})
        for rect in sorted(rectangles, key=lambda r: (r[1], r[0])):
            col, end_col = _nearest(xs, rect[0]), _nearest(xs, rect[2])
            row, end_row = _nearest(ys, rect[1]), _nearest(ys, rect[3])
            spots = [(r, c) for r in range(row, end_row) for c in range(col, end_col)]
            if not spots or any(spot in grid.at for spot in spots):
                continue  # degenerate or overlapping: not a cell of this grid
            box = _Box(rect, row, col, end_row - row, end_col - col)
            grid.boxes.append(box)
            grid.at.update(dict.fromkeys(spots, box))
        grid.fill_holes()
        return grid

    def fill_holes(self) -> None:
        """Make a cell of each run of positions down a column that no rectangle covers.

        A merged cell that a page break cuts has no border at the page's foot, so pdfplumber
        finds no rectangle for its part on that page, and its label (产出指标, printed in that
        part) would fall outside the table. Runs side by side stay cells of their own: the 一级
        and 二级 cells a break cuts are two.
        """
        n_rows, n_cols = len(self.ys) - 1, len(self.xs) - 1
        runs: list[tuple[int, int, int]] = []  # (first row, end row, column)
        for col in range(n_cols):
            row = 0
            while row < n_rows:
                start = row
                while row < n_rows and (row, col) not in self.at:
                    row += 1
                if row > start:
                    runs.append((start, row, col))
                row += 1
        for start, end, col in runs:
            box = _Box((self.xs[col], self.ys[start], self.xs[col + 1], self.ys[end]), start, col, end - start, 1)
            self.boxes.append(box)
            self.at.update({(r, col): box for r in range(start, end)})

    def adopt_cut_rows(self, chars: list[dict]) -> None:
        """Take in a row the page's foot cut off: text right under the table's last border, within
        its columns, a line at a time while the lines follow each other closely. Such a row has no
        bottom border on this page, so pdfplumber leaves it out of the table; its cells are made by
        `fill_holes`. (Text right over a table is its title, not a row: only the foot is looked at.)"""
        left, right = self.xs[0], self.xs[-1]
        inside = [c for c in chars if left <= (c["x0"] + c["x1"]) / 2 <= right and c["text"].strip()]
        below = [c for c in inside if c["top"] >= self.ys[-1] - _EDGE_TOLERANCE]
        edge = self.ys[-1]
        for line in sorted(cluster_objects(below, "top", _LINE_TOLERANCE), key=_line_top):
            if min(c["top"] for c in line) - edge > _CUT_GAP:
                break
            edge = max(c["bottom"] for c in line)
        if edge > self.ys[-1]:
            self.ys.append(edge + _EDGE_TOLERANCE)
        self.fill_holes()

    @property
    def top(self) -> float:
        """The table's top y, for reading order."""
        return self.ys[0]

    def box_at(self, x: float, y: float) -> _Box | None:
        """The cell whose grid position holds the point, None outside the grid or a hole."""
        col = bisect_right(self.xs, x) - 1
        row = bisect_right(self.ys, y) - 1
        return self.at.get((row, col))

    def take(self, char: dict) -> bool:
        """Put `char` into the cell holding its centre; False if none does."""
        box = self.box_at((char["x0"] + char["x1"]) / 2, (char["top"] + char["bottom"]) / 2)
        if box is None:
            return False
        box.chars.append(char)
        return True

    def settle_overflow(self) -> None:
        """Move lines that overflowed into a neighbouring row back where they belong.

        A line is moved when it collides with another line of the cell it landed in (two lines
        of one cell never overlap) and sticks out of that cell's top or bottom: it goes to the
        cell across that border, below its centre. Each move goes outward, so this ends.
        """
        for _ in range(_MAX_MOVES):
            if not any(self._move_one(box) for box in self.boxes):
                return

    def _move_one(self, box: _Box) -> bool:
        """Move one overflowing line out of `box`, if it has one; True if it moved one."""
        lines = sorted(cluster_objects(box.chars, "top", _LINE_TOLERANCE), key=lambda ln: min(c["top"] for c in ln))
        x0, top, x1, bottom = box.bbox
        for upper, lower in pairwise(lines):
            if max(c["bottom"] for c in upper) - min(c["top"] for c in lower) <= _COLLISION:
                continue
            below = max(c["bottom"] for c in lower) - bottom
            above = top - min(c["top"] for c in upper)
            line, y = (lower, bottom + _EDGE_TOLERANCE) if below >= above else (upper, top - _EDGE_TOLERANCE)
            if max(below, above) <= 0:
                continue
            x = sum((c["x0"] + c["x1"]) / 2 for c in line) / len(line)
            target = self.box_at(min(max(x, x0), x1), y)
            if target is None or target is box:
                continue
            moving = {id(c) for c in line}
            box.chars = [c for c in box.chars if id(c) not in moving]
            target.chars.extend(line)
            return True
        return False

    def cells(self) -> list[Cell]:
        """The table's cells with their texts, top to bottom, left to right."""
        return [
            Cell(_cell_text(box.chars), box.row, box.col, rowspan=box.rowspan, colspan=box.colspan)
            for box in sorted(self.boxes, key=lambda b: (b.row, b.col))
        ]
