"""Findings and the catalogue of checks (docs/rules.md §6).

Each finding has a stable dotted code, a severity, the form and indicator it concerns,
a Chinese message stating the facts, advice on what to do, and the figures behind it.
The catalogue ``CHECKS`` is the one place codes are defined; the audit
(:mod:`selfeval_kit.rules.audit`) and the narrative check
(:mod:`selfeval_kit.rules.narrative`) make findings with :func:`make_finding`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from selfeval_kit.rules.catalogue import CHECKS, SEVERITIES, SEVERITY_LABELS, Check
from selfeval_kit.rules.scoring import FormResult, IndicatorResult

__all__ = [
    "CHECKS",
    "SEVERITIES",
    "SEVERITY_LABELS",
    "Check",
    "Finding",
    "make_finding",
    "number_text",
    "sort_findings",
]


@dataclass(frozen=True)
class Finding:
    """One thing a reviewer should look at.

    Attributes
    ----------
    code : str
        The check's code, a key of ``CHECKS`` ("indicator.score_mismatch").
    severity : str
        "error", "warning" or "info" (usually the check's; some checks soften it).
    form_id, form_name : str or None
        The form concerned; None for a finding on the whole portfolio.
    message : str
        The facts, in Chinese.
    indicator : str or None
        The indicator's name, where the finding concerns one.
    position : int or None
        The indicator's place in its form.
    figures : dict
        The figures behind the message, for machines (JSON output).
    """

    code: str
    severity: str
    form_id: str | None
    form_name: str | None
    message: str
    indicator: str | None = None
    position: int | None = None
    figures: dict = field(default_factory=dict)

    @property
    def title(self) -> str:
        """The check's short Chinese title."""
        return CHECKS[self.code].title

    @property
    def advice(self) -> str:
        """What to do about it, in Chinese."""
        return CHECKS[self.code].advice

    def to_dict(self) -> dict:
        """The finding as it appears in the JSON of ``selfeval check``."""
        check = CHECKS[self.code]
        return {
            "code": self.code,
            "severity": self.severity,
            "form_id": self.form_id,
            "form_name": self.form_name,
            "indicator": self.indicator,
            "position": self.position,
            "title": check.title,
            "message": self.message,
            "advice": check.advice,
            "figures": self.figures,
        }


def make_finding(
    code: str,
    result: FormResult | None,
    message: str,
    *,
    item: IndicatorResult | None = None,
    severity: str | None = None,
    **figures: Any,
) -> Finding:
    """A finding of the check ``code`` on a form (or the portfolio) and maybe one indicator.

    Parameters
    ----------
    code : str
        A key of ``CHECKS``.
    result : FormResult or None
        The scored form; None for a portfolio finding.
    message : str
        The facts, in Chinese.
    item : IndicatorResult, optional
        The indicator concerned.
    severity : str, optional
        Overrides the check's severity.
    **figures
        The figures behind the message.

    Returns
    -------
    Finding
    """
    return Finding(
        code=code,
        severity=severity or CHECKS[code].severity,
        form_id=result.form.id if result else None,
        form_name=result.form.name if result else None,
        message=message,
        indicator=item.indicator.name if item else None,
        position=item.position if item else None,
        figures=figures,
    )


def number_text(value: float | None) -> str:
    """A number as messages show it: thousands separators, at most two decimals, "—" for none."""
    if value is None:
        return "—"
    if abs(value - round(value)) > 1e-9:
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{value:,.0f}"


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Most severe first; within a severity, in the order given (stable)."""
    return sorted(findings, key=lambda f: SEVERITIES.index(f.severity))
