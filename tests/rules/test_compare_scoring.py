"""One definition of "met": values.compare() and the scorer give the same verdict.

Every (target, actual) pair of the bundled 2022 forms and of the parametrize tables of
the values, scoring and narrative tests is read, compared and scored; where compare()
decides, the scorer's attainment says the same; where it cannot, the scorer cannot score
the pair as a quantity either. Qualitative pairs that compare() leaves open are judged by
their words (docs/rules.md §4), so only their restated words are pinned.
"""

from __future__ import annotations

import inspect

import pytest

from selfeval_kit.form.loading import load
from selfeval_kit.form.model import Indicator
from selfeval_kit.rules.profile import load_profile
from selfeval_kit.rules.scoring import Attainment, score_indicator
from selfeval_kit.values import Kind, compare, parse_value
from tests.conftest import DATA_2022
from tests.rules import test_narrative, test_scoring
from tests.values import test_values

NATIONAL = load_profile("national")


def _table_pairs() -> set[tuple[str, str]]:
    """(target, actual) of every parametrize table that has both arguments."""
    pairs = set()
    for module in (test_values, test_scoring, test_narrative):
        for _, function in inspect.getmembers(module, inspect.isfunction):
            for mark in getattr(function, "pytestmark", []):
                if mark.name != "parametrize":
                    continue
                names, rows = mark.args[0], mark.args[1]
                names = [n.strip() for n in names.split(",")] if isinstance(names, str) else list(names)
                if "target" not in names or "actual" not in names:
                    continue
                t, a = names.index("target"), names.index("actual")
                pairs |= {(row[t], row[a]) for row in rows if isinstance(row[t], str) and isinstance(row[a], str)}
    return pairs


def _form_pairs() -> set[tuple[str, str]]:
    return {(i.target, i.actual) for form in load(DATA_2022) for i in form.indicators}


TABLE_PAIRS = sorted(_table_pairs())
FORM_PAIRS = sorted(_form_pairs())


def test_the_pairs_are_collected():
    assert len(TABLE_PAIRS) > 150
    assert len(FORM_PAIRS) == 90
    assert ("=1次", "3次") in TABLE_PAIRS  # the pair of issue 12


@pytest.mark.parametrize(("target", "actual"), FORM_PAIRS + TABLE_PAIRS)
def test_compare_and_scorer_agree(target, actual):
    t = parse_value(target)
    verdict = compare(t, parse_value(actual, role="actual", like=t))
    row = Indicator(level1="产出指标", level2="数量指标", name="指标", target=target, actual=actual, weight=10)
    attainment = score_indicator(row, NATIONAL).attainment
    if verdict.met is True:
        assert attainment is Attainment.MET
    elif verdict.met is False:
        assert attainment in (Attainment.PARTLY, Attainment.NOT_MET)
    elif t.kind is not Kind.QUALITATIVE and not (verdict.reason or "").endswith("actual qualitative"):
        assert attainment is Attainment.UNKNOWN, verdict.reason


@pytest.mark.parametrize(
    ("target", "actual", "attainment", "score"),
    [
        ("=1次", "3次", Attainment.MET, 10),  # "=" is at least
        ("=1次", "1次", Attainment.MET, 10),
        ("=1次", "0次", Attainment.NOT_MET, 0),
        ("=200人", "150人", Attainment.PARTLY, 7.5),
    ],
)
def test_equals_is_at_least_in_both(target, actual, attainment, score):
    t = parse_value(target)
    assert compare(t, parse_value(actual, role="actual", like=t)).met is (attainment is Attainment.MET)
    row = Indicator(level1="产出指标", level2="数量指标", name="指标", target=target, actual=actual, weight=10)
    result = score_indicator(row, NATIONAL)
    assert (result.attainment, result.score_recomputed) == (attainment, score)
