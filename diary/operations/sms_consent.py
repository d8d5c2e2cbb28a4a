"""Whether a participant's phone may be texted: opt-out, opt-in, an unusable number.

One path for each, whichever way the news arrives (a STOP reply, Twilio refusing a text,
a delivery report): the same state, the same audit event, the same alert. None commits.
"""

from sqlalchemy import select

from diary.actor import Actor
from diary.clock import utcnow
from diary.extensions import db
from diary.models import Participant
from diary.operations.alerts import raise_alert
from diary.operations.audit import record_audit, snapshot


def _locked(participant: Participant) -> Participant:
    # A STOP reply and a refused text may land at the same moment: one of them sets it.
    return db.session.execute(
        select(Participant).where(Participant.id == participant.id)
        .with_for_update().execution_options(populate_existing=True)
    ).scalar_one()


def opt_out_of_sms(participant: Participant, actor: Actor, *, cause: str,
                   details: dict | None = None) -> bool:
    """Stop texts to a participant (not a withdrawal) and tell the coordinators.

    ``cause`` says how the opt-out arrived (``sms_stop``, ``twilio_21610``); ``details``
    are ids and codes for the alert. Returns whether anything changed: a second opt-out
    is a no-op, so one alert is enough.
    """
    participant = _locked(participant)
    if participant.sms_opted_out_at is not None:
        return False
    before = snapshot(participant, ["sms_opted_out_at"])
    participant.sms_opted_out_at = participant.updated_at = utcnow()
    record_audit(actor, "participant.sms_opted_out", participant,
                 participant_id=participant.id, before=before,
                 after=snapshot(participant, ["sms_opted_out_at"]), reason=cause)
    raise_alert("sms_opt_out", participant, details={"cause": cause, **(details or {})})
    return True


def opt_in_to_sms(participant: Participant, actor: Actor) -> bool:
    """Resume texts to a participant who opted out; return whether anything changed."""
    if participant.sms_opted_out_at is None:
        return False
    before = snapshot(participant, ["sms_opted_out_at"])
    participant.sms_opted_out_at = None
    participant.updated_at = utcnow()
    record_audit(actor, "participant.sms_opted_in", participant,
                 participant_id=participant.id, before=before,
                 after={"sms_opted_out_at": None}, reason="sms_start")
    return True


def mark_phone_unreachable(participant: Participant, *, code: str, message_id: int) -> bool:
    """Record that the carrier refused the number for good, and tell the coordinators."""
    participant = _locked(participant)
    if participant.phone_unreachable_at is not None:
        return False
    before = snapshot(participant, ["phone_unreachable_at"])
    participant.phone_unreachable_at = participant.updated_at = utcnow()
    record_audit(Actor.system(), "participant.phone_unreachable", participant,
                 participant_id=participant.id, before=before,
                 after=snapshot(participant, ["phone_unreachable_at"]),
                 reason=f"Twilio error {code} sending message {message_id}")
    raise_alert("phone_invalid", participant,
                details={"message_id": message_id, "error_code": code})
    return True
