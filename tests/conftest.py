"""Test set-up: a real database made by the migrations, each test rolled back.

SQLite by default; PostgreSQL when TEST_DATABASE_URL is set (a database this suite may
wipe: its public schema is dropped and rebuilt at the start of the run).
"""

import os
import uuid
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
import time_machine
from flask_migrate import upgrade
from sqlalchemy import event
from sqlalchemy.orm import scoped_session, sessionmaker

from diary.app import create_app
from diary.extensions import db
from diary.operations.studies import default_study_file, load_study
from tests import factories

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")


def pytest_report_header(config):
    return f"database: {'PostgreSQL' if TEST_DATABASE_URL else 'SQLite'}"


def _postgres_url(url: str) -> str:
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _fresh_schema(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
        connection.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()


def make_test_app(database_url: str, **overrides):
    """Create an app on the given database with test settings."""
    settings = {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": "test-secret",
        "DIARY_SMS_SENDER": "console",
        "DIARY_PUBLIC_BASE_URL": "https://diary.example.org",
        # Off except in the tests of the limits themselves (tests/api/test_rate_limits.py).
        "RATELIMIT_ENABLED": False,
        **overrides,
    }
    return create_app(settings)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    if TEST_DATABASE_URL:
        url = _postgres_url(TEST_DATABASE_URL)
        _fresh_schema(url)
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


@pytest.fixture(scope="session")
def app(database_url):
    app = make_test_app(database_url)
    with app.app_context():
        upgrade()
        load_study(default_study_file("NCT02495519"))
        db.session.remove()
    yield app
    # Close pooled connections before exit (psycopg warns about open ones at shutdown).
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def db_session(request, app):
    """Run the test inside a transaction that is rolled back at its end.

    Operations commit as they do in production; with ``create_savepoint`` each commit
    releases a SAVEPOINT inside the outer transaction, so nothing outlives the test.
    """
    if {"committed_app", "migration_app"} & set(request.fixturenames):
        yield None
        return
    with app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        original = db.session
        db.session = scoped_session(
            sessionmaker(
                bind=connection,
                join_transaction_mode="create_savepoint",
                expire_on_commit=False,
            )
        )
        try:
            yield db.session
        finally:
            db.session.remove()
            db.session = original
            outer.rollback()
            connection.close()


@pytest.fixture
def clock(request):
    """Stop time at the test module's ``FROZEN_AT`` (or ``@pytest.mark.frozen_at(t)``).

    The traveller moves it: ``clock.shift(timedelta(...))``, ``clock.move_to(t)``. A
    module that wants it for every test says ``pytestmark = pytest.mark.usefixtures("clock")``.
    """
    marker = request.node.get_closest_marker("frozen_at")
    at = marker.args[0] if marker is not None else request.module.FROZEN_AT
    with time_machine.travel(at, tick=False) as traveller:
        yield traveller


@pytest.fixture
def app_context(app):
    with app.app_context():
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


# Statements that do work; transaction control (BEGIN, the harness's SAVEPOINTs) is not a
# round trip the code chose to make.
_DATA_VERBS = frozenset({"SELECT", "INSERT", "UPDATE", "DELETE", "WITH"})


@pytest.fixture
def count_queries(app_context):
    """Return a context manager listing the data statements sent to the database inside it."""

    @contextmanager
    def counting():
        statements: list[str] = []

        def record(_conn, _cursor, statement, *_args):
            if statement.split(None, 1)[0].upper() in _DATA_VERBS:
                statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", record)
        try:
            yield statements
        finally:
            event.remove(db.engine, "before_cursor_execute", record)

    return counting


@pytest.fixture
def study(app_context):
    return factories.default_study()


@pytest.fixture
def site(study):
    return factories.default_site(study)


@contextmanager
def own_database_app(tmp_path=None):
    """Yield an app on an empty database of its own, whose commits are real.

    On PostgreSQL a fresh database beside TEST_DATABASE_URL, dropped afterwards; on
    SQLite (given ``tmp_path``) a file of its own.
    """
    if not TEST_DATABASE_URL:
        app = make_test_app(f"sqlite:///{tmp_path / 'own.sqlite3'}")
        try:
            yield app
        finally:
            with app.app_context():
                db.engine.dispose()
        return
    base = sa.engine.make_url(_postgres_url(TEST_DATABASE_URL))
    name = f"{base.database}_c{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    app = make_test_app(base.set(database=name).render_as_string(hide_password=False))
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture
def committed_app():
    """An app on a database of its own whose commits are real (for concurrency tests).

    PostgreSQL only: migrated, the default study loaded.
    """
    if not TEST_DATABASE_URL:
        pytest.skip("needs PostgreSQL: set TEST_DATABASE_URL")
    with own_database_app() as app:
        with app.app_context():
            upgrade()
            load_study(default_study_file("NCT02495519"))
            db.session.remove()
        yield app


@pytest.fixture
def migration_app(tmp_path):
    """An app on an empty database of its own, SQLite too: for migrations up and down."""
    with own_database_app(tmp_path) as app:
        yield app
