"""Recomputing a form's scores by the rules of a profile (RULES.md §2–4).

Quantitative indicators get a point score; qualitative ones a band (the tier the
evidence supports), against which the self-given score is checked. Nothing here
judges: the audit turns differences into findings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum
from functools import cached_property

from selfeval_kit.form.labels import canonical_level1
from selfeval_kit.form.model import Form, Indicator
from selfeval_kit.rules.profile import Profile
from selfeval_kit.values.core import Comparison, Kind, Value, compare, parse_value, unit_factor

__all__ = [
    "Attainment",
    "ATTAINMENT_LABELS",
    "IndicatorResult",
    "FormResult",
    "score_indicator",
    "score_form",
    "form_dict",
    "parse_rate",
]


class Attainment(str, Enum):
    MET = "met"
    PARTLY = "partly"
    NOT_MET = "not_met"
    UNKNOWN = "unknown"


ATTAINMENT_LABELS = {"met": "达成", "partly": "部分达成", "not_met": "未达成", "unknown": "无法判断"}
_MET, _PARTLY, _NOT_MET, _UNKNOWN = Attainment.MET, Attainment.PARTLY, Attainment.NOT_MET, Attainment.UNKNOWN
_ATTAINMENT_VALUE = {a: a.value for a in Attainment}  # `.value` of an Enum member is a Python-level property

HIGHER = (Comparison.GE, Comparison.GT, Comparison.EQ)
LOWER = (Comparison.LE, Comparison.LT)
_REL = 1e-9

# Enum members as module constants: in Python 3.11 `Kind.NONE` goes through EnumType.__getattr__,
# about 0.1 µs a lookup, and scoring a form looks up hundreds.
_UNREADABLE, _QUALITATIVE, _NONE = Kind.UNREADABLE, Kind.QUALITATIVE, Kind.NONE
_DEADLINE, _DATE, _RANKING, _QUANTITATIVE = Kind.DEADLINE, Kind.DATE, Kind.RANKING, Kind.QUANTITATIVE
_GE, _GT, _LT = Comparison.GE, Comparison.GT, Comparison.LT

# Qualitative evidence: words that deny or limit achievement, and words that report it.
_NEGATIVE = re.compile(r"未(?!来)|没有|不够|不足|较差|滞后|延迟|延期|推迟")
_PARTIAL = re.compile(r"部分|基本|初步")
_ACHIEVED = re.compile(r"制定|完成|建立|建成|形成|实现|达到|达成|出台|印发|健全|完善|及时|提高|提升|扩大|规范|明显|显著|良好|按时|按期|提前")


def _round(value: float | None) -> float | None:
    if value is None:
        return None
    value += 0.0  # a float, and -0.0 → 0.0
    # round() is slow (it goes through decimal digits) and leaves whole numbers, most scores, as they are.
    return value if value.is_integer() else round(value, 2)


@dataclass(frozen=True, slots=True)
class IndicatorResult:
    """One indicator as recomputed. Scores are points; `score_low..score_high` is the
    range the rules allow (one point for quantitative indicators, a band for
    qualitative ones, the whole weight when the evidence cannot tell)."""

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
    problem: str | None = None  # "unit_mismatch" | "unreadable" | None
    reason: str | None = None  # why the rules could not be applied fully

    @property
    def weight(self) -> float:
        return self.indicator.weight

    @property
    def score_reported(self) -> float | None:
        return self.indicator.score

    @property
    def difference(self) -> float | None:
        """Reported minus the nearest allowed score: 0 inside the band, None if unreported."""
        reported = self.indicator.score
        if reported is None:
            return None
        low, high = self.score_low, self.score_high
        if low <= reported <= high:
            return 0.0  # _round(reported - reported)
        return _round(reported - min(max(reported, low), high))


# A frozen dataclass's __init__ sets each field through object.__setattr__; calling the slots'
# setters directly builds the same IndicatorResult (tests/test_scoring.py) in half the time,
# and scoring builds one per indicator.
_new = object.__new__
_R = IndicatorResult
_set_position, _set_indicator, _set_target = _R.position.__set__, _R.indicator.__set__, _R.target.__set__
_set_actual, _set_quantitative, _set_attainment = _R.actual.__set__, _R.quantitative.__set__, _R.attainment.__set__
_set_ratio, _set_low, _set_high = _R.ratio.__set__, _R.score_low.__set__, _R.score_high.__set__
_set_recomputed, _set_problem, _set_reason = _R.score_recomputed.__set__, _R.problem.__set__, _R.reason.__set__


def _result(position, indicator, target, actual, quantitative, attainment, ratio, score_low, score_high,
            score_recomputed, problem=None, reason=None) -> IndicatorResult:  # fmt: skip
    """IndicatorResult(...) with these arguments, built faster."""
    result = _new(IndicatorResult)
    _set_position(result, position)
    _set_indicator(result, indicator)
    _set_target(result, target)
    _set_actual(result, actual)
    _set_quantitative(result, quantitative)
    _set_attainment(result, attainment)
    _set_ratio(result, ratio)
    _set_low(result, score_low)
    _set_high(result, score_high)
    _set_recomputed(result, score_recomputed)
    _set_problem(result, problem)
    _set_reason(result, reason)
    return result


@dataclass(frozen=True)
class FormResult:
    form: Form
    profile: Profile
    indicators: list[IndicatorResult]
    execution_rate: float | None  # percent, computed: executed / budget_final
    execution_rate_reported: float | None  # percent, as written on the form
    budget_score: float | None
    findings: list = field(default_factory=list)  # filled by the audit

    @property
    def id(self) -> str:
        return self.form.id

    @property
    def budget_weight(self) -> float:
        return self.form.funds.total.weight

    @property
    def budget_score_reported(self) -> float | None:
        return self.form.funds.total.score

    @property
    def score_reported(self) -> float | None:
        return self.form.total_score

    @cached_property
    def _totals(self) -> tuple[float, float, float, str | None]:
        """(score_recomputed, score_low, score_high, grade), summed once: the indicators are
        final when scoring returns, and reports and form_dict read these totals repeatedly."""
        base, items = self.budget_score or 0, self.indicators
        recomputed = _round(base + sum([r.score_recomputed for r in items]))
        low = _round(base + sum([r.score_low for r in items]))
        high = _round(base + sum([r.score_high for r in items]))
        return recomputed, low, high, self.profile.grade(recomputed)

    @property
    def score_recomputed(self) -> float:
        return self._totals[0]

    @property
    def score_low(self) -> float:
        return self._totals[1]

    @property
    def score_high(self) -> float:
        return self._totals[2]

    @property
    def grade(self) -> str | None:
        return self._totals[3]

    @property
    def grade_reported(self) -> str | None:
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
            row = out.setdefault(canonical_level1(result.indicator.level1), {"weight": 0.0, "reported": 0.0, "recomputed": 0.0})
            row["weight"] += result.weight
            row["reported"] += result.score_reported or 0
            row["recomputed"] += result.score_recomputed
        order = {name: i for i, name in enumerate(self.profile.level1_order)}
        return dict(sorted(out.items(), key=lambda item: order.get(item[0], len(order))))


def form_dict(r: FormResult) -> dict:
    """One form's entry in `evaluation.Evaluation.to_dict()["forms"]`."""
    return {
        "id": r.form.id,
        "name": r.form.name,
        "execution_rate": None if r.execution_rate is None else round(r.execution_rate, 2),
        "execution_rate_reported": r.execution_rate_reported,
        "budget_score": r.budget_score,
        "budget_score_reported": r.budget_score_reported,
        "score_reported": r.score_reported,
        "score_recomputed": r.score_recomputed,
        "score_range": [r.score_low, r.score_high],
        "grade": r.grade,
        "grade_reported": r.grade_reported,
        "indicators": [
            {
                "name": i.indicator.name,
                "attainment": _ATTAINMENT_VALUE[i.attainment],
                "ratio": None if i.ratio is None else round(i.ratio, 4),
                "score_reported": i.score_reported,
                "score_recomputed": i.score_recomputed,
                "score_range": [i.score_low, i.score_high],
            }
            for i in r.indicators
        ],
    }


def parse_rate(text: str | None) -> float | None:
    """'99.97%' -> 99.97; None when the form gives no readable rate."""
    if not text:
        return None
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*[%％]?\s*", text)
    return float(match.group(1)) if match else None


def budget_score(form: Form) -> tuple[float | None, float | None]:
    """(execution rate in percent, budget score): linear in the rate, capped at the weight."""
    total = form.funds.total
    if not total.budget_final or total.executed is None:
        return None, None
    rate = total.executed / total.budget_final * 100
    return rate, _round(total.weight * min(rate, 100.0) / 100)


def _band(profile: Profile, tier: Attainment, weight: float) -> tuple[float, float]:
    low, high = profile.qualitative_bands[_ATTAINMENT_VALUE[tier]]
    return _round(weight * low), _round(weight * high)


def _clamp(value: float | None, low: float, high: float) -> float:
    """value inside [low, high]; all three rounded to two decimals first, so the order holds."""
    low, high = _round(low), _round(high)
    if value is None:
        return high
    return min(max(_round(value), low), high)


def _qualitative_tier(target: Value, actual: Value) -> Attainment:
    words = (actual.words or actual.text or "").strip()
    goal = (target.words or target.text or "").strip()
    if not words:
        return _UNKNOWN
    if words == goal:
        return _MET
    if _NEGATIVE.search(words):
        return _PARTLY if _PARTIAL.search(words) else _NOT_MET
    if _PARTIAL.search(words):
        return _PARTLY
    if (goal and goal in words) or _ACHIEVED.search(words):
        return _MET
    return _UNKNOWN


def _unknown(position, indicator, target, actual, quantitative, problem, reason) -> IndicatorResult:
    weight = indicator.weight
    return _result(
        position, indicator, target, actual, quantitative, _UNKNOWN, None,
        0.0, _round(weight), _clamp(indicator.score, 0.0, weight), problem, reason,
    )  # fmt: skip


def _point(position, indicator, target, actual, attainment, ratio, score) -> IndicatorResult:
    score = _round(max(0.0, min(score, indicator.weight)))
    return _result(position, indicator, target, actual, True, attainment, ratio, score, score, score)


def _banded(position, indicator, target, actual, quantitative, tier, profile) -> IndicatorResult:
    """A result scored by the band of `tier`; the self-given score stands inside it."""
    low, high = _band(profile, tier, indicator.weight)
    return _result(position, indicator, target, actual, quantitative, tier, None, low, high, _clamp(indicator.score, low, high))


def score_indicator(indicator: Indicator, profile: Profile, position: int = 0) -> IndicatorResult:
    target = parse_value(indicator.target, role="target")
    actual = parse_value(indicator.actual, role="actual", like=target)
    weight = indicator.weight
    kind, actual_kind = target.kind, actual.kind

    if kind == _UNREADABLE:
        return _unknown(position, indicator, target, actual, False, "unreadable", f"年度指标值无法识别：{target.reason or ''}")

    if kind == _QUALITATIVE:
        if actual_kind == _UNREADABLE:
            return _unknown(position, indicator, target, actual, False, "unreadable", "实际完成值为空或无法识别")
        tier = _qualitative_tier(target, actual)
        if tier == _UNKNOWN:
            return _unknown(position, indicator, target, actual, False, None, "定性指标的完成情况无法从实际完成值判断")
        return _banded(position, indicator, target, actual, False, tier, profile)

    if kind == _NONE:
        if actual_kind == _NONE or (actual_kind == _QUANTITATIVE and actual.number == 0):
            return _point(position, indicator, target, actual, _MET, None, weight)
        if actual_kind == _QUANTITATIVE and actual.number is not None:
            return _point(position, indicator, target, actual, _NOT_MET, None, 0.0)
        return _unknown(position, indicator, target, actual, True, "unreadable", "目标为“无”，实际完成值无法识别")

    if kind == _DEADLINE or kind == _DATE:
        return _score_deadline(position, indicator, target, actual, profile)

    if kind == _RANKING:
        if actual_kind != _RANKING or not actual.rank or not target.rank:
            return _unknown(position, indicator, target, actual, True, "unreadable", "排名类目标的实际完成值不是排名")
        ratio = target.rank / actual.rank
        if actual.rank <= target.rank:
            return _point(position, indicator, target, actual, _MET, ratio, weight)
        return _point(position, indicator, target, actual, _PARTLY, ratio, weight * ratio)

    # quantitative target
    if actual_kind == _NONE:
        actual_number = 0.0
    elif actual_kind == _QUANTITATIVE and actual.number is not None:
        actual_number = actual.number
    else:
        return _unknown(position, indicator, target, actual, True, "unreadable", "实际完成值不是可比较的数值")
    # Two quantities compare exactly when their units convert; values.compare says why not.
    if actual_kind != _NONE and unit_factor(actual.unit, target.unit) is None:
        reason = compare(target, actual).reason
        return _unknown(position, indicator, target, actual, True, "unit_mismatch", reason or "单位不可比")

    t, a = target.number, actual_number
    comparison = target.comparison or _GE
    if comparison in HIGHER:
        ratio = a / t if t else None
        met = a > t if comparison == _GT else a >= t * (1 - _REL)
        if met:
            score = weight
            if profile.overachievement_deduction and ratio and ratio >= profile.target_too_low_ratio:
                score = weight * (1 - profile.overachievement_deduction)
            return _point(position, indicator, target, actual, _MET, ratio, score)
        score = weight * (ratio or 0.0)
    else:
        ratio = a / t if t else None
        met = a < t if comparison == _LT else a <= t * (1 + _REL)
        if t == 0:
            met = a == 0
        if met:
            return _point(position, indicator, target, actual, _MET, ratio, weight)
        if not t:
            score = 0.0
        elif profile.lower_better_formula == "linear":
            score = weight * max(0.0, 1 - (a - t) / t)
        else:
            score = weight * min(1.0, t / a) if a else weight
    attainment = _PARTLY if score > 0 else _NOT_MET
    return _point(position, indicator, target, actual, attainment, ratio, score)


def _score_deadline(position, indicator, target, actual, profile) -> IndicatorResult:
    """A deadline ("12月底前"): met by a date on or before it → full weight; a missed one has
    no national formula, so it is scored like a qualitative indicator not reached (a band)."""
    weight = indicator.weight
    if actual.kind == _QUALITATIVE:  # "按时完成", "提前完成", "未按期完成"
        tier = _qualitative_tier(target, actual)
        if tier == _UNKNOWN:
            return _unknown(position, indicator, target, actual, False, None, "时效指标的完成情况无法从实际完成值判断")
        return _banded(position, indicator, target, actual, False, tier, profile)
    check = compare(target, actual)
    if not check.comparable:
        return _unknown(position, indicator, target, actual, True, "unreadable", check.reason or "实际完成值不是日期")
    if check.met is None:
        return _unknown(position, indicator, target, actual, True, None, check.reason or "无法判断是否按期完成")
    if check.met:
        return _point(position, indicator, target, actual, _MET, None, weight)
    return _banded(position, indicator, target, actual, True, _NOT_MET, profile)


def score_form(form: Form, profile: Profile) -> FormResult:
    rate, points = budget_score(form)
    return FormResult(
        form=form,
        profile=profile,
        indicators=[score_indicator(ind, profile, i) for i, ind in enumerate(form.indicators)],
        execution_rate=rate,
        execution_rate_reported=parse_rate(form.funds.total.execution_rate),
        budget_score=points,
    )
