"""Numbers, dates and titles as the reports print them.

Money with thousands separators in the form's unit, rates as percentages with two decimals,
scores with two decimals, dates in Chinese; a missing value prints as "—".
"""

from __future__ import annotations

import datetime as _dt
import math

from selfeval_kit.form.model import Form

__all__ = [
    "amount",
    "annual_title",
    "chinese_date",
    "differs",
    "money",
    "pct",
    "points",
    "project_title",
    "ratio_text",
    "score_range",
    "sign_text",
    "weight_text",
]


def _decimals(value: float, minimum: int = 2, maximum: int = 6) -> int:
    for d in range(minimum, maximum + 1):
        if abs(round(value, d) - value) < 10 ** -(maximum + 2):
            return d
    return maximum


def amount(value: float | None) -> str:
    """An amount with thousands separators and at least two decimals: 1,965,608.78; None → —."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value:,.{_decimals(value)}f}"


def money(value: float | None, unit: str) -> str:
    """An amount with its unit: 296,272.00 元; None → —."""
    text = amount(value)
    return text if text == "—" else f"{text} {unit}"


def pct(value: float | None) -> str:
    """A percentage (already in percent) with two decimals: 99.97%; None → —."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value:.2f}%"


def points(value: float | None) -> str:
    """A score with two decimals: 8.62; None → —."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value:.2f}"


def weight_text(value: float | None) -> str:
    """A weight (分值) as the form writes it: 10, 2.50; None → —."""
    if value is None:
        return "—"
    return f"{value:g}" if float(value).is_integer() else f"{value:.2f}"


def ratio_text(value: float | None) -> str:
    """actual/target as a multiple: 1.73×, 0.011×; None → —."""
    if value is None or (isinstance(value, float) and (math.isnan(value) or math.isinf(value))):
        return "—"
    if value == 0:
        return "0×"
    if abs(value) >= 100:
        return f"{value:,.0f}×"
    if abs(value) >= 0.1:
        return f"{value:.2f}×"
    return f"{value:.2g}×"


def chinese_date(day: _dt.date | None = None) -> str:
    """A date in Chinese: 2023年3月5日.

    Parameters
    ----------
    day
        The date; None: today.
    """
    day = day or _dt.date.today()
    return f"{day.year}年{day.month}月{day.day}日"


def score_range(low: float | None, high: float | None) -> str:
    """The range of allowed scores: 88.50–92.50; "" when it is one score (or unknown)."""
    if low is None or high is None or abs(high - low) < 0.005:
        return ""
    return f"{points(low)}–{points(high)}"


def differs(a: float | None, b: float | None, tol: float = 0.005) -> bool:
    """Whether two scores both known differ by more than `tol` (half a printed hundredth)."""
    return a is not None and b is not None and abs(a - b) > tol


def project_title(form: Form) -> str:
    """A project report's title, also its HTML <title>: "<name> 2022年度项目支出绩效自评复核报告"."""
    return f"{form.name} {form.year}年度项目支出绩效自评复核报告"


def annual_title(year: int, unit: str | None = None) -> str:
    """The annual report's title: "[<implementing unit> ]2022年度项目支出绩效自评复核年度报告".

    Parameters
    ----------
    year
        The year reported on.
    unit
        The implementing unit when all forms share one, else None.
    """
    who = f"{unit} " if unit else ""
    return f"{who}{year}年度项目支出绩效自评复核年度报告"


_SIGNS = ((">=", "≥"), ("=>", "≥"), ("<=", "≤"), ("=<", "≤"))


def sign_text(text: str | None) -> str:
    """A target as the official form prints it: ``>=90%`` → ``≥90%``, ``<=2秒`` → ``≤2秒``.

    The report's own tables use this; the attached form (附：绩效自评表) keeps the text as filled in.
    """
    out = text or ""
    for typed, printed in _SIGNS:
        out = out.replace(typed, printed)
    return out
