"""The 24-hour clock: an unreported serious event wakes the top of the ladder, once."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from diary.extensions import db
from diary.models import Alert, AuditEvent, Message
from diary.operations.serious_events import text_overdue_reports
from notifications.dispatch import dispatch_due
from notifications.fake_twilio import FakeTwilio
from notifications.senders import build_sender
from tests.api.test_adverse_events import events_url
from tests.api.test_serious_events import hospitalised
from tests.factories import auth, make_participant, make_staff, token_for
from tests.notifications.conftest import twilio_settings

# Noon in Seoul on 20 March 2026; the site learned of the event at 10:00 (01:00 UTC), so
# its report to the sponsor is due at 01:00 UTC on 21 March.
FROZEN_AT = datetime(2026, 3, 20, 3, tzinfo=UTC)
DUE = datetime(2026, 3, 21, 1, tzinfo=UTC)
pytestmark = pytest.mark.usefixtures("clock")


@pytest.fixture
def participant(site):
    return make_participant(site=site, enrolled="2026-03-01")


@pytest.fixture
def team(site):
    """The site's coordinator, investigator and an admin, each with a phone."""
    return {
        "coordinator": make_staff("coordinator", sites=[site], phone="+821099990001"),
        "investigator": make_staff("investigator", sites=[site], phone="+821099990002"),
        "admin": make_staff("admin", sites=[], phone="+821099990003"),
    }


@pytest.fixture
def headers(team):
    # Valid for the days the clock moves through.
    return auth(token_for(team["coordinator"], hours=24 * 7))


@pytest.fixture
def event(client, participant, headers) -> dict:
    response = client.post(events_url(participant), json=hospitalised(), headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def overdue_texts() -> list[Message]:
    return list(db.session.execute(
        select(Message).where(Message.dedupe_key.like("staff_report_overdue:%"))
        .order_by(Message.staff_user_id)
    ).scalars())


def test_before_the_deadline_nobody_is_texted_about_the_report(event, clock):
    clock.move_to(DUE - timedelta(minutes=1))

    assert text_overdue_reports() == 0
    assert overdue_texts() == []


def test_at_the_deadline_the_top_of_the_ladder_is_texted_once(
        client, participant, headers, team, event, clock):
    clock.move_to(DUE)

    assert text_overdue_reports() == 1
    clock.shift(timedelta(hours=2))
    assert text_overdue_reports() == 0

    texts = overdue_texts()
    # The study's urgent ladder ends with the whole site team and the admins.
    assert [t.staff_user_id for t in texts] == sorted(s.id for s in team.values())
    assert all("report to the sponsor is overdue" in t.body or "보고기한" in t.body
               for t in texts)
    shown = client.get(events_url(participant, event["id"]), headers=headers).get_json()
    assert shown["report_overdue"] is True
    assert shown["report_overdue_at"] == DUE.isoformat()
    audit = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "adverse_event.report_overdue")
    ).scalar_one()
    assert (audit.entity_id, audit.after["texts_queued"]) == (event["id"], 3)


def test_a_scheduler_back_late_texts_the_overdue_report_once(event, clock):
    clock.move_to(DUE + timedelta(days=3))

    assert text_overdue_reports() == 1
    assert text_overdue_reports() == 0
    assert len(overdue_texts()) == 3


def test_a_report_recorded_in_time_stops_the_clock(client, participant, headers, event, clock):
    clock.move_to(DUE - timedelta(hours=1))
    reported = client.patch(events_url(participant, event["id"]),
                            json={"reported_to_sponsor_at": (DUE - timedelta(hours=2)).isoformat(),
                                  "reason": "SAE form faxed"}, headers=headers)
    assert reported.status_code == 200, reported.get_json()
    clock.move_to(DUE + timedelta(hours=1))

    assert text_overdue_reports() == 0
    assert overdue_texts() == []


def test_an_event_no_longer_serious_is_not_overdue(client, participant, headers, event, clock):
    changed = client.patch(events_url(participant, event["id"]),
                           json={"seriousness": [], "reason": "Observation only, not admitted"},
                           headers=headers)
    assert changed.status_code == 200, changed.get_json()
    clock.move_to(DUE + timedelta(hours=1))

    assert text_overdue_reports() == 0


def test_an_acknowledged_alert_still_gets_its_overdue_report_texted(
        client, participant, headers, team, event, clock):
    # Acknowledging means someone is looking after the participant; the report to the
    # sponsor is still owed, and its text must leave although the alert is not open.
    client.post(f"/api/v1/alerts/{event['alert_id']}/acknowledge", headers=headers)
    clock.move_to(DUE)
    text_overdue_reports()

    with FakeTwilio() as fake:
        sender = build_sender(twilio_settings(fake))
        try:
            dispatch_due(sender=sender)
        finally:
            sender.close()
        received = {request.to for request in fake.requests}

    assert received == {staff.phone_e164 for staff in team.values()}
    alert = db.session.get(Alert, event["alert_id"])
    assert alert.status == "acknowledged"
