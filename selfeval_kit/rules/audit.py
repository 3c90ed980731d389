"""The audit: what a careful reviewer raises on a form and on a portfolio (docs/rules.md §6).

The checks read a scored form (:class:`~selfeval_kit.rules.scoring.FormResult`) and
return findings (:class:`~selfeval_kit.rules.findings.Finding`, whose catalogue of codes
is ``findings.CHECKS``); the narrative check lives in :mod:`selfeval_kit.rules.narrative`.
Portfolio checks look for patterns across forms.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from selfeval_kit.form.labels import LEVEL1_SATISFACTION, canonical_level1, label
from selfeval_kit.rules.findings import Finding, make_finding, number_text, sort_findings
from selfeval_kit.rules.narrative import narrative_findings
from selfeval_kit.rules.profile import Profile
from selfeval_kit.rules.scoring import ATTAINMENT_LABELS, UNMET, Attainment, FormResult, IndicatorResult
from selfeval_kit.values.types import Direction, Kind

__all__ = [
    "PortfolioAudit",
    "PortfolioFacts",
    "audit_form",
    "audit_portfolio",
    "audit_portfolio_facts",
    "is_loose_limit",
    "portfolio_facts",
]


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}%"


# --- form checks ------------------------------------------------------------


def _funds(result: FormResult) -> Iterable[Finding]:
    funds, tol = result.form.funds, result.profile.funds_tolerance
    unit = result.form.unit
    for amount in ("budget_initial", "budget_final", "executed"):
        total = getattr(funds.total, amount)
        parts = [getattr(getattr(funds, row), amount) for row in ("appropriation", "carryover", "other")]
        if all(p is None for p in parts):
            continue
        parts_sum = sum(p or 0 for p in parts)
        if total is None or abs(parts_sum - total) > tol:
            yield make_finding(
                "funds.rows_inconsistent",
                result,
                f"{label(amount)}：各资金来源合计 {number_text(parts_sum)} {unit}，"
                f"年度资金总额为 {number_text(total)} {unit}。",
                column=amount,
                total=total,
                parts_sum=parts_sum,
            )


def _weights(result: FormResult) -> Iterable[Finding]:
    form, profile = result.form, result.profile
    budget_weight = form.funds.total.weight
    total = budget_weight + form.indicator_weight
    if abs(total - profile.total_points) > 1e-6:
        yield make_finding(
            "weights.sum",
            result,
            f"预算执行率分值 {number_text(budget_weight)} 与指标分值 {number_text(form.indicator_weight)} "
            f"合计 {number_text(total)} 分，应为 {number_text(profile.total_points)} 分。",
            total=total,
            expected=profile.total_points,
        )
    split: dict[str, float] = dict.fromkeys(profile.level1_split, 0)  # as sum() starts
    for indicator in form.indicators:
        level1 = canonical_level1(indicator.level1)
        if level1 in split:
            split[level1] += indicator.weight
    departs = abs(budget_weight - profile.budget_weight) > 1e-6 or any(
        abs(split[name] - expected) > 1e-6 for name, expected in profile.level1_split.items()
    )
    if departs:
        actual = "、".join(f"{name}{number_text(split[name])}" for name in split)
        expected = "、".join(f"{name}{number_text(v)}" for name, v in profile.level1_split.items())
        yield make_finding(
            "weights.nonstandard_split",
            result,
            f"权重为预算执行率{number_text(budget_weight)}、{actual}；默认为预算执行率{number_text(profile.budget_weight)}、{expected}。",
            split={"预算执行率": budget_weight, **split},
            expected={"预算执行率": profile.budget_weight, **profile.level1_split},
        )


def _strip_suffix(name: str) -> str:
    return name.removesuffix("指标")


def _level2_tables(allowed: dict[str, list[str]]) -> tuple[dict[str, str], dict[str, set[str]]]:
    """(二级 name → its 一级, 一级 → its 二级 names), names without 指标."""
    home = {_strip_suffix(l2): l1 for l1, names in allowed.items() for l2 in names}
    stripped = {l1: {_strip_suffix(n) for n in names} for l1, names in allowed.items()}
    return home, stripped


def _level2(result: FormResult) -> Iterable[Finding]:
    allowed = result.profile.allowed_level2
    home, stripped = _level2_tables(allowed)
    for item in result.indicators:
        l1, l2 = canonical_level1(item.indicator.level1), item.indicator.level2
        names = stripped.get(l1)  # None: l1 not in allowed
        if names is None:
            yield make_finding(
                "level2.not_allowed",
                result,
                f"一级指标“{l1}”不在规定范围内（{'、'.join(allowed)}）。",
                item=item,
                level1=l1,
                level2=l2,
            )
        elif l2.removesuffix("指标") not in names:
            where = home.get(_strip_suffix(l2))
            hint = f"，它应属于“{where}”" if where else f"；“{l1}”下应为{'、'.join(allowed[l1])}"
            yield make_finding(
                "level2.not_allowed",
                result,
                f"二级指标“{l2}”不能列在“{l1}”下{hint}。",
                item=item,
                level1=l1,
                level2=l2,
                belongs_to=where,
            )


def _scores(result: FormResult) -> Iterable[Finding]:
    form, tol = result.form, result.profile.score_tolerance
    total = form.funds.total
    if total.score is not None and total.score > total.weight + tol:
        yield make_finding(
            "score.above_weight",
            result,
            f"预算执行率得分 {number_text(total.score)} 超过分值 {number_text(total.weight)}。",
            score=total.score,
            weight=total.weight,
        )
    for item in result.indicators:
        score, weight = item.indicator.score, item.indicator.weight
        if score is not None and score > weight + tol:
            yield make_finding(
                "score.above_weight",
                result,
                f"“{item.indicator.name}”得分 {number_text(score)} 超过分值 {number_text(weight)}。",
                item=item,
                score=score,
                weight=weight,
            )
    if form.total_score is not None:
        parts = (total.score or 0) + sum(i.score or 0 for i in form.indicators)
        if abs(parts - form.total_score) > tol:
            yield make_finding(
                "score.total_mismatch",
                result,
                f"填报总分 {number_text(form.total_score)}，预算执行率得分与各指标得分之和为 {number_text(parts)}。",
                total_score=form.total_score,
                parts_sum=round(parts, 2),
            )


_BUDGET_REASON = re.compile(r"执行率|结余|结转|未执行|未支付|未使用|节约|节省|采购|延迟|延期|推迟|资金")


def _budget(result: FormResult) -> Iterable[Finding]:
    form, profile = result.form, result.profile
    total, rate = form.funds.total, result.execution_rate
    if rate is None:
        yield make_finding(
            "budget.rate_unavailable",
            result,
            "全年预算数为空或为0，或全年执行数为空，无法计算执行率和预算执行得分。",
            budget_final=total.budget_final,
            executed=total.executed,
        )
        return
    if rate > 100 + 1e-9:
        yield make_finding(
            "budget.over_execution",
            result,
            f"全年执行数 {number_text(total.executed)} {form.unit} 超过全年预算数 "
            f"{number_text(total.budget_final)} {form.unit}，执行率 {_pct(rate)}。",
            execution_rate=round(rate, 2),
            budget_final=total.budget_final,
            executed=total.executed,
        )
    reported = result.execution_rate_reported
    if total.execution_rate and reported is None:
        yield make_finding(
            "budget.rate_mismatch",
            result,
            f"填报执行率“{total.execution_rate}”无法识别；计算值为 {_pct(rate)}。",
            reported=total.execution_rate,
            computed=round(rate, 2),
        )
    elif reported is not None and abs(reported - round(rate, 2)) > profile.rate_tolerance:
        yield make_finding(
            "budget.rate_mismatch",
            result,
            f"填报执行率 {_pct(reported)}，"
            f"按 {number_text(total.executed)}÷{number_text(total.budget_final)} 计算为 {_pct(rate)}。",
            reported=reported,
            computed=round(rate, 2),
        )
    if (
        total.score is not None
        and result.budget_score is not None
        and abs(total.score - result.budget_score) > profile.score_tolerance
    ):
        yield make_finding(
            "budget.score_mismatch",
            result,
            f"预算执行率得分填报 {number_text(total.score)}，按 {number_text(total.weight)}×min({_pct(rate)}, 100%) "
            f"计算为 {number_text(result.budget_score)}。",
            reported=total.score,
            computed=result.budget_score,
        )
    cut, executed, initial = result.cut_share, total.executed, total.budget_initial
    if cut is not None and cut > profile.large_cut_share and executed is not None and initial:
        yield make_finding(
            "budget.large_cut",
            result,
            f"全年预算数 {number_text(total.budget_final)} {form.unit} 比年初预算数 "
            f"{number_text(total.budget_initial)} {form.unit} 调减 {cut * 100:.2f}%"
            f"（阈值 {profile.large_cut_share * 100:.0f}%）；"
            f"按年初预算计算的执行率为 {_pct(executed / initial * 100)}。",
            cut_pct=round(cut * 100, 2),
            budget_initial=total.budget_initial,
            budget_final=total.budget_final,
            rate_on_initial=round(executed / initial * 100, 2),
        )
    if rate < profile.low_execution_rate:
        texts = [form.annual_goal.achieved or ""] + [i.deviation_note or "" for i in form.indicators]
        if not (total.reason or "").strip() and not any(_BUDGET_REASON.search(t) for t in texts):
            yield make_finding(
                "budget.low_execution_no_reason",
                result,
                f"执行率 {_pct(rate)} 低于 {profile.low_execution_rate:g}%，表中未说明原因。",
                execution_rate=round(rate, 2),
                threshold=profile.low_execution_rate,
            )


def _goals(result: FormResult) -> Iterable[Finding]:
    goal = result.form.annual_goal
    for key, text in (("goal_planned", goal.planned), ("goal_achieved", goal.achieved)):
        if not (text or "").strip():
            yield make_finding("goal.missing", result, f"年度总体目标的“{label(key)}”为空。", field=key)


def _describe(item: IndicatorResult) -> str:
    return f"“{item.indicator.name}”目标 {item.indicator.target}，实际 {item.indicator.actual}"


def _indicators(result: FormResult) -> Iterable[Finding]:
    """The checks of each indicator row (docs/rules.md §6.6)."""
    for item in result.indicators:
        note = (item.indicator.deviation_note or "").strip()
        if item.problem is not None:
            yield _cell_problem(result, item)
        elif (mismatch := _score_mismatch(result, item)) is not None:
            yield mismatch
        if not note and item.attainment in UNMET:
            yield _unmet_without_note(result, item)
        if item.ratio is not None and (signal := _ratio_signal(result, item, note)) is not None:
            yield signal


_PROBLEM_CODES = {"unreadable": "indicator.unreadable", "unit_mismatch": "indicator.unit_mismatch"}


def _cell_problem(result: FormResult, item: IndicatorResult) -> Finding:
    """A target or actual that cannot be read, or units that cannot be compared."""
    code = _PROBLEM_CODES[item.problem or ""]
    ind = item.indicator
    return make_finding(
        code, result, f"{_describe(item)}：{item.reason}。", item=item, target=ind.target, actual=ind.actual
    )


def _score_mismatch(result: FormResult, item: IndicatorResult) -> Finding | None:
    """A reported score outside what the rules allow (where the rules could be applied)."""
    difference = item.difference
    if difference is None or abs(difference) <= result.profile.score_tolerance:
        return None
    if item.score_low == item.score_high:
        allowed = f"规则计算得分为 {number_text(item.score_low)}"
    else:
        band = f"{number_text(item.score_low)}–{number_text(item.score_high)}"
        allowed = f"按“{_tier_label(item.attainment)}”档应在 {band} 之间"
    ind = item.indicator
    return make_finding(
        "indicator.score_mismatch",
        result,
        f"{_describe(item)}，填报得分 {number_text(ind.score)}，{allowed}。",
        item=item,
        reported=ind.score,
        low=item.score_low,
        high=item.score_high,
        ratio=_r(item.ratio),
    )


def _unmet_without_note(result: FormResult, item: IndicatorResult) -> Finding:
    """A missed target without a deviation note."""
    message = f"{_describe(item)}，未完成目标，未填写偏差原因。"
    return make_finding("indicator.unmet_no_reason", result, message, item=item, ratio=_r(item.ratio))


def _ratio_signal(result: FormResult, item: IndicatorResult, note: str) -> Finding | None:
    """Far above a higher-is-better target (set too low?), or far below a lower-is-better limit."""
    target, ratio, profile = item.target, item.ratio, result.profile
    if ratio is None or target.comparison is None or target.kind is not Kind.QUANTITATIVE:
        return None
    direction = target.direction
    if direction is Direction.HIGHER:
        if ratio >= profile.target_too_low_ratio:
            return make_finding(
                "indicator.target_too_low",
                result,
                f"{_describe(item)}，为目标的 {ratio:.2f} 倍" + ("。" if note else "，未说明原因。"),
                item=item,
                severity="info" if note else None,
                ratio=_r(ratio),
            )
        if ratio >= profile.overachievement_note_ratio and not note:
            message = f"{_describe(item)}，为目标的 {ratio:.2f} 倍，未说明原因。"
            return make_finding("indicator.overachieved_no_reason", result, message, item=item, ratio=_r(ratio))
        return None
    if is_loose_limit(item, profile.loose_limit_ratio):
        message = f"{_describe(item)}，仅为上限的 {ratio * 100:.1f}%。"
        return make_finding("indicator.loose_limit", result, message, item=item, ratio=_r(ratio))
    return None


def is_loose_limit(item: IndicatorResult, loose_limit_ratio: float) -> bool:
    """Whether a met lower-is-better limit was set far above what was achieved (a target-setting finding).

    Counts of incidents ("<5次" with 0 or 1) are small integers: their ratio says nothing, so they
    never are; nor is an actual of 0.
    """
    target, ratio = item.target, item.ratio
    return (
        ratio is not None
        and target.comparison is not None
        and target.kind is Kind.QUANTITATIVE
        and target.direction is Direction.LOWER
        and bool(target.number)
        and item.attainment is Attainment.MET
        and target.dimension != "count"
        and 0 < ratio <= loose_limit_ratio
    )


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _tier_label(attainment: Attainment) -> str:
    return ATTAINMENT_LABELS[attainment.value]


def audit_form(result: FormResult) -> list[Finding]:
    """Every finding on one scored form, most severe first.

    Parameters
    ----------
    result : FormResult
        The form as scored by ``scoring.score_form``.

    Returns
    -------
    list of Finding
        The findings of the form checks (funds, weights, 二级指标, scores, budget, goals,
        indicators) and of the narrative check, sorted by severity, each severity in form
        order.
    """
    findings: list[Finding] = []
    for check in (_funds, _weights, _level2, _scores, _budget, _goals, _indicators):
        findings.extend(check(result))
    findings.extend(narrative_findings(result))
    return sort_findings(findings)


# --- portfolio checks -------------------------------------------------------


@dataclass(frozen=True)
class PortfolioFacts:
    """What the portfolio checks need of one scored form: small and cheap to pickle,
    so that worker processes (see `bulk`) can send it instead of the FormResult."""

    form_id: str
    form_name: str
    score_reported: float | None
    satisfaction_values: tuple[str, ...]  # stripped actual of each quantitative 满意度 indicator
    higher_ratios: tuple[float, ...]  # ratio of each quantitative "higher is better" indicator


def portfolio_facts(result: FormResult) -> PortfolioFacts:
    """What the portfolio checks need of one scored form.

    Parameters
    ----------
    result : FormResult
        The form as scored.

    Returns
    -------
    PortfolioFacts
    """
    satisfaction, ratios = [], []
    for item in result.indicators:
        ind, target, ratio = item.indicator, item.target, item.ratio
        if canonical_level1(ind.level1) == LEVEL1_SATISFACTION and item.actual.kind is Kind.QUANTITATIVE:
            satisfaction.append(ind.actual.strip())
        if ratio is not None and target.kind is Kind.QUANTITATIVE and target.direction is Direction.HIGHER:
            ratios.append(ratio)
    return PortfolioFacts(
        form_id=result.form.id,
        form_name=result.form.name,
        score_reported=result.score_reported,
        satisfaction_values=tuple(satisfaction),
        higher_ratios=tuple(ratios),
    )


def audit_portfolio(results: list[FormResult], profile: Profile) -> list[Finding]:
    """The portfolio checks (docs/rules.md §6.8) on scored forms; see `audit_portfolio_facts`."""
    return audit_portfolio_facts([portfolio_facts(r) for r in results], profile)


def audit_portfolio_facts(facts: Iterable[PortfolioFacts], profile: Profile) -> list[Finding]:
    """Patterns across projects (docs/rules.md §6.8).

    Parameters
    ----------
    facts : iterable of PortfolioFacts
        One for each form of the portfolio (see `portfolio_facts`), in the portfolio's order.
    profile : Profile
        The thresholds: how many forms make a pattern.

    Returns
    -------
    list of Finding
        The same satisfaction figure in many projects, every project self-scored full
        marks, most higher-is-better targets far exceeded; none for fewer forms than
        ``profile.min_forms_for_patterns``. The same as `PortfolioAudit` fed `facts` gives.
    """
    audit = PortfolioAudit(profile)
    for fact in facts:
        audit.add(fact)
    return audit.findings()


class PortfolioAudit:
    """The portfolio checks fed one form's facts at a time, so that no caller holds them all.

    It keeps counts, and for each satisfaction value the (form id, form name) pairs of the
    forms that gave it (the finding lists them); nothing else of a form.

    Parameters
    ----------
    profile : Profile
        The thresholds of `audit_portfolio_facts`.

    Examples
    --------
    >>> audit = PortfolioAudit(profile)  # doctest: +SKIP
    >>> for fact in facts:  # in the portfolio's order  # doctest: +SKIP
    ...     audit.add(fact)
    >>> audit.findings() == audit_portfolio_facts(facts, profile)  # doctest: +SKIP
    True
    """

    def __init__(self, profile: Profile) -> None:
        self.profile = profile
        self.forms = 0
        # value -> {form id: form name}, both in first-seen order (a later name of an id wins, as before)
        self._by_value: dict[str, dict[str, str]] = {}
        self._all_full = True
        self._ratios = 0
        self._high = 0

    def add(self, fact: PortfolioFacts) -> None:
        """Count one form's facts (call in the portfolio's order: the findings list forms in it)."""
        profile = self.profile
        self.forms += 1
        for value in fact.satisfaction_values:
            self._by_value.setdefault(value, {})[fact.form_id] = fact.form_name
        score = fact.score_reported
        if not (score is not None and abs(score - profile.total_points) < 1e-6):
            self._all_full = False
        self._ratios += len(fact.higher_ratios)
        self._high += sum(1 for x in fact.higher_ratios if x >= profile.overachievement_note_ratio)

    def findings(self) -> list[Finding]:
        """The portfolio findings of the facts added so far, as `audit_portfolio_facts` gives them."""
        profile = self.profile
        findings: list[Finding] = []
        if self.forms < profile.min_forms_for_patterns:
            return findings
        for value, forms in self._by_value.items():
            if len(forms) >= profile.repeated_value_min_forms:
                names = "、".join(f"“{name}”" for name in forms.values())
                findings.append(
                    make_finding(
                        "portfolio.repeated_satisfaction",
                        None,
                        f"{len(forms)} 个项目的满意度实际值均为 {value}：{names}。",
                        value=value,
                        form_ids=list(forms),
                    )
                )
        if self._all_full:
            findings.append(
                make_finding(
                    "portfolio.all_full_marks",
                    None,
                    f"全部 {self.forms} 个项目自评总分均为 {profile.total_points:g} 分。",
                    forms=self.forms,
                )
            )
        if self._ratios:
            share = self._high / self._ratios
            if share >= profile.low_ambition_share:
                findings.append(
                    make_finding(
                        "portfolio.low_ambition",
                        None,
                        f"{self._ratios} 个“越高越好”的定量指标中有 {self._high} 个（{share * 100:.1f}%）"
                        f"实际值达到目标的 {profile.overachievement_note_ratio:g} 倍以上。",
                        indicators=self._ratios,
                        overachieved=self._high,
                        share=round(share, 4),
                    )
                )
        return sort_findings(findings)
