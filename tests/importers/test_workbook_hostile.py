"""Workbook and text imports on hostile input, through `read_source`: sizes refused before the
work (the file by its size on disk, the archive by its own records, the sheets' stored cells by
the sheet adapter's scan), formulas and Excel error values named by field, sheet and cell (issue 15)."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from selfeval_kit.cli import main
from selfeval_kit.errors import DataError
from selfeval_kit.form import workbook as writer
from selfeval_kit.form.loading import load
from selfeval_kit.form.model import Form
from selfeval_kit.form.workbook import write_workbook, write_workbook_file
from selfeval_kit.importers import adapters, bounded, source
from selfeval_kit.importers.adapters import sheet as reader
from selfeval_kit.importers.source import read_source
from tests.conftest import DATA_2022

BASE = load(DATA_2022)["base-info-system-ops"]
HOTLINE = load(DATA_2022)["hotline-system-ops"]


def _import(path: Path, out: Path):
    return CliRunner().invoke(main, ["import", str(path), "--out", str(out)])


# --------------------------------------------------------------------------- 总分 inside the table


def test_an_indicator_and_a_target_named_the_total_label_round_trip(tmp_path):
    indicators = list(BASE.indicators)
    indicators[5] = indicators[5].model_copy(update={"name": "总分"})
    indicators[7] = indicators[7].model_copy(update={"target": "总分"})
    form = BASE.model_copy(update={"indicators": indicators})
    book = write_workbook_file([form], tmp_path / "x.xlsx")
    result = _import(book, tmp_path / "out")
    assert result.exit_code == 0, result.output
    back = load(tmp_path / "out")[form.id]
    assert (len(back.indicators), back.total_score) == (13, 100)
    assert back == form


def test_the_total_label_in_the_first_column_still_ends_the_table(tmp_path):
    """A hand-typed 总分 row, unmerged, in the 一级指标 column: the table ends there."""
    workbook = openpyxl.load_workbook(io.BytesIO(write_workbook([HOTLINE])))
    sheet = workbook[HOTLINE.id]
    last = sheet.max_row
    sheet.unmerge_cells(f"A{last}:E{last}")
    (form,) = read_source(_save(workbook, tmp_path / "hand.xlsx"))
    assert (len(form.data["indicators"]), form.data["total_score"]) == (15, 100)


def _save(workbook, path: Path) -> Path:
    workbook.save(path)
    return path


# --------------------------------------------------------------------------- formulas and error values


FIRST_SHEET = "第1张表（工作表 hotline-system-ops 第1行）"  # the form's source: where the reader found it


def _hotline_with(tmp_path: Path, coordinate: str, value) -> Path:
    workbook = openpyxl.load_workbook(io.BytesIO(write_workbook([HOTLINE])))
    workbook[HOTLINE.id][coordinate] = value  # openpyxl writes a formula without a saved value
    return _save(workbook, tmp_path / "in.xlsx")


def test_a_formula_without_a_saved_value_is_named_not_reported_missing(tmp_path):
    path = _hotline_with(tmp_path, "C3", '=A1&"x"')
    result = _import(path, tmp_path / "out")
    assert result.exit_code == 1
    assert (
        f"error: {path}: {FIRST_SHEET}: name: cell 'hotline-system-ops'!C3 holds the formula "
        '=A1&"x" with no saved value, expected text: open the workbook in Excel or LibreOffice and save it'
    ) in result.stderr
    assert "required field is missing" not in result.stderr and "not found in the source" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_a_formula_without_a_saved_value_in_an_amount_is_named(tmp_path):
    path = _hotline_with(tmp_path, "E6", "=C6*1")
    (form,) = read_source(path)
    assert form.errors == [
        "funds.total.executed: cell 'hotline-system-ops'!E6 holds the formula =C6*1 with no saved value, "
        "expected a number: open the workbook in Excel or LibreOffice and save it (that stores the values), "
        "or type the value, and import again"
    ]


@pytest.mark.parametrize("code", ["#DIV/0!", "#N/A", "#REF!", "#VALUE!", "#NAME?", "#NUM!", "#NULL!"])
def test_an_excel_error_value_is_refused_with_sheet_cell_and_value(tmp_path, code):
    path = _hotline_with(tmp_path, "C3", code)  # openpyxl stores these codes as error cells (t="e")
    result = _import(path, tmp_path / "out")
    assert result.exit_code == 1
    assert (
        f"error: {path}: {FIRST_SHEET}: name: cell 'hotline-system-ops'!C3 holds the Excel "
        f"error value {code}, expected text: correct the formula or type the value\n"
    ) in result.stderr
    assert not (tmp_path / "out").exists()


def test_an_excel_error_value_in_a_score_expects_a_number(tmp_path):
    workbook = openpyxl.load_workbook(io.BytesIO(write_workbook([HOTLINE])))
    sheet = workbook[HOTLINE.id]
    sheet["G14"] = "#DIV/0!"
    (form,) = read_source(_save(workbook, tmp_path / "in.xlsx"))
    assert form.errors == [
        "indicators[0].score: cell 'hotline-system-ops'!G14 holds the Excel error value #DIV/0!, expected a "
        "number: correct the formula or type the value"
    ]


# --------------------------------------------------------------------------- sizes before the work

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName='
    '"/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.'
    'main+xml"/><Override PartName="/{member}" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.worksheet+xml"/></Types>'
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
    '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
    '2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
    '2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
    '<sheet name="表1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
    '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
    '2006/relationships/worksheet" Target="{target}"/></Relationships>'
)


def _raw_book(path: Path, rows: int, cols: int, *, dimension: str | None, member="xl/worksheets/sheet1.xml"):
    """A minimal .xlsx with one sheet '表1' of `rows` x `cols` numeric cells, written as XML directly."""
    letters = [openpyxl.utils.get_column_letter(c) for c in range(1, cols + 1)]
    head = '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    if dimension:
        head += f'<dimension ref="{dimension}"/>'
    body = "".join(
        f'<row r="{r}">' + "".join(f'<c r="{x}{r}"><v>1</v></c>' for x in letters) + "</row>"
        for r in range(1, rows + 1)
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES.format(member=member))
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.format(target=member.removeprefix("xl/")))
        archive.writestr(member, f"{head}<sheetData>{body}</sheetData></worksheet>")
    return path


def _refusal(path: Path) -> str:
    with pytest.raises(DataError) as caught:
        read_source(path)
    [problem] = caught.value.problems
    assert problem.file == str(path)
    return problem.message


def test_a_sheet_declaring_a_million_rows_is_read_by_its_stored_cells(tmp_path):
    # Not a workbook of ours: the sheet adapter reads the cells stored, not the declared extent.
    path = _raw_book(tmp_path / "big.xlsx", 3, 2, dimension="A1:B1048576")
    result = _import(path, tmp_path / "out")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {path}: no self-evaluation form found")


TOO_MANY_CELLS = "工作簿存储了超过 100 个单元格或合并了超过 250000 个单元格，超出可读取的范围（workbook too large）"


def test_stored_cells_are_counted_before_loading_when_the_dimension_is_absent(tmp_path, monkeypatch):
    monkeypatch.setattr(reader, "MAX_STORED_CELLS", 100)
    monkeypatch.setattr(reader, "load_workbook", _must_not_load)
    path = _raw_book(tmp_path / "dense.xlsx", 51, 2, dimension=None)  # 102 cells
    assert _refusal(path) == TOO_MANY_CELLS


def test_a_sheet_stored_outside_the_worksheets_folder_is_counted_too(tmp_path, monkeypatch):
    monkeypatch.setattr(reader, "MAX_STORED_CELLS", 100)
    monkeypatch.setattr(reader, "load_workbook", _must_not_load)
    path = _raw_book(tmp_path / "odd.xlsx", 51, 2, dimension="A1:A1", member="xl/elsewhere/data.xml")
    assert _refusal(path) == TOO_MANY_CELLS


def test_a_sheet_within_the_limits_is_loaded(tmp_path, monkeypatch):
    monkeypatch.setattr(reader, "MAX_STORED_CELLS", 102)
    path = _raw_book(tmp_path / "dense.xlsx", 51, 2, dimension="A1:B51")
    assert _refusal(path).startswith("no self-evaluation form found")


def _must_not_load(*args, **kwargs):
    raise AssertionError("the workbook was loaded before its sizes were checked")


def test_a_zip_bomb_is_refused_by_the_archives_own_sizes(tmp_path, monkeypatch):
    monkeypatch.setattr(reader, "load_workbook", _must_not_load)
    path = tmp_path / "bomb.xlsx"
    limit = adapters.MAX_UNZIPPED_BYTES
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", b"<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (limit - 10))
    assert os.path.getsize(path) < 1024 * 1024
    assert _refusal(path) == f"压缩文件解压后有 {limit + 1} 字节，最多读取 {limit} 字节（unpacks too large）"


def test_a_large_workbook_file_is_refused_by_its_size_on_disk(tmp_path, monkeypatch):
    monkeypatch.setattr(source, "MAX_IMPORT_BYTES", 1000)
    path = tmp_path / "large.xlsx"
    with path.open("wb") as handle:
        handle.truncate(1001)  # sparse: nothing to read, only its size
    monkeypatch.setattr(Path, "open", _must_not_load)  # refused by its size on disk, never opened
    assert _refusal(path) == "file is 1001 bytes; the importer reads at most 1000"


def test_a_large_text_file_is_refused_before_it_is_read(tmp_path, monkeypatch):
    path = tmp_path / "published.txt"
    with path.open("wb") as handle:
        handle.truncate(bounded.MAX_IMPORT_BYTES + 1)
    monkeypatch.setattr(Path, "open", _must_not_load)  # refused by its size on disk, never opened
    with pytest.raises(DataError) as caught:
        read_source(path)
    assert str(caught.value) == (
        f"{path}: file is {bounded.MAX_IMPORT_BYTES + 1} bytes; the importer reads at most {bounded.MAX_IMPORT_BYTES}"
    )


def test_a_fifo_is_refused_without_being_opened(tmp_path):
    path = tmp_path / "pipe.txt"
    os.mkfifo(path)  # opening it would block until a writer came
    result = _import(path, tmp_path / "out")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {path}: not a regular file (a FIFO); expected a document of forms\n")


def test_a_form_of_a_thousand_indicators_is_within_the_limits(tmp_path):
    """What the tool writes it reads back: the limits leave room for a form of 1,000 indicators."""
    indicators = [ind.model_copy(update={"name": f"{ind.name}{i}"}) for i in range(77) for ind in BASE.indicators]
    form = BASE.model_copy(update={"indicators": indicators[:1000]})
    (back,) = read_source(write_workbook_file([form], tmp_path / "wide.xlsx"))
    assert back.ok and Form.model_validate(back.data) == form


def test_the_writer_refuses_a_workbook_past_what_the_reader_reads(monkeypatch):
    monkeypatch.setattr(writer, "MAX_WORKBOOK_CELLS", 2578)
    with pytest.raises(DataError) as caught:
        write_workbook(load(DATA_2022))
    assert str(caught.value) == (
        "workbook: 11 forms make a workbook of 2579 cells; the importer reads workbooks of at most 2578: "
        "export fewer forms into one workbook"
    )


def test_the_reader_reads_every_workbook_the_writer_writes():
    assert writer.MAX_WORKBOOK_CELLS <= reader.MAX_STORED_CELLS


def test_the_reader_counts_the_cells_the_writer_counts(tmp_path, monkeypatch):
    monkeypatch.setattr(writer, "MAX_WORKBOOK_CELLS", 2579)
    monkeypatch.setattr(reader, "MAX_STORED_CELLS", 2579)
    forms = read_source(write_workbook_file(load(DATA_2022), tmp_path / "all.xlsx"))
    assert len(forms) == 11 and all(f.ok for f in forms)
