"""An instant goes in with an offset and comes back as the same instant, on every database."""

from datetime import UTC, datetime, timedelta, timezone

import time_machine
from sqlalchemy import select

from diary.extensions import db
from diary.models import DoseEntry
from tests.factories import auth, make_participant, token_for


def test_taken_at_with_an_offset_reads_back_as_the_same_instant(client, app_context):
    with time_machine.travel("2026-03-05T03:00:00Z", tick=False):
        patient = make_participant(enrolled="2026-03-01", tz="Asia/Seoul")
        headers = auth(token_for(patient))
        body = {"client_id": "6f1c9a4e-8c1b-4a55-9d63-0b7f2f0e8a11", "dose_date": "2026-03-05",
                "status": "taken", "dose_mg": 400, "taken_at": "2026-03-05T08:00:00+09:00"}
        written = client.post("/api/v1/me/doses", json=body, headers=headers).get_json()
        db.session.expire_all()
        listed = client.get("/api/v1/me/doses", headers=headers).get_json()

    sent = datetime(2026, 3, 5, 8, tzinfo=timezone(timedelta(hours=9)))
    for returned in (written["taken_at"], listed[0]["taken_at"]):
        instant = datetime.fromisoformat(returned)
        assert instant.utcoffset() is not None
        assert instant == sent
    stored = db.session.execute(
        select(DoseEntry.taken_at).where(DoseEntry.participant_id == patient.id)
        .execution_options(populate_existing=True)).scalar_one()
    assert stored == datetime(2026, 3, 4, 23, tzinfo=UTC)
    assert stored.tzinfo is not None
