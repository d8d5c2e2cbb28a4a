"""The outbox: every text is a row first, written in the transaction that caused it.

Nothing here sends: the dispatcher (``notifications.dispatch``) drains due rows after
their commit.
"""

from datetime import date, datetime

from sqlalchemy import bindparam, update

from diary.clock import utcnow
from diary.extensions import db
from diary.models import Message
from diary.models.message import CANCELLED, PENDING, REMINDER_KINDS
from diary.prebuilt import run


def enqueue(
    *,
    kind: str,
    body: str,
    participant_id: int | None = None,
    staff_user_id: int | None = None,
    due_at: datetime | None = None,
    expires_at: datetime | None = None,
    dedupe_key: str | None = None,
    local_date: date | None = None,
    alert_id: int | None = None,
) -> Message:
    """Add a pending message to the current transaction (the caller commits)."""
    now = utcnow()
    due_at = due_at or now
    message = Message(
        kind=kind,
        body=body,
        participant_id=participant_id,
        staff_user_id=staff_user_id,
        due_at=due_at,
        next_attempt_at=due_at,
        expires_at=expires_at,
        dedupe_key=dedupe_key,
        local_date=local_date,
        alert_id=alert_id,
        status=PENDING,
        attempts=0,
        created_at=now,
        updated_at=now,
    )
    db.session.add(message)
    return message


# Built once (see diary.prebuilt), on the table rather than the entity: every dose write
# runs it, and no Message object is kept in step with it.
_CANCEL_DAY_REMINDERS = (
    update(Message.__table__)
    .where(
        Message.__table__.c.participant_id == bindparam("for_participant"),
        Message.__table__.c.local_date == bindparam("for_date"),
        Message.__table__.c.kind.in_(REMINDER_KINDS),
        Message.__table__.c.status == PENDING,
    )
    .values(status=CANCELLED, updated_at=bindparam("now"))
)


def cancel_day_reminders(participant_id: int, local_date: date) -> None:
    """Cancel a day's pending reminder and follow-up: the day has an entry now.

    One UPDATE inside the caller's transaction, so a dose and its cancellation commit
    together. Messages added but not yet flushed are flushed first, so they are
    cancelled too.
    """
    db.session.flush()
    run(_CANCEL_DAY_REMINDERS, {
        "for_participant": participant_id, "for_date": local_date, "now": utcnow(),
    })


def release_pending_reminders(participant_id: int, now: datetime) -> None:
    """Cancel every pending reminder and follow-up of a participant and free their keys.

    For re-planning after what they were planned from changed: the planner may then
    queue the same days again. Texts already sent keep their keys, so no day is
    reminded twice.
    """
    db.session.execute(
        update(Message)
        .where(
            Message.participant_id == participant_id,
            Message.kind.in_(REMINDER_KINDS),
            Message.status == PENDING,
        )
        .values(status=CANCELLED, error_code="replanned", dedupe_key=None, updated_at=now)
        .execution_options(synchronize_session=False)
    )


def cancel_alert_texts(alert_id: int, reason: str, now: datetime) -> int:
    """Cancel an alert's texts not yet claimed, in the caller's transaction; return how many.

    For an alert someone acknowledged or closed: nobody else needs waking for it. A text
    already claimed is checked once more by the dispatcher as it leaves.
    """
    result = db.session.execute(
        update(Message)
        .where(Message.alert_id == alert_id, Message.status == PENDING)
        .values(status=CANCELLED, error_code=reason, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount
