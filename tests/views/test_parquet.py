"""`selfeval check --out findings.parquet`: the findings as one table, as the JSON lists them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pq = pytest.importorskip("pyarrow.parquet")

from selfeval_kit.rules.bulk import check  # noqa: E402
from selfeval_kit.views.parquet import FINDING_COLUMNS, write_findings  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data" / "2022"


@pytest.fixture(scope="module")
def findings() -> list[dict]:
    return check(DATA).findings


def test_one_row_per_finding_in_the_json_order(findings, tmp_path):
    table = pq.read_table(write_findings(findings, tmp_path / "f.parquet"))
    assert table.num_rows == len(findings) == 38
    assert table.column("code").to_pylist() == [f["code"] for f in findings]


def test_the_schema_is_fixed(findings, tmp_path):
    table = pq.read_table(write_findings(findings, tmp_path / "f.parquet"))
    assert [(field.name, str(field.type)) for field in table.schema] == list(FINDING_COLUMNS)


def test_a_first_finding_reads_back_whole(findings, tmp_path):
    row = pq.read_table(write_findings(findings, tmp_path / "f.parquet")).slice(0, 1).to_pylist()[0]
    assert row["form_id"] == "hotline-system-ops"
    assert row["indicator"] == "全年电话总量"
    assert row["position"] == 2
    assert json.loads(row["figures"]) == {"ratio": 1.7315}


def test_a_portfolio_finding_has_no_form_and_no_position(findings, tmp_path):
    row = pq.read_table(write_findings(findings, tmp_path / "f.parquet")).to_pylist()[-1]
    assert (row["code"], row["form_id"], row["position"]) == ("portfolio.all_full_marks", None, None)


def test_no_findings_give_an_empty_table_with_the_columns(tmp_path):
    table = pq.read_table(write_findings([], tmp_path / "f.parquet"))
    assert (table.num_rows, table.column_names) == (0, [name for name, _ in FINDING_COLUMNS])


def _selfeval(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "selfeval_kit", *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def test_the_command_writes_the_table_and_says_so(tmp_path):
    out = tmp_path / "findings.parquet"
    done = _selfeval("check", str(DATA), "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert f"wrote {out} (38 finding(s) of 11 form(s))" in done.stdout
    assert pq.read_table(out).num_rows == 38


@pytest.mark.parametrize("args", [("--out", "f.csv"), ("--out", "f.parquet", "--json")])
def test_the_command_refuses_another_suffix_or_json_beside_it(tmp_path, args):
    done = _selfeval("check", str(DATA), *[str(tmp_path / a) if a.startswith("f.") else a for a in args])
    assert done.returncode == 2 and "--out writes a .parquet file" in done.stderr
    assert not list(tmp_path.iterdir())
