"""Importers: how much of a form comes back, from which format, and how fast.

    python benchmarks/bench_import.py [--convert]

Two tables, printed:

1. Round trips of the bundled 2022 forms: the text of the published PDF they were transcribed
   from (tests/fixtures/seed_2022.txt, a cell or a row a line), the committed conversions in tests/fixtures/documents
   (our xlsx export; LibreOffice's PDF, HTML and Word of it and ``pdftotext -layout`` of that PDF;
   a LibreOffice PDF of the export without cell borders; the HTML's tables copied as a browser
   copies them, a tab between cells; Chromium's print of one report's attached form and its
   ``pdftotext -layout``), and with
   ``--convert`` today's export converted again by LibreOffice (and pdftotext, when installed).
   For each: forms read whole, printed values equal, seconds.
2. Real published forms (tests/fixtures/text: several provinces and years, values read by hand
   into ``*.expected.yaml``): precision (values given that are right; a value given where the
   form has none counts as wrong) and recall (the form's values that came back right), per file
   and over all.

What is measured is the product's own `read_source`, the way `selfeval import` reads.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from selfeval_kit.errors import DataError  # noqa: E402
from selfeval_kit.importers.source import read_source  # noqa: E402
from tests.importers.printed import bundled, copied_tables, differences, flat  # noqa: E402

DOCUMENTS = ROOT / "tests" / "fixtures" / "documents"
REAL = ROOT / "tests" / "fixtures" / "text"


def _timed(path: Path) -> tuple[list, float, str]:
    started = time.perf_counter()
    try:
        forms = read_source(path)
    except DataError as exc:
        return [], time.perf_counter() - started, str(exc).splitlines()[0][:80]
    return forms, time.perf_counter() - started, ""


def round_trips(convert: bool) -> None:
    expected = bundled()
    names = (
        "forms_2022.xlsx", "forms_2022.pdf", "forms_2022.html", "forms_2022.docx", "forms_2022.layout.txt",
        "forms_2022_unruled.pdf",
    )  # fmt: skip
    files = [ROOT / "tests" / "fixtures" / "seed_2022.txt"] + [DOCUMENTS / n for n in names]
    with tempfile.TemporaryDirectory() as tmp:
        files.append(_copied(Path(tmp)))
        if convert:
            files += _converted(Path(tmp))
        print(f"{'document':<44} {'forms whole':>11} {'values equal':>16} {'seconds':>8}")
        for path in files:
            forms, seconds, error = _timed(path)
            equal, total, _ = differences(expected, [f.data for f in forms])
            whole = sum(f.ok for f in forms)
            shown = f"{path.parent.name}/{path.name}"
            print(f"{shown:<44} {whole:>5} / 11 {equal:>6}/{total} {100 * equal / total:5.1f}% {seconds:8.2f} {error}")
        want = [f for f in expected if f["id"] == "hotline-system-ops"]
        for chromium in (DOCUMENTS / "hotline_form_chromium.pdf", DOCUMENTS / "hotline_form_chromium.layout.txt"):
            forms, seconds, error = _timed(chromium)
            equal, total, _ = differences(want, [f.data for f in forms[:1]])
            shown = f"{chromium.parent.name}/{chromium.name}"
            whole = sum(f.ok for f in forms)
            print(f"{shown:<44} {whole:>5} / 1  {equal:>6}/{total} {100 * equal / total:5.1f}% {seconds:8.2f} {error}")


def _copied(folder: Path) -> Path:
    copied = folder / "copied_tables.txt"
    copied.write_text(copied_tables(DOCUMENTS / "forms_2022.html"), encoding="utf-8")
    return copied


def _converted(folder: Path) -> list[Path]:
    soffice = shutil.which("soffice")
    if soffice is None:
        print("(no LibreOffice: --convert skipped)")
        return []
    from selfeval_kit.form.loading import load
    from selfeval_kit.form.workbook import write_workbook_file

    book = write_workbook_file(load(ROOT / "data" / "2022"), folder / "today.xlsx")
    for target, source in (("pdf", book), ("html", book), ("docx:MS Word 2007 XML", folder / "today.html")):
        subprocess.run(
            [soffice, f"-env:UserInstallation=file://{folder}/lo", "--headless", "--convert-to", target,
             "--outdir", str(folder), str(source)],
            check=True, capture_output=True, timeout=300,
        )  # fmt: skip
    out = [folder / f"today.{k}" for k in ("xlsx", "pdf", "html", "docx")]
    pdftotext = shutil.which("pdftotext")
    if pdftotext is not None:
        subprocess.run([pdftotext, "-layout", str(folder / "today.pdf"), str(folder / "today.layout.txt")], check=True)
        out.append(folder / "today.layout.txt")
    return out


def real_forms() -> None:
    given = right = wanted = 0
    print(f"\n{'real form (text)':<40} {'forms':>5} {'precision':>10} {'recall':>8}")
    for text in sorted(REAL.glob("*.txt")):
        expected = yaml.safe_load(text.with_suffix(".expected.yaml").read_text(encoding="utf-8"))
        want = [entry["data"] for entry in expected["forms"]]
        forms, _, error = _timed(text)
        got = [f.data for f in forms]
        g = sum(sum(v is not None for v in flat(d).values()) for d in got)
        w = sum(sum(v is not None for v in flat(d).values()) for d in want)
        r = sum(
            1
            for want_form, got_form in zip(want, got, strict=False)
            for path, value in flat(want_form).items()
            if value is not None and flat(got_form).get(path) == value
        )
        given, right, wanted = given + g, right + r, wanted + w
        p = r / g if g else 0.0
        print(f"{text.name:<40} {len(got):>5} {100 * p:9.1f}% {100 * r / w:7.1f}% {error}")
    print(f"{'all':<40} {'':>5} {100 * right / given:9.1f}% {100 * right / wanted:7.1f}%")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--convert", action="store_true", help="also convert today's export with LibreOffice")
    args = parser.parse_args()
    round_trips(args.convert)
    real_forms()


if __name__ == "__main__":
    main()
