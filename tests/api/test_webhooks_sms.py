"""Texts participants send to the study number: replies, STOP/START, HELP, and the rest."""

import itertools
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from diary.extensions import db
from diary.messaging.outbox import enqueue
from diary.messaging.templates import render
from diary.models import Alert, AuditEvent, DoseEntry, InboundMessage, Message
from tests import factories
from tests.api.twilio_signing import AUTH_TOKEN, TWIML_EMPTY, post_signed

PHONE = "+821012345678"
# 10:00 in Seoul on 10 March 2026.
NOW = datetime(2026, 3, 10, 1, 0, tzinfo=UTC)
_sids = itertools.count(1)


@pytest.fixture(autouse=True)
def signed_by_twilio(app, monkeypatch):
    monkeypatch.setitem(app.config, "TWILIO_AUTH_TOKEN", AUTH_TOKEN)


FROZEN_AT = NOW
pytestmark = pytest.mark.usefixtures("clock")


@pytest.fixture
def participant(site):
    return factories.make_participant(enrolled="2026-03-01", phone=PHONE, locale="ko")


@pytest.fixture
def coordinator(site):
    return factories.make_staff("coordinator", phone="+821099990000")


def text(client, body, *, sid=None, sender=PHONE):
    sid = sid or f"SM{next(_sids):032x}"
    return post_signed(client, "/webhooks/twilio/sms",
                       {"MessageSid": sid, "From": sender, "To": "+15005550006",
                        "Body": body})


def today_entry(participant, day=date(2026, 3, 10)):
    return db.session.execute(
        select(DoseEntry).where(DoseEntry.participant_id == participant.id,
                                DoseEntry.dose_date == day, DoseEntry.is_current)
    ).scalar_one_or_none()


def replies_to(participant):
    return db.session.execute(
        select(Message.body).where(Message.participant_id == participant.id)
        .order_by(Message.id)
    ).scalars().all()


def alerts_of(participant, kind):
    return db.session.execute(
        select(Alert).where(Alert.participant_id == participant.id, Alert.kind == kind)
    ).scalars().all()


def audit_actions(participant):
    return db.session.execute(
        select(AuditEvent.action).where(AuditEvent.participant_id == participant.id)
        .order_by(AuditEvent.id)
    ).scalars().all()


@pytest.mark.parametrize("body", ["TAKEN", " taken ", "Yes", "y", "1", "1.", "\uff11", "복용",
                                  " 완료 ", "T A K E N", "Taken!"])
def test_taken_reply_records_today_as_taken_at_the_prescribed_dose(
        client, study, participant, body):
    response = text(client, body, sid="SMtaken0001")

    assert response.status_code == 200
    assert response.mimetype == "text/xml"
    assert response.data == TWIML_EMPTY
    entry = today_entry(participant)
    assert entry.status == "taken"
    assert entry.dose_mg == Decimal("400")
    assert entry.taken_at == NOW
    assert entry.source == "sms"
    assert entry.client_id == "sms:SMtaken0001"
    assert "dose.recorded" in audit_actions(participant)
    assert replies_to(participant) == [render(study, "ko", "recorded")]


@pytest.mark.parametrize("body", ["MISSED", "no", " N", "2", "못함", "missed."])
def test_missed_reply_records_today_as_missed_without_a_reason(
        client, study, participant, body):
    text(client, body)

    entry = today_entry(participant)
    assert entry.status == "missed"
    assert entry.missed_reason is None
    assert entry.dose_mg is None
    assert replies_to(participant) == [render(study, "ko", "recorded")]


def day_texts(participant, day):
    """Queue the day's reminder and follow-up, as planning does."""
    texts = [enqueue(kind=kind, body="Reminder", participant_id=participant.id,
                     due_at=NOW, local_date=day) for kind in ("reminder", "follow_up")]
    db.session.commit()
    return texts


@pytest.mark.parametrize("body", ["1", "2"])
def test_reply_cancels_that_days_pending_reminder_and_follow_up(client, participant, body):
    today = day_texts(participant, date(2026, 3, 10))
    tomorrow = day_texts(participant, date(2026, 3, 11))

    text(client, body)

    statuses = dict(db.session.execute(
        select(Message.id, Message.status).execution_options(populate_existing=True)).all())
    assert [statuses[m.id] for m in today] == ["cancelled", "cancelled"]
    assert [statuses[m.id] for m in tomorrow] == ["pending", "pending"]


def test_dose_day_is_the_participants_local_today(client, site, clock):
    participant = factories.make_participant(enrolled="2026-03-01", phone=PHONE,
                                             tz="America/New_York")
    text(client, "1")  # 01:00 UTC on 10 March is still 9 March in New York

    assert today_entry(participant, date(2026, 3, 9)).status == "taken"
    assert today_entry(participant, date(2026, 3, 10)) is None


def test_same_answer_again_replies_recorded_and_changes_nothing(client, study, participant):
    text(client, "1")
    first = today_entry(participant)
    text(client, "TAKEN")

    assert today_entry(participant).id == first.id
    assert today_entry(participant).version == 1
    assert audit_actions(participant).count("dose.recorded") == 1
    assert replies_to(participant) == [render(study, "ko", "recorded")] * 2


def test_other_answer_corrects_the_day_keeping_the_old_version(client, study, participant):
    text(client, "1")
    text(client, "2")

    entry = today_entry(participant)
    assert entry.status == "missed"
    assert entry.version == 2
    assert entry.correction_reason == "Changed by SMS reply"
    versions = db.session.execute(
        select(DoseEntry).where(DoseEntry.participant_id == participant.id)
    ).scalars().all()
    assert len(versions) == 2
    assert "dose.corrected" in audit_actions(participant)


def test_reply_the_diary_refuses_is_kept_and_passed_to_the_coordinator(
        client, study, site, coordinator):
    # Enrolled tomorrow: today is not a diary day yet.
    participant = factories.make_participant(enrolled="2026-03-11", phone=PHONE, locale="en")
    text(client, "1")

    assert today_entry(participant) is None
    inbound = db.session.execute(select(InboundMessage)).scalar_one()
    assert inbound.intent == "taken"
    [alert] = alerts_of(participant, "sms_not_understood")
    assert alert.details["reason"] == "not_recorded"
    assert alert.details["inbound_message_id"] == inbound.id
    assert replies_to(participant) == [render(study, "en", "not_understood")]


@pytest.mark.parametrize("body", ["STOP", "stop", " Unsubscribe", "cancel", "END", "quit",
                                  "STOPALL", "OPTOUT", "revoke", "Stop.", "중지"])
def test_stop_opts_out_of_texts_without_leaving_the_study(
        client, participant, coordinator, body):
    response = text(client, body)

    assert response.status_code == 200
    db.session.refresh(participant)
    assert participant.sms_opted_out_at == NOW
    assert participant.status == "active"
    assert "participant.sms_opted_out" in audit_actions(participant)
    [alert] = alerts_of(participant, "sms_opt_out")
    assert alert.urgency == "routine"
    coordinator_texts = db.session.execute(
        select(Message).where(Message.staff_user_id == coordinator.id)
    ).scalars().all()
    assert [m.alert_id for m in coordinator_texts] == [alert.id]
    assert replies_to(participant) == []


def test_second_stop_changes_nothing(client, participant, coordinator):
    text(client, "STOP")
    text(client, "STOP")

    assert audit_actions(participant).count("participant.sms_opted_out") == 1
    assert len(alerts_of(participant, "sms_opt_out")) == 1


@pytest.mark.parametrize("body", ["START", "start", "시작", "unstop", "Yes Start"])
def test_start_opts_back_in_and_confirms(client, study, participant, body):
    text(client, "STOP")
    text(client, body)

    db.session.refresh(participant)
    assert participant.sms_opted_out_at is None
    assert "participant.sms_opted_in" in audit_actions(participant)
    assert replies_to(participant) == [render(study, "ko", "opted_in")]


def test_yes_after_stop_opts_back_in_as_twilio_does_and_records_the_dose(
        client, study, participant):
    text(client, "STOP")
    text(client, "yes")

    db.session.refresh(participant)
    assert participant.sms_opted_out_at is None
    assert today_entry(participant).status == "taken"
    assert replies_to(participant) == [render(study, "ko", "recorded")]


def test_other_replies_after_stop_get_no_text(client, participant):
    text(client, "STOP")
    text(client, "HELP")
    text(client, "1")

    assert replies_to(participant) == []
    assert today_entry(participant).status == "taken"


@pytest.mark.parametrize("body", ["HELP", "help", "Info", "도움"])
def test_help_replies_with_the_help_text(client, study, participant, body):
    text(client, body)

    assert replies_to(participant) == [render(study, "ko", "help")]
    assert today_entry(participant) is None


def test_text_not_understood_is_kept_and_the_coordinator_told_without_it(
        client, study, participant, coordinator):
    words = "I feel dizzy since yesterday"
    text(client, words, sid="SMunclear01")

    inbound = db.session.execute(select(InboundMessage)).scalar_one()
    assert inbound.body == words
    assert inbound.intent == "unknown"
    assert inbound.participant_id == participant.id
    [alert] = alerts_of(participant, "sms_not_understood")
    assert alert.urgency == "routine"
    assert alert.details["inbound_message_id"] == inbound.id
    assert "dizzy" not in str(alert.details)
    assert replies_to(participant) == [render(study, "ko", "not_understood")]
    staff_texts = db.session.execute(
        select(Message.body).where(Message.staff_user_id == coordinator.id)
    ).scalars().all()
    assert len(staff_texts) == 1 and "dizzy" not in staff_texts[0]
    assert today_entry(participant) is None


def test_more_unclear_texts_join_the_open_alert(client, participant, coordinator):
    text(client, "hello?")
    text(client, "thanks")

    [alert] = alerts_of(participant, "sms_not_understood")
    ids = db.session.execute(select(InboundMessage.id).order_by(InboundMessage.id)).scalars()
    assert alert.details["inbound_message_ids"] == list(ids)
    assert db.session.execute(
        select(Message).where(Message.staff_user_id == coordinator.id)
    ).scalars().all().__len__() == 1


@pytest.mark.parametrize("body", ["HELP", "1", "2", "STOP", "START", "hello?"])
def test_unknown_number_learns_nothing(client, participant, coordinator, body):
    response = text(client, body, sender="+821000000000")

    assert response.status_code == 200
    assert response.data == TWIML_EMPTY
    assert db.session.execute(select(Message)).scalars().all() == []
    assert db.session.execute(select(Alert)).scalars().all() == []
    inbound = db.session.execute(select(InboundMessage)).scalar_one()
    assert inbound.participant_id is None
    db.session.refresh(participant)
    assert participant.sms_opted_out_at is None
    assert today_entry(participant) is None


def test_retried_message_sid_changes_nothing_and_answers_the_same(client, participant):
    first = text(client, "1", sid="SMretry0001")
    second = text(client, "2", sid="SMretry0001")

    assert (second.status_code, second.data) == (first.status_code, first.data)
    assert today_entry(participant).status == "taken"
    assert len(db.session.execute(select(InboundMessage)).scalars().all()) == 1
    assert len(replies_to(participant)) == 1


def test_shared_phone_cannot_say_whose_dose(client, study, site, coordinator):
    first = factories.make_participant(enrolled="2026-03-01", phone=PHONE)
    second = factories.make_participant(enrolled="2026-03-01", phone=PHONE)
    text(client, "1")

    assert today_entry(first) is None and today_entry(second) is None
    [alert] = alerts_of(first, "sms_not_understood")
    assert alert.details["reason"] == "shared_number"

    text(client, "STOP")
    for participant in (first, second):
        db.session.refresh(participant)
        assert participant.sms_opted_out_at is not None


def test_phone_number_is_matched_in_e164(client, participant):
    text(client, "1", sender="+82 10-1234-5678")

    assert today_entry(participant).status == "taken"


def test_coordinator_reads_the_texts_a_participant_sent(client, participant, coordinator):
    text(client, "TAKEN")
    text(client, "I feel dizzy since yesterday")
    headers = factories.auth(factories.token_for(coordinator))
    url = f"/api/v1/participants/{participant.id}/texts"

    everything = client.get(url, headers=headers)
    unclear = client.get(f"{url}?intent=unknown", headers=headers)

    assert everything.status_code == 200, everything.get_json()
    assert [(t["intent"], t["body"]) for t in everything.get_json()] == [
        ("unknown", "I feel dizzy since yesterday"), ("taken", "TAKEN")]
    assert everything.get_json()[0]["received_at"] == "2026-03-10T01:00:00+00:00"
    assert [t["body"] for t in unclear.get_json()] == ["I feel dizzy since yesterday"]


def test_texts_of_another_sites_participant_are_not_found(client, participant):
    text(client, "I feel dizzy since yesterday")
    elsewhere = factories.make_staff("coordinator", sites=[factories.make_site("S02")])
    response = client.get(f"/api/v1/participants/{participant.id}/texts",
                          headers=factories.auth(factories.token_for(elsewhere)))

    assert response.status_code == 404
    assert "dizzy" not in response.get_data(as_text=True)


def test_texts_filter_must_name_a_known_intent(client, participant, coordinator):
    response = client.get(f"/api/v1/participants/{participant.id}/texts?intent=maybe",
                          headers=factories.auth(factories.token_for(coordinator)))

    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {"intent"}


def test_eleven_unclear_texts_in_a_day_get_one_not_understood_reply(
        client, study, participant, coordinator, clock):
    from datetime import timedelta

    for n in range(11):
        text(client, f"auto-reply: I am away until Monday ({n})")
    assert replies_to(participant) == [render(study, "ko", "not_understood")]
    # Every text is kept for the coordinators, under one alert.
    assert db.session.execute(select(InboundMessage)).scalars().all().__len__() == 11
    [alert] = alerts_of(participant, "sms_not_understood")
    assert len(alert.details["inbound_message_ids"]) == 11
    # The next local day, one more.
    clock.shift(timedelta(days=1))
    text(client, "still away")
    assert replies_to(participant) == [render(study, "ko", "not_understood")] * 2


def test_automatic_replies_to_one_number_stop_at_the_daily_cap(
        client, study, participant, coordinator):
    cap = study.definition["sms"]["max_replies_per_day"]
    for _ in range(cap + 4):
        text(client, "HELP")
    text(client, "1")

    assert replies_to(participant) == [render(study, "ko", "help")] * cap
    # Past the cap the text still counts: the dose is recorded, only not answered.
    assert today_entry(participant).source == "sms"
    assert db.session.execute(select(InboundMessage)).scalars().all().__len__() == cap + 5
