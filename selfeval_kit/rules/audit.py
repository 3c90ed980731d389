"""Audit findings: what a careful reviewer raises on a form and on a portfolio (RULES.md §6).

Each finding has a stable dotted code, a severity, the form and indicator it
concerns, a Chinese message stating the facts, advice on what to do, and the
figures behind it. The catalogue `CHECKS` is the one place codes are defined.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterable

from selfeval_kit.form.labels import LEVEL1_SATISFACTION, canonical_level1, label
from selfeval_kit.rules.profile import Profile
from selfeval_kit.rules.scoring import HIGHER, LOWER, Attainment, FormResult, IndicatorResult
from selfeval_kit.values.core import Kind

__all__ = [
    "Finding",
    "CHECKS",
    "SEVERITIES",
    "SEVERITY_LABELS",
    "PortfolioFacts",
    "audit_form",
    "audit_portfolio",
    "audit_portfolio_facts",
    "portfolio_facts",
]

SEVERITIES = ("error", "warning", "info")
SEVERITY_LABELS = {"error": "错误", "warning": "警告", "info": "提示"}

# Enum members as module constants: in Python 3.11 `Kind.QUANTITATIVE` goes through
# EnumType.__getattr__, about 0.1 µs a lookup, and the checks look up several per indicator.
_QUANTITATIVE = Kind.QUANTITATIVE
_MET = Attainment.MET
_UNMET = (Attainment.PARTLY, Attainment.NOT_MET)


@dataclass(frozen=True)
class Check:
    severity: str
    title: str  # Chinese, short
    advice: str  # Chinese: what the unit or reviewer should do


CHECKS: dict[str, Check] = {
    "funds.rows_inconsistent": Check("error", "资金来源分项与总额不符", "核对当年财政拨款、上年结转资金、其他资金各分项，使其合计等于年度资金总额。"),
    "weights.sum": Check("error", "分值合计不等于100", "调整各项分值，使预算执行率分值与全部三级指标分值合计为100分。"),
    "weights.nonstandard_split": Check("info", "权重分配偏离默认比例", "确认权重调整有依据（办法规定“原则上”按10/50/30/10分配），并在报告中说明理由。"),
    "level2.not_allowed": Check("warning", "二级指标不在规定范围内", "按规定的指标体系归类：产出指标下设数量、质量、时效、成本指标；效益指标下设经济、社会、生态效益和可持续影响指标；满意度指标下设服务对象满意度指标。"),
    "score.above_weight": Check("error", "得分超过分值", "得分不得超过该项分值，请更正得分。"),
    "score.total_mismatch": Check("error", "总分与各项得分之和不符", "核对各项得分与总分，使总分等于各项得分之和。"),
    "budget.over_execution": Check("warning", "超预算执行", "说明超出全年预算数的支出来源与审批依据；得分以分值为上限。"),
    "budget.rate_mismatch": Check("warning", "填报执行率与计算值不符", "执行率应为全年执行数÷全年预算数，保留两位小数，请更正。"),
    "budget.score_mismatch": Check("error", "预算执行率得分与规则计算值不符", "预算执行率得分 = 分值 × 执行率（不超过分值），请按规则更正。"),
    "budget.large_cut": Check("warning", "年中大幅调减预算", "说明年中调减预算的原因；按调整后预算计算的执行率会高估执行情况，评价时应结合年初预算数审视。"),
    "budget.low_execution_no_reason": Check("warning", "执行率偏低且未说明原因", "说明执行率偏低的原因（如采购延迟、结余资金）并提出改进措施。"),
    "budget.rate_unavailable": Check("warning", "无法计算执行率", "补填全年预算数与全年执行数。"),
    "indicator.score_mismatch": Check("error", "指标得分与规则计算值不符", "按评分规则重新计算该指标得分：完成目标得满分，未完成按实际值与目标值之比计分；定性指标按达成档次计分。"),
    "indicator.unmet_no_reason": Check("warning", "未完成目标且未说明偏差原因", "在“偏差原因分析及改进措施”栏说明未完成的原因并提出改进措施。"),
    "indicator.overachieved_no_reason": Check("warning", "大幅超额完成且未说明原因", "在“偏差原因分析及改进措施”栏分析超额完成的原因；如目标设置偏低，下年度应提高目标值。"),
    "indicator.target_too_low": Check("warning", "目标值可能设置过低", "实际值达到目标值两倍以上，说明目标缺乏挑战性；下年度应依据历史实际值科学设定目标。"),
    "indicator.loose_limit": Check("info", "限值过宽，失去约束作用", "实际值远低于上限，目标没有约束力；下年度应参照实际水平收紧限值。"),
    "indicator.unit_mismatch": Check("warning", "目标值与实际值单位不可比", "统一年度指标值与实际完成值的计量单位，以便核对是否完成目标。"),
    "indicator.unreadable": Check("warning", "指标值无法识别", "按“符号+数值+单位”（如“≥90%”“<2秒”）或明确的定性表述填写指标值。"),
    "goal.missing": Check("warning", "年度总体目标缺项", "补填年度总体目标的预期目标或实际完成情况。"),
    "narrative.mismatch": Check("warning", "文字说明与指标表数值不一致", "核对年度总体目标文字与绩效指标表中的数值，更正不一致之处。"),
    "portfolio.repeated_satisfaction": Check("warning", "多个项目满意度数值完全相同", "说明各项目满意度调查的对象、方法和样本；不同项目得出完全相同的满意度需有依据。"),
    "portfolio.all_full_marks": Check("warning", "所有项目自评均为满分", "自评应客观反映问题与不足；请复核各项目是否确无扣分事项。"),
    "portfolio.low_ambition": Check("warning", "单位普遍设置偏低目标", "多数定量指标的实际值远超目标值，应依据历史数据和行业标准提高目标值。"),
}


@dataclass(frozen=True)
class Finding:
    code: str
    severity: str
    form_id: str | None
    form_name: str | None
    message: str
    indicator: str | None = None
    position: int | None = None
    figures: dict = field(default_factory=dict)

    @property
    def title(self) -> str:
        return CHECKS[self.code].title

    @property
    def advice(self) -> str:
        return CHECKS[self.code].advice

    def to_dict(self) -> dict:
        check = CHECKS[self.code]
        return {
            "code": self.code,
            "severity": self.severity,
            "form_id": self.form_id,
            "form_name": self.form_name,
            "indicator": self.indicator,
            "position": self.position,
            "title": check.title,
            "message": self.message,
            "advice": check.advice,
            "figures": self.figures,
        }


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}%"


def _num(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.2f}".rstrip("0").rstrip(".") if abs(value - round(value)) > 1e-9 else f"{value:,.0f}"


def _finding(code: str, result: FormResult | None, message: str, *, item: IndicatorResult | None = None,
             severity: str | None = None, **figures) -> Finding:  # fmt: skip
    return Finding(
        code=code,
        severity=severity or CHECKS[code].severity,
        form_id=result.form.id if result else None,
        form_name=result.form.name if result else None,
        message=message,
        indicator=item.indicator.name if item else None,
        position=item.position if item else None,
        figures=figures,
    )


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
            yield _finding(
                "funds.rows_inconsistent", result,
                f"{label(amount)}：各资金来源合计 {_num(parts_sum)} {unit}，年度资金总额为 {_num(total)} {unit}。",
                column=amount, total=total, parts_sum=parts_sum,
            )  # fmt: skip


def _weights(result: FormResult) -> Iterable[Finding]:
    form, profile = result.form, result.profile
    budget_weight = form.funds.total.weight
    total = budget_weight + form.indicator_weight
    if abs(total - profile.total_points) > 1e-6:
        yield _finding(
            "weights.sum", result,
            f"预算执行率分值 {_num(budget_weight)} 与指标分值 {_num(form.indicator_weight)} 合计 {_num(total)} 分，应为 {_num(profile.total_points)} 分。",
            total=total, expected=profile.total_points,
        )  # fmt: skip
    split = dict.fromkeys(profile.level1_split, 0)  # as sum() starts
    for indicator in form.indicators:
        level1 = canonical_level1(indicator.level1)
        if level1 in split:
            split[level1] += indicator.weight
    departs = abs(budget_weight - profile.budget_weight) > 1e-6 or any(
        abs(split[name] - expected) > 1e-6 for name, expected in profile.level1_split.items()
    )
    if departs:
        actual = "、".join(f"{name}{_num(split[name])}" for name in split)
        expected = "、".join(f"{name}{_num(v)}" for name, v in profile.level1_split.items())
        yield _finding(
            "weights.nonstandard_split", result,
            f"权重为预算执行率{_num(budget_weight)}、{actual}；默认为预算执行率{_num(profile.budget_weight)}、{expected}。",
            split={"预算执行率": budget_weight, **split}, expected={"预算执行率": profile.budget_weight, **profile.level1_split},
        )  # fmt: skip


def _strip_suffix(name: str) -> str:
    return name.removesuffix("指标")


_level2_last: tuple | None = None  # (a copy of allowed_level2, home, stripped) as last built


def _level2_tables(allowed: dict[str, list[str]]) -> tuple[dict[str, str], dict[str, set[str]]]:
    """(二级 name → its 一级, 一级 → its 二级 names), names without 指标; rebuilt only when
    `allowed` differs from the last one seen (a run has one profile)."""
    global _level2_last
    last = _level2_last
    if last is None or last[0] != allowed:
        home = {_strip_suffix(l2): l1 for l1, names in allowed.items() for l2 in names}
        stripped = {l1: {_strip_suffix(n) for n in names} for l1, names in allowed.items()}
        _level2_last = last = ({l1: list(names) for l1, names in allowed.items()}, home, stripped)
    return last[1], last[2]


def _level2(result: FormResult) -> Iterable[Finding]:
    allowed = result.profile.allowed_level2
    home, stripped = _level2_tables(allowed)
    for item in result.indicators:
        l1, l2 = canonical_level1(item.indicator.level1), item.indicator.level2
        names = stripped.get(l1)  # None: l1 not in allowed
        if names is None:
            yield _finding(
                "level2.not_allowed", result,
                f"一级指标“{l1}”不在规定范围内（{'、'.join(allowed)}）。", item=item, level1=l1, level2=l2,
            )  # fmt: skip
        elif l2.removesuffix("指标") not in names:
            where = home.get(_strip_suffix(l2))
            hint = f"，它应属于“{where}”" if where else f"；“{l1}”下应为{'、'.join(allowed[l1])}"
            yield _finding(
                "level2.not_allowed", result, f"二级指标“{l2}”不能列在“{l1}”下{hint}。",
                item=item, level1=l1, level2=l2, belongs_to=where,
            )  # fmt: skip


def _scores(result: FormResult) -> Iterable[Finding]:
    form, tol = result.form, result.profile.score_tolerance
    total = form.funds.total
    if total.score is not None and total.score > total.weight + tol:
        yield _finding(
            "score.above_weight", result, f"预算执行率得分 {_num(total.score)} 超过分值 {_num(total.weight)}。",
            score=total.score, weight=total.weight,
        )  # fmt: skip
    for item in result.indicators:
        score, weight = item.indicator.score, item.indicator.weight
        if score is not None and score > weight + tol:
            yield _finding(
                "score.above_weight", result, f"“{item.indicator.name}”得分 {_num(score)} 超过分值 {_num(weight)}。",
                item=item, score=score, weight=weight,
            )  # fmt: skip
    if form.total_score is not None:
        parts = (total.score or 0) + sum(i.score or 0 for i in form.indicators)
        if abs(parts - form.total_score) > tol:
            yield _finding(
                "score.total_mismatch", result,
                f"填报总分 {_num(form.total_score)}，预算执行率得分与各指标得分之和为 {_num(parts)}。",
                total_score=form.total_score, parts_sum=round(parts, 2),
            )  # fmt: skip


_BUDGET_REASON = re.compile(r"执行率|结余|结转|未执行|未支付|未使用|节约|节省|采购|延迟|延期|推迟|资金")


def _budget(result: FormResult) -> Iterable[Finding]:
    form, profile = result.form, result.profile
    total, rate = form.funds.total, result.execution_rate
    if rate is None:
        yield _finding(
            "budget.rate_unavailable", result, "全年预算数为空或为0，或全年执行数为空，无法计算执行率和预算执行得分。",
            budget_final=total.budget_final, executed=total.executed,
        )  # fmt: skip
        return
    if rate > 100 + 1e-9:
        yield _finding(
            "budget.over_execution", result,
            f"全年执行数 {_num(total.executed)} {form.unit} 超过全年预算数 {_num(total.budget_final)} {form.unit}，执行率 {_pct(rate)}。",
            execution_rate=round(rate, 2), budget_final=total.budget_final, executed=total.executed,
        )  # fmt: skip
    reported = result.execution_rate_reported
    if total.execution_rate and reported is None:
        yield _finding(
            "budget.rate_mismatch", result, f"填报执行率“{total.execution_rate}”无法识别；计算值为 {_pct(rate)}。",
            reported=total.execution_rate, computed=round(rate, 2),
        )  # fmt: skip
    elif reported is not None and abs(reported - round(rate, 2)) > profile.rate_tolerance:
        yield _finding(
            "budget.rate_mismatch", result,
            f"填报执行率 {_pct(reported)}，按 {_num(total.executed)}÷{_num(total.budget_final)} 计算为 {_pct(rate)}。",
            reported=reported, computed=round(rate, 2),
        )  # fmt: skip
    if total.score is not None and result.budget_score is not None:
        if abs(total.score - result.budget_score) > profile.score_tolerance:
            yield _finding(
                "budget.score_mismatch", result,
                f"预算执行率得分填报 {_num(total.score)}，按 {_num(total.weight)}×min({_pct(rate)}, 100%) 计算为 {_num(result.budget_score)}。",
                reported=total.score, computed=result.budget_score,
            )  # fmt: skip
    cut = result.cut_share
    if cut is not None and cut > profile.large_cut_share:
        yield _finding(
            "budget.large_cut", result,
            f"全年预算数 {_num(total.budget_final)} {form.unit} 比年初预算数 {_num(total.budget_initial)} {form.unit} 调减 {cut * 100:.2f}%"
            f"（阈值 {profile.large_cut_share * 100:.0f}%）；按年初预算计算的执行率为 {_pct(total.executed / total.budget_initial * 100)}。",
            cut_pct=round(cut * 100, 2), budget_initial=total.budget_initial, budget_final=total.budget_final,
            rate_on_initial=round(total.executed / total.budget_initial * 100, 2),
        )  # fmt: skip
    if rate < profile.low_execution_rate:
        texts = [form.annual_goal.achieved or ""] + [i.deviation_note or "" for i in form.indicators]
        if not (total.reason or "").strip() and not any(_BUDGET_REASON.search(t) for t in texts):
            yield _finding(
                "budget.low_execution_no_reason", result,
                f"执行率 {_pct(rate)} 低于 {profile.low_execution_rate:g}%，表中未说明原因。",
                execution_rate=round(rate, 2), threshold=profile.low_execution_rate,
            )  # fmt: skip


def _goals(result: FormResult) -> Iterable[Finding]:
    goal = result.form.annual_goal
    for key, text in (("goal_planned", goal.planned), ("goal_achieved", goal.achieved)):
        if not (text or "").strip():
            yield _finding("goal.missing", result, f"年度总体目标的“{label(key)}”为空。", field=key)


def _describe(item: IndicatorResult) -> str:
    return f"“{item.indicator.name}”目标 {item.indicator.target}，实际 {item.indicator.actual}"


def _indicators(result: FormResult) -> Iterable[Finding]:
    profile, tol = result.profile, result.profile.score_tolerance
    for item in result.indicators:
        ind, target, problem, ratio = item.indicator, item.target, item.problem, item.ratio
        note = (ind.deviation_note or "").strip()
        if problem == "unreadable":
            yield _finding("indicator.unreadable", result, f"{_describe(item)}：{item.reason}。", item=item,
                           target=ind.target, actual=ind.actual)  # fmt: skip
        elif problem == "unit_mismatch":
            yield _finding("indicator.unit_mismatch", result, f"{_describe(item)}：{item.reason}。", item=item,
                           target=ind.target, actual=ind.actual)  # fmt: skip
        difference = None if problem is not None else item.difference
        if difference is not None and abs(difference) > tol:
            if item.score_low == item.score_high:
                allowed = f"规则计算得分为 {_num(item.score_low)}"
            else:
                allowed = f"按“{_tier_label(item.attainment)}”档应在 {_num(item.score_low)}–{_num(item.score_high)} 之间"
            yield _finding(
                "indicator.score_mismatch", result, f"{_describe(item)}，填报得分 {_num(ind.score)}，{allowed}。",
                item=item, reported=ind.score, low=item.score_low, high=item.score_high, ratio=_r(ratio),
            )  # fmt: skip
        if item.attainment in _UNMET and not note:
            yield _finding(
                "indicator.unmet_no_reason", result, f"{_describe(item)}，未完成目标，未填写偏差原因。",
                item=item, ratio=_r(ratio),
            )  # fmt: skip
        comparison = target.comparison
        if ratio is None or target.kind != _QUANTITATIVE or comparison is None:
            continue
        if comparison in HIGHER:
            if ratio >= profile.target_too_low_ratio:
                yield _finding(
                    "indicator.target_too_low", result,
                    f"{_describe(item)}，为目标的 {ratio:.2f} 倍" + ("。" if note else "，未说明原因。"),
                    item=item, severity="info" if note else None, ratio=_r(ratio),
                )  # fmt: skip
            elif ratio >= profile.overachievement_note_ratio and not note:
                yield _finding(
                    "indicator.overachieved_no_reason", result, f"{_describe(item)}，为目标的 {ratio:.2f} 倍，未说明原因。",
                    item=item, ratio=_r(ratio),
                )  # fmt: skip
        elif comparison in LOWER and target.number and item.attainment == _MET:
            # Counts of incidents ("<5次" with 1) are small integers: their ratio says nothing.
            if target.dimension != "count" and 0 < ratio <= profile.loose_limit_ratio:
                yield _finding(
                    "indicator.loose_limit", result, f"{_describe(item)}，仅为上限的 {ratio * 100:.1f}%。",
                    item=item, ratio=_r(ratio),
                )  # fmt: skip


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _tier_label(attainment: Attainment) -> str:
    from selfeval_kit.rules.scoring import ATTAINMENT_LABELS

    return ATTAINMENT_LABELS[attainment.value]


def audit_form(result: FormResult) -> list[Finding]:
    from selfeval_kit.rules.narrative import narrative_findings

    findings: list[Finding] = []
    for check in (_funds, _weights, _level2, _scores, _budget, _goals, _indicators):
        findings.extend(check(result))
    findings.extend(narrative_findings(result))
    return sort_findings(findings)


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Most severe first; within a severity, in form order (stable)."""
    return sorted(findings, key=lambda f: SEVERITIES.index(f.severity))


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
    satisfaction, ratios = [], []
    for item in result.indicators:
        ind, target, ratio = item.indicator, item.target, item.ratio
        if item.actual.kind == _QUANTITATIVE and canonical_level1(ind.level1) == LEVEL1_SATISFACTION:
            satisfaction.append(ind.actual.strip())
        if ratio is not None and target.kind == _QUANTITATIVE and target.comparison in HIGHER:
            ratios.append(ratio)
    return PortfolioFacts(
        form_id=result.form.id,
        form_name=result.form.name,
        score_reported=result.score_reported,
        satisfaction_values=tuple(satisfaction),
        higher_ratios=tuple(ratios),
    )


def audit_portfolio(results: list[FormResult], profile: Profile) -> list[Finding]:
    return audit_portfolio_facts([portfolio_facts(r) for r in results], profile)


def audit_portfolio_facts(facts: list[PortfolioFacts], profile: Profile) -> list[Finding]:
    findings: list[Finding] = []
    if len(facts) < profile.min_forms_for_patterns:
        return findings

    by_value: dict[str, list[PortfolioFacts]] = defaultdict(list)
    for fact in facts:
        for value in fact.satisfaction_values:
            by_value[value].append(fact)
    for value, forms in by_value.items():
        unique = list({r.form_id: r for r in forms}.values())
        if len(unique) >= profile.repeated_value_min_forms:
            names = "、".join(f"“{r.form_name}”" for r in unique)
            findings.append(_finding(
                "portfolio.repeated_satisfaction", None,
                f"{len(unique)} 个项目的满意度实际值均为 {value}：{names}。",
                value=value, form_ids=[r.form_id for r in unique],
            ))  # fmt: skip

    reported = [r.score_reported for r in facts]
    if all(s is not None and abs(s - profile.total_points) < 1e-6 for s in reported):
        findings.append(_finding(
            "portfolio.all_full_marks", None, f"全部 {len(facts)} 个项目自评总分均为 {profile.total_points:g} 分。",
            forms=len(facts),
        ))  # fmt: skip

    ratios = [x for r in facts for x in r.higher_ratios]
    if ratios:
        high = sum(1 for x in ratios if x >= profile.overachievement_note_ratio)
        share = high / len(ratios)
        if share >= profile.low_ambition_share:
            findings.append(_finding(
                "portfolio.low_ambition", None,
                f"{len(ratios)} 个“越高越好”的定量指标中有 {high} 个（{share * 100:.1f}%）实际值达到目标的 "
                f"{profile.overachievement_note_ratio:g} 倍以上。",
                indicators=len(ratios), overachieved=high, share=round(share, 4),
            ))  # fmt: skip
    return sort_findings(findings)
