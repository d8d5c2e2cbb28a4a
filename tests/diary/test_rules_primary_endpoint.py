"""The week-16 assessment, the exact interval and survival at day 112, as tables."""

from datetime import date

import pytest

from diary.rules.outcomes import visit_date_errors, vital_status_errors
from diary.rules.primary_endpoint import (
    ALIVE,
    CENSORED,
    DEAD,
    NO_ASSESSMENT,
    NON_PROGRESSING,
    ONLY_NE,
    PROGRESSING,
    UNEVALUABLE,
    Assessed,
    assessment_day,
    classify,
    exact_interval,
    nearest_evaluable,
    survival_at,
    window_days,
    window_problems,
)


@pytest.mark.parametrize(("visits", "chosen"), [
    # (study day, response) pairs; the window is days 98-126.
    ([(100, "SD"), (110, "PD")], (110, "PD")),            # nearer 112 wins
    ([(110, "NE"), (120, "SD")], (120, "SD")),            # NE is skipped, even if nearer
    ([(108, "SD"), (116, "PD")], (116, "PD")),            # a tie: the later visit
    ([(97, "CR"), (127, "PD")], None),                    # both just outside the window
    ([(98, "PR"), (60, "SD")], (98, "PR")),               # the window's first day counts
    ([(126, "PD")], (126, "PD")),                         # and its last
    ([(112, "NE")], None),
    ([], None),
])
def test_the_evaluable_assessment_nearest_day_112_in_the_window_is_chosen(visits, chosen):
    assessed = [Assessed(day, response) for day, response in visits]

    found = nearest_evaluable(assessed, 112, 14)

    assert (None if found is None else (found.study_day, found.response)) == chosen


def test_two_assessments_on_one_day_count_the_one_recorded_later():
    found = nearest_evaluable([Assessed(112, "PD", order=2), Assessed(112, "SD", order=1)],
                              112, 14)

    assert found.response == "PD"


@pytest.mark.parametrize(("visits", "outcome", "reason"), [
    ([(112, "CR")], NON_PROGRESSING, None),
    ([(112, "PR")], NON_PROGRESSING, None),
    ([(112, "SD")], NON_PROGRESSING, None),
    ([(112, "PD")], PROGRESSING, None),
    ([(112, "NE"), (105, "NE")], UNEVALUABLE, ONLY_NE),
    ([(50, "PD")], UNEVALUABLE, NO_ASSESSMENT),
    ([], UNEVALUABLE, NO_ASSESSMENT),
])
def test_a_participant_is_non_progressing_progressing_or_not_evaluable(visits, outcome, reason):
    classified = classify([Assessed(day, response) for day, response in visits], 112, 14)

    assert (classified.outcome, classified.reason) == (outcome, reason)


@pytest.mark.parametrize(("k", "n", "low", "high"), [
    # Clopper-Pearson by hand: the upper bound of 3/4 is 0.975 ** (1/4); of 0/n the
    # lower is 0 and the upper 1 - 0.025 ** (1/n); of n/n the lower is 0.025 ** (1/n).
    (3, 4, 0.1941, 0.9937),
    (0, 5, 0.0, 0.5218),
    (5, 5, 0.4782, 1.0),
])
def test_the_interval_is_the_exact_clopper_pearson_one(k, n, low, high):
    found = exact_interval(k, n)

    assert found == (pytest.approx(low, abs=5e-5), pytest.approx(high, abs=5e-5))


def test_no_one_evaluable_has_no_interval():
    assert exact_interval(0, 0) is None


@pytest.mark.parametrize(("dead", "death_day", "alive_day", "status"), [
    (True, 90, None, DEAD),
    (True, 112, 100, DEAD),        # dying on day 112 is not alive at day 112
    (True, 113, 100, ALIVE),
    (False, None, 112, ALIVE),
    (False, None, 140, ALIVE),
    (False, None, 111, CENSORED),
    (False, None, None, CENSORED),
])
def test_survival_at_day_112(dead, death_day, alive_day, status):
    assert survival_at(112, dead=dead, death_day=death_day,
                       last_known_alive_day=alive_day) == status


@pytest.mark.parametrize(("visit", "day"), [
    (date(2026, 3, 1), 1), (date(2026, 6, 20), 112), (date(2026, 2, 28), -1)])
def test_study_days_have_no_day_zero(visit, day):
    assert assessment_day(date(2026, 3, 1), visit) == day


@pytest.mark.parametrize(("definition", "days", "problems"), [
    ({}, 14, []),
    ({"windows": {"primary_assessment_window_days": 7}}, 7, []),
    ({"windows": {"primary_assessment_window_days": -1}}, None, 1),
    ({"windows": {"primary_assessment_window_days": "14"}}, None, 1),
    ({"windows": {"primary_assessment_window_days": True}}, None, 1),
])
def test_the_window_comes_from_the_study_file_with_a_default_of_14(definition, days, problems):
    if days is not None:
        assert window_days(definition) == days
    assert len(window_problems(definition)) == (problems or 0)


ENROLLED, TODAY = date(2026, 3, 1), date(2026, 6, 30)


@pytest.mark.parametrize(("visit", "errors"), [
    (date(2026, 3, 1), set()), (TODAY, set()),
    (date(2026, 2, 28), {"visit_date"}), (date(2026, 7, 1), {"visit_date"})])
def test_a_visit_is_between_enrolment_and_today(visit, errors):
    assert set(visit_date_errors(visit, enrolled_on=ENROLLED, today=TODAY)) == errors


@pytest.mark.parametrize(("status", "death", "alive", "errors"), [
    ("alive", None, date(2026, 6, 1), set()),
    ("alive", None, None, {"last_known_alive_on"}),
    ("alive", date(2026, 6, 1), date(2026, 6, 1), {"death_date"}),
    ("dead", date(2026, 6, 1), None, set()),
    ("dead", date(2026, 6, 1), date(2026, 5, 20), set()),
    ("dead", None, date(2026, 5, 20), {"death_date"}),
    ("dead", date(2026, 6, 1), date(2026, 6, 2), {"last_known_alive_on"}),
    ("dead", date(2026, 2, 1), None, {"death_date"}),
    ("dead", date(2026, 7, 1), None, {"death_date"}),
])
def test_a_vital_status_states_its_dates(status, death, alive, errors):
    found = vital_status_errors(status, death, alive, enrolled_on=ENROLLED, today=TODAY)

    assert set(found) == errors
