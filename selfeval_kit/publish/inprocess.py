"""Running a report's notebook in the worker's own interpreter: the build's default engine.

The reports' notebooks are thin (all logic is in the package), so what costs is the machinery
around them: a Jupyter kernel to start per worker (≈ 2 s) and a message round trip per cell.
`execute` runs the notebook in this process instead, in an IPython shell of the process's own
(`InteractiveShell`, as a kernel runs one), made once and reused: each cell's streams, rich
displays, execution result and error are collected as the kernel reports them (`ipykernel`'s
display hook and publisher, without the messages), so the executed notebook, and the page
exported from it, are the ones papermill and a kernel give, byte for byte
(tests/publish/test_inprocess.py).

Each report gets what the warm kernel's reset gives it (`selfeval_kit.publish.kernel`):
``InteractiveShell.reset(new_session=True)`` (an empty user namespace, execution count 1), the
notebook's folder as working directory and first on ``sys.path``, a cleared warnings registry;
imported modules stay, which is the point. matplotlib, if a notebook imports it, draws inline, as
in a kernel (``MPLBACKEND``, unless set). The shell has no history database: nothing goes into
the user's IPython history, which the workers would otherwise share (a SQLite file: a lock, and
commits at each shell's start and end). Parameters are injected after the cell tagged
``parameters`` (tagged ``injected-parameters``, as papermill does). A cell that raises fails the
report with `NotebookError`, naming the exception and the cell. A cell that runs past `timeout`
seconds is interrupted (``SIGALRM``, in the main thread of a worker process) and fails its report
with ``TimeoutError``; where no alarm can be set (a thread), a report that runs too long is
stopped by the build's pool, which kills the worker (`PoolOptions.timeout`). Use the kernel
engine (``--engine kernel``) for another kernel than this interpreter.

A notebook that only opens a report and shows its sections (the bundled ones, and copies that
drop, reorder or repeat sections) is a recipe (`selfeval_kit.publish.recipe`): its sections are
called here, without the shell, and the notebook gets the outputs and execution counts the shell
gives it (tests/publish/test_recipe.py). A recipe whose call raises, warns or
writes to a stream is run in the shell after all, so that its error, warning or text is as IPython
gives it; a call past `timeout` fails the report as a cell past it does.

What the process had before a report, it has after: its working directory, ``sys.path``, standard
streams, ``__main__`` module and current IPython shell (the caller may be a Jupyter kernel).
"""

from __future__ import annotations

import builtins
import io
import logging
import os
import signal
import sys
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from selfeval_kit.publish import recipe

__all__ = ["NotebookError", "execute", "prepare"]

log = logging.getLogger("selfeval_kit.publish")

_INLINE = "module://matplotlib_inline.backend_inline"  # ipykernel's default backend


class NotebookError(RuntimeError):
    """A cell of the notebook raised: `ename`, `evalue` and the cell's execution count, as papermill's error has."""

    def __init__(self, ename: str, evalue: str, exec_count: int | None):
        super().__init__(f"{ename}: {evalue}")
        self.ename, self.evalue, self.exec_count = ename, evalue, exec_count


def prepare() -> None:
    """Make this process's shell now (a worker's initializer calls it while the build plans)."""
    _shell()


def execute(
    notebook: str | Path, parameters: dict[str, Any], timeout: float | None = None, recipes: bool = True
) -> Any:
    """The notebook, executed in this process with `parameters`.

    Parameters
    ----------
    notebook : str or Path
        The notebook file; it runs in its own folder.
    parameters : dict
        Injected after the cell tagged ``parameters``; names must be identifiers, values what
        ``repr`` writes as Python literals (str, int, float, bool, None, lists and dicts of them).
    timeout : float, optional
        Seconds one cell may run; None: no limit.
    recipes : bool, default True
        A notebook that only opens a report and shows its sections (`selfeval_kit.publish.recipe`)
        has its sections called directly, its outputs those the shell gives; if one of them
        raises, warns or writes to a stream, the notebook runs in the shell after all. False:
        every notebook runs in the shell.

    Returns
    -------
    nbformat.NotebookNode
        The executed notebook.

    Raises
    ------
    NotebookError
        When a cell raises.
    """
    path = Path(notebook)
    nb = _read(path)
    inject_parameters(nb, parameters)
    folder = str(path.parent.resolve())
    shell = _shell()
    plan = recipe.read(nb) if recipes else None
    if plan is not None and _follow(plan, nb, shell, folder, timeout):
        return nb
    with _session(shell, folder):
        for cell in nb.cells:
            if cell.get("cell_type") == "code":
                _run_cell(shell, cell, timeout)
    return nb


def _read(path: Path) -> Any:
    """The notebook as version 4, read as ``nbformat.read`` reads it but for its validation, which
    only logs: the exporter validates the executed notebook, and fails the report if it is invalid."""
    from nbformat import convert, reader

    return convert(reader.reads(path.read_text(encoding="utf-8")), 4)


def inject_parameters(nb: Any, parameters: dict[str, Any]) -> None:
    """Put a cell setting `parameters` after the one tagged ``parameters`` (first, if none), as papermill does."""
    for name in parameters:
        if not str(name).isidentifier():
            raise ValueError(f"parameter {name!r}: not a Python name; expected an identifier")
    source = "# Parameters\n" + "".join(f"{name} = {value!r}\n" for name, value in parameters.items())
    # nbformat.v4.new_code_cell's fields, without its cell id (nbformat 4.4 notebooks have none; a 4.5
    # one gets it below) and its validation, done on export
    cell = _node(cell_type="code", execution_count=None, metadata={"tags": ["injected-parameters"]}, outputs=[])
    cell["source"] = source
    cells = [c for c in nb.cells if "injected-parameters" not in c.get("metadata", {}).get("tags", [])]
    tagged = [i for i, c in enumerate(cells) if "parameters" in c.get("metadata", {}).get("tags", [])]
    at = tagged[0] + 1 if tagged else 0
    if nb.get("nbformat_minor", 0) >= 5:
        cell["id"] = f"injected-parameters-{len(cells)}"
    nb.cells = [*cells[:at], cell, *cells[at:]]


def _run_cell(shell: Any, cell: Any, timeout: float | None) -> None:
    """Run one code cell in `shell`; its outputs and execution count into `cell`; NotebookError if it raised."""
    outputs: list = []
    shell.outputs = outputs
    with _captured(shell), _alarm(timeout):
        result = shell.run_cell(cell.get("source", ""), store_history=True)
    cell["outputs"] = outputs
    cell["execution_count"] = result.execution_count
    error = result.error_before_exec or result.error_in_exec
    if error is not None:
        raise NotebookError(type(error).__name__, str(error), result.execution_count)


def _follow(plan: recipe.Recipe, nb: Any, shell: Any, folder: str, timeout: float | None) -> bool:
    """Make a recipe's calls here, and put into `nb` the outputs and execution counts the shell gives.

    False, `nb` unchanged, when a call raised, warned or wrote to a stream: the shell then runs
    the notebook, so that the error, the warning or the text comes out as IPython shows it.
    """
    reports: dict[str, Any] = {}
    values = []
    with _folder(folder), _quiet() as heard:
        for count, step in enumerate(plan.steps, 1):
            try:
                with _alarm(timeout):
                    for call in step.opens:
                        reports[str(call.target)] = call.apply(reports)
                    values.append(None if step.shows is None else step.shows.apply(reports))
            except TimeoutError as exc:  # as the shell's cell fails: running it again would take as long
                raise NotebookError(type(exc).__name__, str(exc), count) from exc
            except Exception:  # noqa: BLE001 - the shell runs it again, for the error as IPython gives it
                return False
    if heard:
        return False
    for count, (step, value) in enumerate(zip(plan.steps, values, strict=True), 1):
        cell = nb.cells[step.index]
        cell["outputs"] = [] if value is None else [_result(shell, value, count)]
        cell["execution_count"] = count
    return True


def _result(shell: Any, value: Any, count: int) -> Any:
    """The execute_result the shell's display hook (`_make_shell`) gives for `value`."""
    from ipykernel.jsonutil import encode_images, json_clean

    from selfeval_kit.report.html import Html

    if type(value) is Html:  # what the shell's formatters make of one, without trying all sixteen
        data, metadata = {"text/plain": repr(value), "text/html": value._repr_html_()}, {}
    else:
        data, metadata = shell.display_formatter.format(value)
    data, metadata = json_clean(encode_images(data)), json_clean(metadata)
    return _output("execute_result", data=data, execution_count=count, metadata=metadata)


_SHELL: Any = None  # this process's shell, made on first use


def _shell() -> Any:
    global _SHELL
    if _SHELL is None:
        _SHELL = _make_shell()
    return _SHELL


def _make_shell() -> Any:
    """An InteractiveShell that collects outputs as a kernel reports them, without a history database."""
    from ipykernel.jsonutil import encode_images, json_clean
    from IPython.core.displayhook import DisplayHook
    from IPython.core.displaypub import DisplayPublisher
    from IPython.core.history import HistoryManager
    from IPython.core.interactiveshell import InteractiveShell

    class Hook(DisplayHook):
        """ipykernel's ZMQShellDisplayHook, appending the execute_result instead of sending it."""

        def start_displayhook(self) -> None:
            self.data: dict = {}
            self.metadata: dict = {}

        def write_output_prompt(self) -> None:
            pass

        def write_format_data(self, format_dict: dict, md_dict: dict | None = None) -> None:
            self.data, self.metadata = json_clean(encode_images(format_dict)), json_clean(md_dict or {})

        def flush(self) -> None:
            _empty_results(self)

        def finish_displayhook(self) -> None:
            _flush()
            if self.data:
                count, metadata = self.prompt_count, self.metadata
                out = _output("execute_result", data=self.data, execution_count=count, metadata=metadata)
                self.shell.outputs.append(out)  # type: ignore[union-attr]

    class Publisher(DisplayPublisher):
        """ipykernel's ZMQDisplayPublisher: a display, or the update of an earlier one with the same id."""

        def publish(self, data: Any, metadata: Any = None, source: Any = None, *, transient: Any = None,
                    update: Any = False, **kwargs: Any) -> None:  # fmt: skip
            _flush()
            self._validate_data(data, metadata)
            out = _output("display_data", data=json_clean(encode_images(data)), metadata=json_clean(metadata or {}))
            display_id = (transient or {}).get("display_id")
            shown = self.shell.displays.setdefault(display_id, []) if display_id is not None else None
            if update:  # as nbclient applies update_display_data: to every output shown with that id
                for earlier in shown or []:
                    earlier["data"], earlier["metadata"] = out["data"], out["metadata"]
                return
            self.shell.outputs.append(out)
            if shown is not None:
                shown.append(out)

        def clear_output(self, wait: bool = False) -> None:
            _flush()
            self.shell.outputs.clear()

    class Shell(InteractiveShell):
        outputs: list  # the running cell's
        displays: dict  # display id -> the outputs shown with it, in this report

        def init_history(self) -> None:
            # IPython's own, without its SQLite file (~/.ipython, shared by the workers: a lock and
            # commits per shell) nor the thread saving it.
            self.history_manager = HistoryManager(shell=self, parent=self, enabled=False)
            self.configurables.append(self.history_manager)

        def _showtraceback(self, etype: Any, evalue: Any, stb: Any) -> None:
            _flush()
            self.outputs.append(_output("error", ename=etype.__name__, evalue=str(evalue), traceback=stb))

        def enable_gui(self, gui: Any = None) -> None:  # abstract in InteractiveShell; no event loop here
            pass

    previous = InteractiveShell._instance
    main = sys.modules.get("__main__")
    try:
        shell = Shell(displayhook_class=Hook, display_pub_class=Publisher)
    finally:
        InteractiveShell._instance = previous  # made current per report, by `_session`
        if main is not None:
            sys.modules["__main__"] = main
    shell.outputs, shell.displays = [], {}
    return shell


def _flush() -> None:
    sys.stdout.flush()
    sys.stderr.flush()


def _empty_results(hook: Any) -> None:
    """IPython's (8.x) `DisplayHook.flush`: the cache of results emptied, but no gc.collect() after."""
    # A full collection at each report's reset walked all the worker holds (most of a report's time
    # with a folder of 2,000 forms loaded); the collector still runs by itself.
    user_ns = hook.shell.user_ns
    for n in range(1, hook.prompt_count + 1):
        user_ns.pop(f"_{n}", None)
    oh = user_ns.get("_oh")
    if oh is not None:
        oh.clear()
    hook._, hook.__, hook.___ = "", "", ""
    if "_" not in builtins.__dict__:
        user_ns.update({"_": hook._, "__": hook.__, "___": hook.___})


def _node(**fields: Any) -> Any:
    from nbformat import from_dict

    return from_dict(fields)


def _output(output_type: str, **fields: Any) -> Any:
    """An output as ``nbformat.v4.new_output`` makes it, but unvalidated: the exporter validates the notebook."""
    return _node(output_type=output_type, **fields)


class _Stream:
    """A text stream whose writes go into the running cell's outputs as a kernel's do: one output a flush.

    A kernel's stream sends what was written at each flush (an explicit one, before a display,
    a result or a traceback, at the end of the cell, and every 0.2 s); all but the timed one are
    kept here, so a cell's streams come out as a kernel's do when it runs in under 0.2 s.
    """

    encoding = "utf-8"
    errors = "strict"

    def __init__(self, shell: Any, name: str):
        self.shell, self.name = shell, name
        self.buffer: list[str] = []

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        self.buffer.append(text)
        return len(text)

    def flush(self) -> None:
        text = "".join(self.buffer)
        self.buffer.clear()
        if text:
            self.shell.outputs.append(_output("stream", name=self.name, text=text))

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        raise OSError("a report's output stream has no file descriptor")

    def writable(self) -> bool:
        return True


@contextmanager
def _captured(shell: Any) -> Iterator[None]:
    """The cell's stdout and stderr into its outputs."""
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _Stream(shell, "stdout"), _Stream(shell, "stderr")
    try:
        yield
    finally:
        _flush()  # as a kernel does at the end of a cell
        sys.stdout, sys.stderr = saved


@contextmanager
def _session(shell: Any, folder: str) -> Iterator[None]:
    """One report's run of `shell`: reset, current, in `folder`; the process as it was afterwards."""
    from IPython.core.interactiveshell import InteractiveShell

    main = sys.modules.get("__main__")  # IPython makes the shell's namespace __main__; the process keeps its own
    previous = InteractiveShell._instance
    backend = os.environ.get("MPLBACKEND")
    shell.reset(new_session=True)
    getattr(warnings, "_filters_mutated", lambda: None)()  # a warning shows in every report that triggers it
    InteractiveShell._instance = shell
    if backend is None:
        os.environ["MPLBACKEND"] = _INLINE
    try:
        with _folder(folder):
            yield
    finally:
        InteractiveShell._instance = previous
        if backend is None:
            os.environ.pop("MPLBACKEND", None)
        if main is not None:
            sys.modules["__main__"] = main
        shell.outputs, shell.displays = [], {}


@contextmanager
def _folder(folder: str) -> Iterator[None]:
    """In `folder`, first on ``sys.path``; the working directory and ``sys.path`` as they were afterwards."""
    cwd, path = os.getcwd(), list(sys.path)
    try:
        os.chdir(folder)
        sys.path.insert(0, folder)
        yield
    finally:
        os.chdir(cwd)  # a worker must never keep a report's folder
        sys.path[:] = path


@contextmanager
def _quiet() -> Iterator[list]:
    """Standard streams and warnings held back; the list it gives is not empty afterwards if any came."""
    heard: list = []
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = out, err = io.StringIO(), io.StringIO()
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")  # even one the filters would hide: the shell decides
            yield heard
    finally:
        sys.stdout, sys.stderr = saved
    heard.extend([*caught, *filter(None, (out.getvalue(), err.getvalue()))])


@contextmanager
def _alarm(seconds: float | None) -> Iterator[None]:
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
