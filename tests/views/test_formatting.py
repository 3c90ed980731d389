"""Numbers and signs as the report prints them (hand-written cases)."""

from __future__ import annotations

import pytest

from selfeval_kit.views.formatting import sign_text


@pytest.mark.parametrize(
    ("typed", "printed"),
    [
        (">=700家", "≥700家"),
        ("<=2秒", "≤2秒"),
        ("=>90%", "≥90%"),
        ("≥95%", "≥95%"),
        ("<2秒", "<2秒"),
        ("=200人", "=200人"),
        ("完善", "完善"),
        (None, ""),
    ],
)
def test_sign_text_prints_the_forms_signs(typed, printed):
    assert sign_text(typed) == printed
