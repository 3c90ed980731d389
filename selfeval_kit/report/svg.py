"""The reports' charts as inline SVG: horizontal bar charts built as plain strings.

Why not raster images: the PNG charts the reports had before took about 0.22 s each to draw,
most of a report's time, and their text was neither selectable nor in the page's font. An inline
SVG is drawn by the browser in the report's CJK font (`FONT_FAMILY`, the family list of
report.css), prints sharp at any resolution and is a few kilobytes.

Every chart is one engine (`bar_chart`): one row per label (a project, a funds row, a 一级指标),
one or more bars per row (side by side or stacked), an x axis that starts at 0 (or a log axis
around 1.0 for ratios), grid lines and reference lines drawn only within the axis, the legend
above the plot (never over the data), and full labels wrapped over several lines, so the
height grows with the number of rows and the length of the names. Every text from a form is
XML-escaped (`xml.sax.saxutils`).
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

__all__ = [
    "COLORS",
    "FONT_FAMILY",
    "LEVEL1_COLORS",
    "WIDTH",
    "Axis",
    "Bar",
    "Picture",
    "Row",
    "bar_chart",
    "nice_ticks",
    "svg_picture",
    "text_width",
    "wrap",
]

FONT_FAMILY = '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif'
WIDTH = 604  # CSS px: the A4 text width (6.3 in at 96 px/in)

# Colours carry the same meaning in every chart and table (report.css uses the same values).
COLORS = {
    "initial": "#9ecae1",
    "final": "#4292c6",
    "executed": "#08519c",
    "reported": "#fd8d3c",
    "recomputed": "#2171b5",
    "default": "#bdbdbd",
    "met": "#2e7d32",
    "partly": "#f9a825",
    "not_met": "#c62828",
    "unknown": "#757575",
    "line": "#c62828",
    "grid": "#e0e0e0",
}
LEVEL1_COLORS = ("#4292c6", "#41ab5d", "#fd8d3c", "#807dba")

_FONT = 11  # px: 8.25 pt, small print beside the page's 10.5 pt
_LINE = 14  # px per line of a wrapped label
_BAR = 12  # px per bar of a row
_LABEL_W = 170  # px for the row labels
_RIGHT = 44  # px right of the plot for the value of the longest bar


@dataclass(frozen=True)
class Picture:
    """A chart as a report embeds it (`_macros.html.j2`'s ``figure``).

    Attributes
    ----------
    svg
        The inline SVG markup (every text from a form escaped, so the template trusts it).
    alt, caption
        Its alternative text and the line under it (the reading).
    width, height
        Display size in CSS px.
    """

    svg: str
    alt: str
    caption: str
    width: int
    height: int


@dataclass(frozen=True)
class Bar:
    """One bar: its value (None: no bar), colour, and the value it starts from (stacked bars add up)."""

    value: float | None
    color: str
    start: float = 0.0


@dataclass(frozen=True)
class Row:
    """One row of a chart: its label (wrapped, never cut) and its bars, top to bottom or stacked."""

    label: str
    bars: Sequence[Bar]


@dataclass(frozen=True)
class Axis:
    """The x axis: its range, ticks, a tick format, and whether it is logarithmic."""

    lo: float
    hi: float
    ticks: Sequence[float]
    fmt: str = "{:g}"
    log: bool = False
    lines: Sequence[tuple[float, str, str]] = field(default_factory=tuple)  # (x, colour, dash array)

    def pos(self, value: float, width: float) -> float:
        """The x of a value, in px from the plot's left edge (clamped to the axis)."""
        if self.log:
            a, b, v = math.log10(self.lo), math.log10(self.hi), math.log10(max(value, self.lo))
        else:
            a, b, v = self.lo, self.hi, value
        return width * min(max((v - a) / (b - a), 0.0), 1.0) if b > a else 0.0


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round ticks (1, 2, 5 × 10^k steps) from `lo` to at least `hi`.

    Examples
    --------
    >>> nice_ticks(0, 118.9)
    [0.0, 20.0, 40.0, 60.0, 80.0, 100.0, 120.0]
    """
    span = hi - lo if hi > lo else abs(hi) or 1.0
    raw = span / count
    mag = 10 ** math.floor(math.log10(raw))
    step = next(s * mag for s in (1, 2, 5, 10) if s * mag >= raw)
    first = math.floor(lo / step) * step
    n = math.ceil((hi - first) / step - 1e-9)
    return [round(first + k * step, 10) for k in range(max(n, 1) + 1)]


def text_width(text: str, size: float = _FONT) -> float:
    """Approximate width in px: wide (CJK) characters 1 em, the others 0.6 em."""
    return sum(size if unicodedata.east_asian_width(ch) in "WF" else size * 0.6 for ch in text)


def wrap(text: str, width: float, size: float = _FONT) -> list[str]:
    """The text in lines no wider than `width` px, every character kept (never cut with "…")."""
    lines, line, used = [], "", 0.0
    for ch in text:
        w = text_width(ch, size)
        if line and used + w > width:
            lines.append(line)
            line, used = "", 0.0
        line += ch
        used += w
    return [*lines, line] if line or not lines else lines


def _text(x: float, y: float, text: str, anchor: str = "start", size: int = _FONT, fill: str = "#1f2328") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" fill="{fill}">{escape(text)}</text>'
    )


def _legend(items: Sequence[tuple[str, str]], x0: float, y: float) -> tuple[list[str], float]:
    """Legend swatches in lines from x0, wrapping before the right edge; returns parts and the height."""
    parts, x, rows = [], x0, 1
    for label, color in items:
        w = 14 + text_width(label) + 14
        if x + w > WIDTH and x > x0:
            x, rows = x0, rows + 1
        top = y + (rows - 1) * _LINE
        parts.append(f'<rect x="{x:.1f}" y="{top - 9:.1f}" width="10" height="10" fill="{color}"/>')
        parts.append(_text(x + 14, top, label))
        x += w
    return parts, rows * _LINE


def _row_height(row: Row, stacked: bool, lines: int) -> float:
    bars = 1 if stacked else max(len(row.bars), 1)
    return max(bars * _BAR, lines * _LINE) + 8


def _bars(row: Row, axis: Axis, x0: float, top: float, height: float, plot_w: float, stacked: bool) -> list[str]:
    parts = []
    n = 1 if stacked else max(len(row.bars), 1)
    y = top + (height - n * _BAR) / 2
    for k, bar in enumerate(row.bars):
        if bar.value is None:
            continue
        by = y if stacked else y + k * _BAR
        a = axis.pos(bar.start, plot_w)
        b = axis.pos(bar.start + bar.value if stacked else bar.value, plot_w)
        left, w = min(a, b), abs(b - a)
        box = f'x="{x0 + left:.1f}" y="{by + 1:.1f}" width="{max(w, 0.5):.1f}" height="{_BAR - 2}"'
        parts.append(f'<rect {box} fill="{bar.color}"/>')
        if not stacked:
            parts.append(_text(x0 + max(a, b) + 3, by + _BAR - 2.5, axis.fmt.format(bar.value), size=9))
    return parts


def bar_chart(
    title: str,
    rows: Sequence[Row],
    axis: Axis,
    xlabel: str,
    legend: Sequence[tuple[str, str]] = (),
    stacked: bool = False,
) -> tuple[str, int]:
    """A horizontal bar chart as SVG markup, and its height in px (the width is `WIDTH`).

    Parameters
    ----------
    title
        The title, above the legend.
    rows
        One row per label, top to bottom.
    axis
        The x axis; its `lines` are reference lines, drawn only when within the axis.
    xlabel
        The axis label (with its unit), under the ticks.
    legend
        (label, colour) per series, drawn between title and plot.
    stacked
        Whether a row's bars are stacked (each from its `start`) rather than side by side.

    Returns
    -------
    tuple[str, int]
        The ``<svg>`` element and its height.
    """
    x0, plot_w = _LABEL_W + 8, WIDTH - _LABEL_W - 8 - _RIGHT
    parts = [_text(WIDTH / 2, 16, title, "middle", 13)]
    y = 24.0
    if legend:
        items, h = _legend(legend, x0, y + 12)
        parts += items
        y += h + 4
    top = y + 4
    body = []
    for row in rows:
        lines = wrap(row.label, _LABEL_W)
        h = _row_height(row, stacked, len(lines))
        first = y + 4 + (h - len(lines) * _LINE) / 2 + _FONT
        body += [_text(_LABEL_W, first + i * _LINE, line, "end") for i, line in enumerate(lines)]
        body += _bars(row, axis, x0, y + 4, h, plot_w, stacked)
        y += h
    bottom = y + 4
    grid, refs = [], []
    for t in axis.ticks:
        if axis.lo - 1e-9 <= t <= axis.hi + 1e-9:
            x = x0 + axis.pos(t, plot_w)
            grid.append(f'<line x1="{x:.1f}" y1="{top:.1f}" x2="{x:.1f}" y2="{bottom:.1f}" stroke="{COLORS["grid"]}"/>')
            grid.append(_text(x, bottom + 13, f"{t:,g}", "middle", 9))
    for value, color, dash in axis.lines:
        if axis.lo <= value <= axis.hi:  # a reference line outside the axis is not drawn at its edge
            x = x0 + axis.pos(value, plot_w)
            line = f'<line x1="{x:.1f}" y1="{top:.1f}" x2="{x:.1f}" y2="{bottom:.1f}" stroke="{color}"'
            refs.append(f'{line} stroke-dasharray="{dash}"/>')
    frame = f'<line x1="{x0}" y1="{bottom:.1f}" x2="{x0 + plot_w}" y2="{bottom:.1f}" stroke="#424242"/>'
    parts += grid + body + refs + [frame]  # grid under the bars, reference lines over them
    parts.append(_text(x0 + plot_w / 2, bottom + 29, xlabel, "middle"))
    height = math.ceil(bottom + 36)
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
        f"font-family={quoteattr(FONT_FAMILY)}>"
    )
    return head + f"<title>{escape(title)}</title>" + "".join(parts) + "</svg>", height


def svg_picture(chart: tuple[str, int], alt: str, caption: str) -> Picture:
    """A chart of `bar_chart` as a report embeds it, with its alternative text and caption."""
    markup, height = chart
    labelled = markup.replace("<svg ", f'<svg role="img" aria-label={quoteattr(alt)} ', 1)
    return Picture(labelled, alt, caption, WIDTH, height)
