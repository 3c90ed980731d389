"""selfeval_kit: check, score and report project performance self-evaluation forms (绩效自评表).

The public API is what `__all__` lists; everything else may change. Names are
imported on first use (PEP 562), so `import selfeval_kit` and the CLI start fast
and pandas or pydantic load only when something needs them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from selfeval_kit.version import __version__

_EXPORTS: dict[str, str] = {
    # errors
    "SelfEvalError": "errors",
    "DataError": "errors",
    "ProfileError": "errors",
    "BuildError": "errors",
    "Problem": "errors",
    # model and loading
    "Form": "form.model",
    "Funds": "form.model",
    "FundsRow": "form.model",
    "TotalFundsRow": "form.model",
    "AnnualGoal": "form.model",
    "Indicator": "form.model",
    "Portfolio": "form.loading",
    "load": "form.loading",
    "load_form": "form.loading",
    # values, rules, scoring, audit
    "Value": "values",
    "parse_value": "values",
    "compare": "values",
    "Profile": "rules.profile",
    "load_profile": "rules.profile",
    "builtin_profiles": "rules.profile",
    "Attainment": "rules.scoring",
    "ATTAINMENT_LABELS": "rules.scoring",
    "FormResult": "rules.scoring",
    "IndicatorResult": "rules.scoring",
    "Finding": "rules.findings",
    "CHECKS": "rules.findings",
    "SEVERITY_LABELS": "rules.findings",
    "Evaluation": "rules.evaluation",
    "evaluate": "rules.evaluation",
    # views and export
    "forms_frame": "views.frames",
    "indicators_frame": "views.frames",
    "scores_frame": "views.frames",
    "indicator_scores_frame": "views.frames",
    "findings_frame": "views.frames",
    "to_json": "form.export",
    "to_csv": "form.export",
}

__all__ = ["__version__", *sorted(_EXPORTS)]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'selfeval_kit' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))


if TYPE_CHECKING:  # for type checkers and IDEs
    from selfeval_kit.errors import BuildError, DataError, Problem, ProfileError, SelfEvalError
    from selfeval_kit.form.export import to_csv, to_json
    from selfeval_kit.form.loading import Portfolio, load, load_form
    from selfeval_kit.form.model import AnnualGoal, Form, Funds, FundsRow, Indicator, TotalFundsRow
    from selfeval_kit.rules.evaluation import Evaluation, evaluate
    from selfeval_kit.rules.findings import CHECKS, SEVERITY_LABELS, Finding
    from selfeval_kit.rules.profile import Profile, builtin_profiles, load_profile
    from selfeval_kit.rules.scoring import ATTAINMENT_LABELS, Attainment, FormResult, IndicatorResult
    from selfeval_kit.values import Value, compare, parse_value
    from selfeval_kit.views.frames import (
        findings_frame,
        forms_frame,
        indicator_scores_frame,
        indicators_frame,
        scores_frame,
    )
