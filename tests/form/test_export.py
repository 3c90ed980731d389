"""JSON and CSV export of the 2022 data, checked against figures of the seed."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

from selfeval_kit.cli import main
from tests.conftest import DATA_2022, FIXTURES


@pytest.fixture(scope="module")
def exported() -> list[dict]:
    result = CliRunner().invoke(main, ["export", str(DATA_2022), "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_json_has_the_contract_keys(exported):
    assert len(exported) == 11
    for form in exported:
        assert list(form) == [
            "id",
            "name",
            "department",
            "implementer",
            "year",
            "unit",
            "funds",
            "annual_goal",
            "indicators",
            "total_score",
        ]
        assert list(form["funds"]) == ["total", "appropriation", "carryover", "other"]
        assert list(form["annual_goal"]) == ["planned", "achieved"]
        for indicator in form["indicators"]:
            assert list(indicator) == [
                "level1",
                "level2",
                "name",
                "target",
                "actual",
                "weight",
                "score",
                "deviation_note",
            ]


def test_json_total_row_of_the_over_executed_form(exported):
    form = next(f for f in exported if f["id"] == "resource-talent-platform")
    assert form["name"] == "研发平台科技资源共享服务及人才平台体系建设"
    assert form["funds"]["total"] == {
        "budget_initial": 5000000,
        "budget_final": 5000000,
        "executed": 5945315.18,
        "weight": 10,
        "execution_rate": "118.91%",
        "score": 10,
        "reason": None,
    }
    assert form["funds"]["carryover"] == {"budget_initial": None, "budget_final": 0, "executed": 0}


def test_json_indicator_row(exported):
    form = next(f for f in exported if f["id"] == "portal-website-ops")
    assert form["indicators"][10] == {
        "level1": "效益指标",
        "level2": "社会效益指标",
        "name": "访问量",
        "target": ">=1000万次",
        "actual": "1114.3566万次",
        "weight": 10,
        "score": 10,
        "deviation_note": None,
    }
    assert form["total_score"] == 100


def test_csv_is_utf8_with_bom_one_row_per_indicator(tmp_path):
    out = tmp_path / "out.csv"
    args = ["export", str(DATA_2022), "--format", "csv", "--header", "en", "--out", str(out)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(rows) == 15 + 13 + 13 + 14 + 18 + 12 + 10 + 14 + 13 + 13 + 9
    first = rows[0]
    assert first["form_id"] == "hotline-system-ops"
    assert first["form_name"] == "上海市科技行政服务热线系统（运维）"
    # The target "=200人" is written behind a quote, as text (CSV formula neutralisation, issue 15).
    assert (first["name"], first["target"], first["actual"], first["weight"], first["score"]) == (
        "并发用户数",
        "'=200人",
        "200人",
        "5",
        "5",
    )


def test_csv_header_is_the_forms_chinese_column_titles_by_default(tmp_path):
    out = tmp_path / "out.csv"
    result = CliRunner().invoke(main, ["export", str(DATA_2022), "--format", "csv", "--out", str(out)])
    assert result.exit_code == 0, result.output
    lines = out.read_bytes().decode("utf-8-sig").split("\r\n")
    assert lines[0] == (
        "项目编号,项目名称,一级指标,二级指标,三级指标,年度指标值,实际完成值,分值,得分,偏差原因分析及改进措施"
    )
    assert (
        lines[1]
        == "hotline-system-ops,上海市科技行政服务热线系统（运维）,产出指标,数量指标,并发用户数,'=200人,200人,5,5,"
    )


def test_export_of_bad_data_writes_nothing(write_form, tmp_path):
    bad = write_form("id: [")
    out = tmp_path / "out.json"
    result = CliRunner().invoke(main, ["export", str(bad), "--out", str(out)])
    assert result.exit_code == 1
    assert not out.exists()


def test_validate_ok_on_2022():
    result = CliRunner().invoke(main, ["validate", str(DATA_2022)])
    assert result.exit_code == 0
    assert "11 form(s) valid" in result.output


def test_validate_lists_problems_and_exits_1(write_form, minimal_data):
    minimal_data["indicators"][0]["weight"] = -1
    path = write_form(minimal_data)
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 1
    assert f"{path}: indicators[0].weight" in result.stderr
    assert "Traceback" not in result.output + result.stderr


def test_minimal_fixture_round_trips_through_json():
    from selfeval_kit import Form, load_form

    form = load_form(FIXTURES / "minimal.yaml")
    exported = json.loads(json.dumps(form.to_export()))
    assert Form.model_validate({**exported, "seq": None}) == form


def test_export_refuses_a_json_file_the_reader_would_refuse(monkeypatch, tmp_path):
    from selfeval_kit.form import limits

    monkeypatch.setattr(limits, "DEFAULT_LIMITS", limits.Limits(max_json_bytes=50_000))
    out = tmp_path / "all.json"
    result = CliRunner().invoke(main, ["export", str(DATA_2022), "--out", str(out)])
    assert result.exit_code == 1
    assert f"{out}: the JSON of 11 forms is " in result.output
    assert "a JSON file is at most 50000 bytes when read back" in result.output
    assert not out.exists()


# --------------------------------------------------------------------------- workbook text layout (sheetstyle)


@pytest.mark.parametrize(
    ("text", "width", "lines"),
    [
        ("一二三四五", 11, ["一二三四五"]),  # 10 units in a cell of 11 (1 for its margins)
        ("一二三四五六", 11, ["一二三", "四五六"]),  # 2 lines needed: balanced, no lone "六"
        ("一二三四，五六", 9, ["一二三", "四，五六"]),  # "，" never starts a line: "四" goes with it
        ("一二三四。”五", 9, ["一二三", "四。”五"]),  # two closing marks: the glyph before goes too
        ("一二（三四五", 7, ["一二", "（三", "四五"]),  # "（" never ends a line; 3 lines balanced
        ("ab 12345", 6, ["ab ", "12345"]),  # an ASCII word is not split
        ("abcdefgh", 5, ["abcd", "efgh"]),  # unless wider than a line
        ("一二\n三", 20, ["一二", "三"]),  # the text's own breaks are kept
        ("“一”", 7, ["“一”"]),  # curly quotes are full width: 6 units
    ],
)
def test_wrap_breaks_lines_by_width_and_kinsoku(text, width, lines):
    from selfeval_kit.form.sheetstyle import wrap

    assert wrap(text, width) == lines


@pytest.mark.parametrize(
    ("text", "width", "expected"),
    [
        ("一二三四，五六", 9, "一二三\n四，五六"),
        ("短", 9, "短"),
        ("a\r\nb", 9, "a\r\nb"),
    ],
)
def test_break_lines_only_adds_line_breaks(text, width, expected):
    from selfeval_kit.form.sheetstyle import break_lines

    assert break_lines(text, width) == expected


@pytest.mark.parametrize(("text", "width", "count"), [(None, 10, 1), ("", 10, 1), ("一" * 10, 11, 2)])
def test_line_count_of_a_cell(text, width, count):
    from selfeval_kit.form.sheetstyle import line_count

    assert line_count(text, width) == count


@pytest.mark.parametrize(("lines", "height"), [(0, 20.0), (1, 20.0), (3, 51.0)])
def test_row_height_of_lines(lines, height):
    from selfeval_kit.form.sheetstyle import row_height

    assert row_height(lines) == height
