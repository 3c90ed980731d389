"""The narrative check: figures in the goal texts against the table, without false alarms."""

from __future__ import annotations

import pytest

from selfeval_kit import Form, evaluate
from selfeval_kit.narrative import match_indicator, mentions


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


def _mentions_reference(text):
    """mentions() as first written (regex search for every subject and approximation):
    the faster version must give exactly the same mentions."""
    from selfeval_kit import narrative as n

    if not text:
        return
    for clause in n._CLAUSE_BREAK.split(text):
        start = 0
        for match in n._TOKEN.finditer(clause):
            subject = n._LINK.sub("", clause[start : match.start()].strip()).strip()
            start = match.end()
            if len(subject) < 2:
                continue
            value = n._figure(*match.group(0, "lo", "hi", "mult", "unit"))
            if value is None:
                continue
            approximate = bool(n._APPROX_AFTER.match(clause, match.end())) or bool(
                n._APPROX_BEFORE.search(clause[: match.start()])
            )
            yield n.Mention(subject=subject, value=value, text=value.text, approximate=approximate)


def test_mentions_fast_path_equals_reference(tmp_path):
    import sys

    from selfeval_kit import load
    from tests.conftest import DATA_2022, ROOT

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from synthetic import write_portfolio

    write_portfolio(tmp_path, 150, 0, seed=11)
    texts = [
        "满意度约 95%，投诉 2次左右，超 3万人次，近\u3000500家，达到了10台（套）",
        "共计为 12个\u00a0", "计划完成率 ≥ 90 %并且 成本不超过5万元",
        "约为3天", "已  7项", "的的的5篇", "5次", "", "  ",
    ]
    for path in (DATA_2022, tmp_path):
        for form in load(path):
            texts += [form.annual_goal.planned, form.annual_goal.achieved]
    for text in texts:
        assert list(mentions(text)) == list(_mentions_reference(text)), text
