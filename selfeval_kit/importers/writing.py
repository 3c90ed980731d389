"""Writing imported forms as YAML files, safely: everything is validated before anything is written.

`write_forms` writes nothing unless every form is valid and no file would be
overwritten without `force`; then it writes all the files or none of them (into a
temporary folder first, moved into place when all are written: a full disk leaves
nothing behind, and the same import runs again once there is room).

A form the source gives only in part (`ImportedForm.draft`) can be written beside them as a
draft, ``<id>.draft.yaml``: what was read, and a first key ``draft`` listing the missing fields.
`selfeval validate`, `check` and `build` refuse a draft with that list, so it is never taken for
a form; completing the fields and deleting the ``draft`` key (and ``.draft`` from the name) makes it one.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from selfeval_kit.errors import DataError, Problem
from selfeval_kit.files import atomic_write_files
from selfeval_kit.form.reading import DRAFT_KEY, validate_form
from selfeval_kit.importers.imported import ImportedForm

__all__ = ["draft_to_yaml", "form_to_yaml", "write_forms"]


class _QuotedDumper(yaml.SafeDumper):
    pass


def _str(dumper: yaml.SafeDumper, value: str):
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style='"')


_QuotedDumper.add_representer(str, _str)


def form_to_yaml(imported: ImportedForm) -> str:
    """The YAML text of an imported form: notes as comments, strings quoted, keys in form order.

    Parameters
    ----------
    imported : ImportedForm
        The form; its source, incompleteness, missing fields and notes become the header comments.

    Returns
    -------
    str
        The text of ``<id>.yaml``.
    """
    header = [f"# Imported from {imported.source}."]
    if not imported.complete:
        header.append("# INCOMPLETE: the source ends before this form does.")
    if imported.missing:
        header.append("# Not found in the source: " + ", ".join(imported.missing))
    header += [f"# {line}" for note in imported.notes for line in note.splitlines()]
    body = yaml.dump(imported.data, Dumper=_QuotedDumper, allow_unicode=True, sort_keys=False, width=100000)
    return "\n".join(header) + "\n" + body


def draft_to_yaml(imported: ImportedForm) -> str:
    """The YAML text of a draft: the header comments of `form_to_yaml`, then ``draft: {missing: [...]}``
    and what was read."""
    data = {DRAFT_KEY: {"missing": list(imported.missing)}, **imported.data}
    header = [f"# DRAFT imported from {imported.source}: not a form until the fields under draft.missing are filled in"]
    header += [f"# {line}" for note in imported.notes for line in note.splitlines()]
    body = yaml.dump(data, Dumper=_QuotedDumper, allow_unicode=True, sort_keys=False, width=100000)
    return "\n".join(header) + "\n" + body


def write_forms(
    forms: list[ImportedForm], out_dir: str | Path, *, force: bool = False, drafts: list[ImportedForm] | None = None
) -> list[Path]:
    """Validate every form, then write one ``<id>.yaml`` file each (and ``<id>.draft.yaml`` for each
    of `drafts`); on any problem write nothing.

    Parameters
    ----------
    forms : list of ImportedForm
        The forms to write. The caller decides which to pass (`ImportedForm.ok`) and reports
        their `missing` fields; a missing field that the model requires fails validation here.
    out_dir : str or Path
        The folder for the files; created if needed.
    force : bool, default False
        Overwrite files that exist.
    drafts : list of ImportedForm, optional
        Forms read only in part, written as drafts (not validated: they lack what they list).

    Returns
    -------
    list of Path
        The files written, in the order of `forms`.

    Raises
    ------
    DataError
        Listing every problem: a form the model refuses, two forms with the same id, a file that
        exists (without `force`). Nothing is written then.
    WriteError
        (an OSError, from `selfeval_kit.files`) When a file cannot be written, naming it and the
        system's reason (``out/x.yaml: cannot write: No space left on device``). Nothing is
        written then either.
    """
    out_dir = Path(out_dir)
    problems: list[Problem] = []
    targets: dict[str, str] = {}
    seen: set[str] = set()

    def claim(imported: ImportedForm, path: Path) -> None:
        """Problems of writing `imported` to `path`: an id taken, a file there (without force)."""
        if imported.id in seen:
            problems.append(Problem(imported.source, "id", "two imported forms have the same id", imported.id, True))
        seen.add(imported.id)
        if path.exists() and not force:
            problems.append(Problem(str(path), "", "file exists; use --force to overwrite it"))

    for imported in forms:
        form, invalid = validate_form(imported.data, imported.source)
        if form is None:
            problems.extend(invalid)
            continue
        claim(imported, out_dir / f"{imported.id}.yaml")
        targets[f"{imported.id}.yaml"] = form_to_yaml(imported)
    for imported in drafts or []:
        claim(imported, out_dir / f"{imported.id}.draft.yaml")
        targets[f"{imported.id}.draft.yaml"] = draft_to_yaml(imported)
    if problems:
        raise DataError(problems)
    return atomic_write_files(out_dir, {name: text.encode("utf-8") for name, text in targets.items()})
