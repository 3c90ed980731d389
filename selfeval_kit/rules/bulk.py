"""Checking a large portfolio in worker processes (`selfeval check --jobs N`).

The input is cut into small tasks, runs of 100 files, each large JSON file (1 MiB or more)
in 8 shares a worker and each row group of a Parquet file, handed to the workers of
`selfeval_kit.pool` as they finish the last, so that a worker slowed down by a neighbour on a
shared machine simply takes fewer. A task reads its files (`form.reading.read_forms`; each worker
reads the large JSON files once, when it starts, and keeps their forms for the shares; a Parquet
task reads only its row group, so that no worker holds a whole Parquet portfolio), scores and
audits its forms, and sends back only what the output needs: each
form's `scoring.form_dict`, its findings as dicts and its `audit.PortfolioFacts` (a whole
FormResult costs about as much to pickle as to compute). The parent writes each task's results
to disk as they arrive (`spill.Spill`: a private temporary folder), so that its memory does not
grow with the portfolio; it then merges the tasks' ids to find an id used twice, and their facts,
in the order `loading.load` gives, into the portfolio checks (`audit.PortfolioAudit`). The
`BulkResult` streams the forms and findings from those files in that order, equal to
``evaluate(load(path), profile).to_dict()`` (`BulkResult.data` gives that dict itself).

When anything is wrong with the input (a problem in a file, an id used twice, ids that differ
only in case), the parent calls `loading.load` itself, so that problems are reported exactly as
`load` reports them; so it does, with a RuntimeWarning, when a worker fails.

Every task has a time limit (`CheckOptions.timeout`, counted from when a worker starts it, and
`CheckOptions.start_timeout` for a worker to start it): a worker that is stuck or stopped is
killed and its task runs again on a fresh worker; a task late again fails the check with a
`DataError` naming each of its files (the parent does not check them itself: it has no limit).

With ``scheduler`` (`selfeval check --scheduler tcp://host:8786`) the same tasks run on a Dask
cluster's workers instead (`selfeval_kit.pool`, `selfeval_kit.cluster`), with the same result; the
time limits do not apply there.
"""

from __future__ import annotations

import os
import warnings
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from selfeval_kit.errors import DataError, Problem
from selfeval_kit.form.sources import form_files
from selfeval_kit.pool import Pool, PoolOptions, TaskTimeout
from selfeval_kit.rules.spill import Spill

if TYPE_CHECKING:
    from selfeval_kit.form.model import Form
    from selfeval_kit.rules.profile import Profile

__all__ = [
    "AUTO_MIN_BYTES",
    "AUTO_MIN_FILES",
    "START_TIMEOUT",
    "TASK_TIMEOUT",
    "BulkResult",
    "CheckOptions",
    "auto_jobs",
    "check",
]

# Below these, starting workers (≈ 0.5 s each: they import pydantic) costs more than it saves.
AUTO_MIN_FILES = 2000
AUTO_MIN_BYTES = 10 * 1024 * 1024  # ≈ 2,000 forms of the export format
_FILES_PER_TASK = 100  # YAML files a task: about 0.1 s of work
_SHARES_PER_JOB = 8  # shares of a large JSON file a worker
_SHARE_BYTES = 1024 * 1024  # a JSON file this large is shared out; a smaller one is read whole by one task
# A task takes about 0.1 s; a minute means a worker is stuck or stopped, even on a crowded machine.
TASK_TIMEOUT = 60.0
# A worker's start-up (imports, reading the large JSON files) comes before its first task.
START_TIMEOUT = 60.0


@dataclass(frozen=True)
class CheckOptions:
    """The time limits of a parallel check (``jobs`` > 1; a serial check has none).

    Parameters
    ----------
    timeout : float, default `TASK_TIMEOUT`
        Seconds one task (a run of files, or a share of a large JSON file) may take in a worker.
    start_timeout : float, default `START_TIMEOUT`
        Seconds a task may wait for a worker to start it, the worker's own start-up included.
    retries : int, default 1
        Times a task that timed out runs again on a fresh worker before the check fails.
    """

    timeout: float = TASK_TIMEOUT
    start_timeout: float = START_TIMEOUT
    retries: int = 1


class _Source(Protocol):
    def stream(self, kind: str) -> Iterator[Any]: ...

    def close(self) -> None: ...


class _Memory:
    """A result's forms and each form's findings held in memory (the serial path, `BulkResult.data`)."""

    def __init__(self, forms: list[dict], findings: list[list[dict]]) -> None:
        self._kinds: dict[str, list[Any]] = {"forms": forms, "findings": findings}

    def stream(self, kind: str) -> Iterator[Any]:
        return iter(self._kinds[kind])

    def close(self) -> None:
        pass


class BulkResult:
    """What `selfeval check` prints, read as a stream: each pass reads the forms again from disk.

    Parameters
    ----------
    profile : str
        The rules profile's name.
    source : Spill or in-memory lists
        Where the forms (``stream("forms")``) and each form's findings (``stream("findings")``)
        are read from, in load order.
    portfolio : list of dict
        The portfolio findings.
    forms : int
        How many forms there are.
    counts : mapping
        How many findings there are by severity, the portfolio's included.

    Attributes
    ----------
    profile : str
    portfolio : list of dict
    form_count : int
    counts : collections.Counter
        As given.

    Notes
    -----
    Use it as a context manager (or call `close`) to remove its temporary files at once; they are
    removed at garbage collection anyway. `data` and `findings` hold everything in memory.
    """

    def __init__(
        self, profile: str, source: _Source, portfolio: list[dict], forms: int, counts: Mapping[str, int]
    ) -> None:
        self.profile = profile
        self.portfolio = portfolio
        self.form_count = forms
        self.counts: Counter[str] = Counter(counts)
        self._source = source
        self._data: dict | None = None

    def __enter__(self) -> BulkResult:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Let go of the temporary files (the streams cannot be read after it, `data` if taken before can)."""
        self._source.close()

    @property
    def finding_count(self) -> int:
        """How many findings there are, the portfolio's included."""
        return sum(self.counts.values())

    def fails(self, strict: bool = False) -> bool:
        """Whether there is an error finding (with `strict`: any finding), as `selfeval check` exits 1."""
        return self.finding_count > 0 if strict else self.counts["error"] > 0

    def iter_forms(self) -> Iterator[dict]:
        """Each form's dict (``scoring.form_dict``), in load order."""
        return self._source.stream("forms")

    def iter_groups(self) -> Iterator[tuple[dict, list[dict]]]:
        """Each form's dict with its findings, in load order (the portfolio findings are `portfolio`)."""
        return zip(self._source.stream("forms"), self._source.stream("findings"), strict=True)

    def iter_findings(self) -> Iterator[dict]:
        """Every finding, as dicts: each form's in form order, then the portfolio's."""
        for found in self._source.stream("findings"):
            yield from found
        yield from self.portfolio

    def iter_json(self) -> Iterator[str]:
        """The text of ``pydantic_core.to_json(self.data, indent=2)``, in pieces, one form or finding each."""
        from pydantic_core import to_json

        yield '{\n  "profile": ' + to_json(self.profile).decode("utf-8") + ',\n  "forms": '
        yield from _json_list(self.iter_forms(), to_json)
        yield ',\n  "findings": '
        yield from _json_list(self.iter_findings(), to_json)
        yield "\n}"

    @property
    def data(self) -> dict:
        """``{"profile", "forms", "findings"}``, as ``Evaluation.to_dict()`` gives them.

        The whole result in memory (it grows with the portfolio: for small ones and tests; the
        command streams instead). The temporary files are then removed; the streams read the
        lists kept here.
        """
        if self._data is None:
            forms = list(self._source.stream("forms"))
            per_form = list(self._source.stream("findings"))
            self._source.close()
            self._source = _Memory(forms, per_form)
            findings = [f for found in per_form for f in found] + self.portfolio
            self._data = {"profile": self.profile, "forms": forms, "findings": findings}
        return self._data

    @property
    def findings(self) -> list[dict]:
        """Every finding, as dicts: each form's in form order, then the portfolio's (in memory, as `data`)."""
        return self.data["findings"]


def _json_list(items: Iterator[dict], to_json: Any) -> Iterator[str]:
    """A list at depth 1 of the top object, as ``to_json(..., indent=2)`` lays it out, an item at a time."""
    empty = True
    for item in items:
        text = to_json(item, indent=2).decode("utf-8").replace("\n", "\n    ")  # JSON strings hold no raw line feed
        yield ("[\n    " if empty else ",\n    ") + text
        empty = False
    yield "[]" if empty else "\n  ]"


def auto_jobs(path: str | Path) -> int:
    """The worker count `check` uses for ``jobs=0``.

    Parameters
    ----------
    path : str or Path
        A form file or folder.

    Returns
    -------
    int
        The number of cores for a large input (at least `AUTO_MIN_FILES` forms, counting a file
        as one and a Parquet file as its rows, or `AUTO_MIN_BYTES` bytes of forms), else 1.
    """
    cores = os.cpu_count() or 1
    if cores < 2:
        return 1
    try:
        files = form_files(path)
    except Exception:  # noqa: BLE001 - `load` reports it, in this process
        return 1
    if _forms_counted(files) >= AUTO_MIN_FILES:
        return cores
    size = 0
    for file in files:
        try:
            size += file.stat().st_size
        except OSError:
            return 1
    return cores if size >= AUTO_MIN_BYTES else 1


def check(
    path: str | Path,
    profile: str | Path = "national",
    jobs: int = 0,
    options: CheckOptions | None = None,
    scheduler: str | None = None,
) -> BulkResult:
    """Score and audit every form of `path`, in `jobs` worker processes (or on a Dask cluster).

    Parameters
    ----------
    path : str or Path
        A form file or folder, as `loading.load` takes it.
    profile : str or Path, default "national"
        A built-in rules profile name or a profile file.
    jobs : int, default 0
        Worker processes; 1 checks in this process; 0: `auto_jobs`.
    options : CheckOptions, optional
        The workers' time limits (default: `CheckOptions()`; not enforced on a cluster).
    scheduler : str, optional
        A Dask scheduler's address (``tcp://host:8786``): the tasks run on its workers, which
        must see the same files; `jobs` then only sets how finely a large JSON file is shared
        out (0: by this machine's cores).

    Returns
    -------
    BulkResult
        Its streams (and its `BulkResult.data`) equal ``evaluate(load(path), profile).to_dict()``;
        with workers they read temporary files: use it in a ``with`` block (or `BulkResult.close`
        it) to remove them at once.

    Raises
    ------
    DataError
        As `load` raises it, when a file has a problem or an id is used twice; or naming each
        file of a task that timed out on every try.
    ClusterError
        When `scheduler` is given but dask[distributed] is not installed or it cannot be reached.
    ProfileError
        For an unknown or invalid profile.
    """
    if scheduler:
        jobs = jobs if jobs > 0 else max(2, os.cpu_count() or 1)
    elif jobs <= 0:
        jobs = auto_jobs(path)
    if jobs == 1 and not scheduler:
        return _evaluate_serial(path, profile)
    files = form_files(path)
    shared = tuple(str(file) for file in files if _is_shared(file))
    # The workers start first, so that their imports (pydantic, the readers, the rules) overlap
    # this process's: hence the imports inside the functions of this module.
    limits = options or CheckOptions()
    pool_options = PoolOptions(
        jobs=jobs,
        initializer=_prepare,
        initargs=(shared,),
        timeout=limits.timeout,
        start_timeout=limits.start_timeout,
        retries=limits.retries,
        scheduler=scheduler,
    )
    spill = Spill()
    try:  # the spill folder goes, whatever stops the check (a timeout, Ctrl-C)
        with Pool(pool_options) as pool:
            from selfeval_kit.rules.profile import load_profile

            rules = load_profile(profile)
            ok = _run(pool, _tasks(files, jobs), rules, spill)
        return _finish(spill, ok, path, rules)
    except BaseException:
        spill.close()
        raise


def _finish(spill: Spill, ok: bool, path: str | Path, rules: Profile) -> BulkResult:
    """The result of the spilled tasks, their portfolio checks run; load's own when something is wrong."""
    if not ok or spill.duplicate() is not None:
        # a problem in some file, an id used twice, or a worker that failed: load decides and reports
        spill.close()
        return _evaluate_serial(path, rules)
    from selfeval_kit.rules.audit import PortfolioAudit

    audit = PortfolioAudit(rules)
    for facts in spill.stream("facts"):  # in load order: the findings list forms in it
        audit.add(facts)
    portfolio = [f.to_dict() for f in audit.findings()]
    counts = spill.counts + Counter(f["severity"] for f in portfolio)
    return BulkResult(rules.name, spill, portfolio, spill.forms, counts)


def _is_shared(file: Path) -> bool:
    try:
        return file.suffix == ".json" and file.stat().st_size >= _SHARE_BYTES
    except OSError:
        return False  # a task reads it, and finds the problem


def _forms_counted(files: list[Path]) -> int:
    """The forms of `files` as far as counting them is cheap: one a file, a Parquet file's rows
    (compressed, its size says little about how many forms it holds)."""
    count = 0
    for file in files:
        rows = None
        if file.suffix == ".parquet":
            from selfeval_kit.form.parquet import form_count  # pyarrow, only for a Parquet file

            rows = form_count(file)
        count += rows if rows is not None else 1
    return count


def _row_groups(file: Path) -> int | None:
    """The row groups of a Parquet file, each a task of its own; None: one task reads it (and finds its problem)."""
    if file.suffix != ".parquet":
        return None
    from selfeval_kit.form.parquet import row_groups

    return row_groups(file)


def _tasks(files: list[Path], jobs: int) -> list[tuple]:
    """("files", names): runs of files; ("share", name, k, n): the k-th of n shares of a large JSON file;
    ("rows", name, k, n): the k-th of the n row groups of a Parquet file."""
    tasks: list[tuple] = []
    run: list[str] = []
    for file in files:
        if _is_shared(file):
            shares = jobs * _SHARES_PER_JOB
            tasks.extend(("share", str(file), k, shares) for k in range(shares))
            continue
        groups = _row_groups(file)
        if groups:
            tasks.extend(("rows", str(file), k, groups) for k in range(groups))
            continue
        run.append(str(file))
        if len(run) >= _FILES_PER_TASK:
            tasks.append(("files", run))
            run = []
    if run:
        tasks.append(("files", run))
    return tasks


def _run(pool: Pool, tasks: list[tuple], rules: Profile, spill: Spill) -> bool:
    """Spill every task's entries as it finishes; False when a task found a problem or a worker failed."""
    for done in pool.map(partial(_work, rules=rules), tasks):
        if isinstance(done.error, TaskTimeout):
            raise _timed_out(tasks[done.index], done.error)
        if not done.ok:
            warnings.warn(
                f"a selfeval check worker failed ({done.error}); checking in this process instead",
                RuntimeWarning,
                stacklevel=3,
            )
            return False
        if done.value is None:
            return False  # a problem in the input: no need to wait for the rest
        spill.add(done.index, done.value)
    return True


def _timed_out(task: tuple, error: TaskTimeout) -> DataError:
    """The check's failure for a task late on every try: each of its files named."""
    tries = "once" if error.tries == 1 else f"in each of {error.tries} tries, on a fresh worker each time"
    if error.started:
        what = f"checking it took longer than {error.limit:g} s {tries}; the worker was killed"
    else:
        what = f"no worker started checking it within {error.limit:g} s {tries} (a worker stopped or stuck?)"
    if task[0] == "files":
        names = task[1]
        together = f" (checked together with {len(names) - 1} other file(s) listed here)" if len(names) > 1 else ""
        return DataError([Problem(name, "", what + together) for name in names])
    kind, name, k, n = task
    part = "row group" if kind == "rows" else "share"
    return DataError([Problem(name, "", f"{part} {k + 1} of {n} of its forms: {what}")])


def _evaluate_serial(path: str | Path, rules: str | Path | Profile) -> BulkResult:
    """The check in this process, in memory: load's own problems, and the result for ``jobs=1``."""
    from selfeval_kit.form.loading import load
    from selfeval_kit.rules.evaluation import evaluate, form_dict

    evaluation = evaluate(load(path), rules)
    forms = [form_dict(r) for r in evaluation.forms]
    per_form = [[f.to_dict() for f in r.findings] for r in evaluation.forms]
    portfolio = [f.to_dict() for f in evaluation.portfolio_findings]
    counts = Counter(f["severity"] for found in [*per_form, portfolio] for f in found)
    return BulkResult(evaluation.profile.name, _Memory(forms, per_form), portfolio, len(forms), counts)


# --- in the worker ------------------------------------------------------------------

_kept: dict[str, list[Form] | None] = {}  # the forms of each large JSON file (None: it has a problem)


def _prepare(shared: tuple[str, ...]) -> None:
    """The pool's initializer: import what the tasks need and read the large JSON files, while the parent plans."""
    from selfeval_kit.form import reading  # noqa: F401
    from selfeval_kit.rules import audit, scoring  # noqa: F401

    for name in shared:
        _json_forms(name)


def _work(task: tuple, rules: Profile) -> list | None:
    """[(sort key, form dict, finding dicts, portfolio facts)] of a task, or None on any problem."""
    from selfeval_kit.form.reading import read_forms

    pairs: list[tuple[Form, str]] = []
    if task[0] == "files":
        for name in task[1]:
            forms, problems = read_forms(Path(name))
            if problems:
                return None
            pairs.extend((form, Path(name).name) for form in forms)
    elif task[0] == "rows":
        from selfeval_kit.form.parquet import read_parquet

        _, name, k, _n = task
        forms, problems = read_parquet(Path(name), groups=[k])
        if problems:
            return None
        pairs.extend((form, Path(name).name) for form in forms)
    else:
        _, name, k, n = task
        kept = _json_forms(name)
        if kept is None:
            return None
        pairs.extend((form, Path(name).name) for form in kept[len(kept) * k // n : len(kept) * (k + 1) // n])
    return [_entry(form, file_name, rules) for form, file_name in pairs]


def _json_forms(name: str) -> list[Form] | None:
    """The forms of a large JSON file, read once per worker; None when it has a problem."""
    from selfeval_kit.form.reading import read_forms

    if name not in _kept:
        forms, problems = read_forms(Path(name))
        _kept[name] = None if problems else forms
    return _kept[name]


def _entry(form: Form, file_name: str, rules: Profile) -> tuple:
    from selfeval_kit.rules.audit import audit_form, portfolio_facts
    from selfeval_kit.rules.evaluation import form_dict
    from selfeval_kit.rules.scoring import score_form

    result = score_form(form, rules)
    result.findings.extend(audit_form(result))
    return (form.seq, file_name), form_dict(result), [f.to_dict() for f in result.findings], portfolio_facts(result)
