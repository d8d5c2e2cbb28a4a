"""The application factory."""

import logging
import time
import uuid

from flask import Flask, g, request
from sqlalchemy import event
from sqlalchemy.exc import DisconnectionError
from werkzeug.middleware.proxy_fix import ProxyFix

import config as settings
from api import register_blueprints
from api.errors import error_response, register_error_handlers
from api.limits import init_rate_limits
from api.request import DiaryRequest
from api.security import init_security_headers
from diary import phone_keys
from diary.extensions import db, migrate
from diary.json import DiaryJSONProvider
from diary.paths import MIGRATIONS_DIR
from web import register_web

_BODY_METHODS = {"POST", "PUT", "PATCH"}


def create_app(config: dict | None = None) -> Flask:
    """Create the web app: settings, extensions, routes, errors, commands.

    Settings come from the environment; ``config`` overrides them (tests, scripts).
    """
    app = Flask(__name__, instance_relative_config=False)
    app.request_class = DiaryRequest
    app.json_provider_class = DiaryJSONProvider
    app.json = DiaryJSONProvider(app)
    app.config.from_mapping(settings.from_environment())
    if config:
        app.config.from_mapping(config)
    configure_logging(app)
    register_extensions(app)
    register_request_hooks(app)
    register_blueprints(app)
    register_web(app)
    register_error_handlers(app)
    init_rate_limits(app)
    init_security_headers(app)
    register_commands(app)
    trust_proxies(app)
    return app


def trust_proxies(app: Flask) -> None:
    """Believe X-Forwarded-* from the configured number of proxies (URLs, Twilio signatures)."""
    count = app.config["DIARY_PROXY_COUNT"]
    if count > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count,
                                x_port=count, x_prefix=count)


def configure_logging(app: Flask) -> None:
    """Log to stderr at the configured level (bodies, numbers and names never logged)."""
    logging.basicConfig(
        level=app.config["DIARY_LOG_LEVEL"],
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )
    # The twilio client writes about eleven INFO lines (request, headers) for every text.
    logging.getLogger("twilio").setLevel(logging.WARNING)
    engine_log = logging.getLogger("sqlalchemy.engine.Engine")
    if not any(isinstance(f, _NoRowValues) for f in engine_log.filters):
        engine_log.addFilter(_NoRowValues())


class _NoRowValues(logging.Filter):
    """Drop SQLAlchemy's DEBUG line for each row read: decrypted numbers, e-mails, texts.

    hide_parameters keeps values out of the statements it logs at INFO, but at DEBUG the
    engine also prints every row it returns; an operator debugging with
    DIARY_LOG_LEVEL=DEBUG must not copy the database into the logs.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.levelno <= logging.DEBUG and str(record.msg).startswith("Row "))


def register_extensions(app: Flask) -> None:
    """Check the phone keys; bind the database and migrations; tune SQLite."""
    phone_keys.init_app(app)
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    options = app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {})
    # Never echo row values (phone numbers, notes) into logs or error messages.
    options.setdefault("hide_parameters", True)
    if uri.startswith("sqlite"):
        _ensure_sqlite_directory(uri)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True)
    with app.app_context():
        if uri.startswith("sqlite"):
            _tune_sqlite(db.engine)
        elif not options.get("pool_pre_ping"):
            _ping_after_idle(db.engine, app.config["DIARY_DB_PING_IDLE_SECONDS"])


def _ensure_sqlite_directory(uri: str) -> None:
    from pathlib import Path

    path = uri.removeprefix("sqlite:///")
    if path and path != ":memory:" and not path.startswith("file:"):
        Path(path).parent.mkdir(parents=True, exist_ok=True)


def _ping_after_idle(engine, idle_seconds: float) -> None:
    """Check that a pooled connection is alive before use, once it has sat idle.

    SQLAlchemy's pool_pre_ping checks on every checkout: one more round trip on every
    request, the dose write's among them. A connection in use a moment ago is alive;
    restarts, failovers and idle timeouts catch the ones that have been waiting. The
    price: when the server restarts under traffic, a request on a connection that was
    busy just before fails once (500), and the pool then replaces all its connections.
    """

    @event.listens_for(engine, "connect")
    def _fresh(_dbapi_connection, record):
        record.info["last_used"] = time.monotonic()

    @event.listens_for(engine, "checkin")
    def _returned(_dbapi_connection, record):
        record.info["last_used"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _check(dbapi_connection, record, _proxy):
        if time.monotonic() - record.info.get("last_used", 0.0) < idle_seconds:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as exc:
            if engine.dialect.is_disconnect(exc, dbapi_connection, None):
                # The pool drops this connection and hands out a new one instead.
                raise DisconnectionError() from exc
            raise


def _tune_sqlite(engine) -> None:
    # pysqlite's own transaction handling defers BEGIN and breaks SAVEPOINT; take it over
    # (the recipe in SQLAlchemy's SQLite dialect docs), enforce foreign keys, and wait
    # for a writer instead of failing at once. BEGIN IMMEDIATE takes the write lock at
    # the start: a deferred transaction that reads and then writes fails at once ("database
    # is locked", no busy wait) when another process committed in between, which the
    # scheduler's dispatcher does every few seconds. Every transaction queues for the
    # lock (busy_timeout), which a one-site SQLite can afford.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA busy_timeout = 5000")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def register_request_hooks(app: Flask) -> None:
    """Give each request an id (for the audit trail and logs) and insist on JSON bodies."""

    @app.before_request
    def _request_id():
        incoming = request.headers.get("X-Request-Id", "")
        g.request_id = incoming[:64] if incoming.isprintable() and incoming else uuid.uuid4().hex

    @app.before_request
    def _json_only():
        if (
            request.method in _BODY_METHODS
            and request.path.startswith("/api/")
            and (request.content_length or request.headers.get("Transfer-Encoding"))
            and not request.is_json
        ):
            return error_response(400, "The body must be JSON (Content-Type: application/json).")
        return None

    @app.after_request
    def _echo_request_id(response):
        response.headers["X-Request-Id"] = g.get("request_id", "")
        return response


def register_commands(app: Flask) -> None:
    """Add the ``diary`` sub-commands."""
    from diary.cli import register

    register(app)
