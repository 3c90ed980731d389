"""What every importer returns: `ImportedForm`, and `slug` for the ids an importer has to make up.

An importer (the cell reader `selfeval_kit.importers.reader.read_forms`, flat tables
`selfeval_kit.importers.flat.read_flat`)
turns a source into `ImportedForm`s: the form's data in the YAML shape, plus what it could
not fill and whether the source ended early.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["ImportedForm", "slug"]


@dataclass
class ImportedForm:
    """One form read from a source, not yet validated.

    Parameters
    ----------
    data : dict
        The form in the YAML shape: the keys of `selfeval_kit.form.model.Form`.
    source : str
        The file and the place in it, e.g. ``"forms.txt: form 3 (line 120)"``.
    missing : list of str
        Field paths the source does not give (``"funds.carryover"``, ``"indicators[*].score"``).
    notes : list of str
        Every reading of an ambiguous layout; written as YAML comments.
    complete : bool
        False when the source ends before the form does.
    errors : list of str
        Why the form could not be read confidently; such a form is not written.
    records : list of FieldRecord
        Every field the cell reader (`selfeval_kit.importers.reader`) read or left empty, with
        where and how sure; empty for the older readers.
    draft : bool
        Required fields are missing (`missing`): not a form, at most a draft.
    """

    data: dict
    source: str
    missing: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    complete: bool = True
    errors: list[str] = field(default_factory=list)
    records: list = field(default_factory=list)  # FieldRecord of every field read (the cell reader's)
    draft: bool = False  # required fields missing: written only as a draft that lists them

    @property
    def ok(self) -> bool:
        """Read whole and confidently: safe to write (missing optional fields are listed, not fatal)."""
        return self.complete and not self.errors and not self.draft

    @property
    def id(self) -> str:
        """The form's id as read (``""`` when the source gave none)."""
        return str(self.data.get("id", ""))


def slug(text: str, index: int, taken: set[str] | None = None) -> str:
    """An ASCII id for a form: the project code its name starts with ("51092324T000010263357-2023年…"),
    else the ASCII letters of its name if any, else ``form-NN``.

    Parameters
    ----------
    text : str
        The form's name.
    index : int
        The form's position in its source (1-based), for ``form-NN``.
    taken : set of str, optional
        Ids already given; the result differs from them (``-2``, ``-3``, ... appended)
        and is added to the set.

    Returns
    -------
    str
        An id that `selfeval_kit.form.model.ID_PATTERN` accepts.
    """
    code = re.match(r"\s*([A-Za-z0-9]{10,40})[-－\s]", text)  # a project code before the name: the id
    ascii_part = code.group(1).lower() if code else re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()[:40]
    # "VPN运维" → "vpn"; a name whose only ASCII is a year ("（2023年第二批）") is not named after it
    base = ascii_part if len(ascii_part) >= 3 and re.search(r"[a-z]", ascii_part) else f"form-{index:02d}"
    candidate, n = base, 2
    while taken is not None and candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    if taken is not None:
        taken.add(candidate)
    return candidate
