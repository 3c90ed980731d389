"""`selfeval check` streamed from the client's spill files: the bytes, lines and table of the serial path."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from pydantic_core import to_json

from benchmarks.synthetic import write_portfolio
from selfeval_kit import DataError, evaluate, load
from selfeval_kit.cli import main
from selfeval_kit.form.parquet import write_parquet
from selfeval_kit.rules import bulk, spill
from selfeval_kit.terminal import printable
from selfeval_kit.views import parquet
from tests.conftest import DATA_2022


def _serial(path) -> dict:
    return evaluate(load(path), "national").to_dict()


@pytest.fixture(scope="module")
def portfolio(tmp_path_factory):
    """150 synthetic forms as a YAML folder, one JSON list and one Parquet file of 4 row groups."""
    root = tmp_path_factory.mktemp("stream")
    write_portfolio(root / "yaml", 150, 0, seed=11)
    forms = load(root / "yaml").forms
    from selfeval_kit import to_json as forms_json

    (root / "forms.json").write_text(forms_json(load(root / "yaml")), encoding="utf-8")
    write_parquet(forms, root / "forms.parquet", row_group_size=40)
    return root


@pytest.fixture
def spill_root(tmp_path, monkeypatch):
    """The folder where the check's spill folders are made (the system's temporary folder, in the test)."""
    folder = tmp_path / "temp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def _spills(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.startswith("selfeval-check-")]


def _cli(*args: str):
    return CliRunner().invoke(main, ["check", *args])


def _before_text(data: dict) -> str:
    """The listing as the last commit's `check` printed it (without styles), from the whole dict."""
    lines, groups = [], {}
    for finding in data["findings"]:
        groups.setdefault(finding["form_id"], []).append(finding)

    def finding_line(f: dict) -> str:
        where = f" [{f['indicator']}]" if f["indicator"] else ""
        return f"  {f['severity']:<7} " + printable(f"{f['code']}{where}: {f['message']}")

    for form in data["forms"]:
        reported = form["score_reported"]
        head = (
            f"{form['id']}  {form['name']}  自评 {'—' if reported is None else f'{reported:.2f}'}"
            f" / 复核重算 {form['score_recomputed']:.2f} ({form['grade']})"
        )
        if form.get("deductions"):
            head += f" / 复核得分 {form['score_review']:.2f} ({form['grade_review']})"
        lines.append(printable(head))
        lines.extend(finding_line(f) for f in groups.get(form["id"], []))
    if None in groups:
        lines.append("portfolio  全部项目")
        lines.extend(finding_line(f) for f in groups[None])
    count = {s: sum(1 for f in data["findings"] if f["severity"] == s) for s in ("error", "warning", "info")}
    lines.append(
        f"{len(data['forms'])} form(s) checked with profile {data['profile']}: {count['error']} error(s), "
        f"{count['warning']} warning(s), {count['info']} info"
    )
    return "\n".join(lines) + "\n"


def _before_table(findings: list[dict]) -> pa.Table:
    """The table `write_findings` made before it streamed: one `from_pydict` of every finding."""
    import json

    columns = {name: [] for name, _ in parquet.FINDING_COLUMNS}
    for finding in findings:
        for name, _ in parquet.FINDING_COLUMNS:
            value = finding.get(name)
            columns[name].append(
                json.dumps(value or {}, ensure_ascii=False, sort_keys=True) if name == "figures" else value
            )
    schema = pa.schema([(name, getattr(pa, kind)()) for name, kind in parquet.FINDING_COLUMNS])
    return pa.Table.from_pydict(columns, schema=schema)


def test_the_generated_portfolio_has_a_repeated_satisfaction_value(portfolio):
    codes = [f["code"] for f in _serial(portfolio / "yaml")["findings"]]
    assert "portfolio.repeated_satisfaction" in codes


@pytest.mark.parametrize("name", ["data-2022", "forms.json", "forms.parquet", "yaml"])
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_json_is_byte_for_byte_the_serial_dicts_json(portfolio, monkeypatch, spill_root, name, jobs):
    monkeypatch.setattr(bulk, "_SHARE_BYTES", 0)  # the JSON list in 16 shares
    monkeypatch.setattr(bulk, "_FILES_PER_TASK", 40)  # the YAML folder in 4 runs
    path = DATA_2022 if name == "data-2022" else portfolio / name
    expected_serial = _serial(path)
    if jobs == "2":
        monkeypatch.setattr(bulk, "_evaluate_serial", None)  # the workers' results, not the fallback
    done = _cli(str(path), "--json", "--jobs", jobs)
    expected = printable(to_json(expected_serial, indent=2).decode("utf-8"), json=True) + "\n"
    assert done.output == expected
    assert done.exit_code == (1 if '"severity": "error"' in expected else 0)
    assert _spills(spill_root) == []


@pytest.mark.parametrize("name", ["data-2022", "forms.parquet"])
def test_text_is_line_for_line_the_listing_of_before(portfolio, spill_root, name):
    path = DATA_2022 if name == "data-2022" else portfolio / name
    done = _cli(str(path), "--jobs", "2")
    assert done.output == _before_text(_serial(path))
    assert "portfolio  全部项目" in done.output
    assert _spills(spill_root) == []


def test_out_writes_row_groups_whose_table_is_the_table_of_before(portfolio, tmp_path, monkeypatch, spill_root):
    monkeypatch.setattr(parquet, "BATCH_ROWS", 7)
    out = tmp_path / "findings.parquet"
    done = _cli(str(portfolio / "forms.parquet"), "--out", str(out), "--jobs", "2")
    findings = _serial(portfolio / "yaml")["findings"]
    assert f"wrote {out} ({len(findings)} finding(s) of 150 form(s))" in done.output
    assert pq.read_table(out).equals(_before_table(findings))
    assert pq.ParquetFile(out).metadata.num_row_groups == -(-len(findings) // 7)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["findings.parquet", "temp"]
    assert _spills(spill_root) == []


def test_out_of_no_findings_reads_back_as_the_empty_table(tmp_path):
    assert pq.read_table(parquet.write_findings(iter([]), tmp_path / "f.parquet")).equals(_before_table([]))


def test_a_failing_stream_leaves_the_earlier_file_and_no_temporary_file(tmp_path, monkeypatch):
    monkeypatch.setattr(parquet, "BATCH_ROWS", 2)
    good = _serial(DATA_2022)["findings"]
    out = parquet.write_findings(good, tmp_path / "f.parquet")
    before = out.read_bytes()

    def broken():
        yield from good[:5]  # two batches written, then the stream fails
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        parquet.write_findings(broken(), out)
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["f.parquet"]


def test_streams_read_twice_and_data_materialises(portfolio, spill_root):
    expected = _serial(portfolio / "forms.parquet")
    with bulk.check(portfolio / "forms.parquet", "national", jobs=2) as result:
        assert len(_spills(spill_root)) == 1  # the results are on disk while the result is open
        assert list(result.iter_forms()) == list(result.iter_forms()) == expected["forms"]
        assert list(result.iter_findings()) == expected["findings"]
        assert [f for _form, found in result.iter_groups() for f in found] + result.portfolio == expected["findings"]
        assert result.form_count == 150
        assert result.finding_count == len(expected["findings"])
        assert result.data == expected
        assert _spills(spill_root) == []  # data holds it all: the files are let go
        assert list(result.iter_forms()) == expected["forms"]
    assert _spills(spill_root) == []


def test_an_interrupted_check_removes_its_spill_folder(portfolio, monkeypatch, spill_root):
    calls = []

    def interrupted(self, task, entries):
        calls.append(task)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return added(self, task, entries)

    added = spill.Spill.add
    monkeypatch.setattr(spill.Spill, "add", interrupted)
    with pytest.raises(KeyboardInterrupt):
        bulk.check(portfolio / "forms.parquet", "national", jobs=2)
    assert len(calls) == 2
    assert _spills(spill_root) == []


def test_an_interrupted_listing_removes_its_spill_folder(portfolio, monkeypatch, spill_root):
    from selfeval_kit import cli

    def interrupted(finding, labels):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "_echo_finding", interrupted)
    done = _cli(str(portfolio / "forms.parquet"), "--jobs", "2")
    assert done.exit_code == 1 and "Aborted!" in done.output  # click's answer to Ctrl-C
    assert "form(s) checked" not in done.output  # stopped at the first finding
    assert _spills(spill_root) == []


def test_strict_exits_1_on_warnings_only(spill_root):
    assert _cli(str(DATA_2022), "--jobs", "2").exit_code == 0  # 34 warnings, 4 info, no error
    assert _cli(str(DATA_2022), "--jobs", "2", "--strict").exit_code == 1


def test_ids_that_differ_only_in_case_are_reported_as_load_reports(tmp_path, spill_root):
    write_portfolio(tmp_path / "forms", 3, 0, seed=2)
    first, second, _third = sorted((tmp_path / "forms").iterdir())
    text = first.read_text(encoding="utf-8")
    form_id = load(first).forms[0].id
    second.write_text(text.replace(f"id: {form_id}", f"id: {form_id.upper()}", 1), encoding="utf-8")
    with pytest.raises(DataError) as serial:
        load(tmp_path / "forms")
    with pytest.raises(DataError) as parallel:
        bulk.check(tmp_path / "forms", "national", jobs=2)
    assert "differs only in case" in str(parallel.value.problems[0])
    assert [str(p) for p in parallel.value.problems] == [str(p) for p in serial.value.problems]
    assert _spills(spill_root) == []


# --- the spill itself -------------------------------------------------------------------


def _entry(form_id: str, seq: int | None, file: str, severity: str = "info") -> tuple:
    return (seq, file), {"id": form_id}, [{"severity": severity, "form_id": form_id}], ("facts", form_id)


@pytest.mark.parametrize("fan_in", [64, 2])
def test_runs_merge_into_loads_order_ties_in_task_order(monkeypatch, spill_root, fan_in):
    monkeypatch.setattr(spill, "FAN_IN", fan_in)
    with spill.Spill() as runs:
        # task 1 finishes first; "a.yaml" in tasks 0 and 2 (two subfolders): task order decides
        runs.add(1, [_entry("y", 2, "big.json"), _entry("x", 1, "big.json", "error")])
        runs.add(0, [_entry("b", None, "b.yaml"), _entry("a0", None, "a.yaml")])
        runs.add(2, [_entry("a2", None, "a.yaml", "warning"), _entry("z", 3, "big.json")])
        runs.add(3, [])
        order = ["x", "y", "z", "a0", "a2", "b"]  # seq first, then the file name, then the task
        assert [f["id"] for f in runs.stream("forms")] == order
        assert [f["id"] for f in runs.stream("forms")] == order  # a second pass
        assert [found[0]["form_id"] for found in runs.stream("findings")] == order
        assert [facts[1] for facts in runs.stream("facts")] == order
        assert (runs.forms, dict(runs.counts)) == (6, {"info": 4, "error": 1, "warning": 1})
        assert runs.duplicate() is None
        runs.add(4, [_entry("A2", 9, "c.json")])
        assert runs.duplicate() == "a2"
        folder = next(Path(spill_root).iterdir())
        if fan_in == 2:
            assert len(list(folder.glob("*.ids"))) <= 2  # merged in groups of 2
    assert _spills(spill_root) == []
