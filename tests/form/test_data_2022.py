"""The bundled 2022 data against the seed: figures read off the published forms by hand,
and every string checked to occur in the seed text itself."""

from __future__ import annotations

import re

import pytest

from selfeval_kit import load
from tests.conftest import DATA_2022, FIXTURES

SEED = (FIXTURES / "seed_2022.txt").read_text(encoding="utf-8")
SEED_FORMS = SEED.split("财政项目支出绩效自评表")[1:]


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def portfolio():
    return load(DATA_2022)


# id, seq, 年初预算数, 全年预算数, 全年执行数, 执行率 as printed, number of indicators
FUNDS = [
    ("hotline-system-ops", 1, 296272, 296272, 296272, "100.00%", 15),
    ("platform-network-ops", 2, 2517100, 2291100, 2291100, "100.00%", 13),
    ("base-info-system-ops", 3, 658495, 540000, 540000, "100.00%", 13),
    ("instrument-sharing-ops", 4, 672500, 540000, 540000, "100.00%", 14),
    ("resource-sharing-research", 5, 5102000, 4122000, 4120500, "99.97%", 18),
    ("platform-promotion", 6, 306000, 275500, 275500, "100.00%", 12),
    ("talent-service-platform", 7, 624000, 579900, 579900, "100.00%", 10),
    ("foreigner-work-service", 8, 3750951, 1965609, 1965608.78, "100.00%", 14),
    ("portal-website-ops", 9, 1017000, 944172, 944171, "100.00%", 13),
    ("infrastructure-ops", 10, 418157, 418157, 418157, "100.00%", 13),
    ("resource-talent-platform", 11, 5000000, 5000000, 5945315.18, "118.91%", 9),
]


def test_all_eleven_forms_in_seed_order(portfolio):
    assert portfolio.ids == [row[0] for row in FUNDS]
    assert len(SEED_FORMS) == 11


@pytest.mark.parametrize("form_id, seq, initial, final, executed, rate, count", FUNDS)
def test_funds_match_the_seed(portfolio, form_id, seq, initial, final, executed, rate, count):
    form = portfolio[form_id]
    total, appropriation = form.funds.total, form.funds.appropriation
    assert (form.seq, form.year, form.unit) == (seq, 2022, "元")
    assert (total.budget_initial, total.budget_final, total.executed) == (initial, final, executed)
    # In every 2022 form the whole budget is this year's appropriation.
    assert (appropriation.budget_initial, appropriation.budget_final, appropriation.executed) == (
        initial,
        final,
        executed,
    )
    for row in (form.funds.carryover, form.funds.other):
        assert (row.budget_initial, row.budget_final, row.executed) == (None, 0, 0)
    assert (total.weight, total.execution_rate, total.score) == (10, rate, 10)
    assert len(form.indicators) == count
    assert form.total_score == 100


@pytest.mark.parametrize("form_id", [row[0] for row in FUNDS])
def test_weights_with_budget_add_to_100_in_default_split(portfolio, form_id):
    form = portfolio[form_id]
    by_level1: dict[str, float] = {}
    for indicator in form.indicators:
        by_level1[indicator.level1] = by_level1.get(indicator.level1, 0) + indicator.weight
    assert by_level1 == {"产出指标": 50, "效益指标": 30, "满意度指标": 10}
    assert form.funds.total.weight + form.indicator_weight == 100
    assert sum(i.score for i in form.indicators) + form.funds.total.score == 100


@pytest.mark.parametrize("form_id", [row[0] for row in FUNDS])
def test_header_strings_occur_in_the_seed_form(portfolio, form_id):
    form = portfolio[form_id]
    page = squeeze(SEED_FORMS[form.seq - 1])
    assert f"项目名称{squeeze(form.name)}主管部门{form.department}实施单位{form.implementer}" in page


@pytest.mark.parametrize("form_id", [row[0] for row in FUNDS])
def test_every_indicator_row_occurs_in_order_in_the_seed(portfolio, form_id):
    form = portfolio[form_id]
    page = squeeze(SEED_FORMS[form.seq - 1])
    position = 0
    for indicator in form.indicators:
        cells = squeeze(f"{indicator.name}{indicator.target}{indicator.actual}{indicator.weight:g}{indicator.score:g}")
        found = page.find(cells, position)
        assert found >= 0, f"{form_id}: row {indicator.name!r} not found after position {position}"
        position = found + len(cells)


@pytest.mark.parametrize("form_id", [row[0] for row in FUNDS])
def test_goal_texts_are_the_seed_paragraphs_without_line_breaks(portfolio, form_id):
    form = portfolio[form_id]
    page = SEED_FORMS[form.seq - 1].replace("\n", "")
    for text in (form.annual_goal.planned, form.annual_goal.achieved):
        if text is not None:
            assert "\n" not in text
            assert page.count(text) == 1


@pytest.mark.parametrize(
    "form_id, position, level2, name, target, actual",
    [
        ("hotline-system-ops", 9, "时效指标", "系统响应时间", "<2秒", "21ms"),
        ("platform-network-ops", 6, "时效指标", "平台网站响应时间", "<2S", "211ms"),
        ("base-info-system-ops", 12, "服务对象满意度指标", "基地系统咨询用户满意度", ">=90%", "99.91%"),
        ("instrument-sharing-ops", 11, "社会效益指标", "入网仪器数量", ">=15300台套", "15841台套"),
        ("resource-sharing-research", 11, "时效指标", "评审会议召开及时性", "及时", "及时"),
        ("resource-sharing-research", 14, "社会效益指标", "长三角平台需求对接投诉率", "无", "无"),
        ("platform-promotion", 7, "时效指标", "媒体报道及时性", "及时", "及时"),
        ("talent-service-platform", 7, "社会效益指标", "公众号关注度", "持续提高", "持续提高"),
        ("foreigner-work-service", 10, "社会效益指标", "集聚国际人才水平", "全国前3", "全国第1"),
        ("foreigner-work-service", 9, "社会效益指标", "服务人次", ">=3万人次", "3万人次"),
        ("portal-website-ops", 10, "社会效益指标", "访问量", ">=1000万次", "1114.3566万次"),
        ("infrastructure-ops", 1, "数量指标", "防火墙拦截攻击次数", ">=2000万次", "2900万次"),
        ("resource-talent-platform", 1, "数量指标", "人才数量", ">=500万", "600万"),
    ],
)
def test_chosen_rows(portfolio, form_id, position, level2, name, target, actual):
    indicator = portfolio[form_id].indicators[position]
    assert (indicator.level2, indicator.name, indicator.target, indicator.actual) == (level2, name, target, actual)


def test_form_3_has_no_planned_goal_text(portfolio):
    # Its only goal paragraph is written in the past tense with achieved figures: 实际完成情况.
    goal = portfolio["base-info-system-ops"].annual_goal
    assert goal.planned is None
    assert goal.achieved.startswith("项目运维实施期内保障了网站的安全和稳定运行")


def test_long_qualitative_actual_is_joined_exactly(portfolio):
    actual = portfolio["platform-network-ops"].indicators[11].actual
    assert actual == (
        "制定了“黑客攻击服务器应急演练方案”、“网络安全巡检分析报告”、“网络接入申请表”、"
        "“网络安全应急预案”、“网络安全管理规范”、“中心机房管理制度”等制度"
    )
