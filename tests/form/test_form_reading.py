"""Reading one form file (selfeval_kit.form.reading): what a YAML text reads as, and the exact
problem each kind of bad file gives."""

from __future__ import annotations

import datetime as dt
import json
import math

import pytest
import yaml

from selfeval_kit.errors import Problem
from selfeval_kit.form.model import Form
from selfeval_kit.form.reading import (
    MAX_DEPTH,
    MAX_FILE_BYTES,
    UniqueKeyLoader,
    parse_yaml,
    read_forms,
    read_json,
    read_yaml,
)
from tests.conftest import DATA_2022, FIXTURES

UTC8 = dt.timezone(dt.timedelta(hours=8))

# --- values: YAML 1.1 as PyYAML's safe loader reads it -------------------------------------

VALUES = {
    "plain text": ("a: hello world\n", {"a": "hello world"}),
    "quoted": (
        "a: 'single ''q'''\nb: \"tab\\t\\u00e9\"\nc: '123'\nd: \"true\"\n",
        {"a": "single 'q'", "b": "tab\té", "c": "123", "d": "true"},
    ),
    "block scalars": (
        "a: |\n  line 1\n   line 2\nb: >-\n  folded\n  text\n",
        {"a": "line 1\n line 2\n", "b": "folded text"},
    ),
    "multi-line plain": ("a: one\n  two\n", {"a": "one two"}),
    "comments": ("# head\na: 1  # trailing\nb: x#y\n", {"a": 1, "b": "x#y"}),
    "cjk": (
        "名称: 示例项目（运维）\n指标:\n  - 满意度≥90%\n  - '>=987家'\n说明: 受疫情影响，2场培训取消。\n",
        {"名称": "示例项目（运维）", "指标": ["满意度≥90%", ">=987家"], "说明": "受疫情影响，2场培训取消。"},
    ),
    "yaml 1.2 bools": (  # YAML 1.1's yes/no/on/off are text
        "a: yes\nb: No\nc: on\nd: OFF\ne: true\nf: y\ng: n\nh: False\ni: TRUE\n",
        {"a": "yes", "b": "No", "c": "on", "d": "OFF", "e": True, "f": "y", "g": "n", "h": False, "i": True},
    ),
    "nulls": ("a: ~\nb: null\nc:\nd: ''\n", {"a": None, "b": None, "c": None, "d": ""}),
    "ints": (
        "a: 0x1f\nb: 0o17\nc: 017\nd: 1_000\ne: 190:20:30\nf: -42\ng: 1,000\nh: 0b101\ni: 99999999999999999999\n",
        # YAML 1.2 core: 017 is seventeen; 1_000, sexagesimal and 0b101 are text
        {
            "a": 31,
            "b": 15,
            "c": 17,
            "d": "1_000",
            "e": "190:20:30",
            "f": -42,
            "g": "1,000",
            "h": "0b101",
            "i": 10**20 - 1,
        },
    ),
    "floats": (
        "a: -.inf\nb: 1e3\nc: 1.0e3\nd: .5\ne: 6.8523015e+5\nf: 1_000.5\n",
        {"a": -math.inf, "b": 1000.0, "c": 1000.0, "d": 0.5, "e": 685230.15, "f": "1_000.5"},
    ),
    "dates": (
        "a: 2022-12-31\nb: 2022-12-31T23:59:59Z\nc: 2022-12-31 23:59:59.5+08:00\n",
        {
            "a": dt.date(2022, 12, 31),
            "b": dt.datetime(2022, 12, 31, 23, 59, 59, tzinfo=dt.UTC),
            "c": dt.datetime(2022, 12, 31, 23, 59, 59, 500000, tzinfo=UTC8),
        },
    ),
    "explicit tags": ("a: !!str 123\nb: !!float '1'\nc: !!binary aGVsbG8=\n", {"a": "123", "b": 1.0, "c": b"hello"}),
    "block layout": (
        "a: 1\nb:\n- x\n- y: 2\n  z: 3\nc: ~\n",
        {"a": 1, "b": ["x", {"y": 2, "z": 3}], "c": None},
    ),
    "flow": ("{a: 1, b: [x, y, {c: d}], 'e': \"f\"}\n", {"a": 1, "b": ["x", "y", {"c": "d"}], "e": "f"}),
    "keys that are not text": (
        "1: a\n2.5: b\nfalse: c\n~: d\n'1': e\n",
        {1: "a", 2.5: "b", False: "c", None: "d", "1": "e"},
    ),
    "crlf": ("a: 1\r\nb: two  \r\n", {"a": 1, "b": "two"}),
    "no final newline": ("a: 1", {"a": 1}),
    "top-level list": ("- a\n-   b: 1\n    c:\n    - 2\n", ["a", {"b": 1, "c": [2]}]),
    "only a comment": ("# only a comment\n", None),
    "empty document": ("---\n...\n", None),
}


@pytest.mark.parametrize("text, expected", VALUES.values(), ids=VALUES.keys())
def test_yaml_text_reads_as(text, expected):
    value, problem = parse_yaml(text)
    assert problem is None
    assert value == expected
    assert repr(value) == repr(expected)  # 1 == 1.0 == True: the types must be the same too


def test_an_alias_shares_its_anchor_value():
    value, _ = parse_yaml("a: &x [1]\nb: *x\nc: &n 5\nd: *n\n")
    assert value == {"a": [1], "b": [1], "c": 5, "d": 5}
    assert value["a"] is value["b"]


def test_the_loader_works_with_yaml_load():
    assert yaml.load("a: 1\nb: [2]\n", Loader=UniqueKeyLoader) == {"a": 1, "b": [2]}
    with pytest.raises(yaml.constructor.ConstructorError, match="duplicate key 'a' \\(first at line 1\\)"):
        yaml.load("a: 1\na: 2\n", Loader=UniqueKeyLoader)


@pytest.mark.parametrize("path", sorted(DATA_2022.glob("*.yaml")), ids=lambda p: p.name)
def test_each_bundled_form_reads_as_a_mapping_of_the_form_keys(path):
    value, problem = parse_yaml(path.read_text(encoding="utf-8"))
    assert problem is None
    assert set(value) <= set(Form.model_fields) and {"id", "name", "funds", "indicators"} <= set(value)
    assert value["id"] == path.stem


# --- problems: the exact message of each kind of bad YAML -----------------------------------

MALFORMED = {
    "duplicate top-level key": ("id: a\nid: b\n", "line 2, column 1: duplicate key 'id' (first at line 1)"),
    "duplicate nested key": (
        "funds:\n  total: 1\n  total: 2\n",
        "line 3, column 3: duplicate key 'total' (first at line 2)",
    ),
    "duplicate key written apart": ("1: a\n0x1: b\n", "line 2, column 1: duplicate key 1 (first at line 1)"),
    "duplicate key bool and int": ("1: a\ntrue: b\n", "line 2, column 1: duplicate key True (first at line 1)"),
    "duplicate null key": ("~: a\nnull: b\n", "line 2, column 1: duplicate key None (first at line 1)"),
    "duplicate quoted key": ("a: 1\n'a': 2\n", "line 2, column 1: duplicate key 'a' (first at line 1)"),
    "duplicate flow key": ("{a: 1, a: 2}\n", "line 1, column 8: duplicate key 'a' (first at line 1)"),
    "duplicate key in a later mapping": (
        "a: [{k: 1, k: 2}]\nb: {j: 1, j: 2}\n",
        "line 2, column 11: duplicate key 'j' (first at line 2)",
    ),
    "duplicate key before a bad value": (
        "a: !!int abc\na: 2\n",
        "line 2, column 1: duplicate key 'a' (first at line 1)",
    ),
    "merge key": (
        "base: &b {a: 1, b: 2}\nx:\n  <<: *b\n  c: 3\n",
        "line 3, column 3: merge keys (<<) are not supported; write the keys out",
    ),
    "list as a key": ("? [a, b]\n: 1\n", "line 1, column 3: a key must be text or a number, not a sequence"),
    "mapping as a key": ("? {a: 1}\n: 1\n", "line 1, column 3: a key must be text or a number, not a mapping"),
    "impossible date": (
        "year: 2022-13-45\n",
        "line 1, column 7: cannot read '2022-13-45' as a date: month must be in 1..12",
    ),
    "impossible date as a key": (
        "2022-02-30: x\n",
        "line 1, column 1: cannot read '2022-02-30' as a date: day is out of range for month",
    ),
    "int tag on text": ("year: !!int abc\n", "line 1, column 7: cannot read 'abc' as an integer"),
    "float tag on text": ("a: !!float abc\n", "line 1, column 4: cannot read 'abc' as a number"),
    "bool tag on text": ("unit: !!bool x\n", "line 1, column 7: cannot read 'x' as true or false"),
    "timestamp tag on text": ("a: !!timestamp x\n", "line 1, column 4: cannot read 'x' as a date"),
    "map tag on text": ("funds: !!map foo\n", "line 1, column 8: expected a mapping node, but found scalar"),
    "bad base64": ("a: !!binary 'aGVsbG8'\n", "line 1, column 4: failed to decode base64 data: Incorrect padding"),
    "python object": (
        "a: !!python/object:os.system x\n",
        "line 1, column 4: could not determine a constructor for the tag 'tag:yaml.org,2002:python/object:os.system'",
    ),
    "local tag": ("a: !foo bar\n", "line 1, column 4: could not determine a constructor for the tag '!foo'"),
    "unclosed flow": ("id: x\nname: [unclosed\n", "line 3, column 1: did not find expected ',' or ']'"),
    "bad indentation": ("a:\n  b: 1\n c: 2\n", "line 3, column 2: did not find expected key"),
    "tab indentation": ("a:\n\tb: 1\n", "line 2, column 1: found character that cannot start any token"),
    "two documents": ("a: 1\n---\nb: 2\n", "line 2, column 1: but found another document"),
    "undefined alias": ("a: *nope\n", "line 1, column 4: found undefined alias"),
    "control character": (
        "名称: 示例\nb: 中\x07\n",
        "line 2, column 5: unacceptable character #x0007: control characters are not allowed",
    ),
}


@pytest.mark.parametrize("text, message", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_yaml_message(text, message):
    assert parse_yaml(text) == (None, f"malformed YAML: {message}")


def nested(levels: int, opening: str, closing: str) -> str:
    return opening * levels + "1" + closing * levels + "\n"


@pytest.mark.parametrize("opening, closing", [("{a: ", "}"), ("[", "]"), ("- ", "")])
def test_nesting_up_to_the_limit_reads(opening, closing):
    value, problem = parse_yaml(nested(MAX_DEPTH, opening, closing))
    assert problem is None
    for _ in range(MAX_DEPTH):
        value = value["a"] if isinstance(value, dict) else value[0]
    assert value == 1


@pytest.mark.parametrize(
    "text, column",
    [
        (nested(MAX_DEPTH + 1, "{a: ", "}"), 4 * MAX_DEPTH + 1),
        (nested(MAX_DEPTH + 1, "[", "]"), MAX_DEPTH + 1),
        (nested(MAX_DEPTH + 1, "- ", ""), 2 * MAX_DEPTH + 1),
        # deep enough to overflow libyaml's C stack if it were composed: counted from events first
        (nested(30_000, "{a: ", "}"), 4 * MAX_DEPTH + 1),
        (nested(30_000, "- ", ""), 2 * MAX_DEPTH + 1),
    ],
    ids=["maps", "lists", "block lists", "30,000 maps", "30,000 block lists"],
)
def test_nesting_beyond_the_limit_is_refused_where_it_starts(text, column):
    assert parse_yaml(text) == (
        None,
        f"malformed YAML: line 1, column {column}: nested too deeply to read (more than {MAX_DEPTH} levels)",
    )


def test_block_nesting_beyond_the_limit_names_its_line():
    text = "".join(" " * level + "a:\n" for level in range(MAX_DEPTH + 1)) + " " * (MAX_DEPTH + 1) + "a: 1\n"
    assert parse_yaml(text)[1] == (
        f"malformed YAML: line {MAX_DEPTH + 1}, column {MAX_DEPTH + 1}: "
        f"nested too deeply to read (more than {MAX_DEPTH} levels)"
    )


def test_aliases_expanding_past_the_limit_are_refused_where_they_do():
    """A "billion laughs" document: each list holds the previous one ten times.

    a0 expands to 11 values (the list and its ten x), a1 to 1 + 10 * 11 = 111, a_k to
    (10^(k+2) - 1) / 9: a4 (line 5, its anchor at column 5) is the first past 100,000.
    """
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 12)]
    assert parse_yaml("\n".join(lines) + "\n") == (None, "line 5, column 5: aliases expand to more than 100000 values")


def test_aliases_within_the_limit_share_their_values():
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 4)]  # a3: 11,111 values
    value, problem = parse_yaml("\n".join(lines) + "\n")
    assert problem is None
    assert value["a3"][0] is value["a2"]


def test_a_star_in_text_beside_aliases_past_the_limit_still_has_them_counted():
    lines = ["note: 7*24小时服务", "a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 12)]
    assert parse_yaml("\n".join(lines) + "\n") == (None, "line 6, column 5: aliases expand to more than 100000 values")


@pytest.mark.parametrize("text", ["a: 7*24小时\n", "a: x\n", "a: [1, {b: '*'}]\n"])
def test_a_document_without_aliases_reads_as_it_is(text):
    assert parse_yaml(text) == (yaml.safe_load(text), None)


# --- read_yaml: a form file to its mapping --------------------------------------------------


@pytest.fixture
def write(tmp_path):
    def write(content: str | bytes, name: str = "form.yaml"):
        path = tmp_path / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
        return path

    return write


def test_read_yaml_gives_the_mapping(write):
    assert read_yaml(write("id: x\nname: 示例\n")) == ({"id": "x", "name": "示例"}, [])


def test_read_yaml_accepts_a_bom(write):
    assert read_yaml(write("\ufeffid: x\nname: 示例\n".encode())) == ({"id": "x", "name": "示例"}, [])


@pytest.mark.parametrize(
    "content, message",
    [
        ("", "file is empty; expected one form as a YAML mapping"),
        ("  \n\n", "file is empty; expected one form as a YAML mapping"),
        ("# only a comment\n", "expected one form as a YAML mapping (key: value) (got None)"),
        ("- a\n- b\n", "expected one form as a YAML mapping (key: value) (got ['a', 'b'])"),
        ("just text\n", "expected one form as a YAML mapping (key: value) (got 'just text')"),
        ("id: a\nid: b\n", "malformed YAML: line 2, column 1: duplicate key 'id' (first at line 1)"),
        ("名称: 示例".encode("gbk"), "not UTF-8 text: byte 0xc3 at offset 0; save the file as UTF-8"),
    ],
)
def test_read_yaml_problem(write, content, message):
    path = write(content)
    data, problems = read_yaml(path)
    assert data is None
    assert [(p.file, p.path) for p in problems] == [(str(path), "")]
    assert str(problems[0]) == f"{path}: {message}"


def test_read_yaml_refuses_a_file_too_large_to_be_a_form(write):
    path = write("a: " + "x" * MAX_FILE_BYTES + "\n")
    assert [p.message for p in read_yaml(path)[1]] == [
        f"file is {MAX_FILE_BYTES + 4} bytes; a YAML form file is at most {MAX_FILE_BYTES} bytes"
    ]


def test_read_yaml_of_a_missing_file_is_a_problem(tmp_path):
    assert [p.message for p in read_yaml(tmp_path / "nope.yaml")[1]] == [
        "cannot read the file: No such file or directory"
    ]


# --- read_json and read_forms ----------------------------------------------------------------


def test_read_forms_of_a_yaml_file_gives_its_form():
    forms, problems = read_forms(FIXTURES / "minimal.yaml")
    assert problems == []
    assert [(f.id, f.funds.total.budget_final) for f in forms] == [("minimal", 80.0)]


def test_read_forms_of_a_json_list_gives_every_form_in_order(tmp_path, minimal_data):
    path = tmp_path / "forms.json"
    path.write_text(json.dumps([dict(minimal_data, id="b"), dict(minimal_data, id="a")], ensure_ascii=False))
    forms, problems = read_forms(path)
    assert (problems, [f.id for f in forms]) == ([], ["b", "a"])


def test_read_forms_of_a_json_object_gives_one_form(tmp_path, minimal_data):
    path = tmp_path / "form.json"
    path.write_text("\ufeff" + json.dumps(minimal_data, ensure_ascii=False), encoding="utf-8")
    assert [f.id for f in read_forms(path)[0]] == ["minimal"]


def test_read_forms_reports_every_invalid_field_and_no_form(write, minimal_data):
    minimal_data["indicators"][1]["weight"] = "ten"
    del minimal_data["name"]
    path = write(yaml.safe_dump(minimal_data, allow_unicode=True))
    forms, problems = read_forms(path)
    assert forms == []
    assert sorted((p.path, p.message, p.value) for p in problems) == [
        ("indicators[1].weight", "Input should be a valid number", "ten"),
        ("name", "required field is missing", None),
    ]


def test_read_forms_never_raises_for_a_missing_file(tmp_path):
    forms, problems = read_forms(tmp_path / "gone.json")
    assert forms == [] and [p.message for p in problems] == ["cannot read the file: No such file or directory"]


@pytest.mark.parametrize(
    "content, message",
    [
        ("{", "malformed JSON: line 1, column 2: Expecting property name enclosed in double quotes"),
        ("[]", "expected a form object or a non-empty list of form objects"),
        ("3", "expected a form object or a non-empty list of form objects"),
    ],
)
def test_read_json_problem(tmp_path, content, message):
    path = tmp_path / "forms.json"
    path.write_text(content, encoding="utf-8")
    assert read_json(path) == ([], [Problem(str(path), "", message)])
