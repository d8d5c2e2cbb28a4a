"""Sign-offs and the certified copy of a participant's record, as staff send and read them."""

import marshmallow as ma
from marshmallow.validate import Length, OneOf

from api.schemas.audit import AuditEventSchema
from api.schemas.common import QueryArgsSchema, WriteSchema
from api.schemas.fields import Text
from diary.models.sign_off import MEANINGS


class SignOffCreateSchema(WriteSchema):
    """The signer's password entered again, and what the signature means."""

    password = Text(required=True, load_only=True, validate=Length(min=1, max=1000),
                    metadata={"description": "The signer's password, entered again."})
    second_factor_code = Text(load_only=True, allow_none=True, validate=Length(max=40),
                              metadata={"description": "The second factor's current code, "
                                                       "for an account that has one."})
    meaning = Text(required=True, validate=OneOf(MEANINGS),
                   metadata={"description": "What the signature means (21 CFR 11.50)."})


SIGN_OFF_EXAMPLE = {"password": "quiet harbour violet stone", "meaning": "reviewed and approved"}


class SignOffSchema(ma.Schema):
    """A sign-off: who (printed name), when, what it means, the data it signed."""

    id = ma.fields.Integer(attribute="sign_off.id")
    participant_id = ma.fields.Integer(attribute="sign_off.participant_id")
    staff_user_id = ma.fields.Integer(attribute="sign_off.staff_user_id")
    printed_name = ma.fields.String(attribute="sign_off.printed_name")
    meaning = ma.fields.String(attribute="sign_off.meaning", metadata={"enum": list(MEANINGS)})
    signed_at = ma.fields.AwareDateTime(attribute="sign_off.signed_at")
    data_sha256 = ma.fields.String(attribute="sign_off.data_sha256", metadata={
        "description": "SHA-256 of the participant's clinical data as signed."})
    current = ma.fields.Boolean(metadata={
        "description": "false once the data changed after the signature: it no longer "
                       "covers the data in force."})


class ChainedAuditEventSchema(AuditEventSchema):
    """An audit event with its place in the participant's hash chain."""

    chain = ma.fields.String()
    seq = ma.fields.Integer()
    prev_hash = ma.fields.String()
    hash = ma.fields.String()


class RecordQueryArgsSchema(QueryArgsSchema):
    format = Text(load_default="json", validate=OneOf(("json", "odm")), metadata={
        "description": "odm: CDISC ODM 1.3.2 XML (as does Accept: application/xml)."})


class RecordSchema(ma.Schema):
    """A certified copy of a participant's whole record, with its audit trail."""

    generated_at = ma.fields.AwareDateTime()
    data_sha256 = ma.fields.String(metadata={
        "description": "The digest a sign-off made now would carry."})
    audit_trail_intact = ma.fields.Boolean(metadata={
        "description": "Whether the participant's audit chain verified when the copy was made."})
    participant = ma.fields.Dict(metadata={"description": "Without the phone number."})
    regimen = ma.fields.Dict()
    doses = ma.fields.List(ma.fields.Dict(), metadata={"description": "Every version."})
    adverse_events = ma.fields.List(ma.fields.Dict(), metadata={
        "description": "Each event with every version."})
    symptom_reports = ma.fields.List(ma.fields.Dict())
    sign_offs = ma.fields.List(ma.fields.Nested(SignOffSchema))
    audit_trail = ma.fields.List(ma.fields.Nested(ChainedAuditEventSchema))
