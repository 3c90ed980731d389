"""Recomputed scores, each hand-computed from RULES.md §3–4."""

from __future__ import annotations

import pytest

from selfeval_kit import Form, Indicator, evaluate, load_profile
from selfeval_kit.rules.scoring import Attainment, budget_score, parse_rate, score_indicator
from selfeval_kit.views.sentences import summary_sentence

NATIONAL = load_profile("national")
HUBEI = load_profile("hubei-2020")


def indicator(target: str, actual: str, weight: float = 10, score: float | None = None, **extra) -> Indicator:
    return Indicator(
        level1="产出指标",
        level2="数量指标",
        name="测试指标",
        target=target,
        actual=actual,
        weight=weight,
        score=score,
        **extra,
    )


@pytest.mark.parametrize(
    "target, actual, weight, attainment, score, ratio",
    [
        (">=10场", "12场", 30, "met", 30, 1.2),
        (">=10场", "8场", 30, "partly", 24, 0.8),  # 30 × 8/10
        (">=90%", "85%", 10, "partly", 9.44, 85 / 90),  # 10 × 85/90 = 9.444…
        ("=1次", "0次", 5, "not_met", 0, 0.0),
        ("=200人", "200人", 5, "met", 5, 1.0),
        ("=1次", "3次", 5, "met", 5, 3.0),  # "=" is higher-is-better: more is met
        (">=10万元", "95000元", 10, "partly", 9.5, 0.95),  # 万元 converted to 元
        ("<2秒", "21ms", 5, "met", 5, 0.0105),  # 秒 vs ms
        ("<2秒", "3秒", 6, "partly", 4, 1.5),  # lower is better: 6 × 2/3
        ("<=5次", "5次", 5, "met", 5, 1.0),
        ("<5次", "5次", 5, "partly", 5, 1.0),  # unmet at the limit; 5 × 5/5 caps at the weight
        ("无", "无", 7, "met", 7, None),
        ("无", "0次", 7, "met", 7, None),
        ("无", "2次", 7, "not_met", 0, None),
        ("全国前3", "全国第1", 10, "met", 10, 3.0),
        ("全国前3", "全国第5", 10, "partly", 6, 0.6),  # 10 × 3/5
        ("10篇", "5篇", 8, "partly", 4, 0.5),  # a bare number is "at least"
        (">=500万", "600万", 15, "met", 15, 1.2),
    ],
)
def test_quantitative_scores(target, actual, weight, attainment, score, ratio):
    result = score_indicator(indicator(target, actual, weight), NATIONAL)
    assert result.attainment.value == attainment
    assert result.score_recomputed == score
    assert result.score_low == result.score_high == score
    assert result.quantitative
    if ratio is None:
        assert result.ratio is None
    else:
        assert result.ratio == pytest.approx(ratio)


def test_lower_is_better_target_of_zero_scores_nothing_when_missed():
    result = score_indicator(indicator("<=0次", "1次", 5), NATIONAL)
    assert (result.attainment, result.score_recomputed) == (Attainment.NOT_MET, 0)


@pytest.mark.parametrize(
    "profile, expected",
    [
        ("national", 4.0),  # 6 × 2/3
        ("hubei-2020", 3.0),  # 6 × (1 − (3 − 2)/2)
    ],
)
def test_lower_is_better_formula_is_a_setting(profile, expected):
    assert score_indicator(indicator("<2秒", "3秒", 6), load_profile(profile)).score_recomputed == expected


def test_linear_lower_is_better_floors_at_zero():
    assert score_indicator(indicator("<2秒", "5秒", 6), HUBEI).score_recomputed == 0


@pytest.mark.parametrize(
    "target, actual, attainment, national_band, hubei_band",
    [
        ("及时", "及时", "met", (8, 10), (8, 10)),
        ("完善", "管理制度规范完善", "met", (8, 10), (8, 10)),
        ("完善", "制定了信息系统应急预案等手册", "met", (8, 10), (8, 10)),
        ("及时", "部分未及时", "partly", (6, 8), (5, 8)),
        ("完善", "基本完善", "partly", (6, 8), (5, 8)),
        ("完善", "未完善", "not_met", (0, 6), (0, 5)),
    ],
)
def test_qualitative_tiers_give_bands(target, actual, attainment, national_band, hubei_band):
    national = score_indicator(indicator(target, actual, 10), NATIONAL)
    hubei = score_indicator(indicator(target, actual, 10), HUBEI)
    assert national.attainment.value == hubei.attainment.value == attainment
    assert (national.score_low, national.score_high) == national_band
    assert (hubei.score_low, hubei.score_high) == hubei_band
    assert not national.quantitative


@pytest.mark.parametrize(
    "reported, recomputed, difference", [(9, 9, 0), (10, 10, 0), (8, 8, 0), (7, 8, -1), (None, 10, None)]
)
def test_qualitative_reported_score_checked_against_band(reported, recomputed, difference):
    result = score_indicator(indicator("及时", "及时", 10, reported), NATIONAL)
    assert result.score_recomputed == recomputed
    assert result.difference == difference


@pytest.mark.parametrize(
    "target, actual, problem",
    [
        (">=500人", "500个", "unit_mismatch"),
        (">=90%", "95人", "unit_mismatch"),
        (">=500人", "很多", "unreadable"),
        ("完善", "", "unreadable"),
        ("", "5个", "unreadable"),
    ],
)
def test_incomparable_values_cannot_be_scored(target, actual, problem):
    result = score_indicator(indicator(target, actual, 10, 10), NATIONAL)
    assert result.attainment == Attainment.UNKNOWN
    assert result.problem == problem
    assert (result.score_low, result.score_high) == (0, 10)
    assert result.score_recomputed == 10  # the self-given score stands where the rules cannot be applied
    assert result.difference == 0


def test_quantitative_difference_is_reported_minus_recomputed():
    result = score_indicator(indicator(">=10场", "8场", 30, 30), NATIONAL)
    assert result.difference == 6


def test_overachievement_deduction_is_optional():
    profile = NATIONAL.model_copy(update={"overachievement_deduction": 0.2})
    assert score_indicator(indicator(">=10个", "25个", 10), NATIONAL).score_recomputed == 10
    assert score_indicator(indicator(">=10个", "25个", 10), profile).score_recomputed == 8
    assert score_indicator(indicator(">=10个", "15个", 10), profile).score_recomputed == 10


@pytest.mark.parametrize(
    "budget_final, executed, weight, rate, score",
    [
        (100, 86.19, 10, 86.19, 8.62),  # RULES.md: 86.19% → 8.62 of 10
        (5000000, 5945315.18, 10, 118.9063036, 10),  # capped at the weight
        (4122000, 4120500, 10, 99.9636099, 10),  # 9.996 rounds to 10.00
        (80, 72, 20, 90, 18),
        (0, 0, 10, None, None),
    ],
)
def test_budget_score_is_linear_and_capped(minimal_data, budget_final, executed, weight, rate, score):
    minimal_data["funds"]["total"].update(budget_final=budget_final, executed=executed, weight=weight)
    computed_rate, computed_score = budget_score(Form.model_validate(minimal_data))
    assert computed_score == score
    assert computed_rate == (None if rate is None else pytest.approx(rate))


@pytest.mark.parametrize(
    "text, value",
    [("99.97%", 99.97), ("100.00%", 100.0), ("118.91 %", 118.91), ("90", 90.0), ("", None), ("约90%", None)],
)
def test_parse_reported_rate(text, value):
    assert parse_rate(text) == value


@pytest.mark.parametrize(
    "score, grade",
    [(100, "优"), (90, "优"), (89.99, "良"), (80, "良"), (79.99, "中"), (60, "中"), (59.99, "差"), (0, "差")],
)
def test_grades(score, grade):
    assert NATIONAL.grade(score) == grade


def test_minimal_form_totals(minimal_data):
    result = evaluate([Form.model_validate(minimal_data)]).forms[0]
    # budget 10 × 90% = 9; 培训场次 30 × 8/10 = 24; 及时 band 16–20 (reported 20); 620 ≥ 500 → 30; 95% ≥ 90% → 10
    assert result.execution_rate == pytest.approx(90.0)
    assert result.budget_score == 9
    assert [i.score_recomputed for i in result.indicators] == [24, 20, 30, 10]
    assert (result.score_recomputed, result.score_low, result.score_high) == (93, 89, 93)
    assert result.grade == "优"
    assert summary_sentence(result).endswith("与自评一致。")


def test_summary_names_the_indicator_that_differs(minimal_data):
    minimal_data["indicators"][0]["score"] = 30
    minimal_data["total_score"] = 99
    result = evaluate([Form.model_validate(minimal_data)]).forms[0]
    assert result.score_recomputed == 93
    assert "自评高出复核 6.00 分" in summary_sentence(result)
    assert "“培训场次”（自评 30.00，复核 24.00）" in summary_sentence(result)


def test_level1_scores(minimal_data):
    result = evaluate([Form.model_validate(minimal_data)]).forms[0]
    assert result.level1_scores() == {
        "产出指标": {"weight": 50, "reported": 44, "recomputed": 44},
        "效益指标": {"weight": 30, "reported": 30, "recomputed": 30},
        "满意度指标": {"weight": 10, "reported": 10, "recomputed": 10},
    }


@pytest.mark.parametrize(
    "target, actual, attainment, low, high",
    [
        ("12月底前", "11月20日", "met", 5, 5),
        ("2023年12月31日前", "2023年12月28日", "met", 5, 5),
        ("11月底前", "12月10日", "not_met", 0, 3),  # missed: the not-reached band, 0–60% of 5
        ("12月底前", "按时完成", "met", 4, 5),  # qualitative evidence: the reached tier
        ("12月底前", "未按期完成", "not_met", 0, 3),
    ],
)
def test_deadlines(target, actual, attainment, low, high):
    result = score_indicator(indicator(target, actual, 5), NATIONAL)
    assert result.attainment.value == attainment
    assert (result.score_low, result.score_high) == (low, high)


@pytest.mark.parametrize("actual", ["无", "0", "0个", "3次"])
def test_deadline_with_a_non_date_actual_cannot_be_scored(actual):
    result = score_indicator(indicator("12月底前", actual, 5, 5), NATIONAL)
    assert result.attainment == Attainment.UNKNOWN
    assert result.problem == "unreadable"


@pytest.mark.parametrize(
    "target, actual",
    [
        ("效果明显", "达成预期指标"),
        ("严格执行相关制度规定", "达成预期指标"),
        ("及时", "按期完成"),
        ("完善", "效果显著"),
    ],
)
def test_qualitative_actuals_that_report_achievement(target, actual):
    assert score_indicator(indicator(target, actual, 10), NATIONAL).attainment == Attainment.MET


def test_percent_written_as_a_word():
    result = score_indicator(indicator("≥100百分比", "100", 8), NATIONAL)
    assert (result.attainment, result.score_recomputed) == (Attainment.MET, 8)


@pytest.mark.parametrize(
    "score, difference",
    [
        (None, None),
        (0.0, -6.0),
        (5.0, -1.0),
        (6.0, 0.0),
        (8.0, 0.0),
        (9.0, 1.0),
        (10.0, 2.0),
        (10.004, 2.0),
        (10.5, 2.5),
        (7.99, 0.0),
    ],
)
def test_difference_is_reported_minus_nearest_allowed(score, difference):
    result = score_indicator(indicator("及时", "部分完成", 10, score), NATIONAL)  # band 6–8
    assert (result.score_low, result.score_high) == (6, 8)
    assert repr(result.difference) == repr(difference)


def test_form_totals_are_the_sums_of_the_indicators(minimal_data):
    result = evaluate([Form.model_validate(minimal_data)]).forms[0]
    base = result.budget_score or 0
    for _ in range(2):  # computed once, then read again
        assert result.score_recomputed == round(base + sum(i.score_recomputed for i in result.indicators), 2)
        assert result.score_low == round(base + sum(i.score_low for i in result.indicators), 2)
        assert result.score_high == round(base + sum(i.score_high for i in result.indicators), 2)
        assert result.grade == NATIONAL.grade(result.score_recomputed)


@pytest.mark.parametrize(
    "value, expected", [(0.0, "0.0"), (-0.0, "0.0"), (3, "3.0"), (9.444444, "9.44"), (2.675, "2.67")]
)
def test_scores_are_floats_with_two_decimals(value, expected):
    """A weight of 3 (an int) × a ratio of 1 is the score 3.0; -0.0 is shown as 0.0; 2.675 is 2.67 (binary)."""
    result = score_indicator(indicator(">=10个", "10个", value), NATIONAL)
    assert repr(result.score_recomputed) == expected


@pytest.mark.parametrize(
    "target, actual, weight, score, ratio",
    [
        ("<=1小时", "30分钟", 5, 5, 0.5),  # minutes converted into hours before comparing
        ("<=1小时", "90分钟", 6, 4, 1.5),  # 6 × 1/1.5
        (">=2天", "36小时", 4, 3, 0.75),  # 4 × 36/48
        ("<0次", "0次", 5, 5, None),  # a lower-is-better target of 0 is met by none
        ("<8次", "0个", 5, 5, 0.0),  # zero is zero in any unit
        ("<=1-2次", "2次", 5, 5, 2.0),  # a "<=" range allows up to its high end
    ],
)
def test_scores_follow_compare(target, actual, weight, score, ratio):
    result = score_indicator(indicator(target, actual, weight), NATIONAL)
    assert result.attainment == (Attainment.MET if score == weight else Attainment.PARTLY)
    assert result.score_recomputed == score
    assert result.ratio == (None if ratio is None else pytest.approx(ratio))


@pytest.mark.parametrize(
    "target, actual",
    [("=100%", ">99%"), (">=92%", "90%-95%"), ("全国前3", "全国前5"), ("无", "<5次")],
)
def test_an_actual_that_is_only_a_bound_cannot_be_scored(target, actual):
    """compare() cannot decide: the rules cannot be applied; the self-given score stands."""
    result = score_indicator(indicator(target, actual, 10, 7), NATIONAL)
    assert (result.attainment, result.problem) == (Attainment.UNKNOWN, None)
    assert (result.score_low, result.score_high, result.score_recomputed) == (0, 10, 7)
    assert "cannot decide" in result.reason or "bound" in result.reason


def test_rankings_in_other_scopes_are_not_comparable():
    result = score_indicator(indicator("全国前3", "全省第1", 10, 10), NATIONAL)
    assert (result.attainment, result.problem) == (Attainment.UNKNOWN, "unit_mismatch")
    assert result.reason == "ranking scopes differ: 全国 vs 全省"
