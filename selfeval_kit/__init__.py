"""selfeval_kit: check, score and report project performance self-evaluation forms (绩效自评表).

The public API is what `__all__` lists; everything else may change. Names are
imported on first use (PEP 562), so `import selfeval_kit` and the CLI start fast
and pandas or matplotlib load only when something needs them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    # errors
    "SelfEvalError": "errors",
    "DataError": "errors",
    "ProfileError": "errors",
    "BuildError": "errors",
    "Problem": "errors",
    # model and loading
    "Form": "model",
    "Funds": "model",
    "FundsRow": "model",
    "TotalFundsRow": "model",
    "AnnualGoal": "model",
    "Indicator": "model",
    "Portfolio": "loading",
    "load": "loading",
    "load_form": "loading",
    # values, rules, scoring, audit
    "Value": "values",
    "parse_value": "values",
    "compare": "values",
    "Profile": "profile",
    "load_profile": "profile",
    "builtin_profiles": "profile",
    "Attainment": "scoring",
    "ATTAINMENT_LABELS": "scoring",
    "FormResult": "scoring",
    "IndicatorResult": "scoring",
    "Finding": "audit",
    "CHECKS": "audit",
    "SEVERITY_LABELS": "audit",
    "Evaluation": "evaluation",
    "evaluate": "evaluation",
    # views and export
    "forms_frame": "frames",
    "indicators_frame": "frames",
    "to_json": "export",
    "to_csv": "export",
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
    from .audit import CHECKS, SEVERITY_LABELS, Finding
    from .errors import BuildError, DataError, Problem, ProfileError, SelfEvalError
    from .evaluation import Evaluation, evaluate
    from .export import to_csv, to_json
    from .frames import forms_frame, indicators_frame
    from .loading import Portfolio, load, load_form
    from .model import AnnualGoal, Form, Funds, FundsRow, Indicator, TotalFundsRow
    from .profile import Profile, builtin_profiles, load_profile
    from .scoring import ATTAINMENT_LABELS, Attainment, FormResult, IndicatorResult
    from .values import Value, compare, parse_value
