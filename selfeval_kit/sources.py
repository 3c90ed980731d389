"""Which form files a path stands for.

Kept apart from `loading` (which imports pydantic and PyYAML) so that a no-op build and
the bulk check, which starts its workers before anything heavy is imported, can list
the files cheaply.
"""

from __future__ import annotations

from pathlib import Path

from .errors import DataError

__all__ = ["FORM_SUFFIXES", "form_files"]

FORM_SUFFIXES = (".yaml", ".yml", ".json")  # JSON: the export format, one form or a list


def form_files(path: str | Path) -> list[Path]:
    """The form files a path stands for: the file itself, or a folder's *.yaml/*.yml/*.json."""
    path = Path(path)
    if path.is_dir():
        files = sorted(
            p for p in path.iterdir() if p.suffix in FORM_SUFFIXES and p.is_file() and not p.name.startswith(".")
        )
        if not files:
            raise DataError.single(path, "no form files (*.yaml, *.yml, *.json) in this folder")
        return files
    if path.is_file():
        return [path]
    raise DataError.single(path, "no such file or folder")
