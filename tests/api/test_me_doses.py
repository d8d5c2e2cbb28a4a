"""A participant records a day's dose from the phone: POST/GET /api/v1/me/doses."""

import pytest
from sqlalchemy import select

from diary.extensions import db
from diary.messaging.outbox import enqueue
from diary.models import AuditEvent, Message
from tests.api.dose_helpers import MY_DOSES, NOON_IN_SEOUL, add_hold, add_step, missed, taken
from tests.factories import auth, make_participant, make_staff, token_for

FROZEN_AT = NOON_IN_SEOUL


@pytest.fixture
def patient(app_context, clock):
    return make_participant(enrolled="2026-03-01", tz="Asia/Seoul")


@pytest.fixture
def headers(patient):
    return auth(token_for(patient, hours=24 * 30))


def post(client, headers, body):
    return client.post(MY_DOSES, json=body, headers=headers)


def test_taken_dose_is_recorded_with_its_study_day(client, headers):
    response = post(client, headers, taken())
    assert response.status_code == 201
    entry = response.get_json()
    assert entry["study_day"] == 5
    assert entry["source"] == "app"
    assert entry["version"] == 1 and entry["is_current"] is True
    assert entry["late"] is False
    assert entry["recorded_at"] == "2026-03-05T03:00:00+00:00"


def test_missed_dose_is_recorded_with_its_reason(client, headers):
    response = post(client, headers, missed(missed_reason="side_effects", vomited=True))
    assert response.status_code == 201
    assert response.get_json()["missed_reason"] == "side_effects"
    assert response.get_json()["dose_mg"] is None


def test_same_write_again_answers_200_with_the_same_entry(client, headers):
    body = taken()
    first = post(client, headers, body)
    again = post(client, headers, dict(body, dose_mg=400.00,
                                       taken_at="2026-03-04T23:00:00+00:00"))
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json()["id"] == first.get_json()["id"]
    assert len(client.get(MY_DOSES, headers=headers).get_json()) == 1


def test_reused_client_id_with_a_different_body_is_a_conflict(client, headers):
    body = taken()
    post(client, headers, body)
    response = post(client, headers, dict(body, dose_mg=300))
    assert response.status_code == 409
    assert "client_id" in response.get_json()["errors"]


def test_second_entry_for_a_day_without_correction_reason_is_refused(client, headers):
    post(client, headers, taken())
    response = post(client, headers, missed())
    assert response.status_code == 409
    body = response.get_json()
    assert "correction_reason" in body["message"]
    assert "correction_reason" in body["errors"]
    assert client.get(MY_DOSES, headers=headers).get_json()[0]["status"] == "taken"


def test_correction_supersedes_the_entry_and_keeps_its_history(client, headers, patient):
    original = post(client, headers, taken(dose_mg=400)).get_json()
    response = post(client, headers, taken(dose_mg=300, correction_reason="Took 300, not 400"))
    assert response.status_code == 201
    corrected = response.get_json()
    assert (corrected["version"], corrected["dose_mg"]) == (2, 300)

    current = client.get(MY_DOSES, headers=headers).get_json()
    assert [e["id"] for e in current] == [corrected["id"]]
    history = client.get(MY_DOSES + "?history=true", headers=headers).get_json()
    assert [e["version"] for e in history] == [1, 2]
    assert history[0]["id"] == original["id"]
    assert history[0]["is_current"] is False
    assert history[0]["superseded_at"] == "2026-03-05T03:00:00+00:00"
    assert history[0]["dose_mg"] == 400

    events = db.session.execute(
        select(AuditEvent).where(AuditEvent.participant_id == patient.id)
        .order_by(AuditEvent.id)).scalars().all()
    assert [e.action for e in events] == ["dose.recorded", "dose.corrected"]
    assert events[1].before["dose_mg"] == 400
    assert events[1].after["dose_mg"] == 300
    assert events[1].reason == "Took 300, not 400"


def test_dose_logged_after_window_is_flagged_late(client, headers, clock):
    # Day 1 (1 March, Seoul) ended at 15:00 UTC; 72 hours on is 4 March 15:00 UTC.
    late = post(client, headers, taken("2026-03-01")).get_json()
    on_time = post(client, headers, taken("2026-03-02")).get_json()
    assert late["late"] is True
    assert on_time["late"] is False


def test_entry_at_window_end_is_on_time_and_a_second_later_is_late(client, headers, clock):
    clock.move_to("2026-03-05T15:00:00Z")
    assert post(client, headers, taken("2026-03-02")).get_json()["late"] is False
    clock.move_to("2026-03-05T15:00:01Z")
    correction = taken("2026-03-02", correction_reason="Wrong time")
    assert post(client, headers, correction).get_json()["late"] is True


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (taken("2026-02-28"), "dose_date"),
        (taken("2026-03-06"), "dose_date"),
        (taken(dose_mg=801), "dose_mg"),
        (taken(dose_mg=0), "dose_mg"),
        (taken(taken_at="2026-03-03T14:59:59+00:00"), "taken_at"),
        (taken("2026-03-01", taken_at="2026-03-02T15:00:00+00:00"), "taken_at"),
        (taken(taken_at="2026-03-05T08:00:00"), "taken_at"),
        (taken(dose_mg=None), "dose_mg"),
        (missed(dose_mg=400), "dose_mg"),
        (missed(taken_at="2026-03-05T08:00:00+09:00"), "taken_at"),
        (missed(missed_reason="other"), "missed_reason_text"),
        (missed(missed_reason="bored"), "missed_reason"),
        (taken(colour="blue"), "colour"),
        (taken(status="maybe"), "status"),
    ],
    ids=["before-enrolment", "after-local-today", "over-twice-the-dose", "zero-mg",
         "taken-more-than-a-day-before", "taken-more-than-a-day-after", "naive-taken-at",
         "taken-without-mg", "missed-with-mg", "missed-with-time", "other-without-text",
         "unknown-reason", "unknown-field", "unknown-status"],
)
def test_entry_outside_the_rules_is_refused_with_a_message_per_field(client, headers, body,
                                                                     field):
    response = post(client, headers, body)
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert field in errors, errors
    assert all(isinstance(message, str) for message in errors[field])


def test_today_follows_the_participant_time_zone(client, headers, clock):
    clock.move_to("2026-03-05T15:30:00Z")  # 00:30 on 6 March in Seoul
    response = post(client, headers, taken("2026-03-06", taken_at="2026-03-06T00:10:00+09:00"))
    assert response.status_code == 201
    assert response.get_json()["study_day"] == 6


def test_dose_limit_follows_the_prescription_on_that_day(client, headers, patient):
    add_step(patient, "2026-03-04", 300)
    assert post(client, headers, taken("2026-03-03", dose_mg=800)).status_code == 201
    response = post(client, headers, taken("2026-03-04", dose_mg=601))
    assert response.status_code == 422
    assert "600" in response.get_json()["errors"]["dose_mg"][0]


def test_dose_taken_on_a_held_day_is_still_recorded(client, headers, patient):
    add_hold(patient, make_staff(), "2026-03-04", None)
    assert post(client, headers, taken("2026-03-04")).status_code == 201


def test_recording_a_dose_cancels_that_day_reminders(client, headers, patient):
    from datetime import date

    reminder = enqueue(kind="reminder", body="x", participant_id=patient.id,
                       local_date=date(2026, 3, 5))
    other_day = enqueue(kind="reminder", body="x", participant_id=patient.id,
                        local_date=date(2026, 3, 6))
    db.session.commit()
    post(client, headers, missed())
    statuses = dict(db.session.execute(
        select(Message.id, Message.status).execution_options(populate_existing=True)).all())
    assert statuses[reminder.id] == "cancelled"
    assert statuses[other_day.id] == "pending"


def test_withdrawn_participant_cannot_record(client, app_context, clock):
    patient = make_participant(enrolled="2026-03-01", status="withdrawn")
    response = post(client, auth(token_for(patient)), taken())
    assert response.status_code == 409


def test_recording_needs_a_device_token(client, patient):
    assert post(client, {}, taken()).status_code == 401
    staff_headers = auth(token_for(make_staff()))
    assert post(client, staff_headers, taken()).status_code == 401


def test_listing_keeps_to_the_window(client, headers):
    for day in ("2026-03-02", "2026-03-03", "2026-03-04"):
        post(client, headers, taken(day))
    listed = client.get(MY_DOSES + "?from=2026-03-03&to=2026-03-04", headers=headers)
    assert [e["dose_date"] for e in listed.get_json()] == ["2026-03-03", "2026-03-04"]
    assert client.get(MY_DOSES + "?from=2026-03-04&to=2026-03-03",
                      headers=headers).status_code == 422


def test_recording_a_dose_takes_six_statements(client, headers, count_queries):
    """Token look-up, the day's state, INSERT entry, the audit chain's last link (under
    the chain's lock, on PostgreSQL), INSERT audit, cancel reminders."""
    with count_queries() as statements:
        response = post(client, headers, taken())

    assert response.status_code == 201
    verbs = [statement.split(None, 1)[0].upper() for statement in statements]
    assert verbs == ["SELECT", "SELECT", "INSERT", "SELECT", "INSERT", "UPDATE"]
    locked = db.engine.dialect.name == "postgresql"
    assert ("audit_chain_tail" in statements[3]) == locked


@pytest.mark.parametrize("reason", ["", "   ", "\t\n"])
def test_a_blank_correction_reason_is_422_and_changes_nothing(client, headers, reason):
    post(client, headers, taken(dose_mg=400))
    response = post(client, headers, taken(dose_mg=300, correction_reason=reason))
    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == ["correction_reason"]
    assert [e["dose_mg"] for e in client.get(MY_DOSES, headers=headers).get_json()] == [400]
