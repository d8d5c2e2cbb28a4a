"""What an adverse event's action does to the regimen: a dose reduction, a hold, its end.

Written with the regimen's own functions (``diary.operations.regimen``), inside the
event's transaction, with the event as the reason; the event's version keeps the rows.
"""

from typing import NamedTuple

from diary.actor import Actor
from diary.errors import Conflict, DomainError, InvalidInput
from diary.extensions import db
from diary.models import AdverseEvent, AdverseEventVersion, DoseHold, Participant
from diary.models.adverse_event_version import DOSE_REDUCED, INTERRUPTED
from diary.operations.regimen import add_dose_step, add_hold, close_hold
from diary.rules import adverse_events as rules
from diary.rules.regimen import step_mg_on

# The regimen's field names, as the event's request names them.
_DOSE_FIELDS = {"effective_from": "new_dose_from", "dose_mg": "new_dose_mg"}
_HOLD_FIELDS = {"start_date": "hold_from", "end_date": "hold_to"}
WRITTEN = ("The regimen already holds this event's {what}; change it through the "
           "participant's dose-changes and dose-holds, not by correcting the event.")


class Written(NamedTuple):
    """The regimen rows an event's action wrote (kept by every later version)."""

    prescribed_dose_id: int | None = None
    dose_hold_id: int | None = None


def apply_action(actor: Actor, participant: Participant, event: AdverseEvent,
                 previous: AdverseEventVersion | None, before: rules.EventFacts | None,
                 after: rules.EventFacts) -> Written:
    """Write what a new version's action changes in the regimen; return the rows it holds."""
    written = Written() if previous is None else Written(previous.prescribed_dose_id,
                                                         previous.dose_hold_id)
    change = rules.action_change(before, after, written=written != Written())
    if change == rules.REFUSE:
        what = "dose change" if written.prescribed_dose_id is not None else "hold"
        raise Conflict(WRITTEN.format(what=what), {"action": [WRITTEN.format(what=what)]})
    reason = _reason(event, after)
    if change == rules.END_HOLD:
        _end_hold(actor, participant, written.dose_hold_id, after, reason)
    elif change == rules.WRITE and after.action == DOSE_REDUCED:
        step = _reduce(actor, participant, after, reason)
        written = written._replace(prescribed_dose_id=step.id)
    elif change == rules.WRITE and after.action == INTERRUPTED:
        hold = _renamed(_HOLD_FIELDS, add_hold, actor, participant, after.hold_from,
                        after.hold_to, reason)
        written = written._replace(dose_hold_id=hold.id)
    return written


def _reason(event: AdverseEvent, facts: rules.EventFacts) -> str:
    term = facts.ctcae_term or facts.verbatim_term
    return f"Adverse event {event.id} ({term}, grade {facts.grade})"


def _reduce(actor, participant: Participant, facts: rules.EventFacts, reason: str):
    step_mg = step_mg_on(facts.new_dose_from, participant.prescribed_doses)
    problems = rules.reduction_errors(facts.new_dose_mg, step_mg)
    if problems:
        raise InvalidInput("The request has invalid fields.", {"new_dose_mg": problems})
    return _renamed(_DOSE_FIELDS, add_dose_step, actor, participant, facts.new_dose_from,
                    facts.new_dose_mg, reason)


def _end_hold(actor, participant: Participant, hold_id: int, facts: rules.EventFacts,
              reason: str) -> None:
    hold = db.session.get(DoseHold, hold_id)
    if hold.end_date == facts.hold_to:
        return  # ended already, on the same day, through the regimen's own endpoint
    _renamed(_HOLD_FIELDS, close_hold, actor, participant, hold, facts.hold_to, reason)


def _renamed(names: dict, write, *args):
    """Run a regimen write, naming the fields of its refusals as the event's request does."""
    try:
        return write(*args)
    except DomainError as exc:
        exc.errors = {names.get(field, field): messages for field, messages in exc.errors.items()}
        raise
