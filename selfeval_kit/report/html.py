"""HTML sections: the `Html` type Jupyter displays, and the jinja2 templates that produce it.

Every section is rendered by a template in `selfeval_kit/report/templates/` with autoescape on,
so any text that comes from a form (names, targets, notes) is shown as text, never as markup.
Every template sees the status and severity marks (`STATUS`, `SEVERITY`, `STATUS_ORDER`), so
that a colour always comes with its symbol and word.

A section shown in JupyterLab carries the report's style with it (`Html._repr_html_`): the markup
inside ``<div class="selfeval-report">`` with `scoped_css`, the report's style sheet with every
selector put under that class, so it styles the section and nothing else of the notebook. The
published page has the style sheet once in its head; its exporter takes these copies out again
(`unscoped`), so the page is as if the sections had been written without them.
"""

from __future__ import annotations

import logging
import pickle
import re
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
import tinycss2

from selfeval_kit.views.marks import SEVERITY, STATUS, STATUS_ORDER

__all__ = [
    "ENV",
    "SCOPE",
    "TEMPLATES_DIR",
    "Html",
    "compiled_templates",
    "css",
    "marks",
    "render",
    "scoped_css",
    "unscoped",
]

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"

log = logging.getLogger("selfeval_kit.report")


class _QuietBytecodeCache(jinja2.FileSystemBytecodeCache):
    """jinja2's file cache of compiled templates; one that cannot be read or written is no cache, not an error."""

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except (OSError, EOFError, ValueError, TypeError, pickle.UnpicklingError):  # unreadable: compiled again
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:
            log.debug("could not keep a compiled template in %s", self.directory, exc_info=True)


def compiled_templates(label: str, directory: str | None = None) -> jinja2.BytecodeCache | None:
    """A cache of compiled templates for one jinja2 environment, kept between processes.

    The cache is jinja2's own (`jinja2.FileSystemBytecodeCache`); a template whose source changed since is
    compiled again, and a cache file that cannot be read or written is passed over.

    Parameters
    ----------
    label : str
        Names the environment in the cache files' names, with the versions of the package and
        jinja2: compiled code depends on the environment's settings too.
    directory : str, optional
        Where the files go; by default the folder jinja2 makes for the user in the temporary
        directory, readable by that user only.

    Returns
    -------
    jinja2.BytecodeCache or None
        None when there is no such folder (each process compiles the templates itself).
    """
    # Why: compiling the templates was most of a build worker's first report, in every worker.
    from selfeval_kit.version import __version__

    pattern = f"selfeval-kit-{__version__}-jinja2-{jinja2.__version__}-{label}-%s.cache"
    try:
        return _QuietBytecodeCache(directory, pattern)
    except (OSError, RuntimeError):  # no temporary folder of the user's own: compiled in each process
        log.debug("no cache of compiled templates", exc_info=True)
        return None


ENV = jinja2.Environment(
    bytecode_cache=compiled_templates("report"),
    loader=jinja2.PackageLoader("selfeval_kit.report", "templates"),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
    undefined=jinja2.StrictUndefined,
)


class Html:
    """A rendered section: displayed as HTML by Jupyter, its markup via ``str()``.

    Parameters
    ----------
    markup
        The HTML of the section (trusted: it comes from the report's templates).

    Examples
    --------
    >>> section = Html("<p>x</p>")
    >>> str(section)
    '<p>x</p>'
    >>> unscoped(section._repr_html_())
    '<p>x</p>'
    >>> str(section + "<p>y</p>")
    '<p>x</p><p>y</p>'
    """

    def __init__(self, markup: str):
        self.markup = str(markup)

    def _repr_html_(self) -> str:
        """The markup with the report's style, scoped to it (see the module's docstring)."""
        return f'<div class="{SCOPE}">{_SCOPED_STYLE_OPEN}{scoped_css()}</style>{self.markup}</div>'

    def __html__(self) -> str:
        return self.markup

    def __str__(self) -> str:
        return self.markup

    def __repr__(self) -> str:
        return f"<Html {len(self.markup)} chars>"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:  # IPython text form: short, not the markup
        printer.text(repr(self))

    def __add__(self, other: Html | str) -> Html:
        return Html(self.markup + str(other))


def marks() -> dict[str, Any]:
    """The names every template sees: STATUS, SEVERITY (symbol and word per key) and STATUS_ORDER."""
    return {"STATUS": STATUS, "SEVERITY": SEVERITY, "STATUS_ORDER": STATUS_ORDER}


def render(name: str, **context: Any) -> Html:
    """Render one template of `templates/` with the marks and the given context.

    Parameters
    ----------
    name
        The template's file name, e.g. ``"project_basic.html.j2"``.
    **context
        Its variables; a variable the template uses and the context lacks raises
        ``jinja2.UndefinedError``.
    """
    return Html(ENV.get_template(name).render(**{**marks(), **context}))


def css() -> str:
    """The reports' style sheet (`templates/report.css`): fonts, A4 page, status and severity colours."""
    return (TEMPLATES_DIR / "report.css").read_text(encoding="utf-8")


SCOPE = "selfeval-report"  # the class of the element that holds a section shown in Jupyter
_SCOPED_STYLE_OPEN = '<style data-selfeval="scoped">'
_SCOPED = re.compile(
    rf'<div class="{SCOPE}">{re.escape(_SCOPED_STYLE_OPEN)}.*?</style>(?P<markup>.*)</div>\Z', re.DOTALL
)
# Selectors of the whole page: in a notebook, the section's own element stands for them; the
# page's body (its width and margins on paper) has no counterpart there.
_PAGE_SELECTORS = {":root", "html"}
_PAGE_ONLY = {"body"}


@cache
def scoped_css() -> str:
    """The report's style sheet for one section among a notebook's outputs: every selector under
    ``:root .selfeval-report`` (``:root`` and ``html`` become it), the page's own rules (``body``,
    ``@page``, ``@media print``) left out."""
    return _scope(tinycss2.parse_stylesheet(css(), skip_comments=True, skip_whitespace=True))


def _scope(rules: list) -> str:
    out = []
    for rule in rules:
        if rule.type == "qualified-rule":
            selectors = [s.strip() for s in tinycss2.serialize(rule.prelude).split(",")]
            kept = [_scope_selector(s) for s in selectors if s.split(" ")[0] not in _PAGE_ONLY]
            if kept:
                out.append(f"{', '.join(kept)} {{{tinycss2.serialize(rule.content)}}}")
        elif rule.type == "at-rule" and rule.lower_at_keyword == "media" and rule.content is not None:
            query = tinycss2.serialize(rule.prelude).strip()
            if query.split()[0].lower() != "print":  # a screen rule still applies in a notebook
                inner = tinycss2.parse_rule_list(rule.content, skip_comments=True, skip_whitespace=True)
                out.append(f"@media {query} {{{_scope(inner)}}}")
    return "\n".join(out)


def _scope_selector(selector: str) -> str:
    # ":root" adds the weight of a class: JupyterLab's own table rules
    # (`:not(.jp-RenderedMarkdown).jp-RenderedHTMLCommon td`) carry two.
    head, _, rest = selector.partition(" ")
    if head in _PAGE_SELECTORS:
        return f":root .{SCOPE} {rest}".rstrip()
    return f":root .{SCOPE} {selector}"


def unscoped(markup: str) -> str:
    """`markup` without the wrapper and style sheet `Html._repr_html_` adds (unchanged if it has none)."""
    match = _SCOPED.match(markup)
    return match.group("markup") if match else markup
