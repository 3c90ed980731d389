"""The exporter customisation against nbconvert's stock HTMLExporter, on the same executed notebooks.

`SelfevalHTMLExporter` leaves out the stock exporter's final BeautifulSoup pass (see
selfeval_kit/publish/exporter.py). Its page must parse to the same document as the stock
exporter's: the only differences allowed are in how BeautifulSoup re-serialises markup.
"""

from __future__ import annotations

import copy

import nbformat
import pytest
from bs4 import BeautifulSoup
from nbconvert import HTMLExporter

from selfeval_kit.publish import build as build_mod
from selfeval_kit.publish.exporter import NO_ALT_TEXT, export_html, make_exporter
from tests.report_build import FIXTURE_DATA, FORM_IDS


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """The fixture portfolio's executed notebooks (a real project, a form with markup, the annual report)."""
    out = tmp_path_factory.mktemp("kept")
    result = build_mod.build(FIXTURE_DATA, out, jobs=1, keep_notebooks=True)
    assert result.ok, [o.error for o in result.failed]
    return {path.stem: nbformat.read(path, as_version=4) for path in out.glob("*.ipynb")}


def _both(nb, title: str) -> tuple[str, str]:
    resources = {"metadata": {"name": title}}
    nb = copy.deepcopy(nb)
    nb.metadata["selfeval"] = {"title": title}
    ours, _ = make_exporter().from_notebook_node(copy.deepcopy(nb), resources=dict(resources))
    stock, _ = make_exporter(HTMLExporter).from_notebook_node(copy.deepcopy(nb), resources=dict(resources))
    return ours, stock


def _tree(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, features="html.parser")


@pytest.mark.parametrize("key", [*FORM_IDS, "annual"])
def test_the_page_is_the_stock_exporters_document(executed, key):
    ours, stock = _both(executed[key], f"报告 {key}")
    assert _tree(ours) == _tree(stock)  # same elements, attributes and text, in the same order
    assert len(ours) > 10_000 and "<script" not in ours.split("</head>")[1]


def test_export_html_titles_the_page_and_exports_as_the_exporter_does(executed):
    nb = copy.deepcopy(executed["xss-demo"])
    page = export_html(nb, "标题 <b>粗</b>")
    assert nb.metadata["selfeval"] == {"title": "标题 <b>粗</b>"}
    assert "<title>标题 &lt;b&gt;粗&lt;/b&gt;</title>" in page
    ours, _ = _both(executed["xss-demo"], "标题 <b>粗</b>")
    assert page == ours


def test_an_image_without_alt_gets_nbconverts_text_as_in_the_stock_exporter(executed):
    nb = copy.deepcopy(executed["hotline-system-ops"])
    html = '<p>图</p><img src="data:image/png;base64,iVBORw0KGgo=">'
    cell = nbformat.v4.new_code_cell(
        "figure", outputs=[nbformat.v4.new_output("display_data", data={"text/html": html})]
    )
    nb.cells.append(cell)
    ours, stock = _both(nb, "图")
    assert f'<img alt="{NO_ALT_TEXT}" src="data:image/png;base64,iVBORw0KGgo="' in ours
    assert _tree(ours) == _tree(stock)
