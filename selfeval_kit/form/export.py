"""Exporting forms as JSON (the public contract) or CSV (one row per indicator).

The Excel workbook in the official layout is written by `selfeval_kit.form.workbook`.

CSV and formulas: a spreadsheet (Excel, WPS, LibreOffice) opening a CSV runs a cell that
starts with ``=``, ``+``, ``-`` or ``@`` as a formula (``=HYPERLINK(…)``, ``=cmd|' /C calc'!A0``),
and some read one starting with a tab or a carriage return the same way. `to_csv` therefore
writes every *text* cell that starts with one of these six characters behind a single quote,
as OWASP advises against CSV injection: the target ``=200人`` is written ``'=200人``, which the
spreadsheet shows as text. Numbers (weights, scores, amounts: ``-5``) are numbers in the form and
stay numbers: the decision is made by a value's type, never by its text. A program reading the
CSV back removes the leading quote of a cell whose next character is one of the six. JSON is
data for programs and is written as it is.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable

from selfeval_kit.form.labels import label
from selfeval_kit.form.model import Form

__all__ = ["CSV_COLUMNS", "CSV_FORMULA_STARTS", "CSV_HEADERS_ZH", "csv_cell", "export_records", "to_csv", "to_json"]

CSV_COLUMNS = (
    "form_id",
    "form_name",
    "level1",
    "level2",
    "name",
    "target",
    "actual",
    "weight",
    "score",
    "deviation_note",
)

CSV_HEADERS_ZH: dict[str, str] = {
    "form_id": "项目编号",
    "form_name": label("name"),
    "level1": label("level1"),
    "level2": label("level2"),
    "name": label("indicator"),
    "target": label("target"),
    "actual": label("actual"),
    "weight": label("weight"),
    "score": label("score"),
    "deviation_note": label("deviation_note"),
}
"""The header a reader sees for each of `CSV_COLUMNS`: the form's own column titles."""

CSV_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a CSV cell as a formula (OWASP, CSV injection)."""


def csv_cell(value):
    """A value as `to_csv` writes it: a text a spreadsheet would run as a formula behind a quote.

    Parameters
    ----------
    value : str, int, float, bool or None
        One cell's value.

    Returns
    -------
    object
        ``"'" + value`` for a str starting with one of `CSV_FORMULA_STARTS`; any other value
        (other text, numbers of any sign, None) unchanged.
    """
    if isinstance(value, str) and value.startswith(CSV_FORMULA_STARTS):
        return "'" + value
    return value


def _tidy(value):
    """Whole floats as ints (296272 rather than 296272.0), recursively."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _tidy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_tidy(v) for v in value]
    return value


def export_records(forms: Iterable[Form]) -> list[dict]:
    """Forms in the public JSON shape, as Python objects.

    Parameters
    ----------
    forms : iterable of Form
        The forms, e.g. a Portfolio.

    Returns
    -------
    list of dict
        One dict a form, keys as `Form.to_export` gives them (no ``seq``); whole floats as ints.
    """
    return [_tidy(form.to_export()) for form in forms]


def to_json(forms: Iterable[Form]) -> str:
    """The forms as a JSON array, the public contract of `selfeval export --format json`.

    Parameters
    ----------
    forms : iterable of Form
        The forms, in the order to write them.

    Returns
    -------
    str
        `export_records` as JSON: non-ASCII text as is, indented by two spaces, a final newline.
    """
    return json.dumps(export_records(forms), ensure_ascii=False, indent=2) + "\n"


def to_csv(forms: Iterable[Form], header: str = "zh") -> str:
    """The forms' indicators as CSV, one row per indicator, the columns of `CSV_COLUMNS`.

    Parameters
    ----------
    forms : iterable of Form
        The forms, in the order to write them.
    header : {"zh", "en"}, default "zh"
        The header row: the form's Chinese column titles (`CSV_HEADERS_ZH`), for readers, or the
        English names of `CSV_COLUMNS`, the stable contract for programs.

    Returns
    -------
    str
        A header row and the rows, CRLF line ends. Encode it as 'utf-8-sig' so that Excel reads it
        as UTF-8 (as `selfeval export --format csv` does). Text cells a spreadsheet would run as
        formulas are written behind a single quote (`csv_cell`, see the module's notes).
    """
    if header not in ("zh", "en"):
        raise ValueError(f"header must be 'zh' or 'en', not {header!r}")
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    writer.writerow(CSV_HEADERS_ZH if header == "zh" else {c: c for c in CSV_COLUMNS})
    for form in forms:
        for indicator in form.indicators:
            row = {"form_id": form.id, "form_name": form.name, **_tidy(indicator.model_dump())}
            writer.writerow({key: csv_cell(value) for key, value in row.items()})
    return buffer.getvalue()
