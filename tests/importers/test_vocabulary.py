"""Tests for selfeval_kit.importers.vocabulary: the form vocabulary as data and label matching.

The label variants in the tables are harvested from the real forms in tests/fixtures/text and
tests/fixtures/seed_2022.txt (spaced, full-width, with colons, with the value in the same cell),
plus traditional-script spellings of the same labels.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from selfeval_kit.errors import DataError
from selfeval_kit.importers.vocabulary import SELF_EVALUATION, Vocabulary, normalise, vocabulary
from tests.conftest import DATA_2022, FIXTURES

VOCABULARY_YAML = Path(__file__).resolve().parents[2] / "selfeval_kit" / "importers" / "vocabulary.yaml"


@pytest.fixture(scope="module")
def voc() -> Vocabulary:
    return vocabulary()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("项 目 名 称", "项目名称"),
        ("項目名稱：", "项目名称"),
        ("年度资金总额：", "年度资金总额"),
        ("全年预算数（A）", "全年预算数"),
        ("执行率（B/A×100%）", "执行率"),
        ("绩(jì)效指标", "绩效指标"),
        ("产出指标(50分)", "产出指标"),
        ("預算執行數", "预算执行数"),
        ("實際完成值", "实际完成值"),
        ("＞＝", "≥"),
        ("不低于", "≥"),
        ("&gt;=", "≥"),
        ("未完成原因\n分析", "未完成原因分析"),
    ],
)
def test_normalise(text, expected):
    assert normalise(text) == expected


@pytest.mark.parametrize(
    ("line", "kind", "year", "before"),
    [
        ("项目支出绩效自评表(2023 年度)", SELF_EVALUATION, 2023, ""),
        ("财政项目支出绩效自评表", SELF_EVALUATION, None, ""),
        ("广州市天河区2022年度项目支出绩效自评表", SELF_EVALUATION, 2022, "广州市天河区2022年度"),
        ("2023年度 北京市 项目支出绩效自评表 (2023年度)", SELF_EVALUATION, 2023, "2023年度 北京市"),
        ("部门预算项目支出绩效自评表", SELF_EVALUATION, None, ""),
        ("項目支出績效自評表（2021年度）", SELF_EVALUATION, 2021, ""),
        ("2021年度海门区农业农村局项目支出绩效自评结果", "results_heading", 2021, "2021年度海门区农业农村局项目支出"),
        ("2023年度部门整体支出绩效自评表", "whole_department", 2023, "2023年度"),
        ("项目支出绩效目标表", "targets", None, ""),
        ("2024年项目支出绩效目标申报表", "targets", 2024, "2024年"),
    ],
)
def test_title(voc, line, kind, year, before):
    match = voc.title(line)
    assert (match.kind, match.year, match.before) == (kind, year, before)


def test_title_not_self_evaluation_says_why(voc):
    match = voc.title("部门整体支出绩效自评表")
    assert not match.is_self_evaluation and "整个部门" in match.why


@pytest.mark.parametrize("line", ["项目名称 温州市鹿城区老年食堂运营补助", "年度总体目标", "第 1 页 共 3 页"])
def test_title_none(voc, line):
    assert voc.title(line) is None


@pytest.mark.parametrize(
    ("line", "unit"),
    [
        ("（2021年度）                                  单位：万元", "万元"),
        ("项目支出绩效自评表（2021年度）", None),
        ("金额单位：元", "元"),
        ("（万元）", "万元"),
        ("(元)", "元"),
        ("单位：人民币万元", "万元"),
        ("实施单位：元宝山区农牧局", None),
    ],
)
def test_unit(voc, line, unit):
    assert voc.unit(line) == unit


@pytest.mark.parametrize(
    ("line", "year"),
    [("(2022 年度)", 2022), ("（2021年度）   单位：万元", 2021), ("（2024年度）", 2024), ("2022", 2022)],
)
def test_year_line(voc, line, year):
    assert voc.year_line(line) == year


# (cell as printed, section, key, value as printed)
FIELD_CASES = [
    ("项目名称", "fields", "name", None),
    ("项 目 名 称", "fields", "name", None),
    ("項目名稱", "fields", "name", None),
    ("项目名称：天河区社区居家养老服务补助", "fields", "name", "天河区社区居家养老服务补助"),
    ("项目名称：热线（运维）", "fields", "name", "热线（运维）"),
    ("项目名称 温州市鹿城区老年食堂运营补助", "fields", "name", "温州市鹿城区老年食堂运营补助"),
    ("专项资金名称：农业补助", "fields", "name", "农业补助"),
    (
        "主管部门及代码 [107]北京市西城区住房和城市建设委员会",
        "fields",
        "department",
        "[107]北京市西城区住房和城市建设委员会",
    ),
    ("主管部门：广州市天河区民政局", "fields", "department", "广州市天河区民政局"),
    ("主管部門", "fields", "department", None),
    ("实施单位\n北京市西城区房屋管理\n中心", "fields", "implementer", "北京市西城区房屋管理\n中心"),
    ("实施单位 219001-池州市贵池区棠溪镇人民政府", "fields", "implementer", "219001-池州市贵池区棠溪镇人民政府"),
    ("項目實施單位", "fields", "implementer", None),
    ("金额单位：元", "fields", "unit", "元"),
    ("项目负责人 王建国 联系电话 028-38821234", "other", "project_lead", "王建国 联系电话 028-38821234"),
    ("评价结论 项目基本完成年度目标,资金执行率偏低。", "other", "conclusion", "项目基本完成年度目标,资金执行率偏低。"),
    ("项目资金", "funds", "block", None),
    ("预算执行情况(10\n分)", "funds", "block", None),
    ("年度资金总额 12,800,000.00 11,500,000.00", "funds", "total", "12,800,000.00 11,500,000.00"),
    ("年度资金总额:", "funds", "total", None),
    ("年度資金總額", "funds", "total", None),
    ("总额 0.00 3.36 3.36 100.00% 10 10", "funds", "total", "0.00 3.36 3.36 100.00% 10 10"),
    ("其中：当年财政拨款 11,000,000.00", "funds", "appropriation", "11,000,000.00"),
    ("其中:本年财政拨款 85 85 83.3", "funds", "appropriation", "85 85 83.3"),
    ("其中：财政拨款", "funds", "appropriation", None),
    ("其中:财政资金 0.00 3.36", "funds", "appropriation", "0.00 3.36"),
    ("當年財政撥款", "funds", "appropriation", None),
    ("上年结转资金 0 0 —", "funds", "carryover", "0 0 —"),
    ("上年結轉資金", "funds", "carryover", None),
    ("其他资金 / /", "funds", "other", "/ /"),
    ("财政专户管理资金 0.00", "funds", "special", "0.00"),
    ("单位资金", "funds", "unit_funds", None),
    ("年度总体目标", "goal", "block", None),
    ("1.项目年度目标完成情况", "goal", "block", None),
    ("预期目标：新增老年食堂（助餐点）6家", "goal", "planned", "新增老年食堂（助餐点）6家"),
    ("项目年度目标", "goal", "planned", None),
    ("实际完成情况：", "goal", "achieved", None),
    ("全年实际完成情况", "goal", "achieved", None),
    ("年度目标完成情况", "goal", "achieved", None),
    ("绩效指标", "indicators", "block", None),
    ("绩效指标(90分)", "indicators", "block", None),
    ("总分 100 99.90", "indicators", "total", "100 99.90"),
    ("总  分", "indicators", "total", None),
]


@pytest.mark.parametrize(("text", "section", "key", "value"), FIELD_CASES)
def test_field(voc, text, section, key, value):
    match = voc.field(text)
    assert (match.section, match.key, match.value) == (section, key, value)


@pytest.mark.parametrize(
    ("text", "label"),
    [("项 目 名 称：热线", "项 目 名 称"), ("其中：当年财政拨款 1", "其中：当年财政拨款"), ("項目名稱", "項目名稱")],
)
def test_field_label_as_printed(voc, text, label):
    assert voc.field(text).label == label


@pytest.mark.parametrize(("text", "unit"), [("项目资金（万元）", "万元"), ("项目资金\n(元)", "元"), ("项目资金", None)])
def test_field_unit_after_label(voc, text, unit):
    match = voc.field(text)
    assert (match.key, match.unit) == ("block", unit)


@pytest.mark.parametrize(
    "text", ["其他资金包括:社会投入资金、银行贷款", "项目名称热线", "上海市科学技术委员会", "", "≥90%"]
)
def test_field_none(voc, text):
    assert voc.field(text) is None


@pytest.mark.parametrize(("section", "key"), [("funds", "total"), ("indicators", "total")])
def test_field_section_chooses_between_shared_labels(voc, section, key):
    match = voc.field("合计 100 95.25", section=section)
    assert (match.section, match.key, match.value) == (section, key, "100 95.25")


FUNDS_COLUMNS = [
    ("年初预算数", "budget_initial"),
    ("年初预算", "budget_initial"),
    ("全年预算数", "budget_final"),
    ("全年预算数（A）", "budget_final"),
    ("调整后预算数", "budget_final"),
    ("全年执行数（B）", "executed"),
    ("预算执行数", "executed"),
    ("實際支出", "executed"),
    ("分值", "weight"),
    ("权重", "weight"),
    ("执行率", "execution_rate"),
    ("执行率（B/A）", "execution_rate"),
    ("预算执行率（B/A）", "execution_rate"),
    ("得分", "score"),
    ("原因", "reason"),
    ("年度预算数(万元)", "amounts"),
]
INDICATOR_COLUMNS = [
    ("序号", "seq"),
    ("一级指标", "level1"),
    ("二级指标", "level2"),
    ("三级指标", "name"),
    ("年度指标值", "target"),
    ("年度\n\n指标值", "target"),
    ("年度指标值（A）", "target"),
    ("指标值", "target"),
    ("年初目标值", "target"),
    ("实际完成值", "actual"),
    ("实际\n完成值（B）", "actual"),
    ("全年实际值", "actual"),
    ("完成值", "actual"),
    ("分值", "weight"),
    ("权重", "weight"),
    ("得分", "score"),
    ("偏差原因分析及\n改进措施", "deviation_note"),
    ("未完成原因分析", "deviation_note"),
    ("未完成原因\n分析", "deviation_note"),
    ("指标性质", "nature"),
    ("度量单位", "measure_unit"),
    ("計量單位", "measure_unit"),
]


@pytest.mark.parametrize(("text", "role"), FUNDS_COLUMNS)
def test_funds_column(voc, text, role):
    assert voc.column(text, "funds") == role


@pytest.mark.parametrize(("text", "role"), INDICATOR_COLUMNS)
def test_indicator_column(voc, text, role):
    assert voc.column(text, "indicators") == role


@pytest.mark.parametrize(
    ("text", "block"), [("三级指标", "funds"), ("年初预算数", "indicators"), ("项目名称", "funds")]
)
def test_column_of_other_block_is_none(voc, text, block):
    assert voc.column(text, block) is None


def test_column_unknown_block_raises(voc):
    with pytest.raises(ValueError, match="block"):
        voc.column("得分", "goal")


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("产出指标", "产出指标"),
        ("产出", "产出指标"),
        ("产出指标(50分)", "产出指标"),
        ("產出指標", "产出指标"),
        ("效益指标（30分）", "效益指标"),
        ("效益", "效益指标"),
        ("满意度", "满意度指标"),
        ("满意度指标(10分)", "满意度指标"),
        ("成本指标(10分)", "成本指标"),
        ("滿意度指標", "满意度指标"),
    ],
)
def test_level1(voc, text, canonical):
    assert voc.level1(text) == canonical


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("数量", "数量指标"),
        ("數量指標", "数量指标"),
        ("质量", "质量指标"),
        ("質量指標", "质量指标"),
        ("时效", "时效指标"),
        ("時效指標", "时效指标"),
        ("成本", "成本指标"),
        ("经济效益指标", "经济效益指标"),
        ("經濟效益指標", "经济效益指标"),
        ("社会效益", "社会效益指标"),
        ("生态效益指标", "生态效益指标"),
        ("可持续影响", "可持续影响指标"),
        ("服务对象满意度", "服务对象满意度指标"),
        ("服务对象满意度\n指标", "服务对象满意度指标"),
        ("满意度指标", "服务对象满意度指标"),
        ("经济成本指标", "经济成本指标"),
        ("社会成本指标", "社会成本指标"),
        ("生态环境成本指标", "生态环境成本指标"),
    ],
)
def test_level2(voc, text, canonical):
    assert voc.level2(text) == canonical


@pytest.mark.parametrize(
    ("text", "level"), [("数量指标", "level1"), ("农村户厕改造数量", "level2"), ("产出", "level2")]
)
def test_level_none(voc, text, level):
    assert getattr(voc, level)(text) is None


@pytest.mark.parametrize(
    ("level2", "parents"),
    [
        ("数量指标", ("产出指标",)),
        ("经济成本指标", ("成本指标", "产出指标")),
        ("服务对象满意度指标", ("满意度指标",)),
        ("x", ()),
    ],
)
def test_parents(voc, level2, parents):
    assert voc.parents(level2) == parents


def _level_labels() -> list[tuple[str, str]]:
    """Every 一级/二级 label in data/2022 and in the fixtures' expected YAML, as written there."""
    found: set[tuple[str, str]] = set()
    forms = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted(DATA_2022.glob("*.yaml"))]
    for path in sorted((FIXTURES / "text").glob("*.expected.yaml")):
        forms += [f["data"] for f in yaml.safe_load(path.read_text(encoding="utf-8"))["forms"] if f.get("data")]
    for form in forms:
        for row in form.get("indicators") or []:
            found |= {(level, row[level]) for level in ("level1", "level2") if row[level] is not None}
    return sorted(found)


@pytest.mark.parametrize(("level", "label"), _level_labels())
def test_every_printed_level_label_matches(voc, level, label):
    assert getattr(voc, level)(label) is not None


@pytest.mark.parametrize("text", ["总分", "总 分", "合计", "合  计", "总计", "總分"])
def test_is_total(voc, text):
    assert voc.is_total(text)


@pytest.mark.parametrize("text", ["总分 100 99.9", "年度资金总额", "分值"])
def test_is_total_false(voc, text):
    assert not voc.is_total(text)


@pytest.mark.parametrize(
    "line",
    [
        "第 1 页 共 3 页",
        "第1页/共3页",
        "第2页，共3页",
        "共 3 页 第 1 页",
        "- 2 -",
        "— 2 —",
        "－ 12 －",
        "Page 3 of 4",
        "（A）",
        "(A) (B) (B/A)",
        "附件：",
        "附件3",
    ],
)
def test_is_noise(voc, line):
    assert voc.is_noise(line)


@pytest.mark.parametrize("line", ["", "2", "第一批", "项目名称", "绩", "100 99.90", "第二页内容"])
def test_is_noise_false(voc, line):
    assert not voc.is_noise(line)


@pytest.mark.parametrize(
    ("text", "sign"),
    [
        ("≥", "≥"),
        (">=", "≥"),
        ("＞＝", "≥"),
        ("≧", "≥"),
        ("&gt;=", "≥"),
        ("大于等于", "≥"),
        ("不低于", "≥"),
        ("不少于", "≥"),
        ("≦", "≤"),
        ("<=", "≤"),
        ("不超过", "≤"),
        ("不高于", "≤"),
        ("＞", ">"),
        ("大于", ">"),
        ("高于", ">"),
        ("＜", "<"),
        ("低于", "<"),
        ("＝", "="),
        ("=", "="),
    ],
)
def test_sign(voc, text, sign):
    assert voc.sign(text) == sign


@pytest.mark.parametrize("text", ["定性", "≥90%", "", "100"])
def test_sign_none(voc, text):
    assert voc.sign(text) is None


def _vocabulary_with(change) -> str:
    data = yaml.safe_load(VOCABULARY_YAML.read_text(encoding="utf-8"))
    change(data)
    return yaml.safe_dump(data, allow_unicode=True)


def test_package_yaml_compiles_from_text():
    compiled = Vocabulary.from_yaml(VOCABULARY_YAML.read_text(encoding="utf-8"), "v.yaml")
    assert compiled.field("项目名称").key == "name"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.pop("funds"), "funds"),
        (lambda d: d["fields"].update(name=[]), "fields.name"),
        (lambda d: d["fields"].update(colour=["颜色"]), "colour"),
        (lambda d: d["funds"]["columns"].pop("executed"), "executed"),
        (lambda d: d["fields"]["department"].append("项目名称"), "项目名称"),
        (lambda d: d["indicators"]["level2"]["数量指标"].update(parents=["产出"]), "产出"),
        (lambda d: d["funds"]["columns"]["score"].append("分值"), "分值"),
        (lambda d: d["fields"]["unit"]["values"].update(千元=["千元"]), "千元"),
    ],
)
def test_malformed_vocabulary_names_file_and_problem(change, message):
    with pytest.raises(DataError) as raised:
        Vocabulary.from_yaml(_vocabulary_with(change), "bad.yaml")
    assert "bad.yaml" in str(raised.value) and message in str(raised.value)


@pytest.mark.parametrize("text", ["titles: [", "- just\n- a list", ""])
def test_not_a_vocabulary_is_a_data_error(text):
    with pytest.raises(DataError, match=r"bad\.yaml"):
        Vocabulary.from_yaml(text, "bad.yaml")
