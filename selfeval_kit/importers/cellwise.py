"""An indicator table printed a cell a line, its empty cells kept: the rows found by fitting cells to columns.

    产出指标 |        ← a page's text with each table cell on a line of its own, "|" after it;
    数量指标 |          an empty cell is a "|" alone
    发放覆盖率 |
    = |
    100 |
    % |
    |                 ← 完成值, empty
    60 |

Where every cell, empty ones too, is a line, a row is a run of lines as long as the header is
wide, less the merged 一级/二级 cells it shares with the row above (printed once, in the first
row). `table_rows` cuts the cells into rows by an exact dynamic program: each row takes the
header's last columns, one cell each, at a cost saying how unlike that column's cells it is (a
label under 一级/二级, a number under 分值 and 得分, a sign under 指标性质), and the cheapest cut
of the whole table wins. The 总分 row ends the table.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from selfeval_kit.importers.cells import Cell, Line
from selfeval_kit.importers.fields import is_dash, points
from selfeval_kit.importers.fitting import Fit, fitted
from selfeval_kit.importers.vocabulary import Vocabulary

__all__ = ["cut_cells", "is_cellwise", "table_rows"]

_CELLWISE_SHARE = 0.8  # of a table's lines that are one cell each (or an empty one)
_MERGED = ("seq", "level1", "level2")  # the leading columns a row may share with the row above
_SIGNS = frozenset("≥≤<>=＞＜＝≧≦")


def is_cellwise(body: list[Line]) -> bool:
    """Whether a table's lines are one cell each, empty cells kept (``"|"`` lines)."""
    cells = [line for line in body if line.parts]
    empty = sum(1 for line in cells if line.parts == ("",))
    return bool(cells) and empty > 0 and len(cells) >= _CELLWISE_SHARE * len([b for b in body if b.text or b.parts])


@dataclass(frozen=True)
class _Cell:
    text: str
    where: str


def table_rows(body: list[Line], roles: list[str], labels: list[str], voc: Vocabulary) -> tuple[list[Cell], list[str]]:
    """The table's cells (its header first) and each row's line, from lines a cell each.

    Parameters
    ----------
    body : list of Line
        The lines after the header, to the table's end; an empty cell is a line whose parts are ``("",)``.
    roles, labels : list of str
        The header's columns: their roles and their labels.
    voc : Vocabulary
        The 一级/二级 labels and the 总分 label.

    Returns
    -------
    tuple of (list of Cell, list of str)
        A merged 一级/二级 cell spans the rows that share it.
    """
    cells = [_Cell(line.parts[0] if line.parts else line.text, line.where) for line in body if line.parts or line.text]
    end = next((n for n, c in enumerate(cells) if voc.is_total(c.text)), len(cells))
    rows = _cut(cells[:end], roles, voc)
    out = [Cell(label, 0, c) for c, label in enumerate(labels)]
    wheres: list[str] = []
    above: dict[int, int] = {}  # column → index in `out` of its last cell
    r = 0
    for r, row in enumerate(rows, 1):
        offset = len(roles) - len(row)
        for col in range(offset):  # merged down from the row above
            if col in above and out[above[col]].row + out[above[col]].rowspan == r:
                old = out[above[col]]
                out[above[col]] = Cell(old.text, old.row, old.col, old.rowspan + 1)
        for k, cell in enumerate(row):
            if cell.text:
                above[offset + k] = len(out)
                out.append(Cell(cell.text, r, offset + k))
        wheres.append(row[0].where)
    if end < len(cells):
        total = [c.text for c in cells[end + 1 :] if c.text]
        numeric = [c for c, role in enumerate(roles) if role in ("weight", "score")]
        first = numeric[0] if numeric else 1
        out.append(Cell(cells[end].text, r + 1, 0, colspan=max(1, first)))
        out += [Cell(text, r + 1, c) for c, text in zip(numeric, total, strict=False)]
        wheres.append(cells[end].where)
    return out, wheres


def _cut(cells: list[_Cell], roles: list[str], voc: Vocabulary) -> list[list[_Cell]]:
    """The cheapest cut of the cells into rows, each taking the header's last columns."""
    width = len(roles)
    shared = next((n for n, role in enumerate(roles) if role not in _MERGED), 0)  # leading columns a row may lack
    n = len(cells)
    best = [math.inf] * (n + 1)
    take = [0] * (n + 1)
    best[n] = 0.0
    for i in range(n - 1, -1, -1):
        for length in range(width, width - shared - 1, -1):
            if i + length > n:
                continue
            cost = sum(_cost(roles[width - length + k], cells[i + k].text, voc) for k in range(length))
            if cost + best[i + length] < best[i]:
                best[i], take[i] = cost + best[i + length], length
    if math.isinf(best[0]):
        return []
    rows, i = [], 0
    while i < n:
        rows.append(cells[i : i + take[i]])
        i += take[i]
    return rows


def _cost(role: str, text: str, voc: Vocabulary) -> float:
    """How unlike a cell of this column the text is (inf: it cannot be)."""
    if not text:
        return 3.0 if role == "name" else 0.0
    number = points(text) is not None
    if role in ("level1", "level2"):
        return -1.0 if (voc.level1(text) if role == "level1" else voc.level2(text)) is not None else math.inf
    if role == "seq":
        return 0.0 if text.isdigit() else math.inf
    if role in ("weight", "score"):
        return 0.0 if number or is_dash(text) else math.inf
    if role == "nature":
        return -0.5 if text in _SIGNS or text in ("定性", "定量") else math.inf
    if role == "measure_unit":
        return -0.3 if len(text) <= 4 and not number and not any(ch.isdigit() for ch in text) else math.inf
    if role == "name":
        return 1.0 if voc.level1(text) or voc.level2(text) else (2.0 if number else 0.0)
    if role in ("target", "actual"):
        return 0.0
    return 0.5 if number else 0.1


_SKIPPED = 4.0  # the cost of a cell left out of every row (a template's placeholder: 指标2, ……)
_PLACED_SHARE = 0.8  # of the cells in rows: fewer, and the cut is no table's (a table listed column by column)
_NAME_CELLS = 2  # a name wrapped into two paragraphs at most
_MAX_CELLS = 3000  # cells of one table cut so: a form has a few hundred
_NOTE_CELLS = 3


def cut_cells(cells: list[str], roles: list[str], voc: Vocabulary) -> list[tuple[int, int, Fit]] | None:
    """Cells printed one a line without their empty ones, cut into rows: [(first, end, fit)] for
    cells[first:end], each fitted to the columns with its 分值 and 得分; the cells in no row are the
    ones between. None when no cut gives a row.

    Parameters
    ----------
    cells : list of str
        The table's text cells in reading order (its 一级/二级 label lines taken out).
    roles : list of str
        The header's columns.
    voc : Vocabulary
        What a cell can be.
    """
    n = len(cells)
    if n > _MAX_CELLS:
        return None
    longest = len(roles) + sum(m - 1 for m in (2, 3, 2, 2))  # a name, a note, a target, an actual of more cells
    best = [math.inf] * (n + 1)
    step: list[tuple[int, Fit | None]] = [(1, None)] * (n + 1)
    best[n] = 0.0
    for i in range(n - 1, -1, -1):
        best[i], step[i] = best[i + 1] + _SKIPPED, (1, None)
        for end in range(i + 2, min(n, i + longest) + 1):
            cost, got = fitted(cells[i:end], roles, voc, cells=True)
            if got is None or not _plausible(got):
                continue
            if cost + best[end] < best[i]:
                best[i], step[i] = cost + best[end], (end - i, got)
    rows, i = [], 0
    while i < n:
        length, got = step[i]
        if got is not None:
            rows.append((i, i + length, got))
        i += length
    placed = sum(end - first for first, end, _ in rows)
    return rows if rows and placed >= _PLACED_SHARE * n else None  # else the cells are no table's rows


def _plausible(got: Fit) -> bool:
    """A row of cells: its 分值 and 得分, a name of one or two cells holding text, notes of a few."""
    name = got.get("name", [])
    return (
        "weight" in got
        and "score" in got
        and 0 < len(name) <= _NAME_CELLS
        and any(ch.isalpha() for ch in "".join(name))
        and len(got.get("deviation_note", [])) <= _NOTE_CELLS
    )
