"""write_forms and form_to_yaml: imported forms become YAML files only when every one is valid."""

from __future__ import annotations

import copy

import pytest
import yaml

from selfeval_kit.errors import DataError, Problem
from selfeval_kit.form.loading import load
from selfeval_kit.importers.imported import ImportedForm
from selfeval_kit.importers.writing import form_to_yaml, write_forms
from tests.conftest import FIXTURES

MINIMAL = yaml.safe_load((FIXTURES / "minimal.yaml").read_text(encoding="utf-8"))


def _imported(**changes) -> ImportedForm:
    data = copy.deepcopy(MINIMAL)
    data.update(changes)
    return ImportedForm(data=data, source=f"book.xlsx: sheet {data['id']!r}")


def test_a_written_form_loads_back_as_the_same_form(tmp_path):
    [path] = write_forms([_imported()], tmp_path / "out")
    assert path == tmp_path / "out" / "minimal.yaml"
    assert load(path).forms == load(FIXTURES / "minimal.yaml").forms


def test_the_yaml_header_says_where_the_form_came_from_and_what_is_missing():
    imported = _imported()
    imported.complete = False
    imported.missing = ["funds.carryover", "indicators[*].score"]
    imported.notes = ["id: made up as 'minimal'", "two lines:\nsecond"]
    text = form_to_yaml(imported)
    assert text.splitlines()[:6] == [
        "# Imported from book.xlsx: sheet 'minimal'.",
        "# INCOMPLETE: the source ends before this form does.",
        "# Not found in the source: funds.carryover, indicators[*].score",
        "# id: made up as 'minimal'",
        "# two lines:",
        "# second",
    ]
    assert text.splitlines()[6:9] == ['"id": "minimal"', '"name": "示例项目"', '"department": "示例主管部门"']
    assert yaml.safe_load(text) == MINIMAL


def test_an_invalid_form_is_reported_as_loading_reports_it_and_nothing_is_written(tmp_path):
    broken = _imported(id="broken")
    del broken.data["year"]
    broken.data["indicators"][0]["weight"] = 130
    out = tmp_path / "out"
    with pytest.raises(DataError) as caught:
        write_forms([_imported(), broken], out)
    assert [str(p) for p in caught.value.problems] == [
        "book.xlsx: sheet 'broken': year: required field is missing",
        "book.xlsx: sheet 'broken': indicators[0].weight: Input should be less than or equal to 100 (got 130)",
    ]
    assert not out.exists()


def test_two_forms_with_one_id_are_refused(tmp_path):
    with pytest.raises(DataError) as caught:
        write_forms([_imported(), _imported()], tmp_path)
    assert caught.value.problems == [
        Problem("book.xlsx: sheet 'minimal'", "id", "two imported forms have the same id", "minimal", True)
    ]
    assert list(tmp_path.iterdir()) == []


def test_an_existing_file_is_kept_unless_forced(tmp_path):
    target = tmp_path / "minimal.yaml"
    target.write_text("edited", encoding="utf-8")
    with pytest.raises(DataError) as caught:
        write_forms([_imported(), _imported(id="other")], tmp_path)
    assert [str(p) for p in caught.value.problems] == [f"{target}: file exists; use --force to overwrite it"]
    assert target.read_text(encoding="utf-8") == "edited"
    assert not (tmp_path / "other.yaml").exists()
    written = write_forms([_imported(), _imported(id="other")], tmp_path, force=True)
    assert written == [target, tmp_path / "other.yaml"]
    assert load(target).forms[0].name == "示例项目"


def _draft() -> ImportedForm:
    data = copy.deepcopy(MINIMAL)
    del data["implementer"], data["funds"]
    draft = ImportedForm(data=data, source="scan.pdf: 第1张表", missing=["implementer", "funds.total.weight"])
    draft.draft = True
    return draft


def test_a_draft_is_written_beside_the_forms_with_what_it_lacks(tmp_path):
    written = write_forms([], tmp_path, drafts=[_draft()])
    assert written == [tmp_path / "minimal.draft.yaml"]
    data = yaml.safe_load(written[0].read_text(encoding="utf-8"))
    assert data["draft"] == {"missing": ["implementer", "funds.total.weight"]}
    assert data["name"] == MINIMAL["name"]  # what was read is kept


def test_a_draft_is_refused_by_validate_with_its_list(tmp_path):
    write_forms([], tmp_path, drafts=[_draft()])
    with pytest.raises(DataError) as caught:
        load(tmp_path)
    [problem] = caught.value.problems
    assert problem.path == "draft"
    assert problem.message.startswith("an import draft, not a form: fill in implementer, funds.total.weight")


def test_a_draft_is_not_overwritten_without_force(tmp_path):
    write_forms([], tmp_path, drafts=[_draft()])
    with pytest.raises(DataError, match="file exists; use --force"):
        write_forms([], tmp_path, drafts=[_draft()])
    assert write_forms([], tmp_path, drafts=[_draft()], force=True) == [tmp_path / "minimal.draft.yaml"]
