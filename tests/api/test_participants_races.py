"""Two coordinators enrolling the same study code at once: one wins, the other gets a 409."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import event, insert
from sqlalchemy.orm import Session

from diary.extensions import db
from diary.models import Participant
from tests.factories import auth, default_site, make_staff, token_for

pytestmark = pytest.mark.postgres_only
NOON_IN_SEOUL = datetime(2026, 12, 1, 3, tzinfo=UTC)
FROZEN_AT = NOON_IN_SEOUL


@pytest.mark.usefixtures("clock")
def test_a_code_taken_between_the_check_and_the_insert_is_a_409_not_a_500(committed_app):
    with committed_app.app_context():
        site = default_site()
        headers = auth(token_for(make_staff("coordinator", sites=[site])))
        site_id = site.id
        db.session.remove()

    done = []

    def the_other_coordinator_commits_first(session, _context, _instances):
        # Past our request's check that the code is free, before its INSERT.
        mine = next((obj for obj in session.new if isinstance(obj, Participant)), None)
        if mine is None or done:
            return
        done.append(True)
        with db.engine.begin() as other:
            other.execute(insert(Participant.__table__).values(
                study_id=mine.study_id, site_id=mine.site_id, study_code=mine.study_code,
                enrolled_on=mine.enrolled_on, timezone=mine.timezone, locale=mine.locale,
                sms_consent=False, reminder_time=mine.reminder_time, proxy_reporter=False,
                status="active", created_at=mine.created_at, updated_at=mine.created_at))

    event.listen(Session, "before_flush", the_other_coordinator_commits_first)
    try:
        response = committed_app.test_client().post("/api/v1/participants", headers=headers,
                                                    json={"study_code": "S01-777",
                                                          "site_id": site_id,
                                                          "enrolled_on": "2026-12-01"})
    finally:
        event.remove(Session, "before_flush", the_other_coordinator_commits_first)

    assert response.status_code == 409, response.get_json()
    assert response.get_json()["errors"] == {"study_code": ["Already in use."]}
