"""Staff read the texts planned for and sent to a participant: queued, sent, delivered, failed."""

from datetime import UTC, date, datetime, timedelta

import pytest

from diary.messaging.planning import plan_reminders
from diary.messaging.templates import render
from notifications import fake_twilio as fake
from notifications.dispatch import dispatch_due
from notifications.fake_twilio import FakeTwilio
from notifications.senders import build_sender
from tests import factories
from tests.api.twilio_signing import AUTH_TOKEN, PUBLIC_BASE, post_signed

PHONE = "+821055508888"
SEOUL_7AM = datetime(2026, 5, 3, 22, tzinfo=UTC)  # 07:00 on 4 May in Seoul
SEOUL_9AM = SEOUL_7AM + timedelta(hours=2)
TODAY = date(2026, 5, 4)


@pytest.fixture(autouse=True)
def signed_by_twilio(app, monkeypatch):
    monkeypatch.setitem(app.config, "TWILIO_AUTH_TOKEN", AUTH_TOKEN)


FROZEN_AT = SEOUL_7AM


@pytest.fixture
def sender():
    """The real Twilio sender, talking to the fake Twilio server."""
    with FakeTwilio() as server:
        twilio = build_sender({
            "DIARY_SMS_SENDER": "twilio", "TWILIO_ACCOUNT_SID": server.account_sid,
            "TWILIO_AUTH_TOKEN": server.auth_token, "TWILIO_FROM_NUMBER": "+15005550006",
            "DIARY_PUBLIC_BASE_URL": PUBLIC_BASE, "TWILIO_API_BASE_URL": server.base_url,
        })
        twilio.fake = server
        yield twilio
        twilio.close()


@pytest.fixture
def participant(site, clock):
    participant = factories.make_participant(enrolled="2026-04-01", phone=PHONE, locale="en",
                                             reminder_time="09:00")
    plan_reminders(SEOUL_7AM)
    return participant


@pytest.fixture
def headers(site):
    return factories.auth(factories.token_for(factories.make_staff("investigator")))


def _url(participant) -> str:
    return f"/api/v1/participants/{participant.id}/messages"


def _send_reminder_and_report(client, sender, clock, status="delivered", **extra):
    clock.move_to(SEOUL_9AM)
    dispatch_due(sender=sender)
    [request] = sender.fake.requests
    clock.move_to(SEOUL_9AM + timedelta(minutes=1))
    if status:
        callback = request.status_callback
        answer = post_signed(client, callback.removeprefix(PUBLIC_BASE),
                             {"MessageSid": request.sid, "MessageStatus": status, **extra},
                             url=callback)
        assert answer.status_code == 200


def test_staff_read_queued_and_delivered_texts_with_their_times(
        client, study, participant, headers, sender, clock):
    _send_reminder_and_report(client, sender, clock)

    response = client.get(_url(participant), headers=headers)

    assert response.status_code == 200, response.get_json()
    follow_up, reminder = response.get_json()
    assert follow_up["kind"] == "follow_up"
    assert follow_up["status"] == "pending"
    assert follow_up["due_at"] == "2026-05-04T02:00:00+00:00"
    assert (follow_up["sent_at"], follow_up["delivered_at"]) == (None, None)
    assert reminder == {
        "id": reminder["id"], "kind": "reminder", "status": "delivered",
        "local_date": "2026-05-04", "due_at": "2026-05-04T00:00:00+00:00",
        "sent_at": "2026-05-04T00:00:00+00:00", "delivered_at": "2026-05-04T00:01:00+00:00",
        "error_code": None, "body": render(study, "en", "reminder"),
    }


def test_a_text_that_did_not_arrive_shows_twilios_error_code(
        client, participant, headers, sender, clock):
    _send_reminder_and_report(client, sender, clock, status="undelivered", ErrorCode="30003")

    [reminder] = client.get(_url(participant), query_string={"kind": "reminder"},
                            headers=headers).get_json()

    assert (reminder["status"], reminder["error_code"]) == ("undelivered", "30003")
    assert reminder["delivered_at"] is None


def test_a_text_twilio_refused_shows_its_error_code(client, participant, headers, sender,
                                                     clock):
    sender.fake.script(PHONE, fake.INVALID_NUMBER)
    _send_reminder_and_report(client, sender, clock, status=None)

    [reminder] = client.get(_url(participant), query_string={"status": "failed"},
                            headers=headers).get_json()

    assert (reminder["kind"], reminder["error_code"], reminder["sent_at"]) == (
        "reminder", "21211", None)


def test_texts_filter_by_kind_status_and_due_window(client, participant, headers):
    def kinds(**query):
        response = client.get(_url(participant), query_string=query, headers=headers)
        assert response.status_code == 200, response.get_json()
        return [text["kind"] for text in response.get_json()]

    assert kinds() == ["follow_up", "reminder"]
    assert kinds(kind="follow_up") == ["follow_up"]
    assert kinds(status="pending") == ["follow_up", "reminder"]
    assert kinds(status="delivered") == []
    # From inclusive, to exclusive: the reminder is due at 00:00 UTC, the follow-up at 02:00.
    assert kinds(**{"from": "2026-05-04T00:00:00Z", "to": "2026-05-04T02:00:00Z"}) == [
        "reminder"]
    assert kinds(**{"from": "2026-05-04T11:00:00+09:00"}) == ["follow_up"]


def test_texts_come_in_pages(client, participant, headers):
    response = client.get(_url(participant), query_string={"page_size": 1, "page": 2},
                          headers=headers)

    assert [text["kind"] for text in response.get_json()] == ["reminder"]
    assert '"total": 2' in response.headers["X-Pagination"]


@pytest.mark.parametrize(("query", "field"), [
    ({"kind": "letter"}, "kind"),
    ({"status": "lost"}, "status"),
    ({"from": "yesterday"}, "from"),
    ({"from": "2026-05-04T10:00:00"}, "from"),  # an instant needs its offset
    ({"from": "2026-05-05T00:00:00Z", "to": "2026-05-04T00:00:00Z"}, "from"),
])
def test_a_bad_filter_is_422_naming_it(client, participant, headers, query, field):
    response = client.get(_url(participant), query_string=query, headers=headers)

    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {field}


def test_texts_of_another_sites_participant_are_not_found(client, study, participant):
    elsewhere = factories.make_staff("coordinator", sites=[factories.make_site("S09")])
    response = client.get(_url(participant),
                          headers=factories.auth(factories.token_for(elsewhere)))

    assert response.status_code == 404
    assert render(study, "en", "reminder") not in response.get_data(as_text=True)


def test_a_participants_device_may_not_read_the_list(client, participant):
    response = client.get(_url(participant),
                          headers=factories.auth(factories.token_for(participant)))

    assert response.status_code == 401
