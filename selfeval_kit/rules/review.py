"""Review deductions (复核扣分) and the review score (复核得分) of a scored form (docs/rules.md §7).

Recomputation (:mod:`selfeval_kit.rules.scoring`) applies the scoring rules and nothing else.
A reviewer may also cut points where the self-evaluation is not credible: a target set far too
low, spending above the budget, an explanation the form owes. A profile says which findings
cost points and how many (`Profile.review_deductions`); this module applies them to a separate
review score, so that every point taken off is listed with the finding that caused it, the row
it comes off (an indicator, the budget, the form as a whole) and the reason in Chinese.

Caps: the deductions on one indicator (or on the budget) take at most
`Profile.review_indicator_cap` of its weight and never more than its recomputed score; the
review total never falls below 0. Portfolio findings carry no deduction (they concern no one form).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from selfeval_kit.rules.catalogue import CHECKS, DEVIATION_CODES, check_deduction_rules
from selfeval_kit.rules.findings import Finding
from selfeval_kit.rules.profile import Profile
from selfeval_kit.rules.scoring import FormResult

__all__ = [
    "DEVIATION_CODES",
    "ROW_LABELS",
    "Deduction",
    "Review",
    "check_deduction_rules",
    "deduction_points",
    "review_form",
]

Row = Literal["indicator", "budget", "form"]
#: How readers see the row a deduction comes off.
ROW_LABELS: dict[str, str] = {"indicator": "指标", "budget": "预算执行", "form": "整体"}


def _ratio_beyond_one(figures: Mapping[str, Any]) -> float | None:
    ratio = figures.get("ratio")
    return None if ratio is None else ratio - 1


def _rate_beyond_budget(figures: Mapping[str, Any]) -> float | None:
    rate = figures.get("execution_rate")
    return None if rate is None else rate / 100 - 1


# The codes a deduction may follow "by deviation": the deviation of a finding and how it reads.
_DEVIATIONS: dict[str, tuple[Callable[[Mapping[str, Any]], float | None], str]] = {
    "indicator.target_too_low": (_ratio_beyond_one, "target"),
    "indicator.overachieved_no_reason": (_ratio_beyond_one, "target"),
    "budget.over_execution": (_rate_beyond_budget, "budget"),
}
assert frozenset(_DEVIATIONS) == DEVIATION_CODES  # the catalogue names the same codes


@dataclass(frozen=True)
class Deduction:
    """Points a reviewer takes off because of one finding.

    Attributes
    ----------
    code, title : str
        The finding's code and its check's Chinese title.
    row : str
        What the points come off: "indicator", "budget" or "form" (see `ROW_LABELS`).
    indicator : str or None
        The indicator's name, for row "indicator".
    position : int or None
        The indicator's place in its form.
    points : float
        The points taken off, after the caps.
    points_rule : float
        The points the rule gives before the caps.
    reason : str
        Why, in Chinese, with the figures and any cap that applied.
    message : str
        The finding's own message.
    """

    code: str
    title: str
    row: Row
    indicator: str | None
    position: int | None
    points: float
    points_rule: float
    reason: str
    message: str

    @property
    def where(self) -> str:
        """The row as readers see it: the indicator's name, 预算执行 or 整体."""
        return self.indicator if self.row == "indicator" and self.indicator else ROW_LABELS[self.row]

    def to_dict(self) -> dict:
        """The deduction in the JSON of ``selfeval check``."""
        return {
            "code": self.code,
            "row": self.row,
            "indicator": self.indicator,
            "position": self.position,
            "points": self.points,
            "points_rule": self.points_rule,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class Review:
    """A form's three scores side by side, and the deductions between the last two.

    Attributes
    ----------
    score_reported : float or None
        The self-given total (自评分).
    score_recomputed : float
        The total the rules give (复核重算分).
    score_review : float
        The recomputed total less the deductions (复核得分), never below 0.
    grade_review : str or None
        The grade of the review total.
    budget_score_review : float or None
        The recomputed budget score less its deductions.
    indicator_scores : tuple of float
        Each indicator's recomputed score less its deductions, in form order.
    deductions : tuple of Deduction
        Every deduction, in the order the findings are listed.
    """

    score_reported: float | None
    score_recomputed: float
    score_review: float
    grade_review: str | None
    budget_score_review: float | None
    indicator_scores: tuple[float, ...]
    deductions: tuple[Deduction, ...]

    @property
    def deducted(self) -> float:
        """All points taken off."""
        return _round(sum(d.points for d in self.deductions))


def _round(value: float) -> float:
    return round(value + 0.0, 2) + 0.0


def _number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def deduction_points(rule: Profile.Deduction, finding: Finding) -> tuple[float, str]:
    """The points one rule gives for one finding, before caps, and why (in Chinese).

    ``fixed``: `rule.points`. ``deviation``: points × min(1, deviation / span), rounded to two
    decimals; 0 when the finding has no deviation.
    """
    if rule.by == "fixed":
        return _round(rule.points), f"{CHECKS[finding.code].title}，按复核规则扣 {_number(rule.points)} 分"
    measure, kind = _DEVIATIONS[finding.code]
    deviation = measure(finding.figures)
    if deviation is None or deviation <= 0:
        return 0.0, f"{CHECKS[finding.code].title}，无偏离，不扣分"
    points = _round(rule.points * min(1.0, deviation / rule.span))
    if kind == "budget":
        step = rule.points / rule.span / 10  # points per 10 % above the budget
        what = f"执行率 {(deviation + 1) * 100:.2f}%，超出全年预算数 {deviation * 100:.2f}%"
        scale = f"每超出预算的 10% 扣 {_number(step)} 分"
    else:
        step = rule.points / rule.span  # points per one target's worth above the target
        what = f"实际值为目标值的 {deviation + 1:.2f} 倍，目标值设置偏低"
        scale = f"超出部分每达目标值的 1 倍扣 {_number(step)} 分"
    return points, f"{what}，按偏离程度扣 {_number(points)} 分（{scale}，最多 {_number(rule.points)} 分）"


def _row_of(finding: Finding) -> Row:
    if finding.code.startswith("budget."):
        return "budget"
    return "indicator" if finding.position is not None else "form"


def review_form(result: FormResult) -> Review:
    """The review of one scored and audited form under its profile's deduction rules.

    Parameters
    ----------
    result : FormResult
        The form as scored, with its findings (``audit.audit_form``).

    Returns
    -------
    Review
        Under a profile without deductions (``national``): no deduction, and every review score
        equals the recomputed one.
    """
    profile = result.profile
    rules = profile.review_deductions
    left = {i.position: i.score_recomputed for i in result.indicators}
    budget_left = result.budget_score
    taken: dict[tuple[str, int | None], float] = {}  # points already taken off each row
    total_left = result.score_recomputed
    deductions = []
    findings = sorted(result.findings, key=lambda f: (f.position is not None, f.position or 0))
    for finding in findings if rules else ():
        rule = rules.get(finding.code)
        if rule is None or finding.form_id is None:
            continue
        row = _row_of(finding)
        key = (row, finding.position if row == "indicator" else None)
        points_rule, reason = deduction_points(rule, finding)
        if row == "indicator":
            item = result.indicators[finding.position or 0]
            weight, remaining = item.weight, left[item.position]
        elif row == "budget":
            weight, remaining = result.budget_weight, budget_left or 0.0
        else:
            weight, remaining = profile.total_points, total_left
        cap = _round(weight * profile.review_indicator_cap)
        room = _round(max(0.0, total_left if row == "form" else min(cap - taken.get(key, 0.0), remaining, total_left)))
        points = min(points_rule, room)
        if points < points_rule:
            reason += _cap_note(row, cap, room, profile)
        taken[key] = _round(taken.get(key, 0.0) + points)
        if row == "indicator":
            left[finding.position] = _round(remaining - points)
        elif row == "budget":
            budget_left = _round(remaining - points)
        total_left = _round(total_left - points)
        deductions.append(
            Deduction(
                code=finding.code,
                title=CHECKS[finding.code].title,
                row=row,
                indicator=finding.indicator if row == "indicator" else None,
                position=finding.position if row == "indicator" else None,
                points=points,
                points_rule=points_rule,
                reason=reason + "。",
                message=finding.message,
            )
        )
    return Review(
        score_reported=result.score_reported,
        score_recomputed=result.score_recomputed,
        score_review=total_left,
        grade_review=profile.grade(total_left),
        budget_score_review=budget_left,
        indicator_scores=tuple(left[i.position] for i in result.indicators),
        deductions=tuple(deductions),
    )


def _cap_note(row: Row, cap: float, room: float, profile: Profile) -> str:
    """Why fewer points were taken off than the rule gives."""
    if row == "form":
        return f"；复核得分不低于 0，实扣 {_number(room)} 分"
    share = f"{profile.review_indicator_cap * 100:g}%"
    what = "该指标" if row == "indicator" else "预算执行"
    return f"；{what}扣分以分值的 {share}（{_number(cap)} 分）为限，且不超过其复核重算分，实扣 {_number(room)} 分"
