"""On SQLite (the `make run` database) two processes that write at once wait for each other.

A transaction that reads and then writes, while another process commits a write in
between, used to fail at once with "database is locked" (SQLite's busy snapshot: the
busy timeout does not apply) and the caller saw a 503. The scheduler's dispatcher writes
every few seconds, so a staff sign-in (which audits itself) failed now and then.
"""

import threading

import pytest
import sqlalchemy as sa

from diary.extensions import db
from tests.conftest import TEST_DATABASE_URL, make_test_app

pytestmark = pytest.mark.skipif(bool(TEST_DATABASE_URL), reason="SQLite's locking only")


@pytest.fixture
def sqlite_app(tmp_path):
    app = make_test_app(f"sqlite:///{tmp_path / 'writers.sqlite3'}")
    with app.app_context(), db.engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE note (id INTEGER PRIMARY KEY, who TEXT)")
    yield app
    with app.app_context():
        db.engine.dispose()


def _write(engine, who: str, errors: list) -> None:
    try:
        with engine.begin() as connection:
            connection.execute(sa.text("INSERT INTO note (who) VALUES (:who)"), {"who": who})
    except sa.exc.OperationalError as error:
        errors.append(error)


def test_a_read_then_write_survives_another_writer_committing_in_between(sqlite_app):
    errors: list = []
    with sqlite_app.app_context():
        engine = db.engine
        with engine.connect() as first:
            transaction = first.begin()
            first.exec_driver_sql("SELECT count(*) FROM note").scalar_one()
            # Another process writes while the first is between its read and its write.
            other = threading.Thread(target=_write, args=(engine, "scheduler", errors))
            other.start()
            other.join(timeout=1)
            try:
                first.execute(sa.text("INSERT INTO note (who) VALUES ('sign-in')"))
                transaction.commit()
            except sa.exc.OperationalError as error:
                errors.append(error)
                transaction.rollback()
            other.join(timeout=10)
        with engine.connect() as check:
            written = sorted(check.exec_driver_sql("SELECT who FROM note").scalars())

    assert errors == []
    assert written == ["scheduler", "sign-in"]
