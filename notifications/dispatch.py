"""Drain the outbox: claim due messages, send them outside any transaction, record the outcome.

Safe to run from several processes at once on PostgreSQL: due rows are claimed one at a
time with ``SELECT ... FOR UPDATE SKIP LOCKED`` and marked ``sending`` in a committed
transaction before the text leaves, so no two dispatchers ever hold the same message,
and a dispatcher that dies leaves at most the one text it was sending unsettled.
"""

import logging
import time
from dataclasses import asdict, dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import SQLAlchemyError

from diary.actor import Actor
from diary.clock import utcnow
from diary.extensions import db
from diary.messaging.planning import retime_follow_up
from diary.models import Alert, DoseEntry, Message, Participant, StaffUser
from diary.models.alert import OPEN
from diary.models.message import (
    CANCELLED,
    DELIVERED,
    EXPIRED,
    FAILED,
    PENDING,
    REMINDER_KINDS,
    SENDING,
    SENT,
    STAFF_ALERT_KINDS,
    UNDELIVERED,
    UNKNOWN,
)
from diary.operations.sms_consent import mark_phone_unreachable, opt_out_of_sms
from diary.tracebacks import scrubbed_traceback
from notifications import twilio_errors
from notifications.delivery import check_unreachable
from notifications.retry import (
    STALE_AFTER,
    backoff_delay,
    claim_timeout,
    expiry,
    gives_up,
    policy_for,
    resend_when_unsure,
)
from notifications.senders import (
    OutgoingSms,
    PermanentSendError,
    SendResult,
    SmsSender,
    TransientSendError,
    build_sender,
)

logger = logging.getLogger(__name__)

# Statuses only a delivery report sets: the text had left.
REPORTED = frozenset({SENT, DELIVERED, UNDELIVERED, FAILED})


@dataclass
class DispatchReport:
    """What one dispatch run did, message by message outcome."""

    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    cancelled: int = 0
    expired: int = 0
    # Alerts found stuck in ``sending`` and queued again.
    recovered: int = 0
    # Reminders that may or may not have left: not resent.
    unknown: int = 0

    def as_dict(self) -> dict:
        return asdict(self)


def dispatch_due(
    now: datetime | None = None,
    *,
    sender: SmsSender | None = None,
    batch_size: int = 50,
) -> DispatchReport:
    """Send up to ``batch_size`` due messages and record each outcome (needs an app context).

    Without a ``sender``, one is built from the app's settings and closed afterwards.
    """
    started = time.monotonic()
    now = now or utcnow()
    report = DispatchReport()
    own_sender = sender is None
    sender = sender or build_sender(current_app.config)
    try:
        _recover_stale_claims(now, report)
        _expire_stale(now, report)
        for _ in range(batch_size):
            claimed = _claim_next(now, report)
            if claimed is None:
                break
            _deliver(sender, claimed, report)
    finally:
        if own_sender:
            sender.close()
    # Debug only: the scheduler's job line already carries these counts, once per run.
    logger.debug(
        "outbox dispatch sender=%s %s duration_ms=%d",
        sender.name,
        " ".join(f"{name}={count}" for name, count in report.as_dict().items()),
        (time.monotonic() - started) * 1000,
    )
    return report


def _recover_stale_claims(now: datetime, report: DispatchReport) -> None:
    """Settle messages a dead dispatcher left in ``sending``: alerts again, reminders unknown.

    A claim is one send long, and a send gives up after the Twilio timeout: a claim older
    than ``claim_timeout`` belongs to a dispatcher that died with the text in its hands.
    """
    timeout = claim_timeout(current_app.config["TWILIO_TIMEOUT_SECONDS"])
    stale = and_(Message.status == SENDING, Message.claimed_at < now - timeout)
    requeued = db.session.execute(
        update(Message)
        .where(stale, Message.kind.in_(STAFF_ALERT_KINDS))
        .values(status=PENDING, next_attempt_at=now, updated_at=now)
    )
    abandoned = db.session.execute(
        update(Message)
        .where(stale, Message.kind.not_in(STAFF_ALERT_KINDS))
        .values(status=UNKNOWN, error_code="claim_timeout", updated_at=now)
    )
    _commit_bulk(requeued.rowcount + abandoned.rowcount)
    report.recovered += requeued.rowcount
    report.unknown += abandoned.rowcount
    if requeued.rowcount or abandoned.rowcount:
        logger.warning("outbox stale claims requeued=%d unknown=%d",
                       requeued.rowcount, abandoned.rowcount)


def _expire_stale(now: datetime, report: DispatchReport) -> None:
    """Expire unsent reminders past their limit, so none arrives hours late (or at night)."""
    result = db.session.execute(
        update(Message)
        .where(
            Message.status == PENDING,
            Message.kind.not_in(STAFF_ALERT_KINDS),
            or_(
                Message.expires_at <= now,
                and_(
                    Message.expires_at.is_(None),
                    Message.kind.in_(REMINDER_KINDS),
                    Message.due_at <= now - STALE_AFTER,
                ),
            ),
        )
        .values(status=EXPIRED, updated_at=now)
    )
    _commit_bulk(result.rowcount)
    report.expired += result.rowcount


def _commit_bulk(changed: int) -> None:
    """Commit a bulk UPDATE; expire loaded rows so a caller's session sees the new values.

    (The ORM's in-session synchronisation skips attributes never loaded, e.g. error_code.)
    """
    db.session.commit()
    if changed:
        db.session.expire_all()


def _claim_next(now: datetime, report: DispatchReport) -> tuple[OutgoingSms, int | None] | None:
    """Claim the next due message (``sending``) and commit, so no other dispatcher takes it.

    One at a time: a dispatcher that dies leaves at most the one text it was sending in
    ``sending``; every other due text is still ``pending`` for the next dispatcher. Texts
    that must not go any more are cancelled on the way. Returns the text and its alert.
    """
    while True:
        message = db.session.execute(_next_due(now)).scalar_one_or_none()
        if message is None:
            db.session.commit()
            return None
        to, reason = _destination(message)
        message.updated_at = now
        if to is None:
            message.status, message.error_code = CANCELLED, reason
            report.cancelled += 1
            continue
        message.status, message.claimed_at = SENDING, now
        message.attempts += 1
        db.session.commit()
        report.claimed += 1
        return OutgoingSms(message.id, message.kind, to=to, body=message.body), message.alert_id


def _next_due(now: datetime):
    query = (
        select(Message)
        .where(Message.status == PENDING, Message.next_attempt_at <= now)
        .order_by(Message.next_attempt_at, Message.id)
        .limit(1)
        .execution_options(populate_existing=True)
    )
    # SQLite has no row locks (and one dispatcher is enough there).
    if _on_postgresql():
        query = query.with_for_update(skip_locked=True)
    return query


def _on_postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _destination(message: Message) -> tuple[str | None, str | None]:
    """Return the number to text now, or (None, why the message must not be sent)."""
    if message.kind in REMINDER_KINDS and _day_logged(message):
        return None, "entry_exists"
    if message.alert_id is not None:
        status = _alert_status(message.alert_id)
        if status != OPEN:
            return None, f"alert_{status}"
    if message.participant_id is not None:
        participant = db.session.get(Participant, message.participant_id,
                                     populate_existing=True)
        return _participant_number(participant)
    return _staff_number(db.session.get(StaffUser, message.staff_user_id,
                                        populate_existing=True))


def _day_logged(message: Message) -> bool:
    """Say whether a reminder's day has an entry by now.

    Logging a dose cancels the day's texts in its own transaction, but a planner that
    read the day as empty just before may still insert them: checked again here, so a
    participant who has answered is never asked again.
    """
    if message.participant_id is None or message.local_date is None:
        return False
    return db.session.execute(
        select(DoseEntry.id).where(
            DoseEntry.participant_id == message.participant_id,
            DoseEntry.dose_date == message.local_date,
            DoseEntry.is_current.is_(True),
        ).limit(1)
    ).first() is not None


def _alert_status(alert_id: int, *, lock: bool = False) -> str:
    query = select(Alert.status).where(Alert.id == alert_id)
    if lock and _on_postgresql():
        query = query.with_for_update(read=True)
    return db.session.execute(query).scalar_one()


def _participant_number(participant: Participant) -> tuple[str | None, str | None]:
    if participant.can_receive_sms:
        return participant.phone_e164, None
    if participant.status != "active":
        return None, participant.status
    if participant.sms_opted_out_at is not None:
        return None, "opted_out"
    if participant.phone_unreachable_at is not None:
        return None, "unreachable"
    return None, "no_consent" if not participant.sms_consent else "no_phone"


def _staff_number(staff: StaffUser) -> tuple[str | None, str | None]:
    if not staff.active:
        return None, "staff_inactive"
    return (staff.phone_e164, None) if staff.phone_e164 else (None, "no_phone")


def _deliver(sender: SmsSender, claimed: tuple[OutgoingSms, int | None],
             report: DispatchReport) -> None:
    """Send one claimed message and record what happened.

    No row is written while the text is on its way; only a text about an alert holds a
    share lock on that alert until its outcome is recorded (see ``_alert_still_open``).
    """
    sms, alert_id = claimed
    if alert_id is not None and not _alert_still_open(alert_id, sms.message_id, report):
        return
    try:
        result = sender.send(sms)
    except PermanentSendError as error:
        outcome = (_record_permanent, error)
    except TransientSendError as error:
        outcome = (_record_transient, error)
    except Exception as error:
        # A sender bug must not strand the rest of the batch in ``sending``; the type
        # name only, as messages of unknown exceptions may quote the request.
        logger.error("outbox sender raised %s for message id=%s", type(error).__name__,
                     sms.message_id)
        outcome = (_record_transient, TransientSendError(type(error).__name__[:20]))
    else:
        outcome = (_record_sent, result)
    record, detail = outcome
    try:
        record(sms.message_id, detail, report)
        db.session.commit()
    except SQLAlchemyError as failure:
        # Left in ``sending``: the next runs settle it as a stale claim.
        db.session.rollback()
        logger.error("outbox could not record the outcome of message id=%s\n%s",
                     sms.message_id, scrubbed_traceback(failure))


def _alert_still_open(alert_id: int, message_id: int, report: DispatchReport) -> bool:
    """Check the alert once more as its text leaves; cancel the text if it was acknowledged.

    The share lock is held until the text's outcome is committed. Acknowledging or
    closing locks the alert for update, so it waits for a text already on its way, and
    every text after it finds the alert no longer open: no text about an alert leaves
    after its acknowledgement committed.

    The lock order (``diary.operations.audit.lock_chains``): an acknowledgement waits here
    holding the participant's audit-chain lock, so nothing from here to the commit may
    audit. Nothing does: a text about an alert is a staff member's (no participant), and
    its outcome changes only the message.
    """
    status = _alert_status(alert_id, lock=True)
    if status == OPEN:
        return True
    message = _reload(message_id)
    if message is not None and message.status == SENDING:
        message.status, message.error_code = CANCELLED, f"alert_{status}"
        message.updated_at = utcnow()
        report.cancelled += 1
    db.session.commit()
    return False


def _reload(message_id: int) -> Message | None:
    # Locked: a delivery report for this message may be landing at the same moment.
    return db.session.execute(
        select(Message).where(Message.id == message_id).with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()


def _record_sent(message_id: int, result: SendResult, report: DispatchReport) -> None:
    message = _reload(message_id)
    if message is None:
        return
    now = utcnow()
    if message.status in (SENDING, PENDING, UNKNOWN):
        # Also after a stale-claim recovery: the text did leave, whatever we assumed since.
        message.status, message.error_code = SENT, None
    elif message.status not in REPORTED:
        return
    # A delivery report may have come first (it found the message by our id): keep its
    # status, fill in what only the send knows.
    message.sent_at, message.updated_at = message.sent_at or now, now
    message.provider_sid = result.provider_sid
    report.sent += 1
    if message.kind == "reminder" and message.local_date is not None:
        retime_follow_up(message)


def _record_transient(message_id: int, error: TransientSendError, report) -> None:
    message = _reload(message_id)
    if message is None or message.status != SENDING:
        return
    now = utcnow()
    message.error_code, message.updated_at = error.code, now
    if error.ambiguous and not resend_when_unsure(message.kind):
        message.status = UNKNOWN
        report.unknown += 1
    elif gives_up(message.kind, message.attempts):
        message.status = FAILED
        report.failed += 1
        _count_towards_unreachable(message)
    else:
        retry_at = now + backoff_delay(message.attempts, policy_for(message.kind))
        limit = expiry(message.kind, message.due_at, message.expires_at)
        if limit is not None and retry_at >= limit:
            message.status = EXPIRED
            report.expired += 1
        else:
            message.status, message.next_attempt_at = PENDING, retry_at
            report.retried += 1
    logger.warning("outbox message id=%s kind=%s attempt=%d failed code=%s -> %s",
                   message.id, message.kind, message.attempts, error.code, message.status)


def _record_permanent(message_id: int, error: PermanentSendError, report) -> None:
    message = _reload(message_id)
    if message is None or message.status != SENDING:
        return
    now = utcnow()
    message.status, message.error_code, message.updated_at = FAILED, error.code, now
    report.failed += 1
    logger.warning("outbox message id=%s kind=%s refused code=%s",
                   message.id, message.kind, error.code)
    if message.participant_id is None:
        return
    participant = db.session.get(Participant, message.participant_id)
    if error.code == twilio_errors.OPTED_OUT:
        opt_out_of_sms(participant, Actor.system(), cause=f"twilio_{error.code}",
                       details={"message_id": message.id, "error_code": error.code})
    elif error.code in twilio_errors.UNREACHABLE:
        mark_phone_unreachable(participant, code=error.code, message_id=message.id)
    else:
        _count_towards_unreachable(message)


def _count_towards_unreachable(message: Message) -> None:
    """A participant's text failed for good: three in a row tell the coordinators."""
    if message.participant_id is None:
        return
    db.session.flush()  # the run of outcomes must include this one
    check_unreachable(db.session.get(Participant, message.participant_id))
