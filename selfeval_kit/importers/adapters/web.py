"""The HTML adapter: a web page's tables and the text around them, in document order.

    read(Path("a.html"), data) → Document(kind="html", blocks=[Line("自评表", "第1行"), Table([...], "表格 1")])

* Decoding: a BOM, else the ``<meta charset>`` (GB2312 and GBK read as GB18030, their superset),
  else UTF-8, else GB18030; a note says when neither fits and characters were replaced.
* ``<script>``, ``<style>``, ``<head>``, ``<noscript>``, ``<template>`` and comments are dropped.
* Every innermost ``<table>`` (one holding no other table) is a `Table`, ``where="表格 N"``;
  its ``<caption>`` a `Line` before it. A table that holds tables is taken for layout: its text
  outside them reads as lines, each of its cells ending one.
* Rows and columns come from an occupancy grid, as a browser lays a table out: a rowspan pushes
  the cells of the rows below it to the right. Spans are clamped to `MAX_SPAN` (a rowspan also to
  the rows left; ``rowspan=0`` means all of them), a table past `MAX_TABLE_CELLS` is refused.
* Text: ``<br>`` and block elements (``<p>``, ``<div>``, ``<h1>`` ...) end a line; within a line,
  runs of white space (``&nbsp;`` included) are one space. A cell's text is its non-empty lines
  joined by ``"\\n"``; text outside tables gives one `Line` per line, ``where="第N行"``.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import lxml.html
from lxml import etree

from selfeval_kit.errors import DataError
from selfeval_kit.importers.adapters import MAX_SPAN, check_extent
from selfeval_kit.importers.cells import Block, Cell, Document, Line, Table

__all__ = ["read"]

_DROPPED = ("script", "style", "head", "noscript", "template")
_BLOCKS = frozenset(
    {
        *("address", "article", "aside", "blockquote", "caption", "center", "dd", "div", "dl", "dt"),
        *("fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6"),
        *("header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table", "tbody", "td"),
        *("tfoot", "th", "thead", "tr", "ul"),
    }
)
_META_CHARSET = re.compile(rb"<meta[^>]{0,200}?charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]{1,40})", re.I)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*>")  # lxml refuses a str that declares its encoding
_SPACES = re.compile(r"[ \t\n\r\f\v\xa0]+")  # HTML white space and &nbsp;; U+3000 is text
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "ascii": "utf-8", "iso-8859-1": "cp1252", "latin1": "cp1252"}


def read(path: Path, data: bytes) -> Document:
    """Read a web page's tables and text into a `Document`.

    Parameters
    ----------
    path : Path
        The file, named in errors.
    data : bytes
        Its bytes.

    Returns
    -------
    Document
        ``kind="html"``; `Line`s and `Table`s in document order.

    Raises
    ------
    DataError
        Naming the file, for a page with nothing to parse or a table past `MAX_TABLE_CELLS`.
    """
    text, notes = _decode(data)
    try:
        root = lxml.html.document_fromstring(_XML_DECLARATION.sub("", text, count=1))
    except (etree.ParserError, ValueError) as exc:
        raise DataError.single(path, f"无法解析 HTML 文件：{exc}") from None
    for junk in list(root.iter(etree.Comment, etree.ProcessingInstruction, *_DROPPED)):
        if junk.getparent() is not None:
            junk.drop_tree()  # keeps the tail, the text after it
    document = Document(source=path, kind="html", notes=notes)
    layout = {outer for table in root.iter("table") for outer in table.iterancestors("table")}
    lines = _Lines()

    def on_table(element: Any) -> None:
        lines.flush()
        _take_lines(document.blocks, lines)
        caption = element.find("caption")
        if caption is not None:
            document.blocks.extend(Line(t, "") for t in _text_lines(caption))
        where = f"表格 {len(document.tables) + 1}"
        document.blocks.append(_table(path, element, where))

    _walk(root, lines, on_table, lambda e: e.tag == "table" and e not in layout)
    lines.flush()
    _take_lines(document.blocks, lines)
    count = 0
    for index, block in enumerate(document.blocks):  # number the lines once all are known
        if isinstance(block, Line):
            count += 1
            document.blocks[index] = Line(block.text, f"第{count}行")
    return document


def _decode(data: bytes) -> tuple[str, list[str]]:
    """The page's text by BOM, meta charset, UTF-8, GB18030; notes for what had to be replaced."""
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return data.decode(encoding, errors="replace"), []
    candidates = ["utf-8", "gb18030"]
    match = _META_CHARSET.search(data[:4096])
    if match:
        declared = match.group(1).decode("ascii").lower()
        try:
            declared = codecs.lookup(_SUPERSETS.get(declared, declared)).name
        except LookupError:
            declared = ""
        if declared and not declared.startswith("utf-16"):  # bytes we sniffed as text are not UTF-16
            candidates.insert(0, declared)
    for encoding in candidates:
        try:
            return data.decode(encoding), []
        except UnicodeDecodeError:
            continue
    return data.decode(candidates[0], errors="replace"), [
        f"HTML 文件不是有效的 {candidates[0].upper()} 编码，无法识别的字符已替换为 �"
    ]


class _Lines:
    """Text gathered into lines: pieces of the current line, and the finished lines."""

    def __init__(self) -> None:
        self.pieces: list[str] = []
        self.done: list[str] = []

    def add(self, text: str | None) -> None:
        if text:
            self.pieces.append(text)

    def flush(self) -> None:
        line = _SPACES.sub(" ", "".join(self.pieces)).strip()
        self.pieces = []
        if line:
            self.done.append(line)


def _walk(root: Any, lines: _Lines, on_table: Callable[[Any], None] | None, is_table: Callable[[Any], bool]) -> None:
    """Gather `root`'s text into `lines` in document order (iteratively: no recursion limit);
    an element `is_table` accepts goes to `on_table` instead, its subtree skipped."""
    walker = etree.iterwalk(root, events=("start", "end"))
    for event, element in walker:
        tag = element.tag if isinstance(element.tag, str) else ""
        if event == "start":
            if on_table is not None and is_table(element):
                on_table(element)
                walker.skip_subtree()
                continue
            if tag in _BLOCKS or tag == "br":
                lines.flush()
            lines.add(element.text)
        else:
            if tag in _BLOCKS:
                lines.flush()
            if element is not root:
                lines.add(element.tail)


def _text_lines(element: Any) -> list[str]:
    """The non-empty lines of one element's text."""
    lines = _Lines()
    _walk(element, lines, None, lambda e: False)
    lines.flush()
    return lines.done


def _take_lines(blocks: list[Block], lines: _Lines) -> None:
    """Move the finished lines into `blocks` (numbered later)."""
    blocks.extend(Line(text, "") for text in lines.done)
    lines.done = []


def _table(path: Path, table: Any, where: str) -> Table:
    """An innermost table's cells placed on an occupancy grid."""
    rows = [tr for tr in table.iter("tr")]
    taken: set[tuple[int, int]] = set()
    cells: list[Cell] = []
    width = 0
    for r, tr in enumerate(rows):
        col = 0
        for td in tr:
            if td.tag not in ("td", "th"):
                continue
            while (r, col) in taken:
                col += 1
            rowspan = _span(td.get("rowspan"), len(rows) - r, default_zero=len(rows) - r)
            colspan = _span(td.get("colspan"), MAX_SPAN, default_zero=1)
            width = max(width, col + colspan)
            check_extent(path, where, len(rows), width)
            rowspan, colspan = _unoverlapped(taken, r, col, rowspan, colspan)
            cells.append(Cell("\n".join(_text_lines(td)), r, col, rowspan, colspan))
            taken.update((r + i, col + j) for i in range(rowspan) for j in range(colspan))
            col += colspan
    return Table(cells, where=where)


def _unoverlapped(taken: set[tuple[int, int]], row: int, col: int, rowspan: int, colspan: int) -> tuple[int, int]:
    """Spans cut short of positions an earlier cell covers (a table model error a browser draws
    as overlapping cells; the cell model allows no overlap)."""
    colspan = next((j for j in range(1, colspan) if (row, col + j) in taken), colspan)
    for i in range(1, rowspan):
        if any((row + i, col + j) in taken for j in range(colspan)):
            return i, colspan
    return rowspan, colspan


def _span(value: str | None, most: int, *, default_zero: int) -> int:
    """A rowspan/colspan attribute as a browser reads it (leading digits), clamped to 1..most;
    0 means `default_zero` (rowspan=0: to the end of the table)."""
    match = re.match(r"\s*(\d{1,9})", value or "")
    number = int(match.group(1)) if match else 1
    if number == 0:
        number = default_zero
    return min(max(number, 1), most, MAX_SPAN)
