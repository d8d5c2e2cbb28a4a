"""Texts that never misfire: a dispatcher killed mid-batch, an alert acknowledged mid-round."""

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from diary.actor import Actor
from diary.extensions import db
from diary.messaging.outbox import enqueue
from diary.models import Alert, Message, StaffUser
from diary.operations.alerts import acknowledge_alert, close_alert, escalate_due_alerts, raise_alert
from notifications.dispatch import dispatch_due
from notifications.senders import SmsSender, build_sender
from tests.factories import make_participant, make_staff
from tests.notifications.conftest import twilio_settings

NOW = datetime(2026, 3, 4, 0, 0, tzinfo=UTC)  # 09:00 in Seoul
COORDINATOR_PHONE = "+821099990000"
INVESTIGATOR_PHONE = "+821099990001"
FROZEN_AT = NOW


class Killed(BaseException):
    """The process died: nothing in the dispatcher gets to handle it."""


class DiesAtSend(SmsSender):
    """Hands texts to the real sender until the ``dies_at``-th, where the process dies.

    The death comes after the claim committed and before anything reached Twilio: the
    moment a SIGKILL or an out-of-memory kill would leave the most behind.
    """

    name = "dies"

    def __init__(self, sender: SmsSender, dies_at: int):
        self.sender, self.dies_at, self.calls = sender, dies_at, 0

    def send(self, sms):
        self.calls += 1
        if self.calls == self.dies_at:
            raise Killed
        return self.sender.send(sms)


def _reminders(count: int) -> list[Message]:
    messages = []
    for n in range(count):
        participant = make_participant(enrolled="2026-03-01", phone=f"+82105550{n:04d}")
        messages.append(enqueue(kind="reminder", body=f"Reminder {n}", due_at=NOW,
                                participant_id=participant.id))
    db.session.commit()
    return messages


def _restart() -> None:
    """Forget what the dead process held in memory; the database keeps what it committed."""
    db.session.rollback()
    db.session.expunge_all()


def _status(message_id: int) -> str:
    return db.session.execute(select(Message.status).where(Message.id == message_id)).scalar_one()


@pytest.mark.usefixtures("clock")
def test_dispatcher_killed_mid_batch_costs_only_the_text_in_flight(
        twilio_sender, fake_twilio, clock):
    messages = _reminders(8)
    ids = [message.id for message in messages]

    with pytest.raises(Killed):
        dispatch_due(sender=DiesAtSend(twilio_sender, dies_at=3))
    _restart()
    assert len(fake_twilio.requests) == 2

    clock.shift(timedelta(seconds=20))  # the next dispatcher run
    dispatch_due(sender=twilio_sender)

    statuses = {message_id: _status(message_id) for message_id in ids}
    in_flight = ids[2]
    assert statuses[in_flight] == "sending"
    assert {statuses[i] for i in ids if i != in_flight} == {"sent"}
    assert len(fake_twilio.requests) == 7
    # Its fate unknown, the reminder in flight is settled, never sent a second time.
    clock.shift(timedelta(minutes=1))
    dispatch_due(sender=twilio_sender)
    assert _status(in_flight) == "unknown"
    assert len(fake_twilio.requests) == 7


@pytest.mark.usefixtures("clock")
def test_alert_in_flight_when_its_dispatcher_died_is_sent_again_within_a_minute(
        twilio_sender, fake_twilio, clock):
    participant = make_participant(enrolled="2026-03-01")
    make_staff("coordinator", phone=COORDINATOR_PHONE)
    raise_alert("severe_symptom", participant)
    db.session.commit()

    with pytest.raises(Killed):
        dispatch_due(sender=DiesAtSend(twilio_sender, dies_at=1))
    _restart()
    clock.shift(timedelta(seconds=59))
    dispatch_due(sender=twilio_sender)

    assert len(fake_twilio.sent_to(COORDINATOR_PHONE)) == 1


@pytest.fixture
def urgent_alert():
    participant = make_participant(enrolled="2026-03-01")
    coordinator = make_staff("coordinator", phone=COORDINATOR_PHONE)
    make_staff("investigator", phone=INVESTIGATOR_PHONE)
    alert = raise_alert("serious_event", participant)
    db.session.commit()
    return alert, coordinator


@pytest.mark.usefixtures("clock")
@pytest.mark.parametrize("settle", ["acknowledge", "close"])
def test_acknowledging_or_closing_cancels_the_alerts_queued_texts(
        urgent_alert, twilio_sender, fake_twilio, clock, settle):
    alert, coordinator = urgent_alert
    clock.shift(timedelta(minutes=30))
    escalate_due_alerts()  # the investigators' step is queued, Twilio is out

    actor = Actor.for_staff(coordinator)
    if settle == "acknowledge":
        acknowledge_alert(actor, alert.id)
    else:
        close_alert(actor, alert.id, "Called the participant; seen in clinic today")
    report = dispatch_due(sender=twilio_sender)

    texts = db.session.execute(select(Message).where(Message.alert_id == alert.id)).scalars()
    reason = "alert_acknowledged" if settle == "acknowledge" else "alert_closed"
    assert {(m.kind, m.status, m.error_code) for m in texts} == {
        ("alert", "cancelled", reason), ("escalation", "cancelled", reason)}
    assert report.sent == 0
    assert fake_twilio.requests == []


@pytest.mark.usefixtures("clock")
def test_dispatcher_checks_the_alert_again_before_its_text_leaves(
        urgent_alert, twilio_sender, fake_twilio):
    alert, coordinator = urgent_alert
    acknowledge_alert(Actor.for_staff(coordinator), alert.id)
    # A text for the alert queued after the acknowledgement (a round that raced it).
    late = enqueue(kind="escalation", body="Escalation", staff_user_id=coordinator.id,
                   alert_id=alert.id)
    db.session.commit()

    report = dispatch_due(sender=twilio_sender)

    assert (late.status, late.error_code) == ("cancelled", "alert_acknowledged")
    assert report.sent == 0
    assert fake_twilio.requests == []


class HoldsTheLine(SmsSender):
    """Sends through the real sender, taking a while, and notes when each text left."""

    name = "slow"

    def __init__(self, sender: SmsSender, seconds: float):
        self.sender, self.seconds = sender, seconds
        self.sending = threading.Event()
        self.left_at: list[float] = []

    def send(self, sms):
        self.sending.set()
        time.sleep(self.seconds)
        result = self.sender.send(sms)
        self.left_at.append(time.monotonic())
        return result


@pytest.mark.postgres_only
def test_no_escalation_text_leaves_after_the_acknowledgement_committed(
        committed_app, fake_twilio):
    with committed_app.app_context():
        participant = make_participant(enrolled="2026-03-01")
        coordinator = make_staff("coordinator", phone=COORDINATOR_PHONE)
        make_staff("investigator", phone=INVESTIGATOR_PHONE)
        make_staff("investigator", phone="+821099990002")
        alert = raise_alert("serious_event", participant)
        db.session.commit()
        dispatch_due(sender=build_sender(twilio_settings(fake_twilio)))  # the first text
        alert_id, coordinator_id = alert.id, coordinator.id
        # Thirty minutes on, the investigators' step is queued: two texts.
        escalate_due_alerts(alert.next_escalation_at)
        db.session.remove()
    sender = HoldsTheLine(build_sender(twilio_settings(fake_twilio)), seconds=0.5)
    acknowledged_at: list[float] = []

    def dispatch():
        with committed_app.app_context():
            dispatch_due(sender=sender, batch_size=10)

    def acknowledge():
        sender.sending.wait(5)  # the round's first text is on its way to Twilio
        with committed_app.app_context():
            staff = db.session.get(StaffUser, coordinator_id)
            acknowledge_alert(Actor.for_staff(staff), alert_id)
            acknowledged_at.append(time.monotonic())

    threads = [threading.Thread(target=dispatch), threading.Thread(target=acknowledge)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert len(acknowledged_at) == 1
    assert all(left <= acknowledged_at[0] for left in sender.left_at)
    with committed_app.app_context():
        escalations = db.session.execute(
            select(Message.status, Message.error_code)
            .where(Message.alert_id == alert_id, Message.kind == "escalation")
        ).all()
        assert db.session.get(Alert, alert_id).status == "acknowledged"
    # The text already on its way when the acknowledgement came left before it committed;
    # the other was cancelled.
    assert sorted(escalations) == [("cancelled", "alert_acknowledged"), ("sent", None)]
    assert len(sender.left_at) == 1
