"""A build worker's start (`kernel.start_worker`): what it makes ready before its first report."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from selfeval_kit.errors import DataError
from selfeval_kit.publish import kernel
from selfeval_kit.report import cache
from tests.report_build import FIXTURE_DATA, FORM_IDS

NOTEBOOKS = Path(__file__).resolve().parent.parent.parent / "selfeval_kit" / "publish" / "notebooks"


@pytest.fixture
def counted(monkeypatch):
    monkeypatch.setattr(kernel, "_CONFIG", kernel._CONFIG)  # start_worker sets it: put back after the test
    cache.clear()
    calls: list[str] = []
    real = cache.evaluate

    def counting(*args, **kwargs):
        calls.append(threading.current_thread().name)
        return real(*args, **kwargs)

    monkeypatch.setattr(cache, "evaluate", counting)
    yield calls
    cache.clear()


def _evaluation_thread() -> threading.Thread | None:
    return next((t for t in threading.enumerate() if t.name == "selfeval-evaluation"), None)


def test_a_worker_opens_the_builds_evaluation_in_the_background(counted):
    config = kernel.KernelConfig(cwd=str(NOTEBOOKS), evaluation=(str(FIXTURE_DATA), "national", "digest-1"))
    kernel.start_worker(config)
    thread = _evaluation_thread()
    if thread is not None:
        thread.join(30)
    assert counted == ["selfeval-evaluation"]
    with cache.vouched(FIXTURE_DATA, "digest-1"):  # as the worker's reports open it
        evaluation = cache.open_evaluation(str(FIXTURE_DATA), "national")
    assert counted == ["selfeval-evaluation"]  # not evaluated again
    assert tuple(r.form.id for r in evaluation.forms) == FORM_IDS


def test_a_worker_told_of_no_evaluation_opens_none(counted):
    kernel.start_worker(kernel.KernelConfig(cwd=str(NOTEBOOKS)))
    assert _evaluation_thread() is None and counted == []


def test_an_evaluation_that_fails_in_the_background_is_the_first_reports_to_report(counted, tmp_path):
    kernel.start_worker(kernel.KernelConfig(cwd=str(NOTEBOOKS), evaluation=(str(tmp_path / "gone"), "national", "x")))
    thread = _evaluation_thread()
    if thread is not None:
        thread.join(30)
    with pytest.raises(DataError, match="gone"):
        cache.open_evaluation(tmp_path / "gone")
