"""Hostile input through the CLI (issue 15, the reading side): `validate` and `check` end in bounded
time with exit code 1 and a message naming the file, the path, the value and what was expected;
never a traceback, never a hang. Every bomb is generated in tmp_path."""

from __future__ import annotations

import json
import os
import signal
import time

import pytest
import yaml
from click.testing import CliRunner

from selfeval_kit import load_form
from selfeval_kit.cli import main
from selfeval_kit.errors import Problem
from tests.conftest import FIXTURES

SECONDS = 5  # the bound of the issue for each recipe


@pytest.fixture(autouse=True)
def guard():
    """Stop a test that hangs (a blocking open of a named pipe, a runaway expansion)."""

    def stop(signum, frame):
        raise TimeoutError("the command did not end in time")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, 4 * SECONDS)
    yield
    signal.setitimer(signal.ITIMER_REAL, 0)
    signal.signal(signal.SIGALRM, previous)


def run(command: str, path) -> tuple[int, str]:
    """`selfeval COMMAND PATH`: its exit code and output, within SECONDS and without a traceback."""
    started = time.perf_counter()
    result = CliRunner().invoke(main, [command, str(path)])
    assert time.perf_counter() - started < SECONDS
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def errors_of(command: str, path) -> list[str]:
    """The error lines of a command that must fail, without their "error: " prefix."""
    code, output = run(command, path)
    assert code == 1, output
    return [line.removeprefix("error: ") for line in output.splitlines() if line.startswith("error: ")]


MINIMAL = (FIXTURES / "minimal.yaml").read_text(encoding="utf-8")
COMMANDS = ["validate", "check"]


def _form(tmp_path, text: str, name: str = "x.yaml"):
    folder = tmp_path / "in"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder


def _replace(old: str, new: str) -> str:
    assert MINIMAL.count(old) == 1, old
    return MINIMAL.replace(old, new)


# --- 1. alias bombs, 8. depth --------------------------------------------------------------------

BOMB = "".join(['l0: &l0 ["lol"]\n'] + [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]\n" for i in range(1, 10)])


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("use", ["name: *l9\n", "indicators: *l9\n"])
def test_an_alias_bomb_is_refused_where_it_passes_the_limit(tmp_path, command, use):
    # l_k expands to 1 + 9 * (l_(k-1)), l0 to 2: l4 to 14,762, l5 (line 6, anchor at column 5) to 132,859
    path = _form(tmp_path, BOMB + use)
    assert errors_of(command, path) == [
        f"{path / 'x.yaml'}: line 6, column 5: aliases expand to more than 100000 values"
    ]


@pytest.mark.parametrize("command", COMMANDS)
def test_an_alias_that_contains_itself_is_refused(tmp_path, command):
    path = _form(tmp_path, _replace("name: 示例项目\n", "name: &a [1, *a]\n"))
    assert errors_of(command, path) == [
        f"{path / 'x.yaml'}: malformed YAML: line 3, column 7: an alias names a list or mapping that contains it"
    ]


@pytest.mark.parametrize("command", COMMANDS)
def test_a_list_nested_995_deep_in_name_is_refused_with_its_position(tmp_path, command):
    path = _form(tmp_path, _replace("name: 示例项目\n", "name: " + "[" * 995 + "]" * 995 + "\n"))
    # the form's mapping is level 1: the 500th "[" (column 6 + 500) opens level 501
    assert errors_of(command, path) == [
        f"{path / 'x.yaml'}: malformed YAML: line 3, column 506: nested too deeply to read (more than 500 levels)"
    ]


@pytest.mark.parametrize("command", COMMANDS)
def test_a_deep_list_in_a_json_name_is_shown_bounded(tmp_path, command):
    data = yaml.safe_load(MINIMAL)
    data["name"] = "NAME"
    text = json.dumps(data, ensure_ascii=False).replace('"NAME"', "[" * 400 + "]" * 400)
    path = _form(tmp_path, text, "x.json")
    assert errors_of(command, path) == [f"{path / 'x.json'}: name: Input should be a valid string (got [[[[...]]]])"]


@pytest.mark.parametrize("command", COMMANDS)
def test_json_nested_past_the_stack_is_refused(tmp_path, command):
    path = _form(tmp_path, "[" * 100_000 + "]" * 100_000, "x.json")
    assert errors_of(command, path) == [f"{path / 'x.json'}: malformed JSON: nested too deeply to read"]


# --- 2. sizes before the work --------------------------------------------------------------------


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize(
    "name, limit",
    [("x.yaml", "a YAML form file is at most 5242880 bytes"), ("x.json", "a JSON file is at most 67108864 bytes")],
)
def test_a_sparse_gigabyte_file_is_refused_by_its_size(tmp_path, command, name, limit):
    folder = tmp_path / "in"
    folder.mkdir()
    with open(folder / name, "wb") as handle:
        handle.truncate(1 << 30)
    assert errors_of(command, folder) == [f"{folder / name}: file is 1073741824 bytes; {limit}"]


@pytest.mark.parametrize("command", COMMANDS)
def test_a_million_values_without_aliases_are_refused_before_they_are_built(tmp_path, command):
    path = _form(tmp_path, "x: [" + "1," * 1_000_000 + "1]\n")
    # values 1-3: the form's mapping, the key x, the list; item k is value 3 + k and starts at
    # column 5 + 2 * (k - 1): the 100,001st value is item 99,998
    assert errors_of(command, path) == [
        f"{path / 'x.yaml'}: line 1, column {5 + 2 * 99_997}: more than 100000 values in one document"
    ]


# --- 3. reserved ids -----------------------------------------------------------------------------


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("form_id", ["index", "annual", "Annual", "INDEX", "annual-2022", "notebooks"])
def test_an_id_the_build_uses_for_its_own_pages_is_refused(tmp_path, command, form_id):
    path = _form(tmp_path, _replace("id: minimal\n", f"id: {form_id}\n"))
    assert errors_of(command, path) == [
        f"{path / 'x.yaml'}: id: id '{form_id}' is reserved: the build writes its own pages under the names "
        f"index, annual and annual-<year> (and notebooks), in any case; choose another id (got '{form_id}')"
    ]


@pytest.mark.parametrize("form_id", ["index-2022", "annual-report", "annuals", "my-index"])
def test_an_id_that_only_starts_like_a_reserved_one_is_valid(tmp_path, form_id):
    assert run("validate", _form(tmp_path, _replace("id: minimal\n", f"id: {form_id}\n")))[0] == 0


def test_ids_that_differ_only_in_case_are_refused(tmp_path):
    folder = _form(tmp_path, MINIMAL, "a.yaml")
    _form(tmp_path, _replace("id: minimal\n", "id: Minimal\n"), "b.yaml")
    assert errors_of("validate", folder) == [
        f"{folder / 'b.yaml'}: id: id differs only in case from 'minimal' in {folder / 'a.yaml'}: their pages "
        "would be one file on macOS and Windows (got 'Minimal')"
    ]


# --- 4. duplicate JSON keys ----------------------------------------------------------------------


@pytest.mark.parametrize("command", COMMANDS)
def test_a_key_repeated_in_json_is_refused_with_its_path(tmp_path, command):
    data = yaml.safe_load(MINIMAL)
    data["indicators"][1]["REPEATED"] = 99
    text = json.dumps([data], ensure_ascii=False).replace('"REPEATED"', '"weight"')
    path = _form(tmp_path, text, "x.json")
    assert errors_of(command, path) == [f"{path / 'x.json'}: [0].indicators[1].weight: duplicate key: each key once"]


# --- 5. folder entries that are not readable form files ------------------------------------------


def _folder_with(tmp_path, make) -> tuple:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.yaml").write_text(MINIMAL, encoding="utf-8")
    make(folder / "x.yaml")
    return folder, folder / "x.yaml"


ENTRIES = {
    "dangling symlink": (lambda p: os.symlink(p.parent / "gone.yaml", p), "a symbolic link to a missing file"),
    "fifo": (os.mkfifo, "not a regular file but a named pipe (FIFO); expected a form file"),
    "folder": (os.mkdir, "not a regular file but a folder; expected a form file"),
}


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("make, message", ENTRIES.values(), ids=ENTRIES.keys())
def test_a_folder_with_an_entry_that_is_not_a_form_file_fails_whole(tmp_path, command, make, message):
    folder, entry = _folder_with(tmp_path, make)
    assert errors_of(command, folder) == [f"{entry}: {message}"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a file whatever its mode")
def test_a_folder_with_an_unreadable_file_fails_whole(tmp_path):
    folder, entry = _folder_with(tmp_path, lambda p: (p.write_text(MINIMAL, encoding="utf-8"), p.chmod(0)))
    assert errors_of("validate", folder) == [f"{entry}: cannot read the file: Permission denied"]


def test_a_fifo_given_directly_is_not_a_regular_file(tmp_path):
    os.mkfifo(tmp_path / "x.yaml")
    assert errors_of("validate", tmp_path / "x.yaml") == [
        f"{tmp_path / 'x.yaml'}: not a regular file but a named pipe (FIFO); expected a form file"
    ]


def test_dev_null_is_not_a_regular_file():
    assert errors_of("validate", "/dev/null") == ["/dev/null: not a regular file but a device; expected a form file"]


# --- 6. plausible amounts ------------------------------------------------------------------------

RANGE = "not a plausible amount: expected 0 or from 1e-06 to 1e+15 in the form's unit"


@pytest.mark.parametrize("command", COMMANDS)
def test_amounts_adding_up_to_infinity_are_refused(tmp_path, command):
    text = _replace("budget_final: 70.0, executed: 62.0", "budget_final: 1.0e+308, executed: 62.0")
    text = text.replace("budget_final: 10.0, executed: 10.0", "budget_final: 1.0e+308, executed: 10.0")
    path = _form(tmp_path, text)
    assert errors_of(command, path) == [
        f"{path / 'x.yaml'}: funds.appropriation.budget_final: {RANGE} (got 1e+308)",
        f"{path / 'x.yaml'}: funds.carryover.budget_final: {RANGE} (got 1e+308)",
    ]


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize(
    "value, message",
    [
        ("5e-324", f"{RANGE} (got 5e-324)"),
        ("1.0e+16", f"{RANGE} (got 1e+16)"),
        ("0.0000009", f"{RANGE} (got 9e-07)"),
        (".inf", "Input should be a finite number (got inf)"),
        (".nan", "Input should be a finite number (got nan)"),
    ],
)
def test_an_implausible_amount_is_refused_with_path_and_value(tmp_path, command, value, message):
    path = _form(tmp_path, _replace("budget_final: 80.0", f"budget_final: {value}"))
    assert errors_of(command, path) == [f"{path / 'x.yaml'}: funds.total.budget_final: {message}"]


@pytest.mark.parametrize("value, read", [("1.0e+15", 1e15), ("0.000001", 1e-6), ("0", 0.0)])
def test_amounts_at_the_bounds_are_valid(tmp_path, value, read):
    path = _form(
        tmp_path, _replace("budget_initial: null, budget_final: 0,", f"budget_initial: {value}, budget_final: 0,")
    )
    assert run("validate", path)[0] == 0
    assert load_form(path).funds.other.budget_initial == read


@pytest.mark.parametrize(
    "field, value, message",
    [
        (
            "weight: 30, score: 24",
            "weight: .inf, score: 24",
            "indicators[0].weight: Input should be a finite number (got inf)",
        ),
        ("score: 24", "score: 101", "indicators[0].score: Input should be less than or equal to 100 (got 101)"),
        (
            "total_score: 93",
            "total_score: 1.0e+308",
            "total_score: Input should be less than or equal to 1000 (got 1e+308)",
        ),
    ],
)
def test_weights_and_scores_are_finite_and_bounded(tmp_path, field, value, message):
    path = _form(tmp_path, _replace(field, value))
    assert errors_of("validate", path) == [f"{path / 'x.yaml'}: {message}"]


# --- 7. numbers as YAML 1.2 reads them -----------------------------------------------------------


@pytest.mark.parametrize("written, read", [("010", 10.0), ("0x10", 16.0), ("0o10", 8.0), ("+10", 10.0), ("1e1", 10.0)])
def test_a_weight_reads_as_yaml_1_2_reads_it(tmp_path, written, read):
    path = _form(tmp_path, _replace("weight: 10, score: 10}", f"weight: {written}, score: 10}}"))
    assert load_form(path).indicators[3].weight == read


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("written", ["5_0", "1:30", "0b11", "yes", "on"])
def test_a_yaml_1_1_number_or_boolean_is_text_and_refused_as_a_weight(tmp_path, command, written):
    path = _form(tmp_path, _replace("weight: 10, score: 10}", f"weight: {written}, score: 10}}"))
    assert errors_of(command, path) == [
        f"{path / 'x.yaml'}: indicators[3].weight: Input should be a valid number (got '{written}')"
    ]


@pytest.mark.parametrize("command", COMMANDS)
def test_an_impossible_date_as_year_keeps_its_position(tmp_path, command):
    path = _form(tmp_path, _replace("year: 2023\n", "year: 2022-13-45\n"))
    assert errors_of(command, path) == [
        f"{path / 'x.yaml'}: malformed YAML: line 6, column 7: cannot read '2022-13-45' as a date: "
        "month must be in 1..12"
    ]


# --- 8. a value in a message is shown bounded, whatever it is -----------------------------------


def _nested(depth: int) -> list:
    outer = inner = []
    for _ in range(depth):
        inner.append([])
        inner = inner[0]
    return outer


def _laughs() -> list:
    value: list = ["lol"]
    for _ in range(9):
        value = [value] * 9  # 9^9 = 387,420,489 "lol" once expanded
    return value


def _cycle() -> list:
    value: list = [1]
    value.append(value)
    return value


@pytest.mark.parametrize(
    "value, shown",
    [
        pytest.param(_nested(100_000), "[[[[...]]]]", id="100,000 levels"),
        pytest.param(
            _laughs(),  # three levels of six items, cut at 77 characters, and "..."
            "[[[[...], [...], [...], [...], [...], [...], ...], [[...], [...], [...], [..." + "...",
            id="9^9",
        ),
        pytest.param(_cycle(), "[1, [1, [1, [...]]]]", id="contains itself"),
        pytest.param("x" * 5_000_000, "'" + "x" * 76 + "...", id="5 MB text"),
        pytest.param(
            {"a": 1, "b": [2, {"c": 3, "d": 4}]}, "{'a': 1, 'b': [2, {'c': 3, 'd': 4}]}", id="small, in order"
        ),
    ],
)
def test_a_value_is_shown_bounded(value, shown):
    started = time.perf_counter()
    assert str(Problem("f.yaml", "name", "bad", value, True)) == f"f.yaml: name: bad (got {shown})"
    assert time.perf_counter() - started < 0.1
