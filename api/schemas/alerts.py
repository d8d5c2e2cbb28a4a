"""Alerts as staff see them, and what they send to act on one."""

import marshmallow as ma

from api.schemas.common import QueryArgsSchema, WriteSchema, reason_field
from api.schemas.fields import Text
from diary.models.alert import ACKNOWLEDGED, CLOSED, OPEN, ROUTINE, URGENT
from diary.rules.alerts import ALERT_KIND_NAMES


class AlertSchema(ma.Schema):
    """An alert: why it fired, for whom, how urgent, and where it stands."""

    id = ma.fields.Integer(dump_only=True)
    kind = ma.fields.String(metadata={"enum": list(ALERT_KIND_NAMES)})
    participant_id = ma.fields.Integer(allow_none=True)
    site_id = ma.fields.Integer()
    urgency = ma.fields.String(metadata={"enum": [ROUTINE, URGENT]})
    status = ma.fields.String(metadata={"enum": [OPEN, ACKNOWLEDGED, CLOSED]})
    details = ma.fields.Dict(metadata={"description": "Ids and codes only, never free text."})
    created_at = ma.fields.AwareDateTime()
    report_due_at = ma.fields.AwareDateTime(allow_none=True)
    acknowledged_at = ma.fields.AwareDateTime(allow_none=True)
    acknowledged_by_staff_id = ma.fields.Integer(allow_none=True)
    closed_at = ma.fields.AwareDateTime(allow_none=True)
    closed_by_staff_id = ma.fields.Integer(allow_none=True)
    close_reason = ma.fields.String(allow_none=True)
    escalation_level = ma.fields.Integer()
    staff_texts_queued = ma.fields.Integer(allow_none=True, metadata={
        "description": "Texts queued to staff so far (when raised and by each escalation); "
                       "0: nobody was told. Null for alerts raised before it was counted."})
    next_escalation_at = ma.fields.AwareDateTime(allow_none=True)


class AlertQueryArgsSchema(QueryArgsSchema):
    """Filters for the alert list."""

    status = Text(validate=ma.validate.OneOf([OPEN, ACKNOWLEDGED, CLOSED]))
    kind = Text(validate=ma.validate.OneOf(ALERT_KIND_NAMES))


class AlertCloseSchema(WriteSchema):
    """Why the alert is closed."""

    reason = reason_field()


ALERT_CLOSE_EXAMPLE = {"reason": "Called the participant: new number recorded"}
