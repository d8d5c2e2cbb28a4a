"""Staff sign-in and device activation."""

import marshmallow as ma
from marshmallow import ValidationError, validate, validates_schema

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

TOTP_CODE = {"description": "The six digits the authenticator app shows now",
             "example": "492039"}
RECOVERY_CODE = {"description": "One of the account's one-time recovery codes, instead of "
                                "totp_code", "example": "K7QX-3M9D-W2PA-8HNC"}


def totp_code_field(**kwargs) -> Text:
    return Text(load_only=True, validate=validate.Length(min=1, max=20), metadata=TOTP_CODE,
                **kwargs)


class LoginSchema(WriteSchema):
    """A staff member's e-mail address and password, and the second factor if they have one."""

    email = Text(required=True, validate=validate.Length(min=1, max=254))
    password = Text(required=True, load_only=True,
                    validate=validate.Length(min=1, max=1000))
    totp_code = totp_code_field()
    recovery_code = Text(load_only=True, validate=validate.Length(min=1, max=40),
                         metadata=RECOVERY_CODE)

    @validates_schema
    def _one_factor(self, data, **_kwargs):
        if "totp_code" in data and "recovery_code" in data:
            raise ValidationError("Send totp_code or recovery_code, not both.", "recovery_code")


LOGIN_EXAMPLE = {"email": "coordinator@severance.example.org",
                 "password": "correct horse battery staple", "totp_code": "492039"}


class TokenSchema(ma.Schema):
    """A bearer token and when it stops working."""

    access_token = ma.fields.String()
    expires_at = ma.fields.AwareDateTime()


class StaffTokenSchema(TokenSchema):
    """A staff token; scope ``enrol`` opens only the second-factor enrolment endpoints."""

    scope = ma.fields.String(metadata={
        "enum": ["full", "enrol"],
        "description": "full: what the role allows; enrol: only POST /auth/second-factor "
                       "and /auth/second-factor/confirm (the account must set up a second "
                       "factor before anything else)"})


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
