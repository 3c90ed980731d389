"""What every importer returns, and writing imported forms as YAML safely.

An importer (Excel: `excel.read_workbook`; published text: `pdftext.read_text`)
turns a source into `ImportedForm`s: the form's data in the YAML shape, plus what
it could not fill and whether the source ended early. `write_forms` validates
everything first and writes nothing unless every form is valid and no file would
be overwritten without `force`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from selfeval_kit.errors import DataError, Problem
from selfeval_kit.files import atomic_write_text
from selfeval_kit.form.model import Form

__all__ = ["ImportedForm", "form_to_yaml", "write_forms", "slug", "MAX_IMPORT_BYTES"]

MAX_IMPORT_BYTES = 20 * 1024 * 1024


@dataclass
class ImportedForm:
    """One form read from a source. `data` has the keys of `model.Form`."""

    data: dict
    source: str  # file and place, e.g. "forms.txt: form 3 (line 120)"
    missing: list[str] = field(default_factory=list)  # field paths that could not be filled
    notes: list[str] = field(default_factory=list)  # layout decisions, as YAML comments
    complete: bool = True  # False when the source ends before the form does
    errors: list[str] = field(default_factory=list)  # why the form could not be read confidently

    @property
    def ok(self) -> bool:
        """Read whole and confidently: safe to write (missing optional fields are listed, not fatal)."""
        return self.complete and not self.errors

    @property
    def id(self) -> str:
        return str(self.data.get("id", ""))


def slug(text: str, index: int, taken: set[str] | None = None) -> str:
    """An ASCII id for a form: the ASCII letters of its name if any, else form-NN."""
    ascii_part = re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()[:40]
    # "VPN运维" → "vpn"; a name whose only ASCII is a year ("（2023年第二批）") is not named after it
    base = ascii_part if len(ascii_part) >= 3 and re.search(r"[a-z]", ascii_part) else f"form-{index:02d}"
    candidate, n = base, 2
    while taken is not None and candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    if taken is not None:
        taken.add(candidate)
    return candidate


class _QuotedDumper(yaml.SafeDumper):
    pass


def _str(dumper: yaml.SafeDumper, value: str):
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style='"')


_QuotedDumper.add_representer(str, _str)


def form_to_yaml(imported: ImportedForm) -> str:
    """The YAML text of a form: notes as comments, strings quoted, keys in form order."""
    header = [f"# Imported from {imported.source}."]
    if not imported.complete:
        header.append("# INCOMPLETE: the source ends before this form does.")
    if imported.missing:
        header.append("# Not found in the source: " + ", ".join(imported.missing))
    header += [f"# {line}" for note in imported.notes for line in note.splitlines()]
    body = yaml.dump(imported.data, Dumper=_QuotedDumper, allow_unicode=True, sort_keys=False, width=100000)
    return "\n".join(header) + "\n" + body


def write_forms(forms: list[ImportedForm], out_dir: str | Path, *, force: bool = False) -> list[Path]:
    """Validate every form, then write `<id>.yaml` files; on any problem write nothing.

    Forms that are incomplete or miss fields are refused unless every missing
    field is optional in the model; the caller reports `missing` to the user.
    """
    out_dir = Path(out_dir)
    problems: list[Problem] = []
    targets: list[tuple[Path, str]] = []
    seen: set[str] = set()
    for imported in forms:
        try:
            Form.model_validate(imported.data)
        except Exception as exc:  # pydantic ValidationError: report, do not write
            from selfeval_kit.form.loading import _problem  # one formatter for all validation messages

            errors = exc.errors() if hasattr(exc, "errors") else [{"msg": str(exc), "loc": ()}]
            problems.extend(_problem(imported.source, err) for err in errors)
            continue
        path = out_dir / f"{imported.id}.yaml"
        if imported.id in seen:
            problems.append(Problem(imported.source, "id", "two imported forms have the same id", imported.id, True))
        seen.add(imported.id)
        if path.exists() and not force:
            problems.append(Problem(str(path), "", "file exists; use --force to overwrite it"))
        targets.append((path, form_to_yaml(imported)))
    if problems:
        raise DataError(problems)
    return [atomic_write_text(path, text) for path, text in targets]


def read_source(path: str | Path) -> list[ImportedForm]:
    """Read forms from a .xlsx workbook or a .txt of published form text.

    Refuses, with a DataError naming the file, what is not what its name claims:
    a missing or oversized file, a broken workbook, a binary file posing as text.
    """
    path = Path(path)
    if not path.is_file():
        raise DataError.single(path, "no such file")
    size = path.stat().st_size
    if size > MAX_IMPORT_BYTES:
        raise DataError.single(path, f"file is {size} bytes; the importer reads at most {MAX_IMPORT_BYTES}")
    if size == 0:
        raise DataError.single(path, "file is empty")
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        from selfeval_kit.importers.excel import read_workbook

        return _name_after(path, read_workbook(path))
    if suffix == ".txt":
        from selfeval_kit.importers.text import read_text

        raw = path.read_bytes()
        if b"\x00" in raw[:8192]:
            raise DataError.single(path, "binary data in a .txt file; expected text extracted from a PDF (UTF-8)")
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise DataError.single(path, f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start})") from None
        return _name_after(path, read_text(text, source=str(path)))
    raise DataError.single(path, f"cannot import {suffix or 'a file without a suffix'}: expected .xlsx or .txt")


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
