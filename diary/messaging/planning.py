"""Reminder planning: queue each eligible participant's reminder and follow-up as outbox rows.

Run every few minutes by the scheduler. Idempotent and safe to run from two processes at
once: every row carries a unique ``dedupe_key`` (kind, participant, local day) and is
inserted with ON CONFLICT DO NOTHING, so a second planner adds nothing.
"""

import dataclasses
import logging
from collections.abc import Iterable, Iterator
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from diary.clock import utcnow
from diary.extensions import db
from diary.messaging.outbox import release_pending_reminders
from diary.messaging.templates import render
from diary.models import DoseEntry, DoseHold, Message, Participant, Study
from diary.models.message import CANCELLED, PENDING
from diary.rules.regimen import is_held
from diary.rules.reminders import DayPlan, follow_up_after_sent, plan_day

log = logging.getLogger(__name__)

# Plan what falls due within a day: rows exist well before they are due, and the next
# run (minutes later) picks up anything that came inside the horizon since.
HORIZON = timedelta(hours=24)
_BATCH = 500


def reminder_key(kind: str, participant_id: int, local_date: date) -> str:
    """Return the dedupe key of a participant's reminder or follow-up for one local day."""
    return f"{kind}:{participant_id}:{local_date.isoformat()}"


def plan_reminders(now: datetime | None = None, *, horizon: timedelta = HORIZON) -> int:
    """Queue the missing reminders and follow-ups due within ``horizon``; return how many."""
    now = now or utcnow()
    added = 0
    studies = db.session.execute(select(Study).order_by(Study.id)).scalars().all()
    for study in studies:
        for batch in _eligible_batches(study.id):
            added += _plan_batch(study, batch, now, horizon)
            db.session.commit()
    return added


def replan_participant(participant: Participant, now: datetime | None = None) -> int:
    """Plan a participant's texts again after staff changed what they depend on; no commit.

    A new reminder time, time zone, status, consent, phone or hold makes the texts already
    queued wrong. Pending ones are released, then the participant is planned afresh in the
    caller's transaction (so the change and its texts commit together).
    """
    now = now or utcnow()
    release_pending_reminders(participant.id, now)
    if not participant.can_receive_sms:
        return 0
    study = db.session.get(Study, participant.study_id)
    db.session.flush()  # holds and changes made by the caller must be visible to planning
    return _plan_batch(study, [participant], now, HORIZON)


def _eligible_batches(study_id: int) -> Iterator[list[Participant]]:
    # The same test as Participant.can_receive_sms, in SQL, so ineligible rows never load.
    query = (
        select(Participant)
        .where(
            Participant.study_id == study_id,
            Participant.status == "active",
            Participant.sms_consent.is_(True),
            Participant.phone_e164.is_not(None),
            Participant.sms_opted_out_at.is_(None),
            Participant.phone_unreachable_at.is_(None),
        )
        .order_by(Participant.id)
    )
    last_id = 0
    while True:
        batch = db.session.execute(
            query.where(Participant.id > last_id).limit(_BATCH)
        ).scalars().all()
        if not batch:
            return
        yield [p for p in batch if p.can_receive_sms]
        last_id = batch[-1].id


def _plan_batch(study: Study, participants: list[Participant], now: datetime,
                horizon: timedelta) -> int:
    days = {p.id: _candidate_days(p, now) for p in participants}
    all_days = {day for pair in days.values() for day in pair}
    if not all_days:
        return 0
    ids = list(days)
    logged = _days_with_entries(ids, min(all_days), max(all_days))
    reminded = _reminders_sent(ids, min(all_days), max(all_days))
    holds = _holds(ids)
    rows = []
    for participant in participants:
        for day in days[participant.id]:
            if day < participant.enrolled_on or (participant.id, day) in logged:
                continue
            if is_held(day, holds.get(participant.id, ())):
                continue
            day_plan = _plan(study, participant, day)
            sent_at = reminded.get((participant.id, day))
            if sent_at is not None:
                day_plan = _after_reminder(study, participant, day_plan, sent_at)
            rows.extend(_rows_for(study, participant, day_plan, now, horizon))
    return _insert_missing(rows)


def retime_follow_up(reminder: Message) -> None:
    """Push the day's pending follow-up back after its reminder has left; no commit.

    A late reminder (see ``diary.rules.reminders.follow_up_after_sent``) moves the
    follow-up, or drops it when it would fall in quiet hours or on the next day.
    """
    follow_up = db.session.execute(
        select(Message).where(
            Message.participant_id == reminder.participant_id,
            Message.local_date == reminder.local_date,
            Message.kind == "follow_up",
            Message.status == PENDING,
        ).with_for_update()
    ).scalar_one_or_none()
    if follow_up is None:
        return
    participant = db.session.get(Participant, reminder.participant_id)
    study = db.session.get(Study, participant.study_id)
    timing = follow_up_after_sent(reminder.local_date, reminder.sent_at, follow_up.due_at,
                                  participant.timezone, **_timing(study))
    follow_up.updated_at = reminder.sent_at
    if timing is None:
        follow_up.status, follow_up.error_code = CANCELLED, "reminder_late"
        return
    follow_up.due_at, follow_up.expires_at = timing
    follow_up.next_attempt_at = max(follow_up.next_attempt_at, follow_up.due_at)


def _after_reminder(study: Study, participant: Participant, day_plan: DayPlan,
                    sent_at: datetime) -> DayPlan:
    # Planned again after the reminder left (a staff change released the follow-up):
    # the same rule as when it left.
    if day_plan.follow_up_at is None:
        return day_plan
    timing = follow_up_after_sent(day_plan.day, sent_at, day_plan.follow_up_at,
                                  participant.timezone, **_timing(study))
    due_at, expires_at = timing if timing is not None else (None, None)
    return dataclasses.replace(day_plan, follow_up_at=due_at, follow_up_expires_at=expires_at)


def _reminders_sent(ids: list[int], first: date, last: date) -> dict[tuple[int, date], datetime]:
    rows = db.session.execute(
        select(Message.participant_id, Message.local_date, Message.sent_at).where(
            Message.participant_id.in_(ids),
            Message.kind == "reminder",
            Message.sent_at.is_not(None),
            Message.local_date.between(first, last),
        )
    )
    return {(pid, day): sent_at for pid, day, sent_at in rows}


def _candidate_days(participant: Participant, now: datetime) -> tuple[date, ...]:
    try:
        today = now.astimezone(ZoneInfo(participant.timezone)).date()
    except (ZoneInfoNotFoundError, ValueError):
        log.warning("reminder planning skipped participant_id=%s: unknown time zone",
                    participant.id)
        return ()
    return today, today + timedelta(days=1)


def _days_with_entries(ids: list[int], first: date, last: date) -> set[tuple[int, date]]:
    rows = db.session.execute(
        select(DoseEntry.participant_id, DoseEntry.dose_date).where(
            DoseEntry.participant_id.in_(ids),
            DoseEntry.is_current.is_(True),
            DoseEntry.dose_date.between(first, last),
        )
    )
    return {(pid, day) for pid, day in rows}


def _holds(ids: list[int]) -> dict[int, list[DoseHold]]:
    holds: dict[int, list[DoseHold]] = {}
    for hold in db.session.execute(select(DoseHold).where(DoseHold.participant_id.in_(ids))
                                   ).scalars():
        holds.setdefault(hold.participant_id, []).append(hold)
    return holds


def _timing(study: Study) -> dict:
    settings = study.definition["reminders"]
    return {
        "quiet_start": study.quiet_start,
        "quiet_end": study.quiet_end,
        "follow_up_after": timedelta(minutes=int(settings["follow_up_after_minutes"])),
        "expire_after": timedelta(minutes=int(settings["expire_after_minutes"])),
    }


def _plan(study: Study, participant: Participant, day: date) -> DayPlan:
    return plan_day(day, participant.reminder_time, participant.timezone, **_timing(study))


def _rows_for(study: Study, participant: Participant, day_plan: DayPlan, now: datetime,
              horizon: timedelta) -> Iterable[dict]:
    texts = (("reminder", day_plan.reminder_at, day_plan.reminder_expires_at),
             ("follow_up", day_plan.follow_up_at, day_plan.follow_up_expires_at))
    for kind, due_at, expires_at in texts:
        if due_at is None or due_at > now + horizon or expires_at <= now:
            continue
        yield {
            "kind": kind,
            "body": render(study, participant.locale, kind),
            "participant_id": participant.id,
            "due_at": due_at,
            "next_attempt_at": due_at,
            "expires_at": expires_at,
            "dedupe_key": reminder_key(kind, participant.id, day_plan.day),
            "local_date": day_plan.day,
            "status": PENDING,
            "attempts": 0,
            "created_at": now,
            "updated_at": now,
        }


def _insert_missing(rows: list[dict]) -> int:
    """Insert the rows whose dedupe key is new; return how many went in."""
    if not rows:
        return 0
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(Message)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(Message.id)
    )
    return len(db.session.execute(statement, rows).all())
