"""Audit events as staff read them."""

import marshmallow as ma


class AuditEventSchema(ma.Schema):
    """Who changed what, when and why, with the values before and after."""

    id = ma.fields.Integer()
    occurred_at = ma.fields.AwareDateTime()
    actor_type = ma.fields.String(metadata={"description": "staff, participant or system"})
    actor_id = ma.fields.Integer(allow_none=True)
    action = ma.fields.String(metadata={"example": "participant.updated"})
    entity_type = ma.fields.String()
    entity_id = ma.fields.Integer(allow_none=True)
    before = ma.fields.Dict(allow_none=True)
    after = ma.fields.Dict(allow_none=True)
    reason = ma.fields.String(allow_none=True)
    request_id = ma.fields.String(allow_none=True)
