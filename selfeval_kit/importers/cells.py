"""What every adapter makes of a file: a `Document` of `Table`s of `Cell`s, and `Line`s of text.

    Document(source="a.pdf", kind="pdf", blocks=[Line("2022年度项目支出绩效自评表", "第1页 第1行"),
                                                 Table([Cell("项目名称", 0, 0), Cell("热线运维", 0, 1, colspan=5)],
                                                       where="第1页 表1")])

The reader (`selfeval_kit.importers.reader`) sees only this model, never the file: a new format is a
new adapter, not a change to the reader. A cell's `text` is as printed (line breaks inside a cell
kept as ``"\\n"``, surrounding white space stripped); a merged cell is one `Cell` with its spans,
and `Table.grid` puts that same object in every position it covers, so a row read across a
vertically merged 一级指标 cell still sees its label. Positions are 0-based; `where` is for people
(``"第2页 表1"``, ``"工作表 Sheet1"``), and `Cell.place` adds the row and column in the terms a
user would look them up by.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

__all__ = ["Block", "Cell", "Document", "Line", "Table"]


@dataclass(frozen=True, eq=False)
class Cell:
    """One cell of a table, merged cells once.

    Parameters
    ----------
    text : str
        As printed, stripped at both ends; ``""`` for an empty cell.
    row, col : int
        Its top-left position in the table, 0-based.
    rowspan, colspan : int, default 1
        Rows and columns it covers.
    """

    text: str
    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1


@dataclass(frozen=True)
class Line:
    """Text outside any table, one printed line.

    Parameters
    ----------
    text : str
        The line as printed, stripped at both ends.
    where : str
        Where it is, for people: ``"第1页 第3行"``, ``"段落 4"``.
    parts : tuple of str, optional
        For text sources only: the line cut at its strong separators (``|``, tabs, runs of two or
        more spaces), empty parts kept; () when the adapter has no such cuts.
    indent : int, default 0
        For text sources: the characters stripped before `text`, so that ``indent`` plus a
        character's index in `text` is its column in the line as printed (layout text keeps a
        table's columns as positions: `selfeval_kit.importers.layout`).
    layout : str, default ""
        For a PDF page without ruled tables: the line as pdfplumber lays it out, every word at
        the column of its x position (`text` is the same line with its spaces as printed).
    """

    text: str
    where: str
    parts: tuple[str, ...] = ()
    indent: int = 0
    layout: str = ""


@dataclass
class Table:
    """A table: its cells (each merged cell once) and where it is.

    Parameters
    ----------
    cells : list of Cell
        In any order; no two may cover the same position.
    where : str
        For people: ``"第2页 表1"``, ``"工作表 2022-01"``, ``"表格 3"``.
    lines : list of str, optional
        For a table rebuilt from text (`selfeval_kit.importers.layout`, `tabbed`): where each of
        its rows is printed (``"第1页 第39行"``), so that a cell is placed by its line and its
        column's header, as the user sees the text.
    notes : list of str, optional
        What rebuilding it from text had to decide (a label's group, which goal text is which),
        for the notes of the form it belongs to.
    problems : list of str, optional
        What rebuilding it could not decide (text that belongs to no row): errors of that form,
        which is then not read confidently.
    """

    cells: list[Cell]
    where: str = ""
    lines: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @cached_property
    def n_rows(self) -> int:
        """Rows the table spans (0 for a table without cells)."""
        return max((c.row + c.rowspan for c in self.cells), default=0)

    @cached_property
    def n_cols(self) -> int:
        """Columns the table spans."""
        return max((c.col + c.colspan for c in self.cells), default=0)

    @cached_property
    def grid(self) -> list[list[Cell | None]]:
        """``grid[row][col]``: the cell covering that position (a merged cell in each of its
        positions, the same object), or None where the source has no cell."""
        grid: list[list[Cell | None]] = [[None] * self.n_cols for _ in range(self.n_rows)]
        for cell in self.cells:
            for r in range(cell.row, cell.row + cell.rowspan):
                for c in range(cell.col, cell.col + cell.colspan):
                    grid[r][c] = cell
        return grid

    def row_cells(self, row: int) -> list[Cell]:
        """The distinct cells covering `row`, left to right (a cell spanning columns once; a cell
        merged down from an earlier row included)."""
        seen: list[Cell] = []
        for cell in self.grid[row]:
            if cell is not None and (not seen or seen[-1] is not cell):
                seen.append(cell)
        return seen

    def place(self, cell: Cell) -> str:
        """Where `cell` is, for people: ``"第2页 表1 第3行第2列"`` (1-based); in a table rebuilt
        from text, its line and its column's header: ``"第1页 第39行（三级指标）"``."""
        if cell.row < len(self.lines):
            head = self.grid[0][cell.col] if self.n_rows else None
            if head is None or head is cell:
                return self.lines[cell.row]
            return f"{self.lines[cell.row]}（{''.join(head.text.split())}）"
        at = f"第{cell.row + 1}行第{cell.col + 1}列"
        return f"{self.where} {at}" if self.where else at


Block = Table | Line


@dataclass
class Document:
    """A file as an adapter read it.

    Parameters
    ----------
    source : Path
        The file.
    kind : str
        The adapter that read it: ``"pdf"``, ``"html"``, ``"docx"``, ``"xlsx"`` or ``"txt"``.
    blocks : list of Table or Line
        In reading order.
    notes : list of str
        What the adapter had to decide or could not read (Chinese, for the import report):
        ``"第3页没有文字层（扫描件？）"``.
    """

    source: Path
    kind: str
    blocks: list[Block] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def tables(self) -> list[Table]:
        """The tables, in reading order."""
        return [block for block in self.blocks if isinstance(block, Table)]
