from __future__ import annotations

import pytest

from selfeval_kit import forms_frame, indicators_frame, load
from tests.conftest import DATA_2022


@pytest.fixture(scope="module")
def portfolio():
    return load(DATA_2022)


def test_forms_frame_one_row_per_form(portfolio):
    frame = forms_frame(portfolio)
    assert len(frame) == 11
    row = frame.loc["resource-sharing-research"]
    assert (row["budget_initial"], row["budget_final"], row["executed"]) == (5102000, 4122000, 4120500)
    assert row["execution_rate_text"] == "99.97%"
    assert (row["budget_score_reported"], row["score_reported"]) == (10, 100)
    assert "execution_rate" not in frame.columns  # the recomputed rate lives in scores_frame only
    assert row["appropriation_executed"] == 4120500
    assert pd_isnull(row["carryover_budget_initial"])
    assert row["indicator_count"] == 18
    assert row["indicator_weight"] == 90


def test_indicators_frame_one_row_per_indicator(portfolio):
    frame = indicators_frame(portfolio)
    assert len(frame) == 144
    assert frame.groupby("form_id")["weight"].sum().eq(90).all()
    row = frame[(frame.form_id == "foreigner-work-service") & (frame.position == 10)].iloc[0]
    assert (row["name"], row["target"], row["actual"]) == ("集聚国际人才水平", "全国前3", "全国第1")


def pd_isnull(value) -> bool:
    import pandas as pd

    return bool(pd.isna(value))


def test_findings_position_is_a_nullable_integer():
    from selfeval_kit import evaluate, findings_frame

    frame = findings_frame(evaluate(DATA_2022))
    assert str(frame["position"].dtype) == "Int64"
    assert frame["position"].isna().any() and frame["position"].notna().any()


def test_a_name_means_one_thing_across_the_frames(portfolio):
    from selfeval_kit import evaluate, scores_frame

    forms, scores = forms_frame(portfolio), scores_frame(evaluate(DATA_2022))
    shared = sorted(set(forms.columns) & set(scores.columns))
    row = "resource-sharing-research"
    assert [c for c in shared if forms.loc[row, c] != scores.loc[row, c]] == []
