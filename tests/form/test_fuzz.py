"""Fuzzing the readers and whole forms: never a traceback, always a problem naming file and path.

Three generators: arbitrary text as a YAML or JSON file (syntax, anchors, tags, control
characters); a valid 2022 form with one field replaced by an arbitrary value (types, sizes, odd
numbers); and YAML built from fragments known to be hostile (aliases, deep nesting, 1.1 number
forms). Each case must come back as forms or as problems, in bounded time (the `deadline` is a
hang guard of seconds, generous on a shared machine, not a speed test).
"""

from __future__ import annotations

import json
import math
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from selfeval_kit import DataError, evaluate, load
from selfeval_kit.errors import Problem
from selfeval_kit.form.reading import read_forms
from tests.conftest import DATA_2022

BASE = yaml.safe_load((DATA_2022 / "base-info-system-ops.yaml").read_text(encoding="utf-8"))
FUZZ = settings(
    max_examples=150,
    deadline=5000,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    derandomize=True,  # the same cases on every run, so a failure is reproducible in CI
)

YAML_BITS = st.sampled_from(
    [
        "a: &x [1, 2]\n", "b: *x\n", "c: *missing\n", "- ", ": ", "? ", "!!python/object:os.system\n",
        "!!binary AA==\n", "{", "}", "[", "]", "'", '"', "\t", "\x00", "\x1b[2J", "\ufeff", "%YAML 1.1\n",
        "---\n", "...\n", "<<: *x\n", "010", "0x1F", "1_000", "1:30", ".inf", ".nan", "yes", "~", "2022-13-45",
        "id: a\n", "id: a\nid: b\n", "name: 项目\n", "indicators: []\n", "funds: {}\n", "\n", "  ", "#", "|\n  x\n",
    ]
)  # fmt: skip
JSON_LIKE = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(10**30), max_value=10**30),
        st.floats(allow_nan=True, allow_infinity=True),
        st.text(max_size=30),
    ),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=12,
)


def _paths(value, prefix=()):
    """Every path into a form's data, so a fuzzed value can replace any field."""
    yield prefix
    if isinstance(value, dict):
        for key, sub in value.items():
            yield from _paths(sub, (*prefix, key))
    elif isinstance(value, list):
        for i, sub in enumerate(value):
            yield from _paths(sub, (*prefix, i))


FIELD_PATHS = [p for p in _paths(BASE) if p]


def _replaced(data, path, value):
    data = json.loads(json.dumps(data))
    node = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return data


def _assert_named(problems: list[Problem], file: Path) -> None:
    assert problems
    for problem in problems:
        assert problem.file == str(file)
        assert problem.message
        text = str(problem)  # showing a problem never fails, whatever value it carries
        assert len(text) < 2000


def _read(file: Path):
    forms, problems = read_forms(file)
    if problems:
        _assert_named(problems, file)
        return None
    return forms


@FUZZ
@given(text=st.one_of(st.text(max_size=300), st.lists(YAML_BITS, max_size=30).map("".join)))
def test_any_text_as_yaml_gives_forms_or_named_problems(text):
    with tempfile.TemporaryDirectory() as tmp:
        file = Path(tmp) / "f.yaml"
        file.write_text(text, encoding="utf-8", errors="surrogatepass")
        _read(file)


@FUZZ
@given(value=JSON_LIKE)
def test_any_json_value_gives_forms_or_named_problems(value):
    with tempfile.TemporaryDirectory() as tmp:
        file = Path(tmp) / "f.json"
        file.write_text(json.dumps(value, allow_nan=True), encoding="utf-8")
        _read(file)


@FUZZ
@given(path=st.sampled_from(FIELD_PATHS), value=JSON_LIKE, as_json=st.booleans())
def test_a_form_with_any_field_replaced_loads_or_names_the_file(path, value, as_json):
    data = _replaced(BASE, path, value)
    with tempfile.TemporaryDirectory() as tmp:
        file = Path(tmp) / ("f.json" if as_json else "f.yaml")
        if as_json:
            file.write_text(json.dumps(data, ensure_ascii=False, allow_nan=True), encoding="utf-8")
        else:
            file.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        try:
            portfolio = load(file)
        except DataError as exc:
            _assert_named(exc.problems, file)
            return
        # A form that loads can be scored and audited, and its scores are numbers or absent.
        evaluation = evaluate(portfolio)
        for result in evaluation.forms:
            assert math.isfinite(result.score_recomputed)
            assert 0 <= result.score_low <= result.score_recomputed <= result.score_high <= 100


@FUZZ
@given(
    levels=st.integers(1, 12),
    width=st.integers(2, 12),
    where=st.sampled_from(["name", "annual_goal", "indicators", "funds"]),
    depth=st.integers(0, 3000),
)
def test_aliases_and_nesting_of_any_size_are_bounded(levels, width, where, depth):
    """Billion-laughs aliases (up to 12 levels of 12) and lists nested up to 3,000 deep."""
    lines = ['l0: &l0 ["lol"]']
    lines += [f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * width) + "]" for i in range(1, levels + 1)]
    data = {k: v for k, v in BASE.items() if k != where}
    text = "\n".join(lines) + "\n" + yaml.safe_dump(data, allow_unicode=True)
    text += f"{where}: " + "[" * depth + f"*l{levels}" + "]" * depth + "\n"
    with tempfile.TemporaryDirectory() as tmp:
        file = Path(tmp) / "f.yaml"
        file.write_text(text, encoding="utf-8")
        assert _read(file) is None  # never a valid form: the field holds a list of lists
