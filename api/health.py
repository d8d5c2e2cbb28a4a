"""Liveness and readiness, for load balancers and orchestrators."""

from flask import Blueprint
from sqlalchemy import text

from api.errors import database_unavailable, handle_database_unavailable
from diary.extensions import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """Say the process is alive."""
    return {"status": "ok"}


@bp.get("/readyz")
def readyz():
    """Say whether the database answers."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as exc:
        if not database_unavailable(exc):
            raise
        return handle_database_unavailable(exc)
    return {"status": "ok", "database": "ok"}
