"""Two writes for one day at once: the database keeps one current entry, nobody gets a 500."""


import time_machine
from sqlalchemy import func, select

from diary.extensions import db
from diary.models import DoseEntry
from diary.operations import doses as dose_operations
from tests.api.dose_helpers import MY_DOSES, NOON_IN_SEOUL, missed, taken
from tests.api.races import send_together
from tests.factories import auth, make_participant, token_for


def test_write_that_loses_a_race_is_read_again_and_refused(client, app_context, monkeypatch):
    with time_machine.travel(NOON_IN_SEOUL, tick=False):
        patient = make_participant(enrolled="2026-03-01")
        headers = auth(token_for(patient))
        assert client.post(MY_DOSES, json=taken(), headers=headers).status_code == 201
        real_day_state = dose_operations._day_state
        calls = []

        def stale_then_real(participant_id, client_id, day):
            # The first read misses the entry another request committed a moment ago.
            calls.append(day)
            state = real_day_state(participant_id, client_id, day)
            if len(calls) == 1:
                return dose_operations._DayState(state.step_mg, state.held, None, None)
            return state

        monkeypatch.setattr(dose_operations, "_day_state", stale_then_real)
        response = client.post(MY_DOSES, json=missed(), headers=headers)
    assert len(calls) == 2
    assert response.status_code == 409
    assert "correction_reason" in response.get_json()["errors"]


def _post_together(app, headers, bodies) -> list[int]:
    return send_together(app, "POST", MY_DOSES, headers, bodies)


@time_machine.travel(NOON_IN_SEOUL, tick=False)
def test_concurrent_entries_for_one_day_leave_one_current_entry(committed_app):
    # The clock is moved for the whole process, so the threads see it too.
    with committed_app.app_context():
        patient = make_participant(enrolled="2026-03-01")
        headers = auth(token_for(patient))
        db.session.remove()
    same = taken()
    assert _post_together(committed_app, headers, [same, same]) == [200, 201]
    assert _post_together(committed_app, headers, [missed("2026-03-04"),
                                                   taken("2026-03-04")]) == [201, 409]
    with committed_app.app_context():
        current = db.session.scalar(select(func.count(DoseEntry.id)).where(
            DoseEntry.participant_id == patient.id, DoseEntry.is_current.is_(True)))
        db.session.remove()
    assert current == 2
