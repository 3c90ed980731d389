"""`selfeval_kit.form.sources.form_stamps`: the files of `form_files`, with their size and modification time."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from selfeval_kit.errors import DataError
from selfeval_kit.form.sources import form_files, form_stamps


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "forms"
    folder.mkdir()
    (folder / "b.yaml").write_text("id: b\n", encoding="utf-8")
    (folder / "a.json").write_text("[]", encoding="utf-8")
    (folder / ".hidden.yaml").write_text("x", encoding="utf-8")
    (folder / "notes.txt").write_text("x", encoding="utf-8")
    os.utime(folder / "b.yaml", ns=(1_000_000_000, 1_700_000_000_123_456_789))
    return folder


def test_a_folders_stamps_are_its_form_files_in_order(tmp_path):
    folder = _folder(tmp_path)
    assert [p.name for p in form_files(folder)] == ["a.json", "b.yaml"]
    a = (folder / "a.json").stat()
    assert form_stamps(folder) == (("a.json", 2, a.st_mtime_ns), ("b.yaml", 6, 1_700_000_000_123_456_789))


def test_a_files_stamp_is_its_own(tmp_path):
    folder = _folder(tmp_path)
    assert form_stamps(folder / "b.yaml") == (("b.yaml", 6, 1_700_000_000_123_456_789),)


@pytest.mark.parametrize("how", ["empty", "dangling link"])
def test_a_folder_form_files_refuses_is_refused_alike(tmp_path, how):
    folder = tmp_path / "forms"
    folder.mkdir()
    if how == "dangling link":
        (folder / "x.yaml").symlink_to(folder / "gone.yaml")
    with pytest.raises(DataError) as listed:
        form_files(folder)
    with pytest.raises(DataError) as stamped:
        form_stamps(folder)
    assert str(stamped.value) == str(listed.value)
