"""Tests for selfeval_kit.importers.layout: text laid out in columns read back into tables.

The texts are built with `at`, which puts each cell at the column given, as ``pdftotext -layout``
puts a word at the column of its x position; each case is one layout rule, with the cells a reader
sees worked out by hand.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from selfeval_kit.importers.adapters.text import read
from selfeval_kit.importers.cells import Table
from selfeval_kit.importers.layout import is_layout, tabulate
from selfeval_kit.importers.reader import read_forms
from selfeval_kit.importers.source import read_source
from selfeval_kit.importers.vocabulary import vocabulary

TEXT_FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "text"

# The indicator header of the LibreOffice print (columns as pdftotext gives them).
INDICATOR_HEADER = [
    (1, "一级指标"),
    (11, "二级指标"),
    (27, "三级指标"),
    (40, "年度指标值"),
    (53, "实际完成值"),
    (63, "分值"),
    (70, "得分"),
    (78, "偏差原因分析及改进措施"),
]
FUNDS_HEADER = [(24, "年初预算数"), (39, "全年预算数"), (53, "全年执行数"), (66, "分值"), (71, "执行率"), (81, "得分")]


def at(*cells: tuple[int, str]) -> str:
    """One line with each text starting at its column."""
    line = ""
    for column, text in cells:
        line = line.ljust(column) + text if column >= len(line) else line + " " + text
    return line


def tables(*lines: str) -> list[Table]:
    document = read(Path("t.txt"), ("\n".join(lines) + "\n").encode())
    return [b for b in tabulate(document, vocabulary()).blocks if isinstance(b, Table)]


def grid(table: Table) -> list[list[str]]:
    """Each row's cells as text, a merged cell in every row it covers, empty positions left out."""
    return [[c.text for c in table.row_cells(r)] for r in range(table.n_rows)]


def test_a_word_is_placed_under_the_header_it_shares_most_columns_with():
    [table] = tables(
        at(*INDICATOR_HEADER),
        at((1, "产出指标"), (11, "数量指标"), (19, "并发用户数"), (41, "=200人"), (54, "200人"), (64, "5"), (71, "5")),
        at((25, "总分"), (63, "100"), (70, "100")),
    )
    assert grid(table)[1] == ["产出指标", "数量指标", "并发用户数", "=200人", "200人", "5", "5"]


def test_a_name_left_of_its_centred_header_joins_the_column_its_neighbours_widened():
    # 应急演练 (columns 19-27) touches both 二级指标 (11-19) and 三级指标 (27-35); the names above it,
    # which reach under 三级指标, have widened that column to start at 19.
    [table] = tables(
        at(*INDICATOR_HEADER),
        at((1, "产出指标"), (11, "数量指标"), (19, "并发用户数"), (41, "=200人"), (54, "200人"), (64, "5"), (71, "5")),
        at((19, "应急演练"), (42, "=1次"), (55, "1次"), (64, "5"), (71, "5")),
    )
    assert grid(table)[2][2] == "应急演练"


def test_centred_second_level_labels_cover_the_rows_around_them():
    """数量指标 printed between its two rows, 质量指标 on the line of its single row, 产出指标 halfway."""
    [table] = tables(
        at(*INDICATOR_HEADER),
        at((19, "并发用户数"), (41, "=200人"), (54, "200人"), (64, "5"), (71, "5")),
        at((11, "数量指标")),
        at((1, "产出指标"), (19, "应急演练"), (42, "=1次"), (55, "1次"), (64, "5"), (71, "5")),
        at((11, "质量指标"), (19, "系统故障数"), (42, "<8次"), (55, "0次"), (64, "5"), (71, "5")),
    )
    rows = grid(table)[1:]
    assert [r[:3] for r in rows] == [
        ["产出指标", "数量指标", "并发用户数"],
        ["产出指标", "数量指标", "应急演练"],
        ["产出指标", "质量指标", "系统故障数"],
    ]


def test_a_label_printed_over_several_lines_is_joined_while_it_makes_a_label():
    [table] = tables(
        at(*INDICATOR_HEADER),
        at((9, "服务对象满意度")),
        at((0, "满意度指标"), (17, "服务热线用户满意度"), (41, ">=90%"), (54, "99.91%"), (63, "10"), (70, "10")),
        at((12, "指标")),
        at((25, "总分"), (63, "100"), (70, "100")),
    )
    assert grid(table)[1][:3] == ["满意度指标", "服务对象满意度\n指标", "服务热线用户满意度"]


def test_a_tall_text_centred_on_its_row_goes_to_that_row_whole():
    """An actual value wrapped over five lines, its row's points on the middle one, blank lines around."""
    [table] = tables(
        at(*INDICATOR_HEADER),
        at((19, "发表专利或软著"), (43, ">=4篇"), (55, "4篇"), (63, "10"), (70, "10")),
        "",
        at((55, "制定了应急")),
        at((55, "演练方案、")),
        at((1, "效益指标"), (19, "长效管理制度"), (44, "完善"), (55, "巡检分析报"), (63, "10"), (70, "10")),
        at((55, "告等制度")),
        "",
        at((25, "总分"), (63, "100"), (70, "100")),
    )
    rows = grid(table)
    assert "制定了应急\n演练方案、\n巡检分析报\n告等制度" in rows[2]
    assert "4篇" in rows[1] and not any("制定" in text for text in rows[1])


def test_in_a_top_aligned_table_a_continuation_line_ends_the_cell_above():
    header = [
        (4, "一级指标"),
        (14, "二级指标"),
        (28, "三级指标"),
        (46, "年度指标值"),
        (60, "实际完成值"),
        (72, "分值"),
        (78, "得分"),
    ]
    [table] = tables(
        at(*header),
        at(
            (4, "产出指标"),
            (14, "时效指标"),
            (28, "改造完成时间"),
            (46, "2024年10月31"),
            (60, "2024年10月28日"),
            (72, "10"),
            (78, "10"),
        ),
        at((46, "日前")),
        at((14, "成本指标"), (28, "单个市场补助资金"), (46, "≤60万元"), (60, "58.8万元"), (72, "10"), (78, "10")),
        at((28, "总分"), (72, "100"), (78, "100")),
    )
    rows = grid(table)
    assert rows[1][3] == "2024年10月31\n日前"
    assert rows[2][:3] == ["产出指标", "成本指标", "单个市场补助资金"]


def test_a_funds_row_label_wrapped_around_its_values_is_that_rows():
    """LibreOffice centres a row's amounts between the two lines of its wrapped label."""
    [table] = tables(
        at(*FUNDS_HEADER),
        at(
            (7, "年度资金总额"),
            (28, "296,272.00"),
            (40, "296,272.00"),
            (54, "296,272.00"),
            (67, "10"),
            (70, "100.00%"),
            (81, "10"),
        ),
        at((7, "其中：当年财政")),
        at((0, "项目资金（元"), (28, "296,272.00"), (40, "296,272.00"), (54, "296,272.00"), (67, "—"), (82, "—")),
        at((7, "拨款")),
        at((3, "）"), (7, "上年结转资金"), (46, "0.00"), (60, "0.00"), (67, "—"), (82, "—")),
    )
    rows = grid(table)
    assert rows[0][0] == "项目资金（元\n）"  # the block's label, one cell over the table
    assert rows[2][:3] == ["项目资金（元\n）", "其中：当年财政\n拨款", "296,272.00"]
    assert rows[3][1:4] == ["上年结转资金", "0.00", "0.00"]


def test_a_wrapped_header_label_is_finished_by_the_line_under_it():
    [table] = tables(
        at(
            (1, "一级指"),
            (9, "二级指标"),
            (20, "三级指标"),
            (30, "年度指标值"),
            (42, "实际完成值"),
            (54, "分值"),
            (60, "得分"),
        ),
        at((2, "标")),
        at((1, "产出指"), (9, "数量指标"), (20, "并发用户数"), (31, "=200人"), (43, "200人"), (55, "5"), (61, "5")),
        at((2, "标")),
    )
    rows = grid(table)
    assert rows[0][0] == "一级指标"
    assert rows[1][:3] == ["产出指\n标", "数量指标", "并发用户数"]


def test_goal_texts_side_by_side_are_parted_where_the_second_starts_though_one_space_apart():
    [table] = tables(
        at((27, "预期目标"), (70, "实际完成情况")),
        at((7, "举办科普讲座12场，受众1000人次以上，"), (39, "举办科普讲座12场，受众1200人次，")),
        at((0, "年度总体目标"), (7, "满意度90%以上。"), (39, "满意度95%。")),
    )
    assert grid(table)[1] == [
        "年度总体目标",
        "举办科普讲座12场，受众1000人次以上，\n满意度90%以上。",
        "举办科普讲座12场，受众1200人次，\n满意度95%。",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("项目名称      热线运维\n主管部门      科委      实施单位      中心\n", True),
        ("项目名称\n热线运维\n主管部门 科委 实施单位\n中心\n", False),
        ("", False),
    ],
)
def test_is_layout_tells_text_with_cells_apart_from_one_cell_a_line(text, expected):
    assert is_layout(read(Path("t.txt"), text.encode())) is expected


def test_a_laid_out_form_reads_whole_through_the_cell_reader():
    lines = [
        at((30, "财政项目支出绩效自评表")),
        at((35, "（2022年度）")),
        at((8, "项目名称"), (19, "社区科普讲座")),
        at((8, "主管部门"), (19, "某市科学技术协会"), (52, "实施单位"), (64, "某市科普服务中心")),
        at(*FUNDS_HEADER),
        at(
            (7, "年度资金总额"),
            (28, "10,000.00"),
            (40, "10,000.00"),
            (54, "9,500.00"),
            (67, "10"),
            (70, "95.00%"),
            (81, "9.5"),
        ),
        at(
            (0, "项目资金（元）"), (16, "其中：当年财政拨款"), (40, "10,000.00"), (54, "9,500.00"), (67, "—"), (82, "—")
        ),
        at((27, "预期目标"), (70, "实际完成情况")),
        at((0, "年度总体目标"), (7, "举办讲座12场。"), (39, "举办讲座12场。")),
        at(*INDICATOR_HEADER),
        at((1, "产出指标"), (11, "数量指标"), (19, "讲座场次"), (41, ">=12场"), (54, "12场"), (63, "90"), (70, "90")),
        at(
            (0, "满意度指标"),
            (9, "服务对象满意度指标"),
            (29, "听众满意度"),
            (41, ">=90%"),
            (54, "95%"),
            (63, "10"),
            (70, "10"),
        ),
        at((25, "总分"), (63, "100"), (70, "100")),
    ]
    document = read(Path("t.txt"), ("\n".join(lines) + "\n").encode())
    [form] = read_forms(tabulate(document, vocabulary()))
    assert form.ok, (form.missing, form.errors)
    data = form.data
    assert (data["name"], data["department"], data["implementer"], data["year"], data["unit"]) == (
        "社区科普讲座",
        "某市科学技术协会",
        "某市科普服务中心",
        2022,
        "元",
    )
    assert data["funds"]["total"] == {
        "budget_initial": 10000.0,
        "budget_final": 10000.0,
        "executed": 9500.0,
        "weight": 10,
        "execution_rate": "95.00%",
        "score": 9.5,
    }
    assert data["annual_goal"] == {"planned": "举办讲座12场。", "achieved": "举办讲座12场。"}
    assert [
        (i["level1"], i["level2"], i["name"], i["target"], i["actual"], i["weight"], i["score"])
        for i in data["indicators"]
    ] == [
        ("产出指标", "数量指标", "讲座场次", ">=12场", "12场", 90, 90),
        ("满意度指标", "服务对象满意度指标", "听众满意度", ">=90%", "95%", 10, 10),
    ]
    assert data["total_score"] == 100
    places = {r.path: r.where for r in form.records}
    assert places["indicators[0].name"] == "第11行（三级指标）"  # the line as the user sees the text
    assert places["funds.total.executed"] == "第6行（全年执行数）"


def test_the_hunan_layout_fixture_reads_its_rows_after_a_page_break_under_the_label_above():
    forms = read_source(TEXT_FIXTURES / "layout_hunan_2024.txt")
    second = forms[1].data["indicators"]
    assert [(i["level1"], i["level2"], i["name"]) for i in second[4:6]] == [
        ("产出指标", "成本指标", "单次助浴服务补贴标准"),
        ("效益指标", "社会效益指标", "失能老年人个人卫生状况"),
    ]
