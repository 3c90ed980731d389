"""`selfeval build` and `selfeval_kit.build.build`: the pipeline, its failures, params, notebooks."""

from __future__ import annotations

import stat
from pathlib import Path

import nbformat
import pytest
import yaml
from click.testing import CliRunner

from selfeval_kit import build as build_mod
from selfeval_kit.cli import main

from .report_build import FIXTURE_DATA, FORM_IDS, built_reports

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
PARAMS = ROOT / "params" / "2022"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return built_reports(tmp_path_factory)


def test_cli_build_writes_every_report_and_the_index(built):
    assert built.exit_code == 0, built.output
    names = sorted(p.name for p in built.out.iterdir())
    assert names == sorted([*(f"{i}.html" for i in FORM_IDS), "annual.html", "index.html"])
    assert "wrote" in built.output and "3 of 3 reports" in built.output
    for path in built.out.iterdir():
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode & stat.S_IRUSR and mode & stat.S_IRGRP, oct(mode)  # publishable, not 0600
    assert not list(built.out.glob(".*.tmp"))


def _tiny_notebook(path: Path, source: str) -> Path:
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    nb.cells = [
        nbformat.v4.new_code_cell('data_path = ""\nform_id = ""\nyear = 0\nprofile = "national"', metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell(source),
    ]
    nbformat.write(nb, path)
    return path


def test_a_failing_report_does_not_stop_the_others(tmp_path):
    bad = _tiny_notebook(tmp_path / "bad.ipynb", 'if form_id == "xss-demo":\n    raise ValueError("示例失败")\nprint("项目", form_id)')
    annual = _tiny_notebook(tmp_path / "annual.ipynb", 'print("年度", year)')
    out = tmp_path / "out"
    (out).mkdir()
    (out / "xss-demo.html").write_text("stale", encoding="utf-8")  # an older report must not survive
    seen = []
    result = build_mod.build(FIXTURE_DATA, out, project_notebook=bad, annual_notebook=annual, progress=seen.append)
    assert [o.key for o in seen] == [*FORM_IDS, "annual"]
    assert not result.ok
    assert [o.key for o in result.failed] == ["xss-demo"]
    failed = result.failed[0]
    assert failed.path is None and "ValueError" in failed.error and "示例失败" in failed.error
    assert (out / "hotline-system-ops.html").is_file() and (out / "annual.html").is_file()
    assert not (out / "xss-demo.html").exists()
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "示例失败" in index and "✗ 失败" in index and "1 份报告生成失败" in index
    assert 'href="hotline-system-ops.html"' in index and 'href="xss-demo.html"' not in index
    page = (out / "hotline-system-ops.html").read_text(encoding="utf-8")
    assert "项目 hotline-system-ops" in page  # stdout is kept; the parameter cell is not
    assert 'form_id = ""' not in page


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
    result = runner.invoke(main, ["build", str(FIXTURE_DATA), "--out", str(tmp_path / "o"), "--profile", "no-such-profile"])
    assert result.exit_code == 1 and "no-such-profile" in result.output


def test_notebooks_have_the_documented_parameters():
    import papermill

    project = papermill.inspect_notebook(str(NOTEBOOKS / "project_report.ipynb"))
    assert {k: v["default"] for k, v in project.items()} == {"data_path": '"data/2022"', "form_id": '"hotline-system-ops"', "profile": '"national"'}
    annual = papermill.inspect_notebook(str(NOTEBOOKS / "annual_report.ipynb"))
    assert {k: v["default"] for k, v in annual.items()} == {"data_path": '"data/2022"', "year": "2022", "profile": '"national"'}
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
    assert yaml.safe_load((PARAMS / "annual.yaml").read_text(encoding="utf-8")) == {"data_path": "data/2022", "year": 2022, "profile": "national"}


def test_relative_data_path_resolves_from_the_notebooks_folder(monkeypatch):
    from selfeval_kit.report import resolve_data_path

    monkeypatch.chdir(NOTEBOOKS)
    assert resolve_data_path("data/2022").resolve() == (ROOT / "data" / "2022").resolve()
    monkeypatch.chdir(ROOT)
    assert resolve_data_path("data/2022") == Path("data/2022")


def test_css_string_cannot_break_out():
    text = build_mod._css_string('a"b</style><script>\\')
    assert text.startswith('"') and text.endswith('"')
    inner = text[1:-1]
    assert '"' not in inner and "<" not in inner and ">" not in inner and "\\5c " in inner
