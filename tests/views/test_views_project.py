"""What one project's report says (views.project, views.official, views.marks), without HTML or charts.

Expected values are worked out by hand from the fixture forms: xss-demo (万元, a 16.70% cut, a rate
under 90%, one target not met) and hotline-system-ops (one of the 2022 forms).
"""

from __future__ import annotations

import pytest

from selfeval_kit.rules.evaluation import evaluate
from selfeval_kit.views import official
from selfeval_kit.views import project as view
from selfeval_kit.views.marks import SEVERITY, STATUS, counts_text, severity_counts, sort_findings, status_key
from tests.report_build import FIXTURE_DATA


@pytest.fixture(scope="module")
def evaluation():
    return evaluate(FIXTURE_DATA)


@pytest.fixture(scope="module")
def xss(evaluation):
    return evaluation.form("xss-demo")


@pytest.fixture(scope="module")
def hotline(evaluation):
    return evaluation.form("hotline-system-ops")


def test_funds_sentence_lists_the_non_empty_sub_rows(xss, hotline):
    # other funds: 0 final and 0 executed, left out; 850.25 / 1000 = 85.025% prints as 85.02% (binary float)
    assert view.funds_sentence(xss) == (
        "年度资金总额：年初预算数 1,200.50 万元，全年预算数 1,000.00 万元，全年执行数 850.25 万元，执行率 85.02%；"
        "全年预算数中当年财政拨款 900.00 万元、上年结转资金 100.00 万元。"
    )
    assert view.funds_sentence(hotline).endswith("执行率 100.00%；全年预算数中当年财政拨款 296,272.00 元。")


def test_change_sentence_of_a_large_cut_and_of_no_change(xss, hotline):
    # 1,200.50 → 1,000.00: cut 200.50 = 16.70% of the initial (over the 15% line); 850.25 / 1,200.50 = 70.82%
    assert view.change_sentence(xss) == (
        "年中调减预算 200.50 万元（年初预算数的 16.70%），超过 15% 的关注线：按调整后预算计算的执行率会高于"
        "按年初预算计算的 70.82%。"
    )
    assert view.change_sentence(hotline) == "年中未调整预算（全年预算数等于年初预算数）。"


def test_change_sentence_without_an_initial_budget(minimal_data, tmp_path):
    import yaml

    minimal_data["funds"]["total"]["budget_initial"] = None
    (tmp_path / "f.yaml").write_text(yaml.safe_dump(minimal_data, allow_unicode=True), encoding="utf-8")
    result = evaluate(tmp_path).forms[0]
    assert view.change_sentence(result) == "年初预算数或全年预算数未填写，无法判断年中调整。"


def test_header_and_budget_checks(xss):
    head = view.header(xss)
    assert head["title"] == "<script>alert(1)</script>示范项目 2022年度项目支出绩效自评复核报告"
    assert (head["score_reported"], head["score_recomputed"], head["score_range"]) == ("92.50", "92.50", "88.50–92.50")
    assert (head["grade"], head["rate"], head["counts"]) == ("优", "85.02%", "错误 0 / 警告 4 / 提示 0")
    budget = view.budget(xss)
    assert [row["rate"] for row in budget["rows"]] == ["85.02%", "84.47%", "90.00%", "—"]  # 760.25/900, 90/100
    assert budget["rate_check"] == "✗ 不一致"  # the form says 85.03%
    assert budget["score_check"] == "✓ 一致"
    assert [f.code for f in budget["findings"]] == [
        "budget.large_cut",
        "budget.low_execution_no_reason",
        "budget.rate_mismatch",
    ]


def test_funds_chart_draws_the_rows_with_amounts(xss):
    chart = view.funds_chart(xss)
    assert chart.rows == [
        ("年度资金总额", 1200.5, 1000.0, 850.25),
        ("当年财政拨款", 1200.5, 900.0, 760.25),
        ("上年结转资金", None, 100.0, 90.0),
    ]
    assert chart.unit == "万元"
    assert chart.reading.startswith("读图：全年执行数 850.25 万元，为全年预算数的 85.02%；年中调减预算 200.50 万元")


def test_level1_chart_and_conclusion(xss):
    chart = view.level1_chart(xss)
    assert chart.levels == ["预算执行", "产出指标", "效益指标", "满意度指标"]
    assert (chart.weights, chart.default) == ([10, 50, 30, 10], [10, 50, 30, 10])
    assert chart.reported == [8.5, 44, 30, 10]  # 24 + 20 for 产出
    assert chart.title == "各一级指标得分与默认分值（10/50/30/10）对比"
    assert chart.reading == "读图：分值结构与默认一致；各一级指标自评得分与复核重算分一致。"
    levels = view.conclusion(xss)["levels"]
    assert [(row["name"], row["weight"], row["reported"]) for row in levels] == [
        ("产出指标", "50", "44.00"), ("效益指标", "30", "30.00"), ("满意度指标", "10", "10.00")
    ]  # fmt: skip


def test_ratio_chart_reading(xss, hotline):
    chart = view.ratio_chart(xss)
    assert chart.names == ["培训场次<i>", "培训人数", "学员满意度"]
    assert chart.ratios[:2] == [0.8, 3.0] and chart.ratios[2] == pytest.approx(95 / 90)
    assert (
        chart.reading
        == "读图：3 个定量指标中，2 个达到或优于指标值；1 个超过指标值 1.3 倍以上（最高：培训人数 3.00×）。"
    )
    # hotline: 69,259 calls against >40,000 is the highest ratio; four limits with an actual of 0 cannot be drawn
    reading = view.ratio_chart(hotline).reading
    assert "2 个超过指标值 1.3 倍以上（最高：全年电话总量 1.73×）" in reading
    assert "实际值为 0 的 4 个指标（高危漏洞数、系统故障数、核心设备故障次数、数据库服务器宕机）" in reading


def test_deviation_rows_are_the_unmet_and_the_far_beyond(xss, hotline):
    rows = view.deviation_rows(xss)
    assert [(r["name"], r["attainment"], r["over"]) for r in rows] == [
        ("培训场次<i>", "partly", ""),
        ("培训人数", "met", "超额完成，3.00×"),
    ]
    assert rows[0]["note"].startswith("受疫情影响")
    rows = {r["name"]: r for r in view.deviation_rows(hotline)}
    assert rows["系统响应时间"]["over"] == "远低于限值，0.011×"  # 21 ms against < 2 s
    assert rows["系统响应时间"]["loose"] is True  # a target-setting finding (六), no explanation owed


def test_deviation_rows_leave_out_incident_counts_as_the_audit_does(hotline):
    # 高危漏洞数 0个 against <4个: a count of incidents, never a loose limit in 六, so not in 五 either
    names = [r["name"] for r in view.deviation_rows(hotline)]
    assert "高危漏洞数" not in names and "系统故障数" not in names


def test_indicator_groups_follow_the_profiles_order(xss):
    groups = view.indicators(xss)["groups"]
    assert [(g["number"], g["name"], g["weight"]) for g in groups] == [
        ("（一）", "产出指标", "50"), ("（二）", "效益指标", "30"), ("（三）", "满意度指标", "10")
    ]  # fmt: skip
    first = groups[0]["rows"][0]
    assert (first["name"], first["attainment"], first["ratio"], first["reported"]) == (
        "培训场次<i>",
        "partly",
        "0.80×",
        "24.00",
    )


def test_lower_is_better(hotline):
    lower = {i.indicator.name: view.lower_is_better(i) for i in hotline.indicators}
    assert lower["系统响应时间"] and lower["高危漏洞数"]
    assert not lower["全年电话总量"] and not lower["服务热线用户满意度"]


def test_official_form_rows(xss):
    table = official.official_form(xss.form)
    assert [row["label"] for row in table["funds"]] == [
        "年度资金总额",
        "其中：当年财政拨款",
        "上年结转资金",
        "其他资金",
    ]
    total = {"initial": "1,200.50", "final": "1,000.00", "executed": "850.25", "weight": "10", "rate": "85.03%"}
    assert table["funds"][0] == {"label": "年度资金总额", **total, "score": "8.50"}
    assert table["funds"][2]["initial"] == "" and table["funds"][2]["weight"] == "—"
    assert [(r["level1_span"], r["level2_span"]) for r in table["indicators"]] == [(2, 1), (0, 1), (1, 1), (1, 1)]
    assert (table["total_weight"], table["total_score"]) == ("100", "92.50")


def test_spans_merge_runs_of_equal_values():
    assert official.spans(["a", "a", "b", "a"]) == [2, 0, 1, 1]
    assert official.spans([]) == []


def test_marks_come_with_a_symbol_and_a_word(xss):
    assert (STATUS["met"].symbol, STATUS["met"].label) == ("✓", "达成")
    assert (STATUS["partly"].symbol, STATUS["not_met"].label) == ("◐", "未达成")
    assert (SEVERITY["error"].symbol, SEVERITY["warning"].label, SEVERITY["info"].symbol) == ("✗", "警告", "i")
    assert status_key(None) == "unknown" and status_key(xss.indicators[0].attainment) == "partly"
    ordered = sort_findings(xss.findings)
    assert [(f.position, f.code) for f in ordered] == [
        (None, "budget.large_cut"), (None, "budget.low_execution_no_reason"), (None, "budget.rate_mismatch"),
        (2, "indicator.target_too_low"),
    ]  # fmt: skip
    assert severity_counts(xss.findings) == {"error": 0, "warning": 4, "info": 0}
    assert counts_text(xss.findings) == "错误 0 / 警告 4 / 提示 0"
