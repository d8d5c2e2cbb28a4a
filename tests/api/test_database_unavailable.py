"""The database out of reach: a 503 with Retry-After in the one error body, never a 500."""

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import scoped_session, sessionmaker

from diary.extensions import db
from tests.conftest import TEST_DATABASE_URL, _postgres_url, make_test_app

CLOSED_PORT = "postgresql+psycopg://nobody@127.0.0.1:1/nowhere"  # nothing listens on port 1
BEARER = {"Authorization": "Bearer a-token-the-database-would-check"}
REQUESTS = [
    ("get", "/api/v1/participants", None),
    ("get", "/api/v1/me", None),
    ("post", "/api/v1/me/doses", {"client_id": "6f1c1cde-7f52-4bd4-9a5b-5cb4f0a3e001",
                                   "dose_date": "2026-03-05", "status": "missed"}),
    ("post", "/api/v1/auth/login", {"email": "a@example.org", "password": "secret"}),
]


@pytest.fixture
def call_app(monkeypatch):
    """Return a function that sends one request to an app on the given database URL."""

    def call(database_url, method, path, body):
        app = make_test_app(database_url)
        with app.app_context():
            # The suite binds db.session to the test database; this app needs its own.
            monkeypatch.setattr(db, "session", scoped_session(sessionmaker(bind=db.engine)))
            try:
                return getattr(app.test_client(), method)(path, json=body, headers=BEARER)
            finally:
                db.session.remove()
                db.engine.dispose()

    return call


def _unavailable(response):
    assert response.status_code == 503, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"code", "status", "message", "errors"}
    assert body["code"] == 503
    assert int(response.headers["Retry-After"]) > 0
    return body


@pytest.mark.parametrize(("method", "path", "body"), REQUESTS)
def test_a_closed_database_port_is_503_with_retry_after(call_app, method, path, body):
    _unavailable(call_app(CLOSED_PORT, method, path, body))


def test_an_sqlite_file_that_cannot_be_opened_is_503(call_app, tmp_path):
    # A directory where the database file should be: SQLite cannot open it.
    (tmp_path / "diary.sqlite3").mkdir()
    _unavailable(call_app(f"sqlite:///{tmp_path / 'diary.sqlite3'}", "get",
                          "/api/v1/participants", None))


@pytest.mark.postgres_only
@pytest.mark.skipif(not TEST_DATABASE_URL, reason="needs PostgreSQL: set TEST_DATABASE_URL")
def test_a_postgresql_database_that_does_not_exist_is_503(call_app):
    url = sa.engine.make_url(_postgres_url(TEST_DATABASE_URL)).set(database="diary_no_such_db")
    body = _unavailable(call_app(url.render_as_string(hide_password=False), "get",
                                 "/api/v1/participants", None))
    assert "diary_no_such_db" not in body["message"]


def test_readyz_says_when_to_try_again(call_app):
    _unavailable(call_app(CLOSED_PORT, "get", "/readyz", None))


def test_every_operation_documents_the_503(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method != "parameters":
                assert "503" in operation["responses"], f"{method} {path}"
