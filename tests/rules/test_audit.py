"""Each audit check on a small hand-made form, and the findings the 2022 data really contains."""

from __future__ import annotations

import copy
import json

import pytest
from click.testing import CliRunner

from selfeval_kit import CHECKS, Form, evaluate, scores_frame
from selfeval_kit.cli import main
from tests.conftest import DATA_2022


def findings_of(data: dict, profile: str = "national") -> list:
    return evaluate([Form.model_validate(data)], profile).findings


def codes(data: dict, profile: str = "national") -> list[str]:
    return sorted(f.code for f in findings_of(data, profile))


def only(data: dict, code: str):
    matching = [f for f in findings_of(data) if f.code == code]
    assert len(matching) == 1, [f.code for f in findings_of(data)]
    return matching[0]


def test_minimal_form_raises_only_the_mid_year_cut(minimal_data):
    # 100 → 80 万元 is a 20% cut (threshold 15%); everything else is consistent
    finding = only(minimal_data, "budget.large_cut")
    assert codes(minimal_data) == ["budget.large_cut"]
    assert finding.figures["cut_pct"] == 20.0
    assert finding.figures["rate_on_initial"] == 72.0
    assert finding.severity == "warning"
    assert "调减 20.00%" in finding.message


def test_funds_rows_must_add_up(minimal_data):
    minimal_data["funds"]["appropriation"]["executed"] = 60.0
    finding = only(minimal_data, "funds.rows_inconsistent")
    assert finding.figures == {"column": "executed", "total": 72.0, "parts_sum": 70.0}
    assert finding.severity == "error"


def test_weights_must_add_to_100(minimal_data):
    minimal_data["indicators"][1]["weight"] = 25
    finding = only(minimal_data, "weights.sum")
    assert (finding.figures["total"], finding.figures["expected"]) == (105, 100)


def test_nonstandard_split_is_information(minimal_data):
    minimal_data["indicators"][1]["weight"] = 10  # 产出 40
    minimal_data["indicators"][2]["weight"] = 40  # 效益 40
    minimal_data["indicators"][2]["score"] = 40
    minimal_data["indicators"][1]["score"] = 10
    minimal_data["total_score"] = 93
    finding = only(minimal_data, "weights.nonstandard_split")
    assert finding.severity == "info"
    assert finding.figures["split"] == {"预算执行率": 10, "产出指标": 40, "效益指标": 40, "满意度指标": 10}
    assert "weights.sum" not in codes(minimal_data)


def test_twenty_point_budget_is_standard_under_the_hubei_profile(minimal_data):
    minimal_data["funds"]["total"].update(weight=20, score=18)
    minimal_data["indicators"][0].update(weight=20, score=16)  # 产出 40
    minimal_data["total_score"] = 94
    assert "weights.nonstandard_split" in codes(minimal_data, "national")
    assert "weights.nonstandard_split" not in codes(minimal_data, "hubei-2020")
    assert "weights.sum" not in codes(minimal_data, "hubei-2020")


@pytest.mark.parametrize(
    "level1, level2, belongs_to",
    [
        ("产出指标", "社会效益指标", "效益指标"),
        ("效益指标", "质量指标", "产出指标"),
        ("产出指标", "满意度", None),
        ("成果指标", "数量指标", None),
    ],
)
def test_level2_outside_the_allowed_list(minimal_data, level1, level2, belongs_to):
    minimal_data["indicators"][1].update(level1=level1, level2=level2)
    finding = only(minimal_data, "level2.not_allowed")
    assert finding.indicator == "培训及时性"
    assert finding.figures.get("belongs_to") == belongs_to


def test_level2_without_suffix_is_accepted(minimal_data):
    minimal_data["indicators"][1]["level2"] = "时效"
    assert "level2.not_allowed" not in codes(minimal_data)


def test_score_above_weight(minimal_data):
    minimal_data["indicators"][3]["score"] = 12
    minimal_data["total_score"] = 95
    finding = only(minimal_data, "score.above_weight")
    assert (finding.indicator, finding.figures) == ("学员满意度", {"score": 12, "weight": 10})


def test_reported_total_must_equal_the_sum(minimal_data):
    minimal_data["total_score"] = 95
    finding = only(minimal_data, "score.total_mismatch")
    assert finding.figures == {"total_score": 95, "parts_sum": 93}


def test_over_execution(minimal_data):
    minimal_data["funds"]["total"].update(executed=96.0, execution_rate="120.00%", score=10)
    minimal_data["funds"]["appropriation"]["executed"] = 86.0
    minimal_data["total_score"] = 94
    finding = only(minimal_data, "budget.over_execution")
    assert finding.figures["execution_rate"] == 120.0
    assert "budget.score_mismatch" not in codes(minimal_data)  # capped at the weight


def test_reported_rate_must_match_to_two_decimals(minimal_data):
    minimal_data["funds"]["total"]["execution_rate"] = "90.01%"
    finding = only(minimal_data, "budget.rate_mismatch")
    assert finding.figures == {"reported": 90.01, "computed": 90.0}


def test_budget_score_must_follow_the_rule(minimal_data):
    minimal_data["funds"]["total"]["score"] = 10
    minimal_data["total_score"] = 94
    finding = only(minimal_data, "budget.score_mismatch")
    assert finding.figures == {"reported": 10, "computed": 9.0}
    assert finding.severity == "error"


def test_low_execution_without_a_reason(minimal_data):
    minimal_data["funds"]["total"].update(executed=64.0, execution_rate="80.00%", score=8)
    minimal_data["funds"]["appropriation"]["executed"] = 54.0
    minimal_data["total_score"] = 92
    finding = only(minimal_data, "budget.low_execution_no_reason")
    assert finding.figures == {"execution_rate": 80.0, "threshold": 90.0}


def test_low_execution_with_a_reason_in_the_narrative(minimal_data):
    minimal_data["funds"]["total"].update(executed=64.0, execution_rate="80.00%", score=8)
    minimal_data["funds"]["appropriation"]["executed"] = 54.0
    minimal_data["total_score"] = 92
    minimal_data["annual_goal"]["achieved"] += "因采购延迟，部分资金结余。"
    assert "budget.low_execution_no_reason" not in codes(minimal_data)


def test_low_execution_with_a_reason_on_the_funds_row(minimal_data):
    minimal_data["funds"]["total"].update(
        executed=64.0, execution_rate="80.00%", score=8, reason="部分合同尾款次年支付。"
    )
    minimal_data["funds"]["appropriation"]["executed"] = 54.0
    minimal_data["total_score"] = 92
    assert "budget.low_execution_no_reason" not in codes(minimal_data)


def test_low_execution_threshold_is_a_setting(minimal_data):
    from selfeval_kit import load_profile

    minimal_data["funds"]["total"].update(executed=68.0, execution_rate="85.00%", score=8.5)
    minimal_data["funds"]["appropriation"]["executed"] = 58.0
    minimal_data["total_score"] = 92.5
    form = Form.model_validate(minimal_data)
    strict = load_profile("national").model_copy(update={"low_execution_rate": 80.0})
    assert "budget.low_execution_no_reason" in [f.code for f in evaluate([form]).findings]
    assert "budget.low_execution_no_reason" not in [f.code for f in evaluate([form], strict).findings]


def test_no_cut_finding_below_the_threshold(minimal_data):
    minimal_data["funds"]["total"]["budget_initial"] = 90.0  # 11% cut
    minimal_data["funds"]["appropriation"]["budget_initial"] = 90.0
    assert "budget.large_cut" not in codes(minimal_data)


def test_indicator_score_mismatch_quantitative(minimal_data):
    minimal_data["indicators"][0]["score"] = 30
    minimal_data["total_score"] = 99
    finding = only(minimal_data, "indicator.score_mismatch")
    assert finding.indicator == "培训场次"
    assert (finding.figures["reported"], finding.figures["low"], finding.figures["high"]) == (30, 24, 24)


def test_indicator_score_below_qualitative_band(minimal_data):
    minimal_data["indicators"][1]["score"] = 15  # "及时"/"及时" is reached: 16–20 of 20
    minimal_data["total_score"] = 88
    finding = only(minimal_data, "indicator.score_mismatch")
    assert "16–20" in finding.message


def test_unmet_without_note(minimal_data):
    minimal_data["indicators"][0]["deviation_note"] = None
    finding = only(minimal_data, "indicator.unmet_no_reason")
    assert finding.figures == {"ratio": 0.8}


def test_overachieved_without_note(minimal_data):
    minimal_data["indicators"][2]["actual"] = "700人"  # 1.4 × 500
    finding = only(minimal_data, "indicator.overachieved_no_reason")
    assert finding.figures == {"ratio": 1.4}


def test_overachieved_with_note_is_fine(minimal_data):
    minimal_data["indicators"][2].update(actual="700人", deviation_note="线上培训扩大了覆盖面。")
    assert "indicator.overachieved_no_reason" not in codes(minimal_data)


@pytest.mark.parametrize("note, severity", [(None, "warning"), ("线上培训扩大了覆盖面。", "info")])
def test_target_too_low(minimal_data, note, severity):
    minimal_data["indicators"][2].update(actual="1000人", deviation_note=note)
    finding = only(minimal_data, "indicator.target_too_low")
    assert (finding.figures, finding.severity) == ({"ratio": 2.0}, severity)
    assert "indicator.overachieved_no_reason" not in codes(minimal_data)


def test_loose_limit_on_time(minimal_data):
    minimal_data["indicators"][1].update(target="<2秒", actual="21ms")
    finding = only(minimal_data, "indicator.loose_limit")
    assert finding.figures == {"ratio": 0.0105}
    assert finding.severity == "info"


@pytest.mark.parametrize("target, actual", [("<5次", "1次"), ("<2秒", "1.5秒"), ("<2秒", "0秒")])
def test_no_loose_limit_for_counts_or_close_values(minimal_data, target, actual):
    minimal_data["indicators"][1].update(target=target, actual=actual)
    assert "indicator.loose_limit" not in codes(minimal_data)


def test_unit_mismatch(minimal_data):
    minimal_data["indicators"][2]["actual"] = "620个"
    finding = only(minimal_data, "indicator.unit_mismatch")
    assert finding.figures == {"target": ">=500人", "actual": "620个"}


def test_unreadable_actual(minimal_data):
    minimal_data["indicators"][2]["actual"] = "若干"
    finding = only(minimal_data, "indicator.unreadable")
    assert finding.indicator == "培训人数"


def test_missing_goal_text(minimal_data):
    minimal_data["annual_goal"]["planned"] = None
    finding = only(minimal_data, "goal.missing")
    assert finding.figures == {"field": "goal_planned"}


def test_every_code_has_a_catalogue_entry_with_chinese_advice():
    for code, check in CHECKS.items():
        assert check.severity in ("error", "warning", "info")
        assert check.advice and check.title
        assert "." in code


def full_marks_portfolio(minimal_data, n: int, satisfaction: str) -> list[Form]:
    forms = []
    for i in range(n):
        data = copy.deepcopy(minimal_data)
        data["id"] = f"p{i}"
        data["indicators"][0].update(actual="10场", score=30)
        data["indicators"][3]["actual"] = satisfaction
        data["funds"]["total"].update(score=10, executed=80.0, execution_rate="100.00%")
        data["funds"]["appropriation"]["executed"] = 70.0
        data["total_score"] = 100
        forms.append(Form.model_validate(data))
    return forms


def test_portfolio_patterns(minimal_data):
    ev = evaluate(full_marks_portfolio(minimal_data, 3, "99.91%"))
    portfolio = {f.code: f for f in ev.portfolio_findings}
    assert set(portfolio) == {"portfolio.repeated_satisfaction", "portfolio.all_full_marks"}
    assert portfolio["portfolio.repeated_satisfaction"].figures == {"value": "99.91%", "form_ids": ["p0", "p1", "p2"]}
    assert portfolio["portfolio.all_full_marks"].form_id is None


def test_no_portfolio_patterns_for_two_forms(minimal_data):
    assert evaluate(full_marks_portfolio(minimal_data, 2, "99.91%")).portfolio_findings == []


def test_low_ambition_pattern(minimal_data):
    forms = full_marks_portfolio(minimal_data, 3, "95%")
    forms = [
        f.model_copy(
            update={
                "indicators": [
                    i.model_copy(update={"actual": "2000人"}) if i.name == "培训人数" else i for i in f.indicators
                ]
            }
        )
        for f in forms
    ]
    # per form: 培训场次 1.0, 培训人数 4.0, 满意度 95/90: 3 of 9 over 1.3× → 33%, below 50%
    assert "portfolio.low_ambition" not in [f.code for f in evaluate(forms).portfolio_findings]
    forms = [
        f.model_copy(
            update={
                "indicators": [
                    i.model_copy(update={"actual": "20场"}) if i.name == "培训场次" else i for i in f.indicators
                ]
            }
        )
        for f in forms
    ]
    finding = next(f for f in evaluate(forms).portfolio_findings if f.code == "portfolio.low_ambition")
    assert finding.figures == {"indicators": 9, "overachieved": 6, "share": 0.6667}


# --- the 2022 data: every finding, checked by hand against the seed --------------------

EXPECTED_2022 = {
    ("budget.large_cut", "base-info-system-ops", None),  # 658495 → 540000: −17.99%
    ("budget.large_cut", "instrument-sharing-ops", None),  # 672500 → 540000: −19.70%
    ("budget.large_cut", "resource-sharing-research", None),  # 5102000 → 4122000: −19.21%
    ("budget.large_cut", "foreigner-work-service", None),  # 3750951 → 1965609: −47.60%
    ("budget.rate_mismatch", "resource-sharing-research", None),  # 4120500/4122000 = 99.96%, printed 99.97%
    ("budget.over_execution", "resource-talent-platform", None),  # 5945315.18 / 5000000 = 118.91%
    ("goal.missing", "base-info-system-ops", None),  # the form prints only 实际完成情况
    ("narrative.mismatch", "instrument-sharing-ops", "大仪系统咨询用户满意度"),  # text 100%, table 99.91%
    ("narrative.mismatch", "resource-sharing-research", "长三角科技券新增企业订单"),  # text 不少于500条, table >=300条
    ("narrative.mismatch", "infrastructure-ops", "服务器硬件原因宕机次数"),  # text 2次, table 0次
    ("indicator.loose_limit", "hotline-system-ops", "系统响应时间"),  # 21ms < 2秒
    ("indicator.loose_limit", "platform-network-ops", "平台网站响应时间"),  # 211ms < 2S
    ("indicator.loose_limit", "instrument-sharing-ops", "系统响应时间"),  # 174毫秒 < 2秒
    ("indicator.loose_limit", "infrastructure-ops", "支撑网站响应时间"),  # 302毫秒 < 2秒
    ("indicator.overachieved_no_reason", "hotline-system-ops", "全年电话总量"),  # 69259/40000 = 1.73
    ("indicator.overachieved_no_reason", "hotline-system-ops", "有效工单量"),  # 67818/40000 = 1.70
    ("indicator.overachieved_no_reason", "platform-network-ops", "有效工单量"),  # 67818/40000
    ("indicator.overachieved_no_reason", "resource-sharing-research", "长三角平台各类宣传推广活动"),  # 10/6
    ("indicator.overachieved_no_reason", "platform-promotion", "推广交流活动"),  # 10/6
    ("indicator.overachieved_no_reason", "talent-service-platform", "人才公众号发稿宣传"),  # 600/400
    ("indicator.overachieved_no_reason", "portal-website-ops", "用户数"),  # 5110/3000
    ("indicator.overachieved_no_reason", "infrastructure-ops", "防火墙拦截攻击次数"),  # 2900万/2000万
    ("indicator.target_too_low", "platform-network-ops", "防垃圾邮件数量"),  # 104451/50000 = 2.09
    ("indicator.target_too_low", "resource-sharing-research", "新增仪器信息报送数"),  # 3184/800
    ("indicator.target_too_low", "resource-sharing-research", "长三角科技券新增申领企业"),  # 1797/200
    ("indicator.target_too_low", "resource-sharing-research", "长三角科技券新增企业订单"),  # 653/300
    ("indicator.target_too_low", "resource-sharing-research", "承担各级研究项目"),  # 5/1
    ("indicator.target_too_low", "resource-sharing-research", "发表学术论文"),  # 11/1
    ("indicator.target_too_low", "platform-promotion", "服务渠道对接活动"),  # 17/1
    ("indicator.target_too_low", "platform-promotion", "活动参与人数"),  # 2500/100
    ("indicator.target_too_low", "platform-promotion", "需求对接典型案例"),  # 2/1
    ("indicator.target_too_low", "platform-promotion", "服务站点维护"),  # 3/1
    ("indicator.target_too_low", "platform-promotion", "媒体报道转载量"),  # 80/35
    ("indicator.target_too_low", "resource-talent-platform", "研究报告"),  # 8/3
    ("indicator.target_too_low", "resource-talent-platform", "人才服务次数"),  # 108/20
    ("indicator.target_too_low", "resource-talent-platform", "论文发表"),  # 6/2
    ("portfolio.repeated_satisfaction", None, None),  # 99.91% in six forms
    ("portfolio.all_full_marks", None, None),
}


@pytest.fixture(scope="module")
def evaluation_2022():
    return evaluate(DATA_2022)


def test_2022_findings_are_exactly_those_found_by_hand(evaluation_2022):
    found = [(f.code, f.form_id, f.indicator) for f in evaluation_2022.findings]
    assert len(found) == len(set(found))
    assert set(found) == EXPECTED_2022


def test_2022_recomputed_scores(evaluation_2022):
    frame = scores_frame(evaluation_2022)
    assert frame["score_reported"].eq(100).all()
    assert frame["score_recomputed"].eq(100).all()  # every self-score lies in its allowed band
    assert frame["grade"].eq("优").all()
    assert frame.loc["resource-sharing-research", "execution_rate"] == 99.96
    assert frame.loc["resource-talent-platform", "execution_rate"] == 118.91
    assert frame.loc["foreigner-work-service", "cut_pct"] == 47.6
    # qualitative bands: 公众号关注度 16 and 政策知晓度 14 etc. at 80% give the lower bound
    assert frame.loc["talent-service-platform", "score_low"] == 90.2


def test_2022_repeated_satisfaction_names_the_six_forms(evaluation_2022):
    finding = next(f for f in evaluation_2022.findings if f.code == "portfolio.repeated_satisfaction")
    assert finding.figures["form_ids"] == [
        "hotline-system-ops",
        "platform-network-ops",
        "base-info-system-ops",
        "instrument-sharing-ops",
        "resource-sharing-research",
        "infrastructure-ops",
    ]


def test_check_json_shape():
    result = CliRunner().invoke(main, ["check", str(DATA_2022), "--json"])
    assert result.exit_code == 0  # warnings only
    data = json.loads(result.stdout)
    assert set(data) == {"profile", "forms", "findings"}
    form = data["forms"][10]
    keys = ("id", "execution_rate", "budget_score", "score_reported", "score_recomputed", "grade")
    assert {k: form[k] for k in keys} == {
        "id": "resource-talent-platform",
        "execution_rate": 118.91,
        "budget_score": 10.0,
        "score_reported": 100.0,
        "score_recomputed": 100.0,
        "grade": "优",
    }
    assert set(form["indicators"][0]) >= {"name", "attainment", "ratio", "score_reported", "score_recomputed"}
    finding = data["findings"][0]
    assert set(finding) >= {"code", "severity", "form_id", "form_name", "indicator", "message", "figures"}


def test_check_json_is_the_evaluation_laid_out_as_json_dumps(evaluation_2022):
    output = CliRunner().invoke(main, ["check", str(DATA_2022), "--json"]).stdout
    assert output == json.dumps(evaluation_2022.to_dict(), ensure_ascii=False, indent=2) + "\n"


def test_check_strict_fails_on_warnings():
    assert CliRunner().invoke(main, ["check", str(DATA_2022), "--strict"]).exit_code == 1


def test_check_exits_1_on_an_error_finding(write_form, minimal_data):
    minimal_data["total_score"] = 95
    result = CliRunner().invoke(main, ["check", str(write_form(minimal_data))])
    assert result.exit_code == 1
    assert "score.total_mismatch" in result.output
    assert "1 error(s)" in result.output


def test_check_with_profile_file(write_form, minimal_data, tmp_path):
    profile = tmp_path / "mine.yaml"
    profile.write_text("name: mine\nlabel: 我的规则\nlarge_cut_share: 0.25\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(write_form(minimal_data)), "--profile", str(profile), "--json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["findings"] == []


def test_check_with_bad_profile_file(write_form, minimal_data, tmp_path):
    profile = tmp_path / "bad.yaml"
    profile.write_text("name: bad\nlabel: 坏\nbudget_weight: 30\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(write_form(minimal_data)), "--profile", str(profile)])
    assert result.exit_code == 1
    assert "add up to 120" in result.stderr


def test_level1_printed_without_suffix_is_recognised(minimal_data):
    for indicator, level1 in zip(minimal_data["indicators"], ["产出", "产出", "效益", "服务对象满意度"], strict=True):
        indicator["level1"] = level1
    assert codes(minimal_data) == ["budget.large_cut"]  # no level2 or split findings
    result = evaluate([Form.model_validate(minimal_data)]).forms[0]
    assert list(result.level1_scores()) == ["产出指标", "效益指标", "满意度指标"]


def test_level1_with_points_in_the_label_is_recognised(minimal_data):
    for indicator, level1 in zip(
        minimal_data["indicators"],
        ["产出指标(50分)", "产出指标(50分)", "效益指标（30分）", "满意度指标(10分)"],
        strict=True,
    ):
        indicator["level1"] = level1
    assert codes(minimal_data) == ["budget.large_cut"]


def test_level2_tables_follow_the_profile(minimal_data):
    """audit keeps the allowed-二级 tables of the last profile: another profile, or a changed
    list, must not be judged by them."""
    from selfeval_kit import load_profile

    national = load_profile("national")
    narrow = national.model_copy(update={"allowed_level2": {**national.allowed_level2, "产出指标": ["数量指标"]}})
    form = [Form.model_validate(minimal_data)]
    for _ in range(2):  # alternate, so each run follows the other's tables
        assert "level2.not_allowed" not in [f.code for f in evaluate(form, national).findings]
        assert "level2.not_allowed" in [f.code for f in evaluate(form, narrow).findings]
    narrow.allowed_level2["产出指标"].append("时效指标")
    assert "level2.not_allowed" not in [f.code for f in evaluate(form, narrow).findings]
