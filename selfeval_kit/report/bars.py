"""The charts of the two reports, as inline SVG bar charts (`selfeval_kit.report.svg`).

Each function takes the data of a chart (from `selfeval_kit.views`) and returns ``(svg, height)``
for `svg.svg_picture`. Titles, axis labels (with units) and legends are Chinese; the reading under
a chart is written by the views. Amount and score axes start at 0; the ratio axis is logarithmic
around 1.0 (the target); reference lines (100%, the low-rate threshold, the grade bounds
90 / 80 / 60) are drawn only when they fall within the axis.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from selfeval_kit.report.svg import COLORS, LEVEL1_COLORS, Axis, Bar, Row, bar_chart, nice_ticks

__all__ = [
    "all_equal",
    "attainment_chart",
    "budget_change_chart",
    "distribution_chart",
    "execution_rate_chart",
    "funds_chart",
    "level1_score_chart",
    "ratio_chart",
    "ratio_distribution_chart",
    "score_comparison_chart",
    "weight_split_chart",
]

Chart = tuple[str, int]


def all_equal(values: Iterable[float | None]) -> float | None:
    """The common value when there are at least two values and all are equal (to 1e-9), else None.

    Examples
    --------
    >>> all_equal([100.0, 100.0, None]), all_equal([100.0, 99.96]), all_equal([5.0])
    (100.0, None, None)
    """
    known = [v for v in values if v is not None]
    if len(known) < 2 or max(known) - min(known) > 1e-9:
        return None
    return known[0]


def _linear(values: Iterable[float | None], at_least: float = 0.0, fmt: str = "{:,.2f}", lines=()) -> Axis:
    hi = max([at_least, *(v for v in values if v is not None)])
    ticks = nice_ticks(0.0, hi or 1.0)
    return Axis(0.0, ticks[-1], ticks, fmt, lines=tuple(lines))


def _wan(values: Iterable[float | None]) -> tuple[float, str]:
    """A divisor and suffix that keep axis numbers short (万 for large 元 amounts)."""
    biggest = max((abs(v) for v in values if v is not None), default=0)
    return (10000.0, "万") if biggest >= 100000 else (1.0, "")


def _unit_label(prefix: str, unit: str) -> str:
    if prefix == "万" and unit == "元":
        return "万元"
    if prefix == "万" and unit == "万元":
        return "亿元"
    return unit


def _scaled(values: Sequence[float | None], divisor: float) -> list[float | None]:
    return [v / divisor if v is not None else None for v in values]


def funds_chart(rows: Sequence[tuple[str, float | None, float | None, float | None]], unit: str) -> Chart:
    """Bars of 年初预算数 / 全年预算数 / 全年执行数 for each funds row; None draws no bar."""
    divisor, prefix = _wan(v for r in rows for v in r[1:])
    series = (("年初预算数", "initial"), ("全年预算数", "final"), ("全年执行数", "executed"))
    data = [
        Row(r[0], [Bar(v, COLORS[key]) for v, (_, key) in zip(_scaled(r[1:], divisor), series, strict=True)])
        for r in rows
    ]
    axis = _linear([b.value for row in data for b in row.bars])
    legend = [(label, COLORS[key]) for label, key in series]
    return bar_chart(
        "项目资金：年初预算、全年预算与全年执行", data, axis, f"金额（{_unit_label(prefix, unit)}）", legend
    )


def level1_score_chart(
    levels: Sequence[str],
    weights: Sequence[float],
    default_split: Sequence[float | None],
    reported: Sequence[float | None],
    recomputed: Sequence[float | None],
    title: str = "各一级指标得分与默认分值对比",
) -> Chart:
    """Per 一级指标 (and 预算执行): the default weight, the form's weight, reported and recomputed score."""
    series = (
        ("默认分值", default_split, "default"),
        ("本表分值", weights, "final"),
        ("自评得分", reported, "reported"),
        ("复核重算分", recomputed, "recomputed"),
    )
    data = [Row(level, [Bar(values[i], COLORS[key]) for _, values, key in series]) for i, level in enumerate(levels)]
    axis = _linear([b.value for row in data for b in row.bars], fmt="{:g}")
    legend = [(label, COLORS[key]) for label, _, key in series]
    return bar_chart(title, data, axis, "分值 / 得分（分）", legend)


def _log_axis(values: Sequence[float]) -> Axis:
    lo, hi = min([*values, 1.0]) / 1.6, max([*values, 1.0]) * 1.6
    ticks = [m * 10.0**k for k in range(-3, 4) for m in (1, 2, 5) if lo <= m * 10.0**k <= hi]
    return Axis(lo, hi, ticks, "{:g}", log=True, lines=((1.0, "#424242", "4 3"),))


def ratio_chart(names: Sequence[str], ratios: Sequence[float], lower_is_better: Sequence[bool]) -> Chart:
    """actual / target per quantitative indicator on a log axis: a bar from 1.0 (the target) to the ratio."""
    clipped = [min(max(r, 1e-3), 1e3) for r in ratios]
    data = []
    for name, r, low in zip(names, clipped, lower_is_better, strict=False):
        ok = r <= 1.0 if low else r >= 1.0
        # stacked bars run from start to start + value: here from the target line 1.0 to r
        bar = Bar(r - 1.0, COLORS["met" if ok else "not_met"], start=1.0)
        data.append(Row(f"{name}（{'越低越好' if low else '越高越好'}）", [bar]))
    legend = [("达到指标值", COLORS["met"]), ("未达到指标值", COLORS["not_met"])]
    xlabel = "实际完成值 / 年度指标值（倍，对数刻度；虚线 = 1.0，恰好达到指标值）"
    return bar_chart("定量指标完成倍数", data, _log_axis(clipped), xlabel, legend, stacked=True)


def execution_rate_chart(names: Sequence[str], rates: Sequence[float | None], low: float = 90.0) -> Chart:
    """执行率 per project from 0, with the low-rate threshold and the 100% line."""

    def color(r: float | None) -> str:
        if r is None:
            return COLORS["unknown"]
        return COLORS["not_met"] if r > 100 + 1e-9 else COLORS["partly"] if r < low else COLORS["met"]

    data = [Row(n, [Bar(r, color(r))]) for n, r in zip(names, rates, strict=False)]
    lines = ((100.0, "#424242", "4 3"), (low, COLORS["partly"], "1 2"))
    axis = _linear(rates, at_least=100.0, lines=lines)
    legend = [
        (f"{low:g}%–100%", COLORS["met"]),
        (f"低于 {low:g}%", COLORS["partly"]),
        ("超过 100%", COLORS["not_met"]),
    ]
    return bar_chart("各项目预算执行率", data, axis, f"执行率（%；虚线 = 100%，点线 = {low:g}%）", legend)


def budget_change_chart(
    names: Sequence[str], initial: Sequence[float | None], final: Sequence[float | None], unit: str
) -> Chart:
    """年初预算数 against 全年预算数 per project (the mid-year change)."""
    divisor, prefix = _wan([*initial, *final])
    a, b = _scaled(initial, divisor), _scaled(final, divisor)
    data = [Row(n, [Bar(x, COLORS["initial"]), Bar(y, COLORS["final"])]) for n, x, y in zip(names, a, b, strict=False)]
    legend = [("年初预算数", COLORS["initial"]), ("全年预算数", COLORS["final"])]
    return bar_chart(
        "年中预算调整：年初预算数与全年预算数", data, _linear([*a, *b]), f"金额（{_unit_label(prefix, unit)}）", legend
    )


def score_comparison_chart(
    names: Sequence[str], reported: Sequence[float | None], recomputed: Sequence[float | None]
) -> Chart:
    """Self-given against recomputed total per project, on 0–100 with the grade bounds 90 / 80 / 60."""
    data = [
        Row(n, [Bar(a, COLORS["reported"]), Bar(b, COLORS["recomputed"])])
        for n, a, b in zip(names, reported, recomputed, strict=False)
    ]
    bounds = tuple((g, "#9e9e9e", "2 2") for g in (90.0, 80.0, 60.0))  # 优 / 良 / 中
    axis = _linear([*reported, *recomputed], at_least=100.0, lines=bounds)
    legend = [("自评总分", COLORS["reported"]), ("复核重算总分", COLORS["recomputed"])]
    return bar_chart("自评总分与复核重算总分", data, axis, "总分（分；虚线为等级界线 90 / 80 / 60）", legend)


def _stacked(label: str, values: Sequence[float], colors: Sequence[str]) -> Row:
    starts = [sum(values[:k]) for k in range(len(values))]
    return Row(label, [Bar(v, c, s) for v, c, s in zip(values, colors, starts, strict=True)])


def weight_split_chart(
    names: Sequence[str], splits: Sequence[Sequence[float]], parts: Sequence[str], default: Sequence[float]
) -> Chart:
    """Stacked weights per project (预算执行, 产出, 效益, 满意度), the default split first."""
    colors = [LEVEL1_COLORS[k % len(LEVEL1_COLORS)] for k in range(len(parts))]
    data = [_stacked("默认分值", list(default), colors)]
    data += [_stacked(n, list(s), colors) for n, s in zip(names, splits, strict=False)]
    axis = _linear([sum(b.value or 0.0 for b in r.bars) for r in data], fmt="{:g}")
    return bar_chart(
        "各项目分值结构与默认分值对比",
        data,
        axis,
        "分值（分，合计 100）",
        list(zip(parts, colors, strict=True)),
        stacked=True,
    )


def attainment_chart(levels: Sequence[str], counts: Sequence[dict[str, int]], labels: dict[str, str]) -> Chart:
    """Stacked counts of met / partly / not met / unknown indicators per 一级指标."""
    keys = ("met", "partly", "not_met", "unknown")
    colors = [COLORS[k] for k in keys]
    data = [
        _stacked(level, [float(c.get(k, 0)) for k in keys], colors) for level, c in zip(levels, counts, strict=False)
    ]
    axis = _linear([sum(c.get(k, 0) for k in keys) for c in counts], fmt="{:g}")
    legend = [(labels.get(k, k), COLORS[k]) for k in keys]
    return bar_chart("各一级指标完成情况", data, axis, "指标数（个）", legend, stacked=True)


_RATIO_BANDS: tuple[tuple[float, float, str], ...] = (
    (0.0, 0.5, "低于 0.5 倍"),
    (0.5, 1.0, "0.5–1 倍"),
    (1.0, 1.0, "恰为 1 倍"),
    (1.0, 2.0, "1–2 倍"),
    (2.0, 5.0, "2–5 倍"),
    (5.0, math.inf, "5 倍及以上"),
)


def _band(r: float) -> int:
    if abs(r - 1.0) < 1e-9:
        return 2
    return next(k for k, (lo, hi, _) in enumerate(_RATIO_BANDS) if k != 2 and lo <= r < hi)


def ratio_distribution_chart(ratios: Sequence[float], higher: Sequence[bool]) -> Chart:
    """How many quantitative indicators fall in each band of actual/target, by direction."""
    up, down = [0] * len(_RATIO_BANDS), [0] * len(_RATIO_BANDS)
    for r, h in zip(ratios, higher, strict=False):
        (up if h else down)[_band(r)] += 1
    colors = [COLORS["final"], COLORS["reported"]]
    data = [_stacked(label, [up[k], down[k]], colors) for k, (_, _, label) in enumerate(_RATIO_BANDS)]
    axis = _linear([u + d for u, d in zip(up, down, strict=True)], fmt="{:g}")
    legend = [("越高越好的指标", colors[0]), ("越低越好的指标", colors[1])]
    return bar_chart("定量指标完成倍数分布", data, axis, "指标数（个）；实际完成值 / 年度指标值", legend, stacked=True)


def distribution_chart(
    values: Sequence[float | None], xlabel: str, title: str, lines: Sequence[tuple[float, str]] = ()
) -> Chart:
    """How many projects fall in each of up to 10 equal bins of one figure (for large portfolios).

    None and non-finite values are left out; `lines` (x, style) are named in the bins' labels'
    axis note rather than drawn, as the bins are rows here.
    """
    finite = sorted(v for v in values if v is not None and math.isfinite(v))
    if not finite:
        return bar_chart(title, [], Axis(0, 1, [0, 1]), "项目数")
    lo, hi = finite[0], finite[-1]
    n = 1 if hi == lo else min(10, len(finite))
    step = (hi - lo) / n if n > 1 else 1.0
    counts = [0] * n
    for v in finite:
        counts[min(int((v - lo) / step), n - 1)] += 1
    data = [
        Row(f"{lo + k * step:,.2f}–{lo + (k + 1) * step:,.2f}", [Bar(c, COLORS["final"])]) for k, c in enumerate(counts)
    ]
    marks = "、".join(f"{x:g}" for x, _ in lines)
    note = f"项目数（行 = {xlabel}区间" + (f"；参考值 {marks}" if marks else "") + "）"
    return bar_chart(title, data, _linear(counts, fmt="{:g}"), note)
