"""Running a report's notebook in the worker's own interpreter: the build's default engine.

The reports' notebooks are thin (all logic is in the package), so what costs is the machinery
around them: a Jupyter kernel to start per worker (≈ 2 s) and a message round trip per cell.
`execute` runs the notebook in this process instead, with ploomber-engine's `PloomberClient`
(an IPython shell that collects each cell's outputs, rich displays and execution results as a
kernel would report them), so the executed notebook, and the page exported from it, are the ones
papermill and a kernel give, byte for byte (tests/publish/test_inprocess.py).

Each report gets what the warm kernel's reset gives it (`selfeval_kit.publish.kernel`): a new
shell with an empty user namespace, the notebook's folder as working directory, a cleared
warnings registry; imported modules stay, which is the point. The shell has no history database:
nothing goes into the user's IPython history, which the workers would otherwise share (a SQLite
file: a lock, and commits at each shell's start and end). Parameters are injected after the
cell tagged ``parameters`` (tagged ``injected-parameters``, as papermill does). A cell that raises
fails the report with `NotebookError`, naming the exception and the cell. A cell that runs past
`timeout` seconds is interrupted (``SIGALRM``, in the main thread of a worker process) and fails
its report with ``TimeoutError``; where no alarm can be set (a thread), a report that runs too
long is stopped by the build's pool, which kills the worker (`PoolOptions.timeout`). Use the
kernel engine (``--engine kernel``) for another kernel than this interpreter.
"""

from __future__ import annotations

import atexit
import logging
import os
import signal
import sys
import threading
import warnings
from contextlib import contextmanager
from pathlib import Path
from typing import Any

__all__ = ["NotebookError", "execute", "prepare"]

log = logging.getLogger("selfeval_kit.publish")


class NotebookError(RuntimeError):
    """A cell of the notebook raised: `ename`, `evalue` and the cell's execution count, as papermill's error has."""

    def __init__(self, ename: str, evalue: str, exec_count: int | None):
        super().__init__(f"{ename}: {evalue}")
        self.ename, self.evalue, self.exec_count = ename, evalue, exec_count


def prepare() -> None:
    """Import the engine now (a worker's initializer calls it while the build plans)."""
    from ploomber_engine.ipython import PloomberClient  # noqa: F401


def execute(notebook: str | Path, parameters: dict[str, Any], timeout: float | None = None) -> Any:
    """The notebook, executed in this process with `parameters`.

    Parameters
    ----------
    notebook : str or Path
        The notebook file; it runs in its own folder.
    parameters : dict
        Injected after the cell tagged ``parameters``.
    timeout : float, optional
        Seconds one cell may run; None: no limit.

    Returns
    -------
    nbformat.NotebookNode
        The executed notebook.

    Raises
    ------
    NotebookError
        When a cell raises.
    """
    import nbformat

    path = Path(notebook)
    nb = nbformat.read(path, as_version=4)
    getattr(warnings, "_filters_mutated", lambda: None)()  # a warning shows in every report that triggers it
    client = _client(nb, str(path.parent), timeout)
    cwd = os.getcwd()
    main = sys.modules.get("__main__")  # IPython makes the shell's namespace __main__; the process keeps its own
    try:
        return client.execute(parameters=parameters)
    except Exception as exc:  # the notebook's own error, whatever it is
        raise NotebookError(type(exc).__name__, str(exc), _failed_cell(nb)) from exc
    finally:
        os.chdir(cwd)  # ploomber-engine restores it too; a worker must never keep a report's folder
        if main is not None:
            sys.modules["__main__"] = main


def _client(nb: Any, cwd: str, timeout: float | None) -> Any:
    """A `PloomberClient` that gives each cell at most `timeout` seconds, in a shell without a history database."""
    from IPython.core.history import HistoryManager
    from ploomber_engine import ipython as engine

    shell_class: Any = engine.PloomberShell
    client_class: Any = engine.PloomberClient

    class _Shell(shell_class):
        def init_history(self) -> None:
            # IPython's own, without its SQLite file (~/.ipython, shared by the workers: a lock and
            # commits per shell; ploomber-engine stores no cell in it) nor the thread saving it.
            self.history_manager = HistoryManager(shell=self, parent=self, enabled=False)
            self.configurables.append(self.history_manager)

    class _TimedClient(client_class):
        _shell: Any  # PloomberClient's: the shell of the report running

        def __enter__(self) -> Any:
            if self._shell is not None:  # as PloomberClient's
                raise RuntimeError("A shell is already active")
            self._shell = _Shell()
            return self

        def execute_cell(self, cell: Any, cell_index: int, execution_count: int, store_history: bool) -> Any:
            with _alarm(timeout):
                return super().execute_cell(cell, cell_index, execution_count, store_history)

        def __exit__(self, *exc: Any) -> None:
            shell = self._shell
            try:
                super().__exit__(*exc)
            finally:
                if shell is not None:
                    _dispose(shell)

    return _TimedClient(nb, display_stdout=False, progress_bar=False, cwd=cwd)


def _dispose(shell: Any) -> None:
    """Let a report's shell go. IPython registers, for each shell, its exit operations and its script
    magics' cleanup with `atexit`, which would keep every shell a worker ever made until the worker
    exits, then run them from another thread. Run them now, in this thread, and unregister them."""
    scripts = getattr(getattr(shell, "magics_manager", None), "registry", {}).get("ScriptMagics")
    handlers = [shell.atexit_operations, getattr(scripts, "kill_bg_processes", None)]
    for handler in handlers:
        if handler is None:
            continue
        atexit.unregister(handler)
        try:
            handler()
        except Exception:  # a shell that cannot be closed: nothing of the report depends on it
            log.debug("could not close a report's IPython shell", exc_info=True)


@contextmanager
def _alarm(seconds: float | None):
    """Raise TimeoutError in this thread after `seconds` (only in the main thread; elsewhere no limit)."""
    if not seconds or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum: int, frame: Any) -> None:
        raise TimeoutError(f"a cell ran longer than {seconds:g} s (单元格运行超时)")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _failed_cell(nb: Any) -> int | None:
    """The execution count of the last code cell that ran (the one that raised)."""
    counts = [c.get("execution_count") for c in nb.cells if c.get("cell_type") == "code"]
    ran = [n for n in counts if n]
    return max(ran) if ran else None
