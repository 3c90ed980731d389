"""The CLI's own messages in Chinese under a Chinese locale, in English otherwise (selfeval_kit.i18n)."""

from __future__ import annotations

import os
import re
import string
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from selfeval_kit import i18n
from selfeval_kit.form.reading import validate_form

PACKAGE = Path(i18n.__file__).resolve().parent
CATALOGUE = PACKAGE / "locale" / "zh_CN" / "LC_MESSAGES"
REPO = PACKAGE.parent
LOCALE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


def _read(name: str, reader):
    with open(CATALOGUE / name, "rb") as handle:
        return reader(handle)


PO = _read("selfeval.po", read_po)


def _messages(catalog) -> dict[object, object]:
    """Each message's id and translation; those of a plural as tuples (the .mo reader gives lists)."""

    def plain(text: object) -> object:
        return tuple(text) if isinstance(text, (list, tuple)) else text

    return {plain(message.id): plain(message.string) for message in catalog if message.id}


def _ids(message_id: object) -> tuple[str, ...]:
    return message_id if isinstance(message_id, tuple) else (str(message_id),)


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


@pytest.fixture
def locale(monkeypatch):
    """Set the locale variables for one test (the others unset) and forget the catalogue after."""

    def choose(**values: str) -> None:
        for variable in LOCALE_VARIABLES:
            monkeypatch.delenv(variable, raising=False)
        for variable, value in values.items():
            monkeypatch.setenv(variable, value)
        i18n.reset()

    yield choose
    i18n.reset()


def test_the_mo_holds_the_messages_of_the_po():
    assert _messages(_read("selfeval.mo", read_mo)) == _messages(PO)


def test_every_message_of_the_source_is_translated():
    in_po = {text: message.string for message in PO if message.id for text in _ids(message.id)}
    used = {message for _, _, message, _, _ in extract_from_dir(PACKAGE, method_map=[("**.py", "python")])}
    missing = sorted(text for ids in used for text in _ids(ids) if not in_po.get(text))
    assert missing == []


@pytest.mark.parametrize("message", [m for m in PO if m.id], ids=lambda m: _ids(m.id)[0][:40])
def test_a_translation_has_the_placeholders_of_its_msgid(message):
    translations = message.string if isinstance(message.string, tuple) else (message.string,)
    expected = set().union(*(_fields(text) for text in _ids(message.id)))
    assert [_fields(text) for text in translations] == [expected] * len(translations)


@pytest.mark.parametrize(
    ("variables", "language"),
    [
        ({"LANG": "zh_CN.UTF-8"}, "zh_CN"),
        ({"LANG": "zh_TW.UTF-8"}, "zh_CN"),
        ({"LANG": "zh"}, "zh_CN"),
        ({"LC_ALL": "zh_CN.GB18030", "LANG": "C.UTF-8"}, "zh_CN"),
        ({"LC_MESSAGES": "zh_SG"}, "zh_CN"),
        ({"LANGUAGE": "fr:zh_CN", "LANG": "C.UTF-8"}, "zh_CN"),
        ({"LANGUAGE": "en:zh_CN", "LANG": "zh_CN.UTF-8"}, "en"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({"LANG": "en_US.UTF-8"}, "en"),
        ({"LC_ALL": "C", "LANG": "zh_CN.UTF-8"}, "en"),
        ({"LANG": "ja_JP.UTF-8"}, "en"),
        ({}, "en"),
    ],
)
def test_the_language_is_read_from_the_environment_as_gettext_reads_it(locale, variables, language):
    locale(**variables)
    assert i18n.language() == language


@pytest.mark.parametrize(
    ("lang", "text"),
    [("zh_CN.UTF-8", "共 3 个问题，涉及 2 个文件"), ("C.UTF-8", "3 problem(s) in 2 file(s)")],
)
def test_a_message_is_in_the_language_of_the_locale(locale, lang, text):
    locale(LANG=lang)
    assert i18n._("{n} problem(s) in {files} file(s)").format(n=3, files=2) == text


def test_reset_reads_the_environment_again(locale):
    locale(LANG="zh_CN.UTF-8")
    assert i18n._("standard output") == "标准输出"
    locale(LANG="C.UTF-8")
    assert i18n._("standard output") == "standard output"


@pytest.mark.parametrize(
    ("n", "lang", "text"),
    [
        (1, "C.UTF-8", "String should have at least 1 character"),
        (2, "C.UTF-8", "String should have at least 2 characters"),
        (2, "zh_CN.UTF-8", "文本至少应有 2 个字符"),
    ],
)
def test_ngettext_chooses_the_form_for_the_count(locale, n, lang, text):
    locale(LANG=lang)
    template = i18n.ngettext(
        "String should have at least {min_length} character", "String should have at least {min_length} characters", n
    )
    assert template.format(min_length=n) == text


def _form(**changes: object) -> dict:
    import yaml

    data = yaml.safe_load((REPO / "data" / "2022" / "platform-promotion.yaml").read_text(encoding="utf-8"))
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("changes", "english", "chinese"),
    [
        (
            {"year": "abc"},
            "f.yaml: year: Input should be a valid integer (got 'abc')",
            "f.yaml：year：应为整数（实际值：'abc'）",
        ),
        (
            {"unit": "千元"},
            "f.yaml: unit: Input should be '元' or '万元' (got '千元')",
            "f.yaml：unit：应为 '元' 或 '万元'（实际值：'千元'）",
        ),
        (
            {"year": 1980},
            "f.yaml: year: Input should be greater than or equal to 1990 (got 1980)",
            "f.yaml：year：应大于或等于 1990（实际值：1980）",
        ),
        (
            {"indicators": []},
            "f.yaml: indicators: List should have at least 1 item after validation, not 0 (got [])",
            "f.yaml：indicators：列表至少应有 1 项，实际为 0 项（实际值：[]）",
        ),
        (
            {"name": ""},
            "f.yaml: name: String should have at least 1 character (got '')",
            "f.yaml：name：文本至少应有 1 个字符（实际值：''）",
        ),
        (
            {"total_score": float("inf")},
            "f.yaml: total_score: Input should be a finite number (got inf)",
            "f.yaml：total_score：应为有限数值（实际值：inf）",
        ),
        (
            {"id": "Index"},
            "f.yaml: id: id 'Index' is reserved: the build writes its own pages under the names index, annual and "
            "annual-<year> (and notebooks), in any case; choose another id (got 'Index')",
            "f.yaml：id：id 'Index' 为保留名称：生成报告时会以 index、annual 和 annual-<年份>（以及笔记本文件）为名"
            "写出自己的页面，不区分大小写；请另选一个 id（实际值：'Index'）",
        ),
        (
            {"seq": 0},
            "f.yaml: seq: Input should be greater than or equal to 1 (got 0)",
            "f.yaml：seq：应大于或等于 1（实际值：0）",
        ),
    ],
)
def test_a_form_problem_is_translated_by_its_kind(locale, changes, english, chinese):
    data = _form(**changes)
    for lang, expected in (("C.UTF-8", english), ("zh_CN.UTF-8", chinese)):
        locale(LANG=lang)
        problems = [str(problem) for problem in validate_form(data, "f.yaml")[1]]
        assert problems[0] == expected


def test_the_amount_message_of_the_model_is_translated_with_its_values(locale):
    data = _form()
    data["funds"]["total"]["budget_initial"] = 1e20
    locale(LANG="zh_CN.UTF-8")
    (problem,) = validate_form(data, "f.yaml")[1]
    assert problem.message == "金额不合理：按表的金额单位应为 0，或在 1e-06 至 1e+15 之间"


def _run(lang: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in LOCALE_VARIABLES}
    env.update(LANG=lang, PYTHONIOENCODING="utf-8", NO_COLOR="1")
    return subprocess.run(
        [sys.executable, "-m", "selfeval_kit", *args], cwd=REPO, env=env, capture_output=True, text=True, check=False
    )


@pytest.fixture
def bad_form(tmp_path) -> Path:
    path = tmp_path / "bad.yaml"
    text = (REPO / "data" / "2022" / "platform-promotion.yaml").read_text(encoding="utf-8")
    path.write_text(text.replace('unit: "元"', "unit: 千元"), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("lang", "lines"),
    [
        ("zh_CN.UTF-8", ["错误：{path}：unit：应为 '元' 或 '万元'（实际值：'千元'）", "共 1 个问题，涉及 1 个文件"]),
        ("C.UTF-8", ["error: {path}: unit: Input should be '元' or '万元' (got '千元')", "1 problem(s) in 1 file(s)"]),
    ],
)
def test_validate_says_what_is_wrong_in_the_language_of_the_locale(bad_form, lang, lines):
    done = _run(lang, "validate", str(bad_form))
    assert (done.returncode, done.stderr.splitlines()) == (1, [line.format(path=bad_form) for line in lines])


@pytest.mark.parametrize(
    ("lang", "line"),
    [
        ("zh_CN.UTF-8", "错误：{path}：文件或文件夹不存在"),
        ("C.UTF-8", "error: {path}: no such file or folder"),
    ],
)
def test_validate_names_a_missing_file_in_the_language_of_the_locale(tmp_path, lang, line):
    missing = tmp_path / "missing.yaml"
    done = _run(lang, "validate", str(missing))
    assert (done.returncode, done.stderr.splitlines()[0]) == (1, line.format(path=missing))


def test_check_summarises_in_the_language_of_the_locale():
    english, chinese = _run("C.UTF-8", "check", "data/2022"), _run("zh_CN.UTF-8", "check", "data/2022")
    summary = r"11 form\(s\) checked with profile national: (\d+) error\(s\), (\d+) warning\(s\), (\d+) info"
    counts = re.fullmatch(summary, english.stdout.splitlines()[-1])
    assert counts is not None
    errors, warnings, info = counts.groups()
    expected = f"已按规则 national 检查 11 份表：错误 {errors} 条，警告 {warnings} 条，提示 {info} 条"
    assert (chinese.returncode, chinese.stdout.splitlines()[-1]) == (english.returncode, expected)
