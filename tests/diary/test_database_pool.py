"""Pooled PostgreSQL connections that the server closed are replaced before use."""

import time

import pytest
import sqlalchemy as sa

from diary.extensions import db
from tests.conftest import TEST_DATABASE_URL, make_test_app

pytestmark = pytest.mark.postgres_only


@pytest.fixture
def pinging_app(database_url):
    if not TEST_DATABASE_URL:
        pytest.skip("needs PostgreSQL: set TEST_DATABASE_URL")
    app = make_test_app(database_url, DIARY_DB_PING_IDLE_SECONDS=0.05)
    yield app
    with app.app_context():
        db.engine.dispose()


def _backend_pid(engine) -> int:
    with engine.connect() as connection:
        return connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()


def _terminate(database_url: str, pid: int) -> None:
    admin = sa.create_engine(database_url)
    with admin.connect() as connection:
        connection.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    admin.dispose()


def test_idle_connection_closed_by_the_server_is_replaced(pinging_app, database_url):
    with pinging_app.app_context():
        dead = _backend_pid(db.engine)
        _terminate(database_url, dead)
        time.sleep(0.1)
        assert _backend_pid(db.engine) != dead
    assert pinging_app.test_client().get("/readyz").status_code == 200


def test_connection_used_a_moment_ago_is_not_checked(database_url):
    """Without the idle check, a closed connection fails its next user (it is not pinged)."""
    if not TEST_DATABASE_URL:
        pytest.skip("needs PostgreSQL: set TEST_DATABASE_URL")
    app = make_test_app(database_url, DIARY_DB_PING_IDLE_SECONDS=3600)
    try:
        with app.app_context():
            _terminate(database_url, _backend_pid(db.engine))
            with pytest.raises(sa.exc.OperationalError):
                _backend_pid(db.engine)
            # The failure invalidated the pool: the next user gets a new connection.
            assert _backend_pid(db.engine) > 0
    finally:
        with app.app_context():
            db.engine.dispose()
