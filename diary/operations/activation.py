"""Linking a participant's phone: a one-time code from staff, exchanged for a device token."""

from datetime import timedelta

from flask import current_app
from sqlalchemy import select, update

from diary.actor import Actor
from diary.clock import utcnow
from diary.errors import Conflict, Unauthorized
from diary.extensions import db
from diary.models import AccessToken, ActivationCode, Participant
from diary.models.access_token import DEVICE
from diary.operations.audit import record_audit
from diary.operations.one_time_codes import spend_code
from diary.operations.participants import get_participant_for_staff, require_editor
from diary.operations.sessions import issue_token, revoke_participant_credentials
from diary.tokens import activation_code_digest, new_activation_code

BAD_CODE = "The activation code is not valid, already used or expired."


def _digest(code: str) -> str:
    return activation_code_digest(code, current_app.config["SECRET_KEY"])


def issue_activation_code(actor: Actor, participant_id: int) -> tuple[str, ActivationCode]:
    """Give a participant a new one-time code; earlier unused codes stop working."""
    require_editor(actor)
    participant = get_participant_for_staff(actor, participant_id, for_update=True)
    if participant.status != "active":
        raise Conflict(f"The participant is {participant.status}: no device can be linked.")
    now = utcnow()
    # Only the newest code a coordinator handed out should work.
    db.session.execute(
        update(ActivationCode)
        .where(ActivationCode.participant_id == participant.id,
               ActivationCode.used_at.is_(None), ActivationCode.expires_at > now)
        .values(expires_at=now)
    )
    code = new_activation_code()
    hours = current_app.config["DIARY_ACTIVATION_CODE_HOURS"]
    row = ActivationCode(participant_id=participant.id, code_hash=_digest(code),
                         created_by_staff_id=actor.staff.id, created_at=now,
                         expires_at=now + timedelta(hours=hours))
    db.session.add(row)
    db.session.flush()
    record_audit(actor, "activation_code.issued", row, participant_id=participant.id,
                 after={"expires_at": row.expires_at.isoformat()})
    db.session.commit()
    return code, row


def activate_device(code: str) -> tuple[str, AccessToken, Participant]:
    """Exchange a live code for a device token; the participant's older devices stop working.

    Unknown, used, expired and superseded codes, and codes of participants no longer
    active, all get the same Unauthorized and change nothing.
    """
    now = utcnow()
    found = db.session.execute(
        select(ActivationCode, Participant)
        .join(Participant, Participant.id == ActivationCode.participant_id)
        .where(ActivationCode.code_hash == _digest(code), ActivationCode.used_at.is_(None),
               ActivationCode.expires_at > now, Participant.status == "active")
    ).first()
    if found is None:
        raise Unauthorized(BAD_CODE)
    activation, participant = found
    spend_code(ActivationCode, activation.id, now, BAD_CODE)
    revoked = revoke_participant_credentials(participant.id, now)
    days = current_app.config["DIARY_DEVICE_TOKEN_DAYS"]
    token, row = issue_token(DEVICE, timedelta(days=days), participant_id=participant.id)
    db.session.flush()
    record_audit(Actor.for_participant(participant), "device.activated", row,
                 participant_id=participant.id,
                 after={"activation_code_id": activation.id, "devices_revoked": revoked})
    db.session.commit()
    return token, row, participant
