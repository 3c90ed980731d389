"""Reading forms from text extracted from published PDFs: a cell a line, a row a line, laid out in columns.

Through `selfeval_kit.importers.source.read_text` (the reader `selfeval import` uses for text:
`tabbed`, `layout` and `sequence` rebuild the tables, the cell reader reads them).

Expectations come from outside the code: the seed against the hand transcriptions in
data/2022, the fixtures in tests/fixtures/text against expected YAML written by hand
next to each, and the small synthetic forms below against what their text says.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from selfeval_kit.cli import main
from selfeval_kit.errors import DataError
from selfeval_kit.form.model import Form
from selfeval_kit.importers.source import read_source, read_text
from selfeval_kit.importers.writing import form_to_yaml
from tests.conftest import DATA_2022, FIXTURES

SEED_PATH = FIXTURES / "seed_2022.txt"
SEED = SEED_PATH.read_text(encoding="utf-8")
TEXT_FIXTURES = FIXTURES / "text"
FIXTURE_NAMES = sorted(p.name[: -len(".txt")] for p in TEXT_FIXTURES.glob("*.txt"))
FORM_FIELDS = ["name", "department", "implementer", "year", "unit", "funds", "annual_goal", "indicators", "total_score"]


def _expected_2022() -> dict[int, Form]:
    forms = (Form.model_validate(yaml.safe_load(p.read_text(encoding="utf-8"))) for p in DATA_2022.glob("*.yaml"))
    return {form.seq: form for form in forms}


EXPECTED_2022 = _expected_2022()


@pytest.fixture(scope="module")
def seed_forms():
    return {imported.data["seq"]: imported for imported in read_text(SEED, source=str(SEED_PATH))}


def _fixture(name: str) -> tuple[list, list[dict]]:
    """The fixture's forms as `selfeval import` reads them (laid-out text through the cell reader,
    text in reading order through `sequence`), ids back to the reader's own (form-01, not <file>-01)."""
    expected = yaml.safe_load((TEXT_FIXTURES / f"{name}.expected.yaml").read_text(encoding="utf-8"))["forms"]
    forms = read_source(TEXT_FIXTURES / f"{name}.txt")
    for imported in forms:
        if imported.data.get("id", "").startswith(f"{name}-"):
            imported.data["id"] = "form-" + imported.data["id"][len(name) + 1 :]
    return forms, expected


# A small well-formed form; tests change one thing in it with str.replace.
BASE = """\
财政项目支出绩效自评表
(2022 年度)

项目名称 社区科普讲座

主管部门 某市科学技术协会 实施单位 某市科普服务中心

项目资金
（元）

年初预算数 全年预算数 全年执行数 分值 执行率 得分

年度资金总额 100000.00 100000.00 100,000 10 100.00% 10

其中：当年财政拨款 100000 100000 100000 —

上年结转资金 0 0 —

其他资金 0 0 —

年度
总体
目标

预期目标 实际完成情况

全年举办社区科普讲座不少于20场，受众不少于2000人次，提升居民科学素质，群众
满意度不低于90%。

全年举办社区科普讲座22场
，受众2350人次。

一级指标 二级指标 三级指标 年度指标值 实际完成值 分值 得分 偏差原因分析及改进措施

产出指标

数量指标

科普讲座场次
>=20场 22场 30 30

受众人次
>=2000人次 2350人次 20 20

效益指标

社会效益指标

居民科学素质提升
持续提高 持续提高 30 30

满意度指标 服务对象满意度指标
群众满意度

>=90% 95% 10 10

总分 100 100.00
"""


def read_one(text: str):
    [imported] = read_text(text, source="test.txt")
    return imported


def test_base_form_reads_whole():
    """The synthetic base form is read whole; every other synthetic test changes one thing in it."""
    imported = read_one(BASE)
    assert imported.ok and imported.missing == []
    form = Form.model_validate(imported.data)
    assert [i.name for i in form.indicators] == ["科普讲座场次", "受众人次", "居民科学素质提升", "群众满意度"]
    assert form.funds.carryover.budget_initial is None


# --------------------------------------------------------------------------- the seed


def test_seed_has_eleven_forms_in_order(seed_forms):
    """Each title line starts a form; seq is the position in the document."""
    assert sorted(seed_forms) == list(range(1, 12))


@pytest.mark.parametrize("seq", range(1, 12))
def test_seed_form_reproduces_the_transcription(seed_forms, seq):
    """Every seed form equals its hand transcription in data/2022, ids aside."""
    expected = EXPECTED_2022[seq]
    assert Form.model_validate({**seed_forms[seq].data, "id": expected.id}) == expected


@pytest.mark.parametrize("field", FORM_FIELDS)
@pytest.mark.parametrize("seq", range(1, 12))
def test_seed_field_matches_the_transcription(seed_forms, seq, field):
    """Field for field, so a failure names the field that differs."""
    imported = Form.model_validate({**seed_forms[seq].data, "id": EXPECTED_2022[seq].id})
    assert getattr(imported, field) == getattr(EXPECTED_2022[seq], field)


@pytest.mark.parametrize("seq", range(1, 12))
def test_seed_form_is_read_confidently(seed_forms, seq):
    """No seed form has errors or is incomplete."""
    imported = seed_forms[seq]
    assert imported.errors == [] and imported.complete


def test_seed_ids_are_made_from_the_position(seed_forms):
    """Chinese names have no ASCII letters: ids are form-01 … form-11."""
    assert [seed_forms[seq].id for seq in range(1, 12)] == [f"form-{seq:02d}" for seq in range(1, 12)]


def test_seed_form_without_planned_goal_reads_it_empty_with_a_note(seed_forms):
    """Form 3 prints only the narrow 实际完成情况 text: planned is None (the form has no 预期目标 text;
    the model allows that), and a note says how the one text was placed."""
    imported = seed_forms[3]
    assert imported.data["annual_goal"]["planned"] is None
    assert imported.data["annual_goal"]["achieved"].startswith("项目运维实施期内保障了网站的安全")
    assert imported.missing == [] and imported.ok
    assert any("only one text" in note and "实际完成情况" in note for note in imported.notes)


@pytest.mark.parametrize("seq, name", [(2, "平台网站响应时间"), (5, "评审会议召开及时性"), (6, "媒体报道及时性")])
def test_seed_centred_label_decision_is_noted(seed_forms, seq, name):
    """A row moved into the group of a label printed after it carries a note saying why."""
    assert any(note.startswith(f"indicators: {name}: the label 时效指标") for note in seed_forms[seq].notes)


def test_seed_source_names_file_form_and_line(seed_forms):
    assert seed_forms[2].source == f"{SEED_PATH}: 第2张表（第133行）"


# --------------------------------------------------------------------------- fixtures


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_fixture_form_count(name):
    forms, expected = _fixture(name)
    assert len(forms) == len(expected)


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_fixture_data_matches_expected_yaml(name):
    """The data read equals the hand-written expectation, key for key."""
    forms, expected = _fixture(name)
    for imported, want in zip(forms, expected, strict=True):
        assert imported.data == want["data"], imported.source


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_fixture_completeness_and_missing_match(name):
    forms, expected = _fixture(name)
    for imported, want in zip(forms, expected, strict=True):
        assert (imported.complete, imported.missing) == (want["complete"], want["missing"]), imported.source


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_fixture_errors_match(name):
    """Expected errors are substrings, one per error; no error is expected where none is listed."""
    forms, expected = _fixture(name)
    for imported, want in zip(forms, expected, strict=True):
        assert len(imported.errors) == len(want["errors"]), imported.errors
        for part in want["errors"]:
            assert any(part in error for error in imported.errors), (part, imported.errors)


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_fixture_forms_read_whole_are_valid(name):
    """Forms read whole and confidently validate as model.Form."""
    forms, _ = _fixture(name)
    for imported in forms:
        if imported.ok:
            Form.model_validate(imported.data)


def test_truncated_form_is_incomplete():
    """A document that ends before the 总分 row gives complete=False and is not ok to write."""
    [imported], _ = _fixture("truncated_hubei_2021")
    assert imported.complete is False and not imported.ok
    assert imported.data["total_score"] is None


def test_truncated_form_reports_the_unread_row():
    [imported], _ = _fixture("truncated_hubei_2021")
    assert any("水质达标率" in error and "未读取" in error for error in imported.errors)


def test_garbled_table_gives_errors_not_rows():
    """A table extracted column by column cannot be rebuilt: errors, no indicator rows, not ok."""
    [imported], _ = _fixture("garbled_henan_2022")
    assert any("不属于任何指标行" in error for error in imported.errors) and not imported.ok
    assert imported.data["indicators"] == [] and "indicators" in imported.missing


def test_missing_funds_row_is_recorded_and_left_empty():
    """No 其他资金 row: funds.other is filled with empty amounts, said so in the import report, and
    the form is still valid (the row is no required field)."""
    [imported], _ = _fixture("fullwidth_zhejiang_2023")
    assert imported.ok and imported.missing == []
    assert any(r.path == "funds.other.executed" and r.reason == "表中没有此行" for r in imported.records)
    assert Form.model_validate(imported.data).funds.other.model_dump() == {
        "budget_initial": None,
        "budget_final": None,
        "executed": None,
    }


def test_text_before_first_title_is_not_a_form():
    forms, _ = _fixture("multi_sichuan_2023")
    assert [f.data["name"] for f in forms] == ["青神县农村公路养护工程", "大英县城乡居民基本医疗保险参保缴费补助"]


# --------------------------------------------------------------------------- document level


def test_text_without_a_title_is_a_draft_listing_what_it_lacks():
    [imported] = read_text("项目名称 某项目\n总分 100 100\n", source="x.txt")
    assert imported.data["name"] == "某项目" and not imported.ok
    assert {"department", "implementer", "year", "indicators"} <= set(imported.missing)


def test_text_without_any_form_is_refused():
    with pytest.raises(DataError, match="no self-evaluation form found"):
        read_text("会议纪要\n一、会议议题\n", source="x.txt")


def test_crlf_line_ends_read_like_lf():
    assert read_one(BASE.replace("\n", "\r\n")).data == read_one(BASE).data


@pytest.mark.parametrize(
    "title",
    ["项目支出绩效自评表\n（2023年度）", "2023年度项目支出绩效自评表", "财 政 项 目 支 出 绩 效 自 评 表\n(2023 年度)"],
)
def test_title_variants_give_the_year(title):
    text = BASE.replace("财政项目支出绩效自评表\n(2022 年度)", title)
    assert read_one(text).data["year"] == 2023


def test_missing_year_is_an_error():
    imported = read_one(BASE.replace("(2022 年度)\n", ""))
    assert imported.missing == ["year"] and not imported.ok


# --------------------------------------------------------------------------- header and funds


def test_header_cells_broken_across_lines_are_joined():
    text = BASE.replace("项目名称 社区科普讲座", "项目名称\n社区科普\n\n讲座").replace(
        "实施单位 某市科普服务中心", "实施单位\n某市科普服\n\n务中心"
    )
    data = read_one(text).data
    assert (data["name"], data["implementer"]) == ("社区科普讲座", "某市科普服务中心")


@pytest.mark.parametrize("printed, unit", [("（元）", "元"), ("（万元）", "万元"), ("(万元)", "万元")])
def test_unit_is_read_from_the_funds_header(printed, unit):
    assert read_one(BASE.replace("（元）", printed)).data["unit"] == unit


def test_unit_printed_as_danwei_in_the_header():
    text = BASE.replace("项目资金\n（元）", "单位：万元\n项目资金")
    assert read_one(text).data["unit"] == "万元"


def test_missing_header_field_is_listed_and_refused():
    imported = read_one(BASE.replace("主管部门 某市科学技术协会 ", ""))
    assert "department" in imported.missing and not imported.ok


def test_two_units_are_refused():
    imported = read_one(BASE.replace("项目资金\n（元）", "单位：万元\n项目资金\n（元）"))
    assert "unit" in imported.missing and any("two money units" in e for e in imported.errors)


def test_missing_unit_is_an_error_never_assumed():
    imported = read_one(BASE.replace("（元）", ""))
    assert "unit" not in imported.data and "unit" in imported.missing and not imported.ok


def test_two_value_sub_row_reads_initial_as_empty():
    """ "上年结转资金 0 0 —" (two amounts for three columns): null, 0, 0, with a note."""
    imported = read_one(BASE)
    assert imported.data["funds"]["carryover"] == {"budget_initial": None, "budget_final": 0, "executed": 0}
    assert any("two amounts for three columns" in note for note in imported.notes)


def test_sub_row_with_three_cells_and_a_dash_keeps_the_dash_column_empty():
    """Another sub-row shows one "—" for the right-hand columns, so "10 10 — —" is 10, 10, empty."""
    text = BASE.replace("其他资金 0 0 —", "其他资金 10 10 — —")
    assert read_one(text).data["funds"]["other"] == {"budget_initial": 10, "budget_final": 10, "executed": None}


def test_sub_row_with_one_amount_is_refused():
    imported = read_one(BASE.replace("上年结转资金 0 0 —", "上年结转资金 0 —"))
    assert any("上年结转资金" in e and "只有一个金额" in e for e in imported.errors) and not imported.ok
    assert imported.data["funds"]["carryover"] == {"budget_initial": None, "budget_final": None, "executed": None}


def test_amounts_with_separators_and_decimals():
    text = BASE.replace(
        "年度资金总额 100000.00 100000.00 100,000 10 100.00% 10",
        "年度资金总额 100,000.00 100000 99,950.5 10 99.95% 9.99",
    )
    total = read_one(text).data["funds"]["total"]
    assert (total["budget_initial"], total["budget_final"], total["executed"], total["score"]) == (
        100000,
        100000,
        99950.5,
        9.99,
    )


def test_total_row_with_two_amounts_matching_the_rate_reads_initial_as_empty():
    text = BASE.replace("100000.00 100000.00 100,000 10 100.00% 10", "100000.00 80,000 10 80.00% 8")
    total = read_one(text).data["funds"]["total"]
    assert (total["budget_initial"], total["budget_final"], total["executed"]) == (None, 100000, 80000)


def test_total_row_with_two_amounts_not_matching_the_rate_is_refused():
    imported = read_one(BASE.replace("100000.00 100000.00 100,000 10 100.00% 10", "100000.00 80,000 10 90.00% 9"))
    assert any("年度资金总额" in e and "执行率" in e for e in imported.errors) and not imported.ok


def test_total_row_spread_over_lines_reads():
    text = BASE.replace(
        "年度资金总额 100000.00 100000.00 100,000 10 100.00% 10",
        "年度资金\n总额 100000.00 100000.00\n100,000 10 100.00% 10",
    )
    assert read_one(text).data["funds"]["total"]["executed"] == 100000


# --------------------------------------------------------------------------- goal


def test_goal_texts_keep_spaces_inside_lines():
    text = BASE.replace("全年举办社区科普讲座22场\n", "全年举办社区科普讲座 22\u00a0场\n")
    assert read_one(text).data["annual_goal"]["achieved"] == "全年举办社区科普讲座 22\u00a0场，受众2350人次。"


def test_single_goal_text_without_a_reference_is_refused():
    """One paragraph and no other form to compare column widths with: error, not a guess."""
    imported = read_one(BASE.replace("全年举办社区科普讲座22场\n，受众2350人次。\n", ""))
    assert any("无法判断它是预期目标还是实际完成情况" in e for e in imported.errors) and not imported.ok


def test_single_goal_text_is_placed_by_the_documents_column_widths():
    """With other forms of the same document to compare, a lone narrow text is the 实际完成情况."""
    lone = BASE.replace(
        "全年举办社区科普讲座不少于20场，受众不少于2000人次，提升居民科学素质，群众\n满意度不低于90%。\n\n", ""
    )
    forms = read_text(BASE + lone, source="two.txt")
    assert forms[1].data["annual_goal"] == {"planned": None, "achieved": "全年举办社区科普讲座22场，受众2350人次。"}


def test_labelled_goal_texts():
    text = BASE.replace(
        "预期目标 实际完成情况\n\n"
        "全年举办社区科普讲座不少于20场，受众不少于2000人次，提升居民科学素质，群众\n满意度不低于90%。\n\n"
        "全年举办社区科普讲座22场\n，受众2350人次。\n",
        "预期目标：举办讲座不少于20场，\n受众不少于2000人次。\n实际完成情况：举办讲座22场。\n",
    )
    assert read_one(text).data["annual_goal"] == {
        "planned": "举办讲座不少于20场，受众不少于2000人次。",
        "achieved": "举办讲座22场。",
    }


def test_text_outside_the_tables_is_noted_never_dropped_silently():
    """Text before the goal header that is no label and no table's: said so in the notes."""
    imported = read_one(BASE.replace("预期目标 实际完成情况\n", "另附说明一份\n\n预期目标 实际完成情况\n"))
    assert any("另附说明一份" in note and "未读取" in note for note in imported.notes)
    assert imported.data["annual_goal"] == read_one(BASE).data["annual_goal"]


# --------------------------------------------------------------------------- indicator table


def test_page_break_debris_is_dropped_and_keeps_the_group():
    """ "绩/效/指/标" between two rows of a group is not a group boundary."""
    text = BASE.replace("受众人次\n", " 绩\n效\n指\n标\n\n受众人次\n")
    imported = read_one(text)
    assert imported.data["indicators"][1]["level2"] == "数量指标" and imported.ok
    assert any("page-break debris" in note for note in imported.notes)


def test_debris_fused_with_the_next_name_is_dropped():
    text = BASE.replace("受众人次\n", " 效\n指\n标 受众人次\n")
    assert read_one(text).data["indicators"][1]["name"] == "受众人次"


def test_vertical_label_is_a_label_not_debris():
    text = BASE.replace("\n产出指标\n", "\n产\n出\n指\n标\n")
    assert read_one(text).data["indicators"][0]["level1"] == "产出指标"


def test_label_broken_across_lines_is_joined():
    text = BASE.replace("社会效益指标\n", "社会效益\n指标\n")
    assert read_one(text).data["indicators"][2]["level2"] == "社会效益指标"


def test_rows_before_the_first_group_label_take_the_label_printed_after_them():
    """A 二级 label centred on its block is printed after the block's first row(s)."""
    text = BASE.replace(
        "数量指标\n\n科普讲座场次\n>=20场 22场 30 30\n", "科普讲座场次\n>=20场 22场 30 30\n\n数量指标\n"
    )
    imported = read_one(text)
    assert [i["level2"] for i in imported.data["indicators"][:2]] == ["数量指标", "数量指标"]
    assert any("centred merged cell" in note for note in imported.notes)


@pytest.mark.parametrize(
    "row",
    [
        "科普讲座场次 >=20场 22场 30 30",
        "科普讲座场次\n>=20场\n22场 30 30",
        "科普讲座场次\n>=20场\n22场\n30 30",
        "科普讲座\n场\n次\n>=20场 22场 30 30",
        "科普讲座场次>=20场 22场 30 30",
    ],
)
def test_row_cells_run_together_or_split_read_the_same(row):
    text = BASE.replace("科普讲座场次\n>=20场 22场 30 30", row)
    first = read_one(text).data["indicators"][0]
    assert (first["name"], first["target"], first["actual"], first["weight"]) == ("科普讲座场次", ">=20场", "22场", 30)


def test_long_actual_over_lines_after_a_wrapped_name():
    """Name, target and actual each on their own lines, the 分值/得分 alone: a lone character continues the name."""
    text = BASE.replace(
        "居民科学素质提升\n持续提高 持续提高 30 30",
        "居民科学素质提\n\n升\n\n持续提高\n\n居民科学素质较上\n年提高3个百分点\n\n30 30",
    )
    row = read_one(text).data["indicators"][2]
    assert (row["name"], row["target"], row["actual"]) == (
        "居民科学素质提升",
        "持续提高",
        "居民科学素质较上年提高3个百分点",
    )


@pytest.mark.parametrize("target", ["≥20场", "＞19场", "≥ 20场", "不少于20场", "＝20场"])
def test_targets_are_kept_as_written(target):
    text = BASE.replace(">=20场 22场 30 30", f"{target} 22场 30 30")
    assert read_one(text).data["indicators"][0]["target"] == target


def test_partial_score_and_deviation_note_on_the_row_line():
    text = BASE.replace(">=2000人次 2350人次 20 20", ">=2000人次 1800人次 20 18 受天气影响两场讲座取消。").replace(
        "总分 100 100.00", "总分 100 98.00"
    )
    row = read_one(text).data["indicators"][1]
    assert (row["score"], row["deviation_note"]) == (18, "受天气影响两场讲座取消。")


def test_deviation_note_wrapping_over_lines_is_joined():
    text = BASE.replace(
        ">=2000人次 2350人次 20 20", ">=2000人次 1800人次 20 18 受天气影响，\n两场讲座取消，\n下一步调整时间。"
    ).replace("总分 100 100.00", "总分 100 98.00")
    imported = read_one(text)
    assert imported.data["indicators"][1]["deviation_note"] == "受天气影响，两场讲座取消，下一步调整时间。"
    assert imported.data["indicators"][2]["name"] == "居民科学素质提升"


def test_row_without_score_is_read_with_its_score_empty_and_noted():
    """A row's line with its 分值 but no 得分: the row, its score empty, and the check says so."""
    imported = read_one(BASE.replace(">=2000人次 2350人次 20 20", ">=2000人次 2350人次 20"))
    row = imported.data["indicators"][1]
    assert (row["name"], row["weight"], row["score"]) == ("受众人次", 20, None)
    assert any("受众人次" in note and "没有得分" in note for note in imported.notes)


def test_weights_not_adding_up_to_the_total_are_refused():
    imported = read_one(BASE.replace(">=20场 22场 30 30", ">=20场 22场 35 30"))
    assert any("分值合计 105，不是 100" in note for note in imported.notes)
    assert next(r for r in imported.records if r.path == "indicators[0].weight").confidence == 0.5


def test_weight_above_100_is_refused():
    imported = read_one(BASE.replace(">=20场 22场 30 30", ">=20场 22场 300 30"))
    assert any("分值 300 不在 0–100 之间" in note for note in imported.notes)


def test_unknown_group_label_is_refused():
    imported = read_one(BASE.replace("社会效益指标\n", "社会影响指标\n"))
    assert any("社会影响指标" in e and "词表里没有它" in e for e in imported.errors) and not imported.ok


def test_text_left_before_the_total_is_refused():
    imported = read_one(BASE.replace("总分 100 100.00", "备注说明\n总分 100 100.00"))
    assert any("备注说明" in e and "不属于任何指标行" in e for e in imported.errors) and not imported.ok


def test_scores_not_adding_up_are_noted_not_refused():
    """A form's own arithmetic is the audit's business; the reader notes it."""
    imported = read_one(BASE.replace("总分 100 100.00", "总分 100 99.00"))
    assert imported.ok and any("各项得分合计 100，与总分 99 不符" in note for note in imported.notes)


def test_notes_become_yaml_comments():
    text = form_to_yaml(read_one(BASE))
    assert "# funds: the 上年结转资金 and 其他资金 row(s) print only two amounts" in text


# --------------------------------------------------------------------------- other provinces and years

COST_BLOCK = "成本指标\n\n经济成本指标\n\n单场讲座成本\n<=5000元 4800元 10 10\n\n"
BENEFIT_ROW = "居民科学素质提升\n持续提高 持续提高 30 30"


def _levels(imported) -> list[tuple[str, str]]:
    return [(i["level1"], i["level2"]) for i in imported.data["indicators"]]


def test_cost_level1_of_the_2021_template():
    """成本指标 followed by 经济成本指标 is the 2021+ template's 一级 label; read as printed."""
    text = BASE.replace("\n效益指标\n", "\n" + COST_BLOCK + "效益指标\n").replace(
        BENEFIT_ROW, BENEFIT_ROW.replace("30 30", "20 20")
    )
    imported = read_one(text)
    assert imported.ok
    assert _levels(imported)[2:4] == [("成本指标", "经济成本指标"), ("效益指标", "社会效益指标")]


@pytest.mark.parametrize("level2", ["社会成本指标", "生态环境成本指标", "经济成本"])
def test_cost_level1_with_other_cost_level2(level2):
    text = BASE.replace("\n效益指标\n", "\n" + COST_BLOCK.replace("经济成本指标", level2) + "效益指标\n").replace(
        BENEFIT_ROW, BENEFIT_ROW.replace("30 30", "20 20")
    )
    assert _levels(read_one(text))[2] == ("成本指标", level2)


def test_cost_level1_centred_after_its_first_level2():
    """The 一级 成本指标 printed after its first 二级 block (centred): the block starts at that 二级 label."""
    block = (
        "经济成本指标\n\n单场讲座成本\n<=5000元 4800元 5 5\n\n成本指标\n\n社会成本指标\n\n场地占用影响\n无 无 5 5\n\n"
    )
    text = BASE.replace("\n效益指标\n", "\n" + block + "效益指标\n").replace(
        BENEFIT_ROW, BENEFIT_ROW.replace("30 30", "20 20")
    )
    imported = read_one(text)
    assert imported.ok
    assert _levels(imported)[1:4] == [
        ("产出指标", "数量指标"),
        ("成本指标", "经济成本指标"),
        ("成本指标", "社会成本指标"),
    ]


def test_cost_label_alone_stays_a_level2_of_output():
    """Without a 二级 label of its own next to it, 成本指标 is the 二级 of 产出指标 (RULES §1)."""
    imported = read_one(BASE.replace("受众人次\n", "成本指标\n\n受众人次\n"))
    assert imported.ok and _levels(imported)[1] == ("产出指标", "成本指标")


def test_cost_label_printed_twice_is_level1_and_level2():
    text = BASE.replace("\n效益指标\n", "\n" + COST_BLOCK.replace("经济成本指标", "成本指标") + "效益指标\n").replace(
        BENEFIT_ROW, BENEFIT_ROW.replace("30 30", "20 20")
    )
    imported = read_one(text)
    assert imported.ok and _levels(imported)[2] == ("成本指标", "成本指标")


def test_cost_label_after_the_outcome_block_without_level2_is_a_draft():
    """成本指标 after the 满意度 block is a 一级 label; its row has no 二级 label: an error, not a guess."""
    text = BASE.replace("总分 100 100.00", "成本指标\n单场讲座成本\n<=5000元 4800元 10 10\n\n总分 100 100.00").replace(
        BENEFIT_ROW, BENEFIT_ROW.replace("30 30", "20 20")
    )
    imported = read_one(text)
    assert _levels(imported)[-1] == ("成本指标", None)
    assert imported.missing == ["indicators[4].level2"] and not imported.ok


def test_labels_without_the_suffix_are_read_and_kept_as_printed():
    text = (
        BASE.replace("\n产出指标\n", "\n产出\n")
        .replace("\n数量指标\n", "\n数量\n")
        .replace("\n效益指标\n", "\n效益\n")
        .replace("\n社会效益指标\n", "\n社会效益\n")
        .replace("满意度指标 服务对象满意度指标", "满意度 服务对象满意度")
    )
    imported = read_one(text)
    assert imported.ok
    assert _levels(imported) == [("产出", "数量"), ("产出", "数量"), ("效益", "社会效益"), ("满意度", "服务对象满意度")]


def test_suffixless_label_word_ending_a_wrapped_name_is_part_of_the_name():
    """ "科普讲座" / "数量" alone after it: the end of the name, not a label."""
    text = BASE.replace("科普讲座场次\n", "科普讲座\n数量\n")
    imported = read_one(text)
    first = imported.data["indicators"][0]
    assert (first["name"], first["level2"]) == ("科普讲座数量", "数量指标") and imported.ok
    assert any("read as the end of that name" in note for note in imported.notes)


def test_name_equal_to_its_level2_label_is_a_name():
    text = BASE.replace("服务对象满意度指标\n群众满意度", "服务对象满意度指标\n服务对象满意度")
    imported = read_one(text)
    last = imported.data["indicators"][-1]
    assert (last["name"], last["level2"]) == ("服务对象满意度", "服务对象满意度指标") and imported.ok


def test_level1_words_repeated_in_the_level2_cell():
    text = BASE.replace("满意度指标 服务对象满意度指标", "满意度指标（10分） 满意度指标")
    imported = read_one(text)
    assert imported.ok and _levels(imported)[-1] == ("满意度指标（10分）", "满意度指标")


NUMBERED = (
    BASE.replace("一级指标 二级指标", "序号 一级指标 二级指标")
    .replace("\n产出指标\n", "\n1\n产出指标\n")
    .replace("受众人次\n", "2 受众人次\n")
    .replace("\n效益指标\n", "\n3\n效益指标\n")
    .replace("满意度指标 服务对象满意度指标", "4 满意度指标 服务对象满意度指标")
)


def test_row_numbers_of_a_numbered_table_are_dropped():
    imported = read_one(NUMBERED)
    assert imported.ok and imported.data == read_one(BASE).data
    assert any("序号" in note for note in imported.notes)


def test_a_number_that_is_not_the_next_row_number_is_not_dropped():
    """A number out of sequence is not taken for a row number: the row cannot be read, an error."""
    imported = read_one(NUMBERED.replace("2 受众人次", "7 受众人次"))
    assert imported.errors and not imported.ok


@pytest.mark.parametrize("total", ["合计 100 100.00", "总  分 100 100.00", "总分\n100 100.00", "合 计\n\n100 100.00"])
def test_total_row_variants(total):
    imported = read_one(BASE.replace("总分 100 100.00", total))
    assert imported.ok and imported.data["total_score"] == 100


@pytest.mark.parametrize(
    "heading",
    [
        "一级指标 二级指标 三级指标 年度指标值（A） 实际完成值（B） 分值 得分 偏差原因分析及改进措施",
        "一级指标 二级指标 三级指标 年度指标值 实际完成值 分值 得分 未完成原因分析",
        "一级指标\n二级指标\n三级指标\n年度指标值（A）\n实际完成值（B）\n分值\n得分\n未完成原因\n分析",
    ],
)
def test_indicator_heading_variants(heading):
    text = BASE.replace("一级指标 二级指标 三级指标 年度指标值 实际完成值 分值 得分 偏差原因分析及改进措施", heading)
    assert read_one(text).data == read_one(BASE).data


def test_funds_block_of_the_2021_template():
    """Column letters, 预算执行率, "年度资金总额：", "其中：本年财政拨款", rows in another order."""
    funds = (
        "预算执行率\n（万元）\n\n年初预算数 全年预算数（A） 全年执行数（B） 分值 执行率（B/A） 得分\n\n"
        "年度资金总额： 10.00 10.00 9.50 10 95.00% 9.50\n\n其中：本年财政拨款 8.00 8.00 7.50 — — —\n\n"
        "其他资金 2.00 2.00 2.00 — — —\n\n上年结转资金 — — — — — —\n\n"
    )
    start, end = BASE.index("项目资金"), BASE.index("年度\n总体")
    imported = read_one(BASE[:start] + funds + BASE[end:])
    data = imported.data
    assert data["unit"] == "万元"
    assert data["funds"] == {
        "total": {
            "budget_initial": 10.0,
            "budget_final": 10.0,
            "executed": 9.5,
            "weight": 10,
            "execution_rate": "95.00%",
            "score": 9.5,
        },
        "appropriation": {"budget_initial": 8.0, "budget_final": 8.0, "executed": 7.5},
        "carryover": {"budget_initial": None, "budget_final": None, "executed": None},
        "other": {"budget_initial": 2.0, "budget_final": 2.0, "executed": 2.0},
    }
    assert imported.missing == []


@pytest.mark.parametrize(
    "title, unit",
    [
        ("项目支出绩效自评表\n（2023年度）           单位：万元", "万元"),
        ("项目支出绩效自评表（2023年度）\n金额单位：人民币万元", "万元"),
        ("青神县2023年度项目支出绩效自评表\n（单位：万元）", "万元"),
        ("项目支出绩效自评表(2023 年度)   金额单位：元", "元"),
    ],
)
def test_unit_printed_with_the_title(title, unit):
    text = BASE.replace("财政项目支出绩效自评表\n(2022 年度)", title).replace("项目资金\n（元）", "项目资金")
    imported = read_one(text)
    assert (imported.data["year"], imported.data["unit"]) == (2023, unit) and imported.ok


def test_cover_line_naming_the_results_is_not_a_title():
    text = "2023年度部门整体及项目支出绩效自评结果\n\n" + BASE
    assert len(read_text(text, source="x.txt")) == 1


@pytest.mark.parametrize(
    "change",
    [
        (
            "产出指标\n\n数量指标\n\n科普讲座场次\n>=20场 22场 30 30",
            "绩效指标 产出指标 数量指标 科普讲座场次 >=20场 22场 30 30",
        ),
        ("\n产出指标\n", "\n产 出 指 标\n"),
        ("受众人次\n", "第 1 页 共 2 页\n\f受众人次\n"),
        ("总分 100 100.00", "总分 100分 100分"),
        ("(2022 年度)", "（2022）"),
    ],
)
def test_more_printing_variants_read_the_same(change):
    """The table's outer label at a row's head, spaced-out labels, page numbers, 分 after the total,
    a year without 年度."""
    assert read_one(BASE.replace(*change)).data == read_one(BASE).data


def _laid_out(*rows: tuple[tuple[int, str], ...]) -> str:
    """Lines as `pdftotext -layout` prints them: each text at its column (a CJK character is one column)."""
    lines = []
    for cells in rows:
        line = ""
        for col, text in cells:
            line += " " * (col - len(line)) if len(line) < col else "  "
            line += text
        lines.append(line)
    return "\n".join(lines) + "\n"


LAYOUT_HEAD = _laid_out(
    ((30, "项目支出绩效自评表"),),
    ((32, "（2023年度）"), (70, "单位：万元")),
    ((4, "项目名称"), (14, "社区科普讲座")),
    ((4, "主管部门"), (14, "某市科学技术协会"), (40, "实施单位"), (50, "某市科普服务中心")),
    ((30, "年初预算数"), (42, "全年预算数"), (54, "全年执行数"), (66, "分值"), (72, "执行率"), (80, "得分")),
    (
        (4, "项目资金"),
        (14, "年度资金总额"),
        (30, "10.00"),
        (42, "10.00"),
        (54, "10.00"),
        (66, "10"),
        (72, "100.00%"),
        (80, "10"),
    ),
    ((14, "其中：当年财政拨款"), (30, "10.00"), (42, "10.00"), (54, "10.00"), (66, "—"), (72, "—"), (80, "—")),
    ((14, "上年结转资金"), (30, "—"), (42, "—"), (54, "—"), (66, "—"), (72, "—"), (80, "—")),
    ((14, "其他资金"), (30, "—"), (42, "—"), (54, "—"), (66, "—"), (72, "—"), (80, "—")),
    ((20, "预期目标"), (56, "实际完成情况")),
    ((4, "年度总体"), (14, "全年举办社区科普讲座不少于20场，"), (56, "全年举办社区科普讲座22")),
    ((6, "目标"), (14, "受众不少于2000人次。"), (56, "场，受众2350人次。")),
    (
        (4, "一级指标"),
        (14, "二级指标"),
        (24, "三级指标"),
        (40, "年度指标值"),
        (52, "实际完成值"),
        (64, "分值"),
        (70, "得分"),
        (76, "偏差原因分析及改进措施"),
    ),
)
LAYOUT_ROWS = [
    ((4, "产出指标"), (14, "数量指标"), (24, "科普讲座场次"), (40, ">=20场"), (52, "22场"), (64, "30"), (70, "30")),
    ((24, "受众人次"), (40, ">=2000人"), (52, "1800人次"), (64, "20"), (70, "18"), (76, "受天气影响两场讲")),
    ((40, "次"), (76, "座取消。")),
    (
        (4, "效益指标"),
        (14, "社会效益指标"),
        (24, "居民科学素质提升"),
        (40, "持续提高"),
        (52, "持续提高"),
        (64, "30"),
        (70, "30"),
    ),
    (
        (4, "满意度指标"),
        (14, "服务对象满意度指标"),
        (24, "群众满意度"),
        (40, ">=90%"),
        (52, "95%"),
        (64, "10"),
        (70, "10"),
    ),
    ((24, "总分"), (64, "100"), (70, "98")),
]


def test_layout_text_reads_goal_columns_and_wrapped_cells():
    imported = read_one(LAYOUT_HEAD + _laid_out(*LAYOUT_ROWS))
    assert imported.ok, imported.errors
    assert imported.data["annual_goal"] == {
        "planned": "全年举办社区科普讲座不少于20场，受众不少于2000人次。",
        "achieved": "全年举办社区科普讲座22场，受众2350人次。",
    }
    row = imported.data["indicators"][1]
    assert (row["name"], row["target"], row["deviation_note"]) == ("受众人次", ">=2000人次", "受天气影响两场讲座取消。")


def test_layout_text_name_wrapping_between_two_named_rows_ends_the_name_above():
    """ "场次" under the name column between two rows that print their names, in a table whose labels
    stand at the head of their rows: the rest of the name above (as 单次助浴服务补贴标/准 in the 湖南
    fixture)."""
    rows = list(LAYOUT_ROWS)
    rows[0] = (
        (4, "产出指标"),
        (14, "数量指标"),
        (24, "科普讲座"),
        (40, ">=20场"),
        (52, "22场"),
        (64, "30"),
        (70, "30"),
    )
    rows.insert(1, ((24, "场次"),))
    imported = read_one(LAYOUT_HEAD + _laid_out(*rows))
    assert [i["name"] for i in imported.data["indicators"][:2]] == ["科普讲座场次", "受众人次"] and imported.ok


# --------------------------------------------------------------------------- CLI end to end


def _invoke(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_cli_import_writes_eleven_valid_files(tmp_path):
    out = tmp_path / "forms"
    result = _invoke("import", str(SEED_PATH), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.glob("*.yaml")) == [f"seed_2022-{n:02d}.yaml" for n in range(1, 12)]
    check = _invoke("validate", str(out))
    assert check.exit_code == 0, check.output


def test_cli_import_refuses_to_overwrite_without_force(tmp_path):
    out = tmp_path / "forms"
    _invoke("import", str(SEED_PATH), "--out", str(out))
    (out / "seed_2022-01.yaml").write_text("edited by hand\n", encoding="utf-8")
    result = _invoke("import", str(SEED_PATH), "--out", str(out))
    assert result.exit_code == 1 and "--force" in result.output
    assert (out / "seed_2022-01.yaml").read_text(encoding="utf-8") == "edited by hand\n"


def test_cli_import_overwrites_with_force(tmp_path):
    out = tmp_path / "forms"
    _invoke("import", str(SEED_PATH), "--out", str(out))
    (out / "seed_2022-01.yaml").write_text("edited by hand\n", encoding="utf-8")
    assert _invoke("import", str(SEED_PATH), "--out", str(out), "--force").exit_code == 0
    assert "上海市科技行政服务热线系统（运维）" in (out / "seed_2022-01.yaml").read_text(encoding="utf-8")


def _seed_with_a_bad_form(tmp_path: Path) -> Path:
    bad = (TEXT_FIXTURES / "garbled_henan_2022.txt").read_text(encoding="utf-8")
    path = tmp_path / "mixed.txt"
    path.write_text(SEED + "\n" + bad, encoding="utf-8")
    return path


def test_cli_import_writes_nothing_when_one_form_is_bad(tmp_path):
    out = tmp_path / "forms"
    result = _invoke("import", str(_seed_with_a_bad_form(tmp_path)), "--out", str(out))
    assert result.exit_code == 1 and "nothing written" in result.output
    assert not out.exists() or list(out.iterdir()) == []


def test_cli_import_partial_writes_the_good_forms(tmp_path):
    out = tmp_path / "forms"
    result = _invoke("import", str(_seed_with_a_bad_form(tmp_path)), "--out", str(out), "--partial")
    assert result.exit_code == 1
    assert len(list(out.glob("*.yaml"))) == 11


# --------------------------------------------------------------------------- the 四川 template


def _sichuan(name: str):
    forms, _ = _fixture(name)
    return forms


def test_sichuan_help_text_is_not_a_reason():
    [form] = _sichuan("sichuan_daying_2023")
    assert form.data["funds"]["total"].get("reason") is None
    assert any("help text" in note for note in form.notes)


def test_sichuan_real_reason_is_kept_and_round_trips_through_yaml():
    first, _ = _sichuan("sichuan_multi_qingshen_2024")
    assert first.data["funds"]["total"]["reason"].startswith("因部分工程款")
    assert (
        Form.model_validate(yaml.safe_load(form_to_yaml(first))).funds.total.reason
        == first.data["funds"]["total"]["reason"]
    )


def test_sichuan_single_number_total_is_not_a_score():
    [form] = _sichuan("sichuan_daying_2023")
    assert form.data["total_score"] is None and form.ok
    assert any("总分一行只有分值合计 100，没有得分" in note for note in form.notes)


def test_sichuan_unit_funds_are_added_into_other_with_a_note():
    _, second = _sichuan("sichuan_multi_qingshen_2024")
    assert any(n.startswith("funds.other: 其他资金") and "单位资金 100000" in n for n in second.notes)


def test_sichuan_overview_and_conclusion_are_kept_in_notes():
    [form] = _sichuan("sichuan_daying_2023")
    assert any("项目实施内容及过程概述" in n and "13台安可电脑" in n for n in form.notes)
    assert any(n.startswith("评价结论") for n in form.notes)
    assert any(n.startswith("项目负责人") and "查小兵" in n for n in form.notes)


def test_sichuan_weights_not_adding_up_are_noted():
    text = (TEXT_FIXTURES / "sichuan_daying_2023.txt").read_text(encoding="utf-8").replace("合计 100", "合计 95")
    [form] = read_text(text, source="x.txt")
    assert any("总分一行的分值合计 95 与各行分值之和 100 不符" in note for note in form.notes)


def test_sichuan_writes_with_the_cli(tmp_path):
    result = CliRunner().invoke(
        main, ["import", str(TEXT_FIXTURES / "sichuan_multi_qingshen_2024.txt"), "--out", str(tmp_path / "out")]
    )
    assert result.exit_code == 0, result.output
    written = sorted(p.name for p in (tmp_path / "out").glob("*.yaml"))
    assert len(written) == 2
