"""Reading an import's source file within bounds: a regular file, not empty, at most `MAX_IMPORT_BYTES`.

`file_bytes` checks by stat before a byte is read (a FIFO or a device would block or never
end), then reads at most one byte more than the limit, should the file have grown since.
"""

from __future__ import annotations

import stat
from pathlib import Path

from selfeval_kit.errors import DataError

__all__ = ["MAX_IMPORT_BYTES", "file_bytes", "file_size"]

MAX_IMPORT_BYTES = 20 * 1024 * 1024


def file_size(path: Path, limit: int | None = None) -> int:
    """The size of a regular file by stat, within `limit` (default `MAX_IMPORT_BYTES`) and not 0.

    Raises
    ------
    DataError
        Naming the file: missing, a folder, not a regular file, unreadable, empty or too large.
    """
    limit = MAX_IMPORT_BYTES if limit is None else limit
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
        raise DataError.single(path, f"not a regular file ({kind}); expected a document of forms")
    if info.st_size > limit:
        raise DataError.single(path, f"file is {info.st_size} bytes; the importer reads at most {limit}")
    if info.st_size == 0:
        raise DataError.single(path, "file is empty")
    return info.st_size


def file_bytes(path: Path, limit: int | None = None) -> bytes:
    """The bytes of the file `file_size` accepts, never more than `limit`."""
    limit = MAX_IMPORT_BYTES if limit is None else limit
    file_size(path, limit)
    try:
        with path.open("rb") as handle:
            raw = handle.read(limit + 1)
    except OSError as exc:
        raise DataError.single(path, f"cannot read: {exc.strerror or exc}") from None
    if len(raw) > limit:
        raise DataError.single(path, f"file is over {limit} bytes; the importer reads at most {limit}")
    return raw
