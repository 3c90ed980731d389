"""The public API is exactly what __all__ lists, and each name exists."""

import subprocess
import sys

import pytest

import selfeval_kit

PUBLIC = {
    "__version__", "ATTAINMENT_LABELS", "AnnualGoal", "Attainment", "BuildError", "CHECKS", "DataError",
    "Evaluation", "Finding", "Form", "FormResult", "Funds", "FundsRow", "Indicator", "IndicatorResult",
    "Portfolio", "Problem", "Profile", "ProfileError", "SEVERITY_LABELS", "SelfEvalError", "TotalFundsRow",
    "Value", "builtin_profiles", "compare", "evaluate", "findings_frame", "forms_frame", "indicator_scores_frame",
    "indicators_frame", "load", "load_form", "scores_frame",
    "load_profile", "parse_value", "to_csv", "to_json",
}  # fmt: skip


def test_all_is_the_documented_api():
    assert set(selfeval_kit.__all__) == PUBLIC
    assert len(selfeval_kit.__all__) == len(PUBLIC)


@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_each_name_resolves(name):
    assert getattr(selfeval_kit, name) is not None


def test_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError):
        selfeval_kit.no_such_name  # noqa: B018


def test_exception_hierarchy():
    from selfeval_kit import BuildError, DataError, ProfileError, SelfEvalError

    for exc in (DataError, ProfileError, BuildError):
        assert issubclass(exc, SelfEvalError)


def test_import_is_light():
    code = (
        "import sys, selfeval_kit; print(sorted(m for m in ('pandas', 'matplotlib', 'pydantic') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_module_entry_point_runs():
    result = subprocess.run([sys.executable, "-m", "selfeval_kit", "--version"], capture_output=True, text=True)
    assert result.returncode == 0
    assert selfeval_kit.__version__ in result.stdout
