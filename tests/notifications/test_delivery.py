"""Delivery report rules, without a database: only forward, and the unreachable run."""

import pytest

from notifications.delivery import is_unreachable, next_status


@pytest.mark.parametrize(("current", "reported", "expected"), [
    ("sent", "delivered", "delivered"),
    ("sent", "undelivered", "undelivered"),
    ("sent", "failed", "failed"),
    ("sent", "sent", None),
    ("sent", "queued", None),
    ("sending", "sent", "sent"),
    ("sending", "queued", None),
    ("pending", "queued", "sending"),
    ("delivered", "sent", None),
    ("delivered", "failed", None),
    ("failed", "delivered", None),
    ("undelivered", "failed", None),
    ("cancelled", "delivered", None),
    ("expired", "sent", None),
    ("unknown", "delivered", "delivered"),
    ("sent", "DELIVERED", "delivered"),
    ("sent", "read", "delivered"),
    ("sent", "something-new", None),
    ("sent", "", None),
])
def test_a_report_only_moves_a_text_forward(current, reported, expected):
    assert next_status(current, reported) == expected


@pytest.mark.parametrize(("outcomes", "unreachable"), [
    (["failed", "undelivered", "failed"], True),
    (["failed", "failed", "failed", "delivered"], True),
    (["failed", "failed"], False),
    (["failed", "delivered", "failed", "failed"], False),
    (["delivered", "failed", "failed", "failed"], False),
    ([], False),
])
def test_three_latest_outcomes_failing_make_a_participant_unreachable(outcomes, unreachable):
    assert is_unreachable(outcomes) is unreachable
