"""matplotlib charts with the report style and Chinese text that renders on any machine.

The reports themselves draw their charts as inline SVG (`selfeval_kit.report.bars`, about a
millisecond a chart instead of 0.2 s for a PNG); this module stays for charts of your own in
JupyterLab (``with charts.chart_style(): ...``, `picture`) and as the reference the SVG charts
are benchmarked against (benchmarks/bench_report.py). `Picture` is `selfeval_kit.report.svg.Picture`.

Fonts: the runtime dependency `noto-cjk-sans-otc` ships Noto Sans CJK (SIL OFL) as one
TrueType Collection. Its first face is the Japanese variant; matplotlib >= 3.11 registers every
face of a collection (`FontManager.addfont`), so the Simplified Chinese face is selected by its
family name, "Noto Sans CJK SC". The family list puts it first and keeps DejaVu Sans (shipped
with matplotlib) as the fallback for any glyph it lacks, so no chart depends on fonts installed
on the machine and none draws tofu.

Every chart function returns a `matplotlib.figure.Figure` built without pyplot (no global
state, no backend, nothing leaks between reports); `figure_png` turns one into PNG bytes.
Titles, axis labels (with units) and legends are Chinese; the one-line reading that goes under a
chart is written by `selfeval_kit.views`. `picture` embeds a figure in a report (a PNG with its
alternative text and caption).
"""

from __future__ import annotations

import base64
import io
import math
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import cast

import matplotlib
from matplotlib import font_manager
from matplotlib.figure import Figure

from selfeval_kit.report.svg import COLORS, LEVEL1_COLORS, Picture

__all__ = [
    "CJK_FAMILY",
    "COLORS",
    "DPI",
    "FALLBACK_FAMILIES",
    "Picture",
    "attainment_chart",
    "budget_change_chart",
    "chart_style",
    "distribution_chart",
    "execution_rate_chart",
    "figure_png",
    "font_families",
    "funds_chart",
    "level1_score_chart",
    "picture",
    "ratio_chart",
    "ratio_distribution_chart",
    "score_comparison_chart",
    "setup_fonts",
    "weight_split_chart",
]

CJK_FAMILY = "Noto Sans CJK SC"
# Tried in order after the bundled face; only those present on the machine are used.
FALLBACK_FAMILIES: tuple[str, ...] = (
    "Noto Sans SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "DejaVu Sans",
)


_FAMILIES: list[str] | None = None
WIDTH_IN = 6.3  # fits the A4 text width (16 cm) at 100%
DPI = 150


def _font_file() -> str | None:
    try:
        import noto_cjk_sans_otc
    except ImportError:  # pragma: no cover - a declared dependency; degrade to system fonts
        return None
    path = noto_cjk_sans_otc.FONT_PATH
    return str(path) if path.is_file() else None


def setup_fonts() -> list[str]:
    """Register the bundled CJK font with matplotlib once; return the family list to use.

    Idempotent and cheap after the first call. Only families that exist are returned, so
    matplotlib never logs "font family not found".
    """
    global _FAMILIES
    if _FAMILIES is not None:
        return _FAMILIES
    fm = font_manager.fontManager
    path = _font_file()
    known = {entry.name for entry in fm.ttflist}
    if path and CJK_FAMILY not in known:
        fm.addfont(path)
        known = {entry.name for entry in fm.ttflist}
    families = [f for f in (CJK_FAMILY, *FALLBACK_FAMILIES) if f in known]
    if "DejaVu Sans" not in families:
        families.append("DejaVu Sans")
    _FAMILIES = families
    return families


def font_families() -> list[str]:
    """A copy of the family list the charts use (`setup_fonts`)."""
    return list(setup_fonts())


def _rc() -> dict:
    families = setup_fonts()
    return {
        # explicit families, not the generic "sans-serif": matplotlib falls back glyph by glyph
        # only across the entries of font.family
        "font.family": families,
        "font.sans-serif": families + [f for f in matplotlib.rcParams["font.sans-serif"] if f not in families],
        "axes.unicode_minus": False,
        "font.size": 9,
        "axes.titlesize": 11,
        "axes.titleweight": "normal",  # the bundled font has one weight; bold would log a fallback
        "axes.labelsize": 9,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": True,
        "axes.axisbelow": True,
        "grid.color": COLORS["grid"],
        "grid.linewidth": 0.6,
        "legend.fontsize": 8,
        "legend.frameon": False,
        "xtick.labelsize": 8,
        "ytick.labelsize": 8,
        "svg.fonttype": "path",
    }


@contextmanager
def chart_style() -> Iterator[None]:
    """The report style and fonts, for charts of your own: ``with charts.chart_style(): ...``."""
    with matplotlib.rc_context(_rc()):
        yield


def _figure(height: float, width: float = WIDTH_IN) -> Figure:
    return Figure(figsize=(width, height), dpi=DPI, layout="constrained")


def figure_png(fig: Figure) -> bytes:
    """PNG bytes of a figure, drawn with the report fonts."""
    buf = io.BytesIO()
    with chart_style():
        fig.savefig(buf, format="png", dpi=DPI, facecolor="white")
    return buf.getvalue()


def picture(fig: Figure, alt: str, caption: str) -> Picture:
    """A figure drawn as PNG for a report.

    Parameters
    ----------
    fig
        The figure (one of the chart functions').
    alt
        Its alternative text.
    caption
        The line under it (the reading).

    Returns
    -------
    Picture
        Displayed at 96 CSS px per inch of figure, so text keeps its point size on screen and paper.
    """
    data = figure_png(fig)
    width, height = (round(v * DPI) for v in fig.get_size_inches())
    return Picture(base64.b64encode(data).decode("ascii"), alt, caption, int(width * 96 / DPI), int(height * 96 / DPI))


def _log_ratio_axis(axis) -> None:
    """Plain multiples (0.01, 0.5, 1, 2, 5, 10) on a log axis instead of 10^k notation."""
    from matplotlib import ticker

    axis.set_major_locator(ticker.LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    axis.set_major_formatter(ticker.FuncFormatter(lambda v, _pos: f"{v:g}"))
    axis.set_minor_formatter(ticker.NullFormatter())


def _short(text: str, limit: int = 16) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _wan(values: Iterable[float | None]) -> tuple[float, str]:
    """A divisor and suffix that keep axis numbers short (万 for large 元 amounts)."""
    biggest = max((abs(v) for v in values if v is not None), default=0)
    return (10000.0, "万") if biggest >= 100000 else (1.0, "")


# ---------------------------------------------------------------- one project


def funds_chart(rows: Sequence[tuple[str, float | None, float | None, float | None]], unit: str) -> Figure:
    """Grouped bars of 年初预算数 / 全年预算数 / 全年执行数 for each funds row.

    rows: (label, budget_initial, budget_final, executed); None draws no bar.
    """
    with chart_style():
        divisor, prefix = _wan(v for r in rows for v in r[1:])
        fig = _figure(2.6)
        ax = fig.add_subplot()
        width = 0.26
        series = (("年初预算数", 1, "initial"), ("全年预算数", 2, "final"), ("全年执行数", 3, "executed"))
        for offset, (label, col, color) in zip((-width, 0, width), series, strict=True):
            values = [cast("float | None", r[col]) for r in rows]
            xs = [i + offset for i, v in enumerate(values) if v is not None]
            ys = [v / divisor for v in values if v is not None]
            ax.bar(xs, ys, width, label=label, color=COLORS[color])
        ax.set_xticks(range(len(rows)), [r[0] for r in rows])
        ax.set_ylabel(f"金额（{_unit_label(prefix, unit)}）")
        ax.set_title("项目资金：年初预算、全年预算与全年执行")
        ax.grid(axis="x", visible=False)
        ax.legend(loc="upper right", ncols=3)
        ax.set_ylim(0, ax.get_ylim()[1] * 1.15)
        return fig


def _unit_label(prefix: str, unit: str) -> str:
    if prefix == "万" and unit == "元":
        return "万元"
    if prefix == "万" and unit == "万元":
        return "亿元"
    return unit


def level1_score_chart(
    levels: Sequence[str],
    weights: Sequence[float],
    default_split: Sequence[float | None],
    reported: Sequence[float | None],
    recomputed: Sequence[float | None],
    title: str = "各一级指标得分与默认分值对比",
) -> Figure:
    """Per 一级指标 (and 预算执行): the form's weight, the default weight, reported and recomputed score."""
    with chart_style():
        fig = _figure(2.8)
        ax = fig.add_subplot()
        n = len(levels)
        h = 0.2
        bars = (
            ("默认分值", default_split, "default"),
            ("本表分值", weights, "final"),
            ("自评得分", reported, "reported"),
            ("复核重算分", recomputed, "recomputed"),
        )
        for k, (label, values, color) in enumerate(bars):
            ys = [i + (1.5 - k) * h for i in range(n)]
            vals = [v if v is not None else math.nan for v in values]
            ax.barh(ys, vals, h, label=label, color=COLORS[color])
        ax.set_yticks(range(n), list(levels))
        ax.invert_yaxis()
        ax.set_xlabel("分值 / 得分（分）")
        ax.set_title(title)
        ax.grid(axis="y", visible=False)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22), ncols=4)
        return fig


def ratio_chart(names: Sequence[str], ratios: Sequence[float], lower_is_better: Sequence[bool]) -> Figure:
    """actual / target per quantitative indicator, log scale, with the 1.0 line (target)."""
    with chart_style():
        n = max(len(names), 1)
        fig = _figure(max(1.6, 0.28 * n + 0.9))
        ax = fig.add_subplot()
        clipped = [min(max(r, 1e-3), 1e3) for r in ratios]
        colors = []
        for r, low in zip(ratios, lower_is_better, strict=False):
            ok = r <= 1.0 if low else r >= 1.0
            colors.append(COLORS["met"] if ok else COLORS["not_met"])
        ys = list(range(len(names)))
        ax.hlines(ys, 1.0, clipped, colors=colors, linewidth=2)
        for y, x, c, low in zip(ys, clipped, colors, lower_is_better, strict=False):
            ax.plot([x], [y], marker="v" if low else "o", color=c, markersize=5, linestyle="none")
        ax.axvline(1.0, color="#424242", linewidth=1, linestyle="--")
        ax.set_xscale("log")
        ax.set_yticks(ys, [_short(s) for s in names])
        ax.invert_yaxis()
        ax.set_ylim(len(names) - 0.5, -0.5)
        lo, hi = min([*clipped, 1.0]), max([*clipped, 1.0])
        ax.set_xlim(lo / 1.6, hi * 1.6)
        _log_ratio_axis(ax.xaxis)
        ax.set_xlabel("实际完成值 / 年度指标值（倍，对数刻度；虚线 = 1.0，恰好达到指标值）")
        ax.set_title("定量指标完成倍数（● 越高越好，▼ 越低越好）")
        ax.grid(axis="y", visible=False)
        return fig


# ---------------------------------------------------------------- the year


def execution_rate_chart(names: Sequence[str], rates: Sequence[float | None], low: float = 90.0) -> Figure:
    """执行率 per project with the low-rate threshold and the 100% line."""
    with chart_style():
        n = max(len(names), 1)
        fig = _figure(max(1.8, 0.3 * n + 0.9))
        ax = fig.add_subplot()
        vals = [r if r is not None else math.nan for r in rates]
        colors = [
            COLORS["unknown"]
            if r is None
            else COLORS["not_met"]
            if r > 100 + 1e-9
            else COLORS["partly"]
            if r < low
            else COLORS["met"]
            for r in rates
        ]
        ax.barh(range(len(names)), vals, color=colors)
        ax.axvline(100, color="#424242", linewidth=1, linestyle="--")
        ax.axvline(low, color=COLORS["partly"], linewidth=1, linestyle=":")
        ax.set_yticks(range(len(names)), [_short(s) for s in names])
        ax.invert_yaxis()
        finite = [v for v in vals if not math.isnan(v)]
        left = min([low - 10] + [v - 5 for v in finite])
        ax.set_xlim(max(0, left), max([105.0] + [v + 5 for v in finite]))
        ax.set_xlabel(f"执行率（%；虚线 = 100%，点线 = {low:g}%）")
        ax.set_title("各项目预算执行率")
        ax.grid(axis="y", visible=False)
        return fig


def budget_change_chart(
    names: Sequence[str], initial: Sequence[float | None], final: Sequence[float | None], unit: str
) -> Figure:
    """年初预算数 against 全年预算数 per project (the mid-year change)."""
    with chart_style():
        n = max(len(names), 1)
        fig = _figure(max(1.8, 0.34 * n + 0.9))
        ax = fig.add_subplot()
        divisor, prefix = _wan([*initial, *final])
        h = 0.38
        ys = range(len(names))
        ax.barh(
            [y - h / 2 for y in ys],
            [v / divisor if v is not None else math.nan for v in initial],
            h,
            label="年初预算数",
            color=COLORS["initial"],
        )
        ax.barh(
            [y + h / 2 for y in ys],
            [v / divisor if v is not None else math.nan for v in final],
            h,
            label="全年预算数",
            color=COLORS["final"],
        )
        ax.set_yticks(list(ys), [_short(s) for s in names])
        ax.invert_yaxis()
        ax.set_xlabel(f"金额（{_unit_label(prefix, unit)}）")
        ax.set_title("年中预算调整：年初预算数与全年预算数")
        ax.grid(axis="y", visible=False)
        ax.legend(loc="lower right")
        return fig


def score_comparison_chart(
    names: Sequence[str], reported: Sequence[float | None], recomputed: Sequence[float | None]
) -> Figure:
    """Self-given against recomputed total per project (a dumbbell chart)."""
    with chart_style():
        n = max(len(names), 1)
        fig = _figure(max(1.8, 0.3 * n + 0.9))
        ax = fig.add_subplot()
        ys = list(range(len(names)))
        for y, a, b in zip(ys, reported, recomputed, strict=False):
            if a is not None and b is not None:
                ax.plot([a, b], [y, y], color="#9e9e9e", linewidth=1.5)
        ax.plot(
            [v if v is not None else math.nan for v in reported], ys, "o", color=COLORS["reported"], label="自评总分"
        )
        ax.plot(
            [v if v is not None else math.nan for v in recomputed],
            ys,
            "D",
            color=COLORS["recomputed"],
            label="复核重算总分",
            markersize=4,
        )
        for bound in (90, 80, 60):  # 优 / 良 / 中
            ax.axvline(bound, color=COLORS["grid"], linewidth=1)
        ax.set_yticks(ys, [_short(s) for s in names])
        ax.invert_yaxis()
        vals = [v for v in (*reported, *recomputed) if v is not None]
        ax.set_xlim(min([80.0, *vals]) - 3, 101)
        ax.set_xlabel("总分（分；竖线为等级界线 90 / 80 / 60）")
        ax.set_title("自评总分与复核重算总分")
        ax.grid(axis="y", visible=False)
        ax.legend(loc="lower left", ncols=2)
        return fig


def weight_split_chart(
    names: Sequence[str], splits: Sequence[Sequence[float]], parts: Sequence[str], default: Sequence[float]
) -> Figure:
    """Stacked weights per project (预算执行, 产出, 效益, 满意度), with the default split on top."""
    with chart_style():
        labels = ["默认分值"] + [_short(s) for s in names]
        rows = [list(default)] + [list(s) for s in splits]
        fig = _figure(max(1.8, 0.3 * len(labels) + 1.0))
        ax = fig.add_subplot()
        left = [0.0] * len(rows)
        for k, part in enumerate(parts):
            vals = [r[k] for r in rows]
            ax.barh(range(len(rows)), vals, left=left, label=part, color=LEVEL1_COLORS[k % len(LEVEL1_COLORS)])
            left = [a + b for a, b in zip(left, vals, strict=True)]
        ax.set_yticks(range(len(rows)), labels)
        ax.invert_yaxis()
        ax.set_xlabel("分值（分，合计 100）")
        ax.set_title("各项目分值结构与默认分值对比")
        ax.grid(axis="y", visible=False)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), ncols=len(parts))
        return fig


def ratio_distribution_chart(ratios: Sequence[float], higher: Sequence[bool]) -> Figure:
    """Histogram of actual/target over all quantitative indicators (log bins)."""
    with chart_style():
        fig = _figure(2.5)
        ax = fig.add_subplot()
        clipped = [min(max(r, 1e-3), 1e3) for r in ratios]
        lo = min([*clipped, 0.5])
        hi = max([*clipped, 2.0])
        edges = [10 ** (math.log10(lo) + k * (math.log10(hi) - math.log10(lo)) / 20) for k in range(21)]
        up = [r for r, h in zip(clipped, higher, strict=False) if h]
        down = [r for r, h in zip(clipped, higher, strict=False) if not h]
        ax.hist(
            [up, down],
            bins=edges,
            stacked=True,
            color=[COLORS["final"], COLORS["reported"]],
            label=["越高越好的指标", "越低越好的指标"],
        )
        ax.axvline(1.0, color="#424242", linewidth=1, linestyle="--")
        ax.set_xscale("log")
        _log_ratio_axis(ax.xaxis)
        ax.set_xlabel("实际完成值 / 年度指标值（倍，对数刻度；虚线 = 1.0）")
        ax.set_ylabel("指标数（个）")
        ax.set_title("定量指标完成倍数分布")
        ax.legend(loc="upper right")
        return fig


def attainment_chart(levels: Sequence[str], counts: Sequence[dict[str, int]], labels: dict[str, str]) -> Figure:
    """Stacked counts of met / partly / not met / unknown indicators per 一级指标."""
    with chart_style():
        fig = _figure(2.2)
        ax = fig.add_subplot()
        left = [0] * len(levels)
        for key in ("met", "partly", "not_met", "unknown"):
            vals = [c.get(key, 0) for c in counts]
            ax.barh(range(len(levels)), vals, left=left, color=COLORS[key], label=labels.get(key, key))
            left = [a + b for a, b in zip(left, vals, strict=True)]
        ax.set_yticks(range(len(levels)), list(levels))
        ax.invert_yaxis()
        ax.set_xlabel("指标数（个）")
        ax.set_title("各一级指标完成情况")
        ax.grid(axis="y", visible=False)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.3), ncols=4)
        return fig


def distribution_chart(
    values: Sequence[float | None], xlabel: str, title: str, lines: Sequence[tuple[float, str]] = ()
) -> Figure:
    """A histogram of one figure per project (for portfolios too large for one bar per project).

    None and non-finite values are left out; `lines` are (x, line style) of vertical lines.
    """
    with chart_style():
        fig = _figure(2.4)
        ax = fig.add_subplot()
        finite = [v for v in values if v is not None and math.isfinite(v)]
        ax.hist(finite, bins=min(40, max(5, len({round(v, 2) for v in finite}))), color=COLORS["final"])
        for x, style in lines:
            ax.axvline(x, color="#424242", linewidth=1, linestyle=style)
        ax.set_xlabel(xlabel)
        ax.set_ylabel("项目数")
        ax.set_title(title)
        ax.grid(axis="x", visible=False)
        return fig
