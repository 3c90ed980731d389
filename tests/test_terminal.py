"""terminal.printable and the CLI: control characters in user text are shown, never obeyed (issue 15)."""

from __future__ import annotations

import json

import pytest
import yaml
from click.testing import CliRunner

from selfeval_kit.cli import main
from selfeval_kit.terminal import printable
from tests.conftest import FIXTURES

ESC = "\x1b"


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("\x1b]0;pwned\x07", "\\x1b]0;pwned\\x07"),  # retitles the terminal window
        ("\x1b[2J", "\\x1b[2J"),  # clears the screen
        ("a\x00b", "a\\x00b"),
        ("a\rb", "a\\x0db"),  # a carriage return would overprint the line
        ("\x08\x0b\x0c\x1f", "\\x08\\x0b\\x0c\\x1f"),
        ("a\x7fb", "a\\x7fb"),  # DEL
        ("\x80\x9b2J\x9f", "\\x80\\x9b2J\\x9f"),  # C1 controls, CSI among them
        ("abc\u202edcba", "abc\\u202edcba"),  # right-to-left override
        ("\u202a\u202b\u202c\u202d", "\\u202a\\u202b\\u202c\\u202d"),
        ("\u2066x\u2067y\u2068z\u2069", "\\u2066x\\u2067y\\u2068z\\u2069"),  # isolates
        ("第一行\n\t第二行", "第一行\n\t第二行"),  # line feed and tab stay
        ("上海市科技行政服务热线系统（运维）≥90% ＝200人", "上海市科技行政服务热线系统（运维）≥90% ＝200人"),
        ("Ünïcödé ½ € 😀 \u00a0\u00ad", "Ünïcödé ½ € 😀 \u00a0\u00ad"),  # U+00A0 and up are not controls
        ("", ""),
    ],
)
def test_printable_shows_controls_and_keeps_text(text, shown):
    assert printable(text) == shown


@pytest.mark.parametrize(
    "value",
    ["\u202e反向", "del\x7f", "c1\x85\x9b", "\x1b[2J", "普通文本"],
)
def test_printable_json_escapes_as_json_and_decodes_to_the_same_value(value):
    encoded = json.dumps({"name": value}, ensure_ascii=False, indent=2)
    shown = printable(encoded, json=True)
    assert json.loads(shown) == {"name": value}
    assert not any(ch in shown for ch in "\x1b\x7f\x85\x9b\u202e")


def _form_folder(tmp_path, name: str):
    data = yaml.safe_load((FIXTURES / "minimal.yaml").read_text(encoding="utf-8"))
    data["name"] = name
    folder = tmp_path / "forms"
    folder.mkdir()
    (folder / "minimal.yaml").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return folder


def test_check_shows_escape_sequences_in_a_form_name(tmp_path):
    folder = _form_folder(tmp_path, "\x1b]0;pwned\x07示例\x1b[2J")
    result = CliRunner().invoke(main, ["check", str(folder)])
    assert "minimal  \\x1b]0;pwned\\x07示例\\x1b[2J  自评 93.00" in result.stdout
    assert ESC not in result.stdout + result.stderr


def test_check_json_escapes_a_bidi_override_and_keeps_the_value(tmp_path):
    folder = _form_folder(tmp_path, "示例\u202e项目")
    result = CliRunner().invoke(main, ["check", str(folder), "--json"])
    assert "\u202e" not in result.stdout and '"name": "示例\\u202e项目"' in result.stdout
    assert json.loads(result.stdout)["forms"][0]["name"] == "示例\u202e项目"


def test_an_error_message_shows_an_escape_sequence_in_a_key(tmp_path):
    data = yaml.safe_load((FIXTURES / "minimal.yaml").read_text(encoding="utf-8"))
    data["\x1b[2Jx"] = 1
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 1
    assert f"error: {path}: \\x1b[2Jx: unknown key" in result.stderr
    assert ESC not in result.stderr


def test_an_export_error_shows_the_control_characters_it_refuses(tmp_path):
    folder = _form_folder(tmp_path, "示例\x1b]0;pwned\x07")
    out = tmp_path / "forms.xlsx"
    result = CliRunner().invoke(main, ["export", str(folder), "--format", "xlsx", "--out", str(out)])
    assert result.exit_code == 1
    assert "error: minimal: name: cannot be written to Excel: 示例\\x1b]0;pwned\\x07" in result.stderr
    assert ESC not in result.stderr and not out.exists()
