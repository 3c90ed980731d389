"""The in-process engine: the pages a kernel gives, each report in a namespace of its own."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from selfeval_kit.publish.build import build
from selfeval_kit.publish.render import RenderOptions, ReportTask, render_report
from tests.report_build import FIXTURE_DATA, tiny_notebook

IN_PROCESS = RenderOptions(engine="inprocess")


def _render(notebook: Path, out: Path, options: RenderOptions = IN_PROCESS):
    task = ReportTask("project", out.stem, out.stem, str(notebook), {"form_id": out.stem}, str(out))
    return render_report(task, options)


@pytest.fixture(scope="module")
def both(tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("engines")
    data = root / "data"
    shutil.copytree(FIXTURE_DATA, data)
    for engine in ("inprocess", "kernel"):
        result = build(data, root / engine, jobs=1, engine=engine)
        assert result.ok, [r.error for r in result.reports if r.error]
    return root / "inprocess", root / "kernel"


def test_the_pages_are_the_kernels_byte_for_byte(both):
    mine, kernels = both
    pages = sorted(p.name for p in kernels.glob("*.html"))
    assert pages and sorted(p.name for p in mine.glob("*.html")) == pages
    for page in pages:
        assert (mine / page).read_bytes() == (kernels / page).read_bytes(), page


def test_a_report_does_not_see_the_names_of_the_report_before(tmp_path):
    first = _render(tiny_notebook(tmp_path / "a.ipynb", "leak = 1\nleak"), tmp_path / "a.html")
    second = _render(tiny_notebook(tmp_path / "b.ipynb", "leak + 1"), tmp_path / "b.html")
    assert first.error is None
    assert second.error == "NameError: name 'leak' is not defined（第 3 个代码单元）"


def test_a_report_does_not_see_the_results_of_the_report_before(tmp_path):
    first = _render(tiny_notebook(tmp_path / "a.ipynb", "41 + 1"), tmp_path / "a.html")
    second = _render(
        tiny_notebook(tmp_path / "b.ipynb", "print(len(Out), '_3' in dir(), '___' in dir())"), tmp_path / "b.html"
    )
    assert first.error is None and second.error is None
    assert '<pre class="stdout">0 False False\n</pre>' in (tmp_path / "b.html").read_text(encoding="utf-8")


def test_a_reports_reset_runs_no_full_garbage_collection(tmp_path, monkeypatch):
    # IPython's reset ends with gc.collect(), which walked all a worker holds at every report
    import gc

    calls = []
    monkeypatch.setattr(gc, "collect", lambda *args: calls.append(args) or 0)
    for name in ("a", "b"):
        assert _render(tiny_notebook(tmp_path / f"{name}.ipynb", "41 + 1"), tmp_path / f"{name}.html").error is None
    assert calls == []


def test_a_failing_cell_fails_its_report_naming_the_exception_and_the_cell(tmp_path):
    outcome = _render(tiny_notebook(tmp_path / "z.ipynb", "1 / 0"), tmp_path / "z.html")
    assert outcome.error == "ZeroDivisionError: division by zero（第 3 个代码单元）"
    assert not (tmp_path / "z.html").exists()


def test_a_notebook_the_format_refuses_fails_its_report_naming_the_cell(tmp_path):
    notebook = tiny_notebook(tmp_path / "bad.ipynb", "1 + 1")
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    nb["cells"].append({"cell_type": "markdown", "metadata": {}, "id": "note"})  # no source
    notebook.write_text(json.dumps(nb), encoding="utf-8")
    outcome = _render(notebook, tmp_path / "bad.html")
    assert outcome.error.startswith("NotebookValidationError: 'source' is a required property")
    assert "On instance['cells'][3]" in outcome.error  # after the injected parameters
    assert not (tmp_path / "bad.html").exists()


def test_a_report_runs_in_its_notebooks_folder_and_gives_the_folder_back(tmp_path):
    folder = tmp_path / "notebooks"
    folder.mkdir()
    before = os.getcwd()
    outcome = _render(tiny_notebook(folder / "cwd.ipynb", "import os\nprint(os.getcwd())"), tmp_path / "cwd.html")
    assert outcome.error is None and os.getcwd() == before
    assert f'<pre class="stdout">{folder}\n</pre>' in (tmp_path / "cwd.html").read_text(encoding="utf-8")


_WARNINGS_OF = """
import sys
from pathlib import Path
from selfeval_kit.publish.render import RenderOptions, ReportTask, render_report
for name in sys.argv[1:]:
    task = ReportTask("project", name, name, name, {}, str(Path(name).with_suffix(".html")))
    print(render_report(task, RenderOptions(engine="inprocess")).warnings)
"""


def _warnings_of(*notebooks: Path) -> list[str]:
    # Outside pytest, which records warnings instead of letting them reach stderr.
    done = subprocess.run(
        [sys.executable, "-c", _WARNINGS_OF, *map(str, notebooks)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def test_what_a_report_writes_on_stderr_is_its_warnings(tmp_path):
    notebook = tiny_notebook(tmp_path / "w.ipynb", "import warnings\nwarnings.warn('口径不一致')")
    [printed] = _warnings_of(notebook)
    assert "UserWarning: 口径不一致" in printed


def test_a_warning_shows_in_every_report_that_triggers_it(tmp_path):
    source = "import warnings\nwarnings.warn('每次都提示')"
    notebooks = [tiny_notebook(tmp_path / f"{n}.ipynb", source) for n in "ab"]
    assert ["每次都提示" in line for line in _warnings_of(*notebooks)] == [True, True]


def test_a_reports_shell_leaves_no_thread_behind(tmp_path):
    """Each IPython shell starts a thread saving its history; a worker runs thousands of reports."""
    import threading
    import time

    for n in range(3):
        assert _render(tiny_notebook(tmp_path / f"s{n}.ipynb", "1 + 1"), tmp_path / f"s{n}.html").error is None
    time.sleep(0.2)
    assert [t.name for t in threading.enumerate() if t.name == "IPythonHistorySavingThread"] == []


def test_the_process_keeps_its_own_main_module(tmp_path):
    """IPython makes a shell's namespace ``__main__``; multiprocessing's spawn needs the real one afterwards."""
    main = sys.modules["__main__"]
    assert _render(tiny_notebook(tmp_path / "m.ipynb", "1 + 1"), tmp_path / "m.html").error is None
    assert sys.modules["__main__"] is main


_HISTORY_OF = """
import sys
from pathlib import Path
from selfeval_kit.publish.render import RenderOptions, ReportTask, render_report
name = sys.argv[1]
task = ReportTask("project", name, name, name, {}, str(Path(name).with_suffix(".html")))
print(render_report(task, RenderOptions(engine="inprocess")).error)
"""


def test_a_report_writes_nothing_into_the_users_ipython_history(tmp_path):
    """The workers' shells have no history database: none of the user's written, locked or grown by reports."""
    notebook = tiny_notebook(tmp_path / "h.ipynb", "print('已运行')")
    ipython_dir = tmp_path / "ipython"
    env = {**os.environ, "IPYTHONDIR": str(ipython_dir)}
    done = subprocess.run(
        [sys.executable, "-c", _HISTORY_OF, str(notebook)], capture_output=True, text=True, timeout=120, env=env
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["None"]
    assert '<pre class="stdout">已运行\n</pre>' in (tmp_path / "h.html").read_text(encoding="utf-8")
    assert list(ipython_dir.rglob("*.sqlite")) == []


_OUTPUTS = {
    "streams": ["print('第一行')\nimport sys\nprint('警告', file=sys.stderr)\nprint('第二行')"],
    "result": ["{'得分': 92.5, '等级': '优'}"],
    "rich display": ["from IPython.display import HTML, display\ndisplay(HTML('<b>优</b>'))\n'末值'"],
    "display updated from a later cell": [
        "from IPython.display import display\nh = display('旧', display_id='d')",
        "h.update('新')\nprint('已更新')",
    ],
    "cleared output": ["from IPython.display import clear_output\nprint('看不见')\nclear_output()\nprint('看得见')"],
    "flushed twice": ["import sys\nprint('一')\nsys.stdout.flush()\nprint('二')"],
    "stream around a display": ["print('前')\nfrom IPython.display import display\ndisplay(1)\nprint('后')"],
    "an image": [
        "import struct, zlib\nfrom IPython.display import Image\n"
        "def chunk(kind, body):\n"
        "    return struct.pack('>I', len(body)) + kind + body + struct.pack('>I', zlib.crc32(kind + body))\n"
        "png = b'\\x89PNG\\r\\n\\x1a\\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', 1, 1, 8, 0, 0, 0, 0))\n"
        "png += chunk(b'IDAT', zlib.compress(b'\\x00\\x80')) + chunk(b'IEND', b'')\n"
        "Image(png)"
    ],
    "no output": ["x = 1"],
}


def _outputs_in_process(path: Path) -> list:
    from selfeval_kit.publish import inprocess

    return [c.outputs for c in inprocess.execute(path, {"form_id": "p"}).cells if c.cell_type == "code"]


def _outputs_in_a_kernel(path: Path) -> list:
    import papermill

    nb = papermill.execute_notebook(
        str(path), None, parameters={"form_id": "p"}, progress_bar=False, kernel_name="python3"
    )
    return [c.outputs for c in nb.cells if c.cell_type == "code"]


@pytest.mark.parametrize("cells", _OUTPUTS.values(), ids=_OUTPUTS.keys())
def test_each_kind_of_output_is_what_a_kernel_gives(tmp_path, cells):
    import nbformat

    path = tiny_notebook(tmp_path / "o.ipynb", cells[0])
    nb = nbformat.read(path, as_version=4)
    nb.cells += [nbformat.v4.new_code_cell(source) for source in cells[1:]]
    nbformat.write(nb, path)
    assert _outputs_in_process(path) == _outputs_in_a_kernel(path)
