"""Writing files so that a reader never sees a half-written one."""

from __future__ import annotations

import errno
import os
import secrets
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

__all__ = ["WriteError", "atomic_write_bytes", "atomic_write_files", "atomic_write_text"]


class WriteError(OSError):
    """A file could not be written.

    `filename` is the file meant, never a temporary file; `strerror` the system's reason;
    ``str()`` reads ``out/x.yaml: cannot write: No space left on device``.
    """

    def __str__(self) -> str:
        return f"{self.filename}: cannot write: {self.strerror}"


def _failed(exc: OSError, path: Path) -> WriteError:
    """`exc` as a WriteError naming `path` (the file meant), with the system's reason."""
    if isinstance(exc, WriteError):
        return exc
    return WriteError(exc.errno, exc.strerror or str(exc) or type(exc).__name__, str(path))


def _write_file(path: Path, data: bytes) -> None:
    """Create `path` (it must not exist) with `data`, flushed to disk, with the umask's permissions."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def _make_folder(folder: Path) -> None:
    """Create `folder` and its parents; a WriteError naming the file (or dangling link) in the way."""
    for candidate in (folder, *folder.parents):
        if candidate.exists() or candidate.is_symlink():
            if not candidate.is_dir():
                raise WriteError(errno.ENOTDIR, "not a folder", str(candidate))
            break
    folder.mkdir(parents=True, exist_ok=True)


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    """Write `data` to `path` through a temporary file beside it, renamed into place.

    A crash or an error midway leaves the previous file (if any) untouched. The file gets the
    permissions of any file the user creates (0666 less the umask), not mkstemp's 0600.
    The temporary file is named after `path` (``.<name>.<random>.tmp``) and never outlives the call.

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
    WriteError
        When the folder or the file cannot be written, naming `path` (never the temporary
        file) and the system's reason; the temporary file is removed.
    """
    path = Path(path)
    try:
        _make_folder(path.parent)
        tmp = path.parent / f".{path.name}.{secrets.token_hex(6)}.tmp"
        _write_file(tmp, data)
        try:
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise _failed(exc, path) from exc
    return path


def atomic_write_files(folder: str | Path, files: Mapping[str, bytes]) -> list[Path]:
    """Write several files into `folder`: all of them, or none.

    Every file is first written into a temporary folder inside `folder` (so on the same file
    system); only when all are written are they moved into place, one rename each. On a failure
    the temporary folder is removed, and so is `folder` if this call created it.

    Parameters
    ----------
    folder : str or Path
        Where the files go; created (with its parents) if needed.
    files : mapping of str to bytes
        File name (no folder part) to content, in the order to write them. Existing files of
        these names are replaced.

    Returns
    -------
    list of Path
        The files written, in the order of `files`.

    Raises
    ------
    WriteError
        Naming the file that could not be written (its final name, never a temporary one) and
        the system's reason. Nothing of this call is left behind: should a rename fail midway
        (a full disk can refuse the folder a new entry), the files new to `folder` are taken
        back; a file replaced before that stays replaced.
    """
    folder = Path(folder)
    targets = [folder / name for name in files]
    created = _missing_folders(folder)
    staging: Path | None = None
    moved: list[Path] = []
    current = folder
    try:
        _make_folder(folder)
        staging = Path(tempfile.mkdtemp(dir=folder, prefix=".selfeval-writing."))
        for target, data in zip(targets, files.values(), strict=True):
            current = target
            _write_file(staging / target.name, data)
        for target in targets:
            current = target
            existed = target.exists()
            os.replace(staging / target.name, target)
            if not existed:
                moved.append(target)
    except OSError as exc:
        for path in moved:  # a rename failed midway (hardly ever): take back the new files
            path.unlink(missing_ok=True)
        _remove(staging, created)
        raise _failed(exc, current) from exc
    _remove(staging, [])
    return targets


def _missing_folders(folder: Path) -> list[Path]:
    """The folders `folder.mkdir(parents=True)` would create, deepest first."""
    missing = []
    for candidate in (folder, *folder.parents):
        if candidate.exists():
            break
        missing.append(candidate)
    return missing


def _remove(staging: Path | None, created: list[Path]) -> None:
    """Remove the staging folder and its files, then the folders this call created, if empty."""
    if staging is not None:
        shutil.rmtree(staging, ignore_errors=True)
    for path in created:
        try:
            path.rmdir()
        except OSError:
            break


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
