"""What a Chinese reader sees: no finding codes or form ids in the visible text of any page."""

from __future__ import annotations

import re

import lxml.html
import pytest

from selfeval_kit.rules.catalogue import CHECKS
from tests.report_build import FORM_IDS, built_reports

PAGES = (*(f"{i}.html" for i in FORM_IDS), "annual.html", "index.html")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    result = built_reports(tmp_path_factory)
    assert result.exit_code == 0, result.output
    return result


def _visible_text(page: str) -> str:
    root = lxml.html.fromstring(page)
    for hidden in root.xpath("//script|//style|//details[not(@open)]"):
        hidden.drop_tree()
    return root.text_content()


@pytest.mark.parametrize("page", PAGES)
def test_no_finding_code_in_the_visible_text(built, page):
    text = _visible_text(built.html(page))
    shown = [code for code in CHECKS if code in text]
    assert shown == []


@pytest.mark.parametrize("page", PAGES)
def test_no_form_id_in_the_visible_text(built, page):
    text = _visible_text(built.html(page))
    assert [i for i in FORM_IDS if re.search(rf"(?<![\w.-]){re.escape(i)}(?![\w.-])", text)] == []


def test_codes_stay_in_the_markup_for_machines(built):
    page = built.html("annual.html")
    assert 'data-code="indicator.overachieved_no_reason"' in page
