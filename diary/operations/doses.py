"""The dose diary: one current entry per participant and local day, every version kept.

This is the hot path of the service. A write costs, after the token look-up: one SELECT
(the day's regimen, the entry already using the client id and the day's current entry,
together), INSERT entry, INSERT audit event, the UPDATE cancelling the day's reminders,
COMMIT. A retry or a correction also loads the entry it found, unless the session holds
it; a correction adds the UPDATE that supersedes the old version.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import Date, and_, bindparam, exists, or_, select
from sqlalchemy.exc import IntegrityError

from diary.actor import Actor
from diary.clock import local_today, utcnow
from diary.errors import Conflict, InvalidInput
from diary.extensions import db
from diary.messaging.outbox import cancel_day_reminders
from diary.models import DoseEntry, DoseHold, Participant, PrescribedDose, Study
from diary.models.dose_entry import SOURCES
from diary.operations.audit import record_audit, snapshot
from diary.operations.participants import check_can_record, get_participant_for_staff
from diary.operations.regimen import standing_on
from diary.prebuilt import PrebuiltInsert
from diary.rules import doses as rules
from diary.rules.doses import INPUT_FIELDS, DoseInput
from diary.rules.study_days import day_bounds, is_late, study_day

CREATED, DUPLICATE, CORRECTED = "created", "duplicate", "corrected"
# What was written, and what the server added to it.
AUDITED_FIELDS = (*INPUT_FIELDS, "version", "is_current", "source", "recorded_at",
                  "study_day", "late", "superseded_at", "recorded_by_staff_id")
CORRECTION_NEEDED = "This day already has an entry; send a correction_reason to correct it."
RACED = "The entry changed while it was being written; retry."


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
    dose: DoseInput,
    *,
    actor: Actor,
    source: str,
    staff_reason: str | None = None,
) -> DoseWriteResult:
    """Validate and record one day's dose entry (or its correction); commit and return it.

    Raises InvalidInput (422) with field errors, or Conflict (409) for a reused client id
    or a correction without a reason.
    """
    for attempt in (1, 2):
        try:
            result = write_dose(participant, study, dose, actor=actor, source=source,
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
    dose: DoseInput,
    *,
    actor: Actor,
    source: str,
    staff_reason: str | None = None,
) -> DoseWriteResult:
    """Do ``record_dose``'s work inside the caller's transaction (the caller commits)."""
    now = utcnow()
    check_can_record(participant, source, staff_reason, sources=SOURCES)
    _check_fields(participant, dose, now)
    digest = rules.body_sha256(dose, source=source, staff_reason=staff_reason)
    state = _day_state(participant.id, dose.client_id, dose.dose_date)
    if state.same_client is not None:
        if state.same_client.body_sha256 != digest:
            raise Conflict(
                "This client_id was already used for a different entry.",
                {"client_id": ["Already used for a different entry; make a new id."]},
            )
        return DoseWriteResult(state.same_client, DUPLICATE)
    _check_amount(dose, state, study)
    if state.current is not None and not dose.correction_reason:
        raise Conflict(CORRECTION_NEEDED, {"correction_reason": [CORRECTION_NEEDED]})
    entry = _new_entry(participant, study, dose, state.current, now, source=source,
                       digest=digest, actor=actor)
    if state.current is None:
        _INSERT_ENTRY.add(entry)
        record_audit(actor, "dose.recorded", entry, participant_id=participant.id,
                     after=snapshot(entry, AUDITED_FIELDS), reason=staff_reason)
    else:
        _supersede(state.current, entry, actor, now, reason=staff_reason)
    cancel_day_reminders(participant.id, entry.dose_date)
    return DoseWriteResult(entry, CORRECTED if state.current is not None else CREATED)


def _check_fields(participant: Participant, dose: DoseInput, now) -> None:
    errors = rules.shape_errors(dose.values())
    day = dose.dose_date
    today = local_today(participant.timezone, now)
    problems = rules.date_errors(day, enrolled_on=participant.enrolled_on, local_today=today)
    if problems:
        errors["dose_date"] = problems
    elif dose.taken_at is not None and "taken_at" not in errors:
        start, end = day_bounds(day, participant.timezone)
        problems = rules.taken_at_errors(dose.taken_at, day_start=start, day_end=end,
                                         now=now)
        if problems:
            errors["taken_at"] = problems
    if errors:
        raise InvalidInput("The entry has invalid fields.", errors)


def _check_amount(dose: DoseInput, state: _DayState, study: Study) -> None:
    if dose.dose_mg is None:
        return
    # The bound is the prescription in effect that day; a held day keeps its step's dose
    # as the bound, since a patient may have taken the drug anyway.
    prescribed = state.step_mg if state.step_mg is not None else study.dose_mg
    problems = rules.dose_mg_errors(dose.dose_mg, prescribed)
    if problems:
        raise InvalidInput("The entry has invalid fields.", {"dose_mg": problems})


def _regimen_columns():
    # The SQL twin of diary.rules.regimen (step_mg_on, is_held), so the hot path reads the
    # day's regimen in the same SELECT as the day's entries.
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
_DAY_STATE = _day_state_statement()
_INSERT_ENTRY = PrebuiltInsert(DoseEntry)


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


def _new_entry(participant, study, dose: DoseInput, current, now, *, source, digest,
               actor) -> DoseEntry:
    return DoseEntry(
        **dose.values(),
        participant_id=participant.id,
        version=current.version + 1 if current is not None else 1,
        is_current=True,
        source=source,
        body_sha256=digest,
        recorded_at=now,
        study_day=study_day(participant.enrolled_on, dose.dose_date),
        late=is_late(now, dose.dose_date, participant.timezone, study.late_entry_hours),
        recorded_by_staff_id=actor.id if source == "staff" else None,
    )


def _supersede(current: DoseEntry, entry: DoseEntry, actor: Actor, now, *, reason) -> None:
    before = snapshot(current, AUDITED_FIELDS)
    current.is_current = False
    current.superseded_at = now
    # The old version must stop being current before the new one is inserted: the
    # database allows one current entry per day.
    db.session.flush()
    _INSERT_ENTRY.add(entry)
    record_audit(actor, "dose.corrected", entry, participant_id=entry.participant_id,
                 before=before, after=snapshot(entry, AUDITED_FIELDS),
                 reason=reason or entry.correction_reason)


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


def list_doses_for_staff(actor: Actor, participant_id: int, **window) -> list[DoseEntry]:
    """Return a participant's entries to staff of the participant's sites (else NotFound)."""
    participant = get_participant_for_staff(actor, participant_id)
    return list_doses(participant, **window)


def record_dose_for_staff(actor: Actor, participant_id: int, dose: DoseInput,
                          reason: str) -> DoseWriteResult:
    """Record an entry on a participant's behalf (source staff); NotFound outside one's sites."""
    participant = get_participant_for_staff(actor, participant_id)
    study = db.session.get(Study, participant.study_id)
    return record_dose(participant, study, dose, actor=actor, source="staff",
                       staff_reason=reason)


def participant_profile(participant: Participant, study: Study) -> dict:
    """Return what the app shows on its home screen: today's study day and prescription."""
    standing = standing_on(participant, local_today(participant.timezone))
    return {
        "participant": participant,
        "study": study,
        "today": standing.day,
        "study_day": standing.study_day,
        "started": standing.started,
        "prescribed_mg_today": standing.prescribed_mg,
        "held_today": standing.held,
    }
