"""A report's answers checked against the study's items, zero imputation and grading."""

from datetime import date
from decimal import Decimal

import pytest

from diary.operations.studies import default_study_file, parse_definition
from diary.rules.symptom_answers import (
    AnswerInput,
    SymptomReportInput,
    answers_errors,
    body_sha256,
    grade_answer,
    report_errors,
)
from diary.rules.symptom_items import catalogue

ITEMS = catalogue(parse_definition(default_study_file("NCT02495519").read_bytes()))
ENROLLED, TODAY = date(2026, 3, 1), date(2026, 3, 5)


def report(**fields) -> SymptomReportInput:
    return SymptomReportInput(**{"client_id": "c1", "report_date": TODAY,
                                 "emergency_visit": False, "pregnancy": False, **fields})


def errors_of(item: str, **values) -> dict:
    return answers_errors([AnswerInput(item, values)], ITEMS).get(0, {})


@pytest.mark.parametrize(("item", "values"), [
    ("nausea", {"frequency": 2, "severity": 1}),
    ("nausea", {"frequency": 0}),
    ("nausea", {"frequency": 0, "severity": 0}),
    ("diarrhea", {"frequency": 4}),
    ("fatigue", {"severity": 0}),
    ("pain_in_abdomen", {"frequency": 0, "interference": 0}),
    ("pain_in_abdomen", {"frequency": 1, "severity": 0, "interference": 0}),
    ("rash", {"presence": True}),
    ("rash", {"presence": False}),
    ("muscle_cramps", {"frequency": 3, "severity": 2}),
    ("periorbital_oedema", {"severity": 4}),
    ("weight_kg", {"kg": Decimal("20")}),
    ("weight_kg", {"kg": Decimal("300")}),
    ("weight_kg", {"kg": 61}),
])
def test_answers_with_the_items_own_attributes_are_accepted(item, values):
    assert errors_of(item, **values) == {}


@pytest.mark.parametrize(("item", "values", "field", "message"), [
    ("nausea", {"frequency": 2, "interference": 1}, "interference",
     "nausea has no interference; it has frequency, severity."),
    ("diarrhea", {"frequency": 2, "severity": 1}, "severity",
     "diarrhea has no severity; it has frequency."),
    ("rash", {"presence": True, "severity": 2}, "severity",
     "rash has no severity; it has presence."),
    ("weight_kg", {"kg": Decimal(60), "severity": 0}, "severity",
     "weight_kg has no severity; it has kg."),
    ("nausea", {"frequency": 5, "severity": 1}, "frequency",
     "Must be a whole number from 0 to 4."),
    ("nausea", {"frequency": -1, "severity": 1}, "frequency",
     "Must be a whole number from 0 to 4."),
    ("nausea", {"frequency": True, "severity": 1}, "frequency",
     "Must be a whole number from 0 to 4."),
    ("rash", {"presence": 1}, "presence", "Must be true or false."),
    ("nausea", {"severity": 1}, "frequency", "Required."),
    ("nausea", {"frequency": 1}, "severity", "Required unless frequency is 0."),
    ("nausea", {"frequency": 0, "severity": 1}, "severity",
     "Must be 0 (or left out) when frequency is 0."),
    ("fatigue", {"severity": 0, "interference": 2}, "interference",
     "Must be 0 (or left out) when severity is 0."),
    ("pain_in_abdomen", {"frequency": 2, "severity": 1}, "interference",
     "Required unless frequency is 0."),
    ("weight_kg", {"kg": Decimal("19.99")}, "kg", "Must be from 20 to 300 kg."),
    ("weight_kg", {"kg": Decimal("300.01")}, "kg", "Must be from 20 to 300 kg."),
    ("weight_kg", {}, "kg", "Required."),
])
def test_an_answer_that_does_not_fit_its_item_names_the_field(item, values, field, message):
    assert errors_of(item, **values)[field] == [message]


def test_an_unknown_item_and_an_item_answered_twice_are_named_by_position():
    errors = answers_errors([AnswerInput("nausea", {"frequency": 0}),
                             AnswerInput("hiccups", {"frequency": 1}),
                             AnswerInput("nausea", {"frequency": 0})], ITEMS)
    assert set(errors) == {1, 2}
    assert errors[1]["item"][0].startswith("Not an item of this study: decreased_appetite, ")
    assert errors[2] == {"item": ["Answered twice in one report."]}


@pytest.mark.parametrize(("item", "values", "scores", "imputed", "grade"), [
    ("nausea", {"frequency": 0}, {"frequency": 0, "severity": 0}, {"severity"}, 0),
    ("nausea", {"frequency": 0, "severity": 0}, {"frequency": 0, "severity": 0}, set(), 0),
    ("pain_in_abdomen", {"frequency": 0},
     {"frequency": 0, "severity": 0, "interference": 0}, {"severity", "interference"}, 0),
    ("fatigue", {"severity": 0}, {"severity": 0, "interference": 0}, {"interference"}, 0),
    ("nausea", {"frequency": 4, "severity": 4}, {"frequency": 4, "severity": 4}, set(), 3),
    ("muscle_cramps", {"frequency": 1, "severity": 3}, {"frequency": 1, "severity": 3},
     set(), 2),
    ("periorbital_oedema", {"severity": 2}, {"severity": 2}, set(), 2),
    ("rash", {"presence": True}, {"presence": 1}, set(), 1),
    ("rash", {"presence": False}, {"presence": 0}, set(), 0),
])
def test_zero_imputation_scores_the_rest_0_and_marks_them(item, values, scores, imputed, grade):
    graded = grade_answer(AnswerInput(item, values), ITEMS[item])
    assert (graded.scores, graded.imputed, graded.grade) == (scores, imputed, grade)


def test_a_weight_is_kept_in_kg_without_a_grade():
    graded = grade_answer(AnswerInput("weight_kg", {"kg": Decimal("61.40")}), ITEMS["weight_kg"])
    assert (graded.kg, graded.grade, graded.scores) == (Decimal("61.40"), None, {})


@pytest.mark.parametrize(("day", "problem"), [
    (date(2026, 3, 6), "Must not be after today (2026-03-05) in your time zone."),
    (date(2026, 2, 28), "Must not be before enrolment (2026-03-01)."),
])
def test_a_report_dated_outside_the_diary_is_refused(day, problem):
    errors = report_errors(report(report_date=day), ITEMS, enrolled_on=ENROLLED,
                           local_today=TODAY)
    assert errors == {"report_date": [problem]}


@pytest.mark.parametrize("day", [ENROLLED, TODAY])
def test_a_report_dated_from_enrolment_to_today_is_accepted(day):
    assert report_errors(report(report_date=day), ITEMS, enrolled_on=ENROLLED,
                         local_today=TODAY) == {}


@pytest.mark.parametrize(("fields", "errors"), [
    ({"pregnancy": True, "pregnancy_of": "self", "pregnancy_date": TODAY}, {}),
    ({"pregnancy": True, "pregnancy_of": "partner", "pregnancy_date": date(2025, 12, 1)}, {}),
    ({"pregnancy": True}, {"pregnancy_of": ["Required with a pregnancy: self, partner."],
                           "pregnancy_date": ["Required with a pregnancy: the day it was "
                                              "found."]}),
    ({"pregnancy": True, "pregnancy_of": "self", "pregnancy_date": date(2026, 3, 6)},
     {"pregnancy_date": ["Must not be after today (2026-03-05)."]}),
    ({"pregnancy": False, "pregnancy_of": "self"},
     {"pregnancy_of": ["Only when pregnancy is true."]}),
    ({"pregnancy": False, "pregnancy_date": TODAY},
     {"pregnancy_date": ["Only when pregnancy is true."]}),
])
def test_a_pregnancy_says_whose_and_when(fields, errors):
    assert report_errors(report(**fields), ITEMS, enrolled_on=ENROLLED,
                         local_today=TODAY) == errors


def test_the_same_answers_in_another_order_are_the_same_report():
    first = report(items=[AnswerInput("nausea", {"frequency": 1, "severity": 1}),
                          AnswerInput("weight_kg", {"kg": Decimal("61.5")})])
    second = report(items=[AnswerInput("weight_kg", {"kg": Decimal("61.50")}),
                           AnswerInput("nausea", {"severity": 1, "frequency": 1})])
    changed = report(items=[AnswerInput("nausea", {"frequency": 1, "severity": 2})])
    assert body_sha256(first, source="app") == body_sha256(second, source="app")
    assert body_sha256(first, source="app") != body_sha256(changed, source="app")
    assert body_sha256(first, source="app") != body_sha256(first, source="staff",
                                                           staff_reason="By phone")
