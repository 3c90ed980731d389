"""A notebook that only opens a report and shows its sections: a recipe, run without the shell, to the same notebook."""

from __future__ import annotations

import time
import warnings
from pathlib import Path

import nbformat
import pytest

from selfeval_kit.publish import inprocess, recipe
from selfeval_kit.publish.inprocess import NotebookError
from selfeval_kit.report.annual import AnnualReport
from selfeval_kit.report.html import Html
from selfeval_kit.report.project import ProjectReport
from tests.report_build import FIXTURE_DATA

NOTEBOOKS = Path(inprocess.__file__).resolve().parent / "notebooks"
PROJECT = {"data_path": str(FIXTURE_DATA), "form_id": "hotline-system-ops", "profile": "national"}
ANNUAL = {"data_path": str(FIXTURE_DATA), "year": 2022, "profile": "national"}


_OPEN = ["from selfeval_kit.report import ProjectReport", "rep = ProjectReport.open('d', 'x')"]


def _nb(*sources: str):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# 说明"), *map(nbformat.v4.new_code_cell, sources)]
    return nb


def _shown(plan: recipe.Recipe) -> list:
    return [(s.shows.method, s.shows.args, s.shows.kwargs) for s in plan.steps if s.shows is not None]


@pytest.mark.parametrize(
    ("name", "parameters", "cls"),
    [("project_report.ipynb", PROJECT, ProjectReport), ("annual_report.ipynb", ANNUAL, AnnualReport)],
)
def test_a_bundled_notebook_is_a_recipe_of_every_section_in_order(name, parameters, cls):
    nb = inprocess._read(NOTEBOOKS / name)
    inprocess.inject_parameters(nb, parameters)
    plan = recipe.read(nb)
    assert plan is not None
    [opened] = [c for s in plan.steps for c in s.opens]
    assert (opened.receiver, opened.method) == (cls, "open")
    assert opened.args == tuple(parameters.values())  # the injected values, not the notebook's defaults
    assert [m for m, _, _ in _shown(plan)] == list(cls.SECTIONS)
    assert _shown(plan)[-2 if cls is ProjectReport else -1] == ("opinion", (None, None, None), ())


@pytest.mark.parametrize(
    ("cells", "shown"),
    [
        (["from selfeval_kit.report import ProjectReport as P", "r = P.open('d', 'x')", "r.budget()"], ["budget"]),
        (
            ["from selfeval_kit.report import ProjectReport\nrep = ProjectReport.open('d', 'x')\nrep.header()"],
            ["header"],
        ),
        (
            [
                "who = '张三'",
                "from selfeval_kit.report import ProjectReport",
                "rep = ProjectReport.open('d', 'x')",
                "rep.opinion(who, date='2023-03-01')  # 七",
            ],
            ["opinion"],
        ),
        (
            [
                "from selfeval_kit.report import ProjectReport",
                "rep = ProjectReport.open('d', 'x')",
                "rep.findings()",
                "rep.header()",
                "rep.findings()",
            ],
            ["findings", "header", "findings"],
        ),
        (["a = b = 1", "c = [1, {'k': (2, None)}]"], []),
        ([*_OPEN, "rep.header()  # 标题\n\n"], ["header"]),
    ],
)
def test_a_recipe_may_alias_reorder_repeat_and_pass_literals(cells, shown):
    plan = recipe.read(_nb(*cells))
    assert plan is not None
    assert [m for m, _, _ in _shown(plan)] == shown
    assert [s.index for s in plan.steps] == list(range(1, len(cells) + 1))  # after the markdown cell


@pytest.mark.parametrize(
    "cell",
    [
        "rep.header();",  # IPython shows nothing
        "%time rep.header()",
        "print(rep.title)",
        "rep.funds_chart()",  # a method, not one of SECTIONS
        "rep.opinion(nobody)",  # a name bound to nothing
        "rep.opinion(*names)",
        "rep.opinion(**names)",
        "rep.opinion(rep)",  # the report is no literal
        "rep.header().markup",
        "import os",
        "x = 1 + len('a')",
        "rep = ProjectReport(None, 'x')",
        "other.header()",
        "rep.header()\nrep.basic()\nx = 1",  # an expression not last
        "",
        "def f():\n    pass",
    ],
)
def test_any_other_statement_makes_the_notebook_no_recipe(cell):
    assert recipe.read(_nb(*_OPEN, cell)) is None


@pytest.mark.parametrize(
    "cells",
    [
        ["from selfeval_kit.report import Html", "h = Html.open('d', 'x')"],  # no report class
        ["from selfeval_kit.report.project import ProjectReport", "rep = ProjectReport.open('d', 'x')"],
        ["from os import path"],
        ["rep = ProjectReport.open('d', 'x')"],  # never imported
        [*_OPEN, "rep = 1", "rep.header()"],  # rebound to a literal
    ],
)
def test_only_an_imported_report_class_opens_a_recipes_report(cells):
    assert recipe.read(_nb(*cells)) is None


def _executed(name: str, parameters: dict, recipes: bool) -> str:
    return nbformat.writes(inprocess.execute(NOTEBOOKS / name, parameters, recipes=recipes))


@pytest.mark.parametrize(("name", "parameters"), [("project_report.ipynb", PROJECT), ("annual_report.ipynb", ANNUAL)])
def test_a_recipe_gives_the_notebook_the_shell_gives_byte_for_byte(name, parameters):
    shell = _executed(name, parameters, recipes=False)
    assert _executed(name, parameters, recipes=True) == shell
    assert shell.count('"execute_result"') == len(
        ProjectReport.SECTIONS if "project" in name else AnnualReport.SECTIONS
    )


def test_a_recipe_runs_without_the_shell(monkeypatch):
    def refuse(*args):
        raise AssertionError("the shell ran a cell")

    monkeypatch.setattr(inprocess, "_run_cell", refuse)
    nb = inprocess.execute(NOTEBOOKS / "project_report.ipynb", PROJECT)
    assert [c.execution_count for c in nb.cells if c.cell_type == "code"] == list(range(1, 13))


def test_an_html_result_is_what_the_shells_formatters_make_of_it():
    shell = inprocess._shell()
    section = Html("<p>绩效</p>")
    data, metadata = shell.display_formatter.format(section)
    result = inprocess._result(shell, section, 4)
    assert (result.data, result.metadata, result.execution_count) == (data, metadata, 4)
    assert sorted(data) == ["text/html", "text/plain"]


def _noisy(monkeypatch, noise):
    original = ProjectReport.budget
    calls = []

    def budget(self):
        calls.append(1)
        noise()
        return original(self)

    monkeypatch.setattr(ProjectReport, "budget", budget)
    return calls


@pytest.mark.parametrize(
    ("noise", "text"),
    [
        # under pytest a warning is recorded, not written (tests/publish/test_inprocess.py shows one on stderr)
        (lambda: warnings.warn("口径不一致", UserWarning, stacklevel=1), None),
        (lambda: print("提示"), '"提示\\n"'),
        (lambda: __import__("sys").stderr.write("警告\n"), '"警告\\n"'),
    ],
    ids=["warning", "stdout", "stderr"],
)
def test_a_section_that_warns_or_writes_runs_in_the_shell_as_it_would(monkeypatch, noise, text):
    calls = _noisy(monkeypatch, noise)
    with warnings.catch_warnings(record=True):  # what the shell warns, kept out of pytest's summary
        warnings.simplefilter("always")
        by_recipe = _executed("project_report.ipynb", PROJECT, recipes=True)
        assert len(calls) == 2  # the recipe's call, then the shell's
        assert by_recipe == _executed("project_report.ipynb", PROJECT, recipes=False)
    assert text is None or text in by_recipe


def test_a_section_that_raises_fails_the_report_as_in_the_shell(monkeypatch):
    _noisy(monkeypatch, lambda: 1 / 0)
    with pytest.raises(NotebookError) as by_recipe:
        inprocess.execute(NOTEBOOKS / "project_report.ipynb", PROJECT)
    with pytest.raises(NotebookError) as by_shell:
        inprocess.execute(NOTEBOOKS / "project_report.ipynb", PROJECT, recipes=False)
    assert (by_recipe.value.ename, by_recipe.value.evalue, by_recipe.value.exec_count) == (
        "ZeroDivisionError",
        "division by zero",
        7,  # parameters, injected, open, header, basic, conclusion, budget
    )
    assert str(by_recipe.value) == str(by_shell.value) and by_recipe.value.exec_count == by_shell.value.exec_count


def test_a_section_past_the_timeout_fails_once_naming_its_cell(monkeypatch):
    calls = _noisy(monkeypatch, lambda: time.sleep(5))
    with pytest.raises(NotebookError) as failed:
        inprocess.execute(NOTEBOOKS / "project_report.ipynb", PROJECT, timeout=0.2)
    assert (failed.value.ename, failed.value.exec_count) == ("TimeoutError", 7)
    assert "单元格运行超时" in failed.value.evalue
    assert calls == [1]  # not run again in the shell
