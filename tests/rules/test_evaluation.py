"""`Evaluation.form`: a form's result by its id, in a portfolio of any size."""

from __future__ import annotations

import dataclasses

import pytest

from selfeval_kit import evaluate
from selfeval_kit.rules.evaluation import Evaluation
from tests.conftest import DATA_2022


@pytest.fixture(scope="module")
def ev2022():
    return evaluate(DATA_2022)


@pytest.mark.parametrize(
    ("form_id", "position"), [("hotline-system-ops", 0), ("base-info-system-ops", 2), ("resource-talent-platform", 10)]
)
def test_a_form_is_found_by_its_id(ev2022, form_id, position):
    assert ev2022.form(form_id) is ev2022.forms[position]


def test_an_unknown_id_is_a_key_error(ev2022):
    with pytest.raises(KeyError, match="no form with id 'nope'"):
        ev2022.form("nope")


def test_of_two_forms_with_one_id_the_first_is_found(ev2022):
    first, second = ev2022.forms[3], ev2022.forms[4]
    twin = dataclasses.replace(second, form=second.form.model_copy(update={"id": first.form.id}))
    ev = Evaluation(ev2022.profile, [ev2022.forms[0], first, twin], [])
    assert ev.form(first.form.id) is first


def test_a_form_added_after_a_lookup_is_found(ev2022):
    ev = Evaluation(ev2022.profile, list(ev2022.forms[:2]), [])
    assert ev.form(ev2022.forms[1].form.id) is ev2022.forms[1]
    ev.forms.insert(0, ev2022.forms[5])
    ev.forms.append(ev2022.forms[6])
    assert ev.form(ev2022.forms[6].form.id) is ev2022.forms[6]
    assert ev.form(ev2022.forms[1].form.id) is ev2022.forms[1]
