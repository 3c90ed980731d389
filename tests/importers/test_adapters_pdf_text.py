"""Tests for the PDF and plain-text adapters (selfeval_kit.importers.adapters.pdf / .text).

Expectations for the PDFs come from the committed prints themselves (read with ``pdftotext
-layout`` and by eye): `forms_2022.pdf` is LibreOffice's print of the 11-form export
`forms_2022.xlsx`, `hotline_form_chromium.pdf` Chromium's print of one report's attached form.
Small PDFs are written by hand below (`_pdf`), to fix one behaviour each.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from selfeval_kit.errors import DataError
from selfeval_kit.importers.adapters import pdf, text
from selfeval_kit.importers.cells import Cell, Document, Line, Table
from tests.conftest import FIXTURES

DOCUMENTS = FIXTURES / "documents"
FORMS_PDF = DOCUMENTS / "forms_2022.pdf"
HOTLINE_PDF = DOCUMENTS / "hotline_form_chromium.pdf"


def _read_pdf(path: Path) -> Document:
    return pdf.read(path, path.read_bytes())


@pytest.fixture(scope="module")
def forms() -> Document:
    return _read_pdf(FORMS_PDF)


@pytest.fixture(scope="module")
def hotline() -> Document:
    return _read_pdf(HOTLINE_PDF)


def _cell(table: Table, cell_text: str) -> Cell:
    """The one cell of `table` whose text is exactly `cell_text`."""
    found = [cell for cell in table.cells if cell.text == cell_text]
    assert len(found) == 1, [cell.text for cell in table.cells]
    return found[0]


def _pdf(pages: list[str]) -> bytes:
    """A minimal PDF of 300×300 pt pages, one per content stream; /F1 is Helvetica."""
    objects = {
        1: "<< /Type /Catalog /Pages 2 0 R >>",
        3: "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    }
    kids = []
    for index, content in enumerate(pages):
        page_id, stream_id = 4 + 2 * index, 5 + 2 * index
        kids.append(f"{page_id} 0 R")
        objects[page_id] = (
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 300] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {stream_id} 0 R >>"
        )
        objects[stream_id] = f"<< /Length {len(content)} >>\nstream\n{content}\nendstream"
    objects[2] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(pages)} >>"
    out = bytearray(b"%PDF-1.4\n")
    offsets = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += f"{number} 0 obj\n{objects[number]}\nendobj\n".encode("latin-1")
    xref, size = len(out), max(objects) + 1
    out += f"xref\n0 {size}\n0000000000 65535 f \n".encode()
    out += "".join(f"{offsets[n]:010d} 00000 n \n" for n in range(1, size)).encode()
    out += f"trailer\n<< /Size {size} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _text(x: float, y: float, s: str) -> str:
    return f"BT /F1 10 Tf {x} {y} Td ({s}) Tj ET "


NO_TEXT = "0 0 m 100 100 l S"  # a drawing, no text: what a scanned page is to a text reader
# A ruled 2×2 table: columns x 20-120-220, rows y 140-120 and 120-100 (PDF y grows upwards).
RULES = (
    "0.5 w 20 100 m 220 100 l S 20 120 m 220 120 l S 20 140 m 220 140 l S "
    "20 100 m 20 140 l S 120 100 m 120 140 l S 220 100 m 220 140 l S "
)


# --- forms_2022.pdf (LibreOffice) ---------------------------------------------------------


def test_libreoffice_merged_project_name_is_one_cell_with_its_colspan(forms):
    cell = _cell(forms.tables[0], "上海市科技行政服务热线系统（运维）")
    assert (cell.row, cell.col, cell.rowspan, cell.colspan) == (0, 2, 1, 6)


@pytest.mark.parametrize(
    ("cell_text", "row", "col"),
    [
        ("年度资金总额", 3, 1),  # no line of the row below bleeds in
        ("其中：当年财政\n拨款", 4, 1),  # its first line overflowed onto the row above
        ("上年结转资金", 5, 1),
    ],
)
def test_libreoffice_overflowing_cell_text_stays_in_its_row(forms, cell_text, row, col):
    cell = _cell(forms.tables[0], cell_text)
    assert (cell.row, cell.col) == (row, col)


def test_libreoffice_line_of_closing_bracket_joins_the_line_before(forms):
    cell = _cell(forms.tables[0], "项目资金（元）")
    assert (cell.row, cell.col, cell.rowspan, cell.colspan) == (2, 0, 6, 1)


def test_libreoffice_amounts_are_cells_of_their_own(forms):
    row = [cell.text for cell in forms.tables[0].row_cells(3)]
    assert row == ["项目资金（元）", "年度资金总额", "296,272.00", "296,272.00", "296,272.00", "10", "100.00%", "10"]


def test_libreoffice_every_form_has_its_table(forms):
    named = [t for t in forms.tables if any(c.text == "项目名称" for c in t.cells)]
    assert len(named) == 11


def test_libreoffice_table_continued_on_next_page_stays_a_table_of_its_own(forms):
    continued = next(t for t in forms.tables if t.where == "第9页 表1")
    assert [[c.text for c in continued.row_cells(r)] for r in range(continued.n_rows)] == [
        ["满意度指标", "服务对象满意度\n指标", "服务满意度", ">=95%", "100%", "10", "10", ""],
        ["总分", "100", "100", ""],
    ]


def test_libreoffice_text_outside_tables_is_lines_in_reading_order(forms):
    assert forms.blocks[:2] == [Line("财政项目支出绩效自评表", "第1页 第1行"), Line("（2022年度）", "第1页 第2行")]
    assert forms.blocks[2] is forms.tables[0]


def test_libreoffice_print_has_no_notes(forms):
    assert (len(forms.tables), forms.notes) == (12, [])


# --- hotline_form_chromium.pdf (Chromium) -------------------------------------------------


def test_chromium_indicator_name_and_target_share_a_row(hotline):
    table = hotline.tables[1]
    name = _cell(table, "并发用户数")
    assert [c.text for c in table.row_cells(name.row)] == [
        "产出指\n标",
        "数量指标",
        "并发用户数",
        "=200人",
        "200人",
        "5",
        "5",
        "",
    ]


def test_chromium_radicals_of_shared_glyphs_become_ideographs(hotline):
    texts = [c.text for t in hotline.tables for c in t.cells] + [b.text for b in hotline.blocks if isinstance(b, Line)]
    assert [t for t in texts if any("\u2e80" <= ch <= "\u2fdf" for ch in t)] == []
    assert _cell(hotline.tables[0], "主管部门").colspan == 2


def test_chromium_page_header_and_number_are_lines_around_the_table(hotline):
    assert [b.where if isinstance(b, Table) else (b.where, b.text) for b in hotline.blocks[:3]] == [
        ("第1页 第1行", "上海市科技行政服务热线系统（运维） 2022年度项目支出绩效自评复核报告"),
        "第1页 表1",
        ("第1页 第2行", "第 7 页"),
    ]


# --- hand-made PDFs -----------------------------------------------------------------------


def test_line_overflowing_into_the_row_above_goes_back_to_its_cell():
    # Cell (1,0) holds "First"/"second" set too high: "First" has its centre in row 0 and
    # overlaps row 0's own line "Top".
    content = RULES + _text(25, 127, "Top") + _text(25, 122, "First") + _text(25, 112, "second") + _text(125, 127, "B")
    (table,) = pdf.read(Path("t.pdf"), _pdf([content])).tables
    assert [(c.text, c.row, c.col) for c in table.cells] == [
        ("Top", 0, 0),
        ("B", 0, 1),
        ("First\nsecond", 1, 0),
        ("", 1, 1),
    ]


def test_a_merged_cell_cut_by_the_page_foot_is_a_cell_though_no_rectangle_closes_it():
    """Rows y 140-120-100-80, columns x 20-70-150-220; the first column's cell over the two lower
    rows has no bottom border (the page ends there): its label is still that cell's."""
    edges = (
        "0.5 w 20 140 m 220 140 l S 20 120 m 220 120 l S 70 100 m 220 100 l S 70 80 m 220 80 l S "
        "20 80 m 20 140 l S 70 80 m 70 140 l S 150 80 m 150 140 l S 220 80 m 220 140 l S "
    )
    content = edges + _text(25, 127, "Head") + _text(25, 102, "Label") + _text(75, 107, "a") + _text(75, 87, "b")
    (table,) = pdf.read(Path("t.pdf"), _pdf([content])).tables
    label = _cell(table, "Label")
    assert (label.row, label.col, label.rowspan) == (1, 0, 2)
    assert [c.text for c in table.row_cells(2)] == ["Label", "b", ""]


def test_a_row_the_page_foot_cuts_off_is_the_tables_last_row():
    """The 2×2 table, then a row right under its last border with side borders but no bottom one
    (the page ends): its texts are a row of the table, not lines beside it."""
    sides = "20 80 m 20 100 l S 120 80 m 120 100 l S 220 80 m 220 100 l S "
    content = RULES + sides + _text(25, 127, "A") + _text(25, 107, "B") + _text(25, 90, "Cut") + _text(125, 90, "row")
    document = pdf.read(Path("t.pdf"), _pdf([content]))
    (table,) = document.tables
    assert [c.text for c in table.row_cells(2)] == ["Cut", "row"]
    assert not [b for b in document.blocks if not isinstance(b, Table)]


def test_page_without_ruled_table_is_laid_out_lines():
    """Each word at the column of its x (4 pt a column: x = 20 pt is column 5), the text as printed;
    the lines 20 pt apart, one blank line between (13 pt a line)."""
    document = pdf.read(Path("t.pdf"), _pdf([_text(20, 250, "Hello world") + _text(20, 230, "Second line")]))
    printed = [b for b in document.blocks if b.text]
    assert [(b.text, b.where, b.parts) for b in printed] == [
        ("Hello world", "第1页 第1行", ("Hello world",)),
        ("Second line", "第1页 第3行", ("Second line",)),
    ]
    assert [b.layout.index(b.text.split()[0]) for b in printed] == [5, 5]


def test_pdf_without_any_text_asks_for_ocr():
    with pytest.raises(DataError) as caught:
        pdf.read(Path("scan.pdf"), _pdf([NO_TEXT, NO_TEXT]))
    assert str(caught.value).startswith("scan.pdf: PDF 没有文字层（扫描件？），请先做文字识别（OCR）再导入")


def test_pages_without_text_are_noted():
    document = pdf.read(Path("t.pdf"), _pdf([NO_TEXT, _text(20, 250, "Hello"), NO_TEXT]))
    assert ([(b.text, b.where) for b in document.blocks], document.notes) == (
        [("Hello", "第2页 第1行")],
        ["第1、3页没有文字层（扫描件？或空白页），未读取"],
    )


@pytest.mark.parametrize(
    "data",
    [FORMS_PDF.read_bytes()[:1000], b"", b"not a pdf at all", b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog"],
    ids=["truncated", "empty", "not-pdf", "broken"],
)
def test_unreadable_pdf_is_a_data_error_naming_the_file(data):
    with pytest.raises(DataError) as caught:
        pdf.read(Path("bad.pdf"), data)
    assert str(caught.value).startswith("bad.pdf: 无法读取 PDF：文件损坏或不完整")


def test_too_many_pages_is_a_data_error(monkeypatch):
    monkeypatch.setattr(pdf, "MAX_PAGES", 2)
    with pytest.raises(DataError, match="PDF 有 3 页，超过上限 2 页"):
        pdf.read(Path("big.pdf"), _pdf([_text(20, 250, "a")] * 3))


@pytest.mark.parametrize(
    ("printed", "meant"),
    [
        ("并发⽤⼾数", "并发用户数"),
        ("主管部⻔", "主管部门"),
        ("⻓效管理", "长效管理"),
        ("⾼危", "高危"),
        ("（元）", "（元）"),
    ],
)
def test_radicals_map_to_simplified_ideographs(printed, meant):
    assert pdf._ideograph(printed) == meant


# --- text ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "parts"),
    [
        ("项目名称", ("项目名称",)),
        ("a||b", ("a", "", "b")),
        ("a\t\tb", ("a", "", "b")),
        ("| a | b |", ("a", "b")),
        ("| a |  | b |", ("a", "", "b")),
        ("| | a |", ("", "a")),
        ("a ｜ b", ("a", "b")),
        ("项目名称    热线运维", ("项目名称", "热线运维")),
        ("项目名称 热线运维", ("项目名称 热线运维",)),  # one space is not a separator
        ("分值\u3000\u3000得分", ("分值", "得分")),
        ("分值\u3000得分", ("分值\u3000得分",)),
        ("a  \t  b", ("a", "b")),  # spaces round a tab belong to it
        ("\ta\tb\t", ("", "a", "b", "")),  # tabs at the ends are empty cells
        ("   缩进  文字   ", ("缩进", "文字")),
        ("", ()),
        ("   ", ()),
    ],
)
def test_text_line_parts(line, parts):
    assert text.split_parts(line) == parts


def _lines(data: bytes) -> list[Line]:
    return [block for block in text.read(Path("t.txt"), data).blocks if isinstance(block, Line)]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"a\r\nb\rc\n", [Line("a", "第1行", ("a",)), Line("b", "第2行", ("b",)), Line("c", "第3行", ("c",))]),
        (b"a\n\nb", [Line("a", "第1行", ("a",)), Line("", "第2行"), Line("b", "第3行", ("b",))]),
        ("x\x07y\u200bz\n".encode(), [Line("xyz", "第1行", ("xyz",))]),
        (
            "| 名称 | 值 |\n|---|:--:|\n| a | 1 |\n".encode(),
            [Line("| 名称 | 值 |", "第1行", ("名称", "值")), Line("| a | 1 |", "第3行", ("a", "1"))],
        ),
        (b"----\n", [Line("----", "第1行", ("----",))]),  # no pipe: not a delimiter row
        (
            b"a\nb\n\fc\n\f",
            [Line("a", "第1页 第1行", ("a",)), Line("b", "第1页 第2行", ("b",)), Line("c", "第2页 第1行", ("c",))],
        ),
    ],
    ids=["line-breaks", "blank-kept", "controls-dropped", "markdown", "dashes", "form-feed"],
)
def test_text_lines(data, expected):
    assert _lines(data) == expected


@pytest.mark.parametrize(
    ("data", "notes"),
    [
        ("\ufeff项目".encode(), []),
        ("项目".encode("utf-16"), []),
        ("项目".encode("gb18030"), ["文件不是 UTF-8 编码，已按 GB18030 解码"]),
    ],
    ids=["utf-8-bom", "utf-16-bom", "gb18030"],
)
def test_text_decoding(data, notes):
    document = text.read(Path("t.txt"), data)
    assert (document.kind, document.blocks, document.notes) == ("txt", [Line("项目", "第1行", ("项目",))], notes)


@pytest.mark.parametrize(
    ("data", "message"),
    [(b"\x89PNG\r\n\x1a\n\x00\x00", "不是文本文件"), (b"ok \xff\xff", "无法解码文本（第 3 字节起）")],
    ids=["binary", "undecodable"],
)
def test_text_not_text_is_a_data_error(data, message):
    with pytest.raises(DataError, match=message) as caught:
        text.read(Path("t.txt"), data)
    assert str(caught.value).startswith("t.txt: ")
