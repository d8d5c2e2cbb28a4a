"""A participant's vital status: each record supersedes the last, with a reason; none deleted.

Coordinators, investigators and admins of the participant's site record it; any staff
member of the site reads its history.
"""

from sqlalchemy import select

from diary.actor import Actor
from diary.clock import local_today, utcnow
from diary.errors import Forbidden, InvalidInput
from diary.extensions import db
from diary.models import VitalStatus
from diary.operations.adverse_events import WRITERS
from diary.operations.audit import record_audit, snapshot
from diary.operations.participants import get_participant_for_staff
from diary.operations.versions import commit_version
from diary.rules.outcomes import vital_status_errors

FACTS = ("status", "death_date", "last_known_alive_on")
AUDITED_FIELDS = ("version", "is_current", *FACTS, "change_reason", "recorded_at",
                  "recorded_by_staff_id", "superseded_at")
RACED = "The vital status changed while it was being written; read it again and retry."


def record_vital_status(actor: Actor, participant_id: int, facts: dict,
                        reason: str | None) -> VitalStatus:
    """Record a participant's vital status, superseding the current one; commit.

    The first needs no reason; a later one says why it supersedes. The same facts as
    the current record (a retry) record nothing and return it.
    """
    if actor.staff is None or actor.staff.role not in WRITERS:
        raise Forbidden("Your role does not allow this.")
    return commit_version(RACED, _record, actor, participant_id,
                          {"death_date": None, "last_known_alive_on": None} | facts, reason)


def _record(actor: Actor, participant_id: int, facts: dict, reason: str | None) -> VitalStatus:
    participant = get_participant_for_staff(actor, participant_id, for_update=True)
    errors = vital_status_errors(facts["status"], facts["death_date"],
                                 facts["last_known_alive_on"],
                                 enrolled_on=participant.enrolled_on,
                                 today=local_today(participant.timezone, utcnow()))
    current = _current(participant.id)
    if current is not None and {name: getattr(current, name) for name in FACTS} == facts:
        return current
    if current is not None and not (reason or "").strip():
        errors["reason"] = ["Required: this record supersedes the current one."]
    if errors:
        raise InvalidInput("The vital status has invalid fields.", errors)
    now = utcnow()
    before = None
    if current is not None:
        before = snapshot(current, AUDITED_FIELDS)
        current.is_current, current.superseded_at = False, now
        db.session.flush()
    record = VitalStatus(**facts, participant_id=participant.id,
                         version=1 if current is None else current.version + 1,
                         is_current=True, change_reason=reason if current else None,
                         recorded_at=now, recorded_by_staff_id=actor.staff.id)
    db.session.add(record)
    db.session.flush()
    record_audit(actor, "vital_status.recorded" if current is None else "vital_status.changed",
                 record, participant_id=participant.id, before=before,
                 after=snapshot(record, AUDITED_FIELDS), reason=reason)
    return record


def _current(participant_id: int) -> VitalStatus | None:
    return db.session.execute(
        select(VitalStatus).where(VitalStatus.participant_id == participant_id,
                                  VitalStatus.is_current.is_(True))
    ).scalar_one_or_none()


def list_vital_status(actor: Actor, participant_id: int) -> list[VitalStatus]:
    """Return every vital status recorded for a participant, oldest first."""
    participant = get_participant_for_staff(actor, participant_id)
    return list(db.session.execute(
        select(VitalStatus).where(VitalStatus.participant_id == participant.id)
        .order_by(VitalStatus.version)
    ).scalars())
