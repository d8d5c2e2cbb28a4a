"""Texts participants sent to the study number, as their coordinators read them."""

from sqlalchemy import select

from diary.actor import Actor
from diary.models import InboundMessage
from diary.operations.participants import get_participant_for_staff, page_of


def list_received_texts(actor: Actor, participant_id: int, *, intent: str | None = None,
                        page: int = 1, page_size: int = 20) -> tuple[list[InboundMessage], int]:
    """Return a page of the texts a participant sent, newest first, and the total.

    A text the service could not understand is kept for exactly this: the coordinator
    reads what the participant wrote ("I feel dizzy") and follows it up.
    """
    get_participant_for_staff(actor, participant_id)
    statement = (
        select(InboundMessage)
        .where(InboundMessage.participant_id == participant_id)
        .order_by(InboundMessage.received_at.desc(), InboundMessage.id.desc())
    )
    if intent is not None:
        statement = statement.where(InboundMessage.intent == intent)
    return page_of(statement, page, page_size)
