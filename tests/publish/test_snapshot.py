"""The build's evaluation handed to its workers (`publish.snapshot`): read instead of the forms, never if altered."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from selfeval_kit.form.loading import load
from selfeval_kit.publish import build as build_mod
from selfeval_kit.publish import snapshot
from selfeval_kit.publish.manifest import EVALUATION_NAME, remove_stale_temporaries
from selfeval_kit.report import cache
from selfeval_kit.rules.evaluation import evaluate
from tests.report_build import FIXTURE_DATA, FORM_IDS

TOKEN = "digest-1"


@pytest.fixture
def evaluations(monkeypatch):
    """The evaluations the report cache computes from files (each call's data path)."""
    cache.clear()
    calls: list[str] = []
    real = cache.load

    def counting(path, *args, **kwargs):
        calls.append(Path(path).name)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(cache, "load", counting)
    yield calls
    cache.clear()


@pytest.fixture
def written(tmp_path) -> snapshot.Snapshot:
    evaluation = cache.open_evaluation(FIXTURE_DATA, "national")
    cache.clear()
    shared = snapshot.write(evaluation, tmp_path)
    assert shared is not None and Path(shared.path) == tmp_path / EVALUATION_NAME
    return shared


def _open_in_a_report():
    with cache.vouched(FIXTURE_DATA, TOKEN):
        return cache.open_evaluation(str(FIXTURE_DATA), "national")


def test_a_worker_given_the_snapshot_evaluates_no_form(written, evaluations):
    with cache.vouched(FIXTURE_DATA, TOKEN):
        assert snapshot.install(written, str(FIXTURE_DATA), "national")
    evaluation = _open_in_a_report()
    assert evaluations == []
    assert tuple(r.form.id for r in evaluation.forms) == FORM_IDS
    assert evaluation.to_dict() == evaluate(load(FIXTURE_DATA), profile="national").to_dict()


@pytest.mark.parametrize("damage", ["one byte", "truncated", "gone"])
def test_a_snapshot_not_as_written_is_not_read_and_the_forms_are(written, evaluations, damage):
    path = Path(written.path)
    data = path.read_bytes()
    if damage == "one byte":
        path.write_bytes(data[:100] + bytes([data[100] ^ 1]) + data[101:])
    elif damage == "truncated":
        path.write_bytes(data[: len(data) // 2])
    else:
        path.unlink()
    with cache.vouched(FIXTURE_DATA, TOKEN):
        assert not snapshot.install(written, str(FIXTURE_DATA), "national")
    assert tuple(r.form.id for r in _open_in_a_report().forms) == FORM_IDS
    assert evaluations == [FIXTURE_DATA.name]


def test_a_worker_that_holds_the_evaluation_does_not_read_the_snapshot(written, evaluations, monkeypatch):
    first = _open_in_a_report()
    monkeypatch.setattr(snapshot, "read", lambda shared: pytest.fail("read again"))
    with cache.vouched(FIXTURE_DATA, TOKEN):
        assert snapshot.install(written, str(FIXTURE_DATA), "national")
    assert _open_in_a_report() is first and evaluations == [FIXTURE_DATA.name]


def test_an_evaluation_that_does_not_pickle_is_not_written(tmp_path):
    assert snapshot.write(lambda: None, tmp_path) is None
    assert list(tmp_path.iterdir()) == []


def test_a_snapshot_left_by_a_killed_build_is_removed_by_the_next(tmp_path):
    (tmp_path / EVALUATION_NAME).write_bytes(b"old")
    (tmp_path / f".{EVALUATION_NAME}.1a2b.tmp")  # atomic_write_bytes names it so.write_bytes(b"half")
    (tmp_path / "forms.json").write_text("{}", encoding="utf-8")
    remove_stale_temporaries(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["forms.json"]


def spoil_after_evaluation(monkeypatch, data: Path) -> None:
    """Once the build has evaluated the forms of `data`, make every one of them unreadable as YAML."""
    evaluate_forms = build_mod._Build._evaluate

    def then_spoil(self):
        done = evaluate_forms(self)
        for form in data.glob("*.yaml"):
            form.write_text("{: not yaml", encoding="utf-8")
        return done

    monkeypatch.setattr(build_mod._Build, "_evaluate", then_spoil)


def test_a_builds_workers_read_its_evaluation_not_the_forms(tmp_path, monkeypatch):
    data = tmp_path / "data"
    shutil.copytree(FIXTURE_DATA, data)
    spoil_after_evaluation(monkeypatch, data)
    out = tmp_path / "out"
    result = build_mod.build(data, out, jobs=2)
    assert result.ok, [r.error for r in result.reports if r.error]
    assert sorted(p.name for p in out.glob("*.html")) == ["annual.html", "hotline-system-ops.html", "index.html",
                                                         "xss-demo.html"]  # fmt: skip
    assert not (out / EVALUATION_NAME).exists()
