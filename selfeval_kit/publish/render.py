"""One report: a parameterised notebook executed (in-process, or by papermill in a kernel), exported as HTML,
written atomically.

`render_report` takes only plain, picklable values and returns a plain `ReportOutcome`, so that
a build worker runs it as well as the caller's own process. It never raises for a failing
notebook: the outcome says what failed, and the page already in place (if any) stays as it was.
Heavy libraries (papermill, nbformat, nbconvert) are imported when a report runs, not with this
module: the build's own process imports it to name the function its workers run.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from selfeval_kit.publish import kernel, snapshot
from selfeval_kit.publish.manifest import cannot_write, publish
from selfeval_kit.publish.results import ReportOutcome
from selfeval_kit.publish.snapshot import Snapshot

__all__ = ["RenderOptions", "ReportTask", "render_report"]


@dataclass(frozen=True)
class ReportTask:
    """One report to make.

    Parameters
    ----------
    kind : str
        ``"project"`` or ``"annual"``.
    key : str
        The form id, or ``"annual"`` / ``"annual-<year>"``.
    title : str
        The page's title.
    notebook : str
        The notebook's absolute path.
    parameters : dict
        papermill's parameters for it (``data_path``, ``form_id`` or ``year``, ``profile``).
    out_html : str
        The page to write (absolute path); with `RenderOptions.keep_notebook`, the executed
        notebook goes beside it (``.ipynb``).
    """

    kind: str
    key: str
    title: str
    notebook: str
    parameters: dict = field(default_factory=dict)
    out_html: str = ""


@dataclass(frozen=True)
class RenderOptions:
    """How a report runs.

    Parameters
    ----------
    kernel_name : str, default "python3"
        The Jupyter kernel spec.
    timeout : int, default 600
        Seconds one cell may run (papermill's execution timeout).
    start_timeout : int, default 60
        Seconds a kernel may take to start.
    keep_notebook : bool, default False
        Also write the executed notebook beside the page.
    warm : bool, default True
        With the kernel engine: run in this process's warm kernel (`kernel.kernel_for`); False:
        in a kernel of its own.
    engine : str, default "inprocess"
        ``"inprocess"``: run the notebook in this process (`selfeval_kit.publish.inprocess`; no
        kernel: `kernel_name` and `start_timeout` do not apply); ``"kernel"``: papermill and a
        Jupyter kernel.
    data_token : str, optional
        A digest of the form files at the tasks' data path that changes whenever they do (a
        build's fingerprint of its inputs). With the in-process engine, the files count as
        unchanged while it is the same, instead of being listed again for each report
        (`selfeval_kit.report.cache.vouched`).
    evaluation : Snapshot, optional
        With `data_token` and the in-process engine: the evaluation of the tasks' data path and
        profile, made by the caller from the files the token stands for
        (`selfeval_kit.publish.snapshot`); a process that has none reads it instead of
        evaluating the files.
    """

    kernel_name: str = "python3"
    timeout: int = 600
    start_timeout: int = 60
    keep_notebook: bool = False
    warm: bool = True
    engine: str = "inprocess"
    data_token: str | None = None
    evaluation: Snapshot | None = None


def render_report(task: ReportTask, options: RenderOptions = RenderOptions()) -> ReportOutcome:
    """Run one report's notebook and write its page; never raises for a failing notebook.

    Parameters
    ----------
    task : ReportTask
        The report.
    options : RenderOptions
        Kernel, timeouts, whether to keep the executed notebook.

    Returns
    -------
    ReportOutcome
        With the files written (`outputs`) and what the notebook printed on stderr (`warnings`);
        or, when the notebook failed, the error, and the earlier page left in place (`previous`).
    """
    start = time.perf_counter()
    out = Path(task.out_html)
    try:
        nb = _execute(task, options)
        from selfeval_kit.publish.exporter import export_html

        outputs = {out.name: _write(out, export_html(nb, task.title))}
        if options.keep_notebook:
            import nbformat

            ipynb = out.with_suffix(".ipynb")
            outputs[ipynb.name] = _write(ipynb, nbformat.writes(nb))
        seconds = time.perf_counter() - start
        return ReportOutcome(task.kind, task.key, task.title, out, None, seconds, _stderr_of(nb), outputs=outputs)
    except Exception as exc:  # noqa: BLE001 - one report's failure must not stop the build
        previous = out if out.is_file() else None  # kept: never replaced by a broken page
        return ReportOutcome(
            task.kind, task.key, task.title, None, _error_text(exc), time.perf_counter() - start, previous=previous
        )


class _WriteFailed(Exception):
    """A report's file could not be written; the message names the file and the reason."""


def _write(path: Path, text: str) -> dict:
    """`publish`, its failure naming the file meant (never its temporary file) and the reason."""
    try:
        return publish(path, text)
    except OSError as exc:
        raise _WriteFailed(cannot_write(path, exc)) from exc


def _execute(task: ReportTask, options: RenderOptions) -> Any:
    """The executed notebook: in this process, or run by papermill in the warm kernel or a kernel of its own."""
    if options.engine == "inprocess":
        from selfeval_kit.publish import inprocess
        from selfeval_kit.report.cache import vouched

        data_path = task.parameters.get("data_path")
        with vouched(data_path, options.data_token):
            if options.evaluation is not None and data_path is not None and options.data_token is not None:
                snapshot.install(options.evaluation, data_path, task.parameters.get("profile", "national"))
            return inprocess.execute(task.notebook, task.parameters, timeout=options.timeout)
    import papermill  # before the engine module: papermill loads it, through its entry point
    from papermill.exceptions import PapermillExecutionError

    from selfeval_kit.publish.engine import ENGINE_NAME, ensure_registered

    cwd = str(Path(task.notebook).parent)
    common: dict[str, Any] = dict(
        parameters=task.parameters,
        kernel_name=options.kernel_name,
        progress_bar=False,
        log_output=False,
        request_save_on_cell_execute=False,
        execution_timeout=options.timeout,
        start_timeout=options.start_timeout,
    )
    if not options.warm:
        return papermill.execute_notebook(
            task.notebook, None, cwd=cwd, extra_arguments=list(kernel.KERNEL_ARGS), **common
        )
    ensure_registered()
    warm = kernel.kernel_for(options.kernel_name, options.start_timeout, cwd)
    try:
        kernel.reset(warm, cwd, timeout=max(options.timeout, 60))
        nb = papermill.execute_notebook(task.notebook, None, engine_name=ENGINE_NAME, warm_kernel=warm, **common)
    except PapermillExecutionError:
        raise  # an error in the notebook's code: the kernel is fine
    except BaseException:
        kernel.discard_kernel()  # timed out, died, or interrupted: never reuse it
        raise
    warm.reports += 1
    return nb


def _stderr_of(nb: Any) -> list[str]:
    texts = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and output.get("name") == "stderr":
                texts.append(output.get("text", "").strip())
    return [t for t in texts if t]


def _error_text(exc: BaseException) -> str:
    if isinstance(exc, _WriteFailed):
        return str(exc)
    ename = getattr(exc, "ename", None)
    if ename:  # papermill.PapermillExecutionError: the error raised inside the notebook
        evalue = getattr(exc, "evalue", "")
        count = getattr(exc, "exec_count", None)
        where = f"（第 {count} 个代码单元）" if count else ""
        return f"{ename}: {evalue}{where}"
    return f"{type(exc).__name__}: {exc}"
