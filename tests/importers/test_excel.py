"""Excel workbooks: the official layout written and read back, flat tables, broken files, the CLI."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from selfeval_kit import DataError, Form, load
from selfeval_kit.cli import main
from selfeval_kit.form.labels import label
from selfeval_kit.form.workbook import META_SHEET, write_workbook, write_workbook_file
from selfeval_kit.importers.adapters.sheet import _display
from selfeval_kit.importers.source import read_source
from tests.conftest import DATA_2022, FIXTURES

PORTFOLIO = load(DATA_2022)
IDS = PORTFOLIO.ids
HOTLINE = PORTFOLIO["hotline-system-ops"]


@pytest.fixture(scope="module")
def workbook_path(tmp_path_factory) -> Path:
    """The 11 forms of 2022 written once as a workbook."""
    return write_workbook_file(PORTFOLIO, tmp_path_factory.mktemp("xlsx") / "forms.xlsx")


@pytest.fixture(scope="module")
def imported(workbook_path):
    return {form.id: form for form in read_source(workbook_path)}


def save(workbook: openpyxl.Workbook, path: Path) -> Path:
    workbook.save(path)
    return path


_WRITTEN: dict[str, bytes] = {}


def sheet_of(form: Form) -> openpyxl.Workbook:
    """A fresh workbook of one form (written once per distinct form, to keep the tests fast)."""
    key = form.model_dump_json()
    if key not in _WRITTEN:
        _WRITTEN[key] = write_workbook([form])
    return openpyxl.load_workbook(io.BytesIO(_WRITTEN[key]))


def find(sheet, text: str) -> tuple[int, int]:
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value == text:
                return cell.row, cell.column
    raise AssertionError(f"no cell {text!r}")


def without(form: Form, **changes) -> Form:
    return form.model_copy(update=changes)


def unbroken(value):
    """`value` with the line breaks the writer adds for print taken out of every text (the 2022
    forms have no line breaks of their own): what a sheet read without its metadata gives."""
    if isinstance(value, str):
        return value.replace("\n", "")
    if isinstance(value, dict):
        return {k: unbroken(v) for k, v in value.items()}
    if isinstance(value, list):
        return [unbroken(v) for v in value]
    return value


# --------------------------------------------------------------------------- round trip


@pytest.mark.parametrize("form_id", IDS)
def test_round_trip_is_lossless(imported, form_id):
    form = imported[form_id]
    assert form.ok and not form.missing and not form.notes
    assert Form.model_validate(form.data) == PORTFOLIO[form_id]


def test_round_trip_gives_the_yaml_back_value_for_value_and_type(imported):
    """Every leaf of the 2022 files, ids, seq and line breaks included, with its type; a whole float
    (``296272.0``) comes back an int, as a cell holds it (33 of them, all amounts and scores)."""
    from tests.importers.printed import bundled, flat

    whole_floats = 0
    for expected in bundled():
        got = imported[expected["id"]].data
        assert (got["id"], got["seq"]) == (expected["id"], expected["seq"])
        want, have = flat(expected), flat(got)
        assert set(have) == set(want)
        for path, value in want.items():
            if isinstance(value, float) and value.is_integer() and type(have[path]) is int:
                whole_floats += 1
                value = int(value)
            assert (type(have[path]), have[path]) == (type(value), value), path
    assert whole_floats == 33


def test_round_trip_keeps_the_document_order_and_seq(imported):
    assert list(imported) == IDS
    assert [form.data["seq"] for form in imported.values()] == list(range(1, 12))


def test_round_trip_keeps_values_a_cell_cannot_hold(tmp_path):
    original = HOTLINE.model_copy(
        update={
            "id": "exact",
            "funds": HOTLINE.funds.model_copy(
                update={"other": HOTLINE.funds.other.model_copy(update={"executed": 0.1 + 0.2})}
            ),
            "indicators": [
                HOTLINE.indicators[0].model_copy(update={"deviation_note": "", "actual": "a\r\nb"}),
                *HOTLINE.indicators[1:],
            ],
        }
    )
    (form,) = read_source(write_workbook_file([original], tmp_path / "x.xlsx"))
    assert Form.model_validate(form.data) == original


def test_an_edit_in_excel_wins_over_the_recorded_exact_value(tmp_path):
    original = HOTLINE.model_copy(update={"total_score": 0.1 + 0.2})
    workbook = sheet_of(original)
    sheet = workbook[HOTLINE.id]
    row, _ = find(sheet, label("total_score"))
    sheet.cell(row=row, column=7, value=99.5)
    (form,) = read_source(save(workbook, tmp_path / "x.xlsx"))
    assert form.data["total_score"] == 99.5
    assert any(note.startswith("total_score: the cell was edited") for note in form.notes)


# --------------------------------------------------------------------------- the written layout


@pytest.mark.parametrize(
    ("column", "expected"),
    [
        ("A", {"产出指标": 11, "效益指标": 3, "满意度指标": 1}),
        (
            "B",
            {
                "数量指标": 4,
                "质量指标": 5,
                "时效指标": 2,
                "社会效益指标": 2,
                "可持续影响指标": 1,
                "服务对象满意度指标": 1,
            },
        ),
    ],
)
def test_level_cells_are_merged_over_their_runs(column, expected):
    sheet = sheet_of(HOTLINE)[HOTLINE.id]
    head_row, _ = find(sheet, label("level1"))
    spans = {}
    for row in range(head_row + 1, head_row + 1 + len(HOTLINE.indicators)):
        value = sheet[f"{column}{row}"].value
        if value is not None:
            merged = [r for r in sheet.merged_cells.ranges if f"{column}{row}" in r]
            spans[value] = merged[0].size["rows"] if merged else 1
    assert spans == expected


def test_layout_has_the_official_labels_in_order():
    sheet = sheet_of(HOTLINE)[HOTLINE.id]
    column_a = [sheet.cell(row=r, column=1).value for r in range(1, sheet.max_row + 1)]
    assert column_a[:5] == ["财政项目支出绩效自评表", "（2022年度）", "项目名称", "主管部门", "项目资金\n（元）"]
    assert column_a[-1] == "总分"
    heads = [c.value for c in sheet[find(sheet, "一级指标")[0]]]
    assert heads == [
        "一级指标",
        "二级指标",
        "三级指标",
        "年度指标值",
        "实际完成值",
        "分值",
        "得分",
        "偏差原因分析\n及改进措施",
    ]
    funds_heads = [c.value for c in sheet[find(sheet, "年初预算数")[0]]][2:]
    assert funds_heads == ["年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"]


def test_funds_cells_are_numbers_text_and_dashes():
    sheet = sheet_of(HOTLINE)[HOTLINE.id]
    total_row, _ = find(sheet, "年度资金总额")
    amount = sheet.cell(row=total_row, column=3)
    assert amount.value == 296272 and amount.data_type == "n" and amount.number_format == "#,##0.00"
    rate = sheet.cell(row=total_row, column=7)
    assert rate.value == "100.00%" and rate.data_type == "s"
    carry_row, _ = find(sheet, "上年结转资金")
    assert [sheet.cell(row=carry_row, column=c).value for c in range(3, 9)] == ["—", 0, 0, "—", "—", "—"]
    assert sheet.cell(row=total_row - 1, column=1).value == "项目资金\n（元）"


def test_targets_that_look_like_formulas_stay_text():
    sheet = sheet_of(HOTLINE)[HOTLINE.id]
    cell = sheet.cell(row=find(sheet, "并发用户数")[0], column=4)
    assert cell.value == "=200人" and cell.data_type == "s" and cell.quotePrefix


def test_sheet_is_printable_a4_portrait_fit_to_width():
    sheet = sheet_of(HOTLINE)[HOTLINE.id]
    assert int(sheet.page_setup.paperSize) == int(sheet.PAPERSIZE_A4)
    assert sheet.page_setup.orientation == "portrait"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.page_setup.fitToWidth == 1
    assert sheet["C3"].font.name == "宋体" and sheet["C3"].alignment.wrap_text
    assert sheet["A14"].border.left.style == "thin"


def test_ids_and_seq_travel_in_a_hidden_metadata_sheet():
    workbook = sheet_of(HOTLINE)
    assert workbook.sheetnames == [HOTLINE.id, META_SHEET]
    assert workbook[META_SHEET].sheet_state == "hidden"
    rows = list(workbook[META_SHEET].iter_rows(min_row=3, values_only=True))
    assert rows[:2] == [(HOTLINE.id, "id", '"hotline-system-ops"'), (HOTLINE.id, "seq", "1")]
    # then the two goal texts, which the sheet shows with print line breaks added
    assert [(title, path) for title, path, _ in rows[2:]] == [
        (HOTLINE.id, "annual_goal.planned"),
        (HOTLINE.id, "annual_goal.achieved"),
    ]


def test_long_ids_give_unique_excel_safe_sheet_titles():
    a = HOTLINE.model_copy(update={"id": "x" * 40 + "a"})
    b = HOTLINE.model_copy(update={"id": "x" * 40 + "b"})
    workbook = openpyxl.load_workbook(io.BytesIO(write_workbook([a, b])))
    titles = workbook.sheetnames[:2]
    assert len(set(titles)) == 2 and all(len(t) <= 31 for t in titles)


def test_reading_back_long_ids_uses_the_metadata(tmp_path):
    a = HOTLINE.model_copy(update={"id": "x" * 40 + "a"})
    b = HOTLINE.model_copy(update={"id": "x" * 40 + "b"})
    forms = read_source(write_workbook_file([a, b], tmp_path / "x.xlsx"))
    assert [f.id for f in forms] == [a.id, b.id]


# --------------------------------------------------------------------------- hand-made official layout


def shifted_copy(source, target, *, blank_after: set[int], cols: int) -> None:
    """Copy a sheet with blank rows inserted after the given source rows and columns shifted right."""
    mapping, row_out = {}, 0
    for row in range(1, source.max_row + 1):
        row_out += 1
        mapping[row] = row_out
        if row in blank_after:
            row_out += 1
    for row in source.iter_rows():
        for cell in row:
            if cell.value is not None and cell.__class__.__name__ == "Cell":
                value = unbroken(cell.value)  # typed by hand: no print line breaks
                new = target.cell(row=mapping[cell.row], column=cell.column + cols, value=value)
                new.data_type = cell.data_type
                new.number_format = cell.number_format
    for rng in source.merged_cells.ranges:
        target.merge_cells(
            start_row=mapping[rng.min_row],
            start_column=rng.min_col + cols,
            end_row=mapping[rng.max_row],
            end_column=rng.max_col + cols,
        )


@pytest.mark.parametrize("form_id", ["hotline-system-ops", "base-info-system-ops", "resource-talent-platform"])
def test_shifted_hand_made_layout_reads(tmp_path, form_id):
    original = PORTFOLIO[form_id]
    source = sheet_of(original)[form_id]
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "热线"  # not an id: the id is made up, after the file's name
    head_row, _ = find(source, label("level1"))
    shifted_copy(source, sheet, blank_after={1, 2, 4, 6, 9, 10, 11, head_row, head_row + 1}, cols=2)
    sheet["A1"] = "附件2"  # stray text above the form
    (form,) = read_source(save(workbook, tmp_path / "hand.xlsx"))
    assert form.ok and not form.missing
    got = Form.model_validate(form.data)
    assert got.id == "hand-01"
    assert got == without(original, id="hand-01", seq=1)  # seq: its place in the workbook


def test_hand_made_layout_with_spaced_labels_and_a_valid_sheet_name(tmp_path):
    workbook = sheet_of(HOTLINE)
    del workbook[META_SHEET]
    sheet = workbook[HOTLINE.id]
    row, col = find(sheet, "项目名称")
    sheet.cell(row=row, column=col, value="项 目 名 称：")
    (form,) = read_source(save(workbook, tmp_path / "hand.xlsx"))
    # without the metadata, the goal texts are read as one line: the print line breaks are not text
    assert "\n" not in form.data["annual_goal"]["planned"]
    assert Form.model_validate(form.data) == HOTLINE
    assert any("sheet name" in note for note in form.notes)


def test_empty_level_cells_without_merges_are_carried_down_with_a_note(tmp_path):
    workbook = sheet_of(HOTLINE)
    sheet = workbook[HOTLINE.id]
    head_row, _ = find(sheet, label("level1"))
    for rng in [r for r in sheet.merged_cells.ranges if r.min_row > head_row and r.max_col <= 2]:
        sheet.unmerge_cells(str(rng))
    (form,) = read_source(save(workbook, tmp_path / "hand.xlsx"))
    assert Form.model_validate(form.data) == HOTLINE
    [record] = [r for r in form.records if r.path == "indicators[1].level1"]
    assert (record.value, record.confidence, record.reason) == ("产出指标", 0.8, "沿用上一行")


def test_a_missing_funds_row_is_listed_not_guessed(tmp_path):
    workbook = sheet_of(HOTLINE)
    sheet = workbook[HOTLINE.id]
    row, _ = find(sheet, "上年结转资金")
    for col in range(2, 9):
        sheet.cell(row=row, column=col).value = None
    (form,) = read_source(save(workbook, tmp_path / "x.xlsx"))
    assert form.data["funds"]["carryover"] == {"budget_initial": None, "budget_final": None, "executed": None}
    carryover = [r for r in form.records if r.path.startswith("funds.carryover.")]
    assert {(r.value, r.confidence, r.reason) for r in carryover} == {(None, 0.0, "表中没有此行")}


def test_a_workbook_formula_without_a_saved_result_is_an_error(tmp_path):
    workbook = sheet_of(HOTLINE)
    sheet = workbook[HOTLINE.id]
    row, _ = find(sheet, "年度资金总额")
    sheet.cell(row=row, column=5, value="=C6*1")
    (form,) = read_source(save(workbook, tmp_path / "x.xlsx"))
    assert any("formula =C6*1" in error for error in form.errors)


# --------------------------------------------------------------------------- flat tables

FLAT_HEADERS = {
    "zh": [
        "项目名称",
        "主管部门",
        "实施单位",
        "年度",
        "金额单位",
        "年初预算数",
        "全年预算数",
        "全年执行数",
        "执行率",
        "预算执行分值",
        "预算执行得分",
        "当年财政拨款年初预算数",
        "当年财政拨款全年预算数",
        "当年财政拨款全年执行数",
        "上年结转资金年初预算数",
        "上年结转资金全年预算数",
        "上年结转资金全年执行数",
        "其他资金年初预算数",
        "其他资金全年预算数",
        "其他资金全年执行数",
        "一级指标",
        "二级指标",
        "三级指标",
        "年度指标值",
        "实际完成值",
        "分值",
        "得分",
        "偏差原因分析及改进措施",
        "总分",
        "预期目标",
        "实际完成情况",
    ],
    "en": [
        "name",
        "department",
        "implementer",
        "year",
        "unit",
        "budget_initial",
        "budget_final",
        "executed",
        "execution_rate",
        "budget_weight",
        "budget_score",
        "appropriation_budget_initial",
        "appropriation_budget_final",
        "appropriation_executed",
        "carryover_budget_initial",
        "carryover_budget_final",
        "carryover_executed",
        "other_budget_initial",
        "other_budget_final",
        "other_executed",
        "level1",
        "level2",
        "Indicator",
        "target",
        "actual",
        "weight",
        "score",
        "deviation_note",
        "total_score",
        "planned",
        "achieved",
        "id",
    ],
}


def flat_rows(form: Form) -> list[list]:
    f = form.funds
    rows = []
    for ind in form.indicators:
        rows.append(
            [
                form.name,
                form.department,
                form.implementer,
                form.year,
                form.unit,
                f.total.budget_initial,
                f.total.budget_final,
                f.total.executed,
                f.total.execution_rate,
                f.total.weight,
                f.total.score,
                *(
                    getattr(getattr(f, r), a)
                    for r in ("appropriation", "carryover", "other")
                    for a in ("budget_initial", "budget_final", "executed")
                ),
                ind.level1,
                ind.level2,
                ind.name,
                ind.target,
                ind.actual,
                ind.weight,
                ind.score,
                ind.deviation_note,
                form.total_score,
                form.annual_goal.planned,
                form.annual_goal.achieved,
                form.id,
            ]
        )
    return rows


def flat_workbook(forms: list[Form], language: str) -> openpyxl.Workbook:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    headers = FLAT_HEADERS[language]
    sheet.append(headers)
    for form in forms:
        for row in flat_rows(form):
            sheet.append(row[: len(headers)])
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # typed as text: "=200人" is not a formula
    # What staff and Excel do to a table: an amount typed as text, a percentage turned into a number.
    sheet.cell(row=2, column=6, value="296,272")
    actual_col = headers.index("actual" if language == "en" else "实际完成值") + 1
    last = 1 + len(HOTLINE.indicators)
    assert sheet.cell(row=last, column=actual_col).value == "99.91%"
    sheet.cell(row=last, column=actual_col, value=0.9991).number_format = "0.00%"
    return workbook


@pytest.mark.parametrize("language", ["zh", "en"])
def test_flat_table_gives_the_forms(tmp_path, language):
    other = PORTFOLIO["foreigner-work-service"]
    path = save(flat_workbook([HOTLINE, other], language), tmp_path / "flat.xlsx")
    forms = read_source(path)
    assert [f.ok for f in forms] == [True, True]
    assert [f.missing for f in forms] == [[], []]
    got = [Form.model_validate(f.data) for f in forms]
    expected_ids = [HOTLINE.id, other.id] if language == "en" else ["flat-01", "flat-02"]  # after the file
    assert got == [without(HOTLINE, id=expected_ids[0], seq=None), without(other, id=expected_ids[1], seq=None)]


def test_flat_table_notes_the_percent_cell_it_turned_back_into_text(tmp_path):
    second = HOTLINE.model_copy(update={"id": "b", "name": "乙"})
    form, _ = read_source(save(flat_workbook([HOTLINE, second], "en"), tmp_path / "f.xlsx"))
    # the sheet adapter reads the cell as Excel shows it: the number behind it is not seen
    assert form.data["indicators"][-1]["actual"] == "99.91%"


def test_flat_table_without_sub_rows_and_goals_lists_them_missing(tmp_path):
    headers = [
        "项目名称",
        "主管部门",
        "实施单位",
        "年度",
        "金额单位",
        "全年预算数",
        "全年执行数",
        "预算执行分值",
        "一级指标",
        "二级指标",
        "三级指标",
        "年度指标值",
        "实际完成值",
        "分值",
        "得分",
    ]
    workbook = openpyxl.Workbook()
    workbook.active.append(headers)
    workbook.active.append(
        ["示例", "部门", "单位", "2023年", "万元", "80", 72, 10, "产出指标", "数量指标", "场次", ">=10场", 8, 30, 24]
    )
    (form,) = read_source(save(workbook, tmp_path / "f.xlsx"))
    assert form.ok
    assert form.missing == [
        "funds.total.budget_initial",
        "funds.total.execution_rate",
        "funds.total.score",
        "funds.appropriation",
        "funds.carryover",
        "funds.other",
        "annual_goal.planned",
        "annual_goal.achieved",
        "indicators[*].deviation_note",
        "total_score",
    ]
    data = Form.model_validate(form.data)
    assert (data.year, data.funds.total.budget_final, data.indicators[0].actual) == (2023, 80, "8")


def test_flat_table_with_conflicting_form_values_is_an_error(tmp_path):
    workbook = flat_workbook([HOTLINE], "zh")
    workbook.active.cell(row=3, column=7, value=1)  # 全年预算数 differs on the second row
    (form,) = read_source(save(workbook, tmp_path / "f.xlsx"))
    assert not form.ok
    assert any(e.startswith("funds.total.budget_final: rows 2 and 3 of the same form differ") for e in form.errors)


def test_flat_table_with_a_lone_english_name_column_is_ambiguous(tmp_path):
    workbook = openpyxl.Workbook()
    workbook.active.append(["id", "name", "level1", "level2", "target", "actual", "weight"])
    workbook.active.append(["a", "x", "产出指标", "数量指标", "1", "1", 10])
    (form,) = read_source(save(workbook, tmp_path / "f.xlsx"))
    assert any("'name' is ambiguous" in e for e in form.errors)


@pytest.mark.parametrize(
    ("value", "number_format", "shown"),
    [
        (0.9991, "0.00%", "99.91%"),
        (0.95, "0%", "95%"),
        (200, "General", "200"),
        (0.95, "General", "0.95"),
        (1234.5, "#,##0.00", "1,234.50"),
        (200, '0"人"', "200人"),
        (12.5, "0.0#", "12.5"),
    ],
)
def test_numbers_excel_made_of_texts_are_shown_as_excel_shows_them(value, number_format, shown):
    assert _display(value, number_format) == shown


# --------------------------------------------------------------------------- failures


def test_a_text_file_named_xlsx_is_read_as_the_text_it_is(tmp_path):
    path = tmp_path / "forms.xlsx"
    path.write_text("项目名称,主管部门\n", encoding="utf-8")
    with pytest.raises(DataError) as info:
        read_source(path)
    (problem,) = info.value.problems
    assert problem.file == str(path) and "no self-evaluation form found" in problem.message


def test_a_truncated_workbook_is_refused(tmp_path, workbook_path):
    path = tmp_path / "cut.xlsx"
    path.write_bytes(workbook_path.read_bytes()[:5000])
    with pytest.raises(DataError, match=r"cut\.xlsx"):
        read_source(path)


def test_a_zip_that_is_not_a_workbook_is_refused(tmp_path):
    path = tmp_path / "other.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(DataError, match="neither a workbook nor a Word document"):
        read_source(path)


def test_a_workbook_without_forms_is_refused(tmp_path):
    workbook = openpyxl.Workbook()
    workbook.active.append(["日期", "金额"])
    workbook.active.append(["2023-01-01", 5])
    path = save(workbook, tmp_path / "other.xlsx")
    with pytest.raises(DataError, match="no self-evaluation form found"):
        read_source(path)


def test_a_form_without_an_indicator_table_has_an_error(tmp_path):
    workbook = sheet_of(HOTLINE)
    sheet = workbook[HOTLINE.id]
    head_row, _ = find(sheet, label("level1"))
    for rng in [r for r in sheet.merged_cells.ranges if r.min_row >= head_row]:
        sheet.unmerge_cells(str(rng))
    sheet.delete_rows(head_row, sheet.max_row)
    (form,) = read_source(save(workbook, tmp_path / "x.xlsx"))
    assert not form.ok and form.draft
    assert form.missing == ["indicators"]


# --------------------------------------------------------------------------- the command line


def test_cli_export_then_import_writes_valid_forms(tmp_path):
    runner = CliRunner()
    book = tmp_path / "X.xlsx"
    result = runner.invoke(main, ["export", str(DATA_2022), "--format", "xlsx", "--out", str(book)])
    assert result.exit_code == 0, result.output
    out = tmp_path / "forms"
    result = runner.invoke(main, ["import", str(book), "--out", str(out)])
    assert result.exit_code == 0, result.output
    written = sorted(out.glob("*.yaml"))
    assert [p.stem for p in written] == sorted(IDS)
    assert result.stdout.count("wrote ") == 11 and str(out / "hotline-system-ops.yaml") in result.stdout
    assert runner.invoke(main, ["validate", str(out)]).exit_code == 0
    assert load(out).forms == PORTFOLIO.forms


def test_cli_import_refuses_to_overwrite_without_force(tmp_path):
    workbook_path = write_workbook_file([HOTLINE, PORTFOLIO["platform-promotion"]], tmp_path / "two.xlsx")
    runner = CliRunner()
    out = tmp_path / "forms"
    assert runner.invoke(main, ["import", str(workbook_path), "--out", str(out)]).exit_code == 0
    target = out / "hotline-system-ops.yaml"
    target.write_text("edited", encoding="utf-8")
    result = runner.invoke(main, ["import", str(workbook_path), "--out", str(out)])
    assert result.exit_code == 1 and "use --force" in result.stderr
    assert target.read_text(encoding="utf-8") == "edited"
    assert runner.invoke(main, ["import", str(workbook_path), "--out", str(out), "--force"]).exit_code == 0
    assert target.read_text(encoding="utf-8") != "edited"


@pytest.mark.parametrize("broken", ["text", "no-table"])
def test_cli_import_writes_nothing_on_failure(tmp_path, broken):
    path = tmp_path / "in.xlsx"
    if broken == "text":
        path.write_text("not a workbook", encoding="utf-8")
    else:
        workbook = openpyxl.Workbook()
        workbook.active.append(["项目名称", "示例"])
        save(workbook, path)
    out = tmp_path / "forms"
    result = CliRunner().invoke(main, ["import", str(path), "--out", str(out)])
    # refused, or (a 项目名称 and nothing else) read as a draft that is not written without --partial
    assert result.exit_code == 1 and ("error:" in result.stderr or "could not be read whole" in result.stderr)
    assert not out.exists() or not any(out.iterdir())


def test_cli_export_xlsx_needs_out():
    result = CliRunner().invoke(main, ["export", str(DATA_2022), "--format", "xlsx"])
    assert result.exit_code == 2 and "--out" in result.output


def test_minimal_fixture_in_ten_thousand_yuan_round_trips(tmp_path):
    from selfeval_kit import load_form

    original = load_form(FIXTURES / "minimal.yaml")
    (form,) = read_source(write_workbook_file([original], tmp_path / "m.xlsx"))
    assert Form.model_validate(form.data) == original
    sheet = openpyxl.load_workbook(tmp_path / "m.xlsx")["minimal"]
    assert find(sheet, "项目资金\n（万元）")


# --------------------------------------------------------------------------- funds.total.reason


def _with_reason(reason: str | None) -> Form:
    total = HOTLINE.funds.total.model_copy(update={"reason": reason})
    return HOTLINE.model_copy(update={"id": "reason", "funds": HOTLINE.funds.model_copy(update={"total": total})})


@pytest.mark.parametrize(
    "reason",
    [
        "项目实施进度滞后，部分合同款项未到支付节点，执行率未达90%。",
        "=年中追加20万元\n用于设备采购",  # a leading "=" stays text; a line break survives
    ],
)
def test_round_trip_keeps_the_execution_reason(tmp_path, reason):
    """funds.total.reason has its own labelled cell (执行偏差原因) below the funds rows and comes back."""
    original = _with_reason(reason)
    path = write_workbook_file([original], tmp_path / "r.xlsx")
    sheet = openpyxl.load_workbook(path)["reason"]
    row, col = find(sheet, label("reason"))
    assert (col, sheet.cell(row=row, column=3).value) == (2, reason)
    assert row == find(sheet, "其他资金")[0] + 1
    (form,) = read_source(path)
    assert form.ok and not form.notes
    assert Form.model_validate(form.data) == original


def test_an_empty_reason_cell_reads_as_none(tmp_path):
    (form,) = read_source(write_workbook_file([_with_reason(None)], tmp_path / "r.xlsx"))
    assert form.data["funds"]["total"].get("reason") is None and not form.notes


def test_a_sheet_without_the_reason_cell_reads_reason_as_none_with_a_note(tmp_path):
    """A hand-typed sheet of a template without the cell: reason None, the form still whole."""
    workbook = sheet_of(_with_reason("原因"))
    sheet = workbook["reason"]
    row, _ = find(sheet, label("reason"))
    for col in (2, 3):  # the label and the (merged) text cell
        sheet.cell(row=row, column=col).value = None
    (form,) = read_source(save(workbook, tmp_path / "hand.xlsx"))
    assert form.data["funds"]["total"].get("reason") is None
    assert form.ok


# --------------------------------------------------------------------------- printing (issue 14 item 6)


@pytest.mark.parametrize(
    ("row_label", "height"),
    [
        ("年初预算数", 20.0),  # one line: 15.5 + 4.5 points
        ("年度资金总额", 20.0),
        ("其中：\n当年财政拨款", 35.5),  # two lines
        ("上年结转资金", 20.0),
        ("其他资金", 20.0),
        ("执行偏差原因", 20.0),
    ],
)
def test_funds_rows_have_a_height_for_their_lines(row_label, height):
    sheet = sheet_of(HOTLINE)[HOTLINE.id]
    row, _ = find(sheet, row_label)
    assert sheet.row_dimensions[row].height == height


def _with_goal(planned: str, achieved: str) -> Form:
    goal = HOTLINE.annual_goal.model_copy(update={"planned": planned, "achieved": achieved})
    return HOTLINE.model_copy(update={"id": "goal", "annual_goal": goal})


def test_a_wrapped_goal_row_is_as_high_as_its_longest_text():
    # 预期目标 spans B..D, 51 units: 50 for text, 25 glyphs a line, so 50 glyphs take 2 lines;
    # 实际完成情况 spans E..H, 50 units: 24 glyphs a line, so 50 glyphs take 3 lines -> 3 * 15.5 + 4.5,
    # balanced to 17 + 17 + 16 (16 a line would take 4).
    sheet = sheet_of(_with_goal("一" * 50, "二" * 50))["goal"]
    row = find(sheet, label("goal_planned"))[0] + 1
    assert sheet.row_dimensions[row].height == 51.0
    assert sheet.cell(row=row, column=2).value == "一" * 25 + "\n" + "一" * 25
    assert sheet.cell(row=row, column=5).value == "\n".join(["二" * 17, "二" * 17, "二" * 16])


def test_no_written_line_starts_with_closing_punctuation():
    """The 11 forms' texts as the sheets show them: broken for print, never before "，。、；：）”"."""
    workbook = openpyxl.load_workbook(io.BytesIO(write_workbook(PORTFOLIO)))
    lines = [
        line
        for sheet in workbook.worksheets[:-1]
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str)
        for line in cell.value.split("\n")[1:]
    ]
    assert len(lines) > 300  # the goal texts alone break into more
    assert [line for line in lines if line[:1] in "，。、；：？！）》”’%"] == []


def test_goal_texts_with_print_line_breaks_read_back_exactly(tmp_path):
    original = _with_goal("二" * 24 + "，三。" * 10, "一" * 80)
    (form,) = read_source(write_workbook_file([original], tmp_path / "g.xlsx"))
    assert form.ok and not form.notes
    assert Form.model_validate(form.data) == original


def test_an_edited_goal_text_wins_over_the_recorded_one(tmp_path):
    workbook = sheet_of(_with_goal("一" * 80, "二"))
    sheet = workbook["goal"]
    row = find(sheet, label("goal_planned"))[0] + 1
    sheet.cell(row=row, column=2, value="一" * 79 + "改")
    (form,) = read_source(save(workbook, tmp_path / "x.xlsx"))
    assert form.data["annual_goal"]["planned"] == "一" * 79 + "改"
    assert any(n.startswith("annual_goal.planned: the cell was edited") for n in form.notes)


def test_a_long_indicator_row_is_as_high_as_its_wrapped_cells():
    # 三级指标 (C) is 22 units: 21 for text, 10 glyphs a line; 25 glyphs take 3 lines.
    indicator = HOTLINE.indicators[0].model_copy(update={"name": "指" * 25})
    form = HOTLINE.model_copy(update={"id": "long", "indicators": [indicator, *HOTLINE.indicators[1:]]})
    sheet = sheet_of(form)["long"]
    row = find(sheet, label("indicator"))[0] + 1
    assert sheet.row_dimensions[row].height == 51.0


def test_the_indicator_header_repeats_on_every_printed_page():
    sheet = sheet_of(HOTLINE)[HOTLINE.id]
    head_row, _ = find(sheet, label("level1"))
    assert sheet.print_title_rows == f"${head_row}:${head_row}"
    assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)


def test_points_print_with_two_decimals():
    sheet = sheet_of(HOTLINE)[HOTLINE.id]
    total_row, _ = find(sheet, "年度资金总额")
    first = find(sheet, label("level1"))[0] + 1
    last, _ = find(sheet, label("total_score"))
    cells = [sheet.cell(row=total_row, column=6), sheet.cell(row=total_row, column=8)]
    cells += [sheet.cell(row=r, column=c) for r in range(first, last + 1) for c in (6, 7)]
    assert {cell.number_format for cell in cells} == {"0.00"}
    assert (sheet.cell(row=last, column=6).value, sheet.cell(row=last, column=7).value) == (100, 100)


@pytest.mark.parametrize("form_id", IDS)
def test_no_funds_cell_is_empty(form_id):
    """Every value cell of the funds block (B..H of the four rows, the 执行偏差原因 text) shows something."""
    sheet = sheet_of(PORTFOLIO[form_id])[form_id]
    total_row, _ = find(sheet, "年度资金总额")
    cells = [(r, c) for r in range(total_row, total_row + 4) for c in range(2, 9)] + [(total_row + 4, 3)]
    assert [(r, c) for r, c in cells if sheet.cell(row=r, column=c).value is None] == []


def _with_funds(execution_rate: str | None, reason: str | None, carry_initial: float | None) -> Form:
    funds = HOTLINE.funds.model_copy(
        update={
            "total": HOTLINE.funds.total.model_copy(update={"execution_rate": execution_rate, "reason": reason}),
            "carryover": HOTLINE.funds.carryover.model_copy(update={"budget_initial": carry_initial}),
        }
    )
    return HOTLINE.model_copy(update={"id": "funds", "funds": funds})


@pytest.mark.parametrize(
    ("execution_rate", "reason", "carry_initial", "shown"),
    [
        (None, None, None, ("—", "—", "—")),  # the dashes read back as nothing
        ("—", "-", 0, ("—", "-", 0)),  # texts of dashes come back as texts (metadata)
        ("", "", 5.5, ("—", "—", 5.5)),  # empty texts too
    ],
)
def test_funds_dashes_read_back_as_the_values_written(tmp_path, execution_rate, reason, carry_initial, shown):
    original = _with_funds(execution_rate, reason, carry_initial)
    path = write_workbook_file([original], tmp_path / "f.xlsx")
    sheet = openpyxl.load_workbook(path)["funds"]
    total_row, _ = find(sheet, "年度资金总额")
    carry_row, _ = find(sheet, "上年结转资金")
    cells = (sheet.cell(row=total_row, column=7), sheet.cell(row=total_row + 4, column=3))
    assert (*(c.value for c in cells), sheet.cell(row=carry_row, column=3).value) == shown
    (form,) = read_source(path)
    assert form.ok and not form.notes
    assert Form.model_validate(form.data) == original


def test_a_dash_typed_into_the_execution_rate_reads_as_nothing(tmp_path):
    workbook = sheet_of(HOTLINE)
    del workbook[META_SHEET]
    sheet = workbook[HOTLINE.id]
    total_row, _ = find(sheet, "年度资金总额")
    sheet.cell(row=total_row, column=7, value="/")
    (form,) = read_source(save(workbook, tmp_path / "x.xlsx"))
    assert form.data["funds"]["total"]["execution_rate"] is None


@pytest.mark.parametrize(
    ("current", "written", "same"),
    [
        ("一二\n三", "一二三", True),  # print breaks added
        ("一二三", "一\n二三", True),  # the reader reads a cell as one line: its breaks are not compared
        ("一二\u00a0三", "一二 三", True),  # nor white space (a no-break space at a print break is lost)
        ("一四", "一二", False),
        ("一二三四", "一二三", False),
        (0.3, 0.1 + 0.2, True),  # the cell's 16 digits of the exact float
        (99.5, 0.1 + 0.2, False),
        (None, "", True),  # an empty text, shown as an empty cell
        (None, "—", True),  # a text of dashes, which reads back as nothing
        ("x", "—", False),
        (1, True, False),
    ],
)
def test_an_exact_value_is_applied_only_where_the_cell_still_shows_it(current, written, same):
    from selfeval_kit.importers.exact import _still_shows

    assert _still_shows(current, written) is same


def test_cells_name_a_font_windows_wps_and_libreoffice_show_in_chinese():
    sheet = sheet_of(HOTLINE)[HOTLINE.id]
    fonts = {
        (sheet.cell(row=r, column=c).font.name, sheet.cell(row=r, column=c).font.charset)
        for r, c in ((1, 1), (3, 3), (14, 3))
    }
    assert fonts == {("宋体", 134)}
