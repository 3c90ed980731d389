"""A build's failures that are not a notebook's: a stuck worker, files that cannot be written, reserved names."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from selfeval_kit.cli import main
from selfeval_kit.errors import BuildError
from selfeval_kit.publish import build as build_mod
from selfeval_kit.publish import manifest, render
from selfeval_kit.publish.manifest import MANIFEST_NAME, RESERVED_NAMES, reserved_name
from selfeval_kit.publish.results import BuildFailed
from tests.report_build import FIXTURE_DATA, tiny_notebook

ENOSPC = os.strerror(errno.ENOSPC)  # "No space left on device"


@pytest.fixture
def notebooks(tmp_path):
    """(project, annual): tiny notebooks that print what they make."""
    return (
        tiny_notebook(tmp_path / "project.ipynb", 'print("项目", form_id)'),
        tiny_notebook(tmp_path / "annual.ipynb", 'print("年度", year)'),
    )


# --- a stuck or stopped worker ----------------------------------------------------------------------


def _stopping_notebook(tmp_path: Path, every_try: bool) -> Path:
    """The report of xss-demo SIGSTOPs the worker running it (in-process: itself), on its first or every try."""
    tries = tmp_path / "tries"
    tries.mkdir()
    return tiny_notebook(
        tmp_path / "stopping.ipynb",
        "import os, signal\n"
        'if form_id == "xss-demo":\n'
        f"    first = not os.listdir({str(tries)!r})\n"
        f"    open(os.path.join({str(tries)!r}, str(os.getpid())), 'w').close()\n"
        f"    if first or {every_try!r}:\n"
        "        os.kill(os.getpid(), signal.SIGSTOP)\n"
        'print("项目", form_id)',
    )


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_a_stopped_worker_is_killed_and_its_report_runs_again_on_a_fresh_one(tmp_path, notebooks):
    stopping = _stopping_notebook(tmp_path, every_try=False)
    out = tmp_path / "out"
    result = build_mod.build(
        FIXTURE_DATA, out, project_notebook=stopping, annual_notebook=notebooks[1], jobs=1, report_timeout=3
    )
    assert result.ok, [o.error for o in result.failed]
    workers = [int(p.name) for p in (tmp_path / "tries").iterdir()]
    assert len(workers) == 2 and workers[0] != workers[1]  # the second try ran in a new worker
    assert not [pid for pid in workers if _alive(pid)]
    assert "项目 xss-demo" in (out / "xss-demo.html").read_text(encoding="utf-8")


def test_a_worker_stopped_on_every_try_fails_its_report_and_the_others_are_built(tmp_path, notebooks):
    stopping = _stopping_notebook(tmp_path, every_try=True)
    out = tmp_path / "out"
    result = build_mod.build(
        FIXTURE_DATA, out, project_notebook=stopping, annual_notebook=notebooks[1], jobs=2, report_timeout=3
    )
    assert [o.key for o in result.failed] == ["xss-demo"]
    assert result.failed[0].error == (
        "the report took longer than 3 s in each of 2 tries, on a fresh worker each time"
        " (its worker stuck or stopped?); the worker was killed"
    )
    assert len(list((tmp_path / "tries").iterdir())) == 2
    assert (out / "hotline-system-ops.html").is_file() and (out / "annual.html").is_file()
    assert not (out / "xss-demo.html").exists()
    record = json.loads((out / MANIFEST_NAME).read_text(encoding="utf-8"))
    assert sorted(record["reports"]) == ["annual.html", "hotline-system-ops.html"]
    assert list(record["failed"]) == ["xss-demo.html"]


@pytest.mark.parametrize(
    ("options", "limit"),
    [
        (build_mod.BuildOptions(), 600 + 60 + 60),
        (build_mod.BuildOptions(timeout=10, start_timeout=5), 10 + 5 + 60),
        (build_mod.BuildOptions(report_timeout=7.5), 7.5),
    ],
)
def test_the_report_time_limit(options, limit):
    pool = options.pool(2, build_mod.KernelConfig())
    assert (pool.timeout, pool.retries) == (limit, 1)


@pytest.mark.parametrize(("start_timeout", "limit"), [(60, 60 + 60 + 60), (100, 100 + 100 + 60), (10, 10 + 60 + 60)])
def test_the_time_a_worker_may_take_to_start_its_first_report(start_timeout, limit):
    pool = build_mod.BuildOptions(start_timeout=start_timeout).pool(2, build_mod.KernelConfig())
    assert pool.start_timeout == limit


# --- files that cannot be written -------------------------------------------------------------------

FULL = "SELFEVAL_TEST_FULL"  # the names of the files a "full disk" refuses, in the environment of the workers


def _full_disk(names: set[str]):
    """An atomic write that fails for these names as a full disk does: ENOSPC, naming its temporary file."""
    real = manifest.atomic_write_bytes

    def write(path, data):
        path = Path(path)
        if path.name in names:
            raise OSError(errno.ENOSPC, ENOSPC, str(path.parent / f".{path.name}.1a2b3c.tmp"))
        return real(path, data)

    return write


def render_on_a_full_disk(task, options):
    """`render_report` in a worker whose disk refuses the files named in `FULL`."""
    names = set(filter(None, os.environ.get(FULL, "").split(",")))
    manifest.atomic_write_bytes = _full_disk(names)  # in this worker process only
    return render.render_report(task, options)


@pytest.fixture
def full_disk(monkeypatch):
    """full_disk(*names): those files cannot be written, by the workers (pages) or the build (index, manifest)."""

    def refuse(*names: str) -> None:
        monkeypatch.setenv(FULL, ",".join(names))  # the workers start with this environment
        monkeypatch.setattr(build_mod, "render_report", render_on_a_full_disk)
        monkeypatch.setattr(manifest, "atomic_write_bytes", _full_disk(set(names)))

    return refuse


def test_a_page_that_cannot_be_written_fails_its_report_naming_the_page(tmp_path, notebooks, full_disk):
    full_disk("annual.html")
    out = tmp_path / "out"
    result = build_mod.build(FIXTURE_DATA, out, project_notebook=notebooks[0], annual_notebook=notebooks[1], jobs=2)
    assert [(o.key, o.error) for o in result.failed] == [
        ("annual", f"{out.resolve() / 'annual.html'}: cannot write: {ENOSPC}")
    ]
    assert (out / "hotline-system-ops.html").is_file() and (out / "xss-demo.html").is_file()
    assert not (out / "annual.html").exists()
    assert not [p.name for p in out.iterdir() if p.name.endswith(".tmp")]


def test_the_manifest_records_only_the_pages_written_so_a_rerun_redoes_the_others(tmp_path, notebooks, full_disk):
    full_disk("annual.html")
    out = tmp_path / "out"
    build_mod.build(FIXTURE_DATA, out, project_notebook=notebooks[0], annual_notebook=notebooks[1], jobs=2)
    record = json.loads((out / MANIFEST_NAME).read_text(encoding="utf-8"))
    assert sorted(record["reports"]) == ["hotline-system-ops.html", "xss-demo.html"]
    assert list(record["failed"]) == ["annual.html"] and record["fingerprint"] is None
    again = build_mod.build(
        FIXTURE_DATA, out, project_notebook=notebooks[0], annual_notebook=notebooks[1], dry_run=True
    )
    assert [o.key for o in again.executed] == ["annual"]


def _cli_notebooks(monkeypatch, notebooks) -> None:
    """The CLI's builds run these notebooks instead of the package's."""
    monkeypatch.setattr(build_mod, "NOTEBOOKS_DIR", notebooks[0].parent)
    monkeypatch.setattr(build_mod, "PROJECT_NOTEBOOK", notebooks[0].name)
    monkeypatch.setattr(build_mod, "ANNUAL_NOTEBOOK", notebooks[1].name)


def test_cli_a_page_that_cannot_be_written_keeps_the_summary_and_exits_1(tmp_path, notebooks, full_disk, monkeypatch):
    full_disk("xss-demo.html")
    _cli_notebooks(monkeypatch, notebooks)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["build", str(FIXTURE_DATA), "--out", str(out), "--jobs", "2"])
    assert result.exit_code == 1
    assert "Traceback" not in result.output and ".tmp" not in result.output
    lines = result.output.splitlines()
    page = out.resolve() / "xss-demo.html"
    assert [line.split(": ", 1)[1] for line in lines if line.startswith("FAILED")] == [
        f"{page}: cannot write: {ENOSPC}"
    ]
    assert [line.split(" (")[0] for line in lines if line.startswith("wrote")] == [
        f"wrote {out.resolve() / 'index.html'}"
    ]
    assert "(2 of 3 reports, 3 run, 0 up to date," in result.output
    assert lines[-1] == "1 report(s) failed: xss-demo"


def test_a_full_disk_fails_every_report_and_names_the_index_and_the_manifest(tmp_path, notebooks, full_disk):
    full_disk("hotline-system-ops.html", "xss-demo.html", "annual.html", "index.html", MANIFEST_NAME)
    out = tmp_path / "out"
    with pytest.raises(BuildFailed) as caught:
        build_mod.build(FIXTURE_DATA, out, project_notebook=notebooks[0], annual_notebook=notebooks[1], jobs=2)
    root = out.resolve()
    assert str(caught.value).splitlines() == [
        f"{root / 'index.html'}: cannot write: {ENOSPC}",
        f"{root / MANIFEST_NAME}: cannot write: {ENOSPC}",
        "0 of 3 reports built; failed: hotline-system-ops, xss-demo, annual",
    ]
    assert isinstance(caught.value, BuildError)
    assert sorted(o.key for o in caught.value.result.failed) == ["annual", "hotline-system-ops", "xss-demo"]
    assert {o.error for o in caught.value.result.failed} == {
        f"{root / name}: cannot write: {ENOSPC}" for name in ("hotline-system-ops.html", "xss-demo.html", "annual.html")
    }


@pytest.mark.parametrize("name", ["index.html", MANIFEST_NAME])
def test_the_build_own_file_that_cannot_be_written_is_named_after_every_report(tmp_path, notebooks, full_disk, name):
    full_disk(name)
    out = tmp_path / "out"
    with pytest.raises(BuildFailed) as caught:
        build_mod.build(FIXTURE_DATA, out, project_notebook=notebooks[0], annual_notebook=notebooks[1], jobs=2)
    assert str(caught.value).splitlines() == [f"{out.resolve() / name}: cannot write: {ENOSPC}", "3 of 3 reports built"]
    assert sorted(p.name for p in out.glob("*.html") if p.name != name) == sorted(
        {"annual.html", "hotline-system-ops.html", "xss-demo.html", "index.html"} - {name}
    )


def test_cli_a_build_own_file_that_cannot_be_written_is_an_error_with_the_summary(
    tmp_path, notebooks, full_disk, monkeypatch
):
    full_disk(MANIFEST_NAME)
    _cli_notebooks(monkeypatch, notebooks)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["build", str(FIXTURE_DATA), "--out", str(out), "--jobs", "2"])
    assert result.exit_code == 1
    assert "Traceback" not in result.output and ".tmp" not in result.output
    assert result.output.splitlines()[-2:] == [
        f"error: {out.resolve() / MANIFEST_NAME}: cannot write: {ENOSPC}",
        "3 of 3 reports built",
    ]


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a read-only folder all the same")
def test_a_read_only_output_folder_is_refused_naming_the_lock(tmp_path, notebooks):
    out = tmp_path / "out"
    out.mkdir()
    out.chmod(0o555)
    try:
        with pytest.raises(BuildError, match=r"\.selfeval-build\.lock: cannot write: Permission denied"):
            build_mod.build(FIXTURE_DATA, out, project_notebook=notebooks[0], annual_notebook=notebooks[1], jobs=1)
    finally:
        out.chmod(0o755)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a read-only folder all the same")
def test_a_folder_made_read_only_after_a_build_fails_each_report_by_name(tmp_path, notebooks):
    out = tmp_path / "out"
    options = {"project_notebook": notebooks[0], "annual_notebook": notebooks[1], "jobs": 1}
    assert build_mod.build(FIXTURE_DATA, out, **options).ok  # the lock file now exists
    out.chmod(0o555)
    try:
        with pytest.raises(BuildFailed) as caught:
            build_mod.build(FIXTURE_DATA, out, force=True, **options)
    finally:
        out.chmod(0o755)
    root = out.resolve()
    assert str(caught.value).splitlines() == [
        f"{root / 'index.html'}: cannot write: Permission denied",
        f"{root / MANIFEST_NAME}: cannot write: Permission denied",
        "0 of 3 reports built; failed: hotline-system-ops, xss-demo, annual",
    ]
    assert {o.error for o in caught.value.result.failed} == {
        f"{root / n}: cannot write: Permission denied"
        for n in ("hotline-system-ops.html", "xss-demo.html", "annual.html")
    }


def test_an_output_folder_that_cannot_be_made_is_an_error_naming_it(tmp_path, notebooks):
    (tmp_path / "file").write_text("", encoding="utf-8")
    out = tmp_path / "file" / "out"
    with pytest.raises(BuildError, match=r"/file/out: cannot create the output folder: Not a directory"):
        build_mod.build(FIXTURE_DATA, out, project_notebook=notebooks[0], annual_notebook=notebooks[1], jobs=1)


# --- reserved names ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("form_id", "reserved"),
    [
        ("index", True),
        ("INDEX", True),
        ("annual", True),
        ("Annual", True),
        ("annual-2022", True),
        ("annual-1", True),
        ("notebooks", True),
        ("annual-report", False),
        ("annual-2022x", False),
        ("index2", False),
        ("hotline-system-ops", False),
    ],
)
def test_reserved_names(form_id, reserved):
    assert reserved_name(form_id) is reserved


def test_the_reserved_names_are_listed():
    assert RESERVED_NAMES == ("index", "annual", "annual-<year>", "notebooks")


@pytest.fixture
def renamed_form(monkeypatch):
    """renamed_form(id): the fixture data's xss-demo form loads under this id, as if validation had let it pass."""
    from selfeval_kit.form import loading

    real = loading.load

    def rename(new_id: str) -> None:
        def load(path, *args, **kwargs):
            portfolio = real(path, *args, **kwargs)
            forms = tuple(f.model_copy(update={"id": new_id}) if f.id == "xss-demo" else f for f in portfolio)
            sources = {f.id: portfolio.sources[old.id] for f, old in zip(forms, portfolio, strict=True)}
            return loading.Portfolio(forms, sources)

        monkeypatch.setattr(loading, "load", load)

    return rename


@pytest.mark.parametrize("form_id", ["index", "annual", "Index", "annual-2022", "notebooks"])
def test_a_form_whose_page_would_be_the_build_own_is_refused(tmp_path, notebooks, renamed_form, form_id):
    renamed_form(form_id)
    out = tmp_path / "out"
    with pytest.raises(BuildError) as caught:
        build_mod.build(FIXTURE_DATA, out, project_notebook=notebooks[0], annual_notebook=notebooks[1], dry_run=True)
    assert str(caught.value) == (
        f"{FIXTURE_DATA / 'xss-demo.yaml'}: id: {form_id!r} cannot be built: its report would be {form_id}.html,"
        " a name the build keeps for its own files (index, annual, annual-<year>, notebooks, in any case);"
        " expected another id"
    )
    assert not out.exists()


def test_a_build_with_a_reserved_form_id_writes_nothing(tmp_path, notebooks, renamed_form):
    renamed_form("annual")
    out = tmp_path / "out"
    with pytest.raises(BuildError, match="id: 'annual' cannot be built"):
        build_mod.build(FIXTURE_DATA, out, project_notebook=notebooks[0], annual_notebook=notebooks[1], jobs=1)
    assert not out.exists()
