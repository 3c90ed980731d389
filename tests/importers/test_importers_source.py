"""read_source: which reader a file goes to, what it refuses, and how generic ids are named after the file."""

from __future__ import annotations

import shutil

import pytest

from selfeval_kit.errors import DataError
from selfeval_kit.importers import source
from selfeval_kit.importers.imported import slug
from selfeval_kit.importers.source import read_source
from tests.conftest import FIXTURES

SEED = FIXTURES / "seed_2022.txt"
DOCUMENTS = FIXTURES / "documents"


def _refusal(path) -> str:
    with pytest.raises(DataError) as caught:
        read_source(path)
    [problem] = caught.value.problems
    assert problem.file == str(path)
    return problem.message


def test_a_text_file_gives_the_forms_of_the_seed_named_after_the_file(tmp_path):
    path = shutil.copy(SEED, tmp_path / "seed 2022 (copy).txt")
    forms = read_source(path)
    assert len(forms) == 11
    # The seed's names are Chinese only: form-01 ... become <file stem>-01 ...
    assert [f.id for f in forms[:3]] == ["seed-2022-copy-01", "seed-2022-copy-02", "seed-2022-copy-03"]
    assert forms[0].source == f"{path}: 第1张表（第2行）"
    assert all(f.ok for f in forms)


def test_the_suffix_is_matched_without_case(tmp_path):
    path = shutil.copy(SEED, tmp_path / "SEED.TXT")
    assert [f.id for f in read_source(path)][-1] == "SEED-11"


def test_a_utf8_bom_is_not_part_of_the_text(tmp_path):
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbf" + SEED.read_bytes())
    assert [f.data["name"] for f in read_source(path)] == [f.data["name"] for f in read_source(SEED)]


def test_a_missing_file_is_refused(tmp_path):
    assert _refusal(tmp_path / "absent.txt") == "no such file"


def test_an_empty_folder_is_refused(tmp_path):
    assert _refusal(tmp_path) == "the folder holds no file to import"


def test_a_folder_gives_the_forms_of_every_file_in_it(tmp_path):
    shutil.copy(SEED, tmp_path / "a.txt")
    shutil.copy(DOCUMENTS / "hotline_form_chromium.pdf", tmp_path / "b.pdf")
    (tmp_path / ".hidden").write_text("not read", encoding="utf-8")
    forms = read_source(tmp_path)
    assert len(forms) == 12 and forms[-1].data["name"] == "上海市科技行政服务热线系统（运维）"


def test_a_file_of_a_folder_that_cannot_be_read_fails_the_import_naming_it(tmp_path):
    shutil.copy(SEED, tmp_path / "a.txt")
    (tmp_path / "b.pdf").write_bytes(b"%PDF-1.4 broken")
    with pytest.raises(DataError) as caught:
        read_source(tmp_path)
    assert [p.file for p in caught.value.problems] == [str(tmp_path / "b.pdf")]


def test_an_empty_file_is_refused(tmp_path):
    path = tmp_path / "empty.xlsx"
    path.write_bytes(b"")
    assert _refusal(path) == "file is empty"


def test_an_oversized_file_is_refused_before_it_is_read(tmp_path, monkeypatch):
    monkeypatch.setattr(source, "MAX_IMPORT_BYTES", 10)
    path = tmp_path / "big.txt"
    path.write_bytes(b"x" * 11)
    assert _refusal(path) == "file is 11 bytes; the importer reads at most 10"


@pytest.mark.parametrize("name", ["forms.pdf", "forms", "forms.txt"])
def test_the_content_not_the_suffix_says_what_a_file_is(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"%PDF-1.4\x00\x01\x02")  # a PDF, however named: a broken one
    assert "PDF" in _refusal(path)


def test_binary_data_is_refused(tmp_path):
    path = tmp_path / "forms.txt"
    path.write_bytes(b"\x00\x01\x02\x03" * 10)
    assert "binary data" in _refusal(path)


def test_chinese_windows_text_gb18030_is_read(tmp_path):
    path = tmp_path / "gbk.txt"
    path.write_bytes(SEED.read_text(encoding="utf-8").encode("gb18030"))
    assert [f.data["name"] for f in read_source(path)] == [f.data["name"] for f in read_source(SEED)]


@pytest.mark.parametrize(
    ("name", "index", "taken", "expected"),
    [
        ("VPN运维", 3, None, "vpn"),
        ("（2023年第二批）", 3, None, "form-03"),  # a year is not a name
        ("12345热线", 4, None, "form-04"),  # digits alone neither
        ("Hotline 12345 系统运维", 1, {"hotline-12345"}, "hotline-12345-2"),
        ("IT", 12, None, "form-12"),  # fewer than three ASCII characters
    ],
)
def test_slug(name, index, taken, expected):
    assert slug(name, index, taken) == expected


def test_slug_records_what_it_gives():
    taken: set[str] = set()
    given = [slug("Smart City", 1, taken), slug("smart-city", 2, taken), slug("运维", 3, taken)]
    assert given == ["smart-city", "smart-city-2", "form-03"]
    assert taken == set(given)


@pytest.mark.parametrize("title", ["项目支出绩效目标表", "2023年度部门整体支出绩效自评表"])
def test_text_of_another_kind_of_form_is_named_and_gives_no_scores(tmp_path, title):
    path = tmp_path / "targets.txt"
    path.write_text(SEED.read_text(encoding="utf-8").replace("财政项目支出绩效自评表", title), encoding="utf-8")
    forms = read_source(path)
    assert forms and all(not f.ok and f.data == {} for f in forms)
    assert "不是项目支出绩效自评表" in forms[0].errors[0] and "未导入任何得分" in forms[0].errors[0]
