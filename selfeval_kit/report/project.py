"""The sections of one project's report, as HTML (docs/reports.md, the per-project report).

    rep = ProjectReport.open("data/2022", "hotline-system-ops", profile="national")
    rep.header(); rep.basic(); rep.conclusion(); rep.budget(); rep.indicators()
    rep.deviations(); rep.findings(); rep.opinion(); rep.official_form()

What a section says (its rows, sentences and chart readings) is `selfeval_kit.views.project`;
here it is rendered by its template and its charts are drawn.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from selfeval_kit.report import bars
from selfeval_kit.report.cache import open_evaluation
from selfeval_kit.report.html import Html, render
from selfeval_kit.report.official import official_form
from selfeval_kit.report.svg import Picture, svg_picture
from selfeval_kit.rules.evaluation import Evaluation
from selfeval_kit.views import project as view
from selfeval_kit.views.formatting import chinese_date, project_title
from selfeval_kit.views.marks import sort_findings
from selfeval_kit.views.opinion import Signature, project_opinion

__all__ = ["ProjectReport"]


class ProjectReport:
    """The sections of one project's report.

    Each section method returns an `Html` that Jupyter displays; `sections()` gives them all in
    the report's order. Formats follow docs/reports.md: money with thousands separators in the
    form's unit, rates as percentages with two decimals, dates in Chinese, a colour always with a
    symbol and a word.

    Parameters
    ----------
    evaluation
        The evaluation of a portfolio (`selfeval_kit.rules.evaluation.evaluate`).
    form_id
        The id of the form to report on.

    Raises
    ------
    KeyError
        No form of the evaluation has this id.

    Attributes
    ----------
    ev
        The evaluation.
    result
        The form's `FormResult`.
    form
        The form.
    profile
        The rules profile of the evaluation.
    """

    #: The section methods, in the report's order: each returns an `Html`, called without arguments
    #: shows the section as the report has it (`sections`).
    SECTIONS: ClassVar[tuple[str, ...]] = (
        "header",
        "basic",
        "conclusion",
        "budget",
        "indicators",
        "deviations",
        "findings",
        "opinion",
        "official_form",
    )

    def __init__(self, evaluation: Evaluation, form_id: str):
        self.ev = evaluation
        self.result = evaluation.form(form_id)
        self.form = self.result.form
        self.profile = evaluation.profile

    @classmethod
    def open(cls, data_path: str | Path, form_id: str, profile: str | Path = "national") -> ProjectReport:
        """Load the forms at a data path, evaluate them with a profile, and pick one form.

        Parameters
        ----------
        data_path
            A folder of form files or one form file (relative paths also from the parent folder,
            as in a notebook of ``notebooks/``).
        form_id
            The form to report on.
        profile
            A built-in profile's name or the path of a profile file.

        Returns
        -------
        ProjectReport
            Its evaluation is shared with the previous report opened on the same unchanged files
            and profile (`selfeval_kit.report.cache`).

        Raises
        ------
        DataError
            The forms do not load.
        ProfileError
            The profile is unknown or invalid.
        KeyError
            No form has this id.
        """
        return cls(open_evaluation(data_path, profile), form_id)

    @property
    def title(self) -> str:
        """The report's title, also the HTML <title>."""
        return project_title(self.form)

    @property
    def unit(self) -> str:
        """The form's unit of money (元 or 万元)."""
        return self.form.unit

    # -- header, 一、二

    def header(self) -> Html:
        """The title block: form, profile, date, reported and recomputed totals, grade, rate, finding counts."""
        return render("project_header.html.j2", today=chinese_date(), **view.header(self.result))

    def funds_sentence(self) -> str:
        """The funds in one sentence (`selfeval_kit.views.project.funds_sentence`)."""
        return view.funds_sentence(self.result)

    def change_sentence(self) -> str:
        """The mid-year budget change in one sentence (`selfeval_kit.views.project.change_sentence`)."""
        return view.change_sentence(self.result)

    def basic(self) -> Html:
        """一、基本情况: the project, its units and its funds."""
        return render("project_basic.html.j2", **view.basic(self.result))

    def conclusion(self) -> Html:
        """二、综合评价结论: scores by 一级指标, reported against recomputed, the grade and the summary."""
        return render("project_conclusion.html.j2", **view.conclusion(self.result))

    # -- 三、预算执行情况

    def funds_chart(self) -> Picture:
        """The chart of initial and final budget and execution per funds row, with its reading."""
        data = view.funds_chart(self.result)
        chart = bars.funds_chart(data.rows, data.unit)
        return svg_picture(chart, "项目资金图：年初预算数、全年预算数与全年执行数", data.reading)

    def budget(self) -> Html:
        """三、预算执行情况: the funds table, rate and budget-score checks, the chart, budget findings."""
        return render("project_budget.html.j2", chart=self.funds_chart(), **view.budget(self.result))

    # -- 四、绩效指标完成情况

    def level1_chart(self) -> Picture:
        """The chart of weights and scores by 一级指标 against the default split, with its reading."""
        d = view.level1_chart(self.result)
        chart = bars.level1_score_chart(d.levels, d.weights, d.default, d.reported, d.recomputed, title=d.title)
        return svg_picture(chart, "各一级指标分值与得分图", d.reading)

    def ratio_chart(self) -> Picture | None:
        """The actual/target chart of the quantitative indicators, or None when none has a ratio."""
        d = view.ratio_chart(self.result)
        if d is None:
            return None
        return svg_picture(bars.ratio_chart(d.names, d.ratios, d.lower_is_better), "定量指标完成倍数图", d.reading)

    def indicators(self) -> Html:
        """四、绩效指标完成情况: the indicators by 一级指标, the annual goal, the two charts."""
        context: dict[str, Any] = view.indicators(self.result)
        return render(
            "project_indicators.html.j2", level1_chart=self.level1_chart(), ratio_chart=self.ratio_chart(), **context
        )

    # -- 五、六、附

    def deviation_rows(self) -> list[dict]:
        """The indicators section 五 explains (`selfeval_kit.views.project.deviation_rows`)."""
        return view.deviation_rows(self.result)

    def deviations(self) -> Html:
        """五、偏离绩效目标的原因和改进措施: indicators not met, unknown, or met far beyond the target."""
        return render("project_deviations.html.j2", **view.deviations(self.result))

    def findings(self) -> Html:
        """六、复核发现: the form's findings, errors first."""
        return render("project_findings.html.j2", findings=sort_findings(self.result.findings))

    def opinion(self, reviewer: str | None = None, unit: str | None = None, date: str | None = None) -> Html:
        """七、复核意见: the three scores, the conclusion, the deductions and the reviewer's block.

        Parameters
        ----------
        reviewer, unit, date
            The reviewer's name, unit and date (an ISO date prints in Chinese); None leaves a
            line to sign.
        """
        signature = Signature(name=reviewer, unit=unit, date=date)
        return render("project_opinion.html.j2", **project_opinion(self.result, signature))

    def official_form(self) -> Html:
        """附：绩效自评表: the form as the official table."""
        return official_form(self.form)

    def sections(self) -> list[Html]:
        """Every section in the report's order, header first, the official form last."""
        return [getattr(self, name)() for name in self.SECTIONS]
