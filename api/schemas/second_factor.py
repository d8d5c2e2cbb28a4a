"""A staff member's second factor: enrolment, confirmation, an admin's reset."""

import marshmallow as ma
from marshmallow import validate

from api.schemas.common import WriteSchema, reason_field
from api.schemas.fields import Text
from api.schemas.sessions import StaffTokenSchema, totp_code_field


class EnrolmentSchema(ma.Schema):
    """A new TOTP secret to add to an authenticator app: scan the QR code or type the secret."""

    secret = ma.fields.String(metadata={"description": "Base32, for typing in by hand"})
    provisioning_uri = ma.fields.String(metadata={
        "example": "otpauth://totp/Treatment%20diary:kim%40example.org?secret=…"})
    qr_svg = ma.fields.String(metadata={"description": "The URI as a QR code, an SVG image"})


class ConfirmSchema(WriteSchema):
    """The first code the authenticator app shows, proving it holds the secret."""

    totp_code = totp_code_field(required=True)


CONFIRM_EXAMPLE = {"totp_code": "492039"}


class EnrolledSchema(StaffTokenSchema):
    """Recovery codes, shown this once, and a full token (every earlier session ended)."""

    recovery_codes = ma.fields.List(ma.fields.String(), metadata={
        "description": "Each signs in once instead of a TOTP code; keep them safe"})


class ResetSchema(WriteSchema):
    """Why the factor is being taken away (a lost phone, say)."""

    reason = reason_field()


RESET_EXAMPLE = {"reason": "Phone lost; identity checked in person"}


class RegenerateCodesSchema(WriteSchema):
    """The password and a code from the authenticator app, entered again."""

    password = Text(required=True, load_only=True, validate=validate.Length(min=1, max=1000))
    totp_code = totp_code_field(required=True)


REGENERATE_EXAMPLE = {"password": "correct horse battery staple", "totp_code": "492039"}


class RecoveryCodesSchema(ma.Schema):
    """New recovery codes, shown this once; every earlier unused code no longer works."""

    recovery_codes = ma.fields.List(ma.fields.String(), metadata={
        "description": "Each signs in once instead of a TOTP code; keep them safe"})
