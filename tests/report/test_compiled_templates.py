"""`selfeval_kit.report.html.compiled_templates`: jinja2's cache of compiled templates, kept between processes."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest

from selfeval_kit.publish.exporter import make_exporter
from selfeval_kit.report.html import ENV, compiled_templates


def _environment(templates: Path, cache: Path) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates),
        bytecode_cache=compiled_templates("test", str(cache)),
        autoescape=True,
    )


def _never_compiles(*args, **kwargs):
    raise AssertionError("compiled again")


@pytest.fixture
def folders(tmp_path: Path) -> tuple[Path, Path]:
    templates, cache = tmp_path / "templates", tmp_path / "cache"
    templates.mkdir()
    cache.mkdir()
    (templates / "t.j2").write_text("<b>{{ name }}</b>", encoding="utf-8")
    return templates, cache


def test_a_template_compiled_once_is_not_compiled_by_the_next_environment(folders):
    templates, cache = folders
    assert _environment(templates, cache).get_template("t.j2").render(name="甲") == "<b>甲</b>"
    assert [p.name.startswith("selfeval-kit-") and "-test-" in p.name for p in cache.iterdir()] == [True]
    later = _environment(templates, cache)
    later.compile = _never_compiles  # type: ignore[method-assign]
    assert later.get_template("t.j2").render(name="<乙>") == "<b>&lt;乙&gt;</b>"


def test_a_template_edited_since_is_compiled_again(folders):
    templates, cache = folders
    _environment(templates, cache).get_template("t.j2").render(name="甲")
    (templates / "t.j2").write_text("<i>{{ name }}</i>", encoding="utf-8")
    assert _environment(templates, cache).get_template("t.j2").render(name="甲") == "<i>甲</i>"


def test_a_cache_file_cut_short_is_compiled_again(folders):
    templates, cache = folders
    _environment(templates, cache).get_template("t.j2").render(name="甲")
    (file,) = cache.iterdir()
    file.write_bytes(file.read_bytes()[:20])
    assert _environment(templates, cache).get_template("t.j2").render(name="乙") == "<b>乙</b>"


def test_a_cache_folder_that_cannot_be_written_is_no_error(folders):
    templates, cache = folders
    gone = cache / "missing"  # no such folder: every write fails
    assert _environment(templates, gone).get_template("t.j2").render(name="甲") == "<b>甲</b>"
    assert not gone.exists()


def test_the_reports_and_the_exporters_templates_are_kept_each_under_their_own_name():
    exporter_cache = make_exporter().environment.bytecode_cache
    assert isinstance(ENV.bytecode_cache, jinja2.FileSystemBytecodeCache)
    assert isinstance(exporter_cache, jinja2.FileSystemBytecodeCache)
    assert "-report-" in ENV.bytecode_cache.pattern
    assert "-nbconvert-" in exporter_cache.pattern
