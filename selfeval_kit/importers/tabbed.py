"""Tables copied as text with a tab between cells (a web page's or a sheet's table, copied) read back.

    一级指标	二级指标	三级指标	年度指标值	实际完成值	分值	得分	偏差原因分析及改进措施
    产出指标	数量指标	并发用户数	=200人	200人	5	5
    应急演练	=1次	1次	5	5                       ← the merged 一级/二级 cells are copied once

A browser or a spreadsheet copies each row's own cells, a tab between them (an empty cell is two
tabs in a row), and a cell merged over rows only with its first row. `tabulate_tabbed` finds the
tables by their header rows (`selfeval_kit.importers.tables.header_kind`) and makes each a
`Table`: a row with fewer cells than the header lacks its first ones, the merged cells above
(the columns on the right are every row's own: name, values, points), so its cells stand under the
header's last columns and the cells above it in the columns it lacks are merged down over it; the
总分 row's label is merged across those columns.
"""

from __future__ import annotations

from selfeval_kit.importers.cells import Block, Cell, Document, Line, Table
from selfeval_kit.importers.tables import header_kind, starts_other
from selfeval_kit.importers.vocabulary import Vocabulary

__all__ = ["is_tabbed", "tabulate_tabbed"]

_TABBED_SHARE = 0.3  # of the non-blank lines with a tab: below it, the text is not a copied table


def is_tabbed(document: Document) -> bool:
    """Whether at least 30 % of the document's non-blank lines hold a tab between two cells.

    Parameters
    ----------
    document : Document
        A text document.

    Returns
    -------
    bool
    """
    lines = [b.text for b in document.blocks if isinstance(b, Line) and b.text]
    return bool(lines) and sum(1 for text in lines if "\t" in text) >= _TABBED_SHARE * len(lines)


def tabulate_tabbed(document: Document, voc: Vocabulary) -> Document:
    """`document` with each copied table (from its header row to the row before the next header,
    title or 项目名称, the 总分 row included) replaced by a `Table` whose first row is the header.

    Parameters
    ----------
    document : Document
        A text document whose lines keep their tabs.
    voc : Vocabulary
        The labels that tell a header row and the 总分 row.

    Returns
    -------
    Document
        The same source, kind and notes; other lines as they were.
    """
    blocks = document.blocks
    out: list[Block] = []
    i = 0
    while i < len(blocks):
        block = blocks[i]
        kind = header_kind(list(block.parts), voc) if isinstance(block, Line) and "\t" in block.text else None
        if kind is None:
            out.append(block)
            i += 1
            continue
        end = _table_end(blocks, i, kind, voc)
        rows = [b for b in blocks[i:end] if isinstance(b, Line) and b.text]
        out.append(Table(_cells(rows, voc), where=f"{block.where}起的表格", lines=[row.where for row in rows]))
        i = end
    return Document(source=document.source, kind=document.kind, blocks=out, notes=list(document.notes))


def _table_end(blocks: list[Block], start: int, kind: str, voc: Vocabulary) -> int:
    for j in range(start + 1, len(blocks)):
        line = blocks[j]
        if not isinstance(line, Line):
            return j
        if not line.text:
            continue
        parts = list(line.parts)
        if header_kind(parts, voc) is not None or starts_other(line.text, parts[0] if parts else "", voc):
            return j
        if kind == "indicators" and any(voc.is_total(p) for p in parts[:2]):
            return j + 1
    return len(blocks)


def _cells(rows: list[Line], voc: Vocabulary) -> list[Cell]:
    """The rows' cells, right-aligned to the header's columns, the missing first ones merged from
    above; the 总分 row's label is merged across the columns it lacks instead."""
    width = len(rows[0].parts)
    cells: list[Cell] = [Cell(text, 0, k) for k, text in enumerate(rows[0].parts) if text]
    above = {cell.col: n for n, cell in enumerate(cells)}  # column → index of its last cell
    for r, line in enumerate(rows[1:], start=1):
        parts = list(line.parts)
        offset = max(0, width - len(parts))
        if offset and parts and voc.is_total(parts[0]):
            cells.append(Cell(parts[0], r, 0, colspan=offset + 1))
            cells += [Cell(text, r, offset + k) for k, text in enumerate(parts[1:], start=1) if text]
            continue
        for k in range(offset):  # the cells merged down over this row
            merged = cells[above[k]] if k in above else None
            if merged is not None and merged.row + merged.rowspan == r:
                cells[above[k]] = Cell(merged.text, merged.row, merged.col, merged.rowspan + 1, merged.colspan)
        for k, text in enumerate(parts):
            if text:
                above[offset + k] = len(cells)
                cells.append(Cell(text, r, offset + k))
            else:
                above.pop(offset + k, None)
    return cells
