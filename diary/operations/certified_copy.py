"""A certified copy of a participant's record for the investigator (ICH E6(R3) 4.2.4):
the whole record, every version, its sign-offs and its audit trail, checked on the way."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from diary.actor import Actor
from diary.clock import utcnow
from diary.extensions import db
from diary.models import AuditEvent, Site, StaffUser, Study
from diary.operations.audit import record_audit
from diary.operations.audit_verify import link_of
from diary.operations.clinical_record import audit_trail, clinical_record
from diary.operations.participants import get_participant_for_staff
from diary.operations.sign_offs import ListedSignOff, list_sign_offs
from diary.rules.audit_chain import first_break
from diary.rules.record_digest import record_digest

FORMATS = ("json", "odm")


@dataclass(frozen=True)
class CertifiedCopy:
    """What the copy holds; ``staff`` names everyone its trail and sign-offs mention."""

    generated_at: datetime
    data_sha256: str
    audit_trail_intact: bool
    participant: dict
    regimen: dict
    doses: list[dict]
    adverse_events: list[dict]
    symptom_reports: list[dict]
    sign_offs: list[ListedSignOff]
    audit_trail: list[AuditEvent]
    study: Study
    site: Site
    staff: dict[int, StaffUser]


def certified_copy(actor: Actor, participant_id: int, *, form: str) -> CertifiedCopy:
    """Return the participant's record and trail; the export itself is audited; commit."""
    if form not in FORMATS:
        raise ValueError(f"unknown format {form!r}")
    participant = get_participant_for_staff(actor, participant_id)
    record = clinical_record(participant)
    trail = audit_trail(participant.id)
    sign_offs = list_sign_offs(actor, participant.id)
    staff_ids = {e.actor_id for e in trail if e.actor_type == "staff"} | {
        s.sign_off.staff_user_id for s in sign_offs}
    staff = {row.id: row for row in db.session.scalars(
        select(StaffUser).where(StaffUser.id.in_(staff_ids)))} if staff_ids else {}
    copy = CertifiedCopy(
        generated_at=utcnow(), data_sha256=record_digest(record),
        audit_trail_intact=first_break(link_of(event) for event in trail) is None,
        sign_offs=sign_offs, audit_trail=trail, study=db.session.get(Study, participant.study_id),
        site=db.session.get(Site, participant.site_id), staff=staff, **record)
    record_audit(actor, "participant.record_exported", participant,
                 participant_id=participant.id,
                 after={"format": form, "data_sha256": copy.data_sha256,
                        "audit_events": len(trail)})
    db.session.commit()
    return copy
