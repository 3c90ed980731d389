"""Adapters: a file of any supported format read into the cell model (`selfeval_kit.importers.cells`).

`read_document` checks the file, reads its bytes once, tells its format by its content (`sniff`:
a ``.txt`` that is really a PDF is read as a PDF) and hands the bytes to the adapter of that kind
in `ADAPTERS`. Adapters know nothing about forms: they only report tables and lines faithfully.

    kind    adapter                                      content
    pdf     selfeval_kit.importers.adapters.pdf          %PDF-
    xlsx    selfeval_kit.importers.adapters.sheet        ZIP with xl/workbook.xml
    docx    selfeval_kit.importers.adapters.word         ZIP with word/document.xml
    html    selfeval_kit.importers.adapters.web          text with <html, <table or <!doctype html
    txt     selfeval_kit.importers.adapters.text         other UTF-8 (or GB18030, UTF-16) text

Adapters are imported when first used, so a missing optional dependency costs only its format.
"""

from __future__ import annotations

import codecs
import importlib
import io
import zipfile
from collections.abc import Callable
from pathlib import Path

from selfeval_kit.errors import DataError
from selfeval_kit.importers import bounded
from selfeval_kit.importers.cells import Document

__all__ = [
    "ADAPTERS",
    "MAX_SPAN",
    "MAX_TABLE_CELLS",
    "MAX_UNZIPPED_BYTES",
    "check_extent",
    "read_document",
    "sniff",
]

MAX_UNZIPPED_BYTES = 200 * 1024 * 1024  # an office file of forms unpacks to a few MiB at most
MAX_SPAN = 1000  # rowspan / colspan / gridSpan beyond this is clamped: no real table has it
MAX_TABLE_CELLS = 200_000  # positions (rows x columns) of one table; a form has a few hundred

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = (b"PK\x03\x04", b"PK\x05\x06")  # a zip with members, an empty zip
_HTML_MARKS = ("<html", "<table", "<!doctype html")
_SNIFF_CHARS = 4096
_BINARY = (
    "二进制数据，应为 PDF、Word (.docx)、Excel (.xlsx)、HTML 或文本文件"
    "（binary data, expected a PDF, Word (.docx), Excel (.xlsx), HTML or text file）"
)
# C0 controls that plain text does not hold (tab, line and page breaks, DOS end of file do occur)
_CONTROLS = frozenset(chr(c) for c in range(32)) - set("\t\n\r\f\v\x1a")


def _adapter(module: str) -> Callable[[Path, bytes], Document]:
    """The `read` of `selfeval_kit.importers.adapters.<module>`, imported on first call."""

    def read(path: Path, data: bytes) -> Document:
        found: Callable[[Path, bytes], Document] = importlib.import_module(f"{__name__}.{module}").read
        return found(path, data)

    read.__name__ = f"read_{module}"
    return read


ADAPTERS: dict[str, Callable[[Path, bytes], Document]] = {
    "pdf": _adapter("pdf"),
    "xlsx": _adapter("sheet"),
    "docx": _adapter("word"),
    "html": _adapter("web"),
    "txt": _adapter("text"),
}


def read_document(path: str | Path) -> Document:
    """Read a file of any supported format into a `Document`.

    Parameters
    ----------
    path : str or Path
        The file; its content, not its suffix, says how to read it.

    Returns
    -------
    Document
        Its tables and lines in reading order, `kind` naming the adapter. The adapter decodes text
        itself (and notes an encoding other than UTF-8).

    Raises
    ------
    DataError
        Naming the file: missing, unreadable, empty, over `bounded.MAX_IMPORT_BYTES`, not a regular file,
        an old .xls/.doc or encrypted file, a ZIP that is neither Excel nor Word, binary data, or
        what its adapter cannot read.
    """
    path = Path(path)
    data = bounded.file_bytes(path)
    return ADAPTERS[sniff(data, path)](path, data)


def sniff(data: bytes, path: str | Path = "<bytes>") -> str:
    """The kind of a file by its content: ``"pdf"``, ``"xlsx"``, ``"docx"``, ``"html"`` or ``"txt"``.

    Parameters
    ----------
    data : bytes
        The file's bytes.
    path : str or Path, optional
        The file, named in errors; its suffix only chooses the advice for an OLE2 file.

    Returns
    -------
    str
        A key of `ADAPTERS`.

    Raises
    ------
    DataError
        For an OLE2 file (old .xls/.doc, or an encrypted Office file), a ZIP that is neither a
        workbook nor a Word document (or is broken, or unpacks to over `MAX_UNZIPPED_BYTES`), and
        binary data or text in no encoding we read.
    """
    if b"%PDF-" in data[:1024]:  # readers accept junk before the header within the first KiB
        return "pdf"
    if data.startswith(_OLE2):
        raise DataError.single(path, _ole2_advice(Path(path).suffix.lower()))
    if data.startswith(_ZIP):
        return _zip_kind(data, path)
    text = _decode(data)
    if text is None or any(ch in _CONTROLS for ch in text[: 4 * _SNIFF_CHARS]):
        raise DataError.single(path, _BINARY)
    head = text[:_SNIFF_CHARS].lstrip("\ufeff").lower()
    return "html" if any(mark in head for mark in _HTML_MARKS) else "txt"


def check_extent(path: Path, where: str, n_rows: int, n_cols: int) -> None:
    """DataError when a table spans more than `MAX_TABLE_CELLS` positions (a hostile file's spans)."""
    if n_rows * n_cols > MAX_TABLE_CELLS:
        raise DataError.single(
            path,
            f"{where} 有 {n_rows} 行 × {n_cols} 列，超过可读取的 {MAX_TABLE_CELLS} 个单元格"
            f"（table spans {n_rows * n_cols} cells）",
        )


def _ole2_advice(suffix: str) -> str:
    target = {".xls": "xlsx", ".doc": "docx"}.get(suffix, "xlsx|docx")
    return (
        "旧版 Office 文件（.xls/.doc）或加密的文件，无法直接读取：请用 LibreOffice 转换"
        f"（soffice --headless --convert-to {target} 文件名），加密的文件请先取消密码"
        "（old .xls/.doc or encrypted Office file）"
    )


def _zip_kind(data: bytes, path: str | Path) -> str:
    """ "xlsx" or "docx" by the ZIP's members; DataError for any other or a broken ZIP."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise DataError.single(path, f"ZIP 文件已损坏，无法打开（broken ZIP: {exc}）") from None
    unpacked = sum(info.file_size for info in infos)  # zipfile never reads past these sizes
    if unpacked > MAX_UNZIPPED_BYTES:
        raise DataError.single(
            path, f"压缩文件解压后有 {unpacked} 字节，最多读取 {MAX_UNZIPPED_BYTES} 字节（unpacks too large）"
        )
    names = {info.filename for info in infos}
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "word/document.xml" in names:
        return "docx"
    raise DataError.single(
        path,
        "ZIP 压缩文件既不是 Excel (.xlsx) 也不是 Word (.docx)；.ods/.odt 请另存为 .xlsx/.docx"
        "（a ZIP archive that is neither a workbook nor a Word document）",
    )


def _decode(data: bytes) -> str | None:
    """The text of `data`, strictly decoded by its BOM, else as UTF-8, else as GB18030 (what Chinese
    Windows saves); None for binary data (a NUL byte outside UTF-16) or text in none of them."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates: tuple[str, ...] = ("utf-16",)  # Notepad's "Unicode": NUL bytes are expected
    elif b"\x00" in data:
        return None
    else:
        candidates = ("utf-8-sig", "gb18030")
    for encoding in candidates:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None
