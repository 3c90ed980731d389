"""The portfolio checks fed one form at a time (`audit.PortfolioAudit`) give what they gave on the whole list."""

from __future__ import annotations

import random

import pytest

from selfeval_kit.rules.audit import PortfolioAudit, PortfolioFacts, audit_portfolio_facts
from selfeval_kit.rules.findings import make_finding, sort_findings
from selfeval_kit.rules.profile import load_profile

NATIONAL = load_profile("national")  # at least 3 forms, a value in 3 forms, 1.3×, a share of 0.5, 100 points


def fact(form_id, satisfaction=(), score=100.0, ratios=(), name=None) -> PortfolioFacts:
    return PortfolioFacts(form_id, name or form_id.upper(), score, tuple(satisfaction), tuple(ratios))


def _before(facts: list[PortfolioFacts], profile) -> list:
    """audit_portfolio_facts as it was before the accumulator (the last commit's code, verbatim in substance)."""
    findings = []
    if len(facts) < profile.min_forms_for_patterns:
        return findings
    by_value: dict[str, list[PortfolioFacts]] = {}
    for f in facts:
        for value in f.satisfaction_values:
            by_value.setdefault(value, []).append(f)
    for value, forms in by_value.items():
        unique = list({r.form_id: r for r in forms}.values())
        if len(unique) >= profile.repeated_value_min_forms:
            names = "、".join(f"“{r.form_name}”" for r in unique)
            message = f"{len(unique)} 个项目的满意度实际值均为 {value}：{names}。"
            findings.append(
                make_finding(
                    "portfolio.repeated_satisfaction", None, message, value=value, form_ids=[r.form_id for r in unique]
                )
            )
    if all(r.score_reported is not None and abs(r.score_reported - profile.total_points) < 1e-6 for r in facts):
        message = f"全部 {len(facts)} 个项目自评总分均为 {profile.total_points:g} 分。"
        findings.append(make_finding("portfolio.all_full_marks", None, message, forms=len(facts)))
    ratios = [x for r in facts for x in r.higher_ratios]
    if ratios:
        high = sum(1 for x in ratios if x >= profile.overachievement_note_ratio)
        share = high / len(ratios)
        if share >= profile.low_ambition_share:
            message = (
                f"{len(ratios)} 个“越高越好”的定量指标中有 {high} 个（{share * 100:.1f}%）实际值达到目标的 "
                f"{profile.overachievement_note_ratio:g} 倍以上。"
            )
            findings.append(
                make_finding(
                    "portfolio.low_ambition",
                    None,
                    message,
                    indicators=len(ratios),
                    overachieved=high,
                    share=round(share, 4),
                )
            )
    return sort_findings(findings)


def test_hand_built_facts_give_each_pattern():
    facts = [
        fact("a", ["95%", "90%"], ratios=[1.0, 2.0]),
        fact("b", ["95%", "95%"], ratios=[1.3]),  # the same value twice: b counts once
        fact("c", ["90%"], ratios=[1.29]),
        fact("d", ["95%"]),
    ]
    found = audit_portfolio_facts(facts, NATIONAL)
    assert [f.code for f in found] == [
        "portfolio.repeated_satisfaction",
        "portfolio.all_full_marks",
        "portfolio.low_ambition",
    ]
    repeated, full, low = found
    assert repeated.figures == {"value": "95%", "form_ids": ["a", "b", "d"]}  # 90%: only 2 forms
    assert repeated.message == "3 个项目的满意度实际值均为 95%：“A”、“B”、“D”。"
    assert full.figures == {"forms": 4}
    assert full.message == "全部 4 个项目自评总分均为 100 分。"
    # 4 ratios, 2.0 and 1.3 at least 1.3×: 2 of 4 = 50 %, the share that makes the pattern
    assert low.figures == {"indicators": 4, "overachieved": 2, "share": 0.5}
    assert low.message == "4 个“越高越好”的定量指标中有 2 个（50.0%）实际值达到目标的 1.3 倍以上。"


def test_fed_one_at_a_time_equals_the_list():
    facts = [fact("a", ["99%"]), fact("b", ["99%"], score=98.0), fact("c", ["99%"], ratios=[1.0])]
    audit = PortfolioAudit(NATIONAL)
    for one in facts:
        audit.add(one)
    assert audit.forms == 3
    found = audit.findings()
    assert [f.code for f in found] == ["portfolio.repeated_satisfaction"]  # b: 98 points; 0 of 1 ratio high
    assert found == audit_portfolio_facts(facts, NATIONAL) == _before(facts, NATIONAL)


def test_no_pattern_below_the_minimum_of_forms_and_none_without_a_score():
    assert audit_portfolio_facts([fact("a", ["99%"]), fact("b", ["99%"])], NATIONAL) == []
    found = audit_portfolio_facts([fact("a"), fact("b"), fact("c", score=None)], NATIONAL)
    assert found == []  # one form without a reported score: not every form has full marks


def test_an_id_given_twice_keeps_its_first_place_and_last_name():
    facts = [fact("a", ["80%"], name="first"), fact("b", ["80%"]), fact("a", ["80%"], name="again"), fact("c")]
    # 80% in two forms (a twice): below the 3 that make the pattern
    assert [f.code for f in audit_portfolio_facts(facts, NATIONAL)] == ["portfolio.all_full_marks"]
    facts.append(fact("d", ["80%"]))
    (repeated, *_rest) = audit_portfolio_facts(facts, NATIONAL)
    assert repeated.figures["form_ids"] == ["a", "b", "d"]
    assert repeated.message == "3 个项目的满意度实际值均为 80%：“again”、“B”、“D”。"


@pytest.mark.parametrize("seed", range(5))
def test_random_facts_give_the_findings_of_before(seed):
    rng = random.Random(seed)
    facts = [
        fact(
            f"f{k}",
            rng.choices(["95%", "96%", "97%", "98.5%", "100%"], k=rng.randint(0, 3)),
            score=rng.choice([100.0, 100.0, 100.0, 99.5, None]) if seed % 2 else 100.0,
            ratios=[rng.uniform(0.5, 2.5) for _ in range(rng.randint(0, 4))],
        )
        for k in range(rng.randint(3, 40))
    ]
    assert audit_portfolio_facts(facts, NATIONAL) == _before(facts, NATIONAL)
    assert audit_portfolio_facts(iter(facts), NATIONAL) == _before(facts, NATIONAL)  # any iterable
