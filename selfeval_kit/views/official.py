"""The rows of the official form (附：绩效自评表), from the Form alone.

The table is the form as the unit filled it in: the funds rows, then the indicators with the
一级 and 二级 cells merged over runs of equal consecutive values (HTML rowspans).
"""

from __future__ import annotations

from typing import Any

from selfeval_kit.form.labels import FUNDS_ROW_LABELS
from selfeval_kit.form.model import Form
from selfeval_kit.views.formatting import amount, points, weight_text
from selfeval_kit.views.project import FUNDS_KEYS

__all__ = ["official_form", "spans"]


def spans(values: list[str]) -> list[int]:
    """The rowspan of each row for runs of equal consecutive values (0 where the cell is merged away).

    >>> spans(["a", "a", "b", "a"])
    [2, 0, 1, 1]
    """
    out = [0] * len(values)
    i = 0
    while i < len(values):
        j = i
        while j + 1 < len(values) and values[j + 1] == values[i]:
            j += 1
        out[i] = j - i + 1
        i = j + 1
    return out


def _funds(form: Form) -> list[dict[str, Any]]:
    total = form.funds.total
    rows = []
    for key in FUNDS_KEYS:
        row = getattr(form.funds, key)
        is_total = key == "total"
        rows.append(
            {
                "label": ("其中：" if key == "appropriation" else "") + FUNDS_ROW_LABELS[key],
                "initial": amount(row.budget_initial) if row.budget_initial is not None else "",
                "final": amount(row.budget_final) if row.budget_final is not None else "",
                "executed": amount(row.executed) if row.executed is not None else "",
                "weight": weight_text(total.weight) if is_total else "—",
                "rate": (total.execution_rate or "") if is_total else "—",
                "score": (weight_text(total.score) if total.score is not None else "") if is_total else "—",
            }
        )
    return rows


def official_form(form: Form) -> dict[str, Any]:
    """The official table of a form, as the context of its template.

    Parameters
    ----------
    form
        The form; nothing recomputed is shown.

    Returns
    -------
    dict
        form; funds (four rows of display strings); indicators (one row each, with
        ``level1_span``/``level2_span``); total_weight and total_score as printed.
    """
    total = form.funds.total
    s1 = spans([i.level1 for i in form.indicators])
    s2 = spans([f"{i.level1}\x00{i.level2}" for i in form.indicators])
    rows = [
        {
            "level1": ind.level1,
            "level2": ind.level2,
            "level1_span": s1[k],
            "level2_span": s2[k],
            "name": ind.name,
            "target": ind.target,
            "actual": ind.actual,
            "weight": weight_text(ind.weight),
            "score": weight_text(ind.score) if ind.score is not None else "",
            "note": ind.deviation_note or "",
        }
        for k, ind in enumerate(form.indicators)
    ]
    return {
        "form": form,
        "funds": _funds(form),
        "indicators": rows,
        "total_weight": weight_text((total.weight or 0) + form.indicator_weight),
        "total_score": points(form.total_score) if form.total_score is not None else "",
    }
