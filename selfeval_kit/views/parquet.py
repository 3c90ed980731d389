"""The findings of a check as one Parquet table: what `selfeval check --out findings.parquet` writes.

    from selfeval_kit.rules.bulk import check
    from selfeval_kit.views.parquet import write_findings

    write_findings(check("data/2022").findings, "findings.parquet")

One row per finding, in the order `selfeval check --json` lists them (each form's findings in form
order, then the portfolio's), with the columns of `findings_frame` and a fixed schema, so that the
tables of many checks concatenate and pandas, DuckDB, Polars or Spark read them without a guess:
`position` is a nullable 32-bit integer (0-based, as in the JSON), `figures` the finding's figures as
JSON text (their keys differ from code to code). pyarrow comes with the ``[dask]`` extra; without it
`write_findings` raises `DataError` saying what to install. The file is written atomically: a
failed write leaves any earlier file as it was.
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from selfeval_kit.errors import DataError
from selfeval_kit.files import atomic_write_bytes

__all__ = ["FINDING_COLUMNS", "write_findings"]

# (column, pyarrow type name): the table's schema, in order.
FINDING_COLUMNS: tuple[tuple[str, str], ...] = (
    ("code", "string"),
    ("severity", "string"),
    ("form_id", "string"),
    ("form_name", "string"),
    ("indicator", "string"),
    ("position", "int32"),
    ("title", "string"),
    ("message", "string"),
    ("advice", "string"),
    ("figures", "string"),
)


def write_findings(findings: Sequence[dict[str, Any]], path: str | Path) -> Path:
    """Write `findings` (dicts as `BulkResult.findings` gives them) to `path` as one Parquet table.

    Parameters
    ----------
    findings : sequence of dict
        Each with the keys of `FINDING_COLUMNS`; ``figures`` a dict (written as JSON text).
    path : str or Path
        The file; its folder is created if needed.

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    DataError
        When pyarrow is not installed.
    selfeval_kit.files.WriteError
        When the file cannot be written.
    """
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise DataError.single(
            path,
            "写 Parquet 需要 pyarrow：pip install 'selfeval-kit[dask]' (writing Parquet needs pyarrow)",
        ) from None
    columns: dict[str, list[Any]] = {name: [] for name, _ in FINDING_COLUMNS}
    for finding in findings:
        for name, _ in FINDING_COLUMNS:
            value = finding.get(name)
            if name == "figures":
                value = json.dumps(value or {}, ensure_ascii=False, sort_keys=True)
            columns[name].append(value)
    schema = pa.schema([(name, getattr(pa, kind)()) for name, kind in FINDING_COLUMNS])
    table = pa.Table.from_pydict(columns, schema=schema)
    buffer = io.BytesIO()
    pq.write_table(table, buffer, compression="zstd")
    return atomic_write_bytes(path, buffer.getvalue())
