"""Investigators' sign-offs and the certified copy of a participant's record:
``/api/v1/participants/{id}/sign-offs`` and ``/api/v1/participants/{id}/record``."""

from flask import Response, request
from flask.views import MethodView

from api.auth import current_actor, staff_required
from api.blueprint import Blueprint
from api.errors import ErrorSchema
from api.schemas.sign_offs import (
    SIGN_OFF_EXAMPLE,
    RecordQueryArgsSchema,
    RecordSchema,
    SignOffCreateSchema,
    SignOffSchema,
)
from diary.exports.odm import odm_xml
from diary.operations import certified_copy, sign_offs

blp = Blueprint("sign_offs", __name__, url_prefix="/participants",
                description="Investigators' electronic sign-offs of a participant's data "
                            "(21 CFR Part 11) and the certified copy of the record.")

NOT_YOURS = "Not a participant of your sites."
ODM_XML = "application/xml"


@blp.route("/<int:participant_id>/sign-offs")
class SignOffs(MethodView):
    @staff_required()
    @blp.response(200, SignOffSchema(many=True))
    @blp.alt_response(404, schema=ErrorSchema, description=NOT_YOURS)
    def get(self, participant_id):
        """List a participant's sign-offs, oldest first; current: false once the data changed."""
        return sign_offs.list_sign_offs(current_actor(), participant_id)

    @staff_required()  # the role is checked after the site, so other sites see a 404
    @blp.arguments(SignOffCreateSchema, example=SIGN_OFF_EXAMPLE)
    @blp.response(201, SignOffSchema)
    @blp.alt_response(403, schema=ErrorSchema,
                      description="Not an investigator, or the password entered is wrong "
                                  "(counted toward the sign-in lockout).")
    @blp.alt_response(404, schema=ErrorSchema, description=NOT_YOURS)
    @blp.alt_response(409, schema=ErrorSchema,
                      description="The signer's account has no printed name (display_name).")
    def post(self, body, participant_id):
        """Sign off the participant's current data, entering the password again."""
        return sign_offs.sign_off(current_actor(), participant_id, password=body["password"],
                                  meaning=body["meaning"],
                                  second_factor_code=body.get("second_factor_code")), 201


def _wants_odm(form: str) -> bool:
    accepted = request.accept_mimetypes
    return form == "odm" or (
        accepted.best_match(["application/json", ODM_XML]) == ODM_XML
        and accepted[ODM_XML] > accepted["application/json"])


@blp.route("/<int:participant_id>/record")
class Record(MethodView):
    @staff_required()
    @blp.arguments(RecordQueryArgsSchema, location="query", as_kwargs=True)
    @blp.response(200, RecordSchema)
    # Both forms of the copy: flask-smorest's own entry for the 200 gives way to this one.
    @blp.doc(responses={"200": {"description": "The copy, as JSON or as ODM XML.", "content": {
        "application/json": {"schema": RecordSchema},
        ODM_XML: {"schema": {"type": "string", "description": "CDISC ODM 1.3.2"}}}}})
    @blp.alt_response(404, schema=ErrorSchema, description=NOT_YOURS)
    def get(self, participant_id, format):
        """Certified copy of the whole record with its audit trail (JSON, or ODM 1.3.2 XML)."""
        form = "odm" if _wants_odm(format) else "json"
        copy = certified_copy.certified_copy(current_actor(), participant_id, form=form)
        if form == "odm":
            return Response(odm_xml(copy), mimetype=ODM_XML)
        return copy
