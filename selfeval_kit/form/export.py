"""Exporting forms as JSON (the public contract) or CSV (one row per indicator).

The Excel workbook in the official layout is written by `selfeval_kit.form.workbook`.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable

from selfeval_kit.form.model import Form

__all__ = ["CSV_COLUMNS", "export_records", "to_csv", "to_json"]

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


def to_csv(forms: Iterable[Form]) -> str:
    """The forms' indicators as CSV, one row per indicator, the columns of `CSV_COLUMNS`.

    Parameters
    ----------
    forms : iterable of Form
        The forms, in the order to write them.

    Returns
    -------
    str
        A header row and the rows, CRLF line ends. Encode it as 'utf-8-sig' so that Excel reads it
        as UTF-8 (as `selfeval export --format csv` does).
    """
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for form in forms:
        for indicator in form.indicators:
            row = _tidy(indicator.model_dump())
            writer.writerow({"form_id": form.id, "form_name": form.name, **row})
    return buffer.getvalue()
