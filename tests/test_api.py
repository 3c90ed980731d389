"""The public API is exactly what __all__ lists, and each name exists."""

import selfeval_kit


def test_all_names_exist():
    for name in selfeval_kit.__all__:
        assert hasattr(selfeval_kit, name), name


def test_exception_hierarchy():
    from selfeval_kit import BuildError, DataError, ProfileError, SelfEvalError

    for exc in (DataError, ProfileError, BuildError):
        assert issubclass(exc, SelfEvalError)


def test_module_entry_point_runs():
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "selfeval_kit", "--version"], capture_output=True, text=True)
    assert result.returncode == 0
    assert selfeval_kit.__version__ in result.stdout
