"""The daily adherence check raises one alert per quiet participant and texts coordinators."""

from datetime import UTC, date, datetime

import time_machine
from sqlalchemy import select

from diary.extensions import db
from diary.models import Alert, Message
from diary.operations.adherence_gaps import check_adherence_gaps
from tests.factories import make_dose, make_participant, make_staff

NOW = datetime(2026, 5, 10, 3, 0, tzinfo=UTC)  # 12:00 in Seoul


def _entry(participant, day):
    make_dose(participant, day)


def _alerts(participant):
    return db.session.execute(
        select(Alert).where(Alert.participant_id == participant.id)
    ).scalars().all()


def test_participant_silent_for_three_days_gets_one_alert_and_coordinator_is_texted(app_context):
    coordinator = make_staff("coordinator", phone="+821099998888")
    quiet = make_participant(enrolled="2026-05-01")
    _entry(quiet, date(2026, 5, 6))
    with time_machine.travel(NOW, tick=False):
        check_adherence_gaps(NOW)
        check_adherence_gaps(NOW)
    alerts = _alerts(quiet)
    assert [(a.kind, a.details["unreported_since"]) for a in alerts] == [
        ("adherence_gap", "2026-05-07")
    ]
    texts = db.session.execute(
        select(Message).where(Message.staff_user_id == coordinator.id)
    ).scalars().all()
    assert len(texts) == 1
    assert quiet.study_code in texts[0].body


def test_participant_who_recorded_yesterday_gets_no_alert(app_context):
    diligent = make_participant(enrolled="2026-05-01")
    _entry(diligent, date(2026, 5, 9))
    with time_machine.travel(NOW, tick=False):
        check_adherence_gaps(NOW)
    assert _alerts(diligent) == []


def test_withdrawn_participant_gets_no_alert(app_context):
    withdrawn = make_participant(enrolled="2026-05-01", status="withdrawn")
    with time_machine.travel(NOW, tick=False):
        check_adherence_gaps(NOW)
    assert _alerts(withdrawn) == []
