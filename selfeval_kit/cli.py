"""The `selfeval` command: a thin face over the package's Python API."""

from __future__ import annotations

import errno
import functools
import io
import os
import sys
from pathlib import Path

import click

from selfeval_kit.errors import DataError, SelfEvalError
from selfeval_kit.files import WriteError, atomic_write_bytes
from selfeval_kit.i18n import _
from selfeval_kit.terminal import printable
from selfeval_kit.version import __version__

__all__ = ["main"]


# The form model (pydantic) and the exporters are imported on first use, not with the CLI:
# `selfeval build` with nothing to rebuild must answer before they would have loaded.
def load(path):
    from selfeval_kit.form.loading import load as _load

    return _load(path)


def to_json(portfolio) -> str:
    from selfeval_kit.form.export import to_json as _to_json

    return _to_json(portfolio)


def to_csv(portfolio, header: str = "zh") -> str:
    from selfeval_kit.form.export import to_csv as _to_csv

    return _to_csv(portfolio, header=header)


def _say(text: str, *, err: bool = False) -> None:
    """Print a line that carries user text (form text, file names), its control characters shown."""
    click.echo(printable(text), err=err)


def _os_message(exc: OSError) -> str:
    """`error: <file>: <reason>` for a system error, the file being the one meant (never a temporary one)."""
    if isinstance(exc, WriteError):
        return _error(exc)
    reason = exc.strerror or str(exc) or type(exc).__name__
    return _error(_("{file}: {reason}").format(file=exc.filename, reason=reason) if exc.filename else reason)


def _error(message: object) -> str:
    """``error: <message>`` in the user's language."""
    return _("error: {message}").format(message=message)


def _reports_errors(command):
    """Turn the package's own errors into a message and exit code 1, never a traceback."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except DataError as exc:
            for problem in exc.problems:
                _say(_error(problem), err=True)
            files = len({p.file for p in exc.problems})
            click.echo(_("{n} problem(s) in {files} file(s)").format(n=len(exc.problems), files=files), err=True)
            sys.exit(1)
        except SelfEvalError as exc:
            problems = getattr(exc, "problems", None)  # a failed build: every file it could not write
            if isinstance(problems, list) and problems:
                for problem in problems:
                    _say(_error(problem), err=True)
                _say("\n".join(str(exc).splitlines()[len(problems) :]), err=True)  # the build's summary
            else:
                _say(_error(exc), err=True)
            sys.exit(1)
        except BrokenPipeError:  # the reader went away (`selfeval check | head`): nothing to tell it
            _silence_stdout()
            sys.exit(1)
        except OSError as exc:
            _say(_os_message(exc), err=True)
            sys.exit(1)

    return wrapper


def _silence_stdout() -> None:
    """Point standard output at /dev/null, so that the interpreter's last flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        pass  # not a real file (a test runner's buffer): nothing would be flushed to a pipe


def _write_stdout(data: bytes) -> None:
    """Write `data` to standard output; a failure (a full disk behind `>`) names it."""
    view = memoryview(data)
    try:
        while view:  # a full disk behind `>` takes part of a large write without an error: write the rest
            count = sys.stdout.buffer.write(view)
            if not count:
                raise OSError(errno.EIO, _("the output takes no more data"))
            view = view[count:]
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise WriteError(exc.errno, exc.strerror or str(exc), _("standard output")) from exc


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="selfeval")
def main() -> None:
    """Check, score and report Chinese project performance self-evaluation forms (绩效自评表)."""


@main.command()
@click.argument("path", type=click.Path(path_type=Path))
@_reports_errors
def validate(path: Path) -> None:
    """Validate the form file or folder PATH; exit 1 listing every problem."""
    portfolio = load(path)
    _say(_("{path}: {n} form(s) valid").format(path=path, n=len(portfolio)))


@main.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option(
    "--format", "fmt", type=click.Choice(["json", "csv", "xlsx", "parquet"]), default="json", show_default=True
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write here instead of stdout (required for xlsx and parquet).",
)
@click.option(
    "--header",
    type=click.Choice(["zh", "en"]),
    default="zh",
    show_default=True,
    help="CSV header row: the form's Chinese column titles, or the English field names (the contract).",
)
@_reports_errors
def export(path: Path, fmt: str, out: Path | None, header: str) -> None:
    """Export the forms in PATH as JSON (one object per form), CSV (one row per indicator), an
    Excel workbook (xlsx: one sheet per form in the official layout; needs --out) or Parquet
    (one row per form, the JSON's fields as nested columns; needs --out and pyarrow)."""
    if fmt == "xlsx" and out is None:
        raise click.UsageError(_("--format xlsx writes a binary workbook: give --out FILE.xlsx"))
    if fmt == "parquet" and out is None:
        raise click.UsageError(_("--format parquet writes a binary file: give --out FILE.parquet"))
    portfolio = load(path)
    if fmt == "parquet" and out is not None:
        from selfeval_kit.form.parquet import write_parquet

        write_parquet(portfolio.forms, out)  # atomically, as below
        _say(_("wrote {path} ({n} forms)").format(path=out, n=len(portfolio)), err=True)
        return
    if fmt == "xlsx":
        from selfeval_kit.form.workbook import write_workbook

        data = write_workbook(portfolio)
    else:
        data = to_json(portfolio).encode("utf-8") if fmt == "json" else to_csv(portfolio, header).encode("utf-8-sig")
    if fmt == "json":
        _refuse_unreadable_json(data, len(portfolio), out)
    if out is None:
        _write_stdout(data)
    else:
        atomic_write_bytes(out, data)  # a temporary file beside `out`, renamed into place
        _say(_("wrote {path} ({n} forms)").format(path=out, n=len(portfolio)), err=True)


def _refuse_unreadable_json(data: bytes, forms: int, out: Path | None) -> None:
    """What `export` writes, `load` must read back: no JSON file over the reader's size limit."""
    from selfeval_kit.form.limits import DEFAULT_LIMITS

    limit = DEFAULT_LIMITS.max_json_bytes
    if len(data) > limit:
        where = str(out) if out is not None else _("standard output")
        message = _(
            "the JSON of {forms} forms is {size} bytes; a JSON file is at most {limit} bytes when read back: "
            "export the forms in parts (a folder of JSON files loads as one portfolio)"
        )
        raise DataError.single(where, message.format(forms=forms, size=len(data), limit=limit))


def _scheduler_option(command):
    """``--scheduler ADDRESS`` (or DASK_SCHEDULER_ADDRESS): run the work on a Dask cluster."""
    return click.option(
        "--scheduler",
        envvar="DASK_SCHEDULER_ADDRESS",
        metavar="ADDRESS",
        default=None,
        help="Dask 调度器地址 (e.g. tcp://10.0.0.5:8786; env DASK_SCHEDULER_ADDRESS): run the work on that"
        " cluster's workers, which must see the same files; needs pip install 'selfeval-kit[dask]'.",
    )(command)


_SEVERITY_STYLE = {"error": "red", "warning": "yellow", "info": "cyan"}


@main.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option(
    "--profile", default="national", show_default=True, help="Built-in rules profile name or a profile YAML file."
)
@click.option("--json", "as_json", is_flag=True, help="Print the scores and findings as JSON.")
@click.option("--strict", is_flag=True, help="Exit 1 on any finding, not only on errors.")
@click.option(
    "--jobs", "-j", type=click.IntRange(min=0), default=0, show_default=True,
    help="Worker processes; 0: the cores for a large input (≥ 2,000 files or ≥ 10 MiB of forms), else 1.",
)  # fmt: skip
@click.option(
    "--out", "out_file", type=click.Path(dir_okay=False, path_type=Path), default=None, metavar="FILE.parquet",
    help="Write every finding as one Parquet table (pandas, DuckDB and Spark read it) instead of listing them.",
)  # fmt: skip
@_scheduler_option
@_reports_errors
def check(
    path: Path, profile: str, as_json: bool, strict: bool, jobs: int, out_file: Path | None, scheduler: str | None
) -> None:
    """Recompute the scores of the forms in PATH by the rules and list the audit findings."""
    from selfeval_kit.rules.bulk import check as bulk_check

    if out_file is not None and (as_json or out_file.suffix.lower() != ".parquet"):
        raise click.UsageError(_("--out writes a .parquet file, and cannot be combined with --json"))
    # The result streams from the check's temporary files: the output is written a form at a time.
    with bulk_check(path, profile, jobs, scheduler=scheduler or None) as result:
        if out_file is not None:
            from selfeval_kit.views.parquet import write_findings

            write_findings(result.iter_findings(), out_file)
            message = _("wrote {path} ({n} finding(s) of {forms} form(s))")
            _say(message.format(path=out_file, n=result.finding_count, forms=result.form_count))
        elif as_json:
            # pydantic_core's to_json, piece by piece: as json.dumps(data, ensure_ascii=False, indent=2)
            # lays it out (a tiny float may lose its exponent: 0.00001, not 1e-05), several times faster.
            _echo_json(result.iter_json())
            click.echo()
        else:
            _echo_check_text(result)
        failing = result.fails(strict)
    if failing:
        sys.exit(1)


def _echo_json(pieces) -> None:
    """Echo JSON text pieces made printable, in writes of about 256 KiB (click flushes after each echo;
    `printable` is several times faster on one long string than on many short ones)."""
    batch: list[str] = []
    size = 0
    for piece in pieces:
        batch.append(piece)
        size += len(piece)
        if size >= 256 * 1024:
            click.echo(printable("".join(batch), json=True), nl=False)
            batch, size = [], 0
    if batch:
        click.echo(printable("".join(batch), json=True), nl=False)


def _echo_check_text(result) -> None:
    """`selfeval check`'s listing: each form's head line and findings, the portfolio's, then the counts."""
    from selfeval_kit.rules.findings import SEVERITY_LABELS

    for form, found in result.iter_groups():
        reported = form["score_reported"]
        head = (
            f"{form['id']}  {form['name']}  自评 {'—' if reported is None else f'{reported:.2f}'}"
            f" / 复核重算 {form['score_recomputed']:.2f} ({form['grade']})"
        )
        if form.get("deductions"):  # a profile with review deductions (复核扣分) took some off
            head += f" / 复核得分 {form['score_review']:.2f} ({form['grade_review']})"
        click.secho(printable(head), bold=True)
        for finding in found:
            _echo_finding(finding, SEVERITY_LABELS)
    if result.portfolio:
        click.secho("portfolio  全部项目", bold=True)
        for finding in result.portfolio:
            _echo_finding(finding, SEVERITY_LABELS)
    counts = result.counts
    message = _("{forms} form(s) checked with profile {profile}: {errors} error(s), {warnings} warning(s), {info} info")
    _say(
        message.format(
            forms=result.form_count,
            profile=result.profile,
            errors=counts["error"],
            warnings=counts["warning"],
            info=counts["info"],
        )
    )


def _echo_finding(finding: dict, labels: dict[str, str]) -> None:
    tag = click.style(f"{finding['severity']:<7}", fg=_SEVERITY_STYLE[finding["severity"]])
    where = f" [{finding['indicator']}]" if finding["indicator"] else ""
    click.echo(f"  {tag} " + printable(f"{finding['code']}{where}: {finding['message']}"))


@main.command("import")
@click.argument("source", type=click.Path(path_type=Path))
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the <id>.yaml files.",
)
@click.option("--force", is_flag=True, help="Overwrite existing files.")
@click.option(
    "--partial",
    is_flag=True,
    help="Write the forms read whole even if others could not be read; forms read in part as <id>.draft.yaml.",
)
@click.option("--report", is_flag=True, help="Show every field read: value, where it came from, confidence.")
@_reports_errors
def import_(source: Path, out_dir: Path, force: bool, partial: bool, report: bool) -> None:
    """Import forms from a PDF, an HTML page, a Word (.docx) or Excel (.xlsx) file, text, or a folder of them."""
    from selfeval_kit.importers.source import read_source
    from selfeval_kit.importers.writing import write_forms

    forms = read_source(source)
    if report:
        from selfeval_kit.importers.summary import field_lines

        for line in field_lines(forms):
            _say(line)
    bad = [f for f in forms if not f.ok]
    for imported in forms:
        if imported.missing:
            note = _("note: {source}: not found in the source: {fields}")
            _say(note.format(source=imported.source, fields=", ".join(imported.missing)), err=True)
        if not imported.complete:
            incomplete = _("{source}: incomplete: the source ends before the form does")
            _say(_error(incomplete.format(source=imported.source)), err=True)
        for reason in imported.errors:
            _say(_error(_("{file}: {reason}").format(file=imported.source, reason=reason)), err=True)
    if bad and not partial:
        message = _(
            "{bad} of {total} form(s) could not be read whole; nothing written (use --partial to write the others)"
        )
        click.echo(message.format(bad=len(bad), total=len(forms)), err=True)
        sys.exit(1)
    drafts = [f for f in bad if f.draft and not f.errors]
    written = write_forms([f for f in forms if f.ok], out_dir, force=force, drafts=drafts)
    for path in written:
        _say(_("wrote {path}").format(path=path))
    if len(bad) > len(drafts):
        click.echo(_("{n} form(s) not written").format(n=len(bad) - len(drafts)), err=True)
    if drafts:
        done = _("{n} draft(s) written: fill in the fields they list under draft.missing")
        click.echo(done.format(n=len(drafts)), err=True)
    if bad:
        sys.exit(1)


@main.command()
@click.argument("data", required=False, default="data/2022", type=click.Path(path_type=Path))
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the HTML reports (default: reports/<name of DATA>, e.g. reports/2022).",
)
@click.option(
    "--profile", default="national", show_default=True, help="Rules profile: a built-in name or a .yaml file."
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes running notebooks  [default: the number of cores]",
)
@click.option("--force", is_flag=True, help="Rebuild every report, not only those whose inputs changed.")
@click.option(
    "--timeout",
    type=click.IntRange(min=1),
    default=600,
    show_default=True,
    help="Seconds one notebook cell may run before its report fails.",
)
@click.option(
    "--start-timeout",
    type=click.IntRange(min=1),
    default=60,
    show_default=True,
    help="Seconds a kernel may take to start.",
)
@click.option(
    "--engine",
    type=click.Choice(["inprocess", "kernel"]),
    default="inprocess",
    show_default=True,
    help="Run each notebook in the worker itself (inprocess), or by papermill in a Jupyter kernel (kernel).",
)
@click.option("--keep-notebooks", is_flag=True, help="Also keep each executed notebook (<id>.ipynb) beside its HTML.")
@click.option("--dry-run", is_flag=True, help="List the reports that are out of date; run and write nothing.")
@click.option("--reviewer", help="复核人: the reviewer's name in the 复核意见 sections (else a line to sign).")
@click.option("--reviewer-unit", help="复核单位: the reviewer's unit.")
@click.option("--review-date", type=click.DateTime(formats=["%Y-%m-%d"]), help="复核日期, as YYYY-MM-DD.")
@_scheduler_option
@_reports_errors
def build(
    data: Path,
    out_dir: Path | None,
    profile: str,
    jobs: int | None,
    force: bool,
    timeout: int,
    start_timeout: int,
    engine: str,
    keep_notebooks: bool,
    dry_run: bool,
    reviewer: str | None,
    reviewer_unit: str | None,
    review_date,
    scheduler: str | None,
) -> None:
    """Build the HTML reports of DATA (default data/2022): one per project, the annual report, index.html.

    Only the reports whose inputs changed since the last build into the same folder are run
    (the form, the notebook, the profile, the package; --force runs all), in parallel. A report
    that fails does not stop the others and keeps its previous page; it is listed in
    index.html with its error, and the command exits 1.
    """
    from selfeval_kit.form.sources import is_bundled, resolve_data_path
    from selfeval_kit.publish import build as build_module  # light: heavy libraries load only when something must run

    given, data = data, resolve_data_path(data)
    if not given.exists() and is_bundled(data):
        _say(_("no {given} here: using the bundled example {data}").format(given=given, data=data), err=True)
    out_dir = out_dir or Path("reports") / (data.stem if data.is_file() else data.resolve().name)
    bar = sys.stderr.isatty()

    def say(message: str) -> None:
        if bar:
            from tqdm.auto import tqdm

            tqdm.write(printable(message), file=sys.stderr)
        else:
            _say(message, err=True)

    def progress(outcome) -> None:
        if outcome.ok and bar:
            return  # the bar shows it
        state = _("ok") if outcome.ok else _("FAILED")
        line = _("{state} {key} ({seconds} s)").format(
            state=f"{state:<6}", key=outcome.key, seconds=f"{outcome.seconds:.1f}"
        )
        say(line + (_(": {detail}").format(detail=outcome.error) if outcome.error else ""))

    signature = {"reviewer": reviewer, "reviewer_unit": reviewer_unit}
    signature["review_date"] = review_date.date().isoformat() if review_date else None
    result = build_module.build(
        data, out_dir, profile=profile, jobs=jobs, force=force, timeout=timeout, start_timeout=start_timeout,
        keep_notebooks=keep_notebooks, progress=progress, progress_bar=None, dry_run=dry_run,
        signature={k: v for k, v in signature.items() if v}, scheduler=scheduler or None, engine=engine,
    )  # fmt: skip
    total = len(result.reports)
    if result.dry_run:
        stale = [r.key for r in result.executed]
        would_run = _("{n} of {total} reports would run").format(n=len(stale), total=total)
        _say(would_run + (_(": {detail}").format(detail=", ".join(stale)) if stale else ""))
        return
    if result.up_to_date:
        fresh = _("{out}: up to date ({total} reports; nothing changed since the last build, --force rebuilds)")
        _say(fresh.format(out=result.out_dir, total=total))
        return
    _summarise(result, total)


def _summarise(result, total: int) -> None:
    """The last lines of a build that ran: what it wrote, and each report that failed (exit 1)."""
    ran = len(result.executed)
    wrote = _("wrote {index} ({ok} of {total} reports, {ran} run, {fresh} up to date, {seconds} s)")
    _say(
        wrote.format(
            index=result.index,
            ok=total - len(result.failed),
            total=total,
            ran=ran,
            fresh=total - ran,
            seconds=f"{result.seconds:.0f}",
        )
    )
    if result.failed:
        for outcome in result.failed:
            if outcome.previous is not None:
                kept = _("kept the earlier page of {key}: {previous}")
                _say(kept.format(key=outcome.key, previous=outcome.previous), err=True)
        failed = _("{n} report(s) failed: {keys}")
        _say(failed.format(n=len(result.failed), keys=", ".join(r.key for r in result.failed)), err=True)
        sys.exit(1)
