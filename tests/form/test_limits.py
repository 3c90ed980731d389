"""Every limit on input (selfeval_kit.form.limits): its setting, its default, its check, its message."""

from __future__ import annotations

import dataclasses
import json
import os
import time

import pytest

from selfeval_kit.errors import ProfileError
from selfeval_kit.form.export import to_json
from selfeval_kit.form.limits import DEFAULT_LIMITS, Limits
from selfeval_kit.form.model import Form
from selfeval_kit.form.reading import parse_yaml, read_forms, read_json, read_yaml, validate_form
from selfeval_kit.importers.imported import ImportedForm
from selfeval_kit.importers.writing import form_to_yaml
from selfeval_kit.rules.profile import load_profile

MiB = 1024 * 1024


@pytest.mark.parametrize(
    "setting, value",
    [
        ("max_yaml_bytes", 5 * MiB),
        ("max_json_bytes", 64 * MiB),
        ("max_profile_bytes", 1 * MiB),
        ("max_yaml_values", 100_000),
        ("max_depth", 500),
        ("max_indicators", 1_000),
        ("max_text_chars", 10_000),
        ("max_form_chars", 200_000),
    ],
)
def test_default_limit(setting, value):
    assert getattr(DEFAULT_LIMITS, setting) == value


def test_limits_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        DEFAULT_LIMITS.max_depth = 10  # type: ignore[misc]


def _text_chars(data: object) -> int:
    """The characters of every text value of a form's data (the ids included), walked by hand."""
    if isinstance(data, str):
        return len(data)
    if isinstance(data, dict):
        return sum(_text_chars(value) for value in data.values())
    if isinstance(data, list):
        return sum(_text_chars(value) for value in data)
    return 0


# --- file sizes, checked before reading ---------------------------------------------------------


def _sparse(path, size: int):
    with open(path, "wb") as handle:
        handle.truncate(size)
    return path


@pytest.mark.parametrize(
    "name, reader, message",
    [
        ("x.yaml", read_yaml, "a YAML form file is at most 5242880 bytes"),
        ("x.json", read_json, "a JSON file is at most 67108864 bytes"),
    ],
)
def test_a_form_file_too_large_is_refused_by_its_size_before_reading(tmp_path, name, reader, message):
    path = _sparse(tmp_path / name, 1 << 30)
    started = time.perf_counter()
    _, problems = reader(path)
    assert time.perf_counter() - started < 1
    assert [str(p) for p in problems] == [f"{path}: file is 1073741824 bytes; {message}"]


@pytest.mark.parametrize("setting, name", [("max_yaml_bytes", "x.yaml"), ("max_json_bytes", "x.json")])
def test_the_file_size_limit_is_a_setting(tmp_path, setting, name):
    path = tmp_path / name
    path.write_text('{"id": "abcdefghij"}', encoding="utf-8")  # 20 bytes
    _, problems = read_forms(path, Limits(**{setting: 19}))
    assert [p.message.split(";")[0] for p in problems] == ["file is 20 bytes"]


def test_a_file_of_exactly_the_size_limit_is_read(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text("a: 1\n", encoding="utf-8")
    assert read_yaml(path, Limits(max_yaml_bytes=5)) == ({"a": 1}, [])


def test_a_profile_too_large_is_refused_by_its_size_before_reading(tmp_path):
    path = _sparse(tmp_path / "big.yaml", 1 << 30)
    started = time.perf_counter()
    with pytest.raises(ProfileError) as info:
        load_profile(path)
    assert time.perf_counter() - started < 1
    assert str(info.value) == (
        f"{path}: cannot read the profile: file is 1073741824 bytes; a profile file is at most 1048576 bytes"
    )


# --- YAML values and depth ----------------------------------------------------------------------


def test_values_past_the_limit_are_refused_before_they_are_built():
    # 11 values: the list and its ten items; the eleventh event (the tenth item, column 20) passes 10
    assert parse_yaml("[0,1,2,3,4,5,6,7,8,9]\n", Limits(max_yaml_values=10)) == (
        None,
        "line 1, column 20: more than 10 values in one document",
    )


def test_values_up_to_the_limit_are_read():
    assert parse_yaml("[0,1,2,3,4,5,6,7,8]\n", Limits(max_yaml_values=10)) == ([0, 1, 2, 3, 4, 5, 6, 7, 8], None)


def test_alias_expansion_is_counted_against_the_values_limit():
    # a: the list and 2 items = 3 values; b: itself and twice a = 1 + 2 * 3 = 7; the document: 1 + 2 keys + 3 + 7 = 13
    text = "a: &a [x, y]\nb: [*a, *a]\n"
    assert parse_yaml(text, Limits(max_yaml_values=13))[1] is None
    assert parse_yaml(text, Limits(max_yaml_values=12)) == (
        None,
        "line 1, column 1: aliases expand to more than 12 values",
    )


def test_the_depth_limit_is_a_setting():
    assert parse_yaml("[[[1]]]\n", Limits(max_depth=3)) == ([[[1]]], None)
    assert parse_yaml("[[[[1]]]]\n", Limits(max_depth=3)) == (
        None,
        "malformed YAML: line 1, column 4: nested too deeply to read (more than 3 levels)",
    )


# --- per form: indicators, text ------------------------------------------------------------------


def test_too_many_indicators_are_refused_before_each_is_validated(minimal_data):
    minimal_data["indicators"] = [minimal_data["indicators"][0]] * 1001
    _, problems = validate_form(minimal_data, "f.yaml")
    assert [str(p) for p in problems] == ["f.yaml: indicators: 1001 indicators, at most 1000 allowed"]


def test_indicators_up_to_the_limit_are_valid(minimal_data):
    minimal_data["indicators"] = [minimal_data["indicators"][0]] * 5
    form, problems = validate_form(minimal_data, "f.yaml", Limits(max_indicators=5))
    assert problems == [] and form is not None and len(form.indicators) == 5
    _, problems = validate_form(minimal_data, "f.yaml", Limits(max_indicators=4))
    assert [p.message for p in problems] == ["5 indicators, at most 4 allowed"]


@pytest.mark.parametrize(
    "path, keys",
    [
        ("name", ("name",)),
        ("annual_goal.planned", ("annual_goal", "planned")),
        ("indicators[2].target", ("indicators", 2, "target")),
        ("funds.total.reason", ("funds", "total", "reason")),
    ],
)
def test_a_text_field_too_long_is_refused_with_its_path(minimal_data, path, keys):
    holder = minimal_data
    for key in keys[:-1]:
        holder = holder[key]
    holder[keys[-1]] = "长" * 10_001
    _, problems = validate_form(minimal_data, "f.yaml")
    assert [(p.path, p.message) for p in problems] == [(path, "10001 characters, at most 10000 allowed")]
    assert str(problems[0]).endswith(f"(got '{'长' * 76}...)")


def test_a_text_field_of_exactly_the_limit_is_valid(minimal_data):
    minimal_data["name"] = "长" * 10_000
    assert validate_form(minimal_data, "f.yaml")[1] == []


def test_the_text_of_a_form_in_all_is_bounded(minimal_data):
    minimal_data["indicators"] = [dict(minimal_data["indicators"][0], name="名" * 10_000) for _ in range(20)]
    chars = _text_chars(minimal_data)  # 20 names of 10,000 and the rest of the minimal form
    assert chars > 200_000
    _, problems = validate_form(minimal_data, "f.yaml")
    assert [str(p) for p in problems] == [
        f"f.yaml: the form's text fields hold {chars} characters in all, at most 200000 allowed"
    ]


def test_the_form_text_limit_is_a_setting(minimal_data):
    chars = _text_chars(minimal_data)
    assert validate_form(minimal_data, "f.yaml", Limits(max_form_chars=chars))[1] == []
    _, problems = validate_form(minimal_data, "f.yaml", Limits(max_form_chars=chars - 1))
    assert [p.message for p in problems] == [
        f"the form's text fields hold {chars} characters in all, at most {chars - 1} allowed"
    ]


def test_a_lone_surrogate_is_not_text(minimal_data):
    # it could not be written as UTF-8 (an export would fail): pydantic refuses it
    minimal_data["name"] = "示例\ud800"
    _, problems = validate_form(minimal_data, "f.yaml")
    assert [(p.path, p.message) for p in problems] == [
        ("name", "Input should be a valid string, unable to parse raw data as a unicode string")
    ]


# --- what the tool writes it reads back ---------------------------------------------------------


def _form_at_the_limits(minimal_data: dict, char: str) -> dict:
    """A form at every per-form limit at once: 1,000 indicators, 200,000 characters of text."""
    data = minimal_data
    data["id"] = "at-limits"
    for key in ("name", "department", "implementer"):
        data[key] = char * 10_000
    data["annual_goal"] = {"planned": char * 10_000, "achieved": char * 10_000}
    data["funds"]["total"]["reason"] = char * 10_000
    row = {"level1": "产出指标", "level2": "数量指标", "target": char, "actual": char, "weight": 0.1, "score": 0.1}
    data["indicators"] = [dict(row, name=char, deviation_note=None) for _ in range(1000)]
    spare = 200_000 - _text_chars(data)
    for indicator in data["indicators"]:
        indicator["deviation_note"] = char * min(spare, 10_000)
        spare -= len(indicator["deviation_note"])
        if not spare:
            break
    assert _text_chars(data) == 200_000
    return data


@pytest.mark.parametrize(
    "char",
    [
        pytest.param("\U0010ffff", id="longest YAML escape (10 bytes)"),
        pytest.param("\x01", id="longest JSON escape (6 bytes)"),
    ],
)
def test_a_form_at_the_limits_written_as_yaml_and_json_reads_back(tmp_path, minimal_data, char):
    form, problems = validate_form(_form_at_the_limits(minimal_data, char), "at-limits")
    assert problems == [] and form is not None
    data = form.model_dump(mode="json")
    yaml_path = tmp_path / "at-limits.yaml"
    yaml_path.write_text(form_to_yaml(ImportedForm(data=data, source="test")), encoding="utf-8")
    json_path = tmp_path / "at-limits.json"
    json_path.write_text(to_json([form]), encoding="utf-8")
    assert os.path.getsize(yaml_path) <= DEFAULT_LIMITS.max_yaml_bytes
    assert os.path.getsize(json_path) <= DEFAULT_LIMITS.max_json_bytes
    assert read_forms(yaml_path) == ([form], [])
    assert read_forms(json_path) == ([form], [])
    assert json.loads(json_path.read_text(encoding="utf-8"))[0]["name"] == char * 10_000
    assert isinstance(form, Form)


def test_a_named_pipe_as_a_profile_is_refused_without_opening_it_for_long(tmp_path):
    os.mkfifo(tmp_path / "pipe.yaml")
    with pytest.raises(ProfileError) as info:
        load_profile(tmp_path / "pipe.yaml")
    assert str(info.value) == (
        f"{tmp_path / 'pipe.yaml'}: cannot read the profile: not a regular file but a named pipe (FIFO); "
        "expected a profile file"
    )
