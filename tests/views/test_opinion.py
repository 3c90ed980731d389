"""What 七、复核意见 says (views.opinion): scores side by side, the conclusion, deductions, the signature."""

from __future__ import annotations

import datetime as dt

import pytest

from selfeval_kit import Form, evaluate
from selfeval_kit.rules.findings import CHECKS
from selfeval_kit.views import opinion
from tests.conftest import DATA_2022

NATIONAL = "全国通用规则（财预〔2020〕10号）"
REVIEW = "复核扣分规则（全国通用规则加复核扣分）"


def result_of(data: dict, profile: str = "national"):
    return evaluate([Form.model_validate(data)], profile).forms[0]


@pytest.fixture
def clean(minimal_data) -> dict:
    """The minimal form without its mid-year cut: no finding at all (72 of 80 万元 = 90%, 9 points)."""
    minimal_data["funds"]["total"]["budget_initial"] = 80.0
    minimal_data["funds"]["appropriation"]["budget_initial"] = 80.0
    return minimal_data


def test_conclusion_without_findings(clean):
    assert opinion.project_opinion(result_of(clean))["conclusion"] == (
        f"本项目自评 93.00 分，按评分规则重算为 93.00 分；复核未发现问题，按“{NATIONAL}”不作复核扣分，"
        "复核得分等于复核重算分 93.00 分，等级“优”。"
    )


def test_conclusion_with_one_finding(minimal_data):
    view = opinion.project_opinion(result_of(minimal_data))  # the 20% cut only
    assert "复核发现 1 项问题（警告 1 项），" in view["conclusion"]
    assert (view["correct"], view["improve"]) == ([], ["提高预算编制的准确性，减少年中大幅调减预算"])


def test_conclusion_with_deductions(clean):
    clean["indicators"][2]["actual"] = "1500人"  # 3× the target: 2 × (3 − 1)/4 = 1 point under `review`
    clean["annual_goal"]["achieved"] = "完成培训8场，培训人数1500人。"
    view = opinion.project_opinion(result_of(clean, "review"))
    assert view["conclusion"].endswith(
        f"复核发现 1 项问题（警告 1 项），其中 1 项按“{REVIEW}”扣分，合计扣 1.00 分，复核得分 92.00 分，等级“优”。"
    )
    assert [(s["label"], s["value"]) for s in view["scores"]] == [
        ("自评分", "93.00"),
        ("复核重算分", "93.00"),
        ("复核得分", "92.00"),
    ]
    assert [(d["where"], d["points"]) for d in view["deductions"]] == [("培训人数", "1.00")]
    assert view["improve"] == ["依据历史实际值提高“培训人数”的目标值"]


def test_credible_facts_of_a_clean_form(clean):
    assert opinion.project_opinion(result_of(clean))["credible"] == [
        "自评总分 93.00 分与按评分规则重算的结果一致",
        "全年执行数 72.00 万元、执行率 90.00% 与预算执行率得分 9.00 分经核算无误",
        "4 项绩效指标中 3 项达成年度指标值，各项自评得分均在规则允许的范围内",
        "年度总体目标的文字说明与指标表数值一致",
    ]


def test_no_finding_code_reaches_the_reader():
    ev = evaluate(DATA_2022, "review")
    text = repr([opinion.project_opinion(r) for r in ev.forms]) + repr(
        opinion.annual_opinion(ev.forms, ev.portfolio_findings)
    )
    assert [code for code in CHECKS if code in text] == []


@pytest.mark.parametrize(
    "signature, values",
    [
        (None, ["", "", ""]),
        (opinion.Signature("张三", "某区财政局", "2023-03-05"), ["张三", "某区财政局", "2023年3月5日"]),
        (opinion.Signature(date=dt.date(2023, 4, 1)), ["", "", "2023年4月1日"]),
        (opinion.Signature(date="三月初"), ["", "", "三月初"]),
    ],
)
def test_signature_block(signature, values):
    lines = opinion.signature_block(signature)
    assert [line["label"] for line in lines] == ["复核人", "复核单位", "复核日期"]
    assert [line["value"] for line in lines] == values


def test_annual_conclusion_2022_under_review():
    ev = evaluate(DATA_2022, "review")
    view = opinion.annual_opinion(ev.forms, ev.portfolio_findings)
    # 1.50 + 1.54 + 1.00 + 1.50 + 9.58 + 6.64 + 0.50 + 0 + 0.50 + 2.00 + 5.72 = 30.48; 100 − 30.48/11 = 97.23
    assert view["conclusion"] == (
        f"11 个项目自评总分平均 100.00 分，按评分规则重算平均 100.00 分；按“{REVIEW}”10 个项目被扣分，"
        "合计扣 30.48 分，复核得分平均 97.23 分；扣分最多的是“科技资源共享体系建设和创新资源发展研究”（9.58 分）。"
        "复核得分等级：“优” 11 个。"
    )
    assert view["correct"][0] == (
        "说明各项目满意度调查的对象、方法和样本（“上海市科技行政服务热线系统（运维）”“研发平台网络运行保障”"
        "“上海市试验基地信息公开、年报与评估系统（运维）”等 6 个项目）"
    )
