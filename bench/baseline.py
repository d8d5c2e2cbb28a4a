"""The yardstick: a bare Flask + psycopg 3 endpoint doing the dose write's inserts.

Per request, the same database work as our POST /api/v1/me/doses, with no ORM, schema
library or framework extension: look the device token up by SHA-256, check the
participant, INSERT the dose_entry row, read the participant's audit chain's last link
under its lock and INSERT the audit_event row chained to it, cancel the day's pending
reminders, COMMIT, answer 201 with the entry. It checks only what it needs to
stay correct for the benchmark's own requests; it is not a second implementation.

    BENCH_DATABASE_URL=postgresql://... gunicorn 'bench.baseline:create_app()'
"""

import hashlib
import json
import os
from datetime import UTC, date, datetime
from decimal import Decimal

from flask import Flask, jsonify, request
from psycopg.types.json import Json
from psycopg_pool import ConnectionPool

from bench.database import libpq_url
from diary.rules.audit_chain import GENESIS, link_hash

LIVE_DEVICE = """
SELECT p.id, p.status, p.enrolled_on
FROM access_token t JOIN participant p ON p.id = t.participant_id
WHERE t.token_sha256 = %s AND t.kind = 'device' AND t.revoked_at IS NULL
  AND t.expires_at > %s
"""
INSERT_ENTRY = """
INSERT INTO dose_entry (participant_id, dose_date, version, is_current, status, dose_mg,
  taken_at, missed_reason, missed_reason_text, vomited, note, source, client_id,
  body_sha256, recorded_at, study_day, late, correction_reason, superseded_at,
  recorded_by_staff_id)
VALUES (%s, %s, 1, true, %s, %s, %s, %s, %s, %s, %s, 'app', %s, %s, %s, %s, %s, NULL, NULL,
  NULL)
RETURNING id
"""
LAST_LINK = "SELECT seq, hash FROM audit_chain_tail(%s, %s)"
INSERT_AUDIT = """
INSERT INTO audit_event (occurred_at, actor_type, actor_id, action, entity_type, entity_id,
  participant_id, before, after, reason, request_id, chain, seq, prev_hash, hash)
VALUES (%(occurred_at)s, 'participant', %(actor_id)s, 'dose.recorded', 'dose_entry',
  %(entity_id)s, %(participant_id)s, NULL, %(after)s, NULL, %(request_id)s, %(chain)s,
  %(seq)s, %(prev_hash)s, %(hash)s)
"""
CANCEL_REMINDERS = """
UPDATE message SET status = 'cancelled', updated_at = %s
WHERE participant_id = %s AND local_date = %s AND kind IN ('reminder', 'follow_up')
  AND status = 'pending'
"""


def _link(conn, event: dict) -> dict:
    """Chain the event after its participant's last link (the same hash as the app's)."""
    chain = f"participant:{event['participant_id']}"
    last = conn.execute(LAST_LINK, (event["participant_id"], chain)).fetchone()
    seq, prev_hash = (last[0] + 1, last[1]) if last else (1, GENESIS)
    event.update(chain=chain, seq=seq)
    event.update(prev_hash=prev_hash, hash=link_hash(event, prev_hash), after=Json(event["after"]))
    return event


def _error(status: int, message: str):
    body = {"code": status, "status": "error", "message": message, "errors": {}}
    return jsonify(body), status


def create_app(database_url: str | None = None) -> Flask:
    """Make the bare app; each gunicorn worker opens its own connection pool."""
    url = libpq_url(database_url or os.environ["BENCH_DATABASE_URL"])
    size = int(os.environ.get("BENCH_POOL_SIZE", "4"))
    pool = ConnectionPool(url, min_size=1, max_size=size, open=True)
    app = Flask(__name__)

    @app.get("/healthz")
    def healthz():
        return {"status": "ok"}

    @app.post("/api/v1/me/doses")
    def record_dose():
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return _error(401, "A bearer token is required.")
        digest = hashlib.sha256(token.strip().encode()).hexdigest()
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or any(
            body.get(name) is None for name in ("client_id", "dose_date", "status")
        ):
            return _error(422, "The entry has invalid fields.")
        day = date.fromisoformat(body["dose_date"])
        dose_mg = Decimal(str(body["dose_mg"])) if body.get("dose_mg") is not None else None
        taken_at = (datetime.fromisoformat(body["taken_at"]).astimezone(UTC)
                    if body.get("taken_at") else None)
        now = datetime.now(UTC)
        body_sha256 = hashlib.sha256(
            json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()
        with pool.connection() as conn:  # commits when the block ends without an error
            found = conn.execute(LIVE_DEVICE, (digest, now)).fetchone()
            if found is None:
                return _error(401, "The token is not valid or has expired.")
            participant_id, status, enrolled_on = found
            if status == "withdrawn":
                return _error(409, "The participant has withdrawn from the study.")
            entry = {
                "client_id": str(body["client_id"]), "dose_date": day.isoformat(),
                "study_day": (day - enrolled_on).days + 1, "version": 1, "is_current": True,
                "status": body["status"], "dose_mg": None if dose_mg is None else str(dose_mg),
                "taken_at": taken_at.isoformat() if taken_at else None,
                "missed_reason": body.get("missed_reason"),
                "missed_reason_text": body.get("missed_reason_text"),
                "vomited": bool(body.get("vomited")), "note": body.get("note"),
                "source": "app", "recorded_at": now.isoformat(),
                # Roughly the late-entry rule (72 h); the benchmark's days are years old.
                "late": (now.date() - day).days > 3,
                "correction_reason": None, "superseded_at": None,
            }
            entry["id"] = conn.execute(INSERT_ENTRY, (
                participant_id, day, entry["status"], dose_mg, taken_at,
                entry["missed_reason"], entry["missed_reason_text"], entry["vomited"],
                entry["note"], entry["client_id"], body_sha256, now, entry["study_day"],
                entry["late"],
            )).fetchone()[0]
            conn.execute(INSERT_AUDIT, _link(conn, {
                "occurred_at": now, "actor_type": "participant", "actor_id": participant_id,
                "action": "dose.recorded", "entity_type": "dose_entry",
                "entity_id": entry["id"], "participant_id": participant_id, "before": None,
                "after": entry, "reason": None,
                "request_id": request.headers.get("X-Request-Id")}))
            conn.execute(CANCEL_REMINDERS, (now, participant_id, day))
        return jsonify(entry), 201

    return app
