"""The cell reader: forms out of tables, whatever the template's order, wording or script."""

from __future__ import annotations

from pathlib import Path

import pytest

from selfeval_kit.importers.cells import Cell, Document, Line, Table
from selfeval_kit.importers.reader import read_forms

HEADER = ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"]


def table(rows: list[list[str]], merges: dict[tuple[int, int], tuple[int, int]] | None = None) -> Table:
    """A table of `rows` (``""``: no cell); `merges` maps a top-left (row, col) to its (rowspan, colspan)."""
    merges = merges or {}
    covered = {
        (r + i, c + j) for (r, c), (rs, cs) in merges.items() for i in range(rs) for j in range(cs) if (i, j) != (0, 0)
    }
    cells = [
        Cell(text, r, c, *merges.get((r, c), (1, 1)))
        for r, row in enumerate(rows)
        for c, text in enumerate(row)
        if text and (r, c) not in covered
    ]
    return Table(cells, "表1")


def official(indicator_rows: list[list[str]], header: list[str] = HEADER, total: list[str] | None = None) -> Table:
    rows = [
        ["财政项目支出绩效自评表", "", "", "", "", "", "", ""],
        ["（2023年度）", "", "", "", "", "", "", ""],
        ["项目名称", "", "城市运行监测平台", "", "", "", "", ""],
        ["主管部门", "", "某市经济和信息化局", "", "实施单位", "某市大数据中心", "", ""],
        ["项目资金（万元）", "", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"],
        ["", "年度资金总额", "120.00", "118.50", "110.20", "10", "93.00%", "9.30"],
        ["", "其中：当年财政拨款", "120.00", "118.50", "110.20", "—", "—", "—"],
        ["", "上年结转资金", "", "0", "0", "—", "—", "—"],
        ["", "其他资金", "", "0", "0", "—", "—", "—"],
        ["年度总体目标", "预期目标", "", "", "实际完成情况", "", "", ""],
        ["", "完成平台升级。", "", "", "平台升级已完成。", "", "", ""],
        header,
        *indicator_rows,
        total or ["总分", "", "", "", "", "100", "97.30", ""],
    ]
    merges = {(0, 0): (1, 8), (1, 0): (1, 8), (2, 0): (1, 2), (2, 2): (1, 6), (3, 0): (1, 2), (3, 5): (1, 3)}
    merges |= {(4, 0): (5, 1), (9, 0): (2, 1), (9, 1): (1, 3), (9, 4): (1, 4), (10, 1): (1, 3), (10, 4): (1, 4)}
    return table(rows, merges)


ROWS = [
    ["产出指标", "数量指标", "监测点位数", "≥500个", "520个", "30", "30", ""],
    ["", "质量指标", "数据准确率", "≥98%", "99.2%", "30", "30", ""],
    ["效益指标", "社会效益指标", "事件处置时长", "≤2小时", "2.5小时", "20", "18", "高峰时段人手不足"],
    ["满意度指标", "服务对象满意度指标", "用户满意度", "≥90%", "92%", "10", "10", ""],
]


def read_one(*blocks) -> object:
    forms = read_forms(Document(Path("f.pdf"), "pdf", list(blocks)))
    assert len(forms) == 1
    return forms[0]


def test_the_header_fields_are_read_as_printed():
    form = read_one(official(ROWS))
    assert {k: form.data[k] for k in ("name", "department", "implementer", "year", "unit")} == {
        "name": "城市运行监测平台",
        "department": "某市经济和信息化局",
        "implementer": "某市大数据中心",
        "year": 2023,
        "unit": "万元",
    }


def test_the_funds_rows_are_read_under_their_columns():
    funds = read_one(official(ROWS)).data["funds"]
    assert funds["total"] == {
        "budget_initial": 120.0, "budget_final": 118.5, "executed": 110.2,
        "weight": 10.0, "execution_rate": "93.00%", "score": 9.3,
    }  # fmt: skip
    assert funds["carryover"] == {"budget_initial": None, "budget_final": 0, "executed": 0}


def test_the_goal_texts_are_read_under_their_headers():
    goal = read_one(official(ROWS)).data["annual_goal"]
    assert goal == {"planned": "完成平台升级。", "achieved": "平台升级已完成。"}


def test_merged_level_labels_carry_to_every_row_they_cover():
    rows = [row[:] for row in ROWS]
    merged = official(rows)
    # 产出指标 over the first two indicator rows (12, 13)
    cells = [c for c in merged.cells if not (c.row == 12 and c.col == 0)]
    cells.append(Cell("产出指标", 12, 0, rowspan=2))
    form = read_one(Table(cells, "表1"))
    assert [i["level1"] for i in form.data["indicators"]] == ["产出指标", "产出指标", "效益指标", "满意度指标"]


def test_the_indicators_and_total_are_read():
    form = read_one(official(ROWS))
    first, third = form.data["indicators"][0], form.data["indicators"][2]
    assert first == {
        "level1": "产出指标", "level2": "数量指标", "name": "监测点位数", "target": "≥500个", "actual": "520个",
        "weight": 30.0, "score": 30.0, "deviation_note": None,
    }  # fmt: skip
    assert third["deviation_note"] == "高峰时段人手不足"
    assert form.data["total_score"] == 97.3
    assert form.ok and form.missing == []


def test_weight_before_target_is_read_by_the_header_not_the_position():
    header = ["一级指标", "二级指标", "三级指标", "分值", "年度指标值", "实际完成值", "得分", "偏差原因分析及改进措施"]
    rows = [[r[0], r[1], r[2], r[5], r[3], r[4], r[6], r[7]] for r in ROWS]
    indicators = read_one(official(rows, header)).data["indicators"]
    assert [(i["target"], i["weight"]) for i in indicators] == [
        ("≥500个", 30),
        ("≥98%", 30),
        ("≤2小时", 20),
        ("≥90%", 10),
    ]


def test_a_target_split_over_nature_value_and_unit_is_joined_as_printed():
    header = ["一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位", "实际完成值", "分值"]
    rows = [["产出指标", "数量指标", "监测点位数", "≥", "500", "个", "520个", "30"]]
    form = read_one(official(rows, header, total=["总分", "", "", "", "", "", "", "100"]))
    assert form.data["indicators"][0]["target"] == "≥500个"


def test_a_table_without_scores_gives_indicators_without_scores():
    header = ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "偏差原因分析及改进措施", ""]
    rows = [[r[0], r[1], r[2], r[3], r[4], r[5], "", ""] for r in ROWS]
    indicators = read_one(official(rows, header)).data["indicators"]
    assert [i["score"] for i in indicators] == [None, None, None, None]
    assert [i["weight"] for i in indicators] == [30, 30, 20, 10]


@pytest.mark.parametrize(
    ("label", "value"),
    [("項目名稱", "城市運行監測平台"), ("项 目 名 称", "城市运行监测平台"), ("专项资金名称", "城市运行监测平台")],
)
def test_header_labels_in_other_wordings_and_scripts(label, value):
    t = official(ROWS)
    cells = [Cell(label if c.text == "项目名称" else (value if c.text == "城市运行监测平台" else c.text),
                  c.row, c.col, c.rowspan, c.colspan) for c in t.cells]  # fmt: skip
    assert read_one(Table(cells, "表1")).data["name"] == value  # the value as printed, not simplified


def test_a_label_and_its_value_in_one_cell():
    t = official(ROWS)
    cells = [c for c in t.cells if c.row != 2] + [Cell("项目名称：城市运行监测平台（二期）", 2, 0, 1, 8)]
    assert read_one(Table(cells, "表1")).data["name"] == "城市运行监测平台（二期）"


def test_two_titled_forms_in_one_document_are_two_forms():
    forms = read_forms(Document(Path("f.html"), "html", [official(ROWS), official(ROWS[:2])]))
    assert [len(f.data["indicators"]) for f in forms] == [4, 2]


def test_a_targets_only_form_is_named_and_yields_no_scores():
    t = official(ROWS)
    cells = [Cell("项目支出绩效目标表", 0, 0, 1, 8) if c.row == 0 else c for c in t.cells]
    form = read_one(Table(cells, "表1"))
    assert form.data == {} and not form.ok
    assert "不是项目支出绩效自评表" in form.errors[0]


def test_a_title_in_a_line_before_the_table_counts():
    t = official(ROWS)
    cells = [c for c in t.cells if c.row != 0]
    form = read_one(Line("附件2 2023年度项目支出绩效自评表", "第1页 第1行"), Table(cells, "表1"))
    assert form.data["year"] == 2023 and len(form.data["indicators"]) == 4


def test_a_form_without_its_funds_and_weights_is_a_draft_listing_them():
    rows = [r for r in official(ROWS).cells if r.row not in range(4, 9)]
    form = read_one(Table(rows, "表1"))
    assert form.draft and not form.ok
    assert "funds.total.weight" in form.missing


def test_weights_not_adding_up_to_100_lower_the_confidence_and_say_so():
    rows = [r[:] for r in ROWS]
    rows[0][5] = "25"
    form = read_one(official(rows))
    assert "核对未通过：分值合计 95，不是 100" in form.notes
    weight = next(r for r in form.records if r.path == "indicators[0].weight")
    assert (weight.value, weight.confidence) == (25.0, 0.5)
    assert form.data["indicators"][0]["weight"] == 25.0  # reported, never "fixed"


def test_every_field_read_has_its_place():
    form = read_one(official(ROWS))
    name = next(r for r in form.records if r.path == "name")
    assert (name.value, name.where, name.confidence) == ("城市运行监测平台", "表1 第3行第3列", 1.0)


def test_a_table_cut_before_its_total_is_incomplete():
    t = official(ROWS)
    last = max(c.row for c in t.cells)
    form = read_one(Table([c for c in t.cells if c.row != last], "表1"))
    assert not form.complete and len(form.data["indicators"]) == 4


def test_a_label_written_once_over_unmerged_rows_carries_on_less_surely():
    rows = [r[:] for r in ROWS]
    rows[1][0] = ""  # 质量指标's row: 一级 left blank, not merged
    form = read_one(official(rows))
    assert form.data["indicators"][1]["level1"] == "产出指标"
    record = next(r for r in form.records if r.path == "indicators[1].level1")
    assert (record.value, record.confidence, record.reason) == ("产出指标", 0.8, "沿用上一行")


def test_a_table_with_a_leading_performance_column_and_worded_labels():
    """绩效指标 merged down the left, labels with colons and points: as many provinces print them."""
    rows = [
        ["项目支出绩效自评表\n（2022年度）", "", "", "", "", "", "", "", ""],
        ["项目名称", "", "委托业务项目", "", "", "", "", "", ""],
        ["主管部门", "", "某镇人民政府", "", "", "实施单位", "某镇人民政府", "", ""],
        ["项目资金\n（万元）", "", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分", ""],
        ["", "年度资金总额：", "90", "90", "89.974", "10", "99.97%", "10", ""],
        ["", "其中：本年财政拨款", "90", "90", "89.974", "—", "—", "—", ""],
        ["", "上年结转资金", "", "", "", "—", "—", "—", ""],
        ["", "其他资金", "", "", "", "—", "—", "—", ""],
        ["绩效指标", *HEADER],
        ["", "产出指标(50分)", "数量指标", "基建工程委托业务项目数量", "≥50个", "50", "50", "50", ""],
        ["", "效益指标(30分)", "社会效益指标", "对维护基建市场公平的影响程度", "效果明显", "达成预期指标", "30", "30"],
        ["", "满意度指标(10分)", "满意度指标", "公众满意度", "≥90%", "95%", "10", "10", ""],
        ["总分", "", "", "", "", "", "100", "100", ""],
    ]
    merges = {(0, 0): (1, 9), (1, 0): (1, 2), (1, 2): (1, 7), (2, 0): (1, 2), (2, 2): (1, 3), (2, 6): (1, 3)}
    merges |= {(3, 0): (5, 1), (8, 0): (4, 1)}
    form = read_one(table(rows, merges))
    data = form.data
    assert (data["name"], data["department"], data["implementer"], data["year"], data["unit"]) == (
        "委托业务项目", "某镇人民政府", "某镇人民政府", 2022, "万元",
    )  # fmt: skip
    assert data["funds"]["total"]["executed"] == 89.974 and data["funds"]["appropriation"]["budget_final"] == 90
    assert data["funds"]["carryover"] == {"budget_initial": None, "budget_final": None, "executed": None}
    assert [(i["level1"], i["name"], i["actual"]) for i in data["indicators"]] == [
        ("产出指标(50分)", "基建工程委托业务项目数量", "50"),
        ("效益指标(30分)", "对维护基建市场公平的影响程度", "达成预期指标"),
        ("满意度指标(10分)", "公众满意度", "95%"),
    ]
    assert data["total_score"] == 100.0
    assert data["annual_goal"] == {"planned": None, "achieved": None}  # the table has none: not invented
    assert form.ok


def test_an_indicator_read_with_a_name_and_nothing_else_is_reported_with_low_confidence():
    """The rest of a cell a wrap or page break cut off, read as a row of its own, is not kept silently."""
    rows = [*ROWS[:1], ["", "", "金", "", "", "", "", ""], *ROWS[1:]]
    form = read_one(official(rows))
    assert [i["name"] for i in form.data["indicators"]][:2] == ["监测点位数", "金"]
    cut = "（被分页或折行切断的上一行文字？）"
    assert f"核对未通过：第2个指标“金”只有名称，没有指标值、实际完成值、分值和得分{cut}" in form.notes
    [name] = [r for r in form.records if r.path == "indicators[1].name"]
    assert name.confidence == 0.5
