"""The warm kernel: one Jupyter kernel per build worker, reused for report after report.

Starting a kernel and importing what the notebooks import (pydantic, jinja2) costs more than a
report, so each worker process of a build starts one kernel (`start_worker`, the pool's
initializer, while the build still loads and plans), has it import what the notebooks import,
and runs its reports in it one after another. Before each report `reset` gives the kernel a
clean user namespace, history and execution count (``InteractiveShell.reset``), the notebook's
folder as working directory and a cleared warnings registry (so that a warning shows in every
report that triggers it, not only the first); imported modules stay, which is the point. A
kernel that died or timed out is replaced (`kernel_for`). The kernel is shut down when its
worker exits (a `multiprocessing.util.Finalize`); when the worker is killed instead, ipykernel's
parent poller stops the kernel, whose parent it was. With the in-process engine (the default)
there is no kernel: the worker imports the same modules itself and makes its IPython shell; its
reports read the build's evaluation (`selfeval_kit.publish.snapshot`) rather than evaluating the forms.
"""

from __future__ import annotations

import ast
import json
import logging
import multiprocessing.util
import os
import site
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "KERNEL_ARGS",
    "KernelConfig",
    "WarmKernel",
    "discard_kernel",
    "kernel_for",
    "notebook_imports",
    "start_worker",
]

log = logging.getLogger("selfeval_kit.publish")

KERNEL_ARGS = ("--IPKernelApp.log_level=CRITICAL",)  # the kernel logs transport notices; reports need none
PACKAGE_ROOT = Path(__file__).resolve().parent.parent.parent  # the folder selfeval_kit/ is in

_RESET_CODE = """\
get_ipython().reset(new_session=True)
import os as _os, warnings as _warnings
_os.chdir({cwd!r})
getattr(_warnings, "_filters_mutated", lambda: None)()
del _os, _warnings
"""
# Run once per kernel, before its first report: import what the notebooks import, names included
# (`from selfeval_kit.report import ProjectReport` loads the report modules, pydantic and jinja2).
_PREWARM_CODE = """\
import importlib as _importlib
for _module, _names in {imports!r}:
    try:
        _m = _importlib.import_module(_module)
        for _name in _names:
            getattr(_m, _name, None)
    except Exception:
        pass
del _importlib
"""


@dataclass(frozen=True)
class KernelConfig:
    """How a worker's kernel is started.

    Parameters
    ----------
    kernel_name : str
        The Jupyter kernel spec.
    start_timeout : float
        Seconds the kernel may take to start.
    cwd : str
        The folder it starts in (the notebooks' folder).
    warm : bool
        Whether to start a kernel at all (`warm=False`: each report starts its own).
    imports : tuple
        ``(module, names)`` pairs the kernel imports before its first report (`notebook_imports`).
    engine : str, default "inprocess"
        ``"inprocess"``: the reports run in the worker itself (`selfeval_kit.publish.inprocess`),
        which imports `imports` and starts no kernel; ``"kernel"``: in the worker's kernel.
    """

    kernel_name: str = "python3"
    start_timeout: float = 60
    cwd: str = "."
    warm: bool = True
    imports: tuple[tuple[str, tuple[str, ...]], ...] = ()
    engine: str = "inprocess"


def _run_sync(fn: Callable[..., Any]) -> Callable[..., Any]:
    """`fn` callable synchronously, whether or not it is a coroutine function (jupyter_client has both)."""
    import inspect

    from jupyter_core.utils import run_sync

    return run_sync(fn) if inspect.iscoroutinefunction(fn) else fn


def _quietly(fn: Callable[[], object], what: str) -> None:
    try:
        fn()
    except Exception:  # clean-up must not hide the real outcome
        log.debug("could not %s", what, exc_info=True)


class WarmKernel:
    """One started kernel and its client, reused for report after report in this process.

    Parameters
    ----------
    kernel_name : str
        The kernel spec.
    start_timeout : float
        Seconds the kernel may take to start.
    cwd : str
        The folder it starts in.

    Raises
    ------
    Exception
        Whatever jupyter_client raises when the kernel does not start (in time).
    """

    def __init__(self, kernel_name: str, start_timeout: float, cwd: str):
        import nbformat
        from nbclient import NotebookClient

        starter = NotebookClient(
            nbformat.v4.new_notebook(),
            kernel_name=kernel_name,
            startup_timeout=start_timeout,
            extra_arguments=list(KERNEL_ARGS),
        )
        km = starter.km = starter.create_kernel_manager()
        try:
            starter.start_new_kernel(cwd=cwd)
            starter.start_new_kernel_client()
        except BaseException:
            _quietly(lambda: _run_sync(km.shutdown_kernel)(now=True), "stop a kernel that failed to start")
            raise
        self.km: Any = km
        self.kc: Any = starter.kc
        self.kernel_name = kernel_name
        self.reports = 0
        self.pid = os.getpid()

    def run(self, code: str, timeout: float = 60) -> None:
        """Run `code` silently; RuntimeError when it raises in the kernel."""
        reply = _run_sync(self.kc.execute_interactive)(
            code, silent=True, store_history=False, allow_stdin=False, timeout=timeout, output_hook=lambda msg: None
        )
        content = reply.get("content", {})
        if content.get("status") != "ok":
            raise RuntimeError(f"kernel reset failed: {content.get('ename')}: {content.get('evalue')}")

    def alive(self) -> bool:
        """Whether the kernel process still runs."""
        try:
            return bool(_run_sync(self.km.is_alive)())
        except Exception:
            log.debug("cannot tell whether the kernel is alive", exc_info=True)
            return False

    def shutdown(self) -> None:
        """Stop the kernel (at once) and its client's channels."""
        if self.pid != os.getpid():  # inherited through a fork: not ours to stop
            return
        _quietly(self.kc.stop_channels, "stop the kernel client's channels")
        _quietly(lambda: _run_sync(self.km.shutdown_kernel)(now=True), "shut the kernel down")


_WARM: WarmKernel | None = None  # this process's kernel
_CONFIG = KernelConfig()  # this worker's, from `start_worker`


def kernel_for(kernel_name: str, start_timeout: float, cwd: str) -> WarmKernel:
    """This process's kernel: started (and pre-warmed) on first use, replaced when it died.

    Parameters
    ----------
    kernel_name, start_timeout, cwd
        As for `WarmKernel`; a kernel of another spec is replaced.

    Returns
    -------
    WarmKernel
        A live kernel.
    """
    global _WARM
    if _WARM is not None and (_WARM.kernel_name != kernel_name or _WARM.pid != os.getpid() or not _WARM.alive()):
        discard_kernel()
    if _WARM is None:
        kernel = WarmKernel(kernel_name, start_timeout, cwd)
        _WARM = kernel
        code = _PREWARM_CODE.format(imports=[list(pair) for pair in _CONFIG.imports])
        _quietly(lambda: kernel.run(code, timeout=max(start_timeout, 60)), "pre-warm the kernel")
    return _WARM


def discard_kernel() -> None:
    """Shut this process's kernel down, if it has one (the next `kernel_for` starts another)."""
    global _WARM
    if _WARM is not None:
        _WARM.shutdown()
        _WARM = None


def reset(kernel: WarmKernel, cwd: str, timeout: float) -> None:
    """Make the kernel as new for the next report (see the module's docstring); RuntimeError if it fails."""
    kernel.run(_RESET_CODE.format(cwd=cwd), timeout=timeout)


def start_worker(config: KernelConfig) -> None:
    """A build worker's initializer: its kernel started now, papermill and nbconvert loaded meanwhile.

    Parameters
    ----------
    config : KernelConfig
        The kernel to start. A kernel that fails to start is not an error here: the first report
        tries again and fails with the reason.
    """
    global _CONFIG
    _CONFIG = config
    if config.engine == "inprocess":
        _start_in_process(config)
        return
    _importable_in_kernels()
    multiprocessing.util.Finalize(None, discard_kernel, exitpriority=10)  # at the worker's exit
    loader = threading.Thread(target=_load_tools, name="selfeval-imports", daemon=True)
    loader.start()  # while the kernel starts
    if config.warm:
        try:
            kernel_for(config.kernel_name, config.start_timeout, config.cwd)
        except Exception:  # the first report starts one again, and says why it cannot
            log.debug("the worker's kernel did not start", exc_info=True)
            discard_kernel()
    loader.join()


def _start_in_process(config: KernelConfig) -> None:
    """The in-process engine's worker: what the notebooks and the export import, imported here."""
    import importlib

    from selfeval_kit.publish import inprocess

    _quietly(inprocess.prepare, "make the IPython shell")
    for module, names in config.imports:
        try:
            loaded = importlib.import_module(module)
            for name in names:
                getattr(loaded, name, None)
        except Exception:  # the report that imports it says why it cannot
            log.debug("could not import %s ahead of the reports", module, exc_info=True)
    from selfeval_kit.publish.exporter import shared_exporter

    _quietly(shared_exporter, "load nbconvert")


def _load_tools() -> None:
    import papermill  # noqa: F401 - and, through its entry point, the engine

    from selfeval_kit.publish.exporter import shared_exporter

    _quietly(shared_exporter, "load nbconvert")  # nbconvert, and the exporter the reports use


def _importable_in_kernels() -> None:
    """Let the kernels this worker starts import this very package, wherever the caller found it."""
    root = str(PACKAGE_ROOT)
    if root in site.getsitepackages() or root == site.getusersitepackages():
        return  # installed: every interpreter finds it
    paths = os.environ.get("PYTHONPATH", "")
    if root not in paths.split(os.pathsep):
        os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (root, paths) if p)


def notebook_imports(*notebooks: Path) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The imports of the notebooks' code cells, as ``(module, names)``; nothing is run.

    A cell that is not plain Python (an IPython magic) is passed over; relative imports too.
    """
    found: dict[str, set[str]] = {}
    for path in notebooks:
        for source in _code_cells(Path(path)):
            try:
                tree = ast.parse(source)
            except SyntaxError:
                continue
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    for alias in node.names:
                        found.setdefault(alias.name, set())
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    found.setdefault(node.module, set()).update(a.name for a in node.names if a.name != "*")
    return tuple((module, tuple(sorted(names))) for module, names in sorted(found.items()))


def _code_cells(path: Path) -> list[str]:
    try:
        cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
    except (OSError, ValueError, AttributeError):
        return []
    sources = []
    for cell in cells:
        if isinstance(cell, dict) and cell.get("cell_type") == "code":
            source = cell.get("source", "")
            sources.append("".join(source) if isinstance(source, list) else str(source))
    return sources
