"""Staff alerts: list and read at one's own sites, acknowledge, close; escalation."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from diary.extensions import db
from diary.models import Alert, AuditEvent, Message
from diary.operations.alerts import escalate_due_alerts, raise_alert
from tests import factories
from tests.factories import auth, token_for

T0 = datetime(2026, 3, 10, 1, 0, tzinfo=UTC)


FROZEN_AT = T0
pytestmark = pytest.mark.usefixtures("clock")


@pytest.fixture
def other_site(study):
    return factories.make_site()


@pytest.fixture
def participant(site):
    return factories.make_participant(enrolled="2026-03-01")


@pytest.fixture
def coordinator(site):
    return factories.make_staff("coordinator", phone="+821099990001")


@pytest.fixture
def investigator(site):
    return factories.make_staff("investigator", phone="+821099990002")


@pytest.fixture
def admin(site):
    return factories.make_staff("admin", sites=[], phone="+821099990003")


@pytest.fixture
def stranger(other_site):
    """A coordinator of another site."""
    return factories.make_staff("coordinator", sites=[other_site], phone="+821099990004")


def alert_for(participant, kind="sms_opt_out", **options) -> Alert:
    alert = raise_alert(kind, participant, **options)
    db.session.commit()
    return alert


def texts_to(staff, kind=None):
    query = select(Message).where(Message.staff_user_id == staff.id)
    if kind:
        query = query.where(Message.kind == kind)
    return db.session.execute(query).scalars().all()


def test_coordinator_lists_the_alerts_of_their_sites_newest_first(
        client, participant, coordinator, other_site, clock):
    older = alert_for(participant, "sms_opt_out")
    clock.shift(timedelta(minutes=5))
    newer = alert_for(participant, "unreachable")
    elsewhere = factories.make_participant(site=other_site)
    alert_for(elsewhere, "unreachable")

    response = client.get("/api/v1/alerts", headers=auth(token_for(coordinator)))

    assert response.status_code == 200
    assert [a["id"] for a in response.get_json()] == [newer.id, older.id]
    assert json.loads(response.headers["X-Pagination"])["total"] == 2


def test_alert_list_filters_by_status_and_kind(client, participant, coordinator):
    opt_out = alert_for(participant, "sms_opt_out")
    unreachable = alert_for(participant, "unreachable")
    headers = auth(token_for(coordinator))
    client.post(f"/api/v1/alerts/{opt_out.id}/acknowledge", headers=headers)

    by_kind = client.get("/api/v1/alerts?kind=unreachable", headers=headers).get_json()
    by_status = client.get("/api/v1/alerts?status=acknowledged", headers=headers).get_json()

    assert [a["id"] for a in by_kind] == [unreachable.id]
    assert [a["id"] for a in by_status] == [opt_out.id]


def test_alert_list_pages(client, participant, coordinator, clock):
    for _ in range(3):
        alert_for(participant, "severe_symptom")
        clock.shift(timedelta(minutes=1))
    response = client.get("/api/v1/alerts?page=2&page_size=2",
                          headers=auth(token_for(coordinator)))

    assert len(response.get_json()) == 1
    assert json.loads(response.headers["X-Pagination"])["total_pages"] == 2


def test_unknown_status_filter_is_a_422(client, coordinator):
    response = client.get("/api/v1/alerts?status=maybe", headers=auth(token_for(coordinator)))

    assert response.status_code == 422
    assert "status" in response.get_json()["errors"]


def test_admin_sees_every_site(client, participant, admin, other_site):
    alert_for(participant)
    alert_for(factories.make_participant(site=other_site))

    response = client.get("/api/v1/alerts", headers=auth(token_for(admin)))

    assert len(response.get_json()) == 2


def test_alerts_need_a_staff_token(client, participant):
    response = client.get("/api/v1/alerts",
                          headers=auth(token_for(participant)))

    assert response.status_code == 401


def test_reading_one_alert(client, participant, coordinator):
    alert = alert_for(participant, "unreachable", details={"message_ids": [1, 2, 3]})
    body = client.get(f"/api/v1/alerts/{alert.id}", headers=auth(token_for(coordinator)))

    assert body.get_json()["kind"] == "unreachable"
    assert body.get_json()["details"] == {"message_ids": [1, 2, 3]}
    assert body.get_json()["created_at"].endswith("+00:00")


@pytest.mark.parametrize("action", ["get", "acknowledge", "close"])
def test_another_sites_alert_is_not_found(client, participant, stranger, action):
    alert = alert_for(participant)
    headers = auth(token_for(stranger))
    if action == "get":
        response = client.get(f"/api/v1/alerts/{alert.id}", headers=headers)
    else:
        response = client.post(f"/api/v1/alerts/{alert.id}/{action}", headers=headers,
                               json={"reason": "Not mine"} if action == "close" else None)

    assert response.status_code == 404
    db.session.refresh(alert)
    assert alert.status == "open"


def test_acknowledging_records_who_and_when_and_is_audited(client, participant, investigator):
    alert = alert_for(participant, "serious_event")
    response = client.post(f"/api/v1/alerts/{alert.id}/acknowledge",
                           headers=auth(token_for(investigator)))

    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "acknowledged"
    assert body["acknowledged_by_staff_id"] == investigator.id
    assert body["acknowledged_at"] == T0.isoformat()
    assert body["next_escalation_at"] is None
    event = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "alert.acknowledged")
    ).scalar_one()
    assert (event.actor_id, event.entity_id) == (investigator.id, alert.id)


def test_acknowledging_twice_changes_nothing(client, participant, coordinator, investigator):
    alert = alert_for(participant)
    client.post(f"/api/v1/alerts/{alert.id}/acknowledge", headers=auth(token_for(coordinator)))
    again = client.post(f"/api/v1/alerts/{alert.id}/acknowledge",
                        headers=auth(token_for(investigator)))

    assert again.status_code == 200
    assert again.get_json()["acknowledged_by_staff_id"] == coordinator.id


def test_closing_needs_a_reason(client, participant, coordinator):
    alert = alert_for(participant)
    response = client.post(f"/api/v1/alerts/{alert.id}/close", json={"reason": "  "},
                           headers=auth(token_for(coordinator)))

    assert response.status_code == 422
    assert "reason" in response.get_json()["errors"]


def test_closing_with_unknown_fields_is_a_422(client, participant, coordinator):
    alert = alert_for(participant)
    response = client.post(f"/api/v1/alerts/{alert.id}/close",
                           json={"reason": "Done", "status": "open"},
                           headers=auth(token_for(coordinator)))

    assert response.status_code == 422


def test_closing_keeps_the_reason_and_is_audited(client, participant, coordinator):
    alert = alert_for(participant)
    response = client.post(f"/api/v1/alerts/{alert.id}/close",
                           json={"reason": "Spoke to the participant by phone"},
                           headers=auth(token_for(coordinator)))

    body = response.get_json()
    assert response.status_code == 200
    assert (body["status"], body["close_reason"]) == ("closed",
                                                       "Spoke to the participant by phone")
    assert body["closed_by_staff_id"] == coordinator.id
    event = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "alert.closed")
    ).scalar_one()
    assert event.reason == "Spoke to the participant by phone"


def test_closed_alert_cannot_be_closed_or_acknowledged_again(client, participant, coordinator):
    alert = alert_for(participant)
    headers = auth(token_for(coordinator))
    client.post(f"/api/v1/alerts/{alert.id}/close", json={"reason": "Done"}, headers=headers)

    assert client.post(f"/api/v1/alerts/{alert.id}/close", json={"reason": "Again"},
                       headers=headers).status_code == 409
    assert client.post(f"/api/v1/alerts/{alert.id}/acknowledge",
                       headers=headers).status_code == 409


def test_same_cause_gives_one_alert_until_it_is_closed(client, participant, coordinator):
    first = alert_for(participant, "unreachable")
    again = alert_for(participant, "unreachable")
    assert again.id == first.id

    client.post(f"/api/v1/alerts/{first.id}/close", json={"reason": "Number fixed"},
                headers=auth(token_for(coordinator)))
    later = alert_for(participant, "unreachable")
    assert later.id != first.id


def test_new_alert_texts_the_sites_coordinators_only(
        participant, coordinator, investigator, admin, stranger):
    alert = alert_for(participant)

    assert [m.alert_id for m in texts_to(coordinator, "alert")] == [alert.id]
    assert texts_to(investigator) == texts_to(admin) == texts_to(stranger) == []


def test_coordinator_with_alerts_off_gets_no_text(participant, coordinator):
    coordinator.alerts_enabled = False
    db.session.commit()
    on_duty = factories.make_staff("coordinator", phone="+821099990005")
    alert = alert_for(participant)

    assert texts_to(coordinator) == []
    assert [m.alert_id for m in texts_to(on_duty, "alert")] == [alert.id]


def test_urgent_alert_climbs_the_studys_ladder_until_acknowledged(
        participant, coordinator, investigator, admin, stranger, clock):
    alert = alert_for(participant, "serious_event")
    assert len(texts_to(coordinator, "alert")) == 1  # the coordinators, at once

    clock.move_to(T0 + timedelta(minutes=29))
    assert escalate_due_alerts() == 0

    clock.move_to(T0 + timedelta(minutes=30))
    assert escalate_due_alerts() == 1
    db.session.refresh(alert)
    assert alert.escalation_level == 1
    assert alert.next_escalation_at == T0 + timedelta(hours=2)
    assert len(texts_to(investigator, "escalation")) == 1
    assert texts_to(coordinator, "escalation") == texts_to(admin, "escalation") == []
    assert escalate_due_alerts() == 0  # the same step twice texts nobody twice

    clock.move_to(T0 + timedelta(hours=2))
    assert escalate_due_alerts() == 1
    assert len(texts_to(coordinator, "escalation")) == 1
    assert len(texts_to(investigator, "escalation")) == 2
    assert len(texts_to(admin, "escalation")) == 1
    assert texts_to(stranger) == []

    # Then the whole team again every two hours.
    clock.move_to(T0 + timedelta(hours=4))
    assert escalate_due_alerts() == 1
    db.session.refresh(alert)
    assert (alert.escalation_level, alert.next_escalation_at) == (3, T0 + timedelta(hours=6))
    assert len(texts_to(coordinator, "escalation")) == 2
    assert len(texts_to(admin, "escalation")) == 2


def test_a_scheduler_back_from_an_outage_texts_the_step_due_now_once(
        participant, coordinator, investigator, admin, clock):
    alert = alert_for(participant, "serious_event")

    clock.move_to(T0 + timedelta(hours=5))  # down since before the first step
    assert escalate_due_alerts() == 1
    assert escalate_due_alerts() == 0

    db.session.refresh(alert)
    assert (alert.escalation_level, alert.next_escalation_at) == (3, T0 + timedelta(hours=6))
    assert len(texts_to(coordinator, "escalation")) == 1
    assert len(texts_to(investigator, "escalation")) == 1


def test_routine_alert_texts_the_coordinators_again_every_day(
        participant, coordinator, investigator, clock):
    alert = alert_for(participant, "sms_opt_out")
    clock.move_to(T0 + timedelta(hours=23, minutes=59))
    assert escalate_due_alerts() == 0

    clock.move_to(T0 + timedelta(hours=24))
    assert escalate_due_alerts() == 1
    db.session.refresh(alert)
    assert alert.next_escalation_at == T0 + timedelta(hours=48)
    assert len(texts_to(coordinator, "escalation")) == 1
    assert texts_to(investigator) == []


def test_the_study_file_sets_the_ladder(participant, coordinator, investigator, study, clock):
    study.definition = {**study.definition, "alerts": {"escalation": {"urgent": {
        "steps": [{"after_minutes": 0, "roles": ["coordinator"]},
                  {"after_minutes": 10, "roles": ["investigator"]}]}}}}
    db.session.commit()
    alert = alert_for(participant, "serious_event")

    clock.move_to(T0 + timedelta(minutes=10))
    assert escalate_due_alerts() == 1
    db.session.refresh(alert)
    assert alert.next_escalation_at is None  # no repeat: the ladder is climbed
    assert len(texts_to(investigator, "escalation")) == 1


def test_acknowledged_alert_stops_escalating(client, participant, coordinator, investigator,
                                             clock):
    alert = alert_for(participant, "serious_event")
    client.post(f"/api/v1/alerts/{alert.id}/acknowledge", headers=auth(token_for(coordinator)))
    clock.move_to(T0 + timedelta(hours=1))

    assert escalate_due_alerts() == 0
    assert texts_to(investigator) == []


def test_escalation_is_audited(participant, investigator, clock):
    alert = alert_for(participant, "serious_event")
    clock.move_to(T0 + timedelta(minutes=30))
    escalate_due_alerts()

    event = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "alert.escalated")
    ).scalar_one()
    assert (event.actor_type, event.entity_id, event.after["escalation_level"]) == (
        "system", alert.id, 1)


def test_alert_kinds_are_documented_and_filtered_as_the_registry_names_them(
        client, coordinator):
    from diary.rules.alerts import ALERT_KIND_NAMES

    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["components"]["schemas"]["Alert"]["properties"]["kind"]["enum"] == list(
        ALERT_KIND_NAMES)
    response = client.get("/api/v1/alerts?kind=no_such_kind",
                          headers=auth(token_for(coordinator)))
    assert response.status_code == 422
    assert "kind" in response.get_json()["errors"]


def test_alert_counts_the_staff_texts_it_queued(client, participant, coordinator, admin):
    alert = alert_for(participant, "sms_opt_out")

    [shown] = client.get("/api/v1/alerts", headers=auth(token_for(admin))).get_json()
    assert shown["id"] == alert.id
    assert shown["staff_texts_queued"] == 1


def test_alert_that_texted_nobody_says_so_in_the_list_and_the_log(
        client, participant, admin, caplog):
    factories.make_staff("coordinator", phone=None)  # a coordinator without a phone
    with caplog.at_level("WARNING", logger="diary.operations.alerts"):
        alert = alert_for(participant, "serious_event")

    [shown] = client.get("/api/v1/alerts", headers=auth(token_for(admin))).get_json()
    assert shown["staff_texts_queued"] == 0
    [line] = [r.getMessage() for r in caplog.records if "no staff member" in r.getMessage()]
    assert f"alert id={alert.id}" in line
    assert participant.study_code not in line and "+82" not in line


def test_escalation_rounds_add_to_the_count(participant, coordinator, investigator, clock):
    alert = alert_for(participant, "serious_event")
    clock.shift(timedelta(minutes=30))
    escalate_due_alerts()

    assert alert.staff_texts_queued == 2
