"""What the 复核意见 (review opinion) says, for a project and for a year.

The opinion states the three scores side by side (自评分, 复核重算分, 复核得分), the deductions
with their reasons (`selfeval_kit.rules.review`), and a short conclusion in Chinese built from
the findings: what the review can confirm, what the unit must correct or explain, what to
improve next year. No finding code is shown. A block for the reviewer's name, unit and date is
filled from a `Signature`, or left as lines to sign. Nothing here renders HTML.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from selfeval_kit.rules.findings import Finding
from selfeval_kit.rules.review import review_form
from selfeval_kit.rules.scoring import FormResult
from selfeval_kit.views.formatting import chinese_date, money, pct, points
from selfeval_kit.views.marks import SEVERITY, SEVERITY_ORDER, severity_counts, sort_findings

__all__ = ["ACTIONS", "Signature", "annual_opinion", "project_opinion", "signature_block"]

# What each finding asks of the unit: ("correct": to correct or explain now, "improve": next
# year), and the action, where {what} is the indicators (or projects) concerned.
ACTIONS: dict[str, tuple[str, str]] = {
    "funds.rows_inconsistent": ("correct", "核对资金来源各分项，使其合计等于年度资金总额"),
    "weights.sum": ("correct", "调整各项分值，使合计等于总分"),
    "level2.not_allowed": ("correct", "按规定的指标体系重新归类{what}"),
    "score.above_weight": ("correct", "更正超过分值的得分{what}"),
    "score.total_mismatch": ("correct", "更正总分，使其等于各项得分之和"),
    "budget.over_execution": ("correct", "说明超出全年预算数的支出来源与审批依据"),
    "budget.rate_mismatch": ("correct", "按全年执行数÷全年预算数更正填报执行率"),
    "budget.score_mismatch": ("correct", "按规则更正预算执行率得分"),
    "budget.low_execution_no_reason": ("correct", "说明执行率偏低的原因并提出改进措施"),
    "budget.rate_unavailable": ("correct", "补填全年预算数与全年执行数"),
    "indicator.score_mismatch": ("correct", "按评分规则更正{what}的得分"),
    "indicator.unmet_no_reason": ("correct", "补充说明{what}未完成目标的原因和改进措施"),
    "indicator.overachieved_no_reason": ("correct", "补充说明{what}大幅超额完成的原因"),
    "indicator.unit_mismatch": ("correct", "统一{what}目标值与实际值的计量单位"),
    "indicator.unreadable": ("correct", "按“符号+数值+单位”或明确的定性表述重填{what}的指标值"),
    "goal.missing": ("correct", "补填年度总体目标"),
    "narrative.mismatch": ("correct", "核对{what}的文字说明与指标表数值，更正不一致之处"),
    "portfolio.repeated_satisfaction": ("correct", "说明各项目满意度调查的对象、方法和样本"),
    "weights.nonstandard_split": ("improve", "权重分配偏离默认比例的，应有依据并在报告中说明"),
    "budget.large_cut": ("improve", "提高预算编制的准确性，减少年中大幅调减预算"),
    "indicator.target_too_low": ("improve", "依据历史实际值提高{what}的目标值"),
    "indicator.loose_limit": ("improve", "参照实际水平收紧{what}的限值"),
    "portfolio.all_full_marks": ("improve", "自评应如实反映问题与不足，不宜一律自评满分"),
    "portfolio.low_ambition": ("improve", "依据历史数据和行业标准普遍提高目标值"),
}
_NAMES_SHOWN = 3


@dataclass(frozen=True)
class Signature:
    """The reviewer's block: name, unit and date, each None to leave a line to sign.

    `date` is a date, an ISO text ("2023-03-05", printed 2023年3月5日) or any text as given.
    """

    name: str | None = None
    unit: str | None = None
    date: str | _dt.date | None = None


def signature_block(signature: Signature | None) -> list[dict[str, str]]:
    """The three lines of the reviewer's block: label and value ("" leaves a line to sign)."""
    sig = signature or Signature()
    date = sig.date
    if isinstance(date, _dt.date):
        text = chinese_date(date)
    else:
        text = (date or "").strip()
        try:
            text = chinese_date(_dt.date.fromisoformat(text)) if text else ""
        except ValueError:
            pass  # any other text is printed as given
    return [
        {"label": "复核人", "value": (sig.name or "").strip()},
        {"label": "复核单位", "value": (sig.unit or "").strip()},
        {"label": "复核日期", "value": text},
    ]


def _quoted(names: Sequence[str], noun: str) -> str:
    """“A”“B”“C”, or “A”“B”“C”等 5 {noun} when there are more (noun with its measure word: 项指标)."""
    unique = list(dict.fromkeys(names))
    shown = "".join(f"“{n}”" for n in unique[:_NAMES_SHOWN])
    return shown if len(unique) <= _NAMES_SHOWN else f"{shown}等 {len(unique)} {noun}"


def _actions(findings: Iterable[Finding], kind: str) -> list[str]:
    """The actions of one kind that the findings ask for, one per check, the most severe first."""
    by_code: dict[str, list[Finding]] = {}
    for f in sort_findings(findings):
        if ACTIONS.get(f.code, ("", ""))[0] == kind:
            by_code.setdefault(f.code, []).append(f)
    out = []
    for code, items in by_code.items():
        names = [f.indicator for f in items if f.indicator]
        what = _quoted(names, "项指标") if names else ""
        out.append(ACTIONS[code][1].format(what=what or ("相关指标" if "{what}" in ACTIONS[code][1] else "")))
    return out


def _count_text(findings: Sequence[Finding]) -> str:
    """复核未发现问题 / 复核发现 3 项问题（警告 2 项、提示 1 项）."""
    if not findings:
        return "复核未发现问题"
    counts = severity_counts(findings)
    parts = "、".join(f"{SEVERITY[s].label} {counts[s]} 项" for s in SEVERITY_ORDER if counts[s])
    return f"复核发现 {len(findings)} 项问题（{parts}）"


def _deduction_text(result: FormResult) -> str:
    """The part of the conclusion on deductions and the review score."""
    review, label = review_form(result), result.profile.label
    grade = f"，等级“{review.grade_review or '—'}”"
    if not result.profile.review_deductions:
        return f"按“{label}”不作复核扣分，复核得分等于复核重算分 {points(review.score_review)} 分{grade}"
    taken = [d for d in review.deductions if d.points > 0]
    if not taken:
        return f"按“{label}”无扣分事项，复核得分等于复核重算分 {points(review.score_review)} 分{grade}"
    total = f"合计扣 {points(review.deducted)} 分，复核得分 {points(review.score_review)} 分"
    return f"其中 {len(taken)} 项按“{label}”扣分，{total}{grade}"


def _credible(result: FormResult) -> list[str]:
    """What the review can confirm of the form."""
    codes = {f.code for f in result.findings}
    out = []
    tol = result.profile.score_tolerance
    if result.score_reported is not None and abs(result.score_reported - result.score_recomputed) <= tol:
        out.append(f"自评总分 {points(result.score_reported)} 分与按评分规则重算的结果一致")
    budget_bad = {
        "budget.rate_mismatch",
        "budget.score_mismatch",
        "budget.rate_unavailable",
        "budget.over_execution",
        "funds.rows_inconsistent",
    }
    if result.execution_rate is not None and not codes & budget_bad:
        executed = money(result.form.funds.total.executed, result.form.unit)
        out.append(
            f"全年执行数 {executed}、执行率 {pct(result.execution_rate)} 与预算执行率得分 "
            f"{points(result.budget_score)} 分经核算无误"
        )
    items = result.indicators
    if items:
        met = sum(1 for i in items if i.attainment.value == "met")
        text = (
            f"{len(items)} 项绩效指标中 {met} 项达成年度指标值"
            if met < len(items)
            else f"{len(items)} 项绩效指标均达成年度指标值"
        )
        if "indicator.score_mismatch" not in codes:
            text += "，各项自评得分均在规则允许的范围内"
        out.append(text)
    if not codes & {"narrative.mismatch", "goal.missing"}:
        out.append("年度总体目标的文字说明与指标表数值一致")
    return out


def _scores(reported: float | None, recomputed: float, review: float, grades: Sequence[str | None]) -> list[dict]:
    labels = ("自评分", "复核重算分", "复核得分")
    return [
        {"label": label, "value": points(value), "grade": grade or "—"}
        for label, value, grade in zip(labels, (reported, recomputed, review), grades, strict=True)
    ]


def _deduction_rows(result: FormResult) -> list[dict[str, str]]:
    return [
        {"where": d.where, "title": d.title, "points": points(d.points), "reason": d.reason, "message": d.message}
        for d in review_form(result).deductions
    ]


def project_opinion(result: FormResult, signature: Signature | None = None) -> dict[str, Any]:
    """七、复核意见 of one project: scores side by side, conclusion, deductions, the reviewer's block.

    Returns
    -------
    dict
        scores (label, value, grade per score), conclusion (one sentence), credible, correct and
        improve (lists of clauses, possibly empty), the sentences shown when a list is empty,
        deductions (where, title, points, reason, message), deducted, has_rules, signature.
    """
    review = review_form(result)
    head = (
        f"本项目自评 {points(result.score_reported)} 分"
        if result.score_reported is not None
        else "本项目自评表未填总分"
    )
    conclusion = (
        f"{head}，按评分规则重算为 {points(result.score_recomputed)} 分；"
        f"{_count_text(result.findings)}，{_deduction_text(result)}。"
    )
    grades = (result.grade_reported, result.grade, review.grade_review)
    return {
        "scores": _scores(result.score_reported, result.score_recomputed, review.score_review, grades),
        "conclusion": conclusion,
        "credible": _credible(result),
        "credible_none": "自评结果的主要数据未能确认，请按下列问题更正后重新报送。",
        "correct": _actions(result.findings, "correct"),
        "correct_none": "未发现需要更正或补充说明的问题。",
        "improve": _actions(result.findings, "improve"),
        "improve_none": "指标设置与预算编制未见突出问题。",
        "deductions": _deduction_rows(result),
        "deducted": points(review.deducted),
        "has_rules": bool(result.profile.review_deductions),
        "profile_label": result.profile.label,
        "signature": signature_block(signature),
    }


def _mean(values: Sequence[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return sum(known) / len(known) if known else None


def _annual_actions(results: Sequence[FormResult], portfolio: Sequence[Finding], kind: str) -> list[str]:
    """The actions of one kind across projects, each with the projects it concerns."""
    by_code: dict[str, list[str]] = {}
    names = {r.form.id: r.form.name for r in results}
    order = {s: i for i, s in enumerate(SEVERITY_ORDER)}
    findings = sorted((f for r in results for f in r.findings), key=lambda f: order.get(f.severity, 9))
    for f in [*sorted(portfolio, key=lambda f: order.get(f.severity, 9)), *findings]:
        if ACTIONS.get(f.code, ("", ""))[0] == kind:
            concerned = (
                [f.form_name] if f.form_name else [names[i] for i in f.figures.get("form_ids", []) if i in names]
            )
            by_code.setdefault(f.code, []).extend(concerned)
    out = []
    for code, projects in by_code.items():
        action = ACTIONS[code][1].format(what="相关指标" if "{what}" in ACTIONS[code][1] else "")
        out.append(f"{action}（{_quoted(projects, '个项目')}）" if projects else action)
    return out


def _annual_credible(results: Sequence[FormResult]) -> list[str]:
    n = len(results)
    same = sum(
        1
        for r in results
        if r.score_reported is not None and abs(r.score_reported - r.score_recomputed) <= r.profile.score_tolerance
    )
    rate_ok = sum(
        1
        for r in results
        if r.execution_rate is not None
        and not {f.code for f in r.findings} & {"budget.rate_mismatch", "budget.score_mismatch"}
    )
    out = []
    if same:
        out.append(
            f"{n} 个项目中 {same} 个的自评总分与按评分规则重算的结果一致"
            if same < n
            else f"{n} 个项目的自评总分均与按评分规则重算的结果一致"
        )
    if rate_ok:
        out.append(
            f"{rate_ok} 个项目的执行率与预算执行率得分经核算无误"
            if rate_ok < n
            else f"{n} 个项目的执行率与预算执行率得分均经核算无误"
        )
    return out


def annual_opinion(
    results: Sequence[FormResult], portfolio: Sequence[Finding], signature: Signature | None = None
) -> dict[str, Any]:
    """七、复核意见 of a year: each project's three scores, the conclusion, the reviewer's block.

    Parameters
    ----------
    results
        The year's scored and audited forms.
    portfolio
        The findings on the portfolio as a whole.
    signature
        The reviewer's block; None leaves lines to sign.
    """
    if not results:
        return {"rows": [], "conclusion": "本年度没有项目。", "credible": [], "correct": [], "improve": [],
                "credible_none": "", "correct_none": "", "improve_none": "", "has_rules": False,
                "signature": signature_block(signature)}  # fmt: skip
    reviews = [review_form(r) for r in results]
    rows = [
        {
            "name": r.form.name,
            "scores": _scores(
                r.score_reported, r.score_recomputed, v.score_review, (r.grade_reported, r.grade, v.grade_review)
            ),
            "deducted": points(v.deducted),
            "n": sum(1 for d in v.deductions if d.points > 0),
        }
        for r, v in zip(results, reviews, strict=True)
    ]
    n, label = len(results), results[0].profile.label
    head = (
        f"{n} 个项目自评总分平均 {points(_mean([r.score_reported for r in results]))} 分，"
        f"按评分规则重算平均 {points(_mean([r.score_recomputed for r in results]))} 分"
    )
    cut = [(r, v) for r, v in zip(results, reviews, strict=True) if v.deducted > 0]
    if not results[0].profile.review_deductions:
        tail = f"按“{label}”不作复核扣分，复核得分等于复核重算分"
    elif not cut:
        tail = f"按“{label}”没有项目被扣分，复核得分等于复核重算分"
    else:
        most, review = max(cut, key=lambda pair: pair[1].deducted)
        total = sum(v.deducted for _, v in cut)
        tail = (
            f"按“{label}”{len(cut)} 个项目被扣分，合计扣 {points(total)} 分，复核得分平均 "
            f"{points(_mean([v.score_review for v in reviews]))} 分；"
            f"扣分最多的是“{most.form.name}”（{points(review.deducted)} 分）"
        )
    grades: dict[str, int] = {}
    for v in reviews:
        grades[v.grade_review or "—"] = grades.get(v.grade_review or "—", 0) + 1
    grade_text = "、".join(f"“{g}” {k} 个" for g, k in grades.items())
    return {
        "rows": rows,
        "conclusion": f"{head}；{tail}。复核得分等级：{grade_text}。",
        "credible": _annual_credible(results),
        "credible_none": "各项目自评结果的主要数据未能确认，请按下列问题更正后重新报送。",
        "correct": _annual_actions(results, portfolio, "correct"),
        "correct_none": "未发现需要更正或补充说明的问题。",
        "improve": _annual_actions(results, portfolio, "improve"),
        "improve_none": "指标设置与预算编制未见突出问题。",
        "has_rules": bool(results[0].profile.review_deductions),
        "signature": signature_block(signature),
    }
