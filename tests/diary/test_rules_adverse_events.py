"""The rules of an adverse event's record, as plain values."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from diary.rules import adverse_events as rules
from diary.rules.adverse_events import EventFacts, Term
from diary.rules.partial_dates import parse_partial_date

ENROLLED, TODAY = date(2026, 3, 1), date(2026, 3, 20)
NOW = datetime(2026, 3, 20, 3, tzinfo=UTC)  # noon in Seoul
TERMS = {"Nausea": Term("Nausea", "10028813"), "Periorbital edema": Term("Periorbital edema",
                                                                         None)}


def facts(**fields) -> EventFacts:
    values = {"ctcae_term": "Nausea", "verbatim_term": None, "grade": 2, "seriousness": (),
              "onset": "2026-03-14", "end": None, "outcome": "recovering",
              "relatedness": "possible", "action": "none"} | fields
    for name in ("onset", "end"):
        if isinstance(values[name], str):
            values[name] = parse_partial_date(values[name])
    return EventFacts(**values)


def errors(event: EventFacts) -> dict:
    return rules.event_errors(event, TERMS, enrolled_on=ENROLLED, today=TODAY, now=NOW,
                              timezone="Asia/Seoul")


@pytest.mark.parametrize(
    ("onset", "end", "fields"),
    [
        # Onset: not before enrolment (1 March) nor after today (20 March), at its precision.
        ("2026-03-01", None, set()),
        ("2026-02-28", None, {"onset_date"}),
        ("2026-03", None, set()),  # March holds 1 March
        ("2026-02", None, {"onset_date"}),
        ("2026", None, set()),
        ("2025", None, {"onset_date"}),
        ("2026-03-20", None, set()),
        ("2026-03-21", None, {"onset_date"}),
        ("2026-04", None, {"onset_date"}),
        ("2027", None, {"onset_date"}),
        # End: not before the onset, at their common precision; not after today.
        ("2026-03-14", "2026-03-14", set()),
        ("2026-03-14", "2026-03-13", {"end_date"}),
        ("2026-03-14", "2026-03", set()),
        ("2026-03", "2026-03-02", set()),
        ("2026-03-14", "2026-02", {"end_date"}),
        ("2026-03", "2026", set()),
        ("2026-03-14", "2026-03-21", {"end_date"}),
        ("2026-03-14", "2026-03-20", set()),
    ],
)
def test_onset_and_end_are_checked_at_their_own_precision(onset, end, fields):
    found = rules.date_errors(facts(onset=onset, end=end), enrolled_on=ENROLLED, today=TODAY)
    assert set(found) == fields


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({}, set()),
        ({"ctcae_term": "Periorbital edema"}, set()),  # listed, with no code
        ({"ctcae_term": "nausea"}, {"ctcae_term"}),  # the list's spelling, exactly
        ({"ctcae_term": None, "verbatim_term": "Hiccups"}, set()),
        ({"ctcae_term": None, "verbatim_term": "NAUSEA"}, {"verbatim_term"}),
        ({"verbatim_term": "Hiccups"}, {"ctcae_term", "verbatim_term"}),
        ({"ctcae_term": None}, {"ctcae_term", "verbatim_term"}),
    ],
)
def test_one_term_either_from_the_list_or_verbatim(fields, expected):
    assert set(rules.term_errors(facts(**fields), TERMS)) == expected


@pytest.mark.parametrize(
    ("grade", "outcome", "seriousness", "expected"),
    [
        (4, "not_recovered", ("life_threatening",), set()),
        (5, "fatal", ("death",), set()),
        (5, "not_recovered", (), {"grade"}),
        (4, "fatal", ("death",), {"grade"}),
        (5, "fatal", ("hospitalisation",), {"seriousness"}),
        (3, "recovered", ("death",), {"seriousness"}),
    ],
)
def test_grade_5_a_fatal_outcome_and_death_go_together(grade, outcome, seriousness, expected):
    event = facts(grade=grade, outcome=outcome, seriousness=seriousness)
    assert set(rules.consistency_errors(event)) == expected


MARCH = {name: date(2026, 3, day) for name, day in (("d13", 13), ("d14", 14), ("d15", 15))}


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"action": "none"}, set()),
        ({"action": "withdrawn"}, set()),
        ({"action": "dose_reduced", "new_dose_mg": Decimal(300), "new_dose_from": MARCH["d15"]},
         set()),
        ({"action": "dose_reduced", "new_dose_mg": Decimal(300)}, {"new_dose_from"}),
        ({"action": "dose_reduced", "new_dose_from": MARCH["d15"]}, {"new_dose_mg"}),
        ({"action": "dose_reduced", "new_dose_mg": Decimal(300), "new_dose_from": MARCH["d13"]},
         {"new_dose_from"}),  # before the onset
        ({"action": "interrupted", "hold_from": MARCH["d14"]}, set()),
        ({"action": "interrupted", "hold_from": MARCH["d14"], "hold_to": MARCH["d14"]}, set()),
        ({"action": "interrupted", "hold_from": MARCH["d15"], "hold_to": MARCH["d14"]},
         {"hold_to"}),
        ({"action": "interrupted"}, {"hold_from"}),
        ({"action": "interrupted", "hold_from": MARCH["d13"]}, {"hold_from"}),
        ({"action": "none", "hold_from": MARCH["d15"]}, {"hold_from"}),
        ({"action": "withdrawn", "new_dose_mg": Decimal(300)}, {"new_dose_mg"}),
        ({"action": "interrupted", "hold_from": MARCH["d15"], "new_dose_from": MARCH["d15"]},
         {"new_dose_from"}),
    ],
)
def test_each_action_carries_its_own_fields(fields, expected):
    assert set(rules.action_errors(facts(**fields))) == expected


def test_an_onset_known_to_the_month_allows_a_change_from_any_day_of_it():
    event = facts(onset="2026-03", action="interrupted", hold_from=date(2026, 3, 1))
    assert rules.action_errors(event) == {}


@pytest.mark.parametrize(
    ("new_mg", "step_mg", "refused"),
    [(300, 400, False), (399.99, 400, False), (400, 400, True), (600, 400, True),
     (300, None, False)],
)
def test_a_reduction_is_below_the_dose_in_force(new_mg, step_mg, refused):
    step = Decimal(str(step_mg)) if step_mg is not None else None
    assert bool(rules.reduction_errors(Decimal(str(new_mg)), step)) is refused


AT = {"aware": datetime(2026, 3, 19, 1, tzinfo=UTC)}  # 10:00 in Seoul on 19 March


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({}, set()),
        ({"seriousness": ("hospitalisation",)}, {"site_aware_at"}),
        ({"seriousness": ("hospitalisation",), "site_aware_at": AT["aware"]}, set()),
        ({"site_aware_at": AT["aware"]}, set()),  # known for any event, needed when serious
        ({"site_aware_at": NOW}, set()),
        ({"site_aware_at": NOW + timedelta(seconds=1)}, {"site_aware_at"}),
        # 23:59 in Seoul on 13 March: the day before the onset.
        ({"site_aware_at": datetime(2026, 3, 13, 14, 59, tzinfo=UTC)}, {"site_aware_at"}),
        ({"site_aware_at": datetime(2026, 3, 13, 15, 0, tzinfo=UTC)}, set()),
        ({"site_aware_at": AT["aware"], "reported_to_sponsor_at": AT["aware"]}, set()),
        ({"site_aware_at": AT["aware"],
          "reported_to_sponsor_at": AT["aware"] - timedelta(minutes=1)},
         {"reported_to_sponsor_at"}),
        ({"site_aware_at": AT["aware"], "reported_to_sponsor_at": NOW + timedelta(minutes=1)},
         {"reported_to_sponsor_at"}),
        ({"reported_to_sponsor_at": AT["aware"]}, {"reported_to_sponsor_at"}),
    ],
)
def test_reporting_instants(fields, expected):
    found = rules.reporting_errors(facts(**fields), now=NOW, timezone="Asia/Seoul")
    assert set(found) == expected


def test_the_report_is_due_24_hours_after_the_site_learned_of_a_serious_event():
    aware = AT["aware"]
    assert rules.report_due_at(True, aware) == aware + timedelta(hours=24)
    assert rules.report_due_at(False, aware) is None
    assert rules.report_due_at(True, None) is None


@pytest.mark.parametrize(
    ("now", "reported", "overdue"),
    [
        (timedelta(hours=24) - timedelta(seconds=1), None, False),
        (timedelta(hours=24), None, True),
        (timedelta(hours=30), None, True),
        (timedelta(hours=30), timedelta(hours=2), False),
        (timedelta(hours=30), timedelta(hours=26), False),  # late, but reported
    ],
)
def test_a_report_is_overdue_from_its_deadline_until_it_is_reported(now, reported, overdue):
    aware = AT["aware"]
    due = rules.report_due_at(True, aware)
    reported_at = aware + reported if reported is not None else None
    assert rules.report_overdue(due, reported_at, aware + now) is overdue
    assert rules.report_overdue(None, None, aware + now) is False


HOLD_OPEN = {"action": "interrupted", "hold_from": date(2026, 3, 15)}
HOLD_ENDED = HOLD_OPEN | {"hold_to": date(2026, 3, 18)}
REDUCED = {"action": "dose_reduced", "new_dose_mg": Decimal(300),
           "new_dose_from": date(2026, 3, 15)}


@pytest.mark.parametrize(
    ("before", "after", "written", "expected"),
    [
        (None, {}, False, rules.KEEP),
        (None, REDUCED, False, rules.WRITE),
        (None, HOLD_OPEN, False, rules.WRITE),
        ({}, {"action": "withdrawn"}, False, rules.KEEP),
        ({}, HOLD_OPEN, False, rules.WRITE),
        (REDUCED, REDUCED | {"grade": 3}, True, rules.KEEP),
        (REDUCED, REDUCED | {"new_dose_mg": Decimal(200)}, True, rules.REFUSE),
        (REDUCED, {"action": "none"}, True, rules.REFUSE),
        (REDUCED, HOLD_OPEN, True, rules.REFUSE),
        (HOLD_OPEN, HOLD_ENDED, True, rules.END_HOLD),
        (HOLD_OPEN, HOLD_OPEN | {"hold_from": date(2026, 3, 16)}, True, rules.REFUSE),
        (HOLD_ENDED, HOLD_ENDED | {"hold_to": date(2026, 3, 19)}, True, rules.REFUSE),
        (HOLD_ENDED, HOLD_OPEN, True, rules.REFUSE),
        (HOLD_OPEN, {"action": "withdrawn"}, True, rules.REFUSE),
    ],
)
def test_what_a_version_does_to_the_regimen(before, after, written, expected):
    previous = facts(**before) if before is not None else None
    assert rules.action_change(previous, facts(**after), written=written) == expected


def test_the_study_file_term_list_is_checked():
    definition = {"adverse_events": {"terms": [
        {"term": "Nausea", "meddra_code": "10028813"},
        {"term": "nausea"},
        {"term": "Fatigue", "meddra_code": 10016256},
        {"term": "Pain", "meddra_code": "1003337"},
        {"term": ""},
    ]}}
    problems = rules.term_list_problems(definition)
    assert len(problems) == 4
    assert rules.term_list_problems({"adverse_events": {"terms": [
        {"term": "Nausea", "meddra_code": "10028813"}, {"term": "Muscle cramp"}]}}) == []


def test_serious_means_any_ich_e2a_criterion_in_its_order():
    assert rules.in_criteria_order({"disability", "death"}) == ("death", "disability")
    assert facts(seriousness=("important_medical_event",)).serious is True
    assert facts().serious is False
