"""selfeval_kit: check, score and report project performance self-evaluation forms (绩效自评表).

The public API is what `__all__` lists; everything else may change.
"""

from __future__ import annotations

__version__ = "0.1.0"

from .errors import BuildError, DataError, Problem, ProfileError, SelfEvalError
from .export import to_csv, to_json
from .frames import forms_frame, indicators_frame
from .loading import Portfolio, load, load_form
from .model import AnnualGoal, Form, Funds, FundsRow, Indicator, TotalFundsRow

__all__ = [
    "__version__",
    "AnnualGoal",
    "BuildError",
    "DataError",
    "Form",
    "Funds",
    "FundsRow",
    "Indicator",
    "Portfolio",
    "Problem",
    "ProfileError",
    "SelfEvalError",
    "TotalFundsRow",
    "forms_frame",
    "indicators_frame",
    "load",
    "load_form",
    "to_csv",
    "to_json",
]
