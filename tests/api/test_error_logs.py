"""A database error logged by the 500 handler names its type and place, never row values.

PostgreSQL's DETAIL line (``Key (email)=(kim@example.org) already exists``) is in the
psycopg error's message and so in SQLAlchemy's; hide_parameters does not remove it.
"""

import logging
from datetime import UTC, datetime

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from diary.clock import utcnow
from diary.extensions import db
from diary.models import StaffUser
from diary.operations import participants
from tests.factories import auth, make_staff, token_for

FROZEN_AT = datetime(2026, 3, 10, 1, tzinfo=UTC)
pytestmark = pytest.mark.usefixtures("clock")
TAKEN = "already.here@example.org"


def test_a_unique_violation_reaching_the_500_handler_logs_no_detail(client, site, caplog,
                                                                    monkeypatch):
    make_staff("coordinator", email=TAKEN)
    headers = auth(token_for(make_staff("coordinator", sites=[site])))
    raised = []

    def insert_a_duplicate(*_args, **_kwargs):
        try:
            db.session.execute(insert(StaffUser).values(
                email=TAKEN, role="coordinator", locale="en", active=True,
                created_at=utcnow(), failed_sign_ins=0))
        except IntegrityError as error:
            raised.append(error)
            raise

    monkeypatch.setattr(participants, "list_participants", insert_a_duplicate)
    caplog.set_level(logging.DEBUG)

    response = client.get("/api/v1/participants", headers=headers)

    assert response.status_code == 500
    assert "database error: IntegrityError" in caplog.text
    assert "insert_a_duplicate" in caplog.text  # the place is there, to find the bug
    if db.engine.dialect.name == "postgresql":
        # The test can fail: the message the standard traceback would print holds the value.
        assert TAKEN in str(raised[0]) and "DETAIL" in str(raised[0])
    for record in caplog.records:
        text = record.getMessage() + (logging.Formatter().formatException(record.exc_info)
                                      if record.exc_info else "")
        assert TAKEN not in text and "DETAIL" not in text, record.name
