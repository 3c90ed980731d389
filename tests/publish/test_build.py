"""`selfeval build` and `selfeval_kit.publish.build.build`: the pipeline, its failures, params, notebooks."""

from __future__ import annotations

import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
import yaml
from click.testing import CliRunner

from selfeval_kit.cli import main
from selfeval_kit.errors import BuildError
from selfeval_kit.publish import build as build_mod
from selfeval_kit.publish import digest
from selfeval_kit.publish.manifest import LOCK_NAME, MANIFEST_NAME
from tests.report_build import FIXTURE_DATA, FORM_IDS, built_reports, tiny_notebook

ROOT = Path(__file__).resolve().parent.parent.parent
NOTEBOOKS = ROOT / "selfeval_kit" / "publish" / "notebooks"
PARAMS = ROOT / "params" / "2022"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return built_reports(tmp_path_factory)


def test_cli_build_writes_every_report_and_the_index(built):
    assert built.exit_code == 0, built.output
    names = sorted(p.name for p in built.out.iterdir() if not p.name.startswith("."))
    assert names == sorted([*(f"{i}.html" for i in FORM_IDS), "annual.html", "index.html"])
    assert "wrote" in built.output and "3 of 3 reports" in built.output
    for path in built.out.iterdir():
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode & stat.S_IRUSR and mode & stat.S_IRGRP, oct(mode)  # publishable, not 0600
    hidden = sorted(p.name for p in built.out.iterdir() if p.name.startswith("."))
    assert hidden == sorted([MANIFEST_NAME, LOCK_NAME])  # no temporary file left
    manifest = json.loads((built.out / MANIFEST_NAME).read_text(encoding="utf-8"))
    assert sorted(manifest["reports"]) == sorted([*(f"{i}.html" for i in FORM_IDS), "annual.html"])
    assert manifest["fingerprint"] and not manifest["failed"]


def test_a_failing_report_does_not_stop_the_others_and_keeps_its_earlier_page(tmp_path):
    good = tiny_notebook(tmp_path / "good.ipynb", 'print("项目", form_id)')
    bad = tiny_notebook(
        tmp_path / "bad.ipynb", 'if form_id == "xss-demo":\n    raise ValueError("示例失败")\nprint("项目", form_id)'
    )
    annual = tiny_notebook(tmp_path / "annual.ipynb", 'print("年度", year)')
    out = tmp_path / "out"
    first = build_mod.build(FIXTURE_DATA, out, project_notebook=good, annual_notebook=annual, jobs=1)
    assert first.ok
    earlier = (out / "xss-demo.html").read_bytes()

    seen = []
    result = build_mod.build(FIXTURE_DATA, out, project_notebook=bad, annual_notebook=annual, progress=seen.append)
    assert sorted(o.key for o in seen) == sorted(["hotline-system-ops", "xss-demo"])  # the annual one is up to date
    assert not result.ok
    assert [o.key for o in result.failed] == ["xss-demo"]
    failed = result.failed[0]
    assert failed.path is None and "ValueError" in failed.error and "示例失败" in failed.error
    assert failed.previous == out / "xss-demo.html"
    assert (out / "xss-demo.html").read_bytes() == earlier  # the good page of the first build, untouched
    assert (out / "hotline-system-ops.html").is_file() and (out / "annual.html").is_file()
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "示例失败" in index and "✗ 失败" in index and "1 份报告生成失败" in index
    assert 'href="hotline-system-ops.html"' in index
    assert 'href="xss-demo.html"' in index and "来自较早一次生成" in index  # linked, and said to be older
    page = (out / "hotline-system-ops.html").read_text(encoding="utf-8")
    assert "项目 hotline-system-ops" in page  # stdout is kept; the parameter cell is not
    assert 'form_id = ""' not in page

    manifest = json.loads((out / MANIFEST_NAME).read_text(encoding="utf-8"))
    assert list(manifest["failed"]) == ["xss-demo.html"] and manifest["fingerprint"] is None
    # the manifest still describes the page on disk (built from the good notebook), not the failed inputs
    assert manifest["reports"]["xss-demo.html"]["outputs"]["xss-demo.html"]["sha256"] == digest.sha(earlier)
    assert manifest["failed"]["xss-demo.html"]["digest"] != manifest["reports"]["xss-demo.html"]["digest"]

    again = build_mod.build(FIXTURE_DATA, out, project_notebook=bad, annual_notebook=annual, dry_run=True)
    assert [o.key for o in again.executed] == ["xss-demo"]  # a failed report is tried again, nothing else


@pytest.mark.parametrize("engine", ["inprocess", "kernel"])
def test_a_notebook_that_never_ends_times_out_and_the_next_report_still_runs(tmp_path, engine):
    slow = tiny_notebook(
        tmp_path / "slow.ipynb",
        'import time, os\nif form_id == "hotline-system-ops":\n    time.sleep(60)\nprint("项目", form_id)',
    )
    annual = tiny_notebook(tmp_path / "annual.ipynb", 'print("年度", year)')
    result = build_mod.build(
        FIXTURE_DATA, tmp_path / "out", project_notebook=slow, annual_notebook=annual, jobs=1, timeout=1, engine=engine
    )
    assert [o.key for o in result.failed] == ["hotline-system-ops"]
    assert "Timeout" in result.failed[0].error or "timed out" in result.failed[0].error
    assert "项目 xss-demo" in (tmp_path / "out" / "xss-demo.html").read_text(
        encoding="utf-8"
    )  # ran after it (with the kernel engine, in a new kernel)


def test_cli_exits_non_zero_when_a_report_fails(monkeypatch, tmp_path):
    outcome = build_mod.ReportOutcome("project", "x", "x", None, "ValueError: boom")
    fake = build_mod.BuildResult(tmp_path, tmp_path / "index.html", [outcome], [])
    monkeypatch.setattr(build_mod, "build", lambda *a, **k: fake)
    result = CliRunner().invoke(main, ["build", str(FIXTURE_DATA), "--out", str(tmp_path)])
    assert result.exit_code == 1
    assert "1 report(s) failed: x" in result.output


def test_cli_defaults_to_the_bundled_2022_data(monkeypatch, tmp_path):
    calls = []

    def fake(data, out, **kwargs):
        calls.append((data, out, kwargs))
        return build_mod.BuildResult(Path(out), Path(out) / "index.html", [], [])

    monkeypatch.setattr(build_mod, "build", fake)
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, ["build"])
    assert result.exit_code == 0, result.output
    data, out, kwargs = calls[0]
    assert Path(data) == Path("data/2022") and Path(out) == Path("reports/2022")
    assert kwargs["profile"] == "national"


def test_invalid_data_and_unknown_profile_are_reported_not_raised(tmp_path):
    runner = CliRunner()
    result = runner.invoke(main, ["build", str(tmp_path / "missing"), "--out", str(tmp_path / "o")])
    assert result.exit_code == 1 and "error:" in result.output
    result = runner.invoke(
        main, ["build", str(FIXTURE_DATA), "--out", str(tmp_path / "o"), "--profile", "no-such-profile"]
    )
    assert result.exit_code == 1 and "no-such-profile" in result.output


def test_notebooks_have_the_documented_parameters():
    import papermill

    project = papermill.inspect_notebook(str(NOTEBOOKS / "project_report.ipynb"))
    assert {k: v["default"] for k, v in project.items()} == {
        "data_path": '"data/2022"',
        "form_id": '"hotline-system-ops"',
        "profile": '"national"',
        "reviewer": "None",
        "reviewer_unit": "None",
        "review_date": "None",
    }
    annual = papermill.inspect_notebook(str(NOTEBOOKS / "annual_report.ipynb"))
    assert {k: v["default"] for k, v in annual.items()} == {
        "data_path": '"data/2022"',
        "year": "2022",
        "profile": '"national"',
        "reviewer": "None",
        "reviewer_unit": "None",
        "review_date": "None",
    }
    for name in ("project_report.ipynb", "annual_report.ipynb"):
        nb = nbformat.read(NOTEBOOKS / name, as_version=4)
        nbformat.validate(nb)
        assert nb.metadata.kernelspec.name == "python3"
        assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")  # stored clean


def test_params_cover_every_2022_form():
    ids = sorted(p.stem for p in (ROOT / "data" / "2022").glob("*.yaml"))
    files = sorted(p.stem for p in PARAMS.glob("*.yaml"))
    assert files == sorted([*ids, "annual"])
    for form_id in ids:
        params = yaml.safe_load((PARAMS / f"{form_id}.yaml").read_text(encoding="utf-8"))
        assert params == {"data_path": "data/2022", "form_id": form_id, "profile": "national"}
        assert (ROOT / params["data_path"] / f"{form_id}.yaml").is_file()
    assert yaml.safe_load((PARAMS / "annual.yaml").read_text(encoding="utf-8")) == {
        "data_path": "data/2022",
        "year": 2022,
        "profile": "national",
    }


def test_relative_data_path_resolves_from_the_notebooks_folder(monkeypatch):
    from selfeval_kit.form.sources import resolve_data_path

    monkeypatch.chdir(NOTEBOOKS)
    assert resolve_data_path("data/2022").resolve() == (ROOT / "data" / "2022").resolve()
    monkeypatch.chdir(ROOT)
    assert resolve_data_path("data/2022") == Path("data/2022")


def test_css_string_cannot_break_out():
    from selfeval_kit.publish.exporter import css_string

    text = css_string('a"b</style><script>\\')
    assert text.startswith('"') and text.endswith('"')
    inner = text[1:-1]
    assert '"' not in inner and "<" not in inner and ">" not in inner and "\\5c " in inner


# ------------------------------------------------------------------ incremental, atomic, warm kernels


def _portfolio(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(FIXTURE_DATA, data)
    return data


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _executed(result) -> list[str]:
    return sorted(o.key for o in result.executed)


def test_rebuild_runs_only_what_changed(tmp_path, monkeypatch):
    data = _portfolio(tmp_path)
    project = tiny_notebook(tmp_path / "project.ipynb", 'print("项目", form_id)')
    annual = tiny_notebook(tmp_path / "annual.ipynb", 'print("年度", year)')
    out = tmp_path / "out"

    def again(**kwargs):
        return build_mod.build(data, out, project_notebook=project, annual_notebook=annual, jobs=1, **kwargs)

    assert _executed(again()) == ["annual", "hotline-system-ops", "xss-demo"]
    pages = {p.name: p.read_bytes() for p in out.glob("*.html")}

    nothing = again()  # nothing changed: answered from the manifest, nothing run or written
    assert nothing.up_to_date and nothing.ok and _executed(nothing) == []
    assert {p.name: p.read_bytes() for p in out.glob("*.html")} == pages

    # a comment is no change to the form; a new day is no change to a report
    _edit(data / "xss-demo.yaml", "id: xss-demo", "# reviewed\nid: xss-demo")
    from selfeval_kit.report import index as report_index
    from selfeval_kit.views import formatting

    monkeypatch.setattr(formatting, "chinese_date", lambda day=None: "2099年1月1日")
    monkeypatch.setattr(report_index, "chinese_date", formatting.chinese_date, raising=False)
    result = again()
    assert not result.up_to_date and _executed(result) == []
    assert {p.name: p.read_bytes() for p in out.glob("*.html")} == pages  # index.html included
    monkeypatch.undo()

    # a changed form: its report and the annual one, nothing else
    _edit(data / "xss-demo.yaml", "示范项目", "示范项目（修订）")
    result = again()
    assert _executed(result) == ["annual", "xss-demo"]
    assert (out / "hotline-system-ops.html").read_bytes() == pages["hotline-system-ops.html"]
    assert (out / "xss-demo.html").read_bytes() != pages["xss-demo.html"]
    assert _executed(again()) == []

    # what would run (a dry run runs and writes nothing) when ...
    everything = ["annual", "hotline-system-ops", "xss-demo"]
    page = out / "hotline-system-ops.html"
    page.write_text(page.read_text(encoding="utf-8") + "<!-- edited -->", encoding="utf-8")
    assert _executed(again(dry_run=True)) == ["hotline-system-ops"]  # ... a report was edited by hand
    page.unlink()
    assert _executed(again(dry_run=True)) == ["hotline-system-ops"]  # ... or deleted
    assert not page.exists()  # a dry run writes nothing
    project.write_text(project.read_text(encoding="utf-8").replace("项目", "项目报告"), encoding="utf-8")
    assert _executed(again(dry_run=True)) == ["hotline-system-ops", "xss-demo"]  # ... the project notebook changed
    assert _executed(again(dry_run=True, profile="hubei-2020")) == everything  # ... another profile
    profile = tmp_path / "my.yaml"
    rules = "name: mine\nlabel: {}\nbudget_weight: 20\nlevel1_split: {{产出指标: 40, 效益指标: 30, 满意度指标: 10}}\n"
    profile.write_text(rules.format("我的规则"), encoding="utf-8")
    first = digest.profile_digest(str(profile))
    profile.write_text(rules.format("我的规则（修订）"), encoding="utf-8")
    assert digest.profile_digest(str(profile)) != first  # ... the profile file changed
    monkeypatch.setattr(digest, "package_digest", lambda: "a developer edited the package")
    assert _executed(again(dry_run=True)) == everything  # ... the package changed
    monkeypatch.undo()
    assert _executed(again(dry_run=True, force=True)) == everything  # ... --force

    # a form removed: its page goes too
    (data / "xss-demo.yaml").unlink()
    result = again()
    assert _executed(result) == ["annual", "hotline-system-ops"] and result.ok
    assert not (out / "xss-demo.html").exists() and "xss-demo" not in (out / "index.html").read_text(encoding="utf-8")


def test_package_digest_covers_code_templates_notebooks_and_profiles(tmp_path, monkeypatch):
    package = tmp_path / "selfeval_kit"
    for name in (
        "publish/build.py",
        "rules/profiles/national.yaml",
        "publish/notebooks/project_report.ipynb",
        "data/2022/a.yaml",
    ):
        (package / name).parent.mkdir(parents=True, exist_ok=True)
        (package / name).write_text("v1", encoding="utf-8")
    monkeypatch.setattr(digest, "PACKAGE_DIR", package)
    first = digest.package_digest()
    assert len(first) == 64
    for name in ("publish/build.py", "rules/profiles/national.yaml", "publish/notebooks/project_report.ipynb"):
        (package / name).write_text("v2", encoding="utf-8")
        assert digest.package_digest() != first, name  # an edit makes every report out of date
        (package / name).write_text("v1", encoding="utf-8")
    (package / "data/2022/a.yaml").write_text("v2", encoding="utf-8")  # the bundled forms are data, digested per report
    (package / "publish/__pycache__").mkdir()
    (package / "publish/__pycache__/build.cpython-311.pyc").write_bytes(b"compiled")
    assert digest.package_digest() == first


def test_build_lists_the_files_load_reads(tmp_path):
    for name in ("a.yaml", "b.yml", "c.json", ".hidden.yaml", "notes.txt"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    assert [p.name for p in digest.data_files(tmp_path)] == ["a.yaml", "b.yml", "c.json"]
    assert digest.data_files(tmp_path / "a.yaml") == [tmp_path / "a.yaml"]
    assert digest.data_files(tmp_path / "missing") is None
    (tmp_path / "sub.yaml").mkdir()
    assert digest.data_files(tmp_path / "sub.yaml") is None  # an empty folder: load refuses it
    assert digest.data_files(tmp_path) is None  # a folder named as a form file: load refuses the folder


NOOP = """
import sys
from selfeval_kit.cli import main
try:
    main(["build", sys.argv[1], "--out", sys.argv[2]])
except SystemExit as exc:
    assert not exc.code, exc.code
heavy = ("pandas", "matplotlib", "pydantic", "papermill", "nbconvert", "nbclient", "yaml", "loky")
heavy = sorted(m for m in heavy if m in sys.modules)
print("HEAVY", ",".join(heavy))
"""


def test_a_no_op_rebuild_imports_nothing_heavy(built):
    build_mod.build(FIXTURE_DATA, built.out)  # up to date (unless the package was edited since the fixture was built)
    proc = subprocess.run(
        [sys.executable, "-c", NOOP, str(FIXTURE_DATA), str(built.out)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "up to date" in proc.stdout
    assert proc.stdout.strip().splitlines()[-1] == "HEAVY"  # none of them


def test_reports_in_one_warm_kernel_are_isolated(tmp_path):
    probe = tiny_notebook(
        tmp_path / "probe.ipynb",
        "import os\n"
        "try:\n    leftover = previous_form\nexcept NameError:\n    leftover = None\n"
        "previous_form = form_id\n"
        'print("form", form_id, "leftover", leftover, "kernel", os.getpid(),'
        ' "count", get_ipython().execution_count, "cwd", os.getcwd())',
    )
    annual = tiny_notebook(tmp_path / "annual.ipynb", 'print("年度", year)')
    out = tmp_path / "out"
    result = build_mod.build(
        FIXTURE_DATA, out, project_notebook=probe, annual_notebook=annual, jobs=1, keep_notebooks=True, engine="kernel"
    )
    assert result.ok
    lines = {}
    for form_id in FORM_IDS:
        text = (out / f"{form_id}.html").read_text(encoding="utf-8")
        line = next(x for x in text.splitlines() if x.startswith("form ") or "form " + form_id in x)
        lines[form_id] = line
        assert f"form {form_id} leftover None" in line  # nothing of the report before
        assert f"cwd {tmp_path}" in line
    kernels = {line.split(" kernel ")[1].split()[0] for line in lines.values()}
    assert len(kernels) == 1  # one kernel ran both: the warm path was taken
    counts = {line.split(" count ")[1].split()[0] for line in lines.values()}
    assert len(counts) == 1  # the execution count starts again for each report
    # papermill semantics: the parameters are injected in their own cell, after the defaults
    nb = nbformat.read(out / "xss-demo.ipynb", as_version=4)
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1 and 'form_id = "xss-demo"' in injected[0].source
    assert nb.metadata.papermill.parameters["form_id"] == "xss-demo"


KILLED_BUILD = """
import sys
from selfeval_kit.publish.build import build
build(sys.argv[1], sys.argv[2], project_notebook=sys.argv[3], annual_notebook=sys.argv[4], jobs=1)
"""


def test_a_killed_build_leaves_every_page_whole(tmp_path):
    data = _portfolio(tmp_path)
    out = tmp_path / "out"
    annual = tiny_notebook(tmp_path / "annual.ipynb", 'print("年度 v1", year)')
    v1 = tiny_notebook(tmp_path / "v1.ipynb", 'print("版本 v1", form_id)')
    assert build_mod.build(data, out, project_notebook=v1, annual_notebook=annual, jobs=1).ok
    before = {p.name: p.read_bytes() for p in out.iterdir() if not p.name.startswith(".")}

    # v2 hangs on the second project, after the first one's page is written; then the build is killed
    marker = tmp_path / "hang"
    marker.write_text("", encoding="utf-8")
    v2 = tiny_notebook(
        tmp_path / "v2.ipynb",
        f'import os, time\nif form_id == "xss-demo" and os.path.exists({str(marker)!r}):\n    time.sleep(120)\n'
        'print("版本 v2", form_id)',
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLED_BUILD, str(data), str(out), str(v2), str(annual)],
        cwd=ROOT,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 90
        while "版本 v2" not in (out / "hotline-system-ops.html").read_text(encoding="utf-8"):
            assert time.monotonic() < deadline and proc.poll() is None, "the build did not get to its first report"
            time.sleep(0.1)
        time.sleep(0.5)  # well into the hanging report
        helpers = _descendants(proc.pid)  # its worker, the worker's kernel (and loky's resource tracker)
        assert len(helpers) >= 2
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)

    after = {p.name: p.read_bytes() for p in out.iterdir() if not p.name.startswith(".")}
    assert sorted(after) == sorted(before)  # no temporary file among the reports
    assert after["xss-demo.html"] == before["xss-demo.html"]  # the page being made when killed: as it was
    assert after["index.html"] == before["index.html"]
    assert after["annual.html"] == before["annual.html"]  # its inputs did not change: not run
    assert "版本 v2" in after["hotline-system-ops.html"].decode("utf-8")  # replaced whole
    for page in after.values():
        assert page.rstrip().endswith(b"</html>")

    # the worker of the killed build stops by itself, and with it its kernel
    deadline = time.monotonic() + 15
    while [pid for pid in helpers if _alive(pid)] and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not [pid for pid in helpers if _alive(pid)]

    # the report being made when killed was not recorded as built: the next build makes it
    marker.unlink()
    todo = [
        o.key for o in build_mod.build(data, out, project_notebook=v2, annual_notebook=annual, dry_run=True).executed
    ]
    assert "xss-demo" in todo and "annual" not in todo


@pytest.mark.parametrize(
    ("took", "due_at", "not_due_at"),
    [
        (0.002, 11.0, 10.99),  # a small manifest: a second after the write ended (at 10 s)
        (0.02, 11.0, 10.99),  # 50 × 0.02 s is the second itself
        (0.1, 15.0, 14.99),  # a large one: 50 × as long as the write took
        (0.25, 22.5, 22.49),  # ≈ 20,000 reports
    ],
)
def test_the_manifest_is_written_again_a_second_or_fifty_times_its_last_write_later(took, due_at, not_due_at):
    pace = build_mod._Pace(start=0.0)
    assert not pace.due(0.99) and pace.due(1.0)
    pace.wrote(10.0 - took, 10.0)
    assert not pace.due(not_due_at)
    assert pace.due(due_at)


def _descendants(pid: int) -> list[int]:
    """The processes started by `pid`, and by them, and so on (Linux)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                pass
    found, todo = [], [pid]
    while todo:
        parent = todo.pop()
        children = [child for child, ppid in parents.items() if ppid == parent]
        found.extend(children)
        todo.extend(children)
    return found


def _alive(pid: int) -> bool:
    """The process runs (a zombie, exited but not yet reaped, does not count)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_atomic_writes_respect_the_umask(tmp_path):
    from selfeval_kit.files import atomic_write_bytes, atomic_write_text

    old = os.umask(0o027)
    try:
        atomic_write_bytes(tmp_path / "a.bin", b"x")
        atomic_write_text(tmp_path / "b.txt", "y")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "a.bin").stat().st_mode) == 0o640
    assert stat.S_IMODE((tmp_path / "b.txt").stat().st_mode) == 0o640
    old = os.umask(0o022)
    try:
        atomic_write_bytes(tmp_path / "a.bin", b"z")  # replacing a file
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "a.bin").stat().st_mode) == 0o644
    assert (tmp_path / "a.bin").read_bytes() == b"z"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.bin", "b.txt"]


LOCK_HOLDER = """
import sys, time
import filelock
with filelock.FileLock(sys.argv[1]):
    print("locked", flush=True)
    time.sleep(60)
"""


def test_a_build_into_a_folder_another_build_is_writing_is_refused(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    holder = subprocess.Popen(
        [sys.executable, "-c", LOCK_HOLDER, str(out / LOCK_NAME)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(BuildError, match="another build is writing"):
            build_mod.build(FIXTURE_DATA, out, jobs=1)
        result = CliRunner().invoke(main, ["build", str(FIXTURE_DATA), "--out", str(out)])
        assert (
            result.exit_code == 1 and "another build is writing" in result.output and "Traceback" not in result.output
        )
    finally:
        holder.kill()
        holder.wait()
    assert not (out / MANIFEST_NAME).exists()  # nothing was written while the other build held the folder


@pytest.mark.parametrize(("engine", "worker"), [("inprocess", "os.getpid()"), ("kernel", "os.getppid()")])
def test_a_report_whose_worker_dies_fails_and_the_others_are_built(tmp_path, engine, worker):
    """The notebook kills the worker running it (in-process: itself; else its kernel's parent)."""
    deadly = tiny_notebook(
        tmp_path / "deadly.ipynb",
        f'import os, signal\nif form_id == "xss-demo":\n    os.kill({worker}, signal.SIGKILL)\nprint("项目", form_id)',
    )
    annual = tiny_notebook(tmp_path / "annual.ipynb", 'print("年度", year)')
    out = tmp_path / "out"
    result = build_mod.build(FIXTURE_DATA, out, project_notebook=deadly, annual_notebook=annual, jobs=1, engine=engine)
    assert [o.key for o in result.failed] == ["xss-demo"]
    assert "worker process" in result.failed[0].error and "died" in result.failed[0].error
    assert "项目 hotline-system-ops" in (out / "hotline-system-ops.html").read_text(encoding="utf-8")
    assert (out / "annual.html").is_file() and not (out / "xss-demo.html").exists()
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "died" in index and "1 份报告生成失败" in index


ENV_PROBE = 'import os\nprint("share", os.environ.get("SELFEVAL_SHARE_EVALUATION"))'


def test_the_kernels_get_no_environment_side_channel(tmp_path):
    probe = tiny_notebook(tmp_path / "probe.ipynb", ENV_PROBE)
    out = tmp_path / "out"
    assert build_mod.build(FIXTURE_DATA, out, project_notebook=probe, annual_notebook=probe, jobs=1).ok
    assert "share None" in (out / "xss-demo.html").read_text(encoding="utf-8")


def test_the_reviewers_signature_reaches_every_report_and_a_change_rebuilds(tmp_path):
    out = tmp_path / "o"
    args = ["build", str(FIXTURE_DATA), "--out", str(out), "--jobs", "1", "--reviewer", "张三"]
    args += ["--reviewer-unit", "某市财政局", "--review-date", "2023-05-20"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    for page in [f"{FORM_IDS[0]}.html", "annual.html"]:
        html = (out / page).read_text(encoding="utf-8")
        assert "张三" in html and "某市财政局" in html and "2023年5月20日" in html
    again = CliRunner().invoke(main, [*args[:-1], "2023-05-21"])
    assert again.exit_code == 0 and "3 run, 0 up to date" in again.output
    assert "2023年5月21日" in (out / "annual.html").read_text(encoding="utf-8")


SHARED_PROBE = """\
import os
from pathlib import Path
from selfeval_kit.report import ProjectReport
first = ProjectReport.open(data_path, "xss-demo")
form = Path(data_path) / "xss-demo.yaml"
stat = form.stat()
os.utime(form, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))  # a new stamp, the same content
print("shared" if ProjectReport.open(data_path, "xss-demo").ev is first.ev else "evaluated again")
"""


def test_a_builds_reports_take_its_form_files_as_fingerprinted(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(FIXTURE_DATA, data)
    probe = tiny_notebook(tmp_path / "probe.ipynb", SHARED_PROBE)
    out = tmp_path / "out"
    assert build_mod.build(data, out, project_notebook=probe, annual_notebook=probe, jobs=1).ok
    assert "shared" in (out / "xss-demo.html").read_text(encoding="utf-8")
    assert "shared" in (out / "annual.html").read_text(encoding="utf-8")
