"""The Word adapter: a .docx document's paragraphs and tables, in body order.

    read(Path("a.docx"), data) → Document(kind="docx", blocks=[Line("自评表", "段落 1"), Table([...], "表格 1")])

* The body is walked in order (content controls opened): a paragraph gives one `Line` per printed
  line (a line break inside it starts another; tabs kept), ``where="段落 N"`` counting every body
  paragraph; empty paragraphs give none. A table gives a `Table`, ``where="表格 N"``.
* Cells are read from the XML, not from python-docx's ``row.cells`` (which repeats a merged cell
  in every position): a ``gridSpan`` is a colspan, a ``vMerge="continue"`` cell extends the cell
  above it, ``gridBefore`` skips grid columns. A cell's text is its paragraphs' non-empty lines
  joined by ``"\\n"``, those of a table nested in it included (nested tables are not tables of
  their own).
* Spans are clamped to `MAX_SPAN`, and a table past `MAX_TABLE_CELLS` positions is refused.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docx
from docx.oxml.ns import qn

from selfeval_kit.errors import DataError
from selfeval_kit.importers.adapters import MAX_SPAN, check_extent
from selfeval_kit.importers.cells import Block, Cell, Document, Line, Table

__all__ = ["read"]

_P, _TBL, _SDT, _SDT_CONTENT = qn("w:p"), qn("w:tbl"), qn("w:sdt"), qn("w:sdtContent")
_TR, _TC = qn("w:tr"), qn("w:tc")
# A paragraph's runs: python-docx's own text reads w:r and w:hyperlink only; runs of tracked
# insertions, simple fields and smart tags print too (deleted text, w:del, does not).
_RUNS = "w:r | w:hyperlink | w:ins/w:r | w:fldSimple/w:r | w:smartTag/w:r"


def read(path: Path, data: bytes) -> Document:
    """Read a Word document's paragraphs and tables into a `Document`.

    Parameters
    ----------
    path : Path
        The file, named in errors.
    data : bytes
        Its bytes (a ZIP holding ``word/document.xml``).

    Returns
    -------
    Document
        ``kind="docx"``; `Line`s and `Table`s in body order.

    Raises
    ------
    DataError
        Naming the file, for a broken document or a table past `MAX_TABLE_CELLS` positions.
    """
    try:
        body = docx.Document(io.BytesIO(data)).element.body
    except Exception as exc:  # BadZipFile, KeyError (a missing part), XML errors, PackageNotFoundError, ...
        raise DataError.single(path, f"无法读取 Word 文档（已损坏或不是 .docx）：{type(exc).__name__}: {exc}") from exc
    blocks: list[Block] = []
    paragraphs = tables = 0
    for element in _body_items(body):
        if element.tag == _P:
            paragraphs += 1
            blocks.extend(Line(text, f"段落 {paragraphs}") for text in _lines(element))
        else:
            tables += 1
            blocks.append(_table(path, element, f"表格 {tables}"))
    return Document(source=path, kind="docx", blocks=blocks)


def _body_items(body: Any) -> Iterator[Any]:
    """The body's paragraphs and tables in order, those inside content controls (w:sdt) included."""
    stack = list(reversed(body))
    while stack:
        element = stack.pop()
        if element.tag in (_P, _TBL):
            yield element
        elif element.tag == _SDT:
            content = element.find(_SDT_CONTENT)
            if content is not None:
                stack.extend(reversed(content))


def _lines(paragraph: Any) -> list[str]:
    """The paragraph's printed lines, stripped, empty ones dropped."""
    text = "".join(run.text for run in paragraph.xpath(_RUNS))
    return [line.strip() for line in text.split("\n") if line.strip()]


def _table(path: Path, table: Any, where: str) -> Table:
    """A table's cells from its rows' w:tc elements, merged cells once with their spans."""
    found: list[list[Any]] = []  # [text, row, col, rowspan, colspan], rowspan grown by continuations
    covering: dict[tuple[int, int], list[Any]] = {}  # (row, col) of each covered position → its cell
    rows = table.findall(_TR)
    for r, tr in enumerate(rows):
        col = _int(tr.trPr.find(qn("w:gridBefore")) if tr.trPr is not None else None)
        for tc in tr.findall(_TC):
            span = min(max(tc.grid_span, 1), MAX_SPAN)
            above = covering.get((r - 1, col))
            if tc.vMerge == "continue" and above is not None and above[2] == col:
                above[3] = r - above[1] + 1
                cell = above
            else:
                cell = [_cell_text(tc), r, col, 1, span]
                found.append(cell)
            for c in range(col, col + cell[4]):
                covering[(r, c)] = cell
            col += cell[4]
            check_extent(path, where, len(rows), col)
    return Table([Cell(*cell) for cell in found], where=where)


def _int(element: Any) -> int:
    """The w:val of an element such as w:gridBefore, clamped to 0..MAX_SPAN; 0 without one."""
    try:
        value = int(element.get(qn("w:val"))) if element is not None else 0
    except (TypeError, ValueError):
        return 0
    return min(max(value, 0), MAX_SPAN)


def _cell_text(tc: Any) -> str:
    """A cell's non-empty lines, those of tables nested in it included, joined by "\\n"."""
    return "\n".join(line for paragraph in tc.iter(_P) for line in _lines(paragraph))
