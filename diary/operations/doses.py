"""The dose diary: one current entry per participant and local day, every version kept.

This is the hot path of the service. A write costs, after the token look-up: one SELECT
(the day's regimen, the entry already using the client id and the day's current entry,
together), INSERT entry, INSERT audit event, the UPDATE cancelling the day's reminders,
COMMIT. A retry or a correction also loads the entry it found, unless the session holds
it; a correction adds the UPDATE that supersedes the old version.
"""

import logging
from dataclasses import dataclass
from datetime import UTC, date
from decimal import Decimal

from sqlalchemy import Date, and_, bindparam, exists, insert, or_, select
from sqlalchemy.exc import DisconnectionError, IntegrityError, OperationalError
from sqlalchemy.orm import make_transient_to_detached

from diary.actor import Actor
from diary.clock import local_today, utcnow
from diary.errors import Conflict, DomainError, InvalidInput
from diary.extensions import db
from diary.models import DoseEntry, DoseHold, Participant, PrescribedDose, Study
from diary.operations.audit import record_audit, snapshot
from diary.operations.participants import get_participant_for_staff
from diary.rules import doses as rules
from diary.rules.enrolment import current_study_day
from diary.rules.study_days import day_bounds, is_late, study_day
from notifications.outbox import cancel_day_reminders

CREATED, DUPLICATE, CORRECTED = "created", "duplicate", "corrected"
SOURCES = ("app", "sms", "staff")
AUDITED_FIELDS = ("dose_date", "version", "is_current", "status", "dose_mg", "taken_at",
                  "missed_reason", "missed_reason_text", "vomited", "note", "source",
                  "client_id", "recorded_at", "study_day", "late", "correction_reason",
                  "superseded_at", "recorded_by_staff_id")
CORRECTION_NEEDED = "This day already has an entry; send a correction_reason to correct it."
RACED = "The entry changed while it was being written; retry."
UNFORESEEN = "This entry could not be recorded because of a fault on our side; it is logged."
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DoseWriteResult:
    """The entry a write produced (or found, for a retry) and what happened."""

    entry: DoseEntry
    outcome: str  # created | duplicate | corrected


@dataclass(frozen=True)
class _DayState:
    step_mg: Decimal | None
    held: bool
    same_client: DoseEntry | None
    current: DoseEntry | None


def record_dose(
    participant: Participant,
    study: Study,
    data: dict,
    *,
    actor: Actor,
    source: str,
    staff_reason: str | None = None,
) -> DoseWriteResult:
    """Validate and record one day's dose entry (or its correction); commit and return it.

    ``data`` holds the API's field names with parsed values (``dose_date`` a date,
    ``dose_mg`` a Decimal, ``taken_at`` an aware datetime). Raises InvalidInput (422)
    with field errors, or Conflict (409) for a reused client id or a correction without
    a reason.
    """
    for attempt in (1, 2):
        try:
            result = write_dose(participant, study, data, actor=actor, source=source,
                                staff_reason=staff_reason)
            db.session.commit()
            return result
        except IntegrityError:
            # Another request wrote the same day or client id between our read and our
            # insert; read again, and the retry sees a duplicate or a needed correction.
            db.session.rollback()
            if attempt == 2:
                raise Conflict(RACED) from None
    raise AssertionError("unreachable")


def write_dose(
    participant: Participant,
    study: Study,
    data: dict,
    *,
    actor: Actor,
    source: str,
    staff_reason: str | None = None,
) -> DoseWriteResult:
    """Do ``record_dose``'s work inside the caller's transaction (the caller commits)."""
    data = _normalised(data)
    now = utcnow()
    _check_writable(participant, source, staff_reason)
    _check_fields(participant, data, now)
    digest = rules.body_sha256(data, source=source, staff_reason=staff_reason)
    state = _day_state(participant.id, data["client_id"], data["dose_date"])
    if state.same_client is not None:
        if state.same_client.body_sha256 != digest:
            raise Conflict(
                "This client_id was already used for a different entry.",
                {"client_id": ["Already used for a different entry; make a new id."]},
            )
        return DoseWriteResult(state.same_client, DUPLICATE)
    _check_amount(data, state, study)
    if state.current is not None and not data.get("correction_reason"):
        raise Conflict(CORRECTION_NEEDED, {"correction_reason": [CORRECTION_NEEDED]})
    entry = _new_entry(participant, study, data, state.current, now, source=source,
                       digest=digest, actor=actor)
    if state.current is None:
        _insert(entry)
        record_audit(actor, "dose.recorded", entry, participant_id=participant.id,
                     after=snapshot(entry, AUDITED_FIELDS), reason=staff_reason)
    else:
        _supersede(state.current, entry, actor, now, reason=staff_reason)
    cancel_day_reminders(participant.id, entry.dose_date)
    return DoseWriteResult(entry, CORRECTED if state.current is not None else CREATED)


def _normalised(data: dict) -> dict:
    data = dict(data)
    missing = [name for name in ("client_id", "dose_date", "status") if data.get(name) is None]
    if missing:
        raise InvalidInput("The entry has invalid fields.",
                           {name: ["Missing data for required field."] for name in missing})
    data["client_id"] = str(data["client_id"])
    if data.get("dose_mg") is not None:
        data["dose_mg"] = Decimal(str(data["dose_mg"]))
    if data.get("taken_at") is not None and data["taken_at"].tzinfo is not None:
        # Answer in UTC from the first write on, as every later read does.
        data["taken_at"] = data["taken_at"].astimezone(UTC)
    data["vomited"] = bool(data.get("vomited"))
    return data


def _check_writable(participant: Participant, source: str, staff_reason: str | None) -> None:
    if source not in SOURCES:
        raise ValueError(f"unknown dose source {source!r}")
    if source == "staff" and not (staff_reason or "").strip():
        raise InvalidInput("A reason is required.", {"reason": ["Required for staff entries."]})
    # After withdrawal nothing more is collected from the participant; staff may still
    # complete the record of the days before it.
    if participant.status == "withdrawn" and source != "staff":
        raise Conflict("The participant has withdrawn from the study.")


def _check_fields(participant: Participant, data: dict, now) -> None:
    errors = rules.shape_errors(data)
    day = data["dose_date"]
    today = local_today(participant.timezone, now)
    problems = rules.date_errors(day, enrolled_on=participant.enrolled_on, local_today=today)
    if problems:
        errors["dose_date"] = problems
    elif data.get("taken_at") is not None and "taken_at" not in errors:
        start, end = day_bounds(day, participant.timezone)
        problems = rules.taken_at_errors(data["taken_at"], day_start=start, day_end=end,
                                         now=now)
        if problems:
            errors["taken_at"] = problems
    if errors:
        raise InvalidInput("The entry has invalid fields.", errors)


def _check_amount(data: dict, state: _DayState, study: Study) -> None:
    if data.get("dose_mg") is None:
        return
    # The bound is the prescription in effect that day; a held day keeps its step's dose
    # as the bound, since a patient may have taken the drug anyway.
    prescribed = state.step_mg if state.step_mg is not None else study.dose_mg
    problems = rules.dose_mg_errors(data["dose_mg"], prescribed)
    if problems:
        raise InvalidInput("The entry has invalid fields.", {"dose_mg": problems})


def _regimen_columns():
    participant_id, day = bindparam("participant_id"), bindparam("day", type_=Date)
    step_mg = (
        select(PrescribedDose.dose_mg)
        .where(PrescribedDose.participant_id == participant_id,
               PrescribedDose.effective_from <= day)
        .order_by(PrescribedDose.effective_from.desc(), PrescribedDose.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    held = exists().where(
        DoseHold.participant_id == participant_id,
        DoseHold.start_date <= day,
        or_(DoseHold.end_date.is_(None), DoseHold.end_date >= day),
    )
    return step_mg.label("step_mg"), held.label("held")


def _day_state_statement():
    # Plain columns, not entities: nearly every write finds no entry, and a row-less
    # ORM query still pays for the ORM's result set-up. A found entry is taken from the
    # session (or loaded) by its id.
    regimen = select(*_regimen_columns()).subquery("regimen")
    entry = DoseEntry.__table__
    return (
        select(regimen.c.step_mg, regimen.c.held, entry.c.id, entry.c.client_id,
               entry.c.dose_date, entry.c.is_current)
        .select_from(regimen)
        .outerjoin(entry, and_(
            entry.c.participant_id == bindparam("participant_id"),
            or_(entry.c.client_id == bindparam("client_id"),
                and_(entry.c.dose_date == bindparam("day", type_=Date),
                     entry.c.is_current.is_(True))),
        ))
    )


# Built once: the hot path neither rebuilds nor re-keys these statements per request.
_REGIMEN_ON_DAY = select(*_regimen_columns())
_DAY_STATE = _day_state_statement()


def _day_state(participant_id: int, client_id: str, day: date) -> _DayState:
    """Read the day's regimen and the entries that matter to this write, in one SELECT."""
    # A plain statement does not autoflush; pending changes must be in the database
    # before it is read (a no-op when the session is clean). Plain statements run on the
    # session's connection, in its transaction, without Session.execute's ORM dispatch.
    db.session.flush()
    rows = db.session.connection().execute(
        _DAY_STATE, {"participant_id": participant_id, "client_id": client_id, "day": day}
    ).all()
    found = [row for row in rows if row.id is not None]
    same_client = next((row.id for row in found if row.client_id == client_id), None)
    current = next((row.id for row in found if row.dose_date == day and row.is_current), None)
    return _DayState(
        step_mg=rows[0].step_mg,
        held=bool(rows[0].held),
        same_client=_entry(same_client),
        current=_entry(current),
    )


def _entry(entry_id: int | None) -> DoseEntry | None:
    return db.session.get(DoseEntry, entry_id) if entry_id is not None else None


def _new_entry(participant, study, data, current, now, *, source, digest, actor) -> DoseEntry:
    day = data["dose_date"]
    return DoseEntry(
        participant_id=participant.id,
        dose_date=day,
        version=current.version + 1 if current is not None else 1,
        is_current=True,
        status=data["status"],
        dose_mg=data.get("dose_mg"),
        taken_at=data.get("taken_at"),
        missed_reason=data.get("missed_reason"),
        missed_reason_text=data.get("missed_reason_text"),
        vomited=data["vomited"],
        note=data.get("note"),
        source=source,
        client_id=data["client_id"],
        body_sha256=digest,
        recorded_at=now,
        study_day=study_day(participant.enrolled_on, day),
        late=is_late(now, day, participant.timezone, study.late_entry_hours),
        correction_reason=data.get("correction_reason"),
        recorded_by_staff_id=actor.id if source == "staff" else None,
    )


# Built once. A new entry is one INSERT, without a unit-of-work flush; the entry then
# joins the session as if it had been loaded, so later reads in this session see it.
_INSERT_ENTRY = insert(DoseEntry.__table__)
_ENTRY_DEFAULTS = {
    column.key: column.default.arg if column.default is not None and column.default.is_scalar
    else None
    for column in DoseEntry.__table__.columns if column.key != "id"
}


def _insert(entry: DoseEntry) -> None:
    # Every column gets a value on the object too (its default when unset, as a flush
    # would), so nothing is left to load back after the insert.
    for name, default in _ENTRY_DEFAULTS.items():
        if name not in vars(entry):
            setattr(entry, name, default)
    result = db.session.connection().execute(
        _INSERT_ENTRY, {name: getattr(entry, name) for name in _ENTRY_DEFAULTS})
    entry.id = result.inserted_primary_key[0]
    make_transient_to_detached(entry)
    db.session.add(entry)


def _supersede(current: DoseEntry, entry: DoseEntry, actor: Actor, now, *, reason) -> None:
    before = snapshot(current, AUDITED_FIELDS)
    current.is_current = False
    current.superseded_at = now
    # The old version must stop being current before the new one is inserted: the
    # database allows one current entry per day.
    db.session.flush()
    _insert(entry)
    record_audit(actor, "dose.corrected", entry, participant_id=entry.participant_id,
                 before=before, after=snapshot(entry, AUDITED_FIELDS),
                 reason=reason or entry.correction_reason)


def prescribed_mg_for(participant: Participant, day: date) -> Decimal | None:
    """Return the mg prescribed to the participant on a day: None when held or before any."""
    step_mg, held = db.session.execute(
        _REGIMEN_ON_DAY, {"participant_id": participant.id, "day": day}
    ).one()
    return None if held else step_mg


def list_doses(
    participant: Participant,
    *,
    start: date | None = None,
    end: date | None = None,
    history: bool = False,
) -> list[DoseEntry]:
    """Return the participant's entries by day (current versions; every version with history)."""
    if start is not None and end is not None and start > end:
        raise InvalidInput("The window is empty.", {"from": ["Must not be after 'to'."]})
    statement = select(DoseEntry).where(DoseEntry.participant_id == participant.id)
    if not history:
        statement = statement.where(DoseEntry.is_current.is_(True))
    if start is not None:
        statement = statement.where(DoseEntry.dose_date >= start)
    if end is not None:
        statement = statement.where(DoseEntry.dose_date <= end)
    statement = statement.order_by(DoseEntry.dose_date, DoseEntry.version)
    return list(db.session.execute(statement).scalars())


@dataclass(frozen=True)
class SyncItem:
    """One uploaded entry: its parsed ``data``, or the ``errors`` that stopped it parsing."""

    client_id: str | None
    data: dict | None = None
    errors: dict | None = None


def sync_doses(participant: Participant, study: Study, items: list[SyncItem], *,
               actor: Actor) -> list[dict]:
    """Record an offline phone's entries, each on its own; return a result per item, in order.

    Items run by dose date, then upload order, so a correction follows its original; each
    runs in a SAVEPOINT, so a refused item leaves the others untouched.
    """
    order = sorted(range(len(items)), key=lambda i: (_sort_date(items[i]), i))
    results: list[dict] = [{} for _ in items]
    for index in order:
        results[index] = _sync_one(participant, study, items[index], actor)
    db.session.commit()
    return results


def _sort_date(item: SyncItem) -> date:
    return item.data["dose_date"] if item.data else date.min


def _sync_one(participant, study, item: SyncItem, actor: Actor) -> dict:
    if item.errors:
        return _rejected(item.client_id, InvalidInput("The entry has invalid fields.",
                                                      item.errors))
    for _attempt in (1, 2):
        savepoint = db.session.begin_nested()
        try:
            result = write_dose(participant, study, item.data, actor=actor, source="app")
        except DomainError as exc:
            savepoint.rollback()
            return _rejected(item.client_id, exc)
        except IntegrityError:
            savepoint.rollback()
            continue
        except (OperationalError, DisconnectionError):
            raise  # the database is gone: the whole upload is answered 503 and retried
        except Exception as exc:
            # One entry must not sink the upload, or the phone resends it for ever.
            savepoint.rollback()
            log.error("sync entry not recorded: %s", type(exc).__name__)
            return {"client_id": item.client_id, "result": "rejected", "code": 500,
                    "message": UNFORESEEN, "errors": {}}
        savepoint.commit()
        return {"client_id": item.client_id, "result": result.outcome, "entry": result.entry}
    return _rejected(item.client_id, Conflict(RACED))


def _rejected(client_id: str | None, error: DomainError) -> dict:
    return {"client_id": client_id, "result": "rejected", "code": error.status,
            "message": error.message, "errors": error.errors}


def list_doses_for_staff(actor: Actor, participant_id: int, **window) -> list[DoseEntry]:
    """Return a participant's entries to staff of the participant's sites (else NotFound)."""
    participant = get_participant_for_staff(actor, participant_id)
    return list_doses(participant, **window)


def record_dose_for_staff(actor: Actor, participant_id: int, data: dict,
                          reason: str) -> DoseWriteResult:
    """Record an entry on a participant's behalf (source staff); NotFound outside one's sites."""
    participant = get_participant_for_staff(actor, participant_id)
    study = db.session.get(Study, participant.study_id)
    return record_dose(participant, study, data, actor=actor, source="staff",
                       staff_reason=reason)


def participant_profile(participant: Participant, study: Study) -> dict:
    """Return what the app shows on its home screen: today's study day and prescription."""
    today = local_today(participant.timezone)
    step_mg, held = db.session.execute(
        _REGIMEN_ON_DAY, {"participant_id": participant.id, "day": today}
    ).one()
    return {
        "participant": participant,
        "study": study,
        "today": today,
        "study_day": current_study_day(participant.enrolled_on, today),
        "started": today >= participant.enrolled_on,
        "prescribed_mg_today": None if held else step_mg,
        "held_today": bool(held),
    }
