"""What a build reports: one `ReportOutcome` per report, one `BuildResult` per build, `BuildFailed` when
the build could not write its own files."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from selfeval_kit.errors import BuildError

__all__ = ["BuildFailed", "BuildResult", "ReportOutcome", "summary"]


@dataclass
class ReportOutcome:
    """What happened to one report in a build.

    Parameters
    ----------
    kind : str
        ``"project"`` or ``"annual"``.
    key : str
        The form id, or ``"annual"`` (``"annual-<year>"`` when the data holds several years).
    title : str
        The report's title.
    path : Path or None
        The page this build wrote or kept; None when the report failed.
    error : str, optional
        Why the report failed: the error raised in the notebook (its type, message and cell),
        a timeout, or that the worker process running it died; None when it succeeded.
    seconds : float, default 0.0
        How long the report took to run and export.
    warnings : list of str
        What the notebook printed on stderr (left out of the page).
    skipped : bool, default False
        Up to date: not run in this build; `path` is the page of an earlier build.
    outputs : dict
        File name -> ``{"sha256", "size", "mtime_ns"}`` of each file written for the report.
    previous : Path, optional
        For a failed report, its page from an earlier build, kept in place (None if none).
    """

    kind: str
    key: str
    title: str
    path: Path | None
    error: str | None = None
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)
    skipped: bool = False
    outputs: dict = field(default_factory=dict)
    previous: Path | None = None

    @property
    def ok(self) -> bool:
        """Whether the report succeeded (or was up to date)."""
        return self.error is None


@dataclass
class BuildResult:
    """What a build did.

    Parameters
    ----------
    out_dir : Path
        The folder built into.
    index : Path
        Its index.html.
    projects : list of ReportOutcome
        One per form, in the data's order.
    annual : list of ReportOutcome
        One per year of the data.
    seconds : float, default 0.0
        The build's wall time.
    up_to_date : bool, default False
        Nothing had changed since the last build: nothing was run or written.
    manifest : Path, optional
        The build's record of what it wrote (None for a dry run).
    dry_run : bool, default False
        Nothing was run or written; `executed` lists the reports a build would run.
    """

    out_dir: Path
    index: Path
    projects: list[ReportOutcome]
    annual: list[ReportOutcome]
    seconds: float = 0.0
    up_to_date: bool = False
    manifest: Path | None = None
    dry_run: bool = False

    @property
    def reports(self) -> list[ReportOutcome]:
        """Every report: the projects, then the annual reports."""
        return [*self.projects, *self.annual]

    @property
    def failed(self) -> list[ReportOutcome]:
        """The reports that failed."""
        return [r for r in self.reports if not r.ok]

    @property
    def executed(self) -> list[ReportOutcome]:
        """The reports whose notebook ran in this build (whether or not it succeeded)."""
        return [r for r in self.reports if not r.skipped]

    @property
    def skipped(self) -> list[ReportOutcome]:
        """The reports that were up to date."""
        return [r for r in self.reports if r.skipped]

    @property
    def ok(self) -> bool:
        """Whether no report failed."""
        return not self.failed


class BuildFailed(BuildError):
    """Every report was attempted, but index.html or the manifest could not be written.

    ``str()`` has one line per file that could not be written (its name and the system's
    reason), then the build's summary: ``11 of 12 reports built; failed: annual``.

    Parameters
    ----------
    result : BuildResult
        The build's outcomes, as the build would have returned them.
    problems : list of str
        One ``<file>: cannot write: <reason>`` per file of the build's own.
    """

    def __init__(self, result: BuildResult, problems: list[str]):
        self.result, self.problems = result, list(problems)
        super().__init__("\n".join([*self.problems, summary(result)]))


def summary(result: BuildResult) -> str:
    """``<built> of <total> reports built`` and, if any failed, ``; failed: <keys>``."""
    total = len(result.reports)
    text = f"{total - len(result.failed)} of {total} reports built"
    return text + (f"; failed: {', '.join(r.key for r in result.failed)}" if result.failed else "")
