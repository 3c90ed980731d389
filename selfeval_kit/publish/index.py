"""The build's index.html: every report linked, with its scores, or with its error when it failed.

The page itself is drawn by `selfeval_kit.report.render_index`; this module gathers its rows
and writes it only when it changed (the date on it alone is no change).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from selfeval_kit.publish.digest import sha
from selfeval_kit.publish.manifest import INDEX_NAME, outputs_intact, publish
from selfeval_kit.publish.results import ReportOutcome
from selfeval_kit.report import render_index
from selfeval_kit.version import __version__
from selfeval_kit.views import formatting
from selfeval_kit.views.marks import SEVERITY_ORDER

__all__ = ["index_html", "write_index"]


def _link(outcome: ReportOutcome, built: dict) -> tuple[str | None, str | None]:
    """(href, date of the earlier page shown instead of a failed one)."""
    if outcome.ok and outcome.path:
        return outcome.path.name, None
    if outcome.previous is not None:
        entry = built.get(outcome.previous.name) or {}
        return outcome.previous.name, (entry.get("built") or "")[:10] or "较早"
    return None, None


def _project_entry(result: Any, outcome: ReportOutcome, built: dict) -> dict:
    findings = result.findings
    href, earlier = _link(outcome, built)
    return {
        "id": result.form.id,
        "name": result.form.name,
        "href": href,
        "earlier": earlier,
        "error": outcome.error,
        "score_reported": formatting.points(result.score_reported),
        "score_recomputed": formatting.points(result.score_recomputed),
        "grade": result.grade or "—",
        "rate": formatting.pct(result.execution_rate),
        "findings": "／".join(str(sum(1 for f in findings if f.severity == s)) for s in SEVERITY_ORDER),
    }


def index_html(
    evaluation: Any, projects: list[ReportOutcome], annual: list[ReportOutcome], data: Path, built: dict | None = None
) -> str:
    """The index page of a build.

    Parameters
    ----------
    evaluation : Evaluation
        The data's evaluation (one result per project, in the order of `projects`).
    projects, annual : list of ReportOutcome
        The build's outcomes.
    data : Path
        The data folder or file (its name is shown).
    built : dict, optional
        The manifest's reports (when each kept page was built).

    Returns
    -------
    str
        The HTML document.
    """
    built = built or {}
    entries = [
        _project_entry(result, outcome, built) for result, outcome in zip(evaluation.forms, projects, strict=True)
    ]
    annual_entries = []
    for a in annual:
        href, earlier = _link(a, built)
        annual_entries.append({"name": a.title, "href": href, "earlier": earlier, "error": a.error})
    years = sorted({r.form.year for r in evaluation.forms})
    title = f"{'、'.join(str(y) for y in years)}年度项目支出绩效自评复核报告"
    summary = {
        "data": data.name,
        "profile": evaluation.profile.label,
        "built": sum(1 for r in [*projects, *annual] if r.ok),
        "failed": sum(1 for r in [*projects, *annual] if not r.ok),
        "version": __version__,
    }
    return render_index(title, entries, annual_entries, summary)


def write_index(out: Path, html: str, old: dict | None) -> dict:
    """Write index.html unless only its date changed; the manifest's entry for it.

    Parameters
    ----------
    out : Path
        The build's folder.
    html : str
        The page (`index_html`).
    old : dict, optional
        The manifest's entry of the index written before.

    Returns
    -------
    dict
        ``{"digest", "outputs"}``: `old` itself when the page on disk is that one, and only the
        date would change.
    """
    digest = sha(html.replace(formatting.chinese_date(), "").encode("utf-8"))
    old = old or {}
    if old.get("digest") == digest and outputs_intact(out, old):
        return old
    return {"digest": digest, "outputs": {INDEX_NAME: publish(out / INDEX_NAME, html)}}
