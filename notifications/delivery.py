"""Twilio's delivery reports: what became of each text we sent, and who cannot be reached.

Callbacks arrive late, twice, and out of order; a message only ever moves forward and a
final outcome is never undone.
"""

from sqlalchemy import func, select

from diary.actor import Actor
from diary.clock import utcnow
from diary.extensions import db
from diary.models import Alert, Message, Participant
from diary.models.message import (
    CANCELLED,
    DELIVERED,
    EXPIRED,
    FAILED,
    PENDING,
    SENDING,
    SENT,
    UNDELIVERED,
    UNKNOWN,
)
from diary.operations.alerts import raise_alert
from diary.operations.sms_consent import opt_out_of_sms
from notifications import twilio_errors

# Twilio's MessageStatus values, in our words. "read" (WhatsApp/RCS) implies delivered.
TWILIO_STATUSES = {
    "accepted": SENDING,
    "scheduled": SENDING,
    "queued": SENDING,
    "sending": SENDING,
    "sent": SENT,
    "delivered": DELIVERED,
    "read": DELIVERED,
    "undelivered": UNDELIVERED,
    "failed": FAILED,
    "canceled": CANCELLED,
}
# queued < sending < sent < delivered | undelivered | failed. An interrupted send
# ("unknown") sits with "sent": a report can still tell us what happened to it.
_RANK = {PENDING: 0, SENDING: 1, SENT: 2, UNKNOWN: 2,
         DELIVERED: 3, UNDELIVERED: 3, FAILED: 3, CANCELLED: 3, EXPIRED: 3}
NOT_DELIVERED = (UNDELIVERED, FAILED)
OUTCOMES = (DELIVERED, UNDELIVERED, FAILED)
UNREACHABLE_RUN = 3


def next_status(current: str, reported: str) -> str | None:
    """Return the status a report moves a message to, or None when it must be ignored."""
    new = TWILIO_STATUSES.get((reported or "").strip().lower())
    if new is None:
        return None
    if _RANK.get(new, 0) <= _RANK.get(current, 0):
        return None
    return new


def is_unreachable(latest_outcomes: list[str], run: int = UNREACHABLE_RUN) -> bool:
    """Return whether the latest ``run`` outcomes (newest first) all failed to arrive."""
    recent = latest_outcomes[:run]
    return len(recent) == run and all(outcome in NOT_DELIVERED for outcome in recent)


def handle_status_callback(message_sid: str, message_status: str,
                           error_code: str | None = None, message_id: int | None = None) -> bool:
    """Apply one delivery report to the message Twilio names; commit; return whether it moved.

    ``message_id`` is our id, from the callback URL we gave Twilio: it finds a message
    whose report arrived before the dispatcher stored Twilio's SID. An unknown SID is
    ignored (a test message, or another app on the same account).
    """
    message = _reported_message(message_sid, message_id)
    new = next_status(message.status, message_status) if message is not None else None
    if new is None:
        db.session.rollback()
        return False
    message.provider_sid = message_sid
    message.status = new
    message.error_code = (error_code or None) and str(error_code)[:20]
    message.updated_at = utcnow()
    if new == DELIVERED:
        message.delivered_at = message.updated_at
    if new in NOT_DELIVERED and message.participant_id is not None:
        db.session.flush()
        _after_failure(message)
    db.session.commit()
    return True


def _reported_message(message_sid: str, message_id: int | None) -> Message | None:
    by_sid = select(Message).where(Message.provider_sid == message_sid)
    message = db.session.execute(by_sid.with_for_update()).scalar_one_or_none()
    if message is not None or message_id is None:
        return message
    # Only a message with no SID yet: an id must not let a report rewrite another text.
    return db.session.execute(
        select(Message)
        .where(Message.id == message_id, Message.provider_sid.is_(None),
               Message.status.in_((SENDING, UNKNOWN)))
        .with_for_update()
    ).scalar_one_or_none()


def _after_failure(message: Message) -> None:
    participant = db.session.get(Participant, message.participant_id)
    if message.error_code == twilio_errors.OPTED_OUT:
        opt_out_of_sms(participant, Actor.system(), cause=f"twilio_{message.error_code}",
                       details={"message_id": message.id, "error_code": message.error_code})
    check_unreachable(participant)


def check_unreachable(participant: Participant) -> Alert | None:
    """Raise (or return the open) unreachable alert if the last three texts all failed; no commit.

    Call it after any participant text reaches undelivered or failed, by report or by
    refusal at sending.
    """
    latest = _latest_outcomes(participant.id)
    if not is_unreachable([status for _, status, _ in latest]):
        return None
    return raise_alert(
        "unreachable", participant,
        details={"message_ids": [message_id for message_id, _, _ in latest],
                 "error_codes": [code for _, _, code in latest]},
    )


def _latest_outcomes(participant_id: int) -> list[tuple[int, str, str | None]]:
    # Newest by the time each text left, so reports arriving out of order still line up.
    left_at = func.coalesce(Message.sent_at, Message.due_at)
    rows = db.session.execute(
        select(Message.id, Message.status, Message.error_code)
        .where(Message.participant_id == participant_id, Message.status.in_(OUTCOMES))
        .order_by(left_at.desc(), Message.id.desc())
        .limit(UNREACHABLE_RUN)
    )
    return [tuple(row) for row in rows]
