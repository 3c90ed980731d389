"""Checking a large portfolio in worker processes (`selfeval check --jobs N`).

The input is cut into small tasks (runs of 100 files, pieces of a JSON list file),
handed to the workers one after another as they finish the last, so that a worker
slowed down by a neighbour on a shared machine simply takes fewer. Each task is
loaded, validated, scored and audited, and only what the output needs comes back:
each form's `evaluation.form_dict`, its findings as dicts and its
`audit.PortfolioFacts`. Full FormResults are never sent: pickling one costs about
as much as computing it. The parent puts the results back in document order, sorts
them as `loading.load` does and runs the portfolio checks on the facts, so the
result equals `evaluate(load(path), profile).to_dict()`.

When anything is wrong with the input (a problem in a file, a duplicate id) the
parent calls `loading.load` itself, so problems are reported exactly as `load`
reports them; so it does, with a RuntimeWarning, when a worker fails. Workers are
plain `python -m selfeval_kit.rules.bulk` subprocesses (no fork: forking a process that
runs threads, as Jupyter does, is unsafe). They are started first, so that their
imports (pydantic, the parsers) overlap the parent's.

A JSON list file is shared out by bytes where its layout allows: in the export
layout (`json.dumps(..., indent=2)`, what `selfeval export` writes) a top-level item
ends with a line "  }," and the next begins with "  {", and a raw line break never
occurs inside a JSON string, so each worker parses only its own items. Should such
a place not be a boundary between top-level items, the pieces would not parse
(their brackets would not balance) and the parent falls back to `load`.
"""

from __future__ import annotations

import os
import pickle
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from selfeval_kit.form.sources import form_files

__all__ = ["BulkResult", "check", "auto_jobs", "AUTO_MIN_FILES", "AUTO_MIN_BYTES"]

# Below these, starting workers (≈ 0.5 s each: they import pydantic) costs more than it saves.
AUTO_MIN_FILES = 2000
AUTO_MIN_BYTES = 10 * 1024 * 1024  # ≈ 2,000 forms of the export format
_FILES_PER_TASK = 100  # YAML files a task: about 0.1 s of work
_PIECES_PER_JOB = 8  # pieces of a JSON list file per worker


@dataclass(frozen=True)
class BulkResult:
    """`Evaluation.to_dict()` and the failing-finding facts the CLI needs."""

    data: dict  # {"profile", "forms", "findings"}, as Evaluation.to_dict()

    @property
    def findings(self) -> list[dict]:
        return self.data["findings"]


def auto_jobs(path: str | Path) -> int:
    """Worker count for `--jobs 0`: the cores for a large input, else 1."""
    cores = os.cpu_count() or 1
    if cores < 2:
        return 1
    try:
        files = form_files(path)
    except Exception:
        return 1  # load will report it
    if len(files) >= AUTO_MIN_FILES:
        return cores
    size = 0
    for file in files:
        try:
            size += file.stat().st_size
        except OSError:
            return 1
    return cores if size >= AUTO_MIN_BYTES else 1


def check(path: str | Path, profile="national", jobs: int = 0) -> BulkResult:
    """`evaluate(load(path), profile).to_dict()`, computed by `jobs` worker processes
    (0: `auto_jobs`). Raises DataError as `load` does."""
    if jobs <= 0:
        jobs = auto_jobs(path)
    if jobs == 1:
        from selfeval_kit.rules.profile import load_profile

        return BulkResult(_evaluate_serial(path, load_profile(profile)))
    workers = _start_workers(jobs)
    return _check_in(workers, path, profile, jobs)


def _check_in(workers: list[subprocess.Popen], path, profile, jobs: int) -> BulkResult:
    """`check` once its workers are started; they are stopped if anything fails here."""
    try:
        from selfeval_kit.rules.profile import load_profile

        rules = load_profile(profile)  # a bad profile fails here, and the workers are stopped
        files = form_files(path)
        shares = _run_tasks(workers, _tasks(files, jobs), rules, [str(file) for file in files])
    except BaseException:
        for proc in workers:
            proc.kill()
            proc.wait()
            _close_pipes(proc)
        raise
    if shares is None:  # a worker failed (killed, out of memory): the work is done here instead
        return BulkResult(_evaluate_serial(path, rules))
    entries = [entry for share in shares if share is not None for entry in share]
    if any(share is None for share in shares) or len({e[1]["id"] for e in entries}) != len(entries):
        # Some file has a problem, or ids repeat: load reports it exactly (and raises).
        return BulkResult(_evaluate_serial(path, rules))
    entries.sort(key=lambda e: (e[0][0] is None, e[0][0] or 0, e[0][1]))  # as loading.load sorts

    from selfeval_kit.rules.audit import audit_portfolio_facts

    portfolio = audit_portfolio_facts([e[3] for e in entries], rules)
    return BulkResult(
        {
            "profile": rules.name,
            "forms": [e[1] for e in entries],
            "findings": [f for e in entries for f in e[2]] + [f.to_dict() for f in portfolio],
        }
    )


def _tasks(files: list[Path], jobs: int) -> list[tuple]:
    """Runs of YAML files ("files", first, stop: indexes into `files`), and each JSON file
    cut into pieces, in document order; small tasks, so that workers finish together."""
    tasks: list[tuple] = []
    first = 0
    for index, file in enumerate(files):
        if file.suffix == ".json":
            if first < index:
                tasks.append(("files", first, index))
            tasks.extend(_json_tasks(file, jobs * _PIECES_PER_JOB))
            first = index + 1
        elif index + 1 - first >= _FILES_PER_TASK:
            tasks.append(("files", first, index + 1))
            first = index + 1
    if first < len(files):
        tasks.append(("files", first, len(files)))
    return tasks


# The end of a top-level item and the start of the next in the export layout.
_ITEM_BOUNDARY = re.compile(rb"\n  \},\r?\n  \{")


def _json_tasks(file: Path, jobs: int) -> list[tuple]:
    """Up to `jobs` pieces of a JSON file. ("bytes", file, start, stop): the items between two
    byte offsets, where a list in the export layout can be cut at item boundaries; else
    ("json", file, k, jobs): the k-th share of the items, each worker parsing the whole file."""
    try:
        raw = file.read_bytes()
    except OSError:
        return [("json", str(file), 0, 1)]  # the worker fails to read it: load reports why
    body = raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw
    first, last = len(body) - len(body.lstrip()), len(body.rstrip()) - 1
    offset = len(raw) - len(body)
    if last <= first or body[first : first + 1] != b"[" or body[last : last + 1] != b"]":
        return [("json", str(file), k, jobs) for k in range(jobs)]
    commas: list[int] = []  # the comma after the last item of each piece but the last
    for k in range(1, jobs):
        after = commas[-1] if commas else offset + first
        match = _ITEM_BOUNDARY.search(raw, max(after, offset + first + (last - first) * k // jobs))
        if match is None:
            break
        commas.append(match.start() + 4)  # "\n  }" then the comma
    if not commas:
        return [("json", str(file), k, jobs) for k in range(jobs)]
    starts = [offset + first + 1] + [comma + 1 for comma in commas]
    ends = commas + [offset + last]
    return [("bytes", str(file), start, end) for start, end in zip(starts, ends)]


def _start_workers(jobs: int) -> list[subprocess.Popen]:
    """`jobs` plain `python` subprocesses, importing what they need while they wait for work.
    Not multiprocessing: its "spawn" start re-runs the parent's main module, which fails for
    `python -c`, stdin and some notebook front ends."""
    env = dict(os.environ)
    package_root = str(Path(__file__).resolve().parent.parent.parent)
    env["PYTHONPATH"] = package_root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return [
        subprocess.Popen([sys.executable, "-m", "selfeval_kit.rules.bulk"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
        for _ in range(jobs)
    ]


_IN_FLIGHT = 2  # tasks sent ahead to each worker, so that it never waits for the next


def _run_tasks(procs: list[subprocess.Popen], tasks: list[tuple], rules, files: list[str]) -> list | None:
    """The results of the tasks, in order, or None if a worker failed. Each worker gets the
    profile and the file names, then a task whenever it returns one: whichever is faster
    takes more (the machine may be shared), and the results are unpickled while the
    workers go on.

    Tasks are a few hundred bytes, so with at most _IN_FLIGHT of them unread a write to a
    worker never waits for it to read (a pipe holds 64 KiB), and each worker's thread
    reads results while its worker writes them: no deadlock."""
    import threading

    results: list = [None] * len(tasks)
    order = iter(range(len(tasks)))
    lock = threading.Lock()
    failures: list[int | BaseException] = []
    setup = pickle.dumps((rules, files), protocol=pickle.HIGHEST_PROTOCOL)

    def serve(proc: subprocess.Popen) -> None:
        pending: list[int] = []

        def send() -> None:
            with lock:
                index = None if failures else next(order, None)
            if index is not None:
                proc.stdin.write(pickle.dumps(tasks[index], protocol=pickle.HIGHEST_PROTOCOL))
                proc.stdin.flush()
                pending.append(index)

        try:
            proc.stdin.write(setup)
            for _ in range(_IN_FLIGHT):
                send()
            while pending:
                index = pending.pop(0)
                results[index] = pickle.load(proc.stdout)
                send()
            proc.stdin.close()
        except BaseException as exc:  # noqa: BLE001 - a worker died: reported below
            failures.append(exc)
            proc.kill()
        if proc.wait() != 0:
            failures.append(proc.returncode)
        _close_pipes(proc)

    threads = [threading.Thread(target=serve, args=(proc,), daemon=True) for proc in procs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        import warnings

        status = next((f for f in failures if isinstance(f, int)), None)
        detail = f"exit status {status}" if status is not None else type(failures[0]).__name__
        warnings.warn(
            f"a selfeval check worker failed ({detail}); checking in this process instead", RuntimeWarning, stacklevel=3
        )
        return None
    return results


def _close_pipes(proc: subprocess.Popen) -> None:
    for pipe in (proc.stdin, proc.stdout):
        try:
            pipe.close()
        except OSError:  # a broken pipe to a dead worker: nothing left to flush
            pass


def _evaluate_serial(path, rules) -> dict:
    from selfeval_kit.rules.evaluation import evaluate
    from selfeval_kit.form.loading import load

    return evaluate(load(path), rules).to_dict()


# --- in the worker ------------------------------------------------------------------

_parsed: dict[str, list] = {}  # a JSON list file, parsed once per worker


def _work(task: tuple, rules, files: list[str] = ()) -> list | None:
    """[(sort key, form dict, finding dicts, portfolio facts)] of a task, or None on any problem."""
    from selfeval_kit.form.loading import _read_forms

    forms: list = []
    if task[0] == "files":
        for name in files[task[1] : task[2]]:
            file = Path(name)
            file_forms, problems = _read_forms(file)
            if problems:
                return None
            forms.extend((form, file.name) for form in file_forms)
    elif task[0] == "bytes":
        _, name, start, stop = task
        file = Path(name)
        from selfeval_kit.form.loading import _FORM_LIST

        try:
            with open(file, "rb") as handle:
                handle.seek(start)
                # What read_json does with the whole list, in one pass of pydantic's parser.
                piece = _FORM_LIST.validate_json(b"[" + handle.read(stop - start) + b"]")
        except (OSError, ValueError):
            return None  # a problem, not a cut between items after all, or the file changed: load decides
        forms.extend((form, file.name) for form in piece)
    else:
        _, name, k, n = task
        file = Path(name)
        items = _json_items(file)
        if items is None:
            return None
        if not isinstance(items, list):  # one form: the first share reads it
            if k:
                return []
            file_forms, problems = _read_forms(file)
            if problems:
                return None
            forms.extend((form, file.name) for form in file_forms)
        elif not _validate(items[len(items) * k // n : len(items) * (k + 1) // n], file.name, forms):
            return None
    return [_entry(form, file_name, rules) for form, file_name in forms]


def _validate(items: list, file_name: str, forms: list) -> bool:
    """Append the Form of each parsed JSON item; False at the first invalid one."""
    from selfeval_kit.form.model import Form

    try:
        for item in items:
            # Strict validation of parsed JSON values accepts and refuses what read_json's
            # validate_json does (tests/test_bulk.py); any refusal goes back to load anyway.
            forms.append((Form.model_validate(item), file_name))
    except ValueError:
        return False
    return True


def _json_items(file: Path):
    """The parsed JSON of a file (list or object), or None when it does not parse."""
    key = str(file)
    if key not in _parsed:
        _parsed.clear()
        from pydantic_core import from_json  # pydantic's parser: faster than json.loads

        try:
            items = from_json(file.read_bytes().decode("utf-8-sig"))
        except (OSError, ValueError):
            return None
        if isinstance(items, list) and not items:
            return None  # read_json reports an empty list
        _parsed[key] = items
    return _parsed[key]


def _entry(form, file_name: str, rules) -> tuple:
    from selfeval_kit.rules.audit import audit_form, portfolio_facts
    from selfeval_kit.rules.scoring import form_dict, score_form

    result = score_form(form, rules)
    result.findings.extend(audit_form(result))
    return (
        (form.seq, file_name),
        form_dict(result),
        [f.to_dict() for f in result.findings],
        portfolio_facts(result),
    )


def _main() -> None:
    """Worker: read (profile, file names) pickled on stdin, then answer each task that
    follows with its pickled result, until stdin closes."""
    import gc

    gc.disable()  # a short-lived batch process: see memory.paused_gc
    # Import now, while the parent still lists the files and reads the profile.
    from selfeval_kit.rules import audit
    from selfeval_kit.form import loading
    from selfeval_kit.rules import narrative
    from selfeval_kit.rules import scoring  # noqa: F401

    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    rules, files = pickle.load(stdin)
    while True:
        try:
            task = pickle.load(stdin)
        except EOFError:
            break
        pickle.dump(_work(task, rules, files), stdout, protocol=pickle.HIGHEST_PROTOCOL)
        stdout.flush()


if __name__ == "__main__":
    _main()
