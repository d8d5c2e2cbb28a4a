"""Delivery reports: a text only moves forward, and three failures in a row raise an alert."""

import itertools
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from diary.extensions import db
from diary.messaging.outbox import enqueue
from diary.models import Alert, Message
from diary.models.message import CANCELLED, EXPIRED, SENT
from notifications.dispatch import dispatch_due
from notifications.senders import ConsoleSender, SendResult
from tests import factories
from tests.api.twilio_signing import AUTH_TOKEN, TWIML_EMPTY, post_signed

T0 = datetime(2026, 3, 10, 0, 0, tzinfo=UTC)
_sids = itertools.count(1)


@pytest.fixture(autouse=True)
def signed_by_twilio(app, monkeypatch):
    monkeypatch.setitem(app.config, "TWILIO_AUTH_TOKEN", AUTH_TOKEN)


@pytest.fixture
def participant(site):
    return factories.make_participant(enrolled="2026-03-01")


@pytest.fixture
def coordinator(site):
    return factories.make_staff("coordinator", phone="+821099990000")


def sent_message(participant, *, hours: int = 0, status: str = SENT) -> Message:
    """A reminder that left (per our side) ``hours`` after T0."""
    message = enqueue(kind="reminder", body="Reminder", participant_id=participant.id,
                      due_at=T0 + timedelta(hours=hours))
    message.status = status
    message.provider_sid = f"SM{next(_sids):032x}"
    message.sent_at = T0 + timedelta(hours=hours) if status == SENT else None
    db.session.commit()
    return message


def report(client, message_or_sid, status, error_code=None):
    sid = getattr(message_or_sid, "provider_sid", message_or_sid)
    params = {"MessageSid": sid, "MessageStatus": status, "AccountSid": "AC" + "0" * 32}
    if error_code:
        params["ErrorCode"] = error_code
    return post_signed(client, "/webhooks/twilio/status", params)


def status_of(message):
    db.session.refresh(message)
    return message.status


def unreachable_alerts(participant):
    return db.session.execute(
        select(Alert).where(Alert.participant_id == participant.id, Alert.kind == "unreachable")
    ).scalars().all()


def test_delivered_report_marks_the_text_delivered(client, participant):
    message = sent_message(participant)
    response = report(client, message, "delivered")

    assert response.status_code == 200
    assert response.data == TWIML_EMPTY
    assert status_of(message) == "delivered"


@pytest.mark.parametrize("late", ["queued", "sending", "sent", "accepted"])
def test_late_earlier_report_does_not_move_a_delivered_text_back(client, participant, late):
    message = sent_message(participant)
    report(client, message, "delivered")
    report(client, message, late)

    assert status_of(message) == "delivered"


@pytest.mark.parametrize(("first", "second"), [
    ("delivered", "failed"), ("delivered", "undelivered"), ("failed", "delivered"),
    ("undelivered", "delivered"), ("failed", "sent"),
])
def test_final_outcome_is_never_undone(client, participant, first, second):
    message = sent_message(participant)
    report(client, message, first)
    report(client, message, second)

    assert status_of(message) == first


def test_queued_after_sent_is_ignored_and_sent_then_delivered_moves_on(client, participant):
    message = sent_message(participant)
    report(client, message, "queued")
    assert status_of(message) == "sent"
    report(client, message, "delivered")
    assert status_of(message) == "delivered"


@pytest.mark.parametrize("final", [CANCELLED, EXPIRED])
def test_cancelled_or_expired_text_stays_so(client, participant, final):
    message = sent_message(participant, status=final)
    report(client, message, "delivered")

    assert status_of(message) == final


def test_error_code_is_kept(client, participant):
    message = sent_message(participant)
    report(client, message, "undelivered", error_code="30003")

    db.session.refresh(message)
    assert (message.status, message.error_code) == ("undelivered", "30003")


def test_unknown_sid_is_answered_and_ignored(client, participant):
    message = sent_message(participant)
    response = report(client, "SM" + "f" * 32, "delivered")

    assert response.status_code == 200
    assert status_of(message) == "sent"


def test_three_failures_in_a_row_raise_one_unreachable_alert(client, participant, coordinator):
    messages = [sent_message(participant, hours=h) for h in range(4)]
    report(client, messages[0], "failed", error_code="30003")
    report(client, messages[1], "undelivered", error_code="30005")
    assert unreachable_alerts(participant) == []
    report(client, messages[2], "failed")

    [alert] = unreachable_alerts(participant)
    assert alert.dedupe_key == f"unreachable:{participant.id}"
    assert alert.details["message_ids"] == [messages[2].id, messages[1].id, messages[0].id]
    assert db.session.execute(
        select(Message).where(Message.staff_user_id == coordinator.id)
    ).scalars().all().__len__() == 1

    report(client, messages[3], "failed")
    assert len(unreachable_alerts(participant)) == 1


def test_two_failures_are_not_enough(client, participant):
    messages = [sent_message(participant, hours=h) for h in range(3)]
    report(client, messages[0], "delivered")
    report(client, messages[1], "failed")
    report(client, messages[2], "failed")

    assert unreachable_alerts(participant) == []


def test_a_delivered_text_breaks_the_run(client, participant):
    messages = [sent_message(participant, hours=h) for h in range(5)]
    for message, outcome in zip(messages, ["failed", "failed", "delivered", "failed", "failed"],
                                strict=True):
        report(client, message, outcome)

    assert unreachable_alerts(participant) == []


def test_reports_out_of_order_are_judged_by_when_texts_left(client, participant):
    # Planned out of order (the one sent at 01:00 first); Twilio reports out of order too.
    at_1, at_0, at_2, at_3 = (sent_message(participant, hours=h) for h in (1, 0, 2, 3))
    report(client, at_2, "failed")
    report(client, at_3, "failed")
    report(client, at_1, "delivered")
    report(client, at_0, "failed")

    # Newest three by sending time: 03:00 failed, 02:00 failed, 01:00 delivered.
    assert unreachable_alerts(participant) == []


def test_cancelled_and_expired_texts_do_not_break_the_run(client, participant):
    failed = [sent_message(participant, hours=h) for h in (0, 2, 4)]
    sent_message(participant, hours=1, status=CANCELLED)
    sent_message(participant, hours=3, status=EXPIRED)
    for message in failed:
        report(client, message, "undelivered")

    assert len(unreachable_alerts(participant)) == 1


def test_closed_unreachable_alert_can_be_raised_again(client, participant, coordinator):
    from diary.actor import Actor
    from diary.operations.alerts import close_alert

    messages = [sent_message(participant, hours=h) for h in range(4)]
    for message in messages[:3]:
        report(client, message, "failed")
    [alert] = unreachable_alerts(participant)
    close_alert(Actor.for_staff(coordinator), alert.id, "Phoned; new number on file soon")
    report(client, messages[3], "failed")

    assert len(unreachable_alerts(participant)) == 2


def test_twilio_opt_out_error_marks_the_participant_opted_out(client, participant):
    message = sent_message(participant)
    report(client, message, "failed", error_code="21610")

    db.session.refresh(participant)
    assert participant.sms_opted_out_at is not None
    assert db.session.execute(
        select(Alert).where(Alert.kind == "sms_opt_out")
    ).scalar_one().details["cause"] == "twilio_21610"


def test_staff_text_failures_do_not_count_for_participants(client, participant, coordinator):
    staff_message = enqueue(kind="alert", body="Alert", staff_user_id=coordinator.id)
    staff_message.status, staff_message.provider_sid = SENT, "SMstaff0001"
    db.session.commit()
    report(client, staff_message, "failed")

    assert status_of(staff_message) == "failed"
    assert unreachable_alerts(participant) == []


class _ReportArrivesFirst(ConsoleSender):
    """Twilio accepts the text, and its failure report lands before we store the SID."""

    def __init__(self, client):
        self.client = client
        self.sid = f"SM{next(_sids):032x}"

    def send(self, sms):
        params = {"MessageSid": self.sid, "MessageStatus": "undelivered", "ErrorCode": "30003",
                  "AccountSid": "AC" + "0" * 32}
        path = f"/webhooks/twilio/status?message_id={sms.message_id}"
        assert post_signed(self.client, path, params).status_code == 200
        return SendResult(provider_sid=self.sid)


def test_a_report_before_the_sid_is_stored_is_not_lost(client, participant):
    message = enqueue(kind="reminder", body="Reminder", participant_id=participant.id, due_at=T0)
    db.session.commit()
    sender = _ReportArrivesFirst(client)

    with time_machine.travel(T0, tick=False):
        report = dispatch_due(sender=sender)

    db.session.refresh(message)
    assert (message.status, message.error_code) == ("undelivered", "30003")
    assert (message.provider_sid, message.sent_at) == (sender.sid, T0)
    assert report.sent == 1


def test_our_id_in_the_callback_cannot_redirect_another_texts_report(client, participant):
    delivered = sent_message(participant)
    report(client, delivered, "delivered")
    params = {"MessageSid": f"SM{next(_sids):032x}", "MessageStatus": "failed",
              "AccountSid": "AC" + "0" * 32}

    post_signed(client, f"/webhooks/twilio/status?message_id={delivered.id}", params)

    assert status_of(delivered) == "delivered"
