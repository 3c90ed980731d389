"""Writing files so that a reader never sees a half-written one."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["atomic_write_bytes", "atomic_write_text"]


def _umask() -> int:
    """The process's umask, read without changing it where the system allows (Linux)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)  # elsewhere: set and restore (not thread-safe, but brief)
    os.umask(mask)
    return mask


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    """Write `data` to `path` through a temporary file beside it, renamed into place.

    A crash or an error midway leaves the previous file (if any) untouched. The file gets the
    permissions of any file the user creates (0666 less the umask), not mkstemp's 0600.

    Parameters
    ----------
    path : str or Path
        The file to write; its folder is created if needed.
    data : bytes
        The whole content.

    Returns
    -------
    Path
        `path`.

    Raises
    ------
    OSError
        When the folder or the file cannot be written; the temporary file is removed.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            if hasattr(os, "fchmod"):
                os.fchmod(handle.fileno(), 0o666 & ~_umask())
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def atomic_write_text(path: str | Path, text: str, encoding: str = "utf-8") -> Path:
    """Write `text` to `path` atomically, as `atomic_write_bytes` does.

    Parameters
    ----------
    path : str or Path
        The file to write.
    text : str
        The whole content.
    encoding : str, default "utf-8"
        How to encode `text`.

    Returns
    -------
    Path
        `path`.
    """
    return atomic_write_bytes(path, text.encode(encoding))
