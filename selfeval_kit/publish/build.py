"""Build the published reports: run the notebooks with papermill, publish self-contained HTML.

    from selfeval_kit.publish.build import build
    result = build("data/2022", "reports/2022")      # every project, the annual report, index.html
    result.ok, result.failed, result.executed

Each report is one papermill run of a parameterised notebook (``publish/notebooks/project_report.ipynb``
per form, ``publish/notebooks/annual_report.ipynb`` per year), exported to HTML in the worker
(`exporter`). A report that fails does not stop the others: it is listed in index.html with its
error, its earlier page stays in place, and `BuildResult.ok` is False.

* Parallel: the reports run in `jobs` worker processes (`selfeval_kit.pool`), the annual reports
  first (they take longest). The workers start, each with its engine ready (`kernel`), while this
  process loads the forms, evaluates them and works out what is out of date. The workers take the
  form files as this process fingerprinted them (`report.cache.vouched`): they are not listed again
  for every report; and they read this process's evaluation (`snapshot`) instead of evaluating the
  forms again.
* Incremental: the manifest (`manifest`) records what each page was made from (`digest`): the
  form (its content and its evaluation) or, for an annual report, every form; the notebook; the
  profile; the package; the kernel. A report whose inputs and page are unchanged is not run
  again (``force=True`` runs everything). When nothing at all changed, the build stops after
  hashing the input files, before importing anything heavy.
* Atomic: every file is written to a temporary file and renamed into place; the manifest does
  not record a failed report's inputs as built; a build that is killed leaves every page either
  as it was or complete, and a manifest of the reports finished by its last write (every second,
  or fifty times as long as that write took when the manifest is large: `_Pace`). A lock file
  (`filelock`) keeps two builds out of one folder.
* Bounded: each report has a time limit in its worker (`BuildOptions.report_timeout`); a worker
  past it (stuck, or stopped) is killed and the report runs again once on a fresh worker, then
  fails. A page that cannot be written (a full disk, a read-only folder) fails its report only,
  naming the page; the others are still attempted. When index.html or the manifest cannot be
  written, `BuildFailed` names them, after every report was attempted.
* On a cluster (``scheduler``): the same reports run on a Dask cluster's workers (`selfeval_kit.pool`),
  each worker process preparing its engine when the build connects (`kernel.start_worker`);
  the workers write the pages into the shared output folder (atomically, as locally), this process
  keeps the lock, the manifest, index.html and the outcome.
* Safe names: a form whose page would take one of the build's own names (`manifest.RESERVED_NAMES`:
  index.html, annual.html, …) is refused before anything runs, whatever validated the forms.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

from selfeval_kit.errors import BuildError
from selfeval_kit.pool import Done, Pool, PoolOptions, TaskTimeout, WorkerDied
from selfeval_kit.publish import digest, manifest, snapshot
from selfeval_kit.publish.kernel import KernelConfig, notebook_imports, start_worker
from selfeval_kit.publish.manifest import INDEX_NAME, LOCK_NAME, MANIFEST_NAME, RESERVED_NAMES, cannot_write
from selfeval_kit.publish.render import RenderOptions, ReportTask, render_report
from selfeval_kit.publish.results import BuildFailed, BuildResult, ReportOutcome

__all__ = [
    "ANNUAL_NOTEBOOK",
    "NOTEBOOKS_DIR",
    "PROJECT_NOTEBOOK",
    "BuildFailed",
    "BuildOptions",
    "BuildResult",
    "ReportOutcome",
    "build",
]

log = logging.getLogger("selfeval_kit.publish")

NOTEBOOKS_DIR = Path(__file__).resolve().parent / "notebooks"
PROJECT_NOTEBOOK = "project_report.ipynb"
ANNUAL_NOTEBOOK = "annual_report.ipynb"
# While reports finish, the manifest is written again (a killed build keeps what it finished) at
# most every _MANIFEST_EVERY seconds, and never sooner than _MANIFEST_RATIO times its last write
# took: it grows with every report (≈ 0.5 KB each), and rewriting it every second would cost the
# build's process a quarter of a core at 20,000 reports (0.25 s a write), and all of it beyond.
_MANIFEST_EVERY = 1.0
_MANIFEST_RATIO = 50.0
# A report's default limit in its worker: one cell at its own limit (`timeout`), a kernel started
# again (`start_timeout`), and this for the rest (the kernel's reset, the export, the writes).
_REPORT_SLACK = 60.0
# A worker's start before its first report: its kernel (`start_timeout`), the kernel's imports
# (at least 60 s allowed, as `kernel.kernel_for` allows) and this for papermill and nbconvert.
_WORKER_START_SLACK = 60.0


@dataclass(frozen=True)
class BuildOptions:
    """How a build runs.

    Parameters
    ----------
    project_notebook, annual_notebook : Path
        The notebooks to run (absolute paths; default: the package's).
    kernel_name : str, default "python3"
        The Jupyter kernel spec the notebooks run in.
    timeout : int, default 600
        Seconds one notebook cell may run before its report fails.
    start_timeout : int, default 60
        Seconds a kernel may take to start.
    report_timeout : float, optional
        Seconds one report may take in its worker, counted from when the worker starts it; a
        worker past it is killed (it is stuck, or stopped) and the report runs again once on a
        fresh worker, then fails. None: ``timeout + start_timeout + 60``, so that a cell's own
        timeout fires first.
    jobs : int, default 1
        Worker processes running the reports.
    force : bool, default False
        Run every report, not only those whose inputs changed since the last build into the folder.
    keep_notebooks : bool, default False
        Also keep each executed notebook (``<key>.ipynb``) beside its page.
    warm : bool, default True
        Reuse one kernel per worker from report to report; False: a kernel for each report.
    dry_run : bool, default False
        Run and write nothing; the result's `executed` are the reports a build would run.
    progress : callable, optional
        Called with each report's `ReportOutcome` as it completes.
    progress_bar : bool or None, default False
        A tqdm bar on stderr; None: only when stderr is a terminal.
    signature : dict, optional
        The reviewer's block of the 复核意见 sections: any of ``reviewer``, ``reviewer_unit`` and
        ``review_date`` (ISO date), passed to every notebook; empty: lines left to sign.
    scheduler : str, optional
        A Dask scheduler's address (``tcp://host:8786``): the reports run on its workers, each
        worker process with its own engine, writing the pages into `out_dir`, which they
        must see (a shared folder), as they must see the data and the notebooks; `jobs` and
        `report_timeout` then do not apply. None: local worker processes.
    engine : str, default "inprocess"
        How a notebook runs: ``"inprocess"`` in the worker itself (`selfeval_kit.publish.inprocess`:
        no kernel to start, no message per cell; the same pages), ``"kernel"`` by papermill in a
        Jupyter kernel (`kernel_name`, `warm`, `timeout`, `start_timeout`), e.g. for another kernel.
    """

    project_notebook: Path = NOTEBOOKS_DIR / PROJECT_NOTEBOOK
    annual_notebook: Path = NOTEBOOKS_DIR / ANNUAL_NOTEBOOK
    kernel_name: str = "python3"
    timeout: int = 600
    start_timeout: int = 60
    report_timeout: float | None = None
    jobs: int = 1
    force: bool = False
    keep_notebooks: bool = False
    warm: bool = True
    dry_run: bool = False
    progress: Callable[[ReportOutcome], None] | None = None
    progress_bar: bool | None = False
    signature: dict[str, str] = field(default_factory=dict)
    scheduler: str | None = None
    engine: str = "inprocess"

    def render(self) -> RenderOptions:
        """What each report needs of these options."""
        return RenderOptions(
            kernel_name=self.kernel_name,
            timeout=self.timeout,
            start_timeout=self.start_timeout,
            keep_notebook=self.keep_notebooks,
            warm=self.warm,
            engine=self.engine,
        )

    def pool(self, jobs: int, config: KernelConfig) -> PoolOptions:
        """The workers' options: `jobs` of them, each with its kernel, and the reports' time limits."""
        limit = self.report_timeout
        if limit is None:
            limit = self.timeout + self.start_timeout + _REPORT_SLACK
        return PoolOptions(
            jobs=jobs,
            initializer=start_worker,
            initargs=(config,),
            timeout=limit,
            start_timeout=self.start_timeout + max(self.start_timeout, 60) + _WORKER_START_SLACK,
            retries=1,
            scheduler=self.scheduler,
        )


def build(
    data_path: str | Path,
    out_dir: str | Path,
    profile: str | Path = "national",
    *,
    project_notebook: str | Path | None = None,
    annual_notebook: str | Path | None = None,
    kernel_name: str = "python3",
    timeout: int = 600,
    start_timeout: int = 60,
    report_timeout: float | None = None,
    jobs: int | None = None,
    force: bool = False,
    keep_notebooks: bool = False,
    progress: Callable[[ReportOutcome], None] | None = None,
    progress_bar: bool | None = False,
    warm: bool = True,
    dry_run: bool = False,
    signature: dict[str, str] | None = None,
    scheduler: str | None = None,
    engine: str = "inprocess",
) -> BuildResult:
    """Build every project report, the annual report(s) and index.html into `out_dir`.

    Parameters
    ----------
    data_path : str or Path
        A folder of form files, or one form file.
    out_dir : str or Path
        The folder to build into (created if needed).
    profile : str or Path, default "national"
        A built-in rules profile name, or a profile file.
    project_notebook, annual_notebook, kernel_name, timeout, start_timeout, report_timeout, jobs
        As the fields of `BuildOptions`, which the build makes once of its arguments; a notebook
        None: the package's; ``jobs=None``: the number of cores.
    force, keep_notebooks, progress, progress_bar, warm, dry_run, signature, scheduler, engine
        As the fields of `BuildOptions`.

    Returns
    -------
    BuildResult
        Every report's outcome; a failed report is recorded there, not raised.

    Raises
    ------
    DataError
        When the forms are invalid (every problem listed), before anything runs.
    ProfileError
        For an unknown or invalid profile.
    BuildError
        When a notebook is missing, another build is writing into `out_dir`, the folder cannot
        be made or locked, or a form's page would take a name of the build's own files.
    ClusterError
        When `scheduler` is given but dask[distributed] is not installed or it cannot be reached.
    BuildFailed
        A `BuildError`, once every report was attempted, when index.html or the manifest could
        not be written: it names them and sums the reports up; its `result` is the build's.
    """
    started = time.perf_counter()
    options = BuildOptions(
        project_notebook=Path(project_notebook or NOTEBOOKS_DIR / PROJECT_NOTEBOOK).resolve(),
        annual_notebook=Path(annual_notebook or NOTEBOOKS_DIR / ANNUAL_NOTEBOOK).resolve(),
        kernel_name=kernel_name,
        timeout=timeout,
        start_timeout=start_timeout,
        report_timeout=report_timeout,
        jobs=max(1, jobs or _default_jobs()),
        force=force,
        keep_notebooks=keep_notebooks,
        warm=warm,
        dry_run=dry_run,
        progress=progress,
        progress_bar=progress_bar,
        signature=dict(signature or {}),
        scheduler=scheduler or None,
        engine=engine,
    )
    data = Path(data_path).expanduser().resolve()
    out = Path(out_dir).expanduser().resolve()
    return _Build(data, out, digest.profile_parameter(profile), options, started).run()


def _default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


@contextmanager
def _locked(out: Path) -> Iterator[None]:
    """An exclusive lock on the output folder: two builds must not write one manifest."""
    import filelock  # here: importing it delays the workers' start, which waits for this module

    lock = filelock.FileLock(out / LOCK_NAME, timeout=0)
    try:
        lock.acquire()
    except filelock.Timeout:
        raise BuildError(f"another build is writing {out} (lock: {lock.lock_file}); wait for it to finish") from None
    except OSError as exc:  # a read-only folder: say so, before any report runs
        raise BuildError(f"{cannot_write(out / LOCK_NAME, exc)} (the build's lock; is {out} writable?)") from None
    try:
        yield
    finally:
        lock.release()


@dataclass(frozen=True)
class _Plan:
    """One report of the build: its page's name, the digest of its inputs, what to run."""

    name: str
    digest: str
    task: ReportTask


class _Build:
    """One build: its inputs, its manifest, its outcomes."""

    def __init__(self, data: Path, out: Path, profile: str, options: BuildOptions, started: float):
        for nb in (options.project_notebook, options.annual_notebook):
            if not nb.is_file():
                raise BuildError(f"notebook not found: {nb}")
        self.data, self.out, self.profile, self.options, self.started = data, out, profile, options, started
        self.setup = digest.Setup(
            digest.package_digest(),
            digest.file_sha(options.project_notebook),
            digest.file_sha(options.annual_notebook),
            digest.profile_digest(profile),
            options.kernel_name,
            tuple(sorted(options.signature.items())),
        )
        self.outcomes: dict[str, ReportOutcome] = {}
        self.record: dict[str, Any] = {}  # the manifest being written

    def run(self) -> BuildResult:
        """The build (see the module's docstring)."""
        old = manifest.read_manifest(self.out)
        fingerprint = digest.fingerprint(self.setup, self.data, self.options.keep_notebooks)
        if not self.options.force:  # the no-op check: before importing pydantic, pandas, papermill, nbconvert
            done = manifest.up_to_date(self.out, old, fingerprint, self.options.keep_notebooks)
            if done is not None:
                done.seconds = time.perf_counter() - self.started
                return done
        files = digest.data_files(self.data) or []
        pool = self._start_pool(len(files) + 1) if files and not self.options.dry_run else None
        try:
            evaluation, plans = self._evaluate()
            if self.options.dry_run:
                return self._dry_run(plans, old)
            _make_folder(self.out)
            with _locked(self.out):
                manifest.remove_stale_temporaries(self.out)
                old = manifest.read_manifest(self.out)  # again, under the lock
                return self._build(evaluation, plans, old, fingerprint, pool)
        finally:
            if pool is not None:
                pool.close(kill=True)  # those not used (nothing to run, invalid data); else closed already

    def _start_pool(self, reports: int) -> Pool:
        """The workers, started now: they import what the reports need (and start their kernels) while
        this process loads and plans."""
        config = KernelConfig(
            self.options.kernel_name,
            self.options.start_timeout,
            str(self.options.project_notebook.parent),
            self.options.warm,
            notebook_imports(self.options.project_notebook, self.options.annual_notebook),
            self.options.engine,
        )
        return Pool(self.options.pool(min(self.options.jobs, reports), config))

    def _evaluate(self) -> tuple[Any, list[_Plan]]:
        from selfeval_kit.form.loading import load
        from selfeval_kit.rules.evaluation import evaluate

        portfolio = load(self.data)  # DataError lists every problem
        evaluation = evaluate(portfolio, profile=self.profile)  # ProfileError for an unknown profile
        return evaluation, self._plan(portfolio, evaluation)

    def _plan(self, portfolio: Any, evaluation: Any) -> list[_Plan]:
        """Every report of the build, the projects in the data's order, then the annual reports."""
        from selfeval_kit.views.formatting import annual_title, project_title

        profile_dump = evaluation.profile.model_dump(mode="json")
        findings: dict[str | None, list] = {}
        for finding in evaluation.findings:
            findings.setdefault(finding.form_id, []).append(finding.to_dict())
        years = portfolio.years
        annual_keys = ["annual" if len(years) == 1 else f"annual-{year}" for year in years]
        plans = []
        for result, summary in zip(evaluation.forms, evaluation.to_dict()["forms"], strict=True):
            form = result.form
            self._refuse_reserved(form.id, portfolio.sources.get(form.id), annual_keys)
            inputs = {"profile_settings": profile_dump, "form": form.model_dump(mode="json"), "result": summary}
            inputs["findings"] = findings.get(form.id, [])
            parameters = {"data_path": str(self.data), "form_id": form.id, "profile": self.profile}
            parameters.update(self.options.signature)
            plans.append(self._report("project", form.id, project_title(form), inputs, parameters))
        all_forms = [f.model_dump(mode="json") for f in portfolio]
        for year, key in zip(years, annual_keys, strict=True):
            implementers = {f.implementer for f in portfolio if f.year == year}
            title = annual_title(year, implementers.pop() if len(implementers) == 1 else None)
            inputs = {"profile_settings": profile_dump, "year": year, "forms": all_forms}
            parameters = {"data_path": str(self.data), "year": year, "profile": self.profile}
            parameters.update(self.options.signature)
            plans.append(self._report("annual", key, title, inputs, parameters))
        return plans

    def _refuse_reserved(self, form_id: str, source: Path | None, annual_keys: list[str]) -> None:
        """A form whose page would take the name of one of the build's own files is refused."""
        own = {key.lower() for key in annual_keys} | {Path(name).stem.lower() for name in manifest.BUILD_FILES}
        if manifest.reserved_name(form_id) or form_id.lower() in own:
            raise BuildError(
                f"{source or self.data}: id: {form_id!r} cannot be built: its report would be {form_id}.html,"
                f" a name the build keeps for its own files ({', '.join(RESERVED_NAMES)}, in any case);"
                " expected another id"
            )

    def _report(self, kind: str, key: str, title: str, inputs: dict, parameters: dict) -> _Plan:
        name = f"{key}.html"
        notebook = self.options.project_notebook if kind == "project" else self.options.annual_notebook
        task = ReportTask(kind, key, title, str(notebook), parameters, str(self.out / name))
        return _Plan(name, digest.json_sha({**self.setup.common(kind), **inputs}), task)

    def _is_current(self, plan: _Plan, old_reports: dict) -> bool:
        entry = old_reports.get(plan.name)
        return not self.options.force and manifest.current(
            self.out, plan.name, entry, plan.digest, self.options.keep_notebooks
        )

    def _dry_run(self, plans: list[_Plan], old: dict) -> BuildResult:
        old_reports = old.get("reports") or {}
        projects: list[ReportOutcome] = []
        annual: list[ReportOutcome] = []
        for plan in plans:
            t = plan.task
            outcome = ReportOutcome(
                t.kind, t.key, t.title, self.out / plan.name, skipped=self._is_current(plan, old_reports)
            )
            (projects if t.kind == "project" else annual).append(outcome)
        return BuildResult(
            self.out, self.out / INDEX_NAME, projects, annual, time.perf_counter() - self.started, dry_run=True
        )

    def _build(
        self, evaluation: Any, plans: list[_Plan], old: dict, fingerprint: str | None, pool: Pool | None
    ) -> BuildResult:
        old_reports: dict = dict(old.get("reports") or {})
        self.record = {
            "format": digest.MANIFEST_FORMAT,
            "fingerprint": None,  # set once the whole build succeeded
            "data": str(self.data),
            "order": [p.task.key for p in plans],
            "reports": {},
            "failed": {},
            "index": old.get("index"),
        }
        todo = []
        for plan in plans:
            entry: dict | None = old_reports.get(plan.name)
            if entry is not None and self._is_current(plan, old_reports):
                self.record["reports"][plan.name] = entry
                t = plan.task
                self.outcomes[plan.name] = ReportOutcome(
                    t.kind, t.key, t.title, self.out / plan.name, skipped=True, outputs=entry["outputs"]
                )
            else:
                if entry:
                    self.record["reports"][plan.name] = entry  # the page now on disk, until it is replaced
                todo.append(plan)
        self._remove_pages_of_removed_forms(old_reports, {p.name for p in plans})
        try:
            self._run(todo, pool, fingerprint, evaluation)
        except BaseException:  # interrupted: keep what was finished, so the next build need not redo it
            self._save_manifest(self.record)
            raise
        return self._finish(evaluation, plans, old, fingerprint)

    def _remove_pages_of_removed_forms(self, old_reports: dict, planned: set[str]) -> None:
        for name, entry in old_reports.items():
            if name not in planned:
                for file, record in (entry.get("outputs") or {}).items():
                    if manifest.intact(self.out, file, record):
                        try:
                            (self.out / file).unlink(missing_ok=True)
                        except OSError as exc:  # a read-only folder: the page stays, the build goes on
                            log.warning("could not remove %s (its form is gone): %s", self.out / file, exc)

    def _run(self, todo: list[_Plan], pool: Pool | None, fingerprint: str | None, evaluation: Any) -> None:
        """Run the reports out of date, the annual ones first; record each outcome as it comes.

        The workers take the form files as unchanged while the build's `fingerprint` of its inputs
        stands for them (`RenderOptions.data_token`), rather than listing them for every report, and
        read the build's `evaluation` of them rather than evaluating them again (in-process engine:
        `RenderOptions.evaluation`, removed when the reports are done).
        """
        if not todo:
            return
        todo.sort(key=lambda plan: plan.task.kind != "annual")  # the longest first; sort is stable
        if pool is None:  # pragma: no cover - a pool is started whenever there are data files
            pool = self._start_pool(len(todo))
        shared = None
        bar = _progress_bar(len(todo), self.options.progress_bar)
        pace = _Pace()
        try:
            if fingerprint is not None and self.options.engine == "inprocess":
                shared = snapshot.write(evaluation, self.out)
            options = replace(self.options.render(), data_token=fingerprint, evaluation=shared)
            for done in pool.map(partial(render_report, options=options), [p.task for p in todo]):
                self._record(todo[done.index], _outcome(todo[done.index].task, done))
                if bar is not None:
                    bar.update(1)
                if pace.due(time.monotonic()):  # a killed build keeps what it finished
                    began = time.monotonic()
                    self._save_manifest({**self.record, "reports": {**self.record["reports"]}})
                    pace.wrote(began, time.monotonic())
            pool.close()  # the workers stop their kernels and exit
        finally:
            if shared is not None:
                snapshot.remove(shared)
            if bar is not None:
                bar.close()

    def _record(self, plan: _Plan, outcome: ReportOutcome) -> None:
        self.outcomes[plan.name] = outcome
        if outcome.ok:
            self.record["reports"][plan.name] = {
                "kind": outcome.kind,
                "id": outcome.key,
                "title": outcome.title,
                "digest": plan.digest,
                "outputs": outcome.outputs,
                "seconds": round(outcome.seconds, 3),
                "built": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            }
            self.record["failed"].pop(plan.name, None)
        else:
            self.record["failed"][plan.name] = {"digest": plan.digest, "error": outcome.error}
        if self.options.progress:
            self.options.progress(outcome)

    def _finish(self, evaluation: Any, plans: list[_Plan], old: dict, fingerprint: str | None) -> BuildResult:
        from selfeval_kit.publish.index import index_html, write_index

        projects = [self.outcomes[p.name] for p in plans if p.task.kind == "project"]
        annual = [self.outcomes[p.name] for p in plans if p.task.kind == "annual"]
        for plan in plans:
            outcome = self.outcomes[plan.name]
            if not outcome.ok:
                entry = self.record["reports"].get(plan.name)
                kept = entry and manifest.intact(self.out, plan.name, entry["outputs"].get(plan.name))
                outcome.previous = self.out / plan.name if kept else None
        html = index_html(evaluation, projects, annual, self.data, self.record["reports"])
        problems = []
        try:
            self.record["index"] = write_index(self.out, html, old.get("index"))
        except OSError as exc:  # the index on disk (if any) is the earlier one, as its entry says
            problems.append(cannot_write(self.out / INDEX_NAME, exc))
        if not self.record["failed"] and not problems:
            self.record["fingerprint"] = fingerprint
        problem = self._save_manifest(self.record)
        if problem:
            problems.append(problem)
        seconds = time.perf_counter() - self.started
        result = BuildResult(
            self.out, self.out / INDEX_NAME, projects, annual, seconds, manifest=self.out / MANIFEST_NAME
        )
        if problems:
            raise BuildFailed(result, problems)
        return result

    def _save_manifest(self, record: dict) -> str | None:
        """Write the manifest; why it could not be written (its name and the reason), or None."""
        try:
            manifest.write_manifest(self.out, record)
        except OSError as exc:  # the next write, or the build's end, tries again
            log.debug("could not write the manifest: %s", exc)
            return cannot_write(self.out / MANIFEST_NAME, exc)
        return None


@dataclass
class _Pace:
    """When the manifest is next written while reports finish: `every` seconds after the reports
    began (`start`) or the last write ended, or `ratio` times as long as that write took after it,
    whichever is later (times of `time.monotonic`)."""

    every: float = _MANIFEST_EVERY
    ratio: float = _MANIFEST_RATIO
    start: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        self.next_at = self.start + self.every

    def due(self, now: float) -> bool:
        """Whether a write is due at `now`."""
        return now >= self.next_at

    def wrote(self, began: float, ended: float) -> None:
        """A write ran from `began` to `ended`."""
        self.next_at = ended + max(self.every, self.ratio * (ended - began))


def _outcome(task: ReportTask, done: Done) -> ReportOutcome:
    """A report's outcome from its finished task: what `render_report` returned, or why it did not return."""
    if done.ok:
        return done.value
    if isinstance(done.error, WorkerDied):
        error = "the worker process running this report died before it finished (killed, or out of memory?)"
    elif isinstance(done.error, TaskTimeout):
        error = _timeout_text(done.error)
    else:
        error = f"{type(done.error).__name__}: {done.error}"
    log.debug("report %s failed: %s", task.key, error)
    return ReportOutcome(task.kind, task.key, task.title, None, error)


def _timeout_text(error: TaskTimeout) -> str:
    tries = "once" if error.tries == 1 else f"in each of {error.tries} tries, on a fresh worker each time"
    if error.started:
        what = f"the report took longer than {error.limit:g} s {tries}"
        return f"{what} (its worker stuck or stopped?); the worker was killed"
    what = f"no worker started the report within {error.limit:g} s {tries}"
    return f"{what} (a worker stuck or stopped?); the workers were killed"


def _make_folder(out: Path) -> None:
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise BuildError(f"{out}: cannot create the output folder: {reason}") from None


def _progress_bar(total: int, enabled: bool | None) -> Any:
    """A tqdm bar on stderr (None: only when stderr is a terminal), or None."""
    if enabled is False or (enabled is None and not (hasattr(sys.stderr, "isatty") and sys.stderr.isatty())):
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="reports", unit="report", file=sys.stderr, leave=False, dynamic_ncols=True)
