"""Tumour assessments and vital status staff record: the outcomes of the primary endpoint."""

from flask.views import MethodView

from api.auth import current_actor, staff_required
from api.blueprint import Blueprint
from api.errors import ErrorSchema
from api.schemas.outcomes import (
    ASSESSMENT_CREATE_EXAMPLE,
    ASSESSMENT_UPDATE_EXAMPLE,
    VITAL_STATUS_EXAMPLE,
    AssessmentCreateSchema,
    AssessmentQueryArgsSchema,
    AssessmentSchema,
    AssessmentUpdateSchema,
    VitalStatusSchema,
    VitalStatusWriteSchema,
)
from diary.operations import tumour_assessments, vital_status
from diary.operations.adverse_events import WRITERS

blp = Blueprint("outcomes", __name__, url_prefix="/participants",
                description="Participants' tumour assessments (RECIST 1.1) and vital status, "
                            "recorded by staff of their sites; every change a new version.")

NOT_YOURS = "Not a participant (or an assessment) of your sites."
RACED = "Changed by someone else at the same moment: read it again and retry."


@blp.route("/<int:participant_id>/assessments")
class Assessments(MethodView):
    @staff_required()
    @blp.arguments(AssessmentQueryArgsSchema, location="query", as_kwargs=True)
    @blp.response(200, AssessmentSchema(many=True))
    @blp.alt_response(404, schema=ErrorSchema, description=NOT_YOURS)
    def get(self, participant_id, history):
        """List a participant's tumour assessments by visit date."""
        return tumour_assessments.list_assessments(current_actor(), participant_id,
                                                   history=history)

    @staff_required(*WRITERS)
    @blp.arguments(AssessmentCreateSchema, example=ASSESSMENT_CREATE_EXAMPLE)
    @blp.response(201, AssessmentSchema)
    @blp.alt_response(404, schema=ErrorSchema, description=NOT_YOURS)
    def post(self, data, participant_id):
        """Record a tumour assessment: the visit date and the RECIST 1.1 response."""
        reason = data.pop("reason", None)
        return tumour_assessments.record_assessment(current_actor(), participant_id, data,
                                                    reason), 201


@blp.route("/<int:participant_id>/assessments/<int:assessment_id>")
class AssessmentById(MethodView):
    @staff_required()
    @blp.arguments(AssessmentQueryArgsSchema, location="query", as_kwargs=True)
    @blp.response(200, AssessmentSchema)
    @blp.alt_response(404, schema=ErrorSchema, description=NOT_YOURS)
    def get(self, participant_id, assessment_id, history):
        """Show a tumour assessment (every version with history=true)."""
        return tumour_assessments.get_assessment(current_actor(), participant_id,
                                                 assessment_id, history=history)

    @staff_required(*WRITERS)
    @blp.arguments(AssessmentUpdateSchema, example=ASSESSMENT_UPDATE_EXAMPLE)
    @blp.response(200, AssessmentSchema)
    @blp.alt_response(404, schema=ErrorSchema, description=NOT_YOURS)
    @blp.alt_response(409, schema=ErrorSchema, description=RACED)
    def patch(self, change, participant_id, assessment_id):
        """Change an assessment with a reason: a new version, the old one kept."""
        reason = change.pop("reason")
        return tumour_assessments.change_assessment(current_actor(), participant_id,
                                                    assessment_id, change, reason)


@blp.route("/<int:participant_id>/vital-status")
class VitalStatuses(MethodView):
    @staff_required()
    @blp.response(200, VitalStatusSchema(many=True))
    @blp.alt_response(404, schema=ErrorSchema, description=NOT_YOURS)
    def get(self, participant_id):
        """List every vital status recorded for a participant, oldest first."""
        return vital_status.list_vital_status(current_actor(), participant_id)

    @staff_required(*WRITERS)
    @blp.arguments(VitalStatusWriteSchema, example=VITAL_STATUS_EXAMPLE)
    @blp.response(201, VitalStatusSchema)
    @blp.alt_response(404, schema=ErrorSchema, description=NOT_YOURS)
    @blp.alt_response(409, schema=ErrorSchema, description=RACED)
    def post(self, data, participant_id):
        """Record alive or dead, superseding the current record (with a reason)."""
        reason = data.pop("reason", None)
        return vital_status.record_vital_status(current_actor(), participant_id, data,
                                                reason), 201
