"""Exporting a portfolio as JSON (the public contract) or CSV (one row per indicator)."""

from __future__ import annotations

import csv
import io
import json
from typing import Iterable

from selfeval_kit.form.model import Form

__all__ = ["to_json", "to_csv", "export_records", "CSV_COLUMNS"]

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
    """Forms in the public JSON shape, as Python objects."""
    return [_tidy(form.to_export()) for form in forms]


def to_json(forms: Iterable[Form]) -> str:
    return json.dumps(export_records(forms), ensure_ascii=False, indent=2) + "\n"


def to_csv(forms: Iterable[Form]) -> str:
    """One row per indicator. Encode the result as 'utf-8-sig' so Excel reads it as UTF-8."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for form in forms:
        for indicator in form.indicators:
            row = _tidy(indicator.model_dump())
            writer.writerow({"form_id": form.id, "form_name": form.name, **row})
    return buffer.getvalue()
