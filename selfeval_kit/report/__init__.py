"""Report sections (HTML through jinja2 templates) and charts (inline SVG, `report.svg` and
`report.bars`): what the notebooks display and the build publishes.

* `ProjectReport` (`report.project`) and `AnnualReport` (`report.annual`): the sections of the
  two reports (docs/reports.md); what they say is computed in `selfeval_kit.views`.
* `Html` (`report.html`): a rendered section; `render_index` (`report.index`): the build's index
  page; `SEVERITY_ORDER`: the order findings are listed and counted in.

`ProjectReport` and `AnnualReport` are imported on first use (PEP 562): the build's own process
(titles, the index page) does not need their modules (the views, the charts, some 0.05 s).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from selfeval_kit.report.html import Html
from selfeval_kit.report.index import render_index
from selfeval_kit.views.marks import SEVERITY_ORDER

if TYPE_CHECKING:
    from selfeval_kit.report.annual import AnnualReport
    from selfeval_kit.report.project import ProjectReport

__all__ = ["SEVERITY_ORDER", "AnnualReport", "Html", "ProjectReport", "render_index"]

_LAZY = {"ProjectReport": "selfeval_kit.report.project", "AnnualReport": "selfeval_kit.report.annual"}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
