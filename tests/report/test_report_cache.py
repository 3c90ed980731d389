"""Reports opened on unchanged files share one evaluation; any change to a form or profile is seen."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from selfeval_kit.errors import DataError, ProfileError
from selfeval_kit.report import AnnualReport, ProjectReport, cache
from tests.report_build import FIXTURE_DATA


@pytest.fixture
def data(tmp_path) -> Path:
    cache.clear()
    folder = tmp_path / "data"
    shutil.copytree(FIXTURE_DATA, folder)
    yield folder
    cache.clear()


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_reports_on_the_same_files_share_one_evaluation(data):
    a = ProjectReport.open(data, "hotline-system-ops")
    b = ProjectReport.open(str(data), "xss-demo")  # the same folder, given as text
    annual = AnnualReport.open(data, 2022)
    assert a.ev is b.ev is annual.ev
    assert (a.form.id, b.form.id) == ("hotline-system-ops", "xss-demo")  # each its own form


def test_an_edited_form_is_seen(data):
    before = ProjectReport.open(data, "xss-demo")
    _edit(data / "xss-demo.yaml", "示范项目", "示范项目（修订）")
    os.utime(data / "xss-demo.yaml", ns=(1, 1))  # a different modification time, whatever the clock
    after = ProjectReport.open(data, "xss-demo")
    assert after.ev is not before.ev and "修订" in after.form.name


def test_a_touched_form_of_the_same_size_is_seen(data):
    before = ProjectReport.open(data, "xss-demo")
    stat = (data / "xss-demo.yaml").stat()
    os.utime(data / "xss-demo.yaml", ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert ProjectReport.open(data, "xss-demo").ev is not before.ev


def test_an_added_or_removed_form_file_is_seen(data):
    before = AnnualReport.open(data, 2022)
    shutil.copy(data / "hotline-system-ops.yaml", data.parent / "kept.yaml")
    (data / "hotline-system-ops.yaml").unlink()
    after = AnnualReport.open(data, 2022)
    assert after.ev is not before.ev and [r.form.id for r in after.results] == ["xss-demo"]
    (data / "notes.txt").write_text("not a form", encoding="utf-8")  # not a form file: no change
    assert AnnualReport.open(data, 2022).ev is after.ev


def test_another_profile_is_another_evaluation(data, tmp_path):
    national = ProjectReport.open(data, "xss-demo")
    hubei = ProjectReport.open(data, "xss-demo", profile="hubei-2020")
    assert hubei.ev is not national.ev and hubei.profile.name == "hubei-2020"
    assert ProjectReport.open(data, "xss-demo", profile="national").ev is not national.ev  # one entry kept


def test_an_edited_profile_file_is_seen(data, tmp_path):
    from importlib import resources

    profile = tmp_path / "mine.yaml"
    text = (resources.files("selfeval_kit.rules") / "profiles" / "national.yaml").read_text(encoding="utf-8")
    profile.write_text(text, encoding="utf-8")
    first = ProjectReport.open(data, "xss-demo", profile=profile)
    assert ProjectReport.open(data, "xss-demo", profile=str(profile)).ev is first.ev
    profile.write_text(text + "\n# edited\n", encoding="utf-8")
    assert ProjectReport.open(data, "xss-demo", profile=profile).ev is not first.ev


def test_errors_are_raised_and_nothing_is_kept(data, tmp_path):
    with pytest.raises(DataError):
        ProjectReport.open(tmp_path / "missing", "x")
    with pytest.raises(ProfileError):
        ProjectReport.open(data, "xss-demo", profile="no-such-profile")
    with pytest.raises(KeyError):
        ProjectReport.open(data, "no-such-form")


def _touch(path: Path) -> None:
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))


def test_files_vouched_for_are_not_listed_again(data):
    with cache.vouched(data, "digest-1"):
        before = ProjectReport.open(data, "xss-demo")
        _touch(data / "xss-demo.yaml")
        assert ProjectReport.open(str(data), "hotline-system-ops").ev is before.ev


def test_an_edit_is_seen_once_the_files_are_no_longer_vouched_for(data):
    with cache.vouched(data, "digest-1"):
        before = ProjectReport.open(data, "xss-demo")
    _edit(data / "xss-demo.yaml", "示范项目", "示范项目（修订）")
    os.utime(data / "xss-demo.yaml", ns=(1, 1))
    after = ProjectReport.open(data, "xss-demo")
    assert after.ev is not before.ev and "修订" in after.form.name


def test_another_token_is_another_evaluation(data):
    with cache.vouched(data, "digest-1"):
        before = ProjectReport.open(data, "xss-demo")
    _touch(data / "xss-demo.yaml")
    with cache.vouched(data, "digest-2"):
        assert ProjectReport.open(data, "xss-demo").ev is not before.ev


def test_no_token_vouches_for_nothing(data):
    with cache.vouched(data, None):
        before = ProjectReport.open(data, "xss-demo")
        _touch(data / "xss-demo.yaml")
        assert ProjectReport.open(data, "xss-demo").ev is not before.ev


def test_a_token_vouches_only_for_its_own_folder(data, tmp_path):
    other = tmp_path / "other"
    shutil.copytree(data, other)
    with cache.vouched(other, "digest-1"):
        before = ProjectReport.open(data, "xss-demo")
        _touch(data / "xss-demo.yaml")
        assert ProjectReport.open(data, "xss-demo").ev is not before.ev


def test_an_open_waits_for_another_threads_evaluation_and_shares_it(data, monkeypatch):
    import threading

    started, release, calls = threading.Event(), threading.Event(), []
    real = cache.evaluate

    def slow_evaluate(*args, **kwargs):
        calls.append(threading.current_thread().name)
        started.set()
        release.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(cache, "evaluate", slow_evaluate)
    opened = {}
    first = threading.Thread(target=lambda: opened.setdefault("first", cache.open_evaluation(data)), name="first")
    first.start()
    assert started.wait(10)
    second = threading.Thread(target=lambda: opened.setdefault("second", cache.open_evaluation(data)), name="second")
    second.start()
    second.join(0.5)  # time to reach the evaluation, were it not waiting for the first
    release.set()
    first.join(10)
    second.join(10)
    assert calls == ["first"] and opened["first"] is opened["second"]


def test_a_token_vouches_in_its_own_thread_only(data):
    import threading

    opened = {}
    with cache.vouched(data, "digest-1"):
        before = ProjectReport.open(data, "xss-demo")
        _touch(data / "xss-demo.yaml")
        other = threading.Thread(target=lambda: opened.setdefault("other", ProjectReport.open(data, "xss-demo")))
        other.start()
        other.join(10)
    assert opened["other"].ev is not before.ev


def test_no_data_path_vouches_for_nothing(data):
    with cache.vouched(None, "digest-1"):
        before = ProjectReport.open(data, "xss-demo")
        _touch(data / "xss-demo.yaml")
        assert ProjectReport.open(data, "xss-demo").ev is not before.ev
