"""What the annual report says (views.annual, views.quality), without HTML or charts.

Expected totals are summed by hand from the forms: the 2022 year (11 forms in 元), the report
fixture (one form in 元, one in 万元), and a made-up year of 32 forms, more than a chart lists.
"""

from __future__ import annotations

import pytest
import yaml

from selfeval_kit.rules.evaluation import evaluate
from selfeval_kit.views import annual, quality
from selfeval_kit.views.formatting import differs
from tests.conftest import DATA_2022
from tests.report_build import FIXTURE_DATA


@pytest.fixture(scope="module")
def year2022():
    return annual.Year.of(evaluate(DATA_2022))


@pytest.fixture(scope="module")
def fixture_year():
    return annual.Year.of(evaluate(FIXTURE_DATA), 2022)


@pytest.fixture
def big_year(tmp_path, minimal_data):
    """32 copies of the minimal form: final budget 80 万元 each, executed 60 + i (75% … 113.75%)."""
    for i in range(32):
        data = dict(minimal_data, id=f"p{i:02d}", name=f"项目{i:02d}")
        data["funds"] = {**minimal_data["funds"], "total": {**minimal_data["funds"]["total"], "executed": 60.0 + i}}
        (tmp_path / f"p{i:02d}.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return annual.Year.of(evaluate(tmp_path))


def test_year_of_an_evaluation(year2022, fixture_year):
    assert (year2022.year, year2022.unit, len(year2022.results)) == (2022, "元", 11)
    assert year2022.implementer == "上海市研发公共服务平台管理中心"
    assert year2022.title == "上海市研发公共服务平台管理中心 2022年度项目支出绩效自评复核年度报告"
    assert year2022.total("budget_initial") == 20362475  # the eleven initial budgets
    assert year2022.total("budget_final") == 16972710
    # mixed units: totals in 元, 1,200.50 万元 = 12,005,000 元
    assert fixture_year.unit == "元"
    assert fixture_year.total("budget_initial") == 296272 + 12005000
    assert annual.Year.of(evaluate(FIXTURE_DATA), 2021).results == []


def test_header_and_overview(year2022, fixture_year):
    head = annual.header(year2022)
    assert (head["n"], head["executed"], head["departments"]) == (11, "17,916,523.96 元", "上海市科学技术委员会")
    assert head["rate"] == "105.56%"  # 17,916,523.96 / 16,972,710
    assert head["counts"] == "错误 0 / 警告 34 / 提示 4"
    over = annual.overview(fixture_year)
    assert (over["initial"], over["final"], over["executed"]) == ("12,301,272.00", "10,296,272.00", "8,798,772.00")
    assert (over["change"], over["rate"], over["rate_initial"]) == ("-2,005,000.00", "85.46%", "71.53%")
    assert over["mixed_units"] and over["grade_rows"] == [{"grade": "优", "recomputed": 2, "reported": 2}]


def test_execution_rows_mark_low_rates_and_large_cuts(fixture_year):
    rows = {row["id"]: row for row in annual.execution(fixture_year)["rows"]}
    xss = rows["xss-demo"]
    assert (xss["rate"], xss["rate_reported"], xss["mark"], xss["cls"]) == ("85.02%", "85.03%", "▼ 低于 90%", "hl-low")
    assert (xss["change"], xss["cut"], xss["big_cut"]) == ("-200.50", "16.70%", True)
    assert rows["hotline-system-ops"]["mark"] == "" and not rows["hotline-system-ops"]["big_cut"]


def test_rate_and_change_readings(year2022):
    rate = annual.rate_chart(year2022)
    assert len(rate.names) == 11 and rate.distribution is None
    assert rate.reading == (
        "读图：11 个项目中，1 个执行率超过 100%（研发平台科技资源共享服务及人才平台体系建设 118.91%），0 个低于 90%。"
    )
    change = annual.change_chart(year2022)
    assert change.reading.startswith("读图：全年预算数合计比年初预算数减少 3,389,765.00 元；4 个项目调减超过 15%（")
    assert "科技资源共享体系建设和创新资源发展研究 19.21%" in change.reading  # 5,102,000 → 4,122,000


def test_a_large_year_charts_the_extremes_and_a_distribution(big_year):
    rate = annual.rate_chart(big_year)
    # 15 highest (p31 … p17) and 15 lowest (p14 … p00); 11 above 100% (executed 81 … 91), 12 below 90% (60 … 71)
    assert rate.names == [f"项目{i:02d}" for i in [*range(31, 16, -1), *range(14, -1, -1)]]
    assert "32 个项目中，11 个执行率超过 100%" in rate.reading and "，12 个低于 90%。" in rate.reading
    assert rate.reading.endswith("图中列出执行率最高和最低的各 15 个项目，全部 32 个项目见上表和下面的分布图。")
    assert rate.distribution is not None and len(rate.distribution.values) == 32
    assert rate.distribution.caption == "读图：32 个项目执行率的分布（每个柱为一个区间内的项目数）。"
    # budget scores follow the rates, so 31 recomputed totals differ from the reported 93: the 30 furthest are drawn
    score = annual.score_chart(big_year)
    assert len(score.names) == 30 and "项目12" not in score.names  # 72 / 80 = 90%: recomputed 93.00
    assert score.reading.startswith("读图：31 个项目的自评总分与复核重算分不同，差距最大的是 项目00。")
    assert score.distribution is not None and len(score.distribution.values) == 32
    assert len(annual.change_chart(big_year).names) == annual.CHART_PROJECTS


def test_extremes():
    assert annual.extremes([3, 1, 2], key=float, n=4) == [3, 1, 2]
    assert annual.extremes(list(range(10)), key=float, n=4) == [9, 8, 1, 0]
    assert annual.extremes(list(range(10)), key=float, n=5) == [9, 8, 2, 1, 0]


def test_attainment_and_scores(year2022, fixture_year):
    assert (
        annual.attainment_chart(year2022).reading
        == "读图：144 个指标中 144 个达成（100.0%）；没有未达成或部分达成的指标。"
    )
    chart = annual.attainment_chart(fixture_year)
    assert chart.levels == ["产出指标", "效益指标", "满意度指标"]
    assert chart.labels["partly"] == "◐ 部分达成"
    assert "未达成或部分达成：产出指标 1 个" in chart.reading
    assert annual.score_chart(year2022).reading == "读图：11 个项目的自评总分均与复核重算分一致。"


def test_findings_by_code_and_ranking(fixture_year):
    codes = annual.findings(fixture_year)["code_rows"]
    assert codes[0] == {
        "code": "indicator.overachieved_no_reason",
        "title": "大幅超额完成且未说明原因",
        "severity": "warning",
        "n": 2,
        "projects": 1,
    }
    ranking = annual.ranking(fixture_year, link_suffix=".htm")
    assert [(r["rank"], r["href"], r["recomputed"]) for r in ranking] == [
        (1, "hotline-system-ops.htm", "100.00"),
        (2, "xss-demo.htm", "92.50"),
    ]
    assert (ranking[1]["executed"], ranking[1]["warnings"]) == ("850.25 万元", 4)


def test_findings_by_project_and_of_the_portfolio(year2022):
    found = annual.findings(year2022)
    by_project = {p["id"]: p for p in found["by_project"]}
    assert list(by_project) == [r.form.id for r in year2022.results]
    assert [f.code for f in by_project["base-info-system-ops"]["findings"]] == ["budget.large_cut", "goal.missing"]
    assert by_project["resource-sharing-research"]["counts"] == "错误 0 / 警告 9 / 提示 0"
    assert [f.code for f in found["portfolio"]] == ["portfolio.all_full_marks", "portfolio.repeated_satisfaction"]
    for p in found["by_project"]:
        assert {f.form_id for f in p["findings"]} <= {p["id"]}
    assert sum(len(p["findings"]) for p in found["by_project"]) + len(found["portfolio"]) == len(year2022.findings)


def test_quality_counts_splits_and_shared_themes(year2022):
    counts = quality.indicator_counts(year2022)
    assert (counts["total"], counts["qualitative"], counts["qualitative_share"]) == (144, 26, "18.1%")
    assert sum(row["n"] for row in counts["count_rows"]) == 144
    assert quality.split_chart(year2022).reading == "读图：11 个项目的分值结构均与默认的 10/50/30/10 一致。"
    assert quality.ratio_distribution(year2022).reading == (
        "读图：98 个可计算倍数的定量指标中，23 个越高越好的指标超过指标值 1.3 倍，5 个越低越好的指标不到限值的 20%。"
    )
    shared = quality.shared_indicators(year2022)
    assert [(s["theme"], s["n"]) for s in shared[:3]] == [("满意度", 11), ("故障次数", 10), ("长效管理制度建设", 9)]
    assert all(s["note"] == "" for s in shared)  # no theme has more than SHARED_ROWS indicators


def test_themes():
    assert quality.theme("服务热线用户满意度") == "满意度"
    assert quality.theme("数据库服务器宕机") == "服务器宕机"
    assert quality.theme("系统运维次数（次）") == "系统运维次数"


def test_ranking_ties_go_to_fewer_findings_then_a_rate_nearest_100(year2022):
    # All eleven recompute to 100.00; the 118.91% over-spender (4 warnings) is not first
    ranking = annual.ranking(year2022)
    assert [r["recomputed"] for r in ranking] == ["100.00"] * 11
    assert [(r["rank"], r["warnings"]) for r in ranking[:3]] == [(1, 1), (2, 1), (3, 1)]
    over = next(r for r in ranking if r["rate"] == "118.91%")
    assert (over["rank"], over["warnings"]) == (9, 4)
    assert ranking[-1]["name"] == "科技资源共享体系建设和创新资源发展研究"  # 9 warnings


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (1, "读图：项目的自评总分与复核重算分一致。"),
        (3, "读图：3 个项目的自评总分均与复核重算分一致。"),
    ],
)
def test_score_reading_for_one_and_several_agreeing_projects(tmp_path, minimal_data, n, expected):
    for k in range(n):
        data = {**minimal_data, "id": f"p{k}"}
        (tmp_path / f"p{k}.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    year = annual.Year.of(evaluate(tmp_path), minimal_data["year"])
    assert all(not differs(r.score_reported, r.score_recomputed) for r in year.results)
    assert annual.score_chart(year).reading == expected
