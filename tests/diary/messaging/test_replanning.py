"""Staff changes that reminders depend on plan the queued texts again, at once."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from diary.extensions import db
from diary.messaging.planning import plan_reminders
from diary.models import Message
from diary.models.message import PENDING, SENT
from tests.factories import auth, make_participant, make_staff, token_for

# 07:00 in Seoul on 4 May 2026: today's 09:00 reminder is queued, not yet sent.
SEOUL_MORNING = datetime(2026, 5, 3, 22, tzinfo=UTC)
TODAY = date(2026, 5, 4)


FROZEN_AT = SEOUL_MORNING
pytestmark = pytest.mark.usefixtures("clock")


@pytest.fixture
def headers(site):
    return auth(token_for(make_staff("coordinator", sites=[site]), hours=72))


@pytest.fixture
def participant(site):
    participant = make_participant(site=site, enrolled="2026-04-01", reminder_time="09:00")
    plan_reminders(SEOUL_MORNING)
    return participant


def _pending(participant) -> list[tuple[str, date, datetime]]:
    rows = db.session.execute(
        select(Message.kind, Message.local_date, Message.due_at)
        .where(Message.participant_id == participant.id, Message.status == PENDING)
        .order_by(Message.due_at)
    )
    return [tuple(row) for row in rows]


def _patch(client, participant, headers, **changes):
    response = client.patch(f"/api/v1/participants/{participant.id}",
                            json=changes | {"reason": "Asked at the visit"}, headers=headers)
    assert response.status_code == 200, response.get_json()
    return response


def test_new_reminder_time_moves_todays_texts(client, participant, headers):
    assert _pending(participant)[0][2] == datetime(2026, 5, 4, 0, tzinfo=UTC)

    _patch(client, participant, headers, reminder_time="10:30")

    assert _pending(participant) == [
        ("reminder", TODAY, datetime(2026, 5, 4, 1, 30, tzinfo=UTC)),
        ("follow_up", TODAY, datetime(2026, 5, 4, 3, 30, tzinfo=UTC)),
    ]
    # The planner's next run finds nothing missing: still one reminder for the day.
    assert plan_reminders(SEOUL_MORNING) == 0
    assert len(_pending(participant)) == 2


def test_new_time_zone_plans_at_the_new_local_time(client, participant, headers):
    _patch(client, participant, headers, timezone="Europe/London")

    # 22:00 UTC is 23:00 on 3 May in London: the 09:00 reminder of 4 May is 08:00 UTC.
    assert ("reminder", TODAY, datetime(2026, 5, 4, 8, tzinfo=UTC)) in _pending(participant)


def test_new_locale_queues_texts_in_that_language(client, participant, headers):
    before = db.session.execute(
        select(Message.body).where(Message.participant_id == participant.id)
    ).scalars().first()

    _patch(client, participant, headers, locale="en")

    bodies = db.session.execute(
        select(Message.body).where(Message.participant_id == participant.id,
                                   Message.status == PENDING)
    ).scalars().all()
    assert bodies and before not in bodies
    assert all(body.isascii() for body in bodies)


@pytest.mark.parametrize("changes", [
    {"status": "withdrawn"},
    {"sms_consent": False},
])
def test_no_texts_stay_queued_for_who_may_not_get_them(client, participant, headers, changes):
    _patch(client, participant, headers, **changes)

    assert _pending(participant) == []


def test_a_reminder_already_sent_is_not_sent_again_at_the_new_time(
    client, participant, headers, clock
):
    reminder = db.session.execute(
        select(Message).where(Message.participant_id == participant.id,
                              Message.kind == "reminder", Message.local_date == TODAY)
    ).scalar_one()
    reminder.status = SENT
    db.session.commit()
    clock.move_to(SEOUL_MORNING + timedelta(hours=2, minutes=30))  # 09:30 in Seoul

    _patch(client, participant, headers, reminder_time="10:00")

    kinds_today = [kind for kind, day, _ in _pending(participant) if day == TODAY]
    assert kinds_today == ["follow_up"]


def test_a_hold_stops_reminders_and_its_end_brings_them_back(client, participant, headers,
                                                             clock):
    url = f"/api/v1/participants/{participant.id}/dose-holds"
    response = client.post(url, json={"start_date": "2026-05-04", "end_date": None,
                                      "reason": "Neutropenia"}, headers=headers)
    assert response.status_code == 201, response.get_json()
    assert _pending(participant) == []

    next_morning = SEOUL_MORNING + timedelta(days=1)
    clock.move_to(next_morning)
    assert plan_reminders(next_morning) == 0  # still held
    hold_id = response.get_json()["id"]
    ended = client.patch(f"{url}/{hold_id}", json={"end_date": "2026-05-04",
                                                   "reason": "Counts recovered"},
                         headers=headers)
    assert ended.status_code == 200, ended.get_json()
    assert [day for _, day, _ in _pending(participant)] == [date(2026, 5, 5)] * 2


def _enrol(client, site, headers, **fields):
    body = {"study_code": "S01-090", "site_id": site.id, "enrolled_on": "2026-05-04",
            "phone": "010-5550-0190", "sms_consent": True, **fields}
    response = client.post("/api/v1/participants", json=body, headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def test_enrolment_queues_a_reminder_due_minutes_later_at_once(client, site, headers,
                                                                clock):
    # 08:58 in Seoul: the first reminder is two minutes away, before the next planner run.
    enrolled_at = datetime(2026, 5, 3, 23, 58, tzinfo=UTC)
    clock.move_to(enrolled_at)
    participant_id = _enrol(client, site, headers, reminder_time="09:00")

    rows = db.session.execute(
        select(Message.kind, Message.local_date, Message.due_at, Message.status)
        .where(Message.participant_id == participant_id).order_by(Message.due_at)
    ).all()
    assert [tuple(row) for row in rows][:1] == [
        ("reminder", TODAY, datetime(2026, 5, 4, 0, tzinfo=UTC), PENDING)]
    assert plan_reminders(enrolled_at) == 0  # the planner finds nothing missing


def test_enrolment_without_consent_queues_no_text(client, site, headers):
    participant_id = _enrol(client, site, headers, sms_consent=False, phone=None)

    assert db.session.execute(
        select(Message.id).where(Message.participant_id == participant_id)
    ).first() is None
