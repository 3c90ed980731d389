"""The hostile corpus: one case a defect of issue 15, built on demand (no committed megabytes).

Each case is a folder holding the bad input, made from one valid 2022 form, and a list of the
commands to run on it with what the user must get: the exit code and words the message must
contain. `python -m tests.hostile.corpus OUT` writes the corpus into OUT and runs every command,
printing the time and peak memory of each; `tests/hostile/test_hostile.py` runs the same cases
under pytest.
"""

from __future__ import annotations

import json
import os
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent.parent
BASE_FORM = ROOT / "selfeval_kit" / "data" / "2022" / "base-info-system-ops.yaml"


@dataclass(frozen=True)
class Run:
    """One command on a case and what it must give.

    `args` holds `{case}` where the case folder goes; `expect` are words the output must contain
    (file names, field paths, values); `rc` the exit code.
    """

    args: tuple[str, ...]
    rc: int
    expect: tuple[str, ...] = ()
    forbid: tuple[str, ...] = ()


@dataclass(frozen=True)
class Case:
    name: str
    make: Callable[[Path], None]
    runs: tuple[Run, ...] = field(default_factory=tuple)


def base_text() -> str:
    return BASE_FORM.read_text(encoding="utf-8")


def base_data() -> dict:
    return yaml.safe_load(base_text())


def _write(folder: Path, name: str, text: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")


def _replace_line(text: str, pattern: str, new: str) -> str:
    out, count = re.subn(pattern, lambda _: new, text, count=1, flags=re.MULTILINE)
    assert count == 1, pattern
    return out


def _bomb(levels: int = 9) -> str:
    lines = ['l0: &l0 ["lol"]']
    lines += [f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]" for i in range(1, levels + 1)]
    return "\n".join(lines) + "\n"


def make_alias_bomb_name(folder: Path) -> None:
    text = _replace_line(base_text(), r"^name: .*$", "name: *l9")
    _write(folder, "bomb.yaml", _bomb() + text)


def make_alias_bomb_indicators(folder: Path) -> None:
    data = base_data()
    one = yaml.safe_dump(data["indicators"][0], allow_unicode=True, default_flow_style=True).strip()
    text = yaml.safe_dump({k: v for k, v in data.items() if k != "indicators"}, allow_unicode=True, sort_keys=False)
    # 100,000 indicators in 700 KB: each line an alias of the first (the recipe)
    rows = "".join("  - *i0\n" for _ in range(99_999))
    _write(folder, "many.yaml", text + f"indicators:\n  - &i0 {one}\n" + rows)


def make_deep_name(folder: Path) -> None:
    text = _replace_line(base_text(), r"^name: .*$", "name: " + "[" * 995 + "]" * 995)
    _write(folder, "deep.yaml", text)


def _sparse(folder: Path, name: str, size: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / name, "wb") as f:
        f.truncate(size)


def make_huge_yaml(folder: Path) -> None:
    _sparse(folder, "huge.yaml", 1 << 30)


def make_huge_json(folder: Path) -> None:
    _sparse(folder, "huge.json", 1 << 30)


def make_huge_profile(folder: Path) -> None:
    _write(folder, "f.yaml", base_text())
    _sparse(folder.parent / f"{folder.name}-profile", "huge-profile.yaml", 1 << 30)


def make_long_name_json(folder: Path) -> None:
    data = base_data()
    data["name"] = "长" * 5_000_000  # 15 MB of text in one field: far past any field limit
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "long.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def make_reserved_index(folder: Path) -> None:
    _write(folder, "f.yaml", _replace_line(base_text(), r"^id: .*$", 'id: "index"'))


def make_reserved_annual(folder: Path) -> None:
    _write(folder, "f.yaml", _replace_line(base_text(), r"^id: .*$", 'id: "annual"'))


def make_duplicate_json_keys(folder: Path) -> None:
    text = json.dumps(base_data(), ensure_ascii=False)
    text = text.replace('"name": ', '"name": "第一个", "name": ', 1)
    _write(folder, "dup.json", text)


def make_dangling_symlink(folder: Path) -> None:
    _write(folder, "good.yaml", base_text())
    os.symlink(folder / "does-not-exist.yaml", folder / "dangling.yaml")


def make_fifo(folder: Path) -> None:
    _write(folder, "good.yaml", base_text())
    os.mkfifo(folder / "pipe.yaml")


def make_directory_named_yaml(folder: Path) -> None:
    _write(folder, "good.yaml", base_text())
    (folder / "sub.yaml").mkdir()


def make_formula_text(folder: Path) -> None:
    text = _replace_line(base_text(), r"^name: .*$", "name: \"=cmd|' /C calc'!A0\"")
    _write(folder, "f.yaml", text)


def make_terminal_escape(folder: Path) -> None:
    text = _replace_line(base_text(), r"^name: .*$", 'name: "\\e]0;pwned\\a\\e[2J上海市项目"')
    _write(folder, "f.yaml", text)


def make_infinite_funds(folder: Path) -> None:
    data = base_data()
    data["funds"]["total"]["budget_final"] = 1.0e308
    data["funds"]["appropriation"]["budget_final"] = 1.0e308
    data["funds"]["carryover"]["budget_final"] = 1.0e308
    _write(folder, "f.yaml", yaml.safe_dump(data, allow_unicode=True, sort_keys=False))


def make_tiny_budget(folder: Path) -> None:
    data = base_data()
    data["funds"]["total"]["budget_final"] = 5e-324
    data["funds"]["total"]["executed"] = 1e300
    _write(folder, "f.yaml", yaml.safe_dump(data, allow_unicode=True, sort_keys=False))


def make_bad_date(folder: Path) -> None:
    _write(folder, "f.yaml", _replace_line(base_text(), r"^year: .*$", "year: 2022-13-45"))


def make_number_form(folder: Path, literal: str) -> None:
    """The budget weight (10 in the form) written as a YAML 1.1 number form."""
    _write(folder, "f.yaml", _replace_line(base_text(), r"^    weight: 10$", f"    weight: {literal}"))


# YAML 1.1 reads these as 8, 16, 50 and 90; the tool must read them as YAML 1.2 does (the value
# here) or refuse them (None: YAML 1.2 reads a string, which a weight cannot be).
NUMBER_FORMS = (("010", 10), ("0x10", 16), ("5_0", None), ("1:30", None))


def _sheet_xml(rows: int, dimension: str) -> str:
    body = "".join(f'<row r="{r}"><c r="A{r}" t="n"><v>1</v></c></row>' for r in range(1, rows + 1))
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="{dimension}"/><sheetData>{body}</sheetData></worksheet>'
    )


def _xlsx(path: Path, sheet: str) -> None:
    """A minimal workbook written member by member, so a sheet of a million rows costs seconds."""
    path.parent.mkdir(parents=True, exist_ok=True)
    ns = "http://schemas.openxmlformats.org"
    members = {
        "[Content_Types].xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{ns}/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
        ),
        "_rels/.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{ns}/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{ns}/officeDocument/2006/relationships/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{ns}/spreadsheetml/2006/main" '
            f'xmlns:r="{ns}/officeDocument/2006/relationships"><sheets>'
            '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{ns}/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{ns}/officeDocument/2006/relationships/worksheet" '
            'Target="worksheets/sheet1.xml"/></Relationships>'
        ),
        "xl/worksheets/sheet1.xml": sheet,
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in members.items():
            z.writestr(name, text)


def make_dense_sheet(folder: Path) -> None:
    _xlsx(folder / "dense.xlsx", _sheet_xml(1_048_576, "A1:A1048576"))


def make_lying_dimension(folder: Path) -> None:
    # The sheet says it is one cell and holds a million rows: the reader must count as it reads.
    _xlsx(folder / "liar.xlsx", _sheet_xml(1_048_576, "A1"))


def _refused(*words: str) -> tuple[str, ...]:
    return words


CASES: tuple[Case, ...] = (
    Case(
        "alias-bomb-name",
        make_alias_bomb_name,
        (
            Run(("validate", "{case}"), 1, _refused("bomb.yaml", "alias")),
            Run(("check", "{case}"), 1, _refused("bomb.yaml", "alias")),
            Run(("build", "{case}", "--out", "{out}"), 1, _refused("bomb.yaml", "alias")),
        ),
    ),
    Case(
        "alias-bomb-indicators",
        make_alias_bomb_indicators,
        (
            Run(("validate", "{case}"), 1, _refused("many.yaml")),
            Run(("export", "{case}", "--format", "json"), 1, _refused("many.yaml")),
        ),
    ),
    Case("deep-name", make_deep_name, (Run(("validate", "{case}"), 1, _refused("deep.yaml")),)),
    Case("huge-yaml", make_huge_yaml, (Run(("validate", "{case}"), 1, _refused("huge.yaml", "1073741824")),)),
    Case("huge-json", make_huge_json, (Run(("check", "{case}"), 1, _refused("huge.json", "1073741824")),)),
    Case(
        "huge-profile",
        make_huge_profile,
        (Run(("check", "{case}", "--profile", "{case}-profile/huge-profile.yaml"), 1, _refused("huge-profile.yaml")),),
    ),
    Case("long-name-json", make_long_name_json, (Run(("validate", "{case}"), 1, _refused("long.json", "name")),)),
    Case(
        "reserved-index",
        make_reserved_index,
        (
            Run(("validate", "{case}"), 1, _refused("f.yaml", "id", "index")),
            Run(("build", "{case}", "--out", "{out}"), 1, _refused("index")),
        ),
    ),
    Case(
        "reserved-annual", make_reserved_annual, (Run(("validate", "{case}"), 1, _refused("f.yaml", "id", "annual")),)
    ),
    Case(
        "duplicate-json-keys", make_duplicate_json_keys, (Run(("validate", "{case}"), 1, _refused("dup.json", "name")),)
    ),
    Case("dangling-symlink", make_dangling_symlink, (Run(("validate", "{case}"), 1, _refused("dangling.yaml")),)),
    Case("fifo", make_fifo, (Run(("validate", "{case}"), 1, _refused("pipe.yaml")),)),
    Case("directory-named-yaml", make_directory_named_yaml, (Run(("validate", "{case}"), 1, _refused("sub.yaml")),)),
    Case(
        "formula-text",
        make_formula_text,
        (Run(("export", "{case}", "--format", "csv"), 0, _refused("'=cmd|"), forbid=(",=cmd|",)),),
    ),
    Case(
        "terminal-escape",
        make_terminal_escape,
        (Run(("check", "{case}"), 0, _refused("\\x1b]0;pwned"), forbid=("\x1b", "\x07")),),
    ),
    Case(
        "infinite-funds",
        make_infinite_funds,
        (
            Run(("validate", "{case}"), 1, _refused("f.yaml", "funds")),
            Run(("check", "{case}"), 1, _refused("f.yaml", "funds")),
        ),
    ),
    Case("tiny-budget", make_tiny_budget, (Run(("validate", "{case}"), 1, _refused("f.yaml", "funds.total")),)),
    Case("bad-date", make_bad_date, (Run(("validate", "{case}"), 1, _refused("f.yaml", "2022-13-45", "line 7")),)),
    Case(
        "dense-sheet",
        make_dense_sheet,
        (Run(("import", "{case}/dense.xlsx", "--out", "{out}"), 1, _refused("dense.xlsx")),),
    ),
    Case(
        "lying-dimension",
        make_lying_dimension,
        (Run(("import", "{case}/liar.xlsx", "--out", "{out}"), 1, _refused("liar.xlsx")),),
    ),
)


@dataclass(frozen=True)
class Outcome:
    rc: int
    output: str  # stdout and stderr together, as the user sees them
    seconds: float
    peak_mib: float  # the command's own process, not its kernels or workers


TIME_LIMIT = 60.0  # a hang guard, not a speed test: the bound is 5 s, the benchmarks measure
MEMORY_LIMIT = 8 << 30  # address space a process may take before it fails (a runaway stops here)


def _limit_memory() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def run_command(args: list[str], cwd: Path) -> Outcome:
    """Run `selfeval ARGS` in a fresh process with a time and memory guard; kill it past the time."""
    import signal
    import subprocess
    import sys
    import tempfile
    import time

    with tempfile.TemporaryFile() as out:
        start = time.monotonic()
        proc = subprocess.Popen(
            [sys.executable, "-m", "selfeval_kit", *args],
            cwd=cwd,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # so a hang is killed with every process it started
            preexec_fn=_limit_memory,
            env={**os.environ, "COLUMNS": "200"},
        )
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() - start > TIME_LIMIT:
                os.killpg(proc.pid, signal.SIGKILL)
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.02)
        seconds = time.monotonic() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # workers a failed command left behind
        except ProcessLookupError:
            pass
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
    return Outcome(proc.returncode, text, seconds, usage.ru_maxrss / 1024)


def command_args(run: Run, case: Path, out: Path) -> list[str]:
    return [a.replace("{case}", str(case)).replace("{out}", str(out)) for a in run.args]


def main(argv: list[str] | None = None) -> int:
    """Write the corpus into a folder and run every case, printing what each command gave."""
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    opts = parser.parse_args(argv)
    print(f"{'case':26} {'command':9} {'rc':>3} {'s':>6} {'MiB':>6}  first line of the output")
    for case in CASES:
        folder = opts.folder / case.name
        case.make(folder / "in")
        for n, run in enumerate(case.runs):
            out = folder / f"out{n}"
            got = run_command(command_args(run, folder / "in", out), opts.folder)
            first = (got.output.strip().splitlines() or [""])[0][:100]
            print(f"{case.name:26} {run.args[0]:9} {got.rc:>3} {got.seconds:6.2f} {got.peak_mib:6.0f}  {first!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
