"""Two changes of one event at once: both kept, in turn, and one serious alert (PostgreSQL)."""


import time_machine
from sqlalchemy import select

from diary.extensions import db
from diary.models import AdverseEventVersion, Alert
from tests.api.races import send_together
from tests.api.test_adverse_events import events_url, nausea
from tests.factories import auth, make_participant, make_staff, token_for

NOON_IN_SEOUL = "2026-03-20T03:00:00Z"


def _patch_together(app, url, headers, bodies) -> list[int]:
    return send_together(app, "PATCH", url, headers, bodies)


@time_machine.travel(NOON_IN_SEOUL, tick=False)
def test_two_changes_making_an_event_serious_at_once_raise_one_alert(committed_app):
    with committed_app.app_context():
        patient = make_participant(enrolled="2026-03-01")
        headers = auth(token_for(make_staff("coordinator")))
        client = committed_app.test_client()
        event = client.post(events_url(patient), json=nausea(), headers=headers).get_json()
        url = events_url(patient, event["id"])
        db.session.remove()
    serious = {"seriousness": ["hospitalisation"], "site_aware_at": "2026-03-20T10:00:00+09:00"}
    bodies = [serious | {"grade": 3, "reason": "Admitted"},
              serious | {"grade": 4, "reason": "Admitted, intensive care"}]

    assert _patch_together(committed_app, url, headers, bodies) == [200, 200]

    with committed_app.app_context():
        versions = db.session.execute(
            select(AdverseEventVersion.version, AdverseEventVersion.is_current)
            .where(AdverseEventVersion.adverse_event_id == event["id"])
            .order_by(AdverseEventVersion.version)).all()
        alerts = db.session.execute(
            select(Alert.id).where(Alert.kind == "serious_event")).all()
        db.session.remove()
    assert versions == [(1, False), (2, False), (3, True)]
    assert len(alerts) == 1
