"""Adverse events recorded by staff: every change a new version with its reason, none deleted.

Coordinators, investigators (who assess causality) and admins of the participant's site
record and change events; any staff member of the site reads them. A dose reduction or
an interruption is written to the regimen, and a serious event raises its alert, in the
same transaction as the version that says so.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from diary.actor import Actor
from diary.clock import local_today, utcnow
from diary.errors import Forbidden, InvalidInput, NotFound
from diary.extensions import db
from diary.models import AdverseEvent, AdverseEventVersion, Participant, Study, SymptomReport
from diary.operations.adverse_event_actions import Written, apply_action
from diary.operations.audit import record_audit, snapshot
from diary.operations.participants import get_participant_for_staff
from diary.operations.serious_events import sync_serious_alert
from diary.operations.versions import commit_version
from diary.rules import adverse_events as rules
from diary.rules.partial_dates import parse_partial_date

WRITERS = ("admin", "coordinator", "investigator")
# The facts stored as they are; the partial dates and seriousness are stored apart.
_PLAIN_FACTS = ("ctcae_term", "verbatim_term", "grade", "outcome", "relatedness", "action",
                "new_dose_mg", "new_dose_from", "hold_from", "hold_to", "site_aware_at",
                "reported_to_sponsor_at", "source_symptom_report_id")
AUDITED_FIELDS = ("version", "is_current", *_PLAIN_FACTS, "meddra_code", "seriousness",
                  "serious", "onset_date", "onset_precision", "end_date", "end_precision",
                  "prescribed_dose_id", "dose_hold_id", "change_reason", "recorded_at",
                  "recorded_by_staff_id", "superseded_at")
RACED = "The event changed while it was being written; read it again and retry."


@dataclass(frozen=True)
class EventRecord:
    """An event as staff read it: its current version, and every version when asked."""

    event: AdverseEvent
    current: AdverseEventVersion
    report_overdue: bool
    history: list[AdverseEventVersion] | None = None


def _require_writer(actor: Actor) -> None:
    if actor.staff is None or actor.staff.role not in WRITERS:
        raise Forbidden("Your role does not allow this.")


def record_adverse_event(actor: Actor, participant_id: int, facts: rules.EventFacts,
                         reason: str | None = None) -> EventRecord:
    """Record a new adverse event of a participant of the caller's sites; commit."""
    _require_writer(actor)
    return commit_version(RACED, _record_event, actor, participant_id, facts, reason)


def _record_event(actor: Actor, participant_id: int, facts: rules.EventFacts,
                  reason: str | None) -> EventRecord:
    participant = get_participant_for_staff(actor, participant_id, for_update=True)
    terms = _check(participant, facts)
    now = utcnow()
    event = AdverseEvent(participant_id=participant.id, created_at=now,
                         created_by_staff_id=actor.staff.id)
    db.session.add(event)
    db.session.flush()
    written = apply_action(actor, participant, event, None, None, facts)
    version = _new_version(event, facts, terms, written, number=1, actor=actor, now=now,
                           reason=reason)
    db.session.add(version)
    db.session.flush()
    record_audit(actor, "adverse_event.recorded", event, participant_id=participant.id,
                 after=snapshot(version, AUDITED_FIELDS), reason=reason)
    sync_serious_alert(actor, participant, event, None, facts)
    return _record(event)


def change_adverse_event(actor: Actor, participant_id: int, event_id: int, changes: dict,
                         reason: str) -> EventRecord:
    """Record a new version of an event with the fields that change, and why; commit.

    A change that changes nothing (a retry) records nothing and returns the event.
    """
    _require_writer(actor)
    return commit_version(RACED, _change_event, actor, participant_id, event_id, changes, reason)



def _change_event(actor: Actor, participant_id: int, event_id: int, changes: dict,
                  reason: str) -> EventRecord:
    participant = get_participant_for_staff(actor, participant_id, for_update=True)
    event = _event_of(participant.id, event_id)
    current = event.current
    before = facts_of(current)
    after = before.changed(**_with_one_term(changes))
    if after == before:
        return _record(event)
    terms = _check(participant, after)
    now = utcnow()
    audited_before = snapshot(current, AUDITED_FIELDS)
    current.is_current, current.superseded_at = False, now
    # The old version stops being current before the new one is inserted: the database
    # allows one current version per event.
    db.session.flush()
    written = apply_action(actor, participant, event, current, before, after)
    version = _new_version(event, after, terms, written, number=current.version + 1,
                           actor=actor, now=now, reason=reason)
    db.session.add(version)
    db.session.flush()
    record_audit(actor, "adverse_event.changed", event, participant_id=participant.id,
                 before=audited_before, after=snapshot(version, AUDITED_FIELDS), reason=reason)
    sync_serious_alert(actor, participant, event, before, after)
    return _record(event)


def _with_one_term(changes: dict) -> dict:
    # Naming a term of the other kind replaces the one recorded (one term per event).
    if "ctcae_term" in changes and "verbatim_term" not in changes:
        return {**changes, "verbatim_term": None}
    if "verbatim_term" in changes and "ctcae_term" not in changes:
        return {**changes, "ctcae_term": None}
    return changes


def _check(participant: Participant, facts: rules.EventFacts) -> dict[str, rules.Term]:
    """Refuse facts that break a rule (422 naming the fields); return the study's terms."""
    study = db.session.get(Study, participant.study_id)
    terms = rules.terms_from(study.definition)
    now = utcnow()
    errors = rules.event_errors(facts, terms, enrolled_on=participant.enrolled_on,
                                today=local_today(participant.timezone, now), now=now,
                                timezone=participant.timezone)
    if facts.source_symptom_report_id is not None and not _own_report(
            participant.id, facts.source_symptom_report_id):
        errors["source_symptom_report_id"] = ["No such symptom report of this participant."]
    if errors:
        raise InvalidInput("The event has invalid fields.", errors)
    return terms


def _own_report(participant_id: int, report_id: int) -> bool:
    # Another participant's report answers as one that does not exist.
    return db.session.execute(
        select(SymptomReport.id).where(SymptomReport.id == report_id,
                                       SymptomReport.participant_id == participant_id)
    ).first() is not None


def _new_version(event: AdverseEvent, facts: rules.EventFacts, terms: dict, written: Written,
                 *, number: int, actor: Actor, now: datetime,
                 reason: str | None) -> AdverseEventVersion:
    listed = terms.get(facts.ctcae_term) if facts.ctcae_term is not None else None
    return AdverseEventVersion(
        **{name: getattr(facts, name) for name in _PLAIN_FACTS},
        **written._asdict(),
        adverse_event_id=event.id,
        event=event,
        version=number,
        is_current=True,
        meddra_code=listed.meddra_code if listed is not None else None,
        seriousness=list(facts.seriousness),
        serious=facts.serious,
        onset_date=facts.onset.text,
        onset_precision=facts.onset.precision,
        end_date=facts.end.text if facts.end is not None else None,
        end_precision=facts.end.precision if facts.end is not None else None,
        change_reason=reason if number > 1 else None,
        recorded_at=now,
        recorded_by_staff_id=actor.staff.id,
    )


def facts_of(version: AdverseEventVersion) -> rules.EventFacts:
    """Return what a stored version states, as the rules read it."""
    return rules.EventFacts(
        **{name: getattr(version, name) for name in _PLAIN_FACTS},
        seriousness=tuple(version.seriousness),
        onset=parse_partial_date(version.onset_date),
        end=parse_partial_date(version.end_date) if version.end_date is not None else None,
    )


def _event_of(participant_id: int, event_id: int) -> AdverseEvent:
    event = db.session.execute(
        select(AdverseEvent)
        .where(AdverseEvent.id == event_id, AdverseEvent.participant_id == participant_id)
        .options(selectinload(AdverseEvent.versions))
    ).scalar_one_or_none()
    if event is None:
        raise NotFound("No such adverse event.")
    return event


def _record(event: AdverseEvent, *, history: bool = False) -> EventRecord:
    current = event.current
    due = rules.report_due_at(current.serious, current.site_aware_at)
    return EventRecord(
        event=event,
        current=current,
        report_overdue=rules.report_overdue(due, current.reported_to_sponsor_at, utcnow()),
        history=list(event.versions) if history else None,
    )


def list_adverse_events(actor: Actor, participant_id: int, *,
                        history: bool = False) -> list[EventRecord]:
    """Return a participant's events, oldest first (every version of each with history)."""
    participant = get_participant_for_staff(actor, participant_id)
    events = db.session.execute(
        select(AdverseEvent)
        .where(AdverseEvent.participant_id == participant.id)
        .options(selectinload(AdverseEvent.versions))
        .order_by(AdverseEvent.id)
    ).scalars()
    return [_record(event, history=history) for event in events]


def get_adverse_event(actor: Actor, participant_id: int, event_id: int, *,
                      history: bool = False) -> EventRecord:
    """Return one event of a participant of the caller's sites (else NotFound)."""
    participant = get_participant_for_staff(actor, participant_id)
    return _record(_event_of(participant.id, event_id), history=history)
