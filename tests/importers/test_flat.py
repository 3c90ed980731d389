"""Flat tables (one header row, one row per indicator) on any adapter's table, and workbooks that
mix them with sheets of the official layout, through `read_source`."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from selfeval_kit.importers import flat
from selfeval_kit.importers.cells import Cell, Table
from selfeval_kit.importers.source import read_source

HEADER = ["id", "项目名称", "主管部门", "实施单位", "年度", "金额单位", "全年预算数", "预算执行分值"]
HEADER += ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"]
ROW = ["a", "示例", "部门", "单位", "2023年", "万元", "80", "10"]
ROW += ["产出指标", "数量指标", "场次", ">=10场", "8", "90", "80"]
SECOND = [""] * 8 + ["效益指标", "社会效益指标", "满意", "好", "好", "10", "9"]  # the same form, id left empty


def _table(rows: list[list[str]], where: str = "第1页 表1") -> Table:
    return Table([Cell(text, r, c) for r, row in enumerate(rows) for c, text in enumerate(row) if text], where=where)


def test_a_flat_table_of_any_adapter_reads_without_openpyxl():
    table = _table([HEADER, ROW, SECOND])
    head = flat.header(table)
    assert head is not None and (head.row, head.columns["id"], head.columns["level1"]) == (0, 0, 8)
    (form,) = flat.read_flat(table, head, "a.html", set())
    assert form.ok and form.source == "a.html: sheet '第1页 表1', rows 2-3"
    assert form.notes == ["rows 3: id empty; taken as the form of the row above"]
    assert (form.data["year"], form.data["unit"], form.data["funds"]["total"]["budget_final"]) == (2023, "万元", 80)
    assert [(i["name"], i["actual"], i["weight"], i["score"]) for i in form.data["indicators"]] == [
        ("场次", "8", 90, 80),
        ("满意", "好", 10, 9),
    ]


def test_a_table_without_a_flat_header_is_not_one():
    assert flat.header(_table([["项目名称", "示例"], ["一级指标", "二级指标", "三级指标", "年度指标值"]])) is None


def _sheet(book: openpyxl.Workbook, title: str, rows: list[list], at: tuple[int, int] = (1, 1)):
    sheet = book.create_sheet(title)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value != "":
                sheet.cell(row=at[0] + r, column=at[1] + c, value=value).data_type = "s"
    return sheet


def test_a_flat_sheet_away_from_a1_names_cells_as_excel_does(tmp_path: Path):
    book = openpyxl.Workbook()
    book.remove(book.active)
    second = list(ROW)
    second[6] = "81"  # 全年预算数 differs on the form's second row
    _sheet(book, "flat", [HEADER, ROW, second], at=(3, 2))  # the header in row 3, from column B
    book.save(tmp_path / "f.xlsx")
    (form,) = read_source(tmp_path / "f.xlsx")
    assert form.source == f"{tmp_path / 'f.xlsx'}: sheet 'flat', rows 4-5"
    assert form.errors == ["funds.total.budget_final: rows 4 and 5 of the same form differ (80 and 81)"]


def test_an_excel_error_value_in_a_flat_table_is_named(tmp_path: Path):
    book = openpyxl.Workbook()
    book.remove(book.active)
    sheet = _sheet(book, "flat", [HEADER, ROW])
    sheet["O2"] = "#DIV/0!"  # 得分 of the only indicator: openpyxl stores the code as an error cell
    book.save(tmp_path / "f.xlsx")
    (form,) = read_source(tmp_path / "f.xlsx")
    assert form.errors == [
        "indicators[0].score: cell flat!O2 holds the Excel error value #DIV/0!, expected a number: "
        "correct the formula or type the value"
    ]
    assert form.data["indicators"][0]["score"] is None


def test_a_workbook_of_a_flat_sheet_and_a_layout_sheet_gives_both_in_sheet_order(tmp_path: Path):
    import io

    from selfeval_kit.form.loading import load
    from selfeval_kit.form.workbook import write_workbook
    from tests.conftest import DATA_2022

    base = load(DATA_2022)["base-info-system-ops"]
    assert base.seq == 3
    book = openpyxl.load_workbook(io.BytesIO(write_workbook([base])))
    _sheet(book, "flat", [HEADER, ROW])
    book.move_sheet("flat", offset=-2)  # first, before the form's sheet and the hidden one
    book.save(tmp_path / "mixed.xlsx")
    forms = read_source(tmp_path / "mixed.xlsx")
    assert [(f.id, f.ok) for f in forms] == [("a", True), ("base-info-system-ops", True)]
    assert forms[1].data["seq"] == 3  # the hidden sheet's seq, not the form's place in the workbook
