"""One call from a portfolio to its scores and findings under a rules profile."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from selfeval_kit.form.loading import Portfolio, load
from selfeval_kit.form.model import Form
from selfeval_kit.rules.audit import audit_form, audit_portfolio
from selfeval_kit.rules.findings import Finding
from selfeval_kit.rules.profile import Profile, load_profile
from selfeval_kit.rules.review import review_form
from selfeval_kit.rules.scoring import FormResult, score_form

__all__ = ["Evaluation", "evaluate", "form_dict"]


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
        """The result of the first form with this id; KeyError when no form has it."""
        k = self._positions.get(form_id)
        if k is not None and k < len(self.forms) and self.forms[k].form.id == form_id:
            return self.forms[k]
        for result in self.forms:  # `forms` was changed since it was indexed
            if result.form.id == form_id:
                return result
        raise KeyError(f"no form with id {form_id!r}")

    @cached_property
    def _positions(self) -> dict[str, int]:
        """Where each id's first form is in `forms`, found on the first lookup: a report per form of a
        portfolio looks each one up, and scanning the list every time grew with the square of its size."""
        positions: dict[str, int] = {}
        for k, result in enumerate(self.forms):
            positions.setdefault(result.form.id, k)
        return positions

    def to_dict(self) -> dict:
        """The JSON shape of `selfeval check --json`."""
        forms = [form_dict(r) for r in self.forms]
        return {"profile": self.profile.name, "forms": forms, "findings": [f.to_dict() for f in self.findings]}


def evaluate(source: Portfolio | Iterable[Form] | str | Path, profile: str | Path | Profile = "national") -> Evaluation:
    """Score and audit every form of a portfolio (or a path to load) under a rules profile."""
    if isinstance(source, (str, Path)):
        source = load(source)
    rules = load_profile(profile)
    results = []
    for form in source:
        result = score_form(form, rules)
        result.findings.extend(audit_form(result))
        results.append(result)
    portfolio_findings = audit_portfolio(results, rules)
    return Evaluation(profile=rules, forms=results, portfolio_findings=portfolio_findings)


def form_dict(r: FormResult) -> dict:
    """One form's entry in ``Evaluation.to_dict()["forms"]`` (the JSON of ``selfeval check``).

    Parameters
    ----------
    r : FormResult
        The form as scored.

    Returns
    -------
    dict
        Execution rate, budget and total scores (reported and recomputed), grades, and each
        indicator's attainment, ratio, scores and allowed range; then the review (docs/rules.md
        §7): each indicator's, the budget's and the total review score, its grade, and the
        deductions (code, row, indicator, position, points, points before caps, reason).
    """
    review = review_form(r)
    return {
        "id": r.form.id,
        "name": r.form.name,
        "execution_rate": None if r.execution_rate is None else round(r.execution_rate, 2),
        "execution_rate_reported": r.execution_rate_reported,
        "budget_score": r.budget_score,
        "budget_score_reported": r.budget_score_reported,
        "score_reported": r.score_reported,
        "score_recomputed": r.score_recomputed,
        "score_range": [r.score_low, r.score_high],
        "grade": r.grade,
        "grade_reported": r.grade_reported,
        "indicators": [
            {
                "name": i.indicator.name,
                "attainment": i.attainment.value,
                "ratio": None if i.ratio is None else round(i.ratio, 4),
                "score_reported": i.score_reported,
                "score_recomputed": i.score_recomputed,
                "score_range": [i.score_low, i.score_high],
                "score_review": score,
            }
            for i, score in zip(r.indicators, review.indicator_scores, strict=True)
        ],
        "budget_score_review": review.budget_score_review,
        "score_review": review.score_review,
        "grade_review": review.grade_review,
        "deductions": [d.to_dict() for d in review.deductions],
    }
