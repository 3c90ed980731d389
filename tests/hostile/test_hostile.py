"""Every defect of the hostile corpus, run through the CLI in a fresh guarded process.

Each command must end with its exit code, a message naming the file and what is wrong, no
traceback, and leave any earlier output as it was. The guard (time, address space) only stops a
runaway; the figures are printed by `python -m tests.hostile.corpus OUT`, not asserted.
"""

from __future__ import annotations

import json

import pytest

from tests.hostile import corpus

RUNS = [(case, n, run) for case in corpus.CASES for n, run in enumerate(case.runs)]


def _tree(folder):
    return {p.relative_to(folder): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """Each case's input, built once for all its commands."""
    root = tmp_path_factory.mktemp("hostile")
    folders = {}
    for case in corpus.CASES:
        folders[case.name] = root / case.name / "in"
        case.make(folders[case.name])
    return folders


@pytest.mark.parametrize(("case", "n", "run"), RUNS, ids=[f"{c.name}-{r.args[0]}" for c, _, r in RUNS])
def test_hostile_case(case, n, run, made, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "earlier.txt").write_text("an earlier output\n", encoding="utf-8")
    before = _tree(out)
    got = corpus.run_command(corpus.command_args(run, made[case.name], out), tmp_path)
    assert got.seconds < corpus.TIME_LIMIT, f"killed after {got.seconds:.0f} s:\n{got.output[-2000:]}"
    assert "Traceback" not in got.output, got.output[-3000:]
    assert got.rc == run.rc, got.output[-2000:]
    for word in run.expect:
        assert word in got.output, f"{word!r} not in:\n{got.output[-2000:]}"
    for word in run.forbid:
        assert word not in got.output, f"{word!r} in:\n{got.output[-2000:]}"
    if got.rc != 0:
        assert _tree(out) == before  # nothing earlier changed, nothing partial written


@pytest.mark.parametrize(("literal", "yaml12"), corpus.NUMBER_FORMS)
def test_yaml11_number_forms_are_read_as_yaml12_or_refused(literal, yaml12, tmp_path):
    corpus.make_number_form(tmp_path / "in", literal)
    got = corpus.run_command(["export", str(tmp_path / "in"), "--format", "json"], tmp_path)
    assert "Traceback" not in got.output
    if yaml12 is None:
        assert got.rc == 1
        assert "f.yaml" in got.output and "weight" in got.output
    else:
        assert got.rc == 0, got.output
        assert json.loads(got.output)[0]["funds"]["total"]["weight"] == yaml12
