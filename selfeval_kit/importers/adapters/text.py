"""The plain-text adapter: each line of a text file as a `Line`, cut at its strong separators.

    read(Path("a.txt"), "| 项目名称 | 热线运维 |\\n|---|---|\\n".encode())
    → Document(kind="txt", blocks=[Line("| 项目名称 | 热线运维 |", "第1行", parts=("项目名称", "热线运维"))])

For text from ``pdftotext`` (with or without ``-layout``), copied from a web page, or a markdown
table. It knows nothing of forms. How it reads, and why:

* Decoding: UTF-8 (with or without BOM), UTF-16 with its BOM (Windows Notepad's "Unicode"),
  else GB18030 (what Chinese Windows saves), with a note saying so. A file with NUL bytes is
  not text.
* Line breaks ``\\r\\n`` and ``\\r`` become ``\\n``; control characters other than tab, line
  break and form feed are dropped, and so are zero-width characters copied from web pages.
* A form feed is pdftotext's page break: it ends a line, and lines are then numbered per page
  (``"第2页 第5行"``); without one, ``"第5行"`` is the line in the file.
* `Line.parts`: the line cut at ``|`` / ``｜``, tabs and runs of two or more spaces (a full-width
  space U+3000 or a no-break space counts as a space). Spaces around a separator belong to it;
  two separators in a row have an empty part between them, which is kept: an empty cell. One
  leading and one trailing empty part made by a ``|`` at the line's ends are dropped (markdown
  ``| a | b |``). Markdown delimiter rows (``|---|:--:|``) are dropped; blank lines are kept
  (``Line("", where)``), for layouts with one cell a line and blank lines between rows.
"""

from __future__ import annotations

import re
from pathlib import Path

from selfeval_kit.errors import DataError
from selfeval_kit.importers.cells import Document, Line

__all__ = ["read", "split_parts"]

_SPACE = " \u3000\u00a0\u2002\u2003\u2007"  # space, full-width, no-break (web pages), en, em, figure spaces
_SEPARATOR = re.compile(f"[{_SPACE}]*(?:[|｜\t]|[{_SPACE}]{{2,}})[{_SPACE}]*")
_PIPES = "|｜"
_DELIMITER_ROW = re.compile(r"^[|｜]?\s*:?-+:?\s*(?:[|｜]\s*:?-+:?\s*)*[|｜]?$")
# Control characters except \t \n \f, and zero-width characters (ZWSP, ZWNJ, ZWJ, WJ, BOM).
_DROPPED = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\u200b-\u200d\u2060\ufeff]")


def read(path: Path, data: bytes) -> Document:
    """Read a text file into lines, each cut into its parts.

    Parameters
    ----------
    path : Path
        The file, for messages and `Document.source`.
    data : bytes
        Its content.

    Returns
    -------
    Document
        ``kind="txt"``, only `Line`s: ``where="第N行"``, or ``"第P页 第N行"`` when the text has
        form feeds (page breaks).

    Raises
    ------
    DataError
        The bytes are not text in UTF-8, UTF-16 (with BOM) or GB18030.
    """
    document = Document(source=path, kind="txt")
    text = _decode(path, data, document.notes)
    text = _DROPPED.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    pages = text.split("\f")
    if len(pages) > 1 and not pages[-1].strip("\n"):
        pages.pop()  # pdftotext ends every page, the last one too, with a form feed
    paged = len(pages) > 1
    for number, page in enumerate(pages, start=1):
        rows = page.split("\n")
        if rows and rows[-1] == "":
            rows.pop()  # the line break ending the last line does not start another
        for index, raw in enumerate(rows, start=1):
            if _DELIMITER_ROW.match(raw.strip(_SPACE + "\t")) and any(p in raw for p in _PIPES):
                continue
            where = f"第{number}页 第{index}行" if paged else f"第{index}行"
            indent = len(raw) - len(raw.lstrip())
            document.blocks.append(Line(raw.strip(), where, parts=split_parts(raw), indent=indent))
    return document


def split_parts(line: str) -> tuple[str, ...]:
    """Cut `line` at its strong separators, empty parts kept (see the module docstring).

    Parameters
    ----------
    line : str
        One line, without its line break.

    Returns
    -------
    tuple of str
        Its parts, each stripped; () for a blank line.

    Examples
    --------
    >>> split_parts("| a |  | b |")
    ('a', '', 'b')
    >>> split_parts("项目名称    热线运维")
    ('项目名称', '热线运维')
    """
    body = line.strip(_SPACE)  # tabs stay: a leading or trailing tab is an empty cell
    if not body.strip():
        return ()
    parts = _SEPARATOR.split(body)
    if body[0] in _PIPES:
        parts = parts[1:]
    if body[-1] in _PIPES and parts:
        parts = parts[:-1]
    return tuple(part.strip() for part in parts)


def _decode(path: Path, data: bytes, notes: list[str]) -> str:
    """`data` as text: UTF-8 (BOM or not), UTF-16 with BOM, else GB18030 (noted)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return _strict(path, data[3:], "utf-8")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _strict(path, data, "utf-16")
    if b"\x00" in data:
        raise DataError.single(path, "不是文本文件（含 NUL 字节） (not a text file: it contains NUL bytes)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    text = _strict(path, data, "gb18030")
    notes.append("文件不是 UTF-8 编码，已按 GB18030 解码")
    return text


def _strict(path: Path, data: bytes, encoding: str) -> str:
    """`data` decoded, or a DataError naming the file and the encodings tried."""
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise DataError.single(
            path,
            f"无法解码文本（第 {exc.start} 字节起）：应为 UTF-8 或 GB18030 编码 "
            f"(cannot decode as {encoding}; expected UTF-8 or GB18030)",
        ) from None
