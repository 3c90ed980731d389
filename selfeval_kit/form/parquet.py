"""Forms as a Parquet file: ``selfeval export --format parquet`` and its reader.

One row a form, the columns the keys of the JSON export (`export.export_records`), nested as the
JSON nests them: ``funds`` a struct of four structs, ``annual_goal`` a struct, ``indicators`` a
list of structs. The schema is built once from the form model (`form_schema`), so every export
has the same one, whatever its forms leave empty, and pandas, DuckDB or Spark read the tables of
many exports as one. zstd compression; row groups of at most `ROW_GROUP_SIZE` forms (fewer when
their text is long), so that a reader can take a large file a row group at a time
(`selfeval check` gives each its own task). pyarrow comes with the ``[dask]`` extra.

Reading validates each row as `reading.read_json` validates each form of a JSON list, with the
same problems; a field is named by the form's position in the file, ``[3].indicators[2].weight``.
The file's size, its forms and the size of each row group (as its metadata states it) are checked
against the `Limits` before any row is read.
"""

from __future__ import annotations

import io
import types
from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from selfeval_kit.errors import DataError, Problem
from selfeval_kit.files import atomic_write_bytes
from selfeval_kit.form.export import export_records
from selfeval_kit.form.limits import DEFAULT_LIMITS, Limits
from selfeval_kit.form.model import EXPORT_KEYS, Form
from selfeval_kit.form.problems import problem as _problem
from selfeval_kit.form.sources import open_bounded
from selfeval_kit.i18n import N_, _

__all__ = [
    "NEEDS_PYARROW",
    "ROW_GROUP_SIZE",
    "form_count",
    "form_schema",
    "read_parquet",
    "row_groups",
    "to_parquet",
    "write_parquet",
]

ROW_GROUP_SIZE = 2000  # forms a row group: about a second of checking, ~3 MB unpacked
NEEDS_PYARROW = N_("Parquet needs pyarrow: pip install 'selfeval-kit[dask]'")
_SCALARS = {str: "string", int: "int64", float: "float64", bool: "bool_"}


def _pyarrow() -> Any:
    """pyarrow, or a DataError saying how to install it."""
    try:
        import pyarrow as pa
        import pyarrow.parquet  # pa.parquet below
    except ImportError:
        raise DataError.single("pyarrow", _(NEEDS_PYARROW)) from None
    return pa


def _arrow_type(pa: Any, annotation: Any) -> tuple[Any, bool]:
    """The Arrow type of a model field's annotation, and whether it may be null."""
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Annotated:
        return _arrow_type(pa, args[0])
    if origin in (Union, types.UnionType):
        kinds = [arg for arg in args if arg is not type(None)]
        if len(kinds) != 1:
            raise TypeError(f"no Arrow type for {annotation!r}")
        return _arrow_type(pa, kinds[0])[0], type(None) in args
    if origin is Literal and all(isinstance(arg, str) for arg in args):
        return pa.string(), False
    if origin is list:
        return pa.list_(pa.field("element", *_arrow_type(pa, args[0]))), False
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        fields = annotation.model_fields.items()
        return pa.struct([pa.field(name, *_arrow_type(pa, info.annotation)) for name, info in fields]), False
    if annotation in _SCALARS:
        return getattr(pa, _SCALARS[annotation])(), False
    raise TypeError(f"no Arrow type for {annotation!r}")


@cache
def form_schema() -> Any:
    """The Arrow schema of an exported form: the JSON export's keys, typed from the form model.

    Returns
    -------
    pyarrow.Schema
        A column for each of `model.EXPORT_KEYS`, in that order; a field the model lets be None
        is nullable, any other is not; amounts, weights and scores float64, the year int64.

    Raises
    ------
    DataError
        When pyarrow is not installed.
    """
    pa = _pyarrow()
    fields = Form.model_fields
    return pa.schema([pa.field(key, *_arrow_type(pa, fields[key].annotation)) for key in EXPORT_KEYS])


def _tables(pa: Any, records: list[dict], size: int, max_bytes: int) -> Iterable[Any]:
    """Tables of at most `size` records and about `max_bytes`, halved until they fit, in order."""
    for start in range(0, len(records), size):
        pending = [records[start : start + size]]
        while pending:
            chunk = pending.pop()
            table = pa.Table.from_pylist(chunk, schema=form_schema())
            if table.nbytes > max_bytes and len(chunk) > 1:
                middle = len(chunk) // 2
                pending += [chunk[middle:], chunk[:middle]]  # the first half next
                continue
            yield table


def to_parquet(forms: Iterable[Form], row_group_size: int = ROW_GROUP_SIZE, limits: Limits = DEFAULT_LIMITS) -> bytes:
    """The forms as a Parquet file's bytes, the schema `form_schema`, zstd-compressed.

    Parameters
    ----------
    forms : iterable of Form
        The forms, in the order to write them.
    row_group_size : int, default `ROW_GROUP_SIZE`
        The most forms a row group holds; a group is also kept to half of
        `Limits.max_parquet_group_bytes` of Arrow data, so that `read_parquet` reads it back.
    limits : Limits, default `DEFAULT_LIMITS`
        The limits the file is to be read back with.

    Returns
    -------
    bytes
        The file.

    Raises
    ------
    DataError
        When pyarrow is not installed.
    """
    pa = _pyarrow()
    if row_group_size < 1:
        raise ValueError(f"row_group_size must be at least 1, not {row_group_size}")
    buffer = io.BytesIO()
    with pa.parquet.ParquetWriter(buffer, form_schema(), compression="zstd") as writer:
        for table in _tables(pa, export_records(forms), row_group_size, limits.max_parquet_group_bytes // 2):
            writer.write_table(table, row_group_size=len(table))
    return buffer.getvalue()


def write_parquet(
    forms: Sequence[Form], path: str | Path, row_group_size: int = ROW_GROUP_SIZE, limits: Limits = DEFAULT_LIMITS
) -> Path:
    """Write the forms to `path` as Parquet (`to_parquet`), atomically.

    Parameters
    ----------
    forms : sequence of Form
        The forms, e.g. a Portfolio.
    path : str or Path
        The file; its folder is created if needed. A failed write leaves an earlier file as it was.
    row_group_size : int, default `ROW_GROUP_SIZE`
        The most forms a row group holds.
    limits : Limits, default `DEFAULT_LIMITS`
        The limits the file is to be read back with: more forms or bytes than they allow are refused.

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    DataError
        When pyarrow is not installed, or the file would be too large to read back.
    selfeval_kit.files.WriteError
        When the file cannot be written.
    """
    if len(forms) > limits.max_parquet_forms:
        message = _("{forms} forms; a Parquet file holds at most {limit} when read back: export the forms in parts")
        raise DataError.single(path, message.format(forms=len(forms), limit=limits.max_parquet_forms))
    data = to_parquet(forms, row_group_size, limits)
    if len(data) > limits.max_parquet_bytes:
        message = _(
            "the Parquet file of {forms} forms is {size} bytes; a Parquet file is at most {limit} bytes when "
            "read back: export the forms in parts (a folder of Parquet files loads as one portfolio)"
        )
        raise DataError.single(path, message.format(forms=len(forms), size=len(data), limit=limits.max_parquet_bytes))
    return atomic_write_bytes(path, data)


def _open(file: Path, limits: Limits) -> tuple[Any, str | None]:
    """A binary handle on a regular file of at most `Limits.max_parquet_bytes`, or why not (never blocking)."""
    return open_bounded(file, limits.max_parquet_bytes, _("a Parquet file"))


def _too_large(metadata: Any, limits: Limits) -> str | None:
    """Why the file's metadata puts it past the limits (forms, a row group's size), or None."""
    if metadata.num_rows > limits.max_parquet_forms:
        return _("{forms} forms; a Parquet file holds at most {limit}").format(
            forms=metadata.num_rows, limit=limits.max_parquet_forms
        )
    if metadata.num_rows == 0:
        return _("no forms in this Parquet file; expected one row a form")
    for index in range(metadata.num_row_groups):
        size = metadata.row_group(index).total_byte_size
        if size > limits.max_parquet_group_bytes:
            message = _("row group {group} is {size} bytes unpacked; a row group is at most {limit} bytes")
            return message.format(group=index + 1, size=size, limit=limits.max_parquet_group_bytes)
    return None


def _validate(name: str, records: list[dict], first: int, limits: Limits) -> tuple[list[Form], list[Problem]]:
    """The forms of rows numbered from `first`, or every problem, named ``[row].field``."""
    forms: list[Form] = []
    problems: list[Problem] = []
    for row, record in enumerate(records, first):
        try:
            forms.append(Form.model_validate(record, context={"limits": limits}))
        except ValidationError as exc:
            problems += [_problem(name, dict(err, loc=(row, *err["loc"]))) for err in exc.errors()]
    return forms, problems


def read_parquet(
    file: Path, limits: Limits = DEFAULT_LIMITS, groups: Iterable[int] | None = None
) -> tuple[list[Form], list[Problem]]:
    """The forms of a Parquet file (as `write_parquet` writes it), validated, a row group at a time.

    Parameters
    ----------
    file : Path
        The file, at most `Limits.max_parquet_bytes`, `Limits.max_parquet_forms` forms and
        `Limits.max_parquet_group_bytes` a row group (as its metadata states them).
    limits : Limits, default `DEFAULT_LIMITS`
        The limits on the file and on each form.
    groups : iterable of int, optional
        Only these row groups (0-based), for a worker checking a share of the file; default all.

    Returns
    -------
    tuple
        ``(forms, [])`` in file order, or ``([], problems)``: one naming the file when it cannot be
        read (not a Parquet file, past a limit, pyarrow not installed), else every invalid field,
        named as in ``"[3].indicators[2].weight"`` (the row's position in the whole file).
    """
    name = str(file)
    try:
        pa = _pyarrow()
    except DataError:
        return [], [Problem(name, "", _(NEEDS_PYARROW))]
    handle, why = _open(file, limits)
    if handle is None:
        return [], [Problem(name, "", why or "")]
    with handle:
        try:
            parquet = pa.parquet.ParquetFile(handle)
            metadata = parquet.metadata
        except (pa.ArrowException, OSError, ValueError) as exc:
            return [], [Problem(name, "", _("not a Parquet file: {reason}").format(reason=exc))]
        why = _too_large(metadata, limits)
        if why is not None:
            return [], [Problem(name, "", why)]
        starts = [0]
        for index in range(metadata.num_row_groups):
            starts.append(starts[-1] + metadata.row_group(index).num_rows)
        forms: list[Form] = []
        problems: list[Problem] = []
        for index in range(metadata.num_row_groups) if groups is None else groups:
            try:
                records = parquet.read_row_group(index).to_pylist()
            except (pa.ArrowException, OSError, ValueError, OverflowError) as exc:
                message = _("cannot read row group {group} of this Parquet file: {reason}")
                return [], [Problem(name, "", message.format(group=index + 1, reason=exc))]
            group_forms, group_problems = _validate(name, records, starts[index], limits)
            forms += group_forms
            problems += group_problems
    return ([], problems) if problems else (forms, [])


def row_groups(file: Path) -> int | None:
    """How many row groups a Parquet file has (from its metadata), or None when it cannot tell.

    Parameters
    ----------
    file : Path
        The file.

    Returns
    -------
    int or None
        The count; None when pyarrow is not installed or the file cannot be read as Parquet
        (`read_parquet` then says why).
    """
    metadata = _metadata(file)
    return None if metadata is None else int(metadata.num_row_groups)


def form_count(file: Path) -> int | None:
    """How many forms (rows) a Parquet file holds, from its metadata; None when it cannot tell."""
    metadata = _metadata(file)
    return None if metadata is None else int(metadata.num_rows)


def _metadata(file: Path) -> Any:
    try:
        pa = _pyarrow()
    except DataError:
        return None
    handle, _why = _open(file, DEFAULT_LIMITS)
    if handle is None:
        return None
    with handle:
        try:
            return pa.parquet.ParquetFile(handle).metadata
        except (pa.ArrowException, OSError, ValueError):
            return None
