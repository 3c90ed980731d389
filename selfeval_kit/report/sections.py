"""Report sections as HTML: what the notebooks display and `build` publishes.

Every section is rendered by a jinja2 template in `templates/report/` with autoescape on, so
any text that comes from a form (names, targets, notes) is shown as text, never as markup.
A section is an `Html` object: Jupyter displays it, `str()` gives the markup.

    rep = ProjectReport.open("data/2022", "hotline-system-ops", profile="national")
    rep.header(); rep.basic(); rep.conclusion(); rep.budget(); rep.indicators()
    rep.deviations(); rep.findings(); rep.official_form()

    ann = AnnualReport.open("data/2022", year=2022)
    ann.header(); ann.overview(); ann.execution(); ann.attainment(); ann.quality()
    ann.findings(); ann.ranking()

Formatting follows REPORTS.md: money with thousands separators in the form's unit, rates as
percentages with two decimals, dates in Chinese, colours always with a word or a symbol.
"""

from __future__ import annotations

import base64
import datetime as _dt
import math
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Sequence

import jinja2
from markupsafe import Markup

from selfeval_kit.form.labels import FUNDS_ROW_LABELS, canonical_level1
from selfeval_kit.form.sources import resolve_data_path
from selfeval_kit.views.formatting import (
    _differs,
    _range,
    _weight,
    amount,
    annual_title,
    chinese_date,
    money,
    pct,
    points,
    project_title,
    ratio_text,
)
from selfeval_kit.views.sentences import summary_sentence

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

__all__ = [
    "Html",
    "ProjectReport",
    "AnnualReport",
    "STATUS",
    "SEVERITY",
    "money",
    "amount",
    "pct",
    "points",
    "ratio_text",
    "chinese_date",
    "project_title",
    "annual_title",
    "resolve_data_path",
    "official_form",
    "render_index",
]

class _LazyPlots:
    """`selfeval_kit.report.charts`, imported on first use: matplotlib takes a second to import, and what
    the build needs from this module in its own process (titles, the index page) draws no chart."""

    def __getattr__(self, name: str):
        import importlib

        module = importlib.import_module("selfeval_kit.report.charts")
        globals()["plots"] = module  # from now on the module itself
        return getattr(module, name)


plots = _LazyPlots()

# Status and severity: a colour (CSS class), a symbol and a word, always together.
STATUS_ORDER = ("met", "partly", "not_met", "unknown")
_STATUS_SYMBOLS = {"met": "✓", "partly": "◐", "not_met": "✗", "unknown": "?"}
_STATUS_WORDS = {"met": "达成", "partly": "部分达成", "not_met": "未达成", "unknown": "无法判断"}
SEVERITY_ORDER = ("error", "warning", "info")
_SEVERITY_SYMBOLS = {"error": "✗", "warning": "!", "info": "i"}
_SEVERITY_WORDS = {"error": "错误", "warning": "警告", "info": "提示"}
NUMBERS = "一二三四五六七八九十"


@dataclass(frozen=True)
class _Mark:
    symbol: str
    label: str


def _labels(name: str, fallback: dict[str, str]) -> dict[str, str]:
    """The package's Chinese labels (scoring/audit), falling back to the same words here."""
    import selfeval_kit as sk

    return {**fallback, **(getattr(sk, name, None) or {})}


def _status_marks() -> dict[str, _Mark]:
    words = _labels("ATTAINMENT_LABELS", _STATUS_WORDS)
    return {k: _Mark(_STATUS_SYMBOLS[k], words[k]) for k in STATUS_ORDER}


def _severity_marks() -> dict[str, _Mark]:
    words = _labels("SEVERITY_LABELS", _SEVERITY_WORDS)
    return {k: _Mark(_SEVERITY_SYMBOLS[k], words[k]) for k in SEVERITY_ORDER}


STATUS = {k: _Mark(_STATUS_SYMBOLS[k], _STATUS_WORDS[k]) for k in STATUS_ORDER}
SEVERITY = {k: _Mark(_SEVERITY_SYMBOLS[k], _SEVERITY_WORDS[k]) for k in SEVERITY_ORDER}


class Html:
    """A rendered section: displayed as HTML by Jupyter, markup via str()."""

    def __init__(self, markup: str):
        self.markup = str(markup)

    def _repr_html_(self) -> str:
        return self.markup

    def __html__(self) -> str:
        return self.markup

    def __str__(self) -> str:
        return self.markup

    def __repr__(self) -> str:
        return f"<Html {len(self.markup)} chars>"

    def _repr_pretty_(self, printer, cycle) -> None:  # IPython text form: short, not the markup
        printer.text(repr(self))

    def __add__(self, other: "Html | str") -> "Html":
        return Html(self.markup + str(other))


# ------------------------------------------------------------------ formatting


def _profile_arg(profile: str | Path) -> str | Path:
    """A profile name as is; a profile file path resolved like a data path."""
    text = str(profile)
    if text.endswith((".yaml", ".yml")):
        return resolve_data_path(text)
    return profile


# One report needs the evaluation of the whole portfolio (a form's findings are scored against
# the profile, the annual report covers every form). `selfeval build` runs report after report in
# one kernel and sets SELFEVAL_SHARE_EVALUATION=1 there: the evaluation is then kept for the next
# report while the files it was made from are unchanged (same names, sizes and modification
# times). With hundreds of forms this is most of a report's time. The reports only read it.
SHARE_EVALUATION_ENV = "SELFEVAL_SHARE_EVALUATION"
_SHARED: dict = {}


def _files_signature(data: Path, profile) -> tuple | None:
    try:
        files = sorted(p for p in data.iterdir() if p.is_file()) if data.is_dir() else [data]
        stamp = [(p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in files]
        profile_path = Path(str(profile))
        if profile_path.suffix in (".yaml", ".yml") and profile_path.is_file():
            stamp.append((str(profile_path.resolve()), profile_path.stat().st_size, profile_path.stat().st_mtime_ns))
    except OSError:
        return None
    return (str(data.resolve()), str(profile), tuple(stamp))


def _evaluate(data_path: str | Path, profile: str | Path):
    import os

    import selfeval_kit as sk

    data, rules = resolve_data_path(data_path), _profile_arg(profile)
    if os.environ.get(SHARE_EVALUATION_ENV) != "1":
        return sk.evaluate(sk.load(data), profile=rules)
    key = _files_signature(data, rules)
    if key is None or key not in _SHARED:
        evaluation = sk.evaluate(sk.load(data), profile=rules)
        _SHARED.clear()
        if key is None:
            return evaluation
        _SHARED[key] = evaluation
    return _SHARED[key]


# ------------------------------------------------------------------ templates and figures

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("selfeval_kit.report", "templates"),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
    undefined=jinja2.StrictUndefined,
)


def _render(name: str, **context: Any) -> Html:
    context.setdefault("STATUS", _status_marks())
    context.setdefault("SEVERITY", _severity_marks())
    context.setdefault("STATUS_ORDER", STATUS_ORDER)
    return Html(_ENV.get_template(name).render(**context))


@dataclass(frozen=True)
class _Figure:
    png: str  # base64
    alt: str
    caption: str
    width: int
    height: int


def _figure(fig: "Figure", alt: str, caption: str) -> _Figure:
    data = plots.figure_png(fig)
    width, height = (int(round(v * plots.DPI)) for v in fig.get_size_inches())
    # display at 100 CSS px per inch of figure so text keeps its point size on screen and paper
    return _Figure(base64.b64encode(data).decode("ascii"), alt, caption, int(width * 96 / plots.DPI), int(height * 96 / plots.DPI))


def _sort_findings(findings: Iterable) -> list:
    order = {s: i for i, s in enumerate(SEVERITY_ORDER)}
    return sorted(findings, key=lambda f: (order.get(f.severity, 9), f.position if f.position is not None else -1, f.code))


def _counts_text(findings: Sequence) -> str:
    marks = _severity_marks()
    parts = []
    for sev in SEVERITY_ORDER:
        n = sum(1 for f in findings if f.severity == sev)
        parts.append(f"{marks[sev].label} {n}")
    return " / ".join(parts)


def _is_lower(item) -> bool:
    """A quantity with a lower-is-better target (ratio below 1 is good); rankings are not."""
    target = item.target
    kind = getattr(getattr(target, "kind", None), "value", getattr(target, "kind", None))
    direction = getattr(getattr(target, "direction", None), "value", None)
    return kind in ("quantitative", "none") and direction == "lower"


def _level_number(i: int) -> str:
    return f"（{NUMBERS[i]}）" if i < len(NUMBERS) else f"（{i + 1}）"


def _funds_rows(form) -> list[tuple[str, Any]]:
    return [(FUNDS_ROW_LABELS[key], getattr(form.funds, key)) for key in ("total", "appropriation", "carryover", "other")]


# ------------------------------------------------------------------ the official form


def _spans(values: list[str]) -> list[int]:
    """rowspan per row for runs of equal consecutive values (0 where the cell is merged away)."""
    spans = [0] * len(values)
    i = 0
    while i < len(values):
        j = i
        while j + 1 < len(values) and values[j + 1] == values[i]:
            j += 1
        spans[i] = j - i + 1
        i = j + 1
    return spans


def official_form(form) -> Html:
    """The form as the official table (附：绩效自评表), from the Form alone."""
    total = form.funds.total
    funds = []
    for key, row in zip(("total", "appropriation", "carryover", "other"), (total, form.funds.appropriation, form.funds.carryover, form.funds.other)):
        funds.append(
            {
                "label": ("其中：" if key == "appropriation" else "") + FUNDS_ROW_LABELS[key],
                "initial": amount(row.budget_initial) if row.budget_initial is not None else "",
                "final": amount(row.budget_final) if row.budget_final is not None else "",
                "executed": amount(row.executed) if row.executed is not None else "",
                "weight": _weight(total.weight) if key == "total" else "—",
                "rate": (total.execution_rate or "") if key == "total" else "—",
                "score": (_weight(total.score) if total.score is not None else "") if key == "total" else "—",
            }
        )
    level1 = [i.level1 for i in form.indicators]
    level12 = [f"{i.level1}\x00{i.level2}" for i in form.indicators]
    s1, s2 = _spans(level1), _spans(level12)
    rows = [
        {
            "level1": ind.level1,
            "level2": ind.level2,
            "level1_span": s1[k],
            "level2_span": s2[k],
            "name": ind.name,
            "target": ind.target,
            "actual": ind.actual,
            "weight": _weight(ind.weight),
            "score": _weight(ind.score) if ind.score is not None else "",
            "note": ind.deviation_note or "",
        }
        for k, ind in enumerate(form.indicators)
    ]
    total_weight = (total.weight or 0) + form.indicator_weight
    return _render(
        "official_form.html.j2",
        form=form,
        funds=funds,
        indicators=rows,
        total_weight=_weight(total_weight),
        total_score=points(form.total_score) if form.total_score is not None else "",
    )


# ------------------------------------------------------------------ one project


class ProjectReport:
    """The sections of one project's report (REPORTS.md, per-project)."""

    def __init__(self, evaluation, form_id: str):
        self.ev = evaluation
        self.result = evaluation.form(form_id)
        self.form = self.result.form
        self.profile = evaluation.profile

    @classmethod
    def open(cls, data_path: str | Path, form_id: str, profile: str | Path = "national") -> "ProjectReport":
        """Load the forms at data_path, evaluate them with the profile, pick one form."""
        return cls(_evaluate(data_path, profile), form_id)

    @property
    def title(self) -> str:
        return project_title(self.form)

    @property
    def unit(self) -> str:
        return self.form.unit

    def _findings(self) -> list:
        return _sort_findings(self.result.findings)

    # -- header and 一、二

    def header(self) -> Html:
        r = self.result
        rng = _range(r.score_low, r.score_high)
        return _render(
            "project_header.html.j2",
            title=self.title,
            form=self.form,
            profile_label=self.profile.label,
            today=chinese_date(),
            score_reported=points(r.score_reported),
            score_recomputed=points(r.score_recomputed),
            score_range=rng,
            grade=r.grade or "—",
            grade_reported=r.grade_reported or "—",
            rate=pct(r.execution_rate),
            counts=_counts_text(r.findings),
        )

    def funds_sentence(self) -> str:
        t = self.form.funds.total
        text = (
            f"年度资金总额：年初预算数 {money(t.budget_initial, self.unit)}，全年预算数 {money(t.budget_final, self.unit)}，"
            f"全年执行数 {money(t.executed, self.unit)}，执行率 {pct(self.result.execution_rate)}"
        )
        parts = []
        for key in ("appropriation", "carryover", "other"):
            row = getattr(self.form.funds, key)
            if row.executed or row.budget_final:
                parts.append(f"{FUNDS_ROW_LABELS[key]} {money(row.budget_final, self.unit)}")
        if parts:
            text += "；全年预算数中" + "、".join(parts)
        return text + "。"

    def basic(self) -> Html:
        return _render("project_basic.html.j2", form=self.form, funds_sentence=self.funds_sentence())

    def conclusion(self) -> Html:
        r = self.result
        levels = []
        for name, row in r.level1_scores().items():
            levels.append(
                {
                    "name": name,
                    "weight": _weight(row["weight"]),
                    "reported": points(row["reported"]),
                    "recomputed": points(row["recomputed"]),
                    "differs": _differs(row["reported"], row["recomputed"]),
                }
            )
        budget = {
            "weight": _weight(r.budget_weight),
            "reported": points(r.budget_score_reported),
            "recomputed": points(r.budget_score),
            "differs": _differs(r.budget_score_reported, r.budget_score),
        }
        total_weight = r.budget_weight + self.form.indicator_weight
        return _render(
            "project_conclusion.html.j2",
            levels=levels,
            budget=budget,
            total_weight=_weight(total_weight),
            score_reported=points(r.score_reported),
            score_recomputed=points(r.score_recomputed),
            total_differs=_differs(r.score_reported, r.score_recomputed),
            score_range=_range(r.score_low, r.score_high),
            grade=r.grade or "—",
            grade_reported=r.grade_reported or "—",
            profile_label=self.profile.label,
            summary=summary_sentence(r),
        )

    # -- 三、预算执行情况

    def funds_chart(self) -> _Figure:
        rows = []
        for label, row in _funds_rows(self.form):
            values = (row.budget_initial, row.budget_final, row.executed)
            if label == FUNDS_ROW_LABELS["total"] or any(values):
                rows.append((label, *values))
        t = self.form.funds.total
        fig = plots.funds_chart(rows, self.unit)
        reading = (
            f"读图：全年执行数 {money(t.executed, self.unit)}，为全年预算数的 {pct(self.result.execution_rate)}；"
            + self.change_sentence()
        )
        return _figure(fig, "项目资金图：年初预算数、全年预算数与全年执行数", reading)

    def change_sentence(self) -> str:
        t = self.form.funds.total
        if t.budget_initial is None or t.budget_final is None:
            return "年初预算数或全年预算数未填写，无法判断年中调整。"
        delta = t.budget_final - t.budget_initial
        if abs(delta) < 0.005:
            return "年中未调整预算（全年预算数等于年初预算数）。"
        share = abs(delta) / t.budget_initial * 100 if t.budget_initial else None
        verb = "调减" if delta < 0 else "调增"
        text = f"年中{verb}预算 {money(abs(delta), self.unit)}"
        if share is not None:
            text += f"（年初预算数的 {share:.2f}%）"
        if delta < 0 and share is not None and share >= self.profile.large_cut_share * 100:
            text += f"，超过 {self.profile.large_cut_share * 100:g}% 的关注线：按调整后预算计算的执行率会高于按年初预算计算的 {pct((t.executed or 0) / t.budget_initial * 100)}"
        return text + "。"

    def budget(self) -> Html:
        r = self.result
        unit = self.unit
        rows = []
        for key, row in zip(("total", "appropriation", "carryover", "other"), (self.form.funds.total, self.form.funds.appropriation, self.form.funds.carryover, self.form.funds.other)):
            rate = row.executed / row.budget_final * 100 if row.budget_final and row.executed is not None else None
            rows.append(
                {
                    "label": FUNDS_ROW_LABELS[key],
                    "initial": amount(row.budget_initial),
                    "final": amount(row.budget_final),
                    "executed": amount(row.executed),
                    "rate": pct(rate),
                }
            )

        def check(a, b, tol):
            if a is None or b is None:
                return "? 无法比较"
            return "✓ 一致" if abs(a - b) <= tol else "✗ 不一致"

        budget_findings = [f for f in self._findings() if f.code.startswith(("budget.", "funds."))]
        return _render(
            "project_budget.html.j2",
            unit=unit,
            rows=rows,
            rate_reported=self.form.funds.total.execution_rate or "—",
            rate_computed=pct(r.execution_rate),
            rate_check=check(r.execution_rate_reported, r.execution_rate, self.profile.rate_tolerance),
            budget_weight=_weight(r.budget_weight),
            score_reported=points(r.budget_score_reported),
            score_computed=points(r.budget_score),
            score_check=check(r.budget_score_reported, r.budget_score, self.profile.score_tolerance),
            chart=self.funds_chart(),
            change_sentence=self.change_sentence(),
            reason=self.form.funds.total.reason,
            findings=budget_findings,
        )

    # -- 四、绩效指标完成情况

    def level1_chart(self) -> _Figure:
        r = self.result
        scores = r.level1_scores()
        split = self.profile.level1_split
        levels = ["预算执行"] + list(scores)
        weights = [r.budget_weight] + [v["weight"] for v in scores.values()]
        default = [self.profile.budget_weight] + [split.get(k) for k in scores]
        reported = [r.budget_score_reported] + [v["reported"] for v in scores.values()]
        recomputed = [r.budget_score] + [v["recomputed"] for v in scores.values()]
        split_text = "/".join(_weight(v) for v in default if v is not None)
        fig = plots.level1_score_chart(levels, weights, default, reported, recomputed, title=f"各一级指标得分与默认分值（{split_text}）对比")
        off = [f"{k} {_weight(v['weight'])}（默认 {_weight(split.get(k))}）" for k, v in scores.items() if split.get(k) is not None and abs(v["weight"] - split[k]) > 1e-9]
        diff = [k for k, v in scores.items() if _differs(v["reported"], v["recomputed"])]
        reading = "读图：" + ("分值结构与默认一致" if not off else "分值结构偏离默认：" + "、".join(off))
        reading += "；" + ("各一级指标自评得分与复核得分一致。" if not diff else "自评与复核得分不同的一级指标：" + "、".join(diff) + "。")
        return _figure(fig, "各一级指标分值与得分图", reading)

    def ratio_chart(self) -> _Figure | None:
        items = [i for i in self.result.indicators if i.ratio is not None and i.ratio > 0 and math.isfinite(i.ratio)]
        zeros = [i for i in self.result.indicators if i.ratio is not None and i.ratio == 0]
        if not items:
            return None
        names = [i.indicator.name for i in items]
        ratios = [i.ratio for i in items]
        lower = [_is_lower(i) for i in items]
        fig = plots.ratio_chart(names, ratios, lower)
        over = self.profile.overachievement_note_ratio
        high = [i for i, low in zip(items, lower) if not low and i.ratio >= over]
        loose = [i for i, low in zip(items, lower) if low and i.ratio <= self.profile.loose_limit_ratio]
        parts = [f"{len(items)} 个定量指标中，{sum(1 for i, low in zip(items, lower) if (i.ratio <= 1 if low else i.ratio >= 1))} 个达到或优于指标值"]
        if high:
            top = max(high, key=lambda i: i.ratio)
            parts.append(f"{len(high)} 个超过指标值 {over:g} 倍以上（最高：{top.indicator.name} {ratio_text(top.ratio)}）")
        if loose:
            parts.append(f"{len(loose)} 个越低越好的指标实际值不到限值的 {self.profile.loose_limit_ratio * 100:g}%")
        if zeros:
            parts.append(f"实际值为 0 的 {len(zeros)} 个指标（{'、'.join(i.indicator.name for i in zeros)}）无法在对数轴上显示")
        return _figure(fig, "定量指标完成倍数图", "读图：" + "；".join(parts) + "。")

    def indicators(self) -> Html:
        r = self.result
        scores = r.level1_scores()
        groups = []
        by_level: dict[str, list] = {}
        for item in r.indicators:
            by_level.setdefault(canonical_level1(item.indicator.level1), []).append(item)
        order = [k for k in (*self.profile.level1_order, *by_level) if k in by_level]
        for n, level in enumerate(dict.fromkeys(order)):
            rows = []
            for item in by_level[level]:
                ind = item.indicator
                rows.append(
                    {
                        "level2": ind.level2,
                        "name": ind.name,
                        "target": ind.target,
                        "actual": ind.actual,
                        "attainment": _key(item.attainment),
                        "ratio": ratio_text(item.ratio),
                        "weight": _weight(ind.weight),
                        "reported": points(item.score_reported),
                        "recomputed": points(item.score_recomputed),
                        "band": _range(item.score_low, item.score_high),
                        "differs": bool(item.difference),
                        "note": ind.deviation_note,
                    }
                )
            s = scores.get(level, {"weight": 0, "reported": 0, "recomputed": 0})
            groups.append(
                {
                    "number": _level_number(n),
                    "name": level,
                    "weight": _weight(s["weight"]),
                    "reported": points(s["reported"]),
                    "recomputed": points(s["recomputed"]),
                    "rows": rows,
                }
            )
        return _render(
            "project_indicators.html.j2",
            groups=groups,
            goal_planned=self.form.annual_goal.planned,
            goal_achieved=self.form.annual_goal.achieved,
            level1_chart=self.level1_chart(),
            ratio_chart=self.ratio_chart(),
        )

    # -- 五、六、附

    def deviation_rows(self) -> list[dict]:
        over = self.profile.overachievement_note_ratio
        loose = self.profile.loose_limit_ratio
        rows = []
        for item in self.result.indicators:
            key = _key(item.attainment)
            lower = _is_lower(item)
            ratio = item.ratio
            over_text = ""
            if ratio is not None and key == "met":
                if not lower and ratio >= over:
                    over_text = f"超额完成，{ratio_text(ratio)}"
                elif lower and ratio <= loose:
                    over_text = f"远低于限值，{ratio_text(ratio)}"
            if key in ("not_met", "partly", "unknown") or over_text:
                ind = item.indicator
                rows.append({"name": ind.name, "target": ind.target, "actual": ind.actual, "attainment": key, "over": over_text, "note": ind.deviation_note})
        return rows

    def deviations(self) -> Html:
        return _render(
            "project_deviations.html.j2",
            rows=self.deviation_rows(),
            over_ratio=f"{self.profile.overachievement_note_ratio:g}",
            loose_pct=f"{self.profile.loose_limit_ratio * 100:g}%",
        )

    def findings(self) -> Html:
        return _render("project_findings.html.j2", findings=self._findings())

    def official_form(self) -> Html:
        return official_form(self.form)

    def sections(self) -> list[Html]:
        return [self.header(), self.basic(), self.conclusion(), self.budget(), self.indicators(), self.deviations(), self.findings(), self.official_form()]


def _key(attainment) -> str:
    return getattr(attainment, "value", attainment) or "unknown"


# ------------------------------------------------------------------ the year


def _to_unit(value: float | None, source: str, target: str) -> float | None:
    if value is None:
        return None
    factor = {"元": 1.0, "万元": 10000.0}
    return value * factor[source] / factor[target]


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


def _theme(name: str) -> str:
    for needle, theme in _SHARED_THEMES:
        if needle in name:
            return theme
    return re.sub(r"[（(].*?[)）]", "", name).strip()


# A per-project bar chart lists at most this many projects (half from each end of the order);
# above it the chart shows those and a distribution chart shows them all. Tables list every project.
CHART_PROJECTS = 30
# A table of one shared indicator lists at most this many rows (half from each end by ratio).
SHARED_ROWS = 20


def _extremes(results: Sequence, key, n: int = CHART_PROJECTS) -> list:
    """All results when there are at most n; else the n/2 highest and the n/2 lowest by key, highest first."""
    if len(results) <= n:
        return list(results)
    ordered = sorted(results, key=key, reverse=True)
    return ordered[: n // 2] + ordered[-(n - n // 2):]


def _distribution_figure(values: Sequence[float], xlabel: str, title: str, lines: Sequence[tuple[float, str]] = ()) -> "Figure":
    """A histogram of one figure per project (for portfolios too large for one bar per project)."""
    with plots.chart_style():
        fig = plots._figure(2.4)
        ax = fig.add_subplot()
        finite = [v for v in values if v is not None and math.isfinite(v)]
        ax.hist(finite, bins=min(40, max(5, len(set(round(v, 2) for v in finite)))), color=plots.COLORS["final"])
        for x, style in lines:
            ax.axvline(x, color="#424242", linewidth=1, linestyle=style)
        ax.set_xlabel(xlabel)
        ax.set_ylabel("项目数")
        ax.set_title(title)
        ax.grid(axis="x", visible=False)
        return fig


class AnnualReport:
    """The sections of the annual report for one year (REPORTS.md, annual)."""

    def __init__(self, evaluation, year: int | None = None):
        self.ev = evaluation
        self.profile = evaluation.profile
        years = sorted({r.form.year for r in evaluation.forms})
        self.year = int(year) if year is not None else (years[-1] if years else _dt.date.today().year)
        self.results = [r for r in evaluation.forms if r.form.year == self.year]
        ids = {r.form.id for r in self.results}
        self.all_findings = _sort_findings(f for f in evaluation.findings if f.form_id is None or f.form_id in ids)
        units = {r.form.unit for r in self.results}
        self.unit = units.pop() if len(units) == 1 else "元"

    @classmethod
    def open(cls, data_path: str | Path, year: int | None = None, profile: str | Path = "national") -> "AnnualReport":
        return cls(_evaluate(data_path, profile), year)

    @cached_property
    def implementer(self) -> str | None:
        names = {r.form.implementer for r in self.results}
        return names.pop() if len(names) == 1 else None

    @property
    def title(self) -> str:
        return annual_title(self.year, self.implementer)

    def _amount(self, result, field: str) -> float | None:
        return _to_unit(getattr(result.form.funds.total, field), result.form.unit, self.unit)

    def _sum(self, field: str) -> float:
        return sum(self._amount(r, field) or 0 for r in self.results)

    def header(self) -> Html:
        departments = sorted({r.form.department for r in self.results})
        return _render(
            "annual_header.html.j2",
            title=self.title,
            year=self.year,
            departments="、".join(departments),
            implementer=self.implementer or "多个实施单位",
            profile_label=self.profile.label,
            today=chinese_date(),
            n=len(self.results),
            executed=money(self._sum("executed"), self.unit),
            rate=pct(self._sum("executed") / self._sum("budget_final") * 100 if self._sum("budget_final") else None),
            counts=_counts_text(self.all_findings),
        )

    def overview(self) -> Html:
        initial, final, executed = self._sum("budget_initial"), self._sum("budget_final"), self._sum("executed")
        grades: dict[str, list[int]] = {}
        for r in self.results:
            row = grades.setdefault(r.grade or "—", [0, 0])
            row[0] += 1
        for r in self.results:
            grades.setdefault(r.grade_reported or "—", [0, 0])[1] += 1
        grade_rows = [{"grade": g, "recomputed": grades[g][0], "reported": grades[g][1]} for g in (*self.profile.grade_bands, "—") if g in grades]
        return _render(
            "annual_overview.html.j2",
            n=len(self.results),
            unit=self.unit,
            initial=amount(initial),
            final=amount(final),
            executed=amount(executed),
            change=amount(final - initial),
            rate=pct(executed / final * 100 if final else None),
            rate_initial=pct(executed / initial * 100 if initial else None),
            grade_rows=grade_rows,
            mixed_units=len({r.form.unit for r in self.results}) > 1,
        )

    def execution(self) -> Html:
        low = self.profile.low_execution_rate
        rows = []
        for r in self.results:
            rate = r.execution_rate
            cls = "hl-high" if rate is not None and rate > 100 + 1e-9 else "hl-low" if rate is not None and rate < low else ""
            mark = "▲ 超预算" if cls == "hl-high" else "▼ 低于 %g%%" % low if cls == "hl-low" else ""
            cut = r.cut_share
            rows.append(
                {
                    "id": r.form.id,
                    "name": r.form.name,
                    "unit": r.form.unit,
                    "initial": amount(r.form.funds.total.budget_initial),
                    "final": amount(r.form.funds.total.budget_final),
                    "executed": amount(r.form.funds.total.executed),
                    "rate": pct(rate),
                    "rate_reported": r.form.funds.total.execution_rate or "—",
                    "cls": cls,
                    "mark": mark,
                    "change": amount(None if r.form.funds.total.budget_initial is None or r.form.funds.total.budget_final is None else r.form.funds.total.budget_final - r.form.funds.total.budget_initial),
                    "cut": pct(cut * 100) if cut is not None else "—",
                    "big_cut": cut is not None and cut >= self.profile.large_cut_share,
                }
            )
        shown = _extremes(self.results, key=lambda r: -1e9 if r.execution_rate is None else r.execution_rate)
        names = [r.form.name for r in shown]
        rates = [r.execution_rate for r in shown]
        high = [r for r in self.results if r.execution_rate is not None and r.execution_rate > 100 + 1e-9]
        under = [r for r in self.results if r.execution_rate is not None and r.execution_rate < low]
        reading = f"读图：{len(self.results)} 个项目中，{len(high)} 个执行率超过 100%"
        if high:
            reading += "（" + "、".join(f"{r.form.name} {pct(r.execution_rate)}" for r in high) + "）"
        reading += f"，{len(under)} 个低于 {low:g}%。"
        rate_dist = None
        if len(shown) < len(self.results):
            reading += f"图中列出执行率最高和最低的各 {len(shown) // 2} 个项目，全部 {len(self.results)} 个项目见上表和下面的分布图。"
            rate_dist = _figure(
                _distribution_figure([r.execution_rate for r in self.results], f"执行率（%；虚线 = 100%，点线 = {low:g}%）",
                                     "各项目预算执行率分布", [(100, "--"), (low, ":")]),
                "执行率分布图",
                f"读图：{len(self.results)} 个项目执行率的分布（每个柱为一个区间内的项目数）。",
            )  # fmt: skip
        rate_chart = _figure(plots.execution_rate_chart(names, rates, low), "各项目执行率图", reading)
        cuts = [r for r in self.results if r.cut_share is not None and r.cut_share >= self.profile.large_cut_share]
        initial = [self._amount(r, "budget_initial") for r in self.results]
        final = [self._amount(r, "budget_final") for r in self.results]
        total_cut = sum(i or 0 for i in initial) - sum(f or 0 for f in final)
        def change(r) -> float:
            return abs((self._amount(r, "budget_final") or 0) - (self._amount(r, "budget_initial") or 0))

        changed = self.results if len(self.results) <= CHART_PROJECTS else sorted(self.results, key=change, reverse=True)[:CHART_PROJECTS]
        change_names = [r.form.name for r in changed]
        change_initial = [self._amount(r, "budget_initial") for r in changed]
        change_final = [self._amount(r, "budget_final") for r in changed]
        reading2 = f"读图：全年预算数合计比年初预算数{'减少' if total_cut >= 0 else '增加'} {money(abs(total_cut), self.unit)}；{len(cuts)} 个项目调减超过 {self.profile.large_cut_share * 100:g}%"
        if cuts:
            reading2 += "（" + "、".join(f"{r.form.name} {r.cut_share * 100:.2f}%" for r in cuts) + "）"
        if len(changed) < len(self.results):
            reading2 += f"；图中列出调整金额最大的 {len(changed)} 个项目，全部项目见上表"
        change_chart = _figure(plots.budget_change_chart(change_names, change_initial, change_final, self.unit), "年中预算调整图", reading2 + "。")
        return _render("annual_execution.html.j2", rows=rows, low=f"{low:g}", cut_line=f"{self.profile.large_cut_share * 100:g}", rate_chart=rate_chart, rate_dist=rate_dist, change_chart=change_chart)

    def attainment(self) -> Html:
        levels: dict[str, dict[str, int]] = {}
        for r in self.results:
            for item in r.indicators:
                row = levels.setdefault(canonical_level1(item.indicator.level1), {k: 0 for k in STATUS_ORDER})
                row[_key(item.attainment)] = row.get(_key(item.attainment), 0) + 1
        order = [k for k in dict.fromkeys((*self.profile.level1_order, *levels)) if k in levels]
        level_rows = [{"name": k, "counts": levels[k], "total": sum(levels[k].values())} for k in order]
        marks = _status_marks()
        chart = None
        if order:
            fig = plots.attainment_chart(order, [levels[k] for k in order], {k: f"{m.symbol} {m.label}" for k, m in marks.items()})
            total = sum(sum(v.values()) for v in levels.values())
            met = sum(v["met"] for v in levels.values())
            not_ok = [f"{k} {levels[k]['not_met'] + levels[k]['partly']} 个" for k in order if levels[k]["not_met"] + levels[k]["partly"]]
            reading = f"读图：{total} 个指标中 {met} 个达成（{met / total * 100:.1f}%）" + ("；未达成或部分达成：" + "、".join(not_ok) if not_ok else "；没有未达成或部分达成的指标") + "。"
            chart = _figure(fig, "各一级指标完成情况图", reading)
        rows = []
        for r in self.results:
            rows.append(
                {
                    "id": r.form.id,
                    "name": r.form.name,
                    "reported": points(r.score_reported),
                    "recomputed": points(r.score_recomputed),
                    "range": _range(r.score_low, r.score_high),
                    "diff": points(None if r.score_reported is None else r.score_reported - r.score_recomputed),
                    "differs": _differs(r.score_reported, r.score_recomputed),
                    "grade": r.grade or "—",
                    "grade_reported": r.grade_reported or "—",
                }
            )
        differing = [r for r in self.results if _differs(r.score_reported, r.score_recomputed)]
        reading = f"读图：{len(differing)} 个项目的自评总分与复核总分不同" + (
            "，差距最大的是 " + max(differing, key=lambda r: abs((r.score_reported or 0) - r.score_recomputed)).form.name if differing else ""
        ) + "。"

        def gap(r) -> float:
            return abs((r.score_reported if r.score_reported is not None else r.score_recomputed) - r.score_recomputed)

        shown = self.results if len(self.results) <= CHART_PROJECTS else sorted(self.results, key=gap, reverse=True)[:CHART_PROJECTS]
        score_dist = None
        if len(shown) < len(self.results):
            reading += f"图中列出差值最大的 {len(shown)} 个项目，全部项目见上表和下面的分布图。"
            score_dist = _figure(
                _distribution_figure([r.score_recomputed for r in self.results], "复核总分（分；竖线为等级界线 90 / 80 / 60）",
                                     "各项目复核总分分布", [(90, "--"), (80, "--"), (60, "--")]),
                "复核总分分布图",
                f"读图：{len(self.results)} 个项目复核总分的分布（每个柱为一个区间内的项目数）。",
            )  # fmt: skip
        names = [r.form.name for r in shown]
        score_chart = _figure(plots.score_comparison_chart(names, [r.score_reported for r in shown], [r.score_recomputed for r in shown]), "自评总分与复核总分图", reading)
        return _render("annual_attainment.html.j2", level_rows=level_rows, chart=chart, rows=rows, score_chart=score_chart, score_dist=score_dist)

    def quality(self) -> Html:
        profile = self.profile
        order = list(profile.level1_order)
        # counts by 一级/二级
        counts: dict[tuple[str, str], int] = {}
        qualitative = 0
        total = 0
        for r in self.results:
            for item in r.indicators:
                key = (canonical_level1(item.indicator.level1), item.indicator.level2)
                counts[key] = counts.get(key, 0) + 1
                total += 1
                qualitative += 0 if item.quantitative else 1
        level_keys = [k for k in dict.fromkeys((*order, *(k[0] for k in counts)))]
        count_rows = []
        for level in level_keys:
            subs = [(k[1], n) for k, n in counts.items() if k[0] == level]
            allowed = profile.allowed_level2.get(level, [])
            subs.sort(key=lambda s: allowed.index(s[0]) if s[0] in allowed else len(allowed))
            for i, (sub, n) in enumerate(subs):
                count_rows.append({"level1": level, "span": len(subs) if i == 0 else 0, "level2": sub, "n": n, "share": f"{n / total * 100:.1f}%" if total else "—"})
        # weight split
        parts = ["预算执行", *order]
        default = [profile.budget_weight] + [profile.level1_split.get(k, 0) for k in order]
        splits = []
        split_rows = []
        for r in self.results:
            scores = r.level1_scores()
            split = [r.budget_weight] + [scores.get(k, {}).get("weight", 0) for k in order]
            splits.append(split)
            split_rows.append({"name": r.form.name, "values": [_weight(v) for v in split], "differs": [abs(a - b) > 1e-9 for a, b in zip(split, default)]})
        off = sum(1 for row in split_rows if any(row["differs"]))
        split_chart = None
        if self.results:
            chart_names, chart_splits = [r.form.name for r in self.results], splits
            reading = f"读图：{len(self.results)} 个项目中 {off} 个的分值结构偏离默认的 {'/'.join(_weight(v) for v in default)}。"
            if len(self.results) > CHART_PROJECTS:  # the projects furthest from the default split
                distance = [sum(abs(a - b) for a, b in zip(split, default)) for split in splits]
                keep = sorted(range(len(splits)), key=lambda k: -distance[k])[:CHART_PROJECTS]
                keep = sorted(k for k in keep if distance[k] > 1e-9)
                chart_names, chart_splits = [chart_names[k] for k in keep], [splits[k] for k in keep]
                reading += f"图中列出偏离默认最多的 {len(keep)} 个项目，全部项目见上表。"
            split_chart = _figure(plots.weight_split_chart(chart_names, chart_splits, parts, default), "分值结构图", reading)
        # ambition
        quant = [(r, i) for r in self.results for i in r.indicators if i.ratio is not None and i.ratio > 0 and math.isfinite(i.ratio)]
        dist_chart = None
        over = profile.overachievement_note_ratio
        if quant:
            higher = [not _is_lower(i) for _, i in quant]
            n_over = sum(1 for (_, i), h in zip(quant, higher) if h and i.ratio >= over)
            n_loose = sum(1 for (_, i), h in zip(quant, higher) if not h and i.ratio <= profile.loose_limit_ratio)
            dist_chart = _figure(
                plots.ratio_distribution_chart([i.ratio for _, i in quant], higher),
                "定量指标完成倍数分布图",
                f"读图：{len(quant)} 个可计算倍数的定量指标中，{n_over} 个越高越好的指标超过指标值 {over:g} 倍，{n_loose} 个越低越好的指标不到限值的 {profile.loose_limit_ratio * 100:g}%。",
            )
        top = sorted(((r, i) for r, i in quant if not _is_lower(i)), key=lambda p: -p[1].ratio)[:10]
        top_rows = [self._indicator_row(r, i) for r, i in top if i.ratio >= 1]
        loose = sorted(((r, i) for r, i in quant if _is_lower(i) and i.ratio <= profile.loose_limit_ratio), key=lambda p: p[1].ratio)
        zero_limits = [(r, i) for r in self.results for i in r.indicators if _is_lower(i) and i.ratio == 0]
        loose_rows = [self._indicator_row(r, i) for r, i in [*loose, *zero_limits]]
        # shared indicators
        themes: dict[str, list] = {}
        for r in self.results:
            for i in r.indicators:
                themes.setdefault(_theme(i.indicator.name), []).append((r, i))
        shared = []
        for theme, members in themes.items():
            if len({r.form.id for r, _ in members}) >= 2:
                note = ""
                if len(members) > SHARED_ROWS:  # a large portfolio: the extremes, and how the rest are spread
                    ratios = [i.ratio for _, i in members if i.ratio is not None and math.isfinite(i.ratio)]
                    counts = {k: sum(1 for _, i in members if _key(i.attainment) == k) for k in STATUS_ORDER}
                    marks = _status_marks()
                    note = f"共 {len(members)} 个指标（{len({r.form.id for r, _ in members})} 个项目）：" + "、".join(
                        f"{marks[k].label} {n}" for k, n in counts.items() if n
                    )
                    if ratios:
                        ratios.sort()
                        note += f"；倍数中位数 {ratio_text(ratios[len(ratios) // 2])}，最低 {ratio_text(ratios[0])}，最高 {ratio_text(ratios[-1])}"
                    note += f"。下表列出倍数最高和最低的各 {SHARED_ROWS // 2} 个。"
                    members = _extremes(members, key=lambda m: m[1].ratio if m[1].ratio is not None and math.isfinite(m[1].ratio) else -1e9, n=SHARED_ROWS)
                shared.append({"theme": theme, "rows": [self._indicator_row(r, i) for r, i in members], "note": note, "n": len(themes[theme])})
        shared.sort(key=lambda s: -s["n"])
        return _render(
            "annual_quality.html.j2",
            count_rows=count_rows,
            total=total,
            qualitative=qualitative,
            qualitative_share=f"{qualitative / total * 100:.1f}%" if total else "—",
            parts=parts,
            default=[_weight(v) for v in default],
            split_rows=split_rows,
            split_chart=split_chart,
            dist_chart=dist_chart,
            top_rows=top_rows,
            loose_rows=loose_rows,
            over=f"{over:g}",
            loose_pct=f"{profile.loose_limit_ratio * 100:g}%",
            shared=shared,
        )

    def _indicator_row(self, result, item) -> dict:
        ind = item.indicator
        return {
            "id": result.form.id,
            "project": result.form.name,
            "name": ind.name,
            "level2": ind.level2,
            "target": ind.target,
            "actual": ind.actual,
            "ratio": ratio_text(item.ratio),
            "attainment": _key(item.attainment),
            "weight": _weight(ind.weight),
            "score": points(item.score_reported),
        }

    def findings(self) -> Html:
        codes: dict[str, dict] = {}
        for f in self.all_findings:
            row = codes.setdefault(f.code, {"code": f.code, "title": f.title, "severity": f.severity, "n": 0, "projects": set()})
            row["n"] += 1
            if f.form_name:
                row["projects"].add(f.form_name)
        code_rows = sorted(codes.values(), key=lambda r: (SEVERITY_ORDER.index(r["severity"]) if r["severity"] in SEVERITY_ORDER else 9, -r["n"], r["code"]))
        for row in code_rows:
            row["projects"] = len(row["projects"])
        portfolio = [f for f in self.all_findings if f.form_id is None]
        by_project = []
        for r in self.results:
            items = _sort_findings(f for f in self.all_findings if f.form_id == r.form.id)
            by_project.append({"id": r.form.id, "name": r.form.name, "findings": items, "counts": _counts_text(items)})
        return _render("annual_findings.html.j2", code_rows=code_rows, portfolio=portfolio, by_project=by_project)

    def ranking(self, link_suffix: str = ".html") -> Html:
        ranked = sorted(self.results, key=lambda r: (-r.score_recomputed, -(r.execution_rate or 0), r.form.name))
        rows = []
        for k, r in enumerate(ranked, 1):
            rows.append(
                {
                    "rank": k,
                    "href": f"{r.form.id}{link_suffix}",
                    "name": r.form.name,
                    "recomputed": points(r.score_recomputed),
                    "reported": points(r.score_reported),
                    "diff": points(None if r.score_reported is None else r.score_reported - r.score_recomputed),
                    "differs": _differs(r.score_reported, r.score_recomputed),
                    "grade": r.grade or "—",
                    "rate": pct(r.execution_rate),
                    "executed": money(r.form.funds.total.executed, r.form.unit),
                    "errors": sum(1 for f in r.findings if f.severity == "error"),
                    "warnings": sum(1 for f in r.findings if f.severity == "warning"),
                    "infos": sum(1 for f in r.findings if f.severity == "info"),
                }
            )
        return _render("annual_ranking.html.j2", rows=rows)

    def sections(self) -> list[Html]:
        return [self.header(), self.overview(), self.execution(), self.attainment(), self.quality(), self.findings(), self.ranking()]


# ------------------------------------------------------------------ the index page


def _css() -> str:
    return (Path(__file__).parent / "templates" / "report.css").read_text(encoding="utf-8")


def render_index(title: str, entries: Sequence[dict], annual: Sequence[dict], summary: dict) -> str:
    """The build's index.html: a summary table linking every report, with build errors.

    entries: dicts with id, name, href (None when the report failed), error, score_reported,
    score_recomputed, grade, rate, findings (counts text); annual: dicts with name, href, error.
    Optional `earlier` (a date): the report failed and href is its page from an earlier build.
    """
    return _ENV.get_template("index.html.j2").render(
        title=title, entries=entries, annual=annual, summary=summary, css=Markup(_css()), today=chinese_date(),
        STATUS=_status_marks(), SEVERITY=_severity_marks(), STATUS_ORDER=STATUS_ORDER,
    )
