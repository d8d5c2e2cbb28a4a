"""Texts to and from participants, as their coordinators read them."""

from datetime import datetime

from sqlalchemy import select

from diary.actor import Actor
from diary.models import InboundMessage, Message
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


def list_messages(actor: Actor, participant_id: int, *, kind: str | None = None,
                  status: str | None = None, due_from: datetime | None = None,
                  due_to: datetime | None = None, page: int = 1,
                  page_size: int = 20) -> tuple[list[Message], int]:
    """Return a page of the texts planned for or sent to a participant, latest due first."""
    get_participant_for_staff(actor, participant_id)
    statement = (
        select(Message)
        .where(Message.participant_id == participant_id)
        .order_by(Message.due_at.desc(), Message.id.desc())
    )
    if kind is not None:
        statement = statement.where(Message.kind == kind)
    if status is not None:
        statement = statement.where(Message.status == status)
    if due_from is not None:
        statement = statement.where(Message.due_at >= due_from)
    if due_to is not None:
        statement = statement.where(Message.due_at < due_to)
    return page_of(statement, page, page_size)
