"""Dispatchers side by side on PostgreSQL, with real commits: no text is ever sent twice."""

import threading
from collections import Counter

import pytest
from sqlalchemy import select, text

from diary.extensions import db
from diary.messaging.outbox import enqueue
from diary.models import Message
from notifications import fake_twilio as fake
from notifications.dispatch import dispatch_due
from notifications.senders import ConsoleSender, build_sender
from tests.factories import make_participant
from tests.notifications.conftest import twilio_settings

pytestmark = pytest.mark.postgres_only


def _queue_texts(participants: int, per_participant: int) -> list[int]:
    """Queue distinct reminder texts for new participants and commit; return the ids."""
    ids = []
    for n in range(participants):
        participant = make_participant(phone=f"+82105550{n:04d}")
        for k in range(per_participant):
            message = enqueue(kind="reminder", body=f"text {n}-{k}",
                              participant_id=participant.id)
            db.session.flush()
            ids.append(message.id)
    db.session.commit()
    return ids


def _statuses(ids) -> dict[int, tuple[str, str | None]]:
    rows = db.session.execute(
        select(Message.id, Message.status, Message.provider_sid).where(Message.id.in_(ids))
    ).all()
    return {row.id: (row.status, row.provider_sid) for row in rows}


def test_two_dispatchers_at_once_send_each_message_exactly_once(committed_app, fake_twilio):
    with committed_app.app_context():
        ids = _queue_texts(participants=5, per_participant=8)
    for n in range(5):
        # A short pause per send keeps both dispatchers busy at the same time.
        fake_twilio.script(f"+82105550{n:04d}", fake.Behaviour(delay=0.02))
    start = threading.Barrier(2)
    claimed, errors = Counter(), []

    def run(name: str) -> None:
        sender = build_sender(twilio_settings(fake_twilio))
        try:
            with committed_app.app_context():
                start.wait()
                while (report := dispatch_due(sender=sender, batch_size=4)).claimed:
                    claimed[name] += report.claimed
        except Exception as error:  # surfaced below, with the thread's name
            errors.append((name, error))
        finally:
            sender.close()

    threads = [threading.Thread(target=run, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    bodies = Counter(request.body for request in fake_twilio.requests)
    assert len(bodies) == 40
    assert set(bodies.values()) == {1}
    assert claimed["a"] > 0 and claimed["b"] > 0
    with committed_app.app_context():
        statuses = _statuses(ids)
    assert {status for status, _ in statuses.values()} == {"sent"}
    assert {sid for _, sid in statuses.values()} == {r.sid for r in fake_twilio.requests}


def test_a_message_locked_by_another_dispatcher_is_skipped(committed_app, fake_twilio):
    with committed_app.app_context():
        locked_id, free_id = _queue_texts(participants=1, per_participant=2)
        sender = build_sender(twilio_settings(fake_twilio))
        with db.engine.connect() as other:
            other.execute(text("SELECT id FROM message WHERE id = :id FOR UPDATE"),
                          {"id": locked_id})
            report = dispatch_due(sender=sender)
            other.rollback()
        sender.close()
        statuses = _statuses([locked_id, free_id])

    assert report.sent == 1
    assert statuses[free_id][0] == "sent"
    assert statuses[locked_id][0] == "pending"
    assert [r.body for r in fake_twilio.requests] == ["text 0-1"]


def test_a_text_is_not_sent_before_its_cause_commits(committed_app, fake_twilio):
    def dispatch_elsewhere():
        """Run a dispatcher in another thread (its own session and connection)."""
        reports = []

        def run():
            sender = build_sender(twilio_settings(fake_twilio))
            try:
                with committed_app.app_context():
                    reports.append(dispatch_due(sender=sender))
            finally:
                sender.close()

        thread = threading.Thread(target=run)
        thread.start()
        thread.join()
        return reports[0]

    with committed_app.app_context():
        participant = make_participant(phone="+821055500001")
        db.session.commit()
        enqueue(kind="reminder", body="before commit", participant_id=participant.id)
        db.session.flush()  # written, but its transaction is still open

        before = dispatch_elsewhere()
        db.session.commit()
        after = dispatch_elsewhere()

    assert before.claimed == 0
    assert after.sent == 1
    assert [r.body for r in fake_twilio.requests] == ["before commit"]


class _PeekingSender(ConsoleSender):
    """The console sender, noting what another connection sees while the text is sent."""

    def __init__(self):
        self.seen = []

    def send(self, sms):
        with db.engine.connect() as other:
            status = other.execute(
                select(Message.status).where(Message.id == sms.message_id)
            ).scalar_one()
        self.seen.append((status, db.session().in_transaction()))
        return super().send(sms)


def test_claim_is_committed_before_the_text_leaves(committed_app):
    sender = _PeekingSender()
    with committed_app.app_context():
        _queue_texts(participants=1, per_participant=1)
        dispatch_due(sender=sender)

    # Another process sees the claim, and no transaction is held open during the send.
    assert sender.seen == [("sending", False)]
