"""Writing the audit trail, always inside the caller's transaction."""

import json
from collections.abc import Iterable
from datetime import date, datetime, time
from decimal import Decimal

from flask import g, has_request_context
from sqlalchemy import bindparam, insert, select, text

from diary.clock import utcnow
from diary.extensions import db
from diary.json import decimal_to_json
from diary.models import AuditEvent
from diary.phone_keys import phone_lookup
from diary.prebuilt import run
from diary.rules.audit_chain import GENESIS, chain_of, link_hash
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
_LAST_LINK = (
    select(AuditEvent.seq, AuditEvent.hash)
    .where(AuditEvent.chain == bindparam("chain"))
    .order_by(AuditEvent.seq.desc())
    .limit(1)
)
# PostgreSQL: the same read after a lock on the one chain, held to the end of the
# transaction, so two writers of one participant's events take turns and writers of
# different participants never wait on each other. One round trip: the function
# (migration 0015) takes the lock, then reads with a snapshot taken after it.
_LOCKED_LAST_LINK = text("SELECT seq, hash FROM audit_chain_tail(:key, :chain)")
# The same lock as audit_chain_tail's (class 16725, the chain's key: participant id, or 0
# for the staff chain); taking it twice in one transaction is harmless.
_CHAIN_LOCK = text("SELECT pg_advisory_xact_lock(16725, :key)")


def lock_chains(participant_ids: Iterable[int | None]) -> None:
    """Take the chain locks of these participants (None: the staff chain) in key order.

    A transaction that writes events for two or more chains must call this first, with
    all of them: each event otherwise takes its chain's lock when written, in whatever
    order the caller's rows come, and two such transactions (the escalation job and the
    overdue-report job, say) holding one participant each and waiting for the other's
    deadlock. Taken in one order by everyone, the locks only queue. A transaction that
    writes one chain needs nothing: ``record_audit`` takes the lock. On SQLite the
    database's one write lock already serialises writers.

    Chain locks come before the row locks of what is audited, alerts and adverse events:
    a report adding to an open alert has audited itself (it holds the chain) when it
    locks the alert, so a writer that locked the alert first and then audited would hold
    what the report wants and want what it holds. Acknowledging, closing, and the
    escalation and overdue-report jobs therefore read which participants they touch,
    call this, and only then lock the rows (read again under the lock). A row lock taken
    with no audit after it (the dispatcher's share lock on an alert whose staff text is
    leaving) cannot close such a circle.
    """
    if db.session.connection().dialect.name != "postgresql":
        return
    for key in sorted({participant_id or 0 for participant_id in participant_ids}):
        run(_CHAIN_LOCK, {"key": key})


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
    event = {
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
    }
    run(_INSERT_EVENT, _linked(event))


def _linked(event: dict) -> dict:
    """Return the event as the next link of its chain: chain, seq, prev_hash, hash.

    The chain's last link is read under the chain's lock (PostgreSQL: an advisory lock,
    in ``audit_chain_tail``; on SQLite every write transaction already holds the
    database's one write lock: BEGIN IMMEDIATE), so no
    other transaction can append to the chain until this one ends; UNIQUE(chain, seq)
    would refuse a second link in one place anyway. The lock is held to the end of the
    transaction: a writer of several chains takes them all first (``lock_chains``).
    """
    chain = chain_of(event["participant_id"])
    for name in ("before", "after"):
        if event[name] is not None:
            # Hash exactly what the JSON column will give back (tuples become lists,
            # integer keys strings), so verifying the stored event finds the same hash.
            event[name] = json.loads(json.dumps(event[name]))
    postgresql = db.session.connection().dialect.name == "postgresql"
    last = run(_LOCKED_LAST_LINK if postgresql else _LAST_LINK,
               {"key": event["participant_id"] or 0, "chain": chain}).first()
    seq, prev_hash = (last.seq + 1, last.hash) if last else (1, GENESIS)
    event.update(chain=chain, seq=seq)
    event.update(prev_hash=prev_hash, hash=link_hash(event, prev_hash))
    return event
