"""HTML sections: the `Html` type Jupyter displays, and the jinja2 templates that produce it.

Every section is rendered by a template in `selfeval_kit/report/templates/` with autoescape on,
so any text that comes from a form (names, targets, notes) is shown as text, never as markup.
Every template sees the status and severity marks (`STATUS`, `SEVERITY`, `STATUS_ORDER`), so
that a colour always comes with its symbol and word.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2

from selfeval_kit.views.marks import SEVERITY, STATUS, STATUS_ORDER

__all__ = ["ENV", "TEMPLATES_DIR", "Html", "css", "marks", "render"]

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"

ENV = jinja2.Environment(
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
    >>> str(section), section._repr_html_()
    ('<p>x</p>', '<p>x</p>')
    >>> str(section + "<p>y</p>")
    '<p>x</p><p>y</p>'
    """

    def __init__(self, markup: str):
        self.markup = str(markup)

    def _repr_html_(self) -> str:
        return self.markup

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
