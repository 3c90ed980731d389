"""Build the published reports: run the notebooks with papermill, publish self-contained HTML.

    from selfeval_kit.build import build
    result = build("data/2022", "reports/2022")      # every project, the annual report, index.html
    result.ok, result.failed

Each report is one papermill run of a parameterised notebook (`notebooks/project_report.ipynb`
per form, `notebooks/annual_report.ipynb` per year), converted in-process by nbconvert's
HTMLExporter with the package's own template (`templates/selfeval`: no code, no prompts, no
parameter cells, no scripts, figures inline, A4 print CSS). A report that fails does not stop
the others: it is listed in index.html with its error, and `BuildResult.ok` is False.

The per-report work is the top-level function `render_report`, which takes only plain,
picklable arguments and returns a plain `ReportOutcome`, so a process pool can run reports in
parallel and a build can skip reports whose inputs did not change.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .errors import BuildError
from .files import atomic_write_text

__all__ = ["BuildResult", "ReportOutcome", "build", "render_report", "export_html", "NOTEBOOKS_DIR", "TEMPLATES_DIR"]

PACKAGE_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = PACKAGE_DIR / "templates"
TEMPLATE_NAME = "selfeval"
# The notebooks live in the repository (notebooks/), beside the package of an editable install.
NOTEBOOKS_DIR = PACKAGE_DIR.parent / "notebooks"
PROJECT_NOTEBOOK = "project_report.ipynb"
ANNUAL_NOTEBOOK = "annual_report.ipynb"
INDEX_NAME = "index.html"


@dataclass
class ReportOutcome:
    """What happened to one report."""

    kind: str  # "project" | "annual"
    key: str  # form id, or "annual" / "annual-<year>"
    title: str
    path: Path | None  # the HTML written; None when it failed
    error: str | None = None
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)  # stderr the notebook printed (left out of the HTML)

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass
class BuildResult:
    out_dir: Path
    index: Path
    projects: list[ReportOutcome]
    annual: list[ReportOutcome]
    seconds: float = 0.0

    @property
    def reports(self) -> list[ReportOutcome]:
        return [*self.projects, *self.annual]

    @property
    def failed(self) -> list[ReportOutcome]:
        return [r for r in self.reports if not r.ok]

    @property
    def ok(self) -> bool:
        return not self.failed


# ------------------------------------------------------------------ HTML export


def _publish(path: Path, text: str) -> Path:
    """Write atomically, readable like any file the user creates (the temp file is 0600)."""
    atomic_write_text(path, text)
    os.chmod(path, 0o666 & ~_UMASK)
    return path


def _umask() -> int:
    umask = os.umask(0o022)  # read once, at import (os.umask can only be read by setting it)
    os.umask(umask)
    return umask


_UMASK = _umask()


def _css_string(text: str) -> str:
    """A CSS string literal that cannot end the string or the <style> element."""
    out = []
    for ch in str(text):
        if ch.isalnum() and ord(ch) > 127 or ch.isalnum() or ch in " -_.,:;()（）·":
            out.append(ch)
        else:
            out.append(f"\\{ord(ch):x} ")
    return '"' + "".join(out) + '"'


_EXPORTER = None


def _exporter():
    """One HTMLExporter per process (template compilation is the expensive part)."""
    global _EXPORTER
    if _EXPORTER is None:
        from nbconvert import HTMLExporter

        exporter = HTMLExporter(
            template_name=TEMPLATE_NAME,
            extra_template_basedirs=[str(TEMPLATES_DIR)],
            exclude_input=True,
            exclude_input_prompt=True,
            exclude_output_prompt=True,
        )
        exporter.register_filter("css_string", _css_string)
        _EXPORTER = exporter
    return _EXPORTER


def export_html(nb, title: str) -> str:
    """A notebook (NotebookNode) as one self-contained HTML page titled `title`."""
    nb.metadata["selfeval"] = {"title": title}
    body, _ = _exporter().from_notebook_node(nb, resources={"metadata": {"name": title}})
    return body


def _stderr_of(nb) -> list[str]:
    texts = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and output.get("name") == "stderr":
                texts.append(output.get("text", "").strip())
    return [t for t in texts if t]


def _error_text(exc: BaseException) -> str:
    ename = getattr(exc, "ename", None)
    if ename:  # papermill.PapermillExecutionError: the error raised inside the notebook
        evalue = getattr(exc, "evalue", "")
        count = getattr(exc, "exec_count", None)
        where = f"（第 {count} 个代码单元）" if count else ""
        return f"{ename}: {evalue}{where}"
    return f"{type(exc).__name__}: {exc}"


def render_report(
    kind: str,
    key: str,
    title: str,
    notebook: str,
    parameters: dict,
    out_html: str,
    kernel_name: str = "python3",
    timeout: int = 600,
    keep_notebook: bool = False,
) -> ReportOutcome:
    """Run one parameterised notebook and write it as HTML; never raises for a failing notebook.

    All arguments are plain values (paths as absolute strings), so this runs as well in a
    worker process as in the caller's.
    """
    import papermill

    start = time.perf_counter()
    out = Path(out_html)
    nb_path = Path(notebook)
    try:
        nb = papermill.execute_notebook(
            str(nb_path),
            None,
            parameters=parameters,
            kernel_name=kernel_name,
            progress_bar=False,
            log_output=False,
            request_save_on_cell_execute=False,
            cwd=str(nb_path.parent),
            execution_timeout=timeout,
            # the kernel logs transport notices to the terminal; reports need none of them
            extra_arguments=["--IPKernelApp.log_level=CRITICAL"],
        )
        html = export_html(nb, title)
        _publish(out, html)
        if keep_notebook:
            import nbformat

            _publish(out.with_suffix(".ipynb"), nbformat.writes(nb))
        return ReportOutcome(kind, key, title, out, None, time.perf_counter() - start, _stderr_of(nb))
    except Exception as exc:  # noqa: BLE001 - one report's failure must not stop the build
        out.unlink(missing_ok=True)  # never leave an older report that looks current
        return ReportOutcome(kind, key, title, None, _error_text(exc), time.perf_counter() - start)


# ------------------------------------------------------------------ the build


def _profile_parameter(profile) -> str:
    """A built-in profile name as is; a profile file as an absolute path (the kernel's cwd differs)."""
    text = str(profile)
    path = Path(text).expanduser()
    if text.endswith((".yaml", ".yml")) or path.is_file():
        return str(path.resolve())
    return text


def build(
    data_path: str | Path,
    out_dir: str | Path,
    profile: str | Path = "national",
    *,
    project_notebook: str | Path | None = None,
    annual_notebook: str | Path | None = None,
    kernel_name: str = "python3",
    timeout: int = 600,
    keep_notebooks: bool = False,
    progress: Callable[[ReportOutcome], None] | None = None,
) -> BuildResult:
    """Build every project report, the annual report(s) and index.html into out_dir.

    Raises DataError (invalid forms), ProfileError (unknown profile) or BuildError (missing
    notebooks) before anything runs; a failing report is recorded, not raised.
    `progress` is called with each ReportOutcome as it completes.
    """
    import selfeval_kit as sk

    from . import report

    started = time.perf_counter()
    data = Path(data_path).expanduser().resolve()
    out = Path(out_dir).expanduser().resolve()
    project_nb = Path(project_notebook or NOTEBOOKS_DIR / PROJECT_NOTEBOOK).resolve()
    annual_nb = Path(annual_notebook or NOTEBOOKS_DIR / ANNUAL_NOTEBOOK).resolve()
    for nb in (project_nb, annual_nb):
        if not nb.is_file():
            raise BuildError(f"notebook not found: {nb} (the report notebooks are in the repository's notebooks/ folder)")
    profile_param = _profile_parameter(profile)

    portfolio = sk.load(data)  # DataError lists every problem
    evaluation = sk.evaluate(portfolio, profile=profile_param)  # ProfileError for an unknown profile
    out.mkdir(parents=True, exist_ok=True)

    def done(outcome: ReportOutcome) -> ReportOutcome:
        if progress:
            progress(outcome)
        return outcome

    projects = []
    for result in evaluation.forms:
        form = result.form
        projects.append(
            done(
                render_report(
                    "project",
                    form.id,
                    report.project_title(form),
                    str(project_nb),
                    {"data_path": str(data), "form_id": form.id, "profile": profile_param},
                    str(out / f"{form.id}.html"),
                    kernel_name,
                    timeout,
                    keep_notebooks,
                )
            )
        )

    years = portfolio.years
    annual = []
    for year in years:
        key = "annual" if len(years) == 1 else f"annual-{year}"
        implementers = {f.implementer for f in portfolio if f.year == year}
        title = report.annual_title(year, implementers.pop() if len(implementers) == 1 else None)
        annual.append(
            done(
                render_report(
                    "annual",
                    key,
                    title,
                    str(annual_nb),
                    {"data_path": str(data), "year": year, "profile": profile_param},
                    str(out / f"{key}.html"),
                    kernel_name,
                    timeout,
                    keep_notebooks,
                )
            )
        )

    index = out / INDEX_NAME
    _publish(index, _index_html(evaluation, projects, annual, data, profile_param))
    return BuildResult(out, index, projects, annual, time.perf_counter() - started)


def _index_html(evaluation, projects: list[ReportOutcome], annual: list[ReportOutcome], data: Path, profile: str) -> str:
    import selfeval_kit as sk

    from . import report

    entries = []
    for result, outcome in zip(evaluation.forms, projects):
        findings = result.findings
        entries.append(
            {
                "id": result.form.id,
                "name": result.form.name,
                "href": outcome.path.name if outcome.ok and outcome.path else None,
                "error": outcome.error,
                "score_reported": report.points(result.score_reported),
                "score_recomputed": report.points(result.score_recomputed),
                "grade": result.grade or "—",
                "rate": report.pct(result.execution_rate),
                "findings": "／".join(str(sum(1 for f in findings if f.severity == s)) for s in report.SEVERITY_ORDER),
            }
        )
    annual_entries = [
        {"name": a.title, "href": a.path.name if a.ok and a.path else None, "error": a.error} for a in annual
    ]
    years = sorted({r.form.year for r in evaluation.forms})
    title = f"{'、'.join(str(y) for y in years)}年度项目支出绩效自评复核报告"
    summary = {
        "data": data.name,
        "profile": evaluation.profile.label,
        "built": sum(1 for r in [*projects, *annual] if r.ok),
        "failed": sum(1 for r in [*projects, *annual] if not r.ok),
        "version": sk.__version__,
    }
    return report.render_index(title, entries, annual_entries, summary)
