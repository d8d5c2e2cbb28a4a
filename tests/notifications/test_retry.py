"""Retry decisions: backoff, giving up, going stale."""

from datetime import UTC, datetime, timedelta

import pytest

from notifications.retry import (
    PARTICIPANT_POLICY,
    STAFF_ALERT_POLICY,
    backoff_delay,
    expiry,
    gives_up,
    policy_for,
    resend_when_unsure,
)

DUE = datetime(2026, 3, 4, 0, 0, tzinfo=UTC)


def _middle():
    return 0.5  # no jitter: 2 * 0.5 - 1 == 0


@pytest.mark.parametrize("attempt, seconds", [(1, 30), (2, 60), (3, 120), (4, 240), (5, 480)])
def test_backoff_doubles_from_thirty_seconds(attempt, seconds):
    assert backoff_delay(attempt, PARTICIPANT_POLICY, rand=_middle) == timedelta(seconds=seconds)


def test_backoff_is_capped():
    assert backoff_delay(12, PARTICIPANT_POLICY, rand=_middle) == timedelta(minutes=30)


def test_alert_backoff_is_capped_at_five_minutes_even_after_many_attempts():
    assert backoff_delay(10_000, STAFF_ALERT_POLICY, rand=_middle) == timedelta(minutes=5)


def test_jitter_spreads_the_delay_by_at_most_a_fifth():
    assert backoff_delay(2, PARTICIPANT_POLICY, rand=lambda: 0.0) == timedelta(seconds=48)
    assert backoff_delay(2, PARTICIPANT_POLICY, rand=lambda: 1.0) == timedelta(seconds=72)


def test_random_jitter_stays_within_bounds():
    delays = {backoff_delay(1, PARTICIPANT_POLICY) for _ in range(50)}
    assert all(timedelta(seconds=24) <= d <= timedelta(seconds=36) for d in delays)
    assert len(delays) > 1


def test_reminders_give_up_after_six_attempts():
    assert not gives_up("reminder", 5)
    assert gives_up("reminder", 6)


def test_alerts_never_give_up():
    assert not gives_up("alert", 1000)
    assert policy_for("escalation") is STAFF_ALERT_POLICY


def test_reminder_without_expiry_goes_stale_two_hours_after_due():
    assert expiry("reminder", DUE, None) == DUE + timedelta(hours=2)
    assert expiry("follow_up", DUE, None) == DUE + timedelta(hours=2)


def test_planned_expiry_wins():
    assert expiry("reminder", DUE, DUE + timedelta(minutes=40)) == DUE + timedelta(minutes=40)


def test_alerts_never_go_stale():
    assert expiry("alert", DUE, DUE + timedelta(minutes=1)) is None
    assert expiry("escalation", DUE, None) is None


def test_only_alerts_are_resent_when_a_send_may_have_left():
    assert resend_when_unsure("alert")
    assert not resend_when_unsure("reminder")
