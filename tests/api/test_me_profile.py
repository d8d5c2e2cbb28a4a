"""The participant's home screen: GET /api/v1/me."""

import time_machine

from tests.api.dose_helpers import NOON_IN_SEOUL, add_hold, add_step
from tests.factories import auth, make_participant, make_staff, token_for

ME = "/api/v1/me"


def test_profile_shows_today_study_day_and_prescription_without_the_phone(client, app_context):
    with time_machine.travel(NOON_IN_SEOUL, tick=False):
        patient = make_participant(enrolled="2026-03-01", tz="Asia/Seoul", locale="en",
                                   reminder_time="08:30", study_code="S01-777")
        add_step(patient, "2026-03-05", 300)
        body = client.get(ME, headers=auth(token_for(patient))).get_json()
    assert body["study_code"] == "S01-777"
    assert body["study"]["code"] == "NCT02495519"
    assert (body["today"], body["study_day"]) == ("2026-03-05", 5)
    assert body["prescribed_mg_today"] == 300
    assert body["held_today"] is False
    assert (body["timezone"], body["locale"], body["reminder_time"]) == (
        "Asia/Seoul", "en", "08:30")
    assert body["status"] == "active"
    assert "+8210" not in str(body)
    assert not any("phone" in key for key in body)


def test_profile_on_a_held_day_prescribes_nothing(client, app_context):
    with time_machine.travel(NOON_IN_SEOUL, tick=False):
        patient = make_participant(enrolled="2026-03-01")
        add_hold(patient, make_staff(), "2026-03-05", "2026-03-06")
        body = client.get(ME, headers=auth(token_for(patient))).get_json()
    assert body["held_today"] is True
    assert body["prescribed_mg_today"] is None


def test_study_day_on_enrolment_day_is_one(client, app_context):
    with time_machine.travel(NOON_IN_SEOUL, tick=False):
        patient = make_participant(enrolled="2026-03-05")
        body = client.get(ME, headers=auth(token_for(patient))).get_json()
    assert body["study_day"] == 1
