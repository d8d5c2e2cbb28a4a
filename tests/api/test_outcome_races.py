"""Two writes of one participant's outcomes at once: both kept, in turn (PostgreSQL)."""

import time_machine
from sqlalchemy import select

from diary.extensions import db
from diary.models import TumourAssessmentVersion, VitalStatus
from tests.api.races import send_together
from tests.factories import auth, make_participant, make_staff, token_for

NOON_IN_SEOUL = "2026-07-10T03:00:00Z"


@time_machine.travel(NOON_IN_SEOUL, tick=False)
def test_two_vital_status_records_at_once_are_kept_one_after_the_other(committed_app):
    with committed_app.app_context():
        patient = make_participant(enrolled="2026-03-01")
        headers = auth(token_for(make_staff("coordinator")))
        url = f"/api/v1/participants/{patient.id}/vital-status"
        db.session.remove()
    bodies = [{"status": "alive", "last_known_alive_on": "2026-07-01", "reason": "Clinic"},
              {"status": "alive", "last_known_alive_on": "2026-07-02", "reason": "Phone"}]

    assert send_together(committed_app, "POST", url, headers, bodies) == [201, 201]

    with committed_app.app_context():
        versions = db.session.execute(
            select(VitalStatus.version, VitalStatus.is_current)
            .where(VitalStatus.participant_id == patient.id)
            .order_by(VitalStatus.version)).all()
        db.session.remove()
    assert versions == [(1, False), (2, True)]


@time_machine.travel(NOON_IN_SEOUL, tick=False)
def test_two_changes_of_one_assessment_at_once_are_kept_one_after_the_other(committed_app):
    with committed_app.app_context():
        patient = make_participant(enrolled="2026-03-01")
        headers = auth(token_for(make_staff("coordinator")))
        client = committed_app.test_client()
        created = client.post(f"/api/v1/participants/{patient.id}/assessments",
                              headers=headers,
                              json={"visit_date": "2026-06-20", "response": "SD"}).get_json()
        url = f"/api/v1/participants/{patient.id}/assessments/{created['id']}"
        db.session.remove()
    bodies = [{"response": "PR", "reason": "Review"}, {"response": "PD", "reason": "Review 2"}]

    assert send_together(committed_app, "PATCH", url, headers, bodies) == [200, 200]

    with committed_app.app_context():
        versions = db.session.execute(
            select(TumourAssessmentVersion.version, TumourAssessmentVersion.is_current)
            .where(TumourAssessmentVersion.assessment_id == created["id"])
            .order_by(TumourAssessmentVersion.version)).all()
        db.session.remove()
    assert versions == [(1, False), (2, False), (3, True)]
