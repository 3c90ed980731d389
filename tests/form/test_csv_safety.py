"""Exports that a spreadsheet opens: no text cell runs as a formula (CSV and xlsx, issue 15)."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
import yaml
from click.testing import CliRunner

from selfeval_kit.cli import main
from selfeval_kit.form.export import csv_cell, to_csv
from selfeval_kit.form.loading import load
from tests.conftest import DATA_2022, FIXTURES

HYPERLINK = '=HYPERLINK("http://example.com/x","点击")'


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=200人", "'=200人"),  # the forms' own targets: readable behind the quote
        ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
        ("+1+2", "'+1+2"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("200人", "200人"),
        (">=90%", ">=90%"),
        ("＝200人", "＝200人"),  # full-width: not a formula in any spreadsheet
        ("'=1", "'=1"),  # starts with the quote itself
        ("a=b", "a=b"),
        ("", ""),
        (-5, -5),  # numbers are decided by their type: they stay numbers
        (-0.5, -0.5),
        (0, 0),
        (None, None),
    ],
)
def test_csv_cell_neutralises_text_that_would_run_as_a_formula(value, written):
    assert csv_cell(value) == written


def _rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def test_every_text_column_is_neutralised_and_numbers_are_not():
    form = load(FIXTURES / "minimal.yaml")["minimal"]
    first = form.indicators[0].model_copy(
        update={"level1": "+产出", "level2": "@数量", "name": "-场次", "actual": "\t8场", "deviation_note": "=1+1"}
    )
    hostile = form.model_copy(update={"name": HYPERLINK, "indicators": [first, *form.indicators[1:]]})
    row = _rows(to_csv([hostile], header="en"))[0]
    assert row == {
        "form_id": "minimal",
        "form_name": "'" + HYPERLINK,
        "level1": "'+产出",
        "level2": "'@数量",
        "name": "'-场次",
        "target": ">=10场",
        "actual": "'\t8场",
        "weight": "30",
        "score": "24",
        "deviation_note": "'=1+1",
    }


def test_the_cli_csv_of_2022_shows_the_targets_behind_a_quote(tmp_path):
    out = tmp_path / "forms.csv"
    result = CliRunner().invoke(
        main, ["export", str(DATA_2022), "--format", "csv", "--header", "en", "--out", str(out)]
    )
    assert result.exit_code == 0
    rows = _rows(out.read_bytes().decode("utf-8-sig"))
    targets = [r["target"] for r in rows if r["target"].lstrip("'").startswith("=")]
    assert targets and all(t.startswith("'=") for t in targets)
    # 28 targets of the 2022 forms start with "=": the only cells the neutralisation changes.
    assert len(targets) == 28
    assert not any(value.startswith(("=", "+", "-", "@")) for r in rows for value in r.values())


def test_a_formula_like_name_round_trips_through_xlsx_as_text(tmp_path):
    data = yaml.safe_load((FIXTURES / "minimal.yaml").read_text(encoding="utf-8"))
    data["name"] = HYPERLINK
    data["indicators"][0]["target"] = "#N/A"  # an Excel error code as text stays text
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "minimal.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    book = tmp_path / "forms.xlsx"
    runner = CliRunner()
    assert runner.invoke(main, ["export", str(tmp_path / "in"), "--format", "xlsx", "--out", str(book)]).exit_code == 0
    cell = openpyxl.load_workbook(book)["minimal"]["C3"]
    assert (cell.value, cell.data_type, cell.quotePrefix) == (HYPERLINK, "s", True)
    result = runner.invoke(main, ["import", str(book), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    back = load(tmp_path / "out" / "minimal.yaml")["minimal"]
    assert (back.name, back.indicators[0].target) == (HYPERLINK, "#N/A")
