"""A serious adverse event alerts the site at once, with the 24-hour reporting deadline."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from diary.extensions import db
from diary.models import Alert, AuditEvent, Message
from tests.api.test_adverse_events import events_url, nausea
from tests.factories import auth, make_participant, make_staff, token_for

# Noon in Seoul on 20 March 2026; the site learned of the event at 10:00 that morning.
FROZEN_AT = datetime(2026, 3, 20, 3, tzinfo=UTC)
AWARE = "2026-03-20T10:00:00+09:00"
DUE = "2026-03-21T01:00:00+00:00"
pytestmark = pytest.mark.usefixtures("clock")


def hospitalised(**fields) -> dict:
    """Grade 3 vomiting of 19 March that put the participant in hospital."""
    return nausea(ctcae_term="Vomiting", grade=3, seriousness=["hospitalisation"],
                  onset_date="2026-03-19", site_aware_at=AWARE) | fields


@pytest.fixture
def participant(site):
    return make_participant(site=site, enrolled="2026-03-01")


@pytest.fixture
def coordinator(site):
    return make_staff("coordinator", sites=[site], phone="+821099990001")


@pytest.fixture
def headers(coordinator):
    return auth(token_for(coordinator))


def post(client, participant, headers, body) -> dict:
    response = client.post(events_url(participant), json=body, headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def patch(client, participant, headers, event, **change) -> dict:
    response = client.patch(events_url(participant, event["id"]), json=change, headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def serious_alerts(participant) -> list[Alert]:
    return list(db.session.execute(
        select(Alert).where(Alert.participant_id == participant.id,
                            Alert.kind == "serious_event").order_by(Alert.id)
    ).scalars())


def alert_texts_to(staff) -> list[Message]:
    return list(db.session.execute(
        select(Message).where(Message.staff_user_id == staff.id, Message.kind == "alert")
    ).scalars())


def test_a_serious_event_raises_one_urgent_alert_due_24_hours_after_the_site_learned(
        client, participant, headers, coordinator):
    event = post(client, participant, headers, hospitalised())

    (alert,) = serious_alerts(participant)
    assert (alert.urgency, alert.status, alert.details) == (
        "urgent", "open", {"adverse_event_id": event["id"]})
    assert alert.report_due_at == datetime.fromisoformat(DUE)
    assert (event["alert_id"], event["serious"], event["report_due_at"]) == (
        alert.id, True, DUE)
    assert event["report_overdue"] is False
    assert len(alert_texts_to(coordinator)) == 1
    shown = client.get(f"/api/v1/alerts/{alert.id}", headers=headers).get_json()
    assert shown["report_due_at"] == DUE


def test_an_event_that_is_not_serious_raises_no_alert(client, participant, headers):
    event = post(client, participant, headers, nausea(site_aware_at=AWARE))

    assert (event["serious"], event["report_due_at"], event["alert_id"]) == (False, None, None)
    assert serious_alerts(participant) == []


def test_later_versions_of_a_serious_event_raise_no_second_alert(
        client, participant, headers, coordinator):
    event = post(client, participant, headers, hospitalised())
    patch(client, participant, headers, event, grade=4, reason="Worse")
    patch(client, participant, headers, event, seriousness=["hospitalisation",
                                                           "life_threatening"],
          grade=4, reason="Intensive care")

    assert len(serious_alerts(participant)) == 1
    assert len(alert_texts_to(coordinator)) == 1


def test_each_serious_event_has_its_own_alert(client, participant, headers):
    first = post(client, participant, headers, hospitalised())
    second = post(client, participant, headers, hospitalised(ctcae_term="Pleural effusion"))

    assert [a.details["adverse_event_id"] for a in serious_alerts(participant)] == [
        first["id"], second["id"]]


def test_an_event_that_becomes_serious_raises_the_alert_then(
        client, participant, headers, coordinator, clock):
    event = post(client, participant, headers, nausea(ctcae_term="Vomiting"))
    assert serious_alerts(participant) == []
    clock.shift(timedelta(hours=3))

    changed = patch(client, participant, headers, event, seriousness=["hospitalisation"],
                    site_aware_at="2026-03-20T14:30:00+09:00", reason="Admitted this afternoon")

    (alert,) = serious_alerts(participant)
    assert alert.report_due_at == datetime(2026, 3, 21, 5, 30, tzinfo=UTC)
    assert changed["alert_id"] == alert.id
    assert len(alert_texts_to(coordinator)) == 1


def test_a_serious_event_needs_when_the_site_learned_of_it(client, participant, headers):
    event = post(client, participant, headers, nausea())

    response = client.patch(events_url(participant, event["id"]),
                            json={"seriousness": ["hospitalisation"], "reason": "Admitted"},
                            headers=headers)

    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == ["site_aware_at"]
    assert serious_alerts(participant) == []


def test_a_corrected_awareness_time_moves_the_deadline(client, participant, headers):
    event = post(client, participant, headers, hospitalised())

    changed = patch(client, participant, headers, event,
                    site_aware_at="2026-03-20T08:15:00+09:00", reason="Call log says 08:15")

    (alert,) = serious_alerts(participant)
    assert alert.report_due_at == datetime(2026, 3, 20, 23, 15, tzinfo=UTC)
    assert changed["report_due_at"] == "2026-03-20T23:15:00+00:00"
    audit = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "alert.report_due_changed")
    ).scalar_one()
    assert (audit.entity_id, audit.before, audit.after) == (
        alert.id, {"report_due_at": DUE}, {"report_due_at": "2026-03-20T23:15:00+00:00"})


def test_the_event_shows_when_it_was_reported_to_the_sponsor(client, participant, headers):
    event = post(client, participant, headers, hospitalised())

    changed = patch(client, participant, headers, event,
                    reported_to_sponsor_at="2026-03-20T11:40:00+09:00",
                    reason="SAE form sent to the sponsor")

    assert changed["reported_to_sponsor_at"] == "2026-03-20T02:40:00+00:00"
    assert changed["report_overdue"] is False
