"""The parallel bulk check (`selfeval check --jobs N`) gives exactly what the serial path gives."""

from __future__ import annotations

import json
import shutil
import sys

import pytest
from click.testing import CliRunner

from selfeval_kit import DataError, evaluate, load, to_json

from selfeval_kit.rules import bulk
from selfeval_kit.cli import main
from tests.conftest import DATA_2022, ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
from synthetic import write_portfolio  # noqa: E402


def _serial(path, profile="national") -> dict:
    return evaluate(load(path), profile).to_dict()


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    """~200 synthetic forms as a YAML folder and as one JSON list file."""
    root = tmp_path_factory.mktemp("bulk")
    write_portfolio(root / "yaml", 200, 0, seed=5)
    (root / "forms.json").write_text(to_json(load(root / "yaml")), encoding="utf-8")
    return root


@pytest.fixture
def parallel_only(monkeypatch):
    """Fail if the check falls back to the serial path (which is for inputs with problems)."""

    def fail(*args):
        raise AssertionError("fell back to the serial path")

    monkeypatch.setattr(bulk, "_evaluate_serial", fail)


def test_data_2022_parallel_equals_evaluate(parallel_only):
    assert bulk.check(DATA_2022, "national", jobs=2).data == _serial(DATA_2022)


def test_data_2022_other_profile(parallel_only):
    profiles = sorted((ROOT / "selfeval_kit").rglob("*.yaml"))
    name = "national"
    for p in profiles:
        if p.parent.name == "profiles" and p.stem != "national":
            name = p.stem
            break
    assert bulk.check(DATA_2022, name, jobs=2).data == _serial(DATA_2022, name)


@pytest.mark.parametrize("jobs", [2, 3])
def test_synthetic_json_list_parallel_equals_evaluate(synthetic, jobs, parallel_only):
    path = synthetic / "forms.json"
    expected = _serial(path)
    assert len(expected["forms"]) == 200
    assert bulk.check(path, "national", jobs=jobs).data == expected


def test_synthetic_yaml_folder_parallel_equals_evaluate(synthetic, monkeypatch, parallel_only):
    monkeypatch.setattr(bulk, "_FILES_PER_TASK", 30)  # several tasks per worker
    path = synthetic / "yaml"
    assert bulk.check(path, "national", jobs=2).data == _serial(path)


def test_mixed_folder_sorted_as_load_sorts(synthetic, tmp_path, parallel_only):
    """JSON lists and YAML files in one folder: forms come back in load's order."""
    forms = json.loads((synthetic / "forms.json").read_text(encoding="utf-8"))
    (tmp_path / "a.json").write_text(json.dumps(forms[:80], ensure_ascii=False), encoding="utf-8")
    (tmp_path / "m.json").write_text(json.dumps(forms[80], ensure_ascii=False), encoding="utf-8")
    for file in sorted((synthetic / "yaml").iterdir())[81:]:
        shutil.copy(file, tmp_path / file.name)
    assert bulk.check(tmp_path, "national", jobs=2).data == _serial(tmp_path)


def _problems(path):
    with pytest.raises(DataError) as exc:
        load(path)
    return [str(p) for p in exc.value.problems]


def test_broken_files_reported_as_load_reports(tmp_path):
    write_portfolio(tmp_path, 20, 6, seed=3)
    expected = _problems(tmp_path)
    with pytest.raises(DataError) as exc:
        bulk.check(tmp_path, "national", jobs=2)
    assert [str(p) for p in exc.value.problems] == expected


def test_broken_json_list_reported_as_load_reports(synthetic, tmp_path):
    forms = json.loads((synthetic / "forms.json").read_text(encoding="utf-8"))
    forms[150]["indicators"][0]["weight"] = "heavy"
    del forms[30]["name"]
    forms[170]["id"] = forms[10]["id"]
    path = tmp_path / "forms.json"
    path.write_text(json.dumps(forms, ensure_ascii=False), encoding="utf-8")
    expected = _problems(path)
    with pytest.raises(DataError) as exc:
        bulk.check(path, "national", jobs=2)
    assert [str(p) for p in exc.value.problems] == expected


@pytest.mark.parametrize("text", ["", "[]", "[1, 2]", "{not json", "3"])
def test_odd_json_reported_as_load_reports(tmp_path, text):
    path = tmp_path / "forms.json"
    path.write_text(text, encoding="utf-8")
    expected = _problems(path)
    with pytest.raises(DataError) as exc:
        bulk.check(path, "national", jobs=2)
    assert [str(p) for p in exc.value.problems] == expected


def test_duplicate_ids_across_files(tmp_path):
    write_portfolio(tmp_path, 6, 0, seed=4)
    files = sorted(tmp_path.iterdir())
    shutil.copy(files[0], tmp_path / "zz-copy.yaml")
    expected = _problems(tmp_path)
    with pytest.raises(DataError) as exc:
        bulk.check(tmp_path, "national", jobs=2)
    assert [str(p) for p in exc.value.problems] == expected


def test_auto_jobs_small_input_is_serial():
    assert bulk.auto_jobs(DATA_2022) == 1


def test_cli_jobs_same_output(synthetic):
    runner = CliRunner()
    path = str(synthetic / "forms.json")
    for args in (["--json"], []):
        one = runner.invoke(main, ["check", path, "--jobs", "1", *args])
        two = runner.invoke(main, ["check", path, "--jobs", "2", *args])
        assert one.exit_code == two.exit_code
        assert one.output == two.output
    serial = json.loads(runner.invoke(main, ["check", path, "--json", "--jobs", "1"]).output)
    assert serial == json.loads(json.dumps(_serial(synthetic / "forms.json"), ensure_ascii=False))


@pytest.mark.parametrize(
    "field, value",
    [
        ("year", 2022.0), ("year", "2022"), ("year", True), ("year", 10**30), ("seq", 1.0), ("seq", 0),
        ("unit", "yuan"), ("total_score", 100), ("total_score", "100"), ("total_score", True),
        ("total_score", 1e308), ("id", "a..b"), ("weight", 10), ("weight", "10"), ("weight", None),
        ("target", 5), ("target", None), ("target", ""),
    ],
)  # fmt: skip
def test_worker_validation_agrees_with_read_json(tmp_path, minimal_data, field, value):
    """Workers validate parsed items, read_json validates JSON text: same verdict on odd values."""
    from selfeval_kit.form.loading import read_json
    from selfeval_kit.rules.profile import load_profile

    bulk._parsed.clear()
    holder = minimal_data["indicators"][0] if field in ("weight", "target") else minimal_data
    holder[field] = value
    path = tmp_path / "forms.json"
    path.write_text(json.dumps([minimal_data], ensure_ascii=False), encoding="utf-8")
    forms, problems = read_json(path)
    share = bulk._work(("json", str(path), 0, 1), load_profile("national"))
    assert (share is None) == bool(problems)
    if share is not None:
        assert share[0][1] == _serial(path)["forms"][0]


def _pieces(path, jobs):
    from pydantic_core import from_json

    raw = path.read_bytes()
    tasks = bulk._json_tasks(path, jobs)
    assert {t[0] for t in tasks} == {"bytes"}
    return [from_json(b"[" + raw[start:stop] + b"]") for _, _, start, stop in tasks]


@pytest.mark.parametrize("jobs", [2, 3, 7])
@pytest.mark.parametrize("newline, bom", [("\n", ""), ("\r\n", ""), ("\n", "\ufeff")])
def test_export_layout_is_cut_between_items(synthetic, tmp_path, jobs, newline, bom):
    forms = json.loads((synthetic / "forms.json").read_text(encoding="utf-8"))
    path = tmp_path / "forms.json"
    path.write_bytes((bom + json.dumps(forms, ensure_ascii=False, indent=2).replace("\n", newline)).encode())
    pieces = _pieces(path, jobs)
    assert len(pieces) == jobs
    assert [item for piece in pieces for item in piece] == forms


def test_other_layouts_are_parsed_whole_by_each_worker(synthetic, tmp_path, parallel_only):
    forms = json.loads((synthetic / "forms.json").read_text(encoding="utf-8"))
    path = tmp_path / "forms.json"
    path.write_text(json.dumps(forms, ensure_ascii=False), encoding="utf-8")  # one line
    assert bulk._json_tasks(path, 2) == [("json", str(path), 0, 2), ("json", str(path), 1, 2)]
    assert bulk.check(path, "national", jobs=2).data == _serial(path)


def test_a_false_boundary_falls_back_to_load(synthetic, tmp_path):
    """Indicators laid out with two-space indents, as if they were top-level items: a cut there
    lands inside a form, the pieces do not parse, and the result is still load's."""
    forms = json.loads((synthetic / "forms.json").read_text(encoding="utf-8"))[:4]

    def indicators(items):  # each ends with "\n  }" and the next begins with "\n  {"
        return "[\n  " + ",\n  ".join(json.dumps(i, ensure_ascii=False)[:-1] + "\n  }" for i in items) + "]"

    text = "[" + ",".join(
        "{" + ", ".join(
            f"{json.dumps(key)}: " + (indicators(value) if key == "indicators" else json.dumps(value, ensure_ascii=False))
            for key, value in form.items()
        ) + "}"
        for form in forms
    ) + "]"  # fmt: skip
    path = tmp_path / "forms.json"
    path.write_text(text, encoding="utf-8")
    assert json.loads(text) == forms
    assert [t[0] for t in bulk._json_tasks(path, 2)] == ["bytes", "bytes"]
    assert bulk.check(path, "national", jobs=2).data == _serial(path)


def test_bad_profile_stops_the_started_workers(monkeypatch):
    from selfeval_kit import ProfileError

    started = []
    real = bulk._start_workers
    monkeypatch.setattr(bulk, "_start_workers", lambda jobs: started.extend(real(jobs)) or started)
    with pytest.raises(ProfileError):
        bulk.check(DATA_2022, "no-such-profile", jobs=2)
    assert len(started) == 2 and all(proc.poll() is not None for proc in started)


@pytest.mark.parametrize("dying", ["import sys; sys.exit(3)", "import sys; sys.stdin.buffer.read(10); sys.exit(0)"])
def test_a_failed_worker_leaves_the_work_to_the_parent(monkeypatch, dying):
    """A worker that dies (here: one of two, before or while reading its setup) does not fail
    the check: the parent warns and does the work itself, with the same result."""
    import subprocess
    import sys

    real = bulk._start_workers

    def one_dies(jobs):
        procs = real(jobs - 1)
        procs.append(subprocess.Popen([sys.executable, "-c", dying], stdin=subprocess.PIPE, stdout=subprocess.PIPE))
        return procs

    monkeypatch.setattr(bulk, "_start_workers", one_dies)
    monkeypatch.setattr(bulk, "_FILES_PER_TASK", 1)  # tasks for both
    with pytest.warns(RuntimeWarning, match="a selfeval check worker failed"):
        data = bulk.check(DATA_2022, "national", jobs=2).data
    assert data == _serial(DATA_2022)
