"""The app's wiring: health, errors, OpenAPI, migrations in step with the models."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.orm import scoped_session, sessionmaker

import config
from diary.app import create_app
from diary.extensions import db
from tests.conftest import make_test_app


def test_healthz_says_alive(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_readyz_checks_the_database(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json()["database"] == "ok"


def test_unknown_path_gets_the_error_body(client):
    response = client.get("/api/v1/nowhere")
    assert response.status_code == 404
    body = response.get_json()
    assert set(body) == {"code", "status", "message", "errors"}
    assert body["code"] == 404


def test_wrong_method_gets_405_with_allow(client):
    response = client.delete("/healthz")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
    assert response.get_json()["code"] == 405


def test_openapi_document_is_served(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    assert spec["openapi"].startswith("3.")
    assert "staffToken" in spec["components"]["securitySchemes"]


def test_readyz_is_503_in_the_error_body_when_the_database_is_down(monkeypatch):
    # Nothing listens on port 1: the connection is refused at once.
    app = make_test_app("postgresql+psycopg://nobody@127.0.0.1:1/nowhere")
    with app.app_context():
        # The suite binds db.session to the test database; this app needs its own.
        monkeypatch.setattr(db, "session", scoped_session(sessionmaker(bind=db.engine)))
        try:
            response = app.test_client().get("/readyz")
        finally:
            db.session.remove()
            db.engine.dispose()
    assert response.status_code == 503
    assert response.get_json()["code"] == 503
    assert set(response.get_json()) == {"code", "status", "message", "errors"}


def test_docs_page_renders_the_openapi_document(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "swagger-ui" in page.lower()
    assert "/api/v1/openapi.json" in page


def test_models_and_migrations_agree(app_context):
    # The test's own connection: on SQLite a second one would wait for its write lock.
    context = MigrationContext.configure(db.session.connection())
    diff = compare_metadata(context, db.metadata)
    assert diff == [], f"models and migrations differ: {diff}"


def test_default_study_is_loaded(study):
    assert study.code == "NCT02495519"
    assert study.dose_mg == 400
    assert study.primary_window_days == 112
    assert study.late_entry_hours == 72


def test_settings_come_from_the_environment():
    defaults = config.from_environment({})
    assert defaults["SQLALCHEMY_DATABASE_URI"] == (
        f"sqlite:///{config.INSTANCE_DIR / 'diary.sqlite3'}")
    assert config.INSTANCE_DIR.name == "instance"
    assert defaults["MAX_CONTENT_LENGTH"] == 1024 * 1024
    assert defaults["DIARY_ACTIVATION_CODE_HOURS"] == 72
    chosen = config.from_environment({
        "DATABASE_URL": "postgresql://diary@db.example.org/diary",
        "MAX_CONTENT_LENGTH": "2048", "DIARY_STAFF_TOKEN_HOURS": "8"})
    # psycopg 3 is the driver we ship, whatever the URL names.
    assert chosen["SQLALCHEMY_DATABASE_URI"] == (
        "postgresql+psycopg://diary@db.example.org/diary")
    assert (chosen["MAX_CONTENT_LENGTH"], chosen["DIARY_STAFF_TOKEN_HOURS"]) == (2048, 8)
    assert config.from_environment({"DATABASE_URL": "postgres://h/d"})[
        "SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://h/d"


def test_create_app_reads_the_environment_and_config_overrides_it(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'env.sqlite3'}")
    monkeypatch.setenv("MAX_CONTENT_LENGTH", "4096")
    app = create_app(config={"MAX_CONTENT_LENGTH": 512})
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("env.sqlite3")
    assert app.config["MAX_CONTENT_LENGTH"] == 512
    assert create_app().config["MAX_CONTENT_LENGTH"] == 4096
