"""pandas views of a portfolio, for analysts in JupyterLab and for the reports.

Column names are the English field names of GLOSSARY.md; `labels.label()` gives
the Chinese heading of each.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

import pandas as pd

from selfeval_kit.form.model import Form

if TYPE_CHECKING:
    from selfeval_kit.form.loading import Portfolio

__all__ = ["forms_frame", "indicators_frame", "FUNDS_ROWS", "AMOUNTS"]

FUNDS_ROWS = ("total", "appropriation", "carryover", "other")
AMOUNTS = ("budget_initial", "budget_final", "executed")


def _forms(portfolio: "Portfolio | Iterable[Form]") -> list[Form]:
    return list(portfolio)


def forms_frame(portfolio: "Portfolio | Iterable[Form]") -> pd.DataFrame:
    """One row per form, indexed by form id.

    Amounts of the total row are `budget_initial`, `budget_final`, `executed`; the
    sub-rows are prefixed (`appropriation_executed`, …). Amounts are in each form's
    own `unit`.
    """
    rows = []
    for form in _forms(portfolio):
        total = form.funds.total
        row = {
            "id": form.id,
            "name": form.name,
            "department": form.department,
            "implementer": form.implementer,
            "year": form.year,
            "unit": form.unit,
            "budget_initial": total.budget_initial,
            "budget_final": total.budget_final,
            "executed": total.executed,
        }
        for name in FUNDS_ROWS[1:]:
            sub = getattr(form.funds, name)
            for amount in AMOUNTS:
                row[f"{name}_{amount}"] = getattr(sub, amount)
        row.update(
            budget_weight=total.weight,
            execution_rate=total.execution_rate,
            budget_score=total.score,
            indicator_count=len(form.indicators),
            indicator_weight=form.indicator_weight,
            total_score=form.total_score,
        )
        rows.append(row)
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    return frame.set_index("id", drop=False).rename_axis(None)


def indicators_frame(portfolio: "Portfolio | Iterable[Form]") -> pd.DataFrame:
    """One row per indicator: the form's id and name, the row's position, and its fields."""
    rows = [
        {
            "form_id": form.id,
            "form_name": form.name,
            "year": form.year,
            "position": position,
            **indicator.model_dump(),
        }
        for form in _forms(portfolio)
        for position, indicator in enumerate(form.indicators)
    ]
    return pd.DataFrame(rows)
