"""Investigators sign off a participant's data (21 CFR Part 11 §11.50, §11.70).

The signature records the printed name, the instant and the meaning, needs the
credentials entered again, and is bound to a digest of the data it signs: any later
change to the data shows the sign-off as no longer current, never silently carried over.
"""

from dataclasses import dataclass

from diary.actor import Actor
from diary.clock import utcnow
from diary.errors import Conflict, Forbidden, InvalidInput
from diary.extensions import db
from diary.models import SignOff
from diary.models.sign_off import MEANINGS
from diary.operations.audit import record_audit, snapshot
from diary.operations.clinical_record import clinical_record, sign_offs_of
from diary.operations.participants import get_participant_for_staff
from diary.operations.reauthenticate import reauthenticate
from diary.rules.record_digest import record_digest

SIGNERS = ("investigator",)
_AUDITED = ("printed_name", "meaning", "signed_at", "data_sha256", "staff_user_id")


@dataclass(frozen=True)
class ListedSignOff:
    """A sign-off, and whether the data it signed is still the data in force."""

    sign_off: SignOff
    current: bool


def sign_off(actor: Actor, participant_id: int, *, password: str, meaning: str,
             second_factor_code: str | None = None) -> ListedSignOff:
    """Sign the participant's current data as the calling investigator; commit."""
    # Another site's participant is a 404 whatever the role, as everywhere; then the role.
    get_participant_for_staff(actor, participant_id)  # and before any password is spent
    if actor.staff.role not in SIGNERS:
        raise Forbidden("Only an investigator of the participant's site signs off its data.")
    if meaning not in MEANINGS:
        raise InvalidInput("Not a meaning a sign-off can have.", {"meaning": [
            f"One of: {', '.join(MEANINGS)}."]})
    if not actor.staff.display_name:
        raise Conflict("Your account has no printed name to sign with; an admin sets it "
                       "(display_name).", {"display_name": ["Missing."]})
    staff = reauthenticate(actor.staff, password, second_factor_code)
    # Locked after the password check, so the data read is the data signed.
    participant = get_participant_for_staff(actor, participant_id, for_update=True)
    row = SignOff(participant_id=participant.id, staff_user_id=staff.id,
                  printed_name=staff.display_name, meaning=meaning, signed_at=utcnow(),
                  data_sha256=record_digest(clinical_record(participant)))
    db.session.add(row)
    db.session.flush()
    record_audit(actor, "participant.signed_off", row, participant_id=participant.id,
                 after=snapshot(row, _AUDITED))
    db.session.commit()
    return ListedSignOff(row, True)


def list_sign_offs(actor: Actor, participant_id: int) -> list[ListedSignOff]:
    """Return the participant's sign-offs, oldest first, each marked current or not."""
    participant = get_participant_for_staff(actor, participant_id)
    digest = record_digest(clinical_record(participant))
    return [ListedSignOff(row, row.data_sha256 == digest)
            for row in sign_offs_of(participant.id)]
