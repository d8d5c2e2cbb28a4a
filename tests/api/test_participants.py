"""Enrolling, listing, reading and changing participants, as staff of their sites."""

import json
from datetime import UTC, datetime

import pytest
import time_machine
from sqlalchemy import select

from diary.clock import local_today
from diary.extensions import db
from diary.models import AccessToken, AuditEvent, Participant, PrescribedDose
from tests.factories import auth, make_participant, make_site, make_staff, token_for

URL = "/api/v1/participants"
NOON_IN_SEOUL = datetime(2026, 3, 10, 3, tzinfo=UTC)


def _enrolment(site, **overrides):
    body = {
        "study_code": "S01-001",
        "site_id": site.id,
        "enrolled_on": "2026-03-01",
        "timezone": "Asia/Seoul",
        "locale": "ko",
        "phone": "010-1234-5678",
        "sms_consent": True,
        "proxy_reporter": False,
    }
    body.update(overrides)
    return body


def _events(participant_id, action):
    return db.session.execute(
        select(AuditEvent).where(AuditEvent.participant_id == participant_id,
                                 AuditEvent.action == action)
    ).scalars().all()


def test_enrolment_stores_e164_phone_consent_time_and_starting_dose(client, site, headers):
    with time_machine.travel(NOON_IN_SEOUL, tick=False):
        response = client.post(URL, json=_enrolment(site), headers=headers)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["phone"] == "+821012345678"
    assert body["sms_consent_at"] == "2026-03-10T03:00:00+00:00"
    assert body["reminder_time"] == "09:00"  # the study's default
    assert body["status"] == "active"
    assert body["study_day"] == 10
    assert body["current_dose_mg"] == 400
    assert body["on_hold"] is False
    starting = db.session.execute(
        select(PrescribedDose).where(PrescribedDose.participant_id == body["id"])
    ).scalar_one()
    assert (starting.effective_from.isoformat(), starting.dose_mg) == ("2026-03-01", 400)
    assert starting.reason == "Starting dose per protocol"


def test_enrolment_is_audited(client, site, headers, coordinator):
    body = client.post(URL, json=_enrolment(site), headers=headers).get_json()
    (event_,) = _events(body["id"], "participant.enrolled")
    assert (event_.actor_type, event_.actor_id) == ("staff", coordinator.id)
    assert event_.after["study_code"] == "S01-001"
    assert event_.request_id
    assert len(_events(body["id"], "prescribed_dose.created")) == 1


def test_enrolment_defaults_zone_locale_and_consent(client, site, headers):
    body = {"study_code": "S01-002", "site_id": site.id, "enrolled_on": "2026-03-01"}
    response = client.post(URL, json=body, headers=headers)
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert (created["timezone"], created["locale"]) == ("Asia/Seoul", "ko")
    assert (created["phone"], created["sms_consent"], created["sms_consent_at"]) == (
        None, False, None)


def test_duplicate_study_code_is_409(client, site, headers):
    assert client.post(URL, json=_enrolment(site), headers=headers).status_code == 201
    response = client.post(URL, json=_enrolment(site, phone=None, sms_consent=False),
                           headers=headers)
    assert response.status_code == 409
    assert "study_code" in response.get_json()["errors"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("phone", "02-123-4567"),  # a Seoul landline cannot receive texts
        ("phone", "010-123"),
        ("phone", "call me"),
        ("timezone", "KST"),
        ("timezone", "+09:00"),
        ("locale", "fr"),
        ("reminder_time", "9am"),
        ("reminder_time", "24:00"),
        ("reminder_time", "09:00\n"),  # a regex's $ lets a trailing newline through
        ("reminder_time", "\u0660\u0669:00"),  # Arabic-Indic digits are \\d to Python
        ("enrolled_on", "2026-02-30"),
        ("status", "paused"),
        ("study_code", "S01 001"),
        ("name", "Hong Gil-dong"),  # no names, ever
    ],
)
def test_enrolment_with_a_bad_field_is_422_naming_it(client, site, headers, field, value):
    response = client.post(URL, json=_enrolment(site, **{field: value}), headers=headers)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]
    assert db.session.execute(select(Participant.id)).first() is None


def test_consent_without_a_phone_is_422(client, site, headers):
    response = client.post(URL, json=_enrolment(site, phone=None), headers=headers)
    assert response.status_code == 422
    assert "sms_consent" in response.get_json()["errors"]


def test_enrolment_at_a_site_not_ones_own_is_422(client, headers):
    elsewhere = make_site("BUS", tz="Asia/Seoul")
    response = client.post(URL, json=_enrolment(elsewhere), headers=headers)
    assert response.status_code == 422
    assert "site_id" in response.get_json()["errors"]
    unknown = client.post(URL, json=_enrolment(elsewhere, site_id=999_999), headers=headers)
    assert unknown.get_json() == response.get_json()


def _by_code(site, code="SEV", **overrides):
    body = _enrolment(site, **overrides)
    del body["site_id"]
    return body | {"site": code}


def test_enrolment_names_the_site_by_its_code(client, site, headers):
    response = client.post(URL, json=_by_code(site), headers=headers)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["site_id"] == site.id


def test_enrolment_site_field_takes_an_id_too(client, site, headers):
    response = client.post(URL, json=_by_code(site, code=site.id), headers=headers)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["site_id"] == site.id


def test_enrolment_names_the_site_once(client, site, headers):
    both = client.post(URL, json=_enrolment(site) | {"site": "SEV"}, headers=headers)
    neither = _enrolment(site)
    del neither["site_id"]
    for response in (both, client.post(URL, json=neither, headers=headers)):
        assert response.status_code == 422
        assert "site" in response.get_json()["errors"]
    assert db.session.execute(select(Participant.id)).first() is None


def test_an_unknown_site_code_is_422_naming_ones_own_codes(client, site, headers):
    make_site("BUS", tz="Asia/Seoul")
    response = client.post(URL, json=_by_code(site, code="BUS"), headers=headers)
    assert response.status_code == 422
    assert response.get_json()["errors"]["site"] == ["No such site among yours (yours: SEV)."]


def test_investigator_may_read_but_not_enrol(client, site):
    investigator = auth(token_for(make_staff("investigator", sites=[site])))
    participant = make_participant(site=site)
    assert client.get(f"{URL}/{participant.id}", headers=investigator).status_code == 200
    response = client.post(URL, json=_enrolment(site), headers=investigator)
    assert response.status_code == 403
    patch = client.patch(f"{URL}/{participant.id}", json={"locale": "en", "reason": "asked"},
                         headers=investigator)
    assert patch.status_code == 403


def test_admin_enrols_at_any_site(client):
    elsewhere = make_site("DAE", tz="Asia/Seoul")
    admin = auth(token_for(make_staff("admin", sites=[])))
    response = client.post(URL, json=_enrolment(elsewhere), headers=admin)
    assert response.status_code == 201
    assert response.get_json()["site_id"] == elsewhere.id


def test_list_shows_only_ones_sites_with_pagination(client, site, headers):
    mine = [make_participant(site=site, study_code=f"S01-1{n:02d}") for n in range(3)]
    make_participant(site=make_site("OTH"), study_code="S02-001")
    response = client.get(URL, query_string={"page_size": 2}, headers=headers)
    assert response.status_code == 200
    assert [p["study_code"] for p in response.get_json()] == ["S01-100", "S01-101"]
    assert json.loads(response.headers["X-Pagination"])["total"] == 3
    second = client.get(URL, query_string={"page_size": 2, "page": 2}, headers=headers)
    assert [p["id"] for p in second.get_json()] == [mine[2].id]


def test_list_filters_by_status(client, site, headers):
    make_participant(site=site, study_code="S01-201")
    gone = make_participant(site=site, study_code="S01-202", status="withdrawn")
    response = client.get(URL, query_string={"status": "withdrawn"}, headers=headers)
    assert [p["id"] for p in response.get_json()] == [gone.id]


def test_admin_lists_every_site(client, site):
    make_participant(site=site)
    make_participant(site=make_site("ADM"))
    admin = auth(token_for(make_staff("admin", sites=[])))
    assert len(client.get(URL, headers=admin).get_json()) == 2


def test_another_sites_participant_is_404(client, headers):
    stranger = make_participant(site=make_site("FAR"))
    assert client.get(f"{URL}/{stranger.id}", headers=headers).status_code == 404
    response = client.patch(f"{URL}/{stranger.id}", json={"locale": "en", "reason": "x y z"},
                            headers=headers)
    assert response.status_code == 404
    assert client.get(f"{URL}/{stranger.id + 1000}", headers=headers).status_code == 404


def test_study_day_counts_enrolment_as_day_one_in_local_time(client, site, headers):
    participant = make_participant(enrolled="2026-03-01", tz="Asia/Seoul", site=site)
    # 15:30 UTC on 28 Feb is already 1 March in Seoul.
    with time_machine.travel(datetime(2026, 2, 28, 15, 30, tzinfo=UTC), tick=False):
        body = client.get(f"{URL}/{participant.id}", headers=headers).get_json()
    assert body["study_day"] == 1
    with time_machine.travel(datetime(2026, 2, 28, 14, 30, tzinfo=UTC), tick=False):
        body = client.get(f"{URL}/{participant.id}", headers=headers).get_json()
    assert (body["study_day"], body["started"]) == (None, False)  # not started yet


def test_change_is_audited_with_before_after_and_reason(client, site, headers):
    participant = make_participant(site=site, locale="ko", reminder_time="09:00")
    response = client.patch(
        f"{URL}/{participant.id}",
        json={"locale": "en", "reminder_time": "20:30", "reason": "Participant asked"},
        headers=headers,
    )
    assert response.status_code == 200, response.get_json()
    assert (response.get_json()["locale"], response.get_json()["reminder_time"]) == (
        "en", "20:30")
    (event_,) = _events(participant.id, "participant.updated")
    assert event_.before == {"locale": "ko", "reminder_time": "09:00:00"}
    assert event_.after == {"locale": "en", "reminder_time": "20:30:00"}
    assert event_.reason == "Participant asked"


def test_change_without_reason_is_422(client, site, headers):
    participant = make_participant(site=site)
    response = client.patch(f"{URL}/{participant.id}", json={"locale": "en"}, headers=headers)
    assert response.status_code == 422
    assert "reason" in response.get_json()["errors"]


def test_withdrawal_revokes_the_phone_and_is_audited(client, site, headers):
    participant = make_participant(site=site)
    token_for(participant)
    response = client.patch(f"{URL}/{participant.id}",
                            json={"status": "withdrawn", "reason": "Consent withdrawn"},
                            headers=headers)
    assert response.get_json()["status"] == "withdrawn"
    tokens = db.session.execute(
        select(AccessToken).where(AccessToken.participant_id == participant.id)
    ).scalars().all()
    assert tokens
    assert all(token.revoked_at is not None for token in tokens)
    (event_,) = _events(participant.id, "participant.updated")
    # The withdrawal is dated: by default the participant's local today.
    today = local_today(participant.timezone).isoformat()
    assert event_.after == {"status": "withdrawn", "withdrawn_on": today}


def test_new_phone_clears_opt_out_and_is_read_in_the_sites_country(client, site, headers):
    participant = make_participant(site=site)
    participant.sms_opted_out_at = datetime(2026, 3, 2, tzinfo=UTC)
    db.session.commit()
    response = client.patch(f"{URL}/{participant.id}",
                            json={"phone": "010 9876 5432", "reason": "New phone"},
                            headers=headers)
    body = response.get_json()
    assert (body["phone"], body["sms_opted_out_at"]) == ("+821098765432", None)


def test_consent_given_later_is_time_stamped_and_withdrawn_consent_clears_it(
        client, site, headers):
    participant = make_participant(site=site, sms_consent=False)
    with time_machine.travel(NOON_IN_SEOUL, tick=False):
        given = client.patch(f"{URL}/{participant.id}",
                             json={"sms_consent": True, "reason": "Signed the form"},
                             headers=headers).get_json()
    assert given["sms_consent_at"] == "2026-03-10T03:00:00+00:00"
    revoked = client.patch(f"{URL}/{participant.id}",
                           json={"sms_consent": False, "reason": "No more texts"},
                           headers=headers).get_json()
    assert (revoked["sms_consent"], revoked["sms_consent_at"]) == (False, None)


def test_enrolment_date_moves_with_the_starting_dose_while_nothing_depends_on_it(
        client, site, headers):
    participant = make_participant(site=site, enrolled="2026-03-01")
    response = client.patch(f"{URL}/{participant.id}",
                            json={"enrolled_on": "2026-03-02", "reason": "Typo at enrolment"},
                            headers=headers)
    assert response.status_code == 200, response.get_json()
    starting = db.session.execute(
        select(PrescribedDose).where(PrescribedDose.participant_id == participant.id)
    ).scalar_one()
    assert starting.effective_from.isoformat() == "2026-03-02"
    assert len(_events(participant.id, "prescribed_dose.updated")) == 1


def test_enrolment_date_cannot_move_once_the_regimen_changed(client, site, headers):
    participant = make_participant(site=site, enrolled="2026-03-01")
    client.post(f"{URL}/{participant.id}/dose-changes",
                json={"effective_from": "2026-03-05", "dose_mg": 300, "reason": "Toxicity"},
                headers=headers)
    response = client.patch(f"{URL}/{participant.id}",
                            json={"enrolled_on": "2026-03-02", "reason": "Typo"},
                            headers=headers)
    assert response.status_code == 409
    assert client.get(f"{URL}/{participant.id}", headers=headers).get_json()[
        "enrolled_on"] == "2026-03-01"


def test_study_code_change_to_one_in_use_is_409(client, site, headers):
    make_participant(site=site, study_code="S01-050")
    participant = make_participant(site=site, study_code="S01-051")
    response = client.patch(f"{URL}/{participant.id}",
                            json={"study_code": "S01-050", "reason": "Renumbering"},
                            headers=headers)
    assert response.status_code == 409


def test_a_participant_moves_only_between_the_coordinators_own_sites(client, site):
    second, foreign = make_site("SEC"), make_site("FOR")
    headers = auth(token_for(make_staff("coordinator", sites=[site, second])))
    participant = make_participant(site=site)
    url = f"{URL}/{participant.id}"
    refused = client.patch(url, json={"site_id": foreign.id, "reason": "Moved"}, headers=headers)
    assert refused.status_code == 422
    moved = client.patch(url, json={"site_id": second.id, "reason": "Moved"}, headers=headers)
    assert moved.status_code == 200
    assert moved.get_json()["site_id"] == second.id


def test_a_participant_moves_to_a_site_named_by_its_code(client, site):
    second = make_site("SEC")
    headers = auth(token_for(make_staff("coordinator", sites=[site, second])))
    participant = make_participant(site=site)
    moved = client.patch(f"{URL}/{participant.id}", json={"site": "SEC", "reason": "Moved"},
                         headers=headers)
    assert moved.status_code == 200, moved.get_json()
    assert moved.get_json()["site_id"] == second.id


def test_a_change_that_changes_nothing_writes_no_audit_event(client, site, headers):
    participant = make_participant(site=site, locale="ko")
    response = client.patch(f"{URL}/{participant.id}", json={"locale": "ko", "reason": "same"},
                            headers=headers)
    assert response.status_code == 200
    assert _events(participant.id, "participant.updated") == []


def test_reading_a_participant_takes_a_fixed_number_of_statements(client, site, headers,
                                                                  count_queries):
    participant = make_participant(site=site)
    with count_queries() as single:
        assert client.get(f"{URL}/{participant.id}", headers=headers).status_code == 200
    for n in range(5):
        make_participant(site=site, study_code=f"S01-9{n:02d}")
    with count_queries() as listing:
        assert client.get(URL, headers=headers).status_code == 200

    # token + staff sites + participant + dose steps + holds; the list adds one count.
    assert len(single) == 5, single
    assert len(listing) == 6, listing


def test_a_parent_reporting_for_a_child_is_flagged_at_enrolment_and_can_change(
        client, site, headers):
    response = client.post(URL, json=_enrolment(site, study_code="S01-010",
                                                proxy_reporter=True), headers=headers)
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert created["proxy_reporter"] is True
    changed = client.patch(f"{URL}/{created['id']}",
                           json={"proxy_reporter": False, "reason": "Turned 18"},
                           headers=headers).get_json()
    assert changed["proxy_reporter"] is False
    (event_,) = _events(created["id"], "participant.updated")
    assert (event_.before, event_.after) == ({"proxy_reporter": True},
                                             {"proxy_reporter": False})
