"""Digests of what the reports are made from: the package, the notebooks, the profile, the data.

Cheap to compute and to import (hashlib and json only): a build that finds nothing changed stops
after `fingerprint`, before anything heavy (pydantic, pandas, papermill) is imported.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from selfeval_kit.errors import DataError
from selfeval_kit.form.sources import form_files
from selfeval_kit.version import __version__

__all__ = [
    "MANIFEST_FORMAT",
    "PACKAGE_DIR",
    "Setup",
    "data_files",
    "file_sha",
    "fingerprint",
    "json_sha",
    "package_digest",
    "profile_digest",
    "profile_parameter",
    "sha",
]

PACKAGE_DIR = Path(__file__).resolve().parent.parent  # selfeval_kit/
MANIFEST_FORMAT = 1  # a manifest of another format is not read: everything is built again


def sha(data: bytes) -> str:
    """The SHA-256 of `data`, in hex."""
    return hashlib.sha256(data).hexdigest()


def file_sha(path: Path) -> str:
    """The SHA-256 of a file's content, in hex."""
    h = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def json_sha(value: Any) -> str:
    """The SHA-256 of a JSON-able value (keys sorted; anything else as its str)."""
    return sha(json.dumps(value, sort_keys=True, ensure_ascii=False, default=str).encode("utf-8"))


def package_digest() -> str:
    """A digest of the package's version and of every file of the package but the bundled data.

    Returns
    -------
    str
        A SHA-256 in hex. Any edit to the code, templates, notebooks or profiles changes it, so
        that every report is out of date. Computed afresh by every build (a few milliseconds):
        the workers import the package anew, so an edit made while the caller runs (a Jupyter
        session) shows in their reports and must count.
    """
    h = hashlib.sha256(f"selfeval-kit {__version__}\0".encode())
    for path in sorted(PACKAGE_DIR.rglob("*")):
        rel = path.relative_to(PACKAGE_DIR)
        skip = rel.parts[0] == "data" or "__pycache__" in rel.parts or path.suffix in (".pyc", ".pyo")
        if not skip and path.is_file():
            h.update(rel.as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def data_files(path: Path) -> list[Path] | None:
    """The files `load` reads for a path (`sources.form_files`, no pydantic); None when it would refuse it."""
    try:
        return form_files(path)
    except DataError:
        return None


def profile_digest(profile_param: str) -> str:
    """A built-in profile by name (its file is part of the package digest); a profile file by content."""
    path = Path(profile_param)
    if path.is_absolute() and path.is_file():
        return "file:" + file_sha(path)
    return "builtin:" + profile_param


def profile_parameter(profile: str | Path) -> str:
    """A built-in profile name as is; a profile file as an absolute path (the kernels' folder differs)."""
    text = str(profile)
    path = Path(text).expanduser()
    if text.endswith((".yaml", ".yml")) or path.is_file():
        return str(path.resolve())
    return text


@dataclass(frozen=True)
class Setup:
    """Everything a build's outputs depend on besides the forms, digested once per build."""

    package: str
    project_nb: str
    annual_nb: str
    profile: str
    kernel: str
    signature: tuple[tuple[str, str], ...] = ()  # the reviewer's block printed in every report

    def common(self, kind: str) -> dict:
        """The part of a report's digest that is the same for every report of its kind."""
        notebook = self.project_nb if kind == "project" else self.annual_nb
        common = {
            "format": MANIFEST_FORMAT,
            "package": self.package,
            "notebook": notebook,
            "profile": self.profile,
            "kernel": self.kernel,
        }
        if self.signature:  # absent when unsigned, so earlier builds' digests still hold
            common["signature"] = dict(self.signature)
        return common


def fingerprint(setup: Setup, data: Path, keep_notebooks: bool) -> str | None:
    """One digest of every input of a build; None when the data files cannot be listed or read."""
    files = data_files(data)
    if files is None:
        return None
    try:
        listing = [[p.name, file_sha(p)] for p in files]
    except OSError:
        return None
    return json_sha({"setup": asdict(setup), "data": listing, "keep_notebooks": keep_notebooks})
