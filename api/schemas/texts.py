"""Texts to and from participants, as staff read them."""

import marshmallow as ma

from api.schemas.common import QueryArgsSchema
from api.schemas.fields import Instant, Text
from diary.models.message import KINDS, STATUSES
from notifications.inbound import INTENTS as KEYWORD_INTENTS
from notifications.inbound import UNKNOWN

INTENTS = (*KEYWORD_INTENTS, UNKNOWN)


class ReceivedTextSchema(ma.Schema):
    """One text a participant sent, and what the service understood it as."""

    id = ma.fields.Integer()
    received_at = ma.fields.AwareDateTime()
    body = ma.fields.String()
    intent = ma.fields.String(metadata={
        "description": "What the text was understood as; `unknown` texts await the "
                       "coordinator.", "enum": list(INTENTS)})


class ReceivedTextQueryArgsSchema(QueryArgsSchema):
    """Filters for a participant's received texts."""

    intent = Text(validate=ma.validate.OneOf(INTENTS))


class MessageSchema(ma.Schema):
    """One text planned for or sent to a participant, and what became of it."""

    id = ma.fields.Integer()
    kind = ma.fields.String(metadata={"enum": list(KINDS)})
    status = ma.fields.String(metadata={
        "enum": list(STATUSES),
        "description": "`pending`: queued; `unknown`: the send was interrupted and it may "
                       "have left; `cancelled`: no longer needed (the day was recorded, or "
                       "the plan changed)."})
    local_date = ma.fields.Date(allow_none=True, metadata={
        "description": "The participant's local day a reminder is about."})
    due_at = ma.fields.AwareDateTime(metadata={"description": "When it is planned to leave."})
    sent_at = ma.fields.AwareDateTime(allow_none=True, metadata={
        "description": "When Twilio accepted it."})
    delivered_at = ma.fields.AwareDateTime(allow_none=True, metadata={
        "description": "When Twilio reported it delivered."})
    error_code = ma.fields.String(allow_none=True, metadata={
        "description": "Twilio's error code (e.g. 30003), or ours (e.g. replanned)."})
    body = ma.fields.String(metadata={
        "description": "The text as sent; texts carry no health information."})


class MessageQueryArgsSchema(QueryArgsSchema):
    """Filters for a participant's texts; ``from`` and ``to`` bound the planned time."""

    kind = Text(validate=ma.validate.OneOf(KINDS))
    status = Text(validate=ma.validate.OneOf(STATUSES))
    due_from = Instant(data_key="from", metadata={
        "description": "Planned at or after this instant, with its offset (`Z` for UTC; "
                       "in a URL, `+` is written `%2B`)."})
    due_to = Instant(data_key="to", metadata={
        "description": "Planned before this instant."})

    @ma.validates_schema
    def _window_not_empty(self, data, **kwargs):
        if "due_from" in data and "due_to" in data and data["due_from"] >= data["due_to"]:
            raise ma.ValidationError("Must be before 'to'.", "from")
