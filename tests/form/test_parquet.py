"""Parquet portfolios: `selfeval export --format parquet` and reading them back as the JSON export is read."""

from __future__ import annotations

import json
import sys

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from selfeval_kit.cli import main
from selfeval_kit.errors import DataError
from selfeval_kit.form.export import export_records
from selfeval_kit.form.limits import Limits
from selfeval_kit.form.loading import load
from selfeval_kit.form.model import Form
from selfeval_kit.form.parquet import form_schema, read_parquet, row_groups, to_parquet, write_parquet
from selfeval_kit.form.reading import read_forms, read_json
from selfeval_kit.form.sources import form_files
from tests.conftest import DATA_2022


@pytest.fixture(scope="module")
def portfolio():
    return load(DATA_2022)


@pytest.fixture
def exported(portfolio, tmp_path):
    """data/2022 as a Parquet file of row groups of 4 forms (4, 4, 3)."""
    return write_parquet(portfolio.forms, tmp_path / "forms.parquet", row_group_size=4)


def _without_seq(forms):
    return [form.model_copy(update={"seq": None}) for form in forms]


def _write_records(records, path, row_group_size=4):
    """Rows written as they are, with the export's schema: the model does not check them first."""
    pq.write_table(pa.Table.from_pylist(records, schema=form_schema()), path, row_group_size=row_group_size)
    return path


def test_round_trip_gives_the_yaml_forms(portfolio, exported):
    forms, problems = read_forms(exported)
    assert problems == []
    assert forms == _without_seq(portfolio.forms)  # a Parquet row, as a JSON object, has no seq


def test_a_parquet_file_loads_as_a_portfolio_in_its_order(portfolio, exported):
    assert load(exported).ids == portfolio.ids


def test_a_folder_lists_its_parquet_files(exported):
    assert form_files(exported.parent) == [exported]


def test_row_groups_hold_at_most_row_group_size_forms(exported):
    metadata = pq.ParquetFile(exported).metadata
    assert [metadata.row_group(i).num_rows for i in range(metadata.num_row_groups)] == [4, 4, 3]
    assert row_groups(exported) == 3


def test_columns_are_zstd_compressed(exported):
    metadata = pq.ParquetFile(exported).metadata
    assert {metadata.row_group(0).column(i).compression for i in range(metadata.num_columns)} == {"ZSTD"}


def test_a_row_group_past_half_the_group_limit_is_split(portfolio, tmp_path):
    path = tmp_path / "forms.parquet"
    path.write_bytes(to_parquet(portfolio.forms, limits=Limits(max_parquet_group_bytes=2)))
    assert row_groups(path) == 11  # halved down to a form a group
    assert read_forms(path)[0] == _without_seq(portfolio.forms)


def test_the_file_has_the_schema_built_from_the_model(exported):
    assert pq.read_schema(exported).remove_metadata() == form_schema()


def test_the_schema_is_the_same_when_every_optional_field_is_null(minimal_data, exported, tmp_path):
    for row in minimal_data["funds"].values():
        row.update({key: None for key in row if key != "weight"})
    minimal_data["annual_goal"] = {"planned": None, "achieved": None}
    for indicator in minimal_data["indicators"]:
        indicator.update(score=None, deviation_note=None)
    minimal_data["total_score"] = None
    empty = Form.model_validate(minimal_data)
    path = write_parquet([empty], tmp_path / "empty.parquet")
    assert pq.read_schema(path) == pq.read_schema(exported)
    assert read_forms(path) == ([empty], [])


@pytest.mark.parametrize(
    ("field", "kind", "nullable"),
    [
        (("id",), pa.string(), False),
        (("year",), pa.int64(), False),
        (("unit",), pa.string(), False),
        (("total_score",), pa.float64(), True),
        (("funds", "total", "weight"), pa.float64(), False),
        (("funds", "total", "execution_rate"), pa.string(), True),
        (("funds", "carryover", "budget_initial"), pa.float64(), True),
        (("annual_goal", "achieved"), pa.string(), True),
        (("indicators", "element", "level1"), pa.string(), False),
        (("indicators", "element", "weight"), pa.float64(), False),
        (("indicators", "element", "deviation_note"), pa.string(), True),
    ],
)
def test_schema_field_types(field, kind, nullable):
    found = form_schema().field(field[0])
    for name in field[1:]:
        parent = found.type
        found = parent.value_field if pa.types.is_list(parent) else parent.field(name)
    assert (found.type, found.nullable) == (kind, nullable)


def test_schema_columns_are_the_json_export_keys(portfolio):
    assert form_schema().names == list(export_records(portfolio.forms[:1])[0])


@pytest.mark.parametrize(
    ("row", "change"),
    [
        (5, lambda r: r["indicators"][0].update(weight=500)),
        (0, lambda r: r.update(name="")),
        (10, lambda r: r.update(id="bad id")),
        (9, lambda r: r.update(unit="美元")),
        (4, lambda r: r["indicators"][1].update(level1="产出指示")),
        (7, lambda r: r["funds"]["total"].update(executed=-1.0)),
    ],
)
def test_an_invalid_row_is_the_problem_read_json_gives(portfolio, tmp_path, row, change):
    records = export_records(portfolio.forms)
    change(records[row])
    json_path = tmp_path / "forms.json"
    json_path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    forms, problems = read_forms(_write_records(records, tmp_path / "forms.parquet"))
    expected = [(p.path, p.message) for p in read_json(json_path)[1]]
    assert forms == []
    assert [(p.path, p.message) for p in problems] == expected
    assert problems[0].path.startswith(f"[{row}].")


def test_problems_of_rows_in_several_row_groups_are_all_listed(portfolio, tmp_path):
    records = export_records(portfolio.forms)
    records[1]["year"] = 1980
    records[9]["year"] = 2200
    _, problems = read_forms(_write_records(records, tmp_path / "forms.parquet"))
    assert [(p.path, p.message) for p in problems] == [
        ("[1].year", "Input should be greater than or equal to 1990"),
        ("[9].year", "Input should be less than or equal to 2100"),
    ]


def test_a_table_of_another_schema_is_checked_field_by_field(tmp_path):
    path = tmp_path / "other.parquet"
    pq.write_table(pa.table({"id": ["a"], "colour": ["red"]}), path)
    _, problems = read_forms(path)
    assert ("colour", "unknown key") in [(p.path.removeprefix("[0]."), p.message[:11]) for p in problems]
    assert ("[0].name", "required field is missing") in [(p.path, p.message) for p in problems]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "Parquet file size is 0 bytes"),
        (b"id: not parquet\n", "Parquet magic bytes not found in footer"),
        (b"PAR1" + b"\x00" * 40 + b"PAR1", "Couldn't deserialize thrift"),
    ],
)
def test_a_file_that_is_not_parquet_is_a_problem_naming_it(tmp_path, content, reason):
    path = tmp_path / "forms.parquet"
    path.write_bytes(content)
    forms, problems = read_forms(path)
    assert forms == []
    assert [(p.file, p.path) for p in problems] == [(str(path), "")]
    assert problems[0].message.startswith(f"not a Parquet file: {reason}")


def test_a_truncated_file_is_a_problem(exported):
    exported.write_bytes(exported.read_bytes()[:-100])
    problems = read_forms(exported)[1]
    assert [p.message[:20] for p in problems] == ["not a Parquet file: "]


def test_a_corrupted_page_is_a_problem_not_a_traceback(exported):
    data = bytearray(exported.read_bytes())
    data[4:2004] = b"\xff" * 2000  # the first column chunks' pages
    exported.write_bytes(bytes(data))
    problems = read_forms(exported)[1]
    assert len(problems) == 1
    assert problems[0].file == str(exported)
    assert problems[0].message.startswith(("cannot read row group 1 of this Parquet file: ", "not a Parquet file: "))


def test_a_folder_named_parquet_is_refused(tmp_path):
    (tmp_path / "forms.parquet").mkdir()
    problems = read_parquet(tmp_path / "forms.parquet")[1]
    assert [p.message for p in problems] == ["not a regular file but a folder; expected a Parquet file"]


def test_a_file_without_rows_is_a_problem(tmp_path):
    path = write_parquet([], tmp_path / "none.parquet")
    assert [p.message for p in read_forms(path)[1]] == ["no forms in this Parquet file; expected one row a form"]


@pytest.mark.parametrize(
    ("limits", "message"),
    [
        (Limits(max_parquet_forms=10), "11 forms; a Parquet file holds at most 10"),
        (Limits(max_parquet_bytes=1000), "file is {size} bytes; a Parquet file is at most 1000 bytes"),
    ],
)
def test_a_file_past_a_limit_is_refused_before_reading(exported, limits, message):
    size = exported.stat().st_size
    assert [p.message for p in read_forms(exported, limits)[1]] == [message.format(size=size)]


def test_a_row_group_past_the_group_limit_is_refused(exported):
    first = pq.ParquetFile(exported).metadata.row_group(0).total_byte_size
    problems = read_forms(exported, Limits(max_parquet_group_bytes=first - 1))[1]
    assert [p.message for p in problems] == [
        f"row group 1 is {first} bytes unpacked; a row group is at most {first - 1} bytes"
    ]


def test_only_the_row_groups_asked_for_are_read(portfolio, exported):
    forms, problems = read_parquet(exported, groups=[1])
    assert (forms, problems) == (_without_seq(portfolio.forms[4:8]), [])


def test_write_refuses_more_forms_than_can_be_read_back(portfolio, tmp_path):
    with pytest.raises(DataError) as exc:
        write_parquet(portfolio.forms, tmp_path / "f.parquet", limits=Limits(max_parquet_forms=10))
    assert str(exc.value) == f"{tmp_path / 'f.parquet'}: 11 forms; a Parquet file holds at most 10 when read back: " + (
        "export the forms in parts"
    )
    assert not (tmp_path / "f.parquet").exists()


def test_without_pyarrow_writing_says_what_to_install(portfolio, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    with pytest.raises(DataError) as exc:
        write_parquet(portfolio.forms, tmp_path / "f.parquet")
    assert "pip install 'selfeval-kit[dask]'" in str(exc.value)


def test_without_pyarrow_reading_is_a_problem(exported, monkeypatch):
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    assert [p.message for p in read_forms(exported)[1]] == ["Parquet needs pyarrow: pip install 'selfeval-kit[dask]'"]


def test_cli_export_parquet_loads_back(portfolio, tmp_path):
    out = tmp_path / "forms.parquet"
    result = CliRunner().invoke(main, ["export", str(DATA_2022), "--format", "parquet", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert load(out).forms == tuple(_without_seq(portfolio.forms))
    assert row_groups(out) == 1


def test_cli_export_parquet_needs_out():
    result = CliRunner().invoke(main, ["export", str(DATA_2022), "--format", "parquet"])
    assert result.exit_code == 2
    assert "give --out FILE.parquet" in result.output


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_cli_check_of_the_parquet_equals_the_check_of_the_folder(exported, jobs):
    runner = CliRunner()
    folder = runner.invoke(main, ["check", str(DATA_2022), "--json", "--jobs", "1"])
    parquet = runner.invoke(main, ["check", str(exported), "--json", "--jobs", jobs])
    assert (parquet.exit_code, parquet.output) == (folder.exit_code, folder.output)
