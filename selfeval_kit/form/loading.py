"""Loading a form file or a folder of them into a validated Portfolio.

Every problem of every file is collected before anything is returned: a user fixing a folder
of forms sees every mistake in one run, and no file is ever half-loaded. Reading one file is
`selfeval_kit.form.reading.read_forms`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from selfeval_kit.errors import DataError, Problem
from selfeval_kit.form.model import Form
from selfeval_kit.form.reading import read_forms
from selfeval_kit.form.sources import form_files
from selfeval_kit.i18n import _

__all__ = ["Portfolio", "load", "load_form"]


@dataclass(frozen=True)
class Portfolio:
    """The forms of one or more files, in portfolio order, with the file each came from.

    Iterating gives the forms; ``len`` counts them; ``portfolio[form_id]`` is the form with
    that id (``KeyError`` listing the ids when there is none).

    Parameters
    ----------
    forms
        The forms, ordered by ``seq`` (forms without one last), then by file name.
    sources
        The file each form came from, by form id.
    """

    forms: tuple[Form, ...]
    sources: dict[str, Path] = field(default_factory=dict)

    def __iter__(self) -> Iterator[Form]:
        return iter(self.forms)

    def __len__(self) -> int:
        return len(self.forms)

    def __getitem__(self, form_id: str) -> Form:
        for form in self.forms:
            if form.id == form_id:
                return form
        raise KeyError(_("no form with id {id}; ids: {ids}").format(id=repr(form_id), ids=", ".join(self.ids)))

    @property
    def ids(self) -> list[str]:
        """The form ids, in portfolio order."""
        return [f.id for f in self.forms]

    @property
    def years(self) -> list[int]:
        """The years the forms are for, each once, ascending."""
        return sorted({f.year for f in self.forms})


def load(path: str | Path) -> Portfolio:
    """Load a form file, or every form file of a folder, into a Portfolio.

    Parameters
    ----------
    path
        A YAML file of one form, a JSON file of one form or a list (as ``selfeval export``
        writes), or a folder of such files (``*.yaml``, ``*.yml``, ``*.json``; not its subfolders).

    Returns
    -------
    Portfolio
        Every form of every file, when all are valid and their ids distinct.

    Raises
    ------
    DataError
        Listing every problem of every file, and each id used by two forms (ids that differ only
        in case included: their pages would be one file where names ignore case), when there is any;
        also when the path does not exist or a folder holds no form files.
    """
    problems: list[Problem] = []
    loaded: list[tuple[Form, Path]] = []
    for file in form_files(path):
        file_forms, file_problems = read_forms(file)
        problems.extend(file_problems)  # a file loads whole or not at all
        loaded.extend((form, file) for form in file_forms)

    first: dict[str, tuple[str, Path]] = {}  # by the id in lower case: the id as written, its file
    for form, file in loaded:
        key = form.id.lower()  # ids are ASCII; each names a page, and macOS and Windows ignore case
        if key not in first:
            first[key] = (form.id, file)
            continue
        other_id, other_file = first[key]
        if other_id == form.id:
            message = _("duplicate id: also used by {file}").format(file=other_file)
        else:
            message = _(
                "id differs only in case from {other} in {file}: their pages would be one file on macOS and Windows"
            ).format(other=repr(other_id), file=other_file)
        problems.append(Problem(str(file), "id", message, form.id, True))
    if problems:
        raise DataError(problems)

    loaded.sort(key=lambda pair: (pair[0].seq is None, pair[0].seq or 0, pair[1].name))
    return Portfolio(forms=tuple(f for f, _file in loaded), sources={f.id: p for f, p in loaded})


def load_form(path: str | Path) -> Form:
    """Load and validate the one form of a file.

    Parameters
    ----------
    path
        A form file (see `load`); a folder works too when it holds exactly one form.

    Returns
    -------
    Form
        The validated form.

    Raises
    ------
    DataError
        Listing every problem in the file, or saying how many forms it holds when not one.
    """
    portfolio = load(path)
    if len(portfolio) != 1:
        raise DataError.single(path, _("expected one form, found {n}").format(n=len(portfolio)))
    return portfolio.forms[0]
