"""Sentences generated from results, in Chinese, for the reports."""

from __future__ import annotations

from selfeval_kit.rules.scoring import FormResult

__all__ = ["summary_sentence"]


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def summary_sentence(result: FormResult) -> str:
    """The conclusion of a project report in one sentence.

    Parameters
    ----------
    result
        The scored form.

    Returns
    -------
    str
        The reported and recomputed totals, the grade (and the range qualitative indicators allow),
        then either agreement (within the profile's `score_tolerance`), a missing reported total, or
        the difference with its main reasons: the budget score and the three indicators whose
        scores differ most.
    """
    reported, recomputed = result.score_reported, result.score_recomputed
    head = (
        f"单位自评总分 {_fmt(reported)} 分，按“{result.profile.label}”复核为 {_fmt(recomputed)} 分，"
        f"等级“{result.grade}”"
    )
    if result.score_low != result.score_high:
        head += f"（定性指标按档次计分，可能区间 {_fmt(result.score_low)}–{_fmt(result.score_high)} 分）"
    if reported is None:
        return head + "；表中未填总分。"
    diff = reported - recomputed
    if abs(diff) <= result.profile.score_tolerance:
        return head + "，与自评一致。"
    reasons = []
    if result.budget_score is not None and result.budget_score_reported is not None:
        budget_diff = result.budget_score_reported - result.budget_score
        if abs(budget_diff) > result.profile.score_tolerance:
            reasons.append(
                f"预算执行率得分（自评 {_fmt(result.budget_score_reported)}，复核 {_fmt(result.budget_score)}）"
            )
    differing = sorted(
        (i for i in result.indicators if i.difference and abs(i.difference) > result.profile.score_tolerance),
        key=lambda i: -abs(i.difference or 0),
    )
    for item in differing[:3]:
        reasons.append(
            f"“{item.indicator.name}”（自评 {_fmt(item.score_reported)}，复核 {_fmt(item.score_recomputed)}）"
        )
    if len(differing) > 3:
        reasons.append(f"另有 {len(differing) - 3} 项指标")
    direction = "高出" if diff > 0 else "低于"
    because = "，主要差异在" + "、".join(reasons) if reasons else ""
    return head + f"，自评{direction}复核 {abs(diff):.2f} 分{because}。"
