"""FHIR R4 exports for staff: ``/participants/{id}/fhir`` and ``/exports/fhir``."""

import json

from flask import Response, stream_with_context
from flask.views import MethodView

from api.auth import current_actor, staff_required
from api.blueprint import Blueprint
from api.errors import ErrorSchema
from api.schemas.fhir import FhirBundleSchema
from diary.operations import fhir_export

FHIR_JSON = "application/fhir+json"
# FHIR Bulk Data's format: one resource (here, one participant's Bundle) per line.
FHIR_NDJSON = "application/fhir+ndjson"
# What OpenAPI can say of NDJSON: text, a JSON document per line.
NDJSON_DOCUMENT = {"type": "string", "description": "One FHIR R4 Bundle (JSON) per line."}

blp = Blueprint("fhir", __name__, url_prefix="",
                description="FHIR R4 datasets of the caller's sites' participants; every "
                            "export validated and audited.")

INVALID = ("The record does not make a valid FHIR R4 Bundle (a fault on our side, logged); "
           "nothing was exported. `errors.bundle` lists the problems.")


@blp.route("/participants/<int:participant_id>/fhir")
class ParticipantFhir(MethodView):
    @staff_required()
    @blp.response(200, FhirBundleSchema, content_type=FHIR_JSON,
                  description="The participant's Bundle (type collection).")
    @blp.alt_response(404, schema=ErrorSchema, description="Not a participant of your sites.")
    @blp.alt_response(422, schema=ErrorSchema, description=INVALID)
    def get(self, participant_id):
        """Export a participant's diary as a FHIR R4 Bundle (audited)."""
        bundle = fhir_export.participant_fhir_bundle(current_actor(), participant_id)
        return Response(json.dumps(bundle, ensure_ascii=False), mimetype=FHIR_JSON)


@blp.route("/exports/fhir")
class FhirExport(MethodView):
    @staff_required()
    @blp.response(200, NDJSON_DOCUMENT, content_type=FHIR_NDJSON, description=(
        "NDJSON, streamed: one participant's Bundle per line, by study code. A Bundle "
        "that failed its checks is replaced by an OperationOutcome naming the study code."))
    def get(self):
        """Export every participant of your sites as FHIR R4 Bundles, one per line (audited)."""
        bundles = fhir_export.export_fhir_bundles(current_actor())
        lines = (json.dumps(bundle, ensure_ascii=False, separators=(",", ":")) + "\n"
                 for bundle in bundles)
        return Response(stream_with_context(lines), mimetype=FHIR_NDJSON)
