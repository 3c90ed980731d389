"""The XLSX, DOCX and HTML adapters and the dispatcher (`selfeval_kit.importers.adapters`)."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from openpyxl import Workbook

from selfeval_kit.errors import DataError
from selfeval_kit.importers.adapters import MAX_SPAN, read_document, sheet, sniff, web, word
from selfeval_kit.importers.cells import Line, Table

DOCUMENTS = Path(__file__).resolve().parents[1] / "fixtures" / "documents"


def texts(table: Table) -> list[list[str | None]]:
    return [[c.text if c else None for c in row] for row in table.grid]


def zip_bytes(*members: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in members:
            archive.writestr(name, "<x/>")
    return buffer.getvalue()


# --------------------------------------------------------------------------- xlsx


def workbook_bytes() -> bytes:
    book = Workbook()
    ws = book.active
    ws.title = "Data"
    ws["B2"] = "标题"
    ws.merge_cells("B2:D2")
    ws["B3"] = "一级"
    ws.merge_cells("B3:B4")
    ws["C3"], ws["C3"].number_format = 296272, "0.00"
    ws["D3"], ws["D3"].number_format = 1, "0.00%"
    ws["C4"] = 5.0
    ws["D4"] = 2.5
    ws["B5"] = dt.datetime(2022, 12, 31)
    ws["C5"] = "  a\nb  "
    ws["D5"] = "   "
    ws["E7"].number_format = "0.00"  # styled but empty: not a value, not in the trimmed grid
    hidden = book.create_sheet("_meta")
    hidden["A1"] = "x"
    hidden.sheet_state = "hidden"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_xlsx_grid_merges_formats_and_trimming():
    document = sheet.read(Path("a.xlsx"), workbook_bytes())
    assert texts(document.tables[0]) == [
        ["标题", "标题", "标题"],
        ["一级", "296272.00", "100.00%"],
        ["一级", "5", "2.5"],
        ["2022-12-31", "a\nb", None],
    ]


def test_xlsx_merged_cell_is_one_cell_with_spans():
    table = sheet.read(Path("a.xlsx"), workbook_bytes()).tables[0]
    assert [(c.text, c.row, c.col, c.rowspan, c.colspan) for c in table.cells if c.rowspan * c.colspan > 1] == [
        ("标题", 0, 0, 1, 3),
        ("一级", 1, 0, 2, 1),
    ]


def test_xlsx_hidden_sheet_skipped_and_noted():
    document = sheet.read(Path("a.xlsx"), workbook_bytes())
    assert ([t.where for t in document.tables], document.notes) == (["工作表 Data"], ["隐藏的工作表 _meta 未读取"])


def test_xlsx_broken_workbook_names_the_file():
    with pytest.raises(DataError, match=r"bad\.xlsx: 无法读取工作簿"):
        sheet.read(Path("bad.xlsx"), zip_bytes("xl/workbook.xml"))


def test_xlsx_hostile_merge_refused_before_loading(monkeypatch):
    book = Workbook()
    book.active.merge_cells("A1:Z100")  # 2,600 positions
    buffer = io.BytesIO()
    book.save(buffer)
    monkeypatch.setattr(sheet, "MAX_MERGED_CELLS", 2599)
    with pytest.raises(DataError, match="合并了超过 2599 个单元格"):
        sheet.read(Path("big.xlsx"), buffer.getvalue())


# --------------------------------------------------------------------------- docx


def word_bytes() -> bytes:
    document = docx.Document()
    document.add_paragraph("标题")
    document.add_paragraph("  ")
    table = document.add_table(rows=3, cols=3)
    table.cell(0, 0).merge(table.cell(0, 1)).text = "横向"
    table.cell(0, 2).text = "c"
    table.cell(1, 0).text = "d"
    table.cell(1, 1).text = "e"
    table.cell(1, 2).merge(table.cell(2, 2)).text = "纵向"
    table.cell(2, 0).text = "g"
    inner = table.cell(2, 1)
    inner.text = "h"
    nested = inner.add_table(rows=1, cols=2)
    nested.cell(0, 0).text, nested.cell(0, 1).text = "内1", "内2"
    document.add_paragraph("第一行\t甲").add_run().add_break()
    document.paragraphs[-1].add_run("第二行")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_docx_grid_merges_both_ways_and_nested_text():
    table = word.read(Path("a.docx"), word_bytes()).tables[0]
    assert texts(table) == [["横向", "横向", "c"], ["d", "e", "纵向"], ["g", "h\n内1\n内2", "纵向"]]


def test_docx_merged_cells_once_with_spans():
    table = word.read(Path("a.docx"), word_bytes()).tables[0]
    assert [(c.text, c.rowspan, c.colspan) for c in table.cells] == [
        ("横向", 1, 2),
        ("c", 1, 1),
        ("d", 1, 1),
        ("e", 1, 1),
        ("纵向", 2, 1),
        ("g", 1, 1),
        ("h\n内1\n内2", 1, 1),
    ]


def test_docx_body_order_lines_and_tables():
    blocks = word.read(Path("a.docx"), word_bytes()).blocks
    assert [(b.text, b.where) if isinstance(b, Line) else b.where for b in blocks] == [
        ("标题", "段落 1"),
        "表格 1",
        ("第一行\t甲", "段落 3"),
        ("第二行", "段落 3"),
    ]


def test_docx_broken_document_names_the_file():
    with pytest.raises(DataError, match=r"bad\.docx: 无法读取 Word 文档"):
        word.read(Path("bad.docx"), zip_bytes("word/document.xml"))


# --------------------------------------------------------------------------- html


def html_table(markup: str) -> list[list[str | None]]:
    document = web.read(Path("a.html"), f"<html><body><table>{markup}</table></body></html>".encode())
    return texts(document.tables[0])


@pytest.mark.parametrize(
    ("markup", "grid"),
    [
        ("<tr><td rowspan=2>A</td><td>B</td></tr><tr><td>C</td></tr>", [["A", "B"], ["A", "C"]]),
        (
            "<tr><td>A</td><td rowspan=2>B</td><td>C</td></tr><tr><td>D</td><td>E</td></tr>",
            [["A", "B", "C"], ["D", "B", "E"]],
        ),
        ("<tr><th colspan='2'>A</th></tr><tr><td>B</td><td>C</td></tr>", [["A", "A"], ["B", "C"]]),
        ("<tr><td rowspan=5>A</td><td>B</td></tr>", [["A", "B"]]),  # rowspan past the last row
        ("<tr><td rowspan=0>A</td><td>B</td></tr><tr><td>C</td></tr>", [["A", "B"], ["A", "C"]]),
        ("<tr><td>A</td><td rowspan=2>B</td></tr><tr><td colspan=2>C</td></tr>", [["A", "B"], ["C", "B"]]),
        ("<tr><td>a<br>b&nbsp;&nbsp; c\n   d</td></tr>", [["a\nb c d"]]),
        ("<tr><td><p>x</p><div>y</div><br><br></td><td></td></tr>", [["x\ny", ""]]),
        ("<tbody><tr><td>1</td></tr></tbody><tfoot><tr><td>2</td></tr></tfoot>", [["1"], ["2"]]),
    ],
)
def test_html_occupancy_grid_and_cell_text(markup, grid):
    assert html_table(markup) == grid


def test_html_span_clamped():
    document = web.read(Path("a.html"), b"<table><tr><td colspan=100000>A</td></tr></table>")
    assert (document.tables[0].n_cols, MAX_SPAN) == (1000, 1000)


def test_html_too_many_cells_refused():
    rows = "<tr><td colspan=1000>A</td></tr>" * 201
    with pytest.raises(DataError, match=r"big\.html: 表格 1 有 201 行 × 1000 列"):
        web.read(Path("big.html"), f"<table>{rows}</table>".encode())


def test_html_lines_and_tables_in_document_order():
    page = (
        "<html><head><title>t</title><style>p{}</style></head><body><h1>标题</h1>"
        "<script>var x;</script><p>前<!-- note -->文</p><table><caption>表名</caption>"
        "<tr><td>A</td></tr></table>后<div>末</div></body></html>"
    )
    blocks = web.read(Path("a.html"), page.encode()).blocks
    assert [(b.text, b.where) if isinstance(b, Line) else (texts(b), b.where) for b in blocks] == [
        ("标题", "第1行"),
        ("前文", "第2行"),
        ("表名", "第3行"),
        ([["A"]], "表格 1"),
        ("后", "第4行"),
        ("末", "第5行"),
    ]


def test_html_nested_table_innermost_is_the_table():
    page = "<table><tr><td>左</td><td><table><tr><td>内</td><td>容</td></tr></table></td></tr></table>"
    blocks = web.read(Path("a.html"), page.encode()).blocks
    assert [(b.text if isinstance(b, Line) else texts(b)) for b in blocks] == ["左", [["内", "容"]]]


@pytest.mark.parametrize(
    "data",
    [
        '<meta charset="gb2312"><p>项目名称</p>'.encode("gb18030"),
        "<p>项目名称</p>".encode("gb18030"),
        "\ufeff<p>项目名称</p>".encode(),
        '<?xml version="1.0" encoding="utf-8"?><html><p>项目名称</p></html>'.encode(),
    ],
)
def test_html_decoding(data):
    document = web.read(Path("a.html"), data)
    assert ([b.text for b in document.blocks], document.notes) == (["项目名称"], [])


# --------------------------------------------------------------------------- converted fixtures


@pytest.mark.parametrize("name", ["forms_2022.xlsx", "forms_2022.html", "forms_2022.docx"])
def test_fixture_gives_the_eleven_forms(name):
    document = read_document(DOCUMENTS / name)
    assert (document.kind, len(document.tables)) == (name.rsplit(".", 1)[1], 11)
    assert all(any("项目支出绩效自评表" in c.text for c in t.row_cells(0)) for t in document.tables)


@pytest.mark.parametrize("name", ["forms_2022.xlsx", "forms_2022.html", "forms_2022.docx"])
def test_fixture_project_name_cell_keeps_its_colspan(name):
    first = read_document(DOCUMENTS / name).tables[0]
    found = [(c.row, c.col, c.colspan) for c in first.cells if c.text == "上海市科技行政服务热线系统（运维）"]
    assert found == [(2, 2, 6)]


# --------------------------------------------------------------------------- sniffing and refusals


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"%PDF-1.7\n...", "pdf"),
        (b"\r\n%PDF-1.4\n", "pdf"),
        (zip_bytes("[Content_Types].xml", "xl/workbook.xml"), "xlsx"),
        (zip_bytes("[Content_Types].xml", "word/document.xml"), "docx"),
        (b"<!DOCTYPE HTML>\n<p>x</p>", "html"),
        ("\ufeff  <TABLE><tr><td>项目</td></tr></TABLE>".encode(), "html"),
        ("<HTML>".encode("gb18030"), "html"),
        ("项目名称 | 热线\n".encode(), "txt"),
        ("项目名称 | 热线\n".encode("gb18030"), "txt"),
        ("项目名称\n".encode("utf-16"), "txt"),
        (b"page 1\fpage 2\n", "txt"),
    ],
)
def test_sniff_kind(data, kind):
    assert sniff(data) == kind


@pytest.mark.parametrize(
    ("name", "data", "fragment"),
    [
        ("a.zip", zip_bytes("readme.txt"), "既不是 Excel (.xlsx) 也不是 Word (.docx)"),
        ("a.xlsx", b"PK\x03\x04broken", "ZIP 文件已损坏"),
        ("a.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "--convert-to xlsx"),
        ("a.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "--convert-to docx"),
        ("a.bin", b"\x89PNG\r\n\x1a\n\x00\x00", "binary data"),
        ("a.txt", b"\x80\x81\xff text", "binary data"),
        ("a.txt", b"text\x01\x02", "binary data"),
    ],
)
def test_refusals_name_the_file(tmp_path, name, data, fragment):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(DataError) as caught:
        read_document(path)
    assert (str(caught.value).startswith(str(path)), fragment in str(caught.value)) == (True, True)


def test_empty_file_refused(tmp_path):
    path = tmp_path / "a.html"
    path.write_bytes(b"")
    with pytest.raises(DataError, match="file is empty"):
        read_document(path)


def test_read_document_dispatches_by_content_not_suffix(tmp_path):
    path = tmp_path / "forms.txt"
    path.write_bytes(b"<html><body><table><tr><td>A</td></tr></table></body></html>")
    document = read_document(path)
    assert (document.kind, texts(document.tables[0])) == ("html", [["A"]])


def test_docx_tracked_insertion_is_read_and_deletion_is_not():
    document = docx.Document()
    paragraph = document.add_paragraph("甲")
    for tag, text in (("w:ins", "乙"), ("w:del", "丙")):
        wrapper = OxmlElement(tag)
        run = paragraph.add_run(text)._r
        if tag == "w:del":
            run.find(qn("w:t")).tag = qn("w:delText")
        run.addprevious(wrapper)
        wrapper.append(run)
    buffer = io.BytesIO()
    document.save(buffer)
    assert [b.text for b in word.read(Path("a.docx"), buffer.getvalue()).blocks] == ["甲乙"]
