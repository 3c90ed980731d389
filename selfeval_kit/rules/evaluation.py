"""One call from a portfolio to everything the reports need: scores, findings, frames."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import pandas as pd

from selfeval_kit.rules.audit import SEVERITIES, Finding, audit_form, audit_portfolio
from selfeval_kit.form.loading import Portfolio, load
from selfeval_kit.memory import paused_gc
from selfeval_kit.form.model import Form
from selfeval_kit.rules.profile import Profile, load_profile
from selfeval_kit.rules.scoring import FormResult, form_dict, score_form

__all__ = ["Evaluation", "evaluate", "form_dict", "summary_sentence"]


@dataclass(frozen=True)
class Evaluation:
    profile: Profile
    forms: list[FormResult]
    portfolio_findings: list[Finding]

    @property
    def findings(self) -> list[Finding]:
        """Every finding: each form's (in form order), then the portfolio's."""
        return [f for r in self.forms for f in r.findings] + list(self.portfolio_findings)

    def form(self, form_id: str) -> FormResult:
        for result in self.forms:
            if result.form.id == form_id:
                return result
        raise KeyError(f"no form with id {form_id!r}")

    def forms_frame(self) -> pd.DataFrame:
        rows = []
        for r in self.forms:
            total = r.form.funds.total
            counts = {s: sum(1 for f in r.findings if f.severity == s) for s in SEVERITIES}
            rows.append(
                {
                    "id": r.form.id,
                    "name": r.form.name,
                    "year": r.form.year,
                    "unit": r.form.unit,
                    "budget_initial": total.budget_initial,
                    "budget_final": total.budget_final,
                    "executed": total.executed,
                    "execution_rate": None if r.execution_rate is None else round(r.execution_rate, 2),
                    "execution_rate_reported": r.execution_rate_reported,
                    "budget_weight": total.weight,
                    "budget_score": r.budget_score,
                    "budget_score_reported": total.score,
                    "score_reported": r.score_reported,
                    "score_recomputed": r.score_recomputed,
                    "score_low": r.score_low,
                    "score_high": r.score_high,
                    "grade": r.grade,
                    "grade_reported": r.grade_reported,
                    "cut_pct": None if r.cut_share is None else round(r.cut_share * 100, 2),
                    "errors": counts["error"],
                    "warnings": counts["warning"],
                    "infos": counts["info"],
                }
            )
        frame = pd.DataFrame(rows)
        return frame.set_index("id", drop=False).rename_axis(None) if not frame.empty else frame

    def indicators_frame(self) -> pd.DataFrame:
        rows = []
        for r in self.forms:
            for item in r.indicators:
                ind = item.indicator
                rows.append(
                    {
                        "form_id": r.form.id,
                        "form_name": r.form.name,
                        "position": item.position,
                        "level1": ind.level1,
                        "level2": ind.level2,
                        "name": ind.name,
                        "target": ind.target,
                        "actual": ind.actual,
                        "weight": ind.weight,
                        "score_reported": ind.score,
                        "score_recomputed": item.score_recomputed,
                        "score_low": item.score_low,
                        "score_high": item.score_high,
                        "attainment": item.attainment.value,
                        "ratio": item.ratio,
                        "quantitative": item.quantitative,
                        "kind": item.target.kind.value,
                        "direction": item.target.direction.value,
                        "unit": item.target.unit,
                        "deviation_note": ind.deviation_note,
                    }
                )
        return pd.DataFrame(rows)

    def findings_frame(self) -> pd.DataFrame:
        columns = ["code", "severity", "form_id", "form_name", "indicator", "position", "title", "message", "advice", "figures"]
        return pd.DataFrame([f.to_dict() for f in self.findings], columns=columns)

    def to_dict(self) -> dict:
        """The JSON shape of `selfeval check --json`."""
        forms = [form_dict(r) for r in self.forms]
        return {"profile": self.profile.name, "forms": forms, "findings": [f.to_dict() for f in self.findings]}


def evaluate(source: "Portfolio | Iterable[Form] | str | Path", profile: "str | Path | Profile" = "national") -> Evaluation:
    """Score and audit every form of a portfolio (or a path to load) under a rules profile."""
    if isinstance(source, (str, Path)):
        source = load(source)
    rules = load_profile(profile)
    results = []
    with paused_gc():
        for form in source:
            result = score_form(form, rules)
            result.findings.extend(audit_form(result))
            results.append(result)
        portfolio_findings = audit_portfolio(results, rules)
    return Evaluation(profile=rules, forms=results, portfolio_findings=portfolio_findings)


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def summary_sentence(result: FormResult) -> str:
    """Reported and recomputed totals, the grade, and the main reasons for a difference."""
    reported, recomputed = result.score_reported, result.score_recomputed
    head = f"单位自评总分 {_fmt(reported)} 分，按“{result.profile.label}”复核为 {_fmt(recomputed)} 分，等级“{result.grade}”"
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
            reasons.append(f"预算执行率得分（自评 {_fmt(result.budget_score_reported)}，复核 {_fmt(result.budget_score)}）")
    differing = sorted(
        (i for i in result.indicators if i.difference and abs(i.difference) > result.profile.score_tolerance),
        key=lambda i: -abs(i.difference),
    )
    for item in differing[:3]:
        reasons.append(f"“{item.indicator.name}”（自评 {_fmt(item.score_reported)}，复核 {_fmt(item.score_recomputed)}）")
    if len(differing) > 3:
        reasons.append(f"另有 {len(differing) - 3} 项指标")
    direction = "高出" if diff > 0 else "低于"
    because = "，主要差异在" + "、".join(reasons) if reasons else ""
    return head + f"，自评{direction}复核 {abs(diff):.2f} 分{because}。"
