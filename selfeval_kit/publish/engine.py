"""The papermill engine that runs a notebook in the worker's warm kernel instead of starting one.

papermill still reads the notebook, injects the parameters (its ``injected-parameters`` cell),
records execution metadata and raises PapermillExecutionError on a failing cell; only the
kernel's start and shutdown are left out. The engine is registered with papermill through the
``papermill.engine`` entry point (pyproject.toml) under `ENGINE_NAME`: papermill imports this
module while it loads its own engines. Hence this module must not be the first to import
papermill (import papermill, then this module); and in an environment where the entry point is
missing (an editable install not re-run since it was added: ``pip install -e .``),
`ensure_registered` registers the engine at run time and logs it.

Given no warm kernel (papermill's own ``--engine selfeval-warm``), it runs as papermill's
standard engine does, in a kernel started for the notebook.
"""

from __future__ import annotations

import logging
from typing import Any

from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine
from papermill.log import logger as papermill_logger

__all__ = ["ENGINE_NAME", "WarmKernelEngine", "ensure_registered"]

log = logging.getLogger("selfeval_kit.publish")

ENGINE_NAME = "selfeval-warm"  # as in pyproject.toml's [project.entry-points."papermill.engine"]


class WarmKernelEngine(NBClientEngine):
    """papermill's nbclient engine, in a kernel that is already running (`warm_kernel`)."""

    @classmethod
    def execute_managed_notebook(
        cls,
        nb_man: Any,
        kernel_name: str,
        log_output: bool = False,
        stdout_file: Any = None,
        stderr_file: Any = None,
        start_timeout: int = 60,
        execution_timeout: int | None = None,
        warm_kernel: Any = None,
        **kwargs: Any,
    ) -> Any:
        """Execute the notebook in `warm_kernel` (a `kernel.WarmKernel`); neither start nor stop it."""
        if warm_kernel is None:
            return super().execute_managed_notebook(
                nb_man, kernel_name, log_output=log_output, stdout_file=stdout_file, stderr_file=stderr_file,
                start_timeout=start_timeout, execution_timeout=execution_timeout, **kwargs,
            )  # fmt: skip
        client = PapermillNotebookClient(
            nb_man,
            km=warm_kernel.km,
            timeout=execution_timeout,
            startup_timeout=start_timeout,
            kernel_name=kernel_name,
            log=papermill_logger,
            log_output=log_output,
            stdout_file=stdout_file,
            stderr_file=stderr_file,
        )
        client.kc = (
            warm_kernel.kc
        )  # its client too: the kernel manager is not the client's own, so nothing is shut down
        return client.execute()


def ensure_registered() -> None:
    """Register the engine with papermill unless its entry point did (and log that it had not)."""
    from papermill.engines import papermill_engines
    from papermill.exceptions import PapermillException

    try:
        papermill_engines.get_engine(ENGINE_NAME)
    except PapermillException:
        log.info(
            "papermill has no %r engine (its entry point is missing: re-run `pip install -e .`); registered it now",
            ENGINE_NAME,
        )
        papermill_engines.register(ENGINE_NAME, WarmKernelEngine)
