"""One day of a participant's reminders, end to end, through the scheduler's plain functions.

Planned at 07:00 in Seoul, sent at 09:00 through the real Twilio client to the fake Twilio
server, reported delivered by a signed callback, answered "1" by SMS: the dose is
recorded and the 11:00 follow-up never leaves.
"""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from diary.extensions import db
from diary.messaging.planning import plan_reminders
from diary.messaging.templates import render
from diary.models import DoseEntry, Message
from notifications.dispatch import dispatch_due
from tests.api.twilio_signing import AUTH_TOKEN, PUBLIC_BASE, post_signed
from tests.factories import make_participant

PHONE = "+821055507777"
STUDY_NUMBER = "+15005550006"
SEOUL_7AM = datetime(2026, 5, 3, 22, tzinfo=UTC)  # 07:00 on 4 May in Seoul
TODAY = date(2026, 5, 4)


@pytest.fixture(autouse=True)
def signed_by_twilio(app, monkeypatch):
    monkeypatch.setitem(app.config, "TWILIO_AUTH_TOKEN", AUTH_TOKEN)


FROZEN_AT = SEOUL_7AM


def _texts_to(fake_twilio, phone=PHONE) -> list[str]:
    return [request.body for request in fake_twilio.sent_to(phone)]


def _message(participant, kind) -> Message:
    return db.session.execute(
        select(Message).where(Message.participant_id == participant.id, Message.kind == kind,
                              Message.local_date == TODAY)
    ).scalar_one()


def test_a_day_of_reminders_from_plan_to_reply(client, study, clock, fake_twilio,
                                               twilio_sender):
    participant = make_participant(enrolled="2026-04-01", phone=PHONE, locale="ko",
                                   reminder_time="09:00")
    assert plan_reminders(SEOUL_7AM) == 2

    # 09:00: the reminder leaves, in Korean, through Twilio.
    clock.move_to(SEOUL_7AM + timedelta(hours=2))
    assert dispatch_due(sender=twilio_sender).sent == 1
    assert _texts_to(fake_twilio) == [render(study, "ko", "reminder")]
    reminder = _message(participant, "reminder")
    [request] = fake_twilio.requests
    assert reminder.provider_sid == request.sid

    # Twilio reports it delivered, at the callback URL the send named.
    callback = request.status_callback
    delivered = post_signed(client, callback.removeprefix(PUBLIC_BASE),
                            {"MessageSid": request.sid, "MessageStatus": "delivered"},
                            url=callback)
    assert delivered.status_code == 200
    db.session.refresh(reminder)
    assert reminder.status == "delivered"

    # 09:20: the participant answers "1"; the day's dose is recorded from the prescription.
    clock.move_to(SEOUL_7AM + timedelta(hours=2, minutes=20))
    answered = post_signed(client, "/webhooks/twilio/sms",
                           {"MessageSid": "SM" + "a" * 32, "From": PHONE, "To": STUDY_NUMBER,
                            "Body": " 1 "})
    assert answered.status_code == 200
    entry = db.session.execute(
        select(DoseEntry).where(DoseEntry.participant_id == participant.id,
                                DoseEntry.is_current)
    ).scalar_one()
    assert (entry.dose_date, entry.status, entry.dose_mg, entry.source) == (
        TODAY, "taken", Decimal("400"), "sms")

    # 11:00: the follow-up was cancelled with the reply, so it never leaves.
    clock.move_to(SEOUL_7AM + timedelta(hours=4))
    dispatch_due(sender=twilio_sender)
    assert _message(participant, "follow_up").status == "cancelled"
    assert render(study, "ko", "follow_up") not in _texts_to(fake_twilio)
    # Planning again later adds tomorrow's texts, nothing more for a day with its entry.
    plan_reminders(SEOUL_7AM + timedelta(hours=4))
    pending_days = db.session.execute(
        select(Message.local_date).where(Message.participant_id == participant.id,
                                         Message.status == "pending")
    ).scalars().all()
    assert pending_days == [TODAY + timedelta(days=1)] * 2


def test_follow_up_waits_two_hours_after_a_reminder_that_left_late(
        study, clock, fake_twilio, twilio_sender):
    participant = make_participant(enrolled="2026-04-01", phone=PHONE, reminder_time="09:00")
    plan_reminders(SEOUL_7AM)

    # The scheduler was down from 09:00; it is back at 10:45 and the reminder leaves.
    clock.move_to(SEOUL_7AM + timedelta(hours=3, minutes=45))
    assert dispatch_due(sender=twilio_sender).sent == 1
    # 11:00, the follow-up's planned time, and the planner's next run: nothing leaves.
    clock.move_to(SEOUL_7AM + timedelta(hours=4))
    plan_reminders()
    assert dispatch_due(sender=twilio_sender).sent == 0
    assert _texts_to(fake_twilio) == [render(study, "ko", "reminder")]
    # 12:45: two hours after the reminder actually left.
    clock.move_to(SEOUL_7AM + timedelta(hours=5, minutes=45))
    assert dispatch_due(sender=twilio_sender).sent == 1
    assert _texts_to(fake_twilio)[-1] == render(study, "ko", "follow_up")
    assert _message(participant, "follow_up").status == "sent"


def test_follow_up_is_dropped_when_a_late_reminder_pushes_it_into_quiet_hours(
        study, clock, fake_twilio, twilio_sender):
    participant = make_participant(enrolled="2026-04-01", phone=PHONE, reminder_time="18:00")
    plan_reminders(SEOUL_7AM)

    # The 18:00 reminder leaves at 19:30; 21:30 would be inside quiet hours.
    clock.move_to(SEOUL_7AM + timedelta(hours=12, minutes=30))
    assert dispatch_due(sender=twilio_sender).sent == 1
    follow_up = _message(participant, "follow_up")
    assert (follow_up.status, follow_up.error_code) == ("cancelled", "reminder_late")
    clock.move_to(SEOUL_7AM + timedelta(hours=14, minutes=30))
    assert dispatch_due(sender=twilio_sender).sent == 0


def test_planned_again_after_a_late_reminder_the_follow_up_keeps_its_distance(
        study, clock, fake_twilio, twilio_sender):
    from diary.messaging.planning import replan_participant

    participant = make_participant(enrolled="2026-04-01", phone=PHONE, reminder_time="09:00")
    plan_reminders(SEOUL_7AM)
    clock.move_to(SEOUL_7AM + timedelta(hours=3, minutes=45))
    dispatch_due(sender=twilio_sender)

    replan_participant(participant)  # a coordinator changed the participant's details
    db.session.commit()

    follow_up = db.session.execute(
        select(Message).where(Message.participant_id == participant.id,
                              Message.kind == "follow_up", Message.status == "pending",
                              Message.local_date == TODAY)
    ).scalar_one()
    assert follow_up.due_at == SEOUL_7AM + timedelta(hours=5, minutes=45)
