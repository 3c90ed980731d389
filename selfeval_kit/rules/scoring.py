"""Recomputing a form's scores by the rules of a profile (docs/rules.md §2–4).

Quantitative indicators get a point score; qualitative ones a band (the tier the
evidence supports), against which the self-given score is checked. Whether a target is
met is decided by :func:`selfeval_kit.values.compare`, the one definition of "met";
this module turns that verdict and its ratio into points. Nothing here judges: the
audit turns differences into findings.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import Literal, NamedTuple

from selfeval_kit.form.labels import canonical_level1
from selfeval_kit.form.model import Form, Indicator
from selfeval_kit.rules.profile import Profile
from selfeval_kit.values.comparison import compare
from selfeval_kit.values.parsing import parse_value
from selfeval_kit.values.types import Direction, Kind, Value, is_quantitative

__all__ = [
    "ATTAINMENT_LABELS",
    "UNMET",
    "Attainment",
    "FormResult",
    "IndicatorResult",
    "budget_score",
    "parse_rate",
    "score_form",
    "score_indicator",
]


class Attainment(StrEnum):
    """How far an indicator's target was reached."""

    MET = "met"
    PARTLY = "partly"
    NOT_MET = "not_met"
    UNKNOWN = "unknown"


ATTAINMENT_LABELS = {"met": "达成", "partly": "部分达成", "not_met": "未达成", "unknown": "无法判断"}
#: The attainments of a target that was missed.
UNMET = frozenset({Attainment.PARTLY, Attainment.NOT_MET})
# The profile's qualitative band of each tier.
_BAND_OF: dict[Attainment, Literal["met", "partly", "not_met"]] = {
    Attainment.MET: "met",
    Attainment.PARTLY: "partly",
    Attainment.NOT_MET: "not_met",
}

# Qualitative evidence: words that deny or limit achievement, and words that report it.
_NEGATIVE = re.compile(r"未(?!来)|没有|不够|不足|较差|滞后|延迟|延期|推迟")
_PARTIAL = re.compile(r"部分|基本|初步")
_ACHIEVED = re.compile(
    r"制定|完成|建立|建成|形成|实现|达到|达成|出台|印发|健全|完善|及时|提高|提升|扩大|规范|明显|显著|良好|按时|按期|提前"
)


def _round(value: float) -> float:
    """Two decimals, as the forms write scores; always a float, and -0.0 becomes 0.0."""
    value += 0.0
    # round() goes through decimal digits (about 1 µs); whole numbers, most scores, need none
    return value if value.is_integer() else round(value, 2)


@dataclass(slots=True)
class IndicatorResult:
    """One indicator as recomputed (built once by ``score_indicator``, then only read).

    Attributes
    ----------
    position : int
        The indicator's place in the form (from 0).
    indicator : Indicator
        The row as written.
    target, actual : Value
        The target and actual cells, read.
    quantitative : bool
        Scored as a quantity (a point score) rather than by qualitative tiers.
    attainment : Attainment
        Whether the target was met, by ``values.compare`` or by the qualitative evidence.
    ratio : float or None
        actual/target for quantities (below 1 is good for lower-is-better targets),
        target rank/actual rank for rankings; None where there is no ratio.
    score_low, score_high : float
        The range of scores the rules allow: one point for quantitative indicators, a
        band for qualitative ones, the whole weight when the evidence cannot tell.
    score_recomputed : float
        The score the rules give: the point, or the self-given score clamped into the band.
    problem : str or None
        "unit_mismatch" or "unreadable" when the rules could not be applied.
    reason : str or None
        Why the rules could not be applied fully.
    """

    position: int
    indicator: Indicator
    target: Value
    actual: Value
    quantitative: bool
    attainment: Attainment
    ratio: float | None
    score_low: float
    score_high: float
    score_recomputed: float
    problem: str | None = None
    reason: str | None = None

    @property
    def weight(self) -> float:
        """The indicator's weight (分值)."""
        return self.indicator.weight

    @property
    def score_reported(self) -> float | None:
        """The self-given score (得分)."""
        return self.indicator.score

    @property
    def difference(self) -> float | None:
        """Reported minus the nearest allowed score: 0 inside the band, None if unreported."""
        reported = self.indicator.score
        if reported is None:
            return None
        low, high = self.score_low, self.score_high
        if low <= reported <= high:
            return 0.0
        return _round(reported - min(max(reported, low), high))


@dataclass(frozen=True)
class FormResult:
    """One form as scored under a profile; the audit adds its findings.

    Attributes
    ----------
    form : Form
        The form as loaded.
    profile : Profile
        The rules it was scored by.
    indicators : list of IndicatorResult
        Each indicator as recomputed, in form order.
    execution_rate : float or None
        The budget execution rate in percent, computed: 全年执行数 / 全年预算数.
    execution_rate_reported : float or None
        The rate in percent as written on the form.
    budget_score : float or None
        The budget execution score the rules give.
    findings : list of Finding
        Filled by the audit (``audit.audit_form``).
    """

    form: Form
    profile: Profile
    indicators: list[IndicatorResult]
    execution_rate: float | None
    execution_rate_reported: float | None
    budget_score: float | None
    findings: list = field(default_factory=list)

    @property
    def id(self) -> str:
        """The form's id."""
        return self.form.id

    @property
    def budget_weight(self) -> float:
        """The weight of budget execution (预算执行率分值)."""
        return self.form.funds.total.weight

    @property
    def budget_score_reported(self) -> float | None:
        """The budget execution score as written on the form."""
        return self.form.funds.total.score

    @property
    def score_reported(self) -> float | None:
        """The total score as written on the form (总分)."""
        return self.form.total_score

    @cached_property
    def _totals(self) -> tuple[float, float, float, str | None]:
        """(score_recomputed, score_low, score_high, grade): the indicators are final once scored."""
        base, items = self.budget_score or 0, self.indicators
        recomputed = _round(base + sum(r.score_recomputed for r in items))
        low = _round(base + sum(r.score_low for r in items))
        high = _round(base + sum(r.score_high for r in items))
        return recomputed, low, high, self.profile.grade(recomputed)

    @property
    def score_recomputed(self) -> float:
        """The total the rules give: budget score plus each indicator's recomputed score."""
        return self._totals[0]

    @property
    def score_low(self) -> float:
        """The lowest total the rules allow."""
        return self._totals[1]

    @property
    def score_high(self) -> float:
        """The highest total the rules allow."""
        return self._totals[2]

    @property
    def grade(self) -> str | None:
        """The grade (优/良/中/差) of the recomputed total."""
        return self._totals[3]

    @property
    def grade_reported(self) -> str | None:
        """The grade of the reported total."""
        return self.profile.grade(self.score_reported)

    @property
    def cut_share(self) -> float | None:
        """How far the final budget lies below the initial one, as a share of the initial."""
        total = self.form.funds.total
        if not total.budget_initial or total.budget_final is None:
            return None
        return (total.budget_initial - total.budget_final) / total.budget_initial

    def level1_scores(self) -> dict[str, dict[str, float]]:
        """Weight, reported and recomputed score per 一级指标, in the profile's order."""
        out: dict[str, dict[str, float]] = {}
        for result in self.indicators:
            level1 = canonical_level1(result.indicator.level1)
            row = out.setdefault(level1, {"weight": 0.0, "reported": 0.0, "recomputed": 0.0})
            row["weight"] += result.weight
            row["reported"] += result.score_reported or 0
            row["recomputed"] += result.score_recomputed
        order = {name: i for i, name in enumerate(self.profile.level1_order)}
        return dict(sorted(out.items(), key=lambda item: order.get(item[0], len(order))))


def parse_rate(text: str | None) -> float | None:
    """The execution rate as written on the form, in percent.

    Parameters
    ----------
    text : str or None
        The 执行率 cell ("99.97%", "90").

    Returns
    -------
    float or None
        99.97 for "99.97%"; None when the form gives no readable rate.
    """
    if not text:
        return None
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*[%％]?\s*", text)
    return float(match.group(1)) if match else None


def budget_score(form: Form) -> tuple[float | None, float | None]:
    """The budget execution rate and its score (docs/rules.md §3).

    Parameters
    ----------
    form : Form

    Returns
    -------
    tuple of (float or None, float or None)
        The rate 全年执行数 / 全年预算数 in percent, and the score 分值 × min(rate, 100%)
        to two decimals; (None, None) without a final budget or an executed amount.
    """
    total = form.funds.total
    if not total.budget_final or total.executed is None:
        return None, None
    rate = total.executed / total.budget_final * 100
    return rate, _round(total.weight * min(rate, 100.0) / 100)


# --------------------------------------------------------------------------- indicators


class _Cells(NamedTuple):
    """An indicator row and its two cells, read: the first four fields of its IndicatorResult."""

    position: int
    indicator: Indicator
    target: Value
    actual: Value


def _clamp(value: float | None, low: float, high: float) -> float:
    """value inside [low, high]; all three rounded to two decimals first, so the order holds."""
    low, high = _round(low), _round(high)
    if value is None:
        return high
    return min(max(_round(value), low), high)


def _unknown(cells: _Cells, quantitative: bool, problem: str | None, reason: str) -> IndicatorResult:
    """The rules cannot be applied: any score up to the weight is allowed; the self-given one stands."""
    weight = cells.indicator.weight
    return IndicatorResult(
        *cells,
        quantitative=quantitative,
        attainment=Attainment.UNKNOWN,
        ratio=None,
        score_low=0.0,
        score_high=_round(weight),
        score_recomputed=_clamp(cells.indicator.score, 0.0, weight),
        problem=problem,
        reason=reason,
    )


def _point(cells: _Cells, attainment: Attainment, ratio: float | None, score: float) -> IndicatorResult:
    """A quantitative result: one score, between 0 and the weight."""
    score = _round(max(0.0, min(score, cells.indicator.weight)))
    return IndicatorResult(
        *cells,
        quantitative=True,
        attainment=attainment,
        ratio=ratio,
        score_low=score,
        score_high=score,
        score_recomputed=score,
    )


def _banded(cells: _Cells, quantitative: bool, tier: Attainment, profile: Profile) -> IndicatorResult:
    """A result scored by the band of `tier`; the self-given score stands inside it."""
    share_low, share_high = profile.qualitative_bands[_BAND_OF[tier]]
    weight = cells.indicator.weight
    low, high = _round(weight * share_low), _round(weight * share_high)
    return IndicatorResult(
        *cells,
        quantitative=quantitative,
        attainment=tier,
        ratio=None,
        score_low=low,
        score_high=high,
        score_recomputed=_clamp(cells.indicator.score, low, high),
    )


def _qualitative_tier(target: Value, actual: Value) -> Attainment:
    """The tier the words of the actual support (docs/rules.md §4, qualitative indicators)."""
    words = (actual.words or actual.text or "").strip()
    goal = (target.words or target.text or "").strip()
    if not words:
        return Attainment.UNKNOWN
    if words == goal:
        return Attainment.MET
    if _NEGATIVE.search(words):
        return Attainment.PARTLY if _PARTIAL.search(words) else Attainment.NOT_MET
    if _PARTIAL.search(words):
        return Attainment.PARTLY
    if (goal and goal in words) or _ACHIEVED.search(words):
        return Attainment.MET
    return Attainment.UNKNOWN


def score_indicator(indicator: Indicator, profile: Profile, position: int = 0) -> IndicatorResult:
    """Recompute one indicator's score by the rules of a profile (docs/rules.md §4).

    Parameters
    ----------
    indicator : Indicator
        The row: target, actual, weight and the self-given score.
    profile : Profile
        The rules: qualitative bands, the lower-is-better formula, the optional deduction.
    position : int, default 0
        The row's place in its form, kept in the result.

    Returns
    -------
    IndicatorResult
        Met (by ``values.compare``): the full weight. A higher-is-better target not met:
        weight × actual/target. A lower-is-better one: by the profile's formula, 0 for a
        target of 0. A ranking not met: weight × target rank/actual rank. Qualitative
        indicators and missed deadlines: the band of the tier the evidence supports.
        Where the rules cannot be applied (unreadable cells, incomparable units, an
        undecided bound), attainment UNKNOWN with the range 0..weight and a reason.
    """
    target = parse_value(indicator.target, role="target")
    actual = parse_value(indicator.actual, role="actual", like=target)
    return _SCORERS[target.kind](_Cells(position, indicator, target, actual), profile)


def _score_unreadable(cells: _Cells, profile: Profile) -> IndicatorResult:
    """A target that cannot be read: the rules cannot be applied."""
    return _unknown(cells, False, "unreadable", f"年度指标值无法识别：{cells.target.reason or ''}")


def _score_qualitative(cells: _Cells, profile: Profile) -> IndicatorResult:
    """A qualitative target ("完善", "及时"): the band of the tier the actual's words support."""
    if cells.actual.kind is Kind.UNREADABLE:
        return _unknown(cells, False, "unreadable", "实际完成值为空或无法识别")
    tier = _qualitative_tier(cells.target, cells.actual)
    if tier is Attainment.UNKNOWN:
        return _unknown(cells, False, None, "定性指标的完成情况无法从实际完成值判断")
    return _banded(cells, False, tier, profile)


def _score_none(cells: _Cells, profile: Profile) -> IndicatorResult:
    """A target of "无" (none allowed): full weight when the actual is none, else 0."""
    if not is_quantitative(cells.actual):
        return _unknown(cells, True, "unreadable", "目标为“无”，实际完成值无法识别")
    check = compare(cells.target, cells.actual)
    if check.met is None:
        return _unknown(cells, True, None, check.reason or "无法判断是否完成目标")
    if check.met:
        return _point(cells, Attainment.MET, None, cells.indicator.weight)
    return _point(cells, Attainment.NOT_MET, None, 0.0)


def _score_ranking(cells: _Cells, profile: Profile) -> IndicatorResult:
    """A ranking target ("全国前3"): full weight when reached, else weight × target rank/actual rank."""
    check = compare(cells.target, cells.actual)
    if not check.comparable:
        if cells.actual.kind is Kind.RANKING:  # ranked in another scope
            return _unknown(cells, True, "unit_mismatch", check.reason or "排名范围不同")
        return _unknown(cells, True, "unreadable", "排名类目标的实际完成值不是排名")
    if check.met is None:
        return _unknown(cells, True, None, check.reason or "无法判断是否完成目标")
    weight, ratio = cells.indicator.weight, check.ratio
    if check.met:
        return _point(cells, Attainment.MET, ratio, weight)
    score = weight * (ratio or 0.0)
    return _point(cells, Attainment.PARTLY if score > 0 else Attainment.NOT_MET, ratio, score)


def _score_quantity(cells: _Cells, profile: Profile) -> IndicatorResult:
    """A quantitative target: full weight when met, else by the ratio (docs/rules.md §4)."""
    if not is_quantitative(cells.actual):
        return _unknown(cells, True, "unreadable", "实际完成值不是可比较的数值")
    check = compare(cells.target, cells.actual)
    if not check.comparable:
        return _unknown(cells, True, "unit_mismatch", check.reason or "单位不可比")
    if check.met is None:
        return _unknown(cells, True, None, check.reason or "无法判断是否完成目标")
    weight, ratio = cells.indicator.weight, check.ratio
    higher_is_better = cells.target.direction is Direction.HIGHER
    if check.met:
        score = weight
        if higher_is_better and profile.overachievement_deduction and ratio and ratio >= profile.target_too_low_ratio:
            score = weight * (1 - profile.overachievement_deduction)
        return _point(cells, Attainment.MET, ratio, score)
    # higher is better: weight × actual/target
    score = weight * (ratio or 0.0) if higher_is_better else _lower_is_better_score(weight, ratio, profile)
    return _point(cells, Attainment.PARTLY if score > 0 else Attainment.NOT_MET, ratio, score)


def _lower_is_better_score(weight: float, ratio: float | None, profile: Profile) -> float:
    """The score of a missed lower-is-better target, ratio being actual/target (above 1).

    "inverse_ratio" (national): weight × target/actual. "linear": weight × (1 − (actual −
    target)/target), which is weight × (2 − ratio), floored at 0. A target of 0 (no ratio)
    scores 0 when missed.
    """
    if not ratio:
        return 0.0
    if profile.lower_better_formula == "linear":
        return weight * max(0.0, 2 - ratio)
    return weight * min(1.0, 1 / ratio)


def _score_deadline(cells: _Cells, profile: Profile) -> IndicatorResult:
    """A deadline ("12月底前"): met by a date on or before it → full weight.

    A missed one has no national formula, so it is scored like a qualitative indicator
    not reached (a band); qualitative evidence ("按时完成") gives the band of its tier.
    """
    if cells.actual.kind is Kind.QUALITATIVE:  # "按时完成", "提前完成", "未按期完成"
        tier = _qualitative_tier(cells.target, cells.actual)
        if tier is Attainment.UNKNOWN:
            return _unknown(cells, False, None, "时效指标的完成情况无法从实际完成值判断")
        return _banded(cells, False, tier, profile)
    check = compare(cells.target, cells.actual)
    if not check.comparable:
        return _unknown(cells, True, "unreadable", check.reason or "实际完成值不是日期")
    if check.met is None:
        return _unknown(cells, True, None, check.reason or "无法判断是否按期完成")
    if check.met:
        return _point(cells, Attainment.MET, None, cells.indicator.weight)
    return _banded(cells, True, Attainment.NOT_MET, profile)


# How a target of each kind is scored.
_SCORERS: dict[Kind, Callable[[_Cells, Profile], IndicatorResult]] = {
    Kind.QUANTITATIVE: _score_quantity,
    Kind.NONE: _score_none,
    Kind.RANKING: _score_ranking,
    Kind.DEADLINE: _score_deadline,
    Kind.DATE: _score_deadline,
    Kind.QUALITATIVE: _score_qualitative,
    Kind.UNREADABLE: _score_unreadable,
}


def score_form(form: Form, profile: Profile) -> FormResult:
    """Recompute a form's scores: budget execution and every indicator.

    Parameters
    ----------
    form : Form
        The form as loaded.
    profile : Profile
        The rules to score by.

    Returns
    -------
    FormResult
        The scores, with an empty ``findings`` list for the audit to fill.
    """
    rate, points = budget_score(form)
    return FormResult(
        form=form,
        profile=profile,
        indicators=[score_indicator(ind, profile, i) for i, ind in enumerate(form.indicators)],
        execution_rate=rate,
        execution_rate_reported=parse_rate(form.funds.total.execution_rate),
        budget_score=points,
    )
