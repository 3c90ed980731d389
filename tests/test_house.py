"""The shape of the package: layers, sizes and imports that the developers' guide asks for."""

from __future__ import annotations

import ast
import shutil
import subprocess
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "selfeval_kit"
MAX_MODULE_LINES = 700
MAX_FUNCTION_LINES = 80
LEGACY: set[str] = set()  # modules exempt from the limits while being replaced (none left)


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def _rel(path: Path) -> str:
    return path.relative_to(PACKAGE).as_posix()


@pytest.mark.parametrize("path", _modules(), ids=_rel)
def test_module_size(path):
    if _rel(path) in LEGACY:
        pytest.skip("legacy reader, replaced by the importer rewrite")
    assert path.read_text(encoding="utf-8").count("\n") <= MAX_MODULE_LINES


@pytest.mark.parametrize("path", _modules(), ids=_rel)
def test_function_size(path):
    if _rel(path) in LEGACY:
        pytest.skip("legacy reader, replaced by the importer rewrite")
    tree = ast.parse(path.read_text(encoding="utf-8"))
    long = [
        f"{node.name} ({node.end_lineno - node.lineno + 1} lines, line {node.lineno})"
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert long == []


@pytest.mark.parametrize("path", [p for p in _modules() if _rel(p) not in ("__init__.py", "__main__.py")], ids=_rel)
def test_no_module_imports_the_package_facade(path):
    """Modules import the module that defines a name, never `selfeval_kit` itself (the facade sits on top)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    facade = [
        node.lineno
        for node in ast.walk(tree)
        if (isinstance(node, ast.Import) and any(a.name == "selfeval_kit" for a in node.names))
        or (isinstance(node, ast.ImportFrom) and node.module == "selfeval_kit" and node.level == 0)
        or (isinstance(node, ast.ImportFrom) and node.level > 0 and not node.module)
    ]
    assert facade == []


@pytest.mark.skipif(
    shutil.which("lint-imports") is None, reason="import-linter is not installed (pip install -e '.[test]')"
)
def test_layers_contract_is_kept():
    """The import-linter contract in .importlinter: imports only go down the layers."""
    root = PACKAGE.parent
    done = subprocess.run(["lint-imports"], cwd=root, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "BROKEN" not in done.stdout


def test_layers_contract_names_every_subpackage():
    """A new subpackage must take its place in the layers, or the contract would not see it."""
    text = (PACKAGE.parent / ".importlinter").read_text(encoding="utf-8")
    subpackages = {p.parent.name for p in PACKAGE.glob("*/__init__.py")}
    modules = {p.stem for p in PACKAGE.glob("*.py")} - {"__init__", "__main__"}
    missing = sorted(name for name in subpackages | modules if f"selfeval_kit.{name}" not in text)
    assert missing == []
