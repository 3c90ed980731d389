"""The narrative check: figures in the goal texts against the table, without false alarms."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from selfeval_kit import Form, evaluate
from selfeval_kit.rules.narrative import match_indicator, mentions


def narrative(data: dict) -> list:
    return [f for f in evaluate([Form.model_validate(data)]).findings if f.code == "narrative.mismatch"]


@pytest.mark.parametrize(
    "subject, names, expected",
    [
        ("大仪系统用咨询用户满意度", ["并发用户数", "大仪系统咨询用户满意度"], 1),
        ("企业订单", ["长三角科技券新增申领企业", "长三角科技券新增企业订单"], 1),
        ("服务器硬件原因的宕机次数", ["存储设备硬件原因宕机次数", "服务器硬件原因宕机次数", "核心设备故障次数"], 1),
        ("全年发现高危漏洞数", ["高危漏洞数", "系统故障数"], 0),
        ("新增需求", ["长三角科技券新增申领企业", "发表学术论文"], None),  # too little in common
        ("满意度", ["用户满意度", "服务满意度"], None),  # both fit: not certain
    ],
)
def test_match_indicator(subject, names, expected):
    assert match_indicator(subject, names) == expected


def test_mentions_read_multipliers_units_and_approximations():
    found = list(mentions("垃圾邮件拦截量为10.4451万，媒体报道80余篇；系统平均响应时间174ms，发表论文1-2篇。"))
    assert [(m.subject, m.value.number, m.approximate) for m in found] == [
        ("垃圾邮件拦截量", 104451.0, False),
        ("媒体报道", 80.0, True),
        ("系统平均响应时间", 0.174, False),
        ("发表论文", 1.0, False),
    ]
    assert found[3].value.number_high == 2.0


def test_planned_figure_differs_from_target(minimal_data):
    minimal_data["annual_goal"]["planned"] = "完成培训10场，培训人数不少于600人。"
    (finding,) = narrative(minimal_data)
    assert finding.indicator == "培训人数"
    assert finding.figures == {"field": "预期目标", "stated": "600人", "table": ">=500人"}


def test_achieved_figure_differs_from_actual(minimal_data):
    minimal_data["annual_goal"]["achieved"] = "完成培训8场，培训人数达到650人。"
    (finding,) = narrative(minimal_data)
    assert finding.figures == {"field": "实际完成情况", "stated": "650人", "table": "620人"}


@pytest.mark.parametrize(
    "achieved",
    [
        "培训人数620人。",
        "培训人数约600人。",  # approximate and within 20%
        "培训人数600余人。",
        "培训人数0.062万人。",  # multiplier
        "累计培训学员620个。",  # unit not comparable with 人: not certain, not reported
        "开展培训，共620人次参加，满意度达95%。",  # 620人次 is not 培训人数's unit; 满意度 matches 95%
    ],
)
def test_no_false_alarm(minimal_data, achieved):
    minimal_data["annual_goal"]["achieved"] = achieved
    assert narrative(minimal_data) == []


def test_figure_before_the_name_is_not_read(minimal_data):
    # "支持200用户并发使用": the number stands before the indicator's name; not matched
    minimal_data["annual_goal"]["achieved"] = "共有900培训人数。"
    assert narrative(minimal_data) == []


def test_thousands_separator_is_not_a_clause_break():
    found = list(mentions("服务企业数1,162家,访问量达到2,500,000次"))
    assert [(m.subject, m.value.number) for m in found] == [("服务企业数", 1162.0), ("访问量", 2500000.0)]


@pytest.mark.parametrize(
    "achieved, stated",
    [
        ("培训人数650。", "650"),  # a figure without a unit takes the indicator's unit
        ("培训人数0.065万人。", "0.065万人"),  # 650 人
        ("培训人数约400人。", "400人"),  # approximate, but more than 20% off
        ("培训人数1-2人。", "1-2人"),  # a range that does not hold 620
    ],
)
def test_figures_that_differ(minimal_data, achieved, stated):
    minimal_data["annual_goal"]["achieved"] = achieved
    (finding,) = narrative(minimal_data)
    assert (finding.indicator, finding.figures["stated"]) == ("培训人数", stated)


@pytest.mark.parametrize("achieved", ["培训人数600-650人。", "培训人数620.0000000001人。", "培训人数0.062万人。"])
def test_figures_that_agree(minimal_data, achieved):
    """A range that holds the table's figure, or the same number within values.REL_TOLERANCE."""
    minimal_data["annual_goal"]["achieved"] = achieved
    assert narrative(minimal_data) == []


def test_only_the_first_mention_of_an_indicator_counts(minimal_data):
    minimal_data["annual_goal"]["achieved"] = "培训人数620人，其中培训人数700人。"
    assert narrative(minimal_data) == []


def test_both_texts_are_checked(minimal_data):
    minimal_data["annual_goal"]["planned"] = "培训人数不少于600人。"
    minimal_data["annual_goal"]["achieved"] = "培训人数650人。"
    found = narrative(minimal_data)
    assert [(f.figures["field"], f.figures["stated"], f.figures["table"]) for f in found] == [
        ("预期目标", "600人", ">=500人"),
        ("实际完成情况", "650人", "620人"),
    ]
    assert found[0].message == "预期目标写“培训人数600人”，指标表“培训人数”的年度指标值为 >=500人（600 ≠ 500）。"


def test_a_name_that_is_there_twice_is_never_certain():
    assert match_indicator("用户满意度", ["用户满意度", "用户满意度", "培训人数"]) is None


@pytest.mark.parametrize(
    "subject, names, expected",
    [
        ("培训人", ["培训人数"], 0),  # 3 of 3 characters in order
        ("人训培", ["培训人数"], None),  # the same characters, out of order: LCS 1
        ("培训", ["培训人数"], None),  # fewer than 3 characters in common
        ("培训人数统计表", ["培训人数"], 0),  # the shorter text is covered
    ],
)
def test_match_needs_characters_in_order(subject, names, expected):
    assert match_indicator(subject, names) == expected


_PIECES = st.sampled_from(
    [
        "培训人数",
        "满意度",
        "服务企业数",
        "为",
        "达到",
        "约",
        "超",
        "余",
        "左右",
        "以上",
        "，",
        "。",
        "、",
        "\n",
        ",",
        "1",
        "12",
        "1,162",
        "3.5",
        "-",
        "至",
        "万",
        "千",
        "亿",
        "个",
        "人次",
        "%",
        "ms",
        "秒",
        "万元",
        "台（套）",
        " ",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=25).map("".join))
def test_mentions_read_any_text(text):
    for mention in mentions(text):
        assert len(mention.subject) >= 2 and mention.subject in text
        assert mention.value.number is not None and mention.value.number >= 0
        assert mention.text == mention.value.text
