"""A `Document` as the reader walks it: one `Row` after another, each of `Piece`s.

A table gives one row per grid row; a cell merged down from an earlier row appears again in each
row it covers (``carried``), so a row of the indicator table still sees its 一级/二级 label. A line
outside tables is a row of one piece (or of its parts, for text). Pieces of a table know their
column (``col``, ``span``), which the reader aligns with the header row's roles; pieces of a line do not.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from selfeval_kit.importers.cells import Document, Line, Table

__all__ = ["Piece", "Row", "rows"]

# two or more spaces, or a wide space (ideographic, em, en: Chromium prints a full-width space as an em space)
_GAP = re.compile("(?:[ \u00a0]{2,}|[\u3000\u2002-\u2003\u2007]+|\t)")


@dataclass(frozen=True)
class Piece:
    """One cell of a row.

    Parameters
    ----------
    text : str
        As printed.
    where : str
        For people: the table and cell, or the line.
    col : int or None
        Its first column (tables); None for a line's parts.
    span : int
        Columns it covers.
    carried : bool
        A cell merged down from an earlier row.
    """

    text: str
    where: str
    col: int | None = None
    span: int = 1
    carried: bool = False

    def overlap(self, col: int, span: int) -> int:
        """Columns this piece shares with the columns ``col .. col + span - 1``."""
        if self.col is None:
            return 0
        return max(0, min(self.col + self.span, col + span) - max(self.col, col))


@dataclass(frozen=True)
class Row:
    """One row: its pieces, left to right (empty cells left out), and where it is."""

    pieces: tuple[Piece, ...]
    where: str
    table: int | None = None  # the table's position among the document's tables; None for a line

    @property
    def aligned(self) -> bool:
        """Whether the pieces have columns (the row is a table's)."""
        return self.table is not None

    @property
    def fresh(self) -> tuple[Piece, ...]:
        """The pieces that start in this row (not merged down from above)."""
        return tuple(p for p in self.pieces if not p.carried)

    @property
    def text(self) -> str:
        """The row's pieces joined by spaces (for titles and messages)."""
        return " ".join(p.text for p in self.pieces if not p.carried)


def rows(document: Document) -> Iterator[Row]:
    """Every non-empty row of `document`, in reading order."""
    n_table = 0
    for block in document.blocks:
        if isinstance(block, Table):
            yield from _table_rows(block, n_table)
            n_table += 1
        elif isinstance(block, Line):
            yield from _line_rows(block)


def _table_rows(table: Table, index: int) -> Iterator[Row]:
    for r in range(table.n_rows):
        pieces = tuple(
            Piece(cell.text, table.place(cell), cell.col, cell.colspan, carried=cell.row != r)
            for cell in table.row_cells(r)
            if cell.text.strip()
        )
        if any(not p.carried for p in pieces):
            # a table rebuilt from text: the row is where its line is (第1页 第39行)
            where = table.lines[r] if r < len(table.lines) and table.lines[r] else f"{table.where} 第{r + 1}行"
            yield Row(pieces, where.strip(), index)


def _line_rows(line: Line) -> Iterator[Row]:
    # A line without parts (a web page's or Word file's paragraph) is cut where a wide gap parts
    # two cells too: "主管部门：科委　　实施单位：中心".
    parts = [p for p in (line.parts or _GAP.split(line.text)) if p.strip()]
    if parts:
        yield Row(tuple(Piece(part.strip(), line.where) for part in parts), line.where)
