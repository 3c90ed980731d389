"""The build's index page: a summary table linking every report, with build errors.

Drawn without matplotlib: the build's own process renders it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from markupsafe import Markup

from selfeval_kit.report.html import ENV, css, marks
from selfeval_kit.views.formatting import chinese_date

__all__ = ["render_index"]


def render_index(title: str, entries: Sequence[dict], annual: Sequence[dict], summary: dict[str, Any]) -> str:
    """The build's index.html.

    Parameters
    ----------
    title
        The page's title.
    entries
        One dict per project report: id, name, href (None when the report failed), error,
        score_reported, score_recomputed, grade, rate, findings (counts text); optional
        ``earlier`` (a date): the report failed and href is its page from an earlier build.
    annual
        One dict per annual report: name, href, error (and optional ``earlier``).
    summary
        data, profile, built, failed, version: the lines above and below the table.

    Returns
    -------
    str
        A self-contained HTML document (the style sheet inline), dated today.
    """
    return ENV.get_template("index.html.j2").render(
        title=title,
        entries=entries,
        annual=annual,
        summary=summary,
        css=Markup(css()),
        today=chinese_date(),
        **marks(),
    )
