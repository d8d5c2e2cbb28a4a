"""Staff accounts as admins manage them and as each staff member sees their own."""

import marshmallow as ma
from marshmallow import validate

from api.schemas.common import QueryArgsSchema, WriteSchema, reason_field
from api.schemas.fields import Id, QueryBoolean, SiteRef, StrictBoolean, Text
from diary.models.staff_user import ROLES

_PHONE = {"description": "Mobile number for alert texts; a national form is read in the "
                         "country of the (first) site.", "example": "010-9999-0001"}
_SITES = {"description": "Sites by code or id; coordinators and investigators need one "
                         "at least (admins see every site regardless).", "example": ["SEV"]}
_LOCALE = {"description": "Language of their texts, one the study offers; by default the "
                          "study's first.", "example": "ko"}
_ALERTS = {"description": "Alert texts on (a phone is needed too) or off."}


_NAME = {"description": "Full name, printed under the person's electronic signatures "
                        "(sign-offs need one).", "example": "Kim Min-jun"}


class SetPasswordCodeSchema(ma.Schema):
    """A one-time code for the staff member to set their password with, shown once."""

    code = ma.fields.String(metadata={"example": "K7QX-3M9D-PW4T-8HJN"})
    expires_at = ma.fields.AwareDateTime()


class StaffSchema(ma.Schema):
    """A staff account; never its password."""

    id = ma.fields.Integer()
    email = ma.fields.String()
    display_name = ma.fields.String(allow_none=True, metadata=_NAME)
    role = ma.fields.String(metadata={"enum": list(ROLES)})
    sites = ma.fields.List(ma.fields.String(), attribute="site_codes",
                           metadata={"description": "Site codes.", "example": ["SEV"]})
    site_ids = ma.fields.Function(lambda staff: sorted(staff.site_ids),
                                  metadata={"type": "array", "items": {"type": "integer"}})
    phone = ma.fields.String(attribute="phone_e164", allow_none=True,
                             metadata={"description": "E.164"})
    locale = ma.fields.String()
    alerts_enabled = ma.fields.Boolean()
    active = ma.fields.Boolean()
    password_set = ma.fields.Function(
        lambda staff: staff.password_hash is not None,
        metadata={"type": "boolean",
                  "description": "Whether they have set a password yet (never the password)."})
    second_factor = ma.fields.Boolean(attribute="has_second_factor", metadata={
        "description": "Whether their second factor is set up (never the secret)."})
    created_at = ma.fields.AwareDateTime()


class StaffCreatedSchema(StaffSchema):
    """A new staff account and the one-time code to hand them (shown only here)."""

    set_password_code = ma.fields.Nested(SetPasswordCodeSchema)


class StaffCreateSchema(WriteSchema):
    """A new staff member: they set their own password with the code in the answer."""

    email = Text(required=True, validate=[validate.Email(), validate.Length(max=254)],
                 metadata={"example": "kim.coordinator@example.org"})
    role = Text(required=True, validate=validate.OneOf(ROLES),
                metadata={"example": "coordinator"})
    display_name = Text(allow_none=True, validate=validate.Length(min=1, max=200), metadata=_NAME)
    sites = ma.fields.List(SiteRef(), load_default=list, validate=validate.Length(max=100),
                           metadata=_SITES)
    phone = Text(allow_none=True, validate=validate.Length(max=40), metadata=_PHONE)
    locale = Text(validate=validate.Length(min=2, max=5), metadata=_LOCALE)
    alerts_enabled = StrictBoolean(load_default=True, metadata=_ALERTS)


class StaffUpdateSchema(WriteSchema):
    """Changes to a staff account: only the fields given change, and a reason is required.

    ``sites`` replaces the list. A change of role, sites or active signs the person out.
    """

    email = Text(validate=[validate.Email(), validate.Length(max=254)])
    role = Text(validate=validate.OneOf(ROLES))
    display_name = Text(allow_none=True, validate=validate.Length(min=1, max=200), metadata=_NAME)
    sites = ma.fields.List(SiteRef(), validate=validate.Length(max=100), metadata=_SITES)
    phone = Text(allow_none=True, validate=validate.Length(max=40), metadata=_PHONE)
    locale = Text(validate=validate.Length(min=2, max=5), metadata=_LOCALE)
    alerts_enabled = StrictBoolean(metadata=_ALERTS)
    active = StrictBoolean(metadata={"description": "false deactivates (never deleted)."})
    reason = reason_field()

    @ma.validates_schema
    def _something_changes(self, data, **kwargs):
        if set(data) <= {"reason"}:
            raise ma.ValidationError("Name at least one field to change.", "_schema")


class OwnAccountUpdateSchema(WriteSchema):
    """Changes to one's own account; a new password needs the current one."""

    phone = Text(allow_none=True, validate=validate.Length(max=40), metadata=_PHONE)
    locale = Text(validate=validate.Length(min=2, max=5), metadata=_LOCALE)
    alerts_enabled = StrictBoolean(metadata=_ALERTS)
    password = Text(load_only=True, validate=validate.Length(min=1, max=1000),
                    metadata={"description": "The new password (see the rules)."})
    current_password = Text(load_only=True, validate=validate.Length(max=1000))
    reason = reason_field(required=False)

    @ma.validates_schema
    def _password_needs_the_current_one(self, data, **kwargs):
        if "password" in data and not data.get("current_password"):
            raise ma.ValidationError("Needed to set a new password.", "current_password")
        if "current_password" in data and "password" not in data:
            raise ma.ValidationError("Only with a new password.", "current_password")

    @ma.validates_schema
    def _something_changes(self, data, **kwargs):
        if set(data) <= {"reason", "current_password"}:
            raise ma.ValidationError("Name at least one field to change.", "_schema")


class StaffQueryArgsSchema(QueryArgsSchema):
    """Filters for the staff list."""

    role = Text(validate=validate.OneOf(ROLES))
    active = QueryBoolean()
    site_id = Id(strict=False)


class SetPasswordSchema(WriteSchema):
    """The one-time code an admin handed over, and the new password."""

    code = Text(required=True, validate=validate.Length(min=1, max=40),
                metadata={"example": "K7QX-3M9D-PW4T-8HJN"})
    password = Text(required=True, load_only=True,
                    validate=validate.Length(min=1, max=1000),
                    metadata={"example": "correct horse battery staple"})


STAFF_CREATE_EXAMPLE = {"email": "kim.coordinator@example.org", "role": "coordinator",
                        "sites": ["SEV"], "phone": "010-5550-0101", "locale": "ko",
                        "alerts_enabled": True}
STAFF_UPDATE_EXAMPLE = {"phone": "010-5550-0199", "reason": "New work mobile"}
OWN_ACCOUNT_UPDATE_EXAMPLE = {"locale": "en", "alerts_enabled": True,
                              "password": "quiet harbour violet stone",
                              "current_password": "lantern orchard copper meadow"}
SET_PASSWORD_EXAMPLE = {"code": "K7QX-3M9D-PW4T-8HJN", "password": "quiet harbour violet stone"}
