"""Changes to a participant's regimen by staff: dose changes and holds, each with a reason."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from diary.actor import Actor
from diary.clock import local_today, utcnow
from diary.errors import Conflict, InvalidInput, NotFound
from diary.extensions import db
from diary.messaging.planning import replan_participant
from diary.models import DoseHold, Participant, PrescribedDose, Study
from diary.operations.audit import record_audit, snapshot
from diary.operations.participants import (
    get_participant,
    get_participant_for_staff,
    require_editor,
)
from diary.rules.enrolment import current_study_day
from diary.rules.periods import periods_overlap
from diary.rules.regimen import is_held, step_mg_on

# Twice the protocol dose: imatinib goes up to 800 mg a day in other indications, and
# anything above that is far more likely a typing slip (4000 for 400) than a prescription.
MAX_DOSE_FACTOR = 2
_DOSE_FIELDS = ("effective_from", "dose_mg", "reason")
_HOLD_FIELDS = ("start_date", "end_date", "reason")


@dataclass(frozen=True)
class Standing:
    """Where a participant stands on one of their local days: study day and prescription."""

    day: date
    # None before day 1: the participant has not started yet.
    study_day: int | None
    # The dose step in effect, holds aside (None before the first step) ...
    step_mg: Decimal | None
    held: bool

    @property
    def started(self) -> bool:
        """Say whether day 1 has come."""
        return self.study_day is not None

    @property
    def prescribed_mg(self) -> Decimal | None:
        """... and what is prescribed: nothing on a held day."""
        return None if self.held else self.step_mg


def standing_on(participant: Participant, day: date) -> Standing:
    """Return the participant's study day and prescription on a local day."""
    return Standing(day=day, study_day=current_study_day(participant.enrolled_on, day),
                    step_mg=step_mg_on(day, participant.prescribed_doses),
                    held=is_held(day, participant.dose_holds))


def standing_today(participant: Participant) -> Standing:
    """Return the participant's study day and prescription on their local today."""
    return standing_on(participant, local_today(participant.timezone))


def prescribed_mg_for(participant: Participant, day: date) -> Decimal | None:
    """Return the mg prescribed to the participant on a day: None when held or before any."""
    return standing_on(participant, day).prescribed_mg


def get_regimen(actor: Actor, participant_id: int) -> Participant:
    """Return a participant of the caller's sites with its dose steps and holds loaded."""
    return get_participant(actor, participant_id)


def _invalid(field: str, message: str) -> InvalidInput:
    return InvalidInput("The request has invalid fields.", {field: [message]})


def _not_before_enrolment(participant: Participant, field: str, day) -> None:
    if day < participant.enrolled_on:
        raise _invalid(field, f"Before enrolment ({participant.enrolled_on.isoformat()}).")


def change_dose(actor: Actor, participant_id: int, data: dict) -> PrescribedDose:
    """Prescribe a new daily dose from a date on (400 → 300 mg, say)."""
    require_editor(actor)
    participant = get_participant_for_staff(actor, participant_id, for_update=True)
    step = add_dose_step(actor, participant, data["effective_from"], data["dose_mg"],
                         data["reason"])
    db.session.commit()
    return step


def add_dose_step(actor: Actor, participant: Participant, effective_from: date,
                  dose_mg: Decimal, reason: str) -> PrescribedDose:
    """Add a dose step to a participant locked for update, audited; the caller commits."""
    _not_before_enrolment(participant, "effective_from", effective_from)
    study = db.session.get(Study, participant.study_id)
    limit = Decimal(study.dose_mg) * MAX_DOSE_FACTOR
    if dose_mg > limit:
        raise _invalid("dose_mg", f"More than {limit.normalize():f} mg a day; check the number.")
    if any(step.effective_from == effective_from for step in participant.prescribed_doses):
        raise Conflict("A dose is already prescribed from that date.",
                       {"effective_from": ["A dose change from this date exists."]})
    step = PrescribedDose(effective_from=effective_from, dose_mg=dose_mg, reason=reason,
                          created_by_staff_id=actor.staff.id, created_at=utcnow())
    participant.prescribed_doses.append(step)
    db.session.flush()
    record_audit(actor, "prescribed_dose.created", step, participant_id=participant.id,
                 after=snapshot(step, _DOSE_FIELDS[:2]), reason=reason)
    return step


def _refuse_overlap(participant: Participant, start, end, ignore: DoseHold | None = None):
    for hold in participant.dose_holds:
        if hold is not ignore and periods_overlap(start, end, hold.start_date, hold.end_date):
            raise Conflict("The hold overlaps another hold.", {"start_date": [
                f"Overlaps the hold from {hold.start_date.isoformat()} (id {hold.id})."]})


def start_hold(actor: Actor, participant_id: int, data: dict) -> DoseHold:
    """Record that the doctor held the drug from a date (to an end date, or until ended)."""
    require_editor(actor)
    participant = get_participant_for_staff(actor, participant_id, for_update=True)
    hold = add_hold(actor, participant, data["start_date"], data.get("end_date"),
                    data["reason"])
    db.session.commit()
    return hold


def add_hold(actor: Actor, participant: Participant, start_date: date,
             end_date: date | None, reason: str) -> DoseHold:
    """Add a hold to a participant locked for update, audited; the caller commits."""
    _not_before_enrolment(participant, "start_date", start_date)
    _refuse_overlap(participant, start_date, end_date)
    hold = DoseHold(start_date=start_date, end_date=end_date, reason=reason,
                    created_by_staff_id=actor.staff.id, created_at=utcnow())
    participant.dose_holds.append(hold)
    db.session.flush()
    record_audit(actor, "dose_hold.created", hold, participant_id=participant.id,
                 after=snapshot(hold, _HOLD_FIELDS[:2]), reason=reason)
    replan_participant(participant)  # no reminders on held days
    return hold


def end_hold(actor: Actor, participant_id: int, hold_id: int, data: dict) -> DoseHold:
    """Give an open hold its last day (inclusive)."""
    require_editor(actor)
    participant = get_participant_for_staff(actor, participant_id, for_update=True)
    hold = next((h for h in participant.dose_holds if h.id == hold_id), None)
    if hold is None:
        raise NotFound("No such hold.")
    close_hold(actor, participant, hold, data["end_date"], data["reason"])
    db.session.commit()
    return hold


def close_hold(actor: Actor, participant: Participant, hold: DoseHold, end_date: date,
               reason: str) -> DoseHold:
    """Give a locked participant's open hold its last day, audited; the caller commits."""
    if hold.end_date is not None:
        raise Conflict("The hold has already ended.", {"end_date": ["Already set."]})
    if end_date < hold.start_date:
        raise _invalid("end_date", "Before the hold's start date.")
    before = snapshot(hold, ("end_date",))
    hold.end_date = end_date
    record_audit(actor, "dose_hold.ended", hold, participant_id=participant.id,
                 before=before, after=snapshot(hold, ("end_date",)), reason=reason)
    replan_participant(participant)  # reminders again from the day after the hold
    return hold
