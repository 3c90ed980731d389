"""Tests for selfeval_kit.importers.tabbed: tables copied as text, a tab between cells."""

from __future__ import annotations

from pathlib import Path

from selfeval_kit.importers.adapters.text import read
from selfeval_kit.importers.cells import Table
from selfeval_kit.importers.source import read_source
from selfeval_kit.importers.tabbed import is_tabbed, tabulate_tabbed
from selfeval_kit.importers.vocabulary import vocabulary
from tests.importers.printed import bundled, copied_tables, differences

DOCUMENTS = Path(__file__).resolve().parents[1] / "fixtures" / "documents"

INDICATORS = "\n".join(
    [
        "一级指标\t二级指标\t三级指标\t年度指标值\t实际完成值\t分值\t得分\t偏差原因分析及改进措施",
        "产出指标\t数量指标\t并发用户数\t=200人\t200人\t5\t5\t",
        "应急演练\t=1次\t1次\t5\t5\t",
        "质量指标\t高危漏洞数\t<4个\t0个\t5\t5\t",
        "总分\t100\t100\t",
    ]
)


def _table(text: str) -> Table:
    document = read(Path("t.txt"), (text + "\n").encode())
    [table] = [b for b in tabulate_tabbed(document, vocabulary()).blocks if isinstance(b, Table)]
    return table


def test_a_row_with_fewer_cells_stands_under_the_headers_last_columns():
    table = _table(INDICATORS)
    assert [c.text for c in table.row_cells(2)] == ["产出指标", "数量指标", "应急演练", "=1次", "1次", "5", "5"]


def test_the_cells_a_row_lacks_are_the_ones_above_merged_down_over_it():
    table = _table(INDICATORS)
    first, second = table.grid[1][0], table.grid[1][1]
    assert (first.text, first.rowspan) == ("产出指标", 3)
    assert (second.text, second.rowspan) == ("数量指标", 2)
    assert table.grid[3][1].text == "质量指标"


def test_the_total_row_ends_the_table_with_its_points_under_their_headers():
    table = _table(INDICATORS + "\n说明：以上为自评结果")
    assert [c.text for c in table.row_cells(4) if c.row == 4] == ["总分", "100", "100"]
    assert table.grid[4][6].text == "100"  # 得分


def test_is_tabbed_needs_tabs_in_many_lines():
    assert is_tabbed(read(Path("t.txt"), (INDICATORS + "\n").encode()))
    assert not is_tabbed(read(Path("t.txt"), "项目名称\n热线运维\n主管部门\t科委\n实施单位\n中心\n".encode()))


def test_the_bundled_forms_copied_from_a_web_pages_tables_import_back(tmp_path):
    """Each table of LibreOffice's HTML of the export copied as a browser copies it: a row's own
    cells, a tab between them, a merged cell only in its first row."""
    copied = tmp_path / "copied.txt"
    copied.write_text(copied_tables(DOCUMENTS / "forms_2022.html"), encoding="utf-8")
    forms = read_source(copied)
    equal, total, wrong = differences(bundled(), [f.data for f in forms])
    assert sum(f.ok for f in forms) == 11
    assert equal / total >= 0.99, wrong[:5]
