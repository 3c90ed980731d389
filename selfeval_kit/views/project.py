"""What one project's report says: its sentences, the rows of its tables and the data of its charts.

Every function takes the `FormResult` of one form (its profile is `result.profile`) and returns
plain text, rows (dicts of display strings, in the shape the report's templates read) or the
numbers a chart draws with its one-line reading. Nothing here renders HTML or draws: that is
`selfeval_kit.report`. The outline and the formats follow docs/reports.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from selfeval_kit.form.labels import FUNDS_ROW_LABELS, canonical_level1
from selfeval_kit.form.model import Form, FundsRow
from selfeval_kit.rules.audit import is_loose_limit
from selfeval_kit.rules.review import review_form
from selfeval_kit.rules.scoring import FormResult, IndicatorResult
from selfeval_kit.views.formatting import (
    amount,
    differs,
    money,
    pct,
    points,
    project_title,
    ratio_text,
    score_range,
    sign_text,
    weight_text,
)
from selfeval_kit.views.marks import counts_text, sort_findings, status_key
from selfeval_kit.views.sentences import summary_sentence

__all__ = [
    "FUNDS_KEYS",
    "FundsChart",
    "Level1Chart",
    "RatioChart",
    "basic",
    "budget",
    "change_sentence",
    "conclusion",
    "deviation_rows",
    "deviations",
    "funds_chart",
    "funds_rows",
    "funds_sentence",
    "header",
    "indicators",
    "level1_chart",
    "lower_is_better",
    "ratio_chart",
]

FUNDS_KEYS = ("total", "appropriation", "carryover", "other")
_NUMBERS = "一二三四五六七八九十"


def lower_is_better(item: IndicatorResult) -> bool:
    """Whether an indicator is a quantity with a lower-is-better target (a ratio below 1 is good).

    Rankings ("全国前3") are not: their ratios are not drawn as lower-is-better.
    """
    target = item.target
    kind = getattr(getattr(target, "kind", None), "value", getattr(target, "kind", None))
    direction = getattr(getattr(target, "direction", None), "value", None)
    return kind in ("quantitative", "none") and direction == "lower"


def funds_rows(form: Form) -> list[tuple[str, FundsRow]]:
    """The four funds rows of a form with their Chinese labels, total first."""
    return [(FUNDS_ROW_LABELS[key], getattr(form.funds, key)) for key in FUNDS_KEYS]


# ------------------------------------------------------------------ header, 一、二


def header(result: FormResult) -> dict[str, Any]:
    """The report's head: title, form, profile, reported and recomputed totals, grades, rate, counts.

    Returns
    -------
    dict
        The context of the header template (without the date of the report).
    """
    return {
        "title": project_title(result.form),
        "form": result.form,
        "profile_label": result.profile.label,
        "score_reported": points(result.score_reported),
        "score_recomputed": points(result.score_recomputed),
        "score_range": score_range(result.score_low, result.score_high),
        "grade": result.grade or "—",
        "grade_reported": result.grade_reported or "—",
        "score_review": points(review_form(result).score_review),
        "grade_review": review_form(result).grade_review or "—",
        "rate": pct(result.execution_rate),
        "counts": counts_text(result.findings),
    }


def funds_sentence(result: FormResult) -> str:
    """The funds in one sentence: initial, final and executed totals, the rate, the non-empty sub-rows.

    Returns
    -------
    str
        E.g. "年度资金总额：年初预算数 296,272.00 元，…，执行率 100.00%。"
    """
    form, unit = result.form, result.form.unit
    t = form.funds.total
    text = (
        f"年度资金总额：年初预算数 {money(t.budget_initial, unit)}，全年预算数 {money(t.budget_final, unit)}，"
        f"全年执行数 {money(t.executed, unit)}，执行率 {pct(result.execution_rate)}"
    )
    parts = []
    for key in FUNDS_KEYS[1:]:
        row = getattr(form.funds, key)
        if row.executed or row.budget_final:
            parts.append(f"{FUNDS_ROW_LABELS[key]} {money(row.budget_final, unit)}")
    if parts:
        text += "；全年预算数中" + "、".join(parts)
    return text + "。"


def change_sentence(result: FormResult) -> str:
    """The mid-year change of the budget (全年预算数 against 年初预算数) in one sentence.

    A cut of at least the profile's `large_cut_share` also says that the execution rate against
    the cut budget is higher than against the initial one.
    """
    t, unit, profile = result.form.funds.total, result.form.unit, result.profile
    if t.budget_initial is None or t.budget_final is None:
        return "年初预算数或全年预算数未填写，无法判断年中调整。"
    delta = t.budget_final - t.budget_initial
    if abs(delta) < 0.005:
        return "年中未调整预算（全年预算数等于年初预算数）。"
    share = abs(delta) / t.budget_initial * 100 if t.budget_initial else None
    verb = "调减" if delta < 0 else "调增"
    text = f"年中{verb}预算 {money(abs(delta), unit)}"
    if share is not None:
        text += f"（年初预算数的 {share:.2f}%）"
    if delta < 0 and share is not None and share >= profile.large_cut_share * 100:
        initial_rate = pct((t.executed or 0) / t.budget_initial * 100)
        text += (
            f"，超过 {profile.large_cut_share * 100:g}% 的关注线：按调整后预算计算的执行率会高于"
            f"按年初预算计算的 {initial_rate}"
        )
    return text + "。"


def basic(result: FormResult) -> dict[str, Any]:
    """一、基本情况: the form and the funds sentence."""
    return {"form": result.form, "funds_sentence": funds_sentence(result)}


def conclusion(result: FormResult) -> dict[str, Any]:
    """二、综合评价结论: reported against recomputed score per 一级指标, the totals, the grades, the summary."""
    r = result
    levels = [
        {
            "name": name,
            "weight": weight_text(row["weight"]),
            "reported": points(row["reported"]),
            "recomputed": points(row["recomputed"]),
            "differs": differs(row["reported"], row["recomputed"]),
        }
        for name, row in r.level1_scores().items()
    ]
    budget_row = {
        "weight": weight_text(r.budget_weight),
        "reported": points(r.budget_score_reported),
        "recomputed": points(r.budget_score),
        "differs": differs(r.budget_score_reported, r.budget_score),
    }
    return {
        "levels": levels,
        "budget": budget_row,
        "total_weight": weight_text(r.budget_weight + r.form.indicator_weight),
        "score_reported": points(r.score_reported),
        "score_recomputed": points(r.score_recomputed),
        "total_differs": differs(r.score_reported, r.score_recomputed),
        "score_range": score_range(r.score_low, r.score_high),
        "grade": r.grade or "—",
        "grade_reported": r.grade_reported or "—",
        "profile_label": r.profile.label,
        "summary": summary_sentence(r),
    }


# ------------------------------------------------------------------ 三、预算执行情况


@dataclass(frozen=True)
class FundsChart:
    """The funds chart's data: (label, initial, final, executed) per drawn row, the unit, the reading."""

    rows: list[tuple[str, float | None, float | None, float | None]]
    unit: str
    reading: str


def funds_chart(result: FormResult) -> FundsChart:
    """The rows the funds chart draws (the total, and each sub-row with an amount) and its reading."""
    rows = []
    for label, row in funds_rows(result.form):
        values = (row.budget_initial, row.budget_final, row.executed)
        if label == FUNDS_ROW_LABELS["total"] or any(values):
            rows.append((label, *values))
    unit = result.form.unit
    executed = money(result.form.funds.total.executed, unit)
    reading = f"读图：全年执行数 {executed}，为全年预算数的 {pct(result.execution_rate)}；" + change_sentence(result)
    return FundsChart(rows, unit, reading)


def _check(a: float | None, b: float | None, tol: float) -> str:
    if a is None or b is None:
        return "? 无法比较"
    return "✓ 一致" if abs(a - b) <= tol else "✗ 不一致"


def budget(result: FormResult) -> dict[str, Any]:
    """三、预算执行情况 (without its chart): the funds table, the rate and budget-score checks, findings."""
    r, form, profile = result, result.form, result.profile
    rows = []
    for label, row in funds_rows(form):
        rate = row.executed / row.budget_final * 100 if row.budget_final and row.executed is not None else None
        rows.append(
            {
                "label": label,
                "initial": amount(row.budget_initial),
                "final": amount(row.budget_final),
                "executed": amount(row.executed),
                "rate": pct(rate),
            }
        )
    findings = [f for f in sort_findings(r.findings) if f.code.startswith(("budget.", "funds."))]
    return {
        "unit": form.unit,
        "rows": rows,
        "rate_reported": form.funds.total.execution_rate or "—",
        "rate_computed": pct(r.execution_rate),
        "rate_check": _check(r.execution_rate_reported, r.execution_rate, profile.rate_tolerance),
        "budget_weight": weight_text(r.budget_weight),
        "score_reported": points(r.budget_score_reported),
        "score_computed": points(r.budget_score),
        "score_check": _check(r.budget_score_reported, r.budget_score, profile.score_tolerance),
        "change_sentence": change_sentence(r),
        "reason": form.funds.total.reason,
        "findings": findings,
    }


# ------------------------------------------------------------------ 四、绩效指标完成情况


@dataclass(frozen=True)
class Level1Chart:
    """Per 一级指标 (and 预算执行 first): the form's weight, the default, reported and recomputed scores."""

    levels: list[str]
    weights: list[float]
    default: list[float | None]
    reported: list[float | None]
    recomputed: list[float | None]
    title: str
    reading: str


def level1_chart(result: FormResult) -> Level1Chart:
    """The data of the chart of weights and scores by 一级指标, and its reading."""
    r, profile = result, result.profile
    scores = r.level1_scores()
    split = profile.level1_split
    default = [profile.budget_weight] + [split.get(k) for k in scores]
    split_text = "/".join(weight_text(v) for v in default if v is not None)
    off = [
        f"{k} {weight_text(v['weight'])}（默认 {weight_text(split.get(k))}）"
        for k, v in scores.items()
        if split.get(k) is not None and abs(v["weight"] - split[k]) > 1e-9
    ]
    diff = [k for k, v in scores.items() if differs(v["reported"], v["recomputed"])]
    reading = "读图：" + ("分值结构与默认一致" if not off else "分值结构偏离默认：" + "、".join(off))
    reading += "；" + (
        "各一级指标自评得分与复核重算分一致。"
        if not diff
        else "自评得分与复核重算分不同的一级指标：" + "、".join(diff) + "。"
    )
    return Level1Chart(
        levels=["预算执行", *scores],
        weights=[r.budget_weight] + [v["weight"] for v in scores.values()],
        default=default,
        reported=[r.budget_score_reported] + [v["reported"] for v in scores.values()],
        recomputed=[r.budget_score] + [v["recomputed"] for v in scores.values()],
        title=f"各一级指标得分与默认分值（{split_text}）对比",
        reading=reading,
    )


@dataclass(frozen=True)
class RatioChart:
    """actual / target of each quantitative indicator with a positive finite ratio, and the reading."""

    names: list[str]
    ratios: list[float]
    lower_is_better: list[bool]
    reading: str


def ratio_chart(result: FormResult) -> RatioChart | None:
    """The data of the actual/target chart, or None when no indicator has a positive finite ratio."""
    profile = result.profile
    items = [i for i in result.indicators if i.ratio is not None and i.ratio > 0 and math.isfinite(i.ratio)]
    zeros = [i for i in result.indicators if i.ratio is not None and i.ratio == 0]
    if not items:
        return None
    ratios = [float(i.ratio or 0) for i in items]
    lower = [lower_is_better(i) for i in items]
    over = profile.overachievement_note_ratio
    high = [(i, x) for i, x, low in zip(items, ratios, lower, strict=True) if not low and x >= over]
    loose = [i for i, x, low in zip(items, ratios, lower, strict=True) if low and x <= profile.loose_limit_ratio]
    good = sum(1 for x, low in zip(ratios, lower, strict=True) if (x <= 1 if low else x >= 1))
    parts = [f"{len(items)} 个定量指标中，{good} 个达到或优于指标值"]
    if high:
        top, top_ratio = max(high, key=lambda pair: pair[1])
        parts.append(f"{len(high)} 个超过指标值 {over:g} 倍以上（最高：{top.indicator.name} {ratio_text(top_ratio)}）")
    if loose:
        parts.append(f"{len(loose)} 个越低越好的指标实际值不到限值的 {profile.loose_limit_ratio * 100:g}%")
    if zeros:
        names = "、".join(i.indicator.name for i in zeros)
        parts.append(f"实际值为 0 的 {len(zeros)} 个指标（{names}）无法在对数轴上显示")
    return RatioChart([i.indicator.name for i in items], ratios, lower, "读图：" + "；".join(parts) + "。")


def _level_number(i: int) -> str:
    return f"（{_NUMBERS[i]}）" if i < len(_NUMBERS) else f"（{i + 1}）"


def _indicator_row(item: IndicatorResult) -> dict[str, Any]:
    ind = item.indicator
    return {
        "level2": ind.level2,
        "name": ind.name,
        "target": sign_text(ind.target),
        "actual": ind.actual,
        "attainment": status_key(item.attainment),
        "ratio": ratio_text(item.ratio),
        "weight": weight_text(ind.weight),
        "reported": points(item.score_reported),
        "recomputed": points(item.score_recomputed),
        "band": score_range(item.score_low, item.score_high),
        "differs": bool(item.difference),
        "note": ind.deviation_note,
    }


def indicators(result: FormResult) -> dict[str, Any]:
    """四、绩效指标完成情况 (without its charts): one group of rows per 一级指标, the annual goal."""
    scores = result.level1_scores()
    by_level: dict[str, list[IndicatorResult]] = {}
    for item in result.indicators:
        by_level.setdefault(canonical_level1(item.indicator.level1), []).append(item)
    order = dict.fromkeys(k for k in (*result.profile.level1_order, *by_level) if k in by_level)
    groups = []
    for n, level in enumerate(order):
        s = scores.get(level, {"weight": 0, "reported": 0, "recomputed": 0})
        groups.append(
            {
                "number": _level_number(n),
                "name": level,
                "weight": weight_text(s["weight"]),
                "reported": points(s["reported"]),
                "recomputed": points(s["recomputed"]),
                "rows": [_indicator_row(item) for item in by_level[level]],
            }
        )
    goal = result.form.annual_goal
    return {"groups": groups, "goal_planned": goal.planned, "goal_achieved": goal.achieved}


# ------------------------------------------------------------------ 五、六


def deviation_rows(result: FormResult) -> list[dict[str, Any]]:
    """The indicators 五 explains: not (fully) met, unknown, or met far beyond the target.

    "Far beyond" is a higher-is-better ratio of at least the profile's `overachievement_note_ratio`,
    or a lower-is-better limit the audit calls loose (`selfeval_kit.rules.audit.is_loose_limit`).

    Returns
    -------
    list of dict
        name, target, actual, attainment (a `STATUS` key), over (the text for far beyond, or ""),
        loose (a loose limit: no explanation is owed), note (the form's own deviation note).
    """
    over = result.profile.overachievement_note_ratio
    loose = result.profile.loose_limit_ratio
    rows = []
    for item in result.indicators:
        key = status_key(item.attainment)
        lower = lower_is_better(item)
        ratio = item.ratio
        over_text = ""
        if ratio is not None and key == "met":
            if not lower and ratio >= over:
                over_text = f"超额完成，{ratio_text(ratio)}"
            elif lower and is_loose_limit(item, loose):
                over_text = f"远低于限值，{ratio_text(ratio)}"
        if key in ("not_met", "partly", "unknown") or over_text:
            ind = item.indicator
            rows.append(
                {
                    "name": ind.name,
                    "target": sign_text(ind.target),
                    "actual": ind.actual,
                    "attainment": key,
                    "over": over_text,
                    # A loose limit is a target-setting finding (六), not a missing explanation.
                    "loose": lower and bool(over_text),
                    "note": ind.deviation_note,
                }
            )
    return rows


def deviations(result: FormResult) -> dict[str, Any]:
    """五、偏离绩效目标的原因和改进措施: the deviation rows and the two thresholds as printed."""
    return {
        "rows": deviation_rows(result),
        "over_ratio": f"{result.profile.overachievement_note_ratio:g}",
        "loose_pct": f"{result.profile.loose_limit_ratio * 100:g}%",
    }
