"""Staff sign-in and device activation."""

import marshmallow as ma
from marshmallow import validate

from api.schemas.common import LocalTime, WriteSchema
from api.schemas.fields import Text
from api.schemas.participants import (
    DOSE_TODAY,
    HELD_TODAY,
    STARTED,
    STUDY_DAY,
    dose_mg_today,
    on_hold_today,
    started_today,
    study_day_today,
)


class LoginSchema(WriteSchema):
    """A staff member's e-mail address and password."""

    email = Text(required=True, validate=validate.Length(min=1, max=254))
    password = Text(required=True, load_only=True,
                    validate=validate.Length(min=1, max=1000))


LOGIN_EXAMPLE = {"email": "coordinator@severance.example.org",
                 "password": "correct horse battery staple"}


class TokenSchema(ma.Schema):
    """A bearer token and when it stops working."""

    access_token = ma.fields.String()
    expires_at = ma.fields.AwareDateTime()


class ActivationCodeSchema(ma.Schema):
    """A one-time code to type into the phone app, shown once."""

    code = ma.fields.String(metadata={"example": "K7QX-3M9D"})
    expires_at = ma.fields.AwareDateTime()


class ActivateSchema(WriteSchema):
    """The code a coordinator gave the participant (case, spaces and dashes forgiven)."""

    code = Text(required=True, validate=validate.Length(min=1, max=40))


ACTIVATE_EXAMPLE = {"code": "K7QX-3M9D"}


class DeviceParticipantSchema(ma.Schema):
    """What the phone app needs to know about its participant."""

    id = ma.fields.Integer()
    study_code = ma.fields.String()
    enrolled_on = ma.fields.Date()
    timezone = ma.fields.String()
    locale = ma.fields.String()
    reminder_time = LocalTime()
    proxy_reporter = ma.fields.Boolean()
    sms_consent = ma.fields.Boolean()
    status = ma.fields.String()
    study_day = ma.fields.Function(study_day_today, allow_none=True, metadata=STUDY_DAY)
    started = ma.fields.Function(started_today, metadata=STARTED)
    current_dose_mg = ma.fields.Function(dose_mg_today, allow_none=True, metadata=DOSE_TODAY)
    on_hold = ma.fields.Function(on_hold_today, metadata=HELD_TODAY)


class ActivationSchema(TokenSchema):
    """A device token and the participant it belongs to."""

    participant = ma.fields.Nested(DeviceParticipantSchema)
