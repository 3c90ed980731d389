"""The findings of a check as one Parquet table: what `selfeval check --out findings.parquet` writes.

    from selfeval_kit.rules.bulk import check
    from selfeval_kit.views.parquet import write_findings

    write_findings(check("data/2022").findings, "findings.parquet")

One row per finding, in the order `selfeval check --json` lists them (each form's findings in form
order, then the portfolio's), with the columns of `findings_frame` and a fixed schema, so that the
tables of many checks concatenate and pandas, DuckDB, Polars or Spark read them without a guess:
`position` is a nullable 32-bit integer (0-based, as in the JSON), `figures` the finding's figures as
JSON text (their keys differ from code to code). pyarrow comes with the ``[dask]`` extra; without it
`write_findings` raises `DataError` saying what to install. The findings are written as they come,
`BATCH_ROWS` rows at a time (one row group each), so that a stream of them (`BulkResult.iter_findings`)
is never held whole. The file is written atomically: into a temporary file beside it, renamed into
place at the end; a failed or interrupted write leaves any earlier file as it was, and no
temporary file.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from selfeval_kit.errors import DataError
from selfeval_kit.files import WriteError

__all__ = ["BATCH_ROWS", "FINDING_COLUMNS", "write_findings"]

BATCH_ROWS = 10_000  # findings a row group: a few MiB of columns in memory at a time

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


def write_findings(findings: Iterable[dict[str, Any]], path: str | Path) -> Path:
    """Write `findings` (dicts as `BulkResult.iter_findings` gives them) to `path` as one Parquet table.

    Parameters
    ----------
    findings : iterable of dict
        Each with the keys of `FINDING_COLUMNS`; ``figures`` a dict (written as JSON text). Read
        once, `BATCH_ROWS` at a time.
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
        When the file cannot be written (naming `path`, never the temporary file).
    """
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise DataError.single(
            path,
            "写 Parquet 需要 pyarrow：pip install 'selfeval-kit[dask]' (writing Parquet needs pyarrow)",
        ) from None
    path = Path(path)
    schema = pa.schema([(name, getattr(pa, kind)()) for name, kind in FINDING_COLUMNS])
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.parent / f".{path.name}.{secrets.token_hex(6)}.tmp"
        # Made here, not by pyarrow: a new file (never one in the way), with the umask's permissions.
        os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        try:
            with pq.ParquetWriter(str(tmp), schema, compression="zstd") as writer:
                for columns in _batches(findings):
                    writer.write_table(pa.Table.from_pydict(columns, schema=schema))
            _fsync(tmp)
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    except WriteError:
        raise
    except OSError as exc:
        raise WriteError(exc.errno, exc.strerror or str(exc) or type(exc).__name__, str(path)) from exc
    return path


def _batches(findings: Iterable[dict[str, Any]]) -> Iterator[dict[str, list[Any]]]:
    """The findings as columns, `BATCH_ROWS` rows at a time; none for no findings."""
    columns: dict[str, list[Any]] = {name: [] for name, _ in FINDING_COLUMNS}
    rows = 0
    for finding in findings:
        for name, _ in FINDING_COLUMNS:
            value = finding.get(name)
            if name == "figures":
                value = json.dumps(value or {}, ensure_ascii=False, sort_keys=True)
            columns[name].append(value)
        rows += 1
        if rows == BATCH_ROWS:
            yield columns
            columns, rows = {name: [] for name, _ in FINDING_COLUMNS}, 0
    if rows:
        yield columns


def _fsync(path: Path) -> None:
    """Flush `path` to disk before it replaces the file meant (a crash then leaves the old or the new one)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
