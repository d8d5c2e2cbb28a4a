"""Twilio retrying while the first attempt still runs: one text, one dose, one reply."""

import threading

from sqlalchemy import func, select

from diary.extensions import db
from diary.models import DoseEntry, InboundMessage, Message
from tests import factories
from tests.api.twilio_signing import AUTH_TOKEN, post_signed


def test_simultaneous_retries_of_one_text_record_it_once(committed_app):
    committed_app.config["TWILIO_AUTH_TOKEN"] = AUTH_TOKEN
    with committed_app.app_context():
        participant = factories.make_participant(phone="+821055550000")
        participant_id = participant.id
    params = {"MessageSid": "SMrace000001", "From": "+821055550000", "Body": "1"}
    barrier = threading.Barrier(4)
    statuses = []

    def deliver():
        client = committed_app.test_client()
        barrier.wait()
        statuses.append(post_signed(client, "/webhooks/twilio/sms", params).status_code)

    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert statuses == [200] * 4
    with committed_app.app_context():
        def count(model, *where):
            return db.session.execute(select(func.count()).select_from(model).where(*where)
                                      ).scalar_one()
        assert count(InboundMessage) == 1
        assert count(DoseEntry, DoseEntry.participant_id == participant_id) == 1
        assert count(Message, Message.participant_id == participant_id) == 1
