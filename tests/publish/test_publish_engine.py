"""The papermill engine of the warm kernels: registered through its entry point, usable on its own."""

from __future__ import annotations

import logging
import subprocess
import sys

import nbformat
import papermill
from papermill.engines import papermill_engines

from selfeval_kit.publish import engine


def test_papermill_finds_the_engine_through_its_entry_point():
    code = "import papermill.engines as e; print(e.papermill_engines.get_engine('selfeval-warm').__module__)"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "selfeval_kit.publish.engine"  # loaded by papermill itself (pip install -e . adds it)


def test_without_the_entry_point_the_engine_is_registered_at_run_time_and_it_is_logged(monkeypatch, caplog):
    monkeypatch.setattr(
        papermill_engines, "_engines", {k: v for k, v in papermill_engines._engines.items() if k != engine.ENGINE_NAME}
    )
    with caplog.at_level(logging.INFO, logger="selfeval_kit.publish"):
        engine.ensure_registered()
    assert papermill_engines.get_engine(engine.ENGINE_NAME) is engine.WarmKernelEngine
    assert any("entry point is missing" in r.getMessage() for r in caplog.records)
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="selfeval_kit.publish"):
        engine.ensure_registered()  # registered now: nothing to say
    assert not caplog.records


def test_without_a_warm_kernel_it_runs_as_papermills_own_engine(tmp_path):
    nb = nbformat.v4.new_notebook(
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    )
    nb.cells = [
        nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("print('x is', x * 2)"),
    ]
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, path)
    out = papermill.execute_notebook(
        str(path), None, parameters={"x": 21}, engine_name=engine.ENGINE_NAME, progress_bar=False
    )
    assert out.cells[-1].outputs[0]["text"] == "x is 42\n"
    assert out.metadata.papermill.parameters == {"x": 21}
