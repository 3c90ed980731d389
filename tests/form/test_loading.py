"""Loading and validation: good data loads whole, bad data is reported precisely."""

from __future__ import annotations

import sys

import pytest
import yaml

from selfeval_kit import DataError, Form, Portfolio, load, load_form
from tests.conftest import FIXTURES


def problems_of(path) -> list:
    with pytest.raises(DataError) as info:
        load(path)
    return info.value.problems


def test_minimal_form_loads_with_its_values():
    form = load_form(FIXTURES / "minimal.yaml")
    assert isinstance(form, Form)
    assert form.unit == "万元"
    assert form.funds.total.budget_final == 80.0
    assert form.funds.carryover.budget_initial is None
    assert form.indicators[0].deviation_note == "受疫情影响，2场培训取消。"
    assert form.indicators[1].deviation_note is None
    assert form.indicator_weight == 90


def test_load_returns_a_portfolio_for_a_file(write_form, minimal_data):
    portfolio = load(write_form(minimal_data))
    assert isinstance(portfolio, Portfolio)
    assert portfolio.ids == ["minimal"]
    assert portfolio["minimal"].name == "示例项目"


def test_malformed_yaml_names_file_and_line(write_form):
    path = write_form("id: x\nname: [unclosed\n")
    (problem,) = problems_of(path)
    assert (problem.file, problem.path) == (str(path), "")
    assert problem.message == "malformed YAML: line 3, column 1: did not find expected ',' or ']'"


def test_missing_field_is_named(write_form, minimal_data):
    del minimal_data["indicators"][2]["weight"]
    (problem,) = problems_of(write_form(minimal_data))
    assert problem.path == "indicators[2].weight"
    assert "missing" in problem.message


def test_wrong_type_names_path_value_and_expectation(write_form, minimal_data):
    minimal_data["indicators"][3]["weight"] = "ten"
    (problem,) = problems_of(write_form(minimal_data))
    assert problem.path == "indicators[3].weight"
    assert problem.value == "ten"
    assert "number" in problem.message
    assert "'ten'" in str(problem)


def test_number_given_for_text_is_rejected(write_form, minimal_data):
    minimal_data["indicators"][0]["target"] = 10
    (problem,) = problems_of(write_form(minimal_data))
    assert problem.path == "indicators[0].target"
    assert "string" in problem.message


def test_negative_amount_is_rejected(write_form, minimal_data):
    minimal_data["funds"]["appropriation"]["executed"] = -5
    (problem,) = problems_of(write_form(minimal_data))
    assert problem.path == "funds.appropriation.executed"
    assert problem.value == -5
    assert "greater than or equal to 0" in problem.message


def test_unknown_key_is_an_error_listing_allowed_keys(write_form, minimal_data):
    minimal_data["indicators"][1]["wieght"] = 20
    (problem,) = problems_of(write_form(minimal_data))
    assert problem.path == "indicators[1].wieght"
    assert "unknown key" in problem.message
    assert "weight" in problem.message


def test_unknown_money_unit_is_rejected(write_form, minimal_data):
    minimal_data["unit"] = "千元"
    (problem,) = problems_of(write_form(minimal_data))
    assert problem.path == "unit"
    assert "'元'" in problem.message and "'万元'" in problem.message


def test_every_problem_is_reported_at_once(write_form, minimal_data):
    minimal_data["year"] = "2023"
    minimal_data["funds"]["total"]["weight"] = None
    del minimal_data["name"]
    paths = sorted(p.path for p in problems_of(write_form(minimal_data)))
    assert paths == ["funds.total.weight", "name", "year"]


def test_duplicate_yaml_key_is_an_error(write_form, minimal_data):
    # Every kind of YAML problem, with its exact message, is in tests/form/test_form_reading.py.
    text = yaml.safe_dump(minimal_data, allow_unicode=True, sort_keys=False).replace(
        "unit: 万元\n", "unit: 万元\nunit: 元\n"
    )
    (problem,) = problems_of(write_form(text))
    line = text.splitlines().index("unit: 元") + 1
    assert str(problem).endswith(
        f"form.yaml: malformed YAML: line {line}, column 1: duplicate key 'unit' (first at line {line - 1})"
    )


@pytest.mark.parametrize(
    "text, message",
    [
        ("year: !!int abc\n", "line 1, column 7: cannot read 'abc' as an integer"),
        ("year: 2022-13-45\n", "line 1, column 7: cannot read '2022-13-45' as a date: month must be in 1..12"),
        ("funds: !!map foo\n", "line 1, column 8: expected a mapping node, but found scalar"),
        ("unit: !!bool x\n", "line 1, column 7: cannot read 'x' as true or false"),
        ("a: !!timestamp x\n", "line 1, column 4: cannot read 'x' as a date"),
    ],
)
def test_value_yaml_cannot_convert_is_a_problem_not_a_crash(write_form, text, message):
    (problem,) = problems_of(write_form(text))
    assert problem.message == f"malformed YAML: {message}"


def test_merge_key_is_an_error(write_form, minimal_data):
    text = "defaults: &d {weight: 10}\n" + yaml.safe_dump(minimal_data, allow_unicode=True) + "extra:\n  <<: *d\n"
    (problem,) = problems_of(write_form(text))
    assert problem.message.endswith(": merge keys (<<) are not supported; write the keys out")


def test_unhashable_key_is_reported_not_raised(write_form):
    (problem,) = problems_of(write_form("? [a, b]\n: 1\n"))
    assert problem.message == "malformed YAML: line 1, column 3: a key must be text or a number, not a sequence"


def test_too_deeply_nested_yaml_is_a_problem(write_form):
    (problem,) = problems_of(write_form("{a: " * 501 + "1" + "}" * 501 + "\n"))
    assert problem.message == "malformed YAML: line 1, column 2001: nested too deeply to read (more than 500 levels)"


def test_a_value_nested_too_deeply_through_aliases_is_refused_where_it_passes_the_limit(write_form, minimal_data):
    # Each list holds the one before: nested deeper than Python's stack, though the text is not.
    # a_i nests i + 1 levels: a500 is the first past 500.
    depth = sys.getrecursionlimit() + 100
    chain = "x: [&a0 [1]" + "".join(f", &a{i} [*a{i - 1}]" for i in range(1, depth)) + "]\n"
    del minimal_data["name"]
    text = chain + yaml.safe_dump(minimal_data, allow_unicode=True) + f"name: *a{depth - 1}\n"
    (problem,) = problems_of(write_form(text))
    column = chain.index("&a500 ") + 1
    assert (
        problem.message == f"malformed YAML: line 1, column {column}: nested too deeply to read (more than 500 levels)"
    )


def test_duplicate_form_id_across_files(write_form, minimal_data, tmp_path):
    write_form(minimal_data, "a.yaml")
    write_form(minimal_data, "b.yaml")
    (problem,) = problems_of(tmp_path)
    assert problem.path == "id"
    assert problem.file.endswith("b.yaml")
    assert "a.yaml" in problem.message


@pytest.mark.parametrize("bad_id", ["../etc", "a/b", "has space", "tab\there", "", "..", "中文", "-lead", "a" * 65])
def test_unsafe_id_is_rejected(write_form, minimal_data, bad_id):
    minimal_data["id"] = bad_id
    (problem,) = problems_of(write_form(minimal_data))
    assert problem.path == "id"
    assert problem.value == bad_id


@pytest.mark.parametrize("good_id", ["a", "hotline-system-ops", "p_01.v2", "X9"])
def test_safe_id_is_accepted(write_form, minimal_data, good_id):
    minimal_data["id"] = good_id
    assert load(write_form(minimal_data)).ids == [good_id]


def test_non_utf8_file_is_rejected(write_form):
    path = write_form("name: 示例项目\n".encode("gbk"))
    (problem,) = problems_of(path)
    # GBK 示 is ca be, a valid UTF-8 pair by chance; 例 is c0 fd, and c0 is never UTF-8.
    assert problem.message == "not UTF-8 text: byte 0xc0 at offset 8; save the file as UTF-8"


def test_utf8_bom_is_accepted(write_form, minimal_data):
    text = yaml.safe_dump(minimal_data, allow_unicode=True)
    assert load(write_form("\ufeff" + text)).ids == ["minimal"]


@pytest.mark.parametrize(
    "content, message",
    [
        ("", "file is empty; expected one form as a YAML mapping"),
        ("   \n\n", "file is empty; expected one form as a YAML mapping"),
        ("# only a comment\n", "expected one form as a YAML mapping (key: value) (got None)"),
    ],
)
def test_empty_file_is_rejected(write_form, content, message):
    (problem,) = problems_of(write_form(content))
    assert (problem.path, str(problem).split(": ", 1)[1]) == ("", message)


def test_top_level_list_is_rejected(write_form):
    (problem,) = problems_of(write_form("- a\n- b\n"))
    assert (problem.message, problem.value) == ("expected one form as a YAML mapping (key: value)", ["a", "b"])


def test_empty_folder_is_an_error(tmp_path):
    (problem,) = problems_of(tmp_path)
    assert "no form files" in problem.message


def test_missing_path_is_an_error(tmp_path):
    (problem,) = problems_of(tmp_path / "nope")
    assert "no such file" in problem.message


def test_folder_with_one_bad_file_loads_nothing(write_form, minimal_data, tmp_path):
    write_form(minimal_data, "good.yaml")
    write_form("id: [", "bad.yaml")
    problems = problems_of(tmp_path)
    assert [p.file.endswith("bad.yaml") for p in problems] == [True]


def test_nan_amount_is_rejected(write_form, minimal_data):
    text = (FIXTURES / "minimal.yaml").read_text(encoding="utf-8").replace("executed: 72.0", "executed: .nan")
    (problem,) = problems_of(write_form(text))
    assert problem.path == "funds.total.executed"


def test_forms_sorted_by_seq_then_file_name(write_form, minimal_data, tmp_path):
    for name, seq in [("a.yaml", 2), ("b.yaml", 1), ("c.yaml", None)]:
        data = dict(minimal_data, id=name[0])
        if seq:
            data["seq"] = seq
        write_form(data, name)
    assert load(tmp_path).ids == ["b", "a", "c"]


def test_json_export_loads_back(tmp_path):
    from selfeval_kit import to_json
    from tests.conftest import DATA_2022

    original = load(DATA_2022)
    path = tmp_path / "forms.json"
    path.write_text(to_json(original), encoding="utf-8")
    reloaded = load(path)
    assert reloaded.ids == original.ids
    assert [f.model_copy(update={"seq": None}) for f in original] == list(reloaded)


def test_json_problems_name_the_list_item(tmp_path, minimal_data):
    import json

    bad = dict(minimal_data, year="x")
    path = tmp_path / "forms.json"
    path.write_text(json.dumps([minimal_data, bad], ensure_ascii=False), encoding="utf-8")
    (problem,) = problems_of(path)
    assert problem.path == "[1].year"


@pytest.mark.parametrize("content, message", [("{", "malformed JSON"), ("[]", "non-empty list"), ("3", "form object")])
def test_bad_json_files(tmp_path, content, message):
    path = tmp_path / "forms.json"
    path.write_text(content, encoding="utf-8")
    (problem,) = problems_of(path)
    assert message in problem.message
