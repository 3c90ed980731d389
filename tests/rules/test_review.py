"""Review deductions (复核扣分) and the review score (复核得分), with hand-computed values (docs/rules.md §7)."""

from __future__ import annotations

import json

import pytest
import yaml
from click.testing import CliRunner

from selfeval_kit import Form, evaluate
from selfeval_kit.cli import main
from selfeval_kit.errors import ProfileError
from selfeval_kit.rules.profile import Profile, load_profile
from selfeval_kit.rules.review import review_form
from tests.conftest import DATA_2022

IDS_2022 = sorted(p.stem for p in DATA_2022.glob("*.yaml"))


@pytest.fixture
def loose_form(minimal_data) -> dict:
    """The minimal form with a budget executed at 115% and a target set far too low.

    Budget: 92 of 80 万元 = 115.00%, score capped at 10. 培训人数: 1500 of >=500 = 3.00×.
    Recomputed: 10 + 24 (8 of 10 场 × 30) + 20 + 30 + 10 = 94, as reported.
    """
    data = minimal_data
    data["funds"]["total"].update(budget_initial=80.0, budget_final=80.0, executed=92.0, execution_rate="115.00%")
    data["funds"]["total"]["score"] = 10
    data["funds"]["appropriation"].update(budget_initial=80.0, budget_final=70.0, executed=82.0)
    data["annual_goal"]["achieved"] = "完成培训8场，培训人数1500人。"
    data["indicators"][2]["actual"] = "1500人"
    data["total_score"] = 94
    return data


def result_of(data: dict, profile: str | Profile = "review"):
    return evaluate([Form.model_validate(data)], profile).forms[0]


def test_loose_form_has_only_the_two_findings(loose_form):
    assert sorted(f.code for f in result_of(loose_form).findings) == [
        "budget.over_execution",
        "indicator.target_too_low",
    ]


def test_review_profile_deducts_by_the_degree_of_deviation(loose_form):
    review = review_form(result_of(loose_form))
    # over-execution: 2 × min(1, (115/100 − 1) / 0.2) = 2 × 0.75 = 1.50 off the budget score
    # target too low: 2 × min(1, (3.00 − 1) / 4) = 2 × 0.5 = 1.00 off 培训人数
    assert [(d.code, d.row, d.indicator, d.points) for d in review.deductions] == [
        ("budget.over_execution", "budget", None, 1.5),
        ("indicator.target_too_low", "indicator", "培训人数", 1.0),
    ]


def test_review_total_is_the_recomputed_total_less_the_deductions(loose_form):
    result = result_of(loose_form)
    review = review_form(result)
    assert (review.score_reported, review.score_recomputed, review.score_review) == (94, 94, 91.5)
    assert (review.budget_score_review, review.indicator_scores) == (8.5, (24, 20, 29, 10))
    assert (review.deducted, review.grade_review) == (2.5, "优")


def test_over_execution_never_earns_more_than_the_budget_weight(loose_form):
    result = result_of(loose_form)
    assert (result.execution_rate, result.budget_score, result.budget_weight) == (pytest.approx(115.0), 10, 10)


def test_deduction_reasons_state_the_figures_in_chinese(loose_form):
    budget, target = review_form(result_of(loose_form)).deductions
    assert budget.reason == (
        "执行率 115.00%，超出全年预算数 15.00%，按偏离程度扣 1.5 分（每超出预算的 10% 扣 1 分，最多 2 分）。"
    )
    assert target.reason == (
        "实际值为目标值的 3.00 倍，目标值设置偏低，按偏离程度扣 1 分（超出部分每达目标值的 1 倍扣 0.5 分，最多 2 分）。"
    )


def test_national_profile_deducts_nothing(loose_form):
    review = review_form(result_of(loose_form, "national"))
    assert (review.score_review, review.deductions, review.budget_score_review) == (94, (), 10)


def _profile(**rules) -> Profile:
    return Profile(name="t", label="测试", review_deductions=rules)


@pytest.mark.parametrize(
    "rule, points",
    [
        ({"points": 20, "by": "deviation", "span": 1}, 15.0),  # rule 20 capped at half of the weight 30
        ({"points": 3, "by": "deviation", "span": 1}, 3.0),  # 3 × min(1, 2/1)
        ({"points": 3, "by": "deviation", "span": 8}, 0.75),  # 3 × 2/8
        ({"points": 0.5}, 0.5),  # fixed
    ],
)
def test_deduction_rule_and_indicator_cap(loose_form, rule, points):
    review = review_form(result_of(loose_form, _profile(**{"indicator.target_too_low": rule})))
    assert [d.points for d in review.deductions] == [points]
    assert review.score_review == round(94 - points, 2)


def test_capped_deduction_says_so(loose_form):
    (deduction,) = review_form(
        result_of(loose_form, _profile(**{"indicator.target_too_low": {"points": 20}}))
    ).deductions
    assert (deduction.points_rule, deduction.points) == (20, 15)
    assert deduction.reason.endswith("；该指标扣分以分值的 50%（15 分）为限，且不超过其复核重算分，实扣 15 分。")


def test_indicator_review_score_never_below_zero(loose_form):
    # 培训场次 recomputes to 24 of 30; with the whole weight as cap a 100-point rule leaves it at 0
    loose_form["indicators"][0]["deviation_note"] = None  # → indicator.unmet_no_reason
    profile = Profile(
        name="t",
        label="测试",
        review_indicator_cap=1.0,
        review_deductions={"indicator.unmet_no_reason": {"points": 100}},
    )
    review = review_form(result_of(loose_form, profile))
    assert ([d.points for d in review.deductions], review.indicator_scores[0], review.score_review) == ([24], 0, 70)


def test_form_level_deduction_never_takes_the_total_below_zero(loose_form):
    loose_form["annual_goal"]["planned"] = None  # → goal.missing, on the form as a whole
    review = review_form(result_of(loose_form, _profile(**{"goal.missing": {"points": 500}})))
    assert [(d.row, d.points) for d in review.deductions] == [("form", 94)]
    assert review.score_review == 0


@pytest.mark.parametrize(
    "rules, expected",
    [
        ({"indicator.nonsense": {"points": 1}}, "review_deductions.indicator.nonsense: unknown finding code"),
        ({"portfolio.all_full_marks": {"points": 1}}, "portfolio findings concern no one form"),
        ({"goal.missing": {"points": 1, "by": "deviation"}}, "by: deviation needs a finding with a deviation"),
        ({"goal.missing": {"points": 0}}, "review_deductions.goal.missing.points: Input should be greater than 0"),
    ],
)
def test_invalid_deduction_rules_are_refused(tmp_path, rules, expected):
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump({"name": "p", "label": "p", "review_deductions": rules}), encoding="utf-8")
    with pytest.raises(ProfileError) as caught:
        load_profile(path)
    assert str(path) in str(caught.value) and expected in str(caught.value)


def test_review_profile_is_national_plus_deductions():
    review, national = load_profile("review"), load_profile("national")
    differing = {k for k in Profile.model_fields if getattr(review, k) != getattr(national, k)}
    assert differing == {"name", "label", "description", "review_deductions"}
    assert national.review_deductions == {}


@pytest.mark.parametrize("form_id", IDS_2022)
def test_2022_under_national_review_equals_recomputed(form_id):
    result = _evaluation_2022("national").form(form_id)
    assert (review_form(result).score_review, review_form(result).deductions) == (result.score_recomputed, ())


# Each: 100 recomputed, less the deductions of the 2022 findings under `review` (docs/rules.md §7).
REVIEW_2022 = {
    "hotline-system-ops": 98.5,  # 2 × overachieved_no_reason 0.5, loose_limit 0.5
    "platform-network-ops": 98.46,  # target_too_low 2 × 1.089/4 = 0.54, loose_limit 0.5, overachieved 0.5
    "base-info-system-ops": 99.0,  # goal.missing 1
    "instrument-sharing-ops": 98.5,  # loose_limit 0.5, narrative.mismatch 1
    "resource-sharing-research": 90.42,  # 1.49 + 2 + 0.59 + 2 + 2 (too low), narrative 1, overachieved 0.5
    "platform-promotion": 93.36,  # 2 + 2 + 0.5 + 1 + 0.64 (too low), overachieved 0.5
    "talent-service-platform": 99.5,  # overachieved 0.5
    "foreigner-work-service": 100.0,  # only budget.large_cut, which carries no deduction
    "portal-website-ops": 99.5,  # overachieved 0.5
    "infrastructure-ops": 98.0,  # overachieved 0.5, narrative 1, loose_limit 0.5
    "resource-talent-platform": 94.28,  # over-execution 2 × 0.1891/0.2 = 1.89; 0.83 + 2 + 1 (too low)
}


@pytest.mark.parametrize("form_id, score", REVIEW_2022.items())
def test_2022_review_scores(form_id, score):
    result = _evaluation_2022("review").form(form_id)
    assert (result.score_recomputed, review_form(result).score_review) == (100, score)


_CACHE: dict = {}


def _evaluation_2022(profile: str):
    if profile not in _CACHE:
        _CACHE[profile] = evaluate(DATA_2022, profile)
    return _CACHE[profile]


def test_check_json_adds_the_review_and_keeps_the_old_keys(loose_form, tmp_path):
    (tmp_path / "f.yaml").write_text(yaml.safe_dump(loose_form, allow_unicode=True), encoding="utf-8")
    out = {}
    for profile in ("national", "review"):
        done = CliRunner().invoke(main, ["check", str(tmp_path), "--json", "--profile", profile])
        assert done.exit_code == 0, done.output
        out[profile] = json.loads(done.output)["forms"][0]
    national, review = out["national"], out["review"]
    assert set(national) == set(review) and {"score_recomputed", "score_range", "grade", "indicators"} <= set(review)
    assert (national["score_review"], national["deductions"]) == (94, [])
    assert (review["score_review"], review["budget_score_review"], review["grade_review"]) == (91.5, 8.5, "优")
    assert [i["score_review"] for i in review["indicators"]] == [24, 20, 29, 10]
    assert [(d["code"], d["row"], d["position"], d["points"]) for d in review["deductions"]] == [
        ("budget.over_execution", "budget", None, 1.5),
        ("indicator.target_too_low", "indicator", 2, 1.0),
    ]


def test_cli_check_shows_the_review_score_beside_the_recomputed_one():
    from click.testing import CliRunner

    from selfeval_kit.cli import main
    from tests.conftest import DATA_2022

    plain = CliRunner().invoke(main, ["check", str(DATA_2022)])
    review = CliRunner().invoke(main, ["check", str(DATA_2022), "--profile", "review"])
    head = "hotline-system-ops  上海市科技行政服务热线系统（运维）  自评 100.00 / 复核重算 100.00 (优)"
    assert head + "\n" in plain.output
    assert head + " / 复核得分 98.50 (优)\n" in review.output
