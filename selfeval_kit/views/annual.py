"""What the annual report says: totals, rows of its tables, the data of its charts and their readings.

`Year.of(evaluation, year)` picks one year's forms out of an evaluation; every other function
takes that `Year` and returns rows (dicts of display strings, in the shape the report's
templates read), sentences, or the numbers a chart draws with its one-line reading. The
indicator-quality section (四) is `selfeval_kit.views.quality`. Nothing here renders HTML or
draws: that is `selfeval_kit.report`. The outline and the formats follow docs/reports.md.

Amounts summed over the year are converted to one unit: the forms' unit when they share one,
else 元.
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from selfeval_kit.form.labels import canonical_level1
from selfeval_kit.rules.evaluation import Evaluation
from selfeval_kit.rules.findings import Finding
from selfeval_kit.rules.profile import Profile
from selfeval_kit.rules.scoring import FormResult
from selfeval_kit.views.formatting import amount, annual_title, differs, money, pct, points, score_range
from selfeval_kit.views.marks import (
    SEVERITY_ORDER,
    STATUS,
    STATUS_ORDER,
    counts_text,
    severity_counts,
    sort_findings,
    status_key,
)

__all__ = [
    "CHART_PROJECTS",
    "AttainmentChart",
    "ChangeChart",
    "Distribution",
    "RateChart",
    "ScoreChart",
    "Year",
    "attainment",
    "attainment_chart",
    "change_chart",
    "execution",
    "extremes",
    "findings",
    "header",
    "overview",
    "ranking",
    "rate_chart",
    "score_chart",
]

# A per-project bar chart lists at most this many projects (half from each end of the order);
# above it the chart shows those and a distribution chart shows them all. Tables list every project.
CHART_PROJECTS = 30
_FACTORS = {"元": 1.0, "万元": 10000.0}
T = TypeVar("T")


def extremes(items: Sequence[T], key: Callable[[T], float], n: int = CHART_PROJECTS) -> list[T]:
    """All items when there are at most n; else the n/2 highest and the n/2 lowest by key, highest first."""
    if len(items) <= n:
        return list(items)
    ordered = sorted(items, key=key, reverse=True)
    return ordered[: n // 2] + ordered[-(n - n // 2) :]


@dataclass(frozen=True)
class Year:
    """The forms of one year of an evaluation, and their findings.

    Attributes
    ----------
    year
        The year reported on.
    profile
        The rules profile of the evaluation.
    results
        The results of that year's forms, in the evaluation's order.
    findings
        Their findings and the portfolio's, sorted as reports list them.
    unit
        The unit of the year's totals: the forms' unit when they share one, else 元.
    """

    year: int
    profile: Profile
    results: list[FormResult]
    findings: list[Finding]
    unit: str

    @classmethod
    def of(cls, evaluation: Evaluation, year: int | None = None) -> Year:
        """One year of an evaluation.

        Parameters
        ----------
        evaluation
            The evaluation of a portfolio.
        year
            The year to report on; None: the latest year of the portfolio (this year when it is empty).
        """
        years = sorted({r.form.year for r in evaluation.forms})
        chosen = int(year) if year is not None else (years[-1] if years else _dt.date.today().year)
        results = [r for r in evaluation.forms if r.form.year == chosen]
        ids = {r.form.id for r in results}
        found = sort_findings(f for f in evaluation.findings if f.form_id is None or f.form_id in ids)
        units = {r.form.unit for r in results}
        unit = units.pop() if len(units) == 1 else "元"
        return cls(chosen, evaluation.profile, results, found, unit)

    @property
    def implementer(self) -> str | None:
        """The implementing unit when all forms share one, else None."""
        names = {r.form.implementer for r in self.results}
        return names.pop() if len(names) == 1 else None

    @property
    def title(self) -> str:
        """The annual report's title, also the HTML <title>."""
        return annual_title(self.year, self.implementer)

    def amount(self, result: FormResult, field: str) -> float | None:
        """A total amount of one form (budget_initial, budget_final or executed) in the year's unit."""
        value = getattr(result.form.funds.total, field)
        if value is None:
            return None
        return value * _FACTORS[result.form.unit] / _FACTORS[self.unit]

    def total(self, field: str) -> float:
        """An amount summed over the year's forms, in the year's unit (a missing amount counts 0)."""
        return sum(self.amount(r, field) or 0 for r in self.results)


@dataclass(frozen=True)
class Distribution:
    """A histogram of one figure per project, for portfolios too large for one bar per project."""

    values: list[float | None]
    xlabel: str
    title: str
    lines: list[tuple[float, str]]  # (x, dash style "--" or ":") of each reference value
    caption: str


def _distribution(values: list[float | None], what: str, xlabel: str, title: str, lines) -> Distribution:
    caption = f"读图：{len(values)} 个项目{what}的分布（每个柱为一个区间内的项目数）。"
    return Distribution(values, xlabel, title, list(lines), caption)


# ------------------------------------------------------------------ header, 一


def header(y: Year) -> dict[str, Any]:
    """The report's head: title, departments, implementer, profile, count, executed total, rate, counts.

    Returns
    -------
    dict
        The context of the header template (without the date of the report).
    """
    final = y.total("budget_final")
    return {
        "title": y.title,
        "year": y.year,
        "departments": "、".join(sorted({r.form.department for r in y.results})),
        "implementer": y.implementer or "多个实施单位",
        "profile_label": y.profile.label,
        "n": len(y.results),
        "executed": money(y.total("executed"), y.unit),
        "rate": pct(y.total("executed") / final * 100 if final else None),
        "counts": counts_text(y.findings),
    }


def overview(y: Year) -> dict[str, Any]:
    """一、总体情况: the totals, the rates against the final and the initial budget, grades counted."""
    initial, final, executed = y.total("budget_initial"), y.total("budget_final"), y.total("executed")
    grades: dict[str, list[int]] = {}
    for r in y.results:
        grades.setdefault(r.grade or "—", [0, 0])[0] += 1
    for r in y.results:
        grades.setdefault(r.grade_reported or "—", [0, 0])[1] += 1
    grade_rows = [
        {"grade": g, "recomputed": grades[g][0], "reported": grades[g][1]}
        for g in (*y.profile.grade_bands, "—")
        if g in grades
    ]
    return {
        "n": len(y.results),
        "unit": y.unit,
        "initial": amount(initial),
        "final": amount(final),
        "executed": amount(executed),
        "change": amount(final - initial),
        "rate": pct(executed / final * 100 if final else None),
        "rate_initial": pct(executed / initial * 100 if initial else None),
        "grade_rows": grade_rows,
        "mixed_units": len({r.form.unit for r in y.results}) > 1,
    }


# ------------------------------------------------------------------ 二、预算执行分析


def _over_budget(rate: float | None) -> bool:
    return rate is not None and rate > 100 + 1e-9


def _execution_row(y: Year, r: FormResult) -> dict[str, Any]:
    low = y.profile.low_execution_rate
    rate, total, cut = r.execution_rate, r.form.funds.total, r.cut_share
    cls = "hl-high" if _over_budget(rate) else "hl-low" if rate is not None and rate < low else ""
    mark = "▲ 超预算" if cls == "hl-high" else f"▼ 低于 {low:g}%" if cls == "hl-low" else ""
    change = (
        None
        if total.budget_initial is None or total.budget_final is None
        else total.budget_final - total.budget_initial
    )
    return {
        "id": r.form.id,
        "name": r.form.name,
        "unit": r.form.unit,
        "initial": amount(total.budget_initial),
        "final": amount(total.budget_final),
        "executed": amount(total.executed),
        "rate": pct(rate),
        "rate_reported": total.execution_rate or "—",
        "cls": cls,
        "mark": mark,
        "change": amount(change),
        "cut": pct(cut * 100) if cut is not None else "—",
        "big_cut": cut is not None and cut >= y.profile.large_cut_share,
    }


def execution(y: Year) -> dict[str, Any]:
    """二、预算执行分析 (without its charts): one row per project, the low-rate and large-cut lines."""
    return {
        "rows": [_execution_row(y, r) for r in y.results],
        "low": f"{y.profile.low_execution_rate:g}",
        "cut_line": f"{y.profile.large_cut_share * 100:g}",
    }


@dataclass(frozen=True)
class RateChart:
    """The execution-rate chart: the projects it shows, their rates, the low-rate line, the reading.

    `distribution` is set when the chart shows only the extremes of a large portfolio.
    """

    names: list[str]
    rates: list[float | None]
    low: float
    reading: str
    distribution: Distribution | None


def _all_n(n: int) -> str:
    """ "11 个" for a count that is all of them; "" for one (a sentence about "the project" reads as is)."""
    return "" if n == 1 else f"{n} 个"


def _each(n: int) -> str:
    """ "均" (all of them) for several, nothing for one."""
    return "" if n == 1 else "均"


def rate_chart(y: Year) -> RateChart:
    """The execution rates to draw (at most `CHART_PROJECTS`: the highest and lowest) and the reading."""
    low = y.profile.low_execution_rate
    shown = extremes(y.results, key=lambda r: -1e9 if r.execution_rate is None else r.execution_rate)
    high = [r for r in y.results if _over_budget(r.execution_rate)]
    under = [r for r in y.results if r.execution_rate is not None and r.execution_rate < low]
    if high or under:
        reading = f"读图：{len(y.results)} 个项目中，{len(high)} 个执行率超过 100%"
        if high:
            reading += "（" + "、".join(f"{r.form.name} {pct(r.execution_rate)}" for r in high) + "）"
        reading += f"，{len(under)} 个低于 {low:g}%。"
    else:
        reading = f"读图：{_all_n(len(y.results))}项目的执行率{_each(len(y.results))}在 {low:g}%–100% 之间。"
    dist = None
    if len(shown) < len(y.results):
        reading += (
            f"图中列出执行率最高和最低的各 {len(shown) // 2} 个项目，全部 {len(y.results)} 个项目见上表和下面的分布图。"
        )
        dist = _distribution(
            [r.execution_rate for r in y.results],
            "执行率",
            f"执行率（%；虚线 = 100%，点线 = {low:g}%）",
            "各项目预算执行率分布",
            [(100, "--"), (low, ":")],
        )
    return RateChart([r.form.name for r in shown], [r.execution_rate for r in shown], low, reading, dist)


@dataclass(frozen=True)
class ChangeChart:
    """The mid-year change chart: initial and final budget of the projects it shows, and the reading."""

    names: list[str]
    initial: list[float | None]
    final: list[float | None]
    unit: str
    reading: str


def change_chart(y: Year) -> ChangeChart:
    """The mid-year changes to draw (at most `CHART_PROJECTS`: the largest) and the reading."""
    share = y.profile.large_cut_share
    cuts = [r for r in y.results if r.cut_share is not None and r.cut_share >= share]
    total_cut = y.total("budget_initial") - y.total("budget_final")

    def change(r: FormResult) -> float:
        return abs((y.amount(r, "budget_final") or 0) - (y.amount(r, "budget_initial") or 0))

    changed = y.results if len(y.results) <= CHART_PROJECTS else sorted(y.results, key=change, reverse=True)
    changed = changed[:CHART_PROJECTS]
    verb = "减少" if total_cut >= 0 else "增加"
    reading = (
        f"读图：全年预算数合计比年初预算数{verb} {money(abs(total_cut), y.unit)}；"
        f"{len(cuts)} 个项目调减超过 {share * 100:g}%"
    )
    if cuts:
        reading += "（" + "、".join(f"{r.form.name} {(r.cut_share or 0) * 100:.2f}%" for r in cuts) + "）"
    if len(changed) < len(y.results):
        reading += f"；图中列出调整金额最大的 {len(changed)} 个项目，全部项目见上表"
    return ChangeChart(
        [r.form.name for r in changed],
        [y.amount(r, "budget_initial") for r in changed],
        [y.amount(r, "budget_final") for r in changed],
        y.unit,
        reading + "。",
    )


# ------------------------------------------------------------------ 三、绩效目标完成情况


def _level_counts(y: Year) -> dict[str, dict[str, int]]:
    """Indicators counted by 一级指标 and status, in the profile's order of 一级指标."""
    levels: dict[str, dict[str, int]] = {}
    for r in y.results:
        for item in r.indicators:
            row = levels.setdefault(canonical_level1(item.indicator.level1), dict.fromkeys(STATUS_ORDER, 0))
            key = status_key(item.attainment)
            row[key] = row.get(key, 0) + 1
    order = [k for k in dict.fromkeys((*y.profile.level1_order, *levels)) if k in levels]
    return {k: levels[k] for k in order}


def _score_diff(r: FormResult) -> float | None:
    return None if r.score_reported is None else r.score_reported - r.score_recomputed


def attainment(y: Year) -> dict[str, Any]:
    """三、绩效目标完成情况 (without its charts): statuses by 一级指标, reported against recomputed totals."""
    levels = _level_counts(y)
    level_rows = [{"name": k, "counts": v, "total": sum(v.values())} for k, v in levels.items()]
    rows = [
        {
            "id": r.form.id,
            "name": r.form.name,
            "reported": points(r.score_reported),
            "recomputed": points(r.score_recomputed),
            "range": score_range(r.score_low, r.score_high),
            "diff": points(_score_diff(r)),
            "differs": differs(r.score_reported, r.score_recomputed),
            "grade": r.grade or "—",
            "grade_reported": r.grade_reported or "—",
        }
        for r in y.results
    ]
    return {"level_rows": level_rows, "rows": rows}


@dataclass(frozen=True)
class AttainmentChart:
    """Statuses counted per 一级指标, the legend labels ("✓ 达成", …), and the reading."""

    levels: list[str]
    counts: list[dict[str, int]]
    labels: dict[str, str]
    reading: str


def attainment_chart(y: Year) -> AttainmentChart | None:
    """The statuses by 一级指标 to draw and the reading; None when the year has no indicator."""
    levels = _level_counts(y)
    if not levels:
        return None
    total = sum(sum(v.values()) for v in levels.values())
    met = sum(v["met"] for v in levels.values())
    not_ok = [f"{k} {v['not_met'] + v['partly']} 个" for k, v in levels.items() if v["not_met"] + v["partly"]]
    reading = f"读图：{total} 个指标中 {met} 个达成（{met / total * 100:.1f}%）" + (
        "；未达成或部分达成：" + "、".join(not_ok) if not_ok else "；没有未达成或部分达成的指标"
    )
    labels = {k: f"{m.symbol} {m.label}" for k, m in STATUS.items()}
    return AttainmentChart(list(levels), list(levels.values()), labels, reading + "。")


@dataclass(frozen=True)
class ScoreChart:
    """Reported against recomputed totals of the projects it shows, and the reading.

    `distribution` is set when the chart shows only the largest differences of a large portfolio.
    """

    names: list[str]
    reported: list[float | None]
    recomputed: list[float | None]
    reading: str
    distribution: Distribution | None


def score_chart(y: Year) -> ScoreChart:
    """The totals to draw (at most `CHART_PROJECTS`: the largest differences) and the reading."""
    results = y.results
    differing = [r for r in results if differs(r.score_reported, r.score_recomputed)]
    if differing:
        widest = max(differing, key=lambda r: abs((r.score_reported or 0) - r.score_recomputed))
        reading = f"读图：{len(differing)} 个项目的自评总分与复核重算分不同，差距最大的是 {widest.form.name}。"
    else:
        reading = f"读图：{_all_n(len(results))}项目的自评总分{_each(len(results))}与复核重算分一致。"

    def gap(r: FormResult) -> float:
        return abs((r.score_reported if r.score_reported is not None else r.score_recomputed) - r.score_recomputed)

    shown = results if len(results) <= CHART_PROJECTS else sorted(results, key=gap, reverse=True)[:CHART_PROJECTS]
    dist = None
    if len(shown) < len(results):
        reading += f"图中列出差值最大的 {len(shown)} 个项目，全部项目见上表和下面的分布图。"
        dist = _distribution(
            [r.score_recomputed for r in results],
            "复核重算分",
            "复核重算分（分；竖线为等级界线 90 / 80 / 60）",
            "各项目复核重算分分布",
            [(90, "--"), (80, "--"), (60, "--")],
        )
    return ScoreChart(
        [r.form.name for r in shown],
        [r.score_reported for r in shown],
        [r.score_recomputed for r in shown],
        reading,
        dist,
    )


# ------------------------------------------------------------------ 五、六


def findings(y: Year) -> dict[str, Any]:
    """五、复核发现汇总: findings counted by code, the portfolio's findings, each project's findings."""
    codes: dict[str, dict[str, Any]] = {}
    for f in y.findings:
        row = codes.setdefault(
            f.code, {"code": f.code, "title": f.title, "severity": f.severity, "n": 0, "projects": set()}
        )
        row["n"] += 1
        if f.form_name:
            row["projects"].add(f.form_name)

    def order(row: dict[str, Any]) -> tuple:
        severity = SEVERITY_ORDER.index(row["severity"]) if row["severity"] in SEVERITY_ORDER else 9
        return severity, -row["n"], row["code"]

    code_rows = sorted(codes.values(), key=order)
    for row in code_rows:
        row["projects"] = len(row["projects"])
    of_form: dict[str, list[Finding]] = {}  # in the year's order; one pass, not one per project
    portfolio = []
    for f in y.findings:
        if f.form_id is None:
            portfolio.append(f)
        else:
            of_form.setdefault(f.form_id, []).append(f)
    by_project = []
    for r in y.results:
        items = sort_findings(of_form.get(r.form.id, []))
        by_project.append({"id": r.form.id, "name": r.form.name, "findings": items, "counts": counts_text(items)})
    return {"code_rows": code_rows, "portfolio": portfolio, "by_project": by_project}


def _rank_key(r: FormResult) -> tuple:
    """Recomputed total first; among equals the fewer errors, then warnings, then the execution rate
    closest to 100% (over-spending is no merit: 118.91% ranks below 99.5%), then the name."""
    counts = severity_counts(r.findings)
    off = abs(r.execution_rate - 1) if r.execution_rate is not None else math.inf
    return (-r.score_recomputed, counts["error"], counts["warning"], off, r.form.name)


def ranking(y: Year, link_suffix: str = ".html") -> list[dict[str, Any]]:
    """六、项目排名与对比: the projects by recomputed total; ties by `_rank_key`.

    Parameters
    ----------
    y
        The year.
    link_suffix
        Appended to a form's id to link its report.

    Returns
    -------
    list of dict
        One row per project: rank, href, name, scores, grade, rate, executed amount, finding counts.
    """
    ranked = sorted(y.results, key=_rank_key)
    rows = []
    for k, r in enumerate(ranked, 1):
        counts = severity_counts(r.findings)
        rows.append(
            {
                "rank": k,
                "href": f"{r.form.id}{link_suffix}",
                "name": r.form.name,
                "recomputed": points(r.score_recomputed),
                "reported": points(r.score_reported),
                "diff": points(_score_diff(r)),
                "differs": differs(r.score_reported, r.score_recomputed),
                "grade": r.grade or "—",
                "rate": pct(r.execution_rate),
                "executed": money(r.form.funds.total.executed, r.form.unit),
                "errors": counts["error"],
                "warnings": counts["warning"],
                "infos": counts["info"],
            }
        )
    return rows
