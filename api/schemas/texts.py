"""Texts received from participants, as staff read them."""

import marshmallow as ma

from api.schemas.common import QueryArgsSchema
from api.schemas.fields import Text
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
