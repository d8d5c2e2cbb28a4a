"""Staff read and back-enter symptom reports: /api/v1/participants/{id}/symptom-reports."""

import pytest
from sqlalchemy import func, select

from diary.extensions import db
from diary.models import AuditEvent, SymptomReport
from tests.api.symptom_helpers import (
    MY_REPORTS,
    NOON_IN_SEOUL,
    item,
    staff_reports,
    symptom_report,
)
from tests.factories import auth, make_participant, make_site, make_staff, token_for

FROZEN_AT = NOON_IN_SEOUL
pytestmark = pytest.mark.usefixtures("clock")
REASON = "Read from the paper questionnaire at the clinic visit"


@pytest.fixture
def patient(site):
    return make_participant(enrolled="2026-03-01", locale="en")


def back_entry(**fields) -> dict:
    return dict(symptom_report("2026-03-04", items=[item("muscle_cramps", frequency=3,
                                                         severity=2)]), **fields)


def test_a_coordinator_enters_a_report_on_the_participants_behalf_with_a_reason(
        client, patient):
    staff = make_staff("coordinator")
    body = back_entry(reason=REASON)
    response = client.post(staff_reports(patient.id), json=body, headers=auth(token_for(staff)))
    assert response.status_code == 201, response.get_json()
    report = response.get_json()["report"]
    assert (report["source"], report["recorded_by_staff_id"]) == ("staff", staff.id)
    assert report["items"][0]["grade"] == 2
    assert response.get_json()["advice"]["action"] == "team_will_review"
    event = db.session.execute(select(AuditEvent).where(
        AuditEvent.action == "symptom_report.recorded")).scalar_one()
    assert (event.actor_type, event.actor_id, event.reason) == ("staff", staff.id, REASON)
    again = client.post(staff_reports(patient.id), json=body, headers=auth(token_for(staff)))
    assert (again.status_code, again.get_json()["report"]["id"]) == (200, report["id"])
    # The participant sees it among their own.
    own = client.get(MY_REPORTS, headers=auth(token_for(patient))).get_json()
    assert [r["id"] for r in own] == [report["id"]]


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_a_back_entry_without_a_reason_is_refused(client, patient, reason):
    body = back_entry() if reason is None else back_entry(reason=reason)
    response = client.post(staff_reports(patient.id), json=body,
                           headers=auth(token_for(make_staff("coordinator"))))
    assert response.status_code == 422
    assert "reason" in response.get_json()["errors"]
    assert db.session.execute(select(func.count()).select_from(SymptomReport)).scalar_one() == 0


def test_an_admin_may_enter_and_an_investigator_only_read(client, patient):
    admin = auth(token_for(make_staff("admin", sites=[])))
    assert client.post(staff_reports(patient.id), json=back_entry(reason=REASON),
                       headers=admin).status_code == 201
    investigator = auth(token_for(make_staff("investigator")))
    assert client.post(staff_reports(patient.id), json=back_entry(reason=REASON),
                       headers=investigator).status_code == 403
    listed = client.get(staff_reports(patient.id), headers=investigator)
    assert listed.status_code == 200
    assert [r["source"] for r in listed.get_json()] == ["staff"]


def test_staff_may_back_enter_for_a_withdrawn_participant(client, site):
    withdrawn = make_participant(enrolled="2026-03-01", status="withdrawn")
    response = client.post(staff_reports(withdrawn.id), json=back_entry(reason=REASON),
                           headers=auth(token_for(make_staff("coordinator"))))
    assert response.status_code == 201


def test_another_sites_participant_is_not_found_to_read_or_write(client, patient):
    other_site = make_site()
    elsewhere = auth(token_for(make_staff("coordinator", sites=[other_site])))
    assert client.get(staff_reports(patient.id), headers=elsewhere).status_code == 404
    response = client.post(staff_reports(patient.id), json=back_entry(reason=REASON),
                           headers=elsewhere)
    assert response.status_code == 404
    assert db.session.execute(select(func.count()).select_from(SymptomReport)).scalar_one() == 0
    mine = auth(token_for(make_staff("coordinator")))
    assert client.get(staff_reports(2_000_000), headers=mine).status_code == 404


def test_a_device_token_on_the_staff_path_is_refused_with_401(client, patient):
    device = auth(token_for(patient))
    assert client.get(staff_reports(patient.id), headers=device).status_code == 401
    response = client.post(staff_reports(patient.id), json=back_entry(reason=REASON),
                           headers=device)
    assert response.status_code == 401


def test_a_back_entry_breaking_a_rule_is_422_naming_the_field(client, patient):
    body = back_entry(reason=REASON, items=[item("muscle_cramps", frequency=3,
                                                 interference=1)])
    response = client.post(staff_reports(patient.id), json=body,
                           headers=auth(token_for(make_staff("coordinator"))))
    assert response.status_code == 422
    assert set(response.get_json()["errors"]["items"]["0"]) == {"interference"}
