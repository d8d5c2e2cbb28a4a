"""The safety rules over symptom reports, each at its edge values, and the advice they give."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from diary.rules.alerts import ALERT_KINDS
from diary.rules.safety import (
    KINDS,
    Baseline,
    SafetyParams,
    Trigger,
    Weighing,
    evaluate,
    safety_params,
    safety_problems,
)
from diary.rules.symptom_advice import advice_action
from diary.rules.symptom_answers import GradedAnswer, SymptomReportInput

DAY = date(2026, 3, 20)
PARAMS = SafetyParams()


def report(**fields) -> SymptomReportInput:
    return SymptomReportInput(**{"client_id": "c", "report_date": DAY, "emergency_visit": False,
                                 "pregnancy": False, **fields})


def answer(item="nausea", grade=None, kg=None, **scores) -> GradedAnswer:
    return GradedAnswer(item, scores, grade=grade, kg=kg)


def fired(answers=(), baselines=None, weighings=(), params=PARAMS, **fields):
    triggers = evaluate(report(**fields), list(answers), baselines=baselines or {},
                        weighings=list(weighings), params=params)
    return [(t.kind, t.item) for t in triggers]


def test_every_kind_the_rules_raise_is_a_registered_alert_kind():
    assert set(KINDS) <= set(ALERT_KINDS)
    assert {ALERT_KINDS[k].urgency for k in ("severe_symptom", "emergency_visit",
                                             "pregnancy")} == {"urgent"}
    assert {ALERT_KINDS[k].urgency for k in ("symptom_high", "symptom_worse", "weight_gain",
                                             "other_symptoms")} == {"routine"}
    assert all(len(kind) <= 30 for kind in KINDS)


@pytest.mark.parametrize(("grade", "expected"), [
    (0, []), (2, []), (3, [("severe_symptom", "nausea")])])
def test_composite_grade_3_on_an_item_is_urgent(grade, expected):
    assert fired([answer(grade=grade, frequency=1, severity=2)]) == expected


@pytest.mark.parametrize(("scores", "grade", "expected"), [
    ({"frequency": 2, "severity": 2}, 2, []),
    ({"frequency": 3, "severity": 0}, 1, [("symptom_high", "nausea")]),
    ({"frequency": 1, "severity": 4}, 2, [("symptom_high", "nausea")]),
    # Grade 3 is already urgent: not also "high".
    ({"frequency": 3, "severity": 3}, 3, [("severe_symptom", "nausea")]),
])
def test_an_attribute_of_3_or_4_below_grade_3_is_routine(scores, grade, expected):
    assert fired([answer(grade=grade, **scores)]) == expected


@pytest.mark.parametrize(("baseline", "now", "expected"), [
    ({"severity": 0}, {"severity": 1}, []),
    ({"severity": 0}, {"severity": 2}, [("symptom_worse", "periorbital_oedema")]),
    ({"severity": 1}, {"severity": 2}, []),
    ({"severity": 2}, {"severity": 0}, []),
])
def test_two_points_worse_than_the_baseline_is_routine(baseline, now, expected):
    baselines = {"periorbital_oedema": Baseline(7, baseline)}
    assert fired([answer("periorbital_oedema", grade=now["severity"], **now)],
                 baselines=baselines) == expected


def test_worse_names_the_attributes_and_the_baseline_report():
    baselines = {"nausea": Baseline(7, {"frequency": 0, "severity": 0})}
    (trigger,) = evaluate(report(), [answer(grade=2, frequency=2, severity=1)],
                          baselines=baselines, weighings=[], params=PARAMS)
    assert trigger.details == {"item": "nausea", "scores": {"frequency": 2, "severity": 1},
                               "grade": 2, "worse": ["frequency"], "baseline_report_id": 7,
                               "baseline": {"frequency": 0, "severity": 0}}


def test_no_baseline_means_this_is_the_baseline_and_nothing_is_worse():
    assert fired([answer(grade=2, frequency=2, severity=2)]) == []


def test_an_item_at_grade_3_raises_no_routine_worse_beside_its_urgent_alert():
    baselines = {"nausea": Baseline(7, {"frequency": 0, "severity": 0})}
    assert fired([answer(grade=3, frequency=4, severity=4)], baselines=baselines) == [
        ("severe_symptom", "nausea")]


def weighing(days_before: int, kg: str, report_id: int = 1) -> Weighing:
    return Weighing(report_id, DAY - timedelta(days=days_before), Decimal(kg))


@pytest.mark.parametrize(("now", "weighings", "expected"), [
    ("61.99", [weighing(3, "60.00")], []),
    ("62.00", [weighing(3, "60.00")], [("weight_gain", "weight_kg")]),
    ("62.00", [weighing(7, "60.00")], [("weight_gain", "weight_kg")]),
    ("62.00", [weighing(8, "60.00")], []),
    ("62.00", [weighing(0, "60.00")], [("weight_gain", "weight_kg")]),
    # The lowest of the window counts, not the last.
    ("62.50", [weighing(5, "60.50"), weighing(1, "62.00")], [("weight_gain", "weight_kg")]),
    ("62.50", [], []),
])
def test_two_kg_above_the_lowest_of_the_previous_7_days_is_routine(now, weighings, expected):
    assert fired([answer("weight_kg", kg=Decimal(now))], weighings=weighings) == expected


def test_weight_gain_names_the_lowest_weight_and_its_report():
    (trigger,) = evaluate(report(), [answer("weight_kg", kg=Decimal("63.5"))],
                          baselines={}, weighings=[weighing(2, "61.0", 4), weighing(1, "61.2", 5)],
                          params=PARAMS)
    assert trigger.details == {"item": "weight_kg", "kg": 63.5, "lowest_kg": 61,
                               "lowest_report_id": 4}


@pytest.mark.parametrize(("text", "expected"), [
    (None, []), ("", []), ("  \n", []), ("dizzy", [("other_symptoms", None)])])
def test_free_text_is_routine_and_never_in_the_details(text, expected):
    assert fired(other_symptoms=text) == expected
    triggers = evaluate(report(other_symptoms=text), [], baselines={}, weighings=[],
                        params=PARAMS)
    assert all(t.details == {} for t in triggers)


def test_an_emergency_visit_and_a_pregnancy_are_urgent():
    assert fired(emergency_visit=True) == [("emergency_visit", None)]
    assert fired(pregnancy=True, pregnancy_of="partner") == [("pregnancy", None)]
    assert fired() == []


def test_the_thresholds_come_from_the_study_file():
    params = safety_params({"safety": {"severe_grade": 2, "high_score": 4, "worse_by": 3,
                                       "weight_gain_kg": 1.5, "weight_window_days": 3}})
    assert params == SafetyParams(2, 4, 3, Decimal("1.5"), 3)
    assert safety_params({}) == SafetyParams(3, 3, 2, Decimal(2), 7)
    assert fired([answer(grade=2, frequency=2, severity=2)], params=params) == [
        ("severe_symptom", "nausea")]
    assert fired([answer("weight_kg", kg=Decimal("61.5"))], weighings=[weighing(3, "60")],
                 params=params) == [("weight_gain", "weight_kg")]
    assert fired([answer("weight_kg", kg=Decimal("61.5"))], weighings=[weighing(4, "60")],
                 params=params) == []


@pytest.mark.parametrize(("safety", "problem"), [
    ({"severe_grade": 4}, "severe_grade: a whole number from 1 to 3."),
    ({"high_score": 0}, "high_score: a whole number from 1 to 4."),
    ({"worse_by": "2"}, "worse_by: a whole number from 1 to 4."),
    ({"weight_window_days": True}, "weight_window_days: a whole number from 1 to 90."),
    ({"weight_gain_kg": 0}, "weight_gain_kg: more than 0 and at most 50."),
    ({"weight_gain_kg": "lots"}, "weight_gain_kg: more than 0 and at most 50."),
    ({"gain": 2}, "Unknown setting: gain."),
])
def test_a_study_file_with_unusable_thresholds_is_refused(safety, problem):
    assert safety_problems({"safety": safety}) == [problem]


@pytest.mark.parametrize(("kinds", "grades", "action"), [
    (["severe_symptom", "symptom_high"], [("nausea", 3)], "contact_now"),
    (["emergency_visit"], [], "contact_now"),
    (["pregnancy"], [], "contact_now"),
    (["symptom_worse"], [("nausea", 1)], "team_will_review"),
    (["other_symptoms"], [], "team_will_review"),
    ([], [("nausea", 1), ("weight_kg", None)], "self_care"),
    ([], [("nausea", 2)], "self_care"),
    ([], [("nausea", 0), ("weight_kg", None)], "recorded"),
    ([], [], "recorded"),
])
def test_the_answer_says_contact_now_for_urgent_review_for_routine_self_care_for_mild(
        kinds, grades, action):
    triggers = [Trigger(kind, None, {}) for kind in kinds]
    assert advice_action(triggers, grades, PARAMS) == action
