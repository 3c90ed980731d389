"""An executed notebook as one self-contained HTML page: nbconvert's HTMLExporter, customised.

The page uses the package's own template (``publish/templates/selfeval``: no code, no prompts,
no parameter cells, no scripts, figures inline, A4 print CSS; report.css shared with the
sections). The exporter is nbconvert's `HTMLExporter` but for one thing, the only difference of
its output:

* nbconvert 7 ends `HTMLExporter.from_notebook_node` with a pass over the whole page in
  BeautifulSoup (pure Python): it parses and re-serialises the page to give images without alt
  text nbconvert's "No description has been provided for this image", and tabindex to
  JupyterLab's cell wrappers (``.jp-Notebook div.jp-Cell-inputWrapper``, ``...jp-OutputArea-output``).
  Our template writes no such wrappers and alt text on every figure; on an annual report of
  thousands of table rows the pass took longer than everything else together (59 s of 80 for
  2,000 projects). `SelfevalHTMLExporter` returns the template's output as written, giving an
  image without alt the same text (a regular expression, not a parser). The page parses to the
  same tree as the stock exporter's (tests/publish/test_publish_exporter.py); the text differs only in
  how BeautifulSoup would re-serialise it.

This needs two names of nbconvert's that are not public API (`HTMLExporter._init_resources`
and `_nb_metadata`, read exactly as `HTMLExporter.from_notebook_node` does); with an nbconvert
that lacks them the stock method runs instead (slower, same page).
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

from nbconvert import HTMLExporter
from nbconvert import __version__ as nbconvert_version
from nbconvert.exporters.templateexporter import TemplateExporter
from nbconvert.filters.highlight import Highlight2HTML
from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

from selfeval_kit.report.html import compiled_templates, unscoped

__all__ = [
    "NO_ALT_TEXT",
    "TEMPLATES_DIR",
    "TEMPLATE_NAME",
    "SelfevalHTMLExporter",
    "css_string",
    "export_html",
    "make_exporter",
    "shared_exporter",
]

log = logging.getLogger("selfeval_kit.publish")

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
TEMPLATE_NAME = "selfeval"
REPORT_TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "report" / "templates"  # report.css
NO_ALT_TEXT = "No description has been provided for this image"  # nbconvert's
_NO_ALT = re.compile(r"<img(?![^>]*\salt=)", re.IGNORECASE)


class SelfevalHTMLExporter(HTMLExporter):
    """nbconvert's HTMLExporter without its final BeautifulSoup pass (see the module's docstring),
    its compiled templates kept between processes (`compiled_templates`)."""

    def _create_environment(self) -> Any:
        environment = super()._create_environment()
        environment.bytecode_cache = compiled_templates(f"nbconvert-{nbconvert_version}")
        return environment

    def from_notebook_node(  # type: ignore[override]  # as nbconvert's HTMLExporter: the page is a str
        self, nb: Any, resources: dict | None = None, **kw: Any
    ) -> tuple[str, dict]:
        """The page of a notebook, as the template writes it; images without alt get nbconvert's text."""
        try:
            langinfo = nb.metadata.get("language_info", {})
            lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
            highlight = self.filters.get("highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self))
            self.register_filter("highlight_code", highlight)
            resources = self._init_resources(resources)
            data_types = WidgetsDataTypeFilter(notebook_metadata=self._nb_metadata, parent=self, resources=resources)
            self.register_filter("filter_data_type", data_types)
        except AttributeError:  # another nbconvert: its own way, slower
            log.debug("nbconvert's HTMLExporter has changed: exporting with its own from_notebook_node")
            return super().from_notebook_node(nb, resources, **kw)
        html, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
        return _NO_ALT.sub(f'<img alt="{NO_ALT_TEXT}"', html), resources


def css_string(text: str) -> str:
    """A CSS string literal of `text` that cannot end the string or the <style> element."""
    out = []
    for ch in str(text):
        if ch.isalnum() or ch in " -_.,:;()（）·":
            out.append(ch)
        else:
            out.append(f"\\{ord(ch):x} ")
    return '"' + "".join(out) + '"'


def make_exporter(cls: type[HTMLExporter] = SelfevalHTMLExporter) -> HTMLExporter:
    """An exporter of class `cls` set up for the reports: their template, no input, no prompts."""
    exporter = cls(
        template_name=TEMPLATE_NAME,
        extra_template_basedirs=[str(TEMPLATES_DIR)],
        extra_template_paths=[str(REPORT_TEMPLATES_DIR)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        optimistic_validation=True,  # validated once, not after each of ~11 preprocessors: half the export
    )
    exporter.register_filter("css_string", css_string)
    exporter.register_filter("unscoped", unscoped)  # a section's own style, for Jupyter: the page has it once
    return exporter


_EXPORTER: HTMLExporter | None = None


def shared_exporter() -> HTMLExporter:
    """This process's exporter (`make_exporter`), made on first use: loading the template is the expensive part."""
    global _EXPORTER
    if _EXPORTER is None:
        _EXPORTER = make_exporter()
    return _EXPORTER


def export_html(nb: Any, title: str) -> str:
    """An executed notebook as one self-contained HTML page.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        The executed notebook; its metadata gets ``selfeval.title``.
    title : str
        The page's title.

    Returns
    -------
    str
        The HTML document.
    """
    nb.metadata["selfeval"] = {"title": title}
    body, _ = shared_exporter().from_notebook_node(nb, resources={"metadata": {"name": title}})
    return body
