"""The official form (附：绩效自评表) as an HTML table, from the Form alone."""

from __future__ import annotations

from selfeval_kit.form.model import Form
from selfeval_kit.report.html import Html, render
from selfeval_kit.views import official

__all__ = ["official_form"]


def official_form(form: Form) -> Html:
    """The form as the official table: funds rows, then the indicators with merged 一级/二级 cells.

    Parameters
    ----------
    form
        The form as loaded; nothing recomputed is shown.

    Returns
    -------
    Html
        The table section (附：绩效自评表).
    """
    return render("official_form.html.j2", **official.official_form(form))
