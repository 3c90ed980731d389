"""The fast YAML readers give exactly what yaml.load with _UniqueKeyLoader gives: values and errors.

Each of the line reader (`_read_block`, which refuses what it does not read) and the
composed reader is compared with the full reader on its own, and so is `_load_yaml`,
which chains them.
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from selfeval_kit.form import loading

from selfeval_kit.form import yamltext
from selfeval_kit.form.loading import read_yaml
from selfeval_kit.form.yamltext import (
    _FastLoader,
    _load_yaml,
    _load_yaml_composed,
    _load_yaml_full,
    _read_block,
    _UniqueKeyLoader,
    _Unusual,
)

from .conftest import DATA_2022, FIXTURES, ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
from synthetic import write_portfolio  # noqa: E402

YAML_FILES = sorted(
    [
        *DATA_2022.glob("*.yaml"),
        *FIXTURES.rglob("*.yaml"),
        *FIXTURES.rglob("*.yml"),
        *(ROOT / "selfeval_kit" / "profiles").glob("*.yaml"),
    ]
)


def canon(obj) -> list:
    """A flat list of tokens, equal only for equal values of equal types, in the same order, shared alike.

    Plain == is not enough: 1 == 1.0 == True, nan != nan, and an alias makes one list appear twice.
    Flat (built without recursion) so that deeply nested documents compare too.
    """
    tokens: list = []
    numbers: dict[int, int] = {}  # id of a dict, list or set -> the order it was first met in
    todo = [obj]
    while todo:
        obj = todo.pop()
        if isinstance(obj, (dict, list, set)):
            if id(obj) in numbers:
                tokens.append(("alias", numbers[id(obj)]))
                continue
            numbers[id(obj)] = len(numbers)
        if isinstance(obj, dict):
            tokens.append(("dict", len(obj)))
            todo.extend(reversed([part for item in obj.items() for part in item]))
        elif isinstance(obj, (list, tuple)):
            tokens.append((type(obj).__name__, len(obj)))
            todo.extend(reversed(obj))
        elif isinstance(obj, set):
            tokens.append(("set", sorted(repr((type(v).__name__, repr(v))) for v in obj)))
        elif dataclasses.is_dataclass(obj):
            fields = [getattr(obj, f.name) for f in dataclasses.fields(obj)]
            tokens.append((type(obj).__name__, len(fields)))
            todo.extend(reversed(fields))
        else:
            tokens.append((type(obj).__name__, repr(obj)))  # repr tells nan, -0.0, tz-aware datetimes apart
    return tokens


def outcome(read, *args):
    """What a reader gives: its value, or its exception's type, text and mark."""
    try:
        return ("value", canon(read(*args)))
    except RecursionError:
        return ("error", "RecursionError")  # its text depends on where the stack ran out, not on the reader
    except Exception as exc:  # noqa: BLE001 - every error must match, YAMLError or not
        mark = getattr(exc, "problem_mark", None)
        return ("error", type(exc).__name__, str(exc), mark and (mark.line, mark.column))


def differences(text: str) -> list[str]:
    """The readers whose outcome for text differs from the full reader's."""
    expected = outcome(_load_yaml_full, text)
    different = [read.__name__ for read in (_load_yaml, _load_yaml_composed) if outcome(read, text) != expected]
    try:
        block = ("value", canon(_read_block(text)))
    except _Unusual:
        block = expected  # refused: the composed reader reads it
    except Exception as exc:  # noqa: BLE001 - it may only return values or refuse
        block = ("error", type(exc).__name__, str(exc))
    return different + (["_read_block"] if block != expected else [])


def assert_same(text: str) -> None:
    assert differences(text) == []


# --- files ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", YAML_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_repository_yaml_file_reads_the_same(path):
    assert_same(path.read_bytes().decode("utf-8-sig"))


@pytest.fixture(scope="module")
def synthetic_texts(tmp_path_factory) -> dict[str, str]:
    """300 synthetic form files, 60 of them broken, by name."""
    paths = write_portfolio(tmp_path_factory.mktemp("synthetic"), 240, 60, seed=11)
    return {p.name: p.read_text(encoding="utf-8") for p in paths}


def test_synthetic_forms_read_the_same(synthetic_texts):
    assert len(synthetic_texts) == 300
    different = {name: differences(text) for name, text in synthetic_texts.items()}
    assert {name: readers for name, readers in different.items() if readers} == {}


def test_broken_synthetic_forms_include_malformed_yaml(synthetic_texts):
    errors = {outcome(_load_yaml, text)[0] for name, text in synthetic_texts.items() if name.startswith("broken-")}
    assert errors == {"value", "error"}


@pytest.fixture
def full_reader_forbidden(monkeypatch):
    def refuse(text):
        raise AssertionError("fell back to the full reader")

    monkeypatch.setattr(yamltext, "_load_yaml_full", refuse)


@pytest.mark.parametrize("path", sorted(DATA_2022.glob("*.yaml")), ids=lambda p: p.name)
def test_real_form_needs_only_the_line_reader(path):
    assert isinstance(_read_block(path.read_text(encoding="utf-8")), dict)


@pytest.mark.parametrize("path", sorted(DATA_2022.glob("*.yaml")), ids=lambda p: p.name)
def test_real_form_needs_no_full_reader(full_reader_forbidden, path):
    assert isinstance(_load_yaml_composed(path.read_text(encoding="utf-8")), dict)


def test_synthetic_forms_need_only_the_line_reader(synthetic_texts):
    """All but the broken files that are not YAML mappings of one-line scalars."""
    refused = []
    for name, text in synthetic_texts.items():
        try:
            assert isinstance(_read_block(text), dict), name
        except _Unusual:
            refused.append(name)
    assert refused and all(name.startswith("broken-") for name in refused)


def test_synthetic_forms_need_no_full_reader(synthetic_texts, full_reader_forbidden):
    for name, text in synthetic_texts.items():
        if text != "id: [unclosed\n":
            assert isinstance(_load_yaml_composed(text), dict), name


# --- hand-written YAML features ------------------------------------------------------

FEATURES = {
    # strings
    "plain": "a: hello world\n",
    "quoted": "a: 'single ''q'''\nb: \"double \\t \\u00e9 \\x41\"\nc: '123'\nd: \"true\"\n",
    "literal block": "a: |\n  line 1\n   line 2\n\nb: |-\n  kept\nc: |+\n  keep\n\n",
    "folded block": "a: >\n  folded\n  text\n\n  para\nb: >-\n  x\n  y\n",
    "multi-line plain": "a: one\n  two\n  three\nb: \"dq\n  continued\"\n",
    "comments": "# head\na: 1  # trailing\n# between\nb: x # not a comment#\nc: x#y\n",
    "cjk": "名称: 示例项目（运维）\n单位: 万元\n指标:\n  - 满意度≥90%\n  - '>=987家'\n说明: 受疫情影响，2场培训取消。\n",
    "special chars": "a: 'x: y'\nb: a - b\nc: '#x'\nd: '@x'\ne: '%'\n",
    # YAML 1.1 bools and nulls
    "bools": "a: yes\nb: No\nc: on\nd: OFF\ne: true\nf: False\ng: y\nh: n\n",
    "nulls": "a: ~\nb: null\nc: Null\nd:\ne: NULL\nf: ''\n",
    # ints
    "ints": "a: 0x1f\nb: 0o17\nc: 017\nd: 1_000\ne: 190:20:30\nf: -42\ng: +7\nh: 0b101\ni: 0\nj: 1,000\n",
    "floats": "a: .inf\nb: -.Inf\nc: .NaN\nd: -.NaN\ne: 1e3\nf: 1.0e3\ng: 6.8523015e+5\n"
    "h: 190:20:30.15\ni: -0.0\nj: 1_000.5\nk: .5\n",
    "timestamps": "a: 2022-12-31\nb: 2022-12-31T23:59:59Z\nc: 2022-12-31 23:59:59.123456+08:00\n"
    "d: 2001-12-14t21:59:43.10-05:00\ne: 2022-1-5 1:02:03\n",
    "bad timestamp": "a: 2022-13-45\n",
    "binary": "a: !!binary aGVsbG8=\nb: !!binary |\n  aGVs\n  bG8=\nc: !!binary '%%%'\n",
    "empty values": "a:\nb: {}\nc: []\nd: ''\ne:\n  f:\n",
    # structure
    "nested": "a:\n  b:\n    c:\n    - 1\n    - d: e\n      f: [g, {h: i}]\n",
    "flow": "{a: 1, b: [x, y, {c: d}], 'e': \"f\", g: , ? h }\n",
    "flow seq top": "[1, two, 3.0, null, [nested]]\n",
    "top-level list": "- a\n- b\n",
    "top-level scalar": "just text\n",
    "top-level int": "42\n",
    "top-level null": "~\n",
    "empty document": "",
    "only comment": "# nothing\n",
    "explicit empty document": "---\n...\n",
    "explicit document": "--- \na: 1\n...\n",
    "two documents": "a: 1\n---\nb: 2\n",
    "two scalar documents": "--- a\n--- b\n",
    "directive": "%YAML 1.1\n---\na: 1\n",
    # anchors and aliases
    "shared scalar alias": "a: &x hello\nb: *x\nc: &n 5\nd: *n\n",
    "shared list alias": "a: &x [1, 2]\nb: *x\n",
    "shared map alias": "base: &b {k: v}\nuse: *b\n",
    "recursive list": "&a [1, *a]\n",
    "recursive map": "&m {self: *m}\n",
    "alias as key": "a: &k key\n*k : v\n",
    "undefined alias": "a: *nope\n",
    "duplicate anchor": "a: &x 1\nb: &x 2\nc: *x\n",
    "merge key": "base: &b {a: 1, b: 2}\nx:\n  <<: *b\n  c: 3\n",
    "merge list": "a: &a {x: 1}\nb: &b {y: 2}\nc:\n  <<: [*a, *b]\n",
    "value key": "=: 1\n",
    "value scalar": "a: =\n",
    # explicit tags
    "str tag on int": "a: !!str 123\nb: !!str yes\n",
    "int tag on string": "a: !!int \"5\"\nb: !!float '1'\nc: !!bool 'yes'\nd: !!null ''\n",
    "int tag on text": "a: !!int abc\n",
    "float tag on text": "a: !!float abc\n",
    "bool tag on text": "a: !!bool x\n",
    "timestamp tag on text": "a: !!timestamp x\n",
    "default collection tags": "!!map {a: !!seq [1, 2], b: !!str x}\n",
    "verbatim tag": "a: !<tag:yaml.org,2002:str> 12\nb: !<tag:yaml.org,2002:int> '12'\n",
    "non-specific tag": "a: ! 12\nb: ! [1]\nc: ! {d: 1}\n",
    "set": "!!set {a, b, c}\n",
    "set on scalar": "a: !!set foo\n",
    "omap": "!!omap [a: 1, b: 2]\n",
    "pairs": "!!pairs [a: 1, a: 2]\n",
    "map tag on scalar": "a: !!map foo\n",
    "seq tag on map": "a: !!seq {b: 1}\n",
    "str tag on list": "a: !!str [a]\n",
    "python object": "a: !!python/object:os.system x\n",
    "python tuple": "a: !!python/tuple [1, 2]\n",
    "local tag": "a: !foo bar\n",
    "unknown tag on list": "a: !foo [1]\n",
    # duplicate and unusable keys
    "duplicate top-level key": "id: a\nid: b\n",
    "duplicate nested key": "funds:\n  total: 1\n  total: 2\n",
    "duplicate key written apart": "1: a\n0x1: b\n",
    "duplicate key bool and int": "1: a\ntrue: b\n",
    "duplicate nan key": ".nan: a\n.nan: b\n",
    "duplicate null key": "~: a\nnull: b\n",
    "duplicate flow key": "{a: 1, a: 2}\n",
    "duplicate keys in list item and later map": "a: [{k: 1, k: 2}]\nb: {j: 1, j: 2}\n",
    "duplicate key after an error": "a: !!int abc\na: 2\n",
    "quoted key equals plain key": "a: 1\n'a': 2\n",
    "distinct keys of equal text": "1: int\n'1': str\n",
    "unhashable list key": "? [a, b]\n: 1\n",
    "unhashable map key": "? {a: 1}\n: 1\n",
    "set key": "? !!set {a}\n: 1\n",
    "non-string keys": "1: a\n2.5: b\nfalse: c\n~: d\n2022-01-01: e\n? !!binary aGk=\n: f\n",
    # whitespace and encoding
    "tab after colon": "a:\tb\n",
    "tab indentation": "a:\n\tb: 1\n",
    "tab in flow": "[a,\tb]\n",
    "bom": "\ufeffa: 1\n",
    "crlf": "a: 1\r\nb: two\r\n",
    "no final newline": "a: 1",
    "unclosed flow": "id: x\nname: [unclosed\n",
    "bad indentation": "a:\n  b: 1\n c: 2\n",
    "control character": "a: \x07\n",
    "long plain scalars": "t" + "x" * 100 + ": " + "1" * 100 + "\n" + "y" * 70 + ": n" * 1 + "\n",
    "deeply nested maps": "{a: " * 100 + "1" + "}" * 100 + "\n",
    "too deeply nested maps": "{a: " * 400 + "1" + "}" * 400 + "\n",
    "deeply nested lists": "[" * 500 + "1" + "]" * 500 + "\n",
}


@pytest.mark.parametrize("text", FEATURES.values(), ids=FEATURES.keys())
def test_yaml_feature_reads_the_same(text):
    assert_same(text)


@pytest.mark.parametrize("text", FEATURES.values(), ids=FEATURES.keys())
def test_read_yaml_gives_the_same_data_and_problems(tmp_path, monkeypatch, text):
    path = tmp_path / "form.yaml"
    path.write_text(text, encoding="utf-8")
    fast = outcome(read_yaml, path)
    monkeypatch.setattr(loading, "_load_yaml", _load_yaml_full)
    assert fast == outcome(read_yaml, path)


def test_read_yaml_accepts_a_bom(tmp_path):
    path = tmp_path / "form.yaml"
    path.write_bytes("\ufeffid: x\nname: 示例\n".encode("utf-8"))
    assert read_yaml(path) == ({"id": "x", "name": "示例"}, [])


@pytest.mark.parametrize(
    "text, message",
    [
        ("id: a\nid: b\n", "malformed YAML: line 2, column 1: duplicate key 'id' (first at line 1)"),
        ("funds:\n  total: 1\n  total: 2\n", "malformed YAML: line 3, column 3: duplicate key 'total' (first at line 2)"),
        ("1: a\n0x1: b\n", "malformed YAML: line 2, column 1: duplicate key 1 (first at line 1)"),
        ("a: [{k: 1, k: 2}]\nb: {j: 1, j: 2}\n", "malformed YAML: line 2, column 11: duplicate key 'j' (first at line 2)"),
        ("? [a, b]\n: 1\n", "malformed YAML: line 1, column 3: found unhashable key"),
        ("a: 1\n---\nb: 2\n", "malformed YAML: line 2, column 1: but found another document"),
        ("{a: " * 400 + "1" + "}" * 400 + "\n", "malformed YAML: nested too deeply to read"),
    ],
)
def test_yaml_error_problem_is_as_before(tmp_path, text, message):
    path = tmp_path / "form.yaml"
    path.write_text(text, encoding="utf-8")
    data, (problem,) = read_yaml(path)
    assert (data, problem.message) == (None, message)


def test_aliased_list_stays_shared():
    data = _load_yaml("a: &x [1]\nb: *x\n")
    assert data["a"] is data["b"]


# --- the memoized tag resolution -----------------------------------------------------

PLAIN_SCALARS = [
    "", "~", "null", "Null", "nul", "yes", "Yes", "y", "n", "on", "Off", "true", "TRUE", "tRue", "name", "total",
    "0", "0x1f", "0o17", "017", "08", "1_000", "190:20:30", "1,000", "-1", "+1", ".5", "1.", "1e3", "1.0e+3",
    ".inf", "-.INF", ".nan", ".NaN", "2022-12-31", "2022-12-31T23:59:59Z", "2022-13-45", "<<", "=", "示例",
    "-", ".", "+", "x" * 64, "1" * 64, "1" * 65, "-- x", "0b101", "2001-12-14 21:59:43.10 -5",
]


@pytest.mark.parametrize("value", PLAIN_SCALARS + ["1.5", "01.5", "10.50", "0.0", "1.5.3", "9" * 40, "0.1e3"])
def test_plain_scalar_reads_the_same_as_a_value_key_and_item(value):
    assert_same(f"a: {value}\n")
    assert_same(f"- {value}\n")
    assert_same(f"{value}: 1\n")


def test_plain_scalar_tags_are_memoized_exactly():
    assert not _UniqueKeyLoader.yaml_path_resolvers  # what makes the memo and the no-op path tracking exact
    loader, reference = _FastLoader(""), _UniqueKeyLoader("")
    for implicit in [(True, False), (True, True), (False, True), (False, False)]:
        for _ in range(2):  # cold, then memoized
            for value in PLAIN_SCALARS:
                assert loader.resolve(yaml.ScalarNode, value, implicit) == reference.resolve(
                    yaml.ScalarNode, value, implicit
                ), (value, implicit)


# --- generated documents -------------------------------------------------------------

LEAVES = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        ["yes", "no", "on", "off", "~", "null", "0x1f", "1_000", "1e3", ".nan", "2022-12-31", "<<", "=", "示例项目"]
    ),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
)
DOCUMENTS = st.recursive(
    LEAVES,
    lambda children: st.one_of(
        st.lists(children, max_size=5),
        st.dictionaries(st.one_of(st.text(max_size=12), st.integers(), st.booleans(), st.none()), children, max_size=5),
    ),
    max_leaves=30,
)


@settings(max_examples=200, deadline=None)
@given(data=DOCUMENTS, flow=st.sampled_from([False, True, None]))
def test_dumped_documents_read_the_same(data, flow):
    try:
        text = yaml.safe_dump(data, allow_unicode=True, default_flow_style=flow)
    except yaml.YAMLError:
        return
    assert_same(text)


# --- generated block-layout texts, for the line reader ---------------------------------

KEYS = st.one_of(
    st.sampled_from(["id", "name", "target", "y", "n", "on", "Off", "null", "True", "a_b", "_x", "k1"]),
    st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,6}", fullmatch=True),
)
TRICKY_SCALARS = [
    "- x", "-", "-5", "--", "a: b", "a:b", "x:", "a #b", "a#b", "#c", "'q'", "'it''s'", "'a' b", "'open",
    '"dq"', '"a\\"b"', '"tab\\t"', '"x" y', "?x", "? x", ":x", ": x", "[x", "x]", "{a}", "a, b", "&a x", "*a",
    "!x y", "!!str 1", "|", ">", "%x", "@x", "`x", ",x", "~", "null", "yes", "2022-12-31", "2022-13-45", "1_000",
    "0x1f", "017", ".nan", "-.inf", "1e3", "1.0", "190:20:30", "<<", "=", "１２", "示例: 值", "示例：值",
    "满意度≥90%", ">=987家", "\u3000x", "\xa0x", "x\u2028y", "x\x85y", "---", "...", "a  b", "x\ty", "é",
]
SCALARS = st.one_of(
    st.sampled_from(["x", "示例项目", "1", "2.5", ">=90%", "及时", "1,162家", "'q'", '"示例"']),
    st.sampled_from(TRICKY_SCALARS),
    st.text(alphabet=st.sampled_from(list("ab1 -:#'\",.?!&*[]{}|>%@~\\示例") + ["\t", "\n", "\r"]), max_size=8),
)


@st.composite
def block_texts(draw) -> str:
    """A document in the block layout, with random indents, dash spacing, comments and scalars."""
    lines: list[str] = []

    def node(indent: int, depth: int) -> None:
        if depth > 3 or draw(st.integers(0, 3)) == 0:
            return
        as_list = draw(st.booleans())
        for _ in range(draw(st.integers(1, 3))):
            pad = " " * indent
            dash = draw(st.sampled_from(["- ", "- ", "-  ", "-"])) if as_list else ""
            key = draw(KEYS) if not as_list or draw(st.booleans()) else ""
            value = draw(SCALARS) if draw(st.booleans()) else ""
            sep = draw(st.sampled_from([": ", ":", ":  "])) if key else ""
            tail = draw(st.sampled_from(["", "", " ", "  # note"]))
            lines.append(f"{pad}{dash}{key}{sep}{value}{tail}")
            if draw(st.integers(0, 4)) == 0:
                lines.append(draw(st.sampled_from(["", "   ", "# comment", "  # deeper comment"])))
            if not value:
                child = indent + (len(dash) if key else 0)
                node(child + draw(st.sampled_from([0, 1, 2, 4])), depth + 1)

    node(draw(st.sampled_from([0, 0, 2])), 0)
    return "\n".join(lines) + draw(st.sampled_from(["\n", "", "\n\n"]))


@st.composite
def rendered_block_texts(draw) -> str:
    """A generated document written out in the block layout by hand: mostly valid YAML,
    with scalars plain, single- or double-quoted, as written, whatever they hold."""
    lines: list[str] = []

    def scalar(value) -> str:
        text = value if isinstance(value, str) else str(value)
        style = draw(st.sampled_from(["plain", "plain", "single", "double"]))
        if style == "single":
            return "'" + text.replace("'", "''") + "'"
        return f'"{text}"' if style == "double" else text

    def mapping(data: dict, indent: int) -> None:
        for key, value in data.items():
            pad = " " * indent
            if isinstance(value, dict) and value:
                lines.append(f"{pad}{key}:")
                mapping(value, indent + draw(st.integers(1, 4)))
            elif isinstance(value, list) and value:
                lines.append(f"{pad}{key}:")
                sequence(value, indent + draw(st.sampled_from([0, 0, 2, 4])))
            elif isinstance(value, (dict, list)):
                lines.append(f"{pad}{key}:")
            else:
                lines.append(f"{pad}{key}: {scalar(value)}{draw(st.sampled_from(['', '', '  ']))}")
            if draw(st.integers(0, 6)) == 0:
                lines.append(draw(st.sampled_from(["", "# comment", " " * indent + "# note"])))

    def sequence(items: list, indent: int) -> None:
        for item in items:
            dash = draw(st.sampled_from(["- ", "- ", "-   "]))
            if isinstance(item, dict) and item:
                first, *rest = item.items()
                lines.append(" " * indent + dash.rstrip(" ") + " " * (len(dash) - 1))
                start = len(lines)
                mapping(dict([first]), indent + len(dash))
                lines[start] = " " * indent + dash + lines[start].lstrip(" ")
                del lines[start - 1]
                mapping(dict(rest), indent + len(dash))
            else:
                lines.append(" " * indent + dash + scalar(item if not isinstance(item, (dict, list)) else "x"))

    keys = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,5}", fullmatch=True)
    leaves = st.one_of(
        st.sampled_from(["示例项目", ">=90%", "1,162家", "及时", "it's", "a: b", "x #y", "-5", "0x1f", "yes", "~", "2022-12-31"]),
        st.text(alphabet=st.sampled_from(list("ab1 -:#'\",.?!&*示例") + ["\u2028", "\x85"]), max_size=8),
        st.integers(-1000, 10**12),
        st.floats(allow_nan=False),
        st.booleans(),
    )
    tree = st.recursive(
        st.dictionaries(keys, leaves, min_size=1, max_size=4),
        lambda children: st.dictionaries(keys, st.one_of(leaves, children, st.lists(st.one_of(leaves, children), max_size=3)), min_size=1, max_size=4),
        max_leaves=20,
    )
    mapping(draw(tree), draw(st.sampled_from([0, 0, 1])))
    return "\n".join(lines) + "\n"


@settings(max_examples=400, deadline=None)
@given(text=block_texts())
def test_block_layout_texts_read_the_same(text):
    assert_same(text)


@settings(max_examples=400, deadline=None)
@given(text=rendered_block_texts())
def test_rendered_block_documents_read_the_same(text):
    assert_same(text)


@settings(max_examples=200, deadline=None)
@given(data=DOCUMENTS)
def test_dumped_block_documents_need_only_the_line_reader_or_read_the_same(data):
    """yaml.safe_dump's block layout: what the line reader reads it reads as libyaml does."""
    try:
        text = yaml.safe_dump(data, allow_unicode=True, default_flow_style=False, sort_keys=False)
    except yaml.YAMLError:
        return
    assert_same(text)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("a: 1\nb:\n- x\n- y: 2\n  z: 3\nc: ~\n", {"a": 1, "b": ["x", {"y": 2, "z": 3}], "c": None}),
        ("a:\n    b: 'it''s'\n    c: \"示例\"\nd: 2022-12-31\n", {"a": {"b": "it's", "c": "示例"}, "d": __import__("datetime").date(2022, 12, 31)}),
        ("- a\n-   b: 1\n    c:\n    - 2\n", ["a", {"b": 1, "c": [2]}]),
        ("# only a comment\n", None),
        ("a: 1\r\nb: x  \r\n", {"a": 1, "b": "x"}),
    ],
)
def test_line_reader_reads_the_block_layout(text, expected):
    assert _read_block(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "a: [1]\n", "a: |\n  x\n", "a: 'x' # c\n", "a: \"x\\ty\"\n", "a: b\n  c\n", "on: 1\n", "a: 1\na: 2\n",
        "a:\tb\n", "a: 1\rb: 2\n", "名称: x\n", "a: &x 1\n", "- - x\n", "-\n  a: 1\n", "--- \na: 1\n", "a: <<\n",
        "a: 2022-13-45\n", "a: 1\n b: 2\n", "x\n", "a: x\u2028y\n", "a: x\x85y\n",
    ],
)
def test_line_reader_refuses_what_it_does_not_read(text):
    with pytest.raises(_Unusual):
        _read_block(text)
