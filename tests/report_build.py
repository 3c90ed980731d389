"""One build of the report fixture, shared by the report, build and browser tests.

Executing notebooks is the slow part of the suite (a kernel start each), so the fixture
portfolio (tests/fixtures/report_portfolio: one real 2022 form and one hand-made form with
markup in its texts) is built once per test session, through the CLI.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner

FIXTURE_DATA = Path(__file__).resolve().parent / "fixtures" / "report_portfolio"
FORM_IDS = ("hotline-system-ops", "xss-demo")


@dataclass(frozen=True)
class Built:
    out: Path
    exit_code: int
    output: str

    def html(self, name: str) -> str:
        return (self.out / name).read_text(encoding="utf-8")


_CACHE: dict[str, Built] = {}


def built_reports(tmp_path_factory) -> Built:
    if "built" not in _CACHE:
        from selfeval_kit.cli import main

        out = tmp_path_factory.mktemp("reports")
        result = CliRunner().invoke(main, ["build", str(FIXTURE_DATA), "--out", str(out)], catch_exceptions=False)
        _CACHE["built"] = Built(out, result.exit_code, result.output)
    return _CACHE["built"]


def tiny_notebook(path: Path, source: str) -> Path:
    """A notebook with the build's parameters cell and one cell of `source`, written to `path`."""
    import nbformat

    nb = nbformat.v4.new_notebook(
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    )
    nb.cells = [
        nbformat.v4.new_code_cell(
            'data_path = ""\nform_id = ""\nyear = 0\nprofile = "national"', metadata={"tags": ["parameters"]}
        ),
        nbformat.v4.new_code_cell(source),
    ]
    nbformat.write(nb, path)
    return path
