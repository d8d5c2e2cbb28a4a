"""Participants as staff see them: enrolment, look-up within one's sites, changes."""

from sqlalchemy import select

from diary.actor import Actor
from diary.errors import NotFound
from diary.extensions import db
from diary.models import Participant


def visible_to(actor: Actor):
    """Return a WHERE clause limiting participants to the staff member's sites."""
    staff = actor.staff
    if staff is None:
        return Participant.id.is_(None)
    if staff.is_admin:
        return Participant.id.is_not(None)
    return Participant.site_id.in_(staff.site_ids)


def get_participant_for_staff(actor: Actor, participant_id: int) -> Participant:
    """Return a participant of the staff member's sites; anything else is NotFound."""
    participant = db.session.execute(
        select(Participant).where(Participant.id == participant_id, visible_to(actor))
    ).scalar_one_or_none()
    if participant is None:
        raise NotFound("No such participant.")
    return participant
