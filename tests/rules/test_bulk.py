"""The parallel bulk check (`selfeval check --jobs N`) gives exactly what the serial path gives, or says why not."""

from __future__ import annotations

import functools
import json
import os
import shutil
import signal
import time
import warnings
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from benchmarks.synthetic import write_portfolio
from selfeval_kit import DataError, ProfileError, evaluate, load, to_json
from selfeval_kit.cli import main
from selfeval_kit.form.export import export_records
from selfeval_kit.form.parquet import form_schema, write_parquet
from selfeval_kit.rules import bulk
from tests.conftest import DATA_2022, ROOT


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
def shared_json(monkeypatch):
    """Share out every JSON file (not only those of 1 MiB or more), as a bureau's large file would be."""
    monkeypatch.setattr(bulk, "_SHARE_BYTES", 0)


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
def test_synthetic_json_list_parallel_equals_evaluate(synthetic, jobs, shared_json, parallel_only):
    path = synthetic / "forms.json"
    expected = _serial(path)
    assert len(expected["forms"]) == 200
    assert bulk.check(path, "national", jobs=jobs).data == expected


def test_synthetic_yaml_folder_parallel_equals_evaluate(synthetic, monkeypatch, parallel_only):
    monkeypatch.setattr(bulk, "_FILES_PER_TASK", 30)  # several tasks per worker
    path = synthetic / "yaml"
    assert bulk.check(path, "national", jobs=2).data == _serial(path)


def test_mixed_folder_sorted_as_load_sorts(synthetic, tmp_path, parallel_only):
    """JSON lists and YAML files in one folder: forms come back in load's order (small JSON files are
    read whole, in runs with the YAML files)."""
    forms = json.loads((synthetic / "forms.json").read_text(encoding="utf-8"))
    (tmp_path / "a.json").write_text(json.dumps(forms[:80], ensure_ascii=False), encoding="utf-8")
    (tmp_path / "m.json").write_text(json.dumps(forms[80], ensure_ascii=False), encoding="utf-8")
    for file in sorted((synthetic / "yaml").iterdir())[81:]:
        shutil.copy(file, tmp_path / file.name)
    assert all(task[0] == "files" for task in bulk._tasks(sorted(tmp_path.iterdir()), 2))
    assert bulk.check(tmp_path, "national", jobs=2).data == _serial(tmp_path)


def test_a_large_json_file_in_a_folder_is_shared_out_beside_the_runs(synthetic, tmp_path, monkeypatch, parallel_only):
    forms = json.loads((synthetic / "forms.json").read_text(encoding="utf-8"))
    (tmp_path / "big.json").write_text(json.dumps(forms[:120], ensure_ascii=False, indent=2), encoding="utf-8")
    (tmp_path / "small.json").write_text(json.dumps(forms[120:125], ensure_ascii=False), encoding="utf-8")
    for file in sorted((synthetic / "yaml").iterdir())[125:]:
        shutil.copy(file, tmp_path / file.name)
    monkeypatch.setattr(bulk, "_SHARE_BYTES", (tmp_path / "small.json").stat().st_size + 1)
    tasks = bulk._tasks(sorted(tmp_path.iterdir()), 2)
    assert [t for t in tasks if t[0] == "share"] == [("share", str(tmp_path / "big.json"), k, 16) for k in range(16)]
    assert bulk.check(tmp_path, "national", jobs=2).data == _serial(tmp_path)


def test_a_parquet_file_is_a_task_a_row_group(synthetic, tmp_path):
    path = write_parquet(load(synthetic / "yaml").forms, tmp_path / "forms.parquet", row_group_size=60)
    assert bulk._tasks([path], 2) == [("rows", str(path), k, 4) for k in range(4)]  # 60, 60, 60, 20 forms


@pytest.mark.parametrize("jobs", [2, 3])
def test_synthetic_parquet_parallel_equals_evaluate(synthetic, tmp_path, jobs, parallel_only):
    path = write_parquet(load(synthetic / "yaml").forms, tmp_path / "forms.parquet", row_group_size=30)
    assert bulk.check(path, "national", jobs=jobs).data == _serial(synthetic / "yaml")


def test_a_parquet_file_beside_yaml_files_sorts_as_load_sorts(synthetic, tmp_path, parallel_only):
    forms = load(synthetic / "yaml").forms
    write_parquet(forms[:90], tmp_path / "m.parquet", row_group_size=25)
    for file in sorted((synthetic / "yaml").iterdir())[90:]:
        shutil.copy(file, tmp_path / file.name)
    assert bulk.check(tmp_path, "national", jobs=2).data == _serial(tmp_path)


def test_cli_check_of_a_parquet_file_is_the_same_with_one_or_two_jobs(synthetic, tmp_path):
    path = str(write_parquet(load(synthetic / "yaml").forms, tmp_path / "forms.parquet", row_group_size=50))
    runner = CliRunner()
    one = runner.invoke(main, ["check", path, "--json", "--jobs", "1"])
    two = runner.invoke(main, ["check", path, "--json", "--jobs", "2"])
    assert (one.exit_code, one.output) == (two.exit_code, two.output)
    assert json.loads(one.output) == json.loads(json.dumps(_serial(synthetic / "yaml"), ensure_ascii=False))


def test_broken_parquet_rows_reported_as_load_reports(synthetic, tmp_path):
    records = export_records(load(synthetic / "yaml").forms)
    records[150]["indicators"][0]["weight"] = 500.0
    records[30]["name"] = ""
    records[170]["id"] = records[10]["id"]
    path = tmp_path / "forms.parquet"
    pq.write_table(pa.Table.from_pylist(records, schema=form_schema()), path, row_group_size=40)
    expected = _problems(path)
    assert [p.split(": ", 1)[1] for p in expected][:2] == [
        "[30].name: String should have at least 1 character (got '')",
        "[150].indicators[0].weight: Input should be less than or equal to 100 (got 500.0)",
    ]
    with pytest.raises(DataError) as exc:
        bulk.check(path, "national", jobs=2)
    assert [str(p) for p in exc.value.problems] == expected


def test_a_parquet_id_used_twice_reported_as_load_reports(synthetic, tmp_path):
    forms = load(synthetic / "yaml").forms
    write_parquet([*forms[:50], forms[3]], tmp_path / "forms.parquet", row_group_size=20)
    expected = _problems(tmp_path / "forms.parquet")
    with pytest.raises(DataError) as exc:
        bulk.check(tmp_path / "forms.parquet", "national", jobs=2)
    assert [str(p) for p in exc.value.problems] == expected


def test_a_text_file_named_parquet_reported_as_load_reports(tmp_path):
    (tmp_path / "forms.parquet").write_text("id: x\n", encoding="utf-8")
    expected = _problems(tmp_path)
    assert bulk._tasks([tmp_path / "forms.parquet"], 2) == [("files", [str(tmp_path / "forms.parquet")])]
    with pytest.raises(DataError) as exc:
        bulk.check(tmp_path, "national", jobs=2)
    assert [str(p) for p in exc.value.problems] == expected


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


@pytest.mark.parametrize(("minimum", "jobs"), [(200, 2), (201, 1)])
def test_auto_jobs_counts_a_parquet_files_forms_not_its_bytes(synthetic, tmp_path, monkeypatch, minimum, jobs):
    path = write_parquet(load(synthetic / "yaml").forms, tmp_path / "forms.parquet")  # 200 forms, a few KiB
    monkeypatch.setattr(bulk, "AUTO_MIN_FILES", minimum)
    monkeypatch.setattr(bulk.os, "cpu_count", lambda: 2)
    assert bulk.auto_jobs(path) == jobs


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


@pytest.mark.parametrize("indent", [None, 2])
def test_json_lists_of_any_layout_are_shared_out(synthetic, tmp_path, indent, shared_json, parallel_only):
    forms = json.loads((synthetic / "forms.json").read_text(encoding="utf-8"))
    path = tmp_path / "forms.json"
    path.write_text(json.dumps(forms, ensure_ascii=False, indent=indent), encoding="utf-8")
    assert bulk._tasks([path], 2) == [("share", str(path), k, 16) for k in range(16)]
    assert bulk.check(path, "national", jobs=2).data == _serial(path)


def _children() -> set[int]:
    """This process's child processes (Linux)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().split(")")[-1].split()[1]) == os.getpid():
                    found.add(int(entry.name))
            except (OSError, ValueError, IndexError):
                pass
    return found


def test_a_bad_profile_fails_cleanly_and_leaves_no_worker():
    before = _children()
    with pytest.raises(ProfileError, match="no-such-profile"):
        bulk.check(DATA_2022, "no-such-profile", jobs=2)
    assert _children() - before == set()


def dies_on_the_first_share(task, rules):
    """A worker that dies in its first task (here: a JSON file's first share)."""
    if task[0] == "share" and task[2] == 0:
        os._exit(3)
    return bulk._work(task, rules)


def test_a_dying_worker_leaves_the_work_to_the_parent(synthetic, monkeypatch, shared_json):
    """The check does not fail: the parent warns, and checks in its own process, with the same result."""
    monkeypatch.setattr(bulk, "_work", dies_on_the_first_share)
    path = synthetic / "forms.json"
    with pytest.warns(RuntimeWarning, match="a selfeval check worker failed"):
        data = bulk.check(path, "national", jobs=2).data
    assert data == _serial(path)


def test_cli_check_with_a_dying_worker_prints_no_traceback(synthetic, monkeypatch, shared_json):
    monkeypatch.setattr(bulk, "_work", dies_on_the_first_share)
    path = str(synthetic / "forms.json")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        result = CliRunner().invoke(main, ["check", path, "--json", "--jobs", "2"])
    assert "Traceback" not in result.output
    assert json.loads(result.output) == json.loads(json.dumps(_serial(path), ensure_ascii=False))


def test_the_collector_is_left_alone_in_the_caller(synthetic, shared_json):
    """Neither gc.disable() nor the workers' gc.freeze() leaks out of a check into its caller."""
    import gc

    frozen = gc.get_freeze_count()
    assert bulk.check(synthetic / "forms.json", "national", jobs=2).data == _serial(synthetic / "forms.json")
    assert gc.isenabled() and gc.get_freeze_count() == frozen


# --- a stuck or stopped worker ---------------------------------------------------------------------

_STOPS = "SELFEVAL_TEST_STOPS"  # the folder where `stops_in_the_first_run` leaves one file per try


def stops_in_the_first_run(task, rules):
    """A worker that SIGSTOPs itself in the first run of files: on its first try only, or on every try."""
    folder = Path(os.environ[_STOPS])
    if task[0] == "files" and task[1][0].endswith("-00000.yaml"):
        first = not list(folder.iterdir())
        (folder / str(os.getpid())).write_text("", encoding="utf-8")
        if first or (folder.parent / "always").exists():
            os.kill(os.getpid(), signal.SIGSTOP)  # a real stop: the worker never answers again
    return bulk._work(task, rules)


@pytest.fixture
def stops(tmp_path, monkeypatch):
    """The check's workers run `stops_in_the_first_run`; returns the folder of its tries."""
    folder = tmp_path / "tries"
    folder.mkdir()
    monkeypatch.setenv(_STOPS, str(folder))  # the workers start with this environment
    monkeypatch.setattr(bulk, "_work", stops_in_the_first_run)
    return folder


def _first_run(path: Path) -> list[str]:
    return [str(f) for f in sorted(path.glob("*.yaml"))[: bulk._FILES_PER_TASK]]


def test_a_stopped_worker_is_replaced_and_its_files_checked_again(synthetic, stops, parallel_only):
    start = time.monotonic()
    path = synthetic / "yaml"
    assert _first_run(path)[0].endswith("-00000.yaml")
    data = bulk.check(path, "national", jobs=2, options=bulk.CheckOptions(timeout=2)).data
    assert data == _serial(path)
    assert len(list(stops.iterdir())) == 2  # stopped on the first try, checked on the second
    assert time.monotonic() - start < 30


def test_a_worker_stopped_on_every_try_fails_the_check_naming_its_files(synthetic, stops, parallel_only):
    (stops.parent / "always").write_text("", encoding="utf-8")
    path = synthetic / "yaml"
    start = time.monotonic()
    with pytest.raises(DataError) as caught:
        bulk.check(path, "national", jobs=2, options=bulk.CheckOptions(timeout=2))
    assert time.monotonic() - start < 30
    assert [p.file for p in caught.value.problems] == _first_run(path)
    assert {p.message for p in caught.value.problems} == {
        "checking it took longer than 2 s in each of 2 tries, on a fresh worker each time; the worker was killed"
        " (checked together with 99 other file(s) listed here)"
    }
    assert len(list(stops.iterdir())) == 2


def test_cli_check_with_a_stopped_worker_names_the_files_and_exits_1(synthetic, stops, monkeypatch):
    (stops.parent / "always").write_text("", encoding="utf-8")
    monkeypatch.setattr(bulk, "CheckOptions", functools.partial(bulk.CheckOptions, timeout=2))
    path = synthetic / "yaml"
    result = CliRunner().invoke(main, ["check", str(path), "--jobs", "2"])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    lines = result.output.splitlines()
    assert lines[0] == (
        f"error: {_first_run(path)[0]}: checking it took longer than 2 s in each of 2 tries, on a fresh worker"
        " each time; the worker was killed (checked together with 99 other file(s) listed here)"
    )
    assert lines[-1] == "100 problem(s) in 100 file(s)"


@pytest.mark.parametrize(
    ("field", "value"),
    [("timeout", bulk.TASK_TIMEOUT), ("start_timeout", bulk.START_TIMEOUT), ("retries", 1)],
)
def test_check_options_defaults(field, value):
    assert getattr(bulk.CheckOptions(), field) == value
    assert (bulk.TASK_TIMEOUT, bulk.START_TIMEOUT) == (60.0, 60.0)
