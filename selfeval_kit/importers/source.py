"""Reading forms from a file by its kind: a .xlsx workbook or a .txt of published form text.

`read_source` checks the file (present, not empty, not oversized, text that is
text), hands it to the reader of its kind (`selfeval_kit.importers.workbook`,
`selfeval_kit.importers.text`) and names generic ids after the file.
"""

from __future__ import annotations

import re
import stat
from pathlib import Path

from selfeval_kit.errors import DataError
from selfeval_kit.importers.imported import ImportedForm
from selfeval_kit.importers.text import read_text
from selfeval_kit.importers.workbook import read_workbook

__all__ = ["MAX_IMPORT_BYTES", "read_source"]

MAX_IMPORT_BYTES = 20 * 1024 * 1024


def read_source(path: str | Path) -> list[ImportedForm]:
    """Read forms from a .xlsx workbook or a .txt of text extracted from published PDFs.

    Parameters
    ----------
    path : str or Path
        The file; its suffix (.xlsx or .txt, any case) says how to read it.

    Returns
    -------
    list of ImportedForm
        Every form found, in the order of the source; a form that could not be read
        confidently carries `errors` (see `ImportedForm.ok`). Ids the reader made up
        (``form-01``) take the file's name: ``sichuan_2023.txt`` gives ``sichuan_2023-01``.

    Raises
    ------
    DataError
        Naming the file, for what is not what its name claims: a missing, unreadable, empty or
        oversized (over `MAX_IMPORT_BYTES`, by its size on disk, before a byte is read) file, a
        FIFO or device, another suffix, a broken workbook or one without forms, a binary or
        non-UTF-8 file posing as text.
    """
    path = Path(path)
    size = _size(path)
    if size > MAX_IMPORT_BYTES:
        raise DataError.single(path, f"file is {size} bytes; the importer reads at most {MAX_IMPORT_BYTES}")
    if size == 0:
        raise DataError.single(path, "file is empty")
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return _name_after(path, read_workbook(path))
    if suffix == ".txt":
        raw = _read_bounded(path)
        if b"\x00" in raw[:8192]:
            raise DataError.single(path, "binary data in a .txt file; expected text extracted from a PDF (UTF-8)")
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise DataError.single(
                path, f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start})"
            ) from None
        return _name_after(path, read_text(text, source=str(path)))
    raise DataError.single(path, f"cannot import {suffix or 'a file without a suffix'}: expected .xlsx or .txt")


def _size(path: Path) -> int:
    """The size of a regular file by stat; DataError for what is not one (or cannot be looked at)."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise DataError.single(path, "no such file") from None
    except OSError as exc:
        raise DataError.single(path, f"cannot read: {exc.strerror or exc}") from None
    if stat.S_ISDIR(info.st_mode):
        raise DataError.single(path, "no such file")
    if not stat.S_ISREG(info.st_mode):
        kind = "a FIFO" if stat.S_ISFIFO(info.st_mode) else "a device or socket"
        raise DataError.single(path, f"not a regular file ({kind}); expected a .xlsx or .txt file")
    return info.st_size


def _read_bounded(path: Path) -> bytes:
    """The file's bytes, never more than MAX_IMPORT_BYTES (should it have grown since its stat)."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_IMPORT_BYTES + 1)
    except OSError as exc:
        raise DataError.single(path, f"cannot read: {exc.strerror or exc}") from None
    if len(raw) > MAX_IMPORT_BYTES:
        raise DataError.single(
            path, f"file is over {MAX_IMPORT_BYTES} bytes; the importer reads at most {MAX_IMPORT_BYTES}"
        )
    return raw


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
