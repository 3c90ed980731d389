"""Imports and exports write all their files or none; a failure names the real file (issue 15).

A full disk is simulated by making the write step of `selfeval_kit.files` raise ENOSPC after a
number of files; the re-run without the fault must then succeed.
"""

from __future__ import annotations

import errno
import os
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from selfeval_kit import files
from selfeval_kit.cli import main
from selfeval_kit.files import WriteError, atomic_write_files
from selfeval_kit.form.loading import load
from selfeval_kit.form.workbook import write_workbook_file
from tests.conftest import DATA_2022

PORTFOLIO = load(DATA_2022)
IDS = PORTFOLIO.ids  # document order: the order the import writes them


@pytest.fixture(scope="module")
def book(tmp_path_factory) -> Path:
    return write_workbook_file(PORTFOLIO, tmp_path_factory.mktemp("book") / "forms.xlsx")


def _disk_full_after(monkeypatch, n: int) -> list[Path]:
    """Let `n` file writes succeed, then fail every further one with ENOSPC; returns those written."""
    written: list[Path] = []
    real = files._write_file

    def write(path: Path, data: bytes) -> None:
        if len(written) >= n:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))  # as write(2) gives it: no file name
        real(path, data)
        written.append(path)

    monkeypatch.setattr(files, "_write_file", write)
    return written


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("n", [0, 4, 10])
def test_an_import_onto_a_full_disk_writes_nothing_and_names_the_file(tmp_path, monkeypatch, book, n):
    out = tmp_path / "forms"
    _disk_full_after(monkeypatch, n)
    result = CliRunner().invoke(main, ["import", str(book), "--out", str(out)])
    assert result.exit_code == 1
    assert result.stderr == f"error: {out / IDS[n]}.yaml: cannot write: No space left on device\n"
    assert "wrote" not in result.stdout
    assert not out.exists()  # the folder the import created is gone with the temporary one


def test_an_import_into_a_folder_with_files_leaves_them_as_they_were(tmp_path, monkeypatch, book):
    out = tmp_path / "forms"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    _disk_full_after(monkeypatch, 3)
    result = CliRunner().invoke(main, ["import", str(book), "--out", str(out)])
    assert result.exit_code == 1 and f"error: {out / IDS[3]}.yaml: cannot write:" in result.stderr
    assert sorted(os.listdir(out)) == ["notes.txt"]  # no form, no temporary folder
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_the_same_import_succeeds_once_there_is_room(tmp_path, monkeypatch, book):
    out = tmp_path / "forms"
    _disk_full_after(monkeypatch, 4)
    runner = CliRunner()
    assert runner.invoke(main, ["import", str(book), "--out", str(out)]).exit_code == 1
    monkeypatch.undo()
    result = runner.invoke(main, ["import", str(book), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(os.listdir(out)) == sorted(f"{i}.yaml" for i in IDS)
    assert load(out).forms == PORTFOLIO.forms


def test_a_forced_import_that_fails_keeps_the_earlier_files(tmp_path, monkeypatch, book):
    out = tmp_path / "forms"
    runner = CliRunner()
    assert runner.invoke(main, ["import", str(book), "--out", str(out)]).exit_code == 0
    (out / f"{IDS[0]}.yaml").write_text("edited", encoding="utf-8")
    before = _tree(out)
    _disk_full_after(monkeypatch, 5)
    result = runner.invoke(main, ["import", str(book), "--out", str(out), "--force"])
    assert result.exit_code == 1 and f"error: {out / IDS[5]}.yaml: cannot write:" in result.stderr
    assert _tree(out) == before


def test_a_rename_failing_midway_takes_back_the_new_files(tmp_path, monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    (out / "b.yaml").write_bytes(b"old b")
    real = os.replace
    moved: list[str] = []

    def replace(src, dst):
        if Path(dst).parent == out and len(moved) == 2:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(src))
        real(src, dst)
        moved.append(Path(dst).name)

    monkeypatch.setattr(files.os, "replace", replace)
    with pytest.raises(WriteError) as caught:
        atomic_write_files(out, {"a.yaml": b"a", "b.yaml": b"new b", "c.yaml": b"c"})
    monkeypatch.undo()
    assert (caught.value.filename, caught.value.errno) == (str(out / "c.yaml"), errno.ENOSPC)
    assert moved == ["a.yaml", "b.yaml"]
    # a.yaml was new: taken back; b.yaml had been replaced as asked; no temporary folder left.
    assert _tree(out) == {"b.yaml": b"new b"}


def test_an_import_into_a_path_under_a_file_names_that_file(tmp_path, book):
    blocker = tmp_path / "taken"
    blocker.write_text("a file", encoding="utf-8")
    result = CliRunner().invoke(main, ["import", str(book), "--out", str(blocker / "forms")])
    assert result.exit_code == 1
    assert result.stderr == f"error: {blocker}: cannot write: not a folder\n"
    assert blocker.read_text(encoding="utf-8") == "a file"


@pytest.mark.parametrize("fmt", ["json", "csv", "xlsx"])
def test_an_export_onto_a_full_disk_keeps_the_earlier_file(tmp_path, monkeypatch, fmt):
    out = tmp_path / f"forms.{fmt}"
    out.write_bytes(b"earlier export")
    _disk_full_after(monkeypatch, 0)
    result = CliRunner().invoke(main, ["export", str(DATA_2022), "--format", fmt, "--out", str(out)])
    assert result.exit_code == 1
    assert result.stderr == f"error: {out}: cannot write: No space left on device\n"
    assert os.listdir(tmp_path) == [out.name]  # no temporary file beside it
    assert out.read_bytes() == b"earlier export"


def test_an_export_into_a_path_under_a_file_names_that_file(tmp_path):
    blocker = tmp_path / "taken"
    blocker.write_text("a file", encoding="utf-8")
    result = CliRunner().invoke(main, ["export", str(DATA_2022), "--out", str(blocker / "forms.json")])
    assert result.exit_code == 1
    assert result.stderr == f"error: {blocker}: cannot write: not a folder\n"


class _FullDisk:
    """Standard output on a disk with `room` bytes left: a large write takes what fits and returns
    that count (as Python's buffered writer does on a full disk); the next write raises ENOSPC."""

    def __init__(self, room: int):
        self.room = room
        self.taken = 0

    def write(self, data) -> int:
        if self.taken >= self.room:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        count = min(len(data), self.room - self.taken)
        self.taken += count
        return count

    def flush(self) -> None:
        pass


@pytest.mark.parametrize("room", [0, 40960])
def test_an_export_to_a_full_standard_output_names_it(monkeypatch, capsys, room):
    disk = _FullDisk(room)

    class Stdout(_FullDisk):
        buffer = disk

    monkeypatch.setattr(sys, "stdout", Stdout(0))
    with pytest.raises(SystemExit) as caught:
        main.main(["export", str(DATA_2022)], standalone_mode=False)
    assert caught.value.code == 1
    assert capsys.readouterr().err == "error: standard output: cannot write: No space left on device\n"
    assert disk.taken == room
