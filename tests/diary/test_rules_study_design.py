"""The study file's minimum age and arm, with their defaults and checks."""

import pytest

from diary.rules.study_design import (
    DEFAULT_MIN_AGE_YEARS,
    Arm,
    age_errors,
    design_problems,
    min_age_years,
    study_arm,
)


@pytest.mark.parametrize(("age", "minimum", "refused"), [
    (9, 10, True), (10, 10, False), (64, 10, False), (17, 18, True), (0, 0, False)])
def test_an_age_below_the_minimum_is_refused(age, minimum, refused):
    assert bool(age_errors(age, minimum)) is refused


def test_a_study_without_a_minimum_age_enrols_adults_only():
    assert (min_age_years({}), min_age_years({"min_age_years": 10})) == (
        DEFAULT_MIN_AGE_YEARS, 10)
    assert DEFAULT_MIN_AGE_YEARS == 18


def test_the_arm_defaults_to_the_drug():
    assert study_arm({"drug": {"name": "imatinib"}}) == Arm("IMATINIB", "IMATINIB")
    assert study_arm({"arm": {"code": "A", "name": "Arm A"}}) == Arm("A", "Arm A")


@pytest.mark.parametrize(("definition", "key"), [
    ({"min_age_years": -1}, "min_age_years"),
    ({"min_age_years": "10"}, "min_age_years"),
    ({"min_age_years": True}, "min_age_years"),
    ({"arm": {"code": "X" * 21, "name": "Long code"}}, "arm"),
    ({"arm": {"code": "A", "name": "Imatinib 400 mg 매일"}}, "arm"),
    ({"arm": "IMA"}, "arm"),
])
def test_a_bad_minimum_age_or_arm_is_named(definition, key):
    assert key in design_problems(definition)


def test_the_shipped_values_pass():
    assert design_problems({"min_age_years": 10, "arm": {"code": "IMA400",
                                                         "name": "Imatinib 400 mg QD"}}) == {}
