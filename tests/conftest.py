from __future__ import annotations

from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
DATA_2022 = ROOT / "data" / "2022"


@pytest.fixture
def minimal_data() -> dict:
    """The hand-made minimal form as a plain dict, to be broken by a test."""
    return yaml.safe_load((FIXTURES / "minimal.yaml").read_text(encoding="utf-8"))


@pytest.fixture
def write_form(tmp_path):
    """Write a dict (or raw text/bytes) as a form file in tmp_path; returns its path."""

    def write(content, name: str = "form.yaml") -> Path:
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        elif isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        else:
            path.write_text(yaml.safe_dump(content, allow_unicode=True, sort_keys=False), encoding="utf-8")
        return path

    return write
