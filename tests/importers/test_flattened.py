"""A form whose table was flattened onto one line (a web page's table copied as one paragraph),
cut back into its rows (`selfeval_kit.importers.flattened`) and read like text in reading order."""

from __future__ import annotations

from pathlib import Path

import pytest

from selfeval_kit.importers.adapters import read_document
from selfeval_kit.importers.cells import Line, Table
from selfeval_kit.importers.flattened import reflowed
from selfeval_kit.importers.source import read_source, read_text
from selfeval_kit.importers.vocabulary import vocabulary
from tests.importers.printed import bundled
from tests.importers.test_pdftext import BASE, read_one

DOCUMENTS = Path(__file__).resolve().parents[1] / "fixtures" / "documents"

# The small form of test_pdftext, as a page's text gives it: every cell a space apart, one line.
FLAT_BASE = (
    "财政项目支出绩效自评表 (2022 年度) 项目名称 社区科普讲座 主管部门 某市科学技术协会 实施单位 某市科普服务中心 "
    "项目资金 （元） 年初预算数 全年预算数 全年执行数 分值 执行率 得分 "
    "年度资金总额 100000.00 100000.00 100,000 10 100.00% 10 其中：当年财政拨款 100000 100000 100000 — "
    "上年结转资金 0 0 — 其他资金 0 0 — 年度总体目标 预期目标 实际完成情况 "
    "全年举办社区科普讲座不少于20场，受众不少于2000人次，提升居民科学素质，群众满意度不低于90%。 "
    "全年举办社区科普讲座22场，受众2350人次。 "
    "一级指标 二级指标 三级指标 年度指标值 实际完成值 分值 得分 偏差原因分析及改进措施 "
    "产出指标 数量指标 科普讲座场次 >=20场 22场 30 30 受众人次 >=2000人次 2350人次 20 20 "
    "效益指标 社会效益指标 居民科学素质提升 持续提高 持续提高 30 30 "
    "满意度指标 服务对象满意度指标 群众满意度 >=90% 95% 10 10 总分 100 100.00\n"
)


def test_a_flattened_form_reads_as_the_same_form_printed_a_cell_a_line():
    [flat] = read_text(FLAT_BASE, source="flat.txt")
    assert flat.ok and flat.data == read_one(BASE).data


def test_the_flattened_line_is_cut_where_the_parts_of_the_form_start():
    lines = [line.text for line in reflowed([Line(FLAT_BASE.strip(), "第1行")], vocabulary())]
    assert lines[:5] == [
        "财政项目支出绩效自评表 (2022 年度)",
        "项目名称 社区科普讲座",
        "主管部门 某市科学技术协会",
        "实施单位 某市科普服务中心",
        "项目资金 （元）",
    ]
    assert "年度总体目标 预期目标 实际完成情况" in lines
    at = lines.index("年度总体目标 预期目标 实际完成情况")
    assert lines[at + 2] == "" and lines[at + 3] == "全年举办社区科普讲座22场，受众2350人次。"  # two paragraphs
    assert "产出指标 数量指标 科普讲座场次 >=20场 22场 30 30" in lines and "受众人次 >=2000人次 2350人次 20 20" in lines
    assert lines[-1] == "总分 100 100.00"


@pytest.mark.parametrize(
    "line",
    [
        "主管部门 某市科学技术协会 实施单位 某市科普服务中心",
        "产出指标 数量指标 科普讲座场次 >=20场 22场 30 30",
        "总分 100 100",
    ],
)
def test_a_line_of_one_row_or_two_fields_is_left_as_it_is(line):
    assert [x.text for x in reflowed([Line(line, "第1行")], vocabulary())] == [line]


def test_a_level2_label_is_not_followed_by_a_level1_in_its_row():
    """经济效益指标 (a group with no row) then 满意度指标(10分) 满意度指标: the 一级 starts a new line."""
    text = FLAT_BASE.replace(
        "满意度指标 服务对象满意度指标 群众满意度", "经济效益指标 满意度指标 服务对象满意度指标 群众满意度"
    )
    [flat] = read_text(text, source="flat.txt")
    assert flat.data["indicators"][-1]["level1"] == "满意度指标" and flat.data["indicators"][-1]["name"] == "群众满意度"


def _flattened_web_page() -> str:
    """The bundled forms' web page (LibreOffice's HTML of our export) with each table's cells on one
    line, a space between them: what copying the page's text into one paragraph per table gives."""
    out = []
    for block in read_document(DOCUMENTS / "forms_2022.html").blocks:
        if isinstance(block, Table):
            cells = [c.text.replace("\n", "") for r in range(block.n_rows) for c in block.row_cells(r) if c.row == r]
            out.append(" ".join(t for t in cells if t.strip()))
        else:
            out.append(block.text)
    return "\n".join(out) + "\n"


def test_the_bundled_web_page_flattened_reads_back_its_funds_and_indicators():
    forms = read_text(_flattened_web_page(), source="page.txt")
    expected = bundled()
    assert [f.data["name"] for f in forms] == [e["name"] for e in expected]
    for got, want in zip(forms, expected, strict=True):
        assert got.data["funds"] == want["funds"], want["id"]
        assert got.data["indicators"] == want["indicators"], want["id"]
        assert got.data["total_score"] == want["total_score"]
    # the goal texts are one cell each: whole, where they have no space of their own
    hotline = forms[0].data["annual_goal"]
    assert hotline == expected[0]["annual_goal"]


def test_a_web_page_printing_the_form_as_a_paragraph_reads_as_its_text(tmp_path):
    """No <table>: the form is one paragraph of the page (its table flattened by a publishing tool)."""
    page = tmp_path / "page.html"
    html = f"<html><body><h1>绩效自评公开</h1><p>{FLAT_BASE}</p><p>单位（盖章）</p></body></html>"
    page.write_text(html, encoding="utf-8")
    [form] = read_source(page)
    assert form.ok and {k: v for k, v in form.data.items() if k != "id"} == {
        k: v for k, v in read_one(BASE).data.items() if k != "id"
    }


def _page_text(path: Path, cells_a_line: bool) -> str:
    """A page's tables as a text rendering gives them: a row a line, its cells apart by " | " and
    padded with "|" to the table's width; or a cell a line with " |" after it, an empty cell a "|"."""
    out = []
    for block in read_document(path).blocks:
        if not isinstance(block, Table):
            out.append(block.text)
            continue
        for r in range(block.n_rows):
            cells = [c.text.replace("\n", "") for c in block.row_cells(r) if c.row == r]
            if cells_a_line:
                out += [f"{text} |" if text else "|" for text in cells]
            else:
                out.append(" | ".join(cells) + " |" + "|" * max(0, block.n_cols - len(cells)))
    return "\n".join(out) + "\n"


@pytest.mark.parametrize("cells_a_line", [False, True], ids=["a row a line", "a cell a line"])
def test_the_bundled_web_page_as_a_text_rendering_reads_back(cells_a_line):
    forms = read_text(_page_text(DOCUMENTS / "forms_2022.html", cells_a_line), source="page.txt")
    expected = bundled()
    assert len(forms) == len(expected)
    for got, want in zip(forms, expected, strict=True):
        for key in ("name", "department", "implementer", "year", "unit", "funds", "indicators", "total_score"):
            assert got.data[key] == want[key], (want["id"], key)


_SICHUAN_COLUMNS = ("一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位")
_SICHUAN_COLUMNS += ("完成值", "权重", "得分", "未完成原因分析")


def test_a_cell_a_line_page_with_empty_cells_keeps_their_columns():
    """发放覆盖率 | = | 100 | % | (完成值 empty) | 60 | (得分 empty): a blank template's row, 完成值 and
    得分 left empty in their own columns, not filled from the next cells."""
    head = "".join(f"{label} |\n" for label in _SICHUAN_COLUMNS)
    rows = "产出指标 |\n数量指标 |\n发放覆盖率 |\n= |\n100 |\n% |\n|\n60 |\n|\n|\n"
    rows += "效益指标 |\n社会效益指标 |\n足额保障率 |\n= |\n100 |\n% |\n|\n30 |\n|\n|\n合计 |\n100 |\n|\n"
    text = "部门预算项目支出绩效自评表(2023年度) |\n项目名称 |\n工资性支出 |\n" + head + rows
    [form] = read_text(text, source="page.txt")
    assert [(i["name"], i["target"], i["actual"], i["weight"], i["score"]) for i in form.data["indicators"]] == [
        ("发放覆盖率", "=100%", None, 60, None),
        ("足额保障率", "=100%", None, 30, None),
    ]
    assert "indicators[0].actual" in form.missing and not form.ok


def test_a_table_a_cell_a_line_without_its_empty_cells_is_cut_into_rows_by_fitting():
    """No line holds a row's 分值 and 得分 (a page printing each cell as a paragraph, empty cells
    dropped, a blank template's placeholders 指标2 / …… left in): the cells are cut into rows."""
    table = (
        "一级指标\n\n二级指标\n\n三级指标\n\n年度\n\n指标值\n\n实际\n\n完成值\n\n分值\n\n得分\n\n偏差原因分析及改进措施\n\n"
        "产出指标\n\n数量指标\n\n指标1科普讲座场次\n\n20\n\n22\n\n30\n\n30\n\n指标2\n\n……\n\n"
        "质量指标\n\n指标1讲座满意率\n\n90%\n\n85%\n\n30\n\n25\n\n受天气影响，两场讲座改期。\n\n"
        "效益指标\n\n社会效益指标\n\n指标1居民科学素质提升\n\n持续提高\n\n持续提高\n\n30\n\n30\n\n"
        "总分\n\n100\n\n95\n"
    )
    text = BASE[: BASE.index("一级指标")] + table
    [form] = read_text(text, source="cells.txt")
    keys = ("level2", "name", "target", "actual", "weight", "score")
    rows = [tuple(i[k] for k in keys) for i in form.data["indicators"]]
    assert rows == [
        ("数量指标", "指标1科普讲座场次", "20", "22", 30, 30),
        ("质量指标", "指标1讲座满意率", "90%", "85%", 30, 25),
        ("社会效益指标", "指标1居民科学素质提升", "持续提高", "持续提高", 30, 30),
    ]
    assert form.data["indicators"][1]["deviation_note"] == "受天气影响，两场讲座改期。"
    assert form.data["total_score"] == 95 and form.errors == []
