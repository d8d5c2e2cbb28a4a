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


def test_only_urgent_alerts_escalate_after_15_minutes():
    assert policy.first_escalation_at(policy.alert_kind("serious_event"), T0) == (
        T0 + timedelta(minutes=15))
    assert policy.first_escalation_at(policy.alert_kind("unreachable"), T0) is None


def test_ladder_wakes_investigators_then_everyone_for_an_hour():
    assert policy.escalation_roles(1) == ("investigator",)
    assert set(policy.escalation_roles(2)) == {"coordinator", "investigator", "admin"}
    assert policy.next_escalation_at(3, T0) == T0 + timedelta(minutes=15)
    assert policy.next_escalation_at(4, T0) is None
