"""A whole scenario with every logger at DEBUG: no phone number, e-mail or text in any record.

Enrolment with a phone, activation, doses, reminders planned and sent through the real
Twilio client to the fake Twilio server, a delivery report, SMS replies, a symptom report
whose alert texts the coordinator. Then every record's message, its arguments and its
traceback are searched for what must never be logged.
"""

import logging
import uuid
from datetime import UTC, datetime, timedelta

import phonenumbers
import pytest
from sqlalchemy import select

from diary.extensions import db
from diary.messaging.planning import plan_reminders
from diary.models import Alert, Participant
from notifications.dispatch import dispatch_due
from tests.api.symptom_helpers import MY_REPORTS, item, symptom_report
from tests.api.twilio_signing import AUTH_TOKEN, PUBLIC_BASE, post_signed
from tests.factories import auth, make_staff, token_for
from tests.notifications.conftest import fake_twilio, twilio_sender  # noqa: F401 (fixtures)

SEOUL_7AM = datetime(2026, 5, 3, 22, tzinfo=UTC)  # 07:00 on 4 May in Seoul
FROZEN_AT = SEOUL_7AM
pytestmark = pytest.mark.usefixtures("clock")

PARTICIPANT_PHONE = "+821055507777"
STAFF_PHONE = "+821066608888"
STAFF_EMAIL = "kim.jiyeon@example.org"
STUDY_NUMBER = "+15005550006"
QUESTION = "Can I take it with grapefruit juice?"
FREE_TEXT = "Dizzy every morning since Tuesday"
LOGGERS = ("", "sqlalchemy", "sqlalchemy.engine", "sqlalchemy.pool", "sqlalchemy.orm",
           "werkzeug", "twilio", "twilio.http_client", "apscheduler", "urllib3", "alembic",
           "diary", "api", "notifications")


@pytest.fixture
def every_log(caplog, monkeypatch):
    """Capture every logger at DEBUG, propagating to the capture (before any connection)."""
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name or None)
        monkeypatch.setattr(logging.getLogger(name or None), "propagate", True)
    return caplog


@pytest.fixture
def db_session(every_log, db_session):
    # SQLAlchemy decides whether a connection logs when it opens: levels first.
    yield db_session


@pytest.fixture(autouse=True)
def signed_by_twilio(app, monkeypatch):
    monkeypatch.setitem(app.config, "TWILIO_AUTH_TOKEN", AUTH_TOKEN)


def phone_forms(e164: str) -> set[str]:
    """Return the ways a number can be written: E.164, international, national, digits."""
    number = phonenumbers.parse(e164, None)
    forms = {phonenumbers.format_number(number, style) for style in (
        phonenumbers.PhoneNumberFormat.E164, phonenumbers.PhoneNumberFormat.INTERNATIONAL,
        phonenumbers.PhoneNumberFormat.NATIONAL)}
    digits = {"".join(ch for ch in form if ch.isdigit()) for form in forms}
    return forms | digits | {str(number.national_number)}


def sms(client, body: str, sid: str):
    response = post_signed(client, "/webhooks/twilio/sms", {
        "MessageSid": sid, "From": PARTICIPANT_PHONE, "To": STUDY_NUMBER, "Body": body})
    assert response.status_code == 200


def run_scenario(client, clock, fake_twilio, twilio_sender):  # noqa: F811
    coordinator = make_staff("coordinator", email=STAFF_EMAIL, phone=STAFF_PHONE)
    staff = auth(token_for(coordinator))
    enrolled = client.post("/api/v1/participants", headers=staff, json={
        "study_code": "S01-777", "site_id": coordinator.sites[0].id,
        "enrolled_on": "2026-05-01", "phone": "010-5550-7777", "sms_consent": True,
        "proxy_reporter": False, "reminder_time": "09:00"})
    assert enrolled.status_code == 201, enrolled.get_json()
    participant_id = enrolled.get_json()["id"]
    code = client.post(f"/api/v1/participants/{participant_id}/activation-code",
                       headers=staff).get_json()["code"]
    device = auth(client.post("/api/v1/auth/activate", json={"code": code})
                  .get_json()["access_token"])
    for day in ("2026-05-02", "2026-05-03"):
        dose = client.post("/api/v1/me/doses", headers=device, json={
            "client_id": str(uuid.uuid4()), "dose_date": day, "status": "taken", "dose_mg": 400,
            "taken_at": f"{day}T08:00:00+09:00"})
        assert dose.status_code == 201, dose.get_json()

    plan_reminders(SEOUL_7AM)
    clock.move_to(SEOUL_7AM + timedelta(hours=2))
    assert dispatch_due(sender=twilio_sender).sent == 1
    [reminder] = fake_twilio.requests
    delivered = post_signed(client, reminder.status_callback.removeprefix(PUBLIC_BASE),
                            {"MessageSid": reminder.sid, "MessageStatus": "delivered"},
                            url=reminder.status_callback)
    assert delivered.status_code == 200
    sms(client, "1", "SM" + "a" * 32)
    sms(client, QUESTION, "SM" + "b" * 32)

    report = client.post(MY_REPORTS, headers=device, json=symptom_report(
        day="2026-05-04", items=[item("nausea", frequency=4, severity=4)],
        other_symptoms=FREE_TEXT))
    assert report.status_code == 201, report.get_json()
    assert dispatch_due(sender=twilio_sender).sent >= 2

    # The exports: their requests and rendering are scanned too.
    for url in ("/api/v1/exports/sdtm", "/api/v1/exports/fhir",
                f"/api/v1/participants/{participant_id}/fhir",
                f"/api/v1/participants/{participant_id}/record",
                f"/api/v1/participants/{participant_id}/record?format=odm",
                f"/api/v1/participants/{participant_id}/adherence",
                "/api/v1/reports/adherence"):
        answer = client.get(url, headers=staff)
        assert answer.status_code == 200, (url, answer.get_data(as_text=True)[:200])
    return db.session.get(Participant, participant_id)


def test_no_log_record_holds_a_number_an_address_or_a_text(
        client, clock, every_log, fake_twilio, twilio_sender):  # noqa: F811
    participant = run_scenario(client, clock, fake_twilio, twilio_sender)

    # The scenario really happened: texts both ways, an alert texted to the coordinator.
    assert participant.phone_e164 == PARTICIPANT_PHONE
    assert fake_twilio.sent_to(PARTICIPANT_PHONE) and fake_twilio.sent_to(STAFF_PHONE)
    kinds = set(db.session.execute(select(Alert.kind)).scalars())
    assert {"severe_symptom", "sms_not_understood"} <= kinds
    assert len(every_log.records) > 100  # SQL, the twilio client, our own lines

    secret = (phone_forms(PARTICIPANT_PHONE) | phone_forms(STAFF_PHONE)
              | {STAFF_EMAIL, QUESTION, FREE_TEXT}
              | {request.body for request in fake_twilio.requests})
    formatter = logging.Formatter()
    leaks = []
    for record in every_log.records:
        seen = f"{formatter.format(record)} {record.args!r}"
        leaks += [(record.name, value) for value in secret if value in seen]
    assert sorted(set(leaks)) == []
