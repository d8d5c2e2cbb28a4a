"""Two symptom reports at once: one report per client id, one open alert per item, no 500."""


import time_machine
from sqlalchemy import select

from diary.extensions import db
from diary.models import Alert, Message, SymptomReport
from tests.api.races import send_together
from tests.api.symptom_helpers import MY_REPORTS, NOON_IN_SEOUL, item, symptom_report
from tests.factories import auth, make_participant, make_staff, token_for

SEVERE_NAUSEA = item("nausea", frequency=4, severity=4)


def _post_together(app, headers, bodies) -> list[int]:
    return send_together(app, "POST", MY_REPORTS, headers, bodies)


def _state(app, patient_id):
    with app.app_context():
        reports = db.session.scalars(select(SymptomReport.id).where(
            SymptomReport.participant_id == patient_id)).all()
        alerts = db.session.scalars(select(Alert).where(Alert.participant_id == patient_id)).all()
        texts = db.session.scalars(select(Message.alert_id).where(
            Message.staff_user_id.is_not(None))).all()
        found = (sorted(reports), [a.details["report_ids"] for a in alerts], texts)
        db.session.remove()
    return found


@time_machine.travel(NOON_IN_SEOUL, tick=False)
def test_the_same_report_twice_at_once_is_recorded_once_and_alerts_once(committed_app):
    with committed_app.app_context():
        make_staff("coordinator", phone="+821099990001")
        patient = make_participant(enrolled="2026-03-01")
        headers = auth(token_for(patient))
        db.session.remove()
    same = symptom_report(items=[SEVERE_NAUSEA])
    assert _post_together(committed_app, headers, [same, same]) == [200, 201]
    reports, alerts, texts = _state(committed_app, patient.id)
    assert len(reports) == 1
    assert alerts == [reports]
    assert len(texts) == 1


@time_machine.travel(NOON_IN_SEOUL, tick=False)
def test_two_severe_reports_at_once_share_one_alert_and_one_text(committed_app):
    with committed_app.app_context():
        make_staff("coordinator", phone="+821099990001")
        patient = make_participant(enrolled="2026-03-01")
        headers = auth(token_for(patient))
        db.session.remove()
    bodies = [symptom_report(items=[SEVERE_NAUSEA]) for _ in range(2)]
    assert _post_together(committed_app, headers, bodies) == [201, 201]
    reports, alerts, texts = _state(committed_app, patient.id)
    assert len(reports) == 2
    assert [sorted(ids) for ids in alerts] == [reports]
    assert len(texts) == 1
