"""What a coordinator may enrol: dates in a window, active only, a textable phone no one
else uses, a real time zone and a reminder outside the quiet hours."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from diary.extensions import db
from diary.models import Participant, PrescribedDose
from tests.factories import auth, make_participant, make_site, token_for

URL = "/api/v1/participants"
# 1 December 2026, noon in Seoul.
NOON_IN_SEOUL = datetime(2026, 12, 1, 3, tzinfo=UTC)


FROZEN_AT = NOON_IN_SEOUL
pytestmark = pytest.mark.usefixtures("clock")


def _enrol(client, site, headers, **fields):
    body = {"study_code": "S01-501", "site_id": site.id, "enrolled_on": "2026-11-20",
            "phone": "010-5555-0101", "sms_consent": True} | fields
    return client.post(URL, json=body, headers=headers)


def _refused(response, field: str) -> str:
    assert response.status_code == 422, response.get_json()
    errors = response.get_json()["errors"]
    assert list(errors) == [field]
    assert db.session.execute(select(Participant.id).where(
        Participant.study_code.like("S01-5%"))).first() is None
    return errors[field][0]


@pytest.mark.parametrize("day", ["2026-12-01", "2021-12-01", "2027-03-01"])
def test_enrolment_dates_within_five_years_back_and_90_days_ahead_are_taken(
        client, site, headers, day):
    assert _enrol(client, site, headers, enrolled_on=day).status_code == 201


@pytest.mark.parametrize("day", ["1900-01-01", "2021-11-30", "2027-03-02", "2999-12-31"])
def test_an_enrolment_date_outside_the_window_is_422_naming_it(client, site, headers, day):
    message = _refused(_enrol(client, site, headers, enrolled_on=day), "enrolled_on")
    assert "2021-12-01" in message and "2027-03-01" in message


def test_moving_the_enrolment_date_outside_the_window_is_422(client, site, headers):
    participant = make_participant(site=site, enrolled="2026-11-20", phone=None,
                                   sms_consent=False)
    response = client.patch(f"{URL}/{participant.id}",
                            json={"enrolled_on": "2016-11-20", "reason": "Typo"},
                            headers=headers)
    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == ["enrolled_on"]


@pytest.mark.parametrize("status", ["completed", "withdrawn"])
def test_a_participant_is_enrolled_active_only(client, site, headers, status):
    message = _refused(_enrol(client, site, headers, status=status), "status")
    assert "active" in message


def test_a_participant_enrolled_for_a_later_day_has_not_started(client, site, headers):
    response = _enrol(client, site, headers, enrolled_on="2026-12-15")
    assert response.status_code == 201
    body = response.get_json()
    assert (body["study_day"], body["started"]) == (None, False)
    assert body["current_dose_mg"] is None
    shown = client.get(f"{URL}/{body['id']}", headers=headers).get_json()
    assert (shown["study_day"], shown["started"]) == (None, False)


def test_a_started_participant_says_so(client, site, headers):
    body = _enrol(client, site, headers, enrolled_on="2026-12-01").get_json()
    assert (body["study_day"], body["started"]) == (1, True)


def test_the_phone_app_of_a_participant_not_started_shows_no_study_day(client, site):
    patient = make_participant(site=site, enrolled="2026-12-08")
    device = auth(token_for(patient))
    profile = client.get("/api/v1/me", headers=device).get_json()
    assert (profile["study_day"], profile["started"]) == (None, False)
    assert profile["prescribed_mg_today"] is None
    overview = client.get("/api/v1/me/adherence", headers=device).get_json()
    assert (overview["study_day"], overview["study_week"], overview["started"]) == (
        None, None, False)


def test_the_starting_dose_names_the_staff_member_who_enrolled(client, site, headers,
                                                               coordinator):
    participant_id = _enrol(client, site, headers).get_json()["id"]
    starting = db.session.execute(select(PrescribedDose).where(
        PrescribedDose.participant_id == participant_id)).scalar_one()
    assert starting.created_by_staff_id == coordinator.id
    regimen = client.get(f"{URL}/{participant_id}/regimen", headers=headers).get_json()
    assert regimen["prescribed_doses"][0]["created_by_staff_id"] == coordinator.id


@pytest.mark.parametrize("zone", ["EST", "UTC", "UTC+9", "Etc/GMT-9", "GMT", "US/Eastern",
                                  "Asia/Calcutta", "EST5EDT", "Asia/seoul"])
def test_a_time_zone_that_is_not_a_canonical_region_zone_is_422(client, site, headers, zone):
    message = _refused(_enrol(client, site, headers, timezone=zone), "timezone")
    assert "America/New_York" in message


@pytest.mark.parametrize("zone", ["America/New_York", "Asia/Kolkata", "Europe/Kyiv",
                                  "America/Argentina/Buenos_Aires"])
def test_a_canonical_region_zone_is_taken(client, site, headers, zone):
    response = _enrol(client, site, headers, timezone=zone)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["timezone"] == zone


@pytest.mark.parametrize("reminder", ["21:00", "23:30", "00:00", "07:59"])
def test_a_reminder_in_the_quiet_hours_is_422_naming_them(client, site, headers, reminder):
    message = _refused(_enrol(client, site, headers, reminder_time=reminder), "reminder_time")
    assert "21:00-08:00" in message


@pytest.mark.parametrize("reminder", ["08:00", "20:59"])
def test_a_reminder_at_the_edge_of_the_quiet_hours_is_taken(client, site, headers, reminder):
    assert _enrol(client, site, headers, reminder_time=reminder).status_code == 201


def test_moving_a_reminder_into_the_quiet_hours_is_422(client, site, headers):
    participant = make_participant(site=site, phone="+821055550199")
    response = client.patch(f"{URL}/{participant.id}",
                            json={"reminder_time": "22:00", "reason": "Works nights"},
                            headers=headers)
    assert response.status_code == 422
    assert "21:00-08:00" in response.get_json()["errors"]["reminder_time"][0]


def test_a_mobile_number_of_another_active_participant_is_409(client, site, headers):
    make_participant(site=site, phone="+821055550101")
    response = _enrol(client, site, headers, phone="010-5555-0101")
    assert response.status_code == 409
    body = response.get_json()
    assert "another active participant" in body["message"]
    assert list(body["errors"]) == ["phone"]


def test_a_mobile_number_of_another_studys_site_is_409_too(client, site, headers):
    make_participant(site=make_site("OTH"), phone="+821055550101")
    assert _enrol(client, site, headers, phone="010-5555-0101").status_code == 409


def test_a_mobile_number_of_a_withdrawn_participant_may_be_used_again(client, site, headers):
    make_participant(site=site, phone="+821055550101", status="withdrawn")
    assert _enrol(client, site, headers, phone="010-5555-0101").status_code == 201


def test_changing_to_a_number_in_use_is_409(client, site, headers):
    make_participant(site=site, phone="+821055550101")
    other = make_participant(site=site, phone="+821055550102")
    response = client.patch(f"{URL}/{other.id}",
                            json={"phone": "010-5555-0101", "reason": "New phone"},
                            headers=headers)
    assert response.status_code == 409
    assert list(response.get_json()["errors"]) == ["phone"]


def test_reactivating_a_participant_whose_number_is_now_someone_elses_is_409(
        client, site, headers):
    withdrawn = make_participant(site=site, phone="+821055550101", status="withdrawn")
    make_participant(site=site, phone="+821055550101")
    response = client.patch(f"{URL}/{withdrawn.id}",
                            json={"status": "active", "reason": "Came back"},
                            headers=headers)
    assert response.status_code == 409


def test_keeping_ones_own_number_is_not_a_conflict(client, site, headers):
    participant = make_participant(site=site, phone="+821055550101")
    response = client.patch(f"{URL}/{participant.id}",
                            json={"phone": "010-5555-0101", "reason": "Retyped"},
                            headers=headers)
    assert response.status_code == 200


def test_a_national_number_is_read_in_the_sites_country_and_the_error_shows_the_form(
        client, site, headers):
    message = _refused(_enrol(client, site, headers, phone="212 555 0143"), "phone")
    assert "South Korea" in message
    assert "the site's country" in message
    assert "+82 10-" in message


def test_a_new_york_site_expects_american_numbers(client, headers, coordinator):
    new_york = make_site("NYC", tz="America/New_York")
    coordinator.sites.append(new_york)
    db.session.commit()
    message = _refused(_enrol(client, new_york, headers, phone="010-5555-0101"), "phone")
    assert "United States" in message
    assert "+1 " in message
    accepted = _enrol(client, new_york, headers, phone="(212) 555-0143",
                      timezone="America/New_York")
    assert accepted.status_code == 201
    assert accepted.get_json()["phone"] == "+12125550143"
