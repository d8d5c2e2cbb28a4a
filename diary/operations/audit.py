"""Writing the audit trail, always inside the caller's transaction."""

from datetime import date, datetime, time
from decimal import Decimal

from flask import g, has_request_context
from sqlalchemy import insert

from diary.clock import utcnow
from diary.json import decimal_to_json
from diary.models import AuditEvent
from diary.phone_keys import phone_lookup
from diary.prebuilt import run
from diary.rules.phone import masked

# Kept encrypted on their rows. An audit event is never rewritten, so it could not be
# re-encrypted under a new key: it keeps the last digits and the start of the lookup hash,
# which tell two numbers apart and let someone holding the key confirm a given number.
MASKED_FIELDS = frozenset({"phone_e164"})


def snapshot(row, fields) -> dict:
    """Return a JSON-safe dict of the named attributes of a row, for before/after."""
    return {name: _json_safe(getattr(row, name)) for name in fields}


def _masked(values: dict | None) -> dict | None:
    if values is None:
        return None
    return {name: _masked_phone(value) if name in MASKED_FIELDS else value
            for name, value in values.items()}


def _masked_phone(phone: str | None) -> str | None:
    return None if phone is None else f"{masked(phone)} #{phone_lookup(phone)[:8]}"


def _json_safe(value):
    if isinstance(value, Decimal):
        # A number, as the API shows it: 400, not "400.00".
        return decimal_to_json(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return value


# Built once (see diary.prebuilt): every change of participant or clinical data runs it,
# and an event is never read back or changed in the transaction that writes it.
_INSERT_EVENT = insert(AuditEvent.__table__)


def record_audit(
    actor,
    action: str,
    entity,
    *,
    participant_id: int | None = None,
    before: dict | None = None,
    after: dict | None = None,
    reason: str | None = None,
) -> None:
    """Write an audit event for ``action`` on ``entity`` in the current transaction.

    ``actor`` is a ``diary.actor.Actor``. The entity's id must be known, so callers
    flush a new row first. The INSERT runs at once; it commits or rolls back with the
    caller's transaction (or savepoint).
    """
    run(_INSERT_EVENT, {
        "occurred_at": utcnow(),
        "actor_type": actor.type,
        "actor_id": actor.id,
        "action": action,
        "entity_type": entity.__tablename__,
        "entity_id": entity.id,
        "participant_id": participant_id,
        "before": _masked(before),
        "after": _masked(after),
        "reason": reason,
        "request_id": g.get("request_id") if has_request_context() else None,
    })
