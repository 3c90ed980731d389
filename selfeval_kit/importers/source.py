"""Reading forms from a file or a folder, whatever the format: the entrance of `selfeval import`.

`read_source` checks the file (present, not empty, not oversized), tells its format by its
content (`selfeval_kit.importers.adapters.sniff`), and reads it:

* PDF, HTML, Word and Excel: the adapter of the format makes cells of it, and the cell reader
  (`selfeval_kit.importers.reader`) reads the forms of any layout;
* Excel: each sheet as a table (`selfeval_kit.importers.exact`), a sheet with a flat header row
  (one row per indicator) read by `selfeval_kit.importers.flat`, the others by the cell reader; a
  workbook this project wrote (`selfeval export --format xlsx`, with its hidden ``_selfeval``
  sheet) gets back the ids and the exact values that sheet keeps, so YAML → xlsx → YAML is lossless;
* text: a table copied with a tab between cells (`selfeval_kit.importers.tabbed`), text laid out
  in columns (``pdftotext -layout``, a table copied with its spaces: `selfeval_kit.importers.layout`,
  by the words' positions), and text in reading order, a row or a cell a line (``pdftotext``, a
  viewer's copy: `selfeval_kit.importers.sequence`, by what each cell can be); each rebuilds the
  tables as cells for the cell reader. The first reading that gives every form whole is kept, else
  the one that gives the most.

A folder is every regular, non-hidden file in it, in name order; one that cannot be read
fails the whole import, naming it. Ids the reader made up take the file's name.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from selfeval_kit.errors import DataError, Problem
from selfeval_kit.importers import bounded
from selfeval_kit.importers.adapters import ADAPTERS, sniff
from selfeval_kit.importers.cells import Document, Line
from selfeval_kit.importers.exact import read_book
from selfeval_kit.importers.imported import ImportedForm
from selfeval_kit.importers.layout import is_layout, tabulate
from selfeval_kit.importers.reader import read_forms
from selfeval_kit.importers.sequence import tabulate_sequence
from selfeval_kit.importers.tabbed import is_tabbed, tabulate_tabbed
from selfeval_kit.importers.vocabulary import vocabulary

__all__ = ["MAX_IMPORT_BYTES", "read_source", "read_text"]

MAX_IMPORT_BYTES = bounded.MAX_IMPORT_BYTES
_META_SHEET = b'name="_selfeval"'  # the hidden sheet of the workbooks this project writes


def read_source(path: str | Path) -> list[ImportedForm]:
    """Read the forms of a file (PDF, HTML, Word .docx, Excel .xlsx, text) or of a folder of them.

    Parameters
    ----------
    path : str or Path
        A file, whose content (not its suffix) says how to read it, or a folder.

    Returns
    -------
    list of ImportedForm
        Every form found, in the order of the source; a form read only in part is a draft
        (`ImportedForm.draft`, its `missing` fields listed), one not read confidently carries
        `errors`. Ids the reader made up (``form-01``) take the file's name:
        ``sichuan_2023.pdf`` gives ``sichuan_2023-01``.

    Raises
    ------
    DataError
        Naming the file, for what cannot be read: missing, unreadable, empty or oversized (over
        `MAX_IMPORT_BYTES`, by its size on disk, before a byte is read), a FIFO or device, an old
        .xls/.doc, binary data, a broken file, a PDF without a text layer, a document without forms.
    """
    path = Path(path)
    if path.is_dir():
        return _read_folder(path)
    data = bounded.file_bytes(path, MAX_IMPORT_BYTES)
    kind = sniff(data, path)
    if kind == "txt":
        return _name_after(path, _text_forms(path, data))
    if kind == "xlsx" and (forms := read_book(path, data, written_here=_written_here(data))):
        return _name_after(path, forms)
    document = ADAPTERS[kind](path, data)
    if kind == "pdf":  # pages without ruled tables come as laid-out lines
        document = tabulate(document, vocabulary())
    forms = read_forms(document)
    if not (forms and all(form.ok for form in forms)) and any(isinstance(b, Line) for b in document.blocks):
        # forms printed as paragraphs, not tables (a page's table flattened into its text)
        again = read_forms(tabulate_sequence(document, vocabulary()))
        if sum(form.ok for form in again) > sum(form.ok for form in forms):
            forms = again
    if not forms:
        notes = "；".join(document.notes)
        raise DataError.single(
            path,
            "no self-evaluation form found (未找到项目支出绩效自评表：没有表题，也没有“项目名称”一栏)"
            + (f"; {notes}" if notes else ""),
        )
    return _name_after(path, forms)


def read_text(text: str, source: str = "text.txt") -> list[ImportedForm]:
    """Read the forms of text held in memory (pasted, or extracted by another tool), as
    `read_source` reads a text file.

    Parameters
    ----------
    text : str
        The text: a cell a line, a row a line, laid out in columns, or tab-separated.
    source : str, default "text.txt"
        What to call it in messages and in each form's `source`.

    Returns
    -------
    list of ImportedForm
        As `read_source` gives them, but for the ids, which keep the reader's own (``form-01``).

    Raises
    ------
    DataError
        When the text holds no form.
    """
    return _text_forms(Path(source), text.encode("utf-8"))


def _text_forms(path: Path, data: bytes) -> list[ImportedForm]:
    """Text as copied tables (tabs between cells), laid out in columns, or in reading order (a
    row or a cell a line), through the cell reader (`tabbed`, `layout`, `sequence`): the first
    reading that gives every form whole, else the one that gives the most forms whole."""
    document = ADAPTERS["txt"](path, data)
    voc = vocabulary()
    readings: list[list[ImportedForm]] = []
    for applies, tables in ((is_tabbed, tabulate_tabbed), (is_layout, tabulate), (_any, tabulate_sequence)):
        if applies(document) and (forms := read_forms(tables(document, voc))):
            if all(form.ok for form in forms):
                return forms
            readings.append(forms)
    if not readings:
        raise DataError.single(
            path, "no self-evaluation form found (未找到项目支出绩效自评表：没有表题，也没有“项目名称”一栏)"
        )
    return max(readings, key=lambda forms: sum(form.ok for form in forms))


def _any(document: Document) -> bool:
    return True


def _read_folder(folder: Path) -> list[ImportedForm]:
    forms: list[ImportedForm] = []
    problems: list[Problem] = []
    files = sorted(p for p in folder.iterdir() if not p.name.startswith(".") and not p.is_dir())
    if not files:
        raise DataError.single(folder, "the folder holds no file to import")
    for file in files:
        try:
            forms.extend(read_source(file))
        except DataError as exc:
            problems.extend(exc.problems)
    if problems:
        raise DataError(problems)
    return forms


def _written_here(data: bytes) -> bool:
    """Whether a workbook has the hidden sheet of `selfeval export --format xlsx`."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            return _META_SHEET in book.read("xl/workbook.xml")
    except (zipfile.BadZipFile, KeyError, OSError):
        return False


_GENERIC_ID = re.compile(r"^form-(\d+)$")


def _name_after(path: Path, forms: list[ImportedForm]) -> list[ImportedForm]:
    """Generic ids (form-01, for names with no ASCII) take the source file's name, so that
    imports of several files into one folder do not collide: sichuan_2023.txt → sichuan_2023-01."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", path.stem).strip("-._")[:48]
    if not stem:
        return forms
    for imported in forms:
        match = _GENERIC_ID.match(imported.id)
        if match:
            imported.data["id"] = f"{stem}-{match.group(1)}"
    return forms
