"""The alert kinds registry and the escalation ladder, as plain values."""

from datetime import UTC, datetime, timedelta

import pytest

from diary.models.alert import ROUTINE, URGENT
from diary.rules import alerts as policy

T0 = datetime(2026, 3, 10, 1, 0, tzinfo=UTC)


def test_every_kind_the_code_raises_is_registered():
    assert {"unreachable", "phone_invalid", "sms_opt_out", "sms_not_understood",
            "adherence_gap", "severe_symptom", "serious_event", "pregnancy"} <= set(
        policy.ALERT_KIND_NAMES)


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="ALERT_KINDS"):
        policy.alert_kind("something_else")


@pytest.mark.parametrize("name, urgency", [
    ("unreachable", ROUTINE), ("sms_opt_out", ROUTINE), ("adherence_gap", ROUTINE),
    ("severe_symptom", URGENT), ("serious_event", URGENT), ("pregnancy", URGENT),
])
def test_safety_kinds_are_urgent_and_sms_kinds_routine(name, urgency):
    assert policy.alert_kind(name).urgency == urgency


def test_serious_events_and_pregnancy_carry_a_24_hour_reporting_clock():
    assert policy.alert_kind("serious_event").report_due == timedelta(hours=24)
    assert policy.alert_kind("pregnancy").report_due == timedelta(hours=24)
    assert policy.alert_kind("severe_symptom").report_due is None


def test_sms_kinds_keep_one_open_alert_per_participant():
    kind = policy.alert_kind("unreachable")
    assert policy.dedupe_key(kind, 17, None) == "unreachable:17"
    assert policy.dedupe_key(kind, 17, "whatever") == "unreachable:17"


def test_cause_kinds_keep_one_alert_per_named_cause_and_none_without_one():
    kind = policy.alert_kind("severe_symptom")
    assert policy.dedupe_key(kind, 17, "report:5") == "severe_symptom:report:5"
    assert policy.dedupe_key(kind, 17, None) is None


URGENT_LADDER = policy.DEFAULT_LADDERS["urgent"]
ROUTINE_LADDER = policy.DEFAULT_LADDERS["routine"]


@pytest.mark.parametrize("elapsed, level", [
    (timedelta(0), 0), (timedelta(minutes=29, seconds=59), 0), (timedelta(minutes=30), 1),
    (timedelta(hours=2) - timedelta(seconds=1), 1), (timedelta(hours=2), 2),
    (timedelta(hours=4) - timedelta(seconds=1), 2), (timedelta(hours=4), 3),
    (timedelta(hours=11), 6),
])
def test_urgent_ladder_level_due_at_its_edges(elapsed, level):
    assert URGENT_LADDER.level_due(T0, T0 + elapsed) == level


def test_urgent_ladder_wakes_coordinators_investigators_then_everyone_every_two_hours():
    assert URGENT_LADDER.roles(0) == ("coordinator",)
    assert URGENT_LADDER.roles(1) == ("investigator",)
    assert set(URGENT_LADDER.roles(2)) == set(URGENT_LADDER.roles(7)) == {
        "coordinator", "investigator", "admin"}
    assert URGENT_LADDER.next_at(T0, 0) == T0 + timedelta(minutes=30)
    assert URGENT_LADDER.next_at(T0, 1) == T0 + timedelta(hours=2)
    assert URGENT_LADDER.next_at(T0, 2) == T0 + timedelta(hours=4)
    assert URGENT_LADDER.next_at(T0, 5) == T0 + timedelta(hours=10)


def test_routine_ladder_texts_the_coordinators_again_every_24_hours():
    assert ROUTINE_LADDER.next_at(T0, 0) == T0 + timedelta(hours=24)
    assert ROUTINE_LADDER.level_due(T0, T0 + timedelta(hours=49)) == 2
    assert ROUTINE_LADDER.roles(2) == ("coordinator",)


def test_a_ladder_without_repeats_ends():
    ladder = policy.Ladder((policy.Step(timedelta(0), ("coordinator",)),
                            policy.Step(timedelta(minutes=10), ("investigator",))))
    assert ladder.next_at(T0, 1) is None
    assert ladder.level_due(T0, T0 + timedelta(days=3)) == 1


def test_the_shipped_study_file_spells_out_its_ladders():
    from diary.operations.studies import default_study_file, parse_definition

    definition = parse_definition(default_study_file("NCT02495519").read_bytes())
    assert policy.ladder_problems(definition) == []
    assert policy.ladder_from(definition, "urgent") == URGENT_LADDER
    assert policy.ladder_from(definition, "routine") == ROUTINE_LADDER


@pytest.mark.parametrize("ladder", [
    {"steps": [{"after_minutes": 5, "roles": ["coordinator"]}]},
    {"steps": [{"after_minutes": 0, "roles": ["coordinator"]},
               {"after_minutes": 0, "roles": ["investigator"]}]},
    {"steps": [{"after_minutes": 0, "roles": ["janitor"]}]},
    {"steps": [{"after_minutes": 0}]},
])
def test_a_broken_ladder_in_a_study_file_is_named(ladder):
    assert policy.ladder_problems({"alerts": {"escalation": {"urgent": ladder}}})
