"""What the annual report says about how the indicators were set (四、指标设置质量).

Four views of one year (`selfeval_kit.views.annual.Year`): the indicators counted by 一级 and
二级指标; each project's split of the 100 points against the profile's default; how ambitious
the targets were (actual / target); and the indicators several projects share (grouped by
theme: all satisfaction surveys, all response times, …). Rows are dicts of display strings in
the shape the report's template reads; charts are their data and reading.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from selfeval_kit.form.labels import canonical_level1
from selfeval_kit.rules.scoring import FormResult, IndicatorResult
from selfeval_kit.views.annual import CHART_PROJECTS, Year, extremes
from selfeval_kit.views.formatting import points, ratio_text, sign_text, weight_text
from selfeval_kit.views.marks import STATUS, STATUS_ORDER, status_key
from selfeval_kit.views.project import lower_is_better

__all__ = [
    "SHARED_ROWS",
    "RatioDistribution",
    "SplitChart",
    "ambition",
    "indicator_counts",
    "indicator_row",
    "quality",
    "ratio_distribution",
    "shared_indicators",
    "split_chart",
    "theme",
    "weight_splits",
]

# A table of one shared indicator lists at most this many rows (half from each end by ratio).
SHARED_ROWS = 20

# (a word in the indicator's name, the theme it belongs to), first match wins
_SHARED_THEMES = (
    ("满意度", "满意度"),
    ("响应时间", "响应时间"),
    ("并发", "并发用户数"),
    ("宕机", "服务器宕机"),
    ("漏洞", "安全漏洞"),
    ("故障", "故障次数"),
    ("可用", "服务可用性"),
    ("访问量", "访问量"),
    ("办结率", "办结率"),
    ("应急演练", "应急演练"),
)

Pair = tuple[FormResult, IndicatorResult]


def theme(name: str) -> str:
    """The theme an indicator's name belongs to: a known theme, else the name without its brackets.

    >>> theme("社会公众满意度（%）"), theme("系统运维次数（次）")
    ('满意度', '系统运维次数')
    """
    for needle, label in _SHARED_THEMES:
        if needle in name:
            return label
    return re.sub(r"[（(].*?[)）]", "", name).strip()


def indicator_row(result: FormResult, item: IndicatorResult) -> dict[str, Any]:
    """One indicator in an annual table: its project (id and name), texts, ratio, status, weight and score."""
    ind = item.indicator
    return {
        "id": result.form.id,
        "project": result.form.name,
        "name": ind.name,
        "level2": ind.level2,
        "target": sign_text(ind.target),
        "actual": ind.actual,
        "ratio": ratio_text(item.ratio),
        "attainment": status_key(item.attainment),
        "weight": weight_text(ind.weight),
        "score": points(item.score_reported),
    }


def indicator_counts(y: Year) -> dict[str, Any]:
    """(一) the indicators counted by 一级 and 二级指标, and the share of qualitative ones.

    Returns
    -------
    dict
        count_rows (level1, span: the rowspan of its first row, level2, n, share), total,
        qualitative, qualitative_share.
    """
    counts: dict[tuple[str, str], int] = {}
    qualitative = total = 0
    for r in y.results:
        for item in r.indicators:
            key = (canonical_level1(item.indicator.level1), item.indicator.level2)
            counts[key] = counts.get(key, 0) + 1
            total += 1
            qualitative += 0 if item.quantitative else 1
    count_rows = []
    for level in dict.fromkeys((*y.profile.level1_order, *(k[0] for k in counts))):
        subs = [(k[1], n) for k, n in counts.items() if k[0] == level]
        allowed = y.profile.allowed_level2.get(level, [])
        subs.sort(key=lambda s: allowed.index(s[0]) if s[0] in allowed else len(allowed))
        for i, (sub, n) in enumerate(subs):
            share = f"{n / total * 100:.1f}%" if total else "—"
            count_rows.append(
                {"level1": level, "span": len(subs) if i == 0 else 0, "level2": sub, "n": n, "share": share}
            )
    return {
        "count_rows": count_rows,
        "total": total,
        "qualitative": qualitative,
        "qualitative_share": f"{qualitative / total * 100:.1f}%" if total else "—",
    }


def _splits(y: Year) -> tuple[list[str], list[float], list[list[float]]]:
    """(parts, the default split, each project's split): 预算执行 first, then the 一级指标."""
    order = list(y.profile.level1_order)
    default = [y.profile.budget_weight] + [y.profile.level1_split.get(k, 0) for k in order]
    splits = []
    for r in y.results:
        scores = r.level1_scores()
        splits.append([r.budget_weight] + [scores.get(k, {}).get("weight", 0) for k in order])
    return ["预算执行", *order], default, splits


def weight_splits(y: Year) -> dict[str, Any]:
    """(二) each project's split of the points against the default: parts, default, split_rows."""
    parts, default, splits = _splits(y)
    split_rows = [
        {
            "name": r.form.name,
            "values": [weight_text(v) for v in split],
            "differs": [abs(a - b) > 1e-9 for a, b in zip(split, default, strict=True)],
        }
        for r, split in zip(y.results, splits, strict=True)
    ]
    return {"parts": parts, "default": [weight_text(v) for v in default], "split_rows": split_rows}


@dataclass(frozen=True)
class SplitChart:
    """The stacked splits of the projects the chart shows, the parts, the default split, the reading."""

    names: list[str]
    splits: list[list[float]]
    parts: list[str]
    default: list[float]
    reading: str


def split_chart(y: Year) -> SplitChart | None:
    """The splits to draw (above `CHART_PROJECTS` projects: those furthest from the default) and the reading.

    None for a year without forms.
    """
    if not y.results:
        return None
    parts, default, splits = _splits(y)
    off = sum(1 for split in splits if any(abs(a - b) > 1e-9 for a, b in zip(split, default, strict=True)))
    names = [r.form.name for r in y.results]
    default_text = "/".join(weight_text(v) for v in default)
    if off:
        reading = f"读图：{len(y.results)} 个项目中 {off} 个的分值结构偏离默认的 {default_text}。"
    elif len(y.results) == 1:
        reading = f"读图：项目的分值结构与默认的 {default_text} 一致。"
    else:
        reading = f"读图：{len(y.results)} 个项目的分值结构均与默认的 {default_text} 一致。"
    if len(y.results) > CHART_PROJECTS:
        distance = [sum(abs(a - b) for a, b in zip(split, default, strict=True)) for split in splits]
        keep = sorted(range(len(splits)), key=lambda k: -distance[k])[:CHART_PROJECTS]
        keep = sorted(k for k in keep if distance[k] > 1e-9)
        names, splits = [names[k] for k in keep], [splits[k] for k in keep]
        reading += f"图中列出偏离默认最多的 {len(keep)} 个项目，全部项目见上表。"
    return SplitChart(names, splits, parts, default, reading)


def _quantified(y: Year) -> list[Pair]:
    """The indicators with a positive finite actual/target ratio."""
    return [
        (r, i)
        for r in y.results
        for i in r.indicators
        if i.ratio is not None and i.ratio > 0 and math.isfinite(i.ratio)
    ]


def _ratio(pair: Pair) -> float:
    return pair[1].ratio or 0.0


@dataclass(frozen=True)
class RatioDistribution:
    """actual / target of every quantified indicator, whether each is higher-is-better, the reading."""

    ratios: list[float]
    higher: list[bool]
    reading: str


def ratio_distribution(y: Year) -> RatioDistribution | None:
    """The ratios the distribution chart draws and its reading; None when no indicator has one."""
    quant = _quantified(y)
    if not quant:
        return None
    profile = y.profile
    over, loose = profile.overachievement_note_ratio, profile.loose_limit_ratio
    ratios = [_ratio(p) for p in quant]
    higher = [not lower_is_better(i) for _, i in quant]
    n_over = sum(1 for x, h in zip(ratios, higher, strict=True) if h and x >= over)
    n_loose = sum(1 for x, h in zip(ratios, higher, strict=True) if not h and x <= loose)
    reading = (
        f"读图：{len(quant)} 个可计算倍数的定量指标中，{n_over} 个越高越好的指标超过指标值 {over:g} 倍，"
        f"{n_loose} 个越低越好的指标不到限值的 {loose * 100:g}%。"
    )
    return RatioDistribution(ratios, higher, reading)


def ambition(y: Year) -> dict[str, Any]:
    """(三) the ten higher-is-better indicators furthest above target (at least met), and the loose limits.

    Returns
    -------
    dict
        top_rows; loose_rows (lower-is-better indicators at most `loose_limit_ratio` of their limit,
        then those with an actual of 0); over and loose_pct, the two thresholds as printed.
    """
    profile = y.profile
    quant = _quantified(y)
    top = sorted((p for p in quant if not lower_is_better(p[1])), key=lambda p: -_ratio(p))[:10]
    loose = sorted((p for p in quant if lower_is_better(p[1]) and _ratio(p) <= profile.loose_limit_ratio), key=_ratio)
    zero_limits = [(r, i) for r in y.results for i in r.indicators if lower_is_better(i) and i.ratio == 0]
    return {
        "top_rows": [indicator_row(r, i) for r, i in top if _ratio((r, i)) >= 1],
        "loose_rows": [indicator_row(r, i) for r, i in [*loose, *zero_limits]],
        "over": f"{profile.overachievement_note_ratio:g}",
        "loose_pct": f"{profile.loose_limit_ratio * 100:g}%",
    }


def _finite_ratio(pair: Pair) -> float:
    ratio = pair[1].ratio
    return ratio if ratio is not None and math.isfinite(ratio) else -1e9


def _shared_note(members: list[Pair]) -> str:
    """The summary above a shared indicator with more than `SHARED_ROWS` members."""
    ratios = sorted(x for _, i in members if (x := i.ratio) is not None and math.isfinite(x))
    counts = {k: sum(1 for _, i in members if status_key(i.attainment) == k) for k in STATUS_ORDER}
    projects = len({r.form.id for r, _ in members})
    note = f"共 {len(members)} 个指标（{projects} 个项目）：" + "、".join(
        f"{STATUS[k].label} {n}" for k, n in counts.items() if n
    )
    if ratios:
        middle, low, high = ratios[len(ratios) // 2], ratios[0], ratios[-1]
        note += f"；倍数中位数 {ratio_text(middle)}，最低 {ratio_text(low)}，最高 {ratio_text(high)}"
    return note + f"。下表列出倍数最高和最低的各 {SHARED_ROWS // 2} 个。"


def shared_indicators(y: Year) -> list[dict[str, Any]]:
    """(四) the themes found in at least two projects, the most frequent first.

    Returns
    -------
    list of dict
        theme; n (its indicators); rows (all of them, or above `SHARED_ROWS` the highest and lowest
        by ratio); note (a summary when rows were left out, else "").
    """
    themes: dict[str, list[Pair]] = {}
    for r in y.results:
        for i in r.indicators:
            themes.setdefault(theme(i.indicator.name), []).append((r, i))
    shared: list[dict[str, Any]] = []
    for name, members in themes.items():
        if len({r.form.id for r, _ in members}) < 2:
            continue
        note, shown = "", members
        if len(members) > SHARED_ROWS:  # a large portfolio: the extremes, and how the rest are spread
            note = _shared_note(members)
            shown = extremes(members, key=_finite_ratio, n=SHARED_ROWS)
        rows = [indicator_row(r, i) for r, i in shown]
        shared.append({"theme": name, "rows": rows, "note": note, "n": len(members)})
    shared.sort(key=lambda s: -int(s["n"]))
    return shared


def quality(y: Year) -> dict[str, Any]:
    """四、指标设置质量 (without its charts): the context of its template.

    The union of `indicator_counts`, `weight_splits`, `ambition` and ``shared`` (`shared_indicators`).
    """
    return {**indicator_counts(y), **weight_splits(y), **ambition(y), "shared": shared_indicators(y)}
