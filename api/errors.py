"""One error body for everything: ``{"code", "status", "message", "errors"}``."""

import logging
from http import HTTPStatus

import marshmallow as ma
from flask import Flask, jsonify
from sqlalchemy.exc import DBAPIError, DisconnectionError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from werkzeug.exceptions import HTTPException

from diary.errors import DomainError
from diary.extensions import db
from diary.tracebacks import scrubbed_traceback

log = logging.getLogger(__name__)

# How long a client should wait before trying again when the database is out of reach
# (a restart or a failover takes seconds; a phone app retries on 503).
RETRY_AFTER_SECONDS = 10


class ErrorSchema(ma.Schema):
    """The error body (documentation only)."""

    code = ma.fields.Integer(metadata={"description": "HTTP status code"})
    status = ma.fields.String(metadata={"description": "HTTP status name"})
    message = ma.fields.String(metadata={"description": "What went wrong, for a person"})
    errors = ma.fields.Dict(metadata={"description": "Field name → list of messages"})


def error_response(code: int, message: str, errors: dict | None = None, headers=None):
    """Build the one error body with its status code."""
    body = {
        "code": code,
        "status": HTTPStatus(code).phrase,
        "message": message,
        "errors": errors or {},
    }
    response = jsonify(body)
    response.status_code = code
    for name, value in headers or []:
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def _flatten_locations(messages: dict) -> dict:
    # webargs nests field errors under the location ("json", "query"); one location is
    # the usual case and a client wants the field names at the top.
    if len(messages) == 1:
        (only,) = messages.values()
        if isinstance(only, dict):
            return only
    return messages


def handle_http_exception(error: HTTPException):
    """Render any werkzeug/flask-smorest HTTP error in the one shape."""
    data = getattr(error, "data", None) or {}
    errors = data.get("errors") or data.get("messages") or {}
    if isinstance(errors, dict):
        errors = _flatten_locations(errors)
    message = data.get("message") or error.description or HTTPStatus(error.code).phrase
    if error.code == 422 and not data.get("message"):
        message = "The request has invalid fields."
    elif error.code == 400 and "json" in errors and not data.get("message"):
        # webargs reports a body it cannot parse under "json" with werkzeug's stock text.
        message = "The body is not valid JSON."
    headers = list(error.get_headers()) + list((data.get("headers") or {}).items())
    return error_response(error.code, message, errors, headers)


def handle_domain_error(error: DomainError):
    """Render a domain refusal with the status its class carries."""
    db.session.rollback()
    return error_response(error.status, error.message, error.errors)


def database_unavailable(error: Exception) -> bool:
    """Say whether an error means the database cannot be reached (not a fault of ours)."""
    if isinstance(error, OperationalError | DisconnectionError | PoolTimeoutError):
        return True
    return isinstance(error, DBAPIError) and error.connection_invalidated


def _rollback_quietly() -> None:
    try:
        db.session.rollback()
    except SQLAlchemyError:
        # The connection is gone; the pool drops it and the session is reset below.
        db.session.remove()


def handle_database_unavailable(error: Exception):
    """Answer 503 with Retry-After: the database is out of reach, the request may be retried."""
    _rollback_quietly()
    log.error("database unavailable: %s", type(error).__name__)
    return error_response(503, "The database cannot be reached just now; try again shortly.",
                          headers=[("Retry-After", str(RETRY_AFTER_SECONDS))])


def handle_unexpected(error: Exception):
    """Log the failure (type and place, never request data) and answer a bare 500."""
    if database_unavailable(error):
        return handle_database_unavailable(error)
    _rollback_quietly()
    # No exc_info: the standard traceback ends with each exception's message, and a
    # database error's message carries PostgreSQL's DETAIL (``Key (email)=(...)``) even
    # with the engine's hide_parameters. The types and frames find the cause.
    kind = "database error" if isinstance(error, SQLAlchemyError) else "unhandled error"
    log.error("%s: %s\n%s", kind, type(error).__name__, scrubbed_traceback(error))
    return error_response(500, "Something went wrong on our side. It has been logged.")


def register_error_handlers(app: Flask) -> None:
    """Send every error, expected or not, through the one body."""
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(Exception, handle_unexpected)
