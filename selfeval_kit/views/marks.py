"""Status and severity marks, and the order findings are listed in.

A report never shows a colour alone: every attainment status and every finding severity comes
with a symbol and a word (docs/reports.md), e.g. "✓ 达成", "✗ 错误". The words are the rules'
own labels (`ATTAINMENT_LABELS`, `SEVERITY_LABELS`); the colours are CSS classes of the templates.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from selfeval_kit.rules.findings import SEVERITIES, SEVERITY_LABELS, Finding
from selfeval_kit.rules.scoring import ATTAINMENT_LABELS

__all__ = [
    "SEVERITY",
    "SEVERITY_ORDER",
    "STATUS",
    "STATUS_ORDER",
    "Mark",
    "counts_text",
    "severity_counts",
    "sort_findings",
    "status_key",
]

STATUS_ORDER: tuple[str, ...] = ("met", "partly", "not_met", "unknown")
SEVERITY_ORDER: tuple[str, ...] = tuple(SEVERITIES)
_STATUS_SYMBOLS = {"met": "✓", "partly": "◐", "not_met": "✗", "unknown": "?"}
_SEVERITY_SYMBOLS = {"error": "✗", "warning": "!", "info": "i"}


@dataclass(frozen=True)
class Mark:
    """The symbol and the word shown with a status or severity colour.

    Attributes
    ----------
    symbol
        One character: ✓ ◐ ✗ ? for statuses, ✗ ! i for severities.
    label
        The Chinese word: 达成, 部分达成, 未达成, 无法判断; 错误, 警告, 提示.
    """

    symbol: str
    label: str


STATUS: dict[str, Mark] = {k: Mark(_STATUS_SYMBOLS[k], ATTAINMENT_LABELS[k]) for k in STATUS_ORDER}
SEVERITY: dict[str, Mark] = {k: Mark(_SEVERITY_SYMBOLS[k], SEVERITY_LABELS[k]) for k in SEVERITY_ORDER}


def status_key(attainment: Any) -> str:
    """The key of an attainment in `STATUS`: "met", "partly", "not_met" or "unknown".

    Parameters
    ----------
    attainment
        An `Attainment` member, its value, or None (which counts as "unknown").
    """
    return getattr(attainment, "value", attainment) or "unknown"


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Findings in the order a report lists them: errors first, then by indicator position and code.

    Findings that concern no indicator come before those that do, within a severity.
    """
    order = {s: i for i, s in enumerate(SEVERITY_ORDER)}
    return sorted(
        findings, key=lambda f: (order.get(f.severity, 9), f.position if f.position is not None else -1, f.code)
    )


def severity_counts(findings: Iterable[Finding]) -> dict[str, int]:
    """The number of findings of each severity, in `SEVERITY_ORDER` (zeros included)."""
    counts = dict.fromkeys(SEVERITY_ORDER, 0)
    for f in findings:
        if f.severity in counts:
            counts[f.severity] += 1
    return counts


def counts_text(findings: Sequence[Finding]) -> str:
    """The counts by severity as the headers print them: "错误 1 / 警告 3 / 提示 0"."""
    counts = severity_counts(findings)
    return " / ".join(f"{SEVERITY[sev].label} {counts[sev]}" for sev in SEVERITY_ORDER)
