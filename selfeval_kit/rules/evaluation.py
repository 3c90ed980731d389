"""One call from a portfolio to its scores and findings under a rules profile."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from selfeval_kit.form.loading import Portfolio, load
from selfeval_kit.form.model import Form
from selfeval_kit.rules.audit import audit_form, audit_portfolio
from selfeval_kit.rules.findings import Finding
from selfeval_kit.rules.profile import Profile, load_profile
from selfeval_kit.rules.scoring import FormResult, form_dict, score_form

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
        for result in self.forms:
            if result.form.id == form_id:
                return result
        raise KeyError(f"no form with id {form_id!r}")

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
