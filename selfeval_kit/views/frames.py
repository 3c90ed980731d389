"""pandas views of a portfolio, for analysts in JupyterLab and for the reports.

Column names are the English field names of docs/glossary.md; `selfeval_kit.form.labels.label()`
gives the Chinese heading of each.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from selfeval_kit.form.loading import Portfolio
from selfeval_kit.form.model import Form
from selfeval_kit.rules.evaluation import Evaluation
from selfeval_kit.rules.findings import SEVERITIES

__all__ = [
    "AMOUNTS",
    "FUNDS_ROWS",
    "findings_frame",
    "forms_frame",
    "indicator_scores_frame",
    "indicators_frame",
    "scores_frame",
]

FUNDS_ROWS = ("total", "appropriation", "carryover", "other")
AMOUNTS = ("budget_initial", "budget_final", "executed")


def _forms(portfolio: Portfolio | Iterable[Form]) -> list[Form]:
    return list(portfolio)


def forms_frame(portfolio: Portfolio | Iterable[Form]) -> pd.DataFrame:
    """One row per form, indexed by form id.

    Parameters
    ----------
    portfolio
        A loaded portfolio, or any forms.

    Returns
    -------
    pandas.DataFrame
        id, name, department, implementer, year, unit; the total row's `budget_initial`,
        `budget_final`, `executed`; the sub-rows' amounts prefixed (`appropriation_executed`, …);
        budget_weight, execution_rate_text (the 执行率 as written, a string), budget_score_reported,
        indicator_count, indicator_weight, score_reported (the form's 总分). A name means the same
        in every frame (docs/glossary.md). Amounts are in each form's own `unit`. Empty (no
        columns) for no forms.
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
            # As written; the recomputed rate (a number) is `execution_rate` in `scores_frame` only.
            execution_rate_text=total.execution_rate,
            budget_score_reported=total.score,
            indicator_count=len(form.indicators),
            indicator_weight=form.indicator_weight,
            score_reported=form.total_score,
        )
        rows.append(row)
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    return frame.set_index("id", drop=False).rename_axis(None)


def indicators_frame(portfolio: Portfolio | Iterable[Form]) -> pd.DataFrame:
    """One row per indicator of every form.

    Parameters
    ----------
    portfolio
        A loaded portfolio, or any forms.

    Returns
    -------
    pandas.DataFrame
        form_id, form_name, year, position (0-based, in the form's order) and the indicator's
        fields (level1, level2, name, target, actual, weight, score, deviation_note).
    """
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


def scores_frame(evaluation: Evaluation) -> pd.DataFrame:
    """One row per form of an evaluation, indexed by form id.

    Parameters
    ----------
    evaluation
        The evaluation of a portfolio.

    Returns
    -------
    pandas.DataFrame
        Amounts, the recomputed execution rate (percent, 2 decimals) and the reported one,
        budget weight and scores, reported and recomputed totals with their range, grades,
        cut_pct (the mid-year cut in percent of the initial budget), and the numbers of
        errors, warnings and infos.
    """
    rows = []
    for r in evaluation.forms:
        total = r.form.funds.total
        counts = {s: sum(1 for f in r.findings if f.severity == s) for s in SEVERITIES}
        rows.append(
            {
                "id": r.form.id,
                "name": r.form.name,
                "year": r.form.year,
                "unit": r.form.unit,
                "budget_initial": total.budget_initial,
                "budget_final": total.budget_final,
                "executed": total.executed,
                "execution_rate": None if r.execution_rate is None else round(r.execution_rate, 2),
                "execution_rate_reported": r.execution_rate_reported,
                "budget_weight": total.weight,
                "budget_score": r.budget_score,
                "budget_score_reported": total.score,
                "score_reported": r.score_reported,
                "score_recomputed": r.score_recomputed,
                "score_low": r.score_low,
                "score_high": r.score_high,
                "grade": r.grade,
                "grade_reported": r.grade_reported,
                "cut_pct": None if r.cut_share is None else round(r.cut_share * 100, 2),
                "errors": counts["error"],
                "warnings": counts["warning"],
                "infos": counts["info"],
            }
        )
    frame = pd.DataFrame(rows)
    return frame.set_index("id", drop=False).rename_axis(None) if not frame.empty else frame


def indicator_scores_frame(evaluation: Evaluation) -> pd.DataFrame:
    """One row per indicator of an evaluation.

    Parameters
    ----------
    evaluation
        The evaluation of a portfolio.

    Returns
    -------
    pandas.DataFrame
        The form and position, the indicator's texts, weight, reported and recomputed score with
        its band (score_low, score_high), attainment, ratio (actual / target), whether it is
        quantitative, the target's kind, direction and unit, and the deviation note.
    """
    rows = []
    for r in evaluation.forms:
        for item in r.indicators:
            ind = item.indicator
            rows.append(
                {
                    "form_id": r.form.id,
                    "form_name": r.form.name,
                    "position": item.position,
                    "level1": ind.level1,
                    "level2": ind.level2,
                    "name": ind.name,
                    "target": ind.target,
                    "actual": ind.actual,
                    "weight": ind.weight,
                    "score_reported": ind.score,
                    "score_recomputed": item.score_recomputed,
                    "score_low": item.score_low,
                    "score_high": item.score_high,
                    "attainment": item.attainment.value,
                    "ratio": item.ratio,
                    "quantitative": item.quantitative,
                    "kind": item.target.kind.value,
                    "direction": item.target.direction.value,
                    "unit": item.target.unit,
                    "deviation_note": ind.deviation_note,
                }
            )
    return pd.DataFrame(rows)


def findings_frame(evaluation: Evaluation) -> pd.DataFrame:
    """One row per finding of an evaluation.

    Parameters
    ----------
    evaluation
        The evaluation of a portfolio.

    Returns
    -------
    pandas.DataFrame
        code, severity, form_id, form_name, indicator, position (nullable integer), title, message,
        advice, figures;
        the forms' findings in form order, then the portfolio's. The columns exist when there is
        no finding.
    """
    columns = [
        "code",
        "severity",
        "form_id",
        "form_name",
        "indicator",
        "position",
        "title",
        "message",
        "advice",
        "figures",
    ]
    frame = pd.DataFrame([f.to_dict() for f in evaluation.findings], columns=columns)
    # A finding on the form as a whole has no position: a missing integer, not NaN in a float column.
    return frame.astype({"position": "Int64"})
