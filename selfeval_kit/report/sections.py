"""Transitional: the names `selfeval_kit.publish.build` and tests/test_build.py still import from here.

Delete this module once they import from the defining modules (`selfeval_kit.views.formatting`
for titles and formats, `selfeval_kit.report` for `render_index` and `SEVERITY_ORDER`,
`selfeval_kit.form.sources` for `resolve_data_path`).
"""

from __future__ import annotations

from selfeval_kit.form.sources import resolve_data_path
from selfeval_kit.report.html import Html
from selfeval_kit.report.index import render_index
from selfeval_kit.views.formatting import annual_title, chinese_date, pct, points, project_title
from selfeval_kit.views.marks import SEVERITY_ORDER

__all__ = [
    "SEVERITY_ORDER",
    "Html",
    "annual_title",
    "chinese_date",
    "pct",
    "points",
    "project_title",
    "render_index",
    "resolve_data_path",
]
