"""The outbox dispatcher, sending through the real Twilio client to the fake Twilio server."""

import logging
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise

import pytest
from sqlalchemy import select

from diary.extensions import db
from diary.messaging.outbox import enqueue
from diary.models import Alert, AuditEvent, Message
from diary.operations.alerts import raise_alert
from notifications import fake_twilio as fake
from notifications.dispatch import dispatch_due
from notifications.senders import SmsSender, build_sender
from tests.factories import make_dose, make_participant, make_staff
from tests.notifications.conftest import SLOW_ANSWER, twilio_settings

NOW = datetime(2026, 3, 4, 0, 0, tzinfo=UTC)  # 09:00 in Seoul
PHONE = "+821055501234"
COORDINATOR_PHONE = "+821099990000"
BODY = "Study team: please record today's entry in the diary app."


FROZEN_AT = NOW
pytestmark = pytest.mark.usefixtures("clock")


@pytest.fixture
def participant(study):
    return make_participant(enrolled="2026-03-01", tz="Asia/Seoul", phone=PHONE)


@pytest.fixture
def coordinator(study):
    return make_staff(role="coordinator", phone=COORDINATOR_PHONE)


def _queue(participant=None, staff=None, *, kind="reminder", body=BODY, due_at=NOW,
           expires_at=None) -> Message:
    message = enqueue(
        kind=kind, body=body, due_at=due_at, expires_at=expires_at,
        participant_id=participant.id if participant else None,
        staff_user_id=staff.id if staff else None,
    )
    db.session.commit()
    return message


def _messages_to(staff) -> list[Message]:
    return db.session.execute(
        select(Message).where(Message.staff_user_id == staff.id)
    ).scalars().all()


def test_due_reminder_is_sent_and_twilios_sid_stored(participant, twilio_sender, fake_twilio):
    message = _queue(participant)

    report = dispatch_due(sender=twilio_sender)

    [received] = fake_twilio.requests
    assert (received.to, received.body) == (PHONE, BODY)
    assert message.status == "sent"
    assert message.provider_sid == received.sid
    assert message.sent_at == NOW
    assert message.attempts == 1
    assert (report.claimed, report.sent) == (1, 1)


def test_message_not_yet_due_stays_pending(participant, twilio_sender, fake_twilio):
    message = _queue(participant, due_at=NOW + timedelta(minutes=5))

    report = dispatch_due(sender=twilio_sender)

    assert message.status == "pending"
    assert fake_twilio.requests == []
    assert report.claimed == 0


def test_number_is_looked_up_at_send_time(participant, twilio_sender, fake_twilio):
    message = _queue(participant)
    participant.phone_e164 = "+821077770000"
    db.session.commit()

    dispatch_due(sender=twilio_sender)

    assert fake_twilio.requests[0].to == "+821077770000"
    assert message.status == "sent"


def test_batch_size_limits_one_run(participant, twilio_sender, fake_twilio):
    messages = [_queue(participant, body=f"text {n}") for n in range(3)]

    report = dispatch_due(sender=twilio_sender, batch_size=2)

    assert report.sent == 2
    assert [m.status for m in messages] == ["sent", "sent", "pending"]


def test_rate_limited_send_is_retried_after_backoff(participant, twilio_sender, fake_twilio,
                                                   clock):
    message = _queue(participant)
    fake_twilio.queue(fake.RATE_LIMITED)

    report = dispatch_due(sender=twilio_sender)

    assert report.retried == 1
    assert (message.status, message.error_code, message.attempts) == ("pending", "20429", 1)
    assert NOW + timedelta(seconds=24) <= message.next_attempt_at <= NOW + timedelta(seconds=36)

    assert dispatch_due(sender=twilio_sender).claimed == 0  # not before its time
    clock.move_to(message.next_attempt_at)
    dispatch_due(sender=twilio_sender)

    assert (message.status, message.attempts) == ("sent", 2)
    assert len(fake_twilio.sent_to(PHONE)) == 1


def test_reminder_fails_after_six_server_errors(participant, twilio_sender, fake_twilio, clock):
    message = _queue(participant)
    fake_twilio.script(PHONE, fake.SERVER_ERROR)
    gaps = []

    for _ in range(6):
        before = message.next_attempt_at
        clock.move_to(before)
        dispatch_due(sender=twilio_sender)
        gaps.append(message.next_attempt_at - before)

    assert (message.status, message.error_code, message.attempts) == ("failed", "500", 6)
    assert len(fake_twilio.requests) == 6
    # Each wait roughly doubles (the jitter is at most a fifth either way).
    assert all(later > earlier for earlier, later in pairwise(gaps[:5]))


def test_slow_answer_leaves_a_reminder_unknown_and_never_resends_it(
    participant, twilio_sender, fake_twilio, clock
):
    message = _queue(participant)
    fake_twilio.queue(fake.slow(SLOW_ANSWER))

    report = dispatch_due(sender=twilio_sender)

    assert (message.status, message.error_code) == ("unknown", "read_timeout")
    assert report.unknown == 1
    clock.shift(timedelta(minutes=30))
    dispatch_due(sender=twilio_sender)
    assert len(fake_twilio.requests) == 1


def test_slow_answer_to_a_staff_alert_is_retried(coordinator, twilio_sender, fake_twilio, clock):
    message = _queue(staff=coordinator, kind="alert")
    fake_twilio.queue(fake.slow(SLOW_ANSWER))

    dispatch_due(sender=twilio_sender)
    assert message.status == "pending"
    clock.move_to(message.next_attempt_at)
    dispatch_due(sender=twilio_sender)

    assert message.status == "sent"
    assert len(fake_twilio.requests) == 2


def test_stop_reply_21610_opts_the_participant_out_and_alerts_coordinators(
    participant, coordinator, twilio_sender, fake_twilio
):
    message = _queue(participant)
    fake_twilio.script(PHONE, fake.OPTED_OUT)

    report = dispatch_due(sender=twilio_sender)

    assert (message.status, message.error_code) == ("failed", "21610")
    assert report.failed == 1
    assert participant.sms_opted_out_at == NOW
    [alert] = db.session.execute(select(Alert).where(Alert.kind == "sms_opt_out")).scalars()
    assert alert.participant_id == participant.id
    [event] = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "participant.sms_opted_out")
    ).scalars()
    assert (event.actor_type, event.participant_id) == ("system", participant.id)
    assert event.after == {"sms_opted_out_at": NOW.isoformat()}
    # The coordinators' text goes out on the next run.
    dispatch_due(sender=twilio_sender)
    assert len(fake_twilio.sent_to(COORDINATOR_PHONE)) == 1


@pytest.mark.parametrize("behaviour, code", [
    (fake.INVALID_NUMBER, "21211"),
    (fake.NOT_SMS_CAPABLE, "21614"),
])
def test_invalid_number_marks_the_phone_unreachable_and_alerts(
    participant, coordinator, twilio_sender, fake_twilio, behaviour, code
):
    message = _queue(participant)
    fake_twilio.script(PHONE, behaviour)

    dispatch_due(sender=twilio_sender)

    assert (message.status, message.error_code) == ("failed", code)
    assert participant.phone_unreachable_at == NOW
    assert participant.sms_opted_out_at is None
    [alert] = db.session.execute(select(Alert).where(Alert.kind == "phone_invalid")).scalars()
    assert alert.details == {"message_id": message.id, "error_code": code}
    assert [m.kind for m in _messages_to(coordinator)] == ["alert"]


def test_two_refused_texts_raise_one_alert(participant, coordinator, twilio_sender, fake_twilio):
    _queue(participant, kind="reminder")
    _queue(participant, kind="follow_up")
    fake_twilio.script(PHONE, fake.OPTED_OUT)

    dispatch_due(sender=twilio_sender)

    alerts = db.session.execute(select(Alert)).scalars().all()
    assert [a.kind for a in alerts] == ["sms_opt_out"]
    audits = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "participant.sms_opted_out")
    ).scalars().all()
    assert len(audits) == 1


def test_three_texts_refused_in_a_row_raise_the_unreachable_alert(
    participant, coordinator, twilio_sender, fake_twilio, clock
):
    # 21408: sending to that region is not enabled; refused for good, but no STOP.
    fake_twilio.script(PHONE, fake.Behaviour(400, 21408))
    for minutes in range(3):
        _queue(participant, due_at=NOW + timedelta(minutes=minutes))
    clock.move_to(NOW + timedelta(minutes=1))
    dispatch_due(sender=twilio_sender)
    assert db.session.execute(select(Alert)).scalars().all() == []

    clock.move_to(NOW + timedelta(minutes=2))
    dispatch_due(sender=twilio_sender)

    [alert] = db.session.execute(select(Alert)).scalars().all()
    assert (alert.kind, alert.participant_id) == ("unreachable", participant.id)
    assert alert.details["error_codes"] == ["21408"] * 3


def test_reminder_not_sent_within_two_hours_expires(participant, twilio_sender, fake_twilio,
                                                    clock):
    message = _queue(participant)
    clock.shift(timedelta(hours=2, minutes=1))

    report = dispatch_due(sender=twilio_sender)

    assert message.status == "expired"
    assert report.expired == 1
    assert fake_twilio.requests == []


def test_reminder_past_its_planned_expiry_expires(participant, twilio_sender, fake_twilio, clock):
    message = _queue(participant, kind="follow_up", expires_at=NOW + timedelta(minutes=20))
    clock.shift(timedelta(minutes=21))

    dispatch_due(sender=twilio_sender)

    assert message.status == "expired"
    assert fake_twilio.requests == []


def test_retry_that_would_land_after_expiry_expires_instead(participant, twilio_sender,
                                                           fake_twilio):
    message = _queue(participant, expires_at=NOW + timedelta(seconds=10))
    fake_twilio.queue(fake.RATE_LIMITED)

    report = dispatch_due(sender=twilio_sender)

    assert (message.status, message.error_code) == ("expired", "20429")
    assert report.expired == 1


def test_alerts_never_expire(coordinator, twilio_sender, fake_twilio, clock):
    message = _queue(staff=coordinator, kind="alert")
    clock.shift(timedelta(hours=6))

    dispatch_due(sender=twilio_sender)

    assert message.status == "sent"


def test_alerts_retry_past_six_attempts(coordinator, twilio_sender, fake_twilio, clock):
    message = _queue(staff=coordinator, kind="alert")
    fake_twilio.script(COORDINATOR_PHONE, fake.SERVER_ERROR)

    for _ in range(8):
        clock.move_to(message.next_attempt_at)
        dispatch_due(sender=twilio_sender)

    assert (message.status, message.attempts) == ("pending", 8)
    assert message.next_attempt_at - NOW <= timedelta(hours=1)


def test_connection_error_is_retried_after_backoff(participant, fake_twilio, clock):
    message = _queue(participant)
    closed = fake.FakeTwilio().start()
    settings = twilio_settings(closed)
    closed.stop()  # nothing listens on its port any more
    unreachable_api = build_sender(settings)
    try:
        report = dispatch_due(sender=unreachable_api)
    finally:
        unreachable_api.close()

    assert report.retried == 1
    assert (message.status, message.error_code, message.attempts) == (
        "pending", "connection_error", 1)
    assert NOW + timedelta(seconds=24) <= message.next_attempt_at <= NOW + timedelta(seconds=36)
    clock.move_to(message.next_attempt_at)
    dispatch_due(sender=build_sender(twilio_settings(fake_twilio)))
    assert message.status == "sent"
    assert len(fake_twilio.sent_to(PHONE)) == 1


def _stale_claim(message: Message) -> None:
    """Leave ``message`` as a dispatcher that died mid-send would: claimed now, never settled."""
    message.status, message.claimed_at, message.attempts = "sending", NOW, 1
    db.session.commit()


def test_reminder_stuck_in_sending_becomes_unknown_not_resent(
    participant, twilio_sender, fake_twilio, clock
):
    message = _queue(participant)
    _stale_claim(message)
    clock.shift(timedelta(minutes=11))

    report = dispatch_due(sender=twilio_sender)

    assert (message.status, message.error_code) == ("unknown", "claim_timeout")
    assert report.unknown == 1
    assert fake_twilio.requests == []


def test_alert_stuck_in_sending_is_sent_again(coordinator, twilio_sender, fake_twilio, clock):
    message = _queue(staff=coordinator, kind="alert")
    _stale_claim(message)
    clock.shift(timedelta(minutes=11))

    report = dispatch_due(sender=twilio_sender)

    assert report.recovered == 1
    assert (message.status, message.attempts) == ("sent", 2)
    assert len(fake_twilio.sent_to(COORDINATOR_PHONE)) == 1


def test_recent_claim_is_left_to_its_dispatcher(participant, twilio_sender, fake_twilio, clock):
    message = _queue(participant)
    _stale_claim(message)
    clock.shift(timedelta(seconds=20))  # within one send and its timeout

    dispatch_due(sender=twilio_sender)

    assert message.status == "sending"
    assert fake_twilio.requests == []


@pytest.mark.parametrize("change, reason", [
    ({"sms_opted_out_at": NOW}, "opted_out"),
    ({"status": "withdrawn"}, "withdrawn"),
    ({"sms_consent": False}, "no_consent"),
    ({"phone_unreachable_at": NOW}, "unreachable"),
])
def test_reminder_to_a_participant_who_cannot_be_texted_is_cancelled(
    participant, twilio_sender, fake_twilio, change, reason
):
    message = _queue(participant)
    for name, value in change.items():
        setattr(participant, name, value)
    db.session.commit()

    report = dispatch_due(sender=twilio_sender)

    assert (message.status, message.error_code) == ("cancelled", reason)
    assert report.cancelled == 1
    assert fake_twilio.requests == []


@pytest.mark.parametrize("kind", ["reminder", "follow_up"])
def test_reminder_for_a_day_that_has_an_entry_by_now_is_not_sent(
    participant, twilio_sender, fake_twilio, kind
):
    # A planner that read the day as empty inserted its rows just after the dose was
    # logged (and its cancellation had nothing to cancel).
    message = enqueue(kind=kind, body=BODY, participant_id=participant.id, due_at=NOW,
                      local_date=date(2026, 3, 4))
    other_day = enqueue(kind=kind, body=BODY, participant_id=participant.id, due_at=NOW,
                        local_date=date(2026, 3, 3))
    make_dose(participant, "2026-03-04")

    report = dispatch_due(sender=twilio_sender)

    assert (message.status, message.error_code) == ("cancelled", "entry_exists")
    assert other_day.status == "sent"
    assert (report.cancelled, report.sent) == (1, 1)
    assert len(fake_twilio.requests) == 1


def test_alert_rolled_back_with_its_cause_sends_nothing(participant, coordinator,
                                                       twilio_sender, fake_twilio):
    raise_alert("severe_symptom", participant)
    db.session.flush()
    db.session.rollback()  # the report that raised it failed: nothing of it remains

    report = dispatch_due(sender=twilio_sender)

    assert report.claimed == 0
    assert fake_twilio.requests == []
    assert db.session.execute(select(Message)).scalars().all() == []


def test_alert_about_an_opted_out_participant_still_reaches_staff(
    participant, coordinator, twilio_sender, fake_twilio
):
    participant.sms_opted_out_at = NOW
    raise_alert("severe_symptom", participant)
    db.session.commit()

    report = dispatch_due(sender=twilio_sender)

    assert report.sent == 1
    assert len(fake_twilio.sent_to(COORDINATOR_PHONE)) == 1


class _BrokenSender(SmsSender):
    """A sender with a bug (not one of ours): it raises something unexpected."""

    def send(self, sms):
        raise RuntimeError("boom")


def test_a_sender_bug_leaves_the_message_to_retry(participant):
    message = _queue(participant)

    report = dispatch_due(sender=_BrokenSender())

    assert (message.status, message.error_code) == ("pending", "RuntimeError")
    assert report.retried == 1


def test_console_sender_is_used_without_twilio_settings(participant, caplog):
    caplog.set_level(logging.INFO)
    message = _queue(participant)

    dispatch_due()

    assert message.status == "sent"
    assert message.provider_sid is None
    assert f"sent message id={message.id} kind=reminder" in caplog.messages


def test_one_summary_line_per_run(participant, twilio_sender, caplog):
    caplog.set_level(logging.DEBUG, logger="notifications.dispatch")
    _queue(participant)

    dispatch_due(sender=twilio_sender)

    summaries = [m for m in caplog.messages if m.startswith("outbox dispatch ")]
    assert len(summaries) == 1
    assert "sender=twilio claimed=1 sent=1 retried=0" in summaries[0]
    assert "duration_ms=" in summaries[0]


def test_no_log_line_carries_a_number_or_a_body(participant, coordinator, twilio_sender,
                                                fake_twilio, clock, caplog):
    caplog.set_level(logging.DEBUG)
    _queue(participant)
    _queue(participant, kind="follow_up")
    _queue(staff=coordinator, kind="alert")
    fake_twilio.queue(fake.ACCEPT, fake.RATE_LIMITED, fake.OPTED_OUT)

    dispatch_due(sender=twilio_sender)
    clock.shift(timedelta(minutes=5))
    dispatch_due(sender=twilio_sender)

    assert len(caplog.records) > 5
    leaks = [r.getMessage() for r in caplog.records
             if any(s in r.getMessage() for s in (PHONE, COORDINATOR_PHONE, BODY))]
    assert leaks == []

