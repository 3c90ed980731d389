"""The sections of the annual report for one year, as HTML (docs/reports.md, the annual report).

    ann = AnnualReport.open("data/2022", year=2022)
    ann.header(); ann.overview(); ann.execution(); ann.attainment(); ann.quality()
    ann.findings(); ann.ranking(); ann.opinion()

What a section says (its rows, sentences and chart readings) is `selfeval_kit.views.annual` and
`selfeval_kit.views.quality`; here it is rendered by its template and its charts are drawn.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from selfeval_kit.report import bars
from selfeval_kit.report.cache import open_evaluation
from selfeval_kit.report.html import Html, render
from selfeval_kit.report.svg import Picture, svg_picture
from selfeval_kit.rules.evaluation import Evaluation
from selfeval_kit.rules.scoring import FormResult
from selfeval_kit.views import annual as annual_view
from selfeval_kit.views import quality
from selfeval_kit.views.formatting import chinese_date
from selfeval_kit.views.opinion import Signature, annual_opinion

__all__ = ["AnnualReport"]


def _distribution(d: annual_view.Distribution | None, alt: str) -> Picture | None:
    if d is None:
        return None
    return svg_picture(bars.distribution_chart(d.values, d.xlabel, d.title, d.lines), alt, d.caption)


def _same(names: list[str], values: list[float | None], sentence: str) -> str | None:
    """The sentence that replaces a chart whose values are all the same (nothing to compare), else None."""
    common = bars.all_equal(values)
    return None if common is None else sentence.format(n=len(names), v=common)


class AnnualReport:
    """The sections of the annual report for one year of a portfolio.

    Each section method returns an `Html` that Jupyter displays; `sections()` gives them all in
    the report's order. Totals are in the forms' unit when they share one, else in 元.

    Parameters
    ----------
    evaluation
        The evaluation of a portfolio (`selfeval_kit.rules.evaluation.evaluate`).
    year
        The year to report on; None: the latest year of the portfolio.

    Attributes
    ----------
    ev
        The evaluation.
    selection
        The year's forms and findings (`selfeval_kit.views.annual.Year`), what the sections read.
    profile
        Its rules profile.
    year
        The year reported on.
    results
        The `FormResult` of each form of that year.
    all_findings
        Their findings and the portfolio's, errors first.
    unit
        The unit of the totals.
    """

    #: The section methods, in the report's order: each returns an `Html`, called without arguments
    #: shows the section as the report has it (`sections`).
    SECTIONS: ClassVar[tuple[str, ...]] = (
        "header",
        "overview",
        "execution",
        "attainment",
        "quality",
        "findings",
        "ranking",
        "opinion",
    )

    def __init__(self, evaluation: Evaluation, year: int | None = None):
        self.ev = evaluation
        self.selection = annual_view.Year.of(evaluation, year)
        self.profile = evaluation.profile
        self.year = self.selection.year
        self.results: list[FormResult] = self.selection.results
        self.all_findings = self.selection.findings
        self.unit = self.selection.unit

    @classmethod
    def open(cls, data_path: str | Path, year: int | None = None, profile: str | Path = "national") -> AnnualReport:
        """Load the forms at a data path, evaluate them with a profile, and pick one year.

        Parameters
        ----------
        data_path
            A folder of form files (relative paths also from the parent folder, as in a
            notebook of ``notebooks/``).
        year
            The year to report on; None: the latest year in the data.
        profile
            A built-in profile's name or the path of a profile file.

        Returns
        -------
        AnnualReport
            Its evaluation is shared with the previous report opened on the same unchanged files
            and profile (`selfeval_kit.report.cache`).

        Raises
        ------
        DataError
            The forms do not load.
        ProfileError
            The profile is unknown or invalid.
        """
        return cls(open_evaluation(data_path, profile), year)

    @property
    def implementer(self) -> str | None:
        """The implementing unit when all the year's forms share one, else None."""
        return self.selection.implementer

    @property
    def title(self) -> str:
        """The report's title, also the HTML <title>."""
        return self.selection.title

    def header(self) -> Html:
        """The title block: year, departments, implementer, profile, date, totals, finding counts."""
        return render("annual_header.html.j2", today=chinese_date(), **annual_view.header(self.selection))

    def overview(self) -> Html:
        """一、总体情况: budget totals and rates, grades recomputed against reported."""
        return render("annual_overview.html.j2", **annual_view.overview(self.selection))

    def execution(self) -> Html:
        """二、预算执行分析: execution rate and mid-year change per project, with their charts."""
        rate, change = annual_view.rate_chart(self.selection), annual_view.change_chart(self.selection)
        rate_note = _same(rate.names, list(rate.rates), "{n} 个项目的执行率均为 {v:.2f}%，不作图。")
        rate_chart = None
        if rate_note is None:
            rate_fig = bars.execution_rate_chart(rate.names, rate.rates, rate.low)
            rate_chart = svg_picture(rate_fig, "各项目执行率图", rate.reading)
        change_fig = bars.budget_change_chart(change.names, change.initial, change.final, change.unit)
        return render(
            "annual_execution.html.j2",
            rate_chart=rate_chart,
            rate_note=rate_note,
            rate_dist=_distribution(rate.distribution, "执行率分布图"),
            change_chart=svg_picture(change_fig, "年中预算调整图", change.reading),
            **annual_view.execution(self.selection),
        )

    def attainment(self) -> Html:
        """三、绩效目标完成情况: statuses by 一级指标, reported against recomputed totals, with charts."""
        level, score = annual_view.attainment_chart(self.selection), annual_view.score_chart(self.selection)
        chart = None
        if level is not None:
            level_fig = bars.attainment_chart(level.levels, level.counts, level.labels)
            chart = svg_picture(level_fig, "各一级指标完成情况图", level.reading)
        sentence = "{n} 个项目的自评总分与复核重算总分均为 {v:.2f} 分，不作图。"
        score_note = _same(score.names, [*score.reported, *score.recomputed], sentence)
        score_chart = None
        if score_note is None:
            score_fig = bars.score_comparison_chart(score.names, score.reported, score.recomputed)
            score_chart = svg_picture(score_fig, "自评总分与复核总分图", score.reading)
        return render(
            "annual_attainment.html.j2",
            chart=chart,
            score_chart=score_chart,
            score_note=score_note,
            score_dist=_distribution(score.distribution, "复核总分分布图"),
            **annual_view.attainment(self.selection),
        )

    def quality(self) -> Html:
        """四、指标设置质量: indicator counts, point splits, target ambition, shared indicators."""
        split, ratios = quality.split_chart(self.selection), quality.ratio_distribution(self.selection)
        split_chart = dist_chart = None
        if split is not None:
            split_fig = bars.weight_split_chart(split.names, split.splits, split.parts, split.default)
            split_chart = svg_picture(split_fig, "分值结构图", split.reading)
        if ratios is not None:
            ratio_fig = bars.ratio_distribution_chart(ratios.ratios, ratios.higher)
            dist_chart = svg_picture(ratio_fig, "定量指标完成倍数分布图", ratios.reading)
        return render(
            "annual_quality.html.j2", split_chart=split_chart, dist_chart=dist_chart, **quality.quality(self.selection)
        )

    def findings(self) -> Html:
        """五、复核发现汇总: findings by code, the portfolio's, and each project's."""
        return render("annual_findings.html.j2", **annual_view.findings(self.selection))

    def ranking(self, link_suffix: str = ".html") -> Html:
        """六、项目排名与对比: the projects by recomputed total, each linking its report.

        Parameters
        ----------
        link_suffix
            Appended to a form's id to make the link to its report.
        """
        return render("annual_ranking.html.j2", rows=annual_view.ranking(self.selection, link_suffix))

    def opinion(self, reviewer: str | None = None, unit: str | None = None, date: str | None = None) -> Html:
        """七、复核意见: each project's three scores, the year's conclusion, the reviewer's block.

        Parameters
        ----------
        reviewer, unit, date
            The reviewer's name, unit and date (an ISO date prints in Chinese); None leaves a
            line to sign.
        """
        portfolio = [f for f in self.all_findings if f.form_id is None]
        signature = Signature(name=reviewer, unit=unit, date=date)
        return render("annual_opinion.html.j2", **annual_opinion(self.results, portfolio, signature))

    def sections(self) -> list[Html]:
        """Every section in the report's order, header first."""
        return [getattr(self, name)() for name in self.SECTIONS]
