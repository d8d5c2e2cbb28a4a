"""Migration 0015 links the events written before it into their chains, in order."""

import uuid
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade
from sqlalchemy.orm import scoped_session, sessionmaker

from diary.extensions import db
from diary.operations.audit_verify import verify_chains
from tests.conftest import TEST_DATABASE_URL, _postgres_url, make_test_app


@pytest.fixture
def empty_database(tmp_path):
    """The URL of a database of its own (a file, or a fresh PostgreSQL database)."""
    if not TEST_DATABASE_URL:
        yield f"sqlite:///{tmp_path / 'migration.sqlite3'}"
        return
    base = sa.engine.make_url(_postgres_url(TEST_DATABASE_URL))
    name = f"{base.database}_m{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def test_events_from_before_the_chain_are_chained_in_the_order_written(empty_database,
                                                                        monkeypatch):
    app = make_test_app(empty_database)
    with app.app_context():
        # A session on this database, not the suite's rolled-back one.
        monkeypatch.setattr(db, "session", scoped_session(sessionmaker(bind=db.engine)))
        upgrade(revision="0009")
        for minute, action in enumerate(("staff.created", "staff.signed_in", "staff.updated")):
            db.session.execute(sa.text(
                "INSERT INTO audit_event (occurred_at, actor_type, action, entity_type, "
                "entity_id, after) VALUES (:at, 'system', :action, 'staff_user', 1, :after)"),
                {"at": datetime(2026, 3, 1, 9, minute, tzinfo=UTC), "action": action,
                 "after": '{"role": "admin", "dose_mg": 312.5}'})
        db.session.commit()
        upgrade()
        rows = db.session.execute(sa.text(
            "SELECT action, chain, seq FROM audit_event ORDER BY id")).all()
        chains, events, breaks = verify_chains()
        if TEST_DATABASE_URL:  # the guard the backfill switched off is on again
            with pytest.raises(sa.exc.DBAPIError, match="append-only"):
                db.session.execute(sa.text("UPDATE audit_event SET reason = 'x'"))
            db.session.rollback()
        db.session.remove()
        db.engine.dispose()
    assert [tuple(row) for row in rows] == [("staff.created", "staff", 1),
                                            ("staff.signed_in", "staff", 2),
                                            ("staff.updated", "staff", 3)]
    assert (chains, events, breaks) == (1, 3, [])
