"""Symptom reports raise the same alerts whatever path they took, texted to staff at once."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from diary.clock import utcnow
from diary.extensions import db
from diary.models import Alert, Message
from tests.api.symptom_helpers import (
    MY_REPORTS,
    MY_SYNC,
    NOON_IN_SEOUL,
    item,
    staff_reports,
    symptom_report,
)
from tests.factories import auth, make_participant, make_site, make_staff, token_for

FROZEN_AT = NOON_IN_SEOUL
pytestmark = pytest.mark.usefixtures("clock")
SEVERE_NAUSEA = item("nausea", frequency=4, severity=4)


@pytest.fixture
def patient(site):
    return make_participant(enrolled="2026-03-01", study_code="S01-042")


@pytest.fixture
def coordinator(site):
    return make_staff("coordinator", phone="+821099990001")


def send_by_app(client, patient, body):
    response = client.post(MY_REPORTS, json=body, headers=auth(token_for(patient)))
    assert response.status_code == 201, response.get_json()
    return response.get_json()["report"]


def send_by_sync(client, patient, body):
    response = client.post(MY_SYNC, json={"entries": [dict(body, kind="symptom_report")]},
                           headers=auth(token_for(patient)))
    (result,) = response.get_json()["results"]
    assert result["result"] == "created", result
    return result["report"]


def send_by_staff(client, patient, body):
    staff = make_staff("coordinator")
    response = client.post(staff_reports(patient.id), json=dict(body, reason="Clinic visit"),
                           headers=auth(token_for(staff)))
    assert response.status_code == 201, response.get_json()
    return response.get_json()["report"]


PATHS = {"app": send_by_app, "sync": send_by_sync, "staff": send_by_staff}


def alerts() -> list[Alert]:
    return list(db.session.execute(select(Alert).order_by(Alert.id)).scalars())


def texts_to(staff) -> list[Message]:
    return list(db.session.execute(
        select(Message).where(Message.staff_user_id == staff.id)).scalars())


def raised() -> list[tuple]:
    return sorted((a.kind, a.urgency, a.details.get("item")) for a in alerts())


@pytest.mark.parametrize("path", PATHS)
def test_every_rule_raises_its_alert_the_same_whatever_path_the_report_took(
        client, patient, coordinator, path):
    send = PATHS[path]
    baseline = send(client, patient, symptom_report(
        "2026-03-02", items=[item("headache", frequency=0), item("weight_kg", kg=60)]))
    assert alerts() == []
    report = send(client, patient, symptom_report(
        items=[SEVERE_NAUSEA, item("headache", frequency=3, severity=1, interference=1),
               item("weight_kg", kg=62.5)],
        emergency_visit=True, pregnancy=True, pregnancy_of="self",
        pregnancy_date="2026-03-04", other_symptoms="Nosebleeds twice this week"))
    assert raised() == [
        ("emergency_visit", "urgent", None), ("other_symptoms", "routine", None),
        ("pregnancy", "urgent", None), ("severe_symptom", "urgent", "nausea"),
        ("symptom_high", "routine", "headache"), ("symptom_worse", "routine", "headache"),
        ("weight_gain", "routine", "weight_kg")]
    details = {a.kind: a.details for a in alerts()}
    assert details["severe_symptom"] == {
        "item": "nausea", "report_ids": [report["id"]],
        "triggers": [{"report_id": report["id"], "item": "nausea",
                      "scores": {"frequency": 4, "severity": 4}, "grade": 3}]}
    assert details["symptom_worse"]["triggers"][0]["baseline_report_id"] == baseline["id"]
    assert details["weight_gain"]["triggers"][0] == {
        "report_id": report["id"], "item": "weight_kg", "kg": 62.5, "lowest_kg": 60,
        "lowest_report_id": baseline["id"]}
    assert details["other_symptoms"] == {"report_ids": [report["id"]],
                                         "triggers": [{"report_id": report["id"]}]}
    assert details["pregnancy"]["triggers"][0]["pregnancy_of"] == "self"
    # Each alert texted the coordinator once, at once.
    assert sorted(m.alert_id for m in texts_to(coordinator)) == [a.id for a in alerts()]


def test_an_urgent_report_texts_each_coordinator_with_a_phone_once_at_once(client, patient):
    texted = [make_staff("coordinator", phone=f"+82109999000{n}") for n in (1, 2)]
    no_phone = make_staff("coordinator")
    quiet = make_staff("coordinator", phone="+821099990003")
    quiet.alerts_enabled = False
    investigator = make_staff("investigator", phone="+821099990004")
    elsewhere = make_staff("coordinator", sites=[make_site()], phone="+821099990005")
    db.session.commit()

    send_by_app(client, patient, symptom_report(items=[SEVERE_NAUSEA]))

    (alert,) = alerts()
    assert (alert.kind, alert.urgency, alert.staff_texts_queued) == (
        "severe_symptom", "urgent", 2)
    for staff in texted:
        (text,) = texts_to(staff)
        assert (text.kind, text.status, text.alert_id) == ("alert", "pending", alert.id)
        assert text.due_at == utcnow()
    for staff in (no_phone, quiet, investigator, elsewhere):
        assert texts_to(staff) == []


def test_a_staff_text_names_the_alert_and_the_study_code_and_no_health_information(
        client, patient, coordinator):
    send_by_app(client, patient, symptom_report(
        items=[SEVERE_NAUSEA], other_symptoms="Blood in my stool"))
    bodies = [m.body for m in texts_to(coordinator)]
    assert len(bodies) == 2
    for body in bodies:
        assert "S01-042" in body
        for secret in ("nausea", "메스꺼움", "Blood", "imatinib", "grade", "severity"):
            assert secret not in body
    assert all("Blood" not in str(a.details) for a in alerts())


def test_a_new_trigger_while_the_alert_is_open_joins_it_without_a_new_text(
        client, patient, coordinator):
    first = send_by_app(client, patient, symptom_report(items=[SEVERE_NAUSEA]))
    second = send_by_sync(client, patient, symptom_report(
        items=[item("nausea", frequency=3, severity=4)]))
    (alert,) = alerts()
    assert alert.details["report_ids"] == [first["id"], second["id"]]
    assert [t["scores"] for t in alert.details["triggers"]] == [
        {"frequency": 4, "severity": 4}, {"frequency": 3, "severity": 4}]
    assert len(texts_to(coordinator)) == 1
    # Another item is another alert.
    send_by_app(client, patient, symptom_report(items=[item("vomiting", frequency=4,
                                                            severity=3)]))
    assert [a.details["item"] for a in alerts()] == ["nausea", "vomiting"]
    assert len(texts_to(coordinator)) == 2


def test_an_acknowledged_alert_still_gathers_triggers_and_a_closed_one_lets_a_new_fire(
        client, patient, coordinator):
    headers = auth(token_for(coordinator))
    send_by_app(client, patient, symptom_report(emergency_visit=True))
    (alert,) = alerts()
    assert client.post(f"/api/v1/alerts/{alert.id}/acknowledge", headers=headers
                       ).status_code == 200
    send_by_app(client, patient, symptom_report(emergency_visit=True))
    assert len(alerts()) == 1
    assert len(alert.details["report_ids"]) == 2
    closed = client.post(f"/api/v1/alerts/{alert.id}/close", headers=headers,
                         json={"reason": "Called: seen in the ER for a fall, discharged"})
    assert closed.status_code == 200
    later = send_by_app(client, patient, symptom_report(emergency_visit=True))
    old, new = alerts()
    assert (old.status, new.status) == ("closed", "open")
    assert new.details["report_ids"] == [later["id"]]
    assert len(texts_to(coordinator)) == 2


def test_two_participants_get_an_alert_each_for_the_same_item(client, patient, site):
    other = make_participant(enrolled="2026-03-01")
    send_by_app(client, patient, symptom_report(items=[SEVERE_NAUSEA]))
    send_by_app(client, other, symptom_report(items=[SEVERE_NAUSEA]))
    assert sorted(a.participant_id for a in alerts()) == sorted([patient.id, other.id])


def test_a_pregnancy_starts_the_24_hour_reporting_clock(client, patient, coordinator):
    answer = client.post(MY_REPORTS, headers=auth(token_for(patient)), json=symptom_report(
        pregnancy=True, pregnancy_of="partner", pregnancy_date="2026-03-03"))
    assert answer.get_json()["advice"]["action"] == "contact_now"
    (alert,) = alerts()
    assert (alert.kind, alert.urgency) == ("pregnancy", "urgent")
    assert alert.report_due_at == utcnow() + timedelta(hours=24)


def test_the_baseline_is_the_first_report_that_scored_the_item(client, patient):
    for severity in (0, 1):
        send_by_app(client, patient, symptom_report(
            "2026-03-02", items=[item("periorbital_oedema", severity=severity)]))
    assert alerts() == []
    third = send_by_app(client, patient, symptom_report(
        items=[item("periorbital_oedema", severity=2)]))
    (alert,) = alerts()
    assert (alert.kind, alert.details["item"]) == ("symptom_worse", "periorbital_oedema")
    assert alert.details["triggers"][0]["baseline"] == {"severity": 0}
    assert alert.details["report_ids"] == [third["id"]]


@pytest.mark.frozen_at("2026-03-12T03:00:00Z")
def test_a_weight_older_than_the_window_does_not_count(client, patient):
    def weigh(day, kg):
        send_by_app(client, patient, symptom_report(day, items=[item("weight_kg", kg=kg)]))

    weigh("2026-03-04", 58)  # 8 days before the 12th: outside its window
    weigh("2026-03-05", 59.5)
    weigh("2026-03-12", 61.4)
    assert alerts() == []
    weigh("2026-03-12", 61.5)
    (alert,) = alerts()
    assert alert.details["triggers"][0]["lowest_kg"] == 59.5
