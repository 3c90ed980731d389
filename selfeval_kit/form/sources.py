"""Which form files a path stands for.

Kept apart from `loading` and `reading` (which import pydantic and PyYAML) so that a no-op
build can list the files cheaply. Also where a data path a user gives is resolved, and the
bundled example (package data) is found.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

from selfeval_kit.errors import DataError, Problem
from selfeval_kit.i18n import _

__all__ = [
    "BUNDLED_DATA",
    "FORM_SUFFIXES",
    "file_kind",
    "form_files",
    "form_stamps",
    "is_bundled",
    "open_bounded",
    "resolve_data_path",
]

FORM_SUFFIXES = (".yaml", ".yml", ".json", ".parquet")  # JSON, Parquet: the export formats, one form or many

# The bundled example (the 2022 forms of the Shanghai R&D service centre), package data so that
# an installed wheel has it too. In a clone of the repository, data/ links to it.
BUNDLED_DATA = Path(__file__).resolve().parent.parent / "data"


def resolve_data_path(data_path: str | Path) -> Path:
    """The folder or file a data path given by a user stands for.

    Parameters
    ----------
    data_path
        As typed: absolute, or relative to the working directory.

    Returns
    -------
    Path
        The path itself when it exists (or is absolute); else the same relative path under the
        parent of the working directory (JupyterLab runs a notebook in its own folder); else, for
        ``data/<rest>``, the bundled example's ``<rest>`` when there is one; else the path as given
        (loading it then says it does not exist).
    """
    path = Path(data_path).expanduser()
    if path.is_absolute() or path.exists():
        return path
    cwd = Path.cwd()
    for base in (cwd.parent, *cwd.parents[1:2]):
        candidate = base / path
        if candidate.exists():
            return candidate
    if path.parts and path.parts[0] == "data":
        bundled = BUNDLED_DATA.joinpath(*path.parts[1:])
        if bundled.exists():
            return bundled
    return path


def is_bundled(path: str | Path) -> bool:
    """Whether a resolved data path is (inside) the bundled example."""
    try:
        Path(path).resolve().relative_to(BUNDLED_DATA)
    except ValueError:
        return False
    return True


def file_kind(mode: int) -> str:
    """What a file of this ``st_mode`` is, for messages: "a folder", "a named pipe (FIFO)", "a device", ..."""
    if stat.S_ISREG(mode):
        return _("a regular file")
    if stat.S_ISDIR(mode):
        return _("a folder")
    if stat.S_ISFIFO(mode):
        return _("a named pipe (FIFO)")
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return _("a device")
    if stat.S_ISSOCK(mode):
        return _("a socket")
    return _("not a file")


def _not_a_form_file(path: Path) -> str | None:
    """Why `path` cannot be a form file (never opening it), or None when it is a regular file."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return _("a symbolic link to a missing file") if path.is_symlink() else _("no such file or folder")
    except OSError as exc:
        return _("cannot read the file: {reason}").format(reason=exc.strerror or exc)
    if stat.S_ISREG(mode):
        return None
    return _("not a regular file but {kind}; expected {expected}").format(
        kind=file_kind(mode), expected=_("a form file")
    )


def form_files(path: str | Path) -> list[Path]:
    """The form files a path stands for.

    Parameters
    ----------
    path
        A file, or a folder.

    Returns
    -------
    list of Path
        The file itself (whatever its suffix); or the folder's ``*.yaml``, ``*.yml``, ``*.json``
        and ``*.parquet`` files, not hidden ones nor subfolders, sorted by name.

    Raises
    ------
    DataError
        When the path does not exist or is not a regular file or folder (a named pipe,
        ``/dev/null``), or the folder holds no form files, or an entry of the folder named as a
        form file is not a readable regular file (a dangling symbolic link, a named pipe, a
        folder): a folder loads whole or not at all, and nothing is opened to find out.
    """
    path = Path(path)
    if path.is_dir():
        return [path / entry.name for entry in _folder_entries(path)]
    not_a_file = _not_a_form_file(path)
    if not_a_file is not None:
        raise DataError.single(path, not_a_file)
    return [path]


def form_stamps(path: str | Path) -> tuple[tuple[str, int, int], ...]:
    """The name, size and modification time (ns) of each of the form files a path stands for.

    The files are those of `form_files`, in its order, and the same DataError is raised; OSError
    when a file goes before it is looked at.
    """
    path = Path(path)
    if path.is_dir():  # the entries' own stat: no path object per file (a report's check of its folder)
        return tuple((e.name, (st := e.stat()).st_size, st.st_mtime_ns) for e in _folder_entries(path))
    return tuple((p.name, (st := p.stat()).st_size, st.st_mtime_ns) for p in form_files(path))


def _folder_entries(path: Path) -> list[os.DirEntry]:
    """The form files of a folder (see `form_files`), as scandir's entries sorted by name."""
    # scandir's entries know whether they are files without a stat each, and names sort
    # as the paths of one folder do: three times faster for a folder of 10,000 forms.
    with os.scandir(path) as entries:
        candidates = [
            entry
            for entry in entries
            if os.path.splitext(entry.name)[1] in FORM_SUFFIXES and not entry.name.startswith(".")
        ]
    problems = []
    for entry in sorted((e for e in candidates if not e.is_file()), key=lambda e: e.name):
        reason = _not_a_form_file(path / entry.name) or _("not a regular file")
        problems.append(Problem(str(path / entry.name), "", reason))
    if problems:
        raise DataError(problems)
    files = sorted((entry for entry in candidates if entry.is_file()), key=lambda e: e.name)
    if not files:
        raise DataError.single(path, _("no form files (*.yaml, *.yml, *.json, *.parquet) in this folder"))
    return files


def open_bounded(file: Path, limit: int, kind: str) -> tuple[Any, str | None]:
    """A binary handle on `file` if it is a regular file of at most `limit` bytes, else why not.

    Opened without blocking (a FIFO named like a form file never hangs the reader) and checked on
    the open descriptor, so the file checked is the file read. `kind` names what was expected, in
    the user's language ("a YAML form file").
    """
    try:
        fd = os.open(file, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        return None, _("cannot read the file: {reason}").format(reason=exc.strerror or exc)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            why = _("not a regular file but {kind}; expected {expected}").format(
                kind=file_kind(info.st_mode), expected=kind
            )
        elif info.st_size > limit:
            message = _("file is {size} bytes; {kind} is at most {limit} bytes")
            why = message.format(size=info.st_size, kind=kind, limit=limit)
        else:
            return os.fdopen(fd, "rb"), None
    except OSError as exc:
        why = _("cannot read the file: {reason}").format(reason=exc.strerror or exc)
    os.close(fd)
    return None, why
